"""Word row loops as data (issue 23 item 1).

docxtpl renders a ``{%tr for row in rows %}`` loop by writing the row's XML once per item
into one string the size of the document, runs Jinja over all of it and parses it back:
about 250 µs a row, a third of a large form's render. A loop over one row whose Jinja
is all inside the row's texts (``{{ }}``, and statements that begin and end in one text such
as ``{% if row.adjusted %}（调整为…）{% endif %}``) is taken out of that string here:

* the row is parsed once (its *shape*), and the Jinja of its texts compiled into one
  program that writes every text of every item in one call (both cached per process,
  like the document's own template: render/word/document.py);
* in docxtpl's source the loop becomes one call that records the items and leaves a
  marker (and a stub of the row, its cells and spans, so that docxtpl's table fix-up
  counts the row's cells as it would have);
* after docxtpl, each marker becomes copies of the shape, each with its texts set;
* the merges are read from the data as the texts are written: a cell whose merge key is
  the one of the same cell in the row above (``| merge``: 一级, 二级) is copied from a
  *variant* of the shape where it is already merged away (RowProgram.variant), and the
  table's merge (render/word/document.py) leaves it as it is.

The row may read other names (an outer loop's ``p``, the form's ``budget``) and ``loop``:
the call passes them, as the loop saw them. A value that docxtpl would turn into XML (a
line break becomes ``w:br``, a tab a ``w:tab``; a control character) makes that row render
as docxtpl renders it: the loop's rows written as XML by the same Jinja and docxtpl's own
listing step. A loop of several rows, or a row with Jinja outside its texts (a ``{%p %}``
paragraph, an attribute, a field code) or a picture keeps docxtpl's path;
templates/README.md says which rows take which. Any error on the way: the caller renders
the document again without this, so a template's mistakes are reported as before.

A row of the body's tables outside any loop (a *lone* row: a heading, a project's 项目编码
row) is taken the same way, as a loop of one item, when its Jinja is all inside its texts
(or it has none), it reads no enclosing loop's ``loop`` and holds no table: a county round's
department has as many of them as loop rows, and each measured, normalised and made strict
from its XML cost more than the row's share of docxtpl (issue 23, county round). A template
with Jinja that may send a row's output elsewhere or change it (``{% filter %}``,
``{% macro %}``, ``{% call %}``, ``{% raw %}``, a block ``{% set %}``), or state that changes
as the document goes (``namespace()``, ``cycler()``, ``joiner()``: a taken row's texts are
written after the rest of the document), keeps all its rows, loops too, docxtpl's way.
"""

from __future__ import annotations

import copy
import functools
import html
import re
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import meta
from lxml import etree
from markupsafe import Markup

from ..kept import Kept
from ..template import sandbox
from ..template.markup import MARK_OPEN, mark_key
from .names import qn
from .table import TCPR_ORDER, first_child, sort_children, vmerge_place

FUNCTION = "_goaldoc_rows"  # the call a loop becomes in docxtpl's source
STUB_COUNT = "goaldoc-cells"  # a row stub's cells and spans (RowProgram.stub)
_ITEMS = "_goaldoc_items"
_SEP, _END = "\ufdd2", "\ufdd3"  # between a row's texts, after a row (noncharacters: never in a form)
_MARKER = re.compile(r"goaldoc-rows (\d+)")
_W_T = qn("w:t")

# a loop over one table row: {% for x in xs %}<w:tr …>…</w:tr>{% endfor %} as docxtpl
# writes {%tr for %} … {%tr endfor %} (no other row or comment inside; a statement only
# within a text: _compile)
_LOOP = re.compile(
    r"\{%\s*for\s+([A-Za-z_]\w*)\s+in\s+((?:(?!%\}).)+?)\s*%\}"
    r"(<w:tr[ >](?:(?!<w:tr[ >]|\{#).)*?</w:tr>)"
    r"\{%\s*endfor\s*%\}",
    re.S,
)
_JINJA = ("{{", "}}", "{%", "%}")
_OTHER_LOOP_FORMS = re.compile(r"\bif\b|\brecursive\b|-$")
_TEXT = re.compile(r"<w:t(?=[\s>/])[^>]*?(?:/>|>(.*?)</w:t>)", re.S)
_BODY = re.compile(r"<w:body\b[^>]*>")
# what docxtpl's listing step and the XML parser would change: control characters (\n, \t, \a,
# \f become w:br, w:tab, paragraphs), characters XML refuses, docxtpl's escaped braces
_NOT_PLAIN = re.compile("[\x00-\x1f\ufffe\uffff\ud800-\udfff]|\\{_\\{|\\}_\\}|\\{_%|%_\\}")
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_PARSER = etree.XMLParser(recover=True)  # as docxtpl parses its output

