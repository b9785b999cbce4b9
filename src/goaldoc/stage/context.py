"""What a later stage's templates read: the common context of the targets (contract 1) with
the year's facts beside every indicator and project, the computed 执行率, 得分, 总分 and 等级
filled in where the clerk left them to goaldoc, and the top-level names of
:data:`STAGE_CONTRACT` (templates/README.md, “监控表和自评表”).

The indicator grid is the target forms' machinery (grouping, merge keys, pages): a row
reads the targets (``row.name``, ``row.value_text``) and the facts (``row.actual``,
``row.score``, ``row.progress``…) alike, and ``row.level1_label`` is the 一级 with its
weight (``产出指标(50分)``) where the form prints the weights in its labels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from ..indicators import IndicatorRow, MergeText
from .scoring import SubjectResult, evaluate, percent_text, shown

# the top-level names a stage form's templates may read besides contract 1's
STAGE_CONTRACT: dict[str, str] = {
    "stage": "阶段：监控 或 自评",
    "as_of": "数据截至日期（监控）",
    "execution": "部门整体的预算执行情况：.unit、.lines（每行 .label .level .initial .budget .executed .expected .rate .score .weight）、.reason",
    "goal_result": "部门整体：年度目标实际完成情况",
    "adjusted_goal": "部门整体：全年（调整）绩效目标",
    "deviation": "偏差或不能完成目标原因分析",
    "conclusion": "评价结论",
    "problems": "存在问题",
    "measures": "改进措施 / 相关建议或举措",
    "total_score": "部门整体的总分（填了照印，没填由 goaldoc 算）",
    "grade": "部门整体的等级（同上）",
}


@dataclass
class StageRow(IndicatorRow):
    """An indicator row of a stage form: the target's row, its facts (the indicator's fields)
    and the 一级 with its weight."""

    level1_label: MergeText | None = None

    def template_fields(self) -> frozenset[str]:
        return super().template_fields() | {"level1_label"}


def printed_model(model: Any, spec: Any, results: dict[tuple[str | int, ...], SubjectResult] | None = None) -> Any:
    """A copy of the merged model with what goaldoc computes filled in where the clerk left it
    empty: weights shared out, scores, 得分系数, execution rates and score, total and grade."""
    from .model import subjects

    results = results if results is not None else evaluate(model, spec)
    out = model.model_copy(deep=True)
    if out.department is None:  # a filled form that prints no department read back (check: E400)
        from ..model import Department

        out.department = Department(name="")
    rules = spec.scoring
    places = rules.execution.rate_decimals if rules is not None and rules.execution is not None else 2
    causes = spec.monitoring.causes if spec.monitoring is not None else []
    for path, subject, _what in subjects(out):
        res = results.get(path)
        if res is None:
            continue
        for line, rate in zip(subject.execution.lines, res.execution.line_rates, strict=True):
            if line.rate is None and rate is not None:
                line.rate = percent_text(rate, places)
        total = next((line for line in subject.execution.lines if line.level == 0), None)
        if total is not None and rules is not None and rules.execution is not None:
            if total.rate is None and res.execution.used_rate is not None:
                total.rate = percent_text(res.execution.used_rate, places)
            total.weight = rules.execution.weight
            if total.score is None and res.execution.score is not None:
                total.score = _plain(res.execution.score)
        for ind, r in zip(subject.indicators, res.indicators, strict=False):
            if ind.weight is None and r.weight is not None:
                ind.weight = _plain(r.weight)
            if ind.score is None and r.score is not None:
                ind.score = _plain(r.score)
            if ind.coefficient is None and r.coefficient is not None:
                ind.coefficient = f"{shown((r.coefficient * 100).quantize(Decimal('0.01')))}%"
        for ind in subject.indicators:
            ind.causes = {c: ind.causes.get(c, "") for c in causes} | {k: v for k, v in ind.causes.items() if k not in causes}
        if rules is not None:
            if subject.total_score is None and res.total is not None:
                subject.total_score = _plain(res.total)
            if not subject.grade and res.grade:
                subject.grade = res.grade
    return out


def _plain(x: Decimal) -> Decimal:
    return Decimal(shown(x))


def stage_context(model: Any, spec: Any, only: Iterable[str] | None = None) -> dict[str, Any]:
    """The template context of a stage form for the merged model."""
    from ..context import build_context

    results = evaluate(model, spec)
    printed = printed_model(model, spec, results)
    ctx = build_context(printed, spec, only)
    for name in STAGE_CONTRACT:
        ctx[name] = getattr(printed, name, None)
    labels = _labels(spec, results)
    ctx["indicator_rows"] = _rows(ctx["indicator_rows"], labels.get((), {}), spec)
    for view in ctx["projects"]:
        extra = view.__dict__["_extra"]
        index = next(i for i, p in enumerate(printed.projects) if p is view.__dict__["_obj"])
        extra["rows"] = _rows(extra["rows"], labels.get(("projects", index), {}), spec)
    return ctx


def _labels(spec: Any, results: dict[tuple[str | int, ...], SubjectResult]) -> dict[tuple[str | int, ...], dict[str, Decimal]]:
    """Per subject, the weight of each 一级 as its label prints it: the form's declared weight
    for its kind, else the sum of its rows' weights."""
    return {path: dict(res.declared) for path, res in results.items()}


def _rows(rows: list[IndicatorRow], declared: dict[str, Decimal], spec: Any) -> list[StageRow]:
    out: list[StageRow] = []
    sums: dict[str, Decimal] = {}
    for row in rows:
        if row.indicator is not None and row.indicator.weight is not None:
            sums[row.level1.merge_key] = sums.get(row.level1.merge_key, Decimal(0)) + row.indicator.weight
    form = spec.scoring.level1_label if spec.scoring is not None else "{name}({weight}分)"
    for row in rows:
        node = spec.vocabulary.node1(str(row.level1)) if str(row.level1) else None
        weight = declared.get(node.kind) if node is not None and node.kind else None
        if weight is None:
            weight = sums.get(row.level1.merge_key)
        text = form.format(name=str(row.level1), weight=shown(weight)) if weight is not None else str(row.level1)
        values = {f.name: getattr(row, f.name) for f in fields(IndicatorRow)}
        out.append(StageRow(**values, level1_label=MergeText(text, row.level1.merge_key)))
    return out


__all__ = ["STAGE_CONTRACT", "StageRow", "printed_model", "stage_context"]
