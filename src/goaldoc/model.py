"""pydantic models of one department's budget year (extra keys are refused).

Identifiers are English, the Chinese term is each field's description: the description is
what `goaldoc schema` shows an editor, and what error messages name.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_serializer,
)

from .lazyre import compile_later  # patterns a clean render does not use (cold start: issue 23)
from .values import parse_amount


def _to_text(v: Any) -> Any:
    """Numbers typed where text is expected keep the text typed (1 -> "1", 26843.80 -> "26843.80")."""
    if isinstance(v, bool):
        return v  # let pydantic refuse it: `yes`/`no` are YAML booleans, quote them
    if isinstance(v, int | Decimal):
        return str(v)
    return v


def _to_amount(v: Any) -> Any:
    """An amount through the one tested parser (values.parse_amount): thousands separators
    only every three digits, so ``1,2345`` and ``12,34.5`` are refused, not read as 12345
    and 1234.5 (issue 12 item 7). The comma of a Chinese input method counts as a comma."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        v = v.strip()
        if v == "":
            return None
        text: str | int | Decimal = v.replace("，", ",")
    elif isinstance(v, int | Decimal | float):
        text = v if not isinstance(v, float) else Decimal(repr(v))
    else:
        return v  # pydantic says what type it wanted
    try:
        d = parse_amount(text)
    except ValueError:
        if isinstance(text, str) and "," in text and _LOOSE_GROUPS.fullmatch(text):
            raise ValueError(
                f"金额“{v}”的千分位逗号位置不对：逗号应每三位一个（如 12,345.6），或者不写逗号（12345.6）"
            ) from None
        raise
    if d < 0:
        raise ValueError(f"金额不能为负数，现为 {v}：请填写正数或 0")
    return d


_LOOSE_GROUPS = compile_later(r"-?[0-9][0-9,]*(\.[0-9]+)?")


def _points(what: str, example: str) -> Any:
    """A number of points (权重 / 分值, 得分, 总分), as typed in a form: a trailing 分 is
    the unit of every such column (“15分” is 15); messages name the column."""

    def read(v: Any) -> Any:
        if v is None or isinstance(v, bool):
            return v
        text = v if isinstance(v, Decimal) else str(v).strip()
        if isinstance(text, str) and text.endswith("分") and text[:-1].strip():
            text = text[:-1].strip()
        try:
            d = text if isinstance(text, Decimal) else Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{what}应为数字（如 {example}），现为“{v}”") from None
        if not d.is_finite():
            raise ValueError(f"{what}应为数字（如 {example}），现为“{v}”")
        if d < 0:
            raise ValueError(f"{what}不能为负数，现为 {v}：请填写正数")
        return d

    return read


_to_weight = _points("权重", "10")


def new_list() -> list[Any]:
    """``Field(default_factory=new_list)``, not ``default_factory=list``: building a schema,
    pydantic asks each factory's signature, and ``inspect.signature(list)`` parses the text
    signature of a builtin type (~0.3 ms a field, 41 fields in a render: issue 23's cold
    start); a Python function answers at once. The same empty list either way."""
    return []


Text = Annotated[str, BeforeValidator(_to_text)]
Amount = Annotated[Decimal, BeforeValidator(_to_amount)]
Weight = Annotated[Decimal, BeforeValidator(_to_weight)]
Score = Annotated[Decimal, BeforeValidator(_points("得分", "9.5"))]
TotalScore = Annotated[Decimal, BeforeValidator(_points("总分", "92.5"))]


class Model(BaseModel):
    # defer_build: each form validates with its own subclass (forms.fields.model_for), so the
    # common classes need their schema only when something validates with them directly
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    def template_fields(self) -> frozenset[str]:
        """What a template may read (render/template/sandbox.py): the data's fields, nothing else.
        Made once per class (a template asks at every attribute it reads: issue 23)."""
        cls = type(self)
        fields = _TEMPLATE_FIELDS.get(cls)
        if fields is None:
            fields = _TEMPLATE_FIELDS[cls] = frozenset(cls.model_fields)
        return fields


_TEMPLATE_FIELDS: dict[type, frozenset[str]] = {}


class Indicator(Model):
    """One 绩效指标 row: the same record under every form (FORMATS.md §1)."""

    level1: Text = Field(description="一级指标，如 产出指标、效益指标、满意度指标、成本指标")
    level2: Text = Field(description="二级指标，如 数量指标、质量指标、社会效益指标")
    name: Text = Field("", description="三级指标（空着时印一行占位）")
    explanation: Text = Field("", description="指标解释 / 绩效指标描述 / 指标解释及计算公式")
    value: Text | None = Field(None, description="指标值，照填表习惯写，如 ≥260 件、100%、及时发放")
    sign: Text | None = Field(None, description="指标性质 / 计算符号：≥ ≤ = > < ≈ 或 定性")
    unit: Text | None = Field(None, description="度量单位，如 %、人、个、次/年")
    nature: Text | None = Field(None, description="定量 / 定性")
    weight: Weight | None = Field(None, description="权重")
    direction: Text | None = Field(None, description="指标方向性：正向指标 / 反向指标")
    basis: Text | None = Field(None, description="指标值确定依据，如 计划标准、工作经验")
    last_year: Text | None = Field(None, description="上年度指标值或实际水平")


