"""The ledger of every value (issue 16 item 1): each value the clerk gave reaches the paper
or a message; and what the form that prints the data cannot leave blank (item 2).

A value reaches the paper when the chosen form's templates print the context path that
shows it (:mod:`goaldoc.forms.reads`, read from the templates themselves; where the data
keeps a value and where the context shows it is :func:`goaldoc.forms.reads.context_paths`,
which mirrors :func:`goaldoc.context.build_context`; tests/test_ledger.py keeps the two
together).

* W312: every value given and not printed, at its key, naming the form: projects under a
  form that prints only the department's table, a ``title:`` under a form with a fixed
  title, fields another form declared, anything else no template reads. A part of the data
  none of whose values prints is one 提醒 (``projects``: 2 个项目), and a field unprinted in
  every item of a list is one 提醒 at its first place, with the count.
* E306: a cell form.yaml says must not be blank (``required_fields``, a declared field's
  ``required: true``) is blank where the form prints it.
* E307: a money line the form prints is empty (the 合计 lines, a project's 预算数).
* E308: the department's indicator table, which the form always prints, has no row.
* W316: E306–E308 when the data is another form's, printed through this one (``--form``).

These run with the form that prints (loading.diagnose_data): the data's own for ``check``,
``render --form``'s otherwise, so that check and render say the same.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from ..errors import Problem
from ..forms import FormSpec
from ..forms.reads import ANY, ContextPath, Reads, context_paths, form_reads
from ..loader import LineMap
from ..model import BudgetLine, ContentsEntry, DepartmentYear, Indicator, filled
from ..paths import format_path
from .base import Path, _problem

# keys that only steer goaldoc (which form, which problems are accepted, last year's numbers)
# and, in a later stage's file, which stage, where its targets are, and the date that times
# the checks of progress (E419–E421 say when it is wrong)
_NOT_PRINTED = frozenset({"form", "accepted", "carried", "stage", "targets", "as_of"})
# ------------------------------------------------------------------------ the data's values


def _given(obj: Any) -> Iterator[tuple[str | int, Any]]:
    """The parts of ``obj`` the data gave: fields set in the file, items, keys."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            if name in obj.model_fields_set:
                yield name, getattr(obj, name)
    elif isinstance(obj, list | tuple):
        yield from enumerate(obj)
    elif isinstance(obj, dict):
        yield from ((str(k), v) for k, v in obj.items())


def _exempt(owner: Any, key: str | int, value: Any) -> bool:
    """Values that are not the clerk's to leave out, or that say how others add up:

    * a text or number the model requires, and an indicator's 一级 / 二级 always: the rules
      classify by them, and a form that prints no 二级 (``prints_level2: false``) still asks
      for the 二级 of a 满意度 row it files under another 一级 (E203 says so);
    * a budget line's ``level`` and ``partial``, and a stage form's execution line's
      ``level``: the nesting, which the sums are added up by (the printed labels carry it in
      their words: 一、其中：);
    * a 目录 entry's ``pages``: goaldoc counts them itself (W315 says so);
    * a later stage's indicator ``name`` (the key that joins it to its target, and what every
      message calls it, where a form prints only 二级 and 指标值) and ``na`` (不适用: it takes
      the row out of the score, and the printed 总分 is folded by it)."""
    if isinstance(key, int) or not isinstance(owner, BaseModel):
        return False
    return _exempt_field(type(owner), key) and not isinstance(value, BaseModel | list | dict)


# goaldoc.stage.model: ExecutionLine and StageIndicator. A class of it can reach this module
# only once it is imported, so a target render does not import it (~10 ms of start-up)
_STAGE_MODEL = f"{__name__.rsplit('.', 2)[0]}.stage.model"


@functools.lru_cache(maxsize=1024)
def _exempt_field(cls: type[BaseModel], key: str) -> bool:
    field = cls.model_fields.get(key)
    if field is not None and field.is_required():
        return True
    if issubclass(cls, BudgetLine) and key in ("level", "partial"):
        return True
    stage = sys.modules.get(_STAGE_MODEL)  # loaded when a stage form is: a target render need not build it
    if stage is not None and issubclass(cls, stage.ExecutionLine) and key == "level":  # a stage form's money block: its nesting too
        return True
    if stage is not None and issubclass(cls, stage.StageIndicator) and key in ("name", "na"):
        return True
    if issubclass(cls, Indicator) and key in ("level1", "level2"):
        return True
    return issubclass(cls, ContentsEntry) and key == "pages"


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list | dict | tuple) and not value)


