"""The ledger of every value (issue 16 item 1): each value the clerk gave reaches the paper
or a message.

A value reaches the paper when the chosen form's templates print the context path that
shows it (:mod:`goaldoc.forms.reads`, read from the templates themselves). Where the data
keeps a value and where the context shows it differ in a few places, which
:func:`context_paths` lists: it mirrors :func:`goaldoc.context.build_context` (the
contract's views: an indicator's ``sign`` / ``value`` / ``unit`` are its row's
``value_text`` / ``value_parts``, a unit's project is also one of ``projects`` …);
tests/test_ledger.py keeps the two together.

Every value given and not printed is a 提醒 W312 at its key, naming the form: projects under
a form that prints only the department's table, a ``title:`` under a form with a fixed
title, fields another form declared, anything else no template reads. A part of the data
none of whose values prints is one 提醒 (``projects``: 2 个项目), and a field unprinted in
every item of a list is one 提醒 at its first place, with the count.

``required: true`` of form.yaml ``fields`` (a common field the paper must not leave blank)
is checked here too (E306): the form says which cells those are, so the rule is the form's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from ..errors import Problem
from ..forms import FormSpec
from ..forms.reads import ANY, ContextPath, Reads, form_reads
from ..loader import LineMap
from ..model import BudgetLine, ContentsEntry, DepartmentYear
from ..paths import format_path
from .base import Path, _problem

# keys that only steer goaldoc (which form, which problems are accepted, last year's numbers)
_NOT_PRINTED = frozenset({"form", "accepted", "carried"})
# an indicator's value as the rows show it
_VALUE_PARTS = ("value_text", "value_parts")


def context_paths(schema: tuple[str, ...], total_line: bool = False) -> list[ContextPath]:
    """Where the template context shows the data's value at ``schema`` (its key path with
    every list index as ``*``): the paths a template prints it through."""
    head, rest = schema[0], schema[1:]
    out: list[ContextPath]
    if head == "indicators":
        return [("indicator_rows", *r) for r in _indicator(rest)]
    if head == "projects":
        return [("projects", *r) for r in _project(rest)]
    if head == "units":
        if len(rest) >= 2 and rest[1] == "projects":
            inner = _project(rest[2:])
            return [("projects", *r) for r in inner] + [("units", ANY, "projects", *r) for r in inner]
        out = [("units", *rest)]
        if rest[1:] in (("code",), ("name",)):
            out.append(("units", ANY, "label"))
        return out
    if head == "department":
        out = [schema]
        if rest in (("code",), ("short_name",), ("name",)):
            out.append(("department", "label"))
        if rest == ("total",):
            out.append(("department_total",))
        if len(rest) >= 3 and rest[1] == ANY:  # a declared `lines` field
            out += [("department", "lines", rest[0], ANY, a) for a in _line_attrs(rest[2])]
        return out
    if head == "budget" and len(rest) >= 3 and rest[0] in ("expenditure", "income"):
        side, attrs = rest[0], _line_attrs(rest[2])
        out = [("budget", side, ANY, a) for a in attrs]
        out += [("budget_rows", ANY, side, a) for a in attrs]
        if side == "expenditure" and total_line and rest[2] in ("amount", "label"):
            out += [("budget", "total"), ("department_total",)]  # the 合计 line's amount (views.total_line)
        return out
    return [schema]


def _indicator(rest: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``indicators.*.value`` → the row's ``value`` and, with sign and unit, ``value_text`` /
    ``value_parts`` (indicators.IndicatorRow)."""
    if len(rest) < 2:
        return [rest]
    out = [rest]
    if rest[1] in ("sign", "value", "unit"):
        out += [(rest[0], a) for a in _VALUE_PARTS]
    return out


def _project(rest: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A project's field as ``projects.*`` shows it: its indicators also as ``rows``, its
    budget unit also as ``money_unit``, a declared ``lines`` field also under ``lines``."""
    if len(rest) < 2:
        return [rest]
    item, field = rest[0], rest[1:]
    out = [rest]
    if field[0] == "indicators":
        out += [(item, "rows", *r) for r in _indicator(field[1:])]
    elif field == ("budget", "unit"):
        out.append((item, "money_unit"))
    elif len(field) >= 3 and field[1] == ANY:
        out += [(item, "lines", field[0], ANY, a) for a in _line_attrs(field[2])]
    return out


def _line_attrs(name: str) -> list[str]:
    """A budget line's field and the view attributes made of it (views.line_views)."""
    return {
        "label": ["label", "indented", "group"],
        "level": ["level", "depth", "indented", "group", "group_key"],
    }.get(name, [name])


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

    * a text or number the model requires (an indicator's 一级 / 二级: the rules classify
      by them, and a form that prints neither still needs them);
    * a budget line's ``level`` and ``partial``: the nesting, which E101 adds up by (the
      printed labels carry it in their words: 一、其中：);
    * a 目录 entry's ``pages``: goaldoc counts them itself (W315 says so)."""
    if isinstance(key, int) or not isinstance(owner, BaseModel):
        return False
    field = type(owner).model_fields.get(key)
    if field is not None and field.is_required() and not isinstance(value, BaseModel | list | dict):
        return True
    if isinstance(owner, BudgetLine) and key in ("level", "partial"):
        return True
    return isinstance(owner, ContentsEntry) and key == "pages"


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list | dict | tuple) and not value)


class _Ledger:
    def __init__(self, reads: Reads):
        self.reads = reads

    def walk(self, obj: Any, path: Path, schema: tuple[str, ...], total: bool = False) -> tuple[bool, list[tuple[Path, tuple[str, ...], Any]]]:
        """(whether anything under ``obj`` prints, the highest parts of it that print nothing)."""
        if isinstance(obj, BaseModel | list | tuple | dict):
            printed, missing = False, []
            first_total = isinstance(obj, list) and obj and all(isinstance(b, BudgetLine) for b in obj)
            total_at = next((i for i, b in enumerate(obj) if b.level == 0 and b.amount is not None), None) if first_total else None
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
        if any(self.reads.prints(c) for c in context_paths(schema, total)):
            return True, []
        return False, [(path, schema, obj)]


def unprinted(model: DepartmentYear, lines: LineMap, form: FormSpec) -> list[Problem]:
    """W312 for each value of the data ``form`` does not print (see the module doc)."""
    reads = form_reads(form)
    _printed, missing = _Ledger(reads).walk(model, (), ())
    grouped: dict[tuple[str, ...], list[tuple[Path, Any]]] = {}
    for path, schema, value in missing:
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
    name = (desc or "").split("：")[0].split("，")[0].split(" / ")[0].strip()
    name = re.sub(r"（[^（）]*）$", "", name)  # 财政供养人员数（人）
    return name or format_path(path[-1:])


def required_fields(model: DepartmentYear, lines: LineMap, form: FormSpec) -> list[Problem]:
    """E306: a field form.yaml marks ``required: true`` is filled (its cell on the paper
    must not be blank)."""
    return []


def print_problems(model: DepartmentYear, lines: LineMap, printing: FormSpec, own: FormSpec) -> list[Problem]:
    """The problems that depend on the form that prints the data (``printing``; ``own`` is
    the form the data names): called by loading.diagnose_data for check and render alike."""
    return unprinted(model, lines, printing) + required_fields(model, lines, printing)


__all__ = ["context_paths", "print_problems", "required_fields", "unprinted"]
