"""Issue 23, the county round's Excel fixed costs: excel/save.py writes what ``wb.save()``
writes, part for part and byte for byte — texts of every character, numbers, error codes,
styles numbered in the same order, row heights and styles, hyperlinks, merges — and leaves a
sheet holding what only openpyxl writes (a formula, a date, a comment, rich text, a
boolean) to openpyxl. (tests/test_golden.py and the samples' dumps hold real forms.)"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from lxml.etree import tostring
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.xml.constants import XML_NS
from openpyxl.xml.functions import Element

from goaldoc.render.excel.save import _text, sheet_data, text_element, workbook_bytes

TEXTS = [
    "招聘会场次",
    "a&b<c>d \"quoted\" 'single'",
    "  leading and trailing  ",
    "\u3000\u3000其中：上级资金",  # full-width spaces: strip() takes them, so xml:space is said
    "line\nbreak\tand tab",
    "carriage\r\nreturn",
    "emoji 😀 and 𠀀 (CJK Extension B)",
    "\x7f\x80\x85\x9f controls of Latin-1",
    "\ufffd\ufeff\u200e\u202e",
    " ",
    "=not a formula",
]


def _book(extra: str | None = None) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    thin = Side(style="thin")
    styles = [
        (Font(bold=True), None),
        (Font(size=14), PatternFill("solid", fgColor="FFFF00")),
        (None, None),
    ]
    for r, text in enumerate(TEXTS, 1):
        ws.cell(r, 1, text).data_type = "s"  # "=…" too: a clerk's text is never a formula (as the writer binds it)
        font, fill = styles[r % 3]
        if font:
            ws.cell(r, 1).font = font
        if fill:
            ws.cell(r, 2).fill = fill  # a styled empty cell: written
        ws.cell(r, 3).border = Border(left=thin, bottom=thin)
        ws.cell(r, 3).value = r * 1.25
        ws.cell(r, 4)  # an empty cell without a style: not written
    ws.cell(20, 1, 0)
    ws.cell(20, 2, -7)
    ws.cell(20, 3, 123456789012345)
    ws.cell(20, 4, 1 / 3)
    ws.cell(20, 5, float("nan"))
    ws.cell(20, 6, "#N/A")  # an error code
    ws.cell(20, 7, "")
    ws.cell(21, 1, "链接").hyperlink = "https://example.org/a?b=1&c=2"
    ws.cell(21, 2).alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[3].height = 36
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[5].outline_level = 1
    ws.row_dimensions[30].height = 12  # a row with a height and no cells
    ws.row_dimensions[31].font = Font(italic=True)  # a row style, no cells
    ws.row_dimensions[6].thickBot = True
    ws.row_dimensions[7].height = 0  # a height of nought: customHeight is written, ht not
    ws.row_dimensions[8].height = 36  # as row 3's: its attributes written once, for both
    ws.row_dimensions[9].font = Font(italic=True)  # as row 31's style
    ws.row_dimensions[9].collapsed = True
    ws.merge_cells("E1:F2")
    ws.merge_cells("C22:E25")
    ws.merge_cells("G5:G9")
    from openpyxl.worksheet.datavalidation import DataValidation

    check = DataValidation(type="list", formula1='"是,否"', allow_blank=True)  # what goaldoc init's blank sets
    ws.add_data_validation(check)
    check.add("B3:B9")
    ws.freeze_panes = "B2"  # what the review report sets
    ws.auto_filter.ref = "A1:G21"
    other = wb.create_sheet("第二张")
    other.cell(1, 1, "第二张").font = Font(color="FF0000")
    other.cell(2, 2, 5)
    if extra == "formula":
        other.cell(3, 1, "=SUM(B1:B2)")
    elif extra == "date":
        other.cell(3, 1, datetime.date(2024, 5, 1))
    elif extra == "comment":
        other.cell(3, 1, "批注").comment = Comment("看这里", "审核")
    elif extra == "bool":
        other.cell(3, 1, True)
    elif extra == "rich":  # after cells with styles of their own: their numbers are kept
        other.cell(3, 1, "x").font = Font(underline="single")
        other.cell(4, 1).value = CellRichText(["普通", TextBlock(InlineFont(b=True), "加粗")])
        other.cell(5, 1, "y").font = Font(strike=True)
    return wb


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist() if i.filename != "docProps/core.xml"}


def _openpyxl_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("extra", [None, "formula", "date", "comment", "bool", "rich"])
def test_the_file_is_what_openpyxl_writes(extra):
    ours, theirs = _parts(workbook_bytes(_book(extra))), _parts(_openpyxl_bytes(_book(extra)))
    assert list(ours) == list(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name


def test_the_rows_are_written_by_openpyxl_only_for_what_only_it_writes():
    plain = _book("formula")
    assert sheet_data(plain["表"]) is not None  # texts, numbers, error codes, links: written here
    assert sheet_data(plain["第二张"]) is None  # the formula: openpyxl writes the sheet
    for extra in ("date", "comment", "bool", "rich"):
        assert sheet_data(_book(extra)["第二张"]) is None, extra


def _lxml_text(value: str) -> bytes | type[Exception]:
    """What openpyxl's cell writer writes for a text cell's <t> (or the error lxml raises)."""
    el = Element("t", {f"{{{XML_NS}}}space": "preserve"} if value != value.strip() else {})
    try:
        el.text = value
    except ValueError:
        return ValueError
    return bytes(tostring(el))


def _ours(value: str) -> bytes | type[Exception]:
    try:
        return text_element(value)
    except ValueError:
        return ValueError


def _as_text(value: str) -> bytes | type[Exception]:
    try:
        return _text(value).encode("ascii", "xmlcharrefreplace")
    except ValueError:
        return ValueError


def test_every_character_is_written_as_lxml_writes_it():
    chars = [chr(c) for c in range(0xD800)] + [chr(c) for c in range(0xE000, 0x10000)]
    chars += [chr(c) for c in (0x10000, 0x1F600, 0x20000, 0x2FFFF, 0xE0001, 0x10FFFD, 0x10FFFF)]
    wrong = [hex(ord(ch)) for ch in chars if _ours(f"x{ch}y") != _lxml_text(f"x{ch}y")]
    assert wrong == []
    # the sheet's rows are made as text and encoded once: each text gives what text_element gives
    wrong = [hex(ord(ch)) for ch in chars if _as_text(f"x{ch}y") != _ours(f"x{ch}y")]
    assert wrong == []
    for ch in ("\u3000", " ", "\t", "\n", "&", "<", ">"):  # at the ends: xml:space too
        assert _ours(f"{ch}文{ch}") == _lxml_text(f"{ch}文{ch}")


def test_a_sheet_made_from_the_blank_is_a_new_sheet():
    """excel/workbook.py makes each output sheet from a pickled blank one: it makes the row
    heights and column widths it is asked for as a new sheet does (a column without a width
    yet, widened by the fitting: KeyError once), and the file is the same."""
    from goaldoc.render.excel.workbook import _create_sheet

    books = []
    for make in (lambda wb, title: wb.create_sheet(title), _create_sheet):
        wb = Workbook()
        ws = make(wb, "新表")
        ws.cell(1, 1, "文")
        ws.column_dimensions["B"].width = 21.5
        ws.row_dimensions[3].height = 40
        ws.merge_cells("A5:C6")
        books.append(_parts(workbook_bytes(wb)))
    assert books[0] == books[1]


def test_a_sheet_made_with_its_settings_in_place_is_the_sheet_they_are_copied_onto():
    """An output sheet is unpickled with the template sheet's settings already in it
    (excel/sheet.py SheetSettings.sheet): the file is the one written when a blank sheet
    gets the settings' copies after its rows (widths, a <col> range, panes, header and
    footer, page setup, margins, print options, protection, tab colour, column breaks)."""
    from openpyxl.worksheet.pagebreak import Break

    from goaldoc.render.excel.sheet import RowMap, SheetSettings, copy_sheet_settings
    from goaldoc.render.excel.workbook import _create_sheet

    src = Workbook().active
    src.column_dimensions["A"].width = 12.5
    src.column_dimensions.group("B", "C", hidden=False)
    src.column_dimensions["B"].width = 30
    src.freeze_panes = "A3"
    src.oddFooter.center.text = "第 &P 页"
    src.oddHeader.left.text = "表头"
    src.page_setup.orientation = "landscape"
    src.page_setup.paperSize = 9
    src.sheet_properties.pageSetUpPr.fitToPage = True
    src.page_setup.fitToHeight = 0
    src.page_margins.left = 0.3
    src.print_options.horizontalCentered = True
    src.protection.sheet = True
    src.sheet_properties.tabColor = "1072BA"
    src.col_breaks.append(Break(id=2))
    settings = SheetSettings(src)
    books = []
    for installed in (False, True):
        wb = Workbook()
        ws = _create_sheet(wb, "新表", settings.sheet(src) if installed else None)
        ws.cell(1, 1, "文")
        ws.row_dimensions[1].height = 30
        copy_sheet_settings(src, ws, RowMap({1: [1]}, {}, 1, 1), 3, settings, installed)
        ws.column_dimensions["B"].width = 21.5  # set after, as the fitting sets it
        books.append(_parts(workbook_bytes(wb)))
    assert settings.sheet(src) is not None
    assert books[0] == books[1]
    written = books[1]["xl/worksheets/sheet2.xml"]
    assert all(part in written for part in (b"landscape", b" &amp;P ", b'pane ySplit="2"', b'<col width="12.5"'))


def test_blank_workbooks_and_review_reports_leave_no_temporary_file(monkeypatch, tmp_path):
    """openpyxl's wb.save writes each sheet to a temporary file first: a kill -9 meanwhile
    left it in the system's temporary folder, where no sweep of goaldoc's removes it.
    `goaldoc init x.xlsx` and the review report now write their sheets in memory."""
    import openpyxl.worksheet._writer as writer

    from goaldoc.blank import blank_workbook
    from goaldoc.forms import load_form
    from goaldoc.review import review, write_report

    def refuse(*_a, **_k):
        raise AssertionError("openpyxl made a temporary file")

    monkeypatch.setattr(writer, "create_temporary_file", refuse)
    blank = blank_workbook(load_form("guangdong"), 2025, "x.xlsx")
    assert "批复表" in "".join(blank.sheets)
    from conftest import SAMPLES

    report = write_report(review([str(SAMPLES / "2024" / "taishan.yaml")]), None, None)
    with zipfile.ZipFile(io.BytesIO(report)) as z:
        assert "xl/worksheets/sheet1.xml" in z.namelist()


def _each_as_openpyxl_writes_it(make, variants: list[str], part: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """Each variant's book written by workbook_bytes, twice in turn (the part kept once per
    process is the one written), equal to wb.save()'s whole; {variant: its ``part``}."""
    parts = {}
    for variant in variants + variants:
        ours, theirs = _parts(workbook_bytes(make(variant))), _parts(_openpyxl_bytes(make(variant)))
        assert ours[part] == theirs[part], variant
        assert ours == theirs, variant
        parts[variant] = ours[part]
    return parts


