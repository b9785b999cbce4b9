"""Issue 16 item 3: files say what they are. A render names the outputs of an earlier run
of the same department that it did not write (never touching them), and every run says
which template folder it used when it is not goaldoc's own."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, SAMPLES
from goaldoc.cli import main

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
STEM = "2024年台山市人力资源和社会保障局部门整体预算绩效目标批复表"
OLD = 1_700_000_000  # 2023-11-14, the time the earlier run left its file


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def left_behind(folder: Path, suffix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / f"{STEM}{suffix}"
    f.write_bytes(b"%PDF-1.4 the figures of an earlier run")
    os.utime(f, (OLD, OLD))
    return f


def when() -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(OLD))


def test_a_stale_pdf_beside_a_new_docx_is_named_and_left_alone(tmp_path):
    out = tmp_path / "out"
    pdf = left_behind(out, ".pdf")
    res = run("render", str(TAISHAN), "-o", str(out))
    assert res.exit_code == 0, res.output
    assert f"{pdf} 提醒 W941：这次没有生成 PDF（没有加 --pdf），这个文件是 {when()} 留下的，内容可能是旧的，和新生成的文件对不上：" \
        "要新的请加 --pdf 再生成一次；不要的话请删去它（goaldoc 不删它：它可能是另存或已经送出的那一份）" in res.output.splitlines()
    assert pdf.read_bytes() == b"%PDF-1.4 the figures of an earlier run" and pdf.stat().st_mtime == OLD  # untouched


def test_a_run_for_one_format_names_the_others(tmp_path):
    out = tmp_path / "out"
    xlsx = left_behind(out, ".xlsx")
    res = run("render", str(TAISHAN), "-o", str(out), "-f", "docx")
    assert res.exit_code == 0, res.output
    named = [x for x in res.output.splitlines() if " W941" in x]
    assert named == [
        f"{xlsx} 提醒 W941：这次没有生成 .xlsx（-f / --format 只要了 docx），这个文件是 {when()} 留下的，内容可能是旧的，"
        "和新生成的文件对不上：要新的请带上 -f xlsx 再生成一次；不要的话请删去它（goaldoc 不删它：它可能是另存或已经送出的那一份）"
    ]
    # what this run writes is not named, and another department's files are none of its business
    other = out / "2024年别的部门部门整体预算绩效目标批复表.pdf"
    other.write_bytes(b"x")
    again = run("render", str(TAISHAN), "-o", str(out))
    assert [x for x in again.output.splitlines() if " W941" in x] == []
    assert other.exists()


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """An office folder: its admin's edited templates beside the departments' files."""
    shutil.copytree(ROOT / "templates", tmp_path / "office" / "templates")
    (tmp_path / "office" / "2024").mkdir()
    shutil.copy(TAISHAN, tmp_path / "office" / "2024" / "taishan.yaml")
    return tmp_path / "office"


def test_a_template_folder_given_is_named(office, tmp_path):
    templates = office / "templates"
    res = run("render", str(office / "2024" / "taishan.yaml"), "--templates", str(templates), "-o", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == (
        f"表样“guangdong”用的是模板文件夹 {templates / 'guangdong'}（不是 goaldoc 自带的）；"
        f"指标体系和审核规则用的是 {templates / 'national.yaml'}"
    )
    check = run("check", str(office / "2024" / "taishan.yaml"), "--templates", str(templates))
    assert check.output.splitlines() == [res.output.splitlines()[0], "检查了 1 个文件：0 个错误，0 个提醒。"]


def test_the_working_folders_templates_are_named(office, tmp_path, monkeypatch):
    monkeypatch.chdir(office)
    res = run("render", "2024/taishan.yaml", "-o", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].startswith(f"表样“guangdong”用的是模板文件夹 {office / 'templates' / 'guangdong'}（不是 goaldoc 自带的）")


def test_templates_beside_the_data_but_not_used_are_named(office, tmp_path, monkeypatch):
    """Run from elsewhere (here: the data's own folder): the built-in layout is used, and said."""
    monkeypatch.chdir(office / "2024")
    res = run("check", "taishan.yaml")
    assert res.output.splitlines()[-2] == (
        f"表样“guangdong”用的是 goaldoc 自带的模板，没有用 {office / 'templates'} 里的同名表样：goaldoc 只用 --templates 指定的、"
        f"环境变量 GOALDOC_TEMPLATES 指定的和在哪个文件夹里运行就用那里的 templates/；要用它请加 --templates {office / 'templates'}"
    )


def test_goaldocs_own_templates_are_not_announced(tmp_path):
    res = run("check", str(TAISHAN))
    assert res.output.splitlines() == ["检查了 1 个文件：0 个错误，0 个提醒。"]
