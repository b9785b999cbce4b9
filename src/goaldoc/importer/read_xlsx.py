"""A filled Excel file → :class:`~goaldoc.importer.document.Document`.

Each visible sheet starts with a ``sheet`` item, then one row item per non-empty row.
Values are read as stored (the cached values, ``data_only``), in the form the clerk sees
them: a number in a cell formatted ``0%`` is ``100%`` (a clerk's ``1`` meaning 100 %),
``#,##0.00`` pads to two decimals but never rounds (10891.615675 stays whole, issue 17),
``#,##0.00"元"`` shows its 元 after the number (place.py weighs it), a date prints as a
date; a formula saved without its value is computed when it is a plain sum of cells,
otherwise named (Document.notes); merged ranges give the first row the text and the rows
below a continuation cell, as Word's vertical merges do.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_to_tuple

from .document import CARRIED, Cell, Document, Item, column_letter
from .limits import sheet_columns, sheet_rows

# goaldoc's own page breaks (render/excel/layout.py): heading rows printed again after a
# break (hidden name _GoaldocRepeat) are left out, a label merged again (_GoaldocLabel)
# joins the merge above it
REPEAT_NAME, LABEL_NAME = "_GoaldocRepeat", "_GoaldocLabel"


# one area of a defined name's value: Sheet!$B$15, 'A sheet'!$19:$19 (what openpyxl's
# destinations give, also inside the parentheses LibreOffice writes round a list of areas)
_AREA = re.compile(r"(?:'(?:[^']|'')+'|[^'!,()\s]+)!(\$?[A-Z]{0,3}\$?[0-9]*(?::\$?[A-Z]{0,3}\$?[0-9]*)?)")


def _marked(ws: Any, prefix: str) -> list[str]:
    """The cells or rows goaldoc marked with a hidden name (render/excel/layout.py). A file
    saved by LibreOffice (a .xls converted, or the form re-saved) writes the name's areas as
    ``(S!$B$15,S!$A$28)``, which openpyxl reads as no area at all: the labels merged again
    after a page break then read as rows of their own (总体绩效目标 10 and 11 left over)."""
    refs: list[str] = []
    for name, dn in ws.defined_names.items():
        if name.startswith(prefix):
            found = [ref for _sheet, ref in dn.destinations] or _AREA.findall(dn.value or "")
            refs += [ref.replace("$", "") for ref in found]
    return refs


def _coord(ref: str) -> tuple[int, int]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


def _gaps(ws: Any, held: set[int]) -> set[int]:
    """Empty rows inside a block whose label is merged down beside it, with a row holding a
    value below them in that block: a row printed empty on purpose (a blank budget row,
    ``{}``, of a form that prints one list alone). A .docx keeps every table row; a sheet's
    empty rows are otherwise not read, and the gap would close."""
    rows = sorted(held)
    out: set[int] = set()
    for rng in ws.merged_cells.ranges:
        if rng.max_row - rng.min_row > MAX_GAP_SPAN:
            continue
        k = bisect.bisect_right(rows, rng.max_row) - 1  # the last row of the block holding a value
        if k < 0 or rows[k] <= rng.min_row:
            continue
        out.update(r for r in range(rng.min_row + 1, rows[k]) if r not in held)
    return out


MAX_GAP_SPAN = 2_000  # a merged range taller than this is no block of lines (limits.py bounds the rest)


def read_xlsx(data: bytes, file: str) -> Document:
    wb = load_workbook(io.BytesIO(data), data_only=True)
    doc = Document(file, "xlsx")
    formulas = _uncached_formulas(data, wb)
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
        ends_line: dict[int, bool] = {}  # column → that cell's text ends with a newline (continued text)
        max_col = sheet_columns(ws)  # bounded (limits.py): formatted cells out to XFD are not walked
        uncached = [coordinate_to_tuple(coord) for (sheet, coord) in formulas if sheet == title]
        held = list(sheet_rows(ws, uncached))  # the rows holding a value (others read as nothing) …
        gaps = _gaps(ws, {r for r, _values in held})  # … but for an empty row inside a merged block
        for r, values in sorted(held + [(g, {}) for g in gaps], key=lambda x: x[0]):
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
                if cell is not None and cell.value is None and (title, cell.coordinate) in formulas:
                    text = _formula_value(wb, title, cell.coordinate, formulas, doc)
                above = open_cells.get(col)
                if (r, col) in relabelled and above is not None:  # a label merged again after a break
                    # a long label: the rest of its text (its opening again, ending in …, is a
                    # reminder whose row this is: issue 20)
                    if text and text != above.text and not (text.endswith("…") and above.text.startswith(text[:-1])):
                        above.text += ("\n" if ends_line.get(col) else "") + text  # cut between paragraphs
                        above.__dict__.pop("norm", None)
                    cells.append(Cell(col - 1, width, "", coord, continued=True))
                    col += width
                    continue
                made = Cell(col - 1, width, text, coord)
                if cell is not None and cell.comment is not None and cell.value is not None:
                    _carried(doc, coord, cell.comment.text)
                cells.append(made)
                open_cells[col] = made
                raw = cell.value if cell is not None else None
                ends_line[col] = isinstance(raw, str) and raw.endswith("\n")
                col += width
            item = Item("row", cells, f"{title} 第 {r} 行", group=number)
            if not item.empty or r in gaps:
                doc.items.append(item)
    doc.number()
    return doc


def _carried(doc: Document, coord: str, note: str | None) -> None:
    """A note goaldoc init --from left on a number of last year's (document.CARRIED_NOTE)."""
    m = CARRIED.search(note or "")
    if m:
        doc.carried[coord] = Decimal(m[1])


# ---------------------------------------------------------------- formulas saved without a value

