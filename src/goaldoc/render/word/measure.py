"""Word: the rendered body measured for the pagination model (issue 9): the page's body
area from the section, every paragraph's and table row's height from its text, the style
sheet (render/word/styles.py) and the cell widths; the column headings, merged labels,
keep-with-next rows and the signature block the model keeps together. Also the columns
fitted to their content (render/pages/fit.py) before anything is measured.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from lxml import etree

from ...forms.spec import PagesSpec
from ..pages.measure import has_wide, line_height, lines_of
from ..pages.paginate import Heading, Span, Unit
from .names import qn
from .strict import order_properties
from .styles import ParaStyle, StyleSheet, is_on, read_margins
from .table import CellView, RowView, TableView, first_child

if TYPE_CHECKING:
    from ..pages.measure import Labels

ROW_RULE = 0.75  # points a row's border adds
_W_P, _W_R, _W_T, _W_TR, _W_TC, _W_TBL = (qn(f"w:{t}") for t in ("p", "r", "t", "tr", "tc", "tbl"))
_W_PPR = qn("w:pPr")


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
    views: dict[etree._Element, TableView] = field(default_factory=dict)  # each table as read (table.py)
    touched: set[etree._Element] = field(default_factory=set)  # cells pages.apply printed again or cut


def _para_text(p: etree._Element) -> str:
    """The paragraph's text; a line break is a newline, a page break a form feed, a tab
    four spaces."""
    out: list[str] = []
    for r in p.iter(_W_R):
        for child in r:
            tag = child.tag
            if tag == _W_T:
                out.append(child.text or "")
            elif tag == qn("w:tab"):
                out.append("    ")
            elif tag == qn("w:br"):
                out.append("\f" if child.get(qn("w:type")) == "page" else "\n")
            elif tag == qn("w:cr"):
                out.append("\n")
    return "".join(out)


class _Measurer:
    def __init__(self, styles: StyleSheet, page: Page):
        self.styles = styles
        self.page = page

    def paragraph(self, p: etree._Element, width: float, table_style: str | None = None) -> tuple[list[float], ParaStyle, str, float]:
        """Heights of the paragraph's parts (split at page breaks), its style, text, line."""
        st, size = self.style(p, table_style)
        text = _para_text(p)
        return self.heights(st, size, text, width), st, text, self._line(text, size, st)

    def style(self, p: etree._Element, table_style: str | None) -> tuple[ParaStyle, float]:
        """The paragraph's style and the size its text is printed at (its runs' own)."""
        st = self.styles.paragraph(p, table_style)
        size = st.size
        for r in p.iter(_W_R):
            if first_child(r, _W_T) is not None:
                s = self.styles.run_size(r)
                if s is not None:
                    size = max(size, s) if size != st.size else s
        return st, size

    def shape_style(self, cell: CellView, j: int, table_style: str | None) -> tuple[ParaStyle, float]:
        """:meth:`style` of paragraph ``j`` of a cell copied from a row shape, found once
        per shape (render/word/rows.py): its copies are formatted alike."""
        assert cell.shape is not None
        program, i = cell.shape
        key = (program, i, j, table_style)
        found = self.styles.memo.get(key)
        if found is None:
            found = self.styles.memo[key] = self.style(program.paragraph(i, j), table_style)
        return found  # type: ignore[no-any-return]

    def _shape_metrics(
        self, cell: CellView, j: int, table_style: str | None, width: float
    ) -> tuple[float, tuple[float, float, float], tuple[float, float, float]]:
        """What :meth:`heights` and :meth:`_line` work out for paragraph ``j`` of a copy of a
        row shape at ``width``, but for the text: the line's width in ems, and (line height,
        space before, space after) for a text holding CJK and for one that does not."""
        assert cell.shape is not None
        program, i = cell.shape
        key = (program, i, j, table_style, width, "metrics")
        found = self.styles.memo.get(key)
        if found is None:
            st, size = self.shape_style(cell, j, table_style)
            first = st.first_chars * size if st.first_chars is not None else st.first
            usable = max(width - st.left - st.right, size)
            w_em = usable / size - max(first, 0) / size
            kinds = []
            for sample in ("中", "a"):
                line = self._line(sample, size, st)
                before = st.before_lines * line if st.before_lines is not None else st.before
                after = st.after_lines * line if st.after_lines is not None else st.after
                kinds.append((line, before, after))
            found = self.styles.memo[key] = (w_em, kinds[0], kinds[1])
        return found  # type: ignore[no-any-return]

    def heights(self, st: ParaStyle, size: float, text: str, width: float) -> list[float]:
        first = st.first_chars * size if st.first_chars is not None else st.first
        usable = max(width - st.left - st.right, size)
        parts = text.split("\f")
        line = self._line(text, size, st)
        heights = []
        for k, part in enumerate(parts):
            lines = 0
            for para in part.split("\n"):
                lines += lines_of(para, usable / size - max(first, 0) / size) if para else 1  # wrapped once per text and width
            if not part and k and k == len(parts) - 1:
                lines = 1  # the paragraph mark after a page break
            before = st.before_lines * line if st.before_lines is not None else st.before
            after = st.after_lines * line if st.after_lines is not None else st.after
            heights.append(before * (k == 0) + lines * line + after * (k == len(parts) - 1))
        return heights

    def _line(self, text: str, size: float, st: ParaStyle) -> float:
        natural = line_height(text or "中", size)
        if st.line_rule == "exact":
            return st.line
        if st.line_rule == "atLeast":
            return max(st.line, natural)
        return natural * st.line

    def copy_facts(
        self, cell: CellView, width: float, table_style: str | None, margins: tuple[float, float, float, float]
    ) -> tuple[float, float, float, list[tuple[bool, float, tuple[float, float, float], tuple[float, float, float]]]]:
        """What :meth:`cell` works out for a copy of a row shape at ``width`` but for its
        texts, the same for every copy of the cell: (top and bottom margin, inner width, and for
        each paragraph whether it prints its texts alone and its :meth:`_shape_metrics`).
        Found once per render for each cell of a shape, width, table style and margins
        (render/word/rows.py): a form's tables are copies of a few template tables."""
        assert cell.shape is not None
        program, i = cell.shape
        key = (program, i, width, table_style, margins)
        found = self.styles.memo.get(key)
        if found is None:
            found = self.styles.memo[key] = self._copy_facts(cell, width, table_style, margins)
        return found  # type: ignore[no-any-return]

    def _copy_facts(
        self, cell: CellView, width: float, table_style: str | None, margins: tuple[float, float, float, float]
    ) -> tuple[float, float, float, list[tuple[bool, float, tuple[float, float, float], tuple[float, float, float]]]]:
        assert cell.shape is not None
        top, left, bottom, right = margins
        program, i = cell.shape
        mar = program.margins(i)
        if mar is not None:
            own = {"top": top, "left": left, "bottom": bottom, "right": right}
            read_margins(mar, own)
            top, left, bottom, right = own["top"], own["left"], own["bottom"], own["right"]
        inner = max(width - left - right, 6.0)
        paras = [(program.plain(i, j), *self._shape_metrics(cell, j, table_style, inner)) for j in range(len(program.cell_layout(i)[1]))]
        return top, bottom, inner, paras  # type: ignore[return-value]

    def copy_cell(
        self,
        cell: CellView,
        facts: tuple[float, float, float, list[tuple[bool, float, tuple[float, float, float], tuple[float, float, float]]]],
        table_style: str | None,
    ) -> tuple[float, str, float]:
        """:meth:`cell` of a copy of a row shape, as the shape was (no XML read), from its
        :meth:`copy_facts`."""
        top, bottom, inner, paras = facts
        total, texts, line = 0.0, [], 0.0
        for j, (text, (plain, w_em, cjk, latin)) in enumerate(zip(cell.texts, paras, strict=True)):
            if not plain:
                text = _para_text(cell.paras[j])
            if "\n" in text or "\f" in text:
                st, size = self.shape_style(cell, j, table_style)
                total += sum(self.heights(st, size, text, inner))
                here = self._line(text, size, st)
            else:  # one line of text: heights() and _line() worked out once per shape and width
                here, before, after = cjk if has_wide(text or "中") else latin
                total += before + (lines_of(text, w_em) if text else 1) * here + after
            texts.append(text)
            line = max(line, here)
        return total + top + bottom, "\n".join(texts), line or 15.0

    def cell(self, cell: CellView, width: float, table_style: str | None, margins: tuple[float, float, float, float]) -> tuple[float, str, float]:
        """(height, text, line height) of a cell's content at its width."""
        if cell.shape is not None:  # a copy of a row shape, as the shape was: no XML read
            return self.copy_cell(cell, self.copy_facts(cell, width, table_style, margins), table_style)
        top, left, bottom, right = margins
        tc = cell.tc
        tcpr = cell.tcpr
        mar = first_child(tcpr, _W_TCMAR) if tcpr is not None else None
        if mar is not None:
            own = {"top": top, "left": left, "bottom": bottom, "right": right}
            read_margins(mar, own)
            top, left, bottom, right = own["top"], own["left"], own["bottom"], own["right"]
        inner = max(width - left - right, 6.0)
        total, texts, line = 0.0, [], 0.0
        for el in tc if cell.odd else cell.paras:
            if el.tag == _W_P:
                hs, _st, text, ln = self.paragraph(el, inner, table_style)
                total += sum(hs)
                texts.append(text)
                line = max(line, ln)
            elif el.tag == _W_TBL:  # a table in a cell: its rows' text, roughly
                for p in el.iter(_W_P):
                    hs, _st, text, ln = self.paragraph(p, inner / 2, table_style)
                    total += sum(hs)
        return total + top + bottom, "\n".join(texts), line or 15.0


