"""The data of a later stage (监控 / 自评): the facts the year adds to the approved targets.

A stage file is the common department model with the facts beside the targets, in two
shapes (stage/link.py):

* linked — ``targets: jingyan.yaml`` names the approved target file; the stage file holds
  only facts, each project and indicator named by its 项目名称 / 三级指标 as in the targets
  (goaldoc init --stage lists them). Nothing of a target is typed again; a target changed
  after approval is ``adjusted:`` (调整指标值), printed and scored beside the original.
* inline — no ``targets:``: the targets are in the file itself (a filled form read back by
  goaldoc import, or a published form transcribed).

Either way the loader hands the renderer and the checks one model of this shape, the
targets and the facts merged. Identifiers are English, the Chinese term is each field's
description (``goaldoc schema --form X``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, create_model

from ..model import (
    Amount,
    Department,
    DepartmentYear,
    Indicator,
    Model,
    Project,
    Score,
    Text,
    TotalScore,
    Unit,
    Weight,
    new_list,
)


class ExecutionLine(Model):
    """A fund-source row of the money block: 年度资金总额 (level 0) and its 其中 rows."""

    label: Text = Field(description="行名，照表上写，如 年度资金总额、其中：本年财政拨款")
    level: int = Field(0, ge=0, le=3, description="层级：0 合计行，1 其中的各行")
    initial: Amount | None = Field(None, description="年初预算数（合计行不填时取目标表的预算数）")
    budget: Amount | None = Field(None, description="全年预算数 / 调整后预算数")
    executed: Amount | None = Field(None, description="执行数（自评：全年执行数；监控：1-7月执行数）")
    expected: Amount | None = Field(None, description="全年预计执行数（监控）")
    rate: Text | None = Field(None, description="执行率，如 76%（不填由 goaldoc 算；填了 check 核对）")
    score: Score | None = Field(None, description="得分（合计行；不填由 goaldoc 算）")
    weight: Weight | None = Field(None, description="分值（合计行，由表样定，不用填）")


class Execution(Model):
    """项目资金 / 预算执行情况: the money block of one subject (the department or a project)."""

    unit: Text = Field("万元", description="金额单位：元、万元 或 亿元")
    lines: list[ExecutionLine] = Field(default_factory=new_list, description="各行：合计行在前，其中各行 level: 1")
    reason: Text | None = Field(None, description="原因：执行率偏低、年中预算调整的说明")


_SUBJECT: dict[str, Any] = {
    "execution": (Execution, Field(default_factory=Execution, description="预算执行情况（项目资金）")),
    "goal_result": (Text | None, Field(None, description="年度目标实际完成情况（监控：1-7月实际完成情况）")),
    "adjusted_goal": (Text | None, Field(None, description="全年（调整）绩效目标")),
    "deviation": (Text | None, Field(None, description="偏差或不能完成目标原因分析（整张表一段）")),
    "conclusion": (Text | None, Field(None, description="评价结论")),
    "problems": (Text | None, Field(None, description="存在问题")),
    "measures": (Text | None, Field(None, description="改进措施 / 相关建议或举措")),
    "total_score": (TotalScore | None, Field(None, description="总分 / 自评总分（不填由 goaldoc 算；填了 check 核对）")),
    "grade": (Text | None, Field(None, description="自评等级（不填由 goaldoc 按总分定）")),
}

_INDICATOR: dict[str, Any] = {
    "level1": (Text, Field("", description="一级指标（有 targets: 时取自目标表，不用写）")),
    "level2": (Text, Field("", description="二级指标（有 targets: 时取自目标表，不用写）")),
    "adjusted": (Text | None, Field(None, description="调整指标值：批复后调整了的指标值（计分按调整后的）")),
    "actual": (Text | None, Field(None, description="实际完成值 / 全年完成值")),
    "score": (Score | None, Field(None, description="得分（不填由 goaldoc 按表样规则算；填了 check 核对是否在规则允许的范围内）")),
    "coefficient": (Text | None, Field(None, description="得分系数（%），得分 = 得分系数 × 权重")),
    "tier": (Text | None, Field(None, description="定性指标的完成等级，如 达成年度指标")),
    "reason": (Text | None, Field(None, description="偏差原因分析及改进措施 / 未完成原因分析")),
    "na": (bool, Field(False, description="不适用：这条指标不考核（总分按表样规则折算）")),
    "progress": (Text | None, Field(None, description="执行情况（监控：1-7月执行情况 / 半年度指标执行情况）")),
    "expected": (Text | None, Field(None, description="全年预计完成情况（监控）")),
    "likelihood": (Text | None, Field(None, description="完成目标可能性（监控），如 确定能")),
    "causes": (dict[str, Text], Field(default_factory=dict, description="偏差原因分析（监控），按表样的几栏：栏名 → 文字")),
    "note": (Text | None, Field(None, description="备注")),
}

_PROJECT: dict[str, Any] = {
    "implementer": (Text | None, Field(None, description="实施单位 / 项目执行单位")),
}

_YEAR: dict[str, Any] = {
    "year": (int | None, Field(None, ge=2000, le=2100, description="预算年度（有 targets: 时取自目标表）")),
    "stage": (Literal["监控", "自评"], Field(description="这份文件是哪个阶段：监控 或 自评")),
    "targets": (
        Text | None,
        Field(None, description="已批复的绩效目标表的数据文件（相对这个文件所在的文件夹），指标从那里来，不在这里重打"),
    ),
    "as_of": (Text | None, Field(None, description="数据截至日期（监控），如 2024-07-31")),
    "department": (Department | None, Field(None, description="部门基本信息（有 targets: 时取自目标表）")),
}

STAGE_FIELDS = {
    "indicator": frozenset(_INDICATOR) - {"level1", "level2"},
    "project": frozenset(_SUBJECT) | frozenset(_PROJECT),
    "year": frozenset(_SUBJECT) | {"stage", "targets", "as_of"},
}


class StageIndicator(Indicator):
    """Base of a stage form's indicator: the common indicator (its targets) and the facts."""


