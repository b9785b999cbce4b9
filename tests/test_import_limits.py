"""Received Office files are read inside limits (issue 18 items 2 and 7).

Each file of the issue — and a few more a sender could craft — is built here from a sample
as goaldoc renders it, then given to `goaldoc check` and `goaldoc import` together with one
good file, the way a bureau runs a folder: in a process of its own, with a CPU and a memory
limit. Each bad file gets its own message (the file, the part or sheet, the figure and the
limit); the good one is still read; nothing else is written; no process outlives the run.
Before issue 18 these hung (a cell at XFD1048576, a merged range to XFD1048576, 100,000 rows,
a FIFO, a mimetype entry inflating to a GiB), ended in MemoryError or a traceback
(/dev/zero, an entity in a sheet, a shared-string index out of range) or were read by a part
Word may not show (word/document.xml twice, a bzip2 part).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

import hostile_office as h
from processes import needs_proc, none_left, run_bounded

pytestmark = needs_proc

W_NS = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
S_NS = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
RESEND = "请让发来的单位用 Word / WPS / Excel 打开它、另存后重新发送"
NAME = "台山市人力资源和社会保障局"


def _without(data: bytes, name: str) -> list[h.Entry]:
    return [e for e in h.entries(data) if e.name != name]


def _document(extra: bytes) -> bytes:
    d = h.rendered("docx")
    xml = h.part(d, "word/document.xml").replace(b"<w:body>", b"<w:body>" + extra, 1)
    return h.replaced(d, "word/document.xml", xml)


def _padded_bomb(name: str, mib: int, head: bytes = b"<a>") -> h.Entry:
    """A part of ``mib`` MiB, honest headers and checksum, deflated to about 340 times less:
    each MiB of spaces followed by 400 empty stored blocks, under the ratio limit."""
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b" " * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    stream = first + (block + b"\x00\x00\x00\xff\xff" * 400) * mib + b"\x03\x00"
    plain_crc = zlib.crc32(head)
    for _ in range(mib):
        plain_crc = zlib.crc32(b" " * (1 << 20), plain_crc)
    return h.Entry(name, stream, zipfile.ZIP_DEFLATED, plain_crc, len(head) + mib * (1 << 20))


def build(folder: Path) -> dict[str, tuple[Path, str, str]]:
    """{case: (file, code, message)}: the issue's cases, then our own."""
    x, d = h.rendered("xlsx"), h.rendered("docx")
    sheet = h.first_sheet(x)
    cases: dict[str, tuple[Path, str, str]] = {}

    def add(case: str, name: str, data: bytes | None, code: str, message: str) -> None:
        path = folder / name
        if data is not None:
            path.write_bytes(data)
        cases[case] = (path, code, message)

    # issue 18 item 3: small files that hung or ate memory
    add("one cell at XFD1048576", "远处一格.xlsx",
        h.with_sheet_xml(x, lambda s: h.add_rows(s, '<row r="1048576">' + h.inline("XFD1048576", "x") + "</row>")),
        "E045", "工作表“目录”的 XFD1048576 有内容，超出 goaldoc 读的范围（最多 256 列，到 IV 列为止）：请删去表格以外的内容后另存，再导入")
    add("100,000 tiny rows", "十万行.xlsx",
        h.with_sheet_xml(x, lambda s: h.add_rows(s, "".join(f'<row r="{r}">' + h.inline(f"A{r}", "x") + "</row>" for r in range(1000, 101000)))),
        "E046", "工作表“目录”共有 100,003 行内容，超过上限 15,000 行（一份绩效目标表通常几十到几千行）：请检查是不是多出了大量重复或无用的行，删去后另存，再导入")
    add("a .docx part inflating to 1 GiB", "炸弹.docx", h.rezip([*_without(d, "word/document.xml"), h.bomb_entry("word/document.xml", W_NS)]),
        "E042", f"文件里的“word/document.xml”解压后有 1024.0 MB，超过一个部分的上限 64 MB（一万行的表约 43 MB）：文件可能是“压缩炸弹”，{RESEND}")
    add("a .xlsx part inflating to 1 GiB", "炸弹.xlsx", h.rezip([*_without(x, sheet), h.bomb_entry(sheet, S_NS)]),
        "E042", f"文件里的“xl/worksheets/sheet1.xml”解压后有 1024.0 MB，超过一个部分的上限 64 MB（一万行的表约 43 MB）：文件可能是“压缩炸弹”，{RESEND}")
    add("a part declaring 100 KB, inflating to 1 GiB", "谎报大小.docx",
        h.rezip([*_without(d, "word/document.xml"), h.bomb_entry("word/document.xml", W_NS, declared=100_000)]),
        "E022", f"文件已损坏：其中的“word/document.xml”解不开（BadZipFile），Word 也可能打不开它：{RESEND}")
    add("a 2 MiB part that is 400 times its size", "倍数.docx", h.rezip([*_without(d, "word/document.xml"), h.bomb_entry("word/document.xml", W_NS, mib=2)]),
        "E042", f"文件里的“word/document.xml”从 2 KB 解压成 2.0 MB（949 倍），超过上限 400 倍（Word / Excel 的文件通常 10–25 倍）：这是“压缩炸弹”的做法，读它会耗尽内存，{RESEND}")
    os.mkfifo(folder / "管道.docx")
    add("a FIFO", "管道.docx", None, "E004", "这是一个管道（FIFO），不是普通文件：请指定保存在磁盘上的 .docx / .xlsx 文件")
    cases["/dev/zero"] = (Path("/dev/zero"), "E004", "这是一个设备，不是普通文件：请指定保存在磁盘上的 .docx / .xlsx 文件")
    with open(folder / "太大.docx", "wb") as fh:
        fh.write(d)
        fh.truncate(40 * 1024 * 1024)  # sparse: nothing big on the disk
    add("a 40 MB file", "太大.docx", None, "E040",
        "文件有 40.0 MB，超过上限 32 MB（一份填好的表通常不到 1 MB）：请检查是不是选错了文件；表里有大图片时，请在 Word / WPS / Excel 里删去或压缩图片后另存，再导入")
    # item 4: tracebacks that stopped a batch
    damaged = h.entries(d)
    for e in damaged:
        if e.name == "word/document.xml":
            mid = len(e.data) // 2
            e.data = e.data[:mid] + bytes(b ^ 0x5A for b in e.data[mid : mid + 64]) + e.data[mid + 64 :]
    add("a damaged deflate stream", "坏压缩.docx", h.rezip(damaged), "E022", f"文件已损坏：其中的“word/document.xml”解不开（BadZipFile），Word 也可能打不开它：{RESEND}")
    dtd = f"带有 DTD（<!DOCTYPE …>）：Word / Excel 从不写它，它能让读文件的程序展开实体、读取别的文件，goaldoc 不读这样的文件：{RESEND}"
    shared = h.resaved(x)
    add("a DOCTYPE entity in sharedStrings.xml", "实体1.xlsx",
        h.replaced(shared, "xl/sharedStrings.xml", h.with_doctype(h.part(shared, "xl/sharedStrings.xml"), "sst")), "E043", f"文件里的“xl/sharedStrings.xml”{dtd}")
    add("a DOCTYPE entity in a worksheet", "实体2.xlsx", h.replaced(x, sheet, h.with_doctype(h.part(x, sheet), "worksheet")),
        "E043", f"文件里的“xl/worksheets/sheet1.xml”{dtd}")
    # item 7: word/document.xml twice
    second = h.Entry.of("word/document.xml", h.part(d, "word/document.xml").replace(NAME.encode(), "某某局".encode()))
    add("word/document.xml twice", "两份正文.docx", h.rezip([*h.entries(d), second]),
        "E041", f"文件里有两个同名的部分“word/document.xml”：Word、WPS 和 goaldoc 可能各读其中一个，看到的内容不同，goaldoc 不读这样的文件：{RESEND}")
    # ours: what else a sender could try
    upper = h.Entry.of("WORD/document.xml", h.part(d, "word/document.xml").replace(NAME.encode(), "某某局".encode()))
    add("a second word/document.xml in capitals", "大小写.docx", h.rezip([*h.entries(d), upper]),
        "E041", f"文件里有两个只差大小写的部分“word/document.xml”和“WORD/document.xml”：Word、WPS 和 goaldoc 可能各读其中一个，看到的内容不同，goaldoc 不读这样的文件：{RESEND}")
    add("a bzip2 part (Word cannot read it, Python can)", "bzip2.docx",
        h.rezip([*_without(d, "word/document.xml"), h.Entry.of("word/document.xml", h.part(d, "word/document.xml"), zipfile.ZIP_BZIP2)]),
        "E041", f"文件里的“word/document.xml”用了 Word / Excel 不用的压缩方式（编号 12），Word 打不开它：{RESEND}")
    add("an .ods whose mimetype inflates to 1 GiB", "类型炸弹.ods", h.rezip([h.bomb_entry("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")]),
        "E042", f"文件里的“mimetype”解压后有 1024.0 MB，超过一个部分的上限 64 MB（一万行的表约 43 MB）：文件可能是“压缩炸弹”，{RESEND}")
    add("content controls nested 1,500 deep", "嵌套.docx",
        _document(b"<w:sdt><w:sdtContent>" * 1500 + b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" + b"</w:sdtContent></w:sdt>" * 1500),
        "E044", f"文件里的 XML 嵌套超过 256 层（Word / Excel 的文件只有十几层）：文件可能是伪造的，{RESEND}")
    add("a table row of 20,000 cells", "一行两万格.docx",
        _document(b"<w:tbl><w:tr>" + b"<w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>" * 20000 + b"</w:tr></w:tbl><w:p/>"),
        "E046", f"第 1 个表格 第 1 行 有 20,000 格，超过一行的上限 256 格（Word 的表格最多 63 列）：{RESEND}")
    add("200,000 paragraphs", "二十万段.docx", _document(b"".join(b"<w:p><w:r><w:t>%d</w:t></w:r></w:p>" % k for k in range(200_000))),
        "E046", "文件里的表格和段落共有 200,082 行内容，超过上限 15,000 行（一份绩效目标表通常几十到几千行）：请检查是不是多出了大量重复或无用的行，删去后另存，再导入")
    many = [*h.entries(d), *(h.Entry.of(f"customXml/item{k}.xml", b"<a/>") for k in range(1001 - len(h.entries(d))))]
    add("1,001 parts", "一千个部分.docx", h.rezip(many),
        "E041", f"文件里有 1,001 个部分，超过上限 1,000 个（Word / Excel 文件通常只有几十个）：文件可能是伪造的或已损坏，{RESEND}")
    add("three parts of 50 MiB, each within the ratio", "总量.docx",
        h.rezip([*_without(d, "word/document.xml"), *(_padded_bomb(f"word/media/part{k}.xml", 50) for k in range(2)), _padded_bomb("word/document.xml", 50, W_NS)]),
        "E042", f"文件解压后超过 128 MB（上限），一份表用不了这么多：文件可能是“压缩炸弹”，{RESEND}")
    add("50,001 merged ranges", "五万个合并.xlsx",
        h.with_sheet_xml(x, lambda s: s.replace('<mergeCells count="1">', '<mergeCells count="50001">' + "".join(f'<mergeCell ref="A{r}:B{r}"/>' for r in range(10, 50010)))),
        "E045", f"工作表“目录”有 50,001 个合并区域，超过上限 50,000 个（一万行的表约 1.3 万个）：{RESEND}")
    add("merged ranges covering 2.5 million cells", "合并格太多.xlsx",
        h.with_sheet_xml(x, lambda s: s.replace('<mergeCells count="1">', '<mergeCells count="11">' + '<mergeCell ref="A1:IV1000"/>' * 10)),
        "E045", f"工作表“目录”的合并区域共有 2,560,003 格（表格内容以内），超过上限 2,000,000 格：{RESEND}")
    wb = h.part(x, "xl/workbook.xml").decode().replace("</sheets>", "".join(
        f'<sheet xmlns:r="{h.R_NS}" name="表{k}" sheetId="{k + 3}" r:id="rId2"/>' for k in range(20_000)) + "</sheets>")
    add("a workbook naming its big sheet 20,000 times (125 KB; openpyxl read it 20,000 times)", "两万张同一表.xlsx",
        h.replaced(x, "xl/workbook.xml", wb.encode()),
        "E041", f"工作簿里的工作表“部门整体预算绩效目标批复表”和“表0”指向同一个部分“xl/worksheets/sheet2.xml”（Excel 每张工作表各有自己的部分）："
        f"读它要把同一张表读许多遍，文件可能是伪造的，{RESEND}")
    comments = ('<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>a</author></authors><commentList>'
                + "".join(f'<comment ref="A{r}" authorId="0"><text><t>c</t></text></comment>' for r in range(1, 1001)) + "</commentList></comments>")
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(
        f'<Relationship Id="c{k}" Type="{h.R_NS}/comments" Target="../comments1.xml"/>' for k in range(100_000)) + "</Relationships>")
    add("a sheet naming one comments part 100,000 times (309 KB; openpyxl read it 100,000 times)", "十万次批注.xlsx",
        h.rezip([*h.entries(x), h.Entry.of("xl/comments1.xml", comments.encode()), h.Entry.of("xl/worksheets/_rels/sheet1.xml.rels", rels.encode())]),
        "E041", "文件里的“xl/worksheets/_rels/sheet1.xml.rels”把同一个部分“../comments1.xml”关联了不止一次（Excel 每个部分只关联一次）："
        f"读它要把同一个部分读许多遍，文件可能是伪造的，{RESEND}")
    add("a shared-string index out of range", "越界.xlsx",
        h.with_sheet_xml(x, lambda s: h.add_rows(s, '<row r="999"><c r="A999" t="s"><v>99999999</v></c></row>')),
        "E022", "文件已损坏，读不出表格（IndexError）：请用 Word / WPS / Excel 打开它，另存后再导入")
    # before: "文件已损坏，读不出表格（ValueError）" for the whole file, no cell named (Python reads
    # no integer of more than 4,300 digits)
    add("values openpyxl cannot cast: 5,000 digits, text in a number cell and in a yes/no cell", "巨大数字.xlsx",
        h.with_sheet_xml(x, lambda s: h.add_rows(s, '<row r="998"><c r="B998"><v>' + "9" * 5000 + '</v></c>'
                                                 '<c r="C998" t="n"><v>12万</v></c><c r="D998" t="b"><v>是</v></c>'
                                                 '<c r="E998"><f>SUM(B1:B2)</f><v></v></c></row>')),  # no cached value: not named
        "E022", "工作表“目录”的 B998（应为数字，存的是“999999999999…（共 5,000 个字符）”）、C998（应为数字，存的是“12万”）、"
        f"D998（应为是/否，存的是“是”）：这样的值 Excel / WPS 写不出来，文件可能被别的程序改过，goaldoc 读不了：{RESEND}"
        "（或在 Excel / WPS 里改正这几格）")
    return cases


