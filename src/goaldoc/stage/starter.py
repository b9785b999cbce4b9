"""``goaldoc init X.yaml --stage 监控|自评 --from 目标表.yaml``: the stage file that goes with
an approved target file — every project and indicator listed by name (nothing of a target
typed again), the facts the stage form prints left blank for the clerk, with the targets
each line refers to in a comment.

What is listed comes from the form folder: its fund-source rows (form.yaml ``funds:``), the
facts its templates print (the names they read), its monitoring causes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..forms.reads import names_read
from .model import dec
from .scoring import shown

HEADER = """\
# goaldoc {stage}文件（{year} 年度，表样 {form}：{title}），接着目标表 {targets}。
# 项目、指标、指标值、权重都在目标表里，这里不再写：每个项目、每条指标只按名称列出（# 后面是目标表里的
# 一级 / 二级、指标值，供对照），填这一年的情况。名称不要改：goaldoc 按名称到目标表里找。
# 指标值批复后调整了的，在那条指标下加 adjusted: 调整后的指标值（表上印出，{scored}）。
# 改好后运行：
#   goaldoc check {path}              检查（没填的、对不上的都会列出）
#   goaldoc check {path} --summary    {summary}
#   goaldoc render {path}             生成 Word 和 Excel
"""

# per stage: the indicator facts a clerk fills, in order, with their Chinese names
_FACTS = {
    "自评": [("actual", "实际完成值"), ("reason", "偏差原因分析及改进措施（没完成、远超指标值时必填）")],
    "监控": [
        ("progress", "执行情况"),
        ("expected", "全年预计完成情况"),
        ("likelihood", "完成目标可能性"),
        ("reason", "偏差原因分析"),
        ("note", "备注"),
    ],
}
_SUBJECT = [
    ("goal_result", "年度目标实际完成情况"),
    ("adjusted_goal", "全年（调整）绩效目标"),
    ("deviation", "偏差或不能完成目标原因分析"),
    ("measures", "改进措施 / 相关建议或举措"),
    ("conclusion", "评价结论"),
    ("problems", "存在问题"),
]
_COLUMNS = [("initial", "年初预算数"), ("budget", "全年预算数 / 调整后预算数"), ("executed", "执行数"), ("expected", "全年预计执行数")]


@dataclass
class StageStarter:
    text: str
    year: int
    projects: int
    indicators: int


def stage_starter(spec: Any, targets: Any, targets_path: str | Path, target_file: str | Path) -> StageStarter:
    """The stage file's text for ``targets`` (a loaded target file) and the stage form ``spec``."""
    model = targets.model
    used = names_read(spec)
    rel = Path(os.path.relpath(Path(targets_path).resolve(), Path(target_file).resolve().parent)).as_posix()
    if rel.startswith("../../"):  # far away: the whole path reads better
        rel = Path(targets_path).resolve().as_posix()
    scored = "计分按调整后的" if spec.stage == "自评" else "按调整后的判断完成情况"
    summary = "执行率、总分、等级" if spec.stage == "自评" else "执行率、序时进度、各指标完成目标可能性"
    out = [
        HEADER.format(
            stage=spec.stage, year=model.year, form=spec.name, title=spec.title, targets=rel,
            scored=scored, path=Path(target_file).as_posix(), summary=summary,
        ),
        f"stage: {spec.stage}\nform: {spec.name}\ntargets: {_q(rel)}{' ' * 8}# 已批复的目标表（相对这个文件所在的文件夹）\n",
    ]
    if spec.stage == "监控" and spec.monitoring is not None:
        m = spec.monitoring
        out.append(f"as_of:{' ' * 27}# 数据截至日期，如 {model.year}-{m.months:02d}-{_last_day(model.year, m.months):02d}\n")
    count = 0
    if "department" in spec.prints:
        block, n = _subject(spec, used, model, model.budget.unit, _dept_total(model), 0)
        out.append(block)
        count += n
    projects = list(model.projects) + [p for u in model.units for p in u.projects]
    if "projects" in spec.prints and projects:
        out.append("projects:\n")
        for p in projects:
            out.append(f"  - name: {_q(p.name)}\n")
            block, n = _subject(spec, used, p, p.budget.unit, p.budget.total, 4)
            out.append(block)
            count += n
    if "signature" in used:
        out.append("signature:                         # 不填的打印成横线，盖章签字用\n  date:\n")
    return StageStarter("".join(out), model.year, len(projects) if "projects" in spec.prints else 0, count)


def _subject(spec: Any, used: frozenset[str], subject: Any, unit: str, total: Decimal | None, indent: int) -> tuple[str, int]:
    pad = " " * indent
    lines: list[str] = []
    cols = [(k, v) for k, v in _COLUMNS if k in used]
    lines.append(f"{pad}execution:{' ' * max(1, 24 - indent)}# 预算执行情况（项目资金）")
    lines.append(f"{pad}  unit: 万元")
    lines.append(f"{pad}  lines:")
    funds = spec.funds or []
    labels = [(f.label, f.level) for f in funds] or [("合计", 0)]
    for label, level in labels:
        lines.append(f"{pad}    - label: {_q(label)}" + (f"\n{pad}      level: {level}" if level else ""))
        for key, name in cols:
            note = ""
            if key == "initial" and level == 0 and total is not None:
                note = f"（不填取目标表的 {dec(total)} {unit}）"
            lines.append(f"{pad}      {key}:{' ' * max(1, 28 - indent - len(key))}# {name}{note}")
    if "reason" in used:
        lines.append(f"{pad}  reason:{' ' * max(1, 26 - indent)}# 原因：执行率偏低、年中调整预算的说明")
    for key, name in _SUBJECT:
        if key in used:
            lines.append(f"{pad}{key}:{' ' * max(1, 32 - indent - len(key))}# {name}")
    facts = [(k, v) for k, v in _FACTS[spec.stage] if k in used]
    causes = spec.monitoring.causes if spec.monitoring is not None else []
    inds = subject.indicators
    if inds:
        lines.append(f"{pad}indicators:")
    for ind in inds:
        target = ind.value or ""
        if ind.sign is not None or ind.unit is not None:
            target = "".join(x for x in (ind.sign, ind.value, ind.unit) if x and x != "定性") or target
        weight = f"，权重 {shown(ind.weight)}" if ind.weight is not None else ""
        lines.append(f"{pad}  - name: {_q(ind.name)}{' ' * 6}# {ind.level1} / {ind.level2}：{target}{weight}")
        for key, name in facts:
            lines.append(f"{pad}    {key}:{' ' * max(1, 28 - indent - len(key))}# {name}")
        if causes and "causes" in used:
            lines.append(f"{pad}    causes: {{}}{' ' * max(1, 19 - indent)}# 偏差原因（有可能 / 完全不可能时按栏写）：{'、'.join(causes)}")
        if spec.stage == "自评" and spec.scoring is not None and ind.weight is None and spec.scoring.weights == "column":
            lines.append(f"{pad}    weight:{' ' * max(1, 22 - indent)}# 权重（目标表没有填）")
    return "\n".join(lines) + "\n", len(inds)


def _dept_total(model: Any) -> Decimal | None:
    return next((b.amount for b in model.budget.expenditure if not b.blank and b.level == 0), None)


def _last_day(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def _q(text: str) -> str:
    """A name as a YAML value: quoted when YAML would read it otherwise."""
    if text == "" or any(c in text for c in ':#,[]{}&*!|>\'"%@`') or text[0] in "-?" or text.strip() != text or text.isdigit():
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


__all__ = ["StageStarter", "stage_starter"]
