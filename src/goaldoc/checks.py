"""The finance bureau's rules (FORMATS.md §3), each a small function returning problems.

Every rule has a code and a severity: E (the form is sent back) or W (a reviewer asks).
`run_checks` runs them all; `goaldoc check` prints the result, `goaldoc render` refuses
to write files while errors remain (unless --force).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .errors import Problem
from .loader import LineMap
from .model import DepartmentYear

Rule = Callable[[DepartmentYear, LineMap], Iterator[Problem]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def run_checks(model: DepartmentYear, lines: LineMap) -> list[Problem]:
    problems = [p for r in RULES for p in r(model, lines)]
    return sorted(problems, key=lambda p: (not p.is_error, p.line or 0))