class StageProject(Project):
    """Base of a stage form's project."""


class StageYear(DepartmentYear):
    """Base of a stage form's file."""


def _with(base: type[Any], name: str, fields: dict[str, Any]) -> type[Any]:
    return create_model(name, __base__=base, **fields)


# the classes the form's declared fields are added to (forms.fields.model_for, bases=)
BASES: dict[str, type[Any]] = {
    "indicator": _with(StageIndicator, "StageIndicatorFacts", _INDICATOR),
    "project": _with(StageProject, "StageProjectFacts", {**_SUBJECT, **_PROJECT}),
    "unit": Unit,
    "department": Department,
    "year": _with(StageYear, "StageYearFacts", {**_SUBJECT, **_YEAR}),
}


def is_stage(model: Any) -> bool:
    return isinstance(model, StageYear)


def subjects(model: Any) -> list[tuple[tuple[str | int, ...], Any, str]]:
    """(path, subject, what) of every subject a stage form may print: the department (the
    file's top level) and each project, in the order the targets list them."""
    out: list[tuple[tuple[str | int, ...], Any, str]] = [((), model, "部门整体")]
    for i, p in enumerate(model.projects):
        out.append((("projects", i), p, f"项目“{p.name}”"))
    for u, unit in enumerate(model.units):
        for j, p in enumerate(unit.projects):
            out.append((("units", u, "projects", j), p, f"项目“{p.name}”"))
    return out


def total_line(execution: Execution) -> ExecutionLine | None:
    return next((line for line in execution.lines if line.level == 0), None)


def dec(x: Decimal | None) -> str:
    return "" if x is None else format(x, "f")


__all__ = [
    "BASES",
    "STAGE_FIELDS",
    "Execution",
    "ExecutionLine",
    "StageIndicator",
    "StageProject",
    "StageYear",
    "is_stage",
    "subjects",
    "total_line",
]
