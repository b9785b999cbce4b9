"""Issue 19 item 3: every published scoring rule and its variants, table-driven at the edges
(a = t, a = 2t, t = 0, N/A), as the form folders declare them (stage/spec.py)."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from goaldoc.forms import load_form
from goaldoc.stage.scoring import (
    direction_of,
    grade_of,
    over,
    quantitative,
    rate_of,
    reduced_floor,
    rounded,
    score_execution,
    score_indicator,
    score_subject,
    weights,
)
from goaldoc.stage.spec import ExecutionScoring, ScoringSpec, TierSpec
from goaldoc.values import parse_value

W = D(10)


@pytest.mark.parametrize(
    ("direction", "t", "a", "negative", "want"),
    [
        # 正向 (≥ >): a ≥ t → w; else a / t × w
        ("positive", 100, 100, "linear", 10),  # a = t
        ("positive", 100, 200, "linear", 10),  # a = 2t
        ("positive", 100, 50, "linear", 5),
        ("positive", 100, 0, "linear", 0),
        ("positive", 0, 0, "linear", 10),  # t = 0: nothing to fall short of
        ("positive", 0, 3, "linear", 10),
        # 等于 (=): t = 0 → (a ≤ 0 ? w : 0); otherwise as 正向
        ("equal", 0, 0, "linear", 10),
        ("equal", 0, 1, "linear", 0),
        ("equal", 8, 8, "linear", 10),
        ("equal", 8, 16, "linear", 10),
        ("equal", 8, 4, "linear", 5),
        # 反向 rule A (budget-system code): a ≤ t → w; t < a < 2t → (1 − (a − t)/t) × w; a ≥ 2t → 0
        ("negative", 100, 100, "linear", 10),  # a = t
        ("negative", 100, 50, "linear", 10),
        ("negative", 100, 150, "linear", 5),
        ("negative", 100, 200, "linear", 0),  # a = 2t
        ("negative", 100, 300, "linear", 0),
        ("negative", 0, 0, "linear", 10),  # t = 0
        ("negative", 0, 1, "linear", 0),
        # 反向 rule B (printed on a municipal form): t / a × w, at most w
        ("negative", 100, 100, "inverse", 10),  # a = t
        ("negative", 100, 200, "inverse", 5),  # a = 2t
        ("negative", 100, 400, "inverse", D("2.5")),
        ("negative", 100, 50, "inverse", 10),
        ("negative", 0, 0, "inverse", 10),  # t = 0
        ("negative", 0, 5, "inverse", 0),
    ],
)
def test_quantitative_rules(direction, t, a, negative, want):
    assert quantitative(direction, D(t), D(a), W, negative) == D(want)


@pytest.mark.parametrize(
    ("t", "a", "factor", "direction", "want"),
    [
        (100, 130, "1.3", "positive", True),  # a = 130% × t: a reason is needed
        (100, 129, "1.3", "positive", False),
        (100, 200, "1.3", "equal", True),
        (100, 200, None, "positive", False),  # the form sets no factor
        (0, 5, "1.3", "positive", False),  # t = 0: no multiple of it
        (100, 200, "1.3", "negative", False),  # 反向: more is worse, never “far above”
    ],
)
def test_far_above_the_target(t, a, factor, direction, want):
    assert over(direction, D(t), D(a), D(factor) if factor else None) is want


@pytest.mark.parametrize(("a", "want"), [(130, 7), (150, 5), (200, 0), (300, 0)])
def test_a_target_set_too_low_may_be_reduced_by_the_deviation(a, want):
    assert reduced_floor(D(100), D(a), W) == D(want)


@pytest.mark.parametrize(
    ("value", "declared", "unsigned", "want"),
    [
        ("≥50个", None, None, ("positive", True)),
        (">5", None, None, ("positive", True)),
        ("=100%", None, None, ("equal", True)),
        ("≤90万元", None, None, ("negative", True)),
        ("<3%", None, None, ("negative", True)),
        ("3%", "反向指标", None, ("negative", False)),  # no sign: the 指标方向性
        ("3%", None, None, ("positive", False)),  # no sign, nothing declared: 正向 (and W401)
        ("3%", None, "equal", ("equal", False)),  # the form's own rule for unsigned values
    ],
)
def test_direction(value, declared, unsigned, want):
    assert direction_of(parse_value(value), declared, unsigned) == want


def ind(value, actual=None, **kw):
    base = {"value": value, "sign": None, "unit": None, "actual": actual, "adjusted": None, "na": False, "tier": None,
            "score": None, "coefficient": None, "direction": None, "weight": None}
    base.update(kw)
    return SimpleNamespace(**base)


NATIONAL = ScoringSpec(over_factor=D("1.3"))
MUNICIPAL = ScoringSpec(
    tiers=[  # a published municipal form: 100–80% / 80–50% / 50–0%
        TierSpec(name="好", low=D("0.8"), high=D(1)),
        TierSpec(name="一般", low=D("0.5"), high=D("0.8")),
        TierSpec(name="差", low=D(0), high=D("0.5")),
    ],
    negative="inverse",
)


@pytest.mark.parametrize(
    ("i", "rules", "kind", "computed", "allowed", "refused"),
    [
        # 定量: an entered score must be the rule's, unless far above the target
        (ind("≥50个", "50"), NATIONAL, "quantitative", "10.00", ["10"], ["9.99"]),
        (ind("≥50个", "40"), NATIONAL, "quantitative", "8.00", ["8"], ["10", "7"]),
        (ind("≥50个", "100"), NATIONAL, "quantitative", "10.00", ["10", "0"], []),  # a = 2t: reduced to (1 − 1) × w = 0
        (ind("≥100个", "150"), NATIONAL, "quantitative", "10.00", ["10", "5"], ["4.99"]),
        (ind("≤90万元", "180"), NATIONAL, "quantitative", "0.00", ["0"], ["1"]),
        (ind("≤90万元", "180"), MUNICIPAL, "quantitative", "5.00", ["5"], ["0"]),  # rule B
        # 定性: the tier and a score in its band (the top band includes its top, the others not)
        (ind("严格执行相关制度规定", "达成预期指标"), NATIONAL, "qualitative", "10.00", ["10", "8"], ["7.99"]),
        (ind("高", "高"), NATIONAL, "qualitative", "10.00", ["8"], ["10.01"]),  # the actual is the target: met
        (ind("合规", "部分达成"), NATIONAL, "qualitative", None, ["6", "7.99"], ["8", "5.99"]),
        (ind("合规", "基本合规", tier="未达成年度指标且效果较差"), NATIONAL, "qualitative", None, ["0", "5.99"], ["6"]),
        (ind("好", "一般"), MUNICIPAL, "qualitative", None, ["5", "7.99"], ["8", "4.99"]),
    ],
)
def test_what_an_entered_score_may_be(i, rules, kind, computed, allowed, refused):
    r = score_indicator(i, W, rules)
    assert r.kind == kind and r.problem == ""
    assert (str(r.computed) if r.computed is not None else None) == computed
    assert all(r.allows(D(x)) for x in allowed), [x for x in allowed if not r.allows(D(x))]
    assert not any(r.allows(D(x)) for x in refused), [x for x in refused if r.allows(D(x))]


def test_an_adjusted_target_is_the_one_scored():
    r = score_indicator(ind("≥50个", "60", adjusted="≥80个"), W, NATIONAL)
    assert (r.target_number, r.computed) == (D(80), D("7.50"))


def test_coefficient_times_weight():
    r = score_indicator(ind("100%", "92%", coefficient="100%"), D(2), NATIONAL)
    assert (r.entered, r.entered_from, r.computed) == (D(2), "coefficient", D("1.84"))
    assert not r.allows(rounded(r.entered, 2))  # the published 重庆 row: 100% where 92% fell short


def test_not_applicable_is_left_out_and_the_total_rescaled():
    rules = ScoringSpec(execution=ExecutionScoring(weight=D(10)))
    subject = SimpleNamespace(
        indicators=[ind("≥10个", "10", weight=D(50)), ind("≥5个", None, weight=D(40), na=True)],
        execution=SimpleNamespace(lines=[SimpleNamespace(level=0, label="合计", initial=D(100), budget=D(100), executed=D(90), rate=None, score=None)]),
        total_score=None,
    )
    res = score_subject(subject, [None, None], rules)
    assert res.indicators[1].kind == "na"
    # (9 + 50) of the applicable (10 + 50), as a score out of 100
    assert (res.execution.score, res.total, res.rescaled) == (D("9.00"), D("98.33"), True)
    refused = ScoringSpec(execution=ExecutionScoring(), not_applicable="refuse")
    assert refused.not_applicable == "refuse"  # the check (E422) refuses na: true under this form


@pytest.mark.parametrize(
    ("which", "initial", "budget", "executed", "rate", "score"),
    [
        ("budget", "202.64", "132.912", "132.912", "1", "10.00"),  # 棠溪 村级: 全年预算数 as denominator
        ("initial", "202.64", "132.912", "132.912", "0.6559", "6.56"),  # the same figures over 年初预算数
        ("budget", "238.93", "251.89", "251.89", "1", "10.00"),  # 青神: 调整后预算数
        ("budget", "100", "100", "120", "1.2", "10.00"),  # above 100%: the score is capped
        ("budget", "0", "0", "0", "0", "0.00"),  # a row with no money: 0 (as the published forms print it)
    ],
)
def test_budget_execution(which, initial, budget, executed, rate, score):
    line = SimpleNamespace(level=0, label="合计", initial=D(initial), budget=D(budget), executed=D(executed), rate=None, score=None)
    rules = ScoringSpec(execution=ExecutionScoring(weight=D(10), denominator=which))
    r = score_execution(SimpleNamespace(lines=[line]), rules)
    assert round(r.rate, 4) == D(rate) and r.score == D(score)


def test_an_entered_rate_stands_in_for_missing_amounts():
    """重庆: the amounts are not printed; 执行率 76% × 执行率权重 10 = 7.6."""
    line = SimpleNamespace(level=0, label="部门预算", initial=None, budget=None, executed=None, rate="76%", score=None)
    r = score_execution(SimpleNamespace(lines=[line]), ScoringSpec(execution=ExecutionScoring(weight=D(10))))
    assert (r.rate, r.used_rate, r.score) == (None, D("0.76"), D("7.60"))
    assert rate_of(D(5), D(0)) is None  # executed with no budget: no rate (E416 says why)


@pytest.mark.parametrize(("x", "places", "want"), [("2.675", 2, "2.68"), ("3.333", 2, "3.33"), ("7.6", 0, "8"), ("0.005", 2, "0.01")])
def test_rounding_is_half_up(x, places, want):
    assert rounded(D(x), places) == D(want)


@pytest.mark.parametrize(
    ("total", "grade"), [("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差"), ("0", "差")]
)
def test_grade_bands(total, grade):
    assert grade_of(D(total), ScoringSpec()) == grade


def test_weights_from_labels_share_what_each_level1_leaves():
    rules = ScoringSpec(weights="labels", level1={"output": D(50), "benefit": D(30), "satisfaction": D(10)})
    inds = [ind("x", weight=D(20)), ind("x"), ind("x"), ind("x"), ind("x"), ind("x"), ind("x")]
    kinds = ["output", "output", "output", "benefit", "benefit", "benefit", "satisfaction"]
    ws, source, declared = weights(inds, kinds, rules)
    # 产出 50: 20 given, 30 left over two rows; 效益 30 over three; 满意度 10
    assert [str(w) for w in ws] == ["20", "15.00", "15.00", "10.00", "10.00", "10.00", "10.00"]
    assert source == ["given", "split", "split", "split", "split", "split", "split"]
    ws, _s, _d = weights([ind("x"), ind("x"), ind("x")], ["benefit"] * 3, rules)
    assert [str(w) for w in ws] == ["10.00", "10.00", "10.00"]
    thirds = ScoringSpec(weights="labels", level1={"satisfaction": D(10)})
    ws, _s, _d = weights([ind("x")] * 3, ["satisfaction"] * 3, thirds)
    assert [str(w) for w in ws] == ["3.33", "3.33", "3.34"]  # the last takes the remainder


def test_a_missing_kinds_weight_moves_where_the_form_says():
    rules = ScoringSpec(level1={"output": D(50), "benefit": D(30), "satisfaction": D(10)}, move_empty={"satisfaction": "benefit"})
    _ws, _s, declared = weights([ind("x"), ind("x")], ["output", "benefit"], rules)
    assert declared == {"output": D(50), "benefit": D(40)}


def test_the_shipped_forms_declare_their_published_rules():
    ziping = load_form("ziping").scoring
    assert ziping is not None and ziping.execution is not None
    assert (ziping.execution.weight, ziping.execution.denominator, ziping.weights, ziping.over_factor) == (D(10), "budget", "labels", D("1.3"))
    assert ziping.level1 == {"output": D(50), "benefit": D(30), "satisfaction": D(10)}
    sichuan = load_form("sichuan_ziping").scoring
    assert sichuan is not None and sichuan.execution is not None
    assert (sichuan.execution.reason_below, sichuan.execution.rate_decimals, sichuan.weights) == (D(90), 2, "column")
    chongqing = load_form("chongqing_bumen_ziping").scoring
    assert chongqing is not None and chongqing.execution is not None
    assert (chongqing.entry, chongqing.execution.rate_decimals, chongqing.unsigned) == ("coefficient", 0, "positive")
    assert load_form("jiankong").monitoring.answers == ["确定能", "有可能", "完全不可能"]  # type: ignore[union-attr]
    assert load_form("huangshi_jiankong").monitoring.answers == ["确定能", "有可能", "不可能"]  # type: ignore[union-attr]
