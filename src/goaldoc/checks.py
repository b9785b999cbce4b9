"""The finance bureau's rules (FORMATS.md §3), each a small function returning problems.

Every rule has a code and a severity: E (the form is sent back) or W (a reviewer asks);
the severity is the code's first letter, and :data:`CODES` says what each code checks.
`run_checks` runs them all; `goaldoc check` prints the result, `goaldoc render` refuses
to write files while errors remain (unless --force).

Messages say what is wrong, with the numbers, and how to fix it (issue 5).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from .errors import Problem
from .indicators import ALIASES, TREE, canonical
from .loader import LineMap
from .model import BudgetLine, DepartmentYear, Indicator, Project, Unit
from .values import IndicatorValue, convert_amount, from_parts, normalise_sign, parse_value

Rule = Callable[[DepartmentYear, LineMap], Iterator[Problem]]
RULES: list[Rule] = []
Path = tuple[str | int, ...]

CODES: dict[str, str] = {
    "E101": "预算整体情况：一行的金额 = 其下（非“部分”）各行之和",
    "E102": "收入来源合计 = 部门预算支出合计",
    "E103": "项目预算数（资金总额）= 财政资金 + 其他资金",
    "E104": "部门 / 下属单位的合计 = 其各项目预算数之和",
    "E105": "年度重点工作任务的拟投入资金之和不超过 项目支出",
    "E106": "资金支出计划是百分比，逐期不下降，最后为 100%",
    "E107": "金额单位是 元、万元 或 亿元",
    "E201": "一级指标是 产出 / 效益 / 满意度 / 成本指标（或其别名）",
    "E202": "二级指标属于它的一级指标（别名可用）",
    "E203": "每个项目（及部门整体）都有产出、效益、满意度指标",
    "E204": "产出指标下有数量指标和质量指标",
    "E205": "填了权重时，每条指标都有权重且为正数",
    "E206": "权重之和为表样的总分（90 或 100）",
    "E207": "指标性质（计算符号）是 ≥ ≤ = > < ≈ 或 定性",
    "E208": "指标方向性是 正向指标 或 反向指标",
    "E301": "表题里的年份 = 预算年度",
    "E302": "文字里没有 Word / Excel 存不下的控制字符",
    "E303": "部门、下属单位、项目的名称不空",
    "W201": "一级指标权重的分配与国家规则不同",
    "W202": "满意度指标值是百分比",
    "W203": "满意度不低于 80%",
    "W204": "百分比不超过 100%",
    "W205": "计算符号与指标方向性一致（≥ 正向，≤ 反向）",
    "W206": "成本指标的金额不超过项目预算数",
    "W207": "数量指标是量化的（有数字）",
    "W208": "指标值简短（不超过 100 字）",
    "W209": "一张表的指标不超过 1000 条",
}

# problems that no --force can override: the files cannot be written with them
# (a character XML cannot hold; an amount in a unit the forms cannot convert)
UNWRITABLE = frozenset({"E107", "E302"})

WEIGHT_TOTALS = (Decimal(90), Decimal(100))  # the forms' total score (FORMATS.md §3)
# national scoring rule (财预〔2020〕10号 / 〔2021〕101号): 预算执行率 takes the last 10 points
NATIONAL_SPLIT = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
NATIONAL_SPLIT_WITH_COST = {"产出指标": 40, "成本指标": 20, "效益指标": 20, "满意度指标": 10}
SATISFACTION_FLOOR = Decimal(80)
MAX_VALUE_CHARS = 100
MAX_INDICATORS = 1000
MONEY_UNITS = ("元", "万元", "亿元")

# characters XML 1.0 cannot hold: Word and Excel files cannot contain them
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_YEAR_RANGE = re.compile(r"(?<!\d)(20\d\d)\s*(?:年)?\s*[-－—–~～至到]\s*(20\d\d)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def run_checks(model: DepartmentYear, lines: LineMap) -> list[Problem]:
    """Every rule's problems: errors first, then warnings, each in line order."""
    problems = [p for r in RULES for p in r(model, lines)]
    return sorted(problems, key=lambda p: (not p.is_error, p.line or 0))


def _problem(lines: LineMap, path: Path, code: str, message: str) -> Problem:
    return lines.problem(path, message, severity=code[0], code=code)  # type: ignore[arg-type]


