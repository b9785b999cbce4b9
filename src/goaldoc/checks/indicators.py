"""Indicator rules: the 一级→二级 tree, the required kinds, weights, sign and direction
(E2xx), and the values themselves -- satisfaction, percentages, cost against budget,
quantities, lengths and counts (W2xx)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..errors import Problem
from ..indicators import ALIASES, TREE, canonical
from ..loader import LineMap
from ..model import DepartmentYear, Indicator, Project
from ..values import IndicatorValue, from_parts, normalise_sign, parse_value
from .base import MONEY_UNITS, Path, _convert, _num, _problem, _projects, _total_line, rule

WEIGHT_TOTALS = (Decimal(90), Decimal(100))  # the forms' total score (FORMATS.md §3)
# national scoring rule (财预〔2020〕10号 / 〔2021〕101号): 预算执行率 takes the last 10 points
NATIONAL_SPLIT = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
NATIONAL_SPLIT_WITH_COST = {"产出指标": 40, "成本指标": 20, "效益指标": 20, "满意度指标": 10}
SATISFACTION_FLOOR = Decimal(80)
MAX_VALUE_CHARS = 100
MAX_INDICATORS = 1000


@dataclass
class _List:
    """One indicator list: the department's or a project's."""

    path: Path  # path of the list itself, e.g. ('projects', 2, 'indicators')
    indicators: list[Indicator]
    project: Project | None
    owner: str  # 项目“…” / 部门整体, for messages


def _lists(model: DepartmentYear) -> Iterator[_List]:
    if model.indicators:
        yield _List(("indicators",), model.indicators, None, "部门整体")
    for path, p, _unit in _projects(model):
        yield _List((*path, "indicators"), p.indicators, p, f"项目“{p.name}”")


def _value(ind: Indicator) -> IndicatorValue:
    """指标值 read from one cell (``≥95%``) or from split cells (sign | value | unit)."""
    if ind.sign is not None or ind.unit is not None:
        return from_parts(ind.sign, ind.value, ind.unit)
    return parse_value(ind.value)


def _shown(ind: Indicator) -> str:
    """指标值 as the clerk typed it, in one piece, for messages."""
    if ind.sign is not None or ind.unit is not None:
        sign = ind.sign if ind.sign not in (None, "定性") else ""
        return f"{sign}{ind.value or ''}{ind.unit or ''}"
    return ind.value or ""


def _level1(ind: Indicator) -> str:
    return canonical(ind.level1)


def _level2(ind: Indicator) -> str:
    return canonical(ind.level2)


# ---------------------------------------------------------------- indicator tree (E2xx)


def _nearest(name: str, known: list[str]) -> str:
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"是不是“{near[0]}”？" if near else ""


@rule
def level2_under_level1(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E201 / E202: 一级 is known; 二级 belongs to its 一级 (aliases accepted)."""
    level1_names = list(TREE) + [a for a, c in ALIASES.items() if c in TREE]
    owner = {l2: l1 for l1, l2s in TREE.items() for l2 in l2s if l2 != "成本指标"}
    for lst in _lists(model):
        for k, ind in enumerate(lst.indicators):
            l1, l2 = _level1(ind), _level2(ind)
            if l1 not in TREE:
                hint = (
                    _nearest(l1, level1_names) or "应为 产出指标、效益指标、满意度指标 或 成本指标"
                )
                yield _problem(
                    lines, (*lst.path, k, "level1"), "E201", f"一级指标“{ind.level1}”不认识：{hint}"
                )
                continue
            if l2 in TREE[l1]:
                continue
            allowed = "、".join(TREE[l1])
            if l2 in owner:
                why = f"“{ind.level2}”属于{owner[l2]}"
            else:
                names = list(TREE[l1]) + [a for a, c in ALIASES.items() if c in TREE[l1]]
                why = _nearest(l2, names) or f"“{ind.level2}”不是二级指标"
            yield _problem(
                lines,
                (*lst.path, k, "level2"),
                "E202",
                f"二级指标“{ind.level2}”不能放在一级指标“{ind.level1}”下（{why}）："
                f"{l1}下的二级指标为 {allowed}",
            )


