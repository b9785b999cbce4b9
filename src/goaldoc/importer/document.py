"""What a filled form is, once read: a stream of items (paragraphs, table rows, sheet starts)
in the order a reader meets them, whatever application saved the file.

Word tables and Excel sheets become the same thing, a row of cells on a grid: each cell
knows its first grid column, how many columns it spans, its text as typed and whether it
is the continuation of a cell merged from the row above (Word ``vMerge``, an Excel merged
range below its first row). Tables split in two by a page break are simply more rows;
an empty paragraph is no item. Every item and cell knows its place as the clerk would
look for it: “第 2 个表格 第 7 行 第 3 列”, “第 12 段”, “项目表!C12”.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal

from ..textnorm import name_key

Kind = Literal["para", "row", "sheet"]


@dataclass
class Cell:
    col: int  # first grid column, 0-based
    span: int  # grid columns covered
    text: str  # as typed; paragraphs joined with "\n"
    place: str
    continued: bool = False  # merged with the cell above: its text is the one above
    read_as: str | None = None  # a heading typed in another spelling, as the form's is read (headings.py)

    @cached_property
    def norm(self) -> str:
        return norm_label(self.text)


@dataclass
class Item:
    kind: Kind
    cells: list[Cell]
    place: str  # 第 2 个表格 第 7 行 / 第 12 段 / 项目表!7 / 工作表“项目表”
    order: int = 0  # position in the file (orders problems as the file does)
    group: int = -1  # which table / sheet (rows of one grid share it)

    @cached_property
    def texts(self) -> list[str]:
        return [c.norm for c in self.cells if c.norm]

    @property
    def empty(self) -> bool:
        return not any(c.text.strip() for c in self.cells)

    def snippet(self, limit: int = 40) -> str:
        shown = " | ".join(" ".join(c.text.split()) for c in self.cells if c.text.strip())
        return shown if len(shown) <= limit else shown[: limit - 1] + "…"


# the note on a cell holding last year's number (goaldoc init x.xlsx --from, blank.py): read
# back (read_xlsx.py) into the data's carried:, so that check says W311 while it is unchanged
CARRIED_NOTE = "上年的数：{value}。改成今年的数后删去这条批注；今年不变的，也删去这条批注（批注留着、数也没改的，goaldoc check 会提醒核对）。"
CARRIED = re.compile(r"上年的数：(-?[0-9]+(?:\.[0-9]+)?)。")


@dataclass
class Document:
    """A filled form: its items, and what kind of file it came from."""

    file: str
    fmt: Literal["docx", "xlsx"]
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. converted by LibreOffice
    # cells holding last year's number (init x.xlsx --from), by place ("Sheet!B7"): the
    # number its note says; goaldoc check reminds while the cell still holds it (W311)
    carried: dict[str, Decimal] = field(default_factory=dict)

    def number(self) -> None:
        for i, item in enumerate(self.items):
            item.order = i + 1

    @cached_property
    def all_texts(self) -> set[str]:
        """Every normalised cell and paragraph text (what recognising a form looks for)."""
        return {t for item in self.items for t in item.texts}

    @cached_property
    def joined(self) -> str:
        return "\n".join(t for item in self.items for t in item.texts)


def norm_label(text: str) -> str:
    """A label as compared: textnorm.name_key, the one normal form of names and headings —
    full-width → half-width (NFKC), no whitespace at all (clerks' line breaks and stray
    spaces: “下属二级单位 数(个)”), lower case, ：/: and （/( alike, 【】/[] as (), ／ as /."""
    return name_key(text)


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out
