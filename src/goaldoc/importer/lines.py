"""Budget lines' levels when a form does not print them (most print only the label):
合计 / 资金总额 is 0, 一、二、 are 1, a 其中 line opens a group a level below its parent,
unnumbered lines after it stay in the group; a 其中 group beside numbered lines, or left
out of its parent's sum, is ``partial`` (a part, not an addend)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

_TOTAL = re.compile(r"^(合\s*计|总\s*计|小\s*计)|(资金|支出|收入|预算)?总额|^合计")
_NUMBERED = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")
_SUB_NUMBERED = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_DIGIT_NUMBERED = re.compile(r"^[0-9]+\s*[、.．]")
_OF_WHICH = re.compile(r"^(其中|含)\s*[:：]?")


def infer_levels(lines: list[dict[str, Any]]) -> None:
    """Levels from the labels (and ``#group`` / ``#depth`` when the form printed them), then
    ``partial`` for the lines of a 其中 group that are not among the addends of their parent:
    beside numbered lines (合计 → 其中:政府采购支出, 一、基本支出, 二、项目支出 …), or when the
    parent's amount is the sum of the other lines only."""
    prev_level = 0
    group: int | None = None  # the index of the 其中 line that opened the group
    groups: dict[int, int] = {}
    for i, line in enumerate(lines):
        label = str(line.get("label", "")).strip()
        depth = line.pop("#depth", None)
        parent = line.pop("#group", None)
        if parent:
            level = 2
        elif depth:
            level = int(depth) + 1
        elif _TOTAL.search(label):
            level, group = 0, None
        elif _NUMBERED.match(label):
            level, group = 1, None
        elif _OF_WHICH.match(label):
            level, group = prev_level + 1, i
        elif _SUB_NUMBERED.match(label) or _DIGIT_NUMBERED.match(label):
            level = 2
        elif group is not None:
            level = lines[group]["level"]
        else:
            level = 1
        line["level"] = min(level, 3)
        if group is not None and line["level"] == lines[group]["level"]:
            groups[i] = group
        prev_level = line["level"]
    for i, parent_line in enumerate(lines):
        kids = []
        for j in range(i + 1, len(lines)):
            if lines[j]["level"] <= parent_line["level"]:
                break
            if lines[j]["level"] == parent_line["level"] + 1:
                kids.append(j)
        part = [j for j in kids if j in groups]
        if not part:
            continue
        if any(_NUMBERED.match(str(lines[j].get("label", ""))) for j in kids if j not in groups):
            # 其中 beside 一、二、三、: the numbered lines are the parts that add up
            for j in part:
                lines[j]["partial"] = True
            continue
        total = _amount(parent_line)
        amounts = [_amount(lines[j]) for j in kids]
        if total is None or any(a is None for a in amounts) or sum(a for a in amounts if a is not None) == total:
            continue
        rest = [a for j, a in zip(kids, amounts, strict=True) if j not in groups]
        if part and rest and sum(a for a in rest if a is not None) == total:
            for j in part:
                lines[j]["partial"] = True


def _amount(line: dict[str, Any]) -> Decimal | None:
    v = line.get("amount")
    return v if isinstance(v, Decimal) else None
