"""The checks of the later stages (issue 19 item 4): located, in Chinese, each with what to
do. Codes E410–E423 and W400–W402 (CODES in checks/__init__.py); E400–E403 are the
joining of a stage file to its targets (link.py, api.py).

A stage file with its targets inline (a filled form read back) is also checked by the target
forms' rules; a linked one is not — its targets file is checked on its own.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from ..errors import Problem
from ..loader import LineMap
from .model import is_stage, subjects
from .scoring import (
    DIRECTION_NAMES,
    IndicatorResult,
    SubjectResult,
    denominator_of,
    evaluate,
    parse_percent,
    percent_text,
    rounded,
    shown,
)

Path_ = tuple[str | int, ...]
_COLUMNS = {"initial": "年初预算数", "budget": "全年预算数", "executed": "执行数", "expected": "全年预计执行数"}
# the target rules on 一级 / 二级 (a form that prints neither does not ask for them)
_LEVEL_RULES = frozenset({"E201", "E202", "E203", "E204", "W201", "W210"})
# the target rules on weights: a scored form checks them by its own rules (E414, E415)
_WEIGHT_RULES = frozenset({"E205", "E206", "W201"})
_INSTRUCTION = re.compile(r"[（(]\s*\d+\s*字以内\s*[)）]")


def stage_checks(
    model: Any, lines: LineMap, spec: Any, target_rules: Iterable[Callable[[Any, LineMap, Any], Iterable[Problem]]] = ()
) -> list[Problem]:
    """The stage's checks; ``target_rules``: the target forms' rules (goaldoc.checks.RULES,
    handed in by :func:`goaldoc.checks.run_checks`, so that this module needs nothing of
    goaldoc.checks), run too when the targets are in the file itself."""
    out: list[Problem] = []
    if not is_stage(model):
        return out
    if not model.targets:  # the targets are in the file: the target forms' rules too
        from .link import prints_levels

        levels = prints_levels(spec)
        skip = (set() if levels else set(_LEVEL_RULES)) | (set(_WEIGHT_RULES) if spec.scoring is not None else set())
        out += [p for r in target_rules for p in r(model, lines, spec) if p.code not in skip]
    results = evaluate(model, spec)
    for path, subject, what in subjects(model):
        if path == () and "department" not in spec.prints:
            continue
        if path and "projects" not in spec.prints:
            continue
        res = results[path]
        out += list(_execution(subject, path, what, res, spec, lines))
        if spec.stage == "自评":
            out += list(_evaluation(subject, path, what, res, spec, lines))
        else:
            out += list(_monitoring(subject, path, what, spec, lines))
    if spec.stage == "监控":
        out += list(_as_of(model, spec, lines))
    out += list(_instructions(model, lines))
    return sorted(out, key=lambda p: (not p.is_error, p.line or 0))


def _p(lines: LineMap, path: Path_, code: str, message: str) -> Problem:
    return lines.problem(path, message, severity=code[0], code=code)  # type: ignore[arg-type]


def _n(x: Decimal | None) -> str:
    return shown(x) if x is not None else "（空）"


# ---------------------------------------------------------------------------- money


def _execution(subject: Any, path: Path_, what: str, res: SubjectResult, spec: Any, lines: LineMap) -> Iterator[Problem]:
    ex = subject.execution
    base = (*path, "execution")
    unit = ex.unit
    rows = ex.lines
    total_i = next((i for i, line in enumerate(rows) if line.level == 0), None)
    if not rows:
        yield _p(lines, base, "E410", f"{what}没有填预算执行情况（execution.lines）：请照表填年度资金总额和各资金来源的数")
        return
    if total_i is not None:
        total = rows[total_i]
        parts = [line for line in rows if line.level == 1]
        for col, label in _COLUMNS.items():
            given = [getattr(line, col) for line in parts if getattr(line, col) is not None]
            if not given:
                continue
            s = sum(given, Decimal(0))
            t = getattr(total, col)
            if t is None or t != s:
                yield _p(
                    lines,
                    (*base, "lines", total_i, col),
                    "E417",
                    f"{what}“{total.label}”的{label}为 {_n(t)} {unit}，其中各行之和为 {shown(s)} {unit}"
                    + (f"（相差 {shown(abs(s - t))}）" if t is not None else "")
                    + "：合计行应等于各资金来源之和，请核对",
                )
    which = spec.scoring.execution.denominator if spec.scoring is not None and spec.scoring.execution is not None else "budget"
    for i, line in enumerate(rows):
        den = line.initial if which == "initial" or line.budget is None else line.budget
        den_label = "年初预算数" if which == "initial" or line.budget is None else "全年预算数"
        for col in ("executed", "expected"):
            v = getattr(line, col)
            if v is not None and den is not None and v > den:
                yield _p(
                    lines,
                    (*base, "lines", i, col),
                    "E416",
                    f"{what}“{line.label}”的{_COLUMNS[col]} {shown(v)} {unit} 超过了{den_label} {shown(den)} {unit}：执行数不能大于预算数，请核对（预算调整了的，填调整后的预算数）",
                )
    yield from _typed_rates(rows, total_i, what, base, res, spec, lines)
    if total_i is None:
        return
    total = rows[total_i]
    r = res.execution
    where = (*base, "lines", total_i)
    if spec.stage == "监控":
        mon = spec.monitoring
        pace = Decimal(mon.months) / 12 if mon is not None else None
        if mon is not None and mon.pace and r.used_rate is not None and pace is not None and r.used_rate < pace:
            yield _p(
                lines,
                (*where, "executed"),
                "W400",
                f"{what}1-{mon.months}月执行率 {percent_text(r.used_rate, 2)}，低于序时进度 {percent_text(pace, 2)}（{mon.months} 个月 ÷ 12）："
                "请在偏差原因里说明，并写拟采取的措施",
            )
        return
    spec_ex = spec.scoring.execution if spec.scoring is not None else None
    if spec_ex is None:
        return
    if r.used_rate is None:
        yield _p(
            lines, where, "E410", f"{what}的执行率算不出：请填“{total.label}”的执行数和{'年初预算数' if spec_ex.denominator == 'initial' else '全年预算数'}（或直接填 rate:）"
        )
        return
    if r.entered is not None and r.computed is not None and r.entered != r.computed:
        yield _p(
            lines,
            (*where, "score"),
            "E412",
            f"{what}的执行率得分填的是 {shown(r.entered)}，按规则是 {shown(r.computed)}（执行率 {percent_text(min(r.used_rate, Decimal(1)), 2)} × 分值 {shown(spec_ex.weight)}）："
            "请改正，或删去 score: 让 goaldoc 算",
        )
    if spec_ex.reason_below is not None and r.used_rate * 100 < spec_ex.reason_below and not (ex.reason or "").strip():
        yield _p(
            lines,
            (*base, "reason"),
            "E411",
            f"{what}的执行率 {percent_text(r.used_rate, 2)}，低于 {shown(spec_ex.reason_below)}%：表样要求说明原因，请填 execution.reason",
        )


def _typed_rates(
    rows: list[Any], total_i: int | None, what: str, base: Path_, res: SubjectResult, spec: Any, lines: LineMap
) -> Iterator[Problem]:
    """E420: each 执行率 typed (``rate:``) — the 年度资金总额 row's and each 其中 row's — is
    its row's 执行数 ÷ 预算数, and reads as a percentage (a rate the form prints as typed)."""
    r = res.execution
    places = spec.scoring.execution.rate_decimals if spec.scoring is not None and spec.scoring.execution is not None else 2
    which = spec.scoring.execution.denominator if spec.scoring is not None and spec.scoring.execution is not None else "budget"
    for i, line in enumerate(rows):
        if line.rate is None or not str(line.rate).strip():
            continue
        row = "" if i == total_i else f"“{line.label}”"
        entered = parse_percent(line.rate)
        if entered is None:
            yield _p(
                lines,
                (*base, "lines", i, "rate"),
                "E420",
                f"{what}{row}的执行率填的是“{line.rate}”，看不出是百分之几：请写成 62.5% 这样，或删去 rate: 让 goaldoc 算",
            )
            continue
        computed = r.line_rates[i] if i < len(r.line_rates) else None
        if computed is None:
            continue
        if abs(computed - entered) >= Decimal("0.00005") and percent_text(computed, places) != percent_text(entered, places):
            executed, den = (r.executed, r.denominator) if i == total_i else (line.executed, denominator_of(line, which))
            yield _p(
                lines,
                (*base, "lines", i, "rate"),
                "E420",
                f"{what}{row}的执行率填的是 {line.rate}，按 {_n(executed)} ÷ {_n(den)} 算是 {percent_text(computed, places)}："
                "请改正，或删去 rate: 让 goaldoc 算",
            )


