"""Which row of the pattern each row of a filled file is, and which cell holds what.

The pattern (pattern.py) is read as a regular expression over rows: a loop may repeat,
a condition may be taken or not, any printed row may be missing, any row of the file may
be one the form does not know. The best reading is found by dynamic programming over the
file's rows (Viterbi over the pattern's automaton), scoring each pairing of a file row with
a pattern row by its labels: a label found where the form puts it counts much, a value
where a value belongs a little, a label of the form found where a value belongs counts
against. Rows no pattern row fits are kept aside, with their place, for the clerk.

Within a row, cells are paired with the template's in one of three ways, the best kept:
the same grid (files goaldoc made), through the heading row's labels (a loop row under
一级指标 | 二级指标 | … takes its columns from the heading row found above it in the file,
whatever their order or width), or in order (a label-value row drawn differently).
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .document import Cell, Document, Item, norm_label
from .expr import CHECKED, Capture, ListPass, Reader, Target
from .pattern import CellPat, Cond, Loop, Node, Pattern, RowPat

NEG = float("-inf")
_BLANK = re.compile(r"[＿_\s—\-－.…]*")
SKIP_ROW = 1.0  # a file row the form does not know (listed for the clerk)
LOOP_STEP = 0.01  # each iteration costs a little: no empty iterations for nothing
CONTINUITY = 3.0  # a merged or repeated cell says "same project"; a new text says "next"


# ---------------------------------------------------------------------------- scoring


@lru_cache(maxsize=65536)
def similar(a: str, b: str) -> float:
    if not a or not b:
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


def _text(cells: list[Cell]) -> str:
    """One field's text from its cells: pieces typed side by side (``≥ | 90 | %`` under one
    指标值 heading) run together."""
    return "".join(c.text for c in cells if c.text.strip())


class Scorer:
    def __init__(self, pattern: Pattern, doc: Document):
        self.pattern = pattern
        self.doc = doc
        self.items = doc.items
        self.labels = {t for t in pattern.labels if len(t) >= 2}
        self._cache: dict[tuple[int, int], Assignment | None] = {}
        self._headings: dict[int, list[int]] = {}
        self._latest: list[tuple[int, int] | None] | None = None
        self.widths: dict[int, int] = {}
        for item in self.items:
            if item.kind == "row" and item.cells:
                end = max(c.col + c.span for c in item.cells)
                self.widths[item.group] = max(self.widths.get(item.group, 0), end)
        heading_ids = {rp.heading.id for rp in pattern.rows if rp.heading is not None}
        self.heading_pats = [rp for rp in pattern.rows if rp.id in heading_ids]

    # -- one cell ------------------------------------------------------------------
    def pair(self, cp: CellPat, cells: list[Cell]) -> float:
        r = cp.reader
        if len(cells) == 1:
            text, norm, cont = cells[0].text, cells[0].norm, cells[0].continued
        else:
            text = _text(cells)
            norm = norm_label(text)
            cont = bool(cells) and all(c.continued for c in cells)
        if cp.continued:
            return 0.2 if (cont or not norm) else -0.5
        if r.literal is not None:
            if r.literal == "":
                return 0.1 if not norm else -0.6
            if norm == r.literal:
                return 1.5 if r.merged else 2.0
            if r.merged and (cont or not norm):
                return 0.3
            if not norm:
                return -1.0
            return 1.0 if similar(norm, r.literal) >= 0.8 else -1.5
        if not norm:
            return -1.0 if r.literal_parts and not r.fallback else (0.1 if cont else 0.0)
        if r.listing is not None:
            return 0.3
        if r.fallback:  # `title or (year ~ '年…表')`: any text reads; the default's words fit better
            return 1.5 if len(r.passes) > 1 and r.passes[1].regex.match(text) else 0.3
        if r.literal_parts or (r.passes and not r.passes[0].captures):
            if read_passes(r, text) is not None:
                return 1.5
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
        if [(c.col, c.span) for c in rp.cells] == [(c.col, c.span) for c in item.cells]:
            cands.append([(cp, [c]) for cp, c in zip(rp.cells, item.cells, strict=True)])
        elif rp.kind == "para" or item.kind == "para":
            keep = [cp for cp in rp.cells if not cp.reader.is_empty] or rp.cells[:1]
            cells = [c for c in item.cells if c.text.strip()] or item.cells[:1]
            cands.append([(keep[0], cells)] + [(cp, []) for cp in rp.cells if cp is not keep[0]])
        else:
            via = self._by_heading(rp, item, i)
            if via is not None:
                cands.append(via)  # the heading row's labels say which column is what
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
                best = Assignment(pairs, [c for c in extra if c.text.strip()], score)
        return best

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

    def _by_heading(self, rp: RowPat, item: Item, i: int) -> list[tuple[CellPat, list[Cell]]] | None:
        h = rp.heading
        if h is None:
            return None
        hits = self.heading_rows(h)
        k = bisect.bisect_left(hits, i) - 1
        if k < 0:
            return None
        j = hits[k]
        ha = self.assign(h, j)
        if ha is None:
            return None
        # the file's heading cells → the template's heading cells they are
        spans: list[tuple[int, int, CellPat]] = []
        for hcp, cells in ha.pairs:
            if not cells or self.pair(hcp, cells) <= 0:
                continue
            lo = min(c.col for c in cells)
            hi = max(c.col + c.span for c in cells)
            spans.append((lo, hi, hcp))
        if not spans:
            return None
        spans.sort(key=lambda s: s[0])
        # an empty heading cell right of a label belongs to it (指标值 over three cells)
        row_h = self.items[j]
        for c in row_h.cells:
            if not c.text.strip() and not c.continued:
                left = [s for s in spans if s[1] == c.col]
                if left:
                    lo, _hi, hcp = left[0]
                    spans[spans.index(left[0])] = (lo, c.col + c.span, hcp)
        under: dict[int, list[CellPat]] = {}
        for cp in rp.cells:
            hc = next((x for x in h.cells if x.col <= cp.col < x.col + x.span), None)
            if hc is not None:
                under.setdefault(id(hc), []).append(cp)
        got: dict[int, list[Cell]] = {id(cp): [] for cp in rp.cells}
        count: dict[int, int] = {}
        unplaced = []
        for c in item.cells:
            s = next((s for s in spans if s[0] <= c.col < s[1]), None)
            targets = under.get(id(s[2]), []) if s is not None else []
            if not targets:
                unplaced.append(c)
                continue
            n = count.get(id(s[2]), 0) if s is not None else 0
            count[id(s[2])] = n + 1  # type: ignore[index]
            got[id(targets[min(n, len(targets) - 1)])].append(c)
        for c in unplaced:  # no heading above it: the template cell in the same column
            same = next((cp for cp in rp.cells if cp.col == c.col and not got[id(cp)]), None)
            if same is not None:
                got[id(same)].append(c)
        return [(cp, got[id(cp)]) for cp in rp.cells]

    def score(self, rp: RowPat, i: int) -> float | None:
        a = self.assign(rp, i)
        return None if a is None else a.score


def read_passes(r: Reader, text: str) -> dict[str, Any] | None:
    """The groups of the first pass that matches ``text`` (None if none does)."""
    if not r.passes:
        return None
    m = r.passes[0].regex.match(text)
    return None if m is None else m.groupdict()


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


# ---------------------------------------------------------------------------- automaton

Event = tuple[str, Any]  # ("begin", Loop) / ("next", Loop) / ("branch", (Cond, k)) / ("skip", RowPat)


@dataclass
class Graph:
    eps: dict[int, list[tuple[int, float, Event | None]]] = field(default_factory=dict)
    consume: dict[int, list[tuple[RowPat, int]]] = field(default_factory=dict)
    n: int = 0

    def node(self) -> int:
        self.n += 1
        self.eps[self.n] = []
        self.consume[self.n] = []
        return self.n

    def edge(self, a: int, b: int, cost: float = 0.0, event: Event | None = None) -> None:
        self.eps[a].append((b, cost, event))


def _skip_cost(rp: RowPat) -> float:
    lits = sum(1 for c in rp.cells if c.reader.literal)
    parts = sum(1 for c in rp.cells if c.reader.literal_parts)
    return 0.3 + 0.5 * lits + 0.3 * parts


def build(nodes: list[Node], g: Graph, start: int) -> int:
    cur = start
    for n in nodes:
        if isinstance(n, RowPat):
            out = g.node()
            g.consume[cur].append((n, out))
            g.edge(cur, out, 0.0 if n.kind == "sheet" else _skip_cost(n), ("skip", n))
            cur = out
        elif isinstance(n, Loop):
            body_start = g.node()
            g.edge(cur, body_start, LOOP_STEP, ("begin", n))
            body_end = build(n.body, g, body_start)
            exit_ = g.node()
            g.edge(body_end, body_start, LOOP_STEP, ("next", n))
            g.edge(body_end, exit_)
            g.edge(cur, exit_)
            cur = exit_
        else:
            assert isinstance(n, Cond)
            exit_ = g.node()
            for k, (_implied, body) in enumerate(n.branches):
                bstart = g.node()
                g.edge(cur, bstart, 0.0, ("branch", (n, k)))
                g.edge(build(body, g, bstart), exit_)
            if not n.has_else:
                g.edge(cur, exit_)
            cur = exit_
    return cur


def closure(g: Graph, src: int, end: int, tracked: frozenset[int] = frozenset()) -> list[tuple[RowPat | None, int, float, tuple[Event, ...]]]:
    """Every row the pattern can read next from node ``src``: (row pattern, node after it,
    cost of getting there, events on the way); ``None`` for the end of the pattern.

    Paths that start different iterations of the ``tracked`` loops are kept apart even when
    they reach the same row (next indicator of this project, or first indicator of the next
    project)."""
    State = tuple[int, frozenset[int]]
    start: State = (src, frozenset())
    best: dict[State, float] = {start: 0.0}
    path: dict[State, tuple[Event, ...]] = {start: ()}
    heap: list[tuple[float, int, State]] = [(0.0, 0, start)]
    tie = 0
    out: list[tuple[RowPat | None, int, float, tuple[Event, ...]]] = []
    done: set[State] = set()
    while heap:
        cost, _, state = heapq.heappop(heap)
        if state in done:
            continue
        done.add(state)
        node, restarted = state
        for rp, after in g.consume[node]:
            out.append((rp, after, cost, path[state]))
        if node == end:
            out.append((None, end, cost, path[state]))
        for nxt, c, ev in g.eps[node]:
            key = restarted | {ev[1].id} if ev is not None and ev[0] in ("begin", "next") and ev[1].id in tracked else restarted
            ns: State = (nxt, key)
            nc = cost + c
            if nc < best.get(ns, float("inf")) - 1e-12:
                best[ns] = nc
                path[ns] = path[state] + ((ev,) if ev is not None else ())
                tie += 1
                heapq.heappush(heap, (nc, tie, ns))
    return out


# ---------------------------------------------------------------------------- reading


@dataclass
class Step:
    item: int
    row: RowPat | None  # None: the row was left aside
    events: tuple[Event, ...]
    assignment: Assignment | None


BEAM = 25.0  # readings this much worse than the best so far are dropped


def align(pattern: Pattern, doc: Document) -> tuple[list[Step], Scorer]:
    """The best reading of the file's rows by the pattern."""
    scorer = Scorer(pattern, doc)
    g = Graph()
    start = g.node()
    end = build(pattern.nodes, g, start)
    relevant = {rp.id: _continuity_loops(rp) for rp in pattern.rows}
    tracked = frozenset(x for loops in relevant.values() for x in loops)
    Entry = tuple[RowPat | None, int, float, tuple[Event, ...], frozenset[int]]
    closures: dict[int, list[Entry]] = {}

    def clos(node: int) -> list[Entry]:
        if node not in closures:
            kept: dict[tuple[int, int, frozenset[int]], Entry] = {}
            for rp, after, cost, events in closure(g, node, end, tracked):
                restarted = frozenset(ev[1].id for ev in events if ev[0] in ("begin", "next"))
                key_loops = restarted & relevant[rp.id] if rp is not None else frozenset()
                key = (rp.id if rp is not None else 0, after, key_loops)
                if key not in kept or cost < kept[key][2]:
                    kept[key] = (rp, after, cost, events, key_loops)
            closures[node] = list(kept.values())
        return closures[node]

    items = doc.items
    heading_pats = scorer.heading_pats
    continuity: dict[tuple[int, int, frozenset[int]], float] = {}
    V: dict[int, float] = {start: 0.0}
    back: list[dict[int, tuple[int, RowPat | None, tuple[Event, ...]]]] = []
    for i, item in enumerate(items):
        junk = 0.0 if item.empty or item.kind == "sheet" else SKIP_ROW
        if junk and any(i in scorer.heading_rows(h) for h in heading_pats):
            junk = 0.05  # a heading row repeated after a page break
        newV: dict[int, float] = {}
        bp: dict[int, tuple[int, RowPat | None, tuple[Event, ...]]] = {}
        for pos, sc in V.items():
            s = sc - junk
            if s > newV.get(pos, NEG):
                newV[pos], bp[pos] = s, (pos, None, ())
            for rp, after, cost, events, loops in clos(pos):
                if rp is None:
                    continue
                m = scorer.score(rp, i)
                if m is None:
                    continue
                s = sc - cost + m
                if relevant[rp.id]:
                    ck = (rp.id, i, loops)
                    if ck not in continuity:
                        continuity[ck] = _continuity(scorer, rp, i, loops)
                    s -= continuity[ck]
                if s > newV.get(after, NEG):
                    newV[after], bp[after] = s, (pos, rp, events)
        top = max(newV.values(), default=0.0)
        V = {pos: sc for pos, sc in newV.items() if sc >= top - BEAM}
        back.append(bp)
    # the end: what is left of the pattern skipped
    best_pos, best = start, NEG
    for pos, sc in V.items():
        for rp, _after, cost, _events, _loops in clos(pos):
            if rp is None and sc - cost > best:
                best_pos, best = pos, sc - cost
    steps: list[Step] = []
    pos = best_pos
    for i in range(len(items) - 1, -1, -1):
        prev, rp, events = back[i][pos]
        steps.append(Step(i, rp, events, scorer.assign(rp, i) if rp is not None else None))
        pos = prev
    steps.reverse()
    return steps, scorer


