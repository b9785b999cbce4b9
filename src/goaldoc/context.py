"""Build the template context (contract 1, documented in views.py and templates/README.md)
for one department and one form."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import zip_longest
from typing import Any

from .forms import FormSpec
from .indicators import IndicatorRow, group_indicators, indicator_rows
from .model import DepartmentYear, Project, Unit
from .views import (
    CONTRACT,
    BudgetRow,
    Empty,
    FormInfo,
    LineView,
    Show,
    View,
    contents_views,
    joined_label,
    line_views,
    total_line,
    unit_money_unit,
)


def all_projects(model: DepartmentYear) -> list[tuple[Project, Unit | None]]:
    return [(p, None) for p in model.projects] + [(p, u) for u in model.units for p in u.projects]


def select_projects(model: DepartmentYear, only: Iterable[str] | None) -> list[tuple[Project, Unit | None]]:
    """Projects named in ``only`` (项目名称 or 项目编码), or all of them."""
    pairs = all_projects(model)
    if not only:
        return pairs
    wanted = set(only)
    return [(p, u) for p, u in pairs if p.name in wanted or (p.code and p.code in wanted)]


def build_context(model: DepartmentYear, spec: FormSpec, only: Iterable[str] | None = None) -> dict[str, Any]:
    only = list(only or [])
    fields = spec.fields
    money = model.budget.unit
    budget_total = total_line(model.budget.expenditure)
    expenditure = line_views(model.budget.expenditure, "e", fields.budget_line)
    income = line_views(model.budget.income, "i", fields.budget_line)

    ctx: dict[str, Any] = {name: getattr(model, name) for name in type(model).model_fields if name in CONTRACT}
    for name, f in fields.year.items():  # a field this form declares, absent from other forms' data
        ctx[name] = getattr(model, name) if name in type(model).model_fields else View(None, {name: f}).__getattr__(name)
    ctx["department"] = View(
        model.department,
        fields.department,
        label=joined_label(model.department.code, model.department.short_name or model.department.name),
    )
    ctx["department_total"] = model.department.total if model.department.total is not None else budget_total
    ctx["budget"] = View(model.budget, None, expenditure=expenditure, income=income, total=budget_total)
    ctx["budget_rows"] = [BudgetRow(e, i) for e, i in zip_longest(expenditure, income)]
    ctx["indicator_rows"] = rows_of(model.indicators, spec, "d")

    units: dict[int, View] = {}
    for u in model.units:
        units[id(u)] = View(
            u,
            None,
            label=joined_label(u.code, u.name),
            money_unit=unit_money_unit(u, money),
            projects=[],
        )
    projects = []
    for n, (project, unit) in enumerate(select_projects(model, only), start=1):
        uview = units[id(unit)] if unit is not None else None
        view = View(
            project,
            fields.project,
            rows=rows_of(project.indicators, spec, f"p{n}"),
            number=n,
            unit=uview,
            money_unit=project.budget.unit,
            lines={name: line_views(getattr(project, name, []), f"p{n}{name}") for name, f in fields.project.items() if f.type == "lines"},
        )
        projects.append(view)
        if uview is not None:
            uview.__dict__["_extra"]["projects"].append(view)
    ctx["projects"] = projects
    ctx["units"] = [units[id(u)] for u in model.units if not only or units[id(u)].projects]
    for name, f in fields.department.items():
        if f.type == "lines":
            ctx["department"].__dict__["_extra"].setdefault("lines", {})[name] = line_views(
                getattr(model.department, name, []), f"d{name}"
            )
    ctx["contents"] = contents_views(model.contents)
    ctx["form"] = FormInfo(spec)
    ctx["only"] = only
    ctx["show"] = Show(spec.show.contents == "always" or (spec.show.contents == "when_data" and bool(model.contents)))
    ctx["empty"] = Empty()
    ctx["dropped_columns"] = dropped_columns(model, spec)  # for the renderers, not documented for templates
    return ctx


def rows_of(indicators: list[Any], spec: FormSpec, scope: str) -> list[IndicatorRow]:
    voc = spec.vocabulary

    def spelling(level1: str, level2: str) -> tuple[str, str]:  # row.printed: the form's own words
        return voc.printed1(level1), voc.printed2(level1, level2)

    return indicator_rows(group_indicators(indicators, spec.indicator_grouping), scope, spec.fields.indicator, spelling)


def dropped_columns(model: DepartmentYear, spec: FormSpec) -> list[str]:
    """Headings of the optional columns (form.yaml ``show.columns``) that no indicator fills."""
    inds = list(model.indicators) + [i for p, _u in all_projects(model) for i in p.indicators]
    return [
        heading
        for heading, field in spec.show.columns.items()
        if not any(str(getattr(i, field, "") or "").strip() for i in inds)
    ]


__all__ = ["LineView", "all_projects", "build_context", "dropped_columns", "rows_of", "select_projects"]
