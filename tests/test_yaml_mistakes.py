"""Issue 13 item 2: the YAML mistakes clerks make, each explained where it is, with a fix
that works when followed.

Each case breaks one line of a sample the way a clerk does (Chinese input method left on, a
Tab, a comma or a colon inside ``{…}``, curly quotes), asserts the exact message with line
and column, then *follows the message's advice* mechanically (the text after 写成, or the
number of spaces it names) and asserts that the file then checks exactly as the sample does.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.cli import main
from goaldoc.errors import InputError
from goaldoc.loader import load_text
from goaldoc.yamlhints import _field_names

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
JINGYAN = SAMPLES / "2024" / "jingyan.yaml"
P = "错误 E001：YAML 格式错误："
_FIRST_GOAL = next(line for line in TAISHAN.read_text(encoding="utf-8").splitlines(keepends=True) if line.startswith('  - "1. '))

# (sample, the line as it is, the line as the clerk typed it, expected problem after "file:")
CASES = {
    "full-width colon after a key (line 15, not the line after it)": (
        TAISHAN,
        "  name: 台山市人力资源和社会保障局\n",
        "  name： 台山市人力资源和社会保障局\n",
        f"15:7 {P}键“name”后面是中文冒号“：”：YAML 只认英文冒号：请写成 name: 台山市人力资源和社会保障局（英文冒号后面空一格）",
    ),
    "full-width colon, no space": (
        TAISHAN,
        "  area: 台山市\n",
        "  area：台山市\n",
        f"16:7 {P}键“area”后面是中文冒号“：”：YAML 只认英文冒号：请写成 area: 台山市（英文冒号后面空一格）",
    ),
    "full-width colon on the last key of a block": (
        TAISHAN,
        "  subunit_count: 4     # 下属二级单位数（个）\n",
        "  subunit_count：4     # 下属二级单位数（个）\n",
        f"18:16 {P}键“subunit_count”后面是中文冒号“：”：YAML 只认英文冒号：请写成 subunit_count: 4（英文冒号后面空一格）",
    ),
    "full-width colon inside {…}": (
        JINGYAN,
        "name: 培训班个数, sign",
        "name：培训班个数, sign",
        f"49:44 {P}键“name”后面是中文冒号“：”：YAML 只认英文冒号：请写成 name: 培训班个数（英文冒号后面空一格）",
    ),
    "full-width space as indentation": (
        TAISHAN,
        "  area: 台山市\n",
        "\u3000area: 台山市\n",
        f"16:1 {P}行首用了全角空格“　”：YAML 只认半角空格缩进：请把行首的空白换成 2 个半角空格（输入法切到半角再打空格）",
    ),
    "full-width spaces in a list item": (
        TAISHAN,
        "    name: 受理仲裁案件数量\n",
        "\u3000\u3000name: 受理仲裁案件数量\n",
        f"121:1 {P}行首用了全角空格“　”：YAML 只认半角空格缩进：请把行首的空白换成 4 个半角空格（输入法切到半角再打空格）",
    ),
    "a Tab as indentation": (
        TAISHAN,
        "    name: 受理仲裁案件数量\n",
        "\tname: 受理仲裁案件数量\n",
        f"121:1 {P}行首用了制表符（Tab）：YAML 只能用空格缩进：请把行首的空白换成 4 个空格",
    ),
    "a Tab after the colon": (
        TAISHAN,
        "  area: 台山市\n",
        "  area:\t台山市\n",
        f"16:8 {P}这里有一个制表符（Tab）：YAML 在这里不认 Tab：请把它换成一个空格",
    ),
    "a colon inside {…}": (
        JINGYAN,
        "name: 培训班个数, sign",
        "name: 培训班: 个数, sign",
        f"49:49 {P}花括号 {{ }} 里的值含有“: ”，YAML 读不懂：请把整个值用英文引号括起来，写成 name: \"培训班: 个数\"",
    ),
    "a colon in a value": (
        TAISHAN,
        "    name: 受理仲裁案件数量\n",
        "    name: 受理: 仲裁案件数量\n",
        f"121:13 {P}值里有“: ”（冒号加空格），YAML 会当成又一个键：请把整个值用英文引号括起来，写成 name: \"受理: 仲裁案件数量\"",
    ),
    "an unquoted [n] path in accepted:": (
        JINGYAN,
        '{path: "units[井研县就业创业促进中心].projects[职业技能提升行动培训资金].indicators", code: E204',
        "{path: units[井研县就业创业促进中心].projects[职业技能提升行动培训资金].indicators, code: E204",
        f"239:17 {P}花括号 {{ }} 里的值含有“[”，YAML 读不懂：请把整个值用英文引号括起来，写成 path: \"units[井研县就业创业促进中心].projects[职业技能提升行动培训资金].indicators\"",
    ),
    "curly quotes around a whole value": (
        TAISHAN,
        "    value: ≥260 件\n",
        "    value: “≥260 件”\n",
        f"123:12 {P}值 “≥260 件” 两头是中文引号：YAML 不把它们当引号，会原样印到表上：请改成英文引号，写成 value: \"≥260 件\"（或删去两头的引号）；如果确实要印出中文引号，请写成 value: \"“≥260 件”\"",
    ),
    "curly quotes around a value with a colon": (
        TAISHAN,
        "    name: 受理仲裁案件数量\n",
        "    name: “受理: 仲裁案件数量”\n",
        f"121:11 {P}中文引号“”不起引号的作用，引号里的符号被当成了 YAML 的符号：请改成英文引号，写成 name: \"受理: 仲裁案件数量\"",
    ),
    "the first key under a key indented too far: it is blamed, not its siblings": (
        TAISHAN,
        "  name: 台山市人力资源和社会保障局\n",
        "    name: 台山市人力资源和社会保障局\n",
        f"15:5 {P}缩进不一致：这一行没有和同一层的键（或“- ”）对齐：请把行首的空白换成 2 个空格",
    ),
    "the first item of a list indented too far: it is blamed, not the items after it": (
        TAISHAN,
        _FIRST_GOAL,
        "    " + _FIRST_GOAL.lstrip(" "),
        f"51:5 {P}缩进不一致：这一行没有和同一层的键（或“- ”）对齐：请把行首的空白换成 2 个空格",
    ),
    "no space after the colon": (
        TAISHAN,
        "form: guangdong\n",
        "form:guangdong\n",
        f"12:5 {P}键“form”的冒号后面要空一格：请写成 form: guangdong",
    ),
}


def check(text: str, tmp_path: Path, name: str = "x.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
    return [line.replace(f"{path}:", "") for line in res.stdout.splitlines()]


def follow(broken: str, bad_line: str, message: str) -> str:
    """Do what the message says, as literally as a clerk would."""
    m = re.search(r"换成 (\d+) 个(?:半角)?空格", message)
    if m:
        fixed = " " * int(m[1]) + bad_line.lstrip(" \t\u3000")
        return broken.replace(bad_line, fixed, 1)
    if "请把它换成一个空格" in message:
        return broken.replace(bad_line, bad_line.replace("\t", " "), 1)
    m = re.search(r"写成 (.+?)(?:（|；|$)", message)
    assert m, message
    fix = m[1]
    key = fix.split(":")[0]
    start = bad_line.index(key, len(bad_line) - len(bad_line.lstrip(" \t\u3000{")))
    # the clerk's value runs to the comment, the next `, key:` in a {…}, or the line end
    rest = bad_line[start:]
    end = re.search(r"(?:, [A-Za-z_]+: |\s+#|\n)", rest)
    typed = rest[: end.start()] if end else rest
    return broken.replace(bad_line, bad_line.replace(typed, fix, 1), 1)


@pytest.mark.parametrize("name", list(CASES))
def test_a_yaml_mistake_is_explained_where_it_is_and_its_fix_works(name, tmp_path):
    sample, good, bad, expected = CASES[name]
    text = sample.read_text(encoding="utf-8")
    assert text.count(good) == 1
    broken = text.replace(good, bad, 1)
    assert check(broken, tmp_path) == [expected, "检查了 1 个文件：1 个错误，0 个提醒。"]
    bad_line = next(line + "\n" for line in broken.split("\n") if bad.strip("\n") in line)
    fixed = follow(broken, bad_line, expected)
    assert check(fixed, tmp_path, "fixed.yaml") == check(text, tmp_path, "sample.yaml")


def test_a_comma_inside_braces_names_the_value_it_split_and_says_to_add_quotes(tmp_path):
    text = JINGYAN.read_text(encoding="utf-8")
    broken = text.replace("name: 培训班个数, sign", "name: 培训班个数, 含线上班, 含夜校, sign", 1)
    got = check(broken, tmp_path)
    sample = check(text, tmp_path, "sample.yaml")
    message = (
        "49:53 错误 E010 units[0].projects[0].indicators[0].含线上班：未知的键“含线上班”："
        "它是上一个值的后半截，花括号 { } 里的英文逗号“,”把值断开了：请给整个值加英文引号，"
        '写成 name: "培训班个数, 含线上班, 含夜校"'
    )
    # one message for the value the two commas split, not one per piece
    assert [line for line in got[:-1] if line not in sample] == [message]
    assert got[-1].startswith("检查了 1 个文件：1 个错误，")
    fixed = broken.replace("name: 培训班个数, 含线上班, 含夜校,", 'name: "培训班个数, 含线上班, 含夜校",', 1)
    assert check(fixed, tmp_path, "fixed.yaml") == sample


def test_curly_quotes_inside_english_quotes_are_kept_as_typed():
    data, _ = load_text("department:\n  name: '“放管服”改革办'\n  area: '“台山”'\n")
    assert data["department"] == {"name": "“放管服”改革办", "area": "“台山”"}


def test_a_value_that_only_starts_with_a_curly_quote_is_text():
    data, _ = load_text("goals:\n  - “三项工程”全面实施\n")
    assert data["goals"] == ["“三项工程”全面实施"]


def test_a_full_width_colon_inside_text_is_text():
    data, _ = load_text("goals:\n  - 目标：促进就业\n  - KPI：95%\ndepartment: {name: 甲, functions: 职能：就业}\n")
    assert data["goals"] == ["目标：促进就业", "KPI：95%"]
    assert data["department"]["functions"] == "职能：就业"


def test_full_width_spaces_inside_a_paragraph_are_text():
    data, _ = load_text("goals:\n  - |\n    \u3000\u3000第一段：促进就业。\n")
    assert data["goals"] == ["\u3000\u3000第一段：促进就业。\n"]


# ---------------------------------------------------------------- no PyYAML English

_ALLOWED = {"YAML", "Tab", "UTF", "PDF", "Excel", "goaldoc", "init", "xlsx"}  # and the command a message names
_INSERTS = [*":,{}[]\"'#-\t?&*!|>%@`：“”　\\", ": ", ", ", "- ", "\n", "  ", "...\n", "---\n"]


def _english(message: str) -> list[str]:
    s = re.sub(r"“[^”]*”|'[^']*'|\"[^\"]*\"", "", message)  # what the clerk typed, quoted
    s = re.sub(r"写成 .*?(?:（|；|$)", "", s)  # the fix, written out
    return [w for w in re.findall(r"[A-Za-z]{2,}", s) if w not in _ALLOWED | _field_names()]


def test_no_english_reaches_the_user_from_2000_broken_samples():
    """Every way of breaking a sample with one keystroke gets a Chinese message with a line.
    (40 lines of a sample at a time: the whole file would only make it slower to read.)"""
    samples = [p.read_text(encoding="utf-8").split("\n") for p in sorted(SAMPLES.glob("*/*.yaml"))]
    rng = random.Random(13)
    explained = 0
    for _ in range(2000):
        lines = rng.choice(samples)
        start = rng.randrange(len(lines) - 40)
        text = "\n".join(lines[start : start + 40])
        pos = rng.randrange(len(text))
        cut = rng.random() < 0.3
        text = text[:pos] + ("" if cut else rng.choice(_INSERTS)) + text[pos + cut :]
        try:
            load_text(text, "x.yaml")
        except InputError as exc:
            for p in exc.problems:
                assert p.line is not None, p.format()
                assert not _english(p.message), p.format()
                explained += 1
    assert explained > 300  # the mutations really broke files


def test_several_mistakes_are_shown_at_once_each_at_its_own_line(tmp_path):
    """PyYAML stops at the first; following each message's fix on a copy finds the next."""
    text = TAISHAN.read_text(encoding="utf-8")
    broken = (
        text.replace("  area: 台山市\n", "  area：台山市\n", 1)
        .replace("  staff_count: 269", "\u3000staff_count: 269", 1)
        .replace("    name: 受理仲裁案件数量\n", "\tname: 受理仲裁案件数量\n", 1)
        .replace("    value: ≥260 件\n", "    value: “≥260 件”\n", 1)
    )
    got = check(broken, tmp_path)
    assert got == [
        f"16:7 {P}键“area”后面是中文冒号“：”：YAML 只认英文冒号：请写成 area: 台山市（英文冒号后面空一格）",
        f"17:1 {P}行首用了全角空格“　”：YAML 只认半角空格缩进：请把行首的空白换成 2 个半角空格（输入法切到半角再打空格）",
        f"121:1 {P}行首用了制表符（Tab）：YAML 只能用空格缩进：请把行首的空白换成 4 个空格",
        f"123:12 {P}值 “≥260 件” 两头是中文引号：YAML 不把它们当引号，会原样印到表上：请改成英文引号，"
        '写成 value: "≥260 件"（或删去两头的引号）；如果确实要印出中文引号，请写成 value: "“≥260 件”"',
        "检查了 1 个文件：4 个错误，0 个提醒。",
    ]
    fixed = broken
    for message in got[:-1]:
        n = int(message.split(":")[0])
        bad_line = fixed.split("\n")[n - 1] + "\n"
        fixed = follow(fixed, bad_line, message)
    assert check(fixed, tmp_path, "fixed.yaml") == check(text, tmp_path, "sample.yaml")
