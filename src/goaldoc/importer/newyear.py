"""Last year's form as the start of this year's file: ``--year`` moves the year in the data
and in the titles, ``--clear-amounts`` empties the amounts (the new budget is not known
yet). Other texts that still name the old year are counted, for the clerk to look at."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from ..paths import format_path
from .place import is_amount

_TITLES = ("title",)


def move_year(data: dict[str, Any], new: int) -> tuple[int, list[str]]:
    """Set ``year`` to ``new`` and the old year to the new one in every title; returns the
    number of titles changed and the paths of other texts that still name the old year."""
    old = data.get("year")
    data["year"] = new
    if not isinstance(old, int) or old == new:
        return 0, []
    pattern = re.compile(rf"(?<![0-9]){old}(?![0-9])")
    changed = 0
    others: list[str] = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        nonlocal changed
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str) and k in _TITLES and pattern.search(v):
                    node[k] = pattern.sub(str(new), v)
                    changed += 1
                elif isinstance(v, str):
                    if pattern.search(v):
                        others.append(format_path((*path, k)))
                else:
                    walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, str):
                    if pattern.search(v):
                        others.append(format_path((*path, i)))
                else:
                    walk(v, (*path, i))

    walk(data, ())
    return changed, others


def clear_amounts(data: dict[str, Any], model: type[BaseModel]) -> int:
    """Remove every amount (the model's decimal fields); returns how many there were."""
    count = 0

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        nonlocal count
        if isinstance(node, dict):
            for k in list(node):
                v = node[k]
                if isinstance(v, dict | list):
                    walk(v, (*path, k))
                elif is_amount(model, (*path, k)):
                    del node[k]
                    count += 1
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))

    walk(data, ())
    return count
