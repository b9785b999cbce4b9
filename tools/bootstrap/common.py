"""Helpers shared by the per-region bootstrap scripts (python-docx / openpyxl drawing)."""

from __future__ import annotations

from pathlib import Path

from docx import Document  # noqa: F401
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips
from openpyxl import Workbook  # noqa: F401  (used by the region scripts via *)
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.properties import PageSetupProperties

ROOT = Path(__file__).resolve().parents[2] / "templates"
BODY_FONT, TITLE_FONT, LATIN = "宋体", "宋体", "Times New Roman"
# the first cells of an indicator grid's body row: 一级 and 二级 merged down their groups, 三级
LEVELS = ("{{ row.level1 | merge }}", "{{ row.level2 | merge }}", "{{ row.name }}")


def write_drafts(region: str, build_docx, build_xlsx) -> None:
    """templates/<region>/forms.docx and forms.xlsx, drawn by the two functions."""
    folder = ROOT / region
    folder.mkdir(parents=True, exist_ok=True)
    build_docx(folder / "forms.docx")
    build_xlsx(folder / "forms.xlsx")


# ---------------------------------------------------------------- Word helpers
def new_document(landscape: bool = False):
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Twips(11906), Twips(16838)
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.0 if not landscape else 1.5))
    sec.top_margin, sec.bottom_margin = Cm(2.0), Cm(1.8)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    # docDefaults too, so that every run has an East Asian font
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr_default, BODY_FONT)
    return doc


def set_fonts(rpr, east_asia: str) -> None:
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


def paragraph(doc_or_cell, text: str = "", *, size=None, bold=False, align=None, font=None, keep_next=False):
    p = doc_or_cell.add_paragraph()
    if text:
        run = p.add_run(text)
        if size:
            run.font.size = Pt(size)
        run.bold = bold
        if font:
            set_fonts(run._r.get_or_add_rPr(), font)
    if align:
        p.alignment = align
    if keep_next:
        p.paragraph_format.keep_with_next = True
    return p


def title(doc, text: str, size: float = 18) -> None:
    paragraph(doc, text, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, keep_next=True)
    paragraph(doc, "", size=6)


def page_title(doc, text: str, *, size: float, font=None, space_after: float | None = None):
    """A form's title, centred and bold, starting a new page (Word and LibreOffice ignore
    the break when the title is the document's first paragraph, as the first project
    form's is under --only)."""
    p = paragraph(doc, text, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, font=font, keep_next=True)
    p.paragraph_format.page_break_before = True
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    return p


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def spacer(doc) -> None:
    """A 1 pt paragraph: keeps two tables apart (Word joins adjacent tables)."""
    p = doc.add_paragraph()
    p.paragraph_format.line_spacing = Pt(1)
    r = p.add_run()
    r.font.size = Pt(1)


def table(doc, widths: list[int]):
    t = doc.add_table(rows=0, cols=len(widths))
    t.style = doc.styles["Table Grid"]
    t.autofit = False
    grid = t._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(w))
    tblpr = t._tbl.tblPr  # autofit=False above already wrote <w:tblLayout w:type="fixed"/>
    tblw = tblpr.find(qn("w:tblW"))
    tblw.set(qn("w:w"), str(sum(widths)))
    tblw.set(qn("w:type"), "dxa")
    return t


def row(t, cells: list, *, header: bool = False, center: tuple[int, ...] = (), bold: tuple[int, ...] = ()):
    """cells: text or (text, span). Texts may hold Jinja. Returns the row's cells."""
    r = t.add_row()
    trpr = r._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))
    col = 0
    out = []
    for i, spec in enumerate(cells):
        text, span = spec if isinstance(spec, tuple) else (spec, 1)
        cell = r.cells[col]
        if span > 1:
            cell = cell.merge(r.cells[col + span - 1])
        col += span
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        if text:
            run = p.add_run(text)
            if i in bold:
                run.bold = True
        if i in center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        out.append(cell)
    return out


def no_border(cell, side: str) -> None:
    """Take one border of a Word cell away (two cells that should read as one)."""
    tcpr = cell._tc.get_or_add_tcPr()
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tcpr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "nil")
    borders.append(edge)


def tag_row(t, tag: str) -> None:
    r = t.add_row()
    r.cells[0].paragraphs[0].add_run(tag)


