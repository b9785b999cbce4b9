"""What every rule module shares: the registry (`rule`, `RULES`), how a problem is made,
and the helpers more than one theme needs (numbers, projects, money units)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from ..errors import Problem
from ..loader import LineMap
from ..model import BudgetLine, DepartmentYear, Project, Unit, filled
from ..values import convert_amount

if TYPE_CHECKING:
    from ..forms import FormSpec

Rule = Callable[[DepartmentYear, LineMap, "FormSpec"], Iterator[Problem]]
RULES: list[Rule] = []
Path = tuple[str | int, ...]

MONEY_UNITS = ("元", "万元", "亿元")


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def _problem(lines: LineMap, path: Path, code: str, message: str) -> Problem:
    return lines.problem(path, message, severity=code[0], code=code)  # type: ignore[arg-type]


def _num(d: Decimal) -> str:
    """A Decimal as the clerk would write it: no exponent, zeros kept (26843.80)."""
    return format(d, "f")


def _projects(model: DepartmentYear) -> Iterator[tuple[Path, Project, Unit | None]]:
    for i, p in enumerate(model.projects):
        yield ("projects", i), p, None
    for u, unit in enumerate(model.units):
        for j, p in enumerate(unit.projects):
            yield ("units", u, "projects", j), p, unit


def _total_line(lines_: list[BudgetLine]) -> int | None:
    """The index of the 合计 line (level 0 with an amount), counted in the file (blank rows too)."""
    return next((i for i, line in filled(lines_) if line.level == 0 and line.amount is not None), None)


def _convert(d: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """``d`` in ``to_unit``; None when a unit is not 元 / 万元 / 亿元 (E107 says so)."""
    if from_unit not in MONEY_UNITS or to_unit not in MONEY_UNITS:
        return None
    return convert_amount(d, from_unit, to_unit)
