"""A received Office file, read inside limits (issue 18 item 2).

`goaldoc import` and `goaldoc check x.docx` read files that departments send in: nobody
vouches for them. Everything that costs time or memory is bounded **before** a parser or
openpyxl sees the file:

1. the file itself: a regular file (never a FIFO, a device such as /dev/zero, a folder) of at
   most :data:`MAX_FILE_BYTES`, read without blocking;
2. the zip: at most :data:`MAX_ENTRIES` parts, no two with one name (Word and goaldoc could
   each read another one), only the compression Office writes (stored, deflate), no part
   bigger than :data:`MAX_PART_BYTES` or more than :data:`MAX_RATIO` times its compressed
   size, :data:`MAX_TOTAL_BYTES` in all — as declared, and then as read: every part is inflated
   once, a chunk at a time, so a header that lies about its size is caught by its checksum
   before anything reads the part whole; a workbook's sheets each on a part of their own,
   and each part named once by a relationship (openpyxl reads a part anew each time);
3. XML: no DTD (``<!DOCTYPE``: entities that expand or fetch files), at most
   :data:`MAX_ELEMENTS` elements in a part that holds the form (:data:`MAX_OTHER_ELEMENTS` in
   the others); lxml parses with ``resolve_entities=False, no_network=True, load_dtd=False``
   and without ``huge_tree``;
4. sheets: the *used* range, not the declared one. A merged range is cut to the rows that
   hold text (and :data:`MAX_COLUMNS` columns): ``A100:XFD1048576`` would otherwise be
   seventeen billion cells to openpyxl. Text beyond :data:`MAX_COLUMNS` columns, more than
   :data:`MAX_MERGES` merged ranges or :data:`MAX_MERGED_CELLS` merged cells are refused;
5. what was read: at most :data:`MAX_ITEMS` rows and paragraphs, :data:`MAX_COLUMNS` cells
   in a row (the matching that follows grows with both).

Each limit broken is an :class:`InputError` (E004, E040–E046) naming the file, the part or
sheet, the figure and the limit, and how to get a file that can be read.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from ..errors import InputError, Problem

MB = 1024 * 1024
# a filled form is well under 1 MB; the 10,000-row .docx goaldoc renders is 3.6 MB
MAX_FILE_BYTES = 32 * MB
MAX_ENTRIES = 1000  # a .docx or .xlsx holds 10 to 40 parts, images aside
# the 10,000-row .docx goaldoc renders (bench) holds 43 MB in word/document.xml, 1.7 million
# elements; the .xlsx 7 MB in its sheet, 13,248 merged ranges
MAX_PART_BYTES = 64 * MB
MAX_TOTAL_BYTES = 128 * MB
MAX_RATIO = 400  # inflated / compressed, for parts above RATIO_FLOOR (XML deflates 10–25×, a sheet of empty rows 100×)
RATIO_FLOOR = 1 * MB
MAX_ELEMENTS = 2_500_000  # in word/document.xml, a sheet, the shared strings
MAX_OTHER_ELEMENTS = 250_000  # in styles, relationships, the workbook …
MAX_ITEMS = 15_000  # rows and paragraphs read: a form is some thousands of rows
MAX_COLUMNS = 256  # cells in a row; Word's tables stop at 63 columns
MAX_MERGES = 50_000  # merged ranges in a sheet
MAX_MERGED_CELLS = 2_000_000  # cells inside merged ranges, in a sheet, once cut to the used range

_CHUNK = 1 * MB
_RESEND = "请让发来的单位用 Word / WPS / Excel 打开它、另存后重新发送"
_SS_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_PARTS = ("word/document.xml", "xl/sharedstrings.xml")


def _problem(file: str, message: str, code: str) -> InputError:
    return InputError([Problem(message, (), file, code=code)])


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{max(n, 1) / 1024:.0f} KB"


# ---------------------------------------------------------------- 1. the file


_KINDS = (
    (stat.S_ISDIR, "这是一个文件夹，不是文件：请写出其中的 .docx / .xlsx 文件名"),
    (stat.S_ISFIFO, "这是一个管道（FIFO），不是普通文件：请指定保存在磁盘上的 .docx / .xlsx 文件"),
    (stat.S_ISCHR, "这是一个设备，不是普通文件：请指定保存在磁盘上的 .docx / .xlsx 文件"),
    (stat.S_ISBLK, "这是一个磁盘设备，不是普通文件：请指定保存在磁盘上的 .docx / .xlsx 文件"),
    (stat.S_ISSOCK, "这是一个套接字，不是普通文件：请指定保存在磁盘上的 .docx / .xlsx 文件"),
)


def read_file(path: Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`. Anything else is
    refused before a byte is read (opening a FIFO waits for a writer for ever, /dev/zero
    never ends); the open descriptor is checked again, so a FIFO put in the file's place
    between the two looks is refused too."""
    file = str(path)
    try:
        _regular(os.stat(path), file)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _problem(file, f"无法读取文件：{exc.strerror or exc}", "E004") from None
    with os.fdopen(fd, "rb") as fh:
        _regular(os.fstat(fh.fileno()), file)
        try:
            raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise _problem(file, f"无法读取文件：{exc.strerror or exc}", "E004") from None
    if len(raw) > MAX_FILE_BYTES:  # it grew while we looked
        raise _too_big(len(raw), file)
    return raw