_W_TBLGRID, _W_GRIDCOL, _W_W = qn("w:tblGrid"), qn("w:gridCol"), qn("w:w")


def _grid(tbl: etree._Element) -> list[float]:
    """The grid's column widths in points (the passes over a table read it four times; no
    ElementPath: a county round's forms have 15 tables each)."""
    grid = first_child(tbl, _W_TBLGRID)
    return [int(c.get(_W_W, "0")) / 20 for c in grid.iterchildren(_W_GRIDCOL)] if grid is not None else []


_W_TRPR, _W_TCPR, _W_VAL, _W_TCMAR = qn("w:trPr"), qn("w:tcPr"), qn("w:val"), qn("w:tcMar")
_W_GRIDBEFORE, _W_GRIDSPAN, _W_VMERGE = qn("w:gridBefore"), qn("w:gridSpan"), qn("w:vMerge")


def row_cells(tr: etree._Element) -> list[tuple[int, int, etree._Element]]:
    col = 0
    trpr = first_child(tr, _W_TRPR)
    if trpr is not None:
        gb = first_child(trpr, _W_GRIDBEFORE)
        if gb is not None:
            col = int(gb.get(_W_VAL, "0"))
    out = []
    for tc in tr.iterchildren(_W_TC):
        tcpr = first_child(tc, _W_TCPR)
        gs = first_child(tcpr, _W_GRIDSPAN) if tcpr is not None else None
        span = int(gs.get(_W_VAL, "1")) if gs is not None else 1
        out.append((col, span, tc))
        col += span
    return out