# ---------------------------------------------------------------------------- 自评


def _placeholder(ind: Any) -> bool:
    """A 二级 printed with no indicator under it (name and value empty)."""
    return not ind.name and not ind.value and not getattr(ind, "adjusted", None)


def _evaluation(subject: Any, path: Path_, what: str, res: SubjectResult, spec: Any, lines: LineMap) -> Iterator[Problem]:
    rules = spec.scoring
    for i, (ind, r) in enumerate(zip(subject.indicators, res.indicators, strict=True)):
        if _placeholder(ind):
            continue
        at = (*path, "indicators", i)
        name = f"{what}的指标“{ind.name}”"
        if ind.na:
            if rules is not None and rules.not_applicable == "refuse":
                yield _p(lines, (*at, "na"), "E422", f"{name}写了不适用：这个表样不允许不适用的指标，请填实际完成值")
            continue
        if not (ind.actual or "").strip():
            yield _p(lines, (*at, "actual"), "E410", f"{name}没有填实际完成值（actual）：请照实际填写；这一年不考核的，写 na: true（不适用）")
        if rules is None:
            continue
        yield from _score(ind, r, at, name, rules, lines)
    if rules is not None:
        yield from _weights(subject, path, what, res, spec, lines)
        yield from _total(subject, path, what, res, rules, lines)


