"""Render a Word template (docxtpl) and make the result strict enough for Microsoft Word.

docxtpl does the Jinja part (``{{ }}``, ``{%tr for %}`` row loops, ``{%p for %}``
paragraph loops). We then

1. merge cells vertically by the merge keys the ``merge`` filter left in the text (spans
   computed from the data, not docxtpl's ``{% vm %}``, which merges per loop and writes
   ``vMerge`` after ``vAlign``);
2. normalise every table the way Word wants it: ``tcPr`` children in schema order, cell
   widths on each cell (``tcW``, which Word reads) equal to the ``tblGrid`` (which
   LibreOffice reads), a paragraph closing every cell, no text in merged-away cells,
   ``cantSplit`` on every row.

Templates come from Word, WPS and LibreOffice, each with its habits (issue 8 item 4): rows
without ``trPr``, cells without ``tcW``, rows that start or end beside the grid
(``gridBefore`` / ``gridAfter``), on/off flags written ``w:val="true"`` or ``"false"``.
tests/fixtures/office holds such files.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import docx
import jinja2
from docx.opc.parts.coreprops import CorePropertiesPart
from docxtpl import DocxTemplate
from lxml import etree

from ...errors import TemplateError
from ...forms.spec import PagesSpec
from ...indicators import merge_spans
from ...views import PAGES_OPEN
from .. import collector_paused
from ..kept import Kept
from ..pages.contents import (
    fill_contents,
    layout_pass_enabled,
    libreoffice_pages,
    mark_forms,
)
from ..pages.measure import Labels
from ..pages.numbers import docx_default_footer
from ..template import codecache
from ..template.columns import drop_docx_columns
from ..template.markup import MARK_OPEN, has_mark, split_mark, strip_marks
from .measure import (
    align_amounts,
    fit_table,
    keep_signature,
    keep_units,
    measure,
    page_of_section,
    template_labels,
)
from .names import qn
from .pages import apply as apply_pages
from .pages import is_separator, keep_with_next, lay_out
from .rows import FUNCTION as ROWS_FUNCTION
from .rows import STUB_COUNT, RowLoops
from .save import save as save_document
from .strict import normalise_package, normalise_template, on_off_only, order_properties
from .styles import StyleSheet
from .table import (
    TCPR_ORDER,
    CellView,
    RowView,
    TableView,
    first_child,
    in_order,
    para_text,
    sort_children,
)

# CT_TblPr, §17.4.60
TBLPR_ORDER = [
    qn(f"w:{name}")
    for name in (
        "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
        "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
        "tblDescription tblPrChange"
    ).split()
]
_W_P, _W_TC, _W_TR, _W_T, _W_TCPR = qn("w:p"), qn("w:tc"), qn("w:tr"), qn("w:t"), qn("w:tcPr")
_W_GRIDSPAN = qn("w:gridSpan")


_PATCHED: Kept[str, str] = Kept(32)  # a part's XML -> docxtpl's patch_xml of it


def _patched(src_xml: str, patch: Callable[[str], str]) -> str:
    """docxtpl's ``patch(src_xml)``, or what an earlier run kept of it (docxtpl's version is in
    the key: the clean-up is all its own)."""

    def parts() -> tuple[str, ...]:
        import docxtpl

        return ("docxtpl patch_xml", getattr(docxtpl, "__version__", ""), src_xml)

    return codecache.get_or_make(
        parts, lambda: patch(src_xml), lambda out: out.encode("utf-8", "surrogatepass"), lambda b: b.decode("utf-8", "surrogatepass")
    )


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_TBL, _W_TBLGRID, _W_GRIDCOL = qn("w:tbl"), qn("w:tblGrid"), qn("w:gridCol")
_RECOVER = etree.XMLParser(recover=True)  # as docxtpl parses its output


def _as_their_grids(tree: etree._Element) -> bool:
    """Whether docxtpl's fix_tables would leave every table of ``tree`` as it is: no row
    holds more cells than the grid has columns, and some row spans them all (each cell its
    first tcPr's first gridSpan, else 1; a table's rows are all those under it, as docxtpl
    iterates them). False also where a span is not plain digits (int() may refuse it)."""
    for tbl in tree.iter(_W_TBL):
        grid = first_child(tbl, _W_TBLGRID)
        if grid is None:
            return False
        columns = sum(1 for _ in grid.iterchildren(_W_GRIDCOL))
        widest = 0
        for tr in tbl.iter(_W_TR):
            counted = tr.get(STUB_COUNT)
            if counted is not None:
                cells, span = map(int, counted.split())
            else:
                cells = span = 0
                for tc in tr.iterchildren(_W_TC):
                    cells += 1
                    tcpr = first_child(tc, _W_TCPR)
                    gs = first_child(tcpr, _W_GRIDSPAN) if tcpr is not None else None
                    if gs is None:
                        span += 1
                        continue
                    val = gs.get(_W_VAL)
                    if val is None or not (val.isascii() and val.isdigit()):
                        return False
                    span += int(val)
            if cells > columns:
                return False
            widest = max(widest, span)
        if widest < columns:
            return False
    return True
_LISTED = re.compile("[\t\n\a\f]")  # what docxtpl's resolve_listing rewrites


class _Template(DocxTemplate):
    """docxtpl, remembering the rewritten XML of the part it renders (to locate errors),
    its row loops rendered as data where they can be (``row_loops``: render/word/rows.py)."""

    rendering_src = ""
    rendering_part: Any = None
    shared_parts: list[Any] = []  # the parts it shares with the parsed template (never changed)
    row_loops: RowLoops | None = None

    def patch_xml(self, src_xml):  # type: ignore[no-untyped-def]
        """docxtpl's clean-up of a part's XML (a dozen regular expressions over all of it),
        which depends on the XML alone: once per process for each template part, and kept
        for later runs too when `goaldoc render` keeps its cache (codecache.py): ~45 ms for
        a form's document, in each worker's first department of the form."""
        return _PATCHED.get_or_make(src_xml, lambda: _patched(src_xml, super(_Template, self).patch_xml))

    def render_xml_part(self, src_xml, part, context, jinja_env=None):  # type: ignore[no-untyped-def]
        if self.row_loops is not None and part is self.docx._part:
            src_xml = self.row_loops.take(src_xml)
        self.rendering_src = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)  # as docxtpl splits it
        self.rendering_part = part
        out = super().render_xml_part(src_xml, part, context, jinja_env)
        if self.row_loops is not None and part is self.docx._part:
            self.row_loops.main = len(out)
        return out

    def resolve_listing(self, xml):  # type: ignore[no-untyped-def]
        """docxtpl's listing step makes the tab, new-line, bell and form-feed characters of a
        text a tab, a line break, a paragraph and a page break: three nested regular
        expressions over the whole part, about 4 % of a small form's render. A part holding
        none of those characters comes out of it unchanged, so it is not walked."""
        if _LISTED.search(xml) is None:
            return xml
        return super().resolve_listing(xml)

    def fix_tables(self, xml):  # type: ignore[no-untyped-def]
        """docxtpl's fix of the tables whose rows hold more cells than the grid has columns
        (it adds columns) or whose widest row spans fewer (it removes some), without its walk
        of every cell when no table needs it: a row's stub says its cells and spans
        (rows.RowProgram.stub), the other rows are counted as docxtpl counts them. A table
        that needs fixing, or a cell read otherwise (a span not digits, a table without a
        grid, another namespace): docxtpl's own."""
        tree = etree.fromstring(xml, parser=_RECOVER)
        if tree.nsmap.get("w") != _W_NS or not _as_their_grids(tree):
            return super().fix_tables(xml)
        return tree

    def map_tree(self, tree):  # type: ignore[no-untyped-def]
        super().map_tree(tree)
        if self.row_loops is not None:  # the rows go into the document itself: moving a
            # tree of thousands of rows between lxml documents grows faster than the rows
            self.row_loops.expand(self.docx.element.body, self.resolve_listing)


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    env: jinja2.Environment,
    drop_columns: Sequence[str] = (),
    pages: PagesSpec | None = None,
) -> bytes:
    """``drop_columns``: the headings of optional columns to take out (render/template/columns.py);
    ``pages``: the form's pagination rules (form.yaml ``pages:``; render/word/pages.py).
    Built without automatic collection (render.collector_paused: 15-25 % of the CPU at
    10,000 rows)."""
    with collector_paused():
        return _render_docx(template, context, env, drop_columns, pages)