# ---------------------------------------------------------------- helpers


def _num(d: Decimal) -> str:
    """A Decimal as the clerk would write it: no exponent, zeros kept (26843.80)."""
    return format(d, "f")


@dataclass
class _List:
    """One indicator list: the department's or a project's."""

    path: Path  # path of the list itself, e.g. ('projects', 2, 'indicators')
    indicators: list[Indicator]
    project: Project | None
    owner: str  # 项目“…” / 部门整体, for messages


def _projects(model: DepartmentYear) -> Iterator[tuple[Path, Project, Unit | None]]:
    for i, p in enumerate(model.projects):
        yield ("projects", i), p, None
    for u, unit in enumerate(model.units):
        for j, p in enumerate(unit.projects):
            yield ("units", u, "projects", j), p, unit


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


# ---------------------------------------------------------------- amounts (E1xx)


def _children(lines_: list[BudgetLine], i: int) -> list[int]:
    """Indexes of the lines that make up line ``i``: the following lines one level deeper
    until a line at its level or above; a 合计 (level 0) printed below its lines (Guizhou's
    资金总额) takes the level-1 lines above it instead."""
    level = lines_[i].level
    out = []
    for j in range(i + 1, len(lines_)):
        if lines_[j].level <= level:
            break
        if lines_[j].level == level + 1:
            out.append(j)
    if not out and level == 0:
        for j in range(i - 1, -1, -1):
            if lines_[j].level == 0:
                break
            if lines_[j].level == 1:
                out.insert(0, j)
    return out


def _total_line(lines_: list[BudgetLine]) -> int | None:
    return next(
        (i for i, line in enumerate(lines_) if line.level == 0 and line.amount is not None), None
    )


def _terms(parts: list[BudgetLine]) -> str:
    """'一、基本支出 2610.83 + 二、项目支出 108030.81', so the clerk sees which line is off."""
    shown = [f"{p.label} {_num(p.amount) if p.amount is not None else '空'}" for p in parts[:6]]
    return " + ".join(shown) + (" + …" if len(parts) > 6 else "")