_PROGRAMS: Kept[tuple[Any, ...], RowProgram | None] = Kept(1024)  # per process
_DERIVED = 64  # programs derived from one (RowProgram.derived)


def _unescape(text: str) -> str | None:
    """The text the XML parser would read from Jinja's (escaped) output; None when the
    parser would read something else than plain text from it."""
    if "&" in text:
        if text.count("&") != len(_ENTITY.findall(text)):
            return None

        def one(m: re.Match[str]) -> str:
            if m.group(1):
                return _NAMED[m.group(1)]
            code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
            return chr(code) if code <= 0x10FFFF else "\ufffe"

        text = _ENTITY.sub(one, text)
    return None if _NOT_PLAIN.search(text) else text


class RowProgram:
    """One loop row: its shape, the program writing its texts, and the row's own Jinja
    for the rows that need docxtpl's way."""

    def __init__(
        self,
        var: str,
        outer: list[str],
        row_xml: str,
        body_open: str,
        shape: etree._Element,
        slots: list[int],
        program: jinja2.Template,
        env: jinja2.Environment,
    ):
        self.var = var
        self.outer = outer  # the other names the row reads (an outer loop's, the form's)
        self.row_xml = row_xml
        self.body_open = body_open
        self.shape = shape
        self.slots = slots  # indexes (among the row's w:t) of the texts the program writes
        self.program = program
        self._env = env  # for the whole row's template, made when first needed (whole)
        self.has_trpr = False
        self.memo: dict[str, Any] = {}  # what the passes found on the shape (document.py)
        self.columns: list[int] = []
        self._cells: list[tuple[int | None, list[int], int, str | None]] = []
        self._texts: list[list[list[int]]] = []
        self._paragraphs: list[list[etree._Element]] = []
        self._plain: list[list[bool]] = []
        self._margins: list[etree._Element | None] = []
        # where a vMerge goes in each cell's tcPr (table.vmerge_place; at the end, the tcPr
        # then out of order, when it was already), None: the cell is not merged as it is copied
        self._vmerge_at: list[int | None] = []
        self.merge_unordered: list[bool] = []  # its tcPr out of order: the variant sorts it (with the vMerge)
        self._variants: dict[frozenset[int], tuple[etree._Element, list[int | None]]] = {}
        self._derived: dict[tuple[Any, ...], RowProgram] = {}  # derived(): per process
        self.base_texts = [t.text or "" for t in shape.iter(_W_T)]  # the slots' are written per row
        self.copyable = _layout(self, shape)
        self.stub = _stub(shape)
        # the cells whose text may hold a merge mark (one the program writes)
        slotted = set(slots)
        self.mark_cells = [i for i, paras in enumerate(self._texts) if any(k in slotted for ts in paras for k in ts)]
        # and those that may hold one as copied: also a text of the shape's own holding one
        self.may_mark = [
            i for i, paras in enumerate(self._texts) if any(k in slotted or MARK_OPEN in self.base_texts[k] for ts in paras for k in ts)
        ]
        # per cell, the index of its one w:t when it is one paragraph of one text (most
        # cells: its text is that w:t's, no join), else None
        self._one = [paras[0][0] if len(paras) == 1 and len(paras[0]) == 1 else None for paras in self._texts]
        self._all_slots = slots == list(range(len(self.base_texts)))  # a copy's w:t texts: the program's
        # the cells that may be merged away as they are copied, with their one text's index
        self._mergeable = [(i, self._one[i]) for i in self.mark_cells if self._vmerge_at[i] is not None] if self.copyable else []
        # each cell as RowView reads a copy: (index, shape, layout, one text's index)
        self.cell_plan = [(i, (self, i), self._cells[i], self._one[i]) for i in range(len(self._cells))]

    # -- the shape's layout, for render/word/table.py and measure.py (a copy is laid out alike)
    @property
    def spans(self) -> list[int]:
        """Each cell's grid span."""
        return [span for _at, _paras, span, _state in self._cells]

    def vmerge_in_order(self, i: int) -> int | None:
        """Where a vMerge goes in cell ``i``'s tcPr to keep it in schema order (None: the
        tcPr is out of order, missing, or has a vMerge)."""
        return None if self.merge_unordered[i] else self._vmerge_at[i]

    def cell_layout(self, i: int) -> tuple[int | None, list[int], int, str | None]:
        """(index of its tcPr among the cell's children, indexes of its paragraphs, grid
        span, vMerge state) of cell ``i``."""
        return self._cells[i]

    def cell_texts(self, i: int, ttexts: list[str]) -> list[str]:
        """Each paragraph's text of cell ``i`` of a copy whose w:t hold ``ttexts``."""
        one = self._one[i]
        if one is not None:
            return [ttexts[one]]
        return [ttexts[ts[0]] if len(ts) == 1 else "".join([ttexts[k] for k in ts]) for ts in self._texts[i]]

    def paragraph(self, i: int, j: int) -> etree._Element:
        return self._paragraphs[i][j]

    def plain(self, i: int, j: int) -> bool:
        """Whether the paragraph prints its texts and nothing else (no tab, no break)."""
        return self._plain[i][j]

    def margins(self, i: int) -> etree._Element | None:
        """The cell's own margins (w:tcMar)."""
        return self._margins[i]

    def variant(self, merged: frozenset[int]) -> tuple[etree._Element, list[int | None]]:
        """The shape with the cells ``merged`` merged away as render/word/document.py's
        merge_marked_cells leaves a copy's cell (a vMerge in its place in the tcPr, one
        empty paragraph with the first one's properties), and where each of the program's
        slots is among its w:t (None: in a cell merged away). A tcPr out of schema order is
        sorted as normalise_table would sort it. Once per set of cells."""
        found = self._variants.get(merged)
        if found is None:
            shape = copy.deepcopy(self.shape)
            tcs = list(shape.iterchildren(_W_TC))
            for i in merged:
                tc = tcs[i]
                at = self._vmerge_at[i]
                tcpr = first_child(tc, _W_TCPR)
                assert at is not None and tcpr is not None
                tcpr.insert(at, etree.Element(_W_VMERGE))
                if self.merge_unordered[i]:
                    sort_children(tcpr, TCPR_ORDER)  # as normalise_table sorts a merged cell's
                paras = [ch for ch in tc if ch.tag == _W_P]
                ppr = first_child(paras[0], _W_PPR) if paras else None
                for para in paras:
                    tc.remove(para)
                para = etree.SubElement(tc, _W_P)
                if ppr is not None:
                    para.append(ppr)
            gone = {t for i in merged for ts in self._texts[i] for t in ts}
            place: dict[int, int] = {}
            for t in range(len(self.base_texts)):
                if t not in gone:
                    place[t] = len(place)
            found = self._variants[merged] = (shape, [place.get(slot) for slot in self.slots])
        return found

    def derived(self, key: tuple[Any, ...], change: Callable[[etree._Element], None]) -> RowProgram | None:
        """A program alike but for its shape, ``change``d (in a copy): what a pass does the
        same way to every copy of the shape (a heading row's keep-with-next, a column's
        decimal tab), so that what depends on the formatting alone is still found once per
        shape (render/word/measure.py, document.py). ``change`` keeps every cell's children
        where they are. Once per ``key`` per process; None past :data:`_DERIVED` keys."""
        found = self._derived.get(key)
        if found is None:
            if len(self._derived) >= _DERIVED:
                return None
            found = copy.copy(self)
            shape = copy.deepcopy(self.shape)
            change(shape)
            found.shape = shape
            found.memo = {}
            found._variants = {}
            found._derived = {}
            found._paragraphs = []
            for tc, (_at, paras, _span, _state) in zip(shape.iterchildren(_W_TC), self._cells, strict=True):
                kids = list(tc)
                found._paragraphs.append([kids[k] for k in paras])
            self._derived[key] = found
        return found

    def rows(
        self, items: list[Any], outer: dict[str, Any], listing: Callable[[str], str]
    ) -> tuple[list[tuple[etree._Element, list[str] | None, dict[int, str] | None]], int]:
        """The rows for ``items``, each with the texts of its w:t when it is a copy of the
        shape (None: written docxtpl's way) and the cells merged away as it was copied, with
        their merge keys; ``outer``: the other names the row reads, as the loop saw them.
        Also the characters the program wrote.

        A cell whose merge mark has the key of the same cell in the row above (a copy too)
        is merged away at the table's merge (render/word/document.py, merge_marked_cells):
        such cells are copied from a :meth:`variant` of the shape, already as the merge
        leaves them, instead of being written, emptied and freed."""
        if not items:
            return [], 0
        context = {**outer, _ITEMS: items}
        written = self.program.render(context) if self.slots else _END * len(items)  # a lone row without Jinja: nothing to write
        chunks: list[str] | None = written.split(_END)
        if chunks is not None and (len(chunks) != len(items) + 1 or chunks[-1]):
            chunks = None  # a value held a separator: every row docxtpl's way
        plain = "&" not in written and not _NOT_PLAIN.search(written)  # every text as written
        out: list[tuple[etree._Element, list[str] | None, dict[int, str] | None]] = []
        n = len(self.slots)
        as_xml: list[str] | None = None
        above: dict[int, str] = {}  # the merge keys of the row above, a copy
        # the cells that may be merged away as they are copied, with their one text's index
        mergeable = self._mergeable
        for k in range(len(items)):
            texts: list[str | None] | None = None
            if chunks is not None:
                parts = chunks[k].split(_SEP) if n else []
                if len(parts) == n:
                    texts = parts if plain else [_unescape(p) for p in parts]  # type: ignore[assignment]
            if texts is None or None in texts:
                if as_xml is None:
                    as_xml = self._as_docxtpl(context, len(items))
                xml = as_xml[k].replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
                out.append((etree.fromstring(self.body_open + listing(xml) + "</w:body>", _PARSER)[0], None, None))
                above = {}
                continue
            if self._all_slots:  # the program writes every w:t: its texts are the row's
                ttexts: list[str] = texts  # type: ignore[assignment]
            else:
                ttexts = list(self.base_texts)
                for i, text in zip(self.slots, texts, strict=True):
                    ttexts[i] = text  # type: ignore[assignment]
            keys: dict[int, str] = {}
            # (needed to merge with the row above, or for the row below: not for a lone row's one)
            for i, one in mergeable if above or k + 1 < len(items) else ():
                text = ttexts[one] if one is not None else "".join(self.cell_texts(i, ttexts))
                if MARK_OPEN in text:
                    key = mark_key(text)
                    if key is not None:
                        keys[i] = key
            merged = {i: key for i, key in keys.items() if above.get(i) == key} if keys and above else None
            above = keys
            if merged:
                shape, place = self.variant(frozenset(merged))
                tr = shape.__deepcopy__(None)  # copy.deepcopy's own steps aside (lxml's copy ignores the memo)
                ts = list(tr.iter(_W_T))
                for at, text in zip(place, texts, strict=True):
                    if at is not None:
                        ts[at].text = text or None
            else:
                tr = self.shape.__deepcopy__(None)
                if n:
                    ts = list(tr.iter(_W_T))
                    for i, text in zip(self.slots, texts, strict=True):
                        ts[i].text = text or None  # what parsing <w:t></w:t> gives
            out.append((tr, ttexts, merged or None))
        return out, len(written)

    @functools.cached_property
    def whole(self) -> jinja2.Template:
        """The row's XML in the loop, as docxtpl would run it: for the rare row whose texts
        do not come apart (:meth:`_as_docxtpl`), so made then, not with every program (it
        was half the cost of making one: the first department of each form in each worker
        of a batch made them all). A row whose texts compile compiles whole (its Jinja is
        all in its texts, _compile); were it not to, the document is rendered docxtpl's way."""
        return self._env.from_string(f"{{% for {self.var} in {_ITEMS} %}}{self.row_xml}{_END}{{% endfor %}}")

    def _as_docxtpl(self, context: dict[str, Any], n: int) -> list[str]:
        """Every row's XML as docxtpl's loop writes it (before its listing step)."""
        chunks = self.whole.render(context).split(_END)
        if len(chunks) != n + 1:
            raise ValueError("a value holds goaldoc's row separator")  # the caller renders docxtpl's way
        return chunks