class _Ledger:
    def __init__(self, reads: Reads):
        self.reads = reads
        self.known: dict[tuple[tuple[str, ...], bool], bool] = {}  # a list's items share their paths

    def prints(self, schema: tuple[str, ...], total: bool) -> bool:
        key = (schema, total)
        if key not in self.known:
            self.known[key] = any(self.reads.prints(c) for c in context_paths(schema, total))
        return self.known[key]

    def walk(self, obj: Any, path: Path, schema: tuple[str, ...], total: bool = False) -> tuple[bool, list[tuple[Path, tuple[str, ...], Any]]]:
        """(whether anything under ``obj`` prints, the highest parts of it that print nothing)."""
        if isinstance(obj, BaseModel | list | tuple | dict):
            printed, missing = False, []
            first_total = isinstance(obj, list) and obj and all(isinstance(b, BudgetLine) for b in obj)
            total_at = next((i for i, b in filled(obj) if b.level == 0 and b.amount is not None), None) if first_total else None
            for key, value in _given(obj):
                if (not path and key in _NOT_PRINTED) or _empty(value):
                    continue
                step = ANY if isinstance(key, int) else key
                ok, parts = self.walk(value, (*path, key), (*schema, step), total or (total_at is not None and key == total_at))
                printed |= ok
                if not _exempt(obj, key, value):  # printed or not, never reported
                    missing += parts
            if not printed and missing and path:
                return False, [(path, schema, obj)]  # none of it prints: said once, here
            return printed, missing
        if self.prints(schema, total):
            return True, []
        return False, [(path, schema, obj)]


def unprinted(model: DepartmentYear, lines: LineMap, form: FormSpec) -> list[Problem]:
    """W312 for each value of the data ``form`` does not print (see the module doc)."""
    reads = form_reads(form)
    _printed, missing = _Ledger(reads).walk(model, (), ())
    checked = _checked(form)
    grouped: dict[tuple[str, ...], list[tuple[Path, Any]]] = {}
    for path, schema, value in missing:
        if not any(schema[: len(c)] == c for c in checked):
            grouped.setdefault(schema, []).append((path, value))
    out = []
    who = f"表样“{form.name}”（{form.title}）"
    for schema, places in grouped.items():
        path, value = places[0]
        what = _label(model, path)
        if schema in (("projects",), ("units",), ("units", ANY, "projects")):
            count = sum(len(v) for _p, v in places) if schema != ("units",) else sum(len(u.projects) for u in model.units)
            units = f"{len(model.units)} 个下属单位、" if schema == ("units",) else ""
            message = (
                f"数据里有 {units}{count} 个项目，{who}不印项目表，这些项目不会出现在生成的文件里："
                "要印项目请换用印项目表的表样（goaldoc forms 查看），不需要的话删去它们"
            )
        else:
            more = f"（共 {len(places)} 处，这里是第一处）" if len(places) > 1 else ""
            message = (
                f"{what}{more}填了，{who}不印它，它不会出现在生成的文件里：要印请换用印这一栏的表样，"
                "或请管理模板的同事在模板里加上这一栏；不需要的话删去它"
            )
        out.append(_problem(lines, path, "W312", message))
    return out


def _checked(form: FormSpec) -> list[tuple[str, ...]]:
    """The places the form's ``amount_checks`` add up: a value there reaches a message (E109)
    when it does not fit, so it is the form's even where the paper does not print it (a
    project's 预算数 tied to its fund lines)."""
    bases: dict[str, list[tuple[str, ...]]] = {
        "year": [()], "department": [("department",)], "project": [("projects", ANY), ("units", ANY, "projects", ANY)],
    }
    return [(*base, *name.split(".")) for c in form.amount_checks for name in c.names() for base in bases[c.where]]


def _label(model: DepartmentYear, path: Path) -> str:
    """“指标值确定依据”: the field's Chinese name from the model (its key when it has none)."""
    owner: Any = model
    desc = None
    for step in path:
        if isinstance(step, int):
            owner = owner[step] if isinstance(owner, list) and step < len(owner) else None
            continue
        if isinstance(owner, BaseModel) and step in type(owner).model_fields:
            desc = type(owner).model_fields[step].description
            owner = getattr(owner, step)
        else:
            desc, owner = None, None
    return _short(desc) or format_path(path[-1:])


