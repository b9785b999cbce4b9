"""The Excel page geometry: column widths as Excel reads them (ranges, hidden columns), the
printable height with the fit-to-width scale undone."""

from __future__ import annotations

from openpyxl import Workbook

from goaldoc.render.excel.paper import column_points, column_widths, page_height


def _sheet():
    wb = Workbook()
    ws = wb.active
    ws.page_setup.paperSize = 9
    ws.page_setup.orientation = "portrait"
    return ws


def test_column_widths_read_ranges_and_hidden_columns_without_adding_any():
    ws = _sheet()
    dim = ws.column_dimensions["B"]
    dim.width, dim.min, dim.max = 20, 2, 3  # <col min="2" max="3" width="20">, as Excel saves it
    ws.column_dimensions["D"].hidden = True
    ws.sheet_format.defaultColWidth = 9
    assert column_widths(ws, 5) == {1: 9.0, 2: 20.0, 3: 20.0, 4: 0.0, 5: 9.0}
    assert sorted(ws.column_dimensions) == ["B", "D"]  # no C of openpyxl's default width 13


def test_a_page_is_the_paper_less_the_margins():
    ws = _sheet()
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.8
    assert page_height(ws, 1) == 842 - 72 * 1.4


def test_fit_to_width_makes_a_page_hold_more_sheet_points():
    ws = _sheet()
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    for col in "ABCDEFGHIJ":
        ws.column_dimensions[col].width = 15
    content = 10 * column_points(15)
    scale = (595 - 72) / content
    assert scale < 1
    assert abs(page_height(ws, 10) - (842 - 72 * (ws.page_margins.top + ws.page_margins.bottom)) / scale) < 0.01
    ws.page_setup.fitToHeight = 1  # fitted to one page high: the application scales, no breaks of ours
    assert page_height(ws, 10) is None
