"""Render an Excel template: each output sheet is written from a computed layout.

The template is an ordinary workbook an admin edits in Excel/WPS. Cells hold Jinja
(``{{ department.name }}``); a row whose first cell says ``{%tr for row in rows %}`` starts
a block of rows repeated per item, up to the row saying ``{%tr endfor %}``
(``{%tr if … %}`` / ``{%tr endif %}`` keep or drop rows). As in Word, the tag rows
themselves disappear.

We never use ``insert_rows`` (it does not move merges, heights or print titles): rows are
copied into a new sheet of the same workbook, which then gets everything else the template
sheet holds (excel/sheet.py: widths, panes, page setup, headers, validations, conditional
formats, images …), whatever names a row mapped to its new rows. Vertical merges come from
the merge keys left by the ``merge`` filter; every cell of a merged range gets the range's
border; row heights are computed for wrapped CJK text, since neither Excel nor LibreOffice
autofits merged cells.

What a template cell becomes, text or a number (issue 13 item 5), is excel/cells.py's.
"""

from __future__ import annotations

import pickle
import re
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any, NoReturn

import jinja2
from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

from ...errors import Problem, TemplateError
from ...forms.spec import PagesSpec
from ...views import PAGES_OPEN
from .. import collector_paused
from ..fonts import theme_with_cjk
from ..pages.contents import fill_xlsx_contents
from ..pages.numbers import xlsx_default_footer, xlsx_page_number_wording
from ..template import codecache
from ..template.columns import drop_xlsx_columns
from ..template.markup import MARK_OPEN, explain_template_error, split_mark
from .cells import CellProgram, RowProgram, as_number, compile_cell, compile_row
from .layout import lay_out
from .paper import column_widths
from .rows import (
    SheetRows,
    TemplateFacts,
    continue_tall_cells,
    fit_sheet_columns,
    keep_units,
    set_column_widths,
    style_copy,
)
from .rowtags import Block as _Block
from .rowtags import cell_problem, parse_row_tags
from .save import workbook_bytes
from .sheet import MAX_ROW, SheetSettings, copy_sheet_settings

# what a cell's text loses at its ends: ASCII blanks (of the template's layout), never the
# full-width spaces that set a nested budget line in (.indented: issue 16 item 5)
_EDGE = " \t\r\n"


# compiled cells per environment (environments live for the process: markup.make_env)
_COMPILED: weakref.WeakKeyDictionary[jinja2.Environment, dict[str, CellProgram]] = (
    weakref.WeakKeyDictionary()
)


# row programs per environment: the templated texts of a row -> its program, or None for a
# row that keeps one program per cell (issue 23 item 1)
_ROWS: weakref.WeakKeyDictionary[jinja2.Environment, dict[tuple[str, ...], RowProgram | None]] = (
    weakref.WeakKeyDictionary()
)


@dataclass
class _RowPlan:
    """A template row, read once per sheet: its cells (column, template cell, templated?)
    and, when every templated cell is text and ``{{ … }}``, one program for them all;
    what every output row of it gets alike, worked out once (issue 23: per row and cell
    these were looked up again): each cell's style ids, number format and the value a
    plain (untemplated) cell's copies hold, and the row's dimension."""

    cells: list[tuple[int, Any, bool]]  # (column, the template cell's value, templated?)
    program: RowProgram | None
    styles: list[Any] = field(default_factory=list)  # per cell: its style ids, None when it has none
    formats: list[str] = field(default_factory=list)  # per cell: the template cell's number format
    plain: list[tuple[Any, str] | None] = field(default_factory=list)  # per cell: (value, data type) as bound, None: bound per row
    links: list[Any] = field(default_factory=list)  # per cell: its hyperlink, or None
    dim: tuple[Any, dict[str, Any], Any] | None = None  # the row's dimension: class, attributes, style ids
    constants: list[tuple[Any, str | None, str | None] | None] = field(default_factory=list)  # per cell: what a
    # templated cell that reads nothing gives (every row alike), worked out once; None: worked out per row
    program_formats: list[str] = field(default_factory=list)  # the number formats of the cells the program computes


@dataclass
class SheetJob:
    """One output sheet: which template sheet, its name, and its context."""

    template_sheet: str
    name: str
    context: Mapping[str, Any]


def render_xlsx(
    template: Path,
    jobs: Sequence[SheetJob],
    env: jinja2.Environment,
    drop_columns: Sequence[str] = (),
    pages: PagesSpec | None = None,
) -> bytes:
    """``drop_columns``: headings of optional columns to take out first (render/template/columns.py);
    ``pages``: the form's pagination rules (form.yaml ``pages:``). Built without automatic
    collection (render.collector_paused: a fifth of the CPU at 10,000 rows)."""
    with collector_paused():
        return _render_xlsx(template, jobs, env, drop_columns, pages)


