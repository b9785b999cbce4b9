"""The import's steps one by one: reading files as Word / WPS / Excel save them, template
cells read backwards, views back to fields, budget-line levels, a new year."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from goaldoc.cli import main
from goaldoc.forms import load_form
from goaldoc.importer.expr import reader_of
from goaldoc.importer.fields import to_model
from goaldoc.importer.lines import infer_levels
from goaldoc.importer.newyear import clear_amounts, move_year
from goaldoc.importer.place import amount_of
from goaldoc.importer.read_docx import read_docx
from goaldoc.importer.read_xlsx import read_xlsx, shown
from test_import_handmade import guangdong_word

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str) -> bytes:
    """A minimal .docx around a body (what another program may write)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>')
    return buf.getvalue()


def _tc(text: str, pr: str = "") -> str:
    return f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_word_merges_as_programs_save_them() -> None:
    """gridSpan, the legacy hMerge, gridBefore, vMerge restart / continue, a content control
    around a row, a soft line break."""
    restart, cont = '<w:hMerge w:val="restart"/>', "<w:hMerge/>"
    before, span2 = '<w:trPr><w:gridBefore w:val="1"/></w:trPr>', '<w:gridSpan w:val="2"/>'
    down, below = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    two_lines = "<w:tc><w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p></w:tc>"
    body = (
        "<w:tbl>"
        + "<w:tr>" + _tc("部门名称") + _tc("某局", restart) + _tc("", cont) + "</w:tr>"
        + "<w:tr>" + before + _tc("甲", span2) + "</w:tr>"
        + "<w:sdt><w:sdtContent><w:tr>" + _tc("产出指标", down) + _tc("a") + _tc("b") + "</w:tr></w:sdtContent></w:sdt>"
        + "<w:tr>" + _tc("", below) + _tc("c") + two_lines + "</w:tr>"
        + "</w:tbl>"
    )
    doc = read_docx(_docx(body), "x.docx")
    rows = [[(c.col, c.span, c.text, c.continued) for c in item.cells] for item in doc.items]
    assert rows == [
        [(0, 1, "部门名称", False), (1, 2, "某局", False)],
        [(1, 2, "甲", False)],
        [(0, 1, "产出指标", False), (1, 1, "a", False), (2, 1, "b", False)],
        [(0, 1, "", True), (1, 1, "c", False), (2, 1, "第一行\n第二行", False)],
    ]
    assert [c.place for c in doc.items[3].cells] == ["第 1 个表格 第 4 行 第 1 列", "第 1 个表格 第 4 行 第 2 列", "第 1 个表格 第 4 行 第 3 列"]


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (1, "0%", "100%"),
        (0.995, "0.0%", "99.5%"),
        (1734952.06, "#,##0.00", "1,734,952.06"),
        (72.1, "0.00", "72.10"),
        (350.0, "General", "350"),
        (26843.8, "General", "26843.8"),
        ("≥ 90 %", "General", "≥ 90 %"),
    ],
)
def test_excel_values_read_as_the_clerk_sees_them(value: Any, fmt: str, text: str) -> None:
    assert shown(value, fmt) == text


def test_excel_merged_ranges_give_continuation_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "项目表"
    ws["A1"], ws["B1"], ws["A3"] = "一级指标", "三级指标", "效益指标"
    ws["A2"], ws["B2"], ws["B3"] = "产出指标", "甲", "乙"
    ws.merge_cells("A2:A3")
    buf = io.BytesIO()
    wb.save(buf)
    doc = read_xlsx(buf.getvalue(), "x.xlsx")
    assert [item.kind for item in doc.items] == ["sheet", "row", "row", "row"]
    last = doc.items[-1]
    assert [(c.text, c.continued, c.place) for c in last.cells] == [("", True, "项目表!A3"), ("乙", False, "项目表!B3")]


@pytest.mark.parametrize(
    ("template", "filled", "read"),
    [
        ("编制单位（盖章）：{{ signature.unit | blank }}", "编制单位(盖章)： 某局", {("signature", "unit"): "某局"}),
        ("编制单位（盖章）：{{ signature.unit | blank }}", "编制单位（盖章）：＿＿＿＿＿＿", {}),
        ("{{ (project.budget.total | amount) ~ project.budget.unit if project.budget.total is not none else '' }}", "4,000.5万元",
         {("project", "budget", "total"): "4,000.5", ("project", "budget", "unit"): "万元"}),
        ("{{ title or (year ~ '年' ~ (department.area or department.name) ~ '部门整体预算绩效目标批复表') }}", "2025年某市部门整体预算绩效目标批复表",
         {("title",): "2025年某市部门整体预算绩效目标批复表", ("year",): "2025", ("department", "area"): "某市", ("department", "name"): "某市"}),
        ("{{ project.type | check('部门预算') }}", "☑部门预算", {("project", "type"): "部门预算"}),
        ("{{ project.type | check('部门预算') }}", "□部门预算", {}),
        ("目标{{ loop.index }}", "目标 3", {}),
    ],
)
def test_template_cells_read_backwards(template: str, filled: str, read: dict[tuple[Any, ...], str]) -> None:
    r = reader_of(template)
    got: dict[tuple[Any, ...], str] = {}
    for p in r.passes:
        m = p.regex.match(filled)
        assert m is not None or p is not r.passes[0], (template, filled)
        if m is None:
            continue
        for cap in p.captures:
            v = m.group(cap.group)
            if v and v.strip() and not (cap.kind == "blank" and set(v.strip()) <= set("＿_")) and not (cap.kind == "choice" and v not in "☑☒■✓✔√▣"):
                got.setdefault(cap.target, cap.choice if cap.kind == "choice" else v.strip())
    assert got == read


