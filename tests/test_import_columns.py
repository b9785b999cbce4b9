"""Columns found by their headings under a two-row heading: the 监控表 (jiankong) merges
全年预计完成情况, 1-7月执行情况, 完成目标可能性… down over both heading rows while 偏差原因分析
spans its five causes. A clerk who types the form by hand with two of those columns in the
other order gets each value in its own field, in Word and in Excel; a column whose heading
is merged down from nothing is read by its place and said, with its cell; one under a
heading of the clerk's own is not read, and named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from goaldoc.importer import import_file
from handmade import UP, excel, word

CAUSES = ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"]
# 一级, 二级, 三级, 年度指标值, 1-7月执行情况, 全年预计完成情况, 完成目标可能性
ROWS = [
    ("产出指标", "数量指标", "入户走访户数", "≥3000户", "1900户", "3000户", "确定能"),
    ("产出指标", "质量指标", "档案规范率", "≥98%", "97%", "98%", "确定能"),
    ("效益指标", "社会效益指标", "困难群众生活改善", "有效改善", "逐步改善", "有效改善", "确定能"),
    ("满意度指标", "服务对象满意度指标", "救助对象满意度", "≥95%", "93%", "95%", "确定能"),
]
EXPECTED = [
    {"level1": l1, "level2": l2, "name": name, "value": value, "progress": progress, "expected": expected, "likelihood": likely}
    for l1, l2, name, value, progress, expected, likely in ROWS
]


def _table(swap: bool, headings: tuple[str, str] = ("1-7月执行情况", "全年预计完成情况"), under: str = "merged") -> list[list[Any]]:
    """The 监控表 as a clerk types it, the template's headings word for word; ``swap``: the
    columns 1-7月执行情况 and 全年预计完成情况 in the other order; ``under``: the second heading
    row below the headings that are not 偏差原因分析 merged with them or typed again."""
    first, second = reversed(headings) if swap else headings
    top = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", first, second]
    below = {"merged": [UP] * 7, "typed": top}[under]
    ends = {"merged": [UP, UP], "typed": ["完成目标可能性", "备注"]}[under]
    rows: list[list[Any]] = [
        [("项目名称", 2), ("城乡低保走访经费", 12)],
        [("主管部门", 2), ("104-某县民政局", 5), ("实施单位", 2), ("104001-某县社会救助中心", 5)],
        [("项目资金（万元）", 3), ("年初预算数", 2), ("1-7月执行数", 3), ("1-7月执行率", 3), ("全年预计执行数", 3)],
        [("年度资金总额", 3), ("30", 2), ("18.6", 3), ("62%", 3), ("30", 3)],
        [("年度总体目标", 2), ("全年预期目标", 5), ("1-7月实际完成情况", 7)],
        [UP, UP, ("全年走访3000户低保家庭", 5), ("已走访1900户", 7)],
        [*top, ("偏差原因分析", 5), "完成目标可能性", "备注"],
        [*below, *CAUSES, *ends],
    ]
    for n, (l1, l2, name, value, progress, expected, likely) in enumerate(ROWS):
        a, b = (expected, progress) if swap else (progress, expected)
        one = UP if n and ROWS[n - 1][0] == l1 else l1
        rows.append([UP, one, l2, name, value, a, b, "", "", "", "", "", likely, ""])
    return rows


def _make(path: Path, rows: list[list[Any]]) -> Path:
    if path.suffix == ".docx":
        return word(path, [("p", "项目支出绩效目标执行监控表"), ("p", "（2024年度）"), ("table", rows)])
    return excel(path, {"Sheet1": [[("项目支出绩效目标执行监控表", 14)], [("（2024年度）", 14)], *rows]})


def _indicators(imp: Any) -> list[dict[str, Any]]:
    project = imp.data["projects"][0]
    assert (project["name"], project["annual_goal"], project["goal_result"]) == ("城乡低保走访经费", "全年走访3000户低保家庭", "已走访1900户")
    return project["indicators"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("under", ["merged", "typed"])
@pytest.mark.parametrize("swap", [False, True], ids=["template-order", "swapped"])
def test_monitoring_columns_under_a_two_row_heading_are_read_by_their_headings(fmt: str, swap: bool, under: str, tmp_path: Path) -> None:
    imp = import_file(_make(tmp_path / f"x.{fmt}", _table(swap, under=under)))
    assert imp.form.name == "jiankong"
    assert _indicators(imp) == EXPECTED
    assert imp.leftovers == []
    assert imp.notes == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_column_merged_down_from_a_blank_heading_is_read_by_its_place_and_said(fmt: str, tmp_path: Path) -> None:
    imp = import_file(_make(tmp_path / f"x.{fmt}", _table(False, ("1-7月执行情况", ""))))
    assert _indicators(imp) == EXPECTED  # the template's place: 全年预计完成情况
    cell = "第 1 个表格 第 7 行 第 7 列" if fmt == "docx" else "Sheet1!G9"  # the heading left blank
    assert imp.notes == [f"{cell} 的表头是空的：它下面的一列按它在表样里的位置当作“全年预计完成情况”读了，不对的话请在这一格写上表头后再导入"]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_column_under_a_heading_of_the_clerks_own_is_named_not_read_by_its_place(fmt: str, tmp_path: Path) -> None:
    imp = import_file(_make(tmp_path / f"x.{fmt}", _table(True, ("1-7月执行情况", "年底能到多少"))))
    assert _indicators(imp) == [{k: v for k, v in x.items() if k != "expected"} for x in EXPECTED]
    places = [x.place for x in imp.leftovers]
    if fmt == "docx":
        assert places == ["第 1 个表格 第 7 行 第 6 列", *(f"第 1 个表格 第 {r} 行 第 6 列" for r in (9, 10, 11, 12))]
    else:
        assert places == ["Sheet1!F9", *(f"Sheet1!F{r}" for r in (11, 12, 13, 14))]
    assert [x.text for x in imp.leftovers] == ["年底能到多少", "3000户", "98%", "有效改善", "95%"]
    assert imp.leftovers[0].reason.startswith(
        "表样这里是“全年预计完成情况”，这一格的字对不上任何表头或标签，它下面（或右边）的数没有按位置读：请把这一格改成表样上印的“全年预计完成情况”再导入"
    )
    assert {x.reason for x in imp.leftovers[1:]} == {"这一格在表样里没有对应的栏目"}
