"""Columns that fit their content (issue 9 item 4), for Word tables and Excel sheets alike.

The template's column widths are the admin's; they are kept unless the content does not
fit, and then only the boundary between two neighbouring columns moves, so the table
keeps its width and its look:

* an amount (any number) never breaks inside: a column too narrow for the widest number
  in it takes the missing width from a neighbour — the one whose cells grow least for it;
* a column form.yaml names (``pages.widen``: 指标值 from 指标解释) takes width from its
  neighbour while its cells are the tallest of their rows and get lower for it, the table
  growing by 5 % at most, up to a share of the neighbour's width.

* a table with a lopsided row — one cell of eight lines or more, three times the lines of
  every other cell of its row (主要实施内容 in thirty lines beside 期望达到的目标 in one) —
  gives that cell's columns width from the other cells of the row (never a merged label)
  while the table gets lower.

A cell that loses width keeps at least 60 % of it and room for its own numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .measure import line_count, line_height, widest_number_em

KEEP = 0.6  # a cell keeps at least this share of its width
MIN_COLUMN = 6.0  # points
GROWTH = 0.05  # a column form.yaml widens may make its table this much taller
LOPSIDED = 3.0  # a cell with this many times the lines of the others in its row …
LOPSIDED_LINES = 8  # … and at least this many lines makes the table's columns balanced
BALANCE_GAIN = 0.003  # a boundary moves while each step makes the table this much lower


@dataclass
class GridCell:
    row: int
    col: int  # first grid column
    span: int
    text: str
    size: float
    merged_down: bool = False  # a label merged over the rows below (一级, 二级): never a donor


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


# What the grids of this process found of each kind of cell — its (text, font size, padding),
# all its height and its numbers depend on (:func:`_height`, :func:`_number_need`): a kind's
# number, and by it its heights at the widths asked (rounded to 0.1 pt), the room its numbers
# need, its line's height and whether it holds text. The tables of a round repeat their labels
# and many of their texts (a county round of 100 departments: 1,400 kinds in 60,000 cells of
# 750 sheets), and each table measured them again. Let go when they grow past _KEPT.
_KINDS: dict[tuple[str, float, float], int] = {}
_KIND_CELLS: list[GridCell] = []  # kind -> a cell of that kind (its text and size)
_KIND_NEEDS: list[float] = []  # kind -> _number_need
_KIND_LINES: list[float] = []  # kind -> line_height(text, size)
_KIND_FILLED: list[bool] = []  # kind -> whether its text is not blank
_HEIGHTS: dict[tuple[int, float], float] = {}  # (kind, width) -> _height
_KEPT = 1 << 16


def forget_kinds() -> None:
    """The process's kinds of cells and what was found of them let go (all at once: the
    grids number their cells' kinds into the lists)."""
    _KINDS.clear()
    _HEIGHTS.clear()
    del _KIND_CELLS[:], _KIND_NEEDS[:], _KIND_LINES[:], _KIND_FILLED[:]


def _kinds_of(cells: Sequence[GridCell], pad: float) -> list[int]:
    """Each cell's kind, numbering the kinds not seen before (the caches let go first when full)."""
    if len(_KINDS) > _KEPT or len(_HEIGHTS) > 4 * _KEPT:
        forget_kinds()
    kinds = _KINDS
    out = []
    for c in cells:
        key = (c.text, c.size, pad)
        k = kinds.get(key)
        if k is None:
            k = kinds[key] = len(_KIND_CELLS)
            cell = GridCell(0, 0, 1, c.text, c.size)
            _KIND_CELLS.append(cell)
            _KIND_NEEDS.append(_number_need(cell, pad))
            _KIND_LINES.append(line_height(c.text, c.size))
            _KIND_FILLED.append(bool(c.text.strip()))
        out.append(k)
    return out