def _regular(st: os.stat_result, file: str) -> None:
    for is_kind, words in _KINDS:
        if is_kind(st.st_mode):
            raise _problem(file, words, "E004")
    if not stat.S_ISREG(st.st_mode):
        raise _problem(file, "这不是普通文件：请指定保存在磁盘上的 .docx / .xlsx 文件", "E004")
    if st.st_size > MAX_FILE_BYTES:
        raise _too_big(st.st_size, file)


def _too_big(size: int, file: str) -> InputError:
    return _problem(
        file,
        f"文件有 {_mb(size)}，超过上限 {MAX_FILE_BYTES // MB} MB（一份填好的表通常不到 1 MB）："
        "请检查是不是选错了文件；表里有大图片时，请在 Word / WPS / Excel 里删去或压缩图片后另存，再导入",
        "E040",
    )


# ---------------------------------------------------------------- 2.–4. the zip and its XML


@dataclass
class Sheet:
    """What a sheet's XML holds, seen once while it was checked."""

    part: str
    rows: set[int] = field(default_factory=set)  # rows holding a value
    last_row: int = 0
    far: tuple[int, str] | None = None  # (column, cell) of the value furthest right
    merges: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)  # (cell, type, value): see _unreadable


@dataclass
class Inspected:
    """A zip checked against every limit: its part names, and the bytes to hand to a reader
    (the file's own, or rebuilt with merged ranges cut to the used range)."""

    data: bytes
    names: list[str]
    mimetype: str = ""
    notes: list[str] = field(default_factory=list)


def inspect_zip(raw: bytes, file: str) -> Inspected:
    """Check a zip (.docx / .xlsx / .ods …) against every limit before it is parsed.

    Raises :class:`zipfile.BadZipFile` for a file that is no zip at all (the caller names it
    damaged), and :class:`InputError` for a limit broken or a part that does not inflate."""
    _count_entries(raw, file)
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        infos = z.infolist()
        _check_entries(infos, file)
        sheets = any(i.filename.lower() == "xl/workbook.xml" for i in infos)  # Excel's: openpyxl reads it
        titles = _sheet_titles(z, file) if sheets else {}
        found: list[Sheet] = []
        mimetype = ""
        for info in infos:
            sheet = _read_part(z, info, file, sheets)
            if sheet is not None and (sheet.rows or sheet.merges):
                found.append(sheet)
            if info.filename == "mimetype" and info.file_size <= 200:
                mimetype = z.read(info).decode("ascii", "replace")
        if sheets:
            _one_relationship_per_part(z, infos, file)
        out = Inspected(raw, [i.filename for i in infos], mimetype)
        cut: dict[str, bytes] = {}
        for sheet in found:
            title = titles.get(sheet.part.lower(), sheet.part)
            xml = _fit_sheet(z, sheet, title, file, out.notes)
            if xml is not None:
                cut[sheet.part] = xml
        if cut:
            out.data = _rebuilt(z, cut)
    return out


