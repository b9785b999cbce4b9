"""Headings read by meaning (issue 17 item 1): a clerk's ``目标值`` / ``年度目标值`` /
``指标值（目标值）`` over the column the form heads ``指标值`` is that column.

The spellings come from the form folder and national.yaml (``import: headings:``,
FormSpec.heading_groups): each entry is a group of equivalents, whichever of them the form
prints (a form printing 目标值: a clerk's 指标值 heads that column). Compared in the one
normal form of names (textnorm.name_key: spaces, line breaks, full/half-width, brackets and
slashes aside), and a unit in brackets aside where the form's heading has the same words:
``预算金额`` and ``金额（万元）`` head the column the form prints ``预算金额（万元）`` — never a
money unit other than the form's (元 for 万元 would read every amount 10,000 times off),
except where the form's heading reads the unit from the cell (``预算金额（{{ unit }}）``).

A cell typed in another spelling is given the form's own heading as the text it is
compared by (``Cell.norm``; for a heading whose unit is read, the text read too:
``Cell.read_as``); its text as typed stays for the messages. A spelling the form itself
prints as a label of its own keeps its own meaning; one that could be two headings of the
form is none of them, and said (:func:`canonicalise`'s notes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..textnorm import name_key
from ..values import is_unit
from .document import Document
from .expr import resolve_target
from .fields import to_model
from .pattern import Pattern

_TAIL = re.compile(r"(.+?)\(([^()]+)\)")
_MONEY = ("元", "千元", "万元", "亿元")


def split_unit(key: str) -> tuple[str, str | None]:
    """``预算金额(万元)`` → (``预算金额``, ``万元``); a name without a unit in brackets at its
    end (``期望达到的目标(概述)``) is all words."""
    m = _TAIL.fullmatch(key)
    if m is not None and is_unit(m[2]):
        return m[1], m[2]
    return key, None


@dataclass(frozen=True)
class Heading:
    """A heading the form prints: as compared (``key``), its words and unit."""

    key: str
    stem: str
    unit: str | None
    reads_unit: bool = False  # 预算金额（{{ form.amount_unit }}）: the unit is read from the cell


def form_headings(pattern: Pattern, amount_unit: str) -> list[Heading]:
    """The form's fixed labels, and its labels whose unit is filled in (预算金额（万元）)."""
    out: dict[str, Heading] = {}
    for rp in pattern.rows:
        for cp in rp.cells:
            r = cp.reader
            if r.literal:
                out.setdefault(r.literal, Heading(r.literal, *split_unit(r.literal)))
            elif r.literal is None and r.pieces and len(r.pieces) == 1 and r.literal_parts == f"{r.pieces[0]}()":
                targets = {cap.target[-1] for p in r.passes for cap in p.captures}
                if targets == {"amount_unit"}:
                    key = f"{r.pieces[0]}({amount_unit})"
                    out.setdefault(key, Heading(key, r.pieces[0], amount_unit, reads_unit=True))
    return list(out.values())


def _unit_fits(unit: str | None, h: Heading, amount_unit: str) -> bool:
    """A heading typed with ``unit`` (None: none) may head the column of ``h``."""
    if unit is None or h.reads_unit or unit == h.unit:
        return True
    if h.unit is None:  # the form prints no unit: its amounts are in amount_unit
        return unit not in _MONEY or unit == amount_unit
    return False


