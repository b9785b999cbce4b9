"""Office files a sender could craft against `goaldoc import` / `goaldoc check` (issue 18),
built in the test from a sample as goaldoc renders it: nothing big is committed.

A zip is rebuilt entry by entry (``rezip``), so a test can replace a part, add one twice,
change how it is compressed or what its headers declare; ``bomb_entry`` is a deflate stream
that inflates to a GiB from a MiB, made by repeating one flushed block (no GiB is ever held).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from goaldoc.api import load, render_bytes

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TAISHAN = SAMPLES / "2024" / "taishan.yaml"

_RENDERED: dict[tuple[str, str], bytes] = {}


def rendered(fmt: str, sample: Path = TAISHAN) -> bytes:
    key = (str(sample), fmt)
    if key not in _RENDERED:
        _RENDERED[key] = render_bytes(load(sample), [fmt])[fmt][1]
    return _RENDERED[key]


@dataclass
class Entry:
    name: str
    data: bytes  # as stored (compressed when method is 8)
    method: int = zipfile.ZIP_DEFLATED
    crc: int = 0
    size: int = 0  # what the headers declare the part inflates to
    flags: int = 0

    @classmethod
    def of(cls, name: str, plain: bytes, method: int = zipfile.ZIP_DEFLATED) -> Entry:
        if method == zipfile.ZIP_DEFLATED:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            stored = c.compress(plain) + c.flush()
        elif method == zipfile.ZIP_BZIP2:
            import bz2

            stored = bz2.compress(plain)
        else:
            stored = plain
        return cls(name, stored, method, zlib.crc32(plain), len(plain))


def entries(data: bytes) -> list[Entry]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [Entry.of(i.filename, z.read(i)) for i in z.infolist()]


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name)


def rezip(items: list[Entry]) -> bytes:
    """A zip of exactly these entries, headers as given (duplicates and lies included)."""
    out = io.BytesIO()
    central = []
    for e in items:
        name = e.name.encode("utf-8")
        offset = out.tell()
        version = 46 if e.method == zipfile.ZIP_BZIP2 else 20
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", version, e.flags | 0x800, e.method, 0, 0x21, e.crc, len(e.data), e.size, len(name), 0))
        out.write(name + e.data)
        central.append(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", version, version, e.flags | 0x800, e.method, 0, 0x21, e.crc, len(e.data), e.size, len(name), 0, 0, 0, 0, 0, offset)
            + name
        )
    start = out.tell()
    for c in central:
        out.write(c)
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def replaced(data: bytes, name: str, plain: bytes) -> bytes:
    return rezip([Entry.of(e.name, plain) if e.name == name else e for e in entries(data)])


def bomb_entry(name: str, head: bytes, mib: int = 1024, declared: int | None = None, crc: bool = False) -> Entry:
    """``head`` then ``mib`` MiB of spaces, deflated to about a KiB per MiB. The CRC is
    computed only when asked (a reader refusing the part never gets that far); ``declared``
    is the size the headers give (default: the true one)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b" " * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    stream = first + block * mib + b"\x03\x00"  # an empty final block ends the stream
    size = len(head) + mib * (1 << 20)
    check = 0
    if crc:
        check = zlib.crc32(head)
        spaces = b" " * (1 << 20)
        for _ in range(mib):
            check = zlib.crc32(spaces, check)
    return Entry(name, stream, zipfile.ZIP_DEFLATED, check, size if declared is None else declared)


def first_sheet(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[0]


def with_sheet_xml(data: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    """The workbook with its first sheet's XML text passed through ``edit``."""
    name = first_sheet(data)
    return replaced(data, name, edit(part(data, name).decode("utf-8")).encode("utf-8"))


def add_rows(xml: str, rows: str) -> str:
    return xml.replace("</sheetData>", rows + "</sheetData>") if "</sheetData>" in xml else xml.replace("<sheetData/>", f"<sheetData>{rows}</sheetData>")


def add_merge(xml: str, ref: str) -> str:
    if "<mergeCells" in xml:
        return re.sub(r"<mergeCells count=\"(\d+)\">", lambda m: f'<mergeCells count="{int(m[1]) + 1}"><mergeCell ref="{ref}"/>', xml)
    return xml.replace("</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>')


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def with_doctype(xml: bytes, root: str) -> bytes:
    """An internal DTD with an entity, used in the first text of the part."""
    text = xml.decode("utf-8")
    decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    text = text.replace(decl, "", 1).lstrip()
    dtd = f'<!DOCTYPE {root} [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    text = re.sub(r"<(\w+:)?t( [^>]*)?>", lambda m: m[0] + "&lol2;", text, count=1)
    return (decl + dtd + text).encode("utf-8")


def resaved(data: bytes) -> bytes:
    """The workbook with its text in xl/sharedStrings.xml, as Excel keeps it (goaldoc and
    openpyxl write inline strings)."""
    items = entries(data)
    strings: list[str] = []

    def shared(m: re.Match[str]) -> str:
        strings.append(m[2])
        return f'{m[1]} t="s"><v>{len(strings) - 1}</v></c>'

    out = []
    for e in items:
        plain = part(data, e.name)
        if e.name.startswith("xl/worksheets/"):
            text = re.sub(r'(<c [^>]*?) t="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is></c>', shared, plain.decode("utf-8"))
            plain = text.encode("utf-8")
        elif e.name == "[Content_Types].xml":
            plain = plain.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        elif e.name == "xl/_rels/workbook.xml.rels":
            plain = plain.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        out.append(Entry.of(e.name, plain))
    sst = "".join(f"<si><t>{t}</t></si>" for t in strings)
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>'
    out.append(Entry.of("xl/sharedStrings.xml", xml.encode("utf-8")))
    return rezip(out)
