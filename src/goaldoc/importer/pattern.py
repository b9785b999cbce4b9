"""A form's templates, read as a pattern of the files they make.

The Word template is a sequence of paragraphs and table rows; ``{%p …%}`` paragraphs and
``{%tr …%}`` rows open and close loops (``for row in indicator_rows``) and conditions. The
Excel template is the same per sheet, the sheets in form.yaml's order (a ``for_each:
projects`` sheet is a loop over the projects, a ``when:`` sheet a condition). Each printed
row becomes a :class:`RowPat` whose cells are :class:`~goaldoc.importer.expr.Reader` s, and
each loop row is given its *heading*: the row of column labels above it (一级指标 | 二级指标
| …), through which a filled file's columns are matched by their labels, not their places.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from jinja2 import TemplateSyntaxError
from lxml import etree
from openpyxl import load_workbook

from ..errors import Problem, TemplateError
from ..forms import FormSpec
from .bindings import bound_reader
from .document import column_letter
from .expr import (
    Reader,
    Target,
    TemplateTextError,
    implications_of,
    iterable_of,
    parse_expression,
    reader_of,
)
from .read_docx import (
    SDT,
    SDT_CONTENT,
    TBL,
    TC,
    TR,
    P,
    _children,
    _int,
    _q,
    body_of,
    paragraph_text,
)

_CONTROL = re.compile(r"\{%-?\s*(?:p|tr|tc)?\s+(.*?)\s*-?%\}", re.S)


@dataclass(eq=False)
class CellPat:
    col: int
    span: int
    reader: Reader
    place: str
    continued: bool = False  # the template merges it with the cell above (printed once)
    above: str = ""  # continued: the label it continues (normalised), which a file may type again


@dataclass(eq=False)
class RowPat:
    id: int
    kind: Literal["para", "row", "sheet"]
    cells: list[CellPat]
    place: str
    group: str  # the template table or sheet
    loops: tuple[Loop, ...] = ()  # enclosing loops, outermost first
    branches: tuple[tuple[Cond, int], ...] = ()  # enclosing condition branches
    heading: RowPat | None = None
    is_heading: bool = False
    order: int = 0

    @property
    def literals(self) -> list[str]:
        return [c.reader.literal for c in self.cells if c.reader.literal]

    def heading_like(self) -> bool:
        labels = sum(bool(c.reader.literal) or bool(c.reader.literal_parts) for c in self.cells)
        bare = sum(bool(c.reader.captures) and not c.reader.literal_parts for c in self.cells)
        pure = sum(bool(c.reader.literal) for c in self.cells)
        return self.kind == "row" and labels >= 2 and pure >= 1 and bare == 0


@dataclass(eq=False)
class Loop:
    id: int
    vars: tuple[str, ...]
    target: Target | None  # None: the template loops over something goaldoc cannot read back
    offset: int
    source: str
    body: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Cond:
    id: int
    branches: list[tuple[list[tuple[Target, str]], list[Node]]] = field(default_factory=list)
    has_else: bool = False
    tests: list[str] = field(default_factory=list)  # the test of each branch (source)


Node = RowPat | Loop | Cond


@dataclass
class Pattern:
    form: str
    fmt: str
    nodes: list[Node]
    rows: list[RowPat]
    notes: list[str] = field(default_factory=list)  # cells whose expressions cannot be read back

    @property
    def labels(self) -> list[str]:
        """The form's own texts (column labels, row labels, literal parts of titles)."""
        return list(self.label_weights)

    @property
    def label_weights(self) -> dict[str, float]:
        """Each of :attr:`labels` with how surely a filled file shows it: 1, or 0.3 when
        only rows of a condition print it (a block for some data only)."""
        out: dict[str, float] = {}
        for r in self.rows:
            sure = 0.3 if r.branches else 1.0
            for c in r.cells:
                for text in (c.reader.literal, *c.reader.pieces):
                    if text and len(text) >= 2:
                        out[text] = max(out.get(text, 0.0), sure)
        return out


# ---------------------------------------------------------------------- tokens → tree

Token = RowPat | tuple[str, str, str]  # a row, or ("ctl", statement, place)


