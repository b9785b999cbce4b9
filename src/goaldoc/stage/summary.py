"""What a clerk eyeballs in a 监控 / 自评 file (``goaldoc check --summary``, and the line
``goaldoc render`` prints): per subject the 执行率, and 总分 and 等级 (自评) or the answers
of 完成目标可能性 (监控), and the targets adjusted after approval."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .model import subjects
from .scoring import SubjectResult, evaluate, percent_text, shown


def _subject_line(spec: Any, subject: Any, res: SubjectResult, what: str) -> str:
    ex = res.execution
    parts = []
    if ex.used_rate is not None:
        how = f"（{shown(ex.executed)} ÷ {shown(ex.denominator)} {subject.execution.unit}）" if ex.rate is not None else "（照填的）"
        rate = f"执行率 {percent_text(ex.used_rate, 2)}{how}"
        if spec.stage == "监控" and spec.monitoring is not None:
            pace = Decimal(spec.monitoring.months) / 12
            rate += f"，序时进度 {percent_text(pace, 2)}" + ("，落后" if ex.used_rate < pace else "")
        parts.append(rate)
    else:
        parts.append("执行率算不出（没有执行数或预算数）")
    inds = [i for i in subject.indicators if i.name or i.value]
    if spec.stage == "自评":
        if ex.score is not None:
            parts.append(f"执行率得分 {shown(ex.score)}")
        if spec.scoring is not None:
            scored = [r for r in res.indicators if r.score is not None]
            parts.append(f"指标 {len(inds)} 条（{len(scored)} 条有得分）")
            total = subject.total_score if subject.total_score is not None else res.total
            if total is not None:
                grade = subject.grade or res.grade
                parts.append(f"总分 {shown(total)}" + ("（照填的）" if subject.total_score is not None else "") + f"，等级 {grade}")
            else:
                parts.append("总分算不出（有指标还没有得分）")
        else:
            parts.append(f"指标 {len(inds)} 条")
    else:
        answers: dict[str, int] = {}
        for ind in inds:
            key = (ind.likelihood or "").strip() or "未填"
            answers[key] = answers.get(key, 0) + 1
        parts.append("完成目标可能性：" + "、".join(f"{k} {n} 条" for k, n in answers.items()) if answers else "没有指标")
    adjusted = [i for i in inds if getattr(i, "adjusted", None)]
    if adjusted:
        from ..values import from_parts, parse_value

        def approved(i: Any) -> str:
            v = from_parts(i.sign, i.value, i.unit) if i.sign is not None or i.unit is not None else parse_value(i.value)
            return v.render()

        parts.append("调整指标值 " + "、".join(f"“{i.name}” {approved(i)} → {i.adjusted}" for i in adjusted))
    return f"{what}：" + "；".join(parts)


def stage_block(model: Any, spec: Any, file: str) -> list[str]:
    """`goaldoc check --summary` of a stage file: a heading and a line per subject printed."""
    results = evaluate(model, spec)
    head = f"{file}：{model.department.name} {model.year} 年{model.stage}（表样 {spec.name}：{spec.title}）"
    if model.targets:
        head += f"，目标表 {model.targets}"
    lines = [head]
    for path, subject, what in subjects(model):
        if (path == () and "department" not in spec.prints) or (path and "projects" not in spec.prints):
            continue
        lines.append("  " + _subject_line(spec, subject, results[path], what))
    return lines


def stage_one_line(model: Any, spec: Any) -> str:
    """The line `goaldoc render` prints after a stage file's files."""
    lines = stage_block(model, spec, "")
    if len(lines) == 2:
        return "摘要：" + lines[1].strip()
    return f"摘要：{len(lines) - 1} 张表；" + "；".join(line.strip().split("：", 1)[0] + " " + _short(line) for line in lines[1:4]) + ("…" if len(lines) > 4 else "")


def _short(line: str) -> str:
    import re

    m = re.search(r"总分 [0-9.]+[^；]*", line)
    return m.group(0) if m else re.sub(r"（.*?）", "", line.split("：", 1)[1].split("；")[0])


__all__ = ["stage_block", "stage_one_line"]
