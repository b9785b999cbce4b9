"""Pairing a row of a filled file with a row of the pattern: which file cell is which
template cell, and how well they fit.

Within a row, cells are paired with the template's in one of three ways, the best kept:
the same grid (files goaldoc made), through the heading row's labels (a loop row under
一级指标 | 二级指标 | … takes its columns from the heading row found above it in the file,
whatever their order or width), or in order (a label-value row drawn differently); a
heading row's labels are paired by their text wherever they stand. Under a two-row heading
(监控表: 1-7月执行情况 merged down over both rows beside 偏差原因分析's five causes) a cell
merged down is known by the label it continues, in the template and in the file; one that
continues no label is read by its place, and said. A label found where the form puts it
counts much, a value where a value belongs a little, a label of the form found where a
value belongs counts against. Where the form merges a cell with the one above, the text
above typed again (a clerk who does not merge) reads as the merge does.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..values import split_value
from .document import Cell, Document, Item, norm_label
from .expr import NUMBER_GROUP, Reader
from .headings import indicator_shaped, reads_indicators
from .pattern import CellPat, Pattern, RowPat

# money units: 预算金额（元） is not the form's 预算金额（万元） however alike they look (the
# amounts under it would be read 10,000 times too large)
_UNITS = re.compile(r"亿元|万元|千元|元")


@lru_cache(maxsize=65536)
def similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if _UNITS.findall(a) != _UNITS.findall(b):
        return 0.0
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < 0.6:
        return 0.0
    return sm.ratio()


@dataclass
class Assignment:
    pairs: list[tuple[CellPat, list[Cell]]]
    extra: list[Cell]
    score: float
    notes: list[str] = field(default_factory=list)  # how its columns were found, when the clerk should know


def _text(cells: list[Cell]) -> str:
    """One field's text from its cells: pieces typed side by side (``≥ | 90 | %`` under one
    指标值 heading) run together."""
    return "".join(c.text for c in cells if c.text.strip())


class Scorer:
    def __init__(self, pattern: Pattern, doc: Document, indicator_words: frozenset[str] = frozenset()):
        self.pattern = pattern
        self.doc = doc
        self.indicator_words = indicator_words
        self.indicator_rows = {rp.id for rp in pattern.rows if reads_indicators(rp)}
        self.items = doc.items
        self.labels = {t for t in pattern.labels if len(t) >= 2}
        self._cache: dict[tuple[int, int], Assignment | None] = {}
        self._headings: dict[int, list[int]] = {}
        self._columns: dict[tuple[int, int], tuple[list[tuple[int, int, CellPat]], list[tuple[int, int]], list[str], dict[int, int]] | None] = {}
        self._latest: list[tuple[int, int] | None] | None = None
        self.unheaded: set[int] = set()  # cells under a blank heading cell, not read with the column left of it
        self.widths: dict[int, int] = {}
        for item in self.items:
            if item.kind == "row" and item.cells:
                end = max(c.col + c.span for c in item.cells)
                self.widths[item.group] = max(self.widths.get(item.group, 0), end)
        heading_ids = {rp.heading.id for rp in pattern.rows if rp.heading is not None}
        self.heading_pats = [rp for rp in pattern.rows if rp.id in heading_ids]
        self._above = _texts_above(self.items)

    def repeated(self, cells: list[Cell]) -> bool:
        """The text of the cell above typed again (a clerk who does not merge): where the form
        merges a cell with the one above, this reads as the merge does (总体资金情况 | 当年金额
        typed again in the second row of a two-row heading)."""
        typed = [c for c in cells if c.norm]
        return bool(typed) and all(self._above.get(id(c)) == c.norm for c in typed)

    # -- one cell ------------------------------------------------------------------
    def pair(self, cp: CellPat, cells: list[Cell]) -> float:
        r = cp.reader
        if len(cells) == 1:
            text, norm, cont = cells[0].read_as or cells[0].text, cells[0].norm, cells[0].continued
        else:
            text = _text(cells)
            norm = norm_label(text)
            cont = bool(cells) and all(c.continued for c in cells)
        if cp.continued:
            if cp.above and norm and not cont and (norm == cp.above or similar(norm, cp.above) >= 0.8):
                return 1.5  # the label above typed again, not merged (a heading of two rows)
            return 0.2 if (cont or not norm or self.repeated(cells)) else -0.5
        if r.literal is not None:
            if r.literal == "":
                return 0.1 if not norm else -0.6
            if norm == r.literal:
                return 1.5 if r.merged else 2.0
            if r.merged and (cont or not norm):
                return 0.3
            if not norm:
                return -1.0
            if similar(norm, r.literal) >= 0.8:
                return 1.0
            return -3.0 if norm in self.labels else -1.5  # another row's label: not this row
        if not norm:
            return -1.0 if r.literal_parts and not r.fallback else (0.1 if cont else 0.0)
        if r.listing is not None:
            return 0.3
        if r.fallback:  # `title or (year ~ '年…表')`: a title of the clerk's own reads; the default's words fit better
            if len(r.passes) > 1 and r.passes[1].regex.match(text):
                return 1.5
            return 0.3 if title_like(text, r.pieces) else -2.0  # 单位：万元, a note: no title (issue 17)
        if r.literal_parts or (r.passes and not r.passes[0].captures):
            groups = read_passes(r, text)
            if groups is not None:
                return 0.3 if unnumbered(groups) else 1.5  # a list item without its number: a value, no more
            return 0.6 if loose_label_value(r, text) is not None else -1.5
        if norm in self.labels:
            return -1.5  # a label of the form where a value belongs
        return 0.3

    def skip_template(self, cp: CellPat) -> float:
        r = cp.reader
        if cp.continued or r.literal == "":
            return 0.0
        if r.literal is not None:
            return -0.2 if r.merged else -1.0
        return -1.0 if r.literal_parts else 0.0

    @staticmethod
    def skip_doc(cell: Cell) -> float:
        return -0.6 if cell.text.strip() else 0.0

    # -- one row -------------------------------------------------------------------
    def assign(self, rp: RowPat, i: int) -> Assignment | None:
        key = (rp.id, i)
        if key in self._cache:
            return self._cache[key]
        item = self.items[i]
        out = self._assign(rp, item, i)
        self._cache[key] = out
        return out

    def _assign(self, rp: RowPat, item: Item, i: int) -> Assignment | None:
        if rp.kind == "sheet" or item.kind == "sheet":
            if rp.kind == item.kind:
                return Assignment([], [], 0.5)
            return None
        penalty = 0.0
        if self.indicator_words and rp.id not in self.indicator_rows and item.kind == "row" and self.indicator_shaped(item):
            return None  # a row shaped like an indicator is never read as another field (issue 17)
        if rp.kind != item.kind:
            if rp.kind == "para" and sum(bool(c.text.strip()) for c in item.cells) > 1:
                return None
            if item.kind == "para" and sum(not c.reader.is_empty for c in rp.cells) > 1:
                return None
            penalty = -0.2
        if rp.heading is not None and item.kind == "row":
            penalty += self._under_other_heading(rp.heading, i)
        if item.kind == "row" and sum(1 for c in rp.cells if c.reader.captures) >= 2 and self._note_row(item):
            penalty -= 2.0  # one text across the whole table: a note, not a row of data
        cands = []
        heading = self._by_heading(rp, item, i) if item.kind == "row" and rp.kind == "row" else None
        via, notes = heading if heading is not None else (None, [])
        if via is None and rp.heading is not None and len(rp.heading.literals) >= 2 and not self._heading_above(rp.heading, i):
            penalty -= 1.5  # a grid's row with no heading row of that grid anywhere above (a notes sheet's line)
        if via is not None:
            cands.append(via)  # the heading row's labels say which column is what, never the place
        elif [(c.col, c.span) for c in rp.cells] == [(c.col, c.span) for c in item.cells]:
            cands.append([(cp, [c]) for cp, c in zip(rp.cells, item.cells, strict=True)])
            if len(rp.literals) >= 2:
                cands.append(self._by_labels(rp, item))  # the same grid, the labels moved
        elif rp.kind == "para" or item.kind == "para":
            keep = [cp for cp in rp.cells if not cp.reader.is_empty] or rp.cells[:1]
            cells = [c for c in item.cells if c.text.strip()] or item.cells[:1]
            cands.append([(keep[0], cells)] + [(cp, []) for cp in rp.cells if cp is not keep[0]])
        else:
            cands.append(self._in_order(rp.cells, item.cells))
            if len(rp.literals) >= 2:
                cands.append(self._by_labels(rp, item))
        best = None
        for pairs in cands:
            used = {id(c) for _, cs in pairs for c in cs}
            extra = [c for c in item.cells if id(c) not in used]
            score = penalty + sum(self.pair(cp, cs) if cs else self.skip_template(cp) for cp, cs in pairs)
            score += sum(self.skip_doc(c) for c in extra)
            if best is None or score > best.score:
                best = Assignment(pairs, [c for c in extra if c.text.strip()], score, notes if pairs is via else [])
        if best is not None and rp.id in self.indicator_rows and item.kind == "row" and self._stray_line(best, item):
            return None  # a line under (or beside) the indicator table: left over, as in a Word file
        return best

    def _stray_line(self, a: Assignment, item: Item) -> bool:
        """A row that an indicator row would read, but that is a line of text, no indicator
        (F8): ``填表人：张三`` / ``联系电话：…`` typed in a sheet under the table, a 填表说明
        sheet's lines. A Word file has these as paragraphs, which no table row reads; a
        sheet has only rows. Such a row holds no 一级 / 二级 name and is merged with nothing
        above it, and either every text on it is a label with its value, or its one text
        stands in a 一级 / 二级 column (read there, it would become a 一级 or 二级 and take
        the other one filled down from above)."""
        filled = [c for c in item.cells if c.text.strip() and not c.continued]
        if not filled or not self.indicator_words or any(c.norm in self.indicator_words for c in filled):
            return False
        if any(c.continued for c in item.cells):
            return False  # merged with the row above: the table's own row (质量 under a merged 产出指标)
        if not any(cap.target[-1] in ("level1", "level2") for cp, _cs in a.pairs for cap in cp.reader.captures):
            return False  # no 一级 / 二级 column: not an indicator table's row
        under = [next((cp for cp, cs in a.pairs if c in cs), None) for c in filled]
        if any(cp is not None and (cp.reader.literal is not None or cp.reader.literal_parts) for cp in under):
            return False  # the form prints a label there: the row's label is read by it
        if all(_LABEL_LINE.match(c.norm) for c in filled):
            return True
        caps = under[0].reader.captures if len(filled) == 1 and under[0] is not None else []
        return bool(caps) and all(c.merge for c in caps)

    def indicator_shaped(self, item: Item) -> bool:
        return indicator_shaped(item.cells, self.indicator_words)

    def _heading_above(self, h: RowPat, i: int) -> bool:
        hits = self.heading_rows(h)
        return bool(hits) and hits[0] < i

    def _note_row(self, item: Item) -> bool:
        filled = [c for c in item.cells if c.text.strip()]
        width = self.widths.get(item.group, 0)
        return len(filled) == 1 and width >= 3 and filled[0].span >= 0.8 * width

    def latest_heading(self, i: int) -> tuple[int, int] | None:
        """(file row, heading pattern id) of the last heading row above row ``i``."""
        if self._latest is None:
            best: dict[int, tuple[float, int]] = {}
            for h in self.heading_pats:
                for j in self.heading_rows(h):
                    sc = self.score(h, j) or 0.0
                    if j not in best or sc > best[j][0]:
                        best[j] = (sc, h.id)
            latest: list[tuple[int, int] | None] = []
            cur: tuple[int, int] | None = None
            for j in range(len(self.items)):
                latest.append(cur)
                if j in best:
                    cur = (j, best[j][1])
            self._latest = latest
        return self._latest[i]

    def _under_other_heading(self, h: RowPat, i: int) -> float:
        """A loop row below another grid's heading row (an indicator row is no task row)."""
        latest = self.latest_heading(i)
        if latest is None or latest[1] == h.id:
            return 0.0
        j, other = latest
        mine = self.score(h, j) if j in self.heading_rows(h) else None
        theirs = next((self.score(x, j) for x in self.heading_pats if x.id == other), None) or 0.0
        if mine is not None and mine >= theirs - 0.5:
            return 0.0  # the same labels: that heading is this row's too
        return -2.0

    def _by_labels(self, rp: RowPat, item: Item) -> list[tuple[CellPat, list[Cell]]]:
        """Labels paired by their text wherever they stand (a heading row with its columns
        in another order), the other cells in order."""
        got: dict[int, list[Cell]] = {}
        used: set[int] = set()
        for cp in rp.cells:
            lit = cp.reader.literal
            if not lit:
                continue
            cands = [(1.0 if c.norm == lit else similar(c.norm, lit), k) for k, c in enumerate(item.cells) if k not in used and c.norm]
            best = max(cands, default=(0.0, -1))
            if best[0] >= 0.8:
                got[id(cp)] = [item.cells[best[1]]]
                used.add(best[1])
        # a value cell of the template stands right of its label: the file's cell right of
        # that label is its value, wherever the pair stands (基本信息's two pairs swapped)
        at = {id(cs[0]): k for k, c in enumerate(item.cells) for cs in got.values() if cs and cs[0] is c}
        for n, cp in enumerate(rp.cells):
            if id(cp) in got or cp.reader.literal is not None or n == 0:
                continue
            label = got.get(id(rp.cells[n - 1]))
            k = at.get(id(label[0])) if label else None
            if k is not None and k + 1 < len(item.cells) and k + 1 not in used:
                got[id(cp)] = [item.cells[k + 1]]
                used.add(k + 1)
        rest = self._in_order([cp for cp in rp.cells if id(cp) not in got], [c for k, c in enumerate(item.cells) if k not in used])
        got.update({id(cp): cs for cp, cs in rest})
        return [(cp, got.get(id(cp), [])) for cp in rp.cells]

    def _in_order(self, t: list[CellPat], d: list[Cell]) -> list[tuple[CellPat, list[Cell]]]:
        """Cells paired in order (an edit-distance alignment)."""
        n, m = len(t), len(d)
        dp = [[0.0] * (m + 1) for _ in range(n + 1)]
        move = [[0] * (m + 1) for _ in range(n + 1)]
        for a in range(1, n + 1):
            dp[a][0] = dp[a - 1][0] + self.skip_template(t[a - 1])
            move[a][0] = 1
        for b in range(1, m + 1):
            dp[0][b] = dp[0][b - 1] + self.skip_doc(d[b - 1])
            move[0][b] = 2
        for a in range(1, n + 1):
            for b in range(1, m + 1):
                opts = (
                    (dp[a - 1][b - 1] + self.pair(t[a - 1], [d[b - 1]]), 0),
                    (dp[a - 1][b] + self.skip_template(t[a - 1]), 1),
                    (dp[a][b - 1] + self.skip_doc(d[b - 1]), 2),
                )
                dp[a][b], move[a][b] = max(opts)
        pairs: list[tuple[CellPat, list[Cell]]] = []
        a, b = n, m
        while a or b:
            mv = move[a][b]
            if mv == 0:
                pairs.append((t[a - 1], [d[b - 1]]))
                a, b = a - 1, b - 1
            elif mv == 1:
                pairs.append((t[a - 1], []))
                a -= 1
            else:
                b -= 1
        pairs.reverse()
        return pairs

    def heading_rows(self, h: RowPat) -> list[int]:
        """The file rows that are this heading (its labels found)."""
        if h.id not in self._headings:
            need = 2.0 * len(h.literals)
            hits = []
            for j, item in enumerate(self.items):
                if item.kind != "row":
                    continue
                a = self.assign(h, j)
                if a is not None and a.score >= max(0.55 * need, 2.0):
                    hits.append(j)
            self._headings[h.id] = hits
        return self._headings[h.id]

    def _by_heading(self, rp: RowPat, item: Item, i: int) -> tuple[list[tuple[CellPat, list[Cell]]], list[str]] | None:
        """The row's cells paired with the template's through the heading row above it,
        and what to tell the clerk about how (a column read by its place)."""
        h = rp.heading
        if h is None:
            return None
        hits = self.heading_rows(h)
        k = bisect.bisect_left(hits, i) - 1
        if k < 0:
            return None
        j = hits[k]
        columns = self._heading_columns(h, j)
        if columns is None:
            return None
        spans, unknown, notes, headed = columns
        under: dict[int, list[CellPat]] = {}
        for cp in rp.cells:
            hc = next((x for x in h.cells if x.col <= cp.col < x.col + x.span), None)
            if hc is not None:
                under.setdefault(id(hc), []).append(cp)
        got: dict[int, list[Cell]] = {id(cp): [] for cp in rp.cells}
        count: dict[int, int] = {}
        unplaced = []
        unheaded: dict[int, list[Cell]] = {}  # heading → its cells under the blank heading cells right of it
        for c in item.cells:
            s = next((s for s in spans if s[0] <= c.col < s[1]), None)
            targets = under.get(id(s[2]), []) if s is not None else []
            if not targets:
                unplaced.append(c)
                continue
            n = count.get(id(s[2]), 0) if s is not None else 0
            count[id(s[2])] = n + 1  # type: ignore[index]
            got[id(targets[min(n, len(targets) - 1)])].append(c)
            if s is not None and c.col >= headed[id(s[2])]:
                unheaded.setdefault(id(s[2]), []).append(c)
        for hid, tail in unheaded.items():
            # text under a blank heading joins the column left of it only as a piece of its
            # value (≥ | 90 | %); a clerk's note (100% | 核对) is no part of it: named, not glued
            span = sorted((c for cp in under[hid] for c in got[id(cp)]), key=lambda c: c.col)
            if any(c.text.strip() for c in tail) and not split_value([c.text for c in span]):
                out = {id(c) for c in tail}
                self.unheaded |= out
                for cp in under[hid]:
                    got[id(cp)] = [c for c in got[id(cp)] if id(c) not in out]
        for c in unplaced:  # no heading above it: the template cell in the same column
            if any(lo <= c.col < hi for lo, hi in unknown):
                continue
            same = next((cp for cp in rp.cells if cp.col == c.col and not got[id(cp)]), None)
            if same is not None:
                got[id(same)].append(c)
        return [(cp, got[id(cp)]) for cp in rp.cells], notes

    def _heading_columns(self, h: RowPat, j: int) -> tuple[list[tuple[int, int, CellPat]], list[tuple[int, int]], list[str], dict[int, int]] | None:
        """The file's heading row ``j`` read as the template's heading ``h``: the columns
        (from, to) each template heading cell stands over, the columns under a heading of
        the file's own (not read by their place), and the notes on columns read by place."""
        key = (h.id, j)
        if key not in self._columns:
            self._columns[key] = self._read_heading_columns(h, j)
        return self._columns[key]

    def _read_heading_columns(self, h: RowPat, j: int) -> tuple[list[tuple[int, int, CellPat]], list[tuple[int, int]], list[str], dict[int, int]] | None:
        ha = self.assign(h, j)
        if ha is None:
            return None
        row_h = self.items[j]
        # a heading merged down from the row above (监控表's 1-7月执行情况 over both rows of
        # its two-row heading) is known by the label it continues, in the template and in
        # the file alike: its column is found by that label wherever it stands
        above = {id(x): self._pattern_label_above(h, x) for x in h.cells if x.continued}
        by_label = {id(x) for x in h.cells if above.get(id(x))}
        # the file's heading cells → the template's heading cells they are
        spans: list[tuple[int, int, CellPat]] = []
        placed: set[int] = set()
        for hcp, cells in ha.pairs:
            if not cells or self.pair(hcp, cells) <= 0:
                continue
            if id(hcp) in by_label and (not any(c.norm for c in cells) or self.repeated(cells)):
                continue  # merged down, typed again or left blank under a label: found by that label below
            lo = min(c.col for c in cells)
            hi = max(c.col + c.span for c in cells)
            spans.append((lo, hi, hcp))
            placed.update(id(c) for c in cells)
        deferred = {id(c) for hcp, cells in ha.pairs if id(hcp) in by_label for c in cells if id(c) not in placed}
        unknown: list[tuple[int, int]] = []
        notes: list[str] = []
        free = [x for x in h.cells if id(x) in by_label and not any(s[2] is x for s in spans)]
        for c in row_h.cells:
            if id(c) in placed or not (c.continued or c.norm or id(c) in deferred):
                continue
            origin = c if c.norm else self._cell_above(j, c)
            label = origin.norm if origin is not None else ""
            if not label:  # under no heading the clerk typed: by its place only, and said
                same = next((x for x in free if x.col == c.col and x.span == c.span), None)
                if same is not None:
                    free.remove(same)
                    spans.append((c.col, c.col + c.span, same))
                    notes.append(
                        f"{(origin or c).place} 的表头是空的：它下面的一列按它在表样里的位置当作“{above[id(same)]}”读了，"
                        "不对的话请在这一格写上表头后再导入"
                    )
                else:
                    unknown.append((c.col, c.col + c.span))  # nor a place of the form's: not read, named
                continue
            fits = [(1.0 if label == above[id(x)] else similar(label, above[id(x)] or ""), -abs(x.col - c.col), -n, x) for n, x in enumerate(free)]
            best = max(fits, default=None, key=lambda f: f[:3])
            if best is not None and best[0] >= 0.8:
                free.remove(best[3])
                spans.append((c.col, c.col + c.span, best[3]))
            elif not c.norm:
                unknown.append((c.col, c.col + c.span))  # under a heading of the clerk's own (named where it is read)
        if not spans:
            return None
        spans.sort(key=lambda s: s[0])
        # where the typed heading itself ends, or the form's heading (总体资金情况 over two
        # columns typed once, the clerk's second cell left blank): text under a blank heading
        # cell past that is a column of the clerk's own
        headed = {id(hcp): max(hi, lo + hcp.span) for lo, hi, hcp in spans}
        # an empty heading cell right of a label belongs to it (指标值 over three cells),
        # but only for the pieces of one value cut between its parts (_by_heading)
        for c in row_h.cells:
            if not c.text.strip() and not c.continued:
                left = [s for s in spans if s[1] == c.col]
                if left:
                    lo, _hi, hcp = left[0]
                    spans[spans.index(left[0])] = (lo, c.col + c.span, hcp)
        # under a heading of the file's own that matches none of the form's: not read by its place
        unknown += [(c.col, c.col + c.span) for c in row_h.cells if c.norm and not any(s[0] <= c.col < s[1] for s in spans)]
        return spans, unknown, notes, headed

    def _pattern_label_above(self, h: RowPat, hcp: CellPat) -> str | None:
        """The template's label a heading cell merged down from the row above continues."""
        rows = self.pattern.rows
        for rp in reversed(rows[: rows.index(h)]):
            if rp.group != h.group or rp.kind != "row":
                return None
            x = next((x for x in rp.cells if x.col <= hcp.col < x.col + x.span), None)
            if x is None:
                return None
            if not x.continued:
                return x.reader.literal or None
        return None

    def _cell_above(self, j: int, cell: Cell) -> Cell | None:
        """The cell of the rows above row ``j`` that a cell merged down (or left blank under
        it) stands under: the first one not merged down itself (None: none)."""
        group = self.items[j].group
        for item in reversed(self.items[:j]):
            if item.group != group or item.kind != "row":
                return None
            x = next((x for x in item.cells if x.col <= cell.col < x.col + x.span), None)
            if x is None:
                return None
            if not x.continued:
                return x
        return None

    def score(self, rp: RowPat, i: int) -> float | None:
        a = self.assign(rp, i)
        return None if a is None else a.score


