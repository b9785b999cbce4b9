"""Amount rules (E1xx): budget lines add up, income = expenditure, project and unit totals,
key-task funds, the spending plan, and money units."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..errors import Problem
from ..forms import FormSpec
from ..loader import LineMap
from ..model import BudgetLine, DepartmentYear, Project, Unit, filled
from ..textnorm import name_key
from ..values import parse_value
from .base import MONEY_UNITS, Path, _convert, _num, _problem, _projects, _total_line, rule


def _children(lines_: list[BudgetLine], i: int) -> list[int]:
    """Indexes of the lines that make up line ``i``: the following lines one level deeper
    until a line at its level or above; a 合计 (level 0) printed below its lines (Guizhou's
    资金总额) takes the level-1 lines above it instead. Blank rows (``{}``) are looked past:
    they only line the two sides up on paper. The indexes are the file's (blank rows counted)."""
    level = lines_[i].level
    out = []
    for j in range(i + 1, len(lines_)):
        if lines_[j].blank:
            continue
        if lines_[j].level <= level:
            break
        if lines_[j].level == level + 1:
            out.append(j)
    if not out and level == 0:
        for j in range(i - 1, -1, -1):
            if lines_[j].blank:
                continue
            if lines_[j].level == 0:
                break
            if lines_[j].level == 1:
                out.insert(0, j)
    return out


def _terms(parts: list[BudgetLine], column: str = "amount") -> str:
    """'一、基本支出 2610.83 + 二、项目支出 108030.81', so the clerk sees which line is off."""
    shown = [f"{p.label} {_num(getattr(p, column)) if getattr(p, column) is not None else '空'}" for p in parts[:6]]
    return " + ".join(shown) + (" + …" if len(parts) > 6 else "")


def _line_lists(model: DepartmentYear, form: FormSpec) -> Iterator[tuple[Path, list[Any], str, str]]:
    """(key path, lines, name, money unit) of every list of labelled amount lines: the
    department's budget, and each ``type: lines`` field the form declares (a project's
    nested fund lines add up like the department's: issue 8 item 2)."""
    unit = model.budget.unit
    yield ("budget", "expenditure"), model.budget.expenditure, "部门预算支出", unit
    yield ("budget", "income"), model.budget.income, "收入来源", unit
    for place, name, spec in form.fields.items():
        if spec.type != "lines":
            continue
        if place == "project":
            for path, p, _unit in _projects(model):
                yield (*path, name), getattr(p, name, []), spec.label, p.budget.unit
        else:
            owner = model if place == "year" else model.department
            yield ((name,) if place == "year" else ("department", name)), getattr(owner, name, []), spec.label, unit


def _amount_columns(rows: list[Any]) -> list[str]:
    """``amount`` and every other amount column the lines carry (declared columns)."""
    if not rows:
        return ["amount"]
    fields = type(rows[0]).model_fields  # a blank row is of the same class (model.blank_line)
    extra = [n for n, f in fields.items() if n not in BudgetLine.model_fields and _is_amount(f.annotation)]
    return ["amount", *extra]


def _is_amount(annotation: Any) -> bool:
    """Amount | None, Annotated[Decimal, …]: a Decimal somewhere inside."""
    if annotation is Decimal:
        return True
    return any(_is_amount(a) for a in typing.get_args(annotation))


