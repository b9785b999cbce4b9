"""The model reads amounts with the one tested parser (issue 12 item 7)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from goaldoc.model import Task


@pytest.mark.parametrize(
    "typed,read",
    [
        ("1,734,952.06", "1734952.06"),
        ("1，734，952.06", "1734952.06"),  # the comma of a Chinese input method
        ("26843.80", "26843.80"),  # the zeros typed are kept
        (" 350 ", "350"),
        ("１２３", "123"),  # full-width digits
        (350, "350"),
        (Decimal("9.87"), "9.87"),
    ],
)
def test_amounts_as_typed(typed, read):
    assert str(Task(name="x", funds=typed).funds) == read


def _message(funds: object) -> str:
    with pytest.raises(ValidationError) as e:
        Task(name="x", funds=funds)
    (err,) = e.value.errors()
    return str(err["ctx"]["error"])


@pytest.mark.parametrize("typed", ["1,2345", "12,34.5", "1,23,456", "1,,234", "1234,567"])
def test_misplaced_thousands_separators_are_refused(typed):
    assert _message(typed) == (
        f"金额“{typed}”的千分位逗号位置不对：逗号应每三位一个（如 12,345.6），或者不写逗号（12345.6）"
    )


@pytest.mark.parametrize("typed", ["五百", "350万元", "1.2.3", ".nan", ",123", "1,234.5,6"])
def test_text_is_refused(typed):
    assert _message(typed) == f"金额应为数字（如 350 或 1,734,952.06），现为“{typed}”"


def test_negative_is_refused():
    assert _message("-12.5") == "金额不能为负数，现为 -12.5：请填写正数或 0"
