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

# isort: split
from . import review  # noqa: F401  (issue 16: W313–W315, after text)
from .base import RULES, Rule, rule
from .text import walked_once

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
    "E306": "表样说不能空着的格子（form.yaml required_fields，或 fields 里 required: true）都填了",
    "E307": "表样印的金额行不空着：部门预算支出、收入来源（及表样自己的金额行、表格）的合计行，项目的预算数",
    "E308": "表样总印部门整体的绩效指标表时，部门整体至少有一条指标",
    # the later stages of the year (issue 19, goaldoc.stage): 监控表 and 自评表
    "E400": "监控 / 自评文件接得上目标表（targets: 指向的文件在、读得出；没有 targets: 时年度、部门、一级二级都写了）",
    "E401": "监控 / 自评文件里的项目和指标，目标表里都有（按项目名称、三级指标名称找）",
    "E402": "目标表的项目和指标，监控 / 自评文件里都有（goaldoc init --stage 会列出全部）",
    "E403": "有 targets: 时，目标表里的内容（指标值、一级二级、权重…）不再写一遍；调整了的指标值写 adjusted:",
    "E410": "每条指标都有实际完成值（自评）或执行情况（监控），资金块有执行数",
    "E411": "规则要求说明原因的地方都写了原因（执行率低于表样的下限、实际远超指标值、没有完成、完成目标可能性不是确定能）",
    "E412": "填的得分（或得分系数、执行率得分）在规则允许的范围内",
    "E413": "定性指标看得出完成等级；不是最高一级的，填了得分",
    "E414": "分值加起来对得上：各类一级指标的分值、执行率分值 + 各指标分值 = 满分",
    "E415": "每条要计分的指标都有分值（权重）",
    "E416": "执行数、全年预计执行数不超过预算数",
    "E417": "资金来源各行之和 = 年度资金总额（各列）",
    "E418": "完成目标可能性填了，且是表上的答案之一",
    "E419": "监控的数据截至日期在监控期内",
    "E420": "填的执行率 = 执行数 ÷ 预算数",
    "E421": "填的总分 = 各项得分之和（不适用的按表样折算），等级和总分相符",
    "E422": "表样不允许不适用的指标时，没有写 na: true",
    "E423": "偏差原因按表样的几栏填写",
    "W400": "监控：执行率不低于序时进度（月数 ÷ 12）",
    "W401": "计分的定量指标写了 ≥ ≤ =（没写的按表样规定的方向计分）",
    "W402": "监控 / 自评的文字不是表样的填写说明（“……(200字以内)”）",
    "W403": "只印项目表的表样，不写部门整体指标的情况",
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
    "W312": "填了的每一项都印在表上：表样（它的模板）不印的项目、表题、栏目逐一说明（checks/ledger.py）",
    "W313": "有数字的指标值写了单位（≥1500 人次，不是 ≥1500）；0～1 之间的数（1 = 100%）和年份除外",
    "W314": "今年的文字里没有上年的日期（2026 年度的文件里写着“2025年12月前”）；填报日期、上年度指标值除外",
    "W315": "目录的页码不手填：goaldoc 按印出的页算出页码",
    "W316": "用 --form 换用的表样印时，它不能空着的格子（E306、E307、E308）都填了",
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
    if form.stage != "目标":  # 监控 / 自评 (issue 19): their own checks, the target rules when inline
        from ..stage.checks import stage_checks

        with walked_once():
            return stage_checks(model, lines, form, RULES)
    with walked_once():  # the model's texts gathered once for the rules that read them all
        problems = [p for r in RULES for p in r(model, lines, form)]
    return sorted(problems, key=lambda p: (not p.is_error, p.line or 0))