def _continuity_loops(rp: RowPat) -> frozenset[int]:
    """The loops whose restarting a row's cells can confirm or deny (see _continuity)."""
    if len(rp.loops) < 2:
        return frozenset()
    out: set[int] = set()
    for cp in rp.cells:
        for cap in cp.reader.captures[:1]:
            owner = _owner(rp, cap.target)
            if owner is not None and owner is not rp.loops[-1]:
                out.update(lp.id for lp in rp.loops[: rp.loops.index(owner) + 1])
    return frozenset(out)


def _continuity(scorer: Scorer, rp: RowPat, i: int, restarted: frozenset[int]) -> float:
    """Cells of an outer loop (a project's 项目名称 printed on each of its indicator rows): merged or repeated
    means the same project, another text the next one."""
    a = scorer.assign(rp, i)
    if a is None:
        return 0.0
    penalty = 0.0
    inner = rp.loops[-1]
    for cp, cells in a.pairs:
        caps = cp.reader.captures
        if not caps or not cells:
            continue
        owner = _owner(rp, caps[0].target)
        if owner is None or owner is inner:
            continue
        k = rp.loops.index(owner)
        new = any(lp.id in restarted for lp in rp.loops[: k + 1])
        signal = _signal(scorer, cells, i)
        if signal == "same" and new or signal == "new" and not new:
            penalty += CONTINUITY
    return penalty