def vmerge(tc: etree._Element) -> str | None:
    """'restart', 'continue' or None."""
    tcpr = first_child(tc, _W_TCPR)
    vm = first_child(tcpr, _W_VMERGE) if tcpr is not None else None
    if vm is None:
        return None
    return "restart" if vm.get(_W_VAL) == "restart" else "continue"


def _row_height_rule(trpr: etree._Element | None) -> tuple[float, str]:
    h = first_child(trpr, qn("w:trHeight")) if trpr is not None else None
    if h is None:
        return 0.0, "atLeast"
    return int(h.get(qn("w:val"), "0")) / 20, h.get(qn("w:hRule"), "atLeast")


def _is_heading_row(trpr: etree._Element | None) -> bool:
    return trpr is not None and is_on(first_child(trpr, qn("w:tblHeader")))


def _row_facts(row: RowView) -> tuple[tuple[float, str], bool | None]:
    """For a copy of a row shape (render/word/rows.py), found once on the shape: its height
    rule (no pass changes a copy's trHeight), and whether all its paragraphs keep with the
    next — None where a copy may differ (a cell of more than one paragraph, or one a
    paragraph is added to: a merged-away cell keeps its first paragraph's properties)."""
    program = row.program
    facts = program.memo.get("measure")
    if facts is None:
        shape = program.shape
        cells = [list(tc) for tc in shape.iterchildren(_W_TC)]
        single = all(len([ch for ch in kids if ch.tag == _W_P]) == 1 and kids[-1].tag == _W_P for kids in cells)
        facts = program.memo["measure"] = (
            _row_height_rule(first_child(shape, _W_TRPR)),
            _all_keep_next(shape) if single else None,
        )
    return facts  # type: ignore[no-any-return]