class _Grid:
    def __init__(self, widths: Sequence[float], cells: Sequence[GridCell], pad: float):
        self.widths = list(widths)
        self.original = list(widths)
        self.cells = list(cells)
        self.pad = pad
        # each cell's kind: its heights at each width are found once per process (_HEIGHTS)
        self._kind = _kinds_of(self.cells, pad)
        # the cells' (first column, span): a trial's widths are summed once for each of these,
        # not once per cell (a table of 10,000 rows has a dozen)
        self.places = [(c.col, c.span) for c in self.cells]
        self._distinct = sorted(set(self.places))
        # each cell's row, and its place as an index into _distinct (the loops over every cell
        # below look a place's width up by index, not by hashing its tuple)
        self._rows = [c.row for c in self.cells]
        at = {place: i for i, place in enumerate(self._distinct)}
        self._place_at = [at[place] for place in self.places]
        needs = _KIND_NEEDS
        self.needs = [needs[k] for k in self._kind]  # the same at every width
        # the most any cell of a (first column, span) needs for its numbers: those cells are
        # as wide as each other, so one of them is squeezed exactly when the neediest is
        # (every place is there: one that needs no room keeps 60 % of its width all the same)
        self.place_needs: dict[tuple[int, int], float] = dict.fromkeys(self._distinct, 0.0)
        place_needs = self.place_needs
        for place, need in zip(self.places, self.needs, strict=True):
            if need > place_needs[place]:
                place_needs[place] = need

    def spans(self, widths: Sequence[float]) -> dict[tuple[int, int], float]:
        """The width of each (first column, span) of the grid's cells (as :func:`_width`)."""
        return {place: sum(widths[place[0] : place[0] + place[1]]) for place in self._distinct}

    def height(self, k: int, widths: Sequence[float]) -> float:
        return self._height_at(k, round(_width(widths, self.cells[k]), 1))

    def _height_at(self, k: int, width: float) -> float:
        """The height of cell ``k`` at ``width`` (rounded to 0.1 pt), found once per process."""
        kind = self._kind[k]
        key = (kind, width)
        h = _HEIGHTS.get(key)
        if h is None:
            h = _HEIGHTS[key] = _height(_KIND_CELLS[kind], width, self.pad)
        return h

    def rounded(self, widths: Sequence[float]) -> list[float]:
        """The width of each of the grid's (first column, span), rounded as :meth:`height`
        rounds it, in the order of ``_distinct``."""
        return [round(sum(widths[col : col + span]), 1) for col, span in self._distinct]

    def cell_heights(self, widths: Sequence[float]) -> list[float]:
        """Each cell's height at ``widths`` (:meth:`height`)."""
        rounded = self.rounded(widths)
        heights = _HEIGHTS
        out = []
        for k, (kind, p) in enumerate(zip(self._kind, self._place_at, strict=True)):
            width = rounded[p]
            h = heights.get((kind, width))
            out.append(self._height_at(k, width) if h is None else h)
        return out

    def rows(self, widths: Sequence[float]) -> dict[int, float]:
        rows: dict[int, float] = {}
        get = rows.get
        for r, h in zip(self._rows, self.cell_heights(widths), strict=True):
            if h > get(r, -1.0):  # each row its tallest cell (heights are 0 or more), in the rows' order
                rows[r] = h
        return rows

    def row_heights(self, widths: Sequence[float]) -> float:
        return sum(self.rows(widths).values())

    def excess(self, widths: Sequence[float], col: int) -> float:
        """How much taller the column's cells are than the rest of their rows."""
        own: dict[int, float] = {}
        rest: dict[int, float] = {}
        alone = self._distinct.index((col, 1)) if (col, 1) in self._distinct else -1  # the cells of the column alone
        for r, p, h in zip(self._rows, self._place_at, self.cell_heights(widths), strict=True):
            bucket = own if p == alone else rest
            bucket[r] = max(bucket.get(r, 0.0), h)
        return sum(max(h - rest.get(r, 0.0), 0.0) for r, h in own.items())

    def move(self, boundary: int, delta: float) -> list[float]:
        """Widths with the boundary after column ``boundary`` moved right by ``delta``."""
        w = list(self.widths)
        w[boundary] += delta
        w[boundary + 1] -= delta
        return w

    def allowed(self, widths: Sequence[float]) -> bool:
        if any(x < MIN_COLUMN for x in widths):
            return False
        now_of, was_of = self.spans(widths), self.spans(self.original)
        for place, need in self.place_needs.items():
            now, was = now_of[place], was_of[place]
            if now < was - 1e-6 and (now < KEEP * was or now < need):
                return False
        return True


