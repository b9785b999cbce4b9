"""Everything a template sheet holds besides its cells, carried over to an output sheet.

An admin sets these in Excel / WPS and expects them in every form printed from the
template (issue 8 item 4): column widths (also ``<col min="2" max="3">`` ranges) and hidden
columns, row heights and hidden rows, freeze panes and the other sheet-view options, the tab
colour, page setup, margins, print options, headers and footers (odd / even / first page),
print titles and print area, manual page breaks, data validation, conditional formats,
images, sheet protection and autofilter.

The output has other rows than the template: loop rows repeat, tag rows disappear. What
names a row is remapped through :class:`RowMap`, the record of where each template row
went, the way merges are.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field
from typing import Any

from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.print_settings import PrintArea
from openpyxl.worksheet.worksheet import Worksheet

MAX_ROW = 1_048_576  # Excel's last row


@dataclass
class RowMap:
    """Where the rows of a template sheet went in an output sheet.

    ``emitted``: template row → the output rows written from it, in order (none for a tag
    row or a row of a loop over nothing); ``tag_pos``: tag row → the output row at that
    point. Rows below the template's last row keep their distance to the end.
    """

    emitted: dict[int, list[int]]
    tag_pos: dict[int, int]
    src_rows: int
    out_rows: int
    _start: list[int] = field(init=False, repr=False)
    _end: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = self.src_rows
        self._start = [0] * (n + 2)
        nxt = self.out_rows + 1
        for r in range(n, 0, -1):
            if self.emitted.get(r):
                nxt = self.emitted[r][0]
            self._start[r] = nxt
        self._end = [0] * (n + 2)
        last = 0
        for r in range(1, n + 1):
            if self.emitted.get(r):
                last = self.emitted[r][-1]
            self._end[r] = last

    def start(self, r: int) -> int:
        """The output row where template row ``r`` begins (the next written row's, if ``r``
        itself was not written)."""
        if r > self.src_rows:
            return self.out_rows + r - self.src_rows
        return self._start[max(r, 1)]

    def end(self, r: int) -> int:
        """The last output row written from template rows up to ``r`` (0 if none)."""
        if r > self.src_rows:
            return self.out_rows + r - self.src_rows
        return self._end[r] if r >= 1 else 0

    def runs(self, r1: int, r2: int) -> list[tuple[int, int]]:
        """The output rows written from template rows r1..r2, as runs (first, last)."""
        rows = sorted(o for r in range(r1, min(r2, self.src_rows) + 1) for o in self.emitted.get(r, []))
        runs: list[tuple[int, int]] = []
        for o in rows:
            if runs and o == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], o)
            else:
                runs.append((o, o))
        if r2 > self.src_rows:  # below the template's content: shifted, never enumerated
            a = self.start(max(r1, self.src_rows + 1))
            b = MAX_ROW if r2 >= MAX_ROW else min(self.end(r2), MAX_ROW)  # a whole column stays whole
            if runs and a == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], b)
            elif a <= b:
                runs.append((a, b))
        return runs

    def merge_ranges(self, r1: int, r2: int) -> list[tuple[int, int]]:
        """Output row spans of a template merge over rows r1..r2: one per repetition when
        the merge lies inside a repeated block, else one that stretches over the rows
        written in between."""
        e1, e2 = self.emitted.get(r1), self.emitted.get(r2)
        if r1 == r2:
            return [(o, o) for o in e1 or []]
        if e1 and e2 and len(e1) == len(e2) and len(e1) > 1:
            return list(zip(e1, e2, strict=True))
        start = e1[0] if e1 else self.tag_pos.get(r1)
        end = e2[-1] if e2 else self.tag_pos.get(r2)
        if start is None or end is None or end < start:
            return []
        return [(start, end)]

    def cell(self, coord: str) -> str:
        """A cell reference (``B7``) moved to where its row begins in the output."""
        rng = CellRange(coord)
        return f"{get_column_letter(rng.min_col)}{self.start(rng.min_row)}"

    def ranges(self, sqref: Iterable[CellRange]) -> tuple[list[CellRange], int]:
        """The output ranges of a set of template ranges (each keeps its columns), and the
        row shift of the first range's top-left cell (for the relative references of a
        formula that applies to the ranges)."""
        out: list[CellRange] = []
        shift: int | None = None
        for rng in sqref:
            for a, b in self.runs(rng.min_row, rng.max_row):
                if shift is None:
                    shift = a - rng.min_row
                out.append(CellRange(min_col=rng.min_col, min_row=a, max_col=rng.max_col, max_row=b))
        return out, shift or 0


def shift_formula(formula: str | None, rows: int) -> str | None:
    """A formula of a conditional format or validation, its relative row references moved
    by ``rows`` (as Excel does when it copies the cells); absolute ones ($7) stay."""
    if not formula or rows == 0:
        return formula
    try:
        return Translator("=" + formula, "A1").translate_formula(row_delta=rows).removeprefix("=")
    except Exception:  # noqa: BLE001 - a formula openpyxl cannot parse stays as the admin wrote it
        return formula


_Copies = tuple[Any, ...]


def _settings_copies(src: Worksheet) -> _Copies:
    """copy()s of the settings of ``src`` that the rows do not change, tied to no sheet:
    column widths (<col min="2" max="3"> stays one range), sheet format, properties (tab
    colour, fit to page, outline), page setup, margins, print options, headers and footers
    (odd / even / first page, and their flags), protection, views, column breaks."""
    dims = []
    for letter, dim in list(src.column_dimensions.items()):
        cp = copy(dim)  # keeps min/max
        cp.parent = None
        dims.append((letter, cp))
    setup = copy(src.page_setup)
    setup._parent = None  # it reads fitToPage from its sheet's properties: set per sheet
    return (
        dims,
        copy(src.sheet_format),
        copy(src.sheet_properties),
        setup,
        copy(src.page_margins),
        copy(src.print_options),
        copy(src.HeaderFooter),
        copy(src.protection),
        copy(src.views),
        copy(src.col_breaks),
    )


class SheetSettings:
    """:func:`_settings_copies` of a template sheet, made once and kept pickled: each output
    sheet unpickles copies of its own (issue 23: copy() serialises an object to XML and
    parses it back, and a county round made 12,000 of them for 750 sheets of a handful of
    template sheets). Tied to no workbook."""

    def __init__(self, src: Worksheet):
        try:
            self._data: bytes | None = pickle.dumps(_settings_copies(src), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - something that does not pickle: copied for every sheet
            self._data = None
        self._sheet: bytes | None = None  # :meth:`sheet`, once made (b"": it could not be)

    def copies(self, src: Worksheet) -> _Copies:
        if self._data is None:
            return _settings_copies(src)
        return pickle.loads(self._data)  # noqa: S301 - our own bytes, made just above in this process

    def sheet(self, src: Worksheet) -> bytes | None:
        """A new worksheet of no workbook holding copies of the settings (as
        :func:`copy_sheet_settings` sets them, views and column breaks too), pickled once:
        an output sheet unpickled from it is made with its settings in one go — a blank
        sheet's own settings were made only to be replaced by the copies (issue 23: a county
        round's 753 sheets unpickled both). None when the settings do not pickle."""
        if self._sheet is None:
            self._sheet = b""
            if self._data is not None:
                ws = Worksheet(None)
                views, col_breaks = install_settings(ws, self.copies(src))
                ws.views, ws.col_breaks = views, col_breaks
                try:
                    self._sheet = pickle.dumps(ws, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 - made as a blank sheet, its settings copied later
                    self._sheet = b""
        return self._sheet or None


def install_settings(dst: Worksheet, copies: _Copies) -> tuple[Any, Any]:
    """The settings that do not depend on the rows set on ``dst`` (column widths, sheet
    format and properties, page setup, margins, print options, headers and footers,
    protection); the views and column breaks returned, set with the rows."""
    dims, sheet_format, properties, setup, margins, options, header_footer, protection, views, col_breaks = copies
    for letter, cp in dims:
        cp.parent = dst
        dst.column_dimensions[letter] = cp
    dst.sheet_format = sheet_format
    dst.sheet_properties = properties
    dst.page_setup = setup
    dst.page_setup._parent = dst  # it reads fitToPage from the sheet's properties
    dst.page_margins = margins
    dst.print_options = options
    dst.HeaderFooter = header_footer
    dst.protection = protection
    return views, col_breaks


def copy_sheet_settings(
    src: Worksheet,
    dst: Worksheet,
    rows: RowMap,
    max_col: int,
    settings: SheetSettings | None = None,
    installed: bool = False,
) -> None:
    """Everything of ``src`` except its cells, merges and row dimensions, onto ``dst``;
    ``settings``: the sheet's settings copied once (:class:`SheetSettings`); ``installed``:
    ``dst`` was made from :meth:`SheetSettings.sheet` and holds their copies already."""
    if installed:
        views, col_breaks = dst.views, dst.col_breaks
    else:
        copies = settings.copies(src) if settings is not None else _settings_copies(src)
        views, col_breaks = install_settings(dst, copies)
    _copy_views(views, dst, rows)
    _copy_print_ranges(src, dst, rows, max_col)
    _copy_breaks(src, dst, rows, col_breaks)
    _copy_validations(src, dst, rows)
    _copy_conditional_formats(src, dst, rows)
    _copy_images(src, dst, rows)
    if src.auto_filter.ref:
        rng = CellRange(src.auto_filter.ref)
        top, bottom = rows.start(rng.min_row), rows.end(rng.max_row)
        if top <= bottom:
            dst.auto_filter = copy(src.auto_filter)
            dst.auto_filter.ref = CellRange(
                min_col=rng.min_col, min_row=top, max_col=rng.max_col, max_row=bottom
            ).coord


def _copy_views(views: Any, dst: Worksheet, rows: RowMap) -> None:
    """Freeze panes, zoom, grid lines, page-break preview … (``views``: a copy of the
    template sheet's); rows named in them remapped. No output sheet is left selected (the
    renderer selects the first: several selected sheets would open grouped in Excel)."""
    dst.views = views
    for view in dst.views.sheetView:
        view.tabSelected = None
        if view.topLeftCell:
            view.topLeftCell = rows.cell(view.topLeftCell)
        pane = view.pane
        if pane is not None and pane.topLeftCell:
            old = CellRange(pane.topLeftCell).min_row
            pane.topLeftCell = rows.cell(pane.topLeftCell)
            if pane.state in ("frozen", "frozenSplit") and pane.ySplit:
                pane.ySplit = pane.ySplit + CellRange(pane.topLeftCell).min_row - old
        for sel in view.selection:
            if sel.activeCell:
                sel.activeCell = rows.cell(sel.activeCell)
                sel.sqref = sel.activeCell


def _copy_print_ranges(src: Worksheet, dst: Worksheet, rows: RowMap, max_col: int) -> None:
    titles = src.print_title_rows
    if titles:
        a, b = (int(x.replace("$", "")) for x in titles.split(":"))
        out = [rows.emitted[r][0] for r in range(a, b + 1) if rows.emitted.get(r)]
        if out:
            dst.print_title_rows = f"{min(out)}:{max(out)}"
    if src.print_title_cols:
        dst.print_title_cols = src.print_title_cols.replace("$", "")
    areas = []
    for rng in PrintArea.from_string(src.print_area or "").ranges:
        top, bottom = rows.start(rng.min_row), rows.end(rng.max_row)
        if top <= bottom:
            areas.append(f"{get_column_letter(rng.min_col)}{top}:{get_column_letter(rng.max_col)}{bottom}")
    if areas:
        dst.print_area = areas
    elif rows.out_rows:  # none set: the whole table
        dst.print_area = f"A1:{get_column_letter(max_col)}{rows.out_rows}"


def _copy_breaks(src: Worksheet, dst: Worksheet, rows: RowMap, col_breaks: Any) -> None:
    """A manual break below template row r goes below the last row written from rows ≤ r;
    column breaks stay (columns do not move)."""
    dst.row_breaks = RowBreak()
    seen: set[int] = set()
    for brk in src.row_breaks.brk:
        at = rows.end(int(brk.id or 0))
        if 0 < at < rows.out_rows and at not in seen:
            seen.add(at)
            dst.row_breaks.append(Break(id=at, min=brk.min, max=brk.max, man=brk.man))
    dst.col_breaks = col_breaks  # a copy of the template sheet's


def _copy_validations(src: Worksheet, dst: Worksheet, rows: RowMap) -> None:
    for dv in src.data_validations.dataValidation:
        out, shift = rows.ranges(dv.sqref.ranges)
        if not out:
            continue
        cp = copy(dv)
        cp.sqref = MultiCellRange(out)
        cp.formula1 = shift_formula(dv.formula1, shift)
        cp.formula2 = shift_formula(dv.formula2, shift)
        dst.data_validations.append(cp)


def _copy_conditional_formats(src: Worksheet, dst: Worksheet, rows: RowMap) -> None:
    for cf in src.conditional_formatting:
        out, shift = rows.ranges(cf.sqref.ranges)
        if not out:
            continue
        sqref = " ".join(r.coord for r in out)
        for rule in cf.rules:
            cp = copy(rule)  # with its format (dxf)
            cp.formula = [shift_formula(f, shift) for f in rule.formula]
            dst.conditional_formatting.add(sqref, cp)


def _copy_images(src: Worksheet, dst: Worksheet, rows: RowMap) -> None:
    """Each image moves with the row it is anchored to (its size kept); each output sheet
    gets its own copy, with its own bytes (openpyxl numbers an image when it writes it, and
    closes the file it read it from)."""
    for img in src._images:
        raw = img._data()  # reads and closes img.ref: give both a fresh one
        img.ref = io.BytesIO(raw)
        cp = copy(img)
        cp.ref = io.BytesIO(raw)
        anchor = copy(img.anchor)
        if isinstance(anchor, str):
            anchor = rows.cell(anchor)
        elif hasattr(anchor, "_from"):
            shift = rows.start(anchor._from.row + 1) - 1 - anchor._from.row
            anchor._from.row += shift
            if getattr(anchor, "to", None) is not None:
                anchor.to.row += shift
        # an empty <a:avLst/> read from an office-saved drawing is written back by openpyxl
        # outside DrawingML's namespace, which the validator refuses (issue 20 item 1):
        # empty, it says nothing, so it goes
        geom = getattr(getattr(getattr(anchor, "pic", None), "spPr", None), "prstGeom", None)
        if geom is not None and geom.avLst is not None and geom.avLst.gd is None:
            geom.avLst = None
        cp.anchor = anchor
        dst.add_image(cp)
