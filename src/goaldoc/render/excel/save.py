"""Saving a rendered workbook: openpyxl's own writer, fed faster (issue 23: the save was a
third of the Excel side of a county round, most of it per sheet and per cell).

The file is the one ``wb.save()`` writes, part for part and byte for byte (a test compares
them); what changes is how three steps get there:

- each sheet's XML is made in memory, not in a temporary file that is written, read back
  into the zip and removed (three file operations per sheet: a county round makes 750);
- the rows (``<sheetData>``) are written as text, in one piece, where openpyxl opens three
  nested lxml elements per cell; a sheet holding anything else than text and numbers
  (a formula, a date, a comment, rich text) is written by openpyxl itself;
- the merges (``<mergeCells>``) are made as lxml elements directly, where openpyxl parses
  each range's text into an object again to serialise it;
- the styles part (``xl/styles.xml``) is serialised once per process for each set of
  styles: the outputs of one template mostly hold the same fonts, borders and cell
  styles (those of the template, and the few a render adds), and openpyxl built and
  serialised some 200 objects again for every file.
"""

from __future__ import annotations

import datetime
import io
import operator
import pickle
import re
import time
import zipfile
from collections import OrderedDict
from typing import Any

import openpyxl
from lxml.etree import tostring
from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import (
    ColumnDimension,
    DimensionHolder,
    RowDimension,
    SheetFormatProperties,
)
from openpyxl.worksheet.header_footer import HeaderFooter, HeaderFooterItem, _HeaderFooterPart
from openpyxl.worksheet.page import PageMargins, PrintOptions, PrintPageSetup
from openpyxl.worksheet.properties import WorksheetProperties
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.views import SheetViewList
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.constants import (
    ARC_APP,
    ARC_CORE,
    ARC_CUSTOM,
    ARC_ROOT_RELS,
    ARC_STYLE,
    ARC_THEME,
    ARC_WORKBOOK,
    ARC_WORKBOOK_RELS,
    CPROPS_TYPE,
    XML_NS,
)
from openpyxl.xml.functions import Element
from openpyxl.xml.functions import tostring as xml_tostring


def workbook_bytes(wb: Any) -> bytes:
    """What ``wb.save(buffer)`` writes (openpyxl's save_workbook), in memory."""
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
    _BookWriter(wb, archive).save()
    return buf.getvalue()


# the styles parts this process wrote: the workbook's styles (:func:`_styles_key`) -> the
# part's bytes; the least recently used let go first
_STYLES: OrderedDict[bytes, bytes] = OrderedDict()
_STYLES_KEPT = 64
# the openpyxl whose ExcelWriter.write_data _BookWriter.write_data repeats (another writes its own way)
_WRITE_DATA_OF = "3.1."


def _styles_state(wb: Any) -> tuple[Any, ...]:
    """What write_stylesheet(wb) writes from: the workbook's fonts, fills, borders,
    alignments, protections, number formats, cell styles (style-id arrays), differential and
    table styles, indexed colours, and of each named style its name, flags, style array,
    alignment and protection (not the workbook it is bound to)."""
    return (
        list(wb._fonts),
        list(wb._fills),
        list(wb._borders),
        list(wb._alignments),
        list(wb._protections),
        list(wb._number_formats),
        [style.tobytes() for style in wb._cell_styles],
        list(wb._differential_styles.styles),
        list(wb._colors),
        wb._table_styles,
        [(tuple(style), style._style.tobytes(), style.alignment, style.protection) for style in wb._named_styles],
    )


