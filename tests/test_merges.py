"""Merges follow the data's hierarchy, never equal text (issue 2 §5)."""

from __future__ import annotations

import pytest

from goaldoc.api import Loaded, render_bytes
from goaldoc.forms import load_form
from goaldoc.indicators import group_indicators, indicator_rows, merge_spans
from goaldoc.loader import LineMap
from goaldoc.model import DepartmentYear, Indicator
from readback import docx_tables, docx_vertical_merges, xlsx_book, xlsx_column_merges


def ind(l1, l2, name="x"):
    return Indicator(level1=l1, level2=l2, name=name, value="100%")


TRICKY = [
    ind("产出指标", "数量指标", "a"),
    ind("产出指标", "数量指标", "b"),
    ind("产出指标", "成本指标", "c"),  # one-row group: not merged
    ind("成本指标", "成本指标", "d"),  # same 二级 text under another 一级: a new merge
    ind("成本指标", "成本指标", "e"),
    ind("效益指标", "社会效益指标", "f"),  # one-row 一级
    ind("满意度指标", "服务对象满意度指标", "g"),
    ind("满意度指标", "服务对象满意度指标", "h"),
    ind("满意度指标", "服务对象满意度指标", "i"),
]


def test_merge_spans_of_runs():
    assert merge_spans(["a", "a", "b", "c", "c", "c", None, None]) == [(0, 2), (3, 3)]
    assert merge_spans([]) == []
    assert merge_spans(["a", "b"]) == []


def test_equal_text_under_different_parents_gets_different_keys():
    rows = indicator_rows(group_indicators(TRICKY))
    l2 = [r.level2.merge_key for r in rows]
    assert merge_spans(l2) == [(0, 2), (3, 2), (6, 3)]
    assert merge_spans([r.level1.merge_key for r in rows]) == [(0, 3), (3, 2), (6, 3)]


def test_stable_grouping_gathers_rows_in_first_seen_order():
    rows = [ind("产出指标", "数量指标", "a"), ind("效益指标", "社会效益指标", "b"), ind("产出指标", "数量指标", "c")]
    stable = [r.name for r in indicator_rows(group_indicators(rows, "stable"))]
    runs = [r.name for r in indicator_rows(group_indicators(rows, "runs"))]
    assert stable == ["a", "c", "b"]
    assert runs == ["a", "b", "c"]  # nothing moves
    runs_keys = [r.level1.merge_key for r in indicator_rows(group_indicators(rows, "runs"))]
    assert merge_spans(runs_keys) == []  # the two 产出 runs are apart: no merge


def test_placeholder_row_for_a_group_without_indicators():
    rows = indicator_rows(group_indicators([Indicator(level1="效益指标", level2="生态效益指标")]))
    assert len(rows) == 1 and rows[0].name == "" and rows[0].value_text == ""


def test_other_spellings_resolve_to_the_tree_names():
    voc = load_form("guangdong").vocabulary  # the national tree (templates/national.yaml)
    assert voc.canonical1("效果指标") == "效益指标"
    assert voc.canonical2("社会公众或服务对象满意度") == "服务对象满意度指标"
    assert voc.canonical2("社会效益 指标") == "社会效益指标"


def _model():
    return DepartmentYear(year=2024, department={"name": "测试局"}, indicators=TRICKY)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_rendered_merges_match_the_data_in_both_formats(fmt):
    data = render_bytes(Loaded(_model(), LineMap("x"), "x"), [fmt])[fmt][1]
    expected_l1 = [(0, 3), (3, 2), (6, 3)]
    expected_l2 = [(0, 2), (3, 2), (6, 3)]
    if fmt == "docx":
        grid = next(t for t in docx_tables(data) if any(c.text == "一级指标" for c in t[0]))
        merges = docx_vertical_merges(grid)
        assert merges[1] == [(s + 1, n) for s, n in expected_l1]
        assert merges[2] == [(s + 1, n) for s, n in expected_l2]
        level2 = [row[2].text for row in grid[1:]]
        assert level2 == ["数量指标", "", "成本指标", "成本指标", "", "社会效益指标", "服务对象满意度指标", "", ""]
    else:
        ws = xlsx_book(data)["部门整体预算绩效目标批复表"]
        first = next(c.row for c in ws["B"] if c.value == "一级指标") + 1
        assert xlsx_column_merges(ws, 2) == [(s + first, n) for s, n in expected_l1]
        assert xlsx_column_merges(ws, 3) == [(s + first, n) for s, n in expected_l2]
