"""Only regular files of a sane size are read (issue 12 item 6): a FIFO does not hang,
/dev/zero does not eat memory, a 50 MB file is refused before a byte is read."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from conftest import DEFAULT_FORM_FILLED
from goaldoc import loader, yamlparse
from goaldoc.api import check
from goaldoc.loader import MAX_FILE_BYTES

GOOD = "year: 2024\ndepartment:\n  name: 测试局\n"


def messages(path: str | Path) -> list[str]:
    return [p.format() for p in check(path)]


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "管道.yaml"
    os.mkfifo(fifo)
    result: list[list[str]] = []
    reader = threading.Thread(target=lambda: result.append(messages(fifo)), daemon=True)
    reader.start()
    reader.join(20)
    if reader.is_alive():  # blocked in open(): let it go, then fail
        with open(fifo, "wb"):
            pass
        reader.join()
        pytest.fail("goaldoc check blocked on a FIFO")
    assert result == [[f"{fifo} 错误 E004：这是一个管道（FIFO），不是普通文件：请指定保存在磁盘上的 .yaml 文件"]]


def test_dev_zero_is_refused_unread():
    assert messages("/dev/zero") == ["/dev/zero 错误 E004：这是一个设备，不是普通文件：请指定保存在磁盘上的 .yaml 文件"]


def test_a_folder_is_refused(tmp_path):
    assert messages(tmp_path) == [f"{tmp_path} 错误 E004：这是一个文件夹，不是文件：请写出其中的 .yaml 文件名"]


def test_a_missing_file_is_said_in_chinese(tmp_path):
    assert messages(tmp_path / "无.yaml") == [f"{tmp_path / '无.yaml'} 错误 E004：文件不存在：请检查文件名和所在的文件夹"]


def test_no_read_permission_is_said_in_chinese(tmp_path, monkeypatch):
    # the suite may run as root, for whom chmod 000 changes nothing: refuse as the OS would
    path = tmp_path / "a.yaml"
    path.write_text(GOOD, encoding="utf-8")

    def refuse(*args, **kw):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(loader.os, "open", refuse)
    assert messages(path) == [f"{path} 错误 E004：没有读取这个文件的权限：请检查文件的权限，或把它复制到自己的文件夹再试"]


def test_a_50_mb_file_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: costs no disk

    def never(*args, **kw):  # type: ignore[no-untyped-def]
        raise AssertionError("the file was opened")

    monkeypatch.setattr(loader.os, "open", never)
    assert messages(big) == [
        f"{big} 错误 E004：文件有 50.0 MB，超过上限 2 MB：一个部门一年的填报文件通常不到 100 KB，"
        "请检查是不是选错了文件，或是否把同样的内容重复粘贴了很多遍"
    ]


def test_a_file_of_exactly_the_limit_is_read(tmp_path):
    edge = tmp_path / "edge.yaml"
    with open(edge, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES)  # zeros: read, then refused for what it holds
    assert messages(edge) == [
        f"{edge}:1:1 错误 E001：YAML 格式错误：含有不可见的控制字符 U+0000：请删去它（常见于从网页或 PDF 复制的文字）"
    ]
    with open(edge, "ab") as fh:
        fh.write(b"\0")
    assert messages(edge)[0].startswith(f"{edge} 错误 E004：文件有 2.0 MB，超过上限 2 MB")


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text(GOOD + DEFAULT_FORM_FILLED, encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(real)
    assert messages(tmp_path / "link.yaml") == []


def test_too_many_items_stop_the_parse_where_the_limit_is_passed(tmp_path, monkeypatch):
    """Counted while composing: what comes after the limit is never parsed (here a syntax
    error at the end, which a parse of the whole file would report instead)."""
    monkeypatch.setattr(yamlparse, "MAX_NODES", 1000)  # the composer's count
    monkeypatch.setattr(loader, "MAX_NODES", 1000)  # the builder's
    path = tmp_path / "many.yaml"
    path.write_text(GOOD + "goals:\n" + "  - 目标\n" * 2000 + "bad: [unclosed\n", encoding="utf-8")
    # nodes: the top mapping, year and department (key, value, name key, name value), goals'
    # key and list make 9, so the 1001st is item 992, on line 4 + 992
    assert messages(path) == [f"{path}:996:5 错误 E001：文件过大（超过 20 万个条目）"]