def _count_entries(raw: bytes, file: str) -> None:
    """The entry count from the end record, before zipfile builds an object per entry."""
    at = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65_557))
    if at < 0 or at + 22 > len(raw):
        return  # zipfile says what is wrong
    total = struct.unpack("<H", raw[at + 10 : at + 12])[0]
    if total == 0xFFFF and raw.rfind(b"PK\x06\x06", 0, at) >= 0:  # zip64: the count is elsewhere
        z64 = raw.rfind(b"PK\x06\x06", 0, at)
        if z64 + 40 <= len(raw):
            total = struct.unpack("<Q", raw[z64 + 32 : z64 + 40])[0]
    if total > MAX_ENTRIES:
        raise _too_many_entries(total, file)


def _too_many_entries(n: int, file: str) -> InputError:
    return _problem(
        file,
        f"文件里有 {n:,} 个部分，超过上限 {MAX_ENTRIES:,} 个（Word / Excel 文件通常只有几十个）：文件可能是伪造的或已损坏，{_RESEND}",
        "E041",
    )


def _check_entries(infos: list[zipfile.ZipInfo], file: str) -> None:
    if len(infos) > MAX_ENTRIES:
        raise _too_many_entries(len(infos), file)
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        name = info.filename
        # part names are compared without case (the OPC standard), and \ is a / to Windows
        key = name.replace("\\", "/").lstrip("/").casefold()
        if key in seen:
            same = "两个同名的部分" if seen[key] == name else f"两个只差大小写的部分“{seen[key]}”和"
            raise _problem(
                file,
                f"文件里有{same}“{name}”：Word、WPS 和 goaldoc 可能各读其中一个，看到的内容不同，goaldoc 不读这样的文件：{_RESEND}",
                "E041",
            )
        seen[key] = name
        if info.flag_bits & 0x1:
            raise _problem(file, f"文件里的“{name}”设了压缩包密码，Word / Excel 不会这样保存：{_RESEND}", "E041")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _problem(
                file,
                f"文件里的“{name}”用了 Word / Excel 不用的压缩方式（编号 {info.compress_type}），Word 打不开它：{_RESEND}",
                "E041",
            )
        if info.file_size > MAX_PART_BYTES:
            raise _problem(
                file,
                f"文件里的“{name}”解压后有 {_mb(info.file_size)}，超过一个部分的上限 {MAX_PART_BYTES // MB} MB"
                f"（一万行的表约 43 MB）：文件可能是“压缩炸弹”，{_RESEND}",
                "E042",
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _ratio(name, info.compress_size, info.file_size, file)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _problem(
                file,
                f"文件解压后超过 {MAX_TOTAL_BYTES // MB} MB（上限），一份表用不了这么多：文件可能是“压缩炸弹”，{_RESEND}",
                "E042",
            )


def _ratio(name: str, packed: int, size: int, file: str) -> InputError:
    return _problem(
        file,
        f"文件里的“{name}”从 {_mb(packed)} 解压成 {_mb(size)}（{size / max(packed, 1):,.0f} 倍），超过上限 {MAX_RATIO} 倍"
        f"（Word / Excel 的文件通常 10–25 倍）：这是“压缩炸弹”的做法，读它会耗尽内存，{_RESEND}",
        "E042",
    )


def _read_part(z: zipfile.ZipFile, info: zipfile.ZipInfo, file: str, sheets: bool) -> Sheet | None:
    """Inflate one part a chunk at a time (its checksum verified: a header that lies about
    the size is caught here), refusing a DTD and counting XML elements; a sheet's cells and
    merged ranges are noted on the way."""
    name = info.filename
    limit = MAX_ELEMENTS if name.lower() in _CONTENT_PARTS or "/worksheets/" in name.lower() else MAX_OTHER_ELEMENTS
    head = _Head(name, file)
    scan = _SheetScan(name) if sheets else None
    elements = 0
    got = 0
    try:
        with z.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                if got > RATIO_FLOOR and got > MAX_RATIO * max(info.compress_size, 1):
                    raise _ratio(name, info.compress_size, got, file)
                head.feed(chunk)
                if head.xml is False:  # an image: nothing to count or scan
                    scan = None
                    continue
                elements += chunk.count(b"<")
                if elements > limit:
                    raise _problem(
                        file,
                        f"文件里的“{name}”有 {limit:,} 个以上的 XML 元素，超过上限（一万行的表约 170 万个）：{_RESEND}",
                        "E044",
                    )
                if scan is not None:
                    scan.feed(chunk)
            head.feed(None)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _problem(
            file,
            f"文件已损坏：其中的“{name}”解不开（{type(exc).__name__}），Word 也可能打不开它：{_RESEND}",
            "E022",
        ) from None
    return scan.done() if scan is not None and head.xml else None


_SAFE: dict[str, Any] = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


class _Head:
    """The start of a part, fed until its root element shows: refused when a DTD comes
    before it. ``xml`` is None until known, then whether the part is XML at all."""

    def __init__(self, name: str, file: str):
        self.name, self.file = name, file
        self.parser = etree.XMLPullParser(events=("start",), **_SAFE)
        self.xml: bool | None = None

    def feed(self, chunk: bytes | None) -> None:
        if self.xml is not None:
            return
        try:
            if chunk is None:
                self.parser.close()
            else:
                self.parser.feed(chunk)
            events = list(self.parser.read_events())
        except etree.XMLSyntaxError:
            self.xml = False
            return
        if not events:
            if chunk is None:
                self.xml = False
            return
        self.xml = True
        root = events[0][1]
        info = root.getroottree().docinfo
        # an SVG image may carry one (Inkscape's do); nothing reads it as XML
        if (info.doctype or info.internalDTD is not None) and etree.QName(root).localname != "svg":
            raise _problem(
                self.file,
                f"文件里的“{self.name}”带有 DTD（<!DOCTYPE …>）：Word / Excel 从不写它，它能让读文件的程序展开实体、"
                f"读取别的文件，goaldoc 不读这样的文件：{_RESEND}",
                "E043",
            )
        self.parser = None  # type: ignore[assignment]


class _SheetScan:
    """The cells with a value and the merged ranges of a sheet, as openpyxl will read them
    (the main namespace, whatever prefix; a cell without ``r`` follows the one before)."""

    def __init__(self, part: str):
        self.sheet = Sheet(part)
        tags = [f"{{{ns}}}{t}" for ns in _SS_NS for t in ("row", "c", "mergeCell")]
        self.parser = etree.XMLPullParser(events=("start", "end"), tag=tags, **_SAFE)
        self.xml = True
        self.row = 0
        self.col = 0

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.feed(chunk)
        except etree.XMLSyntaxError:
            self.xml = False  # the reader says what is wrong with it
            return
        self._events()

    def done(self) -> Sheet:
        if self.xml:
            try:
                self.parser.close()
            except etree.XMLSyntaxError:
                pass
            self._events()
        return self.sheet

    def _events(self) -> None:
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        s = self.sheet
        for event, el in self.parser.read_events():
            local = el.tag.rsplit("}", 1)[-1]
            if local == "row":
                if event == "start":
                    r = el.get("r")
                    self.row = int(r) if r and r.isdigit() else self.row + 1
                    self.col = 0
                else:
                    el.clear()
                    while el.getprevious() is not None:
                        del el.getparent()[0]
                continue
            if event == "start":
                continue
            if local == "mergeCell":
                s.merges.append(el.get("ref") or "")
                el.clear()
                continue
            ref = el.get("r")
            row, col = self.row, self.col + 1
            if ref:
                try:
                    letters, row = coordinate_from_string(ref)
                    col = column_index_from_string(letters)
                except ValueError:
                    pass
            self.col = col
            if any(ch.tag.rsplit("}", 1)[-1] in ("v", "is") for ch in el):
                kind = el.get("t") or "n"
                if kind in _CAST:
                    v = next((ch for ch in el if ch.tag.rsplit("}", 1)[-1] == "v"), None)  # openpyxl reads the first
                    if v is not None and _unreadable(kind, v.text or ""):
                        s.unreadable.append((ref or f"第 {row} 行第 {col} 列", kind, v.text or ""))
                s.rows.add(row)
                s.last_row = max(s.last_row, row)
                if s.far is None or col > s.far[0]:
                    s.far = (col, ref or f"第 {row} 行第 {col} 列")
            el.clear()


_CAST = ("n", "s", "b")  # the cell types whose value openpyxl casts to a number (a number, a shared string's index, a yes/no)


def _unreadable(kind: str, value: str) -> bool:
    """A cell value openpyxl cannot cast (openpyxl's ``_cast_number``, ``int``): text where a
    number belongs, or a number of more than 4,300 digits, which Python refuses to read — the
    whole file failed as "damaged" without a word of where. (An infinite one, 1e999999, reads
    as inf and is named where it lands; an empty ``<v/>``, a formula's without a cached value,
    is no value: openpyxl casts nothing.)"""
    if not value:
        return False
    text = value.strip()
    try:
        _ = float(text) if kind == "n" and any(c in text for c in ".eE") else int(text)
    except ValueError:
        return True
    return False


def _unreadable_cells(sheet: Sheet, where: str, file: str) -> InputError:
    """Every cell of the sheet whose value no spreadsheet writes (:func:`_unreadable`), named."""
    kinds = {"n": "数字", "s": "共享文字的序号", "b": "是/否"}
    shown = []
    for cell, kind, value in sheet.unreadable[:10]:
        text = value.strip()
        text = f"{text[:12]}…（共 {len(text):,} 个字符）" if len(text) > 20 else (text or "（空）")
        shown.append(f"{cell}（应为{kinds[kind]}，存的是“{text}”）")
    more = f" 等 {len(sheet.unreadable)} 格" if len(sheet.unreadable) > 10 else ""
    return _problem(
        file,
        f"{where}的 {'、'.join(shown)}{more}：这样的值 Excel / WPS 写不出来，文件可能被别的程序改过，goaldoc 读不了：{_RESEND}"
        "（或在 Excel / WPS 里改正这几格）",
        "E022",
    )


def _sheet_titles(z: zipfile.ZipFile, file: str) -> dict[str, str]:
    """{part name (lower case): sheet title} from the workbook, for messages; two sheets on
    one part are refused (E041)."""
    names = {n.lower(): n for n in z.namelist()}
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    try:
        rels = _small_xml(z, names["xl/_rels/workbook.xml.rels"])
        book = _small_xml(z, names["xl/workbook.xml"])
    except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, OSError, ValueError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
        targets[rel.get("Id")] = os.path.normpath(path).replace("\\", "/").lower()
    out: dict[str, str] = {}
    for el in book.iter():
        if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "sheet":
            rid = el.get(f"{{{_REL_NS}}}id")
            if rid in targets:
                if targets[rid] in out:  # openpyxl would read the part once per sheet
                    raise _one_part_twice(out[targets[rid]], el.get("name") or "", targets[rid], file)
                out[targets[rid]] = el.get("name") or ""
    return out


def _one_relationship_per_part(z: zipfile.ZipFile, infos: list[zipfile.ZipInfo], file: str) -> None:
    """The workbook's and its sheets' relationships (.rels) name each part of the file once:
    openpyxl reads a part anew for each relationship to it (a 309 KB .xlsx whose sheet named
    one comments part 100,000 times kept it busy for minutes). Links out of the file (a
    hyperlink to one web page from two cells) may repeat; a drawing may name one picture
    twice (openpyxl reads pictures per anchor, not per relationship)."""
    for info in infos:
        name = info.filename
        low = name.lower()
        if not (low == "xl/_rels/workbook.xml.rels" or (low.startswith(("xl/worksheets/_rels/", "xl/chartsheets/_rels/")) and low.endswith(".rels"))):
            continue
        try:
            root = etree.fromstring(z.read(info), etree.XMLParser(**_SAFE))
        except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, OSError, ValueError):
            continue  # the reader says what is wrong with it
        base = PurePosixPath(name).parent.parent  # xl/worksheets/_rels/sheet1.xml.rels: xl/worksheets
        seen: set[str] = set()
        for rel in root:
            target = rel.get("Target") or ""
            if not isinstance(rel.tag, str) or not target or (rel.get("TargetMode") or "").lower() == "external":
                continue
            path = target.lstrip("/") if target.startswith("/") else str(base / target)
            key = os.path.normpath(path).replace("\\", "/").lower()
            if key in seen:
                raise _problem(
                    file,
                    f"文件里的“{name}”把同一个部分“{target[:80]}”关联了不止一次（Excel 每个部分只关联一次）："
                    f"读它要把同一个部分读许多遍，文件可能是伪造的，{_RESEND}",
                    "E041",
                )
            seen.add(key)


