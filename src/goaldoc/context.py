"""The template context: the documented contract between goaldoc and template authors.

Every name below can be used in a Word or Excel template (see templates/README.md for the
full list with examples). Model objects are passed as they are (``department.name``,
``signature.head``); what a template cannot compute itself is added here:

``budget_rows``     预算整体情况, the two lists side by side: ``r.expenditure`` / ``r.income``
                    (each a budget line or None)
``indicator_rows``  the department's 绩效指标 rows, grouped 一级 → 二级 with merge keys
``projects``        every project (also those of 下属单位), each with ``rows`` (its indicator
                    rows), ``number`` (1-based) and ``unit`` (its 下属单位 or None)
``form``            the form's settings (``form.title``, ``form.amount_unit``)
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import zip_longest
from typing import Any

from .forms import FormSpec
from .indicators import IndicatorRow, group_indicators, indicator_rows
from .model import BudgetLine, DepartmentYear, Project, Unit


class View:
    """A model object plus computed attributes, read-only, for templates."""

    def __init__(self, obj: Any, **extra: Any):
        self.__dict__["_obj"] = obj
        self.__dict__["_extra"] = extra

    def template_fields(self) -> frozenset[str]:
        obj = self.__dict__["_obj"]
        return frozenset(self.__dict__["_extra"]) | obj.template_fields()

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__["_extra"]
        if name in extra:
            return extra[name]
        return getattr(self.__dict__["_obj"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("read-only")


class BudgetRow:
    template_fields = frozenset({"expenditure", "income"})

    def __init__(self, expenditure: BudgetLine | None, income: BudgetLine | None):
        self.expenditure = expenditure
        self.income = income


class FormInfo:
    """``form`` in a template: the form's settings as plain values (never the folder or
    anything else that reaches the file system: issue 12)."""

    template_fields = frozenset({"name", "title", "amount_unit", "amount_style"})

    def __init__(self, spec: FormSpec):
        self.name = spec.name
        self.title = spec.title
        self.amount_unit = spec.amount_unit
        self.amount_style = spec.amount_style


def all_projects(model: DepartmentYear) -> list[tuple[Project, Unit | None]]:
    return [(p, None) for p in model.projects] + [(p, u) for u in model.units for p in u.projects]


def select_projects(model: DepartmentYear, only: Iterable[str] | None) -> list[tuple[Project, Unit | None]]:
    """Projects named in ``only`` (项目名称 or 项目编码), or all of them."""
    pairs = all_projects(model)
    if not only:
        return pairs
    wanted = set(only)
    return [(p, u) for p, u in pairs if p.name in wanted or (p.code and p.code in wanted)]


def build_context(
    model: DepartmentYear, spec: FormSpec, only: Iterable[str] | None = None
) -> dict[str, Any]:
    ctx: dict[str, Any] = {name: getattr(model, name) for name in DepartmentYear.model_fields}
    ctx["budget_rows"] = [
        BudgetRow(e, i) for e, i in zip_longest(model.budget.expenditure, model.budget.income)
    ]
    ctx["indicator_rows"] = rows_of(model.indicators, spec, "d")
    projects = []
    for n, (project, unit) in enumerate(select_projects(model, only), start=1):
        projects.append(
            View(project, rows=rows_of(project.indicators, spec, f"p{n}"), number=n, unit=unit)
        )
    ctx["projects"] = projects
    ctx["form"] = FormInfo(spec)
    ctx["only"] = list(only or [])
    return ctx


def rows_of(indicators: list[Any], spec: FormSpec, scope: str) -> list[IndicatorRow]:
    return indicator_rows(group_indicators(indicators, spec.indicator_grouping), scope)