@rule
def budget_lines_add_up(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E101: 合计 = its lines; a line's 其中 lines = the line (partial 其中 lines excluded)."""
    unit = model.budget.unit
    for key, name in (("expenditure", "部门预算支出"), ("income", "收入来源")):
        rows: list[BudgetLine] = getattr(model.budget, key)
        for i, row in enumerate(rows):
            if row.amount is None or row.partial:
                continue
            parts = [rows[j] for j in _children(rows, i) if not rows[j].partial]
            if not parts or all(p.amount is None for p in parts):
                continue
            total = sum((p.amount or Decimal(0) for p in parts), Decimal(0))
            if total != row.amount:
                yield _problem(
                    lines,
                    ("budget", key, i, "amount"),
                    "E101",
                    f"{name}“{row.label}”为 {_num(row.amount)} {unit}，其下各行之和为 "
                    f"{_num(total)} {unit}（{_terms(parts)}，相差 {_num(abs(row.amount - total))} "
                    f"{unit}）：请核对各行金额",
                )


@rule
def income_equals_expenditure(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E102: 收入来源 合计 = 部门预算支出 合计."""
    e, i = _total_line(model.budget.expenditure), _total_line(model.budget.income)
    if e is None or i is None:
        return
    spent = model.budget.expenditure[e].amount
    got = model.budget.income[i].amount
    assert spent is not None and got is not None
    if spent != got:
        unit = model.budget.unit
        yield _problem(
            lines,
            ("budget", "income", i, "amount"),
            "E102",
            f"收入来源合计 {_num(got)} {unit} ≠ 部门预算支出合计 {_num(spent)} {unit}"
            f"（相差 {_num(abs(got - spent))} {unit}）：收入和支出的合计应相等，请核对",
        )


@rule
def project_funds_add_up(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E103: 资金总额 = 财政资金 + 其他资金."""
    for path, p, _unit in _projects(model):
        b = p.budget
        if b.total is None or (b.fiscal is None and b.other is None):
            continue
        fiscal, other = b.fiscal or Decimal(0), b.other or Decimal(0)
        if fiscal + other != b.total:
            yield _problem(
                lines,
                (*path, "budget", "total"),
                "E103",
                f"预算数 {_num(b.total)} {b.unit} ≠ 财政资金 {_num(fiscal)} + 其他资金 {_num(other)}"
                f" = {_num(fiscal + other)} {b.unit}：资金总额应等于财政资金与其他资金之和",
            )


def _projects_sum(projects: list[Project], unit: str) -> Decimal | None:
    """The projects' 预算数 in ``unit``; None when one of them has none."""
    total = Decimal(0)
    for p in projects:
        if p.budget.total is None:
            return None
        amount = _convert(p.budget.total, p.budget.unit, unit)
        if amount is None:
            return None
        total += amount
    return total


def _convert(d: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """``d`` in ``to_unit``; None when a unit is not 元 / 万元 / 亿元 (E107 says so)."""
    if from_unit not in MONEY_UNITS or to_unit not in MONEY_UNITS:
        return None
    return convert_amount(d, from_unit, to_unit)


def _unit_of(unit: Unit, fallback: str) -> str:
    """A 下属单位's total is in the unit of its projects (model.Unit.total)."""
    units = {p.budget.unit for p in unit.projects}
    return units.pop() if len(units) == 1 else fallback


@rule
def money_units(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E107: amounts are in 元, 万元 or 亿元."""
    units: list[tuple[Path, str]] = [(("budget", "unit"), model.budget.unit)]
    units += [((*path, "budget", "unit"), p.budget.unit) for path, p, _u in _projects(model)]
    for path, unit in units:
        if unit not in MONEY_UNITS:
            yield _problem(lines, path, "E107", f"金额单位应为 元、万元 或 亿元，现为“{unit}”")


@rule
def totals_match_projects(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E104: a unit's total = its projects; the department's total = all of its projects."""
    money = model.budget.unit
    unit_sums: list[Decimal | None] = []
    for u, unit in enumerate(model.units):
        in_unit = _unit_of(unit, money)
        s = _projects_sum(unit.projects, in_unit)
        if unit.total is not None and s is not None and unit.projects and s != unit.total:
            yield _problem(
                lines,
                ("units", u, "total"),
                "E104",
                f"单位“{unit.name}”的合计 {_num(unit.total)} {in_unit} ≠ 其 {len(unit.projects)} 个项目"
                f"的预算数之和 {_num(s)} {in_unit}（相差 {_num(abs(unit.total - s))} {in_unit}）："
                "请核对单位合计或各项目的预算数",
            )
        if unit.total is not None:
            unit_sums.append(_convert(unit.total, in_unit, money))
        else:
            unit_sums.append(None if s is None else _convert(s, in_unit, money))
    total = model.department.total
    if total is None or not (model.projects or model.units):
        return
    top = _projects_sum(model.projects, money)
    if top is None or any(s is None for s in unit_sums):
        return
    s = top + sum((x for x in unit_sums if x is not None), Decimal(0))
    if s != total:
        yield _problem(
            lines,
            ("department", "total"),
            "E104",
            f"部门合计 {_num(total)} {money} ≠ 各项目（含下属单位）预算数之和 {_num(s)} {money}"
            f"（相差 {_num(abs(total - s))} {money}）：请核对部门合计或各项目的预算数",
        )


def _label_key(label: str) -> str:
    """'二、项目支出' / '其中:项目支出' -> '项目支出'."""
    text = "".join(label.split())
    text = re.sub(r"^(?:其中[:：]?)", "", text)
    return re.sub(
        r"^[一二三四五六七八九十]+[、.．]|^\d+[、.．]|^[（(][一二三四五六七八九十\d]+[)）]",
        "",
        text,
    )


@rule
def task_funds_within_project_spending(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E105: 年度重点工作任务 funds together do not exceed 项目支出."""
    tasks = [t.funds for t in model.key_tasks if t.funds is not None]
    if not tasks:
        return
    line = next(
        (
            r
            for r in model.budget.expenditure
            if _label_key(r.label) == "项目支出" and r.amount is not None
        ),
        None,
    )
    if line is None or line.amount is None:
        return
    total = sum(tasks, Decimal(0))
    if total > line.amount:
        unit = model.budget.unit
        yield _problem(
            lines,
            ("key_tasks",),
            "E105",
            f"年度重点工作任务拟投入资金合计 {_num(total)} {unit}，超过部门预算“{line.label}” "
            f"{_num(line.amount)} {unit}：请核对各任务的资金",
        )


def _percent(text: str) -> Decimal | None:
    v = parse_value(text)
    if v.number is None or not v.parsed or v.sign is not None or v.unit not in ("%", ""):
        return None
    return v.number


@rule
def spending_plan_rises_to_100(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E106: 资金支出计划 is cumulative: never decreasing, ending at 100%."""
    for path, p, _unit in _projects(model):
        plan = p.spending_plan
        if not plan:
            continue
        values: list[Decimal | None] = [_percent(s.percent) for s in plan]
        known = [v for v in values if v is not None]
        # a plan typed as fractions (0.2, 0.5, 1) means 20%, 50%, 100%
        if known and all(s.percent.strip()[-1:] != "%" for s in plan) and max(known) <= 1:
            values = [None if v is None else v * 100 for v in values]
        prev: tuple[str, Decimal] | None = None
        for k, (point, v) in enumerate(zip(plan, values, strict=True)):
            where = (*path, "spending_plan", k, "percent")
            if v is None:
                yield _problem(
                    lines, where, "E106", f"资金支出计划应为百分比（如 50%），现为“{point.percent}”"
                )
                continue
            if v < 0 or v > 100:
                yield _problem(
                    lines, where, "E106", f"资金支出计划应在 0% 到 100% 之间，现为 {_num(v)}%"
                )
            elif prev is not None and v < prev[1]:
                yield _problem(
                    lines,
                    where,
                    "E106",
                    f"资金支出计划是累计进度，不能下降：{point.period} {_num(v)}% 低于 "
                    f"{prev[0]} {_num(prev[1])}%",
                )
            prev = (point.period, v)
        last = values[-1]
        if last is not None and 0 <= last < 100:
            yield _problem(
                lines,
                (*path, "spending_plan", len(plan) - 1, "percent"),
                "E106",
                f"资金支出计划最后一期（{plan[-1].period}）应为 100%，现为 {_num(last)}%：到年底应支出完毕",
            )


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


# ---------------------------------------------------------------- text (E3xx)


def _titles(model: DepartmentYear) -> Iterator[tuple[Path, str]]:
    if model.title:
        yield ("title",), model.title
    if model.cover.title:
        yield ("cover", "title"), model.cover.title
    for path, p, _unit in _projects(model):
        if p.title:
            yield (*path, "title"), p.title


@rule
def title_year_is_budget_year(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E301: a year in a title is the budget year (a title copied from last year's form)."""
    for path, title in _titles(model):
        text = title
        for m in _YEAR_RANGE.finditer(title):
            lo, hi = int(m[1]), int(m[2])
            if not lo <= model.year <= hi:
                yield _problem(
                    lines,
                    path,
                    "E301",
                    f"表题年份 {m[0]} 不含预算年度 {model.year}（year:）：请改表题或 year",
                )
            text = text.replace(m[0], " ")
        for y in dict.fromkeys(int(m[1]) for m in _YEAR.finditer(text)):
            if y != model.year:
                yield _problem(
                    lines,
                    path,
                    "E301",
                    f"表题年份 {y} 与预算年度 {model.year}（year:）不一致：请改表题或 year",
                )


def _strings(obj: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _strings(getattr(obj, name), (*path, name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _strings(item, (*path, i))


@rule
def no_control_characters(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E302: text holds no character that a .docx / .xlsx (XML) cannot store."""
    for path, text in _strings(model, ()):
        m = _XML_ILLEGAL.search(text)
        if m:
            yield _problem(
                lines,
                path,
                "E302",
                f"含有 Word/Excel 无法保存的控制字符 U+{ord(m[0]):04X}（第 {m.start() + 1} 个字）："
                "请删去它（常见于从网页或 PDF 复制的文字）",
            )


@rule
def names_are_filled(model: DepartmentYear, lines: LineMap) -> Iterator[Problem]:
    """E303: the department, each unit and each project has a name."""
    if not model.department.name:
        yield _problem(lines, ("department", "name"), "E303", "部门名称空着：请填写部门全称")
    for u, unit in enumerate(model.units):
        if not unit.name:
            yield _problem(lines, ("units", u, "name"), "E303", "单位名称空着：请填写单位全称")
    for path, p, _unit in _projects(model):
        if not p.name:
            yield _problem(lines, (*path, "name"), "E303", "项目名称空着：请填写项目名称")
