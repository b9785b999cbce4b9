"""What a reviewer sends back that the other rules let through (issue 16 item 2): a number
with no unit where the indicator counts something (W313), last year's dates left in this
year's texts (W314), a 目录 page range typed by hand (W315).

The rules that depend on the form that prints the data (an empty money line, an indicator
table with no rows, a cell the form says must not be blank) are in :mod:`.ledger`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from ..errors import Problem
from ..forms import FormSpec
from ..loader import LineMap
from ..model import DepartmentYear, Indicator
from ..values import IndicatorValue, parse_value
from .base import Path, _num, _problem, rule
from .indicators import _lists, _shown, _value
from .text import _strings, _titles

# what an indicator's name says it counts, and the unit that goes with it (the first that
# fits): 培训人次 → 人次, 报考人数 → 人, 覆盖率 → %
_COUNTED = (
    ("人次", "人次"), ("户次", "户次"), ("场次", "场次"), ("人数", "人"), ("户数", "户"), ("次数", "次"),
    ("件数", "件"), ("个数", "个"), ("家数", "家"), ("天数", "天"), ("面积", "平方米"), ("金额", "万元"),
    ("资金", "万元"), ("经费", "万元"), ("成本", "万元"), ("标准", "元"), ("率", "%"), ("比例", "%"),
)


@rule
def values_have_units(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """W313: a numeric 指标值 (``≥1500``) has its unit (人次, 个, %, 万元 …).

    A bare number between 0 and 1 is how clerks write a rate (``1`` = 100%, ``0.99`` = 99%:
    FORMATS.md §1) and a bare year (2025) is a year: neither is reported."""
    checked = [name for name, f in form.fields.indicator.items() if f.type == "periods" and f.check_values]
    for lst in _lists(model):
        for k, ind in enumerate(lst.indicators):
            split = ind.sign is not None or ind.unit is not None
            values: list[tuple[Path, str, IndicatorValue]] = [((*lst.path, k, "unit" if split else "value"), _shown(ind).strip(), _value(ind))]
            for name in checked:
                for period, text in (getattr(ind, name, None) or {}).items():
                    values.append(((*lst.path, k, name, period), str(text).strip(), parse_value(str(text))))
            for where, raw, v in values:
                if raw and _needs_unit(v):
                    yield _problem(lines, where, "W313", _unit_message(ind, v, raw, split and where[-1] == "unit"))


def _needs_unit(v: IndicatorValue) -> bool:
    n = v.number
    if not v.parsed or v.qualitative or n is None or v.unit:
        return False
    if 0 <= n <= 1:
        return False  # 1 = 100%, 0.99 = 99%, 0 起
    return not (n == n.to_integral_value() and 2000 <= n <= 2100)  # a year


def _unit_message(ind: Indicator, v: IndicatorValue, raw: str, split: bool) -> str:
    unit = next((u for word, u in _COUNTED if word in ind.name), None)
    example = f"如“{(v.sign or '') + _num(v.number or Decimal(0))}{unit}”" if unit else "如 人、次、个、%、万元"
    where = "请在 unit（度量单位）里写明" if split else "请写明单位"
    named = f"（三级指标“{ind.name}”）" if ind.name else ""
    return f"指标值“{raw}”只有数字，没有单位{named}：审核时会问是多少什么：{where}，{example}"


# ---------------------------------------------------------------- last year's dates

# keys whose text may rightly name last year: the date the form was filled in (the budget is
# drawn up the year before), last year's value of an indicator, the clerk's acceptances and
# last year's numbers (init --from); titles are E301's
_LAST_YEAR_OK = ("date", "last_year")


@rule
def no_dates_of_last_year(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """W314: a text of this year's file sets a deadline in last year (``2025年12月前``,
    ``2025年底`` in a 2026 file) or plans for it (``2025年，确保…``, ``2025年新增岗位``):
    copied from last year's form (``init --from`` says so once; this says it at each place,
    every time). A past event (``2025年7月到期后``), a comparison (``较2025年增长``) and a
    range that holds this year (``2025-2026年``) are not reported."""
    last = model.year - 1
    day = rf"{last}\s*年\s*(?:[0-9０-９一二三四五六七八九十]{{1,3}}\s*月\s*(?:[0-9０-９]{{1,2}}\s*日\s*)?)?"
    date = re.compile(  # a deadline: 2025年12月前, 2025年底, 2025年12月31日前, 2025-12-31前
        rf"(?<!\d){day}(?:底|末)(?:\s*(?:以前|之前|前))?|(?<!\d){day}(?:以前|之前|前|内|止)"
        rf"|(?<!\d){last}\s*[-./／](?:0?[1-9]|1[0-2])(?:\s*[-./／][0-3]?\d)?\s*(?:以前|之前|前|止)"
        # the year a plan is for: 2025年，确保…; 2025年新增岗位≥1个
        rf"|(?<!\d){last}\s*年(?:度)?\s*(?:[，,]|(?:内\s*)?(?:新增|完成|实现|达到|确保|力争|计划|争取|全年))"
    )
    titles = {path for path, _t in _titles(model)}
    year = str(last)  # in every match: a text without it has none
    for path, text in _strings(model, ()):
        if year not in text:
            continue
        if path[:1] in (("accepted",), ("carried",)) or path in titles or path[-1:] and path[-1] in _LAST_YEAR_OK:
            continue
        found = list(dict.fromkeys(m[0].rstrip("，, ") for m in date.finditer(text)))
        if found:
            shown = "、".join(f"“{d}”" for d in found)
            yield _problem(
                lines,
                path,
                "W314",
                f"文字里写的是上年：{shown}（预算年度是 {model.year}）：多半是照上年的表抄来的：请改成今年的",
            )


# ---------------------------------------------------------------- 目录


@rule
def contents_pages_are_counted(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """W315: a 目录 entry's ``pages`` typed by hand: goaldoc prints the pages it lays the forms
    out on (render/pages/contents.py), never a typed range, which is right only by chance
    and goes stale with every edit (the importer never reads one back, for the same reason)."""
    for i, entry in enumerate(model.contents):
        if entry.pages and entry.pages.strip():
            yield _problem(
                lines,
                ("contents", i, "pages"),
                "W315",
                f"目录的页码由 goaldoc 按印出的页算出，手填的“{entry.pages}”不会印出来：请删去这一项 pages",
            )