def _all_keep_next(tr: etree._Element) -> bool:
    ps = list(tr.iter(_W_P))
    for p in ps:
        ppr = first_child(p, qn("w:pPr"))
        if ppr is None or not is_on(first_child(ppr, qn("w:keepNext"))):
            return False
    return bool(ps)


def measure(
    body: etree._Element, styles: StyleSheet, page: Page, spec: PagesSpec, views: Mapping[etree._Element, TableView] | None = None
) -> Measured:
    """The body as units of layout: paragraphs (split at their page breaks) and table rows.
    ``views``: tables already read (render/word/table.py); the others are read here."""
    m = _Measurer(styles, page)
    out = Measured()
    views = views or {}
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
            view = views.get(el) or TableView(el)
            out.views[el] = view
            _measure_table(view, m, styles, out, wanted, page, spec.heading_rows)
    return out


def _measure_table(
    view: TableView, m: _Measurer, styles: StyleSheet, out: Measured, wanted: set[str], page: Page, heading_rows: int = 1
) -> None:
    tbl = view.tbl
    grid = _grid(tbl)
    tstyle = styles.table_style(tbl)
    margins = styles.table_cell_margins(tbl)
    rows = view.rows
    layouts: list[tuple[int, ...]] = []
    texts: list[str] = []
    base = len(out.pieces)
    open_spans: dict[int, int] = {}  # grid column -> index into out.spans
    span_units: dict[int, list[int]] = {}
    widths: dict[tuple[int, int], float] = {}  # (first column, span) -> width
    # per row shape (render/word/rows.py): its copies' columns, each cell's width and, for a cell
    # as the shape's, Measurer.copy_facts — no pass changes a copy's columns or spans
    plans: dict[Any, tuple[tuple[int, ...], list[float], list[Any]]] = {}
    for i, row in enumerate(rows):
        cells = row.cells
        program = row.program
        plan = plans.get(program) if program is not None else None
        if program is not None and plan is None:
            if grid:
                cell_widths = [sum(grid[col : col + span]) for col, span in zip(program.columns, program.spans, strict=True)]
            else:
                cell_widths = [page.width / max(len(cells), 1)] * len(cells)
            plan = plans[program] = (tuple(program.columns), cell_widths, [None] * len(cells))
        layouts.append(plan[0] if plan is not None else tuple(c.col for c in cells))
        own = 0.0
        row_text = []
        for j, cell in enumerate(cells):
            col, span = cell.col, cell.span
            if plan is not None:
                width = plan[1][j]
            elif grid:
                known = widths.get((col, span))
                if known is None:
                    known = widths[(col, span)] = sum(grid[col : col + span])
                width = known
            else:
                width = page.width / max(len(cells), 1)
            vm = cell.vm
            if vm == "continue":
                if col in open_spans:
                    out.spans[open_spans[col]].last = base + i
                continue
            if cell.shape is not None:  # a copy of a row shape: what is not its texts' found once per shape and width
                assert plan is not None
                if cell.shape[0] is not program:  # as a shape derived from the row's (rows.RowProgram.derived)
                    cell_facts = m.copy_facts(cell, width, tstyle, margins)
                else:
                    cell_facts = plan[2][j]
                    if cell_facts is None:
                        cell_facts = plan[2][j] = m.copy_facts(cell, width, tstyle, margins)
                h, text, line = m.copy_cell(cell, cell_facts, tstyle)
            else:
                h, text, line = m.cell(cell, width, tstyle, margins)
            row_text.append(text)
            if vm == "restart":
                open_spans[col] = len(out.spans)
                out.spans.append(Span(base + i, base + i, h, line))
                out.span_cells.append((cell.tc, width - margins[1] - margins[3], cell_size(cell, styles, tstyle)))
                span_units.setdefault(col, []).append(base + i)
                continue
            open_spans.pop(col, None)
            own = max(own, h)
        shape_facts = _row_facts(row) if row.program is not None else None
        min_h, rule = shape_facts[0] if shape_facts is not None else _row_height_rule(row.trpr)
        height = min_h if rule == "exact" else max(own, min_h)
        text = "\n".join(row_text)
        texts.append(text)
        facts = shape_facts if not row.kept else None
        keep = facts[1] if facts is not None and facts[1] is not None else _all_keep_next(row.tr)
        out.pieces.append(_Piece(Unit(height + ROW_RULE, keep_next=keep), row.tr, tbl, i, text))
    # spans over one row are plain cells
    for s in out.spans:
        if s.first == s.last and s.first >= base:
            piece = out.pieces[s.first].unit
            piece.height = max(piece.height, s.need + ROW_RULE)
            s.need = 0.0
    # headings: the rows Word repeats (tblHeader, at the top), and those form.yaml names
    is_heading: list[bool] = []
    for row in rows:  # a heading row: tblHeader on it and on every row above
        is_heading.append((not is_heading or is_heading[-1]) and _is_heading_row(row.trpr))
    # a row form.yaml names as a heading (a cell's text, spaces aside, is one of them); a text
    # whose first character begins none of them is not one (most cells: asked cheaply, in one
    # regular expression: \s is what lstrip strips, and no first character is a space)
    firsts = {w[:1] for w in wanted}
    if not wanted:
        declared = [False] * len(rows)
    elif "" in firsts:  # an empty heading: every empty cell is one
        declared = [any(c.text().lstrip()[:1] in firsts and squash(c.text()) in wanted for c in row.cells) for row in rows]
    else:
        starts = re.compile(r"\s*(?:" + "|".join(re.escape(f) for f in sorted(firsts)) + ")")
        declared = [any(starts.match(text := c.text()) is not None and squash(text) in wanted for c in row.cells) for row in rows]
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
        out.heading_rows.append([rows[g].tr for g in group])
        last = group[-1]
        k = last + 1
        top_heading = is_heading[last]
        while k < len(rows) and not is_heading[k] and not declared[k]:
            if not top_heading and (layouts[k] != layouts[last] or not squash(texts[k])):
                break
            out.pieces[base + k].unit.under = h_index
            if k < last + heading_rows:  # pages.heading_rows: the first rows go with the heading
                out.pieces[base + k].unit.keep_next = True
            k += 1
        i = last + 1


