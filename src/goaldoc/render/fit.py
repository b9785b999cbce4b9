"""Columns that fit their content (issue 9 item 4), for Word tables and Excel sheets alike.

The template's column widths are the admin's; they are kept unless the content does not
fit, and then only the boundary between two neighbouring columns moves, so the table
keeps its width and its look:

* an amount (any number) never breaks inside: a column too narrow for the widest number
  in it takes the missing width from a neighbour — the one whose cells grow least for it;
* a column form.yaml names (``pages.widen``: 指标值 from 指标解释) takes width from its
  neighbour while that makes the table shorter, up to a share of the neighbour's width.

A cell that loses width keeps at least 60 % of it and room for its own numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .measure import line_count, line_height, widest_number_em

KEEP = 0.6  # a cell keeps at least this share of its width
MIN_COLUMN = 6.0  # points


@dataclass
class GridCell:
    row: int
    col: int  # first grid column
    span: int
    text: str
    size: float


@dataclass
class Widen:
    target: int  # grid column to widen
    donor: int  # its neighbour that gives the width
    max_share: float


def _width(widths: Sequence[float], cell: GridCell) -> float:
    return sum(widths[cell.col : cell.col + cell.span])


def _height(cell: GridCell, width: float, pad: float) -> float:
    if not cell.text.strip():
        return 0.0
    return line_count(cell.text, max(width - pad, cell.size), cell.size) * line_height(cell.text, cell.size)


def _number_need(cell: GridCell, pad: float) -> float:
    em = widest_number_em(cell.text)
    return em * cell.size + pad + 1.5 if em else 0.0


class _Grid:
    def __init__(self, widths: Sequence[float], cells: Sequence[GridCell], pad: float):
        self.widths = list(widths)
        self.original = list(widths)
        self.cells = list(cells)
        self.pad = pad

    def row_heights(self, widths: Sequence[float]) -> float:
        rows: dict[int, float] = {}
        for c in self.cells:
            rows[c.row] = max(rows.get(c.row, 0.0), _height(c, _width(widths, c), self.pad))
        return sum(rows.values())

    def move(self, boundary: int, delta: float) -> list[float]:
        """Widths with the boundary after column ``boundary`` moved right by ``delta``."""
        w = list(self.widths)
        w[boundary] += delta
        w[boundary + 1] -= delta
        return w

    def allowed(self, widths: Sequence[float]) -> bool:
        if any(x < MIN_COLUMN for x in widths):
            return False
        for c in self.cells:
            now, was = _width(widths, c), _width(self.original, c)
            if now < was - 1e-6 and (now < KEEP * was or now < _number_need(c, self.pad)):
                return False
        return True


def fit_columns(
    widths: Sequence[float], cells: Sequence[GridCell], pad: float, widen: Sequence[Widen] = ()
) -> list[float]:
    """New column widths (points) for a grid of ``cells``; ``pad``: what a cell's margins
    take from its width."""
    grid = _Grid(widths, cells, pad)
    n = len(grid.widths)
    # numbers never break inside
    for col in range(n):
        need = max((_number_need(c, pad) for c in grid.cells if c.col == col and c.span == 1), default=0.0)
        missing = need - grid.widths[col]
        if missing <= 0:
            continue
        options = []
        for boundary, sign in ((col, 1.0), (col - 1, -1.0)):  # take from the right / the left
            if 0 <= boundary < n - 1:
                give = _largest(grid, boundary, sign, missing)
                if give > 0:
                    trial = grid.move(boundary, sign * give)
                    options.append((give < missing - 1e-6, grid.row_heights(trial), trial))
        if options:
            options.sort(key=lambda o: (o[0], o[1]))
            grid.widths = options[0][2]
        # a number still too wide for its column is the renderer's to shrink (Excel)
    # the form's own: widen a column while the table gets shorter
    for rule in widen:
        if abs(rule.target - rule.donor) != 1:
            continue
        boundary, sign = (rule.target, 1.0) if rule.donor > rule.target else (rule.donor, -1.0)
        budget = grid.original[rule.donor] * rule.max_share
        step = max(grid.original[rule.donor] * 0.05, 2.0)
        given = 0.0
        best = grid.row_heights(grid.widths)
        while given + step <= budget + 1e-6:
            trial = grid.move(boundary, sign * step)
            if not grid.allowed(trial):
                break
            h = grid.row_heights(trial)
            if h >= best - 0.5:
                break
            grid.widths, best = trial, h
            given += step
    return grid.widths


def _largest(grid: _Grid, boundary: int, sign: float, want: float) -> float:
    """The most (up to ``want``) the boundary can move toward the donor."""
    lo, hi = 0.0, want
    if grid.allowed(grid.move(boundary, sign * hi)):
        return hi
    for _ in range(20):
        mid = (lo + hi) / 2
        if grid.allowed(grid.move(boundary, sign * mid)):
            lo = mid
        else:
            hi = mid
    return lo