def _styles_key(wb: Any) -> bytes | None:
    """:func:`_styles_state` pickled: two workbooks with the same bytes hold styles in the
    same state, which write_stylesheet writes alike (styles that differ in anything, even
    in what would be written alike, get keys of their own). Pickling is some ten times
    cheaper than comparing openpyxl's style objects. None when something does not pickle."""
    try:
        return pickle.dumps(_styles_state(wb), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - not picklable: made every time
        return None


def styles_part(wb: Any) -> bytes:
    """``xl/styles.xml`` as openpyxl writes it (``tostring(write_stylesheet(wb))``), made once
    per process for each set of styles."""
    key = _styles_key(wb)
    data = _STYLES.get(key) if key is not None else None
    if data is None:
        data = xml_tostring(write_stylesheet(wb))
        if key is not None:
            _STYLES[key] = data
            while len(_STYLES) > _STYLES_KEPT:
                _STYLES.popitem(last=False)
    elif key is not None:
        _STYLES.move_to_end(key)
    return bytes(data)


class _BookWriter(ExcelWriter):  # type: ignore[misc]
    def write_data(self) -> None:
        """openpyxl's ExcelWriter.write_data (3.1), the styles part from :func:`styles_part`."""
        if not openpyxl.__version__.startswith(_WRITE_DATA_OF):
            super().write_data()
            return
        from openpyxl.packaging.extended import ExtendedProperties
        from openpyxl.workbook._writer import WorkbookWriter

        archive = self._archive
        archive.writestr(ARC_APP, xml_tostring(ExtendedProperties().to_tree()))
        archive.writestr(ARC_CORE, xml_tostring(self.workbook.properties.to_tree()))
        archive.writestr(ARC_THEME, self.workbook.loaded_theme or theme_xml)
        if len(self.workbook.custom_doc_props) >= 1:
            archive.writestr(ARC_CUSTOM, xml_tostring(self.workbook.custom_doc_props.to_tree()))

            class CustomOverride:
                path = "/" + ARC_CUSTOM  # PartName
                mime_type = CPROPS_TYPE  # ContentType

            self.manifest.append(CustomOverride())
        self._write_worksheets()
        self._write_chartsheets()
        self._write_images()
        self._write_charts()
        self._write_external_links()
        archive.writestr(ARC_STYLE, styles_part(self.workbook))
        writer = WorkbookWriter(self.workbook)
        archive.writestr(ARC_ROOT_RELS, writer.write_root_rels())
        archive.writestr(ARC_WORKBOOK, writer.write())
        archive.writestr(ARC_WORKBOOK_RELS, writer.write_rels())
        self._merge_vba()
        self.manifest._write(archive, self.workbook)

    def write_worksheet(self, ws: Any) -> None:
        """openpyxl's write_worksheet, the sheet's XML kept in memory (no temporary file)."""
        from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing

        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SheetWriter(ws)
        writer.write()
        ws._rels = writer._rels
        # the entry as ZipFile.write() makes it from a file of mode 0600 written just now
        info = zipfile.ZipInfo(ws.path[1:], time.localtime(time.time())[:6])
        info.external_attr = 0o100600 << 16
        info.compress_type = self._archive.compression
        self._archive.writestr(info, writer.out.getvalue())
        self.manifest.append(ws)


class _SheetWriter(WorksheetWriter):  # type: ignore[misc]
    def __init__(self, ws: Any):
        """WorksheetWriter's, writing into memory."""
        self.ws = ws
        self.ws._hyperlinks = []
        self.ws._comments = []
        self.out = io.BytesIO()
        self._rels = RelationshipList()
        self.xf = self.get_stream()
        next(self.xf)

    def write_rows(self) -> None:
        data = sheet_data(self.ws)
        if data is None:  # something only openpyxl writes (a formula, a date, a comment …)
            super().write_rows()
            return
        xf = self.xf.send(True)
        xf.flush()  # what the stream holds goes out before the rows written beside it
        self.out.write(data)
        self.xf.send(None)

    def _raw(self, data: bytes) -> None:
        """``data`` written into the stream as it is, after what the stream holds."""
        xf = self.xf.send(True)
        xf.flush()
        self.out.write(data)
        self.xf.send(None)

    def _recorded(self, el: Any) -> bytes:
        """``el`` written as the stream writes it; the bytes it wrote."""
        xf = self.xf.send(True)
        xf.flush()
        start = self.out.tell()
        xf.write(el)
        xf.flush()
        data = self.out.getvalue()[start:]
        self.xf.send(None)
        return data

    def _send(self, obj: Any) -> None:
        """``self.xf.send(obj.to_tree())``, what the stream writes for it kept per process for
        each state of the object (:func:`_element_key`): the sheets of a template mostly
        have its properties, views, format, protection, print options, margins and page
        setup (a county round serialised 750 of each, object by object)."""
        key = _element_key(obj)
        if key is None:
            self.xf.send(obj.to_tree())
            return
        data = _ELEMENTS.get(key)
        if data is None:
            data = self._recorded(obj.to_tree())
            if len(_ELEMENTS) >= _ELEMENTS_KEPT:
                _ELEMENTS.clear()
            _ELEMENTS[key] = data
        else:
            self._raw(data)

    def write_properties(self) -> None:
        self._send(self.ws.sheet_properties)

    def write_views(self) -> None:
        self._send(self.ws.views)

    def write_format(self) -> None:
        self.ws.sheet_format.outlineLevelCol = self.ws.column_dimensions.max_outline
        self._send(self.ws.sheet_format)

    def write_protection(self) -> None:
        if self.ws.protection:
            self._send(self.ws.protection)

    def write_print(self) -> None:
        if self.ws.print_options:
            self._send(self.ws.print_options)

    def write_margins(self) -> None:
        if self.ws.page_margins:
            self._send(self.ws.page_margins)

    def write_page(self) -> None:
        if self.ws.page_setup:  # (its truth reads the sheet's properties: asked as openpyxl asks)
            self._send(self.ws.page_setup)

    def write_merged_cells(self) -> None:
        """openpyxl's ``<mergeCells count="n"><mergeCell ref="A1:B2"/>…``, in the ranges'
        order, as text (the refs are letters, digits and a colon: nothing to escape)."""
        merged = self.ws.merged_cells
        if merged:
            refs = [_coord(ref) for ref in merged]  # what MergeCell(str(ref)) writes: the range's cells, no sheet name
            self._raw(
                (f'<mergeCells count="{len(refs)}">' + "".join(f'<mergeCell ref="{ref}"/>' for ref in refs) + "</mergeCells>").encode(
                    "ascii"
                )
            )

    def write_dimensions(self) -> None:
        """openpyxl's ``<dimension ref="A1:H8"/>`` (Worksheet.calculate_dimension), as text:
        letters, digits and a colon."""
        if type(self.ws) is not Worksheet:
            super().write_dimensions()
            return
        cells = self.ws._cells
        if cells:
            rows = {r for r, _c in cells}
            cols = {c for _r, c in cells}
            ref = f"{_letter(min(cols))}{min(rows)}:{_letter(max(cols))}{max(rows)}"
        else:
            ref = "A1:A1"
        self._raw(('<dimension ref="' + ref + '"/>').encode("ascii"))

    def write_cols(self) -> None:
        """openpyxl's ``<cols>`` (DimensionHolder.to_tree), made once per process for each
        set of columns: the columns set in order and their styles numbered as it does, the
        part written as the stream wrote it for the same values."""
        holder = self.ws.column_dimensions
        key = _cols_key(holder, self.ws.parent._cell_styles)
        if key is None:
            super().write_cols()
            return
        kept = _COLS.get(key)
        if kept is None:
            el = holder.to_tree()  # what the key was made from, made again: no other change
            data = self._recorded(el) if el is not None else b""
            if len(_COLS) >= _COLS_KEPT:
                _COLS.clear()
            _COLS[key] = (data, holder.max_outline if data else None)
            return
        data, outline = kept
        if data:
            holder.max_outline = outline
            self._raw(data)

    def write_header(self) -> None:
        """openpyxl's ``<headerFooter>``, made once per process for each set of texts (the
        sheets of a template mostly have one footer: its formatting codes took a regular
        expression per part and sheet)."""
        hf = self.ws.HeaderFooter
        key = _header_key(hf)
        if key is None:
            super().write_header()
            return
        data = _HEADERS.get(key)
        if data is None:
            data = self._recorded(hf.to_tree()) if hf else b""
            if len(_HEADERS) >= _HEADERS_KEPT:
                _HEADERS.clear()
            _HEADERS[key] = data
        elif data:
            self._raw(data)


# the elements of a sheet's settings this process wrote: their state -> what the stream wrote
_ELEMENTS: dict[bytes, bytes] = {}
_ELEMENTS_KEPT = 1024
# openpyxl's classes whose XML is a function of their attributes alone (and of the objects
# those hold): no to_tree of their own, nothing read from elsewhere
_ELEMENT_TYPES = frozenset(
    {WorksheetProperties, SheetViewList, SheetFormatProperties, SheetProtection, PrintOptions, PageMargins, PrintPageSetup}
)


def _element_key(obj: Any) -> bytes | None:
    """The object's class and attributes (those of the objects it holds too), pickled: two
    objects with the same bytes are written alike (objects that differ in anything, even in
    what would be written alike, get keys of their own). The page setup's sheet (which its
    XML does not read) is left out. None for another class, or what does not pickle."""
    if type(obj) not in _ELEMENT_TYPES:
        return None
    state = obj.__dict__
    if "_parent" in state:
        state = {k: v for k, v in state.items() if k != "_parent"}
    try:
        return pickle.dumps((type(obj), state), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - not picklable: written every time
        return None


def _coord(ref: Any) -> str:
    """CellRange.coord: ``A1:B2``, ``A1`` for one cell."""
    c1, r1, c2, r2 = ref.min_col, ref.min_row, ref.max_col, ref.max_row
    if type(c1) is not int or type(c2) is not int:
        return str(ref.coord)
    if c1 == c2 and r1 == r2:
        return f"{_letter(c1)}{r1}"
    return f"{_letter(c1)}{r1}:{_letter(c2)}{r2}"


# the <cols> parts this process wrote: the columns' values -> what the stream wrote for
# them (b"": nothing) and the highest outline level of those written
_COLS: dict[tuple[Any, ...], tuple[bytes, Any]] = {}
_COLS_KEPT = 256
_COL_KEPT = ("hidden", "outlineLevel", "collapsed", "width", "bestFit", "min", "max")


def _cols_key(holder: Any, styles: Any) -> tuple[Any, ...] | None:
    """What ``holder.to_tree()`` writes from, by value — each column's attributes and style
    number, in the order it writes them — with what it does on the way: each column's
    bounds set from its letter when it has none (reindex), each column's style numbered
    (``dict(col)`` reads its style id). None for anything else than openpyxl's own."""
    if type(holder) is not DimensionHolder:
        return None
    cols = list(holder.values())
    if any(type(col) is not ColumnDimension for col in cols):
        return None

    def sorter(col: Any) -> Any:  # DimensionHolder.to_tree's
        col.reindex()
        return col.min

    key = []
    for col in sorted(cols, key=sorter):
        d = col.__dict__
        try:
            values = tuple(d[k] for k in _COL_KEPT)
        except KeyError:
            return None
        if col._style is None:  # what col.style_id leaves
            col._style = StyleArray()
        key.append((*values, styles.add(col._style)))
    return tuple(key)


# the <headerFooter> parts this process wrote: the header and footer's values -> what the
# stream wrote for them (b"": nothing, none is set)
_HEADERS: dict[tuple[Any, ...], bytes] = {}
_HEADERS_KEPT = 256


def _header_key(hf: Any) -> tuple[Any, ...] | None:
    """Everything ``hf.to_tree()`` writes from, by value: its four flags, and the text,
    font, size and colour of each part (left, centre, right) of its six headers and footers
    (None for one not set); None for anything else than openpyxl's own classes."""
    if type(hf) is not HeaderFooter:
        return None
    d = hf.__dict__
    items: list[Any] = []
    for name in HeaderFooter.__elements__:
        item = d.get(name)
        if item is None:
            items.append(None)
            continue
        if type(item) is not HeaderFooterItem:
            return None
        parts = []
        for part in (item.left, item.center, item.right):
            if type(part) is not _HeaderFooterPart:
                return None
            pd = part.__dict__
            parts.append((pd.get("text"), pd.get("font"), pd.get("size"), pd.get("color")))
        items.append(tuple(parts))
    return (*(d.get(name) for name in HeaderFooter.__attrs__), *items)


# text lxml writes as it is, once &, < and > are escaped and the characters beyond ASCII
# are character references (tests/test_excel_round_save.py checks every character of
# the Basic Multilingual Plane); any other text is written by lxml itself
_PLAIN = re.compile("[\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
_ATTR = re.compile(r"[0-9A-Za-z.+\-]*")  # a row's attribute values: numbers and flags, nothing to escape
_PRESERVE = {f"{{{XML_NS}}}space": "preserve"}


def text_element(value: str) -> bytes:
    """``<t>value</t>`` as openpyxl's cell writer writes it (xml:space="preserve" when the
    text begins or ends with blanks)."""
    preserve = value != value.strip()
    if _PLAIN.fullmatch(value):
        body = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("ascii", "xmlcharrefreplace")
        return (b'<t xml:space="preserve">' if preserve else b"<t>") + body + b"</t>"
    el = Element("t", _PRESERVE if preserve else {})
    el.text = value
    return bytes(tostring(el))


def _escaped(text: str) -> str:
    if _PLAIN.fullmatch(text):
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    raise _Unusual


class _Unusual(Exception):
    """A value openpyxl's own writer is left to write."""


_LETTERS: list[str] = [""]


def _letter(col: int) -> str:
    while len(_LETTERS) <= col:
        _LETTERS.append(get_column_letter(len(_LETTERS)))
    return _LETTERS[col]


def sheet_data(ws: Any) -> bytes | None:
    """The sheet's ``<sheetData>`` as openpyxl's WorksheetWriter.write_rows writes it (the
    same rows and cells in the same order, styles numbered in the same order, hyperlinks
    gathered the same way), or None when a cell holds what only openpyxl writes."""
    try:
        return _sheet_data(ws)
    except _Unusual:
        ws._hyperlinks.clear()
        return None


_TYPES = {"s": ' t="inlineStr"', "n": ' t="n"', "e": ' t="e"'}
# what a RowDimension keeps in its __dict__ of the attributes its iteration writes (the
# others, customFormat, customHeight and s, are worked out from its style and height)
_DIM_KEPT = ("hidden", "outlineLevel", "collapsed", "ht", "thickBot", "thickTop")
_dim_kept = operator.itemgetter(*_DIM_KEPT)


def _sheet_data(ws: Any) -> bytes:
    cells = ws._cells
    for cell in cells.values():  # first: openpyxl's writer numbers the styles as it goes
        if cell._comment is not None or cell.data_type not in _TYPES:
            raise _Unusual
    dims = ws.row_dimensions
    styles = ws.parent._cell_styles
    ids = styles._dict
    links = ws._hyperlinks
    rows: dict[int, list[Any]] = {}
    for key in sorted(cells):
        rows.setdefault(key[0], []).append(cells[key])
    for r in dims.keys() - rows.keys():  # rows with a height or a style and no cells
        rows[r] = []
    letters = _LETTERS
    if cells:
        _letter(max(cell.column for cell in cells.values()))  # the letters of every column, made once
    shapes: dict[Any, Any] = {}  # a row dimension's values -> its attributes, written once (its style's bytes -> (styled?, number))
    texts: dict[str, str] = {}  # a text -> its <t>, written once per sheet
    # the sheet as text: its ASCII, and the characters beyond as references (what each part
    # encoded alone gives: text_element, and lxml's tostring)
    parts: list[str] = ["<sheetData>"]
    add = parts.append
    numbered: dict[bytes, str] = {}  # a style array's bytes -> ' s="n"' ("" unstyled), numbered once per sheet
    for r in sorted(rows):
        dim = dims.get(r)
        rs = str(r)
        head = '<row r="' + rs + '"'
        if dim is not None:  # as dict(dim) gives it (its style numbered here, as openpyxl does)
            head += _dim_attributes(dim, styles, ids, shapes)
        add(head + ">")
        for cell in rows[r]:
            value = cell._value
            style = cell._style
            if style is None:
                attr = ""
            elif type(style) is StyleArray:
                raw = style.tobytes()  # equal arrays, equal bytes: its number found once
                got = numbered.get(raw)
                if got is None:
                    got = numbered[raw] = _style_attr(style, styles, ids)
                attr = got
            else:
                attr = _style_attr(style, styles, ids)
            if value is None and not attr:
                continue
            t = cell.data_type
            row = cell.row
            head = '<c r="' + letters[cell.column] + (rs if row == r else str(row)) + '"' + attr + _TYPES[t]
            link = cell._hyperlink if type(cell) is Cell else cell.hyperlink
            if link:
                links.append(link)
            if value is None or value == "":
                add(head + "></c>")
            elif t == "s":
                if type(value) is not str:
                    raise _Unusual  # rich text
                text = texts.get(value)
                if text is None:
                    text = texts[value] = _text(value)
                add(head + "><is>" + text + "</is></c>")
            else:
                if type(value) not in (int, float, str):
                    raise _Unusual
                add(head + "><v>" + _escaped(safe_string(value)) + "</v></c>")
        add("</row>")
    add("</sheetData>")
    return "".join(parts).encode("ascii", "xmlcharrefreplace")


def _style_attr(style: Any, styles: Any, ids: dict[Any, int]) -> str:
    """A cell's ``s="n"``, its style numbered as openpyxl's writer numbers it (when it has
    one not all nought); "" for none."""
    if not any(style):
        return ""
    sid = ids.get(style)
    if sid is None:
        sid = styles.add(style)
    return f' s="{sid}"'


def _text(value: str) -> str:
    """:func:`text_element`, as text: what it gives, its characters beyond ASCII not yet
    references."""
    if _PLAIN.fullmatch(value):
        body = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return ('<t xml:space="preserve">' if value != value.strip() else "<t>") + body + "</t>"
    return text_element(value).decode("ascii")  # lxml's: ASCII, every other character a reference


def _dim_attributes(dim: Any, styles: Any, ids: dict[Any, int], shapes: dict[Any, Any]) -> str:
    """A row's attributes as ``for k, v in dim`` gives them (hidden, outlineLevel, collapsed,
    ht, customFormat, customHeight, s, thickBot, thickTop, those that are true), its style
    numbered as ``dim.s`` numbers it; written once per sheet for each set of values."""
    d = dim.__dict__
    try:
        kept = _dim_kept(d)
    except KeyError:
        kept = None
    if kept is None or type(dim) is not RowDimension:
        return _dim_iterated(dim)
    style = dim._style
    if style is None:
        dim._style = style = StyleArray()  # what dim.s leaves
    raw = style.tobytes()  # equal arrays, equal bytes: numbered once per sheet
    got = shapes.get(raw)
    if got is None:
        sid = ids.get(style)
        if sid is None:
            sid = styles.add(style)
        got = shapes[raw] = (any(style), sid)  # has_style (read before s makes a style: all nought alike)
    custom_format, sid = got
    key = (*kept, custom_format, sid)
    out = shapes.get(key)
    if out is None:
        hidden, outline, collapsed, ht, thick_bot, thick_top = kept
        values = (hidden, outline, collapsed, ht, custom_format, ht is not None, sid, thick_bot, thick_top)
        out = ""
        for k, v in zip(RowDimension.__fields__, values, strict=True):
            if v:
                v = safe_string(v)
                if not _ATTR.fullmatch(v):
                    raise _Unusual
                out += f' {k}="{v}"'
        shapes[key] = out
    return out


def _dim_iterated(dim: Any) -> str:
    out = ""
    for k, v in dim:
        if not _ATTR.fullmatch(v):
            raise _Unusual
        out += f' {k}="{v}"'
    return out
