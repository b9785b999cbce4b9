"""Indicator rules: the 一级→二级 tree, the required kinds, weights, sign and direction
(E2xx), and the values themselves -- satisfaction, percentages, cost against budget,
quantities, lengths and counts (W2xx)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..errors import Problem
from ..forms import FormSpec, Vocabulary
from ..forms.vocabulary import KINDS, Rules, squash
from ..loader import LineMap
from ..model import DepartmentYear, Indicator, Project
from ..textnorm import name_key
from ..values import IndicatorValue, from_parts, normalise_sign, parse_value
from .base import MONEY_UNITS, Path, _convert, _num, _problem, _projects, _total_line, rule

# The tree, the kinds every list needs and the rules' numbers are the form's
# (templates/national.yaml and form.yaml: forms/vocabulary.py); nothing regional here.


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


def _rules(form: FormSpec) -> Rules:
    rules = form.vocabulary.rules
    assert rules is not None
    return rules


# ---------------------------------------------------------------- indicator tree (E2xx)


def _nearest(name: str, known: list[str]) -> str:
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"是不是“{near[0]}”？" if near else ""


@rule
def level2_under_level1(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E201 / E202: 一级 is known; 二级 belongs to its 一级 (other spellings accepted)."""
    voc = form.vocabulary
    known1 = "、".join(voc.level1)
    for lst in _lists(model):
        for k, ind in enumerate(lst.indicators):
            if voc.node1(ind.level1) is None:
                hint = _nearest(voc.canonical1(ind.level1), voc.spellings1()) or f"应为 {known1} 之一"
                yield _problem(
                    lines, (*lst.path, k, "level1"), "E201", f"一级指标“{ind.level1}”不认识：{hint}"
                )
                continue
            if voc.node2(ind.level1, ind.level2) is not None:
                continue
            if not form.prints_level2 and not ind.level2.strip():
                continue  # the form prints no 二级 (form.yaml prints_level2: false)
            l1 = voc.canonical1(ind.level1)
            allowed = "、".join(voc.level2[l1]) or "（无）"
            if not ind.level2.strip():  # said as what it is, not as a name “” that is no 二级
                yield _problem(lines, (*lst.path, k, "level2"), "E202", f"二级指标没有填：{l1}下的二级指标为 {allowed}，请填其中之一")
                continue
            owners = voc.owners_of(ind.level2)
            if owners:
                why = f"“{ind.level2}”属于{'、'.join(owners)}"
            else:
                why = _nearest(squash(ind.level2), voc.spellings2(ind.level1)) or f"“{ind.level2}”不是二级指标"
            yield _problem(
                lines,
                (*lst.path, k, "level2"),
                "E202",
                f"二级指标“{ind.level2}”不能放在一级指标“{ind.level1}”下（{why}）："
                f"{l1}下的二级指标为 {allowed}",
            )


