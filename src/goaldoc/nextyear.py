"""Next year's file from last year's: ``goaldoc init 2025/x.yaml --from 2024/x.yaml`` (issue 13 item 1).

What changes: ``year``; the years in the titles (表题, 封面, 目录, project 表题) move with it,
a range such as ``2024-2026年`` only when it no longer holds the new year; 填报日期 is
cleared. Amounts are kept, or cleared with ``clear_amounts``. Everything else, comments and
layout included, stays byte for byte: the file is edited where the values are, at the
positions PyYAML's composer gives each scalar, not dumped again.

Why not a round-trip dumper (ruamel.yaml): it keeps comments and key order, but it writes
the whole file again with one indentation for all lists, and the samples mix two
(``projects:`` with its items at the key's column in jingyan.yaml, two columns deeper
elsewhere): round-tripped unchanged, jingyan.yaml came back with 319 changed lines and its
comments shifted. A clerk comparing this year's file with last year's should see only what
goaldoc changed.

How the file remembers which numbers came from last year: a top-level ``carried:`` mapping
(key path → last year's value, one per line, with a comment saying how to finish).
`goaldoc check` gives a 提醒 (W311) for every number that still equals its carried value;
once the clerk changes a number the 提醒 goes, and one that really stays the same is
confirmed by deleting its line. See :func:`goaldoc.checks.text.carried_numbers_are_checked`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from .errors import InputError, Problem
from .model import DepartmentYear
from .paths import Path_, format_path

# the money fields of the model, by the class that holds them; and the two counts
AMOUNT_FIELDS = {
    "BudgetLine": ("amount",),
    "Task": ("funds",),
    "ProjectBudget": ("total", "fiscal", "other"),
    "Unit": ("total",),
    "Department": ("total",),
}
COUNT_FIELDS = {"Department": ("staff_count", "subunit_count")}

_YEARS = re.compile(
    r"(?<!\d)(?P<lo>20\d\d)(?P<sep>\s*年?\s*[-－—–~～至到]\s*)(?P<hi>20\d\d)(?!\d)|(?<!\d)(?P<one>20\d\d)(?!\d)"
)

MARKER = "# ---- 上年数字"


@dataclass
class NextYear:
    """The new file's text and what was done to it (for the CLI to say)."""

    text: str
    year: int
    from_year: int
    titles: list[str] = field(default_factory=list)  # key paths whose year moved
    carried: list[str] = field(default_factory=list)  # key paths listed under carried:
    cleared: list[str] = field(default_factory=list)  # key paths emptied (date, amounts)
    mentions: list[tuple[str, int | None]] = field(default_factory=list)  # text still naming the old year


def year_from_path(path: str | Path) -> int | None:
    """2025 for ``2025/nongye.yaml``, ``2025年/x.yaml`` or ``nongye2025.yaml``: the file name
    first, then the folders from the nearest one. None when the path names no year."""
    p = Path(path)
    m = re.search(r"(?<!\d)(20\d\d)(?!\d)", p.stem)
    if m:
        return int(m[1])
    for part in reversed(p.parent.parts):
        m = re.fullmatch(r"(20\d\d)(?:年度?)?", part)
        if m:
            return int(m[1])
    return None


def move_years(text: str, old: int, new: int) -> str:
    """``2024年某某市…`` → ``2025年某某市…``; a range keeps its years while it holds ``new``."""

    def one(m: re.Match[str]) -> str:
        if m["one"]:
            return str(new) if int(m["one"]) == old else m[0]
        lo, hi = int(m["lo"]), int(m["hi"])
        if lo <= new <= hi:
            return m[0]
        return f"{lo + new - old}{m['sep']}{hi + new - old}"

    return _YEARS.sub(one, text)


