"""Headings typed by hand (ningde, guangshui): a column with a blank heading is never glued
onto the value left of it; a heading's spellings are a group of equivalents, whichever one
the form prints, a unit in brackets aside where the words are the form's; a spelling two
columns of the form could be is read as neither, and said."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from goaldoc.importer import import_file
from goaldoc.importer.headings import split_unit
from goaldoc.values import split_value
from handmade import UP, excel, word

# ------------------------------------------------------------------ ningde (宁德)

ND_NAME = "中共宁德市委党史和地方志研究室"
ND_DUTY = [
    ("组织、指导、编纂地方志", "保障志鉴地情工作所需资金", "地情、市志编纂与年鉴出版经费", "49.8"),
    ("确保本室各人员工资及福利的发放", "按时发放人员福利", "地情、市志编纂与年鉴出版经费", "11"),
    ("确保日常工作正常运行", "按时发放人员工资待遇", "基本支出", "110.61"),
]
ND_IND = [
    ("产出指标", "数量指标", "审稿篇数", "全年审稿篇数", "≥150件"),
    ("产出指标", "质量指标", "各类书籍审稿率", "100%(计划标准)", "100%"),
    ("效益指标", "社会效益指标", "地方志资料存史资政作用", "逐步提高(行业标准)", "逐步提高"),
    ("满意度指标", "服务对象满意度指标", "社会公众满意度", "90%(历史标准)", "≥90%"),
]
ND_HEAD = ("一级指标", "二级指标", "三级指标", "指标解释", "目标值")


def ningde(path: Path, duty_amount: str = "预算金额(万元)", grid: list[list[Any]] | None = None) -> Path:
    top = [
        [("部门(单位)名称", 2), ND_NAME, "部门预算编码", "901001033"],
        ["年度预算安排(万元)", "资金总额", ("171.41", 3)],
        [UP, "项目支出", ("60.8", 3)],
        [UP, "基本支出", ("110.61", 3)],
        ["年度总体目标", ("目标1:保障志鉴地情相关工作开展所需资金。", 4)],
        ["年度履职目标", "部门职能", "年度目标任务", "支出项目名称", duty_amount],
        *[[UP, *d] for d in ND_DUTY],
    ]
    if grid is None:
        grid = [list(ND_HEAD)] + [list(r) for r in ND_IND]
    return word(path, [("p", "部门整体支出绩效目标表"), ("p", "(2019年度)"), ("table", top), ("table", grid)])


def values(imp: Any) -> list[str | None]:
    return [x.get("value") for x in imp.data["indicators"]]


def named(imp: Any) -> list[tuple[str, str, str]]:
    return [(x.place, x.text, x.reason) for x in imp.leftovers]


UNHEADED = "这一格上面的表头空着，表样里没有这一栏（没有接在左边一格的值后面）"


def test_a_column_with_a_blank_heading_is_named_with_its_cells_not_glued_onto_the_values(tmp_path: Path) -> None:
    """The clerk's 核对 right of 目标值, under a heading cell left blank: each value as
    typed, each 核对 named with its cell (before: ``≥150件核对``, silently)."""
    grid = [[*ND_HEAD, ""]] + [[*r, "核对"] for r in ND_IND]
    imp = import_file(ningde(tmp_path / "x.docx", grid=grid), "ningde")
    assert values(imp) == ["≥150件", "100%", "逐步提高", "≥90%"]
    assert named(imp) == [(f"第 2 个表格 第 {r} 行 第 6 列", "核对", UNHEADED) for r in (2, 3, 4, 5)]
    assert imp.leftover_problems()[0].message == f"“核对”{UNHEADED}：请核对表上这里填的是什么"


def test_a_value_typed_in_three_cells_under_one_heading_is_still_one_value(tmp_path: Path) -> None:
    """``≥ | 90 | %`` under 目标值 and two blank heading cells is one value; in the same
    grid, ``100% | 核对`` is a value and a note: the note named, not glued."""
    grid = [[*ND_HEAD, "", ""]]
    grid += [[*ND_IND[0][:4], "≥", "150", "件"], [*ND_IND[1][:4], "100%", "核对", ""]]
    grid += [[*ND_IND[2][:4], "逐步提高", "", ""], [*ND_IND[3][:4], "≥90", "%", ""]]
    imp = import_file(ningde(tmp_path / "x.docx", grid=grid), "ningde")
    assert values(imp) == ["≥150件", "100%", "逐步提高", "≥90%"]
    assert named(imp) == [("第 2 个表格 第 3 行 第 6 列", "核对", UNHEADED)]


GS_INCOME = [("财政拨款", "968.1918", "100%", "900.5", "950.25", 1), ("合计", "968.1918", "100%", "900.5", "950.25", 0)]
GS_EXPEND = [("基本支出", "724.2318", "74.8%", "700", "720", 1), ("项目支出", "243.96", "25.2%", "200.5", "230.25", 1),
             ("合计", "968.1918", "100%", "900.5", "950.25", 0)]  # fmt: skip
GS_TASKS = [("政务服务保障", "保障市政府日常运转和会议服务", "120.5"), ("人防工程建设", "新建人防工程2处", "123.46")]
GS_IND = [("产出指标", "数量指标", "办理人大建议政协提案件数", "≥150件"), ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%")]


def guangshui_rows(tasks_head: tuple[str, str, str] = ("任务名称", "主要内容", "预算金额（万元）"), note: bool = False) -> list[list[Any]]:
    """The form as a clerk types it in one grid; ``note``: a column of 核对 right of it, its
    heading cell left blank."""
    x = [""] if note else []
    rows: list[list[Any]] = [
        ["部门（单位）名称", ("广水市人民政府办公室", 2), "填报人", "南春锋", "联系电话", "6296906", *x],
        ["部门总体资金情况", ("总体资金情况\n单位：万元", 2), "当年金额", "占比", ("近两年收支金额", 2), *x],
        [UP, UP, UP, UP, UP, "2019年", "2020年", *x],
    ]
    for block, lines in (("收入构成", GS_INCOME), ("支出构成", GS_EXPEND)):
        for j, (label, a, share, y2, y1, _level) in enumerate(lines):
            rows.append([UP, block if j == 0 else UP, label, a, share, y2, y1, *(["核对"] if note else [])])
    rows.append(["部门职能概述", ("（一）负责全市人民防空工作。", 6), *x])
    rows.append(["年度工作任务", (tasks_head[0], 2), (tasks_head[1], 2), (tasks_head[2], 2), *x])
    rows += [[UP, (a, 2), (b, 2), (c, 2), *x] for a, b, c in GS_TASKS]
    rows.append(["年度绩效目标", ("保障市政府机关正常运转。", 6), *x])
    rows.append(["年度绩效指标", "一级指标", "二级指标", ("三级指标", 3), "指标值", *x])
    rows += [[UP, a, b, (c, 3), d, *x] for a, b, c, d in GS_IND]
    return rows


def guangshui_word(path: Path, rows: list[list[Any]]) -> Path:
    return word(path, [("p", "附件2："), ("p", "部门整体支出绩效目标申报表"), ("p", "填报日期：2021年1月28日"), ("table", rows)])


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_note_column_right_of_the_funds_is_not_glued_onto_last_years_amounts(fmt: str, tmp_path: Path) -> None:
    rows = guangshui_rows(note=True)
    if fmt == "docx":
        path = guangshui_word(tmp_path / "x.docx", rows)
    else:
        head: list[list[Any]] = [[("附件2：", 7)], [("部门整体支出绩效目标申报表", 7)], [("填报日期：2021年1月28日", 7)]]
        path = excel(tmp_path / "x.xlsx", {"申报表": head + rows})
    imp = import_file(path, "guangshui")
    budget = imp.data["budget"]
    assert [str(x["amount_last_year"]) for x in budget["income"]] == ["950.25", "950.25"]
    assert [str(x["amount_last_year"]) for x in budget["expenditure"]] == ["720", "230.25", "950.25"]
    if fmt == "docx":
        places = [f"第 1 个表格 第 {r} 行 第 8 列" for r in range(4, 9)]
    else:
        places = [f"申报表!H{r}" for r in range(7, 12)]
    assert named(imp) == [(p, "核对", UNHEADED) for p in places]


def test_the_pieces_of_one_value_are_cut_only_between_its_parts() -> None:
    assert split_value(["≥", "90", "%"]) and split_value(["", "100", "%"]) and split_value(["≥90", "%"])
    assert split_value(["≥", "1", "万人以上"]) and split_value(["≥９０", "％"])
    assert not split_value(["100%", "核对"]) and not split_value(["950.25", "核对"]) and not split_value(["≥150件", "核对"])
    assert not split_value(["9", "0"]) and not split_value(["核对"])


# ------------------------------------------------------------------ heading spellings

def test_a_heading_a_form_prints_in_another_spelling_is_found_under_its_main_name(tmp_path: Path) -> None:
    """ningde prints 目标值 (an ``also`` of 指标值 in national.yaml): 指标值 heads it too."""
    grid = [["一级指标", "二级指标", "三级指标", "指标解释", "指标值"]] + [list(r) for r in ND_IND]
    imp = import_file(ningde(tmp_path / "x.docx", grid=grid), "ningde")
    assert values(imp) == ["≥150件", "100%", "逐步提高", "≥90%"]
    assert named(imp) == []


@pytest.mark.parametrize("heading", ["预算金额(万元)", "预算金额", "金额（万元）", "预算数（万元）", "金额", "预算金额\n（万元）"])
def test_the_duty_amount_column_is_read_under_each_spelling_of_its_heading(heading: str, tmp_path: Path) -> None:
    """ningde prints 预算金额（{{ unit }}）: its words with or without the unit, or another
    spelling of its group, head the column."""
    imp = import_file(ningde(tmp_path / "x.docx", duty_amount=heading), "ningde")
    assert [x.get("amount") for x in imp.data["duty_targets"]] == [Decimal("49.8"), Decimal("11"), Decimal("110.61")]
    assert imp.data["budget"]["unit"] == "万元"
    assert named(imp) == []


GS_TASK_HEADS = [
    ("任务名称", "主要内容", "预算金额"),
    ("任务名称", "主要内容", "金额（万元）"),
    ("名称", "主要内容", "预算金额（万元）"),
    ("重点工作任务", "主要内容", "预算金额（万元）"),
    ("任务名称", "实施内容", "预算金额（万元）"),
    ("任务名称", "主要实施内容", "预算金额（万元）"),
    ("任务名称", "主要内容", "拟投入的资金（万元）"),
]


@pytest.mark.parametrize("head", GS_TASK_HEADS, ids=["·".join(h) for h in GS_TASK_HEADS])
def test_the_task_columns_are_read_under_each_spelling_of_their_headings(head: tuple[str, str, str], tmp_path: Path) -> None:
    imp = import_file(guangshui_word(tmp_path / "x.docx", guangshui_rows(tasks_head=head)), "guangshui")
    assert imp.data["key_tasks"] == [{"name": a, "content": b, "funds": Decimal(c)} for a, b, c in GS_TASKS]
    assert named(imp) == []


def test_a_money_unit_other_than_the_forms_never_heads_its_column(tmp_path: Path) -> None:
    """guangdong prints 拟投入的资金（万元）: 拟投入资金（元） is not it (the funds would be
    read 10,000 times off); the heading is named, its column not read by its place."""
    from test_import_handmade import guangdong_word

    path = guangdong_word(tmp_path / "x.docx")
    import docx

    d = docx.Document(str(path))
    cell = next(c for t in d.tables for r in t.rows for c in r.cells if c.text == "拟投入的资金（万元）")
    cell.paragraphs[0].runs[0].text = "拟投入资金（元）"
    d.save(str(path))
    imp = import_file(path, "guangdong")
    assert all("funds" not in t for t in imp.data["key_tasks"])
    assert imp.leftover_problems()[0].message == f"“拟投入资金（元）”{named(imp)[0][2]}"  # no 请核对 after what to do
    assert named(imp)[0] == (
        "第 1 个表格 第 11 行 第 4 列",
        "拟投入资金（元）",
        "表样这里是“拟投入的资金(万元)”，这一格的字对不上任何表头或标签，它下面（或右边）的数没有按位置读："
        "请把这一格改成表样上印的“拟投入的资金(万元)”再导入。管理模板的同事：同一个意思的写法可以加在表样 form.yaml 的 import.headings 里。",
    )


def _matcher(form: str) -> Any:
    from goaldoc.forms import load_form
    from goaldoc.importer.headings import Matcher, form_headings
    from goaldoc.importer.pattern import pattern_of

    spec = load_form(form)
    return Matcher(spec.heading_groups, form_headings(pattern_of(spec, spec.formats[0]), spec.amount_unit), spec.amount_unit)


def test_a_spelling_two_columns_of_the_form_could_be_is_read_as_neither_and_said(tmp_path: Path) -> None:
    """ezhou prints 项目预算 and 金额; 预算金额 (national.yaml: a spelling of 预算数 and of
    预算金额（万元）) could be either: no guess."""
    from goaldoc.forms import load_form
    from goaldoc.importer.files import read_document
    from goaldoc.importer.headings import canonicalise
    from goaldoc.importer.pattern import pattern_of

    matcher = _matcher("ezhou")
    assert sorted(h.key for h in matcher.candidates("预算金额")) == ["金额", "项目预算"]
    assert [h.key for h in matcher.candidates("预算数")] == ["项目预算"]
    spec = load_form("ezhou")
    doc = read_document(word(tmp_path / "x.docx", [("table", [["预算金额", "x"]])]))
    notes = canonicalise(doc, spec.heading_groups, pattern_of(spec, "docx"), spec.amount_unit)
    assert notes == [
        "第 1 个表格 第 1 行 第 1 列 的“预算金额”在这个表样里可以是“项目预算”“金额”中的任何一个，没有按哪一个读："
        "请把这一格改成表样上印的那一个表头后再导入"
    ]
    assert doc.items[0].cells[0].norm == "预算金额"


def test_the_same_heading_printed_in_two_spellings_is_one_heading() -> None:
    """guizhou prints 一级指标 in one grid and 一级 in another: 一级指标名称 is that heading
    (the group's first spelling), not an ambiguity."""
    assert [h.key for h in _matcher("guizhou").candidates("一级指标名称")] == ["一级指标"]


def test_a_unit_in_brackets_is_told_from_other_words_in_brackets() -> None:
    assert split_unit("预算金额(万元)") == ("预算金额", "万元")
    assert split_unit("财政供养人员数(人)") == ("财政供养人员数", "人")
    assert split_unit("指标值(%)") == ("指标值", "%")
    assert split_unit("期望达到的目标(概述)") == ("期望达到的目标(概述)", None)
    assert split_unit("部门(单位)名称") == ("部门(单位)名称", None)


def test_a_money_unit_typed_must_be_the_forms_where_the_form_prints_none() -> None:
    """sichuan prints 预算数 in 元, gaoxin in 万元: 预算数（元） heads the one, 预算数（万元）
    the other, never the other way round (before, both were taken for 预算数 either way);
    a unit other than money may be any spelling of the group (权重（%） for 权重)."""
    sichuan, gaoxin = _matcher("sichuan"), _matcher("gaoxin")
    assert [h.key for h in sichuan.candidates("预算数(元)")] == ["预算数"]
    assert sichuan.candidates("预算数(万元)") == []
    assert [h.key for h in gaoxin.candidates("预算数(万元)")] == ["预算数"]
    assert gaoxin.candidates("预算数(元)") == []
    assert [h.key for h in sichuan.candidates("权重(%)")] == ["权重"]
    assert [h.key for h in _matcher("chongqing_bumen_ziping").candidates("权重(%)")] == ["指标权重(分)"]