class BudgetLine(Model):
    """A labelled amount of 预算整体情况; nesting by `level` (0 = 合计, 1 = 一、二、…, 2 = 其中).

    In ``budget.expenditure`` / ``budget.income`` an empty entry ``{}`` is a blank row
    (:func:`blank_line`): the form prints that side of the row empty, so that the two sides
    line up as on the published form; the rules skip it (:func:`filled`)."""

    label: Text = Field(description="行名，照表上写，如 一、基本支出、其中：市本级资金")
    amount: Amount | None = Field(None, description="金额（单位见 budget.unit）")
    level: int = Field(0, ge=0, le=3, description="层级：0 合计，1 一级行，2 其中行")
    partial: bool = Field(
        False, description="“其中”只列了一部分（如 其中：政府采购支出），不参与上一级求和"
    )
    _blank: bool = PrivateAttr(False)

    @property
    def blank(self) -> bool:
        """A blank row (``{}`` in the file): no label, no amount, no level; printed empty."""
        return self._blank

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> Any:
        """A blank row dumps as the ``{}`` it was written as (a stage form's targets, the
        finance bureau's comparison of two formats), never as a line with an empty label."""
        return {} if self._blank else handler(self)


def blank_line(cls: type[BudgetLine] = BudgetLine) -> BudgetLine:
    """The blank row ``{}`` as a line of ``cls`` (a form's own line class keeps its columns):
    nothing set, so nothing of it counts as given (checks/ledger.py)."""
    line = cls.model_construct(_fields_set=set(), label="")
    line._blank = True
    return line


def filled(lines: Iterable[Any]) -> list[tuple[int, Any]]:
    """(index in the file, line) of the lines that are not blank rows: the rules add up and
    compare these, and name each by its own index, so a message after a blank row still
    points at its line."""
    return [(i, line) for i, line in enumerate(lines) if not getattr(line, "blank", False)]


# how `goaldoc schema` shows the blank row an editor should accept beside the lines
BLANK_ROW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "maxProperties": 0,
    "title": "空一行",
    "description": "空一行：写 {}，表上这一边的这一行空着（支出、收入并排印时让两边对齐，与原表一致）",
}
BLANK_ROW_HELP = (
    "表上这一边的某一行空白时，在那个位置写一项 {}（空一行，如 - {}    # 空一行：表上这一格空白），"
    "让支出和收入两边逐行对齐"
)


def _with_blank_rows(schema: dict[str, Any]) -> None:
    schema["items"] = {"anyOf": [schema.get("items", {}), BLANK_ROW_SCHEMA]}


def budget_lines_field(description: str) -> Any:
    """``budget.expenditure`` / ``budget.income``: a list of lines where ``{}`` is a blank row."""
    return Field(
        default_factory=new_list,
        description=f"{description}：每项一行 {{label: 行名, amount: 金额, level: 层级}}；{BLANK_ROW_HELP}",
        json_schema_extra=_with_blank_rows,
    )


class Budget(Model):
    unit: Text = Field("万元", description="金额单位：万元 或 元")
    expenditure: list[BudgetLine] = budget_lines_field("部门预算支出")
    income: list[BudgetLine] = budget_lines_field("收入来源")

    @field_validator("expenditure", "income", mode="before")
    @classmethod
    def _blank_rows(cls, value: Any, info: Any) -> Any:
        """``{}`` → a blank row of the field's own line class (a form may add columns). Only an
        entry with nothing in it: one with a label or an amount is a line (and is checked as one)."""
        if not isinstance(value, list) or not any(isinstance(x, dict) and not x for x in value):
            return value
        annotation = cls.model_fields[info.field_name].annotation
        item = typing.get_args(annotation)[0] if typing.get_args(annotation) else BudgetLine
        return [blank_line(item) if isinstance(x, dict) and not x else x for x in value]


class Task(Model):
    """A row of 年度重点工作任务 / 其他需完成的任务."""

    name: Text = Field(description="名称")
    content: Text = Field("", description="主要实施内容")
    funds: Amount | None = Field(None, description="拟投入的资金（万元）")
    target: Text = Field("", description="期望达到的目标（概述）")


class Phase(Model):
    period: Text = Field(description="阶段，如 1月-6月")
    text: Text = Field(description="阶段目标，如 实现时间过半任务过半")


