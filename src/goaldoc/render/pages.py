"""Where an Excel sheet's printed pages break, and manual breaks that keep merged cells whole.

Excel and LibreOffice print a merged cell cut by a page break with its text cut in two (a
line lost, or half a line on each page): Sichuan's 年度目标 is merged down a project's rows
and runs to 600 characters (issue 4). We lay the pages out ourselves, from the row heights
the renderer set and the page setup (paper, orientation, margins, fit-to-width scale,
print titles), and put a manual break before every merged block that would cross the
bottom of a page. Our pages are a little shorter than the application's (``PAGE_FILL``),
so it never needs a break of its own before ours. A block taller than a page breaks
between its rows, where it falls. Manual breaks the admin put in the template (remapped to
the output rows by the renderer) are kept, and a page starts after each of them.
"""

from __future__ import annotations

from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

# ST_PaperSize (ECMA-376 Part 1 §18.18.43) → portrait (width, height) in points
PAPER_POINTS = {
    1: (612.0, 792.0),  # Letter
    5: (612.0, 1008.0),  # Legal
    8: (842.0, 1191.0),  # A3
    9: (595.0, 842.0),  # A4
    11: (420.0, 595.0),  # A5
}
PAGE_FILL = 0.93  # row heights and the scale are estimates: leave the application room
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


def page_height(ws: Worksheet, max_col: int) -> float | None:
    """The printable height of one page in sheet points (fit-to-width scaling undone), or
    None when the sheet is fitted to a number of pages high (no breaks to place then)."""
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
        content_w = sum((w * 7 + 5) * 0.75 for w in column_widths(ws, max_col).values() if w)
        scale = min(1.0, wide * usable_w / content_w) if wide and content_w else 1.0
    return usable_h / scale


def merged_blocks(ws: Worksheet) -> dict[int, int]:
    """{first row: last row} of the row spans of vertical merges, overlapping ones joined."""
    spans = sorted((m.min_row, m.max_row) for m in ws.merged_cells.ranges if m.max_row > m.min_row)
    blocks: dict[int, int] = {}
    top = bottom = 0
    for a, b in spans:
        if blocks and a <= bottom:
            bottom = max(bottom, b)
            blocks[top] = bottom
        else:
            top, bottom = a, b
            blocks[top] = bottom
    return blocks


def keep_merges_on_pages(ws: Worksheet, last_row: int, max_col: int) -> list[int]:
    """Add a manual page break before each merged block that would cross a page bottom;
    returns the rows the breaks follow."""
    full = page_height(ws, max_col)
    if full is None:
        return []
    avail = full * PAGE_FILL
    default = ws.sheet_format.defaultRowHeight or 15

    def height(r: int) -> float:
        dim = ws.row_dimensions.get(r)
        if dim is None:
            return default
        return 0.0 if dim.hidden else (dim.height or default)

    titles = 0.0  # print titles repeat on top of every page after the first
    if ws.print_title_rows:
        a, b = (int(x.replace("$", "")) for x in ws.print_title_rows.split(":"))
        titles = sum(height(r) for r in range(a, b + 1))
    blocks = merged_blocks(ws)
    manual = {int(b.id) for b in ws.row_breaks.brk if b.id}  # the admin's: a page ends there
    breaks: list[int] = []
    used = top = 0.0  # height used on this page; of it, what repeats on top of the page
    placed: list[tuple[int, float, bool]] = []  # this page's units: (first row, height, merged)
    r = 1
    while r <= last_row:
        end = blocks.get(r, r)
        h = sum(height(k) for k in range(r, end + 1))
        merged = end > r
        if h > avail - titles:  # taller than a page: its rows break where they fall
            end, h, merged = r, height(r), False
        if r - 1 in manual:
            used = top = titles
            placed = []
        if used + h > avail and used > top:
            carried: list[tuple[int, float, bool]] = []
            # a single row right above a merged block (its column headings) goes with it
            if merged and len(placed) > 1 and not placed[-1][2]:
                carried = [placed.pop()]
            breaks.append((carried[0][0] if carried else r) - 1)
            used = top = titles
            placed = []
            for unit in carried:
                placed.append(unit)
                used += unit[1]
        placed.append((r, h, merged))
        used += h
        r = end + 1
    for b in breaks:
        if b not in manual:
            ws.row_breaks.append(Break(id=b))
    return breaks
