"""A filled Excel file → :class:`~goaldoc.importer.document.Document`.

Each visible sheet starts with a ``sheet`` item, then one row item per non-empty row.
Values are read as the clerk sees them (the cached values, ``data_only``): a number in a
cell formatted ``0%`` is ``100%`` (a clerk's ``1`` meaning 100 %), ``#,##0.00`` keeps its
two decimals, a date prints as a date; merged ranges give the first row the text and the
rows below a continuation cell, as Word's vertical merges do.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook

from .document import Cell, Document, Item, column_letter
from .limits import sheet_columns, sheet_rows

# goaldoc's own page breaks (render/excel/layout.py): heading rows printed again after a
# break (hidden name _GoaldocRepeat) are left out, a label merged again (_GoaldocLabel)
# joins the merge above it
REPEAT_NAME, LABEL_NAME = "_GoaldocRepeat", "_GoaldocLabel"


def _marked(ws: Any, prefix: str) -> list[str]:
    refs: list[str] = []
    for name, dn in ws.defined_names.items():
        if name.startswith(prefix):
            refs += [ref.replace("$", "") for _sheet, ref in dn.destinations]
    return refs


def _coord(ref: str) -> tuple[int, int]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


def read_xlsx(data: bytes, file: str) -> Document:
    wb = load_workbook(io.BytesIO(data), data_only=True)
    doc = Document(file, "xlsx")
    for number, ws in enumerate(wb.worksheets, start=1):
        if ws.sheet_state != "visible":
            continue
        title = ws.title
        doc.items.append(Item("sheet", [Cell(0, 1, title, f"工作表“{title}”")], f"工作表“{title}”", group=number))
        starts: dict[tuple[int, int], int] = {}  # (row, col) of a range's first row → width
        below: dict[tuple[int, int], int] = {}  # (row, col) of a range's later rows → width
        covered: set[tuple[int, int]] = set()
        for rng in ws.merged_cells.ranges:
            width = rng.max_col - rng.min_col + 1
            for r in range(rng.min_row, rng.max_row + 1):
                (starts if r == rng.min_row else below)[(r, rng.min_col)] = width
                covered.update((r, c) for c in range(rng.min_col + 1, rng.max_col + 1))
        repeated = {int(ref.split(":")[0]) for ref in _marked(ws, REPEAT_NAME)}
        relabelled = {_coord(ref) for ref in _marked(ws, LABEL_NAME)}
        open_cells: dict[int, Cell] = {}  # column → the cell a merge there runs down from
        max_col = sheet_columns(ws)  # bounded (limits.py): formatted cells out to XFD are not walked
        for r, values in sheet_rows(ws):  # the rows holding a value (others read as nothing)
            if r in repeated:
                continue  # a heading row printed again after a page break
            cells: list[Cell] = []
            col = 1
            while col <= max_col:
                if (r, col) in covered:
                    col += 1
                    continue
                coord = f"{title}!{column_letter(col - 1)}{r}"
                if (r, col) in below:
                    width = below[(r, col)]
                    cells.append(Cell(col - 1, width, "", coord, continued=True))
                    col += width
                    continue
                width = starts.get((r, col), 1)
                cell = values.get(col)
                text = shown(cell.value, cell.number_format) if cell is not None else ""
                above = open_cells.get(col)
                if (r, col) in relabelled and above is not None:  # a label merged again after a break
                    if text and text != above.text:  # a long label: the rest of its text
                        above.text += text
                        above.__dict__.pop("norm", None)
                    cells.append(Cell(col - 1, width, "", coord, continued=True))
                    col += width
                    continue
                made = Cell(col - 1, width, text, coord)
                cells.append(made)
                open_cells[col] = made
                col += width
            item = Item("row", cells, f"{title} 第 {r} 行", group=number)
            if not item.empty:
                doc.items.append(item)
    doc.number()
    return doc


_DECIMALS = re.compile(r"0\.(0+)")


def shown(value: Any, number_format: str | None) -> str:
    """The text Excel shows for a cell value with its number format (the common formats;
    others show the value as typed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        fmt = number_format or ""
        if "年" in fmt:
            return f"{day.year}年{day.month}月{day.day}日"
        sep = "/" if "/" in fmt else "-"
        return f"{day.year}{sep}{day.month:02d}{sep}{day.day:02d}"
    if isinstance(value, int | float):
        return _number(value, number_format or "General")
    return str(value).replace("\r\n", "\n").strip()


def _number(value: int | float, fmt: str) -> str:
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return str(value)
    if not d.is_finite():  # 1e999 in a received file's XML: Excel itself shows #NUM!
        return str(value)
    fmt = fmt.split(";")[0]
    m = _DECIMALS.search(fmt)
    places = len(m.group(1)) if m else None
    if "%" in fmt:
        d = d * 100
        places = places or 0
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places))
    elif d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    text = f"{d:,f}" if "#,##" in fmt else f"{d:f}"
    return text + ("%" if "%" in fmt else "")
