"""Excel: the rows of an output sheet before it is laid out on pages (issue 9): where the
template rows went and room made for new ones (copied headings, continued text), the
merges worked out (the template's through :class:`RowMap`, and the keyed ones of the
``merge`` filter) and applied, each text cell measured (render/pages/measure.py), a cell needing
more than 409 points (Excel's highest row) continued in the rows below it, and the
columns fitted to their content (render/pages/fit.py).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from ...forms.spec import PagesSpec
from ...indicators import merge_spans
from ..pages.measure import line_height, split_lines, text_height
from .paper import column_points, page_height
from .sheet import RowMap

MAX_ROW_HEIGHT = 409.0  # Excel's highest row, in points
CELL_PADDING = 5.0  # points a cell adds to its lines of text
PAGE_FILL = 0.93  # heights and the scale are estimates: leave the application room

Ranges = dict[tuple[int, int], tuple[int, int]]  # (top row, left col) -> (bottom row, right col)
_new_merged = object.__new__
# StyleArray(style) (what copy() of a cell's style makes) without its Python __new__: a cell
# of a county round's sheets gets one or two
style_copy = partial(array.__new__, StyleArray, "i")


def squash(text: str) -> str:
    return "".join(text.split())


class _Merge(MergedCellRange):
    """A merged range without openpyxl's border bookkeeping (we style every cell ourselves)."""

    def __init__(self, worksheet: Worksheet, c1: int, r1: int, c2: int, r2: int):
        self.ws = worksheet
        if not (1 <= c1 <= c2 <= 18278 and 1 <= r1 <= r2 <= 1048576):  # what CellRange's checks say
            CellRange.__init__(self, min_col=c1, min_row=r1, max_col=c2, max_row=r2)
        # what CellRange.__init__ stores once its descriptors have checked the bounds (above):
        # no "A1:B2" to parse, no checks per merge (a tenth of the sheet's layout at 10,000 rows)
        self.__dict__.update(min_col=c1, min_row=r1, max_col=c2, max_row=r2, title=None)
        self.start_cell = None