@rule
def budget_lines_add_up(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E101: 合计 = its lines; a line's 其中 lines = the line (partial 其中 lines excluded);
    for every amount column of the lines."""
    for where, rows, name, unit in _line_lists(model, form):
        for column in _amount_columns(rows):
            for i, row in filled(rows):
                value = getattr(row, column)
                if value is None or row.partial:
                    continue
                parts = [rows[j] for j in _children(rows, i) if not rows[j].partial]
                if not parts or all(getattr(p, column) is None for p in parts):
                    continue
                total = sum((getattr(p, column) or Decimal(0) for p in parts), Decimal(0))
                if total != value:
                    col = "" if column == "amount" else f"的{_column_label(form, where, column)}"
                    yield _problem(
                        lines,
                        (*where, i, column),
                        "E101",
                        f"{name}“{row.label}”{col}为 {_num(value)} {unit}，其下各行之和为 "
                        f"{_num(total)} {unit}（{_terms(parts, column)}，相差 {_num(abs(value - total))} "
                        f"{unit}）：请核对各行金额",
                    )


def _column_label(form: FormSpec, where: Path, column: str) -> str:
    name = next((p for p in reversed(where) if isinstance(p, str)), "")
    if where[:1] == ("budget",) and column in form.fields.budget_line:
        return form.fields.budget_line[column].label
    for _place, field, spec in form.fields.items():
        if field == name and spec.columns and column in spec.columns:
            return spec.columns[column].label
    return column


@rule
def table_totals_add_up(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E108: in a declared table with a 合计 row (form.yaml ``total:``), each amount column
    of that row is the sum of the other rows."""
    for place, name, spec in form.fields.items():
        if spec.type != "table" or spec.total is None:
            continue
        if place == "project":
            owners: list[tuple[Path, Any, str]] = [(path, p, p.budget.unit) for path, p, _u in _projects(model)]
        else:
            owners = [((), model, model.budget.unit)] if place == "year" else [(("department",), model.department, model.budget.unit)]
        for path, owner, unit in owners:
            rows = getattr(owner, name, [])
            for t, total_row in enumerate(rows):
                if "".join(str(getattr(total_row, spec.total.column) or "").split()) != spec.total.label:
                    continue
                others = [r for k, r in enumerate(rows) if k != t]
                for col, col_spec in (spec.columns or {}).items():
                    if col_spec.type != "amount" or getattr(total_row, col) is None:
                        continue
                    values = [getattr(r, col) for r in others if getattr(r, col) is not None]
                    if not values:
                        continue
                    s = sum(values, Decimal(0))
                    want = getattr(total_row, col)
                    if s != want:
                        yield _problem(
                            lines,
                            (*path, name, t, col),
                            "E108",
                            f"{spec.label}“{spec.total.label}”行的{col_spec.label}为 {_num(want)} {unit}，其他各行之和为 "
                            f"{_num(s)} {unit}（相差 {_num(abs(want - s))} {unit}）：请核对",
                        )


@rule
def income_equals_expenditure(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
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
def project_funds_add_up(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
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


def _unit_of(unit: Unit, fallback: str) -> str:
    """A 下属单位's total is in the unit of its projects (model.Unit.total)."""
    units = {p.budget.unit for p in unit.projects}
    return units.pop() if len(units) == 1 else fallback


@rule
def money_units(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E107: amounts are in 元, 万元 or 亿元."""
    units: list[tuple[Path, str]] = [(("budget", "unit"), model.budget.unit)]
    units += [((*path, "budget", "unit"), p.budget.unit) for path, p, _u in _projects(model)]
    for path, unit in units:
        if unit not in MONEY_UNITS:
            yield _problem(lines, path, "E107", f"金额单位应为 元、万元 或 亿元，现为“{unit}”")


@rule
def totals_match_projects(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
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
def task_funds_within_project_spending(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E105: 年度重点工作任务 funds together do not exceed the form's 项目支出 line
    (rules.project_spending_line)."""
    tasks = [t.funds for t in model.key_tasks if t.funds is not None]
    if not tasks:
        return
    assert form.vocabulary.rules is not None
    spending = form.vocabulary.rules.project_spending_line
    line = next(
        (
            r
            for _i, r in filled(model.budget.expenditure)
            if _label_key(r.label) == _label_key(spending) and r.amount is not None
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
def spending_plan_rises_to_100(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
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


@rule
def declared_amounts_relate(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E109: the relations between amounts the form declares (form.yaml ``amount_checks``):
    a total equals the sum of its parts, a value is not above its limit (a ``type: lines``
    field counts as its 合计), and the rows of a table naming a budget line add up to it."""
    from ..forms.fields import amount_field, lines_field

    for check in form.amount_checks:
        if check.where == "project":
            owners: list[tuple[Path, Any, str]] = [(path, p, p.budget.unit) for path, p, _u in _projects(model)]
        elif check.where == "department":
            owners = [(("department",), model.department, model.budget.unit)]
        else:
            owners = [((), model, model.budget.unit)]
        label = {
            n: amount_field(form.model, form.fields, check.where, n) or _total_label(lines_field(form, check.where, n)) or n
            for n in check.names()
        }
        for path, owner, unit in owners:
            if check.rows is not None:
                yield from _rows_against_lines(lines, form, check, path, owner, unit)
                continue
            maybe = {n: _amount_of(owner, n) for n in check.names()}
            got = {n: v for n, v in maybe.items() if v is not None}
            if len(got) < len(maybe):
                continue  # a blank amount: nothing to compare
            if check.total is not None and check.parts is not None:
                total = got[check.total]
                s = sum((got[n] for n in check.parts), Decimal(0))
                if s != total:
                    terms = " + ".join(f"{label[n]} {_num(got[n])}" for n in check.parts)
                    yield _problem(
                        lines,
                        (*path, *_where_of(owner, check.total)),
                        "E109",
                        f"{label[check.total]} {_num(total)} {unit} ≠ {terms} = {_num(s)} {unit}"
                        f"（相差 {_num(abs(total - s))} {unit}）：请核对",
                    )
            elif check.value is not None and check.at_most is not None:
                value, limit = got[check.value], got[check.at_most]
                if value > limit:
                    yield _problem(
                        lines,
                        (*path, *_where_of(owner, check.value)),
                        "E109",
                        f"{label[check.value]} {_num(value)} {unit} 超过{label[check.at_most]} {_num(limit)} {unit}：请核对",
                    )


def _total_label(label: str | None) -> str | None:
    return f"{label}合计" if label else None


def _rows_against_lines(lines: LineMap, form: FormSpec, check: Any, path: Path, owner: Any, unit: str) -> Iterator[Problem]:
    """The rows of ``check.rows`` whose ``check.match`` column names a line of ``check.lines``
    (compared as line labels are: numbering and 其中 aside, textnorm.name_key) add up to it."""
    from ..forms.fields import lines_field

    table = form.fields.__getattribute__(check.where).get(check.rows)
    rows = _dotted(owner, check.rows) or []
    targets = _dotted(owner, check.lines or "") or []
    what = lines_field(form, check.where, check.lines or "") or check.lines
    columns = dict(table.columns or {}) if table is not None else {}
    match_label = columns[check.match].label if check.match in columns else check.match
    amount_label = columns[check.amount].label if check.amount in columns else "金额"
    by_line: dict[str, list[int]] = {}
    for k, row in enumerate(rows):
        named = getattr(row, check.match or "", None)
        if named and getattr(row, check.amount, None) is not None:
            by_line.setdefault(_line_key(str(named)), []).append(k)
    for _i, line in filled(targets):
        if line.amount is None:
            continue
        hits = by_line.get(_line_key(line.label), [])
        if not hits:
            continue
        s = sum((getattr(rows[k], check.amount) for k in hits), Decimal(0))
        if s != line.amount:
            which = "、".join(f"第 {k + 1} 行" for k in hits)
            yield _problem(
                lines,
                (*path, check.rows, hits[0], check.amount),
                "E109",
                f"{table.label if table is not None else check.rows}里{match_label}为“{line.label}”的{which}{amount_label} "
                f"{_num(s)} {unit} ≠ {what}“{line.label}” {_num(line.amount)} {unit}（相差 {_num(abs(s - line.amount))} {unit}）：请核对",
            )


def _line_key(label: str) -> str:
    return name_key(_label_key(label))


def _amount_of(owner: Any, dotted: str) -> Decimal | None:
    """An amount field, or the 合计 of amount lines: the 合计 line (level 0), else the sum
    of the level-1 lines that are not partial."""
    value = _dotted(owner, dotted)
    if not isinstance(value, list):
        return value  # type: ignore[no-any-return]
    k = _total_line(value)
    if k is not None:
        return value[k].amount  # type: ignore[no-any-return]
    top = [x.amount for _i, x in filled(value) if x.level == 1 and not x.partial and x.amount is not None]
    return sum(top, Decimal(0)) if top else None


def _where_of(owner: Any, dotted: str) -> Path:
    """The key path of ``dotted`` under its owner: a field's own, or the 合计 line of lines."""
    value = _dotted(owner, dotted)
    parts: Path = tuple(dotted.split("."))
    if isinstance(value, list):
        k = _total_line(value)
        return (*parts, k, "amount") if k is not None else parts
    return parts


def _dotted(owner: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        owner = getattr(owner, part, None)
        if owner is None:
            return None
    return owner