def cell_size(cell: CellView, styles: StyleSheet, tstyle: str | None) -> float:
    """The font size of a cell's first paragraph (its first sized run's), measured once
    (once per row shape for the copies of one: render/word/rows.py)."""
    if cell.size is None:
        if cell.shape is not None and cell.shape[0].cell_layout(cell.shape[1])[1]:  # it has paragraphs, as its shape
            program, i = cell.shape
            key = (program, i, "size", tstyle)
            if key not in styles.memo:
                styles.memo[key] = _cell_size(program.paragraph(i, 0), styles, tstyle)
            cell.size = styles.memo[key]
        else:
            cell.size = _cell_size(cell.paras[0] if cell.paras else None, styles, tstyle)
    return cell.size


def _cell_size(p: etree._Element | None, styles: StyleSheet, tstyle: str | None) -> float:
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
    # a text holding none of the words' first characters holds none of the words (most pieces:
    # asked in one regular expression, not squashed)
    maybe = re.compile("|".join(sorted({re.escape(w[0]) for w in words})))
    marked = [maybe.search(p.text) is not None and any(w in squash(p.text) for w in words) for p in pieces]
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


# -- columns that fit their content (render/pages/fit.py) ----------------------------------------
def fit_table(view: TableView, styles: StyleSheet, spec: PagesSpec) -> None:
    """Move the table's column boundaries so that no number breaks inside and the columns
    form.yaml names are widened (``pages.widen``); the grid's total width stays."""
    from ..pages.fit import GridCell, fit_columns, widen_rules

    tbl = view.tbl
    grid_el = first_child(tbl, qn("w:tblGrid"))
    widths = _grid(tbl)
    if grid_el is None or len(widths) < 2:
        return
    tstyle = styles.table_style(tbl)
    _top, left, _bottom, right = styles.table_cell_margins(tbl)
    cells: list[GridCell] = []
    wanted = [(squash(w.column), squash(w.take_from), w.max_share) for w in spec.widen]
    # widen_rules reads the columns of the headings the rules name, each where its text is
    # first: only those are looked for, and no longer once all are found
    looked = {name for column, donor, _share in wanted for name in (column, donor)}
    named: dict[str, tuple[int, int]] = {}
    for r, row in enumerate(view.rows):
        for cell in row.cells:
            vm = cell.vm
            if vm == "continue":
                continue
            col, span = cell.col, cell.span
            texts = cell.texts
            text = texts[0] if len(texts) == 1 else "\n".join(texts)
            cells.append(GridCell(r, col, span, text, cell_size(cell, styles, tstyle), vm == "restart"))
            if looked:
                key = squash(text)
                if key in looked:
                    looked.discard(key)
                    named[key] = (col, col + span - 1)
    rules = widen_rules(named, wanted)
    new = fit_columns(widths, cells, left + right, rules)
    if all(abs(a - b) < 0.05 for a, b in zip(new, widths, strict=True)):
        return
    twips = [round(w * 20) for w in new]
    twips[-1] += round(sum(widths) * 20) - sum(twips)  # the table keeps its width exactly
    for gc, w in zip(grid_el.findall(qn("w:gridCol")), twips, strict=True):
        gc.set(qn("w:w"), str(w))