class TemplateFacts:
    """What the layout reads of a template sheet alone — its texts, each row's first text
    (a ``{%tr %}`` tag), its labels (:class:`Labels`), the rows a form keeps with the next —
    read once per process for every sheet made from it (issue 23: a county round read them
    again for each of its 750 sheets). Holds texts only, nothing of the workbook."""

    def __init__(self, src: Worksheet):
        from ..pages.measure import Labels

        self.texts: dict[tuple[int, int], str] = {
            rc: v for rc, cell in src._cells.items() if isinstance(v := cell.value, str)
        }
        firsts: dict[int, tuple[int, str]] = {}
        for (r, c), v in self.texts.items():
            if v.strip() and (r not in firsts or c < firsts[r][0]):
                firsts[r] = (c, v)
        self.first_texts = {r: v for r, (_c, v) in firsts.items()}  # row -> its first text not blank
        self.labels = Labels(self.texts.values())
        self.is_label: dict[str, bool] = {}  # a text -> whether it is one of the labels (keep_units)
        self._marked: dict[tuple[str, ...], frozenset[int]] = {}

    def marked(self, words: tuple[str, ...]) -> frozenset[int]:
        """The rows with a text holding one of ``words`` (form.yaml ``pages.keep_with_next``)."""
        rows = self._marked.get(words)
        if rows is None:
            rows = self._marked[words] = frozenset(r for (r, _c), v in self.texts.items() if any(w in v for w in words))
        return rows


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
    continued: set[int] = field(default_factory=set)  # rows whose text goes on in the rows below, and those rows
    # what merge_ranges() and needs() worked out, kept until the rows change (issue 23 item 2:
    # the merges were worked out three times and every text measured twice per sheet)
    version: int = 0
    _ranges: tuple[int, Ranges] | None = None
    _needs: tuple[int, tuple[tuple[int, float], ...], list[CellNeed]] | None = None
    _shown: tuple[int, list[tuple[int, int, int, int, Any, float]]] | None = None
    facts: TemplateFacts | None = None  # what the template sheet holds, read once per process
    _row_map: tuple[int, RowMap] | None = None

    def template_facts(self) -> TemplateFacts:
        if self.facts is None:
            self.facts = TemplateFacts(self.src)
        return self.facts

    def changed(self) -> None:
        """Rows, cells or merge keys changed: what was worked out from them is done again."""
        self.version += 1

    def texts_changed(self) -> None:
        """Some texts changed, in cells that keep a value, their place and their merges:
        only what was measured of the texts is measured again (the merges and the cells
        shown stay as worked out)."""
        self._needs = None

    def row_map(self) -> RowMap:
        """Where the template rows went (:class:`RowMap`), made once until the rows change
        (the merges, the layout and the sheet's settings each asked for it)."""
        if self._row_map is None or self._row_map[0] != self.version:
            self._row_map = (self.version, RowMap(self.emitted, self.tag_pos, self.src.max_row, self.out_rows))
        return self._row_map[1]

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
        held = ws.row_dimensions
        dims = list(held.items())
        held.clear()  # the dimensions again in their order, at their new rows
        for r, dim in dims:
            at = new(r)
            dim.__dict__["index"] = at  # what dim.index = at stores (an int: no check to make)
            held[at] = dim
        self.keys = {(new(r), c): k for (r, c), k in self.keys.items()}
        self.emitted = {t: [new(r) for r in rs] for t, rs in self.emitted.items()}
        self.tag_pos = {
            t: (new(p) - before.get(p, 0) if t in self.tag_starts else new(p)) for t, p in self.tag_pos.items()
        }
        self.copies = {new(r): new(s) for r, s in self.copies.items()}
        self.repeated = [new(r) for r in self.repeated]
        self.relabelled = [(new(r), c) for r, c in self.relabelled]
        self.continued = {new(r) for r in self.continued}
        self.out_rows += counts[-1]
        self.changed()
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
        self.changed()

    # -- merges -----------------------------------------------------------------------
    def merge_ranges(self) -> Ranges:
        """The template's merges at the output rows, the copied rows' merges, and the
        vertical merges of equal keys (which take in a template merge in their rows);
        worked out once until the rows change (a copy: callers may change it)."""
        if self._ranges is None or self._ranges[0] != self.version:
            self._ranges = (self.version, self._merge_ranges())
        return dict(self._ranges[1])

    def needs(self, widths: dict[int, float]) -> list[CellNeed]:
        """:func:`cell_needs` of the rows' own merges, measured once until the rows change."""
        key = tuple(sorted(widths.items()))
        if self._needs is None or self._needs[:2] != (self.version, key):
            self._needs = (self.version, key, cell_needs(self, self.merge_ranges(), widths))
        return self._needs[2]

    def shown_cells(self) -> list[tuple[int, int, int, int, Any, float]]:
        """(row, col, bottom row, right col, cell, font size) of every cell with a value that
        shows — not under another's merge, not below the rows written —, in the sheet's
        order: one walk over the cells for the column fitting and the measuring, until the
        rows change (issue 23 item 2: each walked every cell and worked out the merges' hidden
        cells on its own)."""
        if self._shown is None or self._shown[0] != self.version:
            ranges = self.merge_ranges()
            hidden = hidden_cells(ranges)
            out = []
            n = self.out_rows
            sizes: dict[int, float] = {}  # font id -> size
            for (r, c), cell in self.ws._cells.items():
                if cell._value is None or r > n or (r, c) in hidden:
                    continue
                r2, c2 = ranges.get((r, c), (r, c))
                font = getattr(cell._style, "fontId", None)  # a cell may have no style at all
                size = sizes.get(font) if font is not None else None
                if size is None:
                    size = font_size(cell)
                    if font is not None:
                        sizes[font] = size
                out.append((r, c, r2, c2, cell, size))
            self._shown = (self.version, out)
        return self._shown[1]

    def _merge_ranges(self) -> Ranges:
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
            ws.merged_cells.ranges.add(_Merge(ws, c1, r1, c2, r2))
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        cell: Any = _new_merged(MergedCell)  # what MergedCell(ws, r, c) makes, directly
                        cell.parent, cell.row, cell.column = ws, r, c
                        ws._cells[(r, c)] = cell
                    else:
                        cell = ws._cells[(r, c)]
                    cell._style = style_copy(style)  # what copy() makes, without the copy module


