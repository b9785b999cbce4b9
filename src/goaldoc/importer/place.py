"""What was read, put where the data keeps it.

Templates read views of the data (contract 1, views.py), so a value found through a view
goes back to the field it shows: ``indicator_rows[3].value_text`` is ``indicators[3].value``,
``value_parts[0]`` its sign, ``budget_rows[2].income.label`` the third income line,
``department.label`` (``307-县人社局部门``) the department's code and short name,
``department_total`` its total, ``p.rows`` a project's indicators. Values take the type the
form's model gives their field (amounts exact, counts whole numbers); budget lines get the
level their label and the amounts tell when the form does not print it (合计 0, 一、 1,
其中 a level below, a 其中 line that is not an addend is ``partial``).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, Union

from pydantic import BaseModel

from ..loader import LineMap
from ..model import BudgetLine
from ..values import parse_amount
from .expr import Target
from .match import Binding, Leftover, Reading

Path = tuple[str | int, ...]


# ---------------------------------------------------------------------------- views → fields


def to_model(t: Target) -> Path | None:
    """The data path a context path shows (None: computed, nothing to keep)."""
    head, rest = t[0], list(t[1:])
    if head in ("loop", "only", "show", "empty", "item"):
        return None
    if head == "form":
        return ("#form", *rest) if rest == ["amount_unit"] else None
    if head == "department_total":
        return ("department", "total")
    if head == "indicator_rows":
        return _indicator(("indicators",), rest)
    if head == "budget_rows":
        if len(rest) < 2 or not isinstance(rest[0], int) or rest[1] not in ("expenditure", "income"):
            return None
        return _line(("budget", str(rest[1])), [rest[0], *rest[2:]])
    if head == "department":
        if rest[:1] == ["label"]:
            return ("department", "#label")
        if len(rest) >= 2 and rest[0] == "lines":
            return _line(("department", str(rest[1])), rest[2:])
        return ("department", *rest)
    if head == "budget":
        if rest[:1] in (["expenditure"], ["income"]):
            return _line(("budget", str(rest[0])), rest[1:])
        if rest[:1] == ["total"]:
            return None
        return ("budget", *rest)
    if head == "projects":
        return _project(("projects",), rest)
    if head == "units":
        if len(rest) < 2 or not isinstance(rest[0], int):
            return None
        base: Path = ("units", rest[0])
        if rest[1] == "label":
            return (*base, "#label")
        if rest[1] == "money_unit":
            return None
        if rest[1] == "projects":
            return _project((*base, "projects"), rest[2:])
        return (*base, *rest[1:])
    return (str(head), *rest)


def _project(base: Path, rest: list[Any]) -> Path | None:
    if not rest:
        return base
    if not isinstance(rest[0], int):
        return None
    p = (*base, rest[0])
    tail = rest[1:]
    if not tail:
        return p
    if tail[0] in ("number", "unit"):
        return None
    if tail[0] == "money_unit":
        return (*p, "budget", "unit")
    if tail[0] == "rows":
        return _indicator((*p, "indicators"), tail[1:])
    if tail[0] == "indicators":
        return _indicator((*p, "indicators"), tail[1:])
    if tail[0] == "lines" and len(tail) >= 2:
        return _line((*p, str(tail[1])), tail[2:])
    return (*p, *tail)


def _indicator(base: Path, rest: list[Any]) -> Path | None:
    if not rest:
        return base
    if not isinstance(rest[0], int):
        return None
    p = (*base, rest[0])
    tail = rest[1:]
    if not tail:
        return p
    f = tail[0]
    if f == "index":
        return None
    if f == "value_text":
        return (*p, "value")
    if f == "value_parts":
        if len(tail) < 2 or tail[1] not in (0, 1, 2):
            return None
        return (*p, ("sign", "value", "unit")[tail[1]])
    return (*p, *tail)


def _line(base: Path, rest: list[Any]) -> Path | None:
    if not rest:
        return base
    if not isinstance(rest[0], int):
        return None
    p = (*base, rest[0])
    tail = rest[1:]
    if not tail:
        return p
    f = tail[0]
    if f == "group_key":
        return None
    if f == "depth":
        return (*p, "level")
    if f in ("indented", "group"):
        return (*p, f"#{f}")
    return (*p, *tail)


# ---------------------------------------------------------------------------- the model's types


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def is_amount(model: type[BaseModel], path: Path) -> bool:
    """The field at ``path`` is an amount (model.Amount), not another decimal (a weight)."""
    from ..model import _to_amount

    tp: Any = model
    meta: list[Any] = []
    for part in path:
        tp = _unwrap(tp)
        meta = []
        if isinstance(part, int):
            if typing.get_origin(tp) is not list:
                return False
            tp = typing.get_args(tp)[0]
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            f = tp.model_fields[part]
            tp, meta = f.annotation, list(f.metadata)
        else:
            return False
    stack = [tp]
    while stack:
        t = stack.pop()
        if typing.get_origin(t) is typing.Annotated:
            meta += list(t.__metadata__)
            stack.append(typing.get_args(t)[0])
        elif typing.get_origin(t) in (Union, types.UnionType):
            stack += list(typing.get_args(t))
    return any(getattr(m, "func", None) is _to_amount for m in meta)


def type_at(model: type[BaseModel], path: Path) -> Any:
    """The (unwrapped) annotation of the field at ``path`` in ``model``; None if none."""
    tp: Any = model
    for part in path:
        tp = _unwrap(tp)
        if isinstance(part, int):
            if typing.get_origin(tp) is not list:
                return None
            tp = typing.get_args(tp)[0]
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            f = tp.model_fields.get(part)
            if f is None:
                return None
            tp = f.annotation
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    return _unwrap(tp)


def _convert(value: Any, tp: Any, b: Binding) -> Any:
    if isinstance(value, list):
        return value
    text = str(value).strip()
    if tp is Decimal:
        return amount_of(text)
    if tp is int:
        digits = re.sub(r"[\s,，]", "", text)
        m = re.fullmatch(r"([0-9]+)(?:\.0+)?(?:人|个|家|户|名)?", digits)
        return int(m.group(1)) if m else text
    if tp is bool:
        return text in ("是", "true", "True", "1", "☑")
    if typing.get_origin(tp) is list and b.capture.kind != "list":
        return [x.strip() for x in text.split("\n") if x.strip()]
    return text


_MONEY = re.compile(r"\s*(亿元|万元|元)\s*$")
_NOTHING = {"", "—", "-", "－", "——", "/", "／", "无", "空"}


def amount_of(text: str) -> Decimal | str | None:
    """``1,734,952.06`` / ``350万元`` / ``—`` → Decimal / Decimal / None (text kept when it
    is no number: the checks then name the cell)."""
    t = _MONEY.sub("", text.strip())
    if t in _NOTHING:
        return None
    try:
        return parse_amount(t)
    except (ValueError, InvalidOperation):
        return text


# ---------------------------------------------------------------------------- assembling


class Placed:
    """The data read from one file: plain values as a YAML file would give them, with the
    place of every key path."""

    def __init__(self, file: str) -> None:
        self.data: dict[str, Any] = {}
        self.lines = LineMap(file)
        self.inherited: set[Path] = set()
        self.conflicts: list[Leftover] = []


def assemble(reading: Reading, model: type[BaseModel], form_unit: str, file: str) -> Placed:
    out = Placed(file)
    hard: dict[Path, Binding] = {}
    soft: dict[Path, Binding] = {}
    values: dict[Path, Any] = {}
    money = next((str(b.value) for b in reading.bindings if b.target == ("form", "amount_unit")), None) or form_unit
    units: list[tuple[Path, Binding]] = []
    for b in reading.bindings + reading.implied:
        path = to_model(b.target)
        if path is None or path[0] == "#form":
            continue
        for p, v in _special(path, b):
            _keep(out, p, v, b, hard, soft, values)
        if b.capture.unit_target is not None and b.capture.kind == "amount":
            # `x | amount(U)`: U is the unit the form prints amounts in
            ut = _unit_target(b)
            if ut is not None:
                units.append((ut, b))
    for ut, b in units:
        if ut not in hard and ut not in soft:
            soft[ut] = b
            values[ut] = money
    for path, b in {**soft, **hard}.items():
        if path[-1] in ("#label",):
            continue
        tp = type_at(model, path)
        _set(out.data, path, _convert(values[path], tp, b))
        _place(out.lines, path, b)
    _budget_levels(out.data, model)
    _clean(out.data, out.inherited)
    if "year" not in out.data:
        year = _year_from_titles(reading)
        if year:
            out.data["year"] = year
    return out


def _unit_target(b: Binding) -> Path | None:
    return to_model(b.unit_target) if b.unit_target is not None else None


def _special(path: Path, b: Binding) -> Iterator[tuple[Path, Any]]:
    """``department.label`` / ``units[i].label`` (``307003-某某中心``) → code and name."""
    if path[-1] != "#label":
        yield path, b.value
        return
    base = path[:-1]
    text = str(b.value).strip()
    m = re.match(r"^([0-9A-Za-z]+)\s*[-－—]\s*(.+)$", text)
    code, name = (m.group(1), m.group(2).strip()) if m else (None, text)
    if code:
        yield (*base, "code"), code
    if base == ("department",):
        yield (*base, "#short_name"), name
    else:
        yield (*base, "name"), name


def _keep(out: Placed, path: Path, value: Any, b: Binding, hard: dict[Path, Binding], soft: dict[Path, Binding], values: dict[Path, Any]) -> None:
    if path[-1] == "#short_name":
        # the short name, unless the label prints the department's name itself
        name_path = (*path[:-1], "name")
        if values.get(name_path) == value:
            return
        path = (*path[:-1], "short_name")
    if path[-1] in ("#indented",):
        path = (*path[:-1], "label")
        depth = (len(str(value)) - len(str(value).lstrip("\u3000 "))) // 2
        value = str(value).strip()
        values.setdefault((*path[:-1], "#depth"), depth)
    if b.soft:
        if path not in soft and path not in hard:
            soft[path] = b
            values.setdefault(path, value)
        return
    if path in hard:
        if values[path] != value and not b.capture.merge:
            out.conflicts.append(Leftover(b.place, str(value), f"与 {hard[path].place} 的“{values[path]}”不同，用了后者", b.order))
        return
    hard[path] = b
    values[path] = value
    if b.inherited:
        out.inherited.add(path)


def _set(data: dict[str, Any], path: Path, value: Any) -> None:
    node: Any = data
    for part, nxt in zip(path, (*path[1:], None), strict=True):
        if nxt is None:
            if isinstance(part, int):
                while len(node) <= part:
                    node.append({})
                node[part] = value
            else:
                node[part] = value
            return
        child_empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append(None)
            if node[part] is None:
                node[part] = child_empty
            node = node[part]
        else:
            if part not in node:
                node[part] = child_empty
            node = node[part]


def _place(lines: LineMap, path: Path, b: Binding) -> None:
    """The cell of ``path``; the row of its first value for each shorter path (an
    indicator, the indicator list, the department), so that a problem about a whole item
    or list still points at the file."""
    lines.places.setdefault(path, b.place)
    lines.lines.setdefault(path, b.order)
    row = re.sub(r" 第 \d+ 列$", "", b.place)
    for k in range(len(path) - 1, 0, -1):
        lines.places.setdefault(path[:k], row)
        lines.lines.setdefault(path[:k], b.order)


def _clean(node: Any, inherited: set[Path], path: Path = ()) -> Any:
    """Drop what holds nothing: empty texts, items with nothing read (or only 一级 / 二级
    filled down from merged cells), and close the gaps in lists."""
    if isinstance(node, dict):
        for k in list(node):
            v = _clean(node[k], inherited, (*path, k))
            if _empty(v):
                del node[k]
            else:
                node[k] = v
        if node and all((*path, k) in inherited for k in node):
            node.clear()
        return node
    if isinstance(node, list):
        kept = [x for i, x in enumerate(node) if not _empty(_clean(x, inherited, (*path, i)))]
        node[:] = kept
        return node
    return node


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == [] or v == {}


# ---------------------------------------------------------------------------- budget lines

_TOTAL = re.compile(r"^(合\s*计|总\s*计|小\s*计)|(资金|支出|收入|预算)?总额|^合计")
_NUMBERED = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")
_SUB_NUMBERED = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_DIGIT_NUMBERED = re.compile(r"^[0-9]+\s*[、.．]")
_OF_WHICH = re.compile(r"^(其中|含)\s*[:：]?")


def _budget_levels(data: dict[str, Any], model: type[BaseModel]) -> None:
    for path, lines in _lists(data):
        item = type_at(model, (*path, 0))
        if not (isinstance(item, type) and issubclass(item, BudgetLine)):
            continue
        if any(isinstance(x, dict) and "level" in x for x in lines):
            for x in lines:
                if isinstance(x, dict):
                    x.pop("#depth", None)
                    x.pop("#group", None)
            continue
        infer_levels([x for x in lines if isinstance(x, dict)])


def _lists(node: Any, path: Path = ()) -> Iterator[tuple[Path, list[Any]]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _lists(v, (*path, k))
    elif isinstance(node, list):
        yield path, node
        for i, x in enumerate(node):
            yield from _lists(x, (*path, i))


def infer_levels(lines: list[dict[str, Any]]) -> None:
    """Levels from the labels (and ``#group`` / ``#depth`` when the form printed them), then
    ``partial`` for the lines of a 其中 group that are not among the addends of their parent:
    beside numbered lines (合计 → 其中:政府采购支出, 一、基本支出, 二、项目支出 …), or when the
    parent's amount is the sum of the other lines only."""
    prev_level = 0
    group: int | None = None  # the index of the 其中 line that opened the group
    groups: dict[int, int] = {}
    for i, line in enumerate(lines):
        label = str(line.get("label", "")).strip()
        depth = line.pop("#depth", None)
        parent = line.pop("#group", None)
        if parent:
            level = 2
        elif depth:
            level = int(depth) + 1
        elif _TOTAL.search(label):
            level, group = 0, None
        elif _NUMBERED.match(label):
            level, group = 1, None
        elif _OF_WHICH.match(label):
            level, group = prev_level + 1, i
        elif _SUB_NUMBERED.match(label) or _DIGIT_NUMBERED.match(label):
            level = 2
        elif group is not None:
            level = lines[group]["level"]
        else:
            level = 1
        line["level"] = min(level, 3)
        if group is not None and line["level"] == lines[group]["level"]:
            groups[i] = group
        prev_level = line["level"]
    for i, parent_line in enumerate(lines):
        kids = []
        for j in range(i + 1, len(lines)):
            if lines[j]["level"] <= parent_line["level"]:
                break
            if lines[j]["level"] == parent_line["level"] + 1:
                kids.append(j)
        part = [j for j in kids if j in groups]
        if not part:
            continue
        if any(_NUMBERED.match(str(lines[j].get("label", ""))) for j in kids if j not in groups):
            # 其中 beside 一、二、三、: the numbered lines are the parts that add up
            for j in part:
                lines[j]["partial"] = True
            continue
        total = _amount(parent_line)
        amounts = [_amount(lines[j]) for j in kids]
        if total is None or any(a is None for a in amounts) or sum(a for a in amounts if a is not None) == total:
            continue
        rest = [a for j, a in zip(kids, amounts, strict=True) if j not in groups]
        if part and rest and sum(a for a in rest if a is not None) == total:
            for j in part:
                lines[j]["partial"] = True


def _amount(line: dict[str, Any]) -> Decimal | None:
    v = line.get("amount")
    return v if isinstance(v, Decimal) else None


def _year_from_titles(reading: Reading) -> int | None:
    for b in reading.bindings:
        if b.target and b.target[-1] == "title":
            m = re.search(r"(20[0-9]{2}|19[0-9]{2})\s*年", str(b.value))
            if m:
                return int(m.group(1))
    return None


__all__ = ["Placed", "amount_of", "assemble", "infer_levels", "is_amount", "printed_fields", "to_model", "type_at"]


def printed_fields(pattern: Any) -> set[Path]:
    """The data paths a form prints (list indices as ``*``): what a filled file can give
    back. A field the form does not print (a form whose title is fixed text prints no ``title``) cannot be imported."""
    from .match import _resolve

    out: set[Path] = set()

    def add(t: Target) -> None:
        p = to_model(t)
        if p is None or p[0] == "#form":
            return
        last = p[-1]
        if last == "#label":
            base = p[:-1]
            paths = [(*base, "code"), (*base, "short_name" if base == ("department",) else "name")]
        elif last == "#indented":
            paths = [(*p[:-1], "label")]
        elif last == "#group":
            paths = []
        else:
            paths = [p]
        for q in paths:
            wild = tuple("*" if isinstance(x, int) else x for x in q)
            out.add(wild)
            if wild[-1] == "label":
                out.update({(*wild[:-1], "level"), (*wild[:-1], "partial")})

    for rp in pattern.rows:
        env: dict[str, Target] = {}
        for lp in rp.loops:
            if lp.target is None:
                break
            base = _resolve(lp.target, env)
            for v in lp.vars:
                env[v] = (*base, 0)
        for cp in rp.cells:
            r = cp.reader
            for p in r.passes:
                for cap in p.captures:
                    add(_resolve(cap.target, env))
                    if cap.unit_target is not None:
                        add(_resolve(cap.unit_target, env))
                for imp in p.implications:
                    add(_resolve(imp.target, env))
            if r.listing is not None:
                base = _resolve(r.listing.target, env)
                add((*base, 0))
                inner = {**env, r.listing.var: (*base, 0)}
                for cap in r.listing.body.captures:
                    add(_resolve(cap.target, inner))
        for cond, k in rp.branches:
            for target, _value in cond.branches[k][0]:
                add(_resolve(target, env))
    return out
