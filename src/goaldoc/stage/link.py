"""A stage file joined to the approved targets it names (``targets: jingyan.yaml``).

The layout (issue 19 item 1): the approved target file is never edited after approval; the
monitoring in July and the self-evaluation after the year are each a file of their own that
names it, holding only the year's facts. A project is found by its 项目名称 (or 项目编码), an
indicator by its 三级指标 within its project (the n-th of a repeated name is the n-th), so
nothing of a target is typed again — `goaldoc init --stage` writes the names. What the
targets say and the stage file says again is refused (E403): a target changed after
approval is written as ``adjusted:`` (调整指标值) and printed beside the original.

The merged model keeps the targets' order, with the projects of 下属单位 listed with the
department's own (a stage form prints one form per project; the unit's code and name are the
project's 实施单位 unless the stage file says otherwise). Problems are located in the stage
file (:class:`LinkedLines` maps the merged model's places back to the facts' lines).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, TemplateError
from ..loader import LineMap
from ..paths import Path_
from ..values import convert_amount
from .model import STAGE_FIELDS

# fields of the targets a stage file must not write again (its facts entries carry names only)
_TARGET_INDICATOR = ("level1", "level2", "explanation", "value", "sign", "unit", "nature", "direction", "basis", "last_year")
_TARGET_PROJECT = (
    "code", "title", "variant", "manager", "phone", "category", "attribute", "period", "budget", "fund_nature",
    "fund_use", "spending_plan", "annual_goal", "goals", "plans", "safeguards",
)
_TARGET_YEAR = (
    "title", "department", "cover", "contents", "budget", "goals", "detail_goals", "phase_plan", "sub_goals",
    "key_tasks", "other_tasks", "safeguards", "units", "carried",
)
# parts of the targets a later form never prints (a target form's title, its page list, last year's carried numbers)
_NOT_CARRIED = ("title", "cover", "contents", "accepted", "carried", "form")


@dataclass
class LinkedLines(LineMap):
    """The stage file's lines, looked up by the merged model's paths: each moved item (a
    project, an indicator, matched by name) is found at its place in the stage file."""

    moves: list[tuple[Path_, Path_]] = field(default_factory=list)  # (merged prefix, stage prefix)

    def translate(self, path: Path_) -> Path_:
        best: tuple[Path_, Path_] | None = None
        for merged, staged in self.moves:
            if path[: len(merged)] == merged and (best is None or len(merged) > len(best[0])):
                best = (merged, staged)
        if best is None:
            return path
        return (*best[1], *path[len(best[0]) :])

    def line_of(self, path: Path_) -> int | None:
        return super().line_of(self.translate(tuple(path)))

    def place_of(self, path: Path_) -> str | None:
        return super().place_of(self.translate(tuple(path)))


def resolve(
    model: Any, lines: LineMap, file: str, spec: Any, templates: Any, load: Callable[[Path, Any], Any]
) -> tuple[Any, LineMap, list[Problem]]:
    """The stage file's model merged with its targets: (merged model or None, the lines to
    locate problems with, the problems of joining them). ``load``: how a targets file is read
    and checked (goaldoc.loading.load, handed in by it: this module needs nothing of it)."""
    if not model.targets:
        return _inline(model, lines, spec)
    base = Path(file).parent
    target_path = base / model.targets
    where = ("targets",)
    if not target_path.is_file():
        return None, lines, [
            lines.problem(
                where,
                f"找不到目标表的数据文件 {target_path}（targets: 相对这份文件所在的文件夹）：请改正文件名，"
                "或不写 targets:、把指标照表写在这份文件里",
                code="E400",
            )
        ]
    try:
        targets = load(target_path, templates)
    except (InputError, TemplateError) as exc:
        return None, lines, [
            lines.problem(
                where,
                f"目标表 {target_path} 有 {len(exc.problems)} 处问题，读不出来：先改好它（goaldoc check {target_path.as_posix()}），"
                f"第一处：{exc.problems[0].format()}",
                code="E400",
            )
        ]
    if (other := getattr(targets.model, "stage", None)):
        return None, lines, [
            lines.problem(where, f"{target_path} 是{other}表的数据，不是目标表：targets: 应写已批复的绩效目标表的数据文件", code="E400")
        ]
    problems = _retyped(model, lines, targets.model)
    merged, moves, more = _merge(model, lines, targets.model, spec, target_path)
    problems += more
    linked = LinkedLines(file, dict(lines.lines), dict(lines.places), dict(lines.columns), dict(lines.hints), moves)
    if merged is None:
        return None, linked, problems
    return merged, linked, problems


def prints_levels(spec: Any) -> bool:
    """Whether the form's templates print the 一级 / 二级 of its indicators."""
    from ..forms.reads import names_read

    return bool({"level1", "level2", "level1_label"} & names_read(spec))


