"""Issue 23 (the .xlsx writer at the registered-style openpyxl floor): the shortcuts the row
writer takes give what openpyxl's own paths gave. A text bound directly is bound as
``cell.value = …`` binds it; a row program that reads a global still sees it; a cell that
reads nothing is worked out once, and a mistake in it is still named by its cell; the cells
that fill_xlsx_contents' walk left at every empty place are still there. (tests/test_golden.py
holds every sample's output.)"""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell

from conftest import ROOT
from goaldoc.api import render_bytes
from goaldoc.errors import TemplateError
from goaldoc.render.excel.cells import compile_row, is_constant
from goaldoc.render.excel.workbook import _bound, _fill_empty_places
from goaldoc.render.template.markup import AmountText, make_env, split_mark
from readback import xlsx_book

VALUES = [
    "招聘会场次",
    "",
    " ",
    "=SUM(A1:A3)",  # a clerk's text, never a formula
    "=",
    "#N/A",
    "#DIV/0!",
    "x" * 32767,
    "x" * 32768,  # openpyxl cuts it: bound by openpyxl
    "a\x01b",  # openpyxl refuses it: bound by openpyxl, which says so
    0,
    7,
    -3.25,
    True,
    Decimal("1.5"),
    AmountText("1,234.50", True),  # a str of its own: bound by openpyxl
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_a_value_bound_directly_is_bound_as_openpyxl_binds_it(value):
    ws = Workbook().active
    got = _bound(value)
    cell = Cell(ws, 1, 1)
    try:
        cell.value = value
    except Exception:  # noqa: BLE001 - openpyxl refuses it: so must the writer (it leaves it to openpyxl)
        assert got is None
        return
    if cell.data_type == "f":
        cell.data_type = "s"  # what the writer does with a text beginning with "="
    if got is not None:
        assert got == (cell._value, cell.data_type)
        assert type(got[0]) is type(cell._value)
    else:  # left to openpyxl: anything but a plain text or number, or a text it cuts
        assert type(value) not in (str, int, float) or len(value) > 32767


def test_a_row_program_reading_a_global_gets_it_and_one_reading_none_shares_the_rows_context():
    env = make_env(autoescape=False)
    with_global = compile_row(env, ["{{ row }}", "{{ range(3) | join(',') }}"])
    assert with_global is not None and not with_global.shared
    assert with_global.run({"row": 1}) == [1, "0,1,2"]
    without = compile_row(env, ["{{ row.name }}", "第{{ loop.index }}项"])
    assert without is not None and without.shared
    assert without.run({"row": {"name": "合规率"}, "loop": {"index": 2}}) == ["合规率", "第2项"]


@pytest.mark.parametrize(
    ("text", "constant"),
    [
        ("{{ '绩效指标' | merge('ind') }}", True),
        ("{{ 'a' }}{{ 'b' | upper }}", True),
        ("合计{{ 3 }}", True),
        ("{{ row.name }}", False),
        ("{{ 'a' ~ b }}", False),
        ("{{ 'a'.upper() }}", False),  # a call: the sandbox counts it
        ("{{ 2 * 3 }}", False),  # an operator the sandbox checks
        ("{{ 'ab' | replace('a', 'b') }}", False),  # a filter the sandbox sizes
        ("{{ range(2) | join }}", False),
    ],
)
def test_a_cell_is_constant_only_when_it_reads_nothing(text, constant):
    assert is_constant(make_env(autoescape=False).parse(text)) is constant


def test_a_constant_cell_is_left_out_of_the_rows_program():
    env = make_env(autoescape=False)
    prog = compile_row(env, ["{{ '绩效指标' | merge('ind') }}", "{{ row.name }}", "{{ row.level1 | merge('lv') }}"], constants=True)
    assert prog is not None and prog.computed == (1, 2) and prog.kinds == ("value", "merged")
    name, (level1, marked) = prog.run({"row": {"name": "合规率", "level1": "产出指标"}})
    assert (name, level1, split_mark(marked)) == ("合规率", "产出指标", ("lv", "产出指标"))
    assert compile_row(env, ["{{ '绩效指标' | merge('ind') }}", "{{ row.name }}"]).computed is None  # not asked


def _template(tmp_path, cells):
    folder = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", folder)
    wb = load_workbook(folder / "forms.xlsx")
    for ref, text in cells.items():
        wb["部门整体"][ref].value = text
    wb.save(folder / "forms.xlsx")
    return tmp_path / "templates"


def test_the_indicator_rows_constant_cell_is_merged_down_as_before(taishan):
    data = render_bytes(taishan, ["xlsx"])["xlsx"][1]
    sheet = next(s for s in xlsx_book(data) if any(c.value == "绩效指标" for row in s.iter_rows() for c in row))
    label = [c for row in sheet.iter_rows() for c in row if c.value == "绩效指标"]
    assert label, "the label of the indicator rows"
    merged = [str(m) for m in sheet.merged_cells.ranges if m.min_col == 1 and m.min_row == label[0].row]
    assert merged and merged[0].startswith(f"A{label[0].row}:A")  # merged down over the indicator rows


def test_a_global_read_in_an_indicator_row_reaches_the_cell(taishan, tmp_path):
    templates = _template(tmp_path, {"D18": "{{ row.name }}{{ range(2) | join('-') }}"})
    data = render_bytes(taishan, ["xlsx"], templates=templates)["xlsx"][1]
    texts = [c.value for s in xlsx_book(data) for row in s.iter_rows() for c in row if isinstance(c.value, str)]
    ended = [t for t in texts if t.endswith("0-1")]
    assert len(ended) >= 3  # every indicator row's name, with what range() gave
    assert "0-1" not in ended  # a name before it: the row's own field reached the cell too


def test_a_failing_constant_cell_is_named_by_its_cell(taishan, tmp_path):
    templates = _template(tmp_path, {"A18": "{{ '绩效' | round }}"})
    with pytest.raises(TemplateError) as exc:
        render_bytes(taishan, ["xlsx"], templates=templates)
    [problem] = exc.value.problems
    assert problem.code == "T003"
    assert problem.message.startswith("Excel 模板 部门整体!A18：")


def _sheet_with_gaps():
    ws = Workbook().active
    ws.cell(2, 3, "a")
    ws.cell(5, 1, 1)
    ws.cell(4, 6, None)
    return ws


def test_the_empty_places_are_filled_as_iter_rows_fills_them():
    walked, filled = _sheet_with_gaps(), _sheet_with_gaps()
    for _row in walked.iter_rows():
        pass
    _fill_empty_places(filled)
    assert sorted(filled._cells) == sorted(walked._cells)
    assert len(filled._cells) == 5 * 6
    assert filled._current_row == walked._current_row
    assert all(filled._cells[k].value == walked._cells[k].value for k in walked._cells)
    empty_walked, empty_filled = Workbook().active, Workbook().active
    list(empty_walked.iter_rows())
    _fill_empty_places(empty_filled)
    assert empty_filled._cells == {} == empty_walked._cells