def _render_docx(
    template: Path,
    context: Mapping[str, Any],
    env: jinja2.Environment,
    drop_columns: Sequence[str],
    pages: PagesSpec | None,
) -> bytes:
    try:
        tpl, labels = _rendered(template, context, env, drop_columns, as_data=True)
    except Exception:  # noqa: BLE001 - rendered again docxtpl's way: its error, located, or the document
        tpl, labels = _rendered(template, context, env, drop_columns, as_data=False)
    body = tpl.docx.element.body
    # Word wants the body to end with a paragraph (before the section properties)
    last = body[-2] if len(body) > 1 and body[-1].tag == qn("w:sectPr") else body[-1]
    if last.tag == qn("w:tbl"):
        last.addnext(etree.Element(_W_P))
    pages = pages or PagesSpec()
    docx_default_footer(tpl.docx, pages.page_numbers)  # only where the template has no footer
    styles = StyleSheet(tpl.docx.styles.element)
    views: dict[etree._Element, TableView] = {}
    copied = tpl.row_loops.copied if tpl.row_loops is not None else {}
    for tbl in body.iter(qn("w:tbl")):
        view = views[tbl] = TableView(tbl, copied)  # read once, for every pass below (issue 23 item 2)
        merge_marked_cells(view)
        fit_table(view, styles, pages)
        keep_units(view, styles, labels)  # 预算金额（万元） never breaks inside 万元
        align_amounts(view, styles)  # a column of amounts aligned on the decimal point
        normalise_table(view)
    touched: set[etree._Element] = set()
    page_of = paginate_body(body, styles, pages, views, touched)
    join_tables(body)  # one line where two tables meet, not two
    # the merge marks left out of the texts, and whether a 目录's page marks are among them
    # (has_contents_marks, read after the marks are out): one walk of the body's texts
    pages_marked = False
    for t in body.iter(_W_T):
        text = t.text
        if text:
            if MARK_OPEN in text:
                t.text = text = strip_marks(text)
            if PAGES_OPEN in text:
                pages_marked = True
    contents = mark_forms(body, is_separator, page_of) if pages_marked else None
    normalise_package(tpl.docx, _strict_already(views, touched), template_done=True)  # what the Open XML validator and Word insist on (issue 20)
    if contents is not None:  # the 目录's pages: LibreOffice's layout where asked for and installed
        laid_out = libreoffice_pages(_save(tpl), etree.tostring(body)) if layout_pass_enabled() else None
        fill_contents(body, {**contents, **{k: v for k, v in (laid_out or {}).items() if k in contents}})
    return _save(tpl)


