"""执行率, 得分, 总分 and 等级, computed by the rules a form folder declares (``scoring:`` of
its form.yaml, stage/spec.py). Pure functions over Decimals: the checks compare what a clerk
entered with what these allow, the renderer prints what they give.

The rule shapes are the published ones (SCORING.md):

* budget: rate = 执行数 ÷ denominator, score = min(rate, 1) × weight;
* 正向 (≥ >): a ≥ t → w, else a ÷ t × w;  等于 (=): t = 0 → (a ≤ 0 ? w : 0), else as 正向;
* 反向 (≤ <) ``linear``: a ≤ t → w; t < a < 2t → (1 − (a − t) ÷ t) × w; a ≥ 2t → 0;
  ``inverse``: t ÷ a × w, at most w;
* a ≥ ``over_factor`` × t needs a reason, and the score may be reduced by the deviation
  (down to (1 − (a − t) ÷ t) × w);
* 定性: the tier (达成 / 部分达成 / 未达成 by default) and a score inside its band;
* N/A: left out, the total rescaled to the full score; rounding half up; grade bands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from ..values import IndicatorValue, from_parts, normalise_text, parse_value
from .spec import ScoringSpec, TierSpec

Direction = Literal["positive", "equal", "negative"]
DIRECTION_NAMES = {"positive": "正向", "equal": "等于", "negative": "反向"}
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


def rounded(x: Decimal, places: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def shown(x: Decimal | None) -> str:
    """A score or weight as printed: no exponent, no needless zeros (7.60 → 7.6, 10.00 → 10)."""
    if x is None:
        return ""
    text = format(x, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def percent_text(rate: Decimal | None, places: int) -> str:
    """A rate (0.76) as printed: 76% (0 places) or 100.00% (2 places)."""
    if rate is None:
        return ""
    return f"{format(rounded(rate * HUNDRED, places), 'f')}%"


def parse_percent(text: str | None) -> Decimal | None:
    """``76%`` → 0.76, ``100.00%`` → 1, ``0.76`` → 0.76, ``76`` → 0.76 (a bare number above 1
    is a percentage); None for anything else."""
    if text is None:
        return None
    t = normalise_text(str(text)).replace(" ", "")
    if not t:
        return None
    try:
        if t.endswith("%"):
            return Decimal(t[:-1]) / HUNDRED
        d = Decimal(t)
    except InvalidOperation:
        return None
    return d if d <= 1 else d / HUNDRED


# ---------------------------------------------------------------------------- quantitative


def direction_of(target: IndicatorValue, declared: str | None, unsigned: str | None) -> tuple[Direction, bool]:
    """(direction, from the sign?) of an indicator: ≥ > 正向, = ≈ 等于, ≤ < 反向; without a
    sign its 指标方向性 (正向指标 / 反向指标), else the form's ``unsigned`` rule."""
    sign = target.sign
    if sign in ("≥", ">"):
        return "positive", True
    if sign in ("=", "≈"):
        return "equal", True
    if sign in ("≤", "<"):
        return "negative", True
    if declared and "反向" in declared:
        return "negative", False
    if declared and "正向" in declared:
        return "positive", False
    return ("equal" if unsigned == "equal" else "positive"), False


def quantitative(direction: Direction, t: Decimal, a: Decimal, w: Decimal, negative: str = "linear") -> Decimal:
    """The rule's score, unrounded."""
    if direction == "equal" and t == 0:
        return w if a <= 0 else ZERO
    if direction in ("positive", "equal"):
        if a >= t or t <= 0:
            return w
        return max(ZERO, a / t * w)
    # 反向
    if negative == "inverse":
        if a <= 0 or a <= t:
            return w
        return min(w, t / a * w)
    if a <= t:
        return w
    if t <= 0 or a >= 2 * t:
        return ZERO
    return (ONE - (a - t) / t) * w


def over(direction: Direction, t: Decimal, a: Decimal, factor: Decimal | None) -> bool:
    """Far above the target (正向 / 等于, a ≥ factor × t, t > 0): a reason is needed."""
    return factor is not None and direction != "negative" and t > 0 and a >= factor * t


def reduced_floor(t: Decimal, a: Decimal, w: Decimal) -> Decimal:
    """The lowest score a target set too low may be reduced to: by the deviation."""
    return max(ZERO, (ONE - (a - t) / t) * w)