class SubGoal(Model):
    """分项绩效目标 （一）…（五）."""

    title: Text = Field(description="分项名称")
    goal: Text = Field("", description="绩效目标")
    indicators: Text = Field("", description="绩效指标（文字）")


class Safeguards(Model):
    organization: Text | None = Field(None, description="组织机构")
    rules: Text | None = Field(None, description="（相关）管理制度")
    items: list[Text] = Field(default_factory=new_list, description="保障措施条目（逐条）")


class Signature(Model):
    """Signature / contact block under a form; empty fields print as lines to sign on paper."""

    unit: Text | None = Field(None, description="编制单位（盖章）")
    head: Text | None = Field(None, description="单位负责人")
    finance_head: Text | None = Field(None, description="财务负责人")
    preparer: Text | None = Field(None, description="经办人 / 填表人")
    phone: Text | None = Field(None, description="联系电话")
    date: Text | None = Field(None, description="填报日期")


class SpendingPoint(Model):
    period: Text = Field(description="时点，如 3月底")
    percent: Text = Field(description="累计支出进度（%），如 20%")


class ProjectBudget(Model):
    unit: Text = Field("万元", description="金额单位：万元 或 元")
    total: Amount | None = Field(None, description="预算数 / 资金总额")
    fiscal: Amount | None = Field(None, description="其中：财政资金")
    other: Amount | None = Field(None, description="其他资金")


class Project(Model):
    """One budget project (项目) with its own target form."""

    code: Text | None = Field(None, description="项目编码")
    name: Text = Field(description="项目名称")
    title: Text | None = Field(None, description="表题（不填则按模板默认）")
    variant: Text | None = Field(None, description="表样（同一地区有多种项目表时选用）")
    manager: Text | None = Field(None, description="项目负责人")
    phone: Text | None = Field(None, description="联系电话")
    category: Text | None = Field(None, description="项目类别")
    attribute: Text | None = Field(None, description="项目属性：新增项目 / 延续项目")
    period: Text | None = Field(None, description="项目计划实施时间")
    budget: ProjectBudget = Field(default_factory=ProjectBudget, description="预算资金")
    fund_nature: Text | None = Field(None, description="资金性质")
    fund_use: Text | None = Field(None, description="资金用途")
    spending_plan: list[SpendingPoint] = Field(default_factory=new_list, description="资金支出计划")
    annual_goal: Text | None = Field(None, description="年度目标")
    goals: list[Text] = Field(default_factory=new_list, description="详细目标 / 绩效目标 目标1…n")
    plans: list[Text] = Field(default_factory=new_list, description="本年度实施计划 计划1…n")
    safeguards: Safeguards = Field(default_factory=Safeguards, description="保障措施")
    indicators: list[Indicator] = Field(default_factory=new_list, description="绩效指标")


class Unit(Model):
    """A 下属单位 with its own projects (Sichuan prints them with a code prefix and total)."""

    code: Text | None = Field(None, description="单位编码，如 307003")
    name: Text = Field(description="单位名称")
    total: Amount | None = Field(None, description="单位预算合计（元或万元，同 projects）")
    projects: list[Project] = Field(default_factory=new_list, description="本单位的项目")


class Department(Model):
    name: Text = Field(description="部门名称")
    area: Text | None = Field(None, description="所属行政区，如 某某市、某某区（用于表题）")
    code: Text | None = Field(None, description="部门编码，如 307")
    short_name: Text | None = Field(None, description="简称，如 县人社局部门")
    staff_count: int | None = Field(None, ge=0, description="财政供养人员数（人）")
    subunit_count: int | None = Field(None, ge=0, description="下属二级单位数（个）")
    functions: Text | None = Field(None, description="部门（单位）职能描述")
    total: Amount | None = Field(None, description="部门预算合计（Sichuan 单位行）")


class ContentsEntry(Model):
    title: Text = Field(description="目录里的项目名称")
    pages: Text | None = Field(None, description="页码：不用填，goaldoc 按印出的页算（填了也不印，check 提醒 W315）")


class Cover(Model):
    label: Text | None = Field(None, description="附件标注，如 附件4")
    title: Text | None = Field(None, description="封面标题")


PathPart = tuple[str, str | int]  # ("key", "projects"), ("index", 2) or ("item", "公益性岗位补贴")

_PATH_KEY = compile_later(r"[^.\[\]\s][^.\[\]]*")
_PATH_ITEM = compile_later(r"""\[\s*(?:(\d+)|"([^"]+)"|'([^']+)'|([^\]"']+?))\s*\]""")
_PATH_EXAMPLE = "如 projects[公益性岗位补贴].indicators[2].value 或 units[0].total"


