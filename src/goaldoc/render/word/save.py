"""A rendered document's bytes: python-docx's package writer (OpcPackage.save), but the parts
no render changes are serialised and compressed once per process.

Each render shares the template's styles, numbering, settings, fonts, theme and pictures
with the parsed template the process keeps (render/word/document.py, ``_parsed``), and never
changes them. python-docx serialised and deflated all of them again for every file: a
sample template's styles.xml (350 KB) and stylesWithEffects.xml (438 KB) took more time to
write than the form itself (issue 23: a county round's departments are small forms). Here a
shared part's entry — its deflated bytes, CRC and size — is made at its first save and
written as it is into the next files' zip.

The entry is exactly what :meth:`zipfile.ZipFile.writestr` writes (same compressor, same
header); writing deflated bytes as they are uses ``zipfile``'s own steps for a member. Before
the first use a probe writes a member both ways and compares the bytes: where a Python's
``zipfile`` differs, every part is written by ``writestr`` as python-docx writes it.
"""

from __future__ import annotations

import io
import time
import weakref
import zipfile
import zlib
from collections.abc import Collection, Sequence
from typing import Any

from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem

_Entry = tuple[int, int, bytes]  # CRC, size, deflated bytes
_ENTRIES: weakref.WeakKeyDictionary[Any, _Entry] = weakref.WeakKeyDictionary()  # per shared part
_raw_ok: bool | None = None  # the probe's answer, once per process


def save(document: Any, kept: Collection[Any] = ()) -> bytes:
    """The .docx bytes of a python-docx ``document``, as ``document.save`` writes them;
    ``kept``: its parts no render changes (their entries are made once per process)."""
    package = document.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    raw = bool(kept) and _raw_writes_as_writestr()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(CONTENT_TYPES_URI.membername, _ContentTypesItem.from_parts(parts).blob)
        zf.writestr(PACKAGE_URI.rels_uri.membername, package.rels.xml)
        for part in parts:
            if raw and part in kept:
                entry = _ENTRIES.get(part)
                if entry is None:
                    entry = _ENTRIES[part] = _deflated(part.blob)
                _write_deflated(zf, part.partname.membername, entry)
            else:
                zf.writestr(part.partname.membername, part.blob)
            if len(part.rels):
                zf.writestr(part.partname.rels_uri.membername, part.rels.xml)
    return buf.getvalue()


def _deflated(data: bytes) -> _Entry:
    """What ``writestr`` compresses ``data`` to in a ZIP_DEFLATED archive (zipfile's
    compressor: the default level, a raw deflate stream)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush()


def _write_deflated(zf: zipfile.ZipFile, name: str, entry: _Entry, date_time: Sequence[int] | None = None) -> None:
    """A member of deflated bytes written as ``writestr(name, data)`` writes it: the same
    ZipInfo, header and place (ZipFile._open_to_write and _ZipWriteFile.close, at once)."""
    crc, size, deflated = entry
    zinfo = zipfile.ZipInfo(filename=name, date_time=tuple(date_time or time.localtime(time.time())[:6]))  # type: ignore[arg-type]
    zinfo.compress_type = zf.compression
    zinfo._compresslevel = zf.compresslevel  # type: ignore[attr-defined]
    zinfo.external_attr = 0o600 << 16
    zinfo.file_size = size
    zinfo.flag_bits = 0x00
    zinfo.CRC = crc
    zinfo.compress_size = len(deflated)
    zip64 = zf._allowZip64 and zinfo.file_size * 1.05 > zipfile.ZIP64_LIMIT  # type: ignore[attr-defined]
    fp = zf.fp
    assert fp is not None
    fp.seek(zf.start_dir)  # type: ignore[attr-defined]
    zinfo.header_offset = fp.tell()
    zf._writecheck(zinfo)  # type: ignore[attr-defined]
    zf._didModify = True  # type: ignore[attr-defined]
    fp.write(zinfo.FileHeader(zip64))
    fp.write(deflated)
    zf.start_dir = fp.tell()  # type: ignore[attr-defined]
    zf.filelist.append(zinfo)
    zf.NameToInfo[zinfo.filename] = zinfo


def _raw_writes_as_writestr() -> bool:
    """Whether :func:`_write_deflated` writes the bytes ``writestr`` writes, on this Python."""
    global _raw_ok
    if _raw_ok is None:
        _raw_ok = _probe()
    return _raw_ok


def _probe() -> bool:
    when = (2024, 1, 2, 3, 4, 6)
    data = ("<w:styles>" + "样式" * 500 + "</w:styles>").encode()

    def archive(raw: bool) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(zipfile.ZipInfo("a.xml", when), b"<a/>")
            if raw:
                _write_deflated(zf, "word/styles.xml", _deflated(data), when)
            else:
                info = zipfile.ZipInfo("word/styles.xml", when)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o600 << 16
                zf.writestr(info, data)
            zf.writestr(zipfile.ZipInfo("b.xml", when), b"<b/>")
        return buf.getvalue()

    try:
        return archive(raw=True) == archive(raw=False)
    except Exception:  # noqa: BLE001 - a zipfile without these steps: python-docx's way
        return False
