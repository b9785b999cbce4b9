"""Word: the rendered body measured, laid out on pages (render/paginate.py), and the layout
made the document's own, so that Word, WPS and LibreOffice break where the model says
(issue 9).

Word decides its page breaks while it lays the document out, and neither a paragraph's
"page break before" nor a row's "keep with next" inside a table is honoured by
LibreOffice. So we place the breaks ourselves: where a page starts inside a table, the
table is **split** into two tables, with a one-point paragraph between them that starts a
page. Each continuation table begins with copies of its column headings (marked as
heading rows, so an application that breaks it once more repeats them itself), and every
merged label cut by the break is merged again in the continuation with its text printed
again (a label longer than a quarter of a page: the rest of its text). Where a page starts at a
paragraph, the paragraph gets "page break before". Flowing text (a narrative form) is
left to break where it falls; the model follows it, so the tables after it start where
the model thinks.

Rows stay whole on a page ("don't split across pages"), except a row taller than a page,
which may split (issue 9).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field

from docx.oxml.ns import qn
from lxml import etree

from ..forms.spec import PagesSpec
from .docx_styles import ParaStyle, StyleSheet, is_on
from .measure import line_height, split_lines, wrap
from .paginate import Heading, Layout, Span, Unit, paginate

PAGE_FILL = 0.94  # heights are estimates: leave the application room
ROW_RULE = 0.75  # points a row's border adds
_W_P, _W_R, _W_T, _W_TR, _W_TC, _W_TBL = (qn(f"w:{t}") for t in ("p", "r", "t", "tr", "tc", "tbl"))


def squash(text: str) -> str:
    return "".join(text.split())


@dataclass
class Page:
    """The body area of a page, in points."""

    height: float
    width: float


def page_of_section(sect: etree._Element | None, footer_lines: float = 1.0) -> Page:
    """A4 portrait with Word's margins unless the section says; a footer taller than the
    bottom margin pushes the body up (as Word and LibreOffice do)."""
    w, h = 595.3, 841.9
    top = bottom = 72.0
    left = right = 90.0
    footer = 36.0
    if sect is not None:
        sz = sect.find(qn("w:pgSz"))
        if sz is not None:
            w = int(sz.get(qn("w:w"), "11906")) / 20
            h = int(sz.get(qn("w:h"), "16838")) / 20
        mar = sect.find(qn("w:pgMar"))
        if mar is not None:
            top = abs(int(mar.get(qn("w:top"), "1440"))) / 20
            bottom = abs(int(mar.get(qn("w:bottom"), "1440"))) / 20
            left = int(mar.get(qn("w:left"), "1800")) / 20
            right = int(mar.get(qn("w:right"), "1800")) / 20
            footer = int(mar.get(qn("w:footer"), "720")) / 20
    has_footer = sect is not None and sect.find(qn("w:footerReference")) is not None
    if has_footer:
        bottom = max(bottom, footer + footer_lines * 10.5 * 1.44 + 2)
    return Page(h - top - bottom, w - left - right)


# -- measuring -------------------------------------------------------------------------
@dataclass
class _Piece:
    """A unit of the layout and what it is in the document."""

    unit: Unit
    element: etree._Element  # a w:p, or a w:tr
    table: etree._Element | None = None
    row: int = -1  # the row's index in its table
    text: str = ""


@dataclass
class Measured:
    pieces: list[_Piece] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    heading_rows: list[list[etree._Element]] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    span_cells: list[tuple[etree._Element, float, float]] = field(default_factory=list)  # (restart tc, width, size)


def _para_text(p: etree._Element) -> list[tuple[str, float | None]]:
    """The paragraph's text as (text, run size) pieces; a line break is a newline, a page
    break a form feed."""
    out: list[tuple[str, float | None]] = []
    for r in p.iter(_W_R):
        for child in r:
            tag = child.tag
            if tag == _W_T:
                out.append((child.text or "", None))
            elif tag == qn("w:tab"):
                out.append(("    ", None))
            elif tag == qn("w:br"):
                out.append(("\f" if child.get(qn("w:type")) == "page" else "\n", None))
            elif tag == qn("w:cr"):
                out.append(("\n", None))
    return out


class _Measurer:
    def __init__(self, styles: StyleSheet, page: Page):
        self.styles = styles
        self.page = page

    def paragraph(self, p: etree._Element, width: float, table_style: str | None = None) -> tuple[list[float], ParaStyle, str, float]:
        """Heights of the paragraph's parts (split at page breaks), its style, text, line."""
        st = self.styles.paragraph(p, table_style)
        size = st.size
        for r in p.iter(_W_R):
            if r.find(_W_T) is not None:
                s = self.styles.run_size(r)
                if s is not None:
                    size = max(size, s) if size != st.size else s
        text = "".join(t for t, _ in _para_text(p))
        first = st.first_chars * size if st.first_chars is not None else st.first
        usable = max(width - st.left - st.right, size)
        parts = text.split("\f")
        line = self._line(text, size, st)
        heights = []
        for k, part in enumerate(parts):
            lines = 0
            for para in part.split("\n"):
                lines += len(wrap(para, usable / size - max(first, 0) / size)) if para else 1
            if not part and k and k == len(parts) - 1:
                lines = 1  # the paragraph mark after a page break
            before = st.before_lines * line if st.before_lines is not None else st.before
            after = st.after_lines * line if st.after_lines is not None else st.after
            heights.append(before * (k == 0) + lines * line + after * (k == len(parts) - 1))
        return heights, st, text, line

    def _line(self, text: str, size: float, st: ParaStyle) -> float:
        natural = line_height(text or "中", size)
        if st.line_rule == "exact":
            return st.line
        if st.line_rule == "atLeast":
            return max(st.line, natural)
        return natural * st.line

    def cell(self, tc: etree._Element, width: float, table_style: str | None, margins: tuple[float, float, float, float]) -> tuple[float, str, float]:
        """(height, text, line height) of a cell's content at its width."""
        top, left, bottom, right = margins
        tcpr = tc.find(qn("w:tcPr"))
        mar = tcpr.find(qn("w:tcMar")) if tcpr is not None else None
        if mar is not None:
            own = {"top": top, "left": left, "bottom": bottom, "right": right}
            from .docx_styles import _read_margins

            _read_margins(mar, own)
            top, left, bottom, right = own["top"], own["left"], own["bottom"], own["right"]
        inner = max(width - left - right, 6.0)
        total, texts, line = 0.0, [], 0.0
        for child in tc:
            if child.tag == _W_P:
                hs, _st, text, ln = self.paragraph(child, inner, table_style)
                total += sum(hs)
                texts.append(text)
                line = max(line, ln)
            elif child.tag == _W_TBL:  # a table in a cell: its rows' text, roughly
                for p in child.iter(_W_P):
                    hs, _st, text, ln = self.paragraph(p, inner / 2, table_style)
                    total += sum(hs)
        return total + top + bottom, "\n".join(texts), line or 15.0


