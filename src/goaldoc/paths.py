"""Key paths: ``indicators[3].level2`` in messages and ``accepted:``, and the tuples
``('indicators', 3, 'level2')`` the code passes around.

A module of its own because the checks, next year's file and the messages all use them
(STYLE.md: a helper two rooms use never lives in one of them).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .lazyre import compile_later  # patterns a clean render does not use (cold start: issue 23)

Path_ = tuple[str | int, ...]

_PATH_PART = compile_later(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def format_path(path: tuple[str | int, ...]) -> str:
    """('projects', 2, 'indicators', 4, 'value') -> 'projects[2].indicators[4].value'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "（文件顶层）"



def parse_path(text: str) -> Path_ | None:
    """``budget.expenditure[0].amount`` → ('budget', 'expenditure', 0, 'amount'); None if not a path."""
    out: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _PATH_PART.match(text, pos)
        if not m or (m[1] and pos and not m[0].startswith(".")):
            return None
        out.append(m[1] if m[1] else int(m[2]))
        pos = m.end()
    return tuple(out) if out and isinstance(out[0], str) else None


def value_at(obj: Any, path: Path_) -> Any:
    """The value at ``path`` in the model, or None when there is none."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(obj, list) or part >= len(obj):
                return None
            obj = obj[part]
        else:
            if not isinstance(obj, BaseModel) or part not in type(obj).model_fields:
                return None
            obj = getattr(obj, part)
    return obj


__all__ = ["Path_", "format_path", "parse_path", "value_at"]