def _strict_already(views: Mapping[etree._Element, TableView], touched: set[etree._Element]) -> set[etree._Element]:
    """What normalise_package need not walk: the rows (else the cells) copied from a row
    shape that is as strict as it makes a document, and still as their shape
    (render/word/rows.py) — a cell merged away holds its first paragraph's properties and
    a vMerge more — and not printed again or cut at a page break (``touched``)."""
    out: set[etree._Element] = set()
    # the rows holding a cell touched (a cell's row is its parent): the others' cells are all untouched
    parents = [tc.getparent() for tc in touched]
    touched_rows = None if any(p is None for p in parents) else set(parents)
    for view in views.values():
        for row in view.rows:
            if row.program is None or not _shape_is_strict(row.program):
                continue
            if touched_rows is not None and row.tr not in touched_rows:
                cells = row.cells
            else:
                cells = [c for c in row.cells if c.tc not in touched]
            # a cell as a shape derived from the row's (rows.RowProgram.derived): as strict as that shape
            program = row.program
            if (
                len(cells) == len(row.cells)
                and _shape_facts(program)[0]
                and all(c.merged_copy if c.shape is None else c.shape[0] is program or _shape_is_strict(c.shape[0]) for c in cells)
            ):
                out.add(row.tr)
            else:
                out.update(c.tc for c in cells if c.shape is not None and (c.shape[0] is program or _shape_is_strict(c.shape[0])))
    return out