# ---------------------------------------------------------------------------- one indicator


@dataclass
class IndicatorResult:
    """How one indicator scores under the form's rules."""

    weight: Decimal | None = None  # 分值 used (None: none given and none to split)
    weight_from: str = ""  # "given" | "split" | ""
    kind: str = ""  # "quantitative" | "qualitative" | "na" | ""
    direction: Direction | None = None
    signed: bool = True  # the direction came from a sign (≥ ≤ =)
    target_number: Decimal | None = None
    actual_number: Decimal | None = None
    tier: TierSpec | None = None
    tier_from: str = ""  # "given" | "actual" | "equal"
    computed: Decimal | None = None  # the rule's score, rounded (None: the rule needs an entry)
    low: Decimal | None = None  # what an entered score may be (inclusive)
    high: Decimal | None = None
    high_open: bool = False  # the band's top is not included (a lower tier)
    entered: Decimal | None = None  # the clerk's score (or coefficient × weight)
    entered_from: str = ""  # "score" | "coefficient"
    score: Decimal | None = None  # what prints
    over: bool = False  # far above the target: a reason is needed
    unfinished: bool = False  # not met: a reason may be needed
    problem: str = ""  # why it cannot be scored (Chinese, for the checks)

    @property
    def coefficient(self) -> Decimal | None:
        """得分系数: score ÷ weight (1 = 100%)."""
        if self.score is None or not self.weight:
            return None
        return self.score / self.weight

    def allows(self, x: Decimal) -> bool:
        if self.low is None or self.high is None:
            return True
        if x < self.low:
            return False
        return x < self.high if self.high_open else x <= self.high


def target_value(ind: Any) -> IndicatorValue:
    """The target the indicator is scored against: the adjusted one when there is one."""
    if getattr(ind, "adjusted", None):
        return parse_value(ind.adjusted)
    value = normalise_text(str(ind.value or ""))
    unit = normalise_text(str(ind.unit or ""))
    if (ind.sign is not None or ind.unit is not None) and not (unit and value.endswith(unit)):
        return from_parts(ind.sign, ind.value, ind.unit)
    sign = ind.sign if ind.sign and ind.sign != "定性" else ""
    return parse_value(sign + value if value else ind.value)  # also a value carrying its unit beside a 计量单位 cell (26次 | 次)


_LEAD = re.compile(r"^([≥≤=><≈])? ?(-?[0-9]+(?:\.[0-9]+)?)")


def _number(v: IndicatorValue) -> Decimal | None:
    """The figure of a value: parsed, or leading an unparsed text (``≥100百分比``)."""
    if v.number is not None and (v.parsed or v.sign is not None):
        return v.number
    if v.qualitative or not v.text:
        return None
    m = _LEAD.match(v.text)
    return Decimal(m.group(2)) if m else None


def _sign(v: IndicatorValue) -> IndicatorValue:
    """A value whose sign leads an unparsed text gets that sign (``≥100百分比`` → ≥)."""
    if v.sign is None and v.text and not v.parsed:
        m = _LEAD.match(v.text)
        if m and m.group(1):
            return IndicatorValue(v.raw, m.group(1), Decimal(m.group(2)), "", v.text, False)
    return v


def find_tier(text: str | None, tiers: list[TierSpec]) -> TierSpec | None:
    if not text:
        return None
    t = "".join(normalise_text(text).split())
    for tier in tiers:
        if t in {"".join(x.split()) for x in (tier.name, *tier.also)}:
            return tier
    return None