def _inline(model: Any, lines: LineMap, spec: Any) -> tuple[Any, LineMap, list[Problem]]:
    """A stage file with its targets in it: what a target file must have, it must have
    (一级 and 二级 where the form prints them)."""
    problems = []
    if model.year is None:
        problems.append(lines.problem(("year",), "缺少 year（预算年度）：没有 targets: 时，年度写在这份文件里", code="E400"))
    if model.department is None:
        problems.append(lines.problem(("department",), "缺少 department（部门名称等）：没有 targets: 时，部门写在这份文件里", code="E400"))
    from .model import subjects

    levels = prints_levels(spec)
    for path, subject, _what in subjects(model):
        for i, ind in enumerate(subject.indicators if levels else []):
            for key, label in (("level1", "一级指标"), ("level2", "二级指标")):
                if not getattr(ind, key):
                    problems.append(
                        lines.problem((*path, "indicators", i, key), f"缺少{label}：没有 targets: 时，指标照表写全（一级、二级、三级、指标值）", code="E400")
                    )
    if problems:
        return None, lines, problems
    _fill_initial(model)
    return model, lines, []


def _retyped(model: Any, lines: LineMap, targets: Any) -> list[Problem]:
    """What the stage file says again of the targets (E403): a target is typed once."""
    out = []

    def given(obj: Any, names: tuple[str, ...], path: Path_) -> None:
        for name in names:
            if name in obj.model_fields_set:
                out.append(
                    lines.problem(
                        (*path, name),
                        f"{_label(obj, name)}在目标表里，这里不再写（有 targets: 时只写这一年的情况）："
                        + ("指标值批复后调整了的，写在 adjusted:（调整指标值）" if name in ("value", "sign", "unit") else "请删去这一项"),
                        code="E403",
                    )
                )

    given(model, _TARGET_YEAR, ())
    if model.year is not None and model.year != targets.year:
        out.append(lines.problem(("year",), f"年度 {model.year} 和目标表的 {targets.year} 不同：请删去 year:（取自目标表）", code="E403"))
    for where, items in (((), model.indicators), *((("projects", i), p.indicators) for i, p in enumerate(model.projects))):
        if where:
            given(model.projects[where[1]], _TARGET_PROJECT, where)
        for j, ind in enumerate(items):
            given(ind, _TARGET_INDICATOR, (*where, "indicators", j))
    return out


def _label(obj: Any, name: str) -> str:
    desc = type(obj).model_fields[name].description or name
    return f"{name}（{desc.split('，')[0].split('（')[0].split('：')[0]}）"


def _key(p: Any) -> set[str]:
    return {x for x in (p.name, p.code) if x}


