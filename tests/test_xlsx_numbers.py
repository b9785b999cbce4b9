"""Excel cells that hold numbers are numbers (issue 13 item 5): SUM adds them, Excel shows
no warning triangles, and each shows the decimals as typed. Codes, phone numbers and
指标值 such as ``≥95%`` stay text, as typed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest
from openpyxl import Workbook

from conftest import SAMPLES
from goaldoc.api import Loaded, load, render_bytes
from readback import xlsx_book, xlsx_column_merges, xlsx_logical_book, xlsx_row_of, xlsx_shown

SHEET = "部门整体预算绩效目标批复表"
TOP_LINES = ("一、", "二、", "三、")  # the lines that add up to 合计 (其中 lines are parts)


@pytest.fixture(scope="module")
def ws(taishan_files):
    return xlsx_book(taishan_files["xlsx"])[SHEET]


def _side(ws, label_col: int, amount_col: int):
    """(合计 cell, the cells of the 一、二、三 lines) of one side of 预算整体情况: down to the
    block's end (a row with neither side's label), past a blank row of this side."""
    top = xlsx_row_of(ws, label_col, "合计")
    cells, r = [], top + 1
    while any(isinstance(ws.cell(r, c).value, str) and ws.cell(r, c).value for c in (2, 5)):
        if not isinstance(ws.cell(r, label_col).value, str):
            r += 1
            continue
        if ws.cell(r, label_col).value.startswith(TOP_LINES):
            cells.append(ws.cell(r, amount_col))
        r += 1
    return ws.cell(top, amount_col), cells


@pytest.mark.parametrize("side", [(2, 4), (5, 7)], ids=["支出", "收入"])
def test_budget_amounts_are_numbers_that_add_up_to_the_total(ws, side):
    total, lines = _side(ws, *side)
    assert len(lines) == 3
    numbers = [c for c in [total, *lines] if c.value is not None]
    assert all(c.data_type == "n" and isinstance(c.value, int | float) for c in numbers)
    assert round(sum(c.value for c in lines if c.value is not None), 2) == total.value == 110641.64


def test_amounts_show_the_decimals_as_typed(ws, taishan):
    lines = taishan.model.budget.expenditure + taishan.model.budget.income
    typed = {line.label: format(line.amount, "f") for line in lines if line.amount is not None}
    shown = {}
    for r in range(1, ws.max_row + 1):
        for label_col, amount_col in ((2, 4), (5, 7)):
            label, cell = ws.cell(r, label_col).value, ws.cell(r, amount_col)
            label = label.lstrip("\u3000") if isinstance(label, str) else label  # set in by level
            if label in typed and cell.value is not None:
                shown[label] = (xlsx_shown(cell), cell.number_format)
    assert shown["上级资金"] == ("26843.80", "0.00")  # the trailing zero is kept
    assert shown["其他运转类"] == ("72.10", "0.00")
    # 0 beside two-decimal amounts keeps room for them: aligned on the point (issue 20 item 4)
    assert shown["三、其他支出"] == ("0", "0_._0_0")
    assert {k: v[0] for k, v in shown.items()} == typed


def test_counts_are_integers_and_labels_text(ws):
    # the label breaks before its unit where it wraps: 财政供养人员数 / （人） (issue 20 item 4)
    staff_row = next(c.row for c in ws["B"] if "".join(str(c.value or "").split()) == "财政供养人员数（人）")
    assert ws.cell(staff_row, 4).value == 269 and ws.cell(staff_row, 4).data_type == "n"
    assert ws.cell(staff_row, 7).value == 4
    assert ws.cell(staff_row, 2).data_type == "s"
    values = [ws.cell(r, 7).value for r in range(xlsx_row_of(ws, 2, "一级指标") + 1, ws.max_row + 1)]
    assert "≥95%" in values and "100%" in values  # 指标值 stay text as typed


def test_many_decimals_and_a_key_task_in_a_number_cell(taishan):
    task = taishan.model.key_tasks[0].model_copy(update={"funds": Decimal("10891.615675")})
    model = taishan.model.model_copy(update={"key_tasks": [task]})
    ws = xlsx_book(render_bytes(Loaded(model, taishan.lines, "x"), ["xlsx"])["xlsx"][1])[SHEET]
    cell = ws.cell(xlsx_row_of(ws, 2, task.name), 5)
    assert cell.value == 10891.615675 and cell.number_format == "0.000000"
    assert xlsx_shown(cell) == "10891.615675"


def test_yuan_amounts_are_numbers_with_thousands_separators():
    jingyan = load(SAMPLES / "2024" / "jingyan.yaml")
    data = render_bytes(jingyan, ["xlsx"])["xlsx"][1]
    ws = xlsx_logical_book(data).worksheets[0]  # page breaks aside: a label printed again is one merge
    dept = ws.cell(xlsx_row_of(ws, 1, "307-县人社局部门"), 3)
    assert (dept.value, dept.number_format, xlsx_shown(dept)) == (1734952.06, "#,##0.00", "1,734,952.06")
    unit_row = xlsx_row_of(ws, 1, "307003-井研县就业创业促进中心")
    assert ws.cell(unit_row, 1).data_type == "s"  # codes stay text
    # 预算数 merges down each project's rows (a merge key on an amount) and is a number
    merges = xlsx_column_merges(ws, 3, unit_row + 1)
    amounts = [ws.cell(top, 3) for top, _ in merges]
    projects = [p for u in jingyan.model.units for p in u.projects if len(p.indicators) > 1]
    assert [c.value for c in amounts] == [float(p.budget.total) for p in projects]
    assert all(c.number_format == "#,##0.00" for c in amounts)
    assert all(ws.cell(r, 11).data_type == "n" for top, n in merges for r in range(top, top + n))  # 权重
    raw = xlsx_book(data).worksheets[0]
    again = [c for row in raw.iter_rows(min_col=3, max_col=3) for c in row if c.value == 50000]
    assert len(again) >= 1 and all(c.data_type == "n" and c.number_format == "#,##0.00" for c in again)
    assert ws.cell(xlsx_row_of(ws, 2, projects[0].name), 3).value == 50000  # 50000.00 元
    assert xlsx_shown(ws.cell(xlsx_row_of(ws, 2, projects[0].name), 3)) == "50,000.00"


def _probe(tmp_path: Path, cells: list[tuple[str, str]], style: str = "as_typed") -> Path:
    """A one-sheet form printing each (template, number format) one per row, column A."""
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "form.yaml").write_text(
        dedent(
            f"""\
            contract: 1
            title: probe
            xlsx: probe.xlsx
            amount_style: {style}
            amount_unit: 万元
            sheets:
              - template: probe
                name: probe
            """
        ),
        encoding="utf-8",
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "probe"
    for i, (text, fmt) in enumerate(cells, start=1):
        ws.cell(i, 1, text).number_format = fmt
    wb.save(folder / "probe.xlsx")
    return tmp_path


def _probe_cells(tmp_path: Path, yaml_text: str, cells: list[tuple[str, str]]):
    from goaldoc.api import loads

    out = render_bytes(loads(dedent(yaml_text)), ["xlsx"], form="probe", templates=_probe(tmp_path, cells))
    ws = xlsx_book(out["xlsx"][1]).worksheets[0]
    return [ws.cell(i, 1) for i in range(1, len(cells) + 1)]


DEPARTMENT = """\
    year: 2024
    department: {name: 测试局, code: "901001033", staff_count: 12, total: 12345678901234.5678}
    budget:
      unit: 万元
      expenditure: [{label: 合计, amount: 350}]
    signature: {phone: "0750-5522111"}
    """


def test_what_stays_text_and_what_the_admin_formatted(tmp_path):
    cells = _probe_cells(
        tmp_path,
        DEPARTMENT,
        [
            ("{{ department.code }}", "General"),  # 部门预算编码: text in the data
            ("{{ signature.phone }}", "General"),
            ("{{ department.staff_count }}", "General"),
            ("{{ year }}", "General"),
            ("{{ department.staff_count }}", "@"),  # the admin formatted the cell as 文本
            ("{{ budget.expenditure[0].amount | amount }}", "#,##0.00"),  # the admin's format
            ("{{ department.total | amount }}", "General"),  # 18 digits: more than Excel keeps
            ("共 {{ department.staff_count }} 人", "General"),  # text around it: text
            ("{{ budget.expenditure[0].amount | amount }}万元", "General"),
        ],
    )
    shown = [(c.data_type, c.value) for c in cells]
    assert shown == [
        ("s", "901001033"),
        ("s", "0750-5522111"),
        ("n", 12),
        ("n", 2024),
        ("s", "12"),
        ("n", 350),
        ("s", "12345678901234.5678"),
        ("s", "共 12 人"),
        ("s", "350万元"),
    ]
    assert cells[5].number_format == "#,##0.00"


def test_a_misspelt_name_in_a_number_cell_is_still_located(tmp_path):
    from goaldoc.errors import TemplateError

    with pytest.raises(TemplateError) as exc:
        _probe_cells(tmp_path, DEPARTMENT, [("", "General"), ("{{ department.staf_count | merge('x') }}", "General")])
    assert "probe!A2" in exc.value.problems[0].message
    assert "没有名为“staf_count”的变量或字段" in exc.value.problems[0].message