_W_P, _W_R, _W_TC, _W_TCPR, _W_TRPR, _W_PPR = (qn(f"w:{t}") for t in ("p", "r", "tc", "tcPr", "trPr", "pPr"))
_W_GRIDBEFORE, _W_GRIDSPAN, _W_VMERGE, _W_TCMAR, _W_VAL = (qn(f"w:{t}") for t in ("gridBefore", "gridSpan", "vMerge", "tcMar", "val"))
_NOT_TEXT = {qn(f"w:{t}") for t in ("tab", "br", "cr")}


def _stub(shape: etree._Element) -> str:
    """What docxtpl's table fix-up (fix_tables) reads of a row, for it to count the row's
    cells as it would count a copy: each cell, and its first tcPr's first gridSpan with its
    value as written. Put where the row's rows go in docxtpl's output (RowLoops.record) in
    place of a copy of the row: 85 % of a county department's output was such copies, each
    written by Jinja, parsed, and thrown away (RowLoops.expand)."""
    cells = []
    spans: int | None = 0
    for tc in shape.iterchildren(_W_TC):
        tcpr = first_child(tc, _W_TCPR)
        span = first_child(tcpr, _W_GRIDSPAN) if tcpr is not None else None
        if span is None:
            cells.append("<w:tc/>")
            spans = spans + 1 if spans is not None else None
        else:
            val = span.get(_W_VAL)
            attr = "" if val is None else f' w:val="{html.escape(val, quote=True)}"'
            cells.append(f"<w:tc><w:tcPr><w:gridSpan{attr}/></w:tcPr></w:tc>")
            spans = spans + int(val) if spans is not None and val is not None and val.isascii() and val.isdigit() else None
    # its count (cells, spans summed) for render/word/document.py's check, where int() reads every span
    count = f' {STUB_COUNT}="{len(cells)} {spans}"' if spans is not None else ""
    return f"<w:tr{count}>" + "".join(cells) + "</w:tr>"


