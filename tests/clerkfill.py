"""Filling a blank workbook as a clerk does (issue 21 item 2's test): open it, type each
value into the cell made for it (the blank's own map of cells, ``Blank.slots``), choose
一级 / 二级 from their lists' values, type amounts as numbers with their decimals, leave
the rows not needed empty, save."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook


def value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    node = data
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return None
            node = node[step]
        else:
            if not isinstance(node, dict) or step not in node:
                return None
            node = node[step]
    return node


def fill(blank: Any, data: dict[str, Any]) -> tuple[bytes, int]:
    """The blank with ``data`` typed in; and how many cells were typed."""
    wb = load_workbook(io.BytesIO(blank.data))
    typed = 0
    for slot in blank.slots:
        value = value_at(data, slot.path)
        if value is None:
            continue
        for where in slot.cells:
            if "（" in where:
                continue  # among other text: typed into that text below
            sheet, ref = where.split("!")
            cell = wb[sheet][ref]
            if isinstance(value, Decimal):
                value = float(value)  # what Excel keeps of a typed 6079.52
            cell.value = value
            typed += 1
    for where, text in blank.inline.items():  # a title holding 行政区: typed into the title
        sheet, ref = where.split("!")

        def typed_in(m: re.Match[str]) -> str:
            value = value_at(data, blank.slots[int(m[1])].path)
            return "" if value is None else str(value)

        wb[sheet][ref].value = re.sub(r"\{(\d+)\}", typed_in, text).replace("{{", "{").replace("}}", "}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), typed