def _merge(
    model: Any, lines: LineMap, targets: Any, spec: Any, target_path: Path
) -> tuple[Any, list[tuple[Path_, Path_]], list[Problem]]:
    problems: list[Problem] = []
    moves: list[tuple[Path_, Path_]] = []
    data = _flat(targets)
    flat = data["projects"]
    facts = model.model_dump(mode="python", exclude_unset=True, exclude={"projects", "indicators", "targets", "year", "form"})
    data.update(facts)
    data["form"] = spec.name
    data["stage"] = model.stage
    data["targets"] = model.targets
    if model.signature:
        data["signature"] = {**{k: v for k, v in (data.get("signature") or {}).items() if k != "date"}, **model.signature.model_dump(exclude_unset=True)}
    target_file = target_path.as_posix()

    # the department's own indicators
    if model.indicators and "department" not in spec.prints:
        problems.append(
            lines.problem(("indicators",), f"表样“{spec.name}”只印项目表，不印部门整体指标：indicators: 下的 {len(model.indicators)} 条不会印出，请删去", severity="W", code="W403")
        )
    wanted_department = "department" in spec.prints
    problems += _match_indicators(data, (), model.indicators, model, lines, moves, target_file, required=wanted_department)

    # projects, by 项目名称 or 项目编码
    taken: set[int] = set()
    unknown: list[tuple[int, Any]] = []
    for sp, p in enumerate(model.projects):
        k = next((i for i, tp in enumerate(flat) if i not in taken and _key_of(tp) & _key(p)), None)
        if k is None:
            unknown.append((sp, p))
            continue
        taken.add(k)
        moves.append((("projects", k), ("projects", sp)))
        entry = flat[k]
        own = p.model_dump(mode="python", exclude_unset=True, exclude={"indicators", "name", "code"})
        entry.update(own)
        problems += _match_indicators(entry, ("projects", k), p.indicators, p, lines, moves, target_file, stage_path=("projects", sp), required=True)
    # a project's name typed wrong: one problem, naming the project it most likely is
    names = [tp["name"] for tp in flat]
    suggested: set[int] = set()
    for sp, p in unknown:
        near, missing = _nearest(p.name, names, taken, suggested)
        if near is not None:
            hint = f"是不是“{near}”？" + ("（目标表的这个项目在这份文件里还没有）" if missing else "")
        else:
            hint = f"目标表的项目有 {'、'.join(names[:8])}" + ("等" if len(names) > 8 else "") if names else "目标表里没有项目"
        problems.append(lines.problem(("projects", sp, "name"), f"目标表 {target_file} 里没有名为“{p.name}”的项目：{hint}", code="E401"))
    if "projects" in spec.prints:
        for k, tp in enumerate(flat):
            if k not in taken and k not in suggested:
                problems.append(
                    lines.problem(
                        ("projects",),
                        f"目标表的项目“{tp['name']}”在这份文件里没有：请加上（- name: {tp['name']}，写这一年的情况；"
                        "goaldoc init --stage 会列出全部项目和指标）",
                        code="E402",
                    )
                )
    if any(p.is_error for p in problems if p.code in ("E401", "E403")):
        return None, moves, problems
    _fill_initial_data(data)
    from ..validate import problems_of

    try:
        merged = spec.model.model_validate(_fit(data, spec.model))
    except Exception as exc:  # noqa: BLE001 - the parts were valid; say what did not fit together
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            problems += [
                lines.problem(p.path, f"和目标表合在一起后：{p.message}", code="E400") for p in problems_of(exc, lines, spec.model, "E400")
            ]
            return None, moves, problems
        raise
    return merged, moves, problems


def _flat(targets: Any) -> dict[str, Any]:
    """The targets as data for a stage form: what a later form never prints left out, the
    projects of 下属单位 listed with the department's own, each with its unit's code and
    name as 实施单位."""
    data: dict[str, Any] = targets.model_dump(mode="python", exclude=set(_NOT_CARRIED))
    flat = list(data.get("projects", []))
    for u, unit in zip(data.pop("units", []), targets.units, strict=True):
        label = "-".join(x for x in (unit.code, unit.name) if x)
        for p in u.get("projects", []):
            p.setdefault("implementer", label)
            flat.append(p)
    for p in flat:
        p.pop("title", None)  # the target form's title of the project
    data["projects"] = flat
    return data


def as_stage(targets: Any, spec: Any) -> Any:
    """Target data as a stage form's model with no facts: the form prints the targets and
    leaves the year's columns blank (a form to fill by hand; ``render --form``)."""
    data = _flat(targets)
    data.update({"form": spec.name, "stage": spec.stage})
    return spec.model.model_validate(_fit(data, spec.model))


def _key_of(p: dict[str, Any]) -> set[str]:
    return {x for x in (p.get("name"), p.get("code")) if x}


