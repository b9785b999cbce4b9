"""What the aligned rows hold: each template cell's captures, resolved to the context
path they print (``row.level1`` in the 4th indicator row → ``indicator_rows[3].level1``),
one 一级 / 二级 filled down from the merged cell above, and what could not be placed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .cells import Scorer, _text, loose_label_value, similar
from .document import Cell, Item, norm_label
from .expr import CHECKED, Capture, ListPass, Target, resolve_target
from .match import Step, _owner
from .pattern import CellPat, Cond, Loop, Node, RowPat

_UNHEADED = "这一格上面的表头空着，表样里没有这一栏（没有接在左边一格的值后面）"
_BLANK = re.compile(r"[＿_\s—\-－.…]*")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


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
    reread: SoftRead | None = None  # the soft pass it came from, to read again with what is known
    instead: Target | None = None  # `a or b`: b, resolved (a equal to b is dropped)


@dataclass(eq=False)
class SoftRead:
    """A soft pass that matched (``title or (year ~ '年度' ~ area ~ name ~ '…表')``): read
    again once the other cells are known, with their values in place of their groups, so
    that two fields side by side (area, name) split where they really do."""

    regex: Any
    captures: list[Capture]
    text: str
    env: dict[str, Target]
    whole: Target | None = None  # the `title` of `title or (…)`: the default explains it when this pass fits


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
    notes: list[str] = field(default_factory=list)  # labels read though typed a little differently


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
            if repeated_heading:  # typed again after a page break: its unknown headings named again
                h = next(h for h in scorer.heading_pats if step.item in scorer.heading_rows(h))
                ha = scorer.assign(h, step.item)
                for cp, cells in ha.pairs if ha is not None else []:
                    odd = _unread_label(cp, cells, scorer)
                    if odd is not None:
                        out.leftovers.append(Leftover(cells[0].place, _text(cells), odd, item.order))
            if not item.empty and item.kind != "sheet" and not repeated_heading:
                why = "这一行在表样里找不到对应的栏目"
                if item.kind == "row" and scorer.indicator_words and scorer.indicator_shaped(item):
                    why = "这一行像一条绩效指标（有一级、二级指标的名称），但上面没有表样认得的指标表头（一级指标、二级指标、三级指标、指标值…），没有读"
                out.leftovers.append(Leftover(_row_place(item, scorer.doc.fmt), item.snippet(80), why, item.order))
            continue
        out.rows_read += 1
        out.score += a.score
        env = _env(rp, counters)
        if env is None:
            continue
        for cond, k in rp.branches:
            if cond.branches[k][0] and _preferred(scorer, cond, k, rp, step.item):
                for target, value in cond.branches[k][0]:
                    out.implied.append(Binding(resolve_target(target, env), value, Capture("", target), item.place, item.order, soft=True))
        for cp, cells in a.pairs:
            odd = _unread_label(cp, cells, scorer)
            if odd is not None:
                out.leftovers.append(Leftover(cells[0].place, _text(cells), odd, item.order))
                continue
            near = _near_label(cp, cells)
            if near is not None and near not in out.notes:
                out.notes.append(near)
            got = _read_cell(cp, cells, env, rp, counters, last, item)
            if got is None:
                if cells and _text(cells).strip():
                    texts = _text(cells)
                    out.leftovers.append(Leftover(cells[0].place, texts, "这一格的文字和表样对不上", item.order))
                continue
            out.bindings += got
        for c in a.extra:
            if c.norm and not c.continued and scorer.repeated([c]) and any(rp is h for h in scorer.heading_pats):
                continue  # a heading's label typed again under itself (a second heading row not merged): read above
            why = _UNHEADED if id(c) in scorer.unheaded else "这一格在表样里没有对应的栏目"
            out.leftovers.append(Leftover(c.place, c.text, why, item.order))
        out.notes += [n for n in a.notes if n not in out.notes]  # a column read by its place
    return out


def _row_place(item: Item, fmt: str) -> str:
    """Where a row left over is: in a sheet, its one filled cell when it has one
    (``Sheet1!A20``, where a clerk goes to it), else the row."""
    filled = [c for c in item.cells if c.text.strip() and not c.continued]
    return filled[0].place if fmt == "xlsx" and item.kind == "row" and len(filled) == 1 else item.place


def _compared(cells: list[Cell], text: str) -> str:
    """The text cells are compared by: a heading's other spelling is the form's (headings.py)."""
    return cells[0].norm if len(cells) == 1 else norm_label(text)


def _near_label(cp: CellPat, cells: list[Cell]) -> str | None:
    """A label or heading read as the form's though typed a little differently (三级指际 for
    三级指标): said, with its cell, so that a clerk can see the column was taken for the
    form's (issue 17: nothing read silently by a guess)."""
    lit = cp.reader.literal
    if not lit or not cells or cp.continued:
        return None
    text = _text(cells).strip()
    norm = _compared(cells, text)
    if not text or norm == lit or similar(norm, lit) < 0.8:
        return None
    return f"{cells[0].place} 的“{text}”和表样的“{lit}”不完全一样，按“{lit}”读了：不对的话请改正这一格后再导入"