def _owner(rp: RowPat, target: Target) -> Loop | None:
    head = target[0]
    for lp in reversed(rp.loops):
        if head in lp.vars:
            return lp
    return None


def _signal(scorer: Scorer, cells: list[Cell], i: int) -> str:
    if all(c.continued for c in cells):
        return "same"
    text = norm_label(_text(cells))
    if not text:
        return "unknown"
    k = i - 1  # the row above, past a heading typed again after a page break
    while k >= 0 and (scorer.items[k].kind != "row" or scorer.items[k].empty or any(k in scorer.heading_rows(h) for h in scorer.heading_pats)):
        k -= 1
    if k < 0:
        return "new"
    col = cells[0].col
    prev = next((c for c in scorer.items[k].cells if c.col <= col < c.col + c.span), None)
    if prev is not None and prev.norm == text:
        return "same"
    return "new"


# ---------------------------------------------------------------------------- bindings


@dataclass
class Binding:
    target: Target  # resolved context path
    value: Any  # str, or list[str]
    capture: Capture
    place: str
    order: int
    soft: bool = False
    inherited: bool = False  # filled down from a merged cell above
    unit_target: Target | None = None  # `x | amount(U)`: U, resolved


@dataclass
class Leftover:
    place: str
    text: str
    reason: str
    order: int


