"""Optional columns: a column the form marks as optional (form.yaml ``show.columns``) is
taken out of the template before rendering when no indicator fills it, and its width goes
to the column on its left, so the grid keeps the page width (issue 8 item 3: the
Guangdong form printed an empty 指标解释 column for a department that explains nothing).

The column is found by its heading text in the template (``指标解释``), not by position,
so an admin may move it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from docx.oxml.ns import qn
from lxml import etree

if TYPE_CHECKING:  # the Word path does not import openpyxl (tests/test_cli.py)
    from openpyxl.worksheet.worksheet import Worksheet

_W_TR, _W_TC, _W_TCPR = qn("w:tr"), qn("w:tc"), qn("w:tcPr")


def _squash(text: str) -> str:
    return "".join(text.split())


def _text(tc: etree._Element) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _layout(tr: etree._Element) -> list[tuple[int, int, etree._Element]]:
    col = 0
    trpr = tr.find(qn("w:trPr"))
    gb = trpr.find(qn("w:gridBefore")) if trpr is not None else None
    if gb is not None:
        col = int(gb.get(qn("w:val"), "0"))
    out = []
    for tc in tr.findall(_W_TC):
        pr = tc.find(_W_TCPR)
        gs = pr.find(qn("w:gridSpan")) if pr is not None else None
        span = int(gs.get(qn("w:val"), "1")) if gs is not None else 1
        out.append((col, span, tc))
        col += span
    return out


def drop_docx_columns(body: etree._Element, headings: Iterable[str]) -> None:
    """Remove from every table the grid columns under a cell whose text is a heading."""
    wanted = {_squash(h) for h in headings}
    if not wanted:
        return
    for tbl in body.iter(qn("w:tbl")):
        for tr in tbl.findall(_W_TR):
            hit = next(((c, s) for c, s, tc in _layout(tr) if _squash(_text(tc)) in wanted), None)
            if hit:
                _drop_grid_columns(tbl, *hit)
                break


def _drop_grid_columns(tbl: etree._Element, col: int, span: int) -> None:
    grid = tbl.find(qn("w:tblGrid"))
    cols = grid.findall(qn("w:gridCol")) if grid is not None else []
    gone = range(col, col + span)
    for tr in tbl.findall(_W_TR):
        for c, s, tc in _layout(tr):
            overlap = len(set(range(c, c + s)) & set(gone))
            if not overlap:
                continue
            if overlap == s:
                tr.remove(tc)
                continue
            pr = tc.find(_W_TCPR)
            gs = pr.find(qn("w:gridSpan")) if pr is not None else None
            if gs is not None:
                gs.set(qn("w:val"), str(s - overlap))
    if cols and col + span <= len(cols):
        width = sum(int(cols[i].get(qn("w:w"), "0")) for i in gone)
        to = cols[col - 1] if col > 0 else cols[col + span] if col + span < len(cols) else None
        for i in reversed(gone):
            grid.remove(cols[i])
        if to is not None:
            to.set(qn("w:w"), str(int(to.get(qn("w:w"), "0")) + width))


def drop_xlsx_columns(ws: Worksheet, headings: Iterable[str]) -> None:
    """In a template sheet: the heading row and the rows of the ``{%tr for %}`` block right
    under it give the dropped columns' cells to the cell on their left (merged across)."""
    wanted = {_squash(h) for h in headings}
    if not wanted:
        return
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and _squash(cell.value) in wanted:
                first, last = _merged_columns(ws, cell.row, cell.column)
                if first > 1:
                    for r in _block_rows(ws, cell.row):
                        _merge_left(ws, r, first, last)
                return


def _merged_columns(ws: Worksheet, row: int, col: int) -> tuple[int, int]:
    for m in ws.merged_cells.ranges:
        if m.min_row <= row <= m.max_row and m.min_col <= col <= m.max_col:
            return m.min_col, m.max_col
    return col, col


def _block_rows(ws: Worksheet, heading: int) -> list[int]:
    """The heading row, and the rows of the {%tr for %} … {%tr endfor %} block after it."""
    rows = [heading]
    r = heading + 1
    first = ws.cell(r, 1).value
    if not (isinstance(first, str) and first.strip().startswith("{%tr for")):
        return rows
    depth = 0
    while r <= ws.max_row:
        v = ws.cell(r, 1).value
        text = v.strip() if isinstance(v, str) else ""
        if text.startswith("{%tr for"):
            depth += 1
        elif text.startswith("{%tr endfor"):
            depth -= 1
            if depth == 0:
                break
        else:
            rows.append(r)
        r += 1
    return rows


def _merge_left(ws: Worksheet, row: int, first: int, last: int) -> None:
    from openpyxl.utils import get_column_letter

    left_first = _merged_columns(ws, row, first - 1)[0]
    for m in list(ws.merged_cells.ranges):
        if m.min_row <= row <= m.max_row and (m.min_col <= last and m.max_col >= left_first):
            ws.unmerge_cells(str(m))
    for c in range(first, last + 1):
        ws.cell(row, c).value = None
    ws.merge_cells(f"{get_column_letter(left_first)}{row}:{get_column_letter(last)}{row}")