def _render_xlsx(
    template: Path,
    jobs: Sequence[SheetJob],
    env: jinja2.Environment,
    drop_columns: Sequence[str],
    pages: PagesSpec | None,
) -> bytes:
    pages = pages or PagesSpec()
    wb, master, key = _render_book(template, drop_columns)
    known = _SHEETS.setdefault(key, {}) if key is not None else {}
    template_names = list(master.sheetnames)
    for name in {j.template_sheet for j in jobs}:
        if name not in template_names:
            raise TemplateError(
                [Problem(f"Excel 模板里没有名为“{name}”的工作表", (), str(template), code="T002")]
            )
    used: set[str] = set()
    made = []
    compiled = _COMPILED.setdefault(env, {})
    for i, job in enumerate(jobs):
        src = master[job.template_sheet]  # read, never changed (the template as parsed)
        sheet = known.get(job.template_sheet)
        if sheet is None:
            sheet = known[job.template_sheet] = TemplateSheet(src)
        blank = sheet.settings.sheet(src)  # a new sheet holding the template sheet's settings
        dst = _create_sheet(wb, f"\ue000{i}", blank)  # final names once the template sheets are gone
        writer = _SheetWriter(src, dst, env, str(template), compiled, pages, sheet)
        writer.installed = blank is not None
        try:
            writer.write(job.context)
        except TemplateError as exc:  # and every other mistake of the template, in one run
            from .syntax import with_every_problem

            raise with_every_problem(template, env, exc) from None
        made.append((dst, sheet_title(job.name, used), writer))
    template_sheets = [wb[name] for name in template_names] if master is wb else []
    for ws in template_sheets:  # (a template that does not pickle: its own parse, rendered into)
        wb.remove(ws)
    for i, (ws, title, writer) in enumerate(made):
        ws.title = title
        writer.layout.add_marks(writer.sheet_rows, title)
        for view in ws.views.sheetView:
            view.tabSelected = i == 0  # one selected sheet (several would open grouped)
    sheets = [(ws, writer.pages) for ws, _title, writer in made]
    if any(_has_pages_marks(ws) for ws, _pages in sheets):
        fill_xlsx_contents(sheets)  # the 目录's pages
    else:
        for ws, _pages in sheets:
            _fill_empty_places(ws)
    _refuse_overlong_cells([ws for ws, _t, _w in made], str(template))
    wb.active = 0
    data = workbook_bytes(wb)  # what wb.save() writes (excel/save.py)
    _let_go(wb, template_sheets)
    return data


def _let_go(wb: Any, gone: Sequence[Worksheet]) -> None:
    """The workbook, written, taken apart: its sheets and cells point at each other (a cell
    at its sheet, a sheet at its workbook), so none of it was freed until the collector walked
    it all (issue 23 item 3: 30 % of the Excel side of a round was that walk, 16,000 objects
    a department). With the links cut, each object goes as its last reference does."""
    for ws in [*wb._sheets, *gone]:
        cells = getattr(ws, "_cells", None)  # (a chart sheet has none)
        if cells is not None:
            cells.clear()
        ws.__dict__.clear()
    wb.__dict__.clear()


# the parsed templates of this process: (path, mtime, size, dropped columns) -> the workbook
# as normalised before any data (CJK theme, columns dropped), pickled (issue 23 item 2)
_BOOKS: OrderedDict[tuple[str, int, int, tuple[str, ...]], bytes] = OrderedDict()
_BOOKS_KEPT = 16  # templates × column choices kept (a county round uses one or two)
BookKey = tuple[str, int, int, tuple[str, ...]]


class TemplateSheet:
    """What the renders of this process work out from one sheet of a parsed template alone,
    before any data: its rows' structure (``{%tr %}`` blocks), each template row's plan per
    Jinja environment, its settings' copies (excel/sheet.py), its texts for the layout
    (excel/rows.py). Worked out from the first copy a render gets, then kept with the parsed
    template (issue 23: a county round worked them out again for each of its 753 sheets,
    made from a handful of template sheets). Holds texts, style ids and copies only —
    nothing of the workbook it was read from, nothing of any department's data."""

    def __init__(self, src: Worksheet):
        self.max_col = src.max_column
        self.max_row = src.max_row
        self.facts = TemplateFacts(src)
        self.settings = SheetSettings(src)
        self.blocks: list[_Block] | None = None  # the parse, once it succeeded
        # template row -> its plan, per environment (a plan holds the environment's programs)
        self.plans: weakref.WeakKeyDictionary[jinja2.Environment, dict[int, _RowPlan]] = weakref.WeakKeyDictionary()