def _score(ind: Any, r: IndicatorResult, at: Path_, name: str, rules: Any, lines: LineMap) -> Iterator[Problem]:
    if ind.coefficient is not None and r.entered_from != "coefficient" and ind.score is None and r.weight is not None:
        yield _p(lines, (*at, "coefficient"), "E412", f"{name}的得分系数应为百分数（如 100%、85%），现为“{ind.coefficient}”")
    if r.problem == "no weight":
        yield _p(lines, (*at, "weight"), "E415", f"{name}没有分值（权重）：请在目标表或这里填 weight:，得分按分值算")
        return
    if r.problem == "no actual":
        return
    if r.problem == "no tier":
        names = "、".join(t.name for t in rules.tiers)
        yield _p(
            lines,
            (*at, "tier"),
            "E413",
            f"{name}是定性指标，看不出完成等级（实际完成值“{ind.actual or ''}”不是等级，也和指标值不同）：请写 tier:（{names} 之一）",
        )
        return
    entered = r.entered
    if entered is None and r.computed is None:
        assert r.low is not None and r.high is not None
        yield _p(
            lines,
            (*at, "score"),
            "E413",
            f"{name}完成等级为“{r.tier.name if r.tier else ''}”：请填得分 score:（{shown(r.low)} 至 {shown(r.high)} 之间，不含 {shown(r.high)}）",
        )
    elif entered is not None and not r.allows(rounded(entered, rules.decimals)):
        how = "得分系数 × 分值 = " if r.entered_from == "coefficient" else ""
        field = "coefficient" if r.entered_from == "coefficient" else "score"
        yield _p(lines, (*at, field), "E412", f"{name}的得分 {how}{shown(rounded(entered, rules.decimals))} 不在规则允许的范围内：{_allowed(ind, r, rules)}")
    if r.kind == "quantitative" and not r.signed and r.direction is not None and not ind.direction and rules.unsigned is None:
        yield _p(
            lines,
            (*at, "value"),
            "W401",
            f"{name}的指标值“{ind.adjusted or ind.value}”没有写 ≥ ≤ =，按{DIRECTION_NAMES[r.direction]}指标计分："
            "越低越好的指标请在目标表写 ≤（或 direction: 反向指标）",
        )
    reason = (ind.reason or "").strip()
    if r.over and not reason and r.target_number is not None and rules.over_factor is not None:
        yield _p(
            lines,
            (*at, "reason"),
            "E411",
            f"{name}实际完成值 {shown(r.actual_number)} 达到指标值 {shown(r.target_number)} 的 {shown(rules.over_factor * 100)}% 以上："
            "表样要求说明原因（指标值是否定得偏低），请填 reason:",
        )
    elif rules.reason_unfinished and r.unfinished and not reason and (r.score is None or r.weight is None or r.score < r.weight):
        yield _p(lines, (*at, "reason"), "E411", f"{name}没有完成（得分 {_n(r.score)}，分值 {_n(r.weight)}）：表样要求写偏差原因分析及改进措施，请填 reason:")