def align_amounts(view: TableView, styles: StyleSheet) -> None:
    """A column of amounts (two cells or more holding one number each: 110641.64, 9.87, 0)
    is aligned on the decimal point, the longest decimals at the cell's right edge: a
    decimal tab stop, which Word, WPS and LibreOffice align a cell's number on by itself
    (no tab character in the text). Centred, the points of 2026.9325 and 350 did not line
    up (issue 20 item 4)."""
    from ..pages.measure import is_amount, text_em

    tbl = view.tbl
    widths = _grid(tbl)
    if not widths:
        return
    tstyle = styles.table_style(tbl)
    _top, left, _bottom, right = styles.table_cell_margins(tbl)
    columns: dict[tuple[int, int], list[tuple[etree._Element, str, float, CellView]]] = {}
    for row in view.rows:
        for cell in row.cells:
            texts = cell.texts
            if len(texts) == 1:  # most cells: one paragraph
                if not texts[0].strip() or cell.vm == "continue":
                    continue
                k = 0
            else:
                if cell.vm == "continue" or len([x for x in texts if x.strip()]) != 1:
                    continue
                k = next(i for i, x in enumerate(texts) if x.strip())
            if is_amount(texts[k]):
                columns.setdefault((cell.col, cell.span), []).append((k, texts[k].strip(), cell_size(cell, styles, tstyle), cell))
    for (col, span), cells in columns.items():
        if len(cells) < 2:
            continue
        room = sum(widths[col : col + span]) - left - right
        tail = max(text_em("." + x.partition(".")[2]) * size if "." in x else 0.0 for _p, x, size, _c in cells)
        pos = room - tail - 1.0
        if pos <= max(text_em(x.partition(".")[0]) * size for _p, x, size, _c in cells):
            continue  # the numbers do not fit that way: leave them as the template sets them
        twips = round(pos * 20)
        for k, _x, _size, cell in cells:
            if cell.shape is not None and _tab_as_derived(cell, k, twips):
                continue
            _decimal_tab(cell.paras[k], twips)
            cell.shape = None  # no longer as its row shape


