"""Where the printed pages of a form break: one model for Word and Excel (issue 9 item 1).

The renderers measure what they print (render/pages/measure.py) and describe it as a list of
:class:`Unit` — a table row, or a paragraph of Word's flowing text — with the rules that
keep things together; :func:`paginate` lays them out on pages of a given height and says
where each page starts and what to print again at its top. The renderers then make the
page breaks theirs (Word: the table is split there, Excel: a manual row break), so Word,
WPS, Excel and LibreOffice all break where the model says.

The rules:

* a heading (:class:`Heading`: the column headings of a table) stays with the first row
  under it, and is printed again at the top of every page its rows continue on;
* ``keep_next`` keeps a unit on the page of the next one: the renderers chain the
  signature block to the last rows of its table this way, and a title to its table;
* a merged label (:class:`Span`: 一级 / 二级, Sichuan's 项目名称 / 预算数 / 年度目标) may
  break between its rows; then it is printed again on the next page, and each part's
  rows are made tall enough for it. A label longer than a quarter of a page is not printed twice
  but continues: the first part shows the lines that fit, the next part the rest;
* a unit taller than a page (a row of a 10,000-character goal, a long paragraph) runs on
  over the next pages: Word lets such a row split; Excel never gets one (rows are at most
  409 points: the renderer continues long text in the next row first);
* a page starts before a unit with ``page_before`` (a page break of the template);
* no table ends on a page of its own with one row under its repeated heading (issue 20
  item 2): that row goes on the page before if it fits there in the page's full height
  (the estimates hold to a few points: a sample's were 4 points off), else the row before it
  moves over too, so the last page holds two.

Pages are filled to ``fill`` of their height, since every height is an estimate: the
application then never needs a break of its own before ours. Flowing text (``flows``) is
the application's to break, at the foot of the page: the model follows it there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

LONG_LABEL = 0.25  # a label taller than this part of a page continues instead of repeating
SQUEEZE = 0.985  # the part of a page a table's last row may use rather than open a page alone


@dataclass
class Unit:
    """Something printed as one piece on a page: a table row or a paragraph."""

    height: float
    keep_next: bool = False  # on the same page as the next unit
    page_before: bool = False  # a page starts here (the template's page break)
    splittable: bool = False  # may run over pages (Word: flowing text, a row taller than a page)
    line: float = 0.0  # for splittable text: the height of one line
    heading: int | None = None  # the index of the heading this unit is a row of
    under: int | None = None  # the heading that heads this unit (repeated above it)
    flows: bool = False  # flowing text the application breaks itself: it fills the whole page


@dataclass
class Heading:
    units: list[int]  # its rows, in order
    height: float


@dataclass
class Span:
    """A label merged over units first..last, needing ``need`` points (``line`` per line)."""

    first: int
    last: int
    need: float
    line: float = 12.0


@dataclass
class LabelPart:
    """Where a merged label was cut by a page break: its next part starts at ``at``.
    ``head_lines``: in a long label, the lines the part before shows (None: the label is
    printed whole again, a short label)."""

    span: int
    at: int
    head_lines: int | None = None


@dataclass
class Layout:
    page_of: list[int]  # the page (0-based) each unit starts on
    starts: list[int]  # units that start a page after the first, in order
    forced: set[int]  # of those, the ones where the model breaks (not the template's breaks)
    repeat: dict[int, int]  # unit starting a page -> heading printed again above it
    cuts: list[LabelPart]  # merged labels cut by a break
    grow: dict[tuple[int, int], float]  # (first, last) of a label's part -> points its rows grow
    pages: int = 1
    fill: list[float] = field(default_factory=list)  # points used on each page


def paginate(
    units: list[Unit],
    page: float,
    headings: list[Heading] | None = None,
    spans: list[Span] | None = None,
    fill: float = 0.93,
    titles: float = 0.0,
    titles_from: int = 0,
    max_row: float = math.inf,
) -> Layout:
    """Lay ``units`` out on pages ``page`` points high.

    ``titles`` points are printed at the top of every page that starts after unit
    ``titles_from`` (Excel's print titles). ``max_row``: the tallest a unit may grow
    (Excel: 409 points) — a label needing more continues on the next part.
    """
    squeeze: set[int] = set()  # a table's last row allowed the page's full height
    early: set[int] = set()  # units that start a page, so that the row after them is not alone
    layout = _paginate(units, page, headings, spans, fill, titles, titles_from, max_row, squeeze, early)
    for _ in range(2 * len(units) + 1):  # each widow is tried once each way
        widow = next(iter(widows(layout, units)), None)
        if widow is None or widow in early:
            break
        if widow not in squeeze:
            squeeze.add(widow)
        else:
            squeeze.discard(widow)
            before = widow - 1
            first = max([s for s in [0, *layout.starts] if s < widow], default=0)
            if before - first < 2 or units[before].heading is not None or units[before].under != units[widow].under:
                break  # the page before would be left with a row or two: keep the layout
            early.add(before)
        layout = _paginate(units, page, headings, spans, fill, titles, titles_from, max_row, squeeze, early)
    return layout


def widows(layout: Layout, units: list[Unit]) -> list[int]:
    """Units alone on the last page of their table under its repeated heading: the model
    broke before them, and the page ends with them (a page break, or the end)."""
    n = len(units)
    out = []
    for k, s in enumerate(layout.starts):
        end = layout.starts[k + 1] if k + 1 < len(layout.starts) else n
        if s in layout.forced and s in layout.repeat and end - s == 1 and (end == n or units[end].page_before):
            out.append(s)
    return out


def _paginate(
    units: list[Unit],
    page: float,
    headings: list[Heading] | None,
    spans: list[Span] | None,
    fill: float,
    titles: float,
    titles_from: int,
    max_row: float,
    squeeze: set[int],
    early: set[int],
) -> Layout:
    headings = headings or []
    spans = spans or []
    avail_full = page * fill
    n = len(units)
    heights = [u.height for u in units]
    page_of = [0] * n
    starts: list[int] = []
    forced: set[int] = set()
    repeat: dict[int, int] = {}
    cuts: list[LabelPart] = []
    grow: dict[tuple[int, int], float] = {}
    fills: list[float] = []

    by_unit: dict[int, list[int]] = {}
    for k, s in enumerate(spans):
        for i in range(s.first, s.last + 1):
            by_unit.setdefault(i, []).append(k)
    remaining = [s.need for s in spans]  # what a long label still has to print
    part_start = [s.first for s in spans]
    prefix = [0.0]
    for h in heights:
        prefix.append(prefix[-1] + h)

    pg = 0
    top = titles if titles_from < 0 else 0.0  # what is printed at the top of this page
    used = top
    avail = avail_full

    def long(k: int) -> bool:
        return spans[k].need > LONG_LABEL * (avail_full - titles)

    def part_height(k: int, upto: int) -> float:
        return prefix[upto + 1] - prefix[part_start[k]]

    def deficit(upto: int, ending: bool) -> float:
        """Points the labels open at ``upto`` still need if their part ended there."""
        worst = 0.0
        for k in by_unit.get(upto, []):
            s = spans[k]
            if long(k) and s.last != upto and not ending:
                continue  # a long label fills the page and continues
            rows = upto - part_start[k] + 1
            need = min(remaining[k], rows * max_row)
            worst = max(worst, need - part_height(k, upto))
        return max(worst, 0.0)

    def chain(i: int) -> float:
        """Height of unit i and the units kept with it (if they fit on one page at all)."""
        h = heights[i]
        j = i
        while units[j].keep_next and j + 1 < n and not units[j + 1].page_before and h <= avail_full:
            j += 1
            nxt = heights[j]
            if units[j].splittable and units[j].line:
                nxt = min(nxt, 2 * units[j].line)  # two lines of a paragraph are enough
            h += nxt
        h += deficit(j, ending=True) if j > i else 0.0
        return h if h <= avail_full - titles else heights[i]

    def close_parts(last: int) -> None:
        """The page ends after unit ``last``: cut the labels that continue past it."""
        nonlocal used
        extra = 0.0
        for k in by_unit.get(last, []):
            s = spans[k]
            if s.last == last:
                continue
            have = part_height(k, last)
            rows = last - part_start[k] + 1
            if long(k):
                room = max(avail - used, 0.0)
                room = min(room, rows * max_row - have)
                shown = have + max(room, 0.0)
                lines = max(int(shown // s.line) - 1, 0)  # one line of room for the cell's margins
                lines = min(lines, int(math.ceil(remaining[k] / s.line)))
                growth = max(min(lines * s.line + s.line, remaining[k] + s.line) - have, 0.0)
                growth = min(growth, max(room, 0.0))
                remaining[k] = max(remaining[k] - lines * s.line, s.line)
                cuts.append(LabelPart(k, last + 1, lines))
            else:
                growth = max(min(s.need, rows * max_row) - have, 0.0)
                cuts.append(LabelPart(k, last + 1, None))
            if growth > 0:
                grow[(part_start[k], last)] = max(grow.get((part_start[k], last), 0.0), growth)
                extra = max(extra, growth)
            part_start[k] = last + 1
        used += extra

    def new_page(i: int, is_forced: bool, heading: int | None) -> None:
        nonlocal pg, used, top, avail
        if i > 0:
            close_parts(i - 1)
        fills.append(used)
        pg += 1
        starts.append(i)
        if is_forced:
            forced.add(i)
        top = titles if i > titles_from else 0.0
        if heading is not None:
            repeat[i] = heading
            top += headings[heading].height
        used = top
        avail = avail_full

    for i, u in enumerate(units):
        if u.page_before and i > 0:
            new_page(i, False, None)
        empty = used <= top + 1e-6
        room = page if u.flows else avail  # the application breaks flowing text at the page's foot
        if i in squeeze:
            room = max(room, page * SQUEEZE)
        need = chain(i) + deficit(i, ending=False)
        if i in early and not empty and not u.page_before:
            new_page(i, True, u.under if u.heading is None else None)
        elif used + need > room and not empty:
            if u.splittable and u.line and not u.keep_next and room - used >= 2 * u.line:
                pass  # flowing text: fills this page, runs on (below)
            else:
                head = u.under if (u.under is not None and u.heading is None) else None
                new_page(i, True, head)
        page_of[i] = pg
        h = heights[i]
        while used + h > room and u.splittable:
            left = room - used
            if u.line:
                left = (left // u.line) * u.line
            h -= max(left, 0.0)
            used = room
            fills.append(used)
            pg += 1
            head = u.under if u.under is not None else None
            top = titles + (headings[head].height if head is not None else 0.0)
            used = top
        used += h
        for k in by_unit.get(i, []):
            s = spans[k]
            if s.last == i:  # the label's last part: its rows must hold what is left of it
                have = part_height(k, i)
                rows = i - part_start[k] + 1
                need = min(remaining[k] if long(k) else s.need, rows * max_row)
                if need > have:
                    key = (part_start[k], i)
                    add = need - have
                    if add > grow.get(key, 0.0):
                        used += add - grow.get(key, 0.0)
                        grow[key] = add
    fills.append(used)
    return Layout(page_of, starts, forced, repeat, cuts, grow, pg + 1, fills)