class _Builder:
    def __init__(self, spec: FormSpec, fmt: str, file: Path):
        self.spec, self.fmt, self.file = spec, fmt, file
        self.rows: list[RowPat] = []
        self.notes: list[str] = []
        self.ids = 0

    def next_id(self) -> int:
        self.ids += 1
        return self.ids

    def fail(self, place: str, message: str) -> TemplateError:
        return TemplateError([Problem(f"{place}：{message}", (), str(self.file), code="T030")])

    def reader(self, text: str, place: str) -> Reader:
        declared, binding = self.spec.import_.binding(text) if text.strip() else (False, None)
        if declared:  # form.yaml says how to read it (import.cells)
            return bound_reader(text, binding)
        try:
            r = reader_of(text)
        except TemplateTextError as exc:
            raise self.fail(place, f"模板文字有误（{exc}）") from None
        if r.opaque:
            shown = " ".join(text.split())
            self.notes.append(f"{place} 的“{shown}”读不回数据：请在 form.yaml 的 import.cells 里写明这一格读进哪个栏目（键写这一格的原文）")
        return r

    def row(self, kind: str, cells: list[CellPat], place: str, group: str) -> RowPat:
        rp = RowPat(self.next_id(), kind, cells, place, group)  # type: ignore[arg-type]
        return rp

    def tree(self, tokens: list[Token]) -> list[Node]:
        pos = 0

        def block(loops: tuple[Loop, ...], branches: tuple[tuple[Cond, int], ...], ends: tuple[str, ...]) -> tuple[list[Node], str]:
            nonlocal pos
            out: list[Node] = []
            while pos < len(tokens):
                tok = tokens[pos]
                pos += 1
                if isinstance(tok, RowPat):
                    tok.loops, tok.branches = loops, branches
                    tok.order = len(self.rows)
                    self.rows.append(tok)
                    out.append(tok)
                    continue
                _, stmt, place = tok
                word = stmt.split(None, 1)[0] if stmt.split() else ""
                if word in ends:
                    return out, stmt
                if word == "for":
                    m = re.match(r"for\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+in\s+(.+)$", stmt, re.S)
                    if not m:
                        raise self.fail(place, f"看不懂循环“{{% {stmt} %}}”")
                    src = m.group(2).strip()
                    it = iterable_of(self.expression(src, place))
                    if it is None:
                        self.notes.append(f"{place} 的循环 {src} 读不回数据")
                    loop = Loop(self.next_id(), tuple(v.strip() for v in m.group(1).split(",")), it[0] if it else None, it[1] if it else 0, src)
                    loop.body, end = block((*loops, loop), branches, ("endfor",))
                    if end != "endfor":
                        raise self.fail(place, "循环没有 endfor")
                    out.append(loop)
                elif word == "if":
                    cond = Cond(self.next_id())
                    test = stmt[2:].strip()
                    while True:
                        node = self.expression(test, place) if test is not None else None
                        implied = implications_of(node) if node is not None else []
                        cond.tests.append(test)
                        body, end = block(loops, (*branches, (cond, len(cond.branches))), ("elif", "else", "endif"))
                        cond.branches.append((implied, body))
                        ew = end.split(None, 1)[0] if end else ""
                        if ew == "elif":
                            test = end[4:].strip()
                        elif ew == "else":
                            cond.has_else = True
                            test = None  # type: ignore[assignment]
                            body, end = block(loops, (*branches, (cond, len(cond.branches))), ("endif",))
                            cond.branches.append(([], body))
                            break
                        else:
                            break
                    prev = out[-1] if out else None
                    if isinstance(prev, Cond) and _complementary(prev, cond):
                        _join(prev, cond)  # `{%tr if x %}…{%tr endif %}{%tr if not x %}…`: one if / else
                    else:
                        out.append(cond)
                else:
                    raise self.fail(place, f"看不懂模板标记“{{% {stmt} %}}”")
            return out, ""

        nodes, end = block((), (), ())
        return nodes

    def expression(self, src: str, place: str):  # type: ignore[no-untyped-def]
        try:
            return parse_expression(src)
        except TemplateSyntaxError as exc:
            raise self.fail(place, f"模板表达式“{src}”有误（{exc.message}）") from None


def _complementary(a: Cond, b: Cond) -> bool:
    if a.has_else or b.has_else or len(a.branches) != 1 or len(b.branches) != 1:
        return False
    x, y = " ".join(a.tests[0].split()), " ".join(b.tests[0].split())
    return y in (f"not {x}", f"not ({x})") or x in (f"not {y}", f"not ({y})")


def _join(a: Cond, b: Cond) -> None:
    a.branches.append(b.branches[0])
    a.tests.append(b.tests[0])
    a.has_else = True

    def fix(nodes: list[Node]) -> None:
        for n in nodes:
            if isinstance(n, RowPat):
                n.branches = tuple((a, 1) if c is b else (c, k) for c, k in n.branches)
            elif isinstance(n, Loop):
                fix(n.body)
            else:
                for _imp, body in n.branches:
                    fix(body)

    fix(b.branches[0][1])


