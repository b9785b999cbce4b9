"""What kind of file a clerk sent, and reading it.

By its bytes, not its name: a .doc renamed .docx is still a .doc. Word and Excel files
are read directly; older or other formats (.doc, .xls, .wps, .et, .rtf, .odt, .ods) are
converted by LibreOffice first when it is installed (and the import says so), else the
message says how to save them as .docx / .xlsx. An encrypted file (Office keeps it in an
OLE container with an ``EncryptionInfo`` stream) and a damaged one each get a message of
their own. Every file is read inside limits, checked before it is parsed (limits.py).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from ..errors import InputError, Problem
from . import limits
from .document import Document
from .read_docx import read_docx
from .read_xlsx import read_xlsx

FILLED_SUFFIXES = (".docx", ".docm", ".xlsx", ".xlsm", ".doc", ".xls", ".wps", ".et", ".rtf", ".odt", ".ods")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_SHEETS = (".xls", ".et", ".ods", ".xlsx", ".xlsm")
CONVERT_TIMEOUT = 120.0  # seconds, as render's --pdf-timeout; `import --convert-timeout` sets it


def _fail(path: Path, message: str, code: str) -> InputError:
    return InputError([Problem(message, (), str(path), code=code)])


def read_document(path: str | Path) -> Document:
    p = Path(path)
    raw = limits.read_file(p)  # a regular file, not too big (E004, E040)
    inspected = None
    if raw.startswith(b"PK"):
        try:
            inspected = limits.inspect_zip(raw, str(p))  # every limit, before any parser (E022, E041–E045)
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
            kind = "damaged"
        else:
            kind = _zip_kind(inspected.names, inspected.mimetype)
    else:
        kind = sniff(raw, p.suffix.lower())
    if kind in ("docx", "xlsx") and inspected is not None:
        doc = _read(inspected.data, p, kind)
        doc.notes += inspected.notes
        return doc
    if kind == "encrypted":
        raise _fail(
            p,
            "文件设了打开密码（已加密），goaldoc 读不了：请在 Word / WPS / Excel 里打开它，去掉密码"
            "（文件 → 信息 → 保护文档 → 用密码进行加密，清空）后保存，再导入",
            "E021",
        )
    if kind == "damaged":
        raise _fail(p, "文件已损坏，或不是 Word / Excel 文件：请用 Word / WPS 打开它，另存为 .docx 或 .xlsx 后再导入", "E022")
    return _convert(p, "xlsx" if kind == "old-sheet" else "docx")


def sniff(raw: bytes, suffix: str) -> str:
    """docx / xlsx / old-doc / old-sheet / encrypted / damaged."""
    if raw.startswith(_OLE):
        if _ENCRYPTED in raw:
            return "encrypted"
        return "old-sheet" if suffix in _SHEETS else "old-doc"
    if raw.startswith(b"{\\rtf"):
        return "old-doc"
    if raw.startswith(b"PK"):
        try:
            inspected = limits.inspect_zip(raw, "")
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
            return "damaged"
        return _zip_kind(inspected.names, inspected.mimetype)
    return "damaged"


def _zip_kind(names: list[str], mimetype: str) -> str:
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "opendocument.spreadsheet" in mimetype:
        return "old-sheet"
    if "opendocument.text" in mimetype:
        return "old-doc"
    return "damaged"


def _read(raw: bytes, p: Path, kind: str) -> Document:
    try:
        doc = read_docx(raw, str(p)) if kind == "docx" else read_xlsx(raw, str(p))
    except InputError:
        raise
    except etree.XMLSyntaxError as exc:
        if "depth" not in str(exc).lower():
            raise _fail(p, f"文件已损坏，读不出表格（{type(exc).__name__}）：请用 Word / WPS / Excel 打开它，另存后再导入", "E022") from None
        raise _fail(  # lxml without huge_tree stops at 256 levels; Word's documents nest a dozen
            p, "文件里的 XML 嵌套超过 256 层（Word / Excel 的文件只有十几层）：文件可能是伪造的，请让发来的单位用 Word / WPS / Excel 打开它、另存后重新发送", "E044"
        ) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl meets a damaged part with any exception (IndexError, TypeError …)
        raise _fail(p, f"文件已损坏，读不出表格（{type(exc).__name__}）：请用 Word / WPS / Excel 打开它，另存后再导入", "E022") from None
    limits.check_read(doc.items, str(p))  # rows and cells the matching can go through (E046)
    return doc


def soffice() -> str | None:
    """LibreOffice's command, found as render finds it ($GOALDOC_SOFFICE first: pdf.py)."""
    from ..pdf import find_soffice

    return find_soffice()


def _convert(p: Path, fmt: str) -> Document:
    """Through LibreOffice as render makes its PDFs (pdf.convert_one): its own process group
    and profile, stopped after :data:`CONVERT_TIMEOUT` seconds, never outliving goaldoc."""
    from ..pdf import convert_one

    what = "Excel 表格" if fmt == "xlsx" else "Word 文档"
    exe = soffice()
    if exe is None:
        raise _fail(
            p,
            f"{p.suffix or '这种'} 是旧版或其他软件的格式，goaldoc 只读 .{fmt}：请在 Word / WPS / Excel 里打开它，"
            f"“另存为” .{fmt}（{what}）后再导入（装了 LibreOffice 时 goaldoc 会自动转换）",
            "E023",
        )
    raw, stuck = convert_one(p, fmt, CONVERT_TIMEOUT, exe)
    if stuck:
        raise _fail(
            p,
            f"用 LibreOffice 把它转成 .{fmt} 超过 {CONVERT_TIMEOUT:g} 秒仍未完成，已停止：请在 Word / WPS / Excel 里打开它，"
            f"另存为 .{fmt} 后再导入（文件确实很大时可用 --convert-timeout 放宽时限）",
            "E047",
        )
    if raw is None:
        raise _fail(p, f"用 LibreOffice 把它转成 .{fmt} 没有成功（文件可能已损坏）：请在 Word / WPS / Excel 里打开它，另存为 .{fmt} 后再导入", "E024")
    try:
        inspected = limits.inspect_zip(raw, str(p))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        raise _fail(p, f"用 LibreOffice 把它转成 .{fmt} 没有成功（文件可能已损坏）：请在 Word / WPS / Excel 里打开它，另存为 .{fmt} 后再导入", "E024") from None
    doc = _read(inspected.data, p, fmt)
    doc.notes += inspected.notes
    doc.notes.append(f"已用 LibreOffice 把 {p.name} 转成 .{fmt} 再读：请核对转换后的文字（尤其是合并单元格）")
    return doc
