"""The finance bureau's rules (FORMATS.md §3), each a small function returning problems.

Every rule has a code and a severity: E (the form is sent back) or W (a reviewer asks);
the severity is the code's first letter, and :data:`CODES` says what each code checks.
`run_checks` runs them all; `goaldoc check` prints the result, `goaldoc render` refuses
to write files while errors remain (unless --force).

Messages say what is wrong, with the numbers, and how to fix it (issue 5).

The rules live by theme: :mod:`.amounts` (E1xx), :mod:`.indicators` (E2xx, W2xx) and
:mod:`.text` (E3xx, W3xx); :mod:`.base` holds what they share, `rule` and `RULES` among it.
"""

from __future__ import annotations

from ..errors import Problem
from ..forms import FormSpec
from ..loader import LineMap
from ..model import DepartmentYear

# Importing a theme module registers its rules. The import order is the order `run_checks`
# runs them in, and so the order of problems that share a line: amounts, indicators, text
# (E1xx, E2xx/W2xx, E3xx) -- keep it when adding a module.
from . import amounts, indicators, text  # noqa: F401
from .base import RULES, Rule, rule

__all__ = ["CODES", "RULES", "UNWRITABLE", "Rule", "rule", "run_checks"]

CODES: dict[str, str] = {
    "E101": "预算整体情况：一行的金额 = 其下（非“部分”）各行之和",
    "E102": "收入来源合计 = 部门预算支出合计",
    "E103": "项目预算数（资金总额）= 财政资金 + 其他资金",
    "E104": "部门 / 下属单位的合计 = 其各项目预算数之和",
    "E105": "年度重点工作任务的拟投入资金之和不超过 项目支出",
    "E106": "资金支出计划是百分比，逐期不下降，最后为 100%",
    "E107": "金额单位是 元、万元 或 亿元",
    "E108": "表样声明的表格里，“合计”行的各金额列 = 其他行之和",
    "E109": "表样声明的金额关系（form.yaml amount_checks）：合计 = 各项之和，某项不超过上限",
    "E201": "一级指标是表样指标体系里的（或其另一种写法）",
    "E202": "二级指标属于它的一级指标（另一种写法可用）",
    "E203": "每个项目（及部门整体）都有表样要求的几类一级指标（全国：产出、效益、满意度）",
    "E204": "表样要求的二级指标都有（全国：产出指标下的数量指标和质量指标）",
    "E205": "填了权重时，每条指标都有权重且为正数",
    "E206": "权重之和为表样的总分（全国：90 或 100）",
    "E207": "指标性质（计算符号）是 ≥ ≤ = > < ≈ 或 定性",
    "E208": "指标方向性是 正向指标 或 反向指标",
    "E301": "表题里的年份 = 预算年度",
    "E302": "文字里没有 Word / Excel 存不下的控制字符，也没有 Unicode 非字符",
    "E303": "部门、下属单位、项目的名称不空",
    "E304": "文字不超过 Excel 一格能存的 32,767 个字符（Word 的上限更高）",
    "E305": "只印项目表的表样，数据里至少有一个项目",
    "W001": "accepted: 的每一条都对应一个现有的问题（api.apply_acceptances）",
    "W201": "一级指标权重的分配与国家规则不同",
    "W202": "满意度指标值是百分比",
    "W203": "满意度不低于 80%",
    "W204": "百分比不超过 100%",
    "W205": "计算符号与指标方向性一致（≥ 正向，≤ 反向）",
    "W206": "成本指标的金额不超过项目预算数",
    "W207": "数量指标是量化的（有数字）",
    "W208": "指标值简短（不超过 100 字）",
    "W209": "一张表的指标不超过 1000 条",
    "W210": "一张表里同一个一级（或二级）指标只用一种写法（同一个指标的两种写法会印成两组）",
    "W310": "没有留下新建文件（goaldoc init）里的“……”、“某某市…”和全是 0 的金额",
    "W311": "goaldoc init --from 带过来的上年数字都核对过（改了，或从 carried: 删去）",
    "W920": "文字里没有看不见的字符（文字方向控制符 U+202E 等、零宽空格、BOM、行分隔符）：它们让看到的与实际内容不同",
}

# problems that no --force can override: the files cannot be written with them
# (a character XML cannot hold; an amount in a unit the forms cannot convert; a text
# longer than a cell holds, which would be cut; nothing to print)
UNWRITABLE = frozenset({"E107", "E302", "E304", "E305"})


def run_checks(model: DepartmentYear, lines: LineMap, form: FormSpec | None = None) -> list[Problem]:
    """Every rule's problems: errors first, then warnings, each in line order. The rules
    use ``form``'s vocabulary and numbers (default: the form the data names)."""
    if form is None:
        from ..forms import load_form

        form = load_form(model.form)
    problems = [p for r in RULES for p in r(model, lines, form)]
    return sorted(problems, key=lambda p: (not p.is_error, p.line or 0))
