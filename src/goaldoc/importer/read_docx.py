"""A filled Word file → :class:`~goaldoc.importer.document.Document`.

Read straight from ``word/document.xml`` with lxml (python-docx's ``Table.cell`` grid hides
how a file merges, and is slow on long tables). What Word, WPS and LibreOffice write is all
taken: ``gridSpan`` and ``gridBefore``, ``vMerge`` restart / continue, the legacy
``hMerge``, content controls (``w:sdt``) around paragraphs, rows or cells, soft line breaks
and tabs inside a paragraph, tracked insertions (deleted text is not read).
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from .document import Cell, Document, Item
from .limits import parser

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT = _q("p"), _q("tbl"), _q("tr"), _q("tc"), _q("sdt"), _q("sdtContent")
_T, _TAB, _BR, _CR = _q("t"), _q("tab"), _q("br"), _q("cr")
# goaldoc's own page breaks (render/word/pages.py): a table split where a page starts has
# its heading rows printed again (bookmark _GoaldocRepeat) and its cut labels merged again
# (_GoaldocLabel) in the part after the break; the reader joins the parts back
REPEAT_MARK, LABEL_MARK = "_GoaldocRepeat", "_GoaldocLabel"
_BOOKMARK, _NAME = _q("bookmarkStart"), _q("name")


def _marked(el: etree._Element, prefix: str) -> bool:
    return any((b.get(_NAME) or "").startswith(prefix) for b in el.iter(_BOOKMARK))
_VAL = _q("val")


def paragraph_text(p: etree._Element) -> str:
    out = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        if el.tag == _T:
            out.append(el.text or "")
        elif el.tag == _TAB:
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _children(el: etree._Element, tag: str) -> list[etree._Element]:
    """Direct children ``tag`` of ``el``, looking through content controls."""
    out = []
    for ch in el:
        if ch.tag == tag:
            out.append(ch)
        elif ch.tag == SDT:
            content = ch.find(SDT_CONTENT)
            if content is not None:
                out += _children(content, tag)
    return out


def cell_text(tc: etree._Element) -> str:
    return "\n".join(paragraph_text(p) for p in tc.iter(P)).strip("\n")


def _int(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(_VAL, default))
    except ValueError:
        return default


def body_of(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"), parser())  # no DTD, entities, network or huge tree
    body = root.find(_q("body"))
    if body is None:
        raise ValueError("word/document.xml has no body")
    return body


def read_docx(data: bytes, file: str) -> Document:
    doc = Document(file, "docx")
    counters = {"p": 0, "tbl": 0}
    _walk(body_of(data), doc, counters)
    doc.number()
    return doc


def _walk(parent: etree._Element, doc: Document, counters: dict[str, int]) -> None:
    for el in parent:
        if el.tag == SDT:
            content = el.find(SDT_CONTENT)
            if content is not None:
                _walk(content, doc, counters)
        elif el.tag == P:
            counters["p"] += 1
            text = paragraph_text(el)
            if text.strip():
                place = f"第 {counters['p']} 段"
                doc.items.append(Item("para", [Cell(0, 1, text.strip(), place)], place))
        elif el.tag == TBL:
            counters["tbl"] += 1
            rows = _children(el, TR)
            part = bool(rows) and (_marked(rows[0], REPEAT_MARK) or _marked(rows[0], LABEL_MARK))
            group = counters.get("group", counters["tbl"]) if part else counters["tbl"]
            counters["group"] = group
            _table(el, counters["tbl"], doc, group)


def _open_cell(doc: Document, group: int, col: int) -> Cell | None:
    """The cell a merge at ``col`` runs down from, in the rows read so far of ``group``."""
    for item in reversed(doc.items):
        if item.kind != "row" or item.group != group:
            return None
        cell = next((c for c in item.cells if c.col == col), None)
        if cell is None:
            return None
        if not cell.continued:
            return cell
    return None


def _table(tbl: etree._Element, number: int, doc: Document, group: int) -> None:
    for r, tr in enumerate(_children(tbl, TR), start=1):
        if _marked(tr, REPEAT_MARK):
            continue  # a heading row printed again after a page break
        trpr = tr.find(_q("trPr"))
        col = _int(trpr.find(_q("gridBefore")) if trpr is not None else None, 0)
        cells: list[Cell] = []
        for c, tc in enumerate(_children(tr, TC), start=1):
            pr = tc.find(_q("tcPr"))
            span = _int(pr.find(_q("gridSpan")) if pr is not None else None, 1)
            vmerge = pr.find(_q("vMerge")) if pr is not None else None
            hmerge = pr.find(_q("hMerge")) if pr is not None else None
            place = f"第 {number} 个表格 第 {r} 行 第 {c} 列"
            if hmerge is not None and hmerge.get(_VAL, "continue") == "continue" and cells:
                cells[-1].span += span  # legacy horizontal merge: part of the cell on its left
                col += span
                continue
            continued = vmerge is not None and vmerge.get(_VAL, "continue") == "continue"
            if not continued and _marked(tc, LABEL_MARK):  # a label merged again after a break
                above = _open_cell(doc, group, col)
                rest = cell_text(tc)
                if above is not None:
                    if rest and rest != above.text:  # a long label: the rest of its text
                        above.text += rest
                        above.__dict__.pop("norm", None)
                    continued = True
            cells.append(Cell(col, max(span, 1), "" if continued else cell_text(tc), place, continued))
            col += max(span, 1)
        doc.items.append(Item("row", cells, f"第 {number} 个表格 第 {r} 行", group=group))
