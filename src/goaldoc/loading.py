"""A department's data, loaded and checked: the YAML (or what a filled form gave) validated
by the model of the form it names, then the finance bureau's rules, with the clerk's
``accepted:`` applied.

Used by the library (:mod:`goaldoc.api`), by ``goaldoc import`` (which checks what it read
before writing it) and by next year's file: its own module, so that none of them imports
another to reach it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import InputError, Problem, TemplateError
from .forms import FormSpec, load_form
from .loader import Handover, LineMap, load_file, load_file_for_later, load_text
from .model import DepartmentYear
from .render import collector_paused
from .validate import salvage, validate


@dataclass
class Loaded:
    model: DepartmentYear
    lines: LineMap
    file: str
    form: FormSpec | None = None  # the form the data names (its vocabulary, fields, rules)


def load(path: str | Path, templates: str | Path | None = None) -> Loaded:
    """Read and validate one YAML file; raises :class:`InputError` with every problem.
    Without automatic garbage collection meanwhile (render.collector_paused): the nodes,
    lines and models of a long file are long-lived, and the collections their allocation
    set off walked them again and again — half the CPU of loading 10,000 indicators."""
    with collector_paused():
        data, lines = load_file(path)
        return _validated(data, lines, str(path), templates)


def load_for_later(path: str | Path, templates: str | Path | None = None) -> tuple[Loaded, Handover]:
    """:func:`load`, and the file as read for :func:`goaldoc.loader.hand_over` (a batch plans
    each file in one worker and renders it, maybe in another: it is read once)."""
    with collector_paused():
        data, lines, handover = load_file_for_later(path)
        return _validated(data, lines, str(path), templates), handover


def loads(text: str, file: str = "<输入>", templates: str | Path | None = None) -> Loaded:
    with collector_paused():
        data, lines = load_text(text, file)
        return _validated(data, lines, file, templates)


def _validated(data: Any, lines: LineMap, file: str, templates: str | Path | None) -> Loaded:
    spec, problems = form_of(data, lines, templates)
    model, schema = validate(data, lines, spec.model)
    if model is None or problems:
        raise InputError(problems + schema)
    model.form = spec.name
    if spec.stage != "目标":  # a later stage's file, joined to its targets (issue 19)
        from .stage.link import resolve

        model, lines, joined = resolve(model, lines, file, spec, templates, load)
        if model is None:
            raise InputError(joined)
    return Loaded(model, lines, file, spec)


def form_of(data: Any, lines: LineMap, templates: str | Path | None = None) -> tuple[FormSpec, list[Problem]]:
    """The form the data names (``form:``, else templates/national.yaml's default_form).

    An unknown name is a located problem (E011, with the known names and the nearest one),
    and the default form stands in, so that one run still shows every other problem. A
    broken form folder raises :class:`TemplateError` (the admin's to fix)."""
    from .forms import national, unknown_form

    default = national(templates).default_form
    name = data.get("form") if isinstance(data, dict) else None
    if not isinstance(name, str) or not _FOLDER_NAME.match(name):
        return load_form(default, templates), []  # missing: the default; malformed: E010 says so
    try:
        return load_form(name, templates), []
    except TemplateError as exc:
        if [p.code for p in exc.problems] != ["E011"]:
            raise
        where = {"file": lines.file, "line": lines.line_of(("form",))}
        return load_form(default, templates), [unknown_form(name, templates, **where)]


_FOLDER_NAME = re.compile(r"^[^/\\.:][^/\\:]*$")


def diagnose_data(
    data: Any, lines: LineMap, path: str, templates: str | Path | None = None, printing: str | None = None
) -> tuple[Loaded | None, list[Problem]]:
    """:func:`diagnose` of data already read. ``printing``: the form that will print it
    (``render --form``), when not the one the data names: what it prints decides the
    ledger (checks/ledger.py)."""
    from .checks import run_checks
    from .checks.ledger import print_problems

    spec, form_problems = form_of(data, lines, templates)
    model, problems = validate(data, lines, spec.model)
    problems = form_problems + problems
    given = None
    if model is not None and spec.stage != "目标":  # a later stage's file, joined to its targets (issue 19)
        from .stage.link import resolve

        model.form = spec.name
        given = (model, lines)  # what the clerk typed in this file: the ledger's to account for
        model, lines, joined = resolve(model, lines, str(path), spec, templates, load)
        problems = problems + joined
        if model is None:
            return None, sorted(problems, key=lambda p: (not p.is_error, p.line or 0))
    if model is not None:
        model.form = spec.name
        loaded = Loaded(model, lines, str(path), spec)
        found = problems + run_checks(model, lines, spec)
        if not form_problems:
            found += print_problems(model, lines, load_form(printing, templates) if printing else spec, spec, given, found)
        found = sorted(found, key=lambda p: (not p.is_error, p.line or 0))
        return (None if form_problems else loaded), apply_acceptances(found, loaded)
    # schema problems first; the rules run on what could be read, minus what they concern
    salvaged = salvage(data, spec.model)
    stand_in = salvaged is None and isinstance(data, dict) and "year" not in data
    if stand_in:  # no year (a form that prints none): the rules still run, with a stand-in year (issue 17)
        salvaged = salvage({**data, "year": 2000}, spec.model)
    if salvaged is None or spec.stage != "目标":  # a stage file's rules need it joined to its targets
        return None, problems
    bad = [p.path for p in problems]
    rules = [p for p in run_checks(salvaged, lines, spec) if not any(p.path[: len(b)] == b for b in bad)]
    rules, problems = _sums_after_mending(rules, problems)
    if stand_in:
        rules = [p for p in rules if p.code != "E301"]  # a title's year against the stand-in
    rules = apply_acceptances(rules, Loaded(salvaged, lines, str(path), spec), report_unmatched=False)
    return None, sorted(problems + rules, key=lambda p: (not p.is_error, p.line or 0))


# the rules that add up a list of lines: a line the schema refused (no label, an amount that
# is not a number) stood in with a default level or no amount, so every sum of its list is off
_SUMS = frozenset({"E101"})


def _sums_after_mending(rules: list[Problem], problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """A line the schema refused is in the rules' data as salvage left it (label "", level
    0, amount dropped): the sums of its list are then follow-on errors naming 收入来源“”
    and totals that are right. They are left out, and the line's own problem says the list
    is added up once it is put right (nothing silent: the clerk knows a check is to come)."""
    lists = {_list_of(p.path) for p in problems if p.is_error} - {None}
    if not lists:
        return rules, problems
    held = {path for p in rules if p.code in _SUMS and (path := tuple(p.path[:-2])) in lists}
    if not held:
        return rules, problems
    rules = [p for p in rules if not (p.code in _SUMS and tuple(p.path[:-2]) in held)]
    told: set[tuple[str | int, ...]] = set()
    out = []
    for p in problems:
        where = _list_of(p.path)
        if p.is_error and where in held and where not in told:
            told.add(where)
            p = replace(p, message=f"{p.message}。这一行改正后，再核对这一栏各行之和")
        out.append(p)
    return rules, out


def _list_of(path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """The list a line's field belongs to: ("budget", "income") of ("budget", "income", 4, "label")."""
    if len(path) >= 3 and isinstance(path[-2], int) and isinstance(path[-1], str):
        return tuple(path[:-2])
    return None


def apply_acceptances(problems: list[Problem], loaded: Loaded, report_unmatched: bool = True) -> list[Problem]:
    """Mark the problems the YAML's ``accepted:`` lists (by key path, and code if given).

    A path matches a problem at that key or under it. In its brackets a number is a place
    in the list, a name or code is the item of that name or code (model.parse_accepted_path),
    so that inserting a project does not move an acceptance onto another one (issue 12
    item 8). An acceptance that matches nothing is itself reported (提醒 W001): the problem
    was fixed, or the path is wrong and a real problem shows unaccepted."""
    accepted = loaded.model.accepted
    if not accepted:
        return problems
    used = [False] * len(accepted)
    # each acceptance's path parsed once, each item's names gathered once (not per problem:
    # 2,400 accepted problems of a county round made 40,000 of each)
    parts = [a.parts for a in accepted]
    names: dict[int, tuple[Any, set[str]]] = {}

    def reason(p: Problem) -> str | None:
        found = None
        for i, a in enumerate(accepted):
            if a.code in (None, p.code) and _path_matches(parts[i], p.path, loaded.model, names):
                used[i] = True
                found = found or a.reason
        return found

    out = [replace(p, accepted=why) if (why := reason(p)) else p for p in problems]
    if report_unmatched:
        for i, a in enumerate(accepted):
            if not used[i]:
                what = f"{a.path}，{a.code}" if a.code else a.path
                out.append(
                    loaded.lines.problem(
                        ("accepted", i, "path"),
                        f"这条 accepted（{what}）没有对应任何问题：问题已改正的话请删去这条；"
                        "否则请照 goaldoc check 输出里的键路径改写（项目、单位、指标可写名称，如 projects[公益性岗位补贴]；"
                        "全是数字的编码加引号，如 units['307003']）",
                        severity="W",
                        code="W001",
                    )
                )
    return sorted(out, key=lambda p: (not p.is_error, p.line or 0))


def _path_matches(
    parts: tuple[tuple[str, str | int], ...],
    path: tuple[str | int, ...],
    model: Any,
    names: dict[int, tuple[Any, set[str]]] | None = None,
) -> bool:
    """Whether the acceptance's ``parts`` lead to ``path`` or to one of its ancestors.
    ``names``: the names of the items met so far, by ``id`` (with the item: kept alive, its
    ``id`` is not another's)."""
    if not parts or len(parts) > len(path):
        return False
    node: Any = model
    for (kind, want), step in zip(parts, path, strict=False):
        if isinstance(step, str):
            if kind != "key" or want != step:
                return False
            node = getattr(node, step, None)
            continue
        item = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
        if kind == "index":
            if want != step:
                return False
        elif kind != "item" or item is None:
            return False
        else:
            if names is None:
                known = _item_names(item)
            elif (kept := names.get(id(item))) is not None:
                known = kept[1]
            else:
                known = _item_names(item)
                names[id(item)] = (item, known)
            if want not in known:
                return False
        node = item
    return True


def _item_names(item: Any) -> set[str]:
    """What a list item is known by: its code, name, label, title or period."""
    names = (getattr(item, key, None) for key in ("code", "name", "label", "title", "period"))
    return {n for n in names if isinstance(n, str) and n}


__all__ = ["Loaded", "apply_acceptances", "diagnose_data", "form_of", "load", "loads"]
