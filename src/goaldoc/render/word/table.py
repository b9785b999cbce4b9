"""A rendered Word table read once (issue 23 item 2).

Every pass over a rendered table (merging, fitting the columns, keeping units whole,
aligning amounts, normalising, measuring for pagination) used to walk the table's XML
itself: each row's cells, each cell's properties and paragraphs, each paragraph's text,
five times and more (~500 µs a row at 10,000 rows, most of it lxml look-ups). Here the
walk is made once: a :class:`TableView` holds, for every row, its cells' grid columns,
spans, vertical-merge state, paragraphs and texts, and the passes read and update it.

A pass that changes the XML keeps the view true to it (the merge empties a cell: its view
says so). Cells holding anything but paragraphs (a nested table, a content control) are
marked ``odd``: what needs their whole text reads it from the XML, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from .names import qn

_W_P, _W_R, _W_T, _W_TR, _W_TC = (qn(f"w:{t}") for t in ("p", "r", "t", "tr", "tc"))
_W_TRPR, _W_TCPR, _W_VAL = qn("w:trPr"), qn("w:tcPr"), qn("w:val")
_W_GRIDBEFORE, _W_GRIDSPAN, _W_VMERGE = qn("w:gridBefore"), qn("w:gridSpan"), qn("w:vMerge")

# CT_TcPr, ECMA-376 Part 1 §17.4.70: the order Word insists on
TCPR_ORDER = [
    qn(f"w:{name}")
    for name in (
        "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
        "tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange"
    ).split()
]
_TCPR_RANK = {tag: i for i, tag in enumerate(TCPR_ORDER)}


_RANKS: dict[int, dict[str, int]] = {}  # id of an order list (module constants) -> tag ranks


def in_order(parent: etree._Element, order: list[str]) -> bool:
    """Whether :func:`sort_children` would leave ``parent`` as it is."""
    rank = _RANKS.get(id(order))
    if rank is None:
        rank = _RANKS[id(order)] = {tag: i for i, tag in enumerate(order)}
    last = len(rank)
    ranks = [rank.get(el.tag, last) for el in parent]
    return all(a < b or a == b == last for a, b in zip(ranks, ranks[1:], strict=False))


def sort_children(parent: etree._Element, order: list[str]) -> None:
    """Children in schema order; a property given twice keeps its first (schema: once).
    Children already in order, each once (most cells: a row's cells are copies of one
    template row), are left as they are."""
    rank = _RANKS.get(id(order))
    if rank is None:
        rank = _RANKS[id(order)] = {tag: i for i, tag in enumerate(order)}
    last = len(rank)
    ranks = [rank.get(el.tag, last) for el in parent]
    if all(a < b or a == b == last for a, b in zip(ranks, ranks[1:], strict=False)):
        return  # what the sort below would leave: the same children in the same order
    seen: set[str] = set()
    for child in sorted(parent, key=lambda el: rank.get(el.tag, last)):
        parent.remove(child)
        if child.tag in rank and child.tag in seen:
            continue
        seen.add(child.tag)
        parent.append(child)



def vmerge_place(tcpr: etree._Element | None) -> int | None:
    """Where a vMerge goes among the children of ``tcpr`` for them to stay in schema order
    (what sorting them would make of one added at the end); None when the tcPr is missing,
    not in order, or has a vMerge already."""
    if tcpr is None:
        return None
    last = len(_TCPR_RANK)
    ranks = [_TCPR_RANK.get(el.tag, last) for el in tcpr]
    if not all(a < b or a == b == last for a, b in zip(ranks, ranks[1:], strict=False)):
        return None
    if _TCPR_RANK[_W_VMERGE] in ranks:
        return None
    return next((k for k, r in enumerate(ranks) if r > _TCPR_RANK[_W_VMERGE]), len(ranks))


def first_child(el: etree._Element, tag: str) -> etree._Element | None:
    """The first child with ``tag`` (``el.find(tag)`` without ElementPath's cost)."""
    return next(el.iterchildren(tag), None)


def para_text(p: etree._Element) -> str:
    """A paragraph's w:t texts joined (what ``p.iter(w:t)`` reads)."""
    return "".join(t.text or "" for t in p.iter(_W_T))


class CellView:
    """``shape``: (the row program, the cell's index) of a cell copied from a row shape and
    still as the shape was (render/word/rows.py): what depends on its formatting alone is
    found once per shape. A pass that changes the cell's formatting sets it to None."""

    __slots__ = ("tc", "col", "span", "_tcpr", "vm", "_paras", "texts", "odd", "size", "shape", "props_changed", "merged_copy", "pre_key", "_layout")

    def __init__(
        self,
        tc: etree._Element,
        col: int,
        shape: tuple[Any, int] | None = None,
        texts: list[str] | None = None,
        layout: tuple[int | None, list[int], int, str | None] | None = None,
    ):
        """``texts`` and ``layout`` (as RowProgram.cell_layout gives it): a copy's, read
        from its row program, not from its XML."""
        self.tc = tc
        self.col = col
        self.size: float | None = None  # the cell's font size, once measured
        self.shape = shape
        self.props_changed = False  # its tcPr changed since it was copied (but a vMerge put in its place)
        self.merged_copy: tuple[Any, int] | None = None  # merged away, a copy of this (program, cell) before
        self.pre_key: str | None = None  # merged away as it was copied (render/word/rows.py): its merge key
        self.vm: str | None  # 'restart', 'continue' or None
        self._layout: tuple[int | None, list[int], int, str | None] | None
        if texts is not None and layout is not None:  # a copy of a row shape: its layout is the shape's
            _at, _paras_at, self.span, self.vm = layout
            self._layout = layout  # its tcPr and paragraphs found when a pass asks for them
            self.texts = texts
            self.odd = False
            return
        self._layout = None
        tcpr = None
        paras: list[etree._Element] = []
        odd = False
        for ch in tc:
            tag = ch.tag
            if tag == _W_P:
                paras.append(ch)
            elif tag == _W_TCPR:
                if tcpr is None:
                    tcpr = ch
            else:
                odd = True
        self.tcpr = tcpr
        self.paras = paras
        self.odd = odd
        self.texts = [para_text(p) for p in paras]
        span, vm, spanned = 1, None, False
        if tcpr is not None:
            for ch in tcpr:
                tag = ch.tag
                if tag == _W_GRIDSPAN and not spanned:
                    span, spanned = int(ch.get(_W_VAL, "1")), True
                elif tag == _W_VMERGE and vm is None:
                    vm = "restart" if ch.get(_W_VAL) == "restart" else "continue"
        self.span = span
        self.vm = vm

    def _find(self) -> None:
        """A copy's tcPr and paragraphs, where its shape has them (most cells of a copy are
        never asked: they are as their shape)."""
        assert self._layout is not None
        at, paras_at, _span, _vm = self._layout
        self._layout = None
        kids = list(self.tc)
        self._tcpr = kids[at] if at is not None else None
        self._paras = [kids[k] for k in paras_at]

    @property
    def tcpr(self) -> etree._Element | None:
        if self._layout is not None:
            self._find()
        return self._tcpr

    @tcpr.setter
    def tcpr(self, value: etree._Element | None) -> None:
        if self._layout is not None:
            self._find()
        self._tcpr = value

    @property
    def paras(self) -> list[etree._Element]:
        if self._layout is not None:
            self._find()
        return self._paras

    @paras.setter
    def paras(self, value: list[etree._Element]) -> None:
        if self._layout is not None:
            self._find()
        self._paras = value

    def text(self) -> str:
        """All the cell's text (``tc.iter(w:t)``), nested tables included."""
        if self.odd:
            return "".join(t.text or "" for t in self.tc.iter(_W_T))
        return "".join(self.texts)

    def reread(self) -> None:
        """The cell's paragraphs and texts again, after a pass changed them."""
        self.paras = [ch for ch in self.tc if ch.tag == _W_P]
        self.texts = [para_text(p) for p in self.paras]
        self.odd = any(ch.tag not in (_W_P, _W_TCPR) for ch in self.tc)
        self.shape = None


class RowView:
    __slots__ = ("tr", "trpr", "cells", "program", "kept")

    def __init__(self, tr: etree._Element, copied: tuple[Any, list[str], dict[int, str] | None] | None = None):
        """``copied``: (the row program, the texts of its w:t, the cells merged away as it
        was copied with their merge keys) of a row copied from a row shape."""
        self.tr = tr
        self.program: Any = None  # the row program of a copy of a row shape
        self.kept = False  # its paragraphs made to keep with the next (a heading row)
        if copied is not None:
            program, ttexts, merged = copied
            self.program = program
            self.trpr = first_child(tr, _W_TRPR) if program.has_trpr else None
            cells = []
            for (i, shape, layout, one), tc, col in zip(program.cell_plan, tr.iterchildren(_W_TC), program.columns, strict=True):
                if merged and i in merged:  # as merge_marked_cells leaves it: its tcPr, one empty paragraph
                    cell = CellView(tc, col, None, [""], (0, [1], layout[2], "continue"))
                    cell.merged_copy, cell.pre_key = shape, merged[i]
                else:
                    cell = CellView(tc, col, shape, [ttexts[one]] if one is not None else program.cell_texts(i, ttexts), layout)
                cells.append(cell)
            self.cells = cells
            return
        trpr = first_child(tr, _W_TRPR)
        self.trpr = trpr
        col = 0
        if trpr is not None:
            gb = first_child(trpr, _W_GRIDBEFORE)
            if gb is not None:
                col = int(gb.get(_W_VAL, "0"))
        cells = []
        for tc in tr.iterchildren(_W_TC):
            cell = CellView(tc, col)
            cells.append(cell)
            col += cell.span
        self.cells = cells


class TableView:
    """The rows of a rendered table, read once."""

    __slots__ = ("tbl", "rows")

    def __init__(self, tbl: etree._Element, copied: Mapping[etree._Element, tuple[Any, list[str], dict[int, str] | None]] | None = None):
        """``copied``: the rows copied from row shapes (render/word/rows.py), with their texts."""
        self.tbl = tbl
        copied = copied or {}
        self.rows = [RowView(tr, copied.get(tr)) for tr in tbl.iterchildren(_W_TR)]