def _layout(program: RowProgram, shape: etree._Element) -> bool:
    """The shape's cells as render/word/table.py reads a row (False: a cell holds more than
    paragraphs, and its copies are read from their XML)."""
    index = {t: k for k, t in enumerate(shape.iter(_W_T))}
    trpr = next(shape.iterchildren(_W_TRPR), None)
    program.has_trpr = trpr is not None
    gb = next(trpr.iterchildren(_W_GRIDBEFORE), None) if trpr is not None else None
    col = int(gb.get(_W_VAL, "0")) if gb is not None else 0
    for tc in shape.iterchildren(_W_TC):
        kids = list(tc)
        tcpr_at = next((k for k, ch in enumerate(kids) if ch.tag == _W_TCPR), None)
        if any(ch.tag not in (_W_P, _W_TCPR) for ch in kids):
            return False
        paras = [k for k, ch in enumerate(kids) if ch.tag == _W_P]
        tcpr = kids[tcpr_at] if tcpr_at is not None else None
        gs = next(tcpr.iterchildren(_W_GRIDSPAN), None) if tcpr is not None else None
        vm = next(tcpr.iterchildren(_W_VMERGE), None) if tcpr is not None else None
        span = int(gs.get(_W_VAL, "1")) if gs is not None else 1
        state = None if vm is None else "restart" if vm.get(_W_VAL) == "restart" else "continue"
        program.columns.append(col)
        program._cells.append((tcpr_at, paras, span, state))
        program._texts.append([[index[t] for t in kids[k].iter(_W_T)] for k in paras])
        program._paragraphs.append([kids[k] for k in paras])
        program._plain.append([not any(ch.tag in _NOT_TEXT for r in kids[k].iter(_W_R) for ch in r) for k in paras])
        program._margins.append(next(tcpr.iterchildren(_W_TCMAR), None) if tcpr is not None else None)
        at = vmerge_place(tcpr)
        program.merge_unordered.append(tcpr is not None and state is None and at is None)
        program._vmerge_at.append(len(tcpr) if tcpr is not None and state is None and at is None else at)
        col += span
    return True


