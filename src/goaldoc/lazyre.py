"""Regular expressions compiled when first used, not at import (issue 23, cold start).

A module's patterns are compiled at import with ``re.compile``; those that only a mistake
or a rarer form needs (yamlhints' explanations, a path in a message) cost a cold render
~10 ms for nothing. ``compile_later(pattern, flags)`` stands for ``re.compile(pattern,
flags)`` wherever the pattern is only used through its methods (``.match``, ``.finditer``
…): the first such use compiles it, and each method is then the compiled pattern's own.
It is no ``re.Pattern``: not for ``re.sub(pattern, …)``, ``isinstance`` or ``.pattern``.
tests/test_cold_start.py keeps a render from compiling the deferred ones it does not use.
"""

from __future__ import annotations

import re
from typing import Any, cast


class _Later:
    """``re.compile(*args)`` at the first attribute asked of it."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.args = (pattern, flags)
        self.compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:  # only for what the instance does not hold yet
        if name.startswith("__") or name in ("args", "compiled"):  # copy, pickle: not the pattern's
            raise AttributeError(name)
        if self.compiled is None:
            self.compiled = re.compile(*self.args)
        value = getattr(self.compiled, name)
        setattr(self, name, value)  # the next use finds the method itself
        return value

    def __repr__(self) -> str:
        return f"compile_later({self.args[0]!r}, {self.args[1]!r})"


def compile_later(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)`` at the first use of one of its methods."""
    return cast("re.Pattern[str]", _Later(pattern, flags))


__all__ = ["compile_later"]