class Matcher:
    """Which of the form's headings a typed heading stands for."""

    def __init__(self, groups: tuple[list[tuple[str, ...]], list[tuple[str, ...]]], headings: list[Heading], amount_unit: str):
        self.amount_unit = amount_unit
        self.printed = {h.key for h in headings}
        self.by_stem: dict[str, list[Heading]] = {}
        for h in headings:
            self.by_stem.setdefault(h.stem, []).append(h)
        self.groups: list[dict[str, list[tuple[str, ...]]]] = []  # this form's, national.yaml's: stem → its groups
        for source in groups:
            index: dict[str, list[tuple[str, ...]]] = {}
            for g in source:
                for m in g:
                    index.setdefault(split_unit(m)[0], []).append(g)
            self.groups.append(index)

    def candidates(self, key: str) -> list[Heading]:
        """The form's headings ``key`` may stand for, nearest first: by its words (a unit
        aside); then by this form's groups of spellings, ``key`` one of a group's, then one
        of them with a unit more or less; then national.yaml's the same way. The first step
        that finds any decides: one heading, or several — the same heading the form prints
        twice in two spellings of one group is one (the group's first); else no guess."""
        stem, unit = split_unit(key)
        steps: list[list[tuple[str, ...]]] = [[(key,)]]
        for index in self.groups:
            near = index.get(stem, [])
            steps.append([g for g in near if key in g])
            steps.append([g for g in near if key not in g and any(self._same(m, key) for m in g)])
        for groups in steps:
            found: dict[str, Heading] = {}
            for g in groups:
                for m in (key, *g):
                    m_stem, m_unit = split_unit(m)
                    for h in self.by_stem.get(m_stem, []):
                        # the spelling's unit fits the form's; a money unit typed, whatever the spelling, too
                        if _unit_fits(m_unit, h, self.amount_unit) and (unit not in _MONEY or _unit_fits(unit, h, self.amount_unit)):
                            found.setdefault(h.key, h)
            if len(found) > 1:
                keys = set(found)
                one = next((g for index in self.groups for gs in index.values() for g in gs if keys <= set(g)), None)
                if one is not None:
                    return [min(found.values(), key=lambda h: one.index(h.key))]
            if found:
                return list(found.values())
        return []

    @staticmethod
    def _same(member: str, key: str) -> bool:
        """A group's ``member`` is ``key`` typed (with or without its unit)."""
        if member == key:
            return True
        (ms, mu), (ks, ku) = split_unit(member), split_unit(key)
        return ms == ks and (mu is None or ku is None or mu == ku)


def canonicalise(doc: Document, groups: tuple[list[tuple[str, ...]], list[tuple[str, ...]]], pattern: Pattern, amount_unit: str) -> list[str]:
    """Give every cell typed in another spelling of one of the form's headings that heading
    as its compared text; returns what is to be said (a spelling two headings of the form
    could be: read as neither)."""
    matcher = Matcher(groups, form_headings(pattern, amount_unit), amount_unit)
    notes: list[str] = []
    seen: dict[str, list[Heading]] = {}
    for item in doc.items:
        for cell in item.cells:
            norm = cell.norm
            if not norm or norm in matcher.printed or len(norm) > 30:
                continue  # a heading the form prints keeps its own meaning
            if norm not in seen:
                seen[norm] = matcher.candidates(norm)
            found = seen[norm]
            if len(found) > 1:
                shown = "”“".join(h.key for h in found)
                notes.append(
                    f"{cell.place} 的“{' '.join(cell.text.split())}”在这个表样里可以是“{shown}”中的任何一个，没有按哪一个读："
                    "请把这一格改成表样上印的那一个表头后再导入"
                )
                continue
            if not found:
                continue
            h = found[0]
            if h.reads_unit:  # the unit typed (or, none typed, the form's) is read from the cell
                cell.read_as = f"{h.stem}({split_unit(norm)[1] or amount_unit})"
                target = name_key(cell.read_as)
            else:
                target = h.key
            cell.__dict__["norm"] = target
            item.__dict__.pop("texts", None)
    for key in ("all_texts", "joined"):
        doc.__dict__.pop(key, None)
    return notes


def indicator_words(vocabulary: Any) -> frozenset[str]:
    """Every spelling of a 一级 or 二级 name the form knows (a row holding two of them is
    shaped like an indicator row)."""
    if vocabulary is None:
        return frozenset()
    names = set(vocabulary.level1) | set(vocabulary.aliases1) | set(vocabulary.aliases2)
    for children in vocabulary.level2.values():
        names |= set(children)
    return frozenset(name_key(n) for n in names if n)


def reads_indicators(rp: Any) -> bool:
    """The template row prints an indicator's fields (its cells read into ``…indicators``)."""
    env: dict[str, Any] = {}
    for lp in rp.loops:
        if lp.target is None:
            return False
        base = resolve_target(lp.target, env)
        for v in lp.vars:
            env[v] = (*base, 0)
    for cp in rp.cells:
        for p in cp.reader.passes:
            for cap in p.captures:
                path = to_model(resolve_target(cap.target, env))
                if path is not None and "indicators" in path:
                    return True
    return False


def indicator_shaped(cells: list[Any], words: frozenset[str]) -> bool:
    """A file row holding a 一级 and a 二级 name (two cells of the indicator tree's words)."""
    return sum(1 for c in cells if c.norm in words) >= 2