def _compile(var: str, row_xml: str, body_open: str, env: jinja2.Environment, alone: bool = False) -> RowProgram | None:
    """The row's program, or None when the row must keep docxtpl's path. ``alone``: a row
    outside any row loop (written once where it stands), which may have no Jinja at all but
    must not read an enclosing loop's ``loop`` (its program's own loop would hide it)."""
    if "docPr" in row_xml:  # a picture: docxtpl numbers its ids over the whole document
        return None
    raws = [m.group(1) or "" for m in _TEXT.finditer(row_xml)]
    if any(row_xml.count(mark) != sum(r.count(mark) for r in raws) for mark in _JINJA):
        return None  # Jinja outside the texts (an attribute, a field code, a {%p %} paragraph)
    slots = [i for i, r in enumerate(raws) if any(mark in r for mark in _JINJA)]
    if not slots and not alone:
        return None
    joined = _SEP.join(raws[i] for i in slots)
    try:
        for i in slots:  # a statement begins and ends inside its text ({% if %}…{% endif %})
            env.parse(raws[i])
        free = meta.find_undeclared_variables(env.parse(joined))
        if alone and "loop" in free:
            return None
        outer = sorted(free - {var, "loop"})
        program = env.from_string(f"{{% for {var} in {_ITEMS} %}}{joined}{_END}{{% endfor %}}")
        shape = etree.fromstring(body_open + row_xml + "</w:body>", _PARSER)[0]
    except (jinja2.TemplateError, etree.XMLSyntaxError, IndexError):
        return None
    if len(list(shape.iter(_W_T))) != len(raws):
        return None
    if any(not name.isidentifier() or name.startswith("_") for name in outer):
        return None
    return RowProgram(var, outer, row_xml, body_open, shape, slots, program, env)


