"""The command line as a clerk uses it: help, outputs, exit codes, nothing written on error."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.cli import main
from readback import docx_text

TAISHAN = str(SAMPLES / "2024" / "taishan.yaml")
STEM = "2024年台山市人力资源和社会保障局部门整体预算绩效目标批复表"


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_help_is_chinese_with_examples():
    top = run("--help")
    assert top.exit_code == 0
    assert "goaldoc render samples/2024/taishan.yaml" in top.output
    sub = run("render", "-h")
    assert sub.exit_code == 0
    assert "有错误时不生成任何文件" in sub.output and "--only" in sub.output


def test_version_says_where_goaldoc_runs():
    res = run("--version")
    assert res.exit_code == 0 and "goaldoc 0.1.0" in res.output and "Python" in res.output


def test_render_to_the_default_folder(tmp_path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        res = run("render", TAISHAN)
    finally:
        os.chdir(cwd)
    assert res.exit_code == 0, res.output
    folder = tmp_path / "out" / "2024" / "台山市人力资源和社会保障局"
    assert sorted(p.name for p in folder.iterdir()) == [f"{STEM}.docx", f"{STEM}.xlsx"]
    assert "台山市人力资源和社会保障局" in docx_text(folder / f"{STEM}.docx")


def test_render_one_format_to_a_chosen_folder(tmp_path):
    res = run("render", TAISHAN, "-o", str(tmp_path / "送财政局"), "--format", "docx")
    assert res.exit_code == 0, res.output
    assert [p.name for p in (tmp_path / "送财政局").iterdir()] == [f"{STEM}.docx"]


def test_error_writes_nothing_and_keeps_earlier_outputs(tmp_path):
    good = run("render", TAISHAN, "-o", str(tmp_path))
    assert good.exit_code == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    bad = tmp_path.parent / "bad.yaml"
    bad.write_text(open(TAISHAN, encoding="utf-8").read().replace("  name: 台山市人力资源和社会保障局", "  nmae: 台山市人力资源和社会保障局", 1), encoding="utf-8")
    res = run("render", str(bad), "-o", str(tmp_path))
    assert res.exit_code == 1
    assert "未知的键“nmae”：是不是“name”？" in res.output
    assert "未生成任何文件" in res.output
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # same files, same bytes, no temp files left


def test_usage_error_exits_2():
    assert run("render").exit_code == 2
    assert run("render", TAISHAN, "--format", "html").exit_code == 2
    assert run("render", TAISHAN, "--jobs", "0").exit_code == 2


def test_schema_is_json_schema():
    res = run("schema")
    schema = json.loads(res.output)
    assert schema["properties"]["department"]["description"] == "部门基本信息"
    assert schema["additionalProperties"] is False


def test_only_what_the_format_needs_is_imported(tmp_path):
    code = (
        "import sys; from goaldoc.api import load, render_bytes;"
        f"render_bytes(load({TAISHAN!r}), ['xlsx']);"
        "print('docxtpl' in sys.modules, 'openpyxl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
    code = code.replace("['xlsx']", "['docx']")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]


def test_batch_shows_progress_and_a_summary(tmp_path):
    liuzhi = str(SAMPLES / "2023" / "liuzhi.yaml")
    res = run("render", TAISHAN, liuzhi, "-o", str(tmp_path))
    assert "[1/2] 已生成" in res.output and "[2/2] 已生成" in res.output
    assert "共 2 个部门：2 个成功，0 个有问题；生成 4 个文件（6 张表）" in res.output  # more in test_batch.py


def test_init_writes_a_starter_that_checks_and_renders(tmp_path):
    target = tmp_path / "2025" / "新部门.yaml"
    res = run("init", str(target), "--form", "guangdong", "--year", "2025")
    assert res.exit_code == 0, res.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# goaldoc 填报文件（2025 年度，表样 guangdong：") and "year: 2025" in text
    assert run("check", str(target)).exit_code == 0
    assert run("render", str(target), "-o", str(tmp_path / "out")).exit_code == 0
    again = run("init", str(target))
    assert again.exit_code == 1 and "没有覆盖" in again.output
    assert target.read_text(encoding="utf-8") == text


def test_init_refuses_an_unknown_form(tmp_path):
    res = run("init", str(tmp_path / "x.yaml"), "--form", "hainan")
    assert res.exit_code == 2 and "没有名为“hainan”的表样：是不是“handan”？" in res.output
    assert not (tmp_path / "x.yaml").exists()


def test_a_folder_or_a_glob_means_its_yaml_files(tmp_path):
    import shutil

    folder = tmp_path / "2024"
    folder.mkdir()
    shutil.copy(TAISHAN, folder / "a.yaml")
    shutil.copy(TAISHAN, folder / "b.yaml")
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    by_folder = run("check", str(folder))
    by_glob = run("check", str(folder / "*.yaml"))  # as typed in Windows' cmd: not expanded
    assert "检查了 2 个文件" in by_folder.output and "检查了 2 个文件" in by_glob.output