def _shape_is_strict(program: Any) -> bool:
    strict = program.memo.get("strict")
    if strict is None:
        shape = copy.deepcopy(program.shape)
        before = etree.tostring(shape)
        order_properties(shape)
        on_off_only(shape)
        bookmarks = next(shape.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd")), None) is not None
        strict = program.memo["strict"] = etree.tostring(shape) == before and not bookmarks  # its copies' bookmarks: made unique
    return strict  # type: ignore[no-any-return]


_PARSED: Kept[tuple[str, int, int], tuple[Any, list[Any]]] = Kept(16)
_LABELS: Kept[tuple[Any, tuple[str, ...]], Labels] = Kept(32)  # (parsed template's root, columns dropped) -> its labels
# the parts docxtpl renders or goaldoc changes: each render has its own copy of these
_RENDERED_ROOTS = {qn(f"w:{t}") for t in ("document", "hdr", "ftr", "footnotes", "endnotes", "comments")}


def _parsed(template: Path) -> tuple[Any, list[Any], Any]:
    """A python-docx Document of the template, parsed once per process (per file, size and
    time of change) and copied for each render (issue 23 item 2: the parsed template cached
    per process). The copy shares the parts no render changes — styles and numbering (made
    strict once: strict.normalise_template), settings, fonts, theme, pictures, custom XML —
    and copies the others: the body, headers, footers, notes (docxtpl renders them) and the
    core properties (docxtpl renders them, strict.once_each fixes them). A full copy took
    9.0 ms of a small form's render; this one 0.4 ms. Also the parts shared (render/word/save.py
    writes them once per process); and the parsed template kept (a key for what depends on it)."""
    st = template.stat()
    key = (str(template.resolve()), st.st_size, st.st_mtime_ns)
    parsed, shared = _PARSED.get_or_make(key, lambda: _parse(template))
    return copy.deepcopy(parsed, {id(part): part for part in shared}), shared, parsed


def _parse(template: Path) -> tuple[Any, list[Any]]:
    """The template parsed, made strict where no render changes it, and those parts."""
    parsed = docx.Document(str(template))
    normalise_template(parsed)  # the parts no render changes: strict once (issue 23 item 2)
    shared = [
        part
        for part in parsed.part.package.iter_parts()
        if part is not parsed.part
        and not isinstance(part, CorePropertiesPart)
        and getattr(getattr(part, "_element", None), "tag", None) not in _RENDERED_ROOTS
    ]
    return parsed, shared


def _rendered(
    template: Path, context: Mapping[str, Any], env: jinja2.Environment, drop_columns: Sequence[str], as_data: bool
) -> tuple[_Template, Labels]:
    """The template rendered by docxtpl (``as_data``: its row loops as data, render/word/rows.py),
    and its labels."""
    tpl = _Template(str(template))
    tpl.docx, tpl.shared_parts, kept = _parsed(template)
    drop_docx_columns(tpl.docx.element.body, drop_columns)
    # its labels depend on the template and the columns dropped: once per process
    labels = _LABELS.get_or_make((kept.element, tuple(drop_columns)), lambda: template_labels(tpl.docx.element.body))
    context = dict(context)
    if as_data:
        loops = tpl.row_loops = RowLoops(env)
        context[ROWS_FUNCTION] = loops.record
        tpl.render(context, env, autoescape=True)
        return tpl, labels
    try:
        tpl.render(context, env, autoescape=True)
    except Exception as exc:  # noqa: BLE001 - any failure of a template is the admin's to fix
        from .syntax import render_problems  # a syntax error: every mistake of the template

        raise TemplateError(render_problems(template, env, tpl, exc, lambda: template_parts(template))) from None
    return tpl, labels


_HEADER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_FOOTER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"


def template_parts(template: Path) -> list[tuple[str, bool]]:
    """The parts of the template docxtpl renders — the body, then each header and footer — as
    the rewritten XML it compiles (each ``<w:p`` on a new line, as docxtpl splits it), and
    whether each is a header or footer: what render/word/syntax.py reads every mistake from.
    The template as saved, no optional column taken out."""
    from docx.oxml import parse_xml

    _copy, _shared, kept = _parsed(template)
    patcher = _Template.__new__(_Template)  # patch_xml reads nothing of the instance
    xmls = [(etree.tostring(kept.element.body, encoding="unicode"), False)]
    for rel in kept.part.rels.values():
        if rel.reltype in (_HEADER_URI, _FOOTER_URI) and not rel.is_external and rel.target_part.blob:
            xmls.append((etree.tostring(parse_xml(rel.target_part.blob), encoding="unicode"), True))
    return [(re.sub(r"<w:p([ >])", r"\n<w:p\1", patcher.patch_xml(xml)), header) for xml, header in xmls]


def _save(tpl: _Template) -> bytes:
    """The document's bytes, as docxtpl's save writes them; the template's parts no render
    changes written as the process first compressed them (render/word/save.py)."""
    if tpl.pics_to_replace or tpl.crc_to_new_media or tpl.crc_to_new_embedded or tpl.zipname_to_replace:
        buf = io.BytesIO()  # docxtpl's replacements of pictures and files (goaldoc asks for none): its own save
        tpl.save(buf)
        return buf.getvalue()
    return save_document(tpl.docx, set(tpl.shared_parts))


def paginate_body(
    body: etree._Element,
    styles: StyleSheet,
    pages: PagesSpec,
    views: Mapping[etree._Element, TableView] | None = None,
    touched: set[etree._Element] | None = None,
) -> Callable[[etree._Element], int]:
    """Lay the body out on pages and break it there (render/word/pages.py); returns the
    page (0-based) each paragraph or table starts on, as the model lays them out.
    ``views``: the body's tables as read by the passes before (render/word/table.py);
    ``touched``: given the cells the page breaks printed again or cut."""
    page = page_of_section(body.find(qn("w:sectPr")))
    measured = measure(body, styles, page, pages, views)
    if touched is not None:
        measured.touched = touched
    keep_signature(measured.pieces, pages)
    layout = lay_out(measured, page)
    apply_pages(body, measured, layout)
    first: dict[etree._Element, int] = {}
    for piece, at in zip(measured.pieces, layout.page_of, strict=True):
        first.setdefault(piece.element, at)

    def page_of(el: etree._Element) -> int:
        if el in first:
            return first[el]
        rows = [first[tr] for tr in el.iter(_W_TR) if tr in first]
        return min(rows, default=0)

    return page_of


def _thin(p: etree._Element) -> bool:
    """An empty paragraph a few points high standing between two tables (a page break's
    separator is not one: the tables are on different pages)."""
    if p.tag != _W_P or is_separator(p) or any((t.text or "").strip() for t in p.iter(_W_T)):
        return False
    ppr = p.find(qn("w:pPr"))
    if ppr is not None and ppr.find(qn("w:pageBreakBefore")) is not None:
        return False
    sp = ppr.find(qn("w:spacing")) if ppr is not None else None
    if sp is not None and sp.get(qn("w:lineRule")) == "exact" and int(sp.get(qn("w:line"), "240") or 240) <= 80:
        return True
    sizes = [int(s.get(qn("w:val"), "24")) for s in p.iter(qn("w:sz"))]
    return bool(sizes) and max(sizes) <= 6


def join_tables(body: etree._Element) -> None:
    """Two tables with only a thin paragraph between them print as one (the forms draw
    them as one: a form's key tasks above its indicators, a project's table above
    its indicators): the second loses its top border, so the line where they meet is drawn once
    (issue 20 item 4)."""
    for tbl in body.findall(qn("w:tbl")):
        prev = tbl.getprevious()
        if prev is None or not _thin(prev) or prev.getprevious() is None or prev.getprevious().tag != qn("w:tbl"):
            continue
        tblpr = tbl.find(qn("w:tblPr"))
        if tblpr is None:
            tblpr = etree.Element(qn("w:tblPr"))
            tbl.insert(0, tblpr)
        borders = tblpr.find(qn("w:tblBorders"))
        if borders is None:
            borders = etree.SubElement(tblpr, qn("w:tblBorders"))
            sort_children(tblpr, TBLPR_ORDER)
        _no_top(borders)
        first = tbl.find(_W_TR)
        for tc in first.findall(_W_TC) if first is not None else []:
            cell_borders = tc.find(f"{_W_TCPR}/{qn('w:tcBorders')}")
            if cell_borders is not None:
                _no_top(cell_borders)


def _no_top(borders: etree._Element) -> None:
    """A border set (tblBorders, tcBorders) without its top line (top comes first)."""
    top = borders.find(qn("w:top"))
    if top is None:
        top = etree.Element(qn("w:top"))
        borders.insert(0, top)
    for attr in list(top.attrib):
        del top.attrib[attr]
    top.set(qn("w:val"), "nil")


def _grid(tbl: etree._Element) -> list[int]:
    grid = first_child(tbl, qn("w:tblGrid"))
    if grid is None:
        return []
    return [int(c.get(_W_W, "0")) for c in grid.iterchildren(qn("w:gridCol"))]


_W_VMERGE = qn("w:vMerge")


def _tcpr(tc: etree._Element) -> etree._Element:
    tcpr = tc.find(_W_TCPR)
    if tcpr is None:
        tcpr = etree.SubElement(tc, _W_TCPR)
        tc.remove(tcpr)
        tc.insert(0, tcpr)
    return tcpr


def _set_vmerge(tc: etree._Element, restart: bool) -> etree._Element:
    """Returns the cell's tcPr."""
    tcpr = _tcpr(tc)
    vm = tcpr.find(_W_VMERGE)
    if vm is None:
        vm = etree.SubElement(tcpr, _W_VMERGE)
    if restart:
        vm.set(_W_VAL, "restart")
    elif _W_VAL in vm.attrib:
        del vm.attrib[_W_VAL]
    return tcpr


def _empty_cell(tc: etree._Element) -> etree._Element:
    """Merged-away cells hold one empty paragraph (Word shows hidden text otherwise)."""
    first_p = tc.find(_W_P)
    ppr = first_p.find(qn("w:pPr")) if first_p is not None else None
    for child in list(tc):
        if child.tag != _W_TCPR:
            tc.remove(child)
    p = etree.SubElement(tc, _W_P)
    if ppr is not None:
        p.append(ppr)  # moved from the paragraph just removed: no copy needed
    return p


def merge_marked_cells(view: TableView) -> list[tuple[int, int]]:
    """Merge consecutive cells of a column whose merge keys are equal (see indicators.py);
    returns the (first row, rows) of every merge made."""
    rows = view.rows
    columns: dict[tuple[int, int], list[tuple[str | None, CellView | None]]] = {}
    marked: list[CellView] = []
    for r, row in enumerate(rows):
        # a copy of a row shape: only its cells whose texts may hold a mark (rows.RowProgram.may_mark)
        program = row.program
        for cell in row.cells if program is None else [row.cells[i] for i in program.may_mark]:
            key: str | None
            if cell.pre_key is not None:  # merged away as it was copied (render/word/rows.py)
                key = cell.pre_key
            else:
                text = cell.text()
                if not has_mark(text):
                    continue
                key, _ = split_mark(text)
                marked.append(cell)
            column = columns.get((cell.col, cell.span))
            if column is None:
                column = columns[(cell.col, cell.span)] = [(None, None)] * len(rows)
            column[r] = (key, cell)
    made: list[tuple[int, int]] = []
    emptied: set[int] = set()
    for cells in columns.values():
        for start, length in merge_spans([k for k, _ in cells]):
            made.append((start, length))
            first = cells[start][1]
            assert first is not None
            first.tcpr = _set_cell_vmerge(first, restart=True)
            first.vm = "restart"
            for _, below in cells[start + 1 : start + length]:
                assert below is not None
                if below.pre_key is not None:
                    continue  # as the lines below would leave it
                below.tcpr = _set_cell_vmerge(below, restart=False)
                below.vm = "continue"
                below.paras = [_empty_cell(below.tc) if below.odd else _empty_paragraphs(below)]
                below.texts = [""]
                below.odd = False
                below.merged_copy = below.shape  # its properties still its shape's (but a vMerge)
                below.shape = None
                emptied.add(id(below))
    for cell in marked:  # the marks out of the texts that stay
        if id(cell) in emptied:
            continue
        for t in cell.tc.iter(_W_T):
            if has_mark(t.text):
                t.text = strip_marks(t.text)
        # a copy of a row shape has each mark inside one w:t (one {{ }} wrote it)
        cell.texts = [strip_marks(x) for x in cell.texts] if cell.shape is not None else [para_text(p) for p in cell.paras]
    return made


def _set_cell_vmerge(cell: CellView, restart: bool) -> etree._Element:
    """:func:`_set_vmerge` of a cell the view has read: a cell it read without vMerge has none.
    A copy of a row shape whose tcPr is in schema order gets the vMerge in its place (what
    normalise_table's sort would make of it), and stays as its shape but for it; any other
    cell is marked changed, for normalise_table."""
    if cell.tcpr is None or cell.vm is not None:
        cell.props_changed = True
        return _set_vmerge(cell.tc, restart)
    at = cell.shape[0].vmerge_in_order(cell.shape[1]) if cell.shape is not None and not cell.props_changed else None
    if at is None:
        cell.props_changed = True
        vm = etree.SubElement(cell.tcpr, _W_VMERGE)
    else:
        vm = etree.Element(_W_VMERGE)
        cell.tcpr.insert(at, vm)
    if restart:
        vm.set(_W_VAL, "restart")
    return cell.tcpr


def _empty_paragraphs(cell: CellView) -> etree._Element:
    """:func:`_empty_cell` of a cell holding only paragraphs (and its tcPr)."""
    first = cell.paras[0] if cell.paras else None
    ppr = first_child(first, qn("w:pPr")) if first is not None else None
    tc = cell.tc
    for p in cell.paras:
        tc.remove(p)
    p = etree.SubElement(tc, _W_P)
    if ppr is not None:
        p.append(ppr)  # moved from the paragraph just removed: no copy needed
    return p


def _is_on(el: etree._Element | None) -> bool:
    """A Word on/off property is on: present and not w:val="0/false/off" (LibreOffice
    writes w:val="true"; Word and WPS may write false)."""
    return el is not None and el.get(qn("w:val"), "1") not in ("0", "false", "off")


def _set_row_gaps(trpr: etree._Element, grid: list[int]) -> None:
    """w:wBefore / w:wAfter equal to the grid columns w:gridBefore / w:gridAfter leave empty
    (Word and WPS write these; a stale width makes Word re-lay the row)."""
    for count_tag, width_tag, pick in (
        ("w:gridBefore", "w:wBefore", lambda n: grid[:n]),
        ("w:gridAfter", "w:wAfter", lambda n: grid[len(grid) - n :]),
    ):
        count = trpr.find(qn(count_tag))
        n = int(count.get(qn("w:val"), "0")) if count is not None else 0
        if n <= 0:
            continue
        width = trpr.find(qn(width_tag))
        if width is None:
            width = etree.SubElement(trpr, qn(width_tag))
        width.set(qn("w:w"), str(sum(pick(n))))
        width.set(qn("w:type"), "dxa")


_W_TRPR, _W_TBLPREX, _W_CANTSPLIT, _W_VAL = qn("w:trPr"), qn("w:tblPrEx"), qn("w:cantSplit"), qn("w:val")
_W_TBLHEADER, _W_TCW, _W_W, _W_TYPE = qn("w:tblHeader"), qn("w:tcW"), qn("w:w"), qn("w:type")
_W_GRIDBEFORE, _W_GRIDAFTER = qn("w:gridBefore"), qn("w:gridAfter")


def _shape_facts(program: Any) -> tuple[bool, list[tuple[bool, tuple[str | None, str | None] | None, bool]]]:
    """What :func:`normalise_table` finds on a row shape (render/word/rows.py), once per
    process: whether the row's properties need nothing (cantSplit on, no gaps, not a
    heading), and for each cell whether its tcPr is in order, its tcW (w, type) and whether
    it ends with a paragraph. A copy whose cell is still as its shape (or merged, the vMerge
    put in its place: RowProgram.vmerge_in_order) needs no more than a tcW of another width."""
    facts = program.memo.get("normalise")
    if facts is None:
        shape = program.shape
        trpr = first_child(shape, _W_TRPR)
        cant = first_child(trpr, _W_CANTSPLIT) if trpr is not None else None
        row_done = (
            trpr is not None
            and cant is not None
            and _W_VAL not in cant.attrib
            and first_child(trpr, _W_GRIDBEFORE) is None
            and first_child(trpr, _W_GRIDAFTER) is None
            and not _is_on(first_child(trpr, _W_TBLHEADER))
        )
        cells = []
        for tc in shape.iterchildren(_W_TC):
            tcpr = first_child(tc, _W_TCPR)
            tcw = first_child(tcpr, _W_TCW) if tcpr is not None else None
            cells.append(
                (
                    tcpr is not None and in_order(tcpr, TCPR_ORDER),
                    (tcw.get(_W_W), tcw.get(_W_TYPE)) if tcw is not None else None,
                    len(tc) > 0 and tc[-1].tag == _W_P,
                )
            )
        facts = program.memo["normalise"] = (row_done, cells)
    return facts  # type: ignore[no-any-return]


def normalise_table(view: TableView) -> None:
    tbl = view.tbl
    grid = _grid(tbl)
    tblpr = first_child(tbl, qn("w:tblPr"))
    if tblpr is not None:
        sort_children(tblpr, TBLPR_ORDER)
    # per row shape: whether the row's properties need nothing, and which of its cells need
    # nothing while they are as the shape's (tcPr in order, a paragraph last, tcW the grid's)
    # (a cell merged away as it was copied: its tcPr sorted, a paragraph last, by the variant)
    as_shape: dict[Any, tuple[bool, list[bool], list[bool]]] = {}
    for row in view.rows:
        program = row.program
        found = as_shape.get(program) if program is not None else None
        if program is not None and found is None:
            row_done, facts = _shape_facts(program)
            widths = [not grid or tcw == (str(sum(grid[col : col + span])), "dxa") for (_o, tcw, _e), col, span in zip(facts, program.columns, program.spans, strict=True)]
            found = as_shape[program] = (
                row_done,
                [ordered and ends and width for (ordered, _t, ends), width in zip(facts, widths, strict=True)],
                widths,
            )
        if found is None or not found[0]:
            _normalise_row(row, grid)
        for cell in row.cells:
            origin = cell.shape if cell.shape is not None else cell.merged_copy
            if found is not None and origin and not cell.props_changed and (found[1] if cell.pre_key is None else found[2])[origin[1]]:
                continue  # as its shape (a vMerge in its place), or merged as copied: nothing to do
            tc = cell.tc
            tcpr = cell.tcpr
            if tcpr is None:
                tcpr = cell.tcpr = _tcpr(tc)
            if grid:
                width = sum(grid[cell.col : cell.col + cell.span])
                tcw = first_child(tcpr, _W_TCW)
                if tcw is None:
                    tcw = etree.SubElement(tcpr, _W_TCW)
                tcw.set(_W_W, str(width))
                tcw.set(_W_TYPE, "dxa")
            sort_children(tcpr, TCPR_ORDER)
            if tc[-1].tag != _W_P:
                etree.SubElement(tc, _W_P)
                if not cell.paras:
                    cell.size = None  # measured from its first paragraph: this one
                cell.reread()


def _normalise_row(row: RowView, grid: list[int]) -> None:
    tr, trpr = row.tr, row.trpr
    if trpr is None:  # Word and WPS write none for a row with no properties
        trpr = row.trpr = etree.Element(_W_TRPR)
        prex = first_child(tr, _W_TBLPREX)
        tr.insert(1 if prex is not None else 0, trpr)
    cant = first_child(trpr, _W_CANTSPLIT)
    if cant is None:
        trpr.insert(0, etree.Element(_W_CANTSPLIT))
    elif _W_VAL in cant.attrib:  # w:val="false" would let the row split
        del cant.attrib[_W_VAL]
    if grid and (first_child(trpr, _W_GRIDBEFORE) is not None or first_child(trpr, _W_GRIDAFTER) is not None):
        _set_row_gaps(trpr, grid)
    if _is_on(first_child(trpr, _W_TBLHEADER)):
        keep_with_next(tr)  # a heading row never stays alone at the foot of a page
        row.kept = True
        # a copy's cells still as its shape are as the shape with keep-with-next: a derived shape
        kept = row.program.derived(("keep with next",), keep_with_next) if row.program is not None else None
        for cell in row.cells:
            as_shape = kept is not None and cell.shape is not None and cell.shape[0] is row.program
            cell.shape = (kept, cell.shape[1]) if as_shape else None  # type: ignore[index]