def _match_indicators(
    owner: dict[str, Any],
    merged_path: Path_,
    facts: list[Any],
    fact_owner: Any,
    lines: LineMap,
    moves: list[tuple[Path_, Path_]],
    target_file: str,
    stage_path: Path_ = (),
    required: bool = True,
) -> list[Problem]:
    """Each facts entry onto the target indicator of its name (the n-th of a repeated name
    onto the n-th); an indicator of the targets with no entry, and an entry with no target,
    are problems."""
    problems: list[Problem] = []
    targets = owner.get("indicators", [])
    taken: set[int] = set()
    where = "部门整体" if not merged_path else f"项目“{owner.get('name')}”"
    unknown: list[tuple[int, Any]] = []
    for j, ind in enumerate(facts):
        i = next((i for i, t in enumerate(targets) if i not in taken and t.get("name", "") == ind.name), None)
        if i is None:
            unknown.append((j, ind))
            continue
        taken.add(i)
        moves.append(((*merged_path, "indicators", i), (*stage_path, "indicators", j)))
        own = ind.model_dump(mode="python", exclude_unset=True, exclude={"name"})
        if "weight" in own and targets[i].get("weight") is not None:
            problems.append(
                lines.problem(
                    (*stage_path, "indicators", j, "weight"),
                    f"权重在目标表里已有（{format(targets[i]['weight'], 'f')}），这里不再写：请删去（批复后调整了的，请改目标表并说明）",
                    code="E403",
                )
            )
            own.pop("weight")
        targets[i].update(own)
    # a name typed wrong: one problem, naming the target indicator it most likely is (that
    # indicator is then not said again as missing: one mistake, one message)
    names = [t.get("name", "") for t in targets]
    suggested: set[int] = set()
    for j, ind in unknown:
        near, missing = _nearest(ind.name, names, taken, suggested)
        if near is None:
            hint = "指标名称要和目标表一字不差（goaldoc init --stage 会写好）"
        else:
            hint = f"是不是“{near}”？" + ("（目标表的这条指标在这份文件里还没有）" if missing else "")
        problems.append(
            lines.problem((*stage_path, "indicators", j, "name"), f"目标表 {target_file} 的{where}没有名为“{ind.name}”的指标：{hint}", code="E401")
        )
    if required:
        for i, t in enumerate(targets):
            if i not in taken and i not in suggested:
                problems.append(
                    lines.problem(
                        (*stage_path, "indicators"),
                        f"目标表{where}的指标“{t.get('name', '')}”（{t.get('level1', '')}/{t.get('level2', '')}）在这份文件里没有："
                        "请加上（- name: 指标名称，写这一年的情况；goaldoc init --stage 会列出全部）",
                        code="E402",
                    )
                )
    return problems


def _nearest(name: str, names: list[str], taken: set[int], suggested: set[int]) -> tuple[str | None, bool]:
    """The name among the targets' ``names`` that ``name`` was most likely meant to be, and
    whether that target is one not matched (not ``taken``): it is then added to ``suggested``
    by its place, once (a second misspelling of it does not hide it; of two targets of one
    name, the other is still said missing). Close names not matched come first."""
    free = {k: n for k, n in enumerate(names) if k not in taken and k not in suggested}
    near = difflib.get_close_matches(name, list(dict.fromkeys(free.values())), n=1, cutoff=0.5)
    if near:
        suggested.add(next(k for k, n in free.items() if n == near[0]))
        return near[0], True
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return (near[0], False) if near else (None, False)


def _fit(data: Any, model: Any) -> Any:
    """``data`` with only the keys ``model`` has (the targets' own form may declare fields a
    stage form does not print), recursively."""
    import types
    import typing

    from pydantic import BaseModel

    tp = model
    while typing.get_origin(tp) in (typing.Union, types.UnionType, typing.Annotated):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0]
    if isinstance(data, list):
        inner = typing.get_args(tp)[0] if typing.get_origin(tp) is list else None
        return [_fit(x, inner) for x in data]
    if isinstance(data, dict) and isinstance(tp, type) and issubclass(tp, BaseModel):
        return {k: _fit(v, tp.model_fields[k].annotation) for k, v in data.items() if k in tp.model_fields}
    return data


def _fill_initial_data(data: dict[str, Any]) -> None:
    """年初预算数 of a total row left empty: the budget the targets approved."""
    dept_total = next((b.get("amount") for b in data.get("budget", {}).get("expenditure", []) if b and b.get("level", 0) == 0), None)  # {}: a blank row
    _fill_one(data.get("execution"), dept_total, data.get("budget", {}).get("unit", "万元"))
    for p in data.get("projects", []):
        budget = p.get("budget") or {}
        _fill_one(p.get("execution"), budget.get("total"), budget.get("unit", "万元"))


def _fill_one(execution: Any, amount: Decimal | None, unit: str) -> None:
    if not execution or amount is None:
        return
    lines = execution.get("lines") or []
    total = next((line for line in lines if line.get("level", 0) == 0), None)
    if total is not None and total.get("initial") is None:
        try:
            total["initial"] = convert_amount(amount, unit, execution.get("unit", "万元"))
        except ValueError:
            return


def _fill_initial(model: Any) -> None:
    """The same for an inline stage file (its targets' budget is in it)."""
    from .model import total_line

    dept = next((b.amount for b in model.budget.expenditure if not b.blank and b.level == 0), None)
    pairs = [(model.execution, dept, model.budget.unit)] + [(p.execution, p.budget.total, p.budget.unit) for p in model.projects]
    for execution, amount, unit in pairs:
        line = total_line(execution)
        if line is not None and line.initial is None and amount is not None:
            try:
                line.initial = convert_amount(amount, unit, execution.unit)
            except ValueError:
                continue


__all__ = ["STAGE_FIELDS", "LinkedLines", "resolve"]