def required_fields(model: DepartmentYear, lines: LineMap, form: FormSpec) -> list[Problem]:
    """E306: a cell form.yaml says must not be blank (``required_fields``, or a declared
    field's ``required: true``) is filled, wherever the form prints that place."""
    from ..forms.spec import field_at

    reads = form_reads(form)
    wanted = list(form.required_fields.items())
    wanted += [(place, name) for place, name, f in form.fields.items() if f.required and (place, name) not in wanted]
    places = _places(model, reads)
    out = []
    for place, name in wanted:
        field = field_at(form.model, place, name)
        declared = getattr(form.fields, place).get(name)
        label = declared.label if declared is not None else _short(field.description if field is not None else None) or name
        for where, owner, what in places[place]:
            value = _dotted(owner, name)
            if _empty(value):
                out.append(
                    _problem(
                        lines,
                        (*where, *name.split(".")),
                        "E306",
                        f"{what}的“{label}”空着：表样“{form.name}”（{form.title}）的表上这一格不能空着：请填写",
                    )
                )
    return out


def _places(model: DepartmentYear, reads: Reads) -> dict[str, list[tuple[Path, Any, str]]]:
    """Where each place of required_fields is on the paper: (key path, object, its name in messages)."""
    from .base import _projects

    projects = [(path, p, f"项目“{p.name}”") for path, p, _unit in _projects(model)] if reads.reaches(("projects", ANY)) else []
    indicators: list[tuple[Path, Any, str]] = []
    if reads.reaches(("indicator_rows", ANY)):
        indicators += [(("indicators", k), i, f"部门整体指标“{i.name}”") for k, i in enumerate(model.indicators)]
    for path, p, _what in projects:
        indicators += [((*path, "indicators", k), i, f"项目“{p.name}”的指标“{i.name}”") for k, i in enumerate(p.indicators)]
    return {
        "year": [((), model, "")],
        "department": [(("department",), model.department, "部门")],
        "project": projects,
        "indicator": indicators,
    }


def _dotted(owner: Any, name: str) -> Any:
    for part in name.split("."):
        owner = getattr(owner, part, None)
    return owner


def _short(desc: str | None) -> str:
    name = (desc or "").split("：")[0].split("，")[0].split(" / ")[0].strip()
    return re.sub(r"（[^（）]*）$", "", name)


# ------------------------------------------------------------------------ what reviewers send back


def money_lines(model: DepartmentYear, lines: LineMap, form: FormSpec) -> list[Problem]:
    """E307: a money line the form prints is not empty: the 合计 line of 部门预算支出 /
    收入来源 (and of a form's own ``lines`` and ``table`` fields with a 合计 row), and each
    project's 预算数 (after ``init --from … --clear-amounts`` they are all blank, and the
    form would print blank money cells)."""
    from .base import _projects

    reads = form_reads(form)
    who = f"表样“{form.name}”（{form.title}）"
    out = []
    lists: list[tuple[Path, list[Any], tuple[ContextPath, ...], str]] = []
    for side, name in (("expenditure", "部门预算支出"), ("income", "收入来源")):
        shown: tuple[ContextPath, ...] = (("budget", side, ANY, "amount"), ("budget_rows", ANY, side, "amount"))
        if side == "expenditure":
            shown += (("budget", "total"), ("department_total",))
        lists.append((("budget", side), getattr(model.budget, side), shown, name))
    for fname, f in form.fields.department.items():
        if f.type == "lines":
            shown = (("department", fname, ANY, "amount"), ("department", "lines", fname, ANY, "amount"))
            lists.append((("department", fname), getattr(model.department, fname, None) or [], shown, f.label))
    for where, items, shown, name in lists:
        if not items or not any(reads.prints(c) for c in shown):
            continue
        lines_ = filled(items)  # blank rows ({}) print empty by intent: not a line left empty
        if not lines_:
            continue
        total = next((i for i, b in lines_ if b.level == 0), None)
        if total is not None and items[total].amount is None:
            out.append(_problem(lines, (*where, total, "amount"), "E307", f"{name}的合计行“{items[total].label}”金额空着：{who}印这一行：请填写今年的数"))
        elif total is None and all(b.amount is None for _i, b in lines_):
            out.append(_problem(lines, where, "E307", f"{name}的金额都空着：{who}印这些金额：请填写今年的数"))
    out += _table_totals(model, lines, form, reads, who)
    shown_budget = [k for k in ("total", "fiscal", "other") if reads.prints(("projects", ANY, "budget", k))]
    if shown_budget:
        names = {"total": "预算数", "fiscal": "财政资金", "other": "其他资金"}
        for path, p, _unit in _projects(model):
            if all(getattr(p.budget, k) is None for k in shown_budget):
                key = "total" if "total" in shown_budget else shown_budget[0]
                cells = "、".join(names[k] for k in shown_budget)
                out.append(_problem(lines, (*path, "budget", key), "E307", f"项目“{p.name}”的{cells}空着：{who}印这一格：请填写今年的数"))
    return out