def widen_rules(named: dict[str, tuple[int, int]], wanted: Sequence[tuple[str, str, float]]) -> list[Widen]:
    """The form's ``pages.widen`` rules as grid columns: ``named`` gives the first and last
    grid column of each heading text; a rule applies where the two headings are neighbours
    (the boundary between them moves)."""
    out = []
    for column, donor, share in wanted:
        if column not in named or donor not in named:
            continue
        (t1, t2), (d1, d2) = named[column], named[donor]
        if d1 == t2 + 1:
            out.append(Widen(t2, d1, share))
        elif d2 + 1 == t1:
            out.append(Widen(t1, d2, share))
    return out


def fit_columns(
    widths: Sequence[float], cells: Sequence[GridCell], pad: float, widen: Sequence[Widen] = ()
) -> list[float]:
    """New column widths (points) for a grid of ``cells``; ``pad``: what a cell's margins
    take from its width."""
    grid = _Grid(widths, cells, pad)
    n = len(grid.widths)
    # numbers never break inside
    for col in range(n):
        need = grid.place_needs.get((col, 1), 0.0)  # the most a cell of this column alone needs
        for _side in range(2):  # from one neighbour, and what it cannot give from the other
            missing = need - grid.widths[col]
            if missing <= 0.01:
                break
            options = []
            for boundary, sign in ((col, 1.0), (col - 1, -1.0)):  # take from the right / the left
                if 0 <= boundary < n - 1:
                    give = _largest(grid, boundary, sign, missing)
                    if give > 0.01:
                        trial = grid.move(boundary, sign * give)
                        options.append((give < missing - 1e-6, grid.row_heights(trial), trial))
            if not options:
                break
            options.sort(key=lambda o: (o[0], o[1]))
            grid.widths = options[0][2]
        # a number still too wide for its column breaks: the neighbours keep 60 % of their width
    # the form's own: widen a column whose cells stand out as the tallest of their rows (a
    # sentence in a narrow 指标值), while that shrinks and the table grows by GROWTH at most
    for rule in widen:
        if abs(rule.target - rule.donor) != 1:
            continue
        boundary, sign = (rule.target, 1.0) if rule.donor > rule.target else (rule.donor, -1.0)
        budget = grid.original[rule.donor] * rule.max_share
        step = max(grid.original[rule.donor] * 0.05, 2.0)
        given = 0.0
        start = grid.row_heights(grid.widths)
        excess = grid.excess(grid.widths, rule.target)
        while given + step <= budget + 1e-6 and excess > 0:
            trial = grid.move(boundary, sign * step)
            if not grid.allowed(trial):
                break
            now = grid.excess(trial, rule.target)
            if now >= excess - 0.5 or grid.row_heights(trial) > start * (1 + GROWTH):
                break
            grid.widths, excess = trial, now
            given += step
    _balance(grid)
    return grid.widths


def lopsided(grid: _Grid, widths: Sequence[float]) -> tuple[set[int], set[int]]:
    """Rows (of three cells or more) where one cell needs ``LOPSIDED`` times the lines of
    every other and at least ``LOPSIDED_LINES`` lines — a column of thirty lines beside a
    column of one (issue 20 item 2): (the grid columns of those tall cells, the columns of
    the other cells of those rows that may give them width — not a column holding a merged
    label anywhere)."""
    kind = grid._kind
    filled_kind = _KIND_FILLED
    filled: dict[int, list[int]] = {}
    for k, row in enumerate(grid._rows):
        if filled_kind[kind[k]]:
            filled.setdefault(row, []).append(k)
    rounded = grid.rounded(widths)  # as grid.height rounds
    place_at = grid._place_at
    heights, line_of = _HEIGHTS, _KIND_LINES
    takers: set[int] = set()
    donors: set[int] = set()
    for ks in filled.values():
        if len(ks) < 3:
            continue  # a label and its text (总体绩效目标): no column beside to take from (not measured)
        lines = []
        for k in ks:
            key = (kind[k], rounded[place_at[k]])
            h = heights.get(key)
            if h is None:
                h = grid._height_at(k, key[1])
            lines.append(h / line_of[key[0]])
        if max(lines) < LOPSIDED_LINES:
            continue  # no cell of the row is tall enough to be lopsided (most rows)
        cells = list(zip(lines, [grid.cells[k] for k in ks], strict=True))
        ranked = sorted(cells, key=lambda x: -x[0])
        (top, cell), (second, _c) = ranked[:2]
        if top >= LOPSIDED_LINES and top >= LOPSIDED * second:
            takers.update(range(cell.col, cell.col + cell.span))
            for _lines, other in ranked[1:]:
                if not other.merged_down:
                    donors.update(range(other.col, other.col + other.span))
    # a column holding a merged label anywhere (一级, 二级 …) keeps its width: the labels
    # there were laid out for it
    if not donors:
        return takers, donors
    labels = {k for c in grid.cells if c.merged_down for k in range(c.col, c.col + c.span)}
    return takers, donors - takers - labels