def _grid(tbl: etree._Element) -> list[float]:
    grid = tbl.find(qn("w:tblGrid"))
    return [int(c.get(qn("w:w"), "0")) / 20 for c in grid.findall(qn("w:gridCol"))] if grid is not None else []


_W_TRPR, _W_TCPR, _W_VAL = qn("w:trPr"), qn("w:tcPr"), qn("w:val")
_W_GRIDBEFORE, _W_GRIDSPAN, _W_VMERGE = qn("w:gridBefore"), qn("w:gridSpan"), qn("w:vMerge")


def _cells(tr: etree._Element) -> list[tuple[int, int, etree._Element]]:
    col = 0
    trpr = tr.find(_W_TRPR)
    if trpr is not None:
        gb = trpr.find(_W_GRIDBEFORE)
        if gb is not None:
            col = int(gb.get(_W_VAL, "0"))
    out = []
    for tc in tr.findall(_W_TC):
        tcpr = tc.find(_W_TCPR)
        gs = tcpr.find(_W_GRIDSPAN) if tcpr is not None else None
        span = int(gs.get(_W_VAL, "1")) if gs is not None else 1
        out.append((col, span, tc))
        col += span
    return out


def vmerge(tc: etree._Element) -> str | None:
    """'restart', 'continue' or None."""
    tcpr = tc.find(_W_TCPR)
    vm = tcpr.find(_W_VMERGE) if tcpr is not None else None
    if vm is None:
        return None
    return "restart" if vm.get(_W_VAL) == "restart" else "continue"