def _table_totals(model: DepartmentYear, lines: LineMap, form: FormSpec, reads: Reads, who: str) -> list[Problem]:
    """The 合计 row of a declared ``table`` field: its amount columns the form prints."""
    from .base import _projects

    owners: list[tuple[str, Path, Any, tuple[str, ...]]] = [("year", (), model, ()), ("department", ("department",), model.department, ("department",))]
    owners += [("project", path, p, ("projects", ANY)) for path, p, _u in _projects(model)]
    out = []
    for place, path, owner, ctx in owners:
        for fname, f in getattr(form.fields, place).items():
            if f.type != "table" or f.total is None:
                continue
            rows = getattr(owner, fname, None) or []
            for k, row in enumerate(rows):
                if getattr(row, f.total.column, None) != f.total.label:
                    continue
                for col, c in (f.columns or {}).items():
                    if c.type == "amount" and getattr(row, col, None) is None and reads.prints((*ctx, fname, ANY, col)):
                        out.append(
                            _problem(lines, (*path, fname, k, col), "E307", f"{f.label}“{f.total.label}”行的{c.label}空着：{who}印这一格：请填写今年的数")
                        )
    return out


def indicator_table(model: DepartmentYear, lines: LineMap, form: FormSpec) -> list[Problem]:
    """E308: the department's indicator table the form always prints has rows."""
    if model.indicators or ("indicator_rows",) not in form_reads(form).tables:
        return []
    return [
        _problem(
            lines,
            ("indicators",),
            "E308",
            f"部门整体绩效指标一条也没有：表样“{form.name}”（{form.title}）印部门整体的绩效指标表，空着会被退回："
            "请填写产出、效益、满意度等绩效指标",
        )
    ]


def print_problems(
    model: DepartmentYear,
    lines: LineMap,
    printing: FormSpec,
    own: FormSpec,
    given: tuple[Any, LineMap] | None = None,
    said: Sequence[Problem] = (),
) -> list[Problem]:
    """The problems that depend on the form that prints the data (``printing``; ``own`` is
    the form the data names): called by loading.diagnose_data for check and render alike.
    ``given``: a later stage's file as typed, before its targets were merged in: the values
    the ledger accounts for (the targets file's are said when that file is checked).

    ``said``: what the rules found already. A value whose key an error names (E423: a causes
    column the form has not) is said once, by that error, not again as W312; an error at the
    value itself (E304: too long) says something else, and both are said."""
    blanks = required_fields(model, lines, printing) + money_lines(model, lines, printing) + indicator_table(model, lines, printing)
    if printing.folder != own.folder:
        # data of another form printed through this one (render --form): its blank cells are
        # said, but a preview through any form stays possible (README: any data, any form)
        blanks = [replace(p, severity="W", code="W316", message=f"用 --form 换用的表样印时：{p.message}（{p.code}）") for p in blanks]
    own_model, own_lines = given if given is not None else (model, lines)
    named = [p.path for p in said if p.is_error and p.path]
    unsaid = [p for p in unprinted(own_model, own_lines, printing) if not any(len(n) == len(p.path) + 1 and n[: len(p.path)] == p.path for n in named)]
    return unsaid + blanks


__all__ = ["indicator_table", "money_lines", "print_problems", "required_fields", "unprinted"]
