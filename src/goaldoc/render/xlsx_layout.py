"""Excel: an output sheet's merges, row heights and printed pages (issue 9).

The writer (xlsx.py) has put every row's cells into the sheet and noted the merge keys of
the ``merge`` filter. Here:

1. merges are worked out: the template's (through :class:`RowMap`) and the keyed ones;
2. a cell whose text needs more than 409 points (Excel's highest row) continues in the
   rows below it, its row's other cells merged down beside it (issue 9 item 5);
3. every row is measured (render/measure.py) and the sheet is laid out on pages by
   render/paginate.py, with the form's rules: the column headings of a table
   (form.yaml ``pages.headings``, or the sheet's print titles) stay with the rows under
   them; the signature block stays with the last rows of its table; a row the template
   marks (``pages.keep_with_next``) stays with the next;
4. the layout is made the sheet's: a manual page break where each page starts, the table's
   heading rows copied to the top of every page its rows continue on (print titles are one
   range per sheet, and a sheet holds several tables), and a merged label cut by a break
   split in two, its text printed again in the part on the next page (or, for a label
   longer than a quarter of a page, continued there).

Print titles the admin set stay Excel's own: a heading that is one is not copied.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..forms.spec import PagesSpec
from ..indicators import merge_spans
from .measure import line_height, split_lines, text_height
from .pages import column_points, page_height
from .paginate import Heading, Layout, Span, Unit, paginate
from .xlsx_sheet import RowMap

MAX_ROW_HEIGHT = 409.0  # Excel's highest row, in points
REPEAT_NAME = "_GoaldocRepeat"  # hidden names: heading rows printed again, labels merged again
LABEL_NAME = "_GoaldocLabel"
CELL_PADDING = 5.0  # points a cell adds to its lines of text
PAGE_FILL = 0.93  # heights and the scale are estimates: leave the application room

Ranges = dict[tuple[int, int], tuple[int, int]]  # (top row, left col) -> (bottom row, right col)


def squash(text: str) -> str:
    return "".join(text.split())


class _Merge(MergedCellRange):
    """A merged range without openpyxl's border bookkeeping (we style every cell ourselves)."""

    def __init__(self, worksheet: Worksheet, coord: str):
        self.ws = worksheet
        CellRange.__init__(self, range_string=coord)
        self.start_cell = None