@dataclass
class Reading:
    bindings: list[Binding] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    implied: list[Binding] = field(default_factory=list)
    score: float = 0.0
    rows_read: int = 0


def extract(steps: list[Step], scorer: Scorer) -> Reading:
    out = Reading()
    counters: dict[int, int] = {}  # loop id → current iteration
    last: dict[tuple[Any, ...], str] = {}  # fill-down of merged columns
    for step in steps:
        item = scorer.items[step.item]
        for kind, obj in step.events:
            if kind == "begin":
                counters[obj.id] = 0
                _reset_inner(obj, counters)
            elif kind == "next":
                counters[obj.id] = counters.get(obj.id, -1) + 1
                _reset_inner(obj, counters)
        rp, a = step.row, step.assignment
        if rp is None or a is None:
            repeated_heading = any(step.item in scorer.heading_rows(h) for h in scorer.heading_pats)
            if not item.empty and item.kind != "sheet" and not repeated_heading:
                out.leftovers.append(Leftover(item.place, item.snippet(80), "这一行在表样里找不到对应的栏目", item.order))
            continue
        out.rows_read += 1
        out.score += a.score
        env = _env(rp, counters)
        if env is None:
            continue
        for cond, k in rp.branches:
            if cond.branches[k][0] and _preferred(scorer, cond, k, rp, step.item):
                for target, value in cond.branches[k][0]:
                    out.implied.append(Binding(_resolve(target, env), value, Capture("", target), item.place, item.order, soft=True))
        for cp, cells in a.pairs:
            got = _read_cell(cp, cells, env, rp, counters, last, item)
            if got is None:
                if cells and _text(cells).strip():
                    texts = _text(cells)
                    out.leftovers.append(Leftover(cells[0].place, texts, "这一格的文字和表样对不上", item.order))
                continue
            out.bindings += got
        for c in a.extra:
            out.leftovers.append(Leftover(c.place, c.text, "这一格在表样里没有对应的栏目", item.order))
    return out