def _styled(variant: str) -> Workbook:
    """A book whose styles differ from the others' in one value of one collection only
    (each collection holds as many items, and the cells use the same ids)."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import NamedStyle, Protection
    from openpyxl.styles.table import TableStyleList

    wb = Workbook()
    ws = wb.active
    cell = ws.cell(1, 1, "格")
    cell.font = Font(color="00FF0000" if variant == "font" else "000000FF")
    cell.fill = PatternFill("solid", fgColor="FFFF00" if variant == "fill" else "00FFFF")
    cell.border = Border(left=Side(style="thick" if variant == "border" else "thin"))
    cell.alignment = Alignment(wrap_text=variant == "alignment", vertical="center")
    cell.protection = Protection(locked=False, hidden=variant == "protection")
    cell.number_format = "0.0000" if variant == "format" else "0.000"
    ws.cell(2, 1, 2).font = Font(bold=True)
    ws.cell(3, 1, 3).font = Font(color="000000FF") if variant == "cell style" else Font(bold=True)
    wb.add_named_style(NamedStyle("标题", font=Font(bold=True), hidden=variant == "named"))
    dxf_font = Font(italic=True) if variant == "dxf" else Font(bold=True)
    ws.conditional_formatting.add("B1:B3", CellIsRule(operator="greaterThan", formula=["1"], font=dxf_font))
    if variant == "colors":
        wb._colors = [*wb._colors[:8], "00123456", *wb._colors[9:]]
    if variant == "table":
        wb._table_styles = TableStyleList(defaultTableStyle="TableStyleLight1")
    return wb


def test_the_styles_part_is_made_from_the_styles_by_value():
    """The styles part is made once per process for each set of styles (excel/save.py): a
    book differing from one written before in one font, fill, border, alignment,
    protection, number format, cell style, conditional format, indexed colour, table style
    or named style gets its own (each left out of the key in turn fails here)."""
    variants = ["", "font", "fill", "border", "alignment", "protection", "format", "cell style", "dxf", "colors", "table", "named"]
    parts = _each_as_openpyxl_writes_it(_styled, variants, "xl/styles.xml")
    assert len(set(parts.values())) == len(variants)


def _footed(variant: str) -> Workbook:
    """A book whose sheet's header and footer differ from the others' in one value."""
    wb = Workbook()
    ws = wb.active
    ws.cell(1, 1, "格")
    ws.merge_cells("A3:A3")  # one cell: its ref is the cell's
    ws.merge_cells("AB1000:AC1001")
    hf = ws.HeaderFooter
    for item in (hf.oddFooter, hf.evenFooter, hf.firstFooter, hf.oddHeader):
        item.right.text = "第 &P 页 共 &N 页"
        item.right.size = 9
        item.center.text = "&A"
        item.center.font = "宋体,Bold"
        item.left.text = "左"
        item.left.color = "FF0000"
    hf.evenHeader.center.text = "偶数页"
    if variant == "flags":
        hf.differentOddEven = True
    elif variant == "none":
        ws.HeaderFooter = type(hf)()  # nothing set: nothing written
    elif variant:
        item_name, part_name, attr, value = variant.split(".")
        part = getattr(getattr(hf, item_name), part_name)
        setattr(part, attr, int(value) if attr == "size" else value)
    return wb


def test_the_header_and_footer_are_written_once_for_each_set_of_values():
    """excel/save.py writes a sheet's <headerFooter> once per process for each set of its
    values: a sheet differing in one text, font, size, colour or flag gets its own."""
    variants = [
        "", "flags", "none",
        "oddFooter.right.text.第 &P 页", "evenFooter.right.size.10", "firstFooter.center.font.黑体",
        "oddHeader.left.color.00FF00", "evenHeader.center.text.偶", "firstHeader.left.text.首",
        "oddFooter.left.color.0000FF", "oddFooter.center.size.12",
    ]
    parts = _each_as_openpyxl_writes_it(_footed, variants, "xl/worksheets/sheet1.xml")
    assert len(set(parts.values())) == len(variants)


def _columned(variant: str) -> Workbook:
    """A book whose sheet's columns differ from the others' in one value."""
    wb = Workbook()
    ws = wb.active
    ws.cell(1, 1, "格")
    ws.column_dimensions["A"].width = 12.5
    ws.column_dimensions["C"].width = 30
    ws.column_dimensions["D"].font = Font(bold=True)  # a column style, no width
    ws.column_dimensions.group("F", "H", outline_level=1)
    ws.column_dimensions["J"]  # nothing set: not written, its style numbered all the same
    if variant == "width":
        ws.column_dimensions["C"].width = 30.25
    elif variant == "hidden":
        ws.column_dimensions["A"].hidden = True
    elif variant == "best fit":
        ws.column_dimensions["C"].bestFit = True
    elif variant == "outline":
        ws.column_dimensions["F"].outlineLevel = 2
    elif variant == "collapsed":
        ws.column_dimensions["F"].collapsed = True
    elif variant == "style":  # C numbered first: D's style is another number
        ws.column_dimensions["C"].font = Font(italic=True)
    elif variant == "bounds":
        ws.column_dimensions["F"].max = 9
    elif variant == "start":
        ws.column_dimensions["F"].min = 5
    elif variant == "order":  # the same columns, made in another order: written sorted
        for letter in ("C", "A"):
            dim = ws.column_dimensions.pop(letter)
            ws.column_dimensions[letter] = dim
    elif variant == "none":
        ws.column_dimensions.clear()
    return wb


def test_the_columns_are_written_once_for_each_set_of_values():
    """excel/save.py writes a sheet's <cols> once per process for each set of its columns'
    values: a sheet differing in one width, flag, outline level, style or bound gets its own
    (each value left out of the key in turn fails here)."""
    variants = ["", "width", "hidden", "best fit", "outline", "collapsed", "style", "bounds", "start", "order", "none"]
    parts = _each_as_openpyxl_writes_it(_columned, variants, "xl/worksheets/sheet1.xml")
    assert len(set(parts.values())) == len(variants) - 1  # "order" writes what "" writes
    assert parts["order"] == parts[""]


def test_an_empty_sheet_and_a_sheet_off_the_corner_are_written_as_openpyxl_writes_them():
    """<dimension ref> as text: A1:A1 for a sheet without cells, the cells' box otherwise."""

    def book() -> Workbook:
        wb = Workbook()
        wb.active.title = "空"
        off = wb.create_sheet("偏")
        off.cell(5, 3, "格")
        off.cell(9, 30, 1)
        return wb

    assert _parts(workbook_bytes(book())) == _parts(_openpyxl_bytes(book()))