def _allowed(ind: Any, r: IndicatorResult, rules: Any) -> str:
    if r.kind == "qualitative":
        top = "含" if not r.high_open else "不含"
        return f"完成等级“{r.tier.name if r.tier else ''}”的得分在 {shown(r.low)} 至 {shown(r.high)} 之间（{top} {shown(r.high)}）：请改得分，或改等级"
    assert r.direction is not None
    rule = DIRECTION_NAMES[r.direction]
    base = f"{rule}指标，指标值 {shown(r.target_number)}，实际 {shown(r.actual_number)}，分值 {shown(r.weight)}，按规则得 {shown(r.computed)}"
    if r.over:
        return base + f"；实际远超指标值，可按偏差扣减，但在 {shown(r.low)} 至 {shown(r.high)} 之间：请改正，或删去得分让 goaldoc 算"
    return base + "：请改正，或删去得分让 goaldoc 算"


def _weights(subject: Any, path: Path_, what: str, res: SubjectResult, spec: Any, lines: LineMap) -> Iterator[Problem]:
    from ..forms.vocabulary import KINDS
    from .scoring import kinds_of

    rules = spec.scoring
    inds = subject.indicators
    kinds = kinds_of(inds, spec.vocabulary)
    ws = [r.weight for r in res.indicators]
    if any(w is None for w, ind in zip(ws, inds, strict=True) if not _placeholder(ind) and not ind.na):
        return  # E415 says which
    wrong = False
    for kind, want in res.declared.items():
        got = sum((w for w, k in zip(ws, kinds, strict=True) if k == kind and w is not None), Decimal(0))
        if got != want:
            wrong = True
            first = next((i for i, k in enumerate(kinds) if k == kind), None)
            at = (*path, "indicators", first, "weight") if first is not None else (*path, "indicators")
            names = "、".join(spec.vocabulary.kind_names(kind)) or KINDS.get(kind, kind)
            yield _p(lines, at, "E414", f"{what}的{names}各条分值之和为 {shown(got)}，表样规定 {shown(want)} 分：请调整各条的分值")
    if wrong:
        return
    ex_w = rules.execution.weight if rules.execution is not None else Decimal(0)
    total = sum((w for w in ws if w is not None), Decimal(0)) + ex_w  # a row not applicable keeps its weight: the total is rescaled
    if total != rules.total:
        yield _p(
            lines,
            (*path, "indicators"),
            "E414",
            f"{what}的分值加起来是 {shown(total)}（执行率 {shown(ex_w)} + 各指标 {shown(total - ex_w)}），满分应为 {shown(rules.total)}：请调整各条的分值",
        )


def _total(subject: Any, path: Path_, what: str, res: SubjectResult, rules: Any, lines: LineMap) -> Iterator[Problem]:
    entered = subject.total_score
    if entered is not None and res.total is not None and rounded(entered, rules.decimals) != res.total:
        how = "（不适用的指标已去掉，按满分折算）" if res.rescaled else ""
        yield _p(
            lines,
            (*path, "total_score"),
            "E421",
            f"{what}的总分填的是 {shown(entered)}，各项得分加起来是 {shown(res.total)}{how}：请改正，或删去 total_score: 让 goaldoc 算",
        )
    if subject.grade and res.grade and subject.grade.strip() != res.grade:
        basis = entered if entered is not None else res.total
        bands = "、".join(f"{g.name} ≥ {shown(g.min)}" for g in rules.grades)
        yield _p(lines, (*path, "grade"), "E421", f"{what}的等级填的是“{subject.grade}”，总分 {_n(basis)} 应为“{res.grade}”（{bands}）：请改正")