def parse_accepted_path(text: str) -> tuple[PathPart, ...]:
    """``projects[公益性岗位补贴].indicators[2].value`` → its parts (issue 12 item 8).

    In brackets, a number is the item's place in its list (as `goaldoc check` prints it);
    anything else is the item's name or code (项目名称 / 项目编码, a unit's name or code,
    an indicator's 三级指标 name, a budget line's label), which stays right when items are
    inserted before it. A code made of digits is quoted: ``units['307003']``."""
    parts: list[PathPart] = []
    pos = 0
    while pos < len(text):
        if parts and text[pos] == "[":
            m = _PATH_ITEM.match(text, pos)
            if not m:
                raise ValueError(f"键路径“{text}”第 {pos + 1} 个字处的方括号写法有误：[ ] 里写序号或名称，{_PATH_EXAMPLE}")
            index, *names = m.groups()
            parts.append(("index", int(index)) if index else ("item", next(n for n in names if n).strip()))
        else:
            if parts:
                if text[pos] != ".":
                    raise ValueError(f"键路径“{text}”第 {pos + 1} 个字处少了“.”，{_PATH_EXAMPLE}")
                pos += 1
            m = _PATH_KEY.match(text, pos)
            if not m:
                raise ValueError(f"键路径“{text}”第 {pos + 1} 个字处缺少键名，{_PATH_EXAMPLE}")
            parts.append(("key", m[0].strip()))
        pos = m.end()
    return tuple(parts)


class Acceptance(Model):
    """A problem the clerk knows of and keeps on purpose (the bureau agreed, or the published
    form has it): still listed by `goaldoc check`, but it no longer stops `goaldoc render`."""

    path: Text = Field(
        description="键路径，照 goaldoc check 输出里的写；项目、单位、指标最好写名称而不写序号，"
        "如 projects[公益性岗位补贴].indicators[2].value（插入新项目后仍然对得上）"
    )
    code: Text | None = Field(None, description="只保留这一种问题（规则编号，如 E301）；不填则保留该处的全部问题")
    reason: Text = Field(description="为什么保留，如 原表如此、已与财政局确认")

    @field_validator("path")
    @classmethod
    def _path_is_readable(cls, v: str) -> str:
        if v:  # an empty path matches nothing, and is reported so (W001)
            parse_accepted_path(v)
        return v

    @property
    def parts(self) -> tuple[PathPart, ...]:
        return parse_accepted_path(self.path) if self.path else ()


class DepartmentYear(Model):
    """Everything one department hands its finance bureau for one budget year."""

    year: int = Field(ge=2000, le=2100, description="预算年度")
    form: Text | None = Field(None, description="表样（templates/ 下的文件夹名，goaldoc forms 查看）；不写则用 templates/national.yaml 的 default_form")
    title: Text | None = Field(None, description="部门整体表表题（不填则按模板默认）")
    department: Department = Field(description="部门基本信息")
    cover: Cover = Field(default_factory=Cover, description="封面")
    contents: list[ContentsEntry] = Field(default_factory=new_list, description="目录")
    budget: Budget = Field(default_factory=Budget, description="预算整体情况 / 资金情况")
    goals: list[Text] = Field(default_factory=new_list, description="总体绩效目标（逐段）")
    detail_goals: list[Text] = Field(default_factory=new_list, description="明细目标 1…n")
    phase_plan: list[Phase] = Field(default_factory=new_list, description="目标阶段性计划")
    sub_goals: list[SubGoal] = Field(default_factory=new_list, description="分项绩效目标")
    key_tasks: list[Task] = Field(default_factory=new_list, description="年度重点工作任务")
    other_tasks: list[Task] = Field(default_factory=new_list, description="其他需完成的任务（可选填）")
    safeguards: Safeguards = Field(default_factory=Safeguards, description="保障措施")
    indicators: list[Indicator] = Field(default_factory=new_list, description="部门整体绩效指标")
    projects: list[Project] = Field(default_factory=new_list, description="项目")
    units: list[Unit] = Field(default_factory=new_list, description="下属单位（各有项目）")
    signature: Signature = Field(default_factory=Signature, description="签字栏 / 联系方式")
    accepted: list[Acceptance] = Field(
        default_factory=new_list, description="已确认保留的问题（仍会列出，但不再阻止生成）"
    )
    carried: dict[str, Amount] = Field(
        default_factory=dict,
        description="上年带来的数字（goaldoc init --from 写入）：键路径 → 上年的数；仍等于上年数的，check 提醒核对",
    )

    @field_validator("form")
    @classmethod
    def _form_is_folder_name(cls, v: str | None) -> str | None:
        if v is not None and (not v or "/" in v or "\\" in v or ":" in v or v.startswith(".")):
            raise ValueError(f"表样名应为 templates/ 下的文件夹名（goaldoc forms 查看），现为“{v}”")
        return v
