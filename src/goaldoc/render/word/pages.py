"""Word: the measured body (render/word/measure.py) laid out on pages (render/pages/paginate.py),
and the layout made the document's own, so that Word, WPS and LibreOffice break where the
model says (issue 9).

Word decides its page breaks while it lays the document out, and LibreOffice honours
neither a paragraph's "page break before" nor a row's "keep with next" inside a table. So
we place the breaks ourselves: where a page starts inside a table, the table is **split**
into two tables, with a one-point paragraph between them that starts a page. Each
continuation table begins with copies of its column headings (marked as heading rows, so
an application that breaks it once more repeats them itself), and every merged label cut
by the break is merged again in the continuation with its text printed again (a label
longer than a quarter of a page: the rest of its text). Flowing text is left to break where
the word processor breaks it (keep with next, widow control); the model follows it, so the
tables after it start where the model thinks.

Rows stay whole on a page ("don't split across pages"), except a row taller than a page,
which may split.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable

from lxml import etree

from ..pages.measure import is_amount, line_height, opening, split_lines
from ..pages.paginate import Layout, paginate
from .measure import Measured, Page, row_cells, vmerge
from .names import qn
from .table import TableView

PAGE_FILL = 0.94  # heights are estimates: leave the application room
_W_P, _W_R, _W_T, _W_TR, _W_TC, _W_TBL = (qn(f"w:{t}") for t in ("p", "r", "t", "tr", "tc", "tbl"))


def lay_out(measured: Measured, page: Page) -> Layout:
    avail = page.height * PAGE_FILL
    for piece in measured.pieces:
        if piece.table is not None and piece.unit.height > avail * 0.9:
            piece.unit.splittable = True  # taller than a page: the row may split
            piece.unit.line = 15.0
    return paginate(
        [p.unit for p in measured.pieces], page.height, measured.headings, measured.spans, fill=PAGE_FILL
    )

# -- making the layout the document's ----------------------------------------------------
def separator() -> etree._Element:
    """A paragraph one point high that starts a page: what stands between the parts of a
    split table (two tables side by side would be joined). A copy of one made once (a table
    of 10,000 rows has hundreds of these)."""
    return _separator().__deepcopy__(None)


@functools.cache
def _separator() -> etree._Element:
    p = etree.Element(_W_P)
    ppr = etree.SubElement(p, qn("w:pPr"))
    etree.SubElement(ppr, qn("w:pageBreakBefore"))
    sp = etree.SubElement(ppr, qn("w:spacing"))
    for attr, val in (("before", "0"), ("after", "0"), ("line", "20"), ("lineRule", "exact")):
        sp.set(qn(f"w:{attr}"), val)
    rpr = etree.SubElement(ppr, qn("w:rPr"))
    etree.SubElement(rpr, qn("w:sz")).set(qn("w:val"), "2")
    etree.SubElement(rpr, qn("w:szCs")).set(qn("w:val"), "2")
    return p


def is_separator(p: etree._Element) -> bool:
    """A paragraph :func:`separator` made (between the parts of a split table)."""
    if p.tag != _W_P or p.find(_W_R) is not None:
        return False
    sp = p.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
    return (
        sp is not None
        and sp.get(qn("w:line")) == "20"
        and sp.get(qn("w:lineRule")) == "exact"
        and p.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None
    )


def _set_vmerge(tc: etree._Element, restart: bool) -> None:
    tcpr = tc.find(qn("w:tcPr"))
    if tcpr is None:
        tcpr = etree.Element(qn("w:tcPr"))
        tc.insert(0, tcpr)
    vm = tcpr.find(qn("w:vMerge"))
    if vm is None:
        vm = etree.SubElement(tcpr, qn("w:vMerge"))
    if restart:
        vm.set(qn("w:val"), "restart")
    elif qn("w:val") in vm.attrib:
        del vm.attrib[qn("w:val")]


def _set_content(tc: etree._Element, paragraphs: Iterable[etree._Element]) -> None:
    for child in list(tc):
        if child.tag != qn("w:tcPr"):
            tc.remove(child)
    for p in paragraphs:
        tc.append(p)
    if tc[-1].tag != _W_P:
        etree.SubElement(tc, _W_P)


def cut_paragraphs(tc: etree._Element, keep: int) -> tuple[list[etree._Element], list[etree._Element]]:
    """The cell's paragraphs cut after ``keep`` characters of text (a paragraph end counts
    one): (copies holding the first part, copies holding the rest)."""
    head: list[etree._Element] = []
    tail: list[etree._Element] = []
    left = keep
    for p in tc.findall(_W_P):
        text_len = sum(len(t.text or "") for t in p.iter(_W_T))
        if left >= text_len:
            head.append(copy.deepcopy(p))
            left -= text_len + 1
            continue
        if left <= 0 and head:
            tail.append(copy.deepcopy(p))
            continue
        a, b = copy.deepcopy(p), copy.deepcopy(p)
        _truncate(a, max(left, 0), keep_start=True)
        _truncate(b, max(left, 0), keep_start=False)
        head.append(a)
        tail.append(b)
        left = -1
    return head, tail


def _truncate(p: etree._Element, n: int, keep_start: bool) -> None:
    """Keep the first ``n`` characters of a paragraph (or all but them)."""
    seen = 0
    for t in list(p.iter(_W_T)):
        text = t.text or ""
        a, b = seen, seen + len(text)
        seen = b
        if keep_start:
            t.text = text[: max(n - a, 0)] if b > n else text
        else:
            t.text = text[max(n - a, 0) :] if a < n else text
        if t.text != text and t.text and t.text != t.text.strip():
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def apply(body: etree._Element, measured: Measured, layout: Layout) -> None:
    """Make the document break where the layout says."""
    pieces = measured.pieces
    restart_of: dict[etree._Element, etree._Element] = {}  # continue tc -> its restart tc
    span_of_tc: dict[etree._Element, int] = {tc: k for k, (tc, _w, _s) in enumerate(measured.span_cells)}
    for tbl in {id(p.table): p.table for p in pieces if p.table is not None}.values():
        assert tbl is not None
        above: dict[int, etree._Element] = {}
        view = measured.views.get(tbl) or TableView(tbl)
        for row in view.rows:
            for cell in row.cells:
                col, tc, vm = cell.col, cell.tc, cell.vm
                if vm == "restart":
                    above[col] = tc
                elif vm == "continue" and col in above:
                    restart_of[tc] = above[col]
                else:
                    above.pop(col, None)
    cuts: dict[tuple[int, int], int | None] = {}
    for cut in layout.cuts:
        cuts[(cut.span, cut.at)] = cut.head_lines
    # rows taller than a page may split; every other row stays whole
    for piece in pieces:
        if piece.table is not None and piece.unit.splittable:
            trpr = piece.element.find(qn("w:trPr"))
            cant = trpr.find(qn("w:cantSplit")) if trpr is not None else None
            if cant is not None:
                trpr.remove(cant)
    by_table: dict[int, list[int]] = {}
    for i in sorted(layout.forced):
        piece = pieces[i]
        if piece.table is None:
            continue  # flowing text: Word breaks it where the model does (keep with next, widows)
        if piece.row == 0:
            piece.table.addprevious(separator())
        else:
            by_table.setdefault(id(piece.table), []).append(i)
    marks = _Marks(body)
    for starts in by_table.values():
        _split_table(starts, measured, layout, restart_of, span_of_tc, cuts, marks)


def _split_table(
    starts: list[int],
    measured: Measured,
    layout: Layout,
    restart_of: dict[etree._Element, etree._Element],
    span_of_tc: dict[etree._Element, int],
    cuts: dict[tuple[int, int], int | None],
    marks: _Marks,
) -> None:
    pieces = measured.pieces
    tbl = pieces[starts[0]].table
    assert tbl is not None
    rows = tbl.findall(_W_TR)
    first_row = {pieces[i].row: i for i in starts}
    current = tbl
    shown: dict[etree._Element, etree._Element] = {}  # original restart tc -> the restart now showing it
    # the table's properties and grid, found once (not among its rows at every page)
    head = [el for el in (tbl.find(qn("w:tblPr")), tbl.find(qn("w:tblGrid"))) if el is not None]
    view = measured.views.get(tbl)
    firsts = sorted(first_row)
    for k, r in enumerate(firsts):
        tr = rows[r]
        unit = first_row[r]
        part = etree.Element(_W_TBL)
        for child in head:
            part.append(copy.deepcopy(child))
        current.addnext(separator())
        current.getnext().addnext(part)
        current = part
        copies: list[etree._Element] = []
        open_here: set[etree._Element] = set()  # labels merged again in this part
        if unit in layout.repeat:
            for h in measured.heading_rows[layout.repeat[unit]]:
                cp = _without_bookmarks(copy.deepcopy(h))
                for (_c, _s, orig), (_c2, _s2, new) in zip(row_cells(h), row_cells(cp), strict=True):
                    if orig in restart_of:
                        restart_of[new] = restart_of[orig]
                    if vmerge(orig) == "restart":
                        open_here.add(orig)
                _mark_heading(cp)
                marks.add(cp.find(_W_TC), REPEAT_MARK)
                part.append(cp)
                copies.append(cp)
        part.append(tr)
        # the row's cells and their vMerge as the table's view has them (render/word/table.py: the
        # passes keep it true to the XML), not read from the XML again; the heading copies' read
        seen = view.rows[r] if view is not None and r < len(view.rows) and view.rows[r].tr is tr else None
        for row, cells in [*((cp, None) for cp in copies), (tr, [(c.tc, c.vm) for c in seen.cells] if seen is not None else None)]:
            for tc in _restart_labels(row, restart_of, span_of_tc, measured, unit, cuts, shown, open_here, cells):
                marks.add(tc, LABEL_MARK)
        if copies and _merge_runs_down(copies[-1], tr):
            for cp in copies:
                _unmark_heading(cp)
        # the part's other rows, up to the next part's first (moved in one call)
        current.extend(rows[r + 1 : firsts[k + 1] if k + 1 < len(firsts) else len(rows)])


def _restart_labels(
    tr: etree._Element,
    restart_of: dict[etree._Element, etree._Element],
    span_of_tc: dict[etree._Element, int],
    measured: Measured,
    unit: int,
    cuts: dict[tuple[int, int], int | None],
    shown: dict[etree._Element, etree._Element],
    open_here: set[etree._Element],
    cells: list[tuple[etree._Element, str | None]] | None = None,
) -> list[etree._Element]:
    """In the first row of a continuation: a cell that continued a merged label from the
    page before starts the merge again, with the label's text (or, for a long label, the
    rest of it; the part before keeps the lines that fit). Returns the cells restarted.
    ``cells``: the row's cells with their vMerge (as :func:`vmerge` reads them), when known."""
    out = []
    for tc, vm in cells if cells is not None else ((tc, vmerge(tc)) for _c, _s, tc in row_cells(tr)):
        if vm != "continue":
            continue
        origin = restart_of.get(tc)
        if origin is None or origin in open_here:
            continue  # a label this part already shows (merged from its heading copy)
        open_here.add(origin)
        k = span_of_tc.get(origin)
        lines = cuts.get((k, unit)) if k is not None else None
        source = shown.get(origin, origin)
        if lines is None:
            paragraphs = [_without_bookmarks(copy.deepcopy(p)) for p in source.findall(_W_P)]
            if is_amount("".join(t.text or "" for t in source.iter(_W_T))):  # printed once (issue 16 item 4): an empty paragraph
                paragraphs = [_empty_like(p) for p in paragraphs[:1]]
        else:
            _tc, width, size = measured.span_cells[k]  # type: ignore[index]
            text = "\n".join("".join(t.text or "" for t in p.iter(_W_T)) for p in source.findall(_W_P))
            head, rest_text = split_lines(text, width, size, lines)
            keep, rest = cut_paragraphs(source, len(head))
            _set_content(source, keep)
            paragraphs = [_without_bookmarks(p) for p in rest]
            if not rest_text.strip():  # all of it printed before: its opening lines say whose row this is
                fits = int(measured.pieces[unit].unit.height // line_height(text, size)) or 1
                paragraphs = _opening_paragraphs(keep, opening(text, width, size, fits))
        _set_vmerge(tc, restart=True)
        _set_content(tc, paragraphs)
        measured.touched.update((tc, source))
        shown[origin] = tc
        out.append(tc)
    return out


def _empty_like(p: etree._Element) -> etree._Element:
    """The paragraph with its properties and no text."""
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    return p


def _opening_paragraphs(paragraphs: list[etree._Element], text: str) -> list[etree._Element]:
    """Copies of a cell's first paragraphs holding ``text`` (their start, … at the cut)."""
    out = []
    left = text.rstrip("…")
    for p in paragraphs:
        if not left:
            break
        cp = _without_bookmarks(copy.deepcopy(p))
        n = sum(len(t.text or "") for t in cp.iter(_W_T))
        if n > len(left):
            _truncate(cp, len(left), keep_start=True)
        out.append(cp)
        left = left[min(n, len(left)) + 1 :]
    if text.endswith("…") and out:
        ts = [t for t in out[-1].iter(_W_T) if t.text]
        if ts:
            ts[-1].text = (ts[-1].text or "") + "…"
    return out


def _without_bookmarks(el: etree._Element) -> etree._Element:
    """A copy printed again at a page break carries no bookmark of the original: a bookmark
    marks one place (a name or id given twice makes Word and the validator refuse the file)."""
    for mark in list(el.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd"))):
        parent = mark.getparent()
        if parent is not None:
            parent.remove(mark)
    return el


REPEAT_MARK = "_GoaldocRepeat"  # hidden bookmarks: a heading row printed again, a label merged again
LABEL_MARK = "_GoaldocLabel"


class _Marks:
    """Hidden bookmarks (Word hides names starting with _) saying what goaldoc printed again
    at a page break: what a program reading the file back needs to see the table whole."""

    def __init__(self, body: etree._Element):
        ids = [int(v) for v in (b.get(qn("w:id")) for b in body.iter(qn("w:bookmarkStart"))) if v and v.isdigit()]
        self.next = max(ids, default=0) + 1

    def add(self, tc: etree._Element, prefix: str) -> None:
        p = tc.find(_W_P)
        if p is None:
            p = etree.SubElement(tc, _W_P)
        ppr = p.find(qn("w:pPr"))
        at = 1 if ppr is not None else 0
        start = etree.Element(qn("w:bookmarkStart"))
        start.set(qn("w:id"), str(self.next))
        start.set(qn("w:name"), f"{prefix}{self.next}")
        end = etree.Element(qn("w:bookmarkEnd"))
        end.set(qn("w:id"), str(self.next))
        p.insert(at, start)
        p.insert(at + 1, end)
        self.next += 1


def keep_with_next(tr: etree._Element) -> None:
    """Every paragraph of a row keeps with the next (keepNext after any pStyle: schema order)."""
    for p in tr.iter(_W_P):
        ppr = next(p.iterchildren(_W_PPR), None)
        if ppr is None:
            ppr = etree.Element(_W_PPR)
            p.insert(0, ppr)
        if next(ppr.iterchildren(_W_KEEPNEXT), None) is None:
            style = next(ppr.iterchildren(_W_PSTYLE), None)
            ppr.insert(1 if style is not None else 0, etree.Element(_W_KEEPNEXT))


_W_PPR, _W_KEEPNEXT, _W_PSTYLE = qn("w:pPr"), qn("w:keepNext"), qn("w:pStyle")


def _mark_heading(tr: etree._Element) -> None:
    """A heading row: repeated by the application on the pages the table continues on,
    never alone at the foot of a page (keep with next)."""
    keep_with_next(tr)
    trpr = tr.find(qn("w:trPr"))
    if trpr is None:
        trpr = etree.Element(qn("w:trPr"))
        tr.insert(1 if tr.find(qn("w:tblPrEx")) is not None else 0, trpr)
    if trpr.find(qn("w:tblHeader")) is None:
        cant = trpr.find(qn("w:cantSplit"))
        el = etree.Element(qn("w:tblHeader"))
        if cant is not None:
            cant.addnext(el)
        else:
            trpr.append(el)


def _unmark_heading(tr: etree._Element) -> None:
    trpr = tr.find(qn("w:trPr"))
    el = trpr.find(qn("w:tblHeader")) if trpr is not None else None
    if el is not None:
        trpr.remove(el)


def _merge_runs_down(heading: etree._Element, body: etree._Element) -> bool:
    """A vertical merge runs from the heading row into the body row (Word then does not
    repeat the heading: it stays an ordinary row)."""
    below = {c: tc for c, _s, tc in row_cells(body)}
    for c, _s, tc in row_cells(heading):
        if vmerge(tc) in ("restart", "continue") and c in below and vmerge(below[c]) == "continue":
            return True
    return False