def _texts_above(items: list[Item]) -> dict[int, str]:
    """id(cell) → the text of the file's cell above it (the previous row of its grid, the
    cell covering its first column; through merged cells, the text they continue)."""
    out: dict[int, str] = {}
    last: dict[int, Item] = {}
    for item in items:
        if item.kind != "row":
            continue
        above = last.get(item.group)
        last[item.group] = item
        if above is None:
            continue
        for c in item.cells:
            a = next((x for x in above.cells if x.col <= c.col < x.col + x.span), None)
            text = (a.norm or out.get(id(a), "")) if a is not None else ""
            if text:
                out[id(c)] = text
    return out


_LABEL_LINE = re.compile(r"^[^:：]{1,8}[:：]")


def title_like(text: str, pieces: list[str] | None) -> bool:
    """A text standing where the form prints its title, in words of its own, is a title
    unless it is a label with its value (``单位：万元``, ``填表说明：…``) that shares no
    two pairs of characters with the default title's fixed words (``某某局2024年绩效目标表``
    shares 绩效, 目标… with ``年部门整体预算绩效目标批复表``)."""
    fixed = "".join(pieces or [])
    pairs = {fixed[k : k + 2] for k in range(len(fixed) - 1)}
    t = norm_label(text)
    return len({t[k : k + 2] for k in range(len(t) - 1)} & pairs) >= 2 or not _LABEL_LINE.match(t)


def read_passes(r: Reader, text: str) -> dict[str, Any] | None:
    """The groups of the first pass that matches ``text`` (None if none does)."""
    if not r.passes:
        return None
    m = r.passes[0].regex.match(text)
    return None if m is None else m.groupdict()


def unnumbered(groups: dict[str, Any]) -> bool:
    """The cell's list-item number (expr._item_number) was not typed: the text still reads as
    the item, but the number that tells it is one is missing."""
    numbers = [v for k, v in groups.items() if k.startswith(NUMBER_GROUP) and k[len(NUMBER_GROUP) :].isdigit()]
    return bool(numbers) and all(v is None for v in numbers)


def loose_label_value(r: Reader, text: str) -> str | None:
    """``编制单位：某某`` for a template ``编制单位（盖章）：{{ x }}``: a label of about the
    same words before a colon, the value after it."""
    if not r.passes or len(r.passes[0].captures) != 1:
        return None
    for sep in ("：", ":"):
        if sep in text:
            head, _, tail = text.partition(sep)
            want = r.literal_parts.rstrip(":")
            if similar(norm_label(head), want) >= 0.6:
                return tail.strip()
    return None
