"""Lines that are no indicators, and 一级 names typed where a form prints 二级 (tester's
F8, F2). Forms typed by hand (tests/handmade.py) for Wuhu and Ezhou.

F8: a workbook has only rows, so ``填表人：张三`` typed under the indicator table, or a
``填表说明`` sheet, were read as indicators (a 一级 “填表人：张三” with the 二级 filled down
from the merged cell above). They are left over, as the same lines in a Word file are,
named with their cell.

F2: Ezhou prints its 二级 names (数量指标) in a column headed 一级指标; a clerk who types
产出指标 there gets it as the 一级 it is, at its cell, the 二级 left empty and said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from goaldoc.api import check
from goaldoc.importer import import_file, read_filled
from goaldoc.paths import format_path
from handmade import UP, excel, word

# ============================================================== Wuhu

WH_NAME = "特殊人群病种筛查经费"
WH_TITLE = "2019年度芜湖市特殊人群病种筛查经费预算项目支出绩效目标申报明细表"
WH_INDS = [
    ("产出指标", "数量指标", "筛查人数", "≥5000人"),
    ("产出指标", "质量指标", "筛查覆盖率", "≥95%"),
    ("效益指标", "社会效益指标", "传染病早发现率", "明显提高"),
    ("满意度指标", "服务对象满意度指标", "筛查对象满意度", "≥90%"),
]


def _wuhu_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [
        [(WH_TITLE, 4)],
        [("(2019年度)", 4)],
        [("申报单位名称:(盖章)\u3000芜湖市卫生健康委员会", 4)],
        ["项目名称", (WH_NAME, 3)],
        ["项目类型", "部门预算 ☑", ("切块预算 □", 2)],
        ["项目属性", "延续项目 ☑", ("新增项目", 2)],
        [("起始日期:2019年1月1日", 2), ("结束日期:2021年12月31日", 2)],
        ["项目总预算(万元)", "75.00", "项目当年预算(万元)", "25.00"],
        ["项目资金来源情况(万元)", "其中:上级财政补助资金", "其中:同级财政资金", "其他"],
        [UP, "0.00", "20.00", "5.00"],
        ["同名项目上年预算额", "30.00", "同名项目上年预算执行数", "28.50"],
        ["项目绩效目标(含项目概况、设立依据、必要性及预期目标)", ("项目概况:用于开展特殊人群病种筛查工作。", 3)],
        ["一级指标", "二级指标", "三级指标", "指标值"],
    ]
    p1 = None
    for l1, l2, name, value in WH_INDS:
        rows.append([UP if l1 == p1 else l1, l2, name, value])
        p1 = l1
    return rows


def _indicators(data: dict[str, Any]) -> list[tuple[str, ...]]:
    return [(i.get("level1"), i.get("level2"), i.get("name"), i.get("value")) for i in data["projects"][0]["indicators"]]


def _leftovers(imp: Any) -> list[tuple[str, str, str]]:
    return [(x.place, x.text, x.reason) for x in imp.leftovers]


NO_FIELD = "这一行在表样里找不到对应的栏目"


def test_lines_typed_under_a_wuhu_sheets_indicators_are_left_over_with_their_cell(tmp_path: Path) -> None:
    rows = _wuhu_rows() + [["填表人：张三"], ["联系电话：0553-1234567"]]
    imp = import_file(excel(tmp_path / "wuhu.xlsx", {WH_NAME: rows}))
    assert imp.form.name == "wuhu"
    assert _indicators(imp.data) == WH_INDS  # no 一级 “填表人：张三” under 服务对象满意度指标
    assert _leftovers(imp) == [
        (f"{WH_NAME}!A18", "填表人：张三", NO_FIELD),
        (f"{WH_NAME}!A19", "联系电话：0553-1234567", NO_FIELD),
    ]


def test_a_notes_sheet_after_a_wuhu_sheet_is_left_over_not_read_as_indicators(tmp_path: Path) -> None:
    notes = [["填表说明"], ["1.金额单位为万元，保留两位小数。"], ["2.指标值应可衡量。"]]
    imp = import_file(excel(tmp_path / "wuhu.xlsx", {WH_NAME: _wuhu_rows(), "填表说明": notes}))
    assert _indicators(imp.data) == WH_INDS
    assert _leftovers(imp) == [
        ("填表说明!A1", "填表说明", NO_FIELD),
        ("填表说明!A2", "1.金额单位为万元，保留两位小数。", NO_FIELD),
        ("填表说明!A3", "2.指标值应可衡量。", NO_FIELD),
    ]
    _data, _lines, problems = read_filled(tmp_path / "wuhu.xlsx")
    assert [p.code for p in problems] == ["W901", "W901", "W901"]  # 提醒 at the cells, no 一级指标“填表说明”不认识


def test_a_lone_level1_name_on_a_row_of_its_own_is_still_read_as_an_indicator_row(tmp_path: Path) -> None:
    """The rule is for lines of text: a row holding only a 一级 name is the table's."""
    rows = _wuhu_rows()[:-4] + [["产出指标", "", "", ""]] + [[UP, l2, n, v] for _l1, l2, n, v in WH_INDS[:2]]
    imp = import_file(excel(tmp_path / "wuhu.xlsx", {WH_NAME: rows}))
    assert _indicators(imp.data) == [("产出指标", "", None, None), *WH_INDS[:2]]
    assert _leftovers(imp) == []


