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
from dataclasses import dataclass

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


_R, _RPR, _PPR, _VANISH, _RSTYLE, _PSTYLE = _q("r"), _q("rPr"), _q("pPr"), _q("vanish"), _q("rStyle"), _q("pStyle")
_OFF = ("0", "false", "off")


@dataclass(frozen=True)
class Hidden:
    """What Word hides (issue 17 item 1): the styles whose font is 隐藏 (``w:vanish``),
    through the styles they are based on. A run is hidden by its own ``w:vanish``, else by
    its character style, else by its paragraph's style."""

    styles: frozenset[str] = frozenset()

    def paragraph(self, p: etree._Element) -> bool:
        ppr = p.find(_PPR)
        ps = ppr.find(_PSTYLE) if ppr is not None else None
        return ps is not None and ps.get(_VAL, "") in self.styles

    def run(self, r: etree._Element, in_hidden_paragraph: bool) -> bool:
        rpr = r.find(_RPR)
        if rpr is not None:
            v = rpr.find(_VANISH)
            if v is not None:
                return v.get(_VAL, "true").lower() not in _OFF
            rs = rpr.find(_RSTYLE)
            if rs is not None and rs.get(_VAL, "") in self.styles:
                return True
        return in_hidden_paragraph


def hidden_styles(styles_xml: bytes | None) -> Hidden:
    if not styles_xml:
        return Hidden()
    root = etree.fromstring(styles_xml, etree.XMLParser(huge_tree=True, resolve_entities=False))
    own: dict[str, bool | None] = {}
    based: dict[str, str] = {}
    for st in root.iter(_q("style")):
        sid = st.get(_q("styleId"), "")
        rpr = st.find(_RPR)
        v = rpr.find(_VANISH) if rpr is not None else None
        own[sid] = None if v is None else v.get(_VAL, "true").lower() not in _OFF
        b = st.find(_q("basedOn"))
        if b is not None:
            based[sid] = b.get(_VAL, "")
    out = set()
    for sid in own:
        seen, cur = set(), sid
        while cur in own and cur not in seen:
            seen.add(cur)
            if own[cur] is not None:
                if own[cur]:
                    out.add(sid)
                break
            cur = based.get(cur, "")
    return Hidden(frozenset(out))


def paragraph_text(p: etree._Element, hidden: Hidden | None = None) -> str:
    if hidden is not None:
        in_hidden = hidden.paragraph(p)
        parts = []
        for r in p.iter(_R):
            if hidden.run(r, in_hidden):
                continue
            parts.append(_piece_text(x) for x in r if x.tag in (_T, _TAB, _BR, _CR))
        return "".join("".join(x) for x in parts)
    return _run_text(p)


def _piece_text(el: etree._Element) -> str:
    return (el.text or "") if el.tag == _T else ("\t" if el.tag == _TAB else "\n")


def _run_text(p: etree._Element) -> str:
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


def cell_text(tc: etree._Element, hidden: Hidden | None = None) -> str:
    return "\n".join(t for p in tc.iter(P) if (t := paragraph_text(p, hidden)) or not _all_hidden(p, hidden)).strip("\n")


def _all_hidden(p: etree._Element, hidden: Hidden | None) -> bool:
    """A paragraph whose every run is hidden (and that has runs) is not shown at all."""
    if hidden is None:
        return False
    runs = list(p.iter(_R))
    in_hidden = hidden.paragraph(p)
    return bool(runs) and all(hidden.run(r, in_hidden) for r in runs)


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
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("word/styles.xml") if "word/styles.xml" in z.namelist() else None
    _walk(body_of(data), doc, counters, hidden_styles(styles))
    doc.number()
    return doc


def _walk(parent: etree._Element, doc: Document, counters: dict[str, int], hidden: Hidden) -> None:
    for el in parent:
        if el.tag == SDT:
            content = el.find(SDT_CONTENT)
            if content is not None:
                _walk(content, doc, counters, hidden)
        elif el.tag == P:
            counters["p"] += 1
            text = paragraph_text(el, hidden)
            if text.strip():
                place = f"第 {counters['p']} 段"
                doc.items.append(Item("para", [Cell(0, 1, text.strip(), place)], place))
        elif el.tag == TBL:
            counters["tbl"] += 1
            rows = _children(el, TR)
            part = bool(rows) and (_marked(rows[0], REPEAT_MARK) or _marked(rows[0], LABEL_MARK))
            group = counters.get("group", counters["tbl"]) if part else counters["tbl"]
            counters["group"] = group
            _table(el, counters["tbl"], doc, group, hidden)


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


def _table(tbl: etree._Element, number: int, doc: Document, group: int, hidden: Hidden) -> None:
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
                rest = cell_text(tc, hidden)
                if above is not None:
                    # a long label: the rest of its text (its opening again, ending in …, is a
                    # reminder whose row this is: issue 20)
                    if rest and rest != above.text and not (rest.endswith("…") and above.text.startswith(rest[:-1])):
                        above.text += rest
                        above.__dict__.pop("norm", None)
                    continued = True
            cells.append(Cell(col, max(span, 1), "" if continued else cell_text(tc, hidden), place, continued))
            col += max(span, 1)
        doc.items.append(Item("row", cells, f"第 {number} 个表格 第 {r} 行", group=group))
