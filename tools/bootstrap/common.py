"""Drawing helpers for the first drafts of form folders (python-docx / openpyxl).

One description of a form's rows draws both files: a row is a list of cells, each a text
(Jinja allowed) or ``(text, span)`` on the form's column grid, or ``UP`` / ``(UP, span)``
to continue the cell above (a vertical merge of fixed rows). Word gets one table per
``table()`` call, Excel one sheet with the same grid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

ROOT = Path(__file__).resolve().parents[2] / "templates"
BODY_FONT, LATIN = "宋体", "Times New Roman"
UP = object()  # the cell continues the one above
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def set_fonts(rpr: Any, east_asia: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), LATIN)


def _cells(spec: list[Any]) -> list[tuple[Any, int]]:
    return [c if isinstance(c, tuple) else (c, 1) for c in spec]


class Form:
    """A form drawn into a Word document and an Excel sheet at once."""

    def __init__(self, widths: list[float], *, landscape: bool = False, size: float = 10, sheet: str = "表", top: float = 2.0, excel_scale: float = 1.0):
        self.widths = widths  # relative column widths of the grid
        self.excel_scale = excel_scale  # Excel widths are in characters of the default font: wider for long texts
        self.size = size
        self.landscape = landscape
        self.doc = Document()
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Twips(11906), Twips(16838)
        if landscape:
            from docx.enum.section import WD_ORIENT

            sec.orientation = WD_ORIENT.LANDSCAPE
            sec.page_width, sec.page_height = sec.page_height, sec.page_width
        sec.left_margin = sec.right_margin = Cm(2.0 if not landscape else 1.8)
        sec.top_margin, sec.bottom_margin = Cm(top), Cm(max(top, 1.6))
        sec.footer_distance = Cm(1.0)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(size)
        set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        pf = normal.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        rpr_default = self.doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        set_fonts(rpr_default, BODY_FONT)
        text_width = (16838 if landscape else 11906) - 2 * int(Cm(2.0 if not landscape else 1.8).twips)
        total = sum(widths)
        self.twips = [int(w * text_width / total) for w in widths]
        self.twips[-1] += text_width - sum(self.twips)
        self.table: Any = None
        self.table_rows: list[list[Any]] = []  # Word cells of each row of the current table, per grid column
        self.wb = Workbook()
        self.ws = self.wb.active
        self.ws.title = sheet
        self.r = 0
        self._sheet_setup(self.ws)

    # ------------------------------------------------------------------ both
    def paragraph(self, text: str, *, size: float | None = None, bold: bool = False, center: bool = False,
                  page_break: bool = False, excel: bool = True, word: bool = True, height: float | None = None) -> None:
        if word:
            p = self.doc.add_paragraph()
            if text:
                run = p.add_run(text)
                run.font.size = Pt(size or self.size)
                run.bold = bold
            if center:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.keep_with_next = True
            if page_break:
                p.paragraph_format.page_break_before = True
        if excel and text and not text.startswith("{%p"):
            self.r += 1
            ws = self.ws
            ws.merge_cells(start_row=self.r, start_column=1, end_row=self.r, end_column=len(self.widths))
            c = ws.cell(self.r, 1, text)
            c.font = Font(name=BODY_FONT, size=size or self.size, bold=bold)
            c.alignment = Alignment(horizontal="center" if center else "left", vertical="center", wrap_text=True)
            if height:
                ws.row_dimensions[self.r].height = height

    def label_title(self, label: str, title: str, *, size: float, page_break: bool = False) -> None:
        """``附件:`` at the left and the title centred on the same line (a page's first line
        then reads as the form's title, whatever reads it)."""
        from docx.enum.text import WD_TAB_ALIGNMENT

        p = self.doc.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(Twips(sum(self.twips) // 2), WD_TAB_ALIGNMENT.CENTER)
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.page_break_before = page_break
        first = p.add_run(label)
        first.font.size = Pt(12)
        run = p.add_run("\t" + title)
        run.font.size = Pt(size)
        run.bold = True
        self.r += 1
        ws = self.ws
        c = ws.cell(self.r, 1, label)
        c.font = Font(name=BODY_FONT, size=12)
        c.alignment = Alignment(horizontal="left", vertical="bottom")
        ws.merge_cells(start_row=self.r, start_column=2, end_row=self.r, end_column=len(self.widths) - 1)
        c = ws.cell(self.r, 2, title)
        c.font = Font(name=BODY_FONT, size=size, bold=True)
        c.alignment = Alignment(horizontal="center", vertical="bottom")  # one baseline with the label
        ws.row_dimensions[self.r].height = 30

    def tag(self, text: str) -> None:
        """A paragraph tag in Word ({%p for … %}); nothing in Excel."""
        self.doc.add_paragraph(text)

    def new_table(self) -> None:
        if self.table is not None:
            spacer = self.doc.add_paragraph()
            spacer.paragraph_format.line_spacing = Pt(1)
            spacer.add_run().font.size = Pt(1)
        t = self.doc.add_table(rows=0, cols=len(self.widths))
        t.style = self.doc.styles["Table Grid"]
        t.autofit = False
        for col, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), self.twips, strict=True):
            col.set(qn("w:w"), str(w))
        tblw = t._tbl.tblPr.find(qn("w:tblW"))
        tblw.set(qn("w:w"), str(sum(self.twips)))
        tblw.set(qn("w:type"), "dxa")
        self.table, self.table_rows = t, []

    def row(self, cells: list[Any], *, header: bool = False, center: tuple[int, ...] = (), bold: tuple[int, ...] = (),
            height: float | None = None, all_center: bool = False) -> None:
        spec = _cells(cells)
        assert sum(s for _, s in spec) == len(self.widths), (cells, len(self.widths))
        self._word_row(spec, header, center, bold, all_center)
        self._excel_row(spec, center, bold, height, all_center)

    def loop(self, head: str, cells: list[Any], **kw: Any) -> None:
        self.tag_row(f"{{%tr for {head} %}}")
        self.row(cells, **kw)
        self.tag_row("{%tr endfor %}")

    def tag_row(self, text: str) -> None:
        r = self.table.add_row()
        r.cells[0].paragraphs[0].add_run(text)
        self.table_rows.append([None] * len(self.widths))
        self.r += 1
        self.ws.cell(self.r, 1, text)

    # ------------------------------------------------------------------ Word
    def _word_row(self, spec: list[tuple[Any, int]], header: bool, center: tuple[int, ...], bold: tuple[int, ...], all_center: bool) -> None:
        r = self.table.add_row()
        trpr = r._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if header:
            trpr.append(OxmlElement("w:tblHeader"))
        grid: list[Any] = [None] * len(self.widths)
        col = 0
        for i, (text, span) in enumerate(spec):
            cell = r.cells[col]
            if span > 1:
                cell = cell.merge(r.cells[col + span - 1])
            if text is UP:
                above = self.table_rows[-1][col]
                cell = above.merge(cell)
            else:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                p = cell.paragraphs[0]
                if text:
                    run = p.add_run(text)
                    if i in bold:
                        run.bold = True
                if i in center or all_center:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for k in range(col, col + span):
                grid[k] = cell
            col += span
        self.table_rows.append(grid)

    # ------------------------------------------------------------------ Excel
    def _sheet_setup(self, ws: Any) -> None:
        for i, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = round(w * self.excel_scale, 1)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if self.landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.75
        ws.page_margins.footer = 0.3
        ws.oddFooter.right.text = "第 &P 页，共 &N 页"
        ws.sheet_view.showGridLines = False

    def _excel_row(self, spec: list[tuple[Any, int]], center: tuple[int, ...], bold: tuple[int, ...], height: float | None, all_center: bool) -> None:
        self.r += 1
        ws = self.ws
        col = 1
        for i, (text, span) in enumerate(spec):
            if text is UP:
                self._extend_up(col, span)
            else:
                c = ws.cell(self.r, col, text if text else None)
                c.font = Font(name=BODY_FONT, size=self.size, bold=i in bold)
                c.alignment = Alignment(horizontal="center" if (i in center or all_center) else "left", vertical="center", wrap_text=True)
                if span > 1:
                    ws.merge_cells(start_row=self.r, start_column=col, end_row=self.r, end_column=col + span - 1)
            for k in range(col, col + span):
                ws.cell(self.r, k).border = BOX
            col += span
        if height:
            ws.row_dimensions[self.r].height = height

    def _extend_up(self, col: int, span: int) -> None:
        ws = self.ws
        above = self.r - 1
        for m in list(ws.merged_cells.ranges):
            if m.min_col == col and m.max_row == above:
                ws.unmerge_cells(str(m))
                ws.merge_cells(start_row=m.min_row, start_column=col, end_row=self.r, end_column=col + span - 1)
                return
        ws.merge_cells(start_row=above, start_column=col, end_row=self.r, end_column=col + span - 1)

    def print_titles(self, first: int, last: int) -> None:
        self.ws.print_title_rows = f"{first}:{last}"

    def sheet(self, title: str) -> None:
        """Start another sheet (its own rows) with the same grid."""
        self.ws = self.wb.create_sheet(title)
        self.r = 0
        self._sheet_setup(self.ws)

    # ------------------------------------------------------------------ saving
    def save(self, folder: str) -> None:
        out = ROOT / folder
        out.mkdir(parents=True, exist_ok=True)
        spacer = self.doc.add_paragraph()  # Word ends a document with a paragraph
        spacer.paragraph_format.line_spacing = Pt(1)
        self.doc.save(str(out / "forms.docx"))
        self.wb.save(str(out / "forms.xlsx"))