def _tab_as_derived(cell: CellView, k: int, pos: int) -> bool:
    """:func:`_decimal_tab` of paragraph ``k`` of a copy of a row shape, as its copy of a
    shape derived once per process (rows.RowProgram.derived): the paragraph's properties
    replaced by the derived shape's, already in the schema order strict.normalise_package
    would sort them into (the copy stays as a shape: measured and made strict once). False
    when no shape is derived."""
    assert cell.shape is not None
    program, i = cell.shape

    def change(shape: etree._Element) -> None:
        p = next(islice(shape.iterchildren(_W_TC), i, None)).getchildren()[program.cell_layout(i)[1][k]]
        _decimal_tab(p, pos)
        order_properties(first_child(p, _W_PPR))

    derived = program.derived(("decimal tab", i, k, pos), change)
    if derived is None:
        return False
    ppr = first_child(derived.paragraph(i, k), _W_PPR)
    p = cell.paras[k]
    old = first_child(p, _W_PPR)
    if old is None:
        p.insert(0, copy.deepcopy(ppr))
    else:
        p.replace(old, copy.deepcopy(ppr))
    cell.shape = (derived, i)
    return True


def _decimal_tab(p: etree._Element, pos: int) -> None:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = etree.Element(qn("w:pPr"))
        p.insert(0, ppr)
    for old in ppr.findall(qn("w:tabs")) + ppr.findall(qn("w:jc")) + ppr.findall(qn("w:ind")):
        ppr.remove(old)  # the tab stop places the number: no centring, no indent
    tabs = etree.SubElement(ppr, qn("w:tabs"))
    tab = etree.SubElement(tabs, qn("w:tab"))
    tab.set(qn("w:val"), "decimal")
    tab.set(qn("w:pos"), str(pos))
    jc = etree.SubElement(ppr, qn("w:jc"))
    jc.set(qn("w:val"), "left")


def template_labels(body: etree._Element) -> Labels:
    """The template's table cells that print the form's own words (render/pages/measure.py:
    label_pattern): the headings and labels :func:`keep_units` may break, never a clerk's text."""
    from ..pages.measure import Labels

    return Labels("".join(t.text or "" for t in tc.iter(_W_T)) for tc in body.iter(_W_TC))


def keep_units(view: TableView, styles: StyleSheet, labels: Labels) -> None:
    """A template label ending in a bracketed unit that would break inside it (预算金额（万 /
    元）) breaks before the bracket instead: a line break there (issue 20 item 4). Readers
    of the text see the label as it was (a w:br is no w:t)."""
    from ..pages.measure import unit_break

    tbl = view.tbl
    widths = _grid(tbl)
    if not widths:
        return
    tstyle = styles.table_style(tbl)
    _top, left, _bottom, right = styles.table_cell_margins(tbl)
    for row in view.rows:
        for cell in row.cells:
            if len(cell.texts) != 1 or cell.vm == "continue":  # a text per paragraph
                continue
            text = cell.texts[0]
            if text not in labels:
                continue
            col, span = cell.col, cell.span
            at = unit_break(text, sum(widths[col : col + span]) - left - right, cell_size(cell, styles, tstyle))
            if at is not None:
                _break_before(list(cell.paras[0].iter(_W_T)), at)
                cell.shape = None  # no longer as its row shape


def _break_before(texts: list[etree._Element], at: int) -> None:
    """A line break before character ``at`` of a paragraph's texts (its run split there)."""
    seen = 0
    for t in texts:
        text = t.text or ""
        if seen + len(text) <= at:
            seen += len(text)
            continue
        cut = at - seen
        run = t.getparent()
        if run is None or run.tag != _W_R:
            return
        tail = copy.deepcopy(run)
        for child in list(tail):
            if child.tag != qn("w:rPr"):
                tail.remove(child)
        tail.append(etree.Element(qn("w:br")))
        moved = etree.SubElement(tail, _W_T)
        moved.text = text[cut:]
        moved.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = text[:cut]
        # the rest of this run (after t) moves to the new run too
        for sibling in list(t.itersiblings()):
            run.remove(sibling)
            tail.append(sibling)
        run.addnext(tail)
        return