@pytest.fixture(scope="module")
def received(tmp_path_factory):
    folder = tmp_path_factory.mktemp("received")
    cases = build(folder)
    good = folder / "好的.docx"
    good.write_bytes(h.rendered("docx"))
    return folder, cases, good


def test_check_names_each_bad_file_with_its_limit_and_reads_the_good_one(received):
    folder, cases, good = received
    files = [str(p) for p, _c, _m in cases.values()] + [str(good)]
    run = run_bounded(["check", *files], cwd=folder)
    lines = run.stdout.splitlines()
    for case, (path, code, message) in cases.items():
        if case == "/dev/zero":  # no suffix: `check` reads it as a YAML file, and says so
            message = message.replace(".docx / .xlsx", ".yaml")
        assert f"{path} 错误 {code}：{message}" in lines, (case, [x for x in lines if str(path) in x])
    # each bad file is one error; the good one is read and has none
    assert lines[-1] == f"检查了 {len(files)} 个文件：{len(cases)} 个错误，0 个提醒。"
    assert not [x for x in lines if x.startswith(str(good)) and "E0" in x]
    assert "Traceback" not in run.stderr and run.stderr == ""
    assert run.returncode == 1
    assert run.peak_mb < 1024 and run.cpu < 30  # the bound for one file, here for all of them (measured: 275 MB, 6 s)
    assert none_left(run.tag) == []


