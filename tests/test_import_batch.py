"""`goaldoc import` and `goaldoc check` of many received files (issue 18 items 4 and 7,
issue 23 item 4): one error boundary per file — a file that cannot be read or written is
named and the batch goes on, never a traceback —, bidi and invisible characters named by
`check` as render names them, and `--jobs` that prints what one process prints.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import hostile_office as h
from conftest import SAMPLES
from goaldoc.cli import main

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
LIUZHI = SAMPLES / "2023" / "liuzhi.yaml"
NAME = "台山市人力资源和社会保障局"


def run(*args: str | Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args])


def two_files(tmp: Path) -> tuple[Path, Path]:
    a, b = tmp / "第一.docx", tmp / "第二.xlsx"
    a.write_bytes(h.rendered("docx"))
    b.write_bytes(h.rendered("xlsx", LIUZHI))
    return a, b


def test_a_folder_in_the_way_is_named_with_overwrite_and_the_next_file_is_imported(tmp_path):
    a, b = two_files(tmp_path)
    out = tmp_path / "待查"
    (out / "第一.yaml").mkdir(parents=True)
    res = run("import", a, b, "-o", out, "--overwrite", "-j", "1")
    assert res.exit_code == 1
    assert res.stderr.splitlines()[:2] == [
        f"{out / '第一.yaml'} 错误 E905：这里有一个同名的文件夹，新文件放不进去：请把这个文件夹改名或移走，或换一个输出文件夹（-o）",
        f"[1/2] {a}：没有导入。",
    ]
    assert f"[2/2] 已导入 {out / '第二.yaml'}" in res.stdout
    assert res.stdout.splitlines()[-1] == "共 2 个文件：1 个已导入，1 个没有导入。"
    assert res.exception is None or isinstance(res.exception, SystemExit)  # no traceback


def test_a_read_only_target_is_refused_by_name(tmp_path):
    a, _b = two_files(tmp_path)
    target = tmp_path / "第一.yaml"
    target.write_text("# 我的\n", encoding="utf-8")
    target.chmod(0o444)
    res = run("import", a, "--overwrite")
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        f"{target} 错误 E904：已有的这个文件是只读的，goaldoc 不会擅自改动它：请在文件属性里去掉“只读”后重试，或把它移走，或换一个输出文件夹（-o）",
        f"{a}：没有导入。",
    ]
    assert target.read_text(encoding="utf-8") == "# 我的\n"


def test_a_full_disk_is_said_for_each_file_not_a_traceback(tmp_path, monkeypatch):
    from goaldoc import output

    def full(temp, data):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output, "_write", full)
    a, b = two_files(tmp_path)
    out = tmp_path / "待查"
    res = run("import", a, b, "-o", out, "-j", "1")
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        f"{out / '第一.yaml'} 错误 E902：磁盘已满：{out} 所在的磁盘没有空间了：请腾出空间后重试，或换一个输出文件夹（-o）",
        f"[1/2] {a}：没有导入。",
        f"{out / '第二.yaml'} 错误 E902：磁盘已满：{out} 所在的磁盘没有空间了：请腾出空间后重试，或换一个输出文件夹（-o）",
        f"[2/2] {b}：没有导入。",
    ]
    assert res.stdout.splitlines() == ["共 2 个文件：0 个已导入，2 个没有导入。"]
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == []


def test_an_unexpected_error_in_one_file_is_named_and_the_others_go_on(tmp_path, monkeypatch):
    """What no check foresaw (a bug, a reader's exception on a file we never met) stops one
    file with E049, never the batch."""
    import goaldoc.importer as importer

    real = importer.align

    def flaky(pattern, doc, *args):  # type: ignore[no-untyped-def]
        if "第一" in doc.file:
            raise RuntimeError("坏在这里")
        return real(pattern, doc, *args)

    monkeypatch.setattr(importer, "align", flaky)
    a, b = two_files(tmp_path)
    said = (
        f"{a} 错误 E049：goaldoc 读这个文件时出了意外的错误（RuntimeError：坏在这里），这个文件没有读完，其余文件照常："
        "请用 Word / WPS / Excel 打开它、另存后再试；仍然如此时请把这个文件和这一行发给 goaldoc 的维护者"
    )
    res = run("import", a, b, "-o", tmp_path / "待查", "-j", "1")
    assert res.exit_code == 1
    assert res.stderr.splitlines()[:2] == [said, f"[1/2] {a}：没有导入。"]
    assert f"[2/2] 已导入 {tmp_path / '待查' / '第二.yaml'}" in res.stdout
    checked = run("check", a, b, "-j", "1")
    assert checked.stdout.splitlines()[0] == said
    assert checked.stdout.splitlines()[-1].startswith("检查了 2 个文件：9 个错误")  # 8 are 六枝's own (its accepted:)


def test_two_jobs_print_and_write_what_one_job_does(tmp_path):
    a, b = two_files(tmp_path)
    c = tmp_path / "第三.xlsx"
    c.write_bytes(h.rendered("xlsx"))
    bad = tmp_path / "坏了.docx"
    bad.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    files = [a, bad, b, c]
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        imported = run("import", *files, "-o", out, "-j", jobs)
        checked = run("check", *files, "-j", jobs)
        results[jobs] = (
            imported.exit_code,
            imported.stdout.replace(str(out), "OUT"),
            imported.stderr.replace(str(out), "OUT"),
            checked.exit_code,
            checked.stdout,
            {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()},
        )
    assert results["1"] == results["2"]
    assert results["1"][0] == 1 and sorted(results["1"][5]) == ["第一.yaml", "第三.yaml", "第二.yaml"]
    assert f"[2/4] {bad}：没有导入。" in results["2"][2]


# ---------------------------------------------------------------- item 7: what render strips, check names


@pytest.mark.parametrize(("char", "what"), [("\u202e", "文字方向控制符，会让文字倒着显示"), ("\u200b", "零宽空格"), ("\u2028", "行分隔符")])
def test_check_names_an_invisible_character_as_render_strips_it(tmp_path, char, what):
    text = TAISHAN.read_text(encoding="utf-8").replace(f"name: {NAME}", f'name: "{NAME[:3]}{char}{NAME[3:]}"', 1)
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if NAME[:3] in t and "name:" in t)
    expected = (
        f"{path}:{line} 提醒 W920 department.name：含有看不见的字符 U+{ord(char):04X}（{what}，第 4 个字）："
        "屏幕和纸上看到的文字与实际内容不同；文件名和工作表名里 goaldoc 会去掉它："
        "请删去它（常见于从网页、PDF 或聊天软件复制的文字）"
    )
    res = run("check", path)
    assert expected in res.stdout.splitlines()
    assert res.exit_code == 0  # a 提醒: render goes on, and says the same
    rendered = run("render", path, "-o", tmp_path / "out", "-f", "docx")
    assert rendered.exit_code == 0
    assert expected in rendered.stderr.splitlines()


def test_check_of_a_received_form_names_the_bidi_override_at_its_cell(tmp_path):
    x = h.rendered("xlsx")
    encoded = "".join(f"&#{ord(c)};" for c in NAME)  # goaldoc writes its text as character references
    hostile = "".join(f"&#{ord(c)};" for c in NAME[:3] + "\u202e" + NAME[3:])
    for sheet in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):  # the 目录 and the form
        xml = h.part(x, sheet).decode("utf-8")
        assert encoded in xml
        x = h.replaced(x, sheet, xml.replace(encoded, hostile).encode("utf-8"))
    path = tmp_path / "收到的.xlsx"
    path.write_bytes(x)
    res = run("check", path)
    assert [line for line in res.stdout.splitlines() if " W920 " in line] == [
        f"{path} 目录!A1 提醒 W920 department.name：含有看不见的字符 U+202E（文字方向控制符，会让文字倒着显示，第 4 个字）："
        "屏幕和纸上看到的文字与实际内容不同；文件名和工作表名里 goaldoc 会去掉它：请删去它（常见于从网页、PDF 或聊天软件复制的文字）",
        f"{path} 目录!B3 提醒 W920 contents[0].title：含有看不见的字符 U+202E（文字方向控制符，会让文字倒着显示，第 4 个字）："
        "屏幕和纸上看到的文字与实际内容不同：请删去它（常见于从网页、PDF 或聊天软件复制的文字）",
    ]