# -- measuring ----------------------------------------------------------------------------
def font_size(cell: Any) -> float:
    if cell is None:
        return 11.0
    try:  # the font by its id: cell.font makes a proxy object per call
        font = cell.parent.parent._fonts[cell._style.fontId]
    except (AttributeError, IndexError):
        font = cell.font
    return float(font.sz or 11) if font is not None else 11.0


def _text_width(widths: dict[int, float], c1: int, c2: int) -> float:
    """Points a cell's text may use across columns c1..c2 (the cell's margins and a 5 %
    reserve for printed fonts taken off)."""
    pts = sum(column_points(widths.get(c, 0.0)) for c in range(c1, c2 + 1))
    return max(pts - 7.5, 5.0) * 0.95


@dataclass
class CellNeed:
    row: int
    col: int
    bottom: int
    right: int
    points: float
    text: str
    width: float
    size: float


# the heights of texts measured in this process: (text, width, font size) -> points. The
# sheets of a template print its labels again and again (each of a round's departments,
# each of a department's projects): measured once, not once per sheet (text_height is a
# function of the three alone)
_MEASURED: dict[tuple[str, float, float], float] = {}
_MEASURED_KEPT = 1 << 16
_BREAKS: dict[tuple[str, float, float], int | None] = {}  # keep_units' unit_break, per process


def cell_needs(rows: SheetRows, ranges: Ranges, widths: dict[int, float]) -> list[CellNeed]:
    """What each text cell needs: its text height in the width of its (merged) cell."""
    if ranges == rows.merge_ranges():  # the rows' own merges: their cells as walked once
        shown = rows.shown_cells()
    else:
        shown = _shown_cells(rows, ranges)
    out = []
    room: dict[tuple[int, int], float | None] = {}  # (left, right column) -> the text's width, None: hidden
    measured = _MEASURED  # a text measured once in each width and size, per process
    if len(measured) > _MEASURED_KEPT:
        measured.clear()
    for r, c, r2, c2, cell, size in shown:
        if not isinstance(cell, Cell):
            continue
        if (c, c2) not in room:
            shows = any(widths.get(k, 0.0) for k in range(c, c2 + 1))
            room[(c, c2)] = _text_width(widths, c, c2) if shows else None
        width = room[(c, c2)]
        if width is None:
            continue  # a hidden column: nothing of it shows
        text = str(cell.value)
        key = (text, width, size)
        points = measured.get(key)
        if points is None:
            points = measured[key] = text_height(text, width, size, CELL_PADDING)
        out.append(CellNeed(r, c, r2, c2, points, text, width, size))
    return out


def hidden_cells(ranges: Ranges) -> set[tuple[int, int]]:
    """The cells under merges (every cell of a range but its first)."""
    return {
        (r, c)
        for (r1, c1), (r2, c2) in ranges.items()
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }


def _shown_cells(rows: SheetRows, ranges: Ranges) -> list[tuple[int, int, int, int, Any, float]]:
    """:meth:`SheetRows.shown_cells` for other merges than the rows' own."""
    hidden = hidden_cells(ranges)
    out = []
    for (r, c), cell in rows.ws._cells.items():
        if cell._value is None or r > rows.out_rows or (r, c) in hidden:
            continue
        r2, c2 = ranges.get((r, c), (r, c))
        out.append((r, c, r2, c2, cell, font_size(cell)))
    return out


