"""What was read, put where the data keeps it: each value at the field its view shows
(fields.py), typed as the form's model types that field (amounts exact, counts whole
numbers), hard readings before soft ones (a title's year only when no cell prints the
year), items with nothing read dropped, budget lines given their levels (lines.py), and
the place of every key kept for the messages."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any, Union

from pydantic import BaseModel

from ..loader import LineMap
from ..model import BudgetLine
from ..paths import format_path
from ..textnorm import name_key
from ..values import AMOUNT_UNITS, convert_amount, parse_amount
from .extract import Binding, Leftover, Reading
from .fields import Path, to_model
from .lines import infer_levels

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
    if typing.get_origin(tp) is list:
        sep = b.capture.sep if b.capture.kind == "list" and b.capture.sep and b.capture.sep.strip() else "\n"
        return [x.strip() for x in text.replace("\n", sep).split(sep) if x.strip()]
    return text


_MONEY = re.compile(r"\s*(亿元|万元|元)\s*$")
_NOTHING = {"", "—", "-", "－", "——", "/", "／", "无", "空"}


def amount_of(text: str) -> Decimal | str | None:
    """``1,734,952.06`` / ``350万元`` / ``—`` → Decimal / Decimal / None (text kept when it
    is no number: the checks then name the cell). The number as written: a unit typed with
    it (typed_unit) is weighed by assemble, which knows the column's unit."""
    t = _MONEY.sub("", text.strip())
    if t in _NOTHING:
        return None
    try:
        return parse_amount(t)
    except (ValueError, InvalidOperation):
        return text


def typed_unit(text: str) -> str | None:
    """The money unit written after a number in the cell (``250,000.00元`` → 元; an Excel
    number format ``#,##0.00"元"`` shows as such, read_xlsx.shown), None when none is."""
    m = _MONEY.search(str(text).strip())
    return m.group(1) if m else None


# ---------------------------------------------------------------------------- assembling


class Placed:
    """The data read from one file: plain values as a YAML file would give them, with the
    place of every key path."""

    def __init__(self, file: str) -> None:
        self.data: dict[str, Any] = {}
        self.lines = LineMap(file)
        self.inherited: set[Path] = set()
        self.conflicts: list[Leftover] = []
        self.notes: list[str] = []  # fields the form does not print, left empty or derived
        # amounts typed in another unit than their column's, converted: (cell, what was done)
        self.converted: list[tuple[str, str]] = []


def assemble(reading: Reading, model: type[BaseModel], form_unit: str, file: str, vocabulary: Any = None) -> Placed:
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
            _keep(out, p, v, b, hard, soft, values, vocabulary)
        if b.capture.unit_target is not None and b.capture.kind == "amount":
            # `x | amount(U)`: U is the unit the form prints amounts in
            ut = _unit_target(b)
            if ut is not None:
                units.append((ut, b))
    _reread([b for b in reading.bindings if b.reread is not None], soft, hard, values)
    _drop_defaults(hard, soft, values)
    for ut, b in units:
        if ut not in hard and ut not in soft:
            soft[ut] = b
            values[ut] = money
    kept = {**soft, **hard}
    for path, b in kept.items():
        if path[-1] in ("#label",):
            continue
        tp = type_at(model, path)
        value = _convert(values[path], tp, b)
        if isinstance(value, Decimal) and is_amount(model, path):
            value = _to_column_unit(value, str(values[path]), _column_unit(path, b, kept, values, money), b, out)
        _set(out.data, path, value)
        _place(out.lines, path, b)
    _budget_levels(out.data, model)
    _clean(out.data, out.inherited)
    if "year" not in out.data:
        year = _year_from_titles(reading)
        if year:
            out.data["year"] = year
    out.notes = level1_typed_as_level2(out.data, out.lines, model, vocabulary)
    out.notes += fill_required(out.data, model, vocabulary)
    return out


