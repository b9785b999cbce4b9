"""Forms made by hand, the way a clerk makes them in Word or Excel: python-docx / openpyxl
tables with no goaldoc marks, merged (or not) as the clerk likes.

A table is a list of rows; a cell is

* ``"text"`` — one grid column;
* ``("text", 3)`` — spanning three grid columns;
* ``UP`` — the cell above continues here: merged down in Word / Excel, or, with
  ``repeat=True``, the text above typed again (a clerk who does not merge);
* ``""`` — empty.

Word documents are a list of blocks: ``("p", "text")`` paragraphs, ``("table", rows)``
tables and ``("break",)`` page breaks (a table split in two is two tables with a break).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

UP = object()

Row = list[Any]


def _grid(rows: list[Row]) -> tuple[int, list[list[tuple[int, int, Any]]]]:
    """(grid columns, per row [(first column, span, cell)])."""
    out = []
    width = 0
    for row in rows:
        col, cells = 0, []
        for cell in row:
            span = cell[1] if isinstance(cell, tuple) else 1
            cells.append((col, span, cell))
            col += span
        width = max(width, col)
        out.append(cells)
    return width, out


def _text(cell: Any) -> str:
    if cell is UP:
        return ""
    return cell[0] if isinstance(cell, tuple) else str(cell)


def word(path: Path, blocks: list[tuple[Any, ...]], repeat: bool = False, font: str = "宋体") -> Path:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = font
    style.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    for block in blocks:
        if block[0] == "p":
            d.add_paragraph(block[1])
        elif block[0] == "break":
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        else:
            rows = block[1]
            width, grid = _grid(rows)
            t = d.add_table(rows=len(rows), cols=width)
            t.style = "Table Grid"
            above: dict[int, str] = {}
            for r, cells in enumerate(grid):
                for col, _span, cell in cells:
                    text = above.get(col, "") if cell is UP and repeat else _text(cell)
                    lines = text.split("\n")
                    target = t.cell(r, col)
                    target.text = lines[0]
                    for extra in lines[1:]:
                        target.add_paragraph(extra)
                    if cell is not UP:
                        above[col] = text
            for r, cells in enumerate(grid):  # spans first, then merges down
                for col, span, cell in cells:
                    down = 0 if repeat or cell is UP else _run(grid, r, col)
                    if span > 1 or down:
                        t.cell(r, col).merge(t.cell(r + down, col + span - 1))
    d.save(str(path))
    return path


def excel(
    path: Path,
    sheets: dict[str, list[Row]],
    repeat: bool = False,
    formats: dict[str, dict[str, str]] | None = None,
    numbers: bool = True,
) -> Path:
    """``formats``: per sheet {coordinate: number format}; a cell whose text is a number is
    written as a number when ``numbers`` (as Excel stores what a clerk types)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        _width, grid = _grid(rows)
        above: dict[int, str] = {}
        for r, cells in enumerate(grid):
            for col, span, cell in cells:
                text = above.get(col, "") if cell is UP and repeat else _text(cell)
                if cell is not UP:
                    above[col] = text
                if cell is UP and not repeat:
                    continue
                coord = f"{get_column_letter(col + 1)}{r + 1}"
                ws[coord] = _value(text) if numbers else (text or None)
                fmt = (formats or {}).get(name, {}).get(coord)
                if fmt:
                    ws[coord].number_format = fmt
                down = 0 if repeat or cell is UP else _run(grid, r, col)
                if span > 1 or down:
                    ws.merge_cells(start_row=r + 1, start_column=col + 1, end_row=r + 1 + down, end_column=col + span)
    wb.save(str(path))
    return path


def _run(grid: list[list[tuple[int, int, Any]]], r: int, col: int) -> int:
    """How many rows below ``r`` continue the cell at ``col`` (UP cells)."""
    k = r
    while k + 1 < len(grid) and any(c == col and x is UP for c, _s, x in grid[k + 1]):
        k += 1
    return k - r


def _value(text: str) -> Any:
    """What Excel keeps when a clerk types ``text``: numbers as numbers."""
    from decimal import Decimal, InvalidOperation

    if not text:
        return None
    try:
        d = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text
    return int(d) if d == d.to_integral_value() and "." not in text else float(d)