def _cell_text(tc: etree._Element) -> str:
    return "".join(t.text or "" for t in tc.iter(_W_T))


def _row_height_rule(tr: etree._Element) -> tuple[float, str]:
    trpr = tr.find(qn("w:trPr"))
    h = trpr.find(qn("w:trHeight")) if trpr is not None else None
    if h is None:
        return 0.0, "atLeast"
    return int(h.get(qn("w:val"), "0")) / 20, h.get(qn("w:hRule"), "atLeast")


def _is_heading_row(tr: etree._Element) -> bool:
    trpr = tr.find(qn("w:trPr"))
    return trpr is not None and is_on(trpr.find(qn("w:tblHeader")))


def _all_keep_next(tr: etree._Element) -> bool:
    ps = list(tr.iter(_W_P))
    for p in ps:
        ppr = p.find(qn("w:pPr"))
        if ppr is None or not is_on(ppr.find(qn("w:keepNext"))):
            return False
    return bool(ps)


def measure(body: etree._Element, styles: StyleSheet, page: Page, spec: PagesSpec) -> Measured:
    """The body as units of layout: paragraphs (split at their page breaks) and table rows."""
    m = _Measurer(styles, page)
    out = Measured()
    wanted = {squash(h) for h in spec.headings}
    for el in body:
        if el.tag == _W_P:
            heights, st, text, line = m.paragraph(el, page.width)
            for k, h in enumerate(heights):
                lines = h / line if line else 1
                unit = Unit(
                    h,
                    keep_next=st.keepNext and k == len(heights) - 1,
                    page_before=(st.pageBreakBefore and k == 0) or k > 0,
                    splittable=not st.keepLines and lines >= 3.5,
                    line=line,
                    flows=True,
                )
                out.pieces.append(_Piece(unit, el, text=text if k == 0 else ""))
            ppr = el.find(qn("w:pPr"))
            sect = ppr.find(qn("w:sectPr")) if ppr is not None else None
            if sect is not None:
                typ = sect.find(qn("w:type"))
                if typ is None or typ.get(qn("w:val"), "nextPage") != "continuous":
                    out.pieces.append(_Piece(Unit(0.0, page_before=True), el))
        elif el.tag == _W_TBL:
            _measure_table(el, m, styles, out, wanted, page)
    return out


def _measure_table(tbl: etree._Element, m: _Measurer, styles: StyleSheet, out: Measured, wanted: set[str], page: Page) -> None:
    grid = _grid(tbl)
    tstyle = styles.table_style(tbl)
    margins = styles.table_cell_margins(tbl)
    rows = tbl.findall(_W_TR)
    layouts: list[tuple[int, ...]] = []
    texts: list[str] = []
    base = len(out.pieces)
    open_spans: dict[int, int] = {}  # grid column -> index into out.spans
    span_units: dict[int, list[int]] = {}
    for i, tr in enumerate(rows):
        cells = _cells(tr)
        layouts.append(tuple(c for c, _s, _tc in cells))
        own = 0.0
        row_text = []
        for col, span, tc in cells:
            width = sum(grid[col : col + span]) if grid else page.width / max(len(cells), 1)
            vm = vmerge(tc)
            if vm == "continue":
                if col in open_spans:
                    out.spans[open_spans[col]].last = base + i
                continue
            h, text, line = m.cell(tc, width, tstyle, margins)
            row_text.append(text)
            if vm == "restart":
                open_spans[col] = len(out.spans)
                out.spans.append(Span(base + i, base + i, h, line))
                out.span_cells.append((tc, width - margins[1] - margins[3], _cell_size(tc, styles, tstyle)))
                span_units.setdefault(col, []).append(base + i)
                continue
            open_spans.pop(col, None)
            own = max(own, h)
        min_h, rule = _row_height_rule(tr)
        height = min_h if rule == "exact" else max(own, min_h)
        text = "\n".join(row_text)
        texts.append(text)
        out.pieces.append(_Piece(Unit(height + ROW_RULE, keep_next=_all_keep_next(tr)), tr, tbl, i, text))
    # spans over one row are plain cells
    for s in out.spans:
        if s.first == s.last and s.first >= base:
            piece = out.pieces[s.first].unit
            piece.height = max(piece.height, s.need + ROW_RULE)
            s.need = 0.0
    # headings: the rows Word repeats (tblHeader, at the top), and those form.yaml names
    is_heading = [(_is_heading_row(tr) and all(_is_heading_row(x) for x in rows[:i])) for i, tr in enumerate(rows)]
    declared = [bool(wanted) and any(squash(_cell_text(tc)) in wanted for _c, _s, tc in _cells(tr)) for tr in rows]
    i = 0
    while i < len(rows):
        if not (is_heading[i] or declared[i]):
            i += 1
            continue
        group = [i]
        while group[-1] + 1 < len(rows) and (is_heading[group[-1] + 1] or declared[group[-1] + 1]):
            group.append(group[-1] + 1)
        h_index = len(out.headings)
        for g in group:
            out.pieces[base + g].unit.keep_next = True
            out.pieces[base + g].unit.heading = h_index
        out.headings.append(Heading([base + g for g in group], sum(out.pieces[base + g].unit.height for g in group)))
        out.heading_rows.append([rows[g] for g in group])
        last = group[-1]
        k = last + 1
        top_heading = is_heading[last]
        while k < len(rows) and not is_heading[k] and not declared[k]:
            if not top_heading and (layouts[k] != layouts[last] or not squash(texts[k])):
                break
            out.pieces[base + k].unit.under = h_index
            k += 1
        i = last + 1


