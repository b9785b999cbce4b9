"""The 一级 → 二级 → 三级 rows of an indicator grid: grouping and merge spans (the names of the
tree and their other spellings are the form's: forms/vocabulary.py).

Merges follow the data's hierarchy, never equal text: every grouped cell carries a
*merge key* (its path in the tree), and the renderers merge consecutive cells of a column
whose keys are equal. So a 二级 that recurs under another 一级 gets a new key and starts a
new merge, and two one-row groups with equal text stay apart.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .model import Indicator
from .textnorm import name_key
from .values import from_parts, normalise_text, parse_value


class MergeText(str):
    """A cell text that knows its place in the tree; the template filter ``merge`` reads it."""

    merge_key: str

    def __new__(cls, text: str, key: str) -> MergeText:
        obj = super().__new__(cls, text)
        obj.merge_key = key
        return obj


Grouping = Literal["stable", "runs", "none"]


@dataclass
class Level2Group:
    name: str
    rows: list[Indicator] = field(default_factory=list)


@dataclass
class Level1Group:
    name: str
    groups: list[Level2Group] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(max(1, len(g.rows)) for g in self.groups)


def group_indicators(indicators: Iterable[Indicator], mode: Grouping = "stable") -> list[Level1Group]:
    """Group rows 一级 → 二级 in the order entered.

    ``stable``: rows of an already seen (一级, 二级) join that group (first appearance order).
    ``runs``: only consecutive rows with the same (一级, 二级) form a group (nothing moves).
    ``none``: every row is its own group (Sichuan prints rows in the order entered).

    Names are compared by their normal form (textnorm.name_key: ``数量指标（或…）`` and
    ``数量指标(或…)`` are one group, printed as first typed).
    """
    top: list[Level1Group] = []
    for ind in indicators:
        l1, l2 = name_key(ind.level1), name_key(ind.level2)
        if mode == "stable":
            g1 = next((g for g in top if name_key(g.name) == l1), None)
        else:
            g1 = top[-1] if top and name_key(top[-1].name) == l1 and mode == "runs" else None
        if g1 is None:
            g1 = Level1Group(ind.level1)
            top.append(g1)
        if mode == "stable":
            g2 = next((g for g in g1.groups if name_key(g.name) == l2), None)
        else:
            g2 = g1.groups[-1] if g1.groups and name_key(g1.groups[-1].name) == l2 and mode == "runs" else None
        if g2 is None:
            g2 = Level2Group(ind.level2)
            g1.groups.append(g2)
        g2.rows.append(ind)
    return top


class Columns:
    """``row.printed`` and ``row.groups``: one value per grouped column (``.level1``, ``.level2``),
    so that a block of columns can print its own wording and still merge by the data's
    hierarchy (issue 22 item 3)."""

    template_fields = frozenset({"level1", "level2"})

    def __init__(self, level1: str, level2: str):
        self.level1 = level1
        self.level2 = level2


@dataclass
class IndicatorRow:
    """One printed row of an indicator grid, as the templates see it.

    ``level1`` / ``level2`` print as the clerk typed them; ``printed.level1`` /
    ``printed.level2`` in the form's own spelling (form.yaml ``print:``, else the tree's
    name), merging like them; ``groups.level1`` / ``groups.level2`` are the groups they
    merge by, for any text a block prints in their place: ``{{ x | merge(row.groups.level2) }}``."""

    level1: MergeText
    level2: MergeText
    indicator: Indicator | None  # None for the placeholder row of an empty group
    index: int  # 1-based position in the grid
    declared: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the form's indicator fields
    printed: Columns = field(default_factory=lambda: Columns("", ""), repr=False)
    groups: Columns = field(default_factory=lambda: Columns("", ""), repr=False)

    @property
    def value_text(self) -> str:
        """指标值 in one cell: as the clerk typed it, or joined from sign / value / unit."""
        ind = self.indicator
        if ind is None:
            return ""
        if ind.sign is not None or ind.unit is not None:
            return from_parts(ind.sign, ind.value, ind.unit).render()
        # as typed, but with full-width/variant characters and LaTeX artefacts normalised
        # (≧ → ≥, ＝ → =, $\geq 95\%$ → ≥95%): issue 4 §1
        return normalise_text(ind.value) if ind.value else ""

    @property
    def value_parts(self) -> tuple[str, str, str]:
        """指标值 in three cells (sign, value, unit), as Sichuan prints it."""
        ind = self.indicator
        if ind is None:
            return ("", "", "")
        if ind.sign is not None or ind.unit is not None:
            return from_parts(ind.sign, ind.value, ind.unit).parts()
        if ind.value is None:
            return ("", "", "")
        return parse_value(ind.value).parts()

    def template_fields(self) -> frozenset[str]:
        ind = self.__dict__.get("indicator")
        return _row_fields(type(ind) if ind is not None else None, tuple(self.__dict__.get("declared", {})))  # type: ignore[arg-type]  # a class is hashable

    def __getattr__(self, name: str) -> object:
        # templates write row.name, row.value … straight from the indicator record; a field
        # the form declares and this data lacks is empty (forms.fields.empty_value)
        ind = self.__dict__.get("indicator")
        declared = self.__dict__.get("declared", {})
        if ind is not None and name in type(ind).model_fields:
            if name in declared:
                from .forms.fields import shown_value

                return shown_value(declared[name], getattr(ind, name))
            return getattr(ind, name)
        if name in declared:
            from .forms.fields import empty_value

            return empty_value(declared[name])
        if name in Indicator.model_fields:
            return ""
        raise AttributeError(name)


_ROW_FIELDS = frozenset({"level1", "level2", "index", "value_text", "value_parts", "printed", "groups"}) | frozenset(
    Indicator.model_fields
)


def indicator_rows(
    groups: Sequence[Level1Group],
    scope: str = "",
    declared: Mapping[str, Any] | None = None,
    spelling: Callable[[str, str], tuple[str, str]] | None = None,
) -> list[IndicatorRow]:
    """Flatten grouped indicators to printed rows with merge keys ``scope/i`` and ``scope/i.j``.
    ``spelling``: (一级, 二级) as typed → as the form prints them (``row.printed``)."""
    rows: list[IndicatorRow] = []
    for i, g1 in enumerate(groups):
        k1 = f"{scope}/{i}"
        for j, g2 in enumerate(g1.groups):
            k2 = f"{k1}.{j}"
            p1, p2 = spelling(g1.name, g2.name) if spelling is not None else (g1.name, g2.name)
            printed = Columns(MergeText(p1, k1), MergeText(p2, k2))
            for ind in g2.rows or [None]:  # type: ignore[list-item]  # placeholder row
                rows.append(
                    IndicatorRow(
                        MergeText(g1.name, k1),
                        MergeText(g2.name, k2),
                        ind,
                        len(rows) + 1,
                        declared or {},
                        printed,
                        Columns(k1, k2),
                    )
                )
    return rows


def merge_spans(keys: Sequence[str | None]) -> list[tuple[int, int]]:
    """(start, length) of every run of ≥ 2 equal, non-empty keys: the vertical merges of a column."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(keys):
        j = i
        while j + 1 < len(keys) and keys[i] is not None and keys[j + 1] == keys[i]:
            j += 1
        if j > i:
            spans.append((i, j - i + 1))
        i = j + 1
    return spans


@functools.lru_cache(maxsize=256)
def _row_fields(record: Any, declared: tuple[str, ...]) -> frozenset[str]:
    """What a template may read on a row: the row's own names, its record's fields and the
    form's declared ones (asked on every attribute a template reads: worked out once)."""
    own = frozenset(record.model_fields) if record is not None else frozenset()
    return _ROW_FIELDS | own | frozenset(declared)