def _column_unit(path: Path, b: Binding, kept: dict[Path, Binding], values: dict[Path, Any], money: str) -> str:
    """The unit the number read at ``path`` is kept in, which is the unit its column is
    headed in: U of ``x | amount(U)`` (the form's unit unless the file says otherwise);
    for a plain ``x | amount``, the nearest ``budget.unit`` the file prints (Guizhou's
    ``预算资金（{{ project.budget.unit }}）``), else the form's unit (``项目预算（万元）``)."""
    ut = _unit_target(b) if b.capture.kind == "amount" else None
    candidates = [ut] if ut is not None else [(*path[:k], "budget", "unit") for k in range(len(path) - 1, -1, -1)]
    for c in candidates:
        if c in kept and c in values:
            return str(values[c]).strip()
    return money


def _to_column_unit(value: Decimal, text: str, column: str, b: Binding, out: Placed) -> Decimal:
    """An amount typed with a unit of its own (``250,000.00元`` in a column headed 万元, ``25万元``
    in one headed 元): converted exactly (a decimal shift, values.convert_amount) and said at
    its cell — never kept as the column's unit, 10 000 times off, without a word."""
    unit = typed_unit(text)
    if unit is None or unit == column or column not in AMOUNT_UNITS:
        return value
    converted = convert_amount(value, unit, column)
    out.converted.append(
        (b.place, f"“{text.strip()}”写的是{unit}，这一栏的金额单位是{column}：已换算成 {converted:f} {column}，请核对")
    )
    return converted


def level1_typed_as_level2(data: dict[str, Any], lines: LineMap, model: type[BaseModel], vocabulary: Any) -> list[str]:
    """A 一级 name (产出指标) read into 二级 where the form prints no 一级: the 一级 typed
    where a 二级 belongs (F2: a form that heads the column of its 二级 names 一级指标, and a clerk
    types 产出指标 there). It goes to ``level1``, at its cell; the 二级 is left empty, at the
    same cell, for the checks to ask for, and the import says so with the cells. A name that
    is also a 二级 of the tree (成本指标 under 产出指标) stays a 二级."""
    if vocabulary is None:
        return []
    moved: list[tuple[str, str]] = []  # (cell, name)
    for path, node in _items_with(data, ("level2",)):
        if any(str(k).startswith("level1") for k in node) or not isinstance(node.get("level2"), str):
            continue  # a 一级 read (or its label with a weight, 产出指标(50分): stage/imported.py)
        if type_at(model, (*path, "level1")) is not str:
            continue
        name = node["level2"]
        if vocabulary.node1(name) is None or vocabulary.owners_of(name):
            continue
        node["level1"], node["level2"] = name, ""
        at = (*path, "level2")
        if at in lines.places:
            lines.places[(*path, "level1")] = lines.places[at]
        if at in lines.lines:
            lines.lines[(*path, "level1")] = lines.lines[at]
        moved.append((lines.places.get(at) or format_path(at), name))
    if not moved:
        return []
    cells = "、".join(c for c, _ in moved[:3]) + (f" 等 {len(moved)} 格" if len(moved) > 3 else "")
    names = "、".join(dict.fromkeys(n for _, n in moved))
    return [
        f"{cells} 写的 {names} 是一级指标的名称，而表样这一栏印的是二级指标（如 数量指标、质量指标）："
        "读进了一级指标（level1），这几条的二级指标（level2）空着，请补上"
    ]