def score_indicator(ind: Any, weight: Decimal | None, rules: ScoringSpec) -> IndicatorResult:
    """The indicator's result under ``rules`` with ``weight`` (None: no weight)."""
    r = IndicatorResult(weight=weight)
    if getattr(ind, "na", False):
        r.kind = "na"
        return r
    target = _sign(target_value(ind))
    actual = parse_value(ind.actual) if ind.actual else None
    t = _number(target)
    a = _number(actual) if actual is not None else None
    declared_tier = find_tier(getattr(ind, "tier", None), rules.tiers)
    actual_tier = find_tier(ind.actual, rules.tiers)
    qualitative = t is None or target.qualitative or declared_tier is not None or actual_tier is not None or (actual is not None and a is None)
    r.entered, r.entered_from = _entered(ind, weight)
    if not qualitative:
        assert t is not None
        r.kind = "quantitative"
        r.direction, r.signed = direction_of(target, getattr(ind, "direction", None), rules.unsigned)
        r.target_number, r.actual_number = t, a
        if a is None or weight is None:
            r.problem = "no actual" if a is None else "no weight"
            r.score = r.entered
            return r
        raw = quantitative(r.direction, t, a, weight, rules.negative)
        r.computed = rounded(raw, rules.decimals)
        r.over = over(r.direction, t, a, rules.over_factor)
        r.low = r.high = r.computed
        if r.over:
            r.low, r.high = rounded(reduced_floor(t, a, weight), rules.decimals), weight
        r.unfinished = r.computed < weight
    else:
        r.kind = "qualitative"
        tier = declared_tier or actual_tier
        r.tier_from = "given" if declared_tier else ("actual" if actual_tier else "")
        if tier is None and actual is not None and any(_same(actual.raw, x) for x in (target.raw, target.text or "", target.render()) if x):
            tier, r.tier_from = rules.tiers[0], "equal"
        r.tier = tier
        if tier is None and actual is None:
            r.problem = "no actual"
            r.score = r.entered
            return r
        if tier is None or weight is None:
            r.problem = "no tier" if weight is not None else "no weight"
            r.score = r.entered
            return r
        top = tier is rules.tiers[0]
        r.low = rounded(tier.low * weight, rules.decimals)
        r.high = rounded(tier.high * weight, rules.decimals)
        r.high_open = not top
        r.computed = r.high if top else None
        r.unfinished = not top
    r.score = r.entered if r.entered is not None else r.computed
    return r


def _same(a: str, b: str) -> bool:
    return "".join(normalise_text(a).split()) == "".join(normalise_text(b).split())


def _entered(ind: Any, weight: Decimal | None) -> tuple[Decimal | None, str]:
    if getattr(ind, "score", None) is not None:
        return ind.score, "score"
    coef = parse_percent(getattr(ind, "coefficient", None))
    if coef is not None and weight is not None:
        return coef * weight, "coefficient"
    return None, ""


# ---------------------------------------------------------------------------- weights


def weights(indicators: list[Any], kinds: list[str | None], rules: ScoringSpec) -> tuple[list[Decimal | None], list[str], dict[str, Decimal]]:
    """Each indicator's 分值 and where it came from, and the 一级 weights the form declares
    after moving the weight of a missing kind (``move_empty``). An indicator without a weight
    of its own shares what its 一级's declared weight leaves (equal parts, the last taking
    the remainder, to the form's decimals)."""
    declared = dict(rules.level1)
    present = {k for k in kinds if k}
    for kind, into in rules.move_empty.items():
        if kind in declared and kind not in present and into in declared:
            declared[into] += declared.pop(kind)
    out: list[Decimal | None] = [getattr(i, "weight", None) for i in indicators]
    source = ["given" if w is not None else "" for w in out]
    for kind, total in declared.items():
        members = [k for k, kd in enumerate(kinds) if kd == kind]
        empty = [k for k in members if out[k] is None]
        if not empty:
            continue
        left = total - sum((out[k] or ZERO for k in members if out[k] is not None), ZERO)
        if left <= 0:
            continue
        each = rounded(left / len(empty), rules.decimals)
        for n, k in enumerate(empty):
            out[k] = each if n < len(empty) - 1 else left - each * (len(empty) - 1)
            source[k] = "split"
    return out, source, declared


# ---------------------------------------------------------------------------- budget execution


@dataclass
class ExecutionResult:
    rate: Decimal | None = None  # computed from the amounts (None: cannot)
    entered_rate: Decimal | None = None
    used_rate: Decimal | None = None  # computed, else entered
    weight: Decimal | None = None
    computed: Decimal | None = None  # the rule's score
    entered: Decimal | None = None
    score: Decimal | None = None
    denominator: Decimal | None = None
    executed: Decimal | None = None
    line_rates: list[Decimal | None] = field(default_factory=list)