def numbers(model: DepartmentYear, counts: bool = True) -> list[tuple[Path_, Decimal, str]]:
    """Every amount (and count) that has a value: (path, value, what it is, for a comment)."""
    out: list[tuple[Path_, Decimal, str]] = []

    def walk(obj: Any, path: Path_, owner: str) -> None:
        if isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, (*path, i), owner)
            return
        if not isinstance(obj, BaseModel):
            return
        kind = _kind(obj)
        label = getattr(obj, "label", None) or getattr(obj, "name", None) or owner
        wanted = AMOUNT_FIELDS.get(kind, ()) + (COUNT_FIELDS.get(kind, ()) if counts else ())
        for name, info in type(obj).model_fields.items():
            value = getattr(obj, name)
            if name in wanted and value is not None:
                if kind == "BudgetLine":  # 支出 合计 / 收入 一、财政拨款
                    what = ("支出 " if "expenditure" in path else "收入 ") + str(label)
                else:
                    field = (info.description or name).split("（")[0].split(" / ")[0]
                    what = f"{_short(str(label))} {field}".strip()
                out.append(((*path, name), Decimal(value), what))
            elif isinstance(value, BaseModel | list):
                walk(value, (*path, name), str(label) if kind in ("Project", "Unit") else owner)

    walk(model, (), "")
    return out


def _kind(obj: BaseModel) -> str:
    """The model.py class a form's model derives from (forms add fields in subclasses)."""
    return next((c.__name__ for c in type(obj).__mro__ if c.__module__ == "goaldoc.model"), type(obj).__name__)


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _titles(model: DepartmentYear) -> list[Path_]:
    paths: list[Path_] = [("title",), ("cover", "title")]
    paths += [("contents", i, "title") for i in range(len(model.contents))]
    paths += [("projects", i, "title") for i in range(len(model.projects))]
    for u, unit in enumerate(model.units):
        paths += [("units", u, "projects", j, "title") for j in range(len(unit.projects))]
    return paths


