"""The template context, contract 1: what a Word or Excel template can read.

Templates get views, never the model objects themselves: a view shows the data's fields,
the values templates used to compute in Jinja (a unit's label and money unit, the printed
department total, budget lines with their group), and the fields the form declares in
form.yaml — empty when the data has none, so that any department renders through any form.
Everything a template may read is listed in :data:`CONTRACT` and on each view class, and
templates/README.md documents the same names (a test keeps them together). The sandbox
(render/template/sandbox.py) allows exactly these names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from .forms import FormSpec
from .forms.fields import FieldSpec, empty_value, shown_value

CONTRACT_VERSION = 1

# every top-level name of the context, with what templates/README.md says of it
CONTRACT: dict[str, str] = {
    "year": "预算年度",
    "title": "表题（数据里的）",
    "form": "表样：.name、.title、.amount_unit、.amount_style、.paper_title",
    "department": "部门（DepartmentView）",
    "department_total": "印在表上的部门预算合计：department.total，没填时为部门预算支出的合计行",
    "cover": "封面：.label、.title",
    "contents": "目录：每项 .title、.pages（页码由 goaldoc 按排版算出）",
    "budget": "预算整体情况（BudgetView）",
    "budget_rows": "支出和收入并排：每行 .expenditure、.income（某一边没有或数据里写了空一行 {} 时为空）",
    "goals": "总体绩效目标（逐段）",
    "detail_goals": "明细目标",
    "phase_plan": "目标阶段性计划：.period、.text",
    "sub_goals": "分项绩效目标：.title、.goal、.indicators",
    "key_tasks": "年度重点工作任务：.name、.content、.funds、.target",
    "other_tasks": "其他需完成的任务（同上）",
    "safeguards": "保障措施：.organization、.rules、.items",
    "indicator_rows": "部门整体的绩效指标行（IndicatorRow）",
    "projects": "项目（ProjectView），含下属单位的项目",
    "units": "下属单位（UnitView）",
    "signature": "签字栏：.unit、.head、.finance_head、.preparer、.phone、.date",
    "only": "--only 选中的项目名（空表示全部）",
    "show": "可有可无的部分印不印：.contents（目录）",
    "empty": "一个所有字段都为空的行：{%tr for t in other_tasks or [empty] %} 在没有数据时印一行空行",
}


class View:
    """A data object for templates: its fields, the view's own attributes (``extra``) and the
    fields the form declares here (empty when the data lacks them). Read-only."""

    def __init__(self, obj: Any, declared: Mapping[str, FieldSpec] | None = None, **extra: Any):
        self.__dict__["_obj"] = obj
        self.__dict__["_declared"] = declared or {}
        self.__dict__["_extra"] = extra

    def template_fields(self) -> frozenset[str]:
        d = self.__dict__
        fields = frozenset(type(d["_obj"]).model_fields) if d["_obj"] is not None else frozenset()
        return fields | frozenset(d["_extra"]) | frozenset(d["_declared"])

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        if name in d["_extra"]:
            return d["_extra"][name]
        obj = d["_obj"]
        declared = d["_declared"].get(name)
        if obj is not None and name in type(obj).model_fields:
            value = getattr(obj, name)
            return value if declared is None else shown_value(declared, value)
        if declared is not None:
            return empty_value(declared)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("read-only")

    def __bool__(self) -> bool:
        return self.__dict__["_obj"] is not None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, View):
            return self.__dict__["_obj"] is other.__dict__["_obj"]
        return NotImplemented

    def __hash__(self) -> int:
        return id(self.__dict__["_obj"])


class Blank(str):
    """An empty text that stays empty when indexed (``row.value_parts[0]`` of an empty row)."""

    def __new__(cls) -> Blank:
        return super().__new__(cls, "")

    def __getitem__(self, key: Any) -> Blank:  # type: ignore[override]
        return Blank()


class Empty:
    """``empty``: a row whose every field is empty (a section with no data prints one blank row)."""

    def template_fields(self) -> frozenset[str]:
        return _AnyName()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return Blank()

    def __bool__(self) -> bool:
        return False


class _AnyName(frozenset):  # type: ignore[type-arg]
    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and not name.startswith("_")


class LineView(View):
    """A budget line (部门预算支出 / 收入来源, or a form's ``type: lines`` field).

    ``.label .amount .level .partial`` as entered, and for printing the nesting:
    ``.depth`` (the level), ``.group`` (the label of the level-1 line a deeper line belongs
    to, "" for level 0 and 1), ``.group_key`` (merge key of that group: ``{{ line.group |
    merge(line.group_key) }}`` merges the group's label down its lines), ``.indented``
    (the label with two full-width spaces per level below 1)."""


def line_views(lines: Iterable[Any], scope: str, declared: Mapping[str, Any] | None = None) -> list[LineView | Empty]:
    """``declared``: the columns the form adds to these lines (form.yaml ``fields.budget_line``),
    empty on lines of data that lacks them. A blank row (``{}`` in the file) is :class:`Empty`:
    every cell of it prints empty, and it neither opens nor closes a group."""
    out: list[LineView | Empty] = []
    group, group_key = "", ""
    for i, line in enumerate(lines):
        if getattr(line, "blank", False):
            out.append(Empty())
            continue
        if line.level <= 1:
            group, group_key = (line.label, f"{scope}/g{i}") if line.level == 1 else ("", "")
        own_group = group if line.level >= 2 else ""
        out.append(
            LineView(
                line,
                declared,
                depth=line.level,
                group=own_group,
                group_key=(group_key if line.level >= 2 else f"{scope}/l{i}"),
                indented="\u3000\u3000" * max(line.level - 1, 0) + line.label,
            )
        )
    return out


class BudgetRow:
    """One printed row of 预算整体情况: an expenditure line beside an income line. A side is
    :class:`Empty` where the file has a blank row (``{}``) and None past the end of the shorter
    side: false either way, so ``{{ r.income.label if r.income else '' }}`` prints nothing."""

    template_fields = frozenset({"expenditure", "income"})

    def __init__(self, expenditure: LineView | Empty | None, income: LineView | Empty | None):
        self.expenditure = expenditure
        self.income = income


# where a page range goes that goaldoc works out once the pages are laid out (render/pages/contents.py):
# Unicode noncharacters, like the merge marks (render/template/markup.py), never typed by a clerk
PAGES_OPEN = "\ufdd4"
PAGES_CLOSE = "\ufdd5"


def contents_views(entries: Iterable[Any]) -> list[View]:
    """``contents``: each entry's ``.title``, and ``.pages``: a mark the renderer replaces
    with the pages of the form the entry lists (the n-th form after the 目录 for the n-th
    entry). A range the clerk typed is not printed (issue 16: it is right only by chance
    and goes stale with every edit; check says so, W315)."""
    return [View(e, None, pages=f"{PAGES_OPEN}{i}{PAGES_CLOSE}") for i, e in enumerate(entries, start=1)]


class FormInfo:
    """``form``: the form's settings as plain values (never the folder or anything else
    that reaches the file system: issue 12)."""

    template_fields = frozenset({"name", "title", "amount_unit", "amount_style", "paper_title"})

    def __init__(self, spec: FormSpec):
        self.name = spec.name
        self.title = spec.title
        self.amount_unit = spec.amount_unit
        self.amount_style = spec.amount_style
        self.paper_title = spec.printed_title or spec.title  # the name its title cell prints (forms/titles.py)


class Show:
    """``show``: whether the optional parts print (form.yaml ``show:``)."""

    template_fields = frozenset({"contents"})

    def __init__(self, contents: bool):
        self.contents = contents


def total_line(lines: list[Any]) -> Decimal | None:
    """The amount of the 合计 line (level 0) of a list of budget lines (blank rows are none)."""
    return next(
        (line.amount for line in lines if not getattr(line, "blank", False) and line.level == 0 and line.amount is not None), None
    )


def unit_money_unit(unit: Any, default: str) -> str:
    """The money unit a 下属单位's total is in: its projects' unit when they agree, else the
    department's (the checks and the templates use this one rule: issue 8)."""
    units = {p.budget.unit for p in unit.projects}
    return units.pop() if len(units) == 1 else default


def joined_label(code: str | None, name: str | None) -> str:
    """“307003-某某中心”: the code and the name, as a unit row prints them."""
    return "-".join(x for x in (code, name) if x)
