"""A column that names the item a row belongs to, typed on every row (issue 17 item 1).

A form may print a unit's row (``307003-某某中心 | | 1,234.00``) and, below it, its
projects' rows with the 单位名称 column empty. Clerks often type the unit in that column on
every project row instead, with no row of its own — and the form's project row has nothing
to read there, so the unit was lost without a word. Here, before rows are aligned, such a
text is read as what the form means by it: when it differs from the last row of its own
(the unit or department row above) it stands for a new one, and a row of its own is put
before the project row, holding that cell (the place stays the cell's); the same text again
is the item already open. Found from the templates alone: a loop row's empty cell under a
heading whose column, in a row of an enclosing loop (or no loop), holds a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cells import Scorer
from .document import Cell, Document, Item
from .pattern import Pattern, RowPat


@dataclass
class OuterColumn:
    heading: RowPat  # the heading row over both
    label: str  # the heading's text over the column (compared form)
    col: int  # the column in the template


def outer_columns(pattern: Pattern) -> list[OuterColumn]:
    out: dict[tuple[int, str], OuterColumn] = {}
    for rp in pattern.rows:
        h = rp.heading
        if rp.kind != "row" or h is None or not rp.loops:
            continue
        for cp in rp.cells:
            if cp.reader.literal != "" or cp.continued:
                continue
            hc = next((x for x in h.cells if x.col <= cp.col < x.col + x.span), None)
            if hc is None or not hc.reader.literal:
                continue
            for other in pattern.rows:
                if other.kind != "row" or other.group != rp.group or other.order <= h.order or len(other.loops) >= len(rp.loops):
                    continue
                if rp.loops[: len(other.loops)] != other.loops:
                    continue
                if any(c.col == cp.col and c.reader.captures for c in other.cells):
                    out[(h.id, hc.reader.literal)] = OuterColumn(h, hc.reader.literal, cp.col)
    return list(out.values())


def add_outer_rows(pattern: Pattern, doc: Document) -> int:
    """Put a row of its own before each row whose outer column names a new item; returns
    how many were put."""
    columns = outer_columns(pattern)
    if not columns:
        return 0
    scorer = Scorer(pattern, doc)
    inserts: dict[int, Cell] = {}
    blanks: list[Cell] = []
    for oc in columns:
        current = ""  # the item open: a table split across a page goes on with it
        for j in scorer.heading_rows(oc.heading):
            head = doc.items[j]
            hcell = next((c for c in head.cells if c.norm == oc.label), None)
            if hcell is None:
                continue
            for i in range(j + 1, len(doc.items)):
                item = doc.items[i]
                if item.kind != "row" or item.group != head.group:
                    break
                if i in scorer.heading_rows(oc.heading):
                    break
                cell = next((c for c in item.cells if c.col == hcell.col), None)
                if cell is None or cell.continued or not cell.norm:
                    continue
                if cell.norm in scorer.labels:  # the form's own words there (合计): a row of the form's
                    continue
                filled = sum(1 for c in item.cells if c.text.strip())
                if filled < 3:
                    current = cell.norm  # a row of its own (the unit's, the department's)
                    continue
                if cell.norm != current:
                    inserts[i] = cell
                    current = cell.norm
                blanks.append(cell)
    if not inserts:
        for c in blanks:
            _blank(c)
        return 0
    items: list[Item] = []
    for i, item in enumerate(doc.items):
        if i in inserts:
            c = inserts[i]
            items.append(Item("row", [Cell(c.col, c.span, c.text, c.place)], item.place, group=item.group))
        items.append(item)
    for c in blanks:
        _blank(c)
    doc.items[:] = items
    doc.number()
    for key in ("all_texts", "joined"):
        doc.__dict__.pop(key, None)
    return len(inserts)


def _blank(cell: Cell) -> None:
    """The cell's text is read through the row of its own: nothing left to read here."""
    cell.text = ""
    cell.__dict__.pop("norm", None)