@rule
def each_list_has_the_three_kinds(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E203 / E204: 产出, 效益 and 满意度 indicators; 产出 has 数量 and 质量."""
    for lst in _lists(model):
        if not lst.indicators:
            yield _problem(
                lines,
                lst.path,
                "E203",
                f"{lst.owner}没有绩效指标：至少要有产出指标、效益指标和满意度指标各一条",
            )
            continue
        level1 = {_level1(i) for i in lst.indicators}
        if not level1 <= set(TREE):
            continue  # an unknown 一级 (E201) may be the missing one: fix that first
        for kind in ("产出指标", "效益指标", "满意度指标"):
            if kind not in level1:
                yield _problem(
                    lines,
                    lst.path,
                    "E203",
                    f"{lst.owner}缺少{kind}：产出指标、效益指标和满意度指标至少各要有一条",
                )
        if "产出指标" in level1:
            level2 = {_level2(i) for i in lst.indicators if _level1(i) == "产出指标"}
            for kind in ("数量指标", "质量指标"):
                if kind not in level2:
                    yield _problem(
                        lines,
                        lst.path,
                        "E204",
                        f"{lst.owner}的产出指标缺少{kind}：产出指标下至少要有数量指标和质量指标各一条",
                    )


def _score(d: Decimal) -> str:
    """A weight without needless zeros: 86.0 -> 86, 0.50 -> 0.5."""
    return format(d.normalize(), "f")


def _split_text(split: dict[str, Decimal] | dict[str, int]) -> str:
    return "、".join(f"{k.removesuffix('指标')} {_score(Decimal(v))}" for k, v in split.items())


@rule
def weights(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E205 / E206 / W201: weights positive, summing to 90 or 100, split as the national rule."""
    for lst in _lists(model):
        if not any(i.weight is not None for i in lst.indicators):
            continue
        complete = True
        for k, ind in enumerate(lst.indicators):
            if ind.weight is None:
                complete = False
                yield _problem(
                    lines,
                    (*lst.path, k, "weight"),
                    "E205",
                    "这条指标没有权重：其他指标都填了权重，请补上",
                )
            elif ind.weight <= 0:
                complete = False
                yield _problem(
                    lines,
                    (*lst.path, k, "weight"),
                    "E205",
                    f"权重应为正数，现为 {_score(ind.weight)}",
                )
        if not complete:
            continue
        total = sum((i.weight or Decimal(0) for i in lst.indicators), Decimal(0))
        if total not in WEIGHT_TOTALS:
            yield _problem(
                lines,
                lst.path,
                "E206",
                f"{lst.owner}各指标权重之和为 {_score(total)}，应为 90 或 100（表样的总分）：请调整权重",
            )
            continue
        split: dict[str, Decimal] = {}
        for ind in lst.indicators:
            split[_level1(ind)] = split.get(_level1(ind), Decimal(0)) + (ind.weight or 0)
        if not set(NATIONAL_SPLIT) <= set(split) <= set(TREE):
            continue  # a missing or unknown 一级 is already an error (E203 / E201)
        rule_ = NATIONAL_SPLIT_WITH_COST if "成本指标" in split else NATIONAL_SPLIT
        if not _split_fits(split, rule_, total):
            ordered = {k: split.get(k, Decimal(0)) for k in rule_} | {
                k: v for k, v in split.items() if k not in rule_
            }
            yield _problem(
                lines,
                lst.path,
                "W201",
                f"{lst.owner}一级指标权重为 {_split_text(ordered)}，国家规则为 {_split_text(rule_)}"
                "（预算执行率另计 10 分）：如无特殊理由请按规则分配",
            )


def _split_fits(split: dict[str, Decimal], national: dict[str, int], total: Decimal) -> bool:
    """Equal to the rule; with a total of 100 the 预算执行率's 10 points may sit in one 一级."""
    if set(split) - set(national):
        return False
    diffs = [split.get(k, Decimal(0)) - v for k, v in national.items()]
    if total == 90:
        return all(d == 0 for d in diffs)
    return sorted(diffs)[-1] == 10 and all(d == 0 for d in sorted(diffs)[:-1])


_DIRECTIONS = {"正向指标": "正向", "正向": "正向", "反向指标": "反向", "反向": "反向"}


@rule
def sign_and_direction(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E207 / E208 / W205: known sign and direction, and they agree (≥ 正向, ≤ 反向)."""
    for lst in _lists(model):
        for k, ind in enumerate(lst.indicators):
            path = (*lst.path, k)
            sign: str | None = None
            if ind.sign is not None:
                try:
                    sign = normalise_sign(ind.sign)
                except ValueError as exc:
                    yield _problem(lines, (*path, "sign"), "E207", f"{exc}：请改成其中之一")
                    continue
            else:
                sign = parse_value(ind.value).sign
            if ind.direction is None or not ind.direction.strip():
                continue
            direction = _DIRECTIONS.get("".join(ind.direction.split()))
            if direction is None:
                yield _problem(
                    lines,
                    (*path, "direction"),
                    "E208",
                    f"指标方向性应为 正向指标 或 反向指标，现为“{ind.direction}”",
                )
            elif (sign in ("≥", ">") and direction == "反向") or (
                sign in ("≤", "<") and direction == "正向"
            ):
                right = "正向指标" if direction == "反向" else "反向指标"
                yield _problem(
                    lines,
                    (*path, "direction"),
                    "W205",
                    f"计算符号“{sign}”与指标方向性“{ind.direction}”矛盾：“≥ >”是越大越好（正向指标），"
                    f"“≤ <”是越小越好（反向指标）；请把方向性改为{right}或改计算符号",
                )


# ---------------------------------------------------------------- values (W2xx)


@rule
def indicator_values(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """W202–W209: 满意度 as a %, not below 80%; % ≤ 100; 数量 quantified; short values; size."""
    for lst in _lists(model):
        if len(lst.indicators) > MAX_INDICATORS:
            yield _problem(
                lines,
                lst.path,
                "W209",
                f"{lst.owner}有 {len(lst.indicators)} 条绩效指标，超过 {MAX_INDICATORS} 条："
                "表格会长达数百页，请确认没有重复录入",
            )
        for k, ind in enumerate(lst.indicators):
            raw = _shown(ind).strip()
            if not raw:
                continue  # an empty 二级 prints as a placeholder row
            where = (*lst.path, k, "value")
            v = _value(ind)
            if len(raw) > MAX_VALUE_CHARS:
                yield _problem(
                    lines,
                    where,
                    "W208",
                    f"指标值有 {len(raw)} 个字，超过 {MAX_VALUE_CHARS} 字：指标值应简短（如 ≥95%），"
                    "说明文字请写到 explanation（指标解释）",
                )
            if _level1(ind) == "满意度指标" or v.unit == "%":
                yield from _percent_problems(lines, where, ind, v, raw)
            if _level2(ind) == "数量指标" and not re.search(r"\d", raw):
                yield _problem(
                    lines,
                    where,
                    "W207",
                    f"数量指标应量化（写出数字，如 ≥260 件），现为“{raw}”",
                )


def _percent_problems(
    lines: LineMap, where: Path, ind: Indicator, v: IndicatorValue, raw: str
) -> Iterator[Problem]:
    pct = v.as_percent()
    if _level1(ind) == "满意度指标":
        if pct is None:
            yield _problem(lines, where, "W202", f"满意度指标值应为百分比（如 ≥90%），现为“{raw}”")
            return
        # the floor is for satisfaction rates; a 投诉率 under 满意度 is rightly low
        rate = "满意" in ind.name or not ind.name
        if rate and v.sign not in ("≤", "<") and pct < SATISFACTION_FLOOR:
            yield _problem(
                lines,
                where,
                "W203",
                f"满意度 {_num(pct)}% 低于 {_num(SATISFACTION_FLOOR)}%：满意度目标一般不低于 80%，请核实",
            )
    if v.unit == "%" and v.number is not None and v.number > 100:
        yield _problem(
            lines, where, "W204", f"百分比超过 100%（现为“{raw}”）：比率一般不超过 100%，请核对"
        )


def _is_cost(ind: Indicator) -> bool:
    return _level1(ind) == "成本指标" or _level2(ind) == "成本指标"


@rule
def costs_within_budget(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """W206: a 成本指标 in money (元 / 万元 / 亿元) is not above the project's budget."""
    for lst in _lists(model):
        if lst.project is not None:
            budget, unit = lst.project.budget.total, lst.project.budget.unit
            what = "项目预算数"
        else:
            k = _total_line(model.budget.expenditure)
            budget = model.department.total if k is None else model.budget.expenditure[k].amount
            unit, what = model.budget.unit, "部门预算合计"
        if budget is None:
            continue
        for k, ind in enumerate(lst.indicators):
            if not _is_cost(ind):
                continue
            v = _value(ind)
            if v.number is None or v.unit not in MONEY_UNITS:
                continue
            amount = _convert(v.number, v.unit, unit)
            if amount is not None and amount > budget:
                yield _problem(
                    lines,
                    (*lst.path, k, "value"),
                    "W206",
                    f"成本指标“{_shown(ind)}”超过{what} {_num(budget)} {unit}："
                    "成本不应超过预算，请核对指标值或预算数",
                )