def _control(text: str) -> str | None:
    """The statement of a paragraph / row that is only a ``{%p …%}`` / ``{%tr …%}`` tag."""
    m = _CONTROL.search(text)
    if m and ("{%p" in text or "{%tr" in text or "{%tc" in text):
        return m.group(1).strip()
    return None


# ---------------------------------------------------------------------- Word


def docx_pattern(spec: FormSpec) -> Pattern:
    path = spec.path("docx")
    b = _Builder(spec, "docx", path)
    tokens: list[Token] = []
    counters = {"p": 0, "tbl": 0}
    _docx_tokens(body_of(path.read_bytes()), b, tokens, counters)
    nodes = b.tree(tokens)
    _labels_above(b.rows)
    _assign_headings(b.rows)
    return Pattern(spec.name, "docx", nodes, b.rows, b.notes)


def _docx_tokens(parent: etree._Element, b: _Builder, tokens: list[Token], counters: dict[str, int]) -> None:
    for el in parent:
        if el.tag == SDT:
            content = el.find(SDT_CONTENT)
            if content is not None:
                _docx_tokens(content, b, tokens, counters)
        elif el.tag == P:
            counters["p"] += 1
            text = paragraph_text(el)
            place = f"模板 {b.file.name} 第 {counters['p']} 段"
            stmt = _control(text)
            if stmt is not None:
                tokens.append(("ctl", stmt, place))
            elif text.strip():
                tokens.append(b.row("para", [CellPat(0, 1, b.reader(text.strip(), place), place)], place, "p"))
        elif el.tag == TBL:
            counters["tbl"] += 1
            t = counters["tbl"]
            for r, tr in enumerate(_children(el, TR), start=1):
                place = f"模板 {b.file.name} 第 {t} 个表格 第 {r} 行"
                tcs = _children(tr, TC)
                texts = [_cell_template(tc) for tc in tcs]
                stmt = next((s for s in (_control(x) for x in texts) if s is not None), None)
                if stmt is not None and any("{%tr" in x for x in texts):
                    tokens.append(("ctl", stmt, place))
                    continue
                trpr = tr.find(_q("trPr"))
                col = _int(trpr.find(_q("gridBefore")) if trpr is not None else None, 0)
                cells = []
                for c, (tc, text) in enumerate(zip(tcs, texts, strict=True), start=1):
                    pr = tc.find(_q("tcPr"))
                    span = max(_int(pr.find(_q("gridSpan")) if pr is not None else None, 1), 1)
                    vm = pr.find(_q("vMerge")) if pr is not None else None
                    continued = vm is not None and vm.get(_q("val"), "continue") == "continue"
                    cplace = f"{place} 第 {c} 列"
                    cells.append(CellPat(col, span, b.reader("" if continued else text, cplace), cplace, continued))
                    col += span
                tokens.append(b.row("row", cells, place, f"t{t}"))


def _cell_template(tc: etree._Element) -> str:
    """A template cell's text as one Jinja text: ``{%p for …%}`` paragraphs become
    ``{% for …%}``, paragraphs are joined by line breaks."""
    parts = []
    for p in tc.iter(P):
        text = paragraph_text(p)
        stmt = _control(text) if "{%p" in text else None
        parts.append("{% " + stmt + " %}" if stmt is not None else text)
    return "\n".join(parts).strip("\n")


# ---------------------------------------------------------------------- Excel


def xlsx_pattern(spec: FormSpec) -> Pattern:
    path = spec.path("xlsx")
    b = _Builder(spec, "xlsx", path)
    wb = load_workbook(io.BytesIO(path.read_bytes()))
    tokens: list[Token] = []
    for k, sheet in enumerate(spec.sheets):
        if sheet.template not in wb.sheetnames:
            raise b.fail(f"form.yaml sheets[{k}]", f"模板 {path.name} 里没有工作表“{sheet.template}”")
        ws = wb[sheet.template]
        if sheet.for_each:
            tokens.append(("ctl", "for item, project in projects", f"form.yaml sheets[{k}]"))
        if sheet.when:
            tokens.append(("ctl", f"if {sheet.when}", f"form.yaml sheets[{k}].when"))
        splace = f"模板 {path.name} 工作表“{sheet.template}”"
        tokens.append(b.row("sheet", [CellPat(0, 1, b.reader("", splace), splace)], splace, f"s{k}"))
        tokens += _sheet_tokens(ws, b, path.name, f"s{k}")
        if sheet.when:
            tokens.append(("ctl", "endif", ""))
        if sheet.for_each:
            tokens.append(("ctl", "endfor", ""))
    nodes = b.tree(tokens)
    _labels_above(b.rows)
    _assign_headings(b.rows)
    return Pattern(spec.name, "xlsx", nodes, b.rows, b.notes)