def test_import_names_each_bad_file_writes_nothing_for_it_and_imports_the_good_one(received):
    folder, cases, good = received
    out = folder / "待查"
    files = [str(p) for p, _c, _m in cases.values()] + [str(good)]
    run = run_bounded(["import", *files, "-o", out], cwd=folder)
    err = run.stderr.splitlines()
    total = len(files)
    for k, (case, (path, code, message)) in enumerate(cases.items(), start=1):
        assert f"{path} 错误 {code}：{message}" in err, (case, [x for x in err if str(path) in x])
        assert f"[{k}/{total}] {path}：没有导入。" in err
    assert f"[{total}/{total}] 已导入 {out / '好的.yaml'}" in run.stdout
    assert run.stdout.splitlines()[-1] == f"共 {total} 个文件：1 个已导入，{len(cases)} 个没有导入。"
    assert sorted(p.name for p in out.iterdir()) == ["好的.yaml"]  # nothing for the others
    assert "Traceback" not in run.stderr
    assert run.returncode == 1
    assert run.peak_mb < 1024 and run.cpu < 30  # the bound for one file, here for all of them (measured: 275 MB, 6 s)
    assert none_left(run.tag) == []


def test_a_merged_range_far_beyond_the_text_is_cut_to_it_and_said(tmp_path):
    """A100:XFD1048576 is 17 billion cells to openpyxl (MemoryError after 49 s): cut to the
    used range, the form reads as it did without it, and the note says what was left out."""
    from goaldoc.importer import import_file

    x = h.rendered("xlsx")
    plain, merged = tmp_path / "原样.xlsx", tmp_path / "合并.xlsx"
    plain.write_bytes(x)
    merged.write_bytes(h.with_sheet_xml(x, lambda s: h.add_merge(s, "A100:XFD1048576")))
    got = import_file(merged)
    assert got.data == import_file(plain).data
    assert "工作表“目录”的合并区域 A100:XFD1048576 在表格内容（到第 3 行）以外，没有读" in got.notes
    # one that starts inside the text is cut, not dropped: B2 keeps its merge to C2 …
    wide = tmp_path / "宽.xlsx"
    wide.write_bytes(h.with_sheet_xml(x, lambda s: h.add_merge(s, "B2:XFD1048576")))
    got = import_file(wide)
    assert "工作表“目录”的合并区域 B2:XFD1048576 远超出表格内容（到第 3 行），只按 B2:IV3 读" in got.notes
    run = run_bounded(["check", merged], cwd=tmp_path)
    assert f"{merged}:0 提醒 W902：工作表“目录”的合并区域 A100:XFD1048576 在表格内容（到第 3 行）以外，没有读" in run.stdout.splitlines()
    assert run.peak_mb < 1536 and run.cpu < 60