def _nodes(root: yaml.Node) -> dict[Path_, yaml.Node]:
    """Every value node by key path (keys as goaldoc's loader reads them)."""
    out: dict[Path_, yaml.Node] = {}

    def walk(node: yaml.Node, path: Path_) -> None:
        out[path] = node
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, (*path, str(k.value)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    walk(root, ())
    return out


def _strings(obj: Any, path: Path_) -> list[tuple[Path_, str]]:
    if isinstance(obj, str):
        return [(path, obj)]
    if isinstance(obj, list):
        return [s for i, x in enumerate(obj) for s in _strings(x, (*path, i))]
    if isinstance(obj, BaseModel):
        return [s for name in type(obj).model_fields for s in _strings(getattr(obj, name), (*path, name))]
    return []


def next_year(
    source: str | Path,
    year: int | None = None,
    clear_amounts: bool = False,
    form: str | None = None,
    templates: str | Path | None = None,
) -> NextYear:
    """The text of next year's file made from ``source`` (nothing is written).

    Raises :class:`InputError` with last year's problems when it cannot be read (a schema
    problem or a YAML mistake); the finance bureau's rules do not stop it.
    """
    from .loader import decode
    from .loading import load
    from .yamlparse import PureLoader

    loaded = load(source, templates)  # every YAML or schema problem, in Chinese, located
    model = loaded.model
    text = decode(Path(source).read_bytes(), str(source))
    old = model.year
    new = year if year is not None else old + 1
    loader = PureLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    assert root is not None  # load() above read the same text
    nodes = _nodes(root)
    result = NextYear("", new, old)
    edits: list[tuple[int, int, str]] = []

    def scalar(path: Path_) -> yaml.ScalarNode | None:
        node = nodes.get(path)
        return node if isinstance(node, yaml.ScalarNode) else None

    def blank(path: Path_) -> None:
        node = scalar(path)
        if node is not None and node.value != "":
            edits.append((node.start_mark.index, node.end_mark.index, ""))
            result.cleared.append(format_path(path))

    year_node = scalar(("year",))
    assert year_node is not None  # the schema requires it
    edits.append((year_node.start_mark.index, year_node.end_mark.index, str(new)))
    if form and form != model.form:
        form_node = scalar(("form",))
        if form_node is not None:
            edits.append((form_node.start_mark.index, form_node.end_mark.index, form))
        else:
            edits.append((year_node.end_mark.index, year_node.end_mark.index, f"\nform: {form}"))
    for path in _titles(model):
        node = scalar(path)
        if node is None:
            continue
        src = text[node.start_mark.index : node.end_mark.index]
        moved = move_years(src, old, new)
        if moved != src:
            edits.append((node.start_mark.index, node.end_mark.index, moved))
            result.titles.append(format_path(path))
    blank(("signature", "date"))

    carried = numbers(model, counts=True)
    if clear_amounts:
        for path, _value, _what in numbers(model, counts=False):
            blank(path)
        counts = {name for names in COUNT_FIELDS.values() for name in names}
        carried = [c for c in carried if c[0][-1] in counts]
    edits += _drop_carried(text, root)

    for start, end, new_text in sorted(edits, reverse=True):
        text = text[:start] + new_text + text[end:]
    if carried:
        text = text.rstrip("\n") + "\n\n" + _carried_block(carried, source, old)
        result.carried = [format_path(p) for p, _v, _w in carried]

    done: set[Path_] = {*_titles(model), ("signature", "date")}
    result.mentions = [
        (format_path(p), loaded.lines.line_of(p))
        for p, s in _strings(model, ())
        if p not in done and p[0] not in ("accepted", "carried") and str(old) in s
        and re.search(rf"(?<!\d){old}(?!\d)", s)
    ]
    result.text = text
    _check_reads_back(result, str(source), templates)
    return result


def _drop_carried(text: str, root: yaml.Node) -> list[tuple[int, int, str]]:
    """Last year's own ``carried:`` (a file made by ``init --from`` and not yet finished)
    is replaced by this year's: cut it, with the comment block goaldoc wrote above it."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "carried":
            start = text.rfind("\n", 0, key.start_mark.index) + 1
            block = text.rfind(MARKER, 0, start)
            if block != -1 and all(line.startswith("#") for line in text[block:start].splitlines()):
                start = block
            last = value.value[-1][1] if isinstance(value, yaml.MappingNode) and value.value else value
            nl = text.find("\n", last.end_mark.index)
            return [(start, len(text) if nl == -1 else nl + 1, "")]
    return []


def _carried_block(carried: list[tuple[Path_, Decimal, str]], source: str | Path, old: int) -> str:
    src = Path(source).as_posix()
    lines = [
        f"{MARKER}（goaldoc init --from {src} 写入）----",
        f"# 下面每一行是从 {old} 年文件带过来的一个数字。goaldoc check 对仍等于上年数的数字逐个提醒",
        "# “上年数字，请核对”：改成今年的数，提醒就消失；今年确实不变的，核对后删去这里对应的那一行。",
        "# 全部核对完，可以删去整个 carried:（连同这几行说明）。",
        "carried:",
    ]
    entries = [(f'  "{format_path(p)}": {format(v, "f")}', what) for p, v, what in carried]
    width = max(len(e) for e, _ in entries)
    lines += [f"{e.ljust(width)}  # {what}" for e, what in entries]
    return "\n".join(lines) + "\n"


def _check_reads_back(result: NextYear, source: str, templates: str | Path | None = None) -> None:
    """The new text must read as a valid file with the new year: a guard on the edits above."""
    from .loader import load_text
    from .loading import form_of
    from .validate import validate

    try:
        data, lines = load_text(result.text, "<新文件>")
    except InputError as exc:  # pragma: no cover - the tests run every sample through here
        raise InputError([Problem(f"从 {source} 生成的新文件读不回来：{exc.problems[0].message}", (), source, code="E006")]) from None
    spec, form_problems = form_of(data, lines, templates)  # the form's own fields are part of the file
    model, problems = validate(data, lines, spec.model)
    problems = form_problems + problems
    if model is None or model.year != result.year:  # pragma: no cover - as above
        first = problems[0].format() if problems else "年度不对"
        raise InputError([Problem(f"从 {source} 生成的新文件读不回来：{first}", (), source, code="E006")])