def _set_up(variant: str) -> Workbook:
    """A book whose sheet's settings differ from the others' in one value of one of them."""
    wb = Workbook()
    ws = wb.active
    ws.cell(1, 1, "格")
    ws.freeze_panes = "A3"
    ws.sheet_properties.tabColor = "1072BA"
    ws.page_setup.orientation = "landscape"
    ws.page_margins.left = 0.3
    ws.print_options.horizontalCentered = True
    ws.protection.sheet = True
    ws.sheet_format.defaultRowHeight = 18
    ws.column_dimensions.group("B", "C", outline_level=2)  # the format's outlineLevelCol
    changes = {
        "tab colour": lambda: setattr(ws.sheet_properties, "tabColor", "FF0000"),
        "fit": lambda: setattr(ws.sheet_properties.pageSetUpPr, "fitToPage", True),  # the page setup's truth too
        "pane": lambda: setattr(ws, "freeze_panes", "B3"),
        "zoom": lambda: setattr(ws.sheet_view, "zoomScale", 85),
        "selection": lambda: setattr(ws.sheet_view.selection[0], "activeCell", "C7"),
        "format": lambda: setattr(ws.sheet_format, "defaultRowHeight", 20),
        "outline": lambda: ws.column_dimensions.group("E", "F", outline_level=3),
        "protection": lambda: setattr(ws.protection, "formatCells", False),
        "password": lambda: setattr(ws.protection, "password", "密码"),
        "print": lambda: setattr(ws.print_options, "gridLines", True),
        "margins": lambda: setattr(ws.page_margins, "top", 0.5),
        "paper": lambda: setattr(ws.page_setup, "paperSize", 9),
        "scale": lambda: setattr(ws.page_setup, "scale", 80),
        "no setup": lambda: setattr(ws, "page_setup", type(ws.page_setup)(worksheet=ws)),
        "no print options": lambda: setattr(ws, "print_options", type(ws.print_options)()),
    }
    if variant:
        changes[variant]()
    return wb


def test_a_sheets_settings_are_written_once_for_each_set_of_values():
    """excel/save.py writes a sheet's properties, views, format, protection, print options,
    margins and page setup once per process for each set of their values: a sheet differing
    in one value of one of them gets its own (what openpyxl writes, each time)."""
    variants = [
        "", "tab colour", "fit", "pane", "zoom", "selection", "format", "outline", "protection", "password",
        "print", "margins", "paper", "scale", "no setup", "no print options",
    ]
    parts = _each_as_openpyxl_writes_it(_set_up, variants, "xl/worksheets/sheet1.xml")
    assert len(set(parts.values())) == len(variants)