def _one_part_twice(first: str, second: str, part: str, file: str) -> InputError:
    """A 125 KB workbook naming its one big sheet 20,000 times kept openpyxl reading it for
    minutes (each <sheet> is read anew); Excel gives each sheet a part of its own."""
    return _problem(
        file,
        f"工作簿里的工作表“{first[:40]}”和“{second[:40]}”指向同一个部分“{part}”（Excel 每张工作表各有自己的部分）："
        f"读它要把同一张表读许多遍，文件可能是伪造的，{_RESEND}",
        "E041",
    )


def _small_xml(z: zipfile.ZipFile, name: str) -> Any:
    info = z.getinfo(name)
    if info.file_size > 4 * MB:
        raise ValueError("too big for a workbook's index")
    return etree.fromstring(z.read(info), etree.XMLParser(**_SAFE))


def _fit_sheet(z: zipfile.ZipFile, sheet: Sheet, title: str, file: str, notes: list[str]) -> bytes | None:
    """Refuse what a sheet holds beyond the limits; its XML with merged ranges cut to the
    used range when one reaches far beyond it (else None: the sheet is read as it is)."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    where = f"工作表“{title}”"
    if sheet.unreadable:
        raise _unreadable_cells(sheet, where, file)
    if sheet.far is not None and sheet.far[0] > MAX_COLUMNS:
        raise _problem(
            file,
            f"{where}的 {sheet.far[1]} 有内容，超出 goaldoc 读的范围（最多 {MAX_COLUMNS} 列，到 "
            f"{get_column_letter(MAX_COLUMNS)} 列为止）：请删去表格以外的内容后另存，再导入",
            "E045",
        )
    if len(sheet.rows) > MAX_ITEMS:
        raise _too_many_rows(len(sheet.rows), file, where)
    if len(sheet.merges) > MAX_MERGES:
        raise _problem(
            file,
            f"{where}有 {len(sheet.merges):,} 个合并区域，超过上限 {MAX_MERGES:,} 个（一万行的表约 1.3 万个）：{_RESEND}",
            "E045",
        )
    last = sheet.last_row
    cells = 0
    changed: dict[str, str | None] = {}
    for ref in sheet.merges:
        try:
            lo_c, lo_r, hi_c, hi_r = range_boundaries(ref)
        except (ValueError, TypeError):
            continue  # openpyxl says what is wrong with it
        lo_r, lo_c = lo_r or 1, lo_c or 1
        hi_r = hi_r or 1_048_576
        hi_c = hi_c or 16_384
        # far beyond the text (1,000 rows, the columns read): cut to the used range
        if hi_r > last + 1000 or hi_c > MAX_COLUMNS:
            new_r, new_c = min(hi_r, last), min(hi_c, MAX_COLUMNS)
            if lo_r > new_r or lo_c > new_c or (lo_r, lo_c) == (new_r, new_c):
                changed[ref] = None
                notes.append(f"{where}的合并区域 {ref} 在表格内容（到第 {last} 行）以外，没有读")
                continue
            cut = f"{get_column_letter(lo_c)}{lo_r}:{get_column_letter(new_c)}{new_r}"
            changed[ref] = cut
            notes.append(f"{where}的合并区域 {ref} 远超出表格内容（到第 {last} 行），只按 {cut} 读")
            hi_r, hi_c = new_r, new_c
        cells += (hi_r - lo_r + 1) * (hi_c - lo_c + 1)
    if cells > MAX_MERGED_CELLS:
        raise _problem(
            file,
            f"{where}的合并区域共有 {cells:,} 格（表格内容以内），超过上限 {MAX_MERGED_CELLS:,} 格：{_RESEND}",
            "E045",
        )
    if not changed:
        return None
    root = etree.fromstring(z.read(sheet.part), etree.XMLParser(**_SAFE))
    for el in list(root.iter(*(f"{{{ns}}}mergeCell" for ns in _SS_NS))):
        ref = el.get("ref") or ""
        if ref in changed:
            new = changed[ref]
            if new is None:
                el.getparent().remove(el)
            else:
                el.set("ref", new)
    for el in root.iter(*(f"{{{ns}}}mergeCells" for ns in _SS_NS)):
        el.set("count", str(len(el)))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _rebuilt(z: zipfile.ZipFile, replace: dict[str, bytes]) -> bytes:
    """The zip again, with some parts replaced (stored: it is read once, here)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as w:
        for info in z.infolist():
            w.writestr(info.filename, replace.get(info.filename, b"") or z.read(info))
    return out.getvalue()