def test_a_number_excel_cannot_hold_reads_as_typed(tmp_path):
    """<v>1e999999</v> is infinity to Python; formatting it raised InvalidOperation."""
    from goaldoc.importer import import_file

    path = tmp_path / "无穷.xlsx"
    path.write_bytes(h.with_sheet_xml(h.rendered("xlsx"), lambda s: h.add_rows(s, '<row r="999"><c r="A999"><v>1e999999</v></c></row>')))
    got = import_file(path)
    assert [(x.text, x.place) for x in got.leftovers] == [("inf", "目录!A999")]


def test_a_sheet_named_in_messages_is_the_title_the_clerk_sees(tmp_path):
    from goaldoc.errors import InputError
    from goaldoc.importer import import_file

    x = h.rendered("xlsx")
    name = "xl/worksheets/sheet2.xml"
    path = tmp_path / "远.xlsx"
    path.write_bytes(h.replaced(x, name, h.add_rows(h.part(x, name).decode(), '<row r="7">' + h.inline("IW7", "备注") + "</row>").encode()))
    with pytest.raises(InputError) as err:
        import_file(path)
    assert err.value.problems[0].message.startswith("工作表“部门整体预算绩效目标批复表”的 IW7 有内容")


def test_a_form_at_the_limits_is_read():
    """What goaldoc itself writes stays inside the limits with room: the samples' parts."""
    from goaldoc.importer import limits

    for fmt in ("docx", "xlsx"):
        data = h.rendered(fmt)
        got = limits.inspect_zip(data, "x")
        assert got.data is data and got.notes == []
    assert limits.MAX_PART_BYTES > 43 * 1024 * 1024 and limits.MAX_ITEMS > 10_100  # bench: 10,000 indicator rows


