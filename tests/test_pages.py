"""Excel page breaks keep merged blocks whole and their heading row with them."""

from __future__ import annotations

from openpyxl import Workbook

from goaldoc.render.pages import keep_merges_on_pages, page_height


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
