"""Issue 21 item 4: usage errors and --help in Chinese (click's texts translated in
goaldoc/clitext.py), one test per usage error a clerk makes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from goaldoc.cli import main
from goaldoc.clitext import MESSAGES, PLACEHOLDERS, PLURALS, PLURALS_MANY


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), prog_name="goaldoc")


def test_every_text_click_shows_has_chinese():
    """A text a later click adds falls back to English: this names it."""
    missing = []
    for f in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if node.func.id == "_" and texts and texts[0] not in MESSAGES and texts[0] not in PLACEHOLDERS:
                    missing.append(texts[0])
                if node.func.id == "ngettext" and len(texts) == 2 and (texts[0] not in PLURALS or texts[1] not in PLURALS_MANY):
                    missing.append(texts[0])
    assert missing == []


USAGE_ERRORS = {
    "a misspelt command, with the nearest one": (
        ["rendr", "x.yaml"],
        ["用法：goaldoc [选项] 命令 [参数]...", "查看帮助：goaldoc --help", "错误：没有“rendr”这个命令。是不是“render”？"],
    ),
    "no file": (
        ["render"],
        ["用法：goaldoc render [选项] 文件...", "查看帮助：goaldoc render --help", "错误：缺少参数“文件...”。"],
    ),
    "no file to init": (
        ["init"],
        ["用法：goaldoc init [选项] 文件", "查看帮助：goaldoc init --help", "错误：缺少参数“文件”。"],
    ),
    "a value not among the choices": (
        ["render", "x.yaml", "-f", "pdfx"],
        ["用法：goaldoc render [选项] 文件...", "查看帮助：goaldoc render --help",
         "错误：“-f” / “--format” 的值不对：“pdfx”不是可选的值：只能写“docx”、“xlsx”、“pdf” 之一。"],
    ),
    "not a number": (
        ["render", "x.yaml", "--jobs", "两个"],
        ["用法：goaldoc render [选项] 文件...", "查看帮助：goaldoc render --help", "错误：“-j” / “--jobs” 的值不对：“两个”不是数字。"],
    ),
    "a number out of range": (
        ["init", "x.yaml", "--year", "3025"],
        ["用法：goaldoc init [选项] 文件", "查看帮助：goaldoc init --help", "错误：“--year” 的值不对：3025 不在范围 2000<=x<=2100 之内。"],
    ),
    "an unknown option": (
        ["check", "x.yaml", "--strcit"],
        ["用法：goaldoc check [选项] 文件...", "查看帮助：goaldoc check --help", "错误：没有“--strcit”这个选项。是不是“--strict”？"],
    ),
    "an option without its value": (
        ["render", "x.yaml", "-o"],
        ["错误：选项“-o”后面要写一个值。"],
    ),
    "one argument too many": (
        ["init", "甲.yaml", "乙.yaml"],
        ["用法：goaldoc init [选项] 文件", "查看帮助：goaldoc init --help", "错误：多了参数（乙.yaml）：请检查拼写和空格，文件名里有空格时用引号括起来。"],
    ),
    "a templates folder that is not there": (
        ["render", "x.yaml", "--templates", "我的模板"],
        ["用法：goaldoc render [选项] 文件...", "查看帮助：goaldoc render --help", "错误：“--templates” 的值不对：找不到“我的模板”。"],
    ),
}


@pytest.mark.parametrize("case", list(USAGE_ERRORS))
def test_a_usage_error_is_said_in_chinese(case):
    args, expected = USAGE_ERRORS[case]
    res = run(*args)
    assert res.exit_code == 2
    assert res.stderr.splitlines() == expected


def test_goaldoc_alone_shows_its_help():
    res = run()
    assert res.exit_code == 2
    assert res.stderr.startswith("用法：goaldoc [选项] 命令 [参数]...\n\n  goaldoc：用一个 YAML 文件生成预算绩效目标表")


@pytest.mark.parametrize("command", ["", "render", "check", "init", "import", "schema", "forms"])
def test_help_has_no_english_of_clicks(command):
    res = run(*([command] if command else []), "--help")
    assert res.exit_code == 0
    english = {w for w in re.findall(r"\b[A-Z][A-Za-z]+\b", res.stdout) if w not in {"YAML", "JSON", "Schema", "Word", "Excel", "PDF", "LibreOffice", "CPU", "VS", "Code", "WPS"}}
    assert english == set(), english
    assert res.stdout.startswith(f"用法：goaldoc {command} [选项]".replace("  ", " "))
    assert "\n选项：\n" in res.stdout


def _screen_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.mark.parametrize("command", ["render", "check", "init", "import", "schema", "forms"])
def test_option_descriptions_start_in_one_column_on_screen(command):
    """A Chinese choice (init's ``--stage [监控|自评]``) is two columns a character on
    screen, where click counts one: its description started two columns right of the others."""
    res = run(command, "--help")
    starts = set()
    for line in res.stdout.split("\n选项：\n", 1)[1].splitlines():
        m = re.match(r"^(  -\S.*?) {2,}(?=\S)", line)
        if m:
            starts.add(_screen_width(m.group(0)))
    assert len(starts) == 1, (starts, res.stdout)


def test_the_stage_choice_of_init_lines_up():
    lines = run("init", "--help").stdout.splitlines()
    stage = next(x for x in lines if x.startswith("  --stage"))
    year = next(x for x in lines if x.startswith("  --year"))
    assert _screen_width(stage[: stage.index("新建")]) == _screen_width(year[: year.index("预算年度")])