def rate_of(executed: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """执行数 ÷ 预算数; 0 when both are 0 (a row with no money, as the published forms print
    it); None when a figure is missing."""
    if executed is None or denominator is None:
        return None
    if denominator == 0:
        return ZERO if executed == 0 else None
    return executed / denominator


def denominator_of(line: Any, which: str) -> Decimal | None:
    if which == "initial":
        return line.initial if line.initial is not None else line.budget
    return line.budget if line.budget is not None else line.initial


def score_execution(execution: Any, rules: ScoringSpec | None, which: str = "budget") -> ExecutionResult:
    from .model import total_line

    spec = rules.execution if rules is not None else None
    which = spec.denominator if spec is not None else which
    r = ExecutionResult(line_rates=[rate_of(line.executed, denominator_of(line, which)) for line in execution.lines])
    line = total_line(execution)
    if line is None:
        return r
    r.denominator, r.executed = denominator_of(line, which), line.executed
    r.rate = rate_of(line.executed, r.denominator)
    r.entered_rate = parse_percent(line.rate)
    r.used_rate = r.rate if r.rate is not None else r.entered_rate
    if spec is None or rules is None:
        return r
    r.weight = spec.weight
    r.entered = line.score
    if r.used_rate is not None:
        r.computed = rounded(min(r.used_rate, ONE) * spec.weight, rules.decimals)
    r.score = r.entered if r.entered is not None else r.computed
    return r


# ---------------------------------------------------------------------------- a subject's total


@dataclass
class SubjectResult:
    execution: ExecutionResult
    indicators: list[IndicatorResult]
    declared: dict[str, Decimal]  # 一级 weights after move_empty
    total: Decimal | None = None  # computed
    entered_total: Decimal | None = None
    grade: str = ""
    rescaled: bool = False


def grade_of(total: Decimal | None, rules: ScoringSpec) -> str:
    if total is None:
        return ""
    return next((g.name for g in rules.grades if total >= g.min), "")


def score_subject(subject: Any, kinds: list[str | None], rules: ScoringSpec) -> SubjectResult:
    inds = list(subject.indicators)
    ws, source, declared = weights(inds, kinds, rules)
    results = []
    for ind, w, src in zip(inds, ws, source, strict=True):
        res = score_indicator(ind, w, rules)
        res.weight_from = src
        results.append(res)
    ex = score_execution(subject.execution, rules)
    out = SubjectResult(ex, results, declared, entered_total=getattr(subject, "total_score", None))
    applicable = [r for r in results if r.kind != "na" and r.weight is not None]
    if all(r.score is not None for r in applicable) and (ex.score is not None or rules.execution is None):
        got = sum((r.score for r in applicable if r.score is not None), ZERO) + (ex.score or ZERO)
        if any(r.kind == "na" for r in results) and rules.not_applicable == "rescale":
            possible = sum((r.weight for r in applicable if r.weight is not None), ZERO) + (ex.weight or ZERO)
            out.rescaled = True
            got = got / possible * rules.total if possible else ZERO
        out.total = rounded(got, rules.decimals)
    out.grade = grade_of(out.entered_total if out.entered_total is not None else out.total, rules)
    return out


__all__ = [
    "DIRECTION_NAMES",
    "ExecutionResult",
    "IndicatorResult",
    "SubjectResult",
    "direction_of",
    "find_tier",
    "grade_of",
    "over",
    "parse_percent",
    "percent_text",
    "quantitative",
    "rate_of",
    "reduced_floor",
    "rounded",
    "score_execution",
    "score_indicator",
    "score_subject",
    "shown",
    "target_value",
    "weights",
]


# ---------------------------------------------------------------------------- the whole file


def kinds_of(indicators: list[Any], vocabulary: Any) -> list[str | None]:
    """Each indicator's 一级 kind (output, benefit, satisfaction, cost) in the form's tree."""
    out: list[str | None] = []
    for ind in indicators:
        node = vocabulary.node1(ind.level1) if ind.level1 else None
        out.append(node.kind if node is not None else None)
    return out


def evaluate(model: Any, spec: Any) -> dict[tuple[str | int, ...], SubjectResult]:
    """Every subject's result (the department: path (), each project: ("projects", i)) under
    the form's rules; a form without ``scoring:`` (监控, or a 自评 that does not score) gets
    the execution rates only."""
    from .model import subjects

    rules = spec.scoring
    out: dict[tuple[str | int, ...], SubjectResult] = {}
    for path, subject, _what in subjects(model):
        if rules is not None:
            out[path] = score_subject(subject, kinds_of(subject.indicators, spec.vocabulary), rules)
        else:
            out[path] = SubjectResult(score_execution(subject.execution, None, "budget"), [], {})
    return out
