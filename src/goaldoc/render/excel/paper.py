"""The printed page of an Excel sheet: its paper, margins and fit-to-width scale, and the
widths of its columns as Excel shows them (the pages themselves are laid out by
render/pages/paginate.py, for Word and Excel alike; render/excel/layout.py applies them).
"""

from __future__ import annotations

from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

# ST_PaperSize (ECMA-376 Part 1 §18.18.43) → portrait (width, height) in points
PAPER_POINTS = {
    1: (612.0, 792.0),  # Letter
    5: (612.0, 1008.0),  # Legal
    8: (842.0, 1191.0),  # A3
    9: (595.0, 842.0),  # A4
    11: (420.0, 595.0),  # A5
}
DEFAULT_COLUMN_WIDTH = 8.43  # Excel's, in characters, when the sheet does not say


def column_widths(ws: Worksheet, max_col: int) -> dict[int, float]:
    """{column: width in characters} for columns 1..max_col, as Excel shows them: a
    ``<col min="2" max="3">`` range gives both its columns the width, a hidden column is 0.

    Reads ``ws.column_dimensions`` without indexing it: indexing creates a dimension of
    openpyxl's default width (13) for a column covered by a range, which would then be
    written out and override the range.
    """
    default = ws.sheet_format.defaultColWidth or DEFAULT_COLUMN_WIDTH
    widths = dict.fromkeys(range(1, max_col + 1), float(default))
    for dim in list(ws.column_dimensions.values()):
        lo = dim.min or column_index_from_string(dim.index)
        hi = dim.max or lo
        for c in range(lo, min(hi, max_col) + 1):
            widths[c] = 0.0 if dim.hidden else float(dim.width or default)
    return widths


def column_points(width_chars: float) -> float:
    """A column ``width_chars`` wide (Excel's unit: one digit of the default 11 pt font,
    about 7 pixels, plus 5 pixels of margin) in points."""
    return (width_chars * 7 + 5) * 0.75 if width_chars else 0.0


def page_height(ws: Worksheet, max_col: int, widths: dict[int, float] | None = None) -> float | None:
    """The printable height of one page in sheet points (fit-to-width scaling undone), or
    None when the sheet is fitted to a number of pages high (no breaks to place then).
    ``widths``: the columns' widths if not those of the sheet (see :func:`column_widths`)."""
    ps = ws.page_setup
    width, height = PAPER_POINTS.get(int(ps.paperSize or 9), PAPER_POINTS[9])
    if ps.orientation == "landscape":
        width, height = height, width
    m = ws.page_margins
    usable_w = width - 72 * ((m.left or 0) + (m.right or 0))
    usable_h = height - 72 * ((m.top or 0) + (m.bottom or 0))
    scale = (ps.scale or 100) / 100
    setup = ws.sheet_properties.pageSetUpPr
    if setup is not None and setup.fitToPage:
        wide = 1 if ps.fitToWidth is None else int(ps.fitToWidth)
        high = 1 if ps.fitToHeight is None else int(ps.fitToHeight)
        if high != 0:
            return None
        # a column of width w is about 7w + 5 pixels (Excel's default font), 0.75 pt each
        cols = widths if widths is not None else column_widths(ws, max_col)
        content_w = sum(column_points(w) for w in cols.values())
        scale = min(1.0, wide * usable_w / content_w) if wide and content_w else 1.0
    return usable_h / scale