def _preferred(scorer: Scorer, cond: Cond, k: int, rp: RowPat, i: int) -> bool:
    """The row fits branch ``k`` better than any other branch's rows: only then does the
    branch's test tell something (a grid printed the same either way tells nothing)."""
    own = scorer.score(rp, i) or 0.0
    others = [
        sc
        for j, (_imp, body) in enumerate(cond.branches)
        if j != k
        for n in body
        if isinstance(n, RowPat) and n.kind == rp.kind and (sc := scorer.score(n, i)) is not None
    ]
    return not others or own > max(others) + 0.05


def _reset_inner(loop: Loop, counters: dict[int, int]) -> None:
    for n in loop.body:
        for inner in _loops_in(n):
            counters.pop(inner.id, None)


def _loops_in(node: Node) -> list[Loop]:
    if isinstance(node, Loop):
        return [node] + [x for b in node.body for x in _loops_in(b)]
    if isinstance(node, Cond):
        return [x for _, body in node.branches for b in body for x in _loops_in(b)]
    return []


def _env(rp: RowPat, counters: dict[int, int]) -> dict[str, Target] | None:
    env: dict[str, Target] = {}
    for lp in rp.loops:
        if lp.target is None:
            return None  # a loop goaldoc cannot read back: its rows place nothing
        base = _resolve(lp.target, env)
        index = lp.offset + counters.get(lp.id, 0)
        for v in lp.vars:
            env[v] = (*base, index)
    return env