def _program(var: str, row_xml: str, body_open: str, env: jinja2.Environment, alone: bool = False) -> RowProgram | None:
    return _PROGRAMS.get_or_make((env, var, row_xml, body_open, alone), lambda: _compile(var, row_xml, body_open, env, alone))


# the tags that open and close tables and rows, for finding the rows of the body's own tables
_TABLE_TAGS = re.compile(r"<w:tbl[ >]|</w:tbl>|<w:tr[ >]|</w:tr>")
# Jinja that may take a row's output somewhere else than where the row stands, or change it
# (a block filter, a block set, a macro, raw text): a template holding any keeps all its rows
# docxtpl's way, its loops too (RowLoops.expand would not find a marker upper-cased)
# Also state a row could change or read as the document goes (a namespace, a cycler, a
# joiner): a taken row's texts are written after the document, so such a template keeps its
# rows docxtpl's way too.
_ELSEWHERE = re.compile(r"\{%-?\s*(?:raw|filter|macro|call)\b|\{%-?\s*set\s+[\w\s,]+-?%\}|\b(?:namespace|cycler|joiner)\s*\(")
_ALONE = "_goaldoc_row"  # the loop variable of a lone row's program (never read)


def _lone_rows(src: str) -> list[tuple[int, int]]:
    """Where the rows of the body's tables (not of a table inside a cell) are in ``src``,
    those holding no table and no Jinja comment."""
    out: list[tuple[int, int]] = []
    depth = 0
    start: int | None = None
    for m in _TABLE_TAGS.finditer(src):
        tag = m.group(0)
        if tag.startswith("<w:tbl"):
            depth += 1
            start = None  # a table inside the row: the row is not one
        elif tag == "</w:tbl>":
            depth -= 1
        elif tag.startswith("<w:tr"):
            start = m.start() if depth == 1 else None
        elif start is not None:  # </w:tr> of a row of the body's table
            if "{#" not in src[start : m.end()]:
                out.append((start, m.end()))
            start = None
    return out


