"""The one normal form names and headings are compared in (textnorm.name_key)."""

from __future__ import annotations

import pytest

from goaldoc.textnorm import name_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("数量指标（或建筑规模指标）", "数量指标(或建筑规模指标)"),
        ("指标值／目标值", "指标值/目标值"),
        ("下属二级单位\n数（个）", "下属二级单位数(个)"),
        ("年度 目标值", "年度目标值"),
        ("【一级指标】", "(一级指标)"),
        ("ＡＢＣ１２３", "abc123"),
    ],
)
def test_spellings_that_are_one_name(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_different_names_stay_different() -> None:
    assert name_key("数量指标") != name_key("质量指标")
    assert name_key("指标值") != name_key("目标值")
