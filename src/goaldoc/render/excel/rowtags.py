"""An Excel template's row tags: a row whose first text is ``{%tr for x in … %}``,
``{%tr if … %}``, ``{%tr else %}``, ``{%tr endfor %}`` or ``{%tr endif %}`` opens, divides or
closes a block of rows (render/excel/workbook.py repeats or drops them; the tag rows
themselves disappear). Read here into blocks, and every mistake of them said at its cell,
for the render (workbook.py) and for the look at a whole template (excel/syntax.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from ...errors import Problem

TAG = re.compile(r"^\s*\{%-?\s*tr\s+(.*?)\s*-?%\}\s*$", re.S)
FOR = re.compile(r"^for\s+(\w+)\s+in\s+(.+)$", re.S)


@dataclass
class Block:
    kind: str  # "row" | "for" | "if"
    row: int = 0  # template row (for "row"), or the tag row
    end_row: int = 0
    var: str = ""
    expr: str = ""
    body: list[Block] = field(default_factory=list)
    orelse: list[Block] | None = None  # rows after {%tr else %}


def cell_problem(file: str, sheet: str, row: int, col: int, message: str) -> Problem:
    """An Excel template's problem at its cell (``部门整体!B7``): the one wording of T003
    (excel/syntax.py reads the cell back from it to order a template's problems)."""
    return Problem(f"Excel 模板 {sheet}!{get_column_letter(col)}{row}：{message}", (), file, code="T003")


# what a row tag left open says: how to close it, and what the rows below it then are
_UNCLOSED = {
    "for": "这一行的 {%tr for %} 循环没有结束标签：请在要重复的最后一行下面加一行，只写 {%tr endfor %}",
    "if": "这一行的 {%tr if %} 条件没有结束标签：请在可有可无的最后一行下面加一行，只写 {%tr endif %}",
}
_BELOW = "（改好之前，它下面哪些行重复、哪些行印出来都定不下来，改好后请再检查一次）"


def parse_row_tags(firsts: Mapping[int, tuple[int, str]], max_row: int) -> tuple[list[Block], list[tuple[int, int, str]]]:
    """A sheet's rows as blocks (``{%tr for/if %}`` … ``{%tr endfor/endif %}``), from each
    row's first text not blank (row -> (column, text)), and every mistake of its row tags as
    (row, column, what is wrong). Read on past a mistake so that all are said at once, and
    so that one mistake does not make others: a loop written wrongly still opens a block
    (its ``endfor`` is not “without an opening”), an end tag closes the block it names (the
    blocks left open inside it are named), a tag not understood opens nothing and takes a
    stray end tag after it as its own."""
    stack: list[tuple[Block, int]] = [(Block("root"), 0)]  # open blocks and their tag's column
    problems: list[tuple[int, int, str]] = []
    unknown = 0  # tags not understood whose end tag may follow
    for r in range(1, max_row + 1):
        first = firsts.get(r)
        m = TAG.match(first[1]) if first is not None else None
        if first is None or not m:
            top = stack[-1][0]
            (top.orelse if top.orelse is not None else top.body).append(Block("row", r))
            continue
        col = first[0]
        stmt = m.group(1).strip()
        if stmt == "else":
            top = stack[-1][0]
            if top.kind != "if" or top.orelse is not None:
                problems.append((r, col, "“{%tr else %}”没有对应的 {%tr if %}"))
            else:
                top.orelse = []
            continue
        if stmt in ("endfor", "endif"):
            at = next((i for i in range(len(stack) - 1, 0, -1) if stack[i][0].kind == stmt[3:]), None)
            if at is None:
                if unknown:
                    unknown -= 1  # the end of a tag said already
                else:
                    problems.append((r, col, f"“{{%tr {stmt} %}}”没有对应的开头"))
                continue
            for inner, inner_col in stack[at + 1 :]:
                problems.append((inner.row, inner_col, f"{_UNCLOSED[inner.kind]}，且要在第 {r} 行的 {{%tr {stmt} %}} 之前{_BELOW}"))
                inner.end_row = r
            stack[at][0].end_row = r
            del stack[at:]
            continue
        if stmt.startswith("for "):
            fm = FOR.match(stmt)
            if fm:
                block = Block("for", r, var=fm.group(1), expr=fm.group(2))
            else:
                problems.append((r, col, f"无法识别的循环“{stmt}”，应写成 {{%tr for 行 in 列表 %}}"))
                block = Block("for", r)
        elif stmt.startswith("if "):
            block = Block("if", r, expr=stmt[3:])
        else:
            problems.append((r, col, f"无法识别的行标签“{stmt}”：行标签只有 {{%tr for … %}}、{{%tr if … %}}、{{%tr else %}}、{{%tr endfor %}} 和 {{%tr endif %}}"))
            unknown += 1
            continue
        top = stack[-1][0]
        (top.orelse if top.orelse is not None else top.body).append(block)
        stack.append((block, col))
    for block, col in stack[1:]:
        problems.append((block.row, col, _UNCLOSED[block.kind] + _BELOW))
    return stack[0][0].body, sorted(problems)


__all__ = ["FOR", "TAG", "Block", "cell_problem", "parse_row_tags"]
