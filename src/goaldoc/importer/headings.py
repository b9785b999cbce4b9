"""Headings read by meaning (issue 17 item 1): a clerk's ``目标值`` / ``年度目标值`` /
``指标值（目标值）`` over the column the form heads ``指标值`` is that column.

The spellings come from the form folder and national.yaml (``import: headings:``,
FormSpec.heading_spellings), compared in the one normal form of names (textnorm.name_key:
spaces, line breaks, full/half-width, brackets and slashes aside). A cell typed in another
spelling is given the form's own heading as the text it is compared by (``Cell.norm``);
its text as typed stays for the messages. A spelling the form itself prints as a label of
its own keeps its own meaning.
"""

from __future__ import annotations

from typing import Any

from ..textnorm import name_key
from .document import Document
from .expr import resolve_target
from .fields import to_model


def canonicalise(doc: Document, spellings: dict[str, list[str]], labels: set[str]) -> int:
    """Give every cell typed in another spelling of one of ``labels`` that label as its
    compared text; returns how many cells were."""
    changed = 0
    for item in doc.items:
        for cell in item.cells:
            norm = cell.norm
            if not norm or norm in labels:
                continue
            target = next((t for t in spellings.get(norm, ()) if t in labels), None)
            if target is None:
                continue
            cell.__dict__["norm"] = target
            item.__dict__.pop("texts", None)
            changed += 1
    for key in ("all_texts", "joined"):
        doc.__dict__.pop(key, None)
    return changed


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