def base_heights(rows: SheetRows) -> list[float]:
    """Each row's height before its texts: the template's (a minimum), else the default."""
    # the template's default: the output sheet gets the template's settings only after the layout
    default = float(rows.src.sheet_format.defaultRowHeight or 15)
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
    page = page_height(rows.src, rows.max_col, widths)
    # rows of at most half a page, so that two fill one (409 points would leave pages half empty)
    tallest = min(MAX_ROW_HEIGHT, page * PAGE_FILL / 2 - 8) if page else MAX_ROW_HEIGHT
    chunks: dict[int, dict[int, list[str]]] = {}
    for need in rows.needs(widths):
        if need.bottom != need.row or need.points <= MAX_ROW_HEIGHT:
            continue
        line = line_height(need.text, need.size)
        per_row = max(int((tallest - CELL_PADDING - 4) // line), 1)
        parts, rest = [], need.text
        while rest:
            head, rest = _cut(rest, need.width, need.size, per_row)
            if not head and rest:  # nothing fits (cannot happen with a positive width)
                head, rest = rest, ""
            parts.append(head)
        chunks.setdefault(need.row, {})[need.col] = parts
    _continue(rows, chunks)


def _cut(text: str, width: float, size: float, lines: int) -> tuple[str, str]:
    """``text`` cut after ``lines`` printed lines; a cut between two paragraphs keeps their
    newline at the end of the first part, so that a reader joining the parts gets the text
    back (two goals ran together); goaldoc import joins them so."""
    head, rest = split_lines(text, width, size, lines)
    if head and rest and text.startswith(head + "\n"):
        head += "\n"
    return head, rest


def split_row(rows: SheetRows, widths: dict[int, float], row: int, room: float) -> bool:
    """Row ``row``, too tall for the ``room`` points left on its page, continues in a row
    below: its tall texts are cut after the lines that fit ``room`` (the rest continued, at
    most half a page a row), its other cells merged down beside them — so the page before
    is filled and a page break falls between the parts (issue 20: a key task of 350 points
    left every page half empty). False when nothing of it can be cut."""
    ranges = rows.merge_ranges()
    page = page_height(rows.src, rows.max_col, widths)
    tallest = min(MAX_ROW_HEIGHT, page * PAGE_FILL / 2 - 8) if page else MAX_ROW_HEIGHT
    chunks: dict[int, list[str]] = {}
    for need in cell_needs(rows, ranges, widths):
        if need.row != row or need.bottom != row or need.points <= room:
            continue
        line = line_height(need.text, need.size)
        first = int((room - CELL_PADDING - 4) // line) - 1  # a line for the newline _cut may keep
        if first < 2:
            return False
        head, rest = _cut(need.text, need.width, need.size, first)
        if not head or not rest:
            return False
        parts = [head]
        per_row = max(int((tallest - CELL_PADDING - 4) // line), 1)
        while rest:
            part, rest = _cut(rest, need.width, need.size, per_row)
            if not part and rest:
                part, rest = rest, ""
            parts.append(part)
        chunks[need.col] = parts
    if not chunks:
        return False
    _continue(rows, {row: chunks})
    return True


def _continue(rows: SheetRows, chunks: dict[int, dict[int, list[str]]]) -> None:
    """Each row's cut texts (row -> column -> parts) written into new rows below it; the
    row's other texts (its labels, its amount) merged down beside them."""
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
        rows.continued.update(range(top, top + extra[r] + 1))
        for c, parts in cols.items():
            for k, part in enumerate(parts):
                cell = rows.ws.cell(top + k, c)
                cell.value = part or None
                if k:  # marked like a long label's rest: a reader joins it to the part above
                    rows.relabelled.append((top + k, c))
    rows.changed()


# -- columns that fit their content (render/pages/fit.py) ----------------------------------------
def shown_text(cell: Any) -> str:
    """A cell's text as Excel shows it (a number by its number format: 0.00, #,##0.00)."""
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    fmt = cell.number_format or "General"
    fmt, _, pad = fmt.partition("_")  # _0 / _. : room for the decimals a number lacks (its width)
    places = len(fmt.partition(".")[2]) if "." in fmt else 0
    text = f"{value:,.{places}f}" if "," in fmt else f"{value:.{places}f}"
    room = ("_" + pad).replace("_", "") if pad else ""
    return text + room if fmt != "General" else (str(value) if isinstance(value, int) else f"{value:.10g}")


def fit_sheet_columns(rows: SheetRows, widths: dict[int, float], spec: PagesSpec) -> dict[int, float]:
    """The sheet's column widths (characters) with boundaries moved so that no number is
    wider than its column and the columns ``pages.widen`` names get room (render/pages/fit.py)."""
    from ..pages.fit import GridCell, fit_columns, widen_rules

    cols = list(range(1, rows.max_col + 1))
    if len(cols) < 2:
        return widths
    cells: list[GridCell] = []
    named: dict[str, tuple[int, int]] = {}
    seen: set[str] = set()
    for r, c, r2, c2, cell, size in rows.shown_cells():
        text = cell._value
        if type(text) is not str:  # a number as Excel shows it (a text is shown as it is)
            text = shown_text(cell)
        cells.append(GridCell(r, c - 1, c2 - c + 1, text, size, r2 > r))
        if text not in seen:  # a heading's place: its first cell (a text seen before named it)
            seen.add(text)
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


def keep_units(rows: SheetRows, widths: dict[int, float]) -> None:
    """A wrapped label of the template ending in a bracketed unit that would break inside
    it (预算金额（万 / 元）) gets a line break before the bracket (issue 20 item 4); a
    clerk's text is never touched."""
    from ..pages.measure import unit_break

    facts = rows.template_facts()
    labels = facts.labels
    ranges = rows.merge_ranges()
    changed = False
    alignments = rows.ws.parent._alignments
    n = rows.out_rows
    is_label = facts.is_label  # a text's answer, found once per template sheet
    if len(is_label) > _MEASURED_KEPT:
        is_label.clear()
    wraps: dict[int, bool] = {}  # alignment id -> whether it wraps
    breaks = _BREAKS  # a label measured once per width and size, per process
    if len(breaks) > _MEASURED_KEPT:
        breaks.clear()
    room: dict[tuple[int, int], float] = {}  # (left, right column) -> the text's width
    sizes: dict[int, float] = {}  # font id -> size
    for (r, c), cell in rows.ws._cells.items():
        value = cell._value
        if not isinstance(value, str) or r > n:
            continue
        label = is_label.get(value)
        if label is None:
            label = is_label[value] = value in labels
        if not label:
            continue
        if cell._style is None:  # what reading cell.alignment leaves (a style of zeros)
            cell._style = StyleArray()
        a = cell._style.alignmentId
        wrap = wraps.get(a)
        if wrap is None:
            wrap = wraps[a] = bool(alignments[a].wrap_text)
        if not wrap:
            continue
        _r2, c2 = ranges.get((r, c), (r, c))
        width = room.get((c, c2))
        if width is None:
            width = room[(c, c2)] = _text_width(widths, c, c2)
        font = cell._style.fontId
        size = sizes.get(font)
        if size is None:
            size = sizes[font] = font_size(cell)
        key = (value, width, size)
        at = breaks[key] if key in breaks else breaks.setdefault(key, unit_break(*key))
        if at is not None:
            cell.value = value[:at] + "\n" + value[at:]
            changed = True
    if changed:  # texts changed (in cells that keep a value and their merges): measured again
        rows.texts_changed()


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

