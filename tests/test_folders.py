"""Issue 16 item 3 (the folder part): a folder given to render, check or import is read with its
subfolders, and every entry it holds that is not read is named with the reason — never a
silent skip, never a hang on a named pipe or /dev/zero, never a loop through links."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.cli import main
from goaldoc.inputs import expand


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "部门"
    (d / "子").mkdir(parents=True)
    shutil.copy(SAMPLES / "2024" / "taishan.yaml", d / "taishan.yaml")
    shutil.copy(SAMPLES / "2021" / "guangshui.yaml", d / "子" / "guangshui.yaml")
    (d / "说明.txt").write_text("x", encoding="utf-8")
    (d / ".~lock.taishan.yaml#").write_text("x", encoding="utf-8")
    (d / "~$表.docx").write_bytes(b"x")
    os.mkfifo(d / "管道.yaml")
    os.symlink("圈.yaml", d / "圈.yaml")
    os.symlink("/dev/zero", d / "zero.yaml")
    os.symlink("..", d / "子" / "上一层")  # a folder reached again through a link
    return d


def test_every_entry_left_out_is_named_with_why(folder):
    found = expand([str(folder)])
    assert found.files == [f"{folder}/taishan.yaml", f"{folder}/子/guangshui.yaml"]
    assert found.lines(" .yaml ") == [
        f"跳过 {folder}/zero.yaml：是设备（如 /dev/zero），不是文件",
        f"跳过 {folder}/~$表.docx：是 Word / Excel 打开文件时留下的临时文件（~$ 开头），不是填好的表",
        f"跳过 {folder}/圈.yaml：符号链接绕成了圈（指回自己），读不到文件",
        f"跳过 {folder}/子/上一层：这个文件夹前面已经读过（符号链接指回了它），不再读一遍",
        f"跳过 {folder}/管道.yaml：是命名管道（FIFO），不是文件：读它会一直等下去",
        f"跳过 1 个不是 .yaml 的文件：{folder}/说明.txt",
        f"跳过 1 个隐藏的文件或文件夹（名字以“.”开头）：{folder}/.~lock.taishan.yaml#",
    ]


def test_render_check_and_import_of_a_folder_say_what_they_left_out(folder, tmp_path):
    res = run("render", str(folder), "-o", str(tmp_path / "out"), "-f", "docx", "--jobs", "1")
    assert res.exit_code == 0, res.output
    assert f"跳过 {folder}/管道.yaml：是命名管道（FIFO），不是文件：读它会一直等下去" in res.stderr.splitlines()
    assert res.stdout.splitlines()[-1].startswith("共 2 个部门：2 个成功")
    res = run("check", str(folder))
    assert f"跳过 {folder}/圈.yaml：符号链接绕成了圈（指回自己），读不到文件" in res.stderr.splitlines()
    assert res.stdout.splitlines()[-1] == "检查了 2 个文件：0 个错误，0 个提醒，2 个已确认保留。"
    res = run("import", str(folder), "-o", str(tmp_path / "待查"))
    assert res.exit_code == 2
    assert res.stderr.splitlines()[-3:] == [
        f"跳过 3 个不是 Word / Excel 表（.docx、.xlsx 等）的文件：{folder}/taishan.yaml、{folder}/子/guangshui.yaml、{folder}/说明.txt",
        f"跳过 1 个隐藏的文件或文件夹（名字以“.”开头）：{folder}/.~lock.taishan.yaml#",
        "没有找到要导入的 Word / Excel 表（.docx、.xlsx 等）：请检查文件夹或通配符。",
    ]


def test_an_empty_folder_is_not_checked_in_silence(tmp_path):
    """Issue 16: a folder with nothing to check said `检查了 0 个文件` and exit 0."""
    res = run("check", str(tmp_path))
    assert res.exit_code == 2
    assert res.stderr == "没有找到要检查的 .yaml 或 Word / Excel 表：请检查文件夹或通配符。\n"


def test_an_unreadable_file_is_named(folder, monkeypatch):
    secret = folder / "秘密.yaml"
    secret.write_text("year: 2025\n", encoding="utf-8")
    secret.chmod(0)
    if os.geteuid() == 0:  # root reads every file (CI runs as root): let access() say no
        from goaldoc import inputs

        real = inputs.os.access
        monkeypatch.setattr(inputs.os, "access", lambda p, mode: False if str(p) == str(secret) else real(p, mode))
    assert f"跳过 {secret}：没有权限读这个文件" in expand([str(folder)]).lines(" .yaml ")
