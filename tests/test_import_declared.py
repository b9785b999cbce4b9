"""Fields a form declares (issue 8 item 2) read back like the common ones: a new region's
folder with 批复文号, 部门预算编码, 职能 (texts), 项目类型 (☑ choice), 项目总预算 (amount),
资金来源 (nested lines), 成本构成 (a table) and 指标值 per period imports without code."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from goaldoc.api import loads, render_bytes
from goaldoc.importer import import_file
from importing import as_printed
from test_fields import DATA, FORM

ROWS = [
    ["批复文号", "{{ approval_no }}", "部门预算编码", "{{ department.budget_code }}"],
    ["部门名称", "{{ department.name }}", "部门职能概述", "{% for d in department.duties %}{{ d }}{% if not loop.last %}\n{% endif %}{% endfor %}"],
]
PROJECT = [
    ["项目名称", "{{ project.name }}", "项目类型", "{{ project.project_type | check('部门预算') }} {{ project.project_type | check('切块预算') }}"],
    ["项目总预算（万元）", "{{ project.total_budget | amount }}", "当年预算（万元）", "{{ project.budget.total | amount }}"],
]
FUNDS = ["资金来源", "金额（万元）", "", ""]
FUND_ROW = ["{{ l.indented }}", "{{ l.amount | amount }}", "", ""]
COSTS = ["成本构成", "金额", "测算依据", ""]
COST_ROW = ["{{ c.item }}", "{{ c.amount | amount }}", "{{ c.basis or '' }}", ""]
GRID = ["一级指标", "二级指标", "三级指标", "实施周期指标值", "当年度指标值"]
GRID_ROW = ["{{ row.level1 | merge }}", "{{ row.level2 | merge }}", "{{ row.name }}", "{{ row.period_values['实施周期'] }}", "{{ row.period_values['当年度'] }}"]


def _loop(head: str, row: list[str], width: int) -> list[list[str]]:
    return [[f"{{%tr for {head} %}}"] + [""] * (width - 1), row, ["{%tr endfor %}"] + [""] * (width - 1)]


@pytest.fixture()
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates" / "declared"
    folder.mkdir(parents=True)
    (folder / "form.yaml").write_text(FORM, encoding="utf-8")
    body = (
        [ROWS[0], ROWS[1]],
        PROJECT + [FUNDS] + _loop("l in project.lines.fund_lines", FUND_ROW, 4) + [COSTS] + _loop("c in project.cost_items", COST_ROW, 4),
        [GRID] + _loop("row in project.rows", GRID_ROW, 5),
    )
    doc = Document()
    doc.add_paragraph("{{ year }}年声明字段测试表")
    _table(doc, body[0])
    doc.add_paragraph("{%p for project in projects %}")
    _table(doc, body[1])
    _table(doc, body[2])
    doc.add_paragraph("{%p endfor %}")
    doc.save(str(folder / "forms.docx"))
    wb = Workbook()
    ws = wb.active
    ws.title = "项目表"
    ws.append(["{{ year }}年声明字段测试表"])
    for row in [*body[0], *body[1], *body[2]]:  # one sheet per project (form.yaml sheets:)
        ws.append(row)
    wb.save(folder / "forms.xlsx")
    return folder.parent


def _table(doc, rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    width = max(len(r) for r in rows)
    t = doc.add_table(rows=len(rows), cols=width)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            lines = text.split("\n")
            t.cell(r, c).text = lines[0]
            for extra in lines[1:]:
                t.cell(r, c).add_paragraph(extra)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_declared_fields_import_like_the_common_ones(fmt: str, templates: Path, tmp_path: Path) -> None:
    loaded = loads(DATA, "d.yaml", templates)
    assert loaded.form is not None
    path = tmp_path / f"filled.{fmt}"
    path.write_bytes(render_bytes(loaded, [fmt], templates=templates)[fmt][1])
    imp = import_file(path, None, templates)
    assert imp.form.name == "declared" and imp.notes == [] and imp.leftovers == []
    model = imp.form.model.model_validate(imp.data)
    got = as_printed(model, loaded.form, fmt)
    assert got == as_printed(loaded.model, loaded.form, fmt)
    p = model.projects[0]
    assert p.project_type == "切块预算"  # the ☑ one of the two
    assert [(x.label, x.amount, x.level) for x in p.fund_lines] == [("合计", 25, 0), ("上级财政补助资金", 0, 1), ("同级财政资金", 25, 1)]
    assert str(p.fund_lines[2].amount) == "25.00" and str(p.total_budget) == "75.00"
    assert [c.item for c in p.cost_items] == ["保安服务费", "保洁服务费", "合计"]
    assert p.indicators[1].period_values == {"实施周期": "≥95%", "当年度": "100%"}
