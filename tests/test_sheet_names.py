"""Excel sheet names every Excel accepts (issue 12 item 4): a project's name becomes one."""

from __future__ import annotations

import pytest

from conftest import SAMPLES
from goaldoc.api import Loaded, load, render_bytes
from goaldoc.render.excel.workbook import MAX_SHEET_NAME, sheet_title
from readback import xlsx_book


def units(title: str) -> int:
    """UTF-16 code units, as Excel counts a sheet name's length."""
    return len(title.encode("utf-16-le")) // 2


def names(*wanted: str) -> list[str]:
    used: set[str] = set()
    return [sheet_title(n, used) for n in wanted]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("项目[一]:培训*费?/分\\项：全角冒号可以", "项目一培训费分项：全角冒号可以"),
        ("第一行\n第二行\t第三列", "第一行 第二行 第三列"),  # control characters
        ("\u202e项目exe.\u200f", "项目exe."),  # bidi overrides and marks
        ("'引号'", "引号"),  # no apostrophe at either end
        ("", "Sheet"),
        ("[]*", "Sheet"),
        ("History", "History(2)"),  # Excel keeps History for the change history
        ("HISTORY", "HISTORY(2)"),
        ("Historyx", "Historyx"),
    ],
)
def test_a_name_excel_accepts(name, expected):
    assert names(name) == [expected]


def test_length_counts_utf16_units():
    long_cjk = "人" * 40
    emoji = "😀" * 20  # each is 2 UTF-16 units
    ext_b = "𠀀" * 20  # CJK Extension B: 2 units each
    out = names(long_cjk, emoji, ext_b, "a" * 30 + "😀")
    assert out == ["人" * 31, "😀" * 15, "𠀀" * 15, "a" * 30]  # never half an emoji
    assert all(units(t) <= MAX_SHEET_NAME for t in out)


def test_a_cut_never_leaves_an_apostrophe_at_the_end():
    assert names("a" * 30 + "'b") == ["a" * 30]


def test_names_are_unique_ignoring_case_within_31_units():
    out = names("Abc", "abc", "ABC", "人" * 40, "人" * 35, "Sheet", "")
    assert out == ["Abc", "abc(2)", "ABC(3)", "人" * 31, "人" * 28 + "(2)", "Sheet", "Sheet(2)"]
    assert all(units(t) <= MAX_SHEET_NAME for t in out)
    assert len({t.casefold() for t in out}) == len(out)


def test_project_names_become_sheet_names_excel_opens():
    gaoxin = load(SAMPLES / "2024" / "gaoxin.yaml")
    wanted = ["History", "培训/宣传:2024", "😀" * 20, "history", "第一期\n第二期"]
    projects = [p.model_copy(update={"name": n}) for p, n in zip(gaoxin.model.projects, wanted, strict=False)]
    model = gaoxin.model.model_copy(update={"projects": projects})
    data = render_bytes(Loaded(model, gaoxin.lines, "x"), ["xlsx"])["xlsx"][1]
    sheets = xlsx_book(data).sheetnames
    assert sheets == ["部门预算绩效文本", "History(2)", "培训宣传2024", "😀" * 15, "history(3)", "第一期 第二期"]
