"""What a clerk eyeballs before sending a file (issue 13 item 4): 合计, 基本支出 / 项目支出,
key-task funds against 项目支出, indicators per 一级, projects.

:func:`summarize` returns the figures; :func:`block` and :func:`one_line` word them for
`goaldoc check --summary` and for the line `goaldoc render` prints after its files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .checks.amounts import _label_key
from .checks.base import MONEY_UNITS
from .forms import FormSpec
from .model import BudgetLine, DepartmentYear, Indicator, filled
from .textnorm import name_key
from .values import convert_amount


@dataclass
class Summary:
    department: str
    year: int
    unit: str  # budget.unit: every amount below is in it
    total: Decimal | None = None  # 部门预算支出 合计 (资金总额)
    basic: Decimal | None = None  # 基本支出
    project: Decimal | None = None  # 项目支出
    key_tasks: int = 0
    key_task_funds: Decimal | None = None  # sum of 年度重点工作任务 拟投入的资金
    indicators: dict[str, int] = field(default_factory=dict)  # department-wide, per 一级
    projects: int = 0
    project_budget: Decimal | None = None  # sum of the projects' 预算数, in `unit`
    project_indicators: dict[str, int] = field(default_factory=dict)  # all projects, per 一级
    total_row: bool = False  # a 合计 row is there (its amount may be empty: init --from --clear-amounts)
    unprinted_projects: str | None = None  # the form that prints none of the projects (issue 16)

    @property
    def other(self) -> Decimal | None:
        """合计 less 基本支出 and 项目支出 (其他支出, or a sum that does not add up)."""
        if self.total is None or self.basic is None or self.project is None:
            return None
        return self.total - self.basic - self.project

    @property
    def key_task_share(self) -> Decimal | None:
        """Key-task funds as a percentage of 项目支出, to one decimal."""
        if self.key_task_funds is None or not self.project:
            return None
        return (self.key_task_funds * 100 / self.project).quantize(Decimal("0.1"))


def _line(lines: list[BudgetLine], name: str) -> Decimal | None:
    return next(
        (b.amount for _i, b in filled(lines) if not b.partial and b.level <= 1 and _label_key(b.label) == name and b.amount is not None),
        None,
    )


def _per_level1(indicators: list[Indicator]) -> dict[str, int]:
    """Rows per 一级, named as first typed (spellings compared by textnorm.name_key)."""
    out: dict[str, int] = {}
    shown: dict[str, str] = {}
    for ind in indicators:
        name = shown.setdefault(name_key(ind.level1), ind.level1)
        out[name] = out.get(name, 0) + 1
    return out


def _declared_expenditure(model: DepartmentYear) -> list[BudgetLine]:
    """A form that keeps its 支出 in a declared `lines` field (its rows carry columns the
    common budget lines have not) still has a 合计 and 基本支出 / 项目支出 rows: the first
    declared list of budget lines naming one of them stands in for budget.expenditure."""
    for value in vars(model.department).values():
        if isinstance(value, list) and value and all(isinstance(b, BudgetLine) for b in value):
            if _line(value, "基本支出") is not None or _line(value, "项目支出") is not None:
                return value
    return []


def summarize(model: DepartmentYear, form: FormSpec | None = None) -> Summary:
    """The figures; ``form``: the form that prints the data (it may print no projects)."""
    unit = model.budget.unit
    s = Summary(model.department.name, model.year, unit)
    exp = model.budget.expenditure or _declared_expenditure(model)
    s.total = next((b.amount for _i, b in filled(exp) if b.level == 0 and b.amount is not None), model.department.total)
    s.total_row = any(b.level == 0 for _i, b in filled(exp))
    s.basic = _line(exp, "基本支出")
    s.project = _line(exp, "项目支出")
    funds = [t.funds for t in model.key_tasks if t.funds is not None]
    s.key_tasks = len(model.key_tasks)
    s.key_task_funds = sum(funds, Decimal(0)) if funds else None
    s.indicators = _per_level1(model.indicators)
    projects = list(model.projects) + [p for u in model.units for p in u.projects]
    s.projects = len(projects)
    budgets = [
        convert_amount(p.budget.total, p.budget.unit, unit)
        for p in projects
        if p.budget.total is not None and p.budget.unit in MONEY_UNITS and unit in MONEY_UNITS
    ]
    s.project_budget = sum(budgets, Decimal(0)) if budgets else None
    s.project_indicators = _per_level1([i for p in projects for i in p.indicators])
    if projects and form is not None:
        from .forms.reads import ANY, form_reads

        if not form_reads(form).reaches(("projects", ANY)):
            s.unprinted_projects = form.name
    return s


def _n(d: Decimal) -> str:
    """As the clerk typed it (26843.80), without an exponent; sums keep their decimals."""
    return format(d, "f")


def _levels(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    parts = "、".join(f"{name} {n}" for name, n in counts.items())
    return f"{total} 条（{parts}）" if counts else "0 条"


def _money(s: Summary) -> str:
    if s.total is None:
        if s.total_row:
            return "部门预算支出：合计行的金额空着（budget.expenditure）"
        return "部门预算支出：没有合计行（budget.expenditure）"
    text = f"合计 {_n(s.total)} {s.unit}"
    if s.basic is not None and s.project is not None:
        other = s.other
        extra = f" + 其他 {_n(other)}" if other else ""
        text += f" = 基本支出 {_n(s.basic)} + 项目支出 {_n(s.project)}{extra}"
    elif s.basic is not None:
        text += f"，其中基本支出 {_n(s.basic)}"
    elif s.project is not None:
        text += f"，其中项目支出 {_n(s.project)}"
    return text


def _tasks(s: Summary) -> str:
    if not s.key_tasks:
        return "年度重点工作任务 0 项"
    text = f"年度重点工作任务 {s.key_tasks} 项"
    if s.key_task_funds is None:
        return text + "，资金都没有填"
    text += f"，资金合计 {_n(s.key_task_funds)} {s.unit}"
    share = s.key_task_share
    if share is not None:
        over = "，超过了项目支出" if s.project is not None and s.key_task_funds > s.project else ""
        text += f"，是项目支出的 {share}%{over}"
    return text


def _projects(s: Summary) -> str:
    if not s.projects:
        return "项目 0 个"
    text = f"项目 {s.projects} 个"
    if s.unprinted_projects:
        text += f"（表样“{s.unprinted_projects}”不印项目表：不在生成的文件里）"
    if s.project_budget is not None:
        text += f"，预算数合计 {_n(s.project_budget)} {s.unit}"
    return text + f"，项目指标 {_levels(s.project_indicators)}"


def block(s: Summary, file: str) -> list[str]:
    """`goaldoc check --summary`: a heading and four indented lines."""
    return [
        f"{file}：{s.department} {s.year} 年（金额单位：{s.unit}）",
        f"  {_money(s)}",
        f"  {_tasks(s)}",
        f"  部门整体绩效指标 {_levels(s.indicators)}",
        f"  {_projects(s)}",
    ]


def one_line(s: Summary) -> str:
    """The line `goaldoc render` prints after the files it wrote."""
    levels = re.sub(r"指标 ", " ", _levels(s.indicators))  # 产出 17、效益 9：short on one line
    return f"摘要：{_money(s)}；{_tasks(s)}；绩效指标 {levels}；{_projects(s).split('，项目指标')[0]}"
