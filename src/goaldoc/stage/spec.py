"""What a form folder of a later stage declares in its form.yaml (issue 19): which stage it
prints, how it scores (``scoring:``), what its monitoring asks (``monitoring:``) and the
fund-source lines of its money block (``funds:``).

Every rule that differs between provinces is a setting here; the engine (scoring.py) only
knows the published rule *shapes* (正向 / 等于 / 反向 A and B, tiers with bands, N/A
rescaling, grade bands). No region is named in this module: the values live in
``templates/<form>/form.yaml``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..model import new_list

Stage = Literal["目标", "监控", "自评"]
STAGES: tuple[str, ...] = ("目标", "监控", "自评")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built when first used (cold start: issue 23)


class ExecutionScoring(_Strict):
    """预算执行率 and its score: rate = 执行数 ÷ denominator; score = min(rate, 1) × weight."""

    weight: Decimal = Field(Decimal(10), ge=0, description="预算执行率的分值（全国 10 分，有的地方 20 分）")
    denominator: Literal["budget", "initial"] = Field(
        "budget", description="执行率的分母：budget 全年预算数 / 调整后预算数；initial 年初预算数（批复的本年度预算数）"
    )
    reason_below: Decimal | None = Field(
        None, ge=0, le=100, description="执行率低于这个百分数时必须说明原因（如 90）；不写则不要求"
    )
    rate_decimals: int = Field(2, ge=0, le=4, description="执行率印几位小数（76% 写 0，100.00% 写 2）")


class TierSpec(_Strict):
    """A qualitative tier (定性指标的等级) and the share of the weight its score may take."""

    name: str = Field(description="等级的写法，如 达成年度指标")
    also: list[str] = Field(default_factory=new_list, description="同义的写法，如 达成预期指标")
    low: Decimal = Field(ge=0, le=1, description="得分下限（分值的几成，含）")
    high: Decimal = Field(ge=0, le=1, description="得分上限（分值的几成；最高一级含上限，其余不含）")

    @model_validator(mode="after")
    def _ordered(self) -> TierSpec:
        if self.low > self.high:
            raise ValueError(f"等级“{self.name}”的 low 大于 high")
        return self


class GradeSpec(_Strict):
    name: str = Field(description="等级，如 优")
    min: Decimal = Field(ge=0, description="总分不低于这个数")


DEFAULT_TIERS = [
    TierSpec(name="达成年度指标", also=["达成预期指标", "达成"], low=Decimal("0.8"), high=Decimal(1)),
    TierSpec(name="部分达成年度指标并具有一定效果", also=["部分达成"], low=Decimal("0.6"), high=Decimal("0.8")),
    TierSpec(name="未达成年度指标且效果较差", also=["未达成"], low=Decimal(0), high=Decimal("0.6")),
]
DEFAULT_GRADES = [
    GradeSpec(name="优", min=Decimal(90)),
    GradeSpec(name="良", min=Decimal(80)),
    GradeSpec(name="中", min=Decimal(60)),
    GradeSpec(name="差", min=Decimal(0)),
]


class ScoringSpec(_Strict):
    """``scoring:`` of a 自评 form (SCORING.md: every rule a setting)."""

    total: Decimal = Field(Decimal(100), gt=0, description="满分（执行率分值 + 指标分值之和）")
    execution: ExecutionScoring | None = Field(None, description="预算执行率计分；不写则不计执行率分")
    weights: Literal["column", "labels"] = Field(
        "column",
        description="指标分值从哪里来：column 每条指标的权重（分值）一栏；labels 一级指标的分值印在它的名字里"
        "（产出指标(50分)），每条指标的分值之和应等于它",
    )
    level1: dict[str, Decimal] = Field(
        default_factory=dict,
        description="各类一级指标的分值（按 kind：output 产出、benefit 效益、satisfaction 满意度、cost 成本），"
        "用来核对各条分值之和；指标没填分值时按条数平分",
    )
    move_empty: dict[str, str] = Field(
        default_factory=dict, description="没有这一类指标时，它的分值并入哪一类（如 satisfaction: benefit）"
    )
    level1_label: str = Field("{name}({weight}分)", description="印在一级指标格里的写法：{name} 名称，{weight} 分值")
    entry: Literal["score", "coefficient"] = Field(
        "score", description="填表人填的是 score 得分，还是 coefficient 得分系数（%），得分 = 得分系数 × 权重"
    )
    negative: Literal["linear", "inverse"] = Field(
        "linear",
        description="反向指标：linear 实际 ≤ 目标得满分，目标到两倍目标之间按超出的比例扣，两倍及以上 0 分；"
        "inverse 目标 ÷ 实际 × 分值，最多满分",
    )
    unsigned: Literal["positive", "equal"] | None = Field(
        None,
        description="指标值没写 ≥ ≤ = 时按哪种算：positive 正向，equal 等于；不写时按正向算并提醒（W401），"
        "表上本来不印计算符号的表样写明",
    )
    over_factor: Decimal | None = Field(
        None, gt=1, description="实际完成值达到目标的这个倍数（如 1.3）时必须说明原因，得分可按偏差扣减"
    )
    reason_unfinished: bool = Field(False, description="没有完成的指标（得分低于分值）必须写偏差原因")
    tiers: list[TierSpec] = Field(default_factory=lambda: list(DEFAULT_TIERS), description="定性指标的等级和得分范围")
    not_applicable: Literal["rescale", "refuse"] = Field(
        "rescale", description="不适用的指标：rescale 不计分，总分按适用部分折算成满分；refuse 不允许"
    )
    decimals: int = Field(2, ge=0, le=4, description="得分、总分保留几位小数（四舍五入）")
    grades: list[GradeSpec] = Field(default_factory=lambda: list(DEFAULT_GRADES), description="等级：总分不低于 min 的第一个")

    @model_validator(mode="after")
    def _tiers_and_grades(self) -> ScoringSpec:
        if not self.tiers:
            raise ValueError("tiers 至少写一个等级")
        mins = [g.min for g in self.grades]
        if mins != sorted(mins, reverse=True):
            raise ValueError("grades 要从高到低写（min 逐个变小）")
        if self.grades and self.grades[-1].min != 0:
            raise ValueError("grades 的最后一级 min 应为 0（总分再低也有等级）")
        for k in ("{name}", "{weight}"):
            if k not in self.level1_label:
                raise ValueError(f"level1_label 里要有 {k}")
        return self


class MonitoringSpec(_Strict):
    """``monitoring:`` of a 监控 form."""

    months: int = Field(ge=1, le=12, description="监控期：1 月到第几月（1-7月 写 7）")
    answers: list[str] = Field(description="完成目标可能性的几个答案，如 确定能、有可能、完全不可能")
    reason_when: list[str] = Field(
        default_factory=new_list, description="选了这几个答案时，必须写偏差原因和拟采取的措施"
    )
    causes: list[str] = Field(
        default_factory=new_list, description="每条指标的偏差原因分几栏（如 经费保障、制度保障…）；不写则整张表一段偏差原因"
    )
    pace: bool = Field(True, description="执行率低于序时进度（月数 ÷ 12）时提醒")

    @model_validator(mode="after")
    def _answers(self) -> MonitoringSpec:
        if not self.answers:
            raise ValueError("answers 至少写一个答案")
        extra = [a for a in self.reason_when if a not in self.answers]
        if extra:
            raise ValueError(f"reason_when 里的 {'、'.join(extra)} 不在 answers 里")
        return self


class FundLineSpec(_Strict):
    """A fund-source row the form prints (年度资金总额, 其中：本年财政拨款 …): what
    ``goaldoc init --stage`` lists for the clerk to fill."""

    label: str = Field(description="行名，照表上印的写")
    level: int = Field(0, ge=0, le=3, description="0 合计行，1 其中的各行")


__all__ = [
    "DEFAULT_GRADES",
    "DEFAULT_TIERS",
    "STAGES",
    "ExecutionScoring",
    "FundLineSpec",
    "GradeSpec",
    "MonitoringSpec",
    "ScoringSpec",
    "Stage",
    "TierSpec",
]