def test_a_declared_dimension_to_xfd1048576_is_not_what_is_read(tmp_path):
    """<dimension ref="A1:XFD1048576"/> is what a sheet declares, not what it holds: the
    used range is read, the same as without it, with no note."""
    from goaldoc.importer import import_file

    x = h.rendered("xlsx")
    plain, declared = tmp_path / "原样.xlsx", tmp_path / "声明.xlsx"
    plain.write_bytes(x)
    declared.write_bytes(h.with_sheet_xml(x, lambda s: s.replace('<dimension ref="A1:C3"/>', '<dimension ref="A1:XFD1048576"/>')))
    assert b"XFD1048576" in h.part(declared.read_bytes(), h.first_sheet(x))
    got, want = import_file(declared), import_file(plain)
    assert got.data == want.data and got.notes == want.notes


def test_a_hyperlink_to_one_page_from_two_cells_is_read(tmp_path):
    """Links out of the file may repeat in a sheet's relationships (only parts of the file
    named twice are refused)."""
    from goaldoc.importer import import_file

    x = h.rendered("xlsx")
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(
        f'<Relationship Id="h{k}" Type="{h.R_NS}/hyperlink" Target="https://example.gov.cn/" TargetMode="External"/>' for k in range(2)) + "</Relationships>")
    plain, linked = tmp_path / "原样.xlsx", tmp_path / "链接.xlsx"
    plain.write_bytes(x)
    linked.write_bytes(h.rezip([*h.entries(x), h.Entry.of("xl/worksheets/_rels/sheet1.xml.rels", rels.encode())]))
    assert import_file(linked).data == import_file(plain).data