# ---------------------------------------------------------------------------- 监控


def _monitoring(subject: Any, path: Path_, what: str, spec: Any, lines: LineMap) -> Iterator[Problem]:
    mon = spec.monitoring
    if mon is None:
        return
    needs_reason = False
    for i, ind in enumerate(subject.indicators):
        if _placeholder(ind):
            continue
        at = (*path, "indicators", i)
        name = f"{what}的指标“{ind.name}”"
        if not (ind.progress or "").strip():
            yield _p(lines, (*at, "progress"), "E410", f"{name}没有填执行情况（progress，1-{mon.months}月的完成情况）：请照实际填写")
        answer = (ind.likelihood or "").strip()
        answers = "、".join(mon.answers)
        if not answer:
            yield _p(lines, (*at, "likelihood"), "E418", f"{name}没有填完成目标可能性（likelihood）：请填 {answers} 之一")
        elif answer not in mon.answers:
            yield _p(lines, (*at, "likelihood"), "E418", f"{name}的完成目标可能性“{answer}”不是表上的答案：请填 {answers} 之一")
        for key in ind.causes:
            if key not in mon.causes:
                allowed = "、".join(mon.causes) if mon.causes else "（这个表样不分栏：整张表的偏差原因写在 deviation:）"
                yield _p(lines, (*at, "causes", key), "E423", f"{name}的偏差原因栏“{key}”不是表上的栏目：可用 {allowed}")
        if answer in mon.reason_when:
            if mon.causes:
                if not any(str(v).strip() for v in ind.causes.values()) and not (ind.reason or "").strip():
                    cols = "、".join(mon.causes)
                    yield _p(
                        lines,
                        (*at, "causes"),
                        "E411",
                        f"{name}完成目标可能性为“{answer}”：表样要求分析偏差原因，请在 causes: 下按 {cols} 填写",
                    )
            else:
                needs_reason = True
    if needs_reason:
        for key, label in (("deviation", "偏差或不能完成目标原因分析"), ("measures", "相关建议或举措")):
            if not (getattr(subject, key) or "").strip():
                yield _p(lines, (*path, key), "E411", f"{what}有指标的完成目标可能性为{'或'.join(mon.reason_when)}：表样要求填“{label}”，请填 {key}:")


def _as_of(model: Any, spec: Any, lines: LineMap) -> Iterator[Problem]:
    text = (model.as_of or "").strip()
    if not text:
        return
    mon = spec.monitoring
    day = _date(text)
    if day is None:
        yield _p(lines, ("as_of",), "E419", f"数据截至日期“{text}”看不出是哪一天：请写成 {model.year}-{mon.months:02d}-30 这样")
        return
    start = datetime.date(model.year, 1, 1)
    end = datetime.date(model.year + (mon.months == 12), mon.months % 12 + 1, 1) - datetime.timedelta(days=1)
    if not start <= day <= end:
        yield _p(
            lines,
            ("as_of",),
            "E419",
            f"数据截至日期 {day.isoformat()} 不在监控期内（{model.year} 年 1-{mon.months}月，即 {start.isoformat()} 至 {end.isoformat()}）：请改正",
        )


def _date(text: str) -> datetime.date | None:
    m = re.fullmatch(r"\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*", text)
    if not m:
        return None
    try:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


# ---------------------------------------------------------------------------- texts


def _instructions(model: Any, lines: LineMap) -> Iterator[Problem]:
    """A text still holding the form's instruction (“…(200字以内)”): the cell was not filled."""
    for path, subject, what in subjects(model):
        for key in ("goal_result", "conclusion", "problems", "measures", "deviation"):
            text = getattr(subject, key) or ""
            if _INSTRUCTION.search(text):
                yield _p(lines, (*path, key), "W402", f"{what}的“{text[:24]}…”还是表样的填写说明，没有填写内容：请按说明写")


__all__ = ["stage_checks"]
