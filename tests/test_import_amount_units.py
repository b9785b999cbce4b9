"""An amount typed with a unit of its own, not its column's: ``250,000.00元`` in Wuhu's
项目当年预算(万元), an Excel cell formatted ``#,##0.00"元"`` there, ``123.45万元`` in Sichuan's
元 column. Read before as the column's unit — 10 000 times off, and nothing said; now
converted exactly (a decimal shift) and said at its cell, in the import's notes and as
提醒 W902 of ``goaldoc check x.docx``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from goaldoc.importer import import_file, read_filled
from handmade import UP, excel, word
from test_import_handmade import sichuan_word

# ============================================================== Wuhu (万元), made by hand

NAME = "特殊人群病种筛查经费"
TITLE = "2019年度芜湖市特殊人群病种筛查经费预算项目支出绩效目标申报明细表"
UNIT_LINE = "申报单位名称:(盖章)\u3000芜湖市卫生健康委员会"
GOALS = "项目概况:用于开展特殊人群病种筛查工作。\n预期目标:依法做好防控工作。"
INDICATORS = [
    ("产出指标", "数量指标", "筛查人数", "≥5000人"),
    ("产出指标", "质量指标", "筛查覆盖率", "≥95%"),
    ("产出指标", "时效指标", "完成时间", "2019年12月底前"),
    ("产出指标", "成本指标", "人均筛查成本", "≤50元"),
    ("效益指标", "社会效益指标", "传染病早发现率", "明显提高"),
    ("满意度指标", "服务对象满意度指标", "筛查对象满意度", "≥90%"),
]


def wuhu_rows(budget: Any = "25.00", total: Any = "75.00") -> list[list[Any]]:
    """The project table and the indicator table as a clerk types them, all in 万元 but
    项目当年预算 (``budget``) and 项目总预算 (``total``)."""
    rows: list[list[Any]] = [
        ["项目名称", (NAME, 3)],
        ["项目类型", "部门预算 ☑", ("切块预算 □", 2)],
        ["项目属性", "延续项目 ☑", ("新增项目", 2)],
        [("起始日期:2019年1月1日", 2), ("结束日期:2021年12月31日", 2)],
        ["项目总预算(万元)", total, "项目当年预算(万元)", budget],
        ["项目资金来源情况(万元)", "其中:上级财政补助资金", "其中:同级财政资金", "其他"],
        [UP, "0.00", "20.00", "5.00"],
        ["同名项目上年预算额", "30.00", "同名项目上年预算执行数", "28.50"],
        ["项目绩效目标(含项目概况、设立依据、必要性及预期目标)", (GOALS, 3)],
    ]
    indicators: list[list[Any]] = [["一级指标", "二级指标", "三级指标", "指标值"]]
    before: tuple[str, str] | None = None
    for l1, l2, name, value in INDICATORS:
        indicators.append([UP if before and before[0] == l1 else l1, UP if before == (l1, l2) else l2, name, value])
        before = (l1, l2)
    return rows + indicators


def wuhu_word(path: Path, budget: str) -> Path:
    rows = wuhu_rows(budget=budget)
    return word(path, [("p", TITLE), ("p", "(2019年度)"), ("p", UNIT_LINE), ("table", rows[:9]), ("table", rows[9:])])


def wuhu_excel(path: Path, budget: Any, formats: dict[str, str] | None = None) -> Path:
    head: list[list[Any]] = [[(TITLE, 4)], [("(2019年度)", 4)], [(UNIT_LINE, 4)]]
    return excel(path, {NAME: head + wuhu_rows(budget=budget)}, formats={NAME: formats or {}})


def project(imp: Any) -> dict[str, Any]:
    return imp.data["projects"][0]  # type: ignore[no-any-return]


def said(imp: Any) -> list[str]:
    """The import's notes about units (what `goaldoc import` prints, and the YAML's head)."""
    return [n for n in imp.notes if "写的是" in n]


def test_yuan_typed_in_a_wanyuan_cell_of_a_word_form_is_converted_and_said(tmp_path: Path) -> None:
    src = wuhu_word(tmp_path / "芜湖.docx", budget="250,000.00元")
    imp = import_file(src)
    assert imp.form.name == "wuhu"
    p = project(imp)
    assert p["budget"] == {"unit": "万元", "total": Decimal("25")}  # not 250000 万元
    assert p["total_budget"] == Decimal("75.00")  # typed in 万元: as typed
    want = "第 1 个表格 第 5 行 第 4 列：“250,000.00元”写的是元，这一栏的金额单位是万元：已换算成 25 万元，请核对"
    assert said(imp) == [want]
    # goaldoc check 收到的.docx says it too, at the cell
    _data, _lines, problems = read_filled(src)
    w902 = [x.format() for x in problems if x.code == "W902"]
    assert w902 == [f"{src} 第 1 个表格 第 5 行 第 4 列 提醒 W902：“250,000.00元”写的是元，这一栏的金额单位是万元：已换算成 25 万元，请核对"]


def test_wanyuan_typed_in_a_wanyuan_cell_is_read_as_typed_and_nothing_is_said(tmp_path: Path) -> None:
    imp = import_file(wuhu_word(tmp_path / "芜湖.docx", budget="25.00万元"))
    assert project(imp)["budget"]["total"] == Decimal("25.00")
    assert said(imp) == []


def test_yiyuan_typed_in_a_wanyuan_cell_is_converted_and_said(tmp_path: Path) -> None:
    imp = import_file(wuhu_word(tmp_path / "芜湖.docx", budget="0.0025亿元"))
    assert project(imp)["budget"]["total"] == Decimal("25")
    assert said(imp) == ["第 1 个表格 第 5 行 第 4 列：“0.0025亿元”写的是亿元，这一栏的金额单位是万元：已换算成 25 万元，请核对"]


def test_yuan_typed_as_text_in_a_wanyuan_cell_of_a_workbook_is_converted_and_said(tmp_path: Path) -> None:
    imp = import_file(wuhu_excel(tmp_path / "芜湖.xlsx", budget="250,000.00元"))
    assert imp.form.name == "wuhu"
    assert project(imp)["budget"]["total"] == Decimal("25")
    assert said(imp) == [f"{NAME}!D8：“250,000.00元”写的是元，这一栏的金额单位是万元：已换算成 25 万元，请核对"]


def test_a_yuan_number_format_in_a_wanyuan_cell_of_a_workbook_is_converted_and_said(tmp_path: Path) -> None:
    """750000 stored, shown 750,000.00元 by its format: the clerk typed 元."""
    src = wuhu_excel(tmp_path / "芜湖.xlsx", budget="250000", formats={"D8": '#,##0.00"元"'})
    imp = import_file(src)
    assert project(imp)["budget"]["total"] == Decimal("25")
    assert said(imp) == [f"{NAME}!D8：“250,000.00元”写的是元，这一栏的金额单位是万元：已换算成 25 万元，请核对"]
    _data, _lines, problems = read_filled(src)
    assert [x.place for x in problems if x.code == "W902"] == [f"{NAME}!D8"]


def test_a_plain_number_format_in_a_wanyuan_cell_is_read_as_the_columns_unit(tmp_path: Path) -> None:
    imp = import_file(wuhu_excel(tmp_path / "芜湖.xlsx", budget="25", formats={"D8": "#,##0.00"}))
    assert project(imp)["budget"]["total"] == Decimal("25.00")
    assert said(imp) == []


# ============================================================== Sichuan (元): the reverse


def test_wanyuan_typed_in_a_yuan_column_is_converted_and_said(tmp_path: Path) -> None:
    import docx

    src = sichuan_word(tmp_path / "峨边.docx")
    d = docx.Document(str(src))
    for row in d.tables[0].rows[1:3]:  # the department's and the unit's totals, typed in 万元
        assert row.cells[2].text == "1,234,500.00"
        row.cells[2].text = "123.45万元"
    d.save(str(src))
    imp = import_file(src)
    assert imp.form.name == "sichuan"
    assert imp.data["department"]["total"] == Decimal("1234500")
    assert imp.data["units"][0]["total"] == Decimal("1234500")
    assert said(imp) == [
        f"第 1 个表格 第 {r} 行 第 3 列：“123.45万元”写的是万元，这一栏的金额单位是元：已换算成 1234500 元，请核对" for r in (2, 3)
    ]


def test_a_number_formats_money_unit_is_shown_as_excel_shows_it() -> None:
    from goaldoc.importer.read_xlsx import shown

    assert shown(750000, '#,##0.00"元"') == "750,000.00元"
    assert shown(75, "0.00\\万\\元") == "75.00万元"
    assert shown(1.5, '0.00"亿元";[Red]-0.00"亿元"') == "1.50亿元"
    assert shown(750000, "[$¥-804]#,##0.00") == "750,000.00"  # a currency sign, no unit
    assert shown(750000, "#,##0.00") == "750,000.00"