# ============================================================== Ezhou

EZ_NAME = "滨湖大楼办公大楼运行保障"
EZ_TITLE = "鄂州市2022年市直部门预算项目支出绩效目标表"
SAFE = "建立物业考核制度，按月考核"
# (typed in the column headed 一级指标, name, 绩效标准, value)
EZ_TYPED = [
    ("数量指标", "办公大楼日常维修维护次数", "反映办公大楼全年维修维护情况", "2280次"),
    ("质量指标", "办公大楼日常维修维护验收合格率", "反映办公大楼全年维修维护质量情况", "≥92%"),
    ("社会效益指标", "机关运转保障水平", "反映保障机关正常运转情况", "有效保障"),
    ("服务对象满意度指标", "干部职工满意度", "反映服务对象满意程度", "≥90%"),
]


def _ezhou_top() -> list[list[Any]]:
    return [["主管部门\n审核意见", "单位公章：\n年\u3000\u3000月\u3000\u3000日"]]


def _ezhou_main() -> list[list[Any]]:
    return [
        ["项目名称", (EZ_NAME, 5)],
        ["项目类别", ("本级支出项目", 2), "项目性质", ("持续性项目", 2)],
        ["立项依据", ("市机关事务服务中心三定方案", 5)],
        ["项目预算", "成本构成", "金额", "测算(公式)依据", "2020年实际执行数", "2021年实际执行数"],
        [UP, "保安服务费", "191", "依据招标文件", "191", "191"],
        [UP, "合计", "191", "", "191", "191"],
        ["绩效目标", ("以办公大楼服务对象满意为目标。", 5)],
    ]


def _ezhou_indicators(typed: list[tuple[str, str, str, str]], sheet: bool = False) -> list[list[Any]]:
    """The indicator grid as the form draws it: in Word 保障绩效目标实现措施 beside the four
    headings, typed again under 绩效指标; in Excel merged down beside both rows, 绩效标准
    over two columns. In a sheet the 保障… column is left empty: a text there, on the first
    indicator row, reads as the start of another project and the row is left over (match.py
    _signal compares it with the heading row above) — another matter than these."""
    if sheet:
        rows: list[list[Any]] = [[("绩效指标", 5), "保障绩效目标实现措施"], ["一级指标", "二级指标", ("绩效标准", 2), "当年预期实现值", UP]]
    else:
        rows = [[("绩效指标", 4), "保障绩效目标实现措施"], ["一级指标", "二级指标", "绩效标准", "当年预期实现值", "保障绩效目标实现措施"]]
    prev = None
    for j, (col1, name, standard, value) in enumerate(typed):
        first = UP if col1 == prev else col1
        safe = ("" if sheet else SAFE) if j == 0 else UP
        rows.append([first, name, (standard, 2), value, safe] if sheet else [first, name, standard, value, safe])
        prev = col1
    return rows


def test_lines_typed_under_an_ezhou_sheets_indicators_are_left_over_with_their_cell(tmp_path: Path) -> None:
    rows = _ezhou_top() + [[(EZ_TITLE, 6)]] + _ezhou_main() + _ezhou_indicators(EZ_TYPED, sheet=True) + [["填表人：张三"], ["联系电话：0553-1234567"]]
    imp = import_file(excel(tmp_path / "ezhou.xlsx", {EZ_NAME: rows}))
    assert imp.form.name == "ezhou"
    assert [(i["level1"], i["level2"], i["name"], i["value"]) for i in imp.data["projects"][0]["indicators"]] == [
        ("产出指标", "数量指标", "办公大楼日常维修维护次数", "2280次"),
        ("产出指标", "质量指标", "办公大楼日常维修维护验收合格率", "≥92%"),
        ("效益指标", "社会效益指标", "机关运转保障水平", "有效保障"),
        ("满意度指标", "服务对象满意度指标", "干部职工满意度", "≥90%"),
    ]
    # the first line stands where the form prints 填报单位：… (not filled here): not read there either
    assert _leftovers(imp) == [
        (f"{EZ_NAME}!A16", "填表人：张三", "这一格的文字和表样对不上"),
        (f"{EZ_NAME}!A17", "联系电话：0553-1234567", NO_FIELD),
    ]