@rule
def one_spelling_per_name(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """W210: in one indicator list a 一级 (or a 二级 under one 一级) is written one way --
    A regional spelling beside the national one is the same 一级, printed as two groups a reviewer sends back.
    The 提醒 sits on the first row of the less used spelling (of two used as often: the one
    the form does not print) and names both."""
    voc = form.vocabulary
    for lst in _lists(model):
        # canonical 一级 → spelling (its normal form: textnorm.name_key) → rows; a spelling
        # shows as first typed (数量指标（或…） and 数量指标(或…) are one spelling, one group)
        seen1: dict[str, dict[str, list[int]]] = {}
        seen2: dict[tuple[str, str], dict[str, list[int]]] = {}
        shown: dict[str, str] = {}
        for k, ind in enumerate(lst.indicators):
            if voc.node1(ind.level1) is None:
                continue  # unknown: E201
            c1 = voc.canonical1(ind.level1)
            shown.setdefault(name_key(ind.level1), squash(ind.level1))
            seen1.setdefault(c1, {}).setdefault(name_key(ind.level1), []).append(k)
            if ind.level2.strip() and voc.node2(ind.level1, ind.level2) is not None:
                shown.setdefault(name_key(ind.level2), squash(ind.level2))
                seen2.setdefault((c1, voc.canonical2(ind.level2, ind.level1)), {}).setdefault(name_key(ind.level2), []).append(k)
        for level, seen in ((1, seen1), (2, seen2)):
            for key, by_key in seen.items():
                if len(by_key) < 2:
                    continue
                canonical = key if isinstance(key, str) else key[1]
                spellings = {shown[s]: rows for s, rows in by_key.items()}
                # the more used spelling; on a tie the form's own, then the first written
                ranked = sorted(
                    spellings.items(), key=lambda kv: (-len(kv[1]), name_key(kv[0]) != name_key(canonical), kv[1][0])
                )
                main, *others = ranked
                both = "、".join(f"“{name}”（{len(rows)} 条）" for name, rows in ranked)
                what = "一级" if level == 1 else "二级"
                for _spelling, rows in others:
                    yield _problem(
                        lines,
                        (*lst.path, rows[0], "level1" if level == 1 else "level2"),
                        "W210",
                        f"{lst.owner}的{what}指标有不同写法：{both}是同一个{what}指标（表样写作“{canonical}”），"
                        f"表里会分开印成不同的组：请统一写成“{main[0]}”",
                    )


@rule
def each_list_has_the_required_kinds(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E203 / E204: the kinds the form requires (national: 产出, 效益 and 满意度 among the 一级,
    数量 and 质量 among the 二级) are each present in every indicator list."""
    voc = form.vocabulary
    tops = [k for k in voc.required if voc.kind_level(k) == 1]
    # a form that prints no 二级 (prints_level2: false) cannot ask for 数量 / 质量 二级 rows
    subs = [k for k in voc.required if voc.kind_level(k) == 2] if form.prints_level2 else []
    for lst in _lists(model):
        if not lst.indicators:
            names = _and([_kind_name(voc, k) for k in tops]) or "指标"
            yield _problem(lines, lst.path, "E203", f"{lst.owner}没有绩效指标：至少要有{names}各一条")
            continue
        have = set().union(*(_kinds_meant(voc, i) for i in lst.indicators))
        for kind in tops:
            if kind not in have:
                yield _problem(
                    lines,
                    lst.path,
                    "E203",
                    f"{lst.owner}缺少{_kind_name(voc, kind)}：{_and([_kind_name(voc, k) for k in tops])}至少各要有一条"
                    + ("" if form.prints_level2 else _level2_hint(voc, kind)),
                )
        for kind in subs:
            if kind not in have:
                parents = _parents_of_kind(voc, kind)
                under = f"{parents}下" if parents else ""
                yield _problem(
                    lines,
                    lst.path,
                    "E204",
                    f"{lst.owner}的{parents or '指标'}缺少{_kind_name(voc, kind)}：{under}至少要有"
                    f"{'和'.join(_kind_name(voc, k) for k in subs if _parents_of_kind(voc, k) == parents)}各一条",
                )


def _level2_hint(voc: Vocabulary, kind: str) -> str:
    """For a form that prints no 二级: where a 二级 of this kind sits under another 一级
    (满意度 under 效益指标), the row says so with a level2 the paper does not show."""
    places = [(l1, n.name) for l1, children in voc.level2.items() for n in children.values()
              if n.kind == kind and (voc.level1[l1].kind != kind)]
    if not places:
        return ""
    l1, name = places[0]
    return f"（这张表不印二级指标：放在{l1}下的那一条，请写 level2: {name}，表上不印）"


def _kinds_meant(voc: Vocabulary, ind: Indicator) -> set[str]:
    """The kinds a row counts as; a 一级 the tree does not know counts as the nearest one
    (the one E201 suggests), so that one misspelt name neither hides a kind that is really
    missing nor reports the kinds it stands for as missing."""
    if voc.node1(ind.level1) is not None:
        return voc.kinds(ind.level1, ind.level2)
    near = difflib.get_close_matches(voc.canonical1(ind.level1), voc.spellings1(), n=1, cutoff=0.5)
    return voc.kinds(near[0], ind.level2) if near else set()


def _and(names: list[str]) -> str:
    """产出指标、效益指标和满意度指标."""
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "和" + names[-1] if names else ""


def _kind_name(voc: Vocabulary, kind: str) -> str:
    names = voc.kind_names(kind)
    if not names:
        return KINDS[kind] + "指标"
    return "或".join(n.rsplit("下的", 1)[-1] for n in names)


def _parents_of_kind(voc: Vocabulary, kind: str) -> str:
    return "、".join(l1 for l1, children in voc.level2.items() if any(n.kind == kind for n in children.values()))


def _score(d: Decimal) -> str:
    """A weight without needless zeros: 86.0 -> 86, 0.50 -> 0.5."""
    return format(d.normalize(), "f")


def _split_text(voc: Vocabulary, split: Mapping[str, Decimal]) -> str:
    return "、".join(f"{_kind_name(voc, k).removesuffix('指标')} {_score(Decimal(v))}" for k, v in split.items())


@rule
def weights(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E205 / E206 / W201: weights positive, summing to the form's total, split as the national rule."""
    voc, rules = form.vocabulary, _rules(form)
    totals = " 或 ".join(_score(t) for t in rules.weight_totals)
    for lst in _lists(model):
        if not any(i.weight is not None for i in lst.indicators):
            continue
        complete = True
        given = [k for k, ind in enumerate(lst.indicators) if ind.weight is not None]
        blank = {k for k, ind in enumerate(lst.indicators) if ind.weight is None}
        if blank and len(given) < len(blank):
            # a few weights among many blanks: said at each weight given (one stray weight is
            # one problem, not one at every other indicator)
            complete = False
            for k in given:
                yield _problem(
                    lines,
                    (*lst.path, k, "weight"),
                    "E205",
                    f"{lst.owner}的 {len(lst.indicators)} 条指标只有 {len(given)} 条填了权重：权重要每条都填，或都不填："
                    f"请补上其余 {len(blank)} 条的权重，或删去这{'个' if len(given) == 1 else '些'}权重",
                )
            blank = set()
        others = "其他指标都填了权重" if len(blank) == 1 else f"{lst.owner}的 {len(lst.indicators)} 条指标里 {len(given)} 条填了权重"
        for k, ind in enumerate(lst.indicators):
            if ind.weight is None:
                if k in blank:
                    complete = False
                    yield _problem(lines, (*lst.path, k, "weight"), "E205", f"这条指标没有权重：{others}，请补上")
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
        if total not in rules.weight_totals:
            yield _problem(
                lines,
                lst.path,
                "E206",
                f"{lst.owner}各指标权重之和为 {_score(total)}，应为 {totals}（表样的总分）：请调整权重",
            )
            continue
        split: dict[str, Decimal] = {}
        unknown = False
        for ind in lst.indicators:
            node = voc.node1(ind.level1)
            if node is None or node.kind is None:
                unknown = True  # an unknown 一级 is already an error (E201)
                continue
            split[node.kind] = split.get(node.kind, Decimal(0)) + (ind.weight or 0)
        if unknown or not rules.weight_splits:
            continue
        chosen = _split_rule(rules, split)
        if not set(chosen) - {"cost"} <= set(split):
            continue  # a missing kind is already an error (E203)
        if not _split_fits(split, chosen, total):
            ordered = {k: split.get(k, Decimal(0)) for k in chosen} | {
                k: v for k, v in split.items() if k not in chosen
            }
            yield _problem(
                lines,
                lst.path,
                "W201",
                f"{lst.owner}一级指标权重为 {_split_text(voc, ordered)}，国家规则为 {_split_text(voc, chosen)}"
                f"（预算执行率另计 {_score(max(rules.weight_totals) - sum(chosen.values(), Decimal(0)))} 分）：如无特殊理由请按规则分配",
            )


def _split_rule(rules: Rules, split: Mapping[str, Decimal]) -> Mapping[str, Decimal]:
    """The rule's split that fits the kinds present: the one naming 成本 when the list has one."""
    with_cost = [s for s in rules.weight_splits if "cost" in s]
    without = [s for s in rules.weight_splits if "cost" not in s]
    if "cost" in split and with_cost:
        return with_cost[0]
    return (without or with_cost)[0]


def _split_fits(split: Mapping[str, Decimal], national: Mapping[str, Decimal], total: Decimal) -> bool:
    """Equal to the rule; with a total above the rule's own sum, the remaining points (预算执行率)
    may sit in one 一级."""
    if set(split) - set(national):
        return False
    diffs = [split.get(k, Decimal(0)) - v for k, v in national.items()]
    spare = total - sum(national.values(), Decimal(0))
    if spare == 0:
        return all(d == 0 for d in diffs)
    return sorted(diffs)[-1] == spare and all(d == 0 for d in sorted(diffs)[:-1])


_DIRECTIONS = {"正向指标": "正向", "正向": "正向", "反向指标": "反向", "反向": "反向"}


@rule
def sign_and_direction(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
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
def indicator_values(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """W202–W209: 满意度 as a %, not below the floor; % ≤ 100; 数量 quantified; short values; size."""
    voc, rules = form.vocabulary, _rules(form)
    for lst in _lists(model):
        if len(lst.indicators) > rules.indicators_max:
            yield _problem(
                lines,
                lst.path,
                "W209",
                f"{lst.owner}有 {len(lst.indicators)} 条绩效指标，超过 {rules.indicators_max} 条："
                "表格会长达数百页，请确认没有重复录入",
            )
        checked = [(name, f) for name, f in form.fields.indicator.items() if f.type == "periods" and f.check_values]
        for k, ind in enumerate(lst.indicators):
            kinds = voc.kinds(ind.level1, ind.level2)
            values: list[tuple[Path, str, IndicatorValue]] = [((*lst.path, k, "value"), _shown(ind).strip(), _value(ind))]
            for name, _f in checked:  # a value per period, checked like 指标值 (form.yaml check_values)
                for period, text in (getattr(ind, name, None) or {}).items():
                    values.append(((*lst.path, k, name, period), str(text).strip(), parse_value(str(text))))
            for where, raw, v in values:
                if raw:  # an empty 二级 prints as a placeholder row
                    yield from _value_problems(lines, where, ind, v, raw, kinds, voc, rules)


def _value_problems(
    lines: LineMap, where: Path, ind: Indicator, v: IndicatorValue, raw: str, kinds: set[str], voc: Vocabulary, rules: Rules
) -> Iterator[Problem]:
    if len(raw) > rules.value_max_chars:
        yield _problem(
            lines,
            where,
            "W208",
            f"指标值有 {len(raw)} 个字，超过 {rules.value_max_chars} 字：指标值应简短（如 ≥95%），"
            "说明文字请写到 explanation（指标解释）",
        )
    if "satisfaction" in kinds or v.unit == "%":
        yield from _percent_problems(lines, where, ind, v, raw, "satisfaction" in kinds, rules.satisfaction_min)
    if "quantity" in kinds and not re.search(r"\d", raw):
        yield _problem(
            lines,
            where,
            "W207",
            f"{_kind_name(voc, 'quantity')}应量化（写出数字，如 ≥260 件），现为“{raw}”",
        )


def _percent_problems(
    lines: LineMap, where: Path, ind: Indicator, v: IndicatorValue, raw: str, satisfaction: bool, floor: Decimal
) -> Iterator[Problem]:
    pct = v.as_percent()
    if satisfaction:
        if pct is None:
            yield _problem(lines, where, "W202", f"满意度指标值应为百分比（如 ≥90%），现为“{raw}”")
            return
        # the floor is for satisfaction rates; a 投诉率 under 满意度 is rightly low
        rate = "满意" in ind.name or not ind.name
        if rate and v.sign not in ("≤", "<") and pct < floor:
            yield _problem(
                lines,
                where,
                "W203",
                f"满意度 {_num(pct)}% 低于 {_num(floor)}%：满意度目标一般不低于 {_num(floor)}%，请核实",
            )
    if v.unit == "%" and v.number is not None and v.number > 100:
        yield _problem(
            lines, where, "W204", f"百分比超过 100%（现为“{raw}”）：比率一般不超过 100%，请核对"
        )


@rule
def costs_within_budget(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
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
            if "cost" not in form.vocabulary.kinds(ind.level1, ind.level2):
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