_REF = r"\$?[A-Z]{1,3}\$?[0-9]{1,7}"
_MAX_SUM_CELLS = 10_000
_SUM = re.compile(rf"=\s*SUM\(\s*((?:{_REF}(?::{_REF})?)(?:\s*,\s*{_REF}(?::{_REF})?)*)\s*\)\s*", re.I)
_PLUS = re.compile(rf"=\s*({_REF}(?:\s*\+\s*{_REF})+)\s*", re.I)


def _uncached_formulas(data: bytes, values: Any) -> dict[tuple[str, str], str]:
    """{(sheet, coordinate): formula} of the cells that hold a formula but no value saved
    with it (openpyxl and some generators save none; Excel and LibreOffice do). Read only
    when a sheet holds a formula at all."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if not any(n.startswith("xl/worksheets/") and b"<f" in z.read(n) for n in z.namelist() if n.endswith(".xml")):
            return {}
    wb = load_workbook(io.BytesIO(data), data_only=False)
    out: dict[tuple[str, str], str] = {}
    for ws in wb.worksheets:
        if ws.title not in values.sheetnames:
            continue
        shown_ws = values[ws.title]
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("=") and shown_ws[c.coordinate].value is None:
                    out[(ws.title, c.coordinate)] = c.value
    return out


def _formula_value(wb: Any, sheet: str, coord: str, formulas: dict[tuple[str, str], str], doc: Document, depth: int = 0) -> str:
    """A formula saved without its value: computed when it is a plain sum of cells
    (``=SUM(C8,C9:C12)``, ``=C8+C9``) and said so; otherwise named, and read as empty."""
    formula = formulas[(sheet, coord)]
    total = _plain_sum(wb, sheet, formula, formulas, depth)
    where = f"{sheet}!{coord}"
    if total is None:
        doc.notes.append(
            f"{where} 是公式 {formula}，文件里没有保存它算出的数：goaldoc 只会算单纯的求和（SUM），这一格按空白读。"
            "请用 Excel / WPS 打开、保存后再导入，或在 YAML 里填上这一格的数"
        )
        return ""
    doc.notes.append(f"{where} 是公式 {formula}，文件里没有保存它算出的数：已按公式求和，得 {total}，请核对")
    return format(total, "f")


def _plain_sum(wb: Any, sheet: str, formula: str, formulas: dict[tuple[str, str], str], depth: int) -> Decimal | None:
    from openpyxl.utils.cell import range_boundaries

    m = _SUM.fullmatch(formula) or _PLUS.fullmatch(formula)
    if m is None or depth > 20:
        return None
    refs = re.split(r"\s*[,+]\s*", m.group(1).replace("$", "").upper())
    ws = wb[sheet]
    total = Decimal(0)
    bounds = [range_boundaries(ref if ":" in ref else f"{ref}:{ref}") for ref in refs]
    # a received file's =SUM(A1:XFD1048576) would walk 17 billion cells: a sum over more cells
    # than a form has is not one goaldoc computes (named instead, as any other formula)
    if sum((hi_c - lo_c + 1) * (hi_r - lo_r + 1) for lo_c, lo_r, hi_c, hi_r in bounds) > _MAX_SUM_CELLS:
        return None
    for lo_c, lo_r, hi_c, hi_r in bounds:
        for r in range(lo_r, hi_r + 1):
            for c in range(lo_c, hi_c + 1):
                cell = ws.cell(row=r, column=c)
                v = cell.value
                if v is None and (sheet, cell.coordinate) in formulas:
                    sub = _plain_sum(wb, sheet, formulas[(sheet, cell.coordinate)], formulas, depth + 1)
                    if sub is None:
                        return None
                    total += sub
                elif isinstance(v, bool) or (v is not None and not isinstance(v, int | float)):
                    return None  # a text among the cells summed: not a sum goaldoc dares to make
                elif v is not None:
                    total += Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    return total


_DECIMALS = re.compile(r"0\.(0+)(#*)")


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
    if m and m.group(2) and "%" not in fmt:  # 0.00####: at least two decimals, up to six, as Excel shows
        typed = max(0, -d.normalize().as_tuple().exponent)  # type: ignore[operator]
        places = min(max(places or 0, typed), len(m.group(1)) + len(m.group(2)))
    if "%" in fmt:
        d = d * 100
        d = d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
        places = places or 0
    # the value as stored, never rounded to what the cell shows (10891.615675 shown as
    # 10891.62 is 10891.615675); the format's decimals only pad (72.1 shown 72.10 is 72.10)
    if places is not None and -d.as_tuple().exponent <= places:  # type: ignore[operator]
        d = d.quantize(Decimal(1).scaleb(-places))
    elif d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    text = f"{d:,f}" if "#,##" in fmt else f"{d:f}"
    return text + ("%" if "%" in fmt else "") + _money_unit(fmt)


_FORMAT_TEXT = re.compile(r'"([^"]*)"|\\(.)|\[[^\]]*\]')
_MONEY_IN_FORMAT = re.compile(r"亿元|万元|元")


def _money_unit(fmt: str) -> str:
    """The money unit a number format prints after the number: ``#,##0.00"元"`` or
    ``0.00\\万\\元`` (Excel's literal text; ``[Red]``, ``[$¥-804]`` are no text). 250000
    shown as 250,000.00元 is 元 whatever the column's head says: the importer weighs the
    unit shown as it does one typed (place.typed_unit), where before the format's 元 was
    dropped and the number read as the column's 万元."""
    shown = _FORMAT_TEXT.sub(lambda m: m.group(1) or m.group(2) or "", fmt)
    m = _MONEY_IN_FORMAT.search(shown)
    return m.group(0) if m else ""