def _cell_size(tc: etree._Element, styles: StyleSheet, tstyle: str | None) -> float:
    p = tc.find(_W_P)
    if p is None:
        return 10.5
    size = styles.paragraph(p, tstyle).size
    for r in p.iter(_W_R):
        s = styles.run_size(r)
        if s is not None:
            return s
    return size


def keep_signature(pieces: list[_Piece], spec: PagesSpec) -> None:
    """The signature block (units with 单位负责人 …) stays whole on a page, with the last
    ``signature_rows`` rows of the table above it and the empty paragraphs between."""
    words = [squash(w) for w in spec.signature if w.strip()]
    if not words:
        return
    marked = [any(w in squash(p.text) for w in words) for p in pieces]
    i = 0
    while i < len(pieces):
        if not marked[i] or pieces[i].table is None:  # a block in a table (the forms' own)
            i += 1
            continue
        last = i
        while last + 1 < len(pieces) and marked[last + 1]:
            last += 1
        first = i
        while first - 1 >= 0 and not squash(pieces[first - 1].text) and pieces[first - 1].table is None:
            first -= 1
        kept = 0
        while kept < spec.signature_rows and first - 1 >= 0 and pieces[first - 1].table is not None:
            first -= 1
            kept += 1
        for j in range(first, last):
            pieces[j].unit.keep_next = True
        i = last + 1


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
    split table (two tables side by side would be joined)."""
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
        for tr in tbl.findall(_W_TR):
            for col, _span, tc in _cells(tr):
                vm = vmerge(tc)
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
        if piece.table is not None:
            trpr = piece.element.find(qn("w:trPr"))
            cant = trpr.find(qn("w:cantSplit")) if trpr is not None else None
            if piece.unit.splittable and cant is not None:
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
    for r, tr in enumerate(rows):
        if r in first_row:
            unit = first_row[r]
            part = etree.Element(_W_TBL)
            for child in tbl:
                if child.tag in (qn("w:tblPr"), qn("w:tblGrid")):
                    part.append(copy.deepcopy(child))
            current.addnext(separator())
            current.getnext().addnext(part)
            current = part
            copies: list[etree._Element] = []
            open_here: set[etree._Element] = set()  # labels merged again in this part
            if unit in layout.repeat:
                for h in measured.heading_rows[layout.repeat[unit]]:
                    cp = copy.deepcopy(h)
                    for (_c, _s, orig), (_c2, _s2, new) in zip(_cells(h), _cells(cp), strict=True):
                        if orig in restart_of:
                            restart_of[new] = restart_of[orig]
                        if vmerge(orig) == "restart":
                            open_here.add(orig)
                    _mark_heading(cp)
                    marks.add(cp.find(_W_TC), REPEAT_MARK)
                    part.append(cp)
                    copies.append(cp)
            part.append(tr)
            for row in [*copies, tr]:
                for tc in _restart_labels(row, restart_of, span_of_tc, measured, unit, cuts, shown, open_here):
                    marks.add(tc, LABEL_MARK)
            if copies and _merge_runs_down(copies[-1], tr):
                for cp in copies:
                    _unmark_heading(cp)
        elif current is not tbl:
            current.append(tr)


def _restart_labels(
    tr: etree._Element,
    restart_of: dict[etree._Element, etree._Element],
    span_of_tc: dict[etree._Element, int],
    measured: Measured,
    unit: int,
    cuts: dict[tuple[int, int], int | None],
    shown: dict[etree._Element, etree._Element],
    open_here: set[etree._Element],
) -> list[etree._Element]:
    """In the first row of a continuation: a cell that continued a merged label from the
    page before starts the merge again, with the label's text (or, for a long label, the
    rest of it; the part before keeps the lines that fit). Returns the cells restarted."""
    out = []
    for _c, _s, tc in _cells(tr):
        if vmerge(tc) != "continue":
            continue
        origin = restart_of.get(tc)
        if origin is None or origin in open_here:
            continue  # a label this part already shows (merged from its heading copy)
        open_here.add(origin)
        k = span_of_tc.get(origin)
        lines = cuts.get((k, unit)) if k is not None else None
        source = shown.get(origin, origin)
        if lines is None:
            paragraphs = [copy.deepcopy(p) for p in source.findall(_W_P)]
        else:
            _tc, width, size = measured.span_cells[k]  # type: ignore[index]
            text = "\n".join("".join(t.text or "" for t in p.iter(_W_T)) for p in source.findall(_W_P))
            head, _rest = split_lines(text, width, size, lines)
            keep, rest = cut_paragraphs(source, len(head))
            _set_content(source, keep)
            paragraphs = rest
        _set_vmerge(tc, restart=True)
        _set_content(tc, paragraphs)
        shown[origin] = tc
        out.append(tc)
    return out


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


def _mark_heading(tr: etree._Element) -> None:
    """A heading row: repeated by the application on the pages the table continues on,
    never alone at the foot of a page (keep with next)."""
    for p in tr.iter(_W_P):
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = etree.Element(qn("w:pPr"))
            p.insert(0, ppr)
        if ppr.find(qn("w:keepNext")) is None:
            style = ppr.find(qn("w:pStyle"))
            ppr.insert(1 if style is not None else 0, etree.Element(qn("w:keepNext")))
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
    below = {c: tc for c, _s, tc in _cells(body)}
    for c, _s, tc in _cells(heading):
        if vmerge(tc) in ("restart", "continue") and c in below and vmerge(below[c]) == "continue":
            return True
    return False


# -- columns that fit their content (render/fit.py) ----------------------------------------
def fit_table(tbl: etree._Element, styles: StyleSheet, spec: PagesSpec) -> None:
    """Move the table's column boundaries so that no number breaks inside and the columns
    form.yaml names are widened (``pages.widen``); the grid's total width stays."""
    from .fit import GridCell, fit_columns, widen_rules

    grid_el = tbl.find(qn("w:tblGrid"))
    widths = _grid(tbl)
    if grid_el is None or len(widths) < 2:
        return
    tstyle = styles.table_style(tbl)
    _top, left, _bottom, right = styles.table_cell_margins(tbl)
    cells: list[GridCell] = []
    named: dict[str, tuple[int, int]] = {}
    for r, tr in enumerate(tbl.findall(_W_TR)):
        for col, span, tc in _cells(tr):
            if vmerge(tc) == "continue":
                continue
            text = "\n".join("".join(t.text or "" for t in p.iter(_W_T)) for p in tc.findall(_W_P))
            cells.append(GridCell(r, col, span, text, _cell_size(tc, styles, tstyle)))
            named.setdefault(squash(text), (col, col + span - 1))
    rules = widen_rules(named, [(squash(w.column), squash(w.take_from), w.max_share) for w in spec.widen])
    new = fit_columns(widths, cells, left + right, rules)
    if all(abs(a - b) < 0.05 for a, b in zip(new, widths, strict=True)):
        return
    twips = [round(w * 20) for w in new]
    twips[-1] += round(sum(widths) * 20) - sum(twips)  # the table keeps its width exactly
    for gc, w in zip(grid_el.findall(qn("w:gridCol")), twips, strict=True):
        gc.set(qn("w:w"), str(w))