def _too_many_rows(n: int, file: str, where: str = "表格") -> InputError:
    return _problem(
        file,
        f"{where}共有 {n:,} 行内容，超过上限 {MAX_ITEMS:,} 行（一份绩效目标表通常几十到几千行）："
        "请检查是不是多出了大量重复或无用的行，删去后另存，再导入",
        "E046",
    )


# ---------------------------------------------------------------- 5. what was read


def check_read(items: list[Any], file: str) -> None:
    """At most :data:`MAX_ITEMS` rows and paragraphs, :data:`MAX_COLUMNS` cells in a row:
    what the matching of rows to the form's pattern can go through in seconds."""
    if len(items) > MAX_ITEMS:
        raise _too_many_rows(len(items), file, "文件里的表格和段落")
    for item in items:
        if len(item.cells) > MAX_COLUMNS:
            raise _problem(
                file,
                f"{item.place} 有 {len(item.cells):,} 格，超过一行的上限 {MAX_COLUMNS} 格（Word 的表格最多 63 列）：{_RESEND}",
                "E046",
            )


# ---------------------------------------------------------------- the hooks read_xlsx.py uses


def sheet_rows(ws: Any, also: Iterable[tuple[int, int]] = ()) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column: cell}) of the rows of ``ws`` that hold a value, in order: a row
    without one reads as nothing, and walking every row up to the last one (a value at row
    1,048,576) made openpyxl create every cell on the way. ``also``: (row, column) of cells
    read though they hold no value (a formula saved without its result: read_xlsx works it
    out or names it)."""
    rows: dict[int, dict[int, Any]] = {}
    for (r, c), cell in ws._cells.items():  # openpyxl's own {(row, column): cell}
        if cell.value is not None:
            rows.setdefault(r, {})[c] = cell
    for r, c in also:
        rows.setdefault(r, {})[c] = ws.cell(r, c)
    for r in sorted(rows):
        yield r, rows[r]


def sheet_columns(ws: Any) -> int:
    """The columns a row of ``ws`` is read across: formatted empty cells far to the right
    (a border drawn to column XFD) are not walked beyond :data:`MAX_COLUMNS`."""
    return min(ws.max_column, MAX_COLUMNS)


def parser() -> etree.XMLParser:
    """lxml's parser for a received part: no DTD, no entities, no network, no huge tree."""
    return etree.XMLParser(**_SAFE)


__all__ = ["MAX_COLUMNS", "MAX_FILE_BYTES", "MAX_ITEMS", "Inspected", "check_read", "inspect_zip", "parser", "read_file", "sheet_columns", "sheet_rows"]