def _taken(src: str, env: jinja2.Environment) -> tuple[str, list[RowProgram]]:
    """:meth:`RowLoops.take` of ``src``: the source and the programs its calls name."""
    head = _BODY.search(src)
    if head is None or _ELSEWHERE.search(src) is not None:
        return src, []  # (a marker sent elsewhere, or through a filter, would not be found)
    body_open = head.group(0)
    # (start, end, program, expression) of each loop or lone row to become a call
    taken: list[tuple[int, int, RowProgram, str | None]] = []
    loops: list[tuple[int, int]] = []
    for m in _LOOP.finditer(src):
        loops.append((m.start(), m.end()))
        var, expr, row_xml = m.group(1), m.group(2).strip(), m.group(3)
        if _OTHER_LOOP_FORMS.search(expr):
            continue
        program = _program(var, row_xml, body_open, env)
        if program is not None:
            taken.append((m.start(), m.end(), program, expr))
    at = 0
    for start, end in _lone_rows(src):
        while at < len(loops) and loops[at][1] <= start:
            at += 1
        if at < len(loops) and loops[at][0] < end:
            continue  # a loop's row (taken above, or docxtpl's)
        program = _program(_ALONE, src[start:end], body_open, env, alone=True)
        if program is not None:
            taken.append((start, end, program, None))
    taken.sort(key=lambda t: t[0])
    out: list[str] = []
    programs: list[RowProgram] = []
    pos = 0
    for start, end, program, expr in taken:
        names = ", ".join(f"'{name}': {name}" for name in program.outer)
        out += [src[pos:start], f"{{{{ {FUNCTION}({len(programs)}, ({expr if expr is not None else 'none,'}), {{{names}}}) }}}}"]
        programs.append(program)
        pos = end
    out.append(src[pos:])
    return "".join(out), programs


_TAKEN: Kept[tuple[Any, str], tuple[str, list[RowProgram]]] = Kept(32)  # per process


class RowLoops:
    """The row loops of one render: taken out of docxtpl's source, put back as rows."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self.programs: list[RowProgram] = []
        self.calls: list[tuple[int, list[Any], dict[str, Any]]] = []
        self.copied: dict[etree._Element, tuple[RowProgram, list[str], dict[int, str] | None]] = {}  # each copy of a shape: its w:t texts, its cells merged away
        self.written = 0  # characters the rows stand for in docxtpl's string, at most
        self.main = 0  # characters of docxtpl's own output (set by render/word/document.py)

    def take(self, src: str) -> str:
        """docxtpl's source with each loop that can be rendered as data made one call, and
        each row outside a loop that can be written as a copy of its shape (a lone row: a
        loop of one item), once per process for each source."""
        out, programs = _TAKEN.get_or_make((self.env, src), lambda: _taken(src, self.env))
        self.programs = list(programs)
        return out

    def record(self, k: int, value: Any, outer: dict[str, Any]) -> Markup:
        """Called from the template where loop ``k`` was: the marker (and the row's
        :attr:`RowProgram.stub`, for docxtpl's count of the table's cells)."""
        items = list(value)
        self.calls.append((k, items, outer))
        self.written += len(self.programs[k].row_xml) * len(items)
        self._within_limit()
        return Markup(f"<!--goaldoc-rows {len(self.calls) - 1}-->" + (self.programs[k].stub if items else ""))

    def _within_limit(self) -> None:
        """The rows count against what one template may write (sandbox.MAX_OUTPUT) as they
        would in docxtpl's string, and more: a row's XML in full plus every text written. Past
        it, the caller renders docxtpl's way, where the sandbox stops the render itself or,
        the count being high, writes it."""
        if self.main + self.written > sandbox.MAX_OUTPUT:
            raise sandbox.TemplateLimitError("rows past the output limit")

    def expand(self, tree: etree._Element, listing: Callable[[str], str]) -> None:
        """Each marker in the parsed body replaced by its rows."""
        for comment in list(tree.iter(etree.Comment)):
            m = _MARKER.fullmatch(comment.text or "")
            parent = comment.getparent()
            if m is None or parent is None:
                continue
            k, items, outer = self.calls[int(m.group(1))]
            program = self.programs[k]
            made, chars = program.rows(items, outer, listing)
            self.written += chars
            self._within_limit()
            at = parent.index(comment)
            if items:
                parent.remove(comment.getnext())  # the copy docxtpl counted
            parent.remove(comment)
            parent[at:at] = [tr for tr, _t, _m in made]
            if program.copyable:
                self.copied.update((tr, (program, ttexts, merged)) for tr, ttexts, merged in made if ttexts is not None)
