"""The data field a template's view shows (contract 1, views.py), for reading back.

Templates read views of the data, so a value found through a view goes back to the field
it shows: ``indicator_rows[3].value_text`` is ``indicators[3].value``, ``value_parts[0]``
its sign, ``budget_rows[2].income.label`` the third income line, ``department.label``
(``307-县人社局部门``) the department's code and short name (``#label``, split in place.py),
``department_total`` its total, ``p.rows`` a project's indicators; computed names
(``loop.index``, ``p.number``) are nothing to keep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .expr import Target, resolve_target

Path = tuple[str | int, ...]


def to_model(t: Target) -> Path | None:
    """The data path a context path shows (None: computed, nothing to keep)."""
    head, rest = t[0], list(t[1:])
    if head in ("loop", "only", "show", "empty", "item"):
        return None
    if head == "form":
        return ("#form", *rest) if rest == ["amount_unit"] else None
    if head == "department_total":
        return ("department", "total")
    if head == "contents" and rest[-1:] == ["pages"]:
        return None  # goaldoc counts a 目录's pages itself (issue 9): a number read back would freeze them
    if head == "indicator_rows":
        return _indicator(("indicators",), rest)
    if head == "budget_rows":
        if len(rest) < 2 or not isinstance(rest[0], int) or rest[1] not in ("expenditure", "income"):
            return None
        return _line(("budget", str(rest[1])), [rest[0], *rest[2:]])
    if head == "department":
        if rest[:1] == ["label"]:
            return ("department", "#label")
        if len(rest) >= 2 and rest[0] == "lines":
            return _line(("department", str(rest[1])), rest[2:])
        return ("department", *rest)
    if head == "budget":
        if rest[:1] in (["expenditure"], ["income"]):
            return _line(("budget", str(rest[0])), rest[1:])
        if rest[:1] == ["total"]:
            return None
        return ("budget", *rest)
    if head == "projects":
        return _project(("projects",), rest)
    if head == "units":
        if len(rest) < 2 or not isinstance(rest[0], int):
            return None
        base: Path = ("units", rest[0])
        if rest[1] == "label":
            return (*base, "#label")
        if rest[1] == "money_unit":
            return None
        if rest[1] == "projects":
            return _project((*base, "projects"), rest[2:])
        return (*base, *rest[1:])
    return (str(head), *rest)


def _project(base: Path, rest: list[Any]) -> Path | None:
    if not rest:
        return base
    if not isinstance(rest[0], int):
        return None
    p = (*base, rest[0])
    tail = rest[1:]
    if not tail:
        return p
    if tail[0] in ("number", "unit"):
        return None
    if tail[0] == "money_unit":
        return (*p, "budget", "unit")
    if tail[0] == "rows":
        return _indicator((*p, "indicators"), tail[1:])
    if tail[0] == "indicators":
        return _indicator((*p, "indicators"), tail[1:])
    if tail[0] == "lines" and len(tail) >= 2:
        return _line((*p, str(tail[1])), tail[2:])
    return (*p, *tail)


def _item(base: Path, rest: list[Any], field: Callable[[Path, list[Any]], Path | None]) -> Path | None:
    """``rest`` = [row index, field, …] under a list at ``base``: the row's path, with its
    field's path worked out by ``field`` (given the row's path and what follows the index)."""
    if not rest:
        return base
    if not isinstance(rest[0], int):
        return None
    p = (*base, rest[0])
    return field(p, rest[1:]) if rest[1:] else p


def _indicator_field(p: Path, tail: list[Any]) -> Path | None:
    f = tail[0]
    if f in ("index", "groups"):
        return None
    if f == "printed":  # 一级 / 二级 in the form's own spelling (issue 22 item 3): the same field
        return (*p, tail[1]) if len(tail) == 2 and tail[1] in ("level1", "level2") else None
    if f == "value_text":
        return (*p, "value")
    if f == "value_parts":
        if len(tail) < 2 or tail[1] not in (0, 1, 2):
            return None
        return (*p, ("sign", "value", "unit")[tail[1]])
    return (*p, *tail)


def _line_field(p: Path, tail: list[Any]) -> Path | None:
    f = tail[0]
    if f == "group_key":
        return None
    if f == "depth":
        return (*p, "level")
    if f in ("indented", "group"):
        return (*p, f"#{f}")
    return (*p, *tail)


def _indicator(base: Path, rest: list[Any]) -> Path | None:
    return _item(base, rest, _indicator_field)


def _line(base: Path, rest: list[Any]) -> Path | None:
    return _item(base, rest, _line_field)


def printed_fields(pattern: Any) -> set[Path]:
    """The data paths a form prints (list indices as ``*``): what a filled file can give
    back. A field the form does not print (a form whose title is fixed text prints no ``title``) cannot be imported."""

    out: set[Path] = set()

    def add(t: Target) -> None:
        p = to_model(t)
        if p is None or p[0] == "#form":
            return
        last = p[-1]
        if last == "#label":
            base = p[:-1]
            paths = [(*base, "code"), (*base, "short_name" if base == ("department",) else "name")]
        elif last == "#indented":
            paths = [(*p[:-1], "label")]
        elif last == "#group":
            paths = []
        else:
            paths = [p]
        for q in paths:
            wild = tuple("*" if isinstance(x, int) else x for x in q)
            out.add(wild)
            if wild[-1] == "label":
                out.update({(*wild[:-1], "level"), (*wild[:-1], "partial")})

    for rp in pattern.rows:
        env: dict[str, Target] = {}
        for lp in rp.loops:
            if lp.target is None:
                break
            base = resolve_target(lp.target, env)
            for v in lp.vars:
                env[v] = (*base, 0)
        for cp in rp.cells:
            r = cp.reader
            for p in r.passes:
                for cap in p.captures:
                    add(resolve_target(cap.target, env))
                    if cap.unit_target is not None:
                        add(resolve_target(cap.unit_target, env))
                for imp in p.implications:
                    add(resolve_target(imp.target, env))
            if r.listing is not None:
                base = resolve_target(r.listing.target, env)
                add((*base, 0))
                inner = {**env, r.listing.var: (*base, 0)}
                for cap in r.listing.body.captures:
                    add(resolve_target(cap.target, inner))
        for cond, k in rp.branches:
            for target, _value in cond.branches[k][0]:
                add(resolve_target(target, env))
    return out


def defaulted_fields(pattern: Any) -> set[Path]:
    """The data paths a filled file may not give back because the form prints them only
    through a default (list indices as ``*``): the ``a`` of ``title or (year ~ '年…表')`` and
    of ``signature.unit or department.name`` (a value equal to the default reads as none),
    and fields printed only inside such a default (a name inside a default title that a
    title of its own replaces)."""

    def wild(p: Path) -> Path:
        return tuple("*" if isinstance(x, int) else x for x in p)

    out: set[Path] = set()
    hard: set[Path] = set()
    soft: set[Path] = set()
    for rp in pattern.rows:
        env: dict[str, Target] = {}
        for lp in rp.loops:
            if lp.target is None:
                break
            base = resolve_target(lp.target, env)
            for v in lp.vars:
                env[v] = (*base, 0)
        for cp in rp.cells:
            r = cp.reader
            caps = [r.passes[0].captures[0]] if r.fallback and r.passes and r.passes[0].captures else []
            caps += [c for p in r.passes for c in p.captures if c.instead is not None]
            for cap in caps:
                p = to_model(resolve_target(cap.target, env))
                if p is not None:
                    out.add(wild(p))
            for ps in r.passes:
                for cap in ps.captures:
                    p = to_model(resolve_target(cap.target, env))
                    if p is not None:
                        (soft if cap.soft else hard).add(wild(p))
    return out | (soft - hard)