def loop_row(t, loop: str, cells: list, **kw) -> None:
    """A row repeated ``{%tr for <loop> %}``; ``kw`` as for row()."""
    tag_row(t, f"{{%tr for {loop} %}}")
    row(t, cells, **kw)
    tag_row(t, "{%tr endfor %}")


class TableBuilder:
    """A Word table drawn through SheetBuilder's calls (row, tag, loop_row), so that one
    function can draw the same rows as a table and as a sheet."""

    def __init__(self, doc, widths: list[int]):
        self.t = table(doc, widths)

    def row(self, cells: list, **kw):
        return row(self.t, cells, **kw)

    def tag(self, tag: str) -> None:
        tag_row(self.t, tag)

    def loop_row(self, loop: str, cells: list, **kw) -> None:
        loop_row(self.t, loop, cells, **kw)


def save_bundle(doc, path, department: list, project_form) -> None:
    """Finish and save a bundle: the department's part (each of ``department`` drawing a
    piece; left out under --only), then ``project_form`` once per project."""
    paragraph(doc, "{%p if not only %}")
    for draw in department:
        draw(doc)
    paragraph(doc, "{%p endif %}")
    paragraph(doc, "{%p for project in projects %}")
    project_form(doc)
    paragraph(doc, "{%p endfor %}")
    spacer(doc)  # Word ends a document with a paragraph, never with a table
    doc.save(path)


def signature_block(doc, fields: list[list[tuple[str, str]]]) -> None:
    """A borderless table of 'label：value' pairs, kept on one page."""
    paragraph(doc, "", size=6, keep_next=True)
    ncols = max(len(r) for r in fields)
    width = 9638 // ncols
    t = doc.add_table(rows=0, cols=ncols)
    t.autofit = False
    for col in t._tbl.tblGrid.findall(qn("w:gridCol")):
        col.set(qn("w:w"), str(width))
    for k, line in enumerate(fields):
        r = t.add_row()
        r._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for i, (label, expr) in enumerate(line):
            p = r.cells[i].paragraphs[0]
            p.add_run(f"{label}：{{{{ {expr} | blank }}}}")
            if k < len(fields) - 1:
                p.paragraph_format.keep_with_next = True
            p.paragraph_format.space_before = Pt(6)


# ---------------------------------------------------------------- Excel helpers
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


class SheetBuilder:
    def __init__(self, ws, widths: list[float], *, landscape: bool = False):
        self.ws, self.r = ws, 0
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(65 + i)].width = w
        self.ncols = len(widths)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.sheet_view.showGridLines = False

    def line(self, text: str, *, size=10.5, bold=False, align="left", height=None):
        self.r += 1
        self.ws.merge_cells(start_row=self.r, start_column=1, end_row=self.r, end_column=self.ncols)
        c = self.ws.cell(self.r, 1, text)
        c.font = Font(name=BODY_FONT, size=size, bold=bold)
        c.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if height:
            self.ws.row_dimensions[self.r].height = height
        return self.r

    def row(self, cells: list, *, center: tuple[int, ...] = (), bold: tuple[int, ...] = (), border=True):
        self.r += 1
        col = 1
        for i, spec in enumerate(cells):
            text, span = spec if isinstance(spec, tuple) else (spec, 1)
            c = self.ws.cell(self.r, col, text if text else None)
            c.font = Font(name=BODY_FONT, size=10.5, bold=i in bold)
            c.alignment = Alignment(
                horizontal="center" if i in center else "left", vertical="center", wrap_text=True
            )
            for k in range(col, col + span):
                if border:
                    self.ws.cell(self.r, k).border = BOX
            if span > 1:
                self.ws.merge_cells(start_row=self.r, start_column=col, end_row=self.r, end_column=col + span - 1)
            col += span
        return self.r

    def tag(self, tag: str):
        self.r += 1
        self.ws.cell(self.r, 1, tag)
        return self.r

    def loop_row(self, loop: str, cells: list, **kw) -> None:
        """A row repeated ``{%tr for <loop> %}``; ``kw`` as for row()."""
        self.tag(f"{{%tr for {loop} %}}")
        self.row(cells, **kw)
        self.tag("{%tr endfor %}")