def _sheet_tokens(ws, b: _Builder, fname: str, group: str) -> list[Token]:  # type: ignore[no-untyped-def]
    starts: dict[tuple[int, int], int] = {}
    below: dict[tuple[int, int], int] = {}
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        width = rng.max_col - rng.min_col + 1
        for r in range(rng.min_row, rng.max_row + 1):
            (starts if r == rng.min_row else below)[(r, rng.min_col)] = width
            covered.update((r, c) for c in range(rng.min_col + 1, rng.max_col + 1))
    tokens: list[Token] = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        values = {c.column: ("" if c.value is None else str(c.value)) for c in row}
        texts = [t for t in values.values() if t.strip()]
        place = f"模板 {fname} 工作表“{ws.title}”第 {r} 行"
        stmt = next((s for s in (_control(t) for t in texts) if s is not None), None)
        if stmt is not None:
            tokens.append(("ctl", stmt, place))
            continue
        if not texts and not any((r, c) in below for c in values):
            continue
        cells = []
        col = 1
        while col <= ws.max_column:
            if (r, col) in covered:
                col += 1
                continue
            cplace = f"模板 {fname} {ws.title}!{column_letter(col - 1)}{r}"
            if (r, col) in below:
                cells.append(CellPat(col - 1, below[(r, col)], b.reader("", cplace), cplace, continued=True))
                col += below[(r, col)]
                continue
            width = starts.get((r, col), 1)
            cells.append(CellPat(col - 1, width, b.reader(values.get(col, ""), cplace), cplace))
            col += width
        tokens.append(b.row("row", cells, place, group))
    return tokens


# ---------------------------------------------------------------------- headings


def _labels_above(rows: list[RowPat]) -> None:
    """Each cell the template merges with the cell above it gets the label printed there
    (a 保障绩效目标实现措施 that spans both rows of the indicators' heading): a clerk's
    form that types the label again in the lower row, not merging, has that column too."""
    last: dict[tuple[str, int], str] = {}  # (table or sheet, first column) → label of the cell last begun there
    for rp in rows:
        if rp.kind != "row":
            continue
        for cp in rp.cells:
            if cp.continued:
                cp.above = last.get((rp.group, cp.col), "")
                continue
            for col in range(cp.col, cp.col + cp.span):
                last.pop((rp.group, col), None)
            last[(rp.group, cp.col)] = cp.reader.literal or ""


def _assign_headings(rows: list[RowPat]) -> None:
    """Each row of a loop gets the row of column labels above it: walking up its table or
    sheet past rows of other loops and past rows of the same columns (a department row
    under the heading), up to a row of other columns. Of several headings (a project
    grid per variant) the one whose columns fit best."""
    for rp in rows:
        rp.is_heading = rp.heading_like()
    for i, rp in enumerate(rows):
        if rp.kind != "row" or not rp.loops or rp.is_heading:
            continue
        best, best_fit = None, 0.0
        for cand in reversed(rows[:i]):
            if cand.group != rp.group:
                break
            if not cand.is_heading:
                if rp.loops[: len(cand.loops)] != cand.loops or cand.loops == rp.loops:
                    continue  # a row of another loop (or of this one): look further up
                if _column_fit(cand, rp) < 0.8:
                    break
                continue
            if rp.loops[: len(cand.loops)] != cand.loops:
                continue  # a heading inside another loop (another project's grid) is not this one's
            fit = _column_fit(cand, rp)
            if fit > best_fit + 1e-9:
                best, best_fit = cand, fit
        if best is not None and best_fit >= 0.6:
            rp.heading = best


def _column_fit(heading: RowPat, row: RowPat) -> float:
    """The share of the row's cells that begin and end where cells of ``heading`` do."""
    starts = {c.col for c in heading.cells}
    ends = {c.col + c.span for c in heading.cells}
    fits = sum(c.col in starts and c.col + c.span in ends for c in row.cells)
    return fits / max(len(row.cells), 1)


def pattern_of(spec: FormSpec, fmt: str) -> Pattern:
    """The pattern of a form for files of ``fmt`` (its other template when it lacks one)."""
    from ..forms import _cached

    use = fmt if fmt in spec.formats else (spec.formats[0] if spec.formats else fmt)
    path = spec.path(use)
    make = docx_pattern if use == "docx" else xlsx_pattern
    return _cached(("import-pattern", str(path.resolve()), use), [path, spec.folder / "form.yaml"], lambda: make(spec))  # type: ignore[no-any-return]