# the clerk follows the heading: 产出指标 / 效益指标 / 满意度指标 in the column headed 一级指标
EZ_L1_TYPED = [
    ("产出指标", "办公大楼日常维修维护次数", "反映办公大楼全年维修维护情况", "2280次"),
    ("产出指标", "大楼安检巡察次数", "反映大楼保卫巡检情况", "200次"),  # merged with the one above
    ("成本指标", "成本控制率", "反映成本控制情况", "不超预算"),  # a 二级 of 产出指标 too: stays a 二级
    ("效益指标", "机关运转保障水平", "反映保障机关正常运转情况", "有效保障"),
    ("满意度指标", "干部职工满意度", "反映服务对象满意程度", "≥90%"),
]
EZ_L1_READ = [
    ("产出指标", "", "办公大楼日常维修维护次数", "2280次"),
    ("产出指标", "", "大楼安检巡察次数", "200次"),
    ("产出指标", "成本指标", "成本控制率", "不超预算"),
    ("效益指标", "", "机关运转保障水平", "有效保障"),
    ("满意度指标", "", "干部职工满意度", "≥90%"),
]


def _l1_word(path: Path) -> Path:
    blocks = [
        ("table", _ezhou_top()),
        ("p", EZ_TITLE),
        ("table", _ezhou_main()),
        ("table", _ezhou_indicators(EZ_L1_TYPED)),
        ("p", "填报单位：鄂州市机关事务服务中心"),
    ]
    return word(path, blocks)


def test_ezhou_level1_names_typed_in_its_column_headed_level1_are_read_as_level1(tmp_path: Path) -> None:
    imp = import_file(_l1_word(tmp_path / "ezhou.docx"))
    assert imp.form.name == "ezhou"
    got = [(i["level1"], i["level2"], i["name"], i["value"]) for i in imp.data["projects"][0]["indicators"]]
    assert got == EZ_L1_READ
    assert imp.notes == [
        "第 3 个表格 第 3 行 第 1 列、第 3 个表格 第 4 行 第 1 列、第 3 个表格 第 6 行 第 1 列 等 4 格 写的 产出指标、效益指标、满意度指标"
        " 是一级指标的名称，而表样这一栏印的是二级指标（如 数量指标、质量指标）：读进了一级指标（level1），这几条的二级指标（level2）空着，请补上",
        "projects.*.indicators.*.level1（一级指标）表上没有印：按二级指标在指标体系里的位置补上，请核对",
    ]
    places = imp.lines.places
    assert places[("projects", 0, "indicators", 0, "level1")] == "第 3 个表格 第 3 行 第 1 列"
    assert places[("projects", 0, "indicators", 3, "level1")] == "第 3 个表格 第 6 行 第 1 列"
    assert places[("projects", 0, "indicators", 3, "level2")] == "第 3 个表格 第 6 行 第 1 列"


def test_ezhou_level1_names_in_a_workbook_are_read_as_level1_and_check_names_the_cells(tmp_path: Path) -> None:
    rows = _ezhou_top() + [[(EZ_TITLE, 6)]] + _ezhou_main() + _ezhou_indicators(EZ_L1_TYPED, sheet=True) + [["填报单位：鄂州市机关事务服务中心"]]
    path = excel(tmp_path / "ezhou.xlsx", {EZ_NAME: rows})
    imp = import_file(path)
    got = [(i["level1"], i["level2"], i["name"], i["value"]) for i in imp.data["projects"][0]["indicators"]]
    assert got == EZ_L1_READ
    assert _leftovers(imp) == []
    problems = check(path)
    # no 一级指标“”不认识, no 缺少产出指标: each 二级 left empty is asked for at its cell
    assert [(p.code, p.place, format_path(p.path)) for p in problems if p.code.startswith("E2")] == [
        ("E202", f"{EZ_NAME}!A12", "projects[0].indicators[0].level2"),
        ("E204", f"{EZ_NAME}!A12", "projects[0].indicators"),
        ("E204", f"{EZ_NAME}!A12", "projects[0].indicators"),
        ("E202", f"{EZ_NAME}!A13", "projects[0].indicators[1].level2"),
        ("E202", f"{EZ_NAME}!A15", "projects[0].indicators[3].level2"),
        ("E202", f"{EZ_NAME}!A16", "projects[0].indicators[4].level2"),
    ]


@pytest.mark.parametrize("heading", ["指标值", "预期实现值", "当年预期实现值"])
def test_ezhou_values_under_the_national_spellings_of_its_value_heading_are_read(tmp_path: Path, heading: str) -> None:
    """Ezhou prints 当年预期实现值; a clerk typing 指标值 lost every value (listed, and check
    then said each was 空着, E306). 当年预期实现值 is in national.yaml's 指标值 group."""
    grid = _ezhou_indicators(EZ_TYPED)
    grid[1] = [heading if x == "当年预期实现值" else x for x in grid[1]]
    blocks = [("table", _ezhou_top()), ("p", EZ_TITLE), ("table", _ezhou_main()), ("table", grid)]
    imp = import_file(word(tmp_path / "ezhou.docx", blocks))
    assert [i["value"] for i in imp.data["projects"][0]["indicators"]] == [t[3] for t in EZ_TYPED]
    assert [x.text for x in imp.leftovers] == []
