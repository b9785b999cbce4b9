"""guangshui (湖北省部门整体支出绩效目标申报表（广水市）) filled by hand: its 部门总体资金情况
block under a two-row heading typed without merges (the text above typed again), and its
部门职能概述 numbered the clerk's way or not at all, read as the form's own are."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from goaldoc.importer import import_file, import_to_yaml
from handmade import UP, excel, word

NAME = "广水市人民政府办公室"
SHEET = "部门整体支出绩效目标申报表"
INCOME = [("财政拨款", "968.1918", "100%", "900.5", "950.25"), ("合计", "968.1918", "100%", "900.5", "950.25")]
EXPENDITURE = [("基本支出", "724.2318", "74.8%", "700", "720"), ("项目支出", "243.96", "25.2%", "200.5", "230.25"), ("合计", "968.1918", "100%", "900.5", "950.25")]


def _line(label: str, amount: str, share: str, before_last: str, last: str) -> dict[str, Any]:
    return {
        "label": label,
        "amount": Decimal(amount),
        "share": share,
        "amount_year_before_last": Decimal(before_last),
        "amount_last_year": Decimal(last),
        "level": 0 if label == "合计" else 1,
    }


BUDGET = {"unit": "万元", "income": [_line(*x) for x in INCOME], "expenditure": [_line(*x) for x in EXPENDITURE]}


def rows(heading_typed: bool, funds_typed: bool, duties: list[Any] | None = None) -> list[list[Any]]:
    """The form's first table. ``heading_typed``: the heading's second row types 总体资金情况 /
    当年金额 / 占比 again instead of merging them down; ``funds_typed``: 部门总体资金情况 typed
    on every row of the block (收入构成 / 支出构成 stay merged over their lines)."""
    funds = "部门总体资金情况" if funds_typed else UP
    second = [("总体资金情况\n单位：万元", 2), "当年金额", "占比"] if heading_typed else [UP, UP, UP, UP]
    out: list[list[Any]] = [
        ["部门（单位）名称", (NAME, 2), "填报人", "南春锋", "联系电话", "6296906"],
        ["部门总体资金情况", ("总体资金情况\n单位：万元", 2), "当年金额", "占比", ("近两年收支金额", 2)],
        [funds, *second, "2019年", "2020年"],
    ]
    for block, lines in (("收入构成", INCOME), ("支出构成", EXPENDITURE)):
        out += [[funds, block if k == 0 else UP, *line] for k, line in enumerate(lines)]
    for k, d in enumerate(duties or ["（一）负责全市人民防空工作。"]):
        out.append(["部门职能概述" if k == 0 else UP, (d, 6)])
    return out


def leftovers(imp: Any) -> list[tuple[str, str]]:
    return [(x.place, x.text) for x in imp.leftovers]


# ---------------------------------------------------------------- 部门总体资金情况 typed without merges


@pytest.mark.parametrize(
    ("heading_typed", "funds_typed"),
    [(True, True), (True, False), (False, True)],
    ids=["heading-and-funds-typed-again", "heading-typed-again", "funds-typed-again"],
)
def test_a_budget_block_with_some_merges_typed_again_reads_as_merged(tmp_path: Path, heading_typed: bool, funds_typed: bool) -> None:
    path = word(tmp_path / "x.docx", [("p", SHEET), ("table", rows(heading_typed, funds_typed))])
    imp = import_file(path, "guangshui")
    assert imp.data["budget"] == BUDGET
    assert leftovers(imp) == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_budget_block_typed_with_no_merge_at_all_reads_as_merged(tmp_path: Path, fmt: str) -> None:
    """Every merge typed again (handmade ``repeat=True``): the heading's second row, 部门总体资金情况
    and 收入构成 / 支出构成 on every line."""
    table = rows(heading_typed=False, funds_typed=False)
    if fmt == "docx":
        path = word(tmp_path / "x.docx", [("p", SHEET), ("table", table)], repeat=True)
    else:
        path = excel(tmp_path / "x.xlsx", {SHEET: [[SHEET], *table]}, repeat=True)
    written = import_to_yaml(path, "guangshui")
    imp = written.imported
    assert imp.data["budget"] == BUDGET
    assert imp.data["department"] == {"name": NAME, "duties": ["负责全市人民防空工作。"]}
    assert leftovers(imp) == []
    assert [p.code for p in written.problems if p.is_error] == ["E308"]  # the table has no indicator: true


# ---------------------------------------------------------------- 部门职能概述 numbered the clerk's way

DUTIES = ["负责全市人民防空工作。", "负责起草《政府工作报告》和市政府领导同志的讲话。", "负责市政府值班工作。"]
CN = "一二三"


@pytest.mark.parametrize(
    "number",
    [
        lambda k: f"（{CN[k]}）",
        lambda k: f"({CN[k]})",
        lambda k: f"{k + 1}.",
        lambda k: f"{k + 1}、",
        lambda k: f"{CN[k]}、",
        lambda k: f"（{k + 1}）",
        lambda k: "",
    ],
    ids=["（一）", "(一)", "1.", "1、", "一、", "（1）", "none"],
)
def test_duties_numbered_any_way_or_not_at_all_are_read_as_the_items(tmp_path: Path, number: Any) -> None:
    table = rows(heading_typed=False, funds_typed=False, duties=[number(k) + d for k, d in enumerate(DUTIES)])
    written = import_to_yaml(word(tmp_path / "x.docx", [("p", SHEET), ("table", table)]), "guangshui")
    assert written.imported.data["department"] == {"name": NAME, "duties": DUTIES}
    assert leftovers(written.imported) == []
    assert [p.code for p in written.problems if p.is_error] == ["E308"]  # no E306: 部门职能概述 is filled


def test_a_duty_starting_with_a_decimal_keeps_it(tmp_path: Path) -> None:
    """``2.5万平方米…`` is no item number 2: the text is read whole."""
    duties = ["负责全市人民防空工作。", "2.5万平方米人防工程的维护管理。"]
    table = rows(heading_typed=False, funds_typed=False, duties=duties)
    imp = import_file(word(tmp_path / "x.docx", [("p", SHEET), ("table", table)]), "guangshui")
    assert imp.data["department"]["duties"] == duties
    assert leftovers(imp) == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_duties_numbered_1_in_a_workbook_and_a_word_file(tmp_path: Path, fmt: str) -> None:
    table = rows(heading_typed=False, funds_typed=False, duties=[f"{k + 1}.{d}" for k, d in enumerate(DUTIES)])
    if fmt == "docx":
        path = word(tmp_path / "x.docx", [("p", SHEET), ("table", table)])
    else:
        path = excel(tmp_path / "x.xlsx", {SHEET: [[SHEET], *table]})
    imp = import_file(path, "guangshui")
    assert imp.data["department"]["duties"] == DUTIES
    assert leftovers(imp) == []