def _unread_label(cp: CellPat, cells: list[Cell], scorer: Scorer) -> str | None:
    """Why a text in a cell where the form prints a fixed text (a label, a heading) or
    nothing is not read, if it is not the form's own text there (None: nothing to say)."""
    r = cp.reader
    if not cells or (r.literal is None and not cp.continued):
        return None
    text = _text(cells).strip()
    if not text or all(c.continued for c in cells):
        return None
    norm = _compared(cells, text)
    if cp.continued or r.literal == "":
        if norm in scorer.labels or norm == r.literal or (cp.continued and scorer.repeated(cells)):
            return None  # a label typed again on every row; the text above typed again where the form merges
        return "表样这一格不印数据（空白或上一格合并下来），这里写的字没有读"
    lit = r.literal or ""
    if norm == lit or similar(norm, lit) >= 0.8:
        return None
    return (  # what the clerk can do; then, for whoever keeps the form folders, how to make it known
        f"表样这里是“{lit}”，这一格的字对不上任何表头或标签，它下面（或右边）的数没有按位置读：请把这一格改成表样上印的“{lit}”再导入。"
        "管理模板的同事：同一个意思的写法可以加在表样 form.yaml 的 import.headings 里。"
    )


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
        base = resolve_target(lp.target, env)
        index = lp.offset + counters.get(lp.id, 0)
        for v in lp.vars:
            env[v] = (*base, index)
    return env


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
    text = (cells[0].read_as or cells[0].text if len(cells) == 1 else _text(cells)).strip()
    place = cells[0].place if cells else item.place
    cont = bool(cells) and all(c.continued for c in cells)
    if r.literal is not None or cp.continued:
        return []  # a label (its fit was scored)
    if r.listing is not None:
        return _read_list(r.listing, text, env, place, item.order)
    inner = rp.loops[-1] if rp.loops else None
    merge_caps = [c for c in r.captures if c.merge and inner is not None and _owner(rp, c.target) is inner]
    if not cont and not text:
        # a budget line's group left blank is no group, not the one above: a level-0 / 1
        # line prints none (views.line_views), and would be read back a level too deep
        merge_caps = [c for c in merge_caps if c.target[-1] != "group"]
    if (cont or not text) and merge_caps:
        # a merged (or, by hand, left blank) 一级 / 二级: the one above
        out = []
        for cap in merge_caps:
            key = _fill_key(rp, cap, counters)
            if key in last:
                out.append(Binding(resolve_target(cap.target, env), last[key], cap, place, item.order, inherited=True))
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
                out.append(Binding(resolve_target(p.captures[0].target, env), loose, p.captures[0], place, item.order))
                break
            continue
        groups = m.groupdict()
        reread = None
        if n > 0 and r.fallback:
            first = r.passes[0].captures[0] if r.passes[0].captures else None
            reread = SoftRead(p.regex, p.captures, text, env, resolve_target(first.target, env) if first else None)
        for cap in p.captures:
            value = groups.get(cap.group)
            if value is None:
                continue
            value = value.strip()
            if cap.kind == "choice":
                if value and value in CHECKED:
                    out.append(Binding(resolve_target(cap.target, env), cap.choice, cap, place, item.order, cap.soft))
                continue
            if value == "" or (cap.kind == "blank" and _BLANK.fullmatch(value)):
                continue  # nothing, or the line left to sign on paper
            if cap.offset:
                value = str(int(value.translate(_DIGITS)) + cap.offset)
            unit = resolve_target(cap.unit_target, env) if cap.unit_target is not None else None
            instead = resolve_target(cap.instead, env) if cap.instead is not None else None
            out.append(Binding(resolve_target(cap.target, env), value, cap, place, item.order, cap.soft, unit_target=unit, reread=reread, instead=instead))
            if cap.merge and inner is not None and _owner(rp, cap.target) is inner:
                last[_fill_key(rp, cap, counters)] = value
        if text:
            for imp in p.implications:
                if groups.get(imp.marker) is not None:
                    out.append(Binding(resolve_target(imp.target, env), imp.value, Capture("", imp.target), place, item.order, True))
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
    base = resolve_target(lp.target, env)
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
                out.append(Binding(resolve_target(cap.target, inner), v.strip(), cap, place, order))
    return out