def _resolve(target: Target, env: dict[str, Target]) -> Target:
    head = target[0]
    if isinstance(head, str) and head in env:
        return (*env[head], *target[1:])
    return target


def _read_cell(
    cp: CellPat,
    cells: list[Cell],
    env: dict[str, Target],
    rp: RowPat,
    counters: dict[int, int],
    last: dict[tuple[Any, ...], str],
    item: Item,
) -> list[Binding] | None:
    """The bindings one template cell reads from its file cells ([] when it holds nothing
    to read; None when its text does not fit the template's)."""
    r = cp.reader
    text = _text(cells).strip()
    place = cells[0].place if cells else item.place
    cont = bool(cells) and all(c.continued for c in cells)
    if r.literal is not None or cp.continued:
        return []  # a label (its fit was scored)
    if r.listing is not None:
        return _read_list(r.listing, text, env, place, item.order)
    inner = rp.loops[-1] if rp.loops else None
    merge_caps = [c for c in r.captures if c.merge and inner is not None and _owner(rp, c.target) is inner]
    if (cont or not text) and merge_caps:
        # a merged (or, by hand, left blank) 一级 / 二级: the one above
        out = []
        for cap in merge_caps:
            key = _fill_key(rp, cap, counters)
            if key in last:
                out.append(Binding(_resolve(cap.target, env), last[key], cap, place, item.order, inherited=True))
        return out
    if not text:
        return []
    out = []
    for n, p in enumerate(r.passes):
        m = p.regex.match(text)
        if m is None:
            if n == 0:
                loose = loose_label_value(r, text)
                if loose is None:
                    return None
                out.append(Binding(_resolve(p.captures[0].target, env), loose, p.captures[0], place, item.order))
                break
            continue
        groups = m.groupdict()
        for cap in p.captures:
            value = groups.get(cap.group)
            if value is None:
                continue
            value = value.strip()
            if cap.kind == "choice":
                if value and value in CHECKED:
                    out.append(Binding(_resolve(cap.target, env), cap.choice, cap, place, item.order, cap.soft))
                continue
            if value == "" or (cap.kind == "blank" and _BLANK.fullmatch(value)):
                continue  # nothing, or the line left to sign on paper
            unit = _resolve(cap.unit_target, env) if cap.unit_target is not None else None
            out.append(Binding(_resolve(cap.target, env), value, cap, place, item.order, cap.soft, unit_target=unit))
            if cap.merge and inner is not None and _owner(rp, cap.target) is inner:
                last[_fill_key(rp, cap, counters)] = value
        if text:
            for imp in p.implications:
                if groups.get(imp.marker) is not None:
                    out.append(Binding(_resolve(imp.target, env), imp.value, Capture("", imp.target), place, item.order, True))
    return out


def _fill_key(rp: RowPat, cap: Capture, counters: dict[int, int]) -> tuple[Any, ...]:
    inner = rp.loops[-1]
    outer = tuple(counters.get(lp.id, 0) for lp in rp.loops[:-1])
    return (inner.id, outer, cap.target[1:])


def _read_list(lp: ListPass, text: str, env: dict[str, Target], place: str, order: int) -> list[Binding]:
    if not text:
        return []
    pieces = [x.strip() for x in (text.split("\n") if lp.sep.strip() == "" else text.replace("\n", lp.sep).split(lp.sep))]
    pieces = [x for x in pieces if x]
    base = _resolve(lp.target, env)
    out = []
    for k, piece in enumerate(pieces):
        inner = {**env, lp.var: (*base, lp.offset + k)}
        body = lp.body
        if body.literal is not None or not body.passes:
            continue
        m = body.passes[0].regex.match(piece)
        if m is None:
            out.append(Binding((*base, lp.offset + k), piece, Capture("", base), place, order))
            continue
        groups = m.groupdict()
        for cap in body.passes[0].captures:
            v = groups.get(cap.group)
            if v is not None and v.strip():
                out.append(Binding(_resolve(cap.target, inner), v.strip(), cap, place, order))
    return out
