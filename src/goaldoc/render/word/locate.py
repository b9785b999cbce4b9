"""Where in a Word template a Jinja error is: table, row and cell (or paragraph), as Word
numbers them — never a line of XML.

docxtpl compiles a whole part (the body, a header, a footer) as one Jinja template, after
rewriting it: ``{%tr …%}`` / ``{%tc …%}`` / ``{%p …%}`` tags replace the row, cell or
paragraph that held them, and every ``<w:p`` starts a new line. Jinja tells the line of
the failing construct (``lineno`` for syntax errors, the template frame of the traceback
for errors while rendering). We scan the rewritten XML up to that line, counting tables,
rows, cells and paragraphs; a bare tag standing where a row, cell or paragraph stood
counts as the one it replaced, so the numbers are those of the template as the admin sees
it in Word.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ...lazyre import compile_later  # patterns a clean render does not use (cold start: issue 23)

_TOKEN = compile_later(
    r"<w:tbl[ >]|</w:tbl>|<w:tr[ >]|</w:tr>|<w:tc[ >]|</w:tc>|<w:p[ >]|<w:p/>|</w:p>"
    r"|\{%.*?%\}|\{\{.*?\}\}",
    re.S,
)


@dataclass
class _Table:
    row: int = 0
    cell: int = 0
    in_row: bool = False


@dataclass
class _Scan:
    tables: list[_Table] = field(default_factory=list)
    paragraph: int = 0  # body paragraphs (outside tables)
    in_p: bool = False
    table_count: int = 0
    table_no: list[int] = field(default_factory=list)

    def where(self, construct: str) -> str:
        shown = " ".join(html.unescape(re.sub(r"<[^>]+>", "", construct)).split())[:60]
        if self.tables:
            t, tab = self.table_no[-1], self.tables[-1]
            if tab.in_row and (self.in_p or tab.cell):
                return f"第 {t} 个表格 第 {tab.row} 行 第 {tab.cell} 列（“{shown}”）"
            return f"第 {t} 个表格 第 {tab.row or 1} 行（“{shown}”）"
        return f"第 {max(self.paragraph, 1)} 段（“{shown}”）"

    def feed(self, tok: str) -> None:
        if tok.startswith("<w:tbl"):
            self.table_count += 1
            self.tables.append(_Table())
            self.table_no.append(self.table_count)
        elif tok == "</w:tbl>" and self.tables:
            self.tables.pop()
            self.table_no.pop()
        elif tok.startswith("<w:tr") and self.tables:
            tab = self.tables[-1]
            tab.row, tab.cell, tab.in_row = tab.row + 1, 0, True
        elif tok == "</w:tr>" and self.tables:
            self.tables[-1].in_row = False
        elif tok.startswith("<w:tc") and self.tables:
            self.tables[-1].cell += 1
        elif tok.startswith("<w:p"):
            if not self.tables:
                self.paragraph += 1
            self.in_p = tok != "<w:p/>"
        elif tok == "</w:p>":
            self.in_p = False
        elif tok.startswith("{%") and not self.in_p:
            self._replaced()

    def _replaced(self) -> None:
        """A bare {% %} tag outside any paragraph stands where a row ({%tr}), a cell
        ({%tc}) or a paragraph ({%p}) of the template was."""
        if self.tables:
            tab = self.tables[-1]
            if tab.in_row:
                tab.cell += 1
            else:
                tab.row += 1
                tab.cell = 0
        else:
            self.paragraph += 1


def locate(src_xml: str, line: int | None, hint: str | None = None) -> str | None:
    """The place of the construct on ``line`` (1-based) of the rewritten XML: the first
    construct on that line mentioning ``hint`` (the undefined name, say), else the first."""
    if line is None:
        return None
    lines = src_xml.split("\n")
    if not 0 < line <= len(lines):
        return None
    start = sum(len(x) + 1 for x in lines[: line - 1])
    end = start + len(lines[line - 1])
    scan = _Scan()
    first: str | None = None
    for m in _TOKEN.finditer(src_xml):
        if m.start() >= end:
            break
        tok = m.group(0)
        is_jinja = tok.startswith(("{%", "{{"))
        if m.start() >= start and is_jinja:
            if hint and hint in tok:
                return _snapshot(scan, tok)
            if first is None:
                first = _snapshot(scan, tok)
        scan.feed(tok)
    return first or scan.where(lines[line - 1])


def _snapshot(scan: _Scan, tok: str) -> str:
    state = _copy(scan)
    if tok.startswith("{%") and not state.in_p:
        state._replaced()
    return state.where(tok)


def _copy(scan: _Scan) -> _Scan:
    s = _Scan(
        [(_Table(t.row, t.cell, t.in_row)) for t in scan.tables],
        scan.paragraph,
        scan.in_p,
        scan.table_count,
        list(scan.table_no),
    )
    return s


_BLOCK = compile_later(r"\{%-?\s*(for|if|macro|call|filter|set|with|endfor|endif|endmacro|endcall|endfilter|endset|endwith)\b[^%]*?(=)?", re.S)


def unclosed_block_line(src_xml: str) -> int | None:
    """The line of the last {% for %} / {% if %} … that no end tag closes (Jinja reports
    such a mistake at the end of the document, far from where it is)."""
    stack: list[int] = []
    for m in _BLOCK.finditer(src_xml):
        word = m.group(1)
        if word == "set" and m.group(2):
            continue  # {% set x = … %} has no end tag
        if word.startswith("end"):
            if stack:
                stack.pop()
        else:
            stack.append(src_xml.count("\n", 0, m.start()) + 1)
    return stack[-1] if stack else None


_TAG = compile_later(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def unclosed_quote_line(src_xml: str) -> int | None:
    """The line of the first {{ }} / {% %} whose text opens a quote it does not close.
    Jinja reads such a text on into the next cells, up to the next quote anywhere in the
    document, and reports whatever it finds there."""
    for m in _TAG.finditer(src_xml):
        text = html.unescape(re.sub(r"<[^>]+>", "", m.group(0)))
        open_quote = ""
        for ch in text:
            if open_quote:
                open_quote = "" if ch == open_quote else open_quote
            elif ch in "'\"":
                open_quote = ch
        if open_quote:
            return src_xml.count("\n", 0, m.start()) + 1
    return None


def template_line(exc: BaseException) -> int | None:
    """The template line Jinja reports: ``lineno`` of a syntax error, else the innermost
    template frame of the traceback (Jinja rewrites tracebacks to template lines)."""
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            found = tb.tb_lineno
        tb = tb.tb_next
    return found