def _balance(grid: _Grid) -> None:
    """Where a row is lopsided, give its tall cell's columns width from the other cells of
    the row, a character at a time, while each step makes the table lower by
    ``BALANCE_GAIN``, no row grows by more than a line (a tall one: or half its height) and no
    cell of a row it makes taller ends in a line of one or two characters. The columns between keep their widths (the
    boundaries between shift); each cell keeps 60 % of its template width and room for its
    numbers: the form's range."""
    takers, donors = lopsided(grid, grid.widths)
    if not takers or not donors:
        return
    start = grid.rows(grid.widths)
    height = sum(start.values())
    em = max((c.size for c in grid.cells), default=10.5)
    line = em * 1.44
    for _ in range(60):
        best: tuple[float, float, list[float]] | None = None
        for taker in sorted(takers):
            for donor in sorted(donors):
                for chars in (1, 2, 4):  # a step of whole characters: a line holds one more
                    trial = list(grid.widths)
                    trial[taker] += chars * em
                    trial[donor] -= chars * em
                    if not grid.allowed(trial) or _squeezes_a_number(grid, trial):
                        break
                    rows = grid.rows(trial)
                    grown = {r for r, h in rows.items() if h > start.get(r, 0.0) + 0.5}
                    if any(rows[r] > start.get(r, 0.0) + _growth(start.get(r, 0.0), line) + 0.5 for r in grown):
                        break  # a row grows by a line (a tall one: or half its height) at most
                    if _orphans(grid, trial, grown):
                        break  # 新增满意度调查 / 5, 指标性 / 质: a word's tail alone on a line
                    h = sum(rows.values())
                    if best is None or (h, chars) < best[:2]:
                        best = (h, chars, trial)
        if best is None or best[0] > height * (1 - BALANCE_GAIN):
            return
        height, _chars, grid.widths = best


def _growth(height: float, line: float) -> float:
    """How much a row may grow while a lopsided row gets lower: a line, or half its height."""
    return max(line, height / 2)


def _orphans(grid: _Grid, widths: Sequence[float], rows: set[int]) -> bool:
    """A short cell (a name, a heading: one or two lines) of these rows — those the move
    makes taller — that would end in a line of two characters or fewer: the tail of a word
    left alone (新增满意度调查 / 5, 指标性 / 质)."""
    from .measure import wrap

    for k, c in enumerate(grid.cells):
        if c.row not in rows or not c.text.strip() or "\n" in c.text.strip():
            continue
        if grid.height(k, grid.widths) > 2 * line_height(c.text, c.size) + 0.5:
            continue  # a long text: where its last line ends is chance, not a word cut
        lines = wrap(c.text.strip(), (_width(widths, c) - grid.pad) / c.size)
        if len(lines) > 1 and len(lines[-1].strip()) <= 2:
            return True
    return False


def _squeezes_a_number(grid: _Grid, trial: Sequence[float]) -> bool:
    """A cell the move narrows would no longer hold its widest number (one the fitting
    above has just made room for: 123456789012.34)."""
    now_of, before_of = grid.spans(trial), grid.spans(grid.widths)
    for place, need in grid.place_needs.items():
        now = now_of[place]
        if now < before_of[place] - 1e-6 and now < need:
            return True
    return False


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
