"""Issue 23 item 2: the Excel template is read and parsed once per process (its normalising
that does not depend on the data done then too); every render works on a copy of its own,
and a template saved again is read again."""

from __future__ import annotations

import os
import shutil

from openpyxl import load_workbook

from conftest import ROOT
from goaldoc.api import render_bytes
from goaldoc.render.excel import workbook
from readback import xlsx_book


def _template(tmp_path):
    folder = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", folder)
    return folder / "forms.xlsx"


def _parses(monkeypatch):
    calls = []
    real = workbook.load_workbook

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(workbook, "load_workbook", counted)
    return calls


def test_a_template_is_parsed_once_and_each_render_gets_the_same_copy(taishan, tmp_path, monkeypatch):
    path = _template(tmp_path)
    calls = _parses(monkeypatch)
    first = render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")["xlsx"][1]
    second = render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")["xlsx"][1]
    assert calls == [str(path)]  # the second render parsed nothing
    # the first render's changes (rows written, sheets added and deleted) never reach the second
    assert [ws.title for ws in xlsx_book(first)] == [ws.title for ws in xlsx_book(second)]
    for a, b in zip(xlsx_book(first), xlsx_book(second), strict=True):
        assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()]
        assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))


def test_two_copies_of_a_template_are_apart(tmp_path):
    path = _template(tmp_path)
    one = workbook.template_book(path)
    two = workbook.template_book(path)
    assert one is not two
    one["部门整体"]["A2"].value = "改过"
    del one["目录"]
    assert two["部门整体"]["A2"].value == "部门名称"
    assert "目录" in two.sheetnames


def test_a_template_saved_again_is_read_again(taishan, tmp_path, monkeypatch):
    path = _template(tmp_path)
    calls = _parses(monkeypatch)
    before = render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")["xlsx"][1]
    assert xlsx_book(before).worksheets[1]["A2"].value == "部门名称"
    wb = load_workbook(path)
    wb["部门整体"]["A2"].value = "单位名称"
    wb.save(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))  # a later save, whatever the clock's grain
    after = render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")["xlsx"][1]
    assert xlsx_book(after).worksheets[1]["A2"].value == "单位名称"
    assert calls == [str(path), str(path)]
    assert sum(1 for key in workbook._BOOKS if key[0] == str(path.resolve())) == 1  # the old parse let go


def test_rows_without_a_height_are_laid_out_at_the_templates_default(taishan, tmp_path, monkeypatch):
    """A row the template gives no height of its own is as high as the template's default
    (an admin's WPS template: 13.5 or 30 points); the layout read the blank output sheet's 15
    points instead, because the template's settings are copied to it after the layout."""
    from goaldoc.render.excel import layout

    path = _template(tmp_path)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        ws.sheet_format.defaultRowHeight = 30
    wb.save(path)
    seen: list[tuple[list[float], list[bool]]] = []
    real = layout.base_heights

    def spy(rows):
        heights = real(rows)
        own = [False] + [bool((d := rows.ws.row_dimensions.get(r)) is not None and d.height) for r in range(1, rows.out_rows + 1)]
        seen.append((list(heights), own))  # plan_pages raises them for their texts afterwards
        return heights

    monkeypatch.setattr(layout, "base_heights", spy)
    render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")
    defaults = [h for heights, own in seen for r, h in enumerate(heights) if r and not own[r] and h]
    assert defaults and set(defaults) == {30.0}


def _sheets_state(book):  # type: ignore[no-untyped-def]
    return [
        (
            ws.title,
            sorted((rc, cell.value, cell._style.tobytes() if cell._style is not None else None) for rc, cell in ws._cells.items()),
            sorted(map(str, ws.merged_cells.ranges)),
            [(k, d.width, d.min, d.max) for k, d in ws.column_dimensions.items()],
            [(k, d.height) for k, d in ws.row_dimensions.items()],
        )
        for ws in book.worksheets
    ]


def test_the_template_sheets_are_read_by_every_render_and_changed_by_none(taishan, tmp_path, monkeypatch):
    """A render writes into a copy of the template workbook without its sheets and reads the
    sheets of the parse kept for the process (excel/workbook.py _render_book): no render
    changes them (cells, styles, merges, widths, heights) — the first, which works out the
    rows' plans, neither —, and each gets the same file."""
    _template(tmp_path)  # a copy of its own: parsed afresh
    seen = []
    real = workbook._render_book

    def spy(template, drop_columns):  # type: ignore[no-untyped-def]
        wb, master, key = real(template, drop_columns)
        assert wb is not master and not wb.worksheets
        seen.append((master, _sheets_state(master)))  # as the render gets it
        return wb, master, key

    monkeypatch.setattr(workbook, "_render_book", spy)
    first = render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")["xlsx"][1]
    second = render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")["xlsx"][1]
    (master, before), (again, _state) = seen
    assert again is master  # kept for the process
    assert any(cells for _t, cells, *_rest in before)
    assert _sheets_state(master) == before
    assert [[[c.value for c in row] for row in ws.iter_rows()] for ws in xlsx_book(first)] == [
        [[c.value for c in row] for row in ws.iter_rows()] for ws in xlsx_book(second)
    ]
