"""Which row of the pattern each row of a filled file is.

The pattern (pattern.py) is read as a regular expression over rows: a loop may repeat,
a condition may be taken or not, any printed row may be missing, any row of the file may
be one the form does not know. The best reading is found by dynamic programming over the
file's rows (Viterbi over the pattern's automaton), each pairing of a file row with a
pattern row scored by cells.py. Rows no pattern row fits are kept aside, with their place,
for the clerk (extract.py).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

from .cells import Assignment, Scorer, _text
from .document import Cell, Document, norm_label
from .expr import Target
from .pattern import Cond, Loop, Node, Pattern, RowPat

NEG = float("-inf")
SKIP_ROW = 1.0  # a file row the form does not know (listed for the clerk)
LOOP_STEP = 0.01  # each iteration costs a little: no empty iterations for nothing
CONTINUITY = 3.0  # a merged or repeated cell says "same project"; a new text says "next"


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


def align(pattern: Pattern, doc: Document, indicator_words: frozenset[str] = frozenset()) -> tuple[list[Step], Scorer]:
    """The best reading of the file's rows by the pattern (``indicator_words``: the 一级 /
    二级 names, so that a row shaped like an indicator is read as one or named)."""
    scorer = Scorer(pattern, doc, indicator_words)
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
        signal = _signal(scorer, rp, cells, i)
        if signal == "same" and new or signal == "new" and not new:
            penalty += CONTINUITY
    return penalty


def _owner(rp: RowPat, target: Target) -> Loop | None:
    head = target[0]
    for lp in reversed(rp.loops):
        if head in lp.vars:
            return lp
    return None


def _signal(scorer: Scorer, rp: RowPat, cells: list[Cell], i: int) -> str:
    """What ``cells`` (an outer loop's cell of row ``i`` read as ``rp``) say: "same" (merged
    from, or typed as, the row above), "new" (another text than the row above), "unknown"."""
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
    if (scorer.score(rp, k) or 0.0) <= 0.0:
        # the row above is no row of this grid (the first row under its heading: above it the
        # heading's upper row, 绩效指标 | 保障绩效目标实现措施, or another table): its text is
        # no earlier row's value, and the project's own cell (a 保障措施 column, printed
        # on the first indicator row and merged down) is no sign of the next project
        return "unknown"
    col = cells[0].col
    prev = next((c for c in scorer.items[k].cells if c.col <= col < c.col + c.span), None)
    if prev is not None and prev.norm == text:
        return "same"
    return "new"
