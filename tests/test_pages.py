"""Excel page breaks keep merged blocks whole and their heading row with them; the
admin's own breaks and column widths are read as Excel reads them."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.worksheet.pagebreak import Break

from goaldoc.render.pages import column_widths, keep_merges_on_pages, page_height


def _sheet(rows: int, height: float):
    wb = Workbook()
    ws = wb.active
    ws.page_setup.paperSize = 9
    ws.page_setup.orientation = "portrait"
    for r in range(1, rows + 1):
        ws.cell(r, 1, f"r{r}")
        ws.row_dimensions[r].height = height
    return ws


def test_a_block_that_would_cross_the_page_moves_with_its_heading_row():
    ws = _sheet(60, 20)
    per_page = page_height(ws, 1)
    assert per_page is not None
    fit = int(per_page * 0.93 // 20)  # rows that fit on a page
    heading = fit - 3
    ws.merge_cells(start_row=heading + 1, start_column=1, end_row=heading + 8, end_column=1)
    breaks = keep_merges_on_pages(ws, 60, 1)
    assert breaks[0] == heading - 1  # the page ends before the heading, not between it and its block
    assert [b.id for b in ws.row_breaks.brk][0] == heading - 1


def test_nothing_breaks_when_everything_fits():
    ws = _sheet(10, 20)
    ws.merge_cells("A2:A5")
    assert keep_merges_on_pages(ws, 10, 1) == []


def test_a_block_taller_than_a_page_breaks_where_it_falls():
    ws = _sheet(200, 20)
    ws.merge_cells("A5:A150")
    breaks = keep_merges_on_pages(ws, 200, 1)
    assert breaks and breaks[0] > 5


def test_column_widths_read_ranges_and_hidden_columns_without_adding_any():
    ws = _sheet(1, 20)
    dim = ws.column_dimensions["B"]
    dim.width, dim.min, dim.max = 20, 2, 3  # <col min="2" max="3" width="20">, as Excel saves it
    ws.column_dimensions["D"].hidden = True
    ws.sheet_format.defaultColWidth = 9
    assert column_widths(ws, 5) == {1: 9.0, 2: 20.0, 3: 20.0, 4: 0.0, 5: 9.0}
    assert sorted(ws.column_dimensions) == ["B", "D"]  # no C of openpyxl's default width 13


def test_a_manual_break_of_the_template_starts_a_page():
    ws = _sheet(100, 20)
    per_page = page_height(ws, 1)
    assert per_page is not None
    fit = int(per_page * 0.93 // 20)
    ws.row_breaks.append(Break(id=10))
    breaks = keep_merges_on_pages(ws, 100, 1)
    assert breaks[0] == 10 + fit  # counted from the admin's break, not from the top
    ids = [b.id for b in ws.row_breaks.brk]
    assert ids[0] == 10 and len(ids) == len(set(ids))
    ws2 = _sheet(100, 20)
    ws2.row_breaks.append(Break(id=fit))  # where goaldoc would break anyway: not twice
    keep_merges_on_pages(ws2, 100, 1)
    ids2 = [b.id for b in ws2.row_breaks.brk]
    assert ids2.count(fit) == 1