@dataclass
class SheetRows:
    """What the writer put into an output sheet: cells of rows 1..out_rows, merge keys,
    and where the template rows went (emitted, tag_pos: see RowMap)."""

    ws: Worksheet
    src: Worksheet
    max_col: int
    out_rows: int
    keys: dict[tuple[int, int], str]
    emitted: dict[int, list[int]]
    tag_pos: dict[int, int]
    tag_starts: set[int]
    copies: dict[int, int] = field(default_factory=dict)  # a copied row -> the row it copies
    pages: int = 1  # printed pages, once laid out
    repeated: list[int] = field(default_factory=list)  # heading rows printed again at a page top
    relabelled: list[tuple[int, int]] = field(default_factory=list)  # labels merged again there

    def row_map(self) -> RowMap:
        return RowMap(self.emitted, self.tag_pos, self.src.max_row, self.out_rows)

    def text(self, r: int, c: int) -> str:
        cell = self.ws._cells.get((r, c))
        return "" if cell is None or cell.value is None else str(cell.value)

    # -- rows -------------------------------------------------------------------------
    def insert(self, before: dict[int, int]) -> Callable[[int], int]:
        """Make room for ``before[r]`` new rows before output row r; returns where each old
        row went. Done before merges exist, so every cell is a plain Cell."""
        marks = sorted(before)
        counts = [0]
        for m in marks:
            counts.append(counts[-1] + before[m])

        def new(r: int) -> int:
            return r + counts[bisect.bisect_right(marks, r)]

        if not marks:
            return new
        ws = self.ws
        cells = {}
        for (r, c), cell in ws._cells.items():
            cell.row = new(r)
            cells[(cell.row, c)] = cell
        ws._cells = cells
        dims = list(ws.row_dimensions.items())
        for r, _dim in dims:
            del ws.row_dimensions[r]
        for r, dim in dims:
            dim.index = new(r)
            ws.row_dimensions[dim.index] = dim
        self.keys = {(new(r), c): k for (r, c), k in self.keys.items()}
        self.emitted = {t: [new(r) for r in rs] for t, rs in self.emitted.items()}
        self.tag_pos = {
            t: (new(p) - before.get(p, 0) if t in self.tag_starts else new(p)) for t, p in self.tag_pos.items()
        }
        self.copies = {new(r): new(s) for r, s in self.copies.items()}
        self.out_rows += counts[-1]
        return new

    def copy_row(self, source: int, target: int, values: bool = True) -> None:
        """Row ``target`` (empty, just inserted) made like row ``source``: styles, height,
        merge keys, and (``values``) its texts."""
        ws = self.ws
        for c in range(1, self.max_col + 1):
            cell = ws._cells.get((source, c))
            if cell is None:
                continue
            dst = ws.cell(target, c)
            if values:
                dst._value, dst.data_type = cell._value, cell.data_type
                if cell.hyperlink is not None:
                    dst.hyperlink = copy(cell.hyperlink)
            if cell.has_style:
                dst._style = copy(cell._style)
            if (source, c) in self.keys:
                self.keys[(target, c)] = self.keys[(source, c)]
        dim = ws.row_dimensions.get(source)
        if dim is not None:
            cp = copy(dim)
            cp.parent, cp.index = ws, target
            ws.row_dimensions[target] = cp
        self.copies[target] = self.copies.get(source, source)

    # -- merges -----------------------------------------------------------------------
    def merge_ranges(self) -> Ranges:
        """The template's merges at the output rows, the copied rows' merges, and the
        vertical merges of equal keys (which take in a template merge in their rows)."""
        rows = self.row_map()
        ranges: Ranges = {}
        for mr in self.src.merged_cells.ranges:
            for a, b in rows.merge_ranges(mr.min_row, mr.max_row):
                ranges[(a, mr.min_col)] = (b, mr.max_col)
        by_source: dict[int, list[int]] = {}
        for target, source in self.copies.items():
            by_source.setdefault(source, []).append(target)
        for (r1, c1), (r2, c2) in list(ranges.items()):
            if r1 == r2:
                for target in by_source.get(r1, []):
                    ranges.setdefault((target, c1), (target, c2))
            elif all(r in by_source for r in range(r1, r2 + 1)):  # a heading of several rows
                for k, target in enumerate(by_source[r1]):
                    if all(len(by_source[r]) > k and by_source[r][k] == target + r - r1 for r in range(r1, r2 + 1)):
                        ranges.setdefault((target, c1), (target + r2 - r1, c2))
        by_col: dict[int, dict[int, str]] = {}
        for (row, col), key in self.keys.items():
            by_col.setdefault(col, {})[row] = key
        for col, keyed in by_col.items():
            for start, length in merge_spans([keyed.get(r) for r in range(1, self.out_rows + 1)]):
                top, bottom = start + 1, start + length
                end_col = max(
                    (ranges.pop((r, col))[1] for r in range(top, bottom + 1) if (r, col) in ranges),
                    default=col,
                )
                ranges[(top, col)] = (bottom, end_col)
        return ranges

    def apply_merges(self, ranges: Ranges) -> None:
        """Merge the ranges. Every cell of a range gets the range's full style (borders
        included): Excel draws each cell's own border. The ranges are added directly, since
        merge_cells() first re-derives edge borders cell by cell, which costs more than the
        rest, and a set's .add() would scan every range (quadratic)."""
        ws = self.ws
        for (r1, c1), (r2, c2) in ranges.items():
            if (r1, c1) == (r2, c2):
                continue
            style = ws.cell(r1, c1)._style
            ws.merged_cells.ranges.add(_Merge(ws, f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"))
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        cell: Any = MergedCell(ws, r, c)
                        ws._cells[(r, c)] = cell
                    else:
                        cell = ws._cells[(r, c)]
                    cell._style = copy(style)


# -- measuring ----------------------------------------------------------------------------
def _font_size(cell: Any) -> float:
    return float(cell.font.sz or 11) if cell is not None and cell.font is not None else 11.0


def _text_width(widths: dict[int, float], c1: int, c2: int) -> float:
    """Points a cell's text may use across columns c1..c2 (the cell's margins and a 5 %
    reserve for printed fonts taken off)."""
    pts = sum(column_points(widths.get(c, 0.0)) for c in range(c1, c2 + 1))
    return max(pts - 7.5, 5.0) * 0.95


@dataclass
class _Need:
    row: int
    col: int
    bottom: int
    right: int
    points: float
    text: str
    width: float
    size: float


def _needs(rows: SheetRows, ranges: Ranges, widths: dict[int, float]) -> list[_Need]:
    """What each text cell needs: its text height in the width of its (merged) cell."""
    hidden = {
        (r, c)
        for (r1, c1), (r2, c2) in ranges.items()
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }
    out = []
    for (r, c), cell in rows.ws._cells.items():
        if not isinstance(cell, Cell) or cell.value is None or r > rows.out_rows or (r, c) in hidden:
            continue
        r2, c2 = ranges.get((r, c), (r, c))
        width = _text_width(widths, c, c2)
        if not any(widths.get(k, 0.0) for k in range(c, c2 + 1)):
            continue  # a hidden column: nothing of it shows
        text, size = str(cell.value), _font_size(cell)
        out.append(_Need(r, c, r2, c2, text_height(text, width, size, CELL_PADDING), text, width, size))
    return out


def _base_heights(rows: SheetRows) -> list[float]:
    """Each row's height before its texts: the template's (a minimum), else the default."""
    default = float(rows.ws.sheet_format.defaultRowHeight or 15)
    out = [0.0] * (rows.out_rows + 1)
    for r in range(1, rows.out_rows + 1):
        dim = rows.ws.row_dimensions.get(r)
        if dim is not None and dim.hidden:
            continue
        out[r] = float(dim.height) if dim is not None and dim.height else default
    return out


def continue_tall_cells(rows: SheetRows, widths: dict[int, float]) -> None:
    """A cell of one row whose text needs more than Excel's 409 points continues in new
    rows below it; the row's other texts (its label) are merged down beside them."""
    ranges = rows.merge_ranges()
    page = page_height(rows.src, rows.max_col, widths)
    # rows of at most half a page, so that two fill one (409 points would leave pages half empty)
    tallest = min(MAX_ROW_HEIGHT, page * PAGE_FILL / 2 - 8) if page else MAX_ROW_HEIGHT
    chunks: dict[int, dict[int, list[str]]] = {}
    for need in _needs(rows, ranges, widths):
        if need.bottom != need.row or need.points <= MAX_ROW_HEIGHT:
            continue
        line = line_height(need.text, need.size)
        per_row = max(int((tallest - CELL_PADDING - 4) // line), 1)
        parts, rest = [], need.text
        while rest:
            head, rest = split_lines(rest, need.width, need.size, per_row)
            if not head and rest:  # nothing fits (cannot happen with a positive width)
                head, rest = rest, ""
            parts.append(head)
        chunks.setdefault(need.row, {})[need.col] = parts
    if not chunks:
        return
    extra = {r: max(len(p) for p in cols.values()) - 1 for r, cols in chunks.items()}
    new = rows.insert({r + 1: n for r, n in extra.items() if n > 0})
    for r, cols in chunks.items():
        top = new(r)
        tall = set(cols)
        label_keys = {}
        for c in range(1, rows.max_col + 1):
            if c in tall or not rows.text(top, c):
                continue
            label_keys[c] = rows.keys.get((top, c)) or f"\ufdd2cont{top}:{c}"
            rows.keys[(top, c)] = label_keys[c]
        for k in range(1, extra[r] + 1):
            rows.copy_row(top, top + k, values=False)
            for c, key in label_keys.items():
                rows.keys[(top + k, c)] = key
        for c, parts in cols.items():
            for k, part in enumerate(parts):
                cell = rows.ws.cell(top + k, c)
                cell.value = part or None


# -- pages --------------------------------------------------------------------------------
@dataclass
class _Plan:
    units: list[Unit]
    headings: list[Heading]
    spans: list[Span]
    span_cells: list[_Need]
    titles: float
    titles_from: int
    heights: list[float]  # per row (index 0 unused)


def _row_layouts(rows: SheetRows, ranges: Ranges) -> list[tuple[int, ...]]:
    """Per row, the columns where its cells begin (a cell merged over rows counts in each)."""
    starts: dict[int, set[int]] = {}
    for (r1, c1), (r2, c2) in ranges.items():
        for r in range(r1, r2 + 1):
            starts.setdefault(r, set()).update(range(c1 + 1, c2 + 1))
    return [()] + [
        tuple(c for c in range(1, rows.max_col + 1) if c not in starts.get(r, ())) for r in range(1, rows.out_rows + 1)
    ]


def _print_titles(rows: SheetRows) -> tuple[int, int] | None:
    titles = rows.src.print_title_rows
    if not titles:
        return None
    a, b = (int(x.replace("$", "")) for x in titles.split(":"))
    out = [rows.emitted[r][0] for r in range(a, b + 1) if rows.emitted.get(r)]
    return (min(out), max(out)) if out else None


def _template_rows(rows: SheetRows) -> dict[int, int]:
    """Output row -> the template row it was written from."""
    out = {}
    for t, rs in rows.emitted.items():
        for r in rs:
            out[r] = t
    for target, source in rows.copies.items():
        out.setdefault(target, out.get(source, 0))
    return out


def plan_pages(rows: SheetRows, ranges: Ranges, widths: dict[int, float], spec: PagesSpec) -> _Plan:
    n = rows.out_rows
    heights = _base_heights(rows)
    spans: list[Span] = []
    span_cells: list[_Need] = []
    for need in _needs(rows, ranges, widths):
        if need.bottom == need.row:
            if heights[need.row]:
                heights[need.row] = max(heights[need.row], min(need.points, MAX_ROW_HEIGHT))
        else:
            spans.append(Span(need.row - 1, need.bottom - 1, need.points, line_height(need.text, need.size)))
            span_cells.append(need)
    empty = [True] * (n + 1)
    texts: dict[int, str] = {}
    for (r, _c), cell in rows.ws._cells.items():
        if r <= n and cell.value is not None and str(cell.value).strip():
            empty[r] = False
            texts[r] = texts.get(r, "") + squash(str(cell.value)) + "\n"
    units = [Unit(heights[r]) for r in range(1, n + 1)]

    # the admin's page breaks
    row_map = rows.row_map()
    for brk in rows.src.row_breaks.brk:
        at = row_map.end(int(brk.id or 0))
        if 0 < at < n:
            units[at].page_before = True

    # headings: the print titles (Excel repeats them), and the rows form.yaml names
    titles_rows = _print_titles(rows)
    wanted = {squash(h) for h in spec.headings}
    layouts = _row_layouts(rows, ranges)
    is_heading = [False] * (n + 1)
    native = [False] * (n + 1)
    for r in range(1, n + 1):
        cells = [squash(rows.text(r, c)) for c in range(1, rows.max_col + 1)]
        if wanted and any(c in wanted for c in cells if c):
            is_heading[r] = True
        if titles_rows and titles_rows[0] <= r <= titles_rows[1]:
            native[r] = True
    headings: list[Heading] = []
    r = 1
    while r <= n:
        if not (is_heading[r] or (native[r] and not empty[r] and _heads_rows(r, layouts, empty, n))):
            r += 1
            continue
        group = [r]
        while group[-1] + 1 <= n and (is_heading[group[-1] + 1] or native[group[-1] + 1]):
            group.append(group[-1] + 1)
        for g in group:
            units[g - 1].keep_next = True  # a heading never ends a page
        h_index: int | None = None
        if not any(native[g] for g in group):
            h_index = len(headings)
            for g in group:
                units[g - 1].heading = h_index
            headings.append(Heading([g - 1 for g in group], sum(heights[g] for g in group)))
        last = group[-1]
        k = last + 1
        while k <= n and not empty[k] and not is_heading[k] and layouts[k] == layouts[last]:
            if h_index is not None:
                units[k - 1].under = h_index
            k += 1
        r = last + 1

    # rows the form keeps with the next one (pages.keep_with_next: words of the template cell)
    if spec.keep_with_next:
        src_of = _template_rows(rows)
        marked = {
            t
            for t in range(1, rows.src.max_row + 1)
            if any(
                isinstance(v := getattr(rows.src._cells.get((t, c)), "value", None), str) and any(w in v for w in spec.keep_with_next)
                for c in range(1, rows.max_col + 1)
            )
        }
        for r in range(1, n + 1):
            if src_of.get(r) in marked:
                units[r - 1].keep_next = True

    _keep_signature(units, [texts.get(r, "") for r in range(0, n + 1)], empty, spec)

    titles = 0.0
    titles_from = -1
    if titles_rows:
        titles = sum(heights[r] for r in range(titles_rows[0], titles_rows[1] + 1))
        titles_from = titles_rows[1] - 1
    return _Plan(units, headings, spans, span_cells, titles, titles_from, heights)


def _heads_rows(r: int, layouts: list[tuple[int, ...]], empty: list[bool], n: int) -> bool:
    """A print-title row heads a table when the row after it has its cell layout."""
    return r + 1 <= n and not empty[r + 1] and layouts[r + 1] == layouts[r]


def _keep_signature(units: list[Unit], texts: list[str], empty: list[bool], spec: PagesSpec) -> None:
    """The signature block (rows with 单位负责人 …) stays whole, with the last
    ``signature_rows`` rows of the table above it (and the empty rows between)."""
    words = [squash(w) for w in spec.signature if w.strip()]
    if not words:
        return
    n = len(units)
    r = 1
    while r <= n:
        if not any(w in texts[r] for w in words):
            r += 1
            continue
        last = r
        k = r + 1
        while k <= n and (any(w in texts[k] for w in words) or (empty[k] and k + 1 <= n and any(w in texts[k + 1] for w in words))):
            last = k
            k += 1
        first = r
        while first - 1 >= 1 and empty[first - 1]:
            first -= 1
        kept = 0
        while kept < spec.signature_rows and first - 1 >= 1 and not empty[first - 1]:
            first -= 1
            kept += 1
        for j in range(first, last):
            units[j - 1].keep_next = True
        r = last + 1


@dataclass
class Pages:
    """A sheet laid out: the merges to make and the rows that start a page."""

    ranges: Ranges
    page_first: list[int]

    def add_marks(self, rows: SheetRows, title: str) -> None:
        """Hidden names saying what goaldoc printed again at its page breaks (heading rows,
        merged labels): what a program reading the sheet back needs to see its tables whole.
        Set once the sheet has its final title."""
        quoted = "'" + title.replace("'", "''") + "'"
        for name, refs in (
            (REPEAT_NAME, [f"{quoted}!${r}:${r}" for r in rows.repeated]),
            (LABEL_NAME, [f"{quoted}!${get_column_letter(c)}${r}" for r, c in rows.relabelled]),
        ):
            chunk: list[str] = []
            k = 0
            for ref in [*refs, None]:
                if ref is not None and sum(len(x) + 1 for x in chunk) + len(ref) < 8000:
                    chunk.append(ref)
                    continue
                if chunk:
                    k += 1
                    key = f"{name}{k}"
                    rows.ws.defined_names[key] = DefinedName(key, attr_text=",".join(chunk), hidden=True)
                chunk = [ref] if ref is not None else []

    def add_breaks(self, ws: Worksheet) -> None:
        """A manual break before each page (after the admin's own, which the sheet has)."""
        manual = {int(b.id) for b in ws.row_breaks.brk if b.id}
        for top in self.page_first:
            if top > 1 and top - 1 not in manual:
                ws.row_breaks.append(Break(id=top - 1))


def lay_out(rows: SheetRows, widths: dict[int, float], spec: PagesSpec) -> Pages:
    """Lay the sheet out on pages and make the layout the sheet's rows: heading rows copied,
    labels cut, row heights set, ``rows.pages`` counted."""
    ranges = rows.merge_ranges()
    plan = plan_pages(rows, ranges, widths, spec)
    page = page_height(rows.src, rows.max_col, widths)
    if page is None:  # fitted to a number of pages high: the application scales, no breaks
        _set_heights(rows, plan.heights, {}, lambda r: r)
        rows.pages = 1
        return Pages(ranges, [])
    layout = paginate(
        plan.units,
        page,
        plan.headings,
        plan.spans,
        fill=PAGE_FILL,
        titles=plan.titles,
        titles_from=plan.titles_from,
        max_row=MAX_ROW_HEIGHT,
    )
    rows.pages = layout.pages
    return _apply_layout(rows, plan, layout)


def _apply_layout(rows: SheetRows, plan: _Plan, layout: Layout) -> Pages:
    copies_before = {}
    for i, h in layout.repeat.items():
        copies_before[i + 1] = len(plan.headings[h].units)
    new = rows.insert(copies_before)
    page_first: list[int] = []  # the first row of every page after the first
    for i in layout.starts:
        top = new(i + 1)
        if i in layout.repeat:
            heading = plan.headings[layout.repeat[i]]
            top -= len(heading.units)
            for k, unit in enumerate(heading.units):
                rows.copy_row(new(unit + 1), top + k)
                rows.repeated.append(top + k)
        page_first.append(top)
    ranges = _cut_labels(rows, rows.merge_ranges(), page_first, plan, layout, new)
    _set_heights(rows, plan.heights, layout.grow, new)
    return Pages(ranges, page_first)


def _cut_labels(
    rows: SheetRows,
    ranges: Ranges,
    page_first: list[int],
    plan: _Plan,
    layout: Layout,
    new: Callable[[int], int],
) -> Ranges:
    """Split every merge that a page break cuts: its part on the next page prints the label
    again (a long label: the rest of its text). A merged label whose rows a repeated heading
    interrupts is cut there too (its keys on both sides are equal)."""
    cut_at: dict[tuple[int, int], tuple[int | None, _Need]] = {}
    for cut in layout.cuts:
        nd = plan.span_cells[cut.span]
        cut_at[(new(cut.at + 1), nd.col)] = (cut.head_lines, nd)
    repeated = set(rows.repeated)
    first_of = {}
    for top in page_first:
        first = top
        while first in repeated:
            first += 1
        first_of[top] = first

    def relabel(prev_top: tuple[int, int], at: int, c: int, cell_at: Any) -> None:
        """The label part starting at row ``at`` prints the label again (or its rest)."""
        head_lines, nd = cut_at.get((first_of.get(at, at), c), (None, None))
        prev = rows.ws.cell(*prev_top)
        if head_lines is not None and nd is not None and isinstance(prev.value, str):
            head, rest = split_lines(prev.value, nd.width, nd.size, head_lines)
            prev.value, cell_at.value = head or None, rest or None
        else:
            cell_at.value = prev.value
        cell_at._style = copy(prev._style)
        if cell_at.row not in repeated:
            rows.relabelled.append((cell_at.row, c))

    out: Ranges = {}
    for (r1, c1), (r2, c2) in sorted(ranges.items()):
        inside = [b for b in page_first if r1 < b <= r2]
        if not inside:
            out[(r1, c1)] = (r2, c2)
            continue
        bounds = [r1, *inside, r2 + 1]
        for k in range(len(bounds) - 1):
            a, b = bounds[k], bounds[k + 1] - 1
            if k:
                relabel((bounds[k - 1], c1), a, c1, rows.ws.cell(a, c1))
            out[(a, c1)] = (b, c2)
    # a label interrupted by the heading rows printed again above its next part
    tops = {}
    for (r1, c1), (r2, _c2) in out.items():
        for r in range(r1, r2 + 1):
            tops[(r, c1)] = (r1, c1)
    for top in page_first:
        first = first_of[top]
        if first == top or top < 2:
            continue
        for c in range(1, rows.max_col + 1):
            key = rows.keys.get((first, c))
            if key is None or rows.keys.get((top - 1, c)) != key or tops.get((first, c), (first, c)) != (first, c):
                continue  # not a label, or one merged across the heading rows (cut above)
            prev_top = tops.get((top - 1, c), (top - 1, c))
            relabel(prev_top, first, c, rows.ws.cell(first, c))
    return out


def _set_heights(rows: SheetRows, heights: list[float], grow: dict[tuple[int, int], float], new: Callable[[int], int]) -> None:
    final = {new(r): heights[r] for r in range(1, len(heights))}
    for (first, last), extra in grow.items():
        share = extra / (last - first + 1)
        for u in range(first, last + 1):
            final[new(u + 1)] = final.get(new(u + 1), 0.0) + share
    for target, source in rows.copies.items():
        final.setdefault(target, final.get(source, 0.0))
    for r, h in final.items():
        dim = rows.ws.row_dimensions.get(r)
        if dim is not None and dim.hidden:
            continue
        rows.ws.row_dimensions[r].height = min(math.ceil(h * 10) / 10, MAX_ROW_HEIGHT)


# -- columns that fit their content (render/fit.py) ----------------------------------------
def shown_text(cell: Any) -> str:
    """A cell's text as Excel shows it (a number by its number format: 0.00, #,##0.00)."""
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    fmt = cell.number_format or "General"
    places = len(fmt.partition(".")[2]) if "." in fmt else 0
    text = f"{value:,.{places}f}" if "," in fmt else f"{value:.{places}f}"
    return text if fmt != "General" else (str(value) if isinstance(value, int) else f"{value:.10g}")


def fit_sheet_columns(rows: SheetRows, widths: dict[int, float], spec: PagesSpec) -> dict[int, float]:
    """The sheet's column widths (characters) with boundaries moved so that no number is
    wider than its column and the columns ``pages.widen`` names get room (render/fit.py)."""
    from .fit import GridCell, fit_columns, widen_rules

    cols = list(range(1, rows.max_col + 1))
    if len(cols) < 2:
        return widths
    ranges = rows.merge_ranges()
    hidden = {
        (r, c)
        for (r1, c1), (r2, c2) in ranges.items()
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }
    cells: list[GridCell] = []
    named: dict[str, tuple[int, int]] = {}
    for (r, c), cell in rows.ws._cells.items():
        if cell.value is None or (r, c) in hidden or r > rows.out_rows:
            continue
        _r2, c2 = ranges.get((r, c), (r, c))
        text = shown_text(cell)
        cells.append(GridCell(r, c - 1, c2 - c + 1, text, _font_size(cell)))
        named.setdefault(squash(text), (c - 1, c2 - 1))
    rules = widen_rules(named, [(squash(w.column), squash(w.take_from), w.max_share) for w in spec.widen])
    points = [column_points(widths.get(c, 0.0)) for c in cols]
    if any(p == 0 for p in points):
        return widths  # a hidden column: leave the sheet as the admin set it
    new = fit_columns(points, cells, 10.0, rules)
    out = dict(widths)
    for c, pt in zip(cols, new, strict=True):
        if abs(pt - points[c - 1]) > 0.05:
            out[c] = round((pt / 0.75 - 5) / 7, 2)
    return out


def set_column_widths(ws: Worksheet, widths: dict[int, float], before: dict[int, float]) -> None:
    """Write the changed widths into the sheet (a <col> range is split where it changes)."""
    changed = [c for c, w in widths.items() if abs(w - before.get(c, w)) >= 0.01]
    for key, dim in list(ws.column_dimensions.items()):
        lo = dim.min or 0
        hi = dim.max or lo
        if hi > lo and any(lo <= c <= hi for c in changed):
            del ws.column_dimensions[key]
            for k in range(lo, hi + 1):
                cp = copy(dim)
                cp.index, cp.min, cp.max = get_column_letter(k), k, k
                ws.column_dimensions[cp.index] = cp
    for c in changed:
        dim = ws.column_dimensions[get_column_letter(c)]
        dim.width, dim.min, dim.max = widths[c], c, c
