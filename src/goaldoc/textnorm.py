"""One normal form for names and headings, used wherever goaldoc compares what a person
typed with what a form declares: 一级 / 二级 spellings (check, render grouping, import) and
the column and row headings of a filled form (import).

``数量指标（或建筑规模指标）`` and ``数量指标(或建筑规模指标)``, ``指标值／目标值`` and
``指标值/目标值``, ``下属二级单位 数（个）`` with a line break typed in the cell: each pair is
one name. Compared after NFKC (full-width letters, digits and brackets to half-width), with
no whitespace at all, the remaining bracket and slash variants unified, lower case.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_VARIANTS = str.maketrans({
    "【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")", "〈": "(", "〉": ")",
    "／": "/", "∕": "/", "～": "~", "〜": "~",
    "－": "-", "—": "-", "–": "-", "−": "-", "‐": "-",
})


@functools.lru_cache(maxsize=1 << 14)
def name_key(text: str) -> str:
    """``text`` as compared (see the module doc); never shown to anyone. Asked ~1,600 times a
    department in a county round (grouping, the checks, the ledger), of a few hundred names:
    each found once."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_VARIANTS).lower()


__all__ = ["name_key"]
