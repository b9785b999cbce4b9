"""Excel: an output sheet laid out on its printed pages (issue 9).

The writer (excel/workbook.py) has put every row's cells into the sheet (render/excel/rows.py: the
rows, their merges and heights, text continued below a cell taller than 409 points). Here:

1. every row is measured (render/pages/measure.py) and the sheet is laid out on pages by
   render/pages/paginate.py, with the form's rules: the column headings of a table
   (form.yaml ``pages.headings``, or the sheet's print titles) stay with the rows under
   them; the signature block stays with the last rows of its table; a row the template
   marks (``pages.keep_with_next``) stays with the next;
2. the layout is made the sheet's: a manual page break where each page starts, the table's
   heading rows copied to the top of every page its rows continue on (print titles are one
   range per sheet, and a sheet holds several tables), and a merged label cut by a break
   split in two, its text printed again in the part on the next page (or, for a label
   longer than a quarter of a page, continued there).

Print titles the admin set stay Excel's own: a heading that is one is not copied.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ...forms.spec import PagesSpec
from ..pages.measure import line_height, opening, split_lines
from ..pages.paginate import Heading, Layout, Span, Unit, paginate
from .paper import page_height
from .rows import (
    CELL_PADDING,
    MAX_ROW_HEIGHT,
    PAGE_FILL,
    CellNeed,
    Ranges,
    SheetRows,
    base_heights,
    split_row,
    squash,
)

_FOR_TAG = re.compile(r"^\s*\{%-?\s*tr\s+for\s")
REPEAT_NAME = "_GoaldocRepeat"  # hidden names: heading rows printed again, labels merged again
LABEL_NAME = "_GoaldocLabel"


# -- pages --------------------------------------------------------------------------------
@dataclass
class _Plan:
    units: list[Unit]
    headings: list[Heading]
    spans: list[Span]
    span_cells: list[CellNeed]
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
    heights = base_heights(rows)
    spans: list[Span] = []
    span_cells: list[CellNeed] = []
    for need in rows.needs(widths):
        if need.bottom == need.row:
            if heights[need.row]:
                heights[need.row] = max(heights[need.row], min(need.points, MAX_ROW_HEIGHT))
        else:
            spans.append(Span(need.row - 1, need.bottom - 1, need.points, line_height(need.text, need.size)))
            span_cells.append(need)
    # one walk over the cells: which rows are empty, each row's texts (squashed, each distinct
    # text once), and the rows holding a heading form.yaml names
    empty = [True] * (n + 1)
    texts: dict[int, str] = {}
    wanted = {squash(h) for h in spec.headings}
    is_heading = [False] * (n + 1)
    squashed: dict[str, str] = {}
    max_col = rows.max_col
    for (r, c), cell in rows.ws._cells.items():
        value = cell._value  # (a merged cell's is None)
        if r > n or value is None:
            continue
        text = str(value)
        sq = squashed.get(text)
        if sq is None:
            sq = squashed[text] = squash(text)
        if sq:  # squash() and strip() take off the same blanks
            empty[r] = False
            texts[r] = texts.get(r, "") + sq + "\n"
            if c <= max_col and sq in wanted:
                is_heading[r] = True
    units = [Unit(heights[r]) for r in range(1, n + 1)]

    # the admin's page breaks
    row_map = rows.row_map()
    for brk in rows.src.row_breaks.brk:
        at = row_map.end(int(brk.id or 0))
        if 0 < at < n:
            units[at].page_before = True

    # headings: the print titles (Excel repeats them), and the rows form.yaml names
    titles_rows = _print_titles(rows)
    layouts = _row_layouts(rows, ranges)
    native = [False] * (n + 1)
    if titles_rows:
        for r in range(max(titles_rows[0], 1), min(titles_rows[1], n) + 1):
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
            if k < last + spec.heading_rows:  # pages.heading_rows: the first rows go with the heading
                units[k - 1].keep_next = True
            k += 1
        r = last + 1

    # the row just above a {%tr for %} block heads the rows it repeats (任务名称 | 主要内容 |
    # 预算金额): it never ends a page, whatever pages.headings says (issue 20 item 2)
    for t in _loop_headings(rows):
        units[rows.emitted[t][0] - 1].keep_next = True

    # rows the form keeps with the next one (pages.keep_with_next: words of the template cell)
    if spec.keep_with_next:
        src_of = _template_rows(rows)
        marked = rows.template_facts().marked(tuple(spec.keep_with_next))
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


def _loop_headings(rows: SheetRows) -> list[int]:
    """Template rows written once just above a ``{%tr for %}`` tag row."""
    out = []
    firsts = rows.template_facts().first_texts
    for tag in rows.tag_starts:
        first = firsts.get(tag)
        if not (isinstance(first, str) and _FOR_TAG.match(first)):
            continue
        above = tag - 1
        if above >= 1 and above not in rows.tag_pos and len(rows.emitted.get(above, [])) == 1:
            out.append(above)
    return out


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
    layout = _paginate(plan, page)
    # a tall row the model moved to the next page, leaving a good part of this one empty,
    # is cut there instead (Excel never breaks a row): the page before is filled
    for _ in range(MAX_SPLITS):
        cut = _split_candidate(plan, layout, page, rows.continued)
        if cut is None or not split_row(rows, widths, *cut):
            break
        ranges = rows.merge_ranges()
        plan = plan_pages(rows, ranges, widths, spec)
        layout = _paginate(plan, page)
    rows.pages = layout.pages
    return _apply_layout(rows, plan, layout)


MAX_SPLITS = 50  # rows cut at a page foot in one sheet
SPLIT_TALL = 0.4  # a row taller than this part of a page may be cut at a page foot …
SPLIT_ROOM = 0.2  # … where at least this part of the page would be left empty


def _paginate(plan: _Plan, page: float) -> Layout:
    return paginate(
        plan.units,
        page,
        plan.headings,
        plan.spans,
        fill=PAGE_FILL,
        titles=plan.titles,
        titles_from=plan.titles_from,
        max_row=MAX_ROW_HEIGHT,
    )


def _split_candidate(plan: _Plan, layout: Layout, page: float, continued: set[int]) -> tuple[int, float] | None:
    """(row, points it may take on the page before) of the first tall row that starts a
    page the model broke before — alone, or after the heading kept with it — although a
    fifth of the page before stayed empty. A row already continued (409 points, or cut
    before) is not cut again: its parts are rows of their own."""
    n = len(plan.units)
    for i in sorted(layout.forced):
        k, kept = i, 0.0
        while plan.units[k].keep_next and k + 1 < n:  # a heading moves with the row
            kept += plan.heights[k + 1]
            k += 1
        if plan.units[k].keep_next or plan.units[k].heading is not None or plan.heights[k + 1] < page * SPLIT_TALL:
            continue
        if k + 1 in continued:
            continue
        if any(s.first <= k <= s.last and s.first != s.last for s in plan.spans) and k != i:
            continue  # inside a merged label the chain's break is the label's
        before = layout.page_of[i] - 1
        room = page * PAGE_FILL - layout.fill[before] - kept
        if room >= page * SPLIT_ROOM:
            return k + 1, room
    return None


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
    rows.changed()  # labels printed again after the breaks: texts and merges changed
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
    cut_at: dict[tuple[int, int], tuple[int | None, CellNeed]] = {}
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

    old_of = {new(r): r for r in range(1, len(plan.heights))}

    def room(a: int, b: int) -> float:
        """The height of output rows a..b as laid out (a label part's room)."""
        h = sum(plan.heights[old_of[r]] for r in range(a, b + 1) if r in old_of)
        for (first, last), extra in layout.grow.items():
            h += extra * sum(1 for u in range(first, last + 1) if a <= new(u + 1) <= b) / (last - first + 1)
        return h

    def relabel(prev_top: tuple[int, int], at: int, bottom: int, c: int, cell_at: Any) -> None:
        """The label part at rows ``at``..``bottom`` prints the label again (or its rest). A
        number (an amount) is never printed twice: SUM over the column would count it
        twice (issue 16 item 4); the texts that say whose row it is are (issue 20 item 2)."""
        head_lines, nd = cut_at.get((first_of.get(at, at), c), (None, None))
        prev = rows.ws.cell(*prev_top)
        if head_lines is not None and nd is not None and isinstance(prev.value, str):
            head, rest = split_lines(prev.value, nd.width, nd.size, head_lines)
            if not rest.strip():  # all of it printed before: its opening lines say whose row this is
                fits = int((room(at, bottom) - CELL_PADDING) // line_height(prev.value, nd.size))
                rest = opening(prev.value, nd.width, nd.size, fits)
            prev.value, cell_at.value = head or None, rest or None
        elif isinstance(prev.value, int | float) and not isinstance(prev.value, bool):
            cell_at.value = None
        else:
            cell_at.value = prev.value
        cell_at._style = copy(prev._style)
        if cell_at.row not in repeated:
            rows.relabelled.append((cell_at.row, c))

    out: Ranges = {}
    firsts = sorted(page_first)  # the page tops inside a range by bisection (a scan per range was quadratic)
    for (r1, c1), (r2, c2) in sorted(ranges.items()):
        inside = firsts[bisect.bisect_right(firsts, r1) : bisect.bisect_right(firsts, r2)]
        if not inside:
            out[(r1, c1)] = (r2, c2)
            continue
        bounds = [r1, *inside, r2 + 1]
        for k in range(len(bounds) - 1):
            a, b = bounds[k], bounds[k + 1] - 1
            if k:
                relabel((bounds[k - 1], c1), a, b, c1, rows.ws.cell(a, c1))
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
            bottom = out[(first, c)][0] if (first, c) in out else first  # (a scan of every range was quadratic)
            relabel(prev_top, first, bottom, c, rows.ws.cell(first, c))
    return out


def _set_heights(rows: SheetRows, heights: list[float], grow: dict[tuple[int, int], float], new: Callable[[int], int]) -> None:
    final = {new(r): heights[r] for r in range(1, len(heights))}
    for (first, last), extra in grow.items():
        share = extra / (last - first + 1)
        for u in range(first, last + 1):
            final[new(u + 1)] = final.get(new(u + 1), 0.0) + share
    for target, source in rows.copies.items():
        final.setdefault(target, final.get(source, 0.0))
    held = rows.ws.row_dimensions
    blank: dict[str, Any] | None = None
    for r, h in final.items():
        dim = held.get(r)
        if dim is None:  # a new dimension, as row_dimensions[r] makes it (RowDimension(ws), its index r)
            if blank is None:
                blank = dict(RowDimension(rows.ws).__dict__)  # None, False and 0: shared safely
            dim = held[r] = RowDimension.__new__(RowDimension)
            dim.__dict__.update(blank)
            dim.parent, dim._style = rows.ws, None
        elif dim.hidden:
            continue
        # what row_dimensions[r].height = … stores (its index set again, its height a float),
        # without the descriptors' checks of values that are an int and a float already
        dim.__dict__["index"] = r
        dim.__dict__["ht"] = float(min(math.ceil(h * 10) / 10, MAX_ROW_HEIGHT))