@pytest.mark.parametrize(
    ("ctx", "model"),
    [
        (("indicator_rows", 3, "value_text"), ("indicators", 3, "value")),
        (("units", 0, "projects", 2, "rows", 4, "value_parts", 2), ("units", 0, "projects", 2, "indicators", 4, "unit")),
        (("budget_rows", 2, "income", "label"), ("budget", "income", 2, "label")),
        (("department_total",), ("department", "total")),
        (("department", "label"), ("department", "#label")),
        (("projects", 1, "number"), None),
        (("loop", "index"), None),
        (("budget", "expenditure", 1, "depth"), ("budget", "expenditure", 1, "level")),
    ],
)
def test_views_go_back_to_the_fields_they_show(ctx: tuple[Any, ...], model: tuple[Any, ...] | None) -> None:
    assert to_model(ctx) == model


def test_budget_line_levels_and_partial_lines_from_labels_and_sums() -> None:
    lines = [
        {"label": "合计", "amount": Decimal("100")},
        {"label": "其中：政府采购支出", "amount": Decimal("5")},
        {"label": "一、基本支出", "amount": Decimal("60")},
        {"label": "二、项目支出", "amount": Decimal("40")},
        {"label": "其中：专项资金", "amount": Decimal("30")},
        {"label": "其他事业发展性支出", "amount": Decimal("10")},
    ]
    infer_levels(lines)
    assert [(x["level"], x.get("partial", False)) for x in lines] == [(0, False), (1, True), (1, False), (1, False), (2, False), (2, False)]
    guizhou = [{"label": "基本支出", "amount": Decimal("1")}, {"label": "项目支出", "amount": Decimal("2")}, {"label": "资金总额(万元)", "amount": Decimal("3")}]
    infer_levels(guizhou)
    assert [x["level"] for x in guizhou] == [1, 1, 0]


@pytest.mark.parametrize(("text", "amount"), [("1,734,952.06", Decimal("1734952.06")), ("350万元", Decimal("350")), ("—", None), ("72.10", Decimal("72.10")), ("五百", "五百")])
def test_amounts_are_exact(text: str, amount: Any) -> None:
    got = amount_of(text)
    assert got == amount and str(got) == str(amount)


def test_a_new_year_moves_the_year_in_titles_and_counts_the_rest() -> None:
    data = {"year": 2024, "title": "2024年某局表", "projects": [{"title": "2024年项目表", "name": "甲", "period": "2024年1月至2024年12月"}], "goals": ["2024年完成"]}
    changed, others = move_year(data, 2025)
    assert data["year"] == 2025 and data["title"] == "2025年某局表" and data["projects"][0]["title"] == "2025年项目表"
    assert changed == 2 and others == ["projects[0].period", "goals[0]"]
    model = load_form("sichuan").model
    d = {"department": {"name": "x", "total": Decimal("5")}, "units": [{"name": "u", "total": Decimal("5"), "projects": [{"name": "p", "budget": {"total": Decimal("5")}, "indicators": [{"level1": "a", "level2": "b", "weight": Decimal("10")}]}]}]}
    assert clear_amounts(d, model) == 3
    assert d["units"][0]["projects"][0]["indicators"][0]["weight"] == Decimal("10")  # a weight is no amount


def test_check_of_a_hand_made_file_lists_what_it_could_not_place(tmp_path: Path) -> None:
    src = guangdong_word(tmp_path / "恩平.docx")
    res = CliRunner().invoke(main, ["check", str(src)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        f"{src} 第 2 个表格 第 7 行 提醒 W901：“注：以上数据以财政批复为准。”这一行在表样里找不到对应的栏目：请核对表上这里填的是什么",
        "检查了 1 个文件：0 个错误，1 个提醒。",
    ]
    out = tmp_path / "恩平.yaml"
    res = CliRunner().invoke(main, ["import", str(src)])
    assert res.exit_code == 0, res.output
    assert f"已导入 {out}（部门整体指标 10 条、任务 3 项）；1 处文字放不进栏目，原样写在文件末尾（注明了在哪一格）" in res.stdout.splitlines()
    assert "#   第 2 个表格 第 7 行：这一行在表样里找不到对应的栏目：注：以上数据以财政批复为准。" in out.read_text(encoding="utf-8").splitlines()