# what was worked out from each sheet of each parsed template kept in _BOOKS (sheet name ->
# TemplateSheet); let go with the parse
_SHEETS: dict[BookKey, dict[str, TemplateSheet]] = {}


def template_book(template: Path, drop_columns: Sequence[str] = ()) -> Any:
    """:func:`_template_book`'s workbook."""
    return _template_book(template, drop_columns)[0]


def _template_book(template: Path, drop_columns: Sequence[str] = ()) -> tuple[Any, BookKey | None]:
    """A fresh copy of the template workbook, normalised as every render needs it: the theme
    naming a Chinese face, the optional columns ``drop_columns`` taken out. The file is read
    and parsed once per process (again when its time or size changes: an admin saved it);
    each render gets its own copy, unpickled — 15–25× cheaper than ``load_workbook``, and
    the same objects (a copy of what was parsed, so no render sees another's changes). With
    the parse's key in _BOOKS (None: a file that does not pickle, parsed every time)."""
    st = template.stat()
    key = (str(template.resolve()), st.st_mtime_ns, st.st_size, tuple(drop_columns))
    data = _BOOKS.get(key)
    if data is not None:
        _BOOKS.move_to_end(key)
        return pickle.loads(data), key  # noqa: S301 - our own bytes, made just below in this process
    kept_as = _kept_as(template, drop_columns)
    made: bytes | None = codecache.load_bytes(kept_as) if kept_as else None  # an earlier run's parse
    copy = None
    if made:
        try:
            copy = pickle.loads(made)  # noqa: S301 - made below by an earlier run (codecache.py)
        except Exception:  # noqa: BLE001 - damaged: parsed again
            made = None
    if made is None or copy is None:
        wb = load_workbook(str(template))
        _theme_with_cjk(wb)
        for ws in wb.worksheets:
            drop_xlsx_columns(ws, drop_columns)
        try:
            made = pickle.dumps(wb, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - something in the file that does not pickle: parsed every time
            return wb, None
        if kept_as:
            codecache.store_bytes(kept_as, made)
        copy = pickle.loads(made)  # noqa: S301 - as above; the copy, so that the first render is like the rest
    data = made
    for old in [k for k in _BOOKS if k[0] == key[0] and k[1:3] != key[1:3]]:  # an earlier save of the file
        del _BOOKS[old]
    _BOOKS[key] = data
    while len(_BOOKS) > _BOOKS_KEPT:
        _BOOKS.popitem(last=False)
    for gone in [k for k in _SHEETS if k not in _BOOKS]:
        del _SHEETS[gone]
    return copy, key


def _kept_as(template: Path, drop_columns: Sequence[str]) -> str | None:
    """The key of the template's parse in the cache of earlier runs (codecache.py; None: off):
    the file's bytes, the columns taken out, openpyxl's version, and the code that makes the
    parse (the theme's Chinese face, the columns' removal) as it is now. The parse, not the
    pickled copy of the renders: openpyxl's bind_merged_cells alone was ~40 ms a template,
    paid by each worker for each form, and by every cold render."""
    if codecache.folder() is None:
        return None
    import openpyxl

    try:
        content = template.read_bytes()
    except OSError:
        return None
    makers = codecache.code_of(__name__, "goaldoc.render.fonts", "goaldoc.render.template.columns")
    return codecache.key_of("xlsx template", openpyxl.__version__, makers, content, tuple(drop_columns))


# what each parse kept in _BOOKS gives the renders: the parsed workbook, whose sheets they
# read and never change, and a copy of it without its sheets, pickled: the workbook each
# render writes its sheets into (issue 23: each render unpickled the template's sheets too, a
# county round's 100 departments, only to read them and delete them)
_MASTERS: dict[BookKey, tuple[Any, bytes]] = {}


def _render_book(template: Path, drop_columns: Sequence[str]) -> tuple[Any, Any, BookKey | None]:
    """(a fresh copy of the template workbook without its sheets, to render into; the
    template workbook whose sheets the render reads — kept for the process —; the parse's
    key). A template that does not pickle: its own parse, both (its sheets to be removed)."""
    st = template.stat()
    key = (str(template.resolve()), st.st_mtime_ns, st.st_size, tuple(drop_columns))
    kept = _MASTERS.get(key) if key in _BOOKS else None
    if kept is None:
        master, made = _template_book(template, drop_columns)
        if made is None:
            return master, master, None
        hollow = pickle.loads(_BOOKS[made])  # noqa: S301 - our own bytes, made in this process
        for ws in list(hollow.worksheets) + list(hollow.chartsheets):
            hollow.remove(ws)
        try:
            kept = (master, pickle.dumps(hollow, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # noqa: BLE001 - as _template_book: made again every time
            wb, _key = _template_book(template, drop_columns)
            return wb, wb, None
        _MASTERS[made] = kept
        for gone in [k for k in _MASTERS if k not in _BOOKS]:
            del _MASTERS[gone]
        key = made
    return pickle.loads(kept[1]), kept[0], key  # noqa: S301 - our own bytes, made just above


_BLANK_SHEET: list[bytes] = []  # a new worksheet of no workbook, pickled once per process


def _create_sheet(wb: Any, title: str, blank: bytes | None = None) -> Worksheet:
    """What ``wb.create_sheet(title)`` makes and adds, unpickled from a blank sheet made once:
    Worksheet.__init__ builds some thirty objects (2.7 % of the Excel side of a county round,
    753 sheets), most of which the template's settings then replace. ``blank``: another
    pickled sheet of no workbook to make it from (a template sheet's settings in place:
    excel/sheet.py SheetSettings.sheet)."""
    if blank is None:
        if not _BLANK_SHEET:
            _BLANK_SHEET.append(pickle.dumps(Worksheet(None), protocol=pickle.HIGHEST_PROTOCOL))
        blank = _BLANK_SHEET[0]
    ws: Worksheet = pickle.loads(blank)  # noqa: S301 - our own bytes, made in this process
    # a defaultdict subclass (DimensionHolder) is unpickled without its factory and its
    # attributes: a dimension indexed that the sheet has not is made by the sheet, as in a
    # new sheet
    for holder, factory in ((ws.row_dimensions, ws._add_row), (ws.column_dimensions, ws._add_column)):
        holder.default_factory, holder.worksheet = factory, ws
    ws._parent = wb
    ws.title = title  # as Worksheet.__init__ sets it (its checks, a name not taken)
    wb._add_sheet(ws)
    return ws


def _has_pages_marks(ws: Worksheet) -> bool:
    """Whether a cell of the sheet holds a 目录 page mark (what fill_xlsx_contents looks for)."""
    return any(isinstance(v := cell._value, str) and PAGES_OPEN in v for cell in ws._cells.values())


def _fill_empty_places(ws: Worksheet) -> None:
    """The cells fill_xlsx_contents leaves in a sheet when there is no 目录 to fill: its
    walk with ``iter_rows()`` makes a cell at every empty place of the sheet's rectangle,
    and each is written as ``<c r="B5"/>``. Made here directly (the walk was a tenth of the
    layout at 10,000 rows), so that the file stays as it was, byte for byte."""
    if ws._current_row == 0:  # iter_rows() gives nothing for a sheet without rows
        return
    cells = ws._cells
    max_row, max_col = ws.max_row, ws.max_column  # each a walk over the cells
    # the empty places, found by set difference and made in the walk's order (row by row)
    missing = sorted(set(product(range(1, max_row + 1), range(1, max_col + 1))).difference(cells))
    for r, c in missing:
        cells[(r, c)] = Cell(ws, row=r, column=c)
    ws._current_row = max(ws._current_row, missing[-1][0] if missing else 0)


def align_amounts(cells: Sequence[Any]) -> None:
    """A column of amounts (two cells or more) prints right-aligned on the decimal point:
    each number keeps the decimals it was typed with, and room as wide as the decimals it
    lacks (Excel's ``_0`` / ``_.``: 350 as 350␣␣␣␣␣ beside 2026.9325). Centred, the points
    did not line up (issue 20 item 4)."""
    from openpyxl.styles import Alignment

    by_column: dict[int, list[Any]] = {}
    for cell in cells:
        if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
            by_column.setdefault(cell.column, []).append(cell)
    right: dict[int, int] = {}  # alignment id -> the id of the same alignment right-aligned
    for column in by_column.values():
        if len(column) < 2:
            continue
        places = {id(c): len(c.number_format.partition(".")[2]) for c in column}
        most = max(places.values())
        for cell in column:
            own = places[id(cell)]
            pad = ("_." if own == 0 and most else "") + "_0" * (most - own)
            if pad:
                cell.number_format = cell.number_format + pad
            was = cell._style.alignmentId  # the cell has a style: its number format
            if was in right:  # what the assignment below stores, found once per alignment
                cell._style.alignmentId = right[was]
                continue
            old = cell.alignment
            cell.alignment = Alignment(
                horizontal="right",
                vertical=old.vertical,
                wrap_text=old.wrap_text,
                shrink_to_fit=old.shrink_to_fit,
                indent=old.indent,
                text_rotation=old.text_rotation,
            )
            right[was] = cell._style.alignmentId


def unpad_overflowing(cells: Sequence[Any], widths: Mapping[int, float]) -> None:
    """Where the room align_amounts left makes a number wider than its column as fitted
    (a 12-digit amount beside 2026.9325), the column's numbers go without it: Excel would
    print ### for a number that does not fit."""
    from ..pages.measure import text_em
    from .paper import column_points
    from .rows import font_size, shown_text

    by_column: dict[int, list[Any]] = {}
    for cell in cells:
        if "_" in cell.number_format:
            by_column.setdefault(cell.column, []).append(cell)
    for col, column in by_column.items():
        room = column_points(widths.get(col, 0.0)) - 7.5
        if any(text_em(shown_text(c)) * font_size(c) > room for c in column):
            for c in column:
                c.number_format = c.number_format.partition("_")[0]


def _theme_with_cjk(wb: Any) -> None:
    """The workbook's theme names a Chinese face for East Asian text (render/fonts.py):
    the default font (Calibri, ``scheme="minor"``) takes CJK characters from there."""
    from openpyxl.writer.theme import theme_xml

    theme = wb.loaded_theme or theme_xml.encode("utf-8")
    fixed = theme_with_cjk(theme if isinstance(theme, bytes) else theme.encode("utf-8"))
    if fixed != theme:
        wb.loaded_theme = fixed


EXCEL_CELL_MAX = 32767  # characters (UTF-16 units) one Excel cell holds; Excel cuts the rest


def _refuse_overlong_cells(sheets: Sequence[Worksheet], file: str) -> None:
    """A cell longer than Excel holds would be cut without a word when the file opens
    (issue 12 item 5): checks (E304) refuse such data, and a template that joins texts
    into one cell is refused here, naming the cell."""
    problems = []
    for ws in sheets:
        # the sheet's own cells, in row order (iter_rows made a cell for every empty place)
        for _rc, cell in sorted(
            (rc, cell)
            for rc, cell in ws._cells.items()
            if isinstance(v := cell._value, str) and len(v) > EXCEL_CELL_MAX // 2
        ):
            v = cell.value
            if len(v.encode("utf-16-le")) // 2 > EXCEL_CELL_MAX:
                n = len(v.encode("utf-16-le")) // 2
                problems.append(
                    Problem(
                        f"Excel 表 {ws.title}!{cell.coordinate}：这一格生成了 {n:,} 个字符，超过 Excel 一格能存的 "
                        f"{EXCEL_CELL_MAX:,} 个字符，打开时会被截掉：请缩短数据，或在模板里把这些内容分到几格",
                        (),
                        file,
                        code="T019",
                    )
                )
    if problems:
        raise TemplateError(problems)


MAX_SHEET_NAME = 31  # UTF-16 code units: an emoji or a CJK Extension B character counts 2
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")  # newline, tab … (Unicode category Cc)
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _utf16_cut(text: str, units: int) -> str:
    """The longest start of ``text`` that is at most ``units`` UTF-16 code units."""
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out)


def sheet_title(name: str, used: set[str]) -> str:
    """A name Excel accepts (issue 12 item 4): at most 31 UTF-16 code units, none of
    []:*?/\\, no control or bidi-override characters (a newline, U+202E), no apostrophe at
    either end, not ``History`` (Excel keeps it for the change history), unique in the
    workbook ignoring case (``(2)``, ``(3)`` … added, within the 31)."""
    text = _CONTROL.sub(" ", "".join(ch for ch in name if ch not in _BIDI))
    text = _SHEET_NAME_BAD.sub("", text)

    def clean(t: str) -> str:
        return t.strip("' ")

    base = clean(_utf16_cut(clean(text), MAX_SHEET_NAME)) or "Sheet"
    title, n = base, 2
    while title.casefold() in used or title.casefold() == "history":
        suffix = f"({n})"
        title = clean(_utf16_cut(base, MAX_SHEET_NAME - len(suffix))) + suffix
        n += 1
    used.add(title.casefold())
    return title


_ERROR_CODES = frozenset(ERROR_CODES)
_new_cell = object.__new__


def _bound(value: Any) -> tuple[Any, str] | None:
    """(value, data type) as ``cell.value = value`` binds a text or a number, with a text
    beginning with "=" kept as text (a clerk's text is never a formula); None for anything
    else, or a text openpyxl would cut or refuse (it is then bound by openpyxl itself, which
    says so as it always did)."""
    t = type(value)
    if t is str:
        if len(value) > 32767 or ILLEGAL_CHARACTERS_RE.search(value):
            return None
        return value, ("e" if value in _ERROR_CODES else "s")
    if t is int or t is float:
        return value, "n"
    return None


def _split_mark(text: str) -> tuple[str | None, str]:
    """:func:`split_mark`, without a search in a text that holds no mark."""
    return split_mark(text) if MARK_OPEN in text else (None, text)


class _SheetWriter:
    def __init__(
        self,
        src: Worksheet,
        dst: Worksheet,
        env: jinja2.Environment,
        file: str,
        compiled: dict[str, CellProgram],
        pages: PagesSpec,
        sheet: TemplateSheet,
    ):
        self.src, self.dst, self.env, self.file = src, dst, env, file
        self.sheet = sheet  # what the template sheet gives every render alike
        self.installed = False  # dst holds the template sheet's settings already (SheetSettings.sheet)
        self.pages_spec = pages
        self.tag_starts: set[int] = set()  # tag rows that open a block (for/if)
        self.max_col = sheet.max_col
        self.out_row = 0
        self.amounts: list[Any] = []  # the cells holding an amount (they move with their rows)
        self.emitted: dict[int, list[int]] = {}
        self.tag_pos: dict[int, int] = {}  # tag row -> next/last output row at that point
        self.keys: dict[tuple[int, int], str] = {}  # (out row, col) -> merge key
        self._compiled = compiled  # cell text -> compiled program, shared by every render
        self._rows = _ROWS.setdefault(env, {})  # row texts -> row program, shared likewise
        plans = sheet.plans.get(env)
        if plans is None:
            plans = sheet.plans[env] = {}
        self._plans = plans  # template row -> its plan, for every sheet made from the template sheet

    # -- structure ---------------------------------------------------------------------
    def _parse(self) -> list[_Block]:
        """The sheet's rows as blocks, parsed once per template sheet (a template's mistake
        is found, and said, again each time)."""
        if self.sheet.blocks is None:
            self.sheet.blocks = self._parsed()
        return self.sheet.blocks

    def _parsed(self) -> list[_Block]:
        firsts: dict[int, tuple[int, str]] = {}  # row -> (column, text) of its first text not blank
        for (r, c), v in self.sheet.facts.texts.items():
            if v.strip() and (r not in firsts or c < firsts[r][0]):
                firsts[r] = (c, v)
        blocks, problems = parse_row_tags(firsts, self.sheet.max_row)
        if problems:  # every one of the sheet's (excel/syntax.py adds the cells' own)
            raise TemplateError([cell_problem(self.file, self.src.title, r, c, m) for r, c, m in problems])
        return blocks

    def _fail(self, row: int, message: str, col: int = 1) -> NoReturn:
        raise TemplateError([cell_problem(self.file, self.src.title, row, col, message)])

    def _eval(self, expr: str, ctx: Mapping[str, Any], row: int) -> Any:
        """The value of a {%tr for/if %} expression, compiled once per text (a loop's inner
        tags are evaluated once per item: compiling each time cost a quarter of a render)."""
        key = "\0" + expr  # never a cell's text: cells are compiled by _program
        try:
            prog = self._compiled.get(key)
            if prog is None:
                prog = CellProgram(expression=self.env.compile_expression(expr, undefined_to_none=False))
                self._compiled[key] = prog
            assert prog.expression is not None
            return prog.expression(**ctx)
        except Exception as exc:  # noqa: BLE001 - any failure of a template is the admin's to fix
            self._fail(row, f"表达式“{expr}”出错：{explain_template_error(exc)}")

    # -- writing -----------------------------------------------------------------------
    def write(self, ctx: Mapping[str, Any]) -> None:
        self._run(self._parse(), dict(ctx))
        rows = SheetRows(
            self.dst, self.src, self.max_col, self.out_row, self.keys, self.emitted, self.tag_pos, self.tag_starts
        )
        rows.facts = self.sheet.facts
        template_widths = column_widths(self.src, self.max_col)
        align_amounts(self.amounts)  # before the columns are fitted: the room it adds is width
        widths = fit_sheet_columns(rows, template_widths, self.pages_spec)
        unpad_overflowing(self.amounts, widths)  # a number wider than its column shows ###
        keep_units(rows, widths)  # 预算金额（万元） never breaks inside 万元
        continue_tall_cells(rows, widths)
        self.layout = lay_out(rows, widths, self.pages_spec)
        self.sheet_rows = rows
        self.rows = rows.row_map()
        self.pages = rows.pages
        copy_sheet_settings(self.src, self.dst, self.rows, self.max_col, self.sheet.settings, self.installed)
        set_column_widths(self.dst, widths, template_widths)
        xlsx_default_footer(self.dst, self.pages_spec.page_numbers)  # only where the template has none
        xlsx_page_number_wording(self.dst, self.pages_spec.page_numbers)  # the Word file's wording
        self.layout.add_breaks(self.dst)
        rows.apply_merges(self.layout.ranges)

    def _run(self, blocks: Iterable[_Block], ctx: dict[str, Any]) -> None:
        for b in blocks:
            if b.kind == "row":
                self._write_row(b.row, ctx)
            elif b.kind == "if":
                self.tag_starts.add(b.row)
                self.tag_pos[b.row] = self.out_row + 1
                if self._eval(b.expr, ctx, b.row):
                    self._run(b.body, ctx)
                elif b.orelse:
                    self._run(b.orelse, ctx)
                self.tag_pos[b.end_row] = self.out_row
            else:
                self.tag_starts.add(b.row)
                self.tag_pos[b.row] = self.out_row + 1
                items = self._eval(b.expr, ctx, b.row) or []
                items = list(items)
                for i, item in enumerate(items):
                    loop = {"index": i + 1, "index0": i, "first": i == 0, "last": i == len(items) - 1, "length": len(items)}
                    self._run(b.body, {**ctx, b.var: item, "loop": loop})
                self.tag_pos[b.end_row] = self.out_row

    def _plan(self, r: int) -> _RowPlan:
        plan = self._plans.get(r)
        if plan is None:
            cells = []
            for c in range(1, self.max_col + 1):
                src_cell = self.src._cells.get((r, c))
                if src_cell is None:  # what src.cell(r, c) would make, not added to the template (read by every render)
                    src_cell = Cell(self.src, row=r, column=c)
                value = src_cell.value
                cells.append((c, src_cell, isinstance(value, str) and ("{{" in value or "{%" in value)))
            texts = tuple(cell.value for _c, cell, templated in cells if templated)
            program = None
            if len(texts) > 1:
                if texts not in self._rows:
                    try:
                        self._rows[texts] = compile_row(self.env, list(texts), constants=True)
                    except Exception:  # noqa: BLE001 - a cell's own error is named by today's path
                        self._rows[texts] = None
                program = self._rows[texts]
            styles = [src_cell._style if src_cell.has_style else None for _c, src_cell, _t in cells]
            formats = [src_cell.number_format for _c, src_cell, _t in cells]
            at = [i for i, (_c, _cell, templated) in enumerate(cells) if templated]  # the templated cells' places
            constants: list[tuple[Any, str | None, str | None] | None] = [None] * len(cells)
            program_formats = [formats[i] for i in at]
            if program is not None and program.computed is not None:
                # the cells that read nothing, worked out once as each row would (rendered alone)
                computed = set(program.computed)
                try:
                    for j, i in enumerate(at):
                        if j not in computed:
                            c, src_cell, _t = cells[i]
                            constants[i] = self._render_cell(r, c, src_cell.value, {}, formats[i])
                except TemplateError:  # it fails: every row goes today's way, which names the cell
                    program, constants = None, [None] * len(cells)
                program_formats = [formats[at[j]] for j in sorted(computed)] if program is not None else []
            plain = [
                None if templated or src_cell.value is None or src_cell.value == "" else _bound(src_cell.value)
                for _c, src_cell, templated in cells
            ]
            links = [src_cell.hyperlink for _c, src_cell, _t in cells]
            dim = self.src.row_dimensions.get(r)
            shape = None
            if dim is not None:  # what copy(dim) keeps (RowDimension.__copy__ runs __init__ over its attributes)
                attrs = {k: v for k, v in dim.__dict__.items() if k != "worksheet"}
                shape = (type(dim), attrs, dim._style)
            values = [(c, src_cell.value, templated) for c, src_cell, templated in cells]  # no cell of this copy kept
            plan = self._plans[r] = _RowPlan(values, program, styles, formats, plain, links, shape, constants, program_formats)
        return plan

    def _row_values(self, plan: _RowPlan, ctx: dict[str, Any]) -> list[tuple[Any, str | None, str | None]] | None:
        """Every templated cell of the row from its one program, as :meth:`_render_cell`
        gives them; None when anything fails (today's path then names the cell)."""
        assert plan.program is not None
        try:
            results = plan.program.run(ctx)
            out: list[tuple[Any, str | None, str | None]] = []
            for kind, result, template_format in zip(plan.program.kinds, results, plan.program_formats, strict=True):
                if kind == "text":
                    key, shown = _split_mark(result.strip(_EDGE))
                    out.append((shown, None, key))
                    continue
                value, marked = result if kind == "merged" else (result, result)
                key, shown = _split_mark(str(marked).strip(_EDGE))  # str() raises for an undefined name
                out.append(self._typed(value, shown, key, template_format))
            return out
        except Exception:  # noqa: BLE001 - see the docstring
            return None

    def _write_row(self, r: int, ctx: dict[str, Any]) -> None:
        self.out_row += 1
        out = self.out_row
        self.emitted.setdefault(r, []).append(out)
        plan = self._plan(r)
        dst, made = self.dst, self.dst._cells
        if plan.dim is not None:  # height, hidden, outline level, row style: copy(dim), made directly
            cls, attrs, dim_style = plan.dim
            cp = cls.__new__(cls)
            cp.__dict__.update(attrs)
            cp.__dict__["index"] = out
            cp.parent = dst
            cp._style = None if dim_style is None else style_copy(dim_style)
            dst.row_dimensions[out] = cp
        values = self._row_values(plan, ctx) if plan.program is not None else None
        k = 0
        if out > MAX_ROW:  # what dst.cell() would say (checks keep the rows far below)
            raise ValueError(f"Row numbers must be between 1 and {MAX_ROW}. Row number supplied was {out}")
        dst._current_row = max(out, dst._current_row)  # what dst.cell() keeps, for a row made here
        for (c, template_value, templated), style, template_format, plain, link, constant in zip(
            plan.cells, plan.styles, plan.formats, plan.plain, plan.links, plan.constants, strict=True
        ):
            number_format = None
            if templated:
                if constant is not None:
                    value, number_format, key = constant
                elif values is not None:
                    value, number_format, key = values[k]
                    k += 1
                else:
                    value, number_format, key = self._render_cell(r, c, template_value, ctx, template_format)
                if key is not None:
                    self.keys[(out, c)] = key
                bound = _bound(value) if value is not None and value != "" else None
            else:
                value = template_value
                bound = plain
            dst_cell = made.get((out, c))
            if dst_cell is None:  # a new row's cell: what Cell(dst, out, c, style_array=style) makes, directly
                dst_cell = made[(out, c)] = _new_cell(Cell)
                dst_cell.parent, dst_cell.row, dst_cell.column = dst, out, c
                dst_cell._style = None if style is None else style_copy(style)
                dst_cell._value, dst_cell.data_type, dst_cell._hyperlink, dst_cell._comment = None, "n", None, None
            elif style is not None:
                dst_cell._style = style_copy(style)  # what copy() makes, without the copy module
            if bound is not None:  # what cell.value = … binds, without openpyxl's checks of each type
                dst_cell._value, dst_cell.data_type = bound
            elif value is not None and value != "":
                dst_cell.value = value
                if dst_cell.data_type == "f":  # text typed by a clerk is never a formula
                    dst_cell.data_type = "s"
            if number_format is not None:
                dst_cell.number_format = number_format
                if number_format[:1] in "0#":
                    self.amounts.append(dst_cell)
            if link is not None:
                dst_cell.hyperlink = copy(link)

    def _program(self, r: int, c: int, text: str) -> CellProgram:
        prog = self._compiled.get(text)
        if prog is None:
            try:
                prog = compile_cell(self.env, text)
            except Exception as exc:  # noqa: BLE001 - a syntax error, or one found while compiling
                self._fail(r, explain_template_error(exc), c)
            self._compiled[text] = prog
        return prog

    def _render_cell(
        self, r: int, c: int, text: str, ctx: Mapping[str, Any], template_format: str
    ) -> tuple[Any, str | None, str | None]:
        """(cell value, number format or None, merge key or None) of a template cell."""
        prog = self._program(r, c, text)
        try:
            if prog.template is not None:
                key, shown = split_mark(prog.template.render(ctx).strip(_EDGE))
                return shown, None, key
            assert prog.expression is not None
            result: Any = prog.expression(**ctx)
            value, marked = result if prog.merged else (result, result)
            key, shown = split_mark(str(marked).strip(_EDGE))  # str() raises for an undefined name
        except Exception as exc:  # noqa: BLE001 - any failure of a template is the admin's to fix
            self._fail(r, explain_template_error(exc), c)
        return self._typed(value, shown, key, template_format)

    @staticmethod
    def _typed(value: Any, shown: str, key: str | None, template_format: str) -> tuple[Any, str | None, str | None]:
        if type(value) is str:  # what as_number says of a plain text, without asking
            return shown, None, key
        number = None if template_format == "@" else as_number(value)  # "@": the admin's 文本 format
        if number is None:
            return shown, None, key
        return number[0], (number[1] if template_format == "General" else None), key