def _items_with(node: Any, keys: tuple[str, ...], path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The dicts in ``node`` holding all of ``keys``, with their paths."""
    if isinstance(node, dict):
        if all(k in node for k in keys):
            yield path, node
        for k, v in node.items():
            yield from _items_with(v, keys, (*path, k))
    elif isinstance(node, list):
        for i, x in enumerate(node):
            yield from _items_with(x, keys, (*path, i))


def _reread(rereads: list[Binding], soft: dict[Path, Binding], hard: dict[Path, Binding], values: dict[Path, Any]) -> None:
    """Soft passes read again with the values the other cells gave (extract.SoftRead):
    ``2019年度{area}{name}…表`` with the name known splits off the area. A text the default
    explains (the values fit) is no value of its own: ``title:`` is then left out, as the
    samples do, so that the title follows the year."""
    from .expr import literal_regex, resolve_target

    done: set[int] = set()
    for b in rereads:
        sr = b.reread
        if sr is None or id(sr) in done:
            continue
        done.add(id(sr))
        rx, fixed = sr.regex.pattern, set()
        for cap in sr.captures:
            mp = to_model(resolve_target(cap.target, sr.env))
            if mp in hard and cap.regex and cap.regex in rx and isinstance(values[mp], str | int):
                rx = rx.replace(cap.regex, f"(?P<{cap.group}>{literal_regex(str(values[mp]))})", 1)
                fixed.add(cap.group)
        m = re.match(rx, sr.text, re.S)
        if m is None:
            continue  # the known values do not fit the default: the text is a title of its own
        for cap in sr.captures:
            mp = to_model(resolve_target(cap.target, sr.env))
            if cap.group in fixed or mp is None or mp in hard:
                continue
            v = (m.group(cap.group) or "").strip()
            if v:
                soft[mp], values[mp] = replace(b, value=v, capture=cap), v
            elif mp in soft and soft[mp].reread is sr:
                del soft[mp]
                values.pop(mp, None)
        whole = to_model(sr.whole) if sr.whole is not None else None
        if whole is not None and whole in hard and values.get(whole) == sr.text.strip():
            del hard[whole]  # printed by the default


def _drop_defaults(hard: dict[Path, Binding], soft: dict[Path, Binding], values: dict[Path, Any]) -> None:
    """``a or b`` printed b's value: a holds nothing of its own (``signature.unit or
    department.name`` showing the department's name)."""
    for path, b in list(hard.items()):
        if b.instead is None:
            continue
        other = to_model(b.instead)
        if other is not None and other != path and (other in hard or other in soft) and values.get(other) == values.get(path):
            del hard[path]


def fill_required(data: dict[str, Any], model: type[BaseModel], vocabulary: Any = None) -> list[str]:
    """Required fields the file does not show: a 一级 from its 二级's place in the form's
    indicator tree when there is one, else an empty text to fill in — so the YAML loads and
    the checks say what is missing. Returns what was done, a line per kind of field."""
    done: dict[str, None] = {}  # what was done, once per kind of field (an ordered set)

    def walk(node: Any, tp: Any, path: Path) -> None:
        tp = _unwrap(tp)
        if isinstance(node, list):
            item = typing.get_args(tp)[0] if typing.get_origin(tp) is list else None
            for i, x in enumerate(node):
                walk(x, item, (*path, i))
            return
        if not (isinstance(node, dict) and isinstance(tp, type) and issubclass(tp, BaseModel)):
            return
        if not node and path[:-1] in _BLANK_ROW_LISTS:
            return  # a blank row `{}`: nothing is missing from it
        for name, f in tp.model_fields.items():
            if name in node:
                walk(node[name], f.annotation, (*path, name))
                continue
            if not f.is_required():
                continue
            ann = _unwrap(f.annotation)
            where = format_path(tuple("*" if isinstance(p, int) else p for p in (*path, name)))  # type: ignore[misc]
            label = (f.description or name).split("，")[0]
            if ann is str:
                owners = vocabulary.owners_of(node["level2"]) if vocabulary is not None and name == "level1" and node.get("level2") else []
                if len(owners) == 1:
                    node[name] = owners[0]
                    done[f"{where}（{label}）表上没有印：按二级指标在指标体系里的位置补上，请核对"] = None
                else:
                    node[name] = ""
                    done[f"{where}（{label}）表上没有印或没读到：导入时留空，请补上"] = None
            elif isinstance(ann, type) and issubclass(ann, BaseModel):
                node[name] = {}
                walk(node[name], ann, (*path, name))

    walk(data, model, ())
    return list(done)


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


def _same(path: Path, a: Any, b: Any, vocabulary: Any) -> bool:
    """Two readings of one field that agree: equal, or for 一级 / 二级 the same name of the
    tree (a form may print a 二级 twice, once as typed and once in its own spelling:
    ``row.level2`` and ``row.printed.level2``; full-width brackets and spaces aside)."""
    if a == b:
        return True
    if path[-1] not in ("level1", "level2") or not isinstance(a, str) or not isinstance(b, str):
        return False
    if vocabulary is None:
        return name_key(a) == name_key(b)
    name = vocabulary.canonical1 if path[-1] == "level1" else vocabulary.canonical2
    return bool(name(a) == name(b))


def _keep(
    out: Placed,
    path: Path,
    value: Any,
    b: Binding,
    hard: dict[Path, Binding],
    soft: dict[Path, Binding],
    values: dict[Path, Any],
    vocabulary: Any = None,
) -> None:
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
        if _same(path, values[path], value, vocabulary):
            return
        first = hard[path]
        if first.inherited and not b.inherited:
            # a 一级 / 二级 filled down from above (a merged cell, or one left blank by hand)
            # against this row's own cell in another column: the row's own cell is used, and
            # the one filled down named (a form printing 二级 twice, as Dongguan's does, said
            # nothing when its two columns disagreed)
            out.conflicts.append(Leftover(first.place, str(values[path]), f"与 {b.place} 的“{value}”不同，用了后者", first.order))
            hard[path] = b
            values[path] = value
            out.inherited.discard(path)
            return
        out.conflicts.append(Leftover(b.place, str(value), f"与 {first.place} 的“{values[path]}”不同，用了后者", b.order))
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


# the lists where an empty entry `{}` is a blank row (model.Budget): a row whose cells on that
# side are all empty, between filled ones, is read back as one, so that the two sides line up
# again as printed; empty rows after the last line are dropped as elsewhere
_BLANK_ROW_LISTS = (("budget", "expenditure"), ("budget", "income"))


def _clean(node: Any, inherited: set[Path], path: Path = ()) -> Any:
    """Drop what holds nothing: empty texts, items with nothing read (or only 一级 / 二级
    filled down from merged cells), and close the gaps in lists (in a budget side: only
    after its last line; a gap before is a blank row ``{}``)."""
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
        if path in _BLANK_ROW_LISTS:
            rows = [_clean(x, inherited, (*path, i)) for i, x in enumerate(node)]
            last = max((i for i, x in enumerate(rows) if not _empty(x)), default=-1)
            node[:] = [{} if _empty(x) else x for x in rows[: last + 1]]
            return node
        kept = [x for i, x in enumerate(node) if not _empty(_clean(x, inherited, (*path, i)))]
        node[:] = kept
        return node
    return node


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == [] or v == {}


def _budget_levels(data: dict[str, Any], model: type[BaseModel]) -> None:
    for path, lines in _lists(data):
        item = type_at(model, (*path, 0))
        if not (isinstance(item, type) and issubclass(item, BudgetLine)):
            continue
        if path in _BLANK_ROW_LISTS:  # a row with nothing on this side: a blank row, no level to infer
            lines[:] = [{} if _blank_row(x) else x for x in lines]
        if any(isinstance(x, dict) and "level" in x for x in lines):
            for x in lines:
                if isinstance(x, dict):
                    x.pop("#depth", None)
                    x.pop("#group", None)
            continue
        infer_levels([x for x in lines if isinstance(x, dict) and x])


def _blank_row(x: Any) -> bool:
    """Nothing read on this side of the row: no label, no amount, nothing else (the ``#``
    keys are how the label was printed)."""
    return x is None or (isinstance(x, dict) and all(_empty(v) for k, v in x.items() if not str(k).startswith("#")))


def _lists(node: Any, path: Path = ()) -> Iterator[tuple[Path, list[Any]]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _lists(v, (*path, k))
    elif isinstance(node, list):
        yield path, node
        for i, x in enumerate(node):
            yield from _lists(x, (*path, i))


def _year_from_titles(reading: Reading) -> int | None:
    for b in reading.bindings:
        if b.target and b.target[-1] == "title":
            m = re.search(r"(20[0-9]{2}|19[0-9]{2})\s*年", str(b.value))
            if m:
                return int(m.group(1))
    return None


__all__ = ["Placed", "amount_of", "assemble", "is_amount", "type_at"]
