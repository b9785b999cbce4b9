"""Bootstrap the first version of a region's templates (run once per region).

The .docx/.xlsx files under templates/ are the source of truth: admins edit them in
Word / WPS / Excel, and goaldoc never regenerates them. This script only wrote their first
draft so that the drafts are reproducible and reviewable; running it again overwrites the
admins' edits, so don't, unless you start a region from scratch:

    python tools/bootstrap_templates.py guangdong
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.properties import PageSetupProperties

ROOT = Path(__file__).resolve().parents[1] / "templates"
BODY_FONT, TITLE_FONT, LATIN = "宋体", "宋体", "Times New Roman"


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
    tblpr = t._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
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


def tag_row(t, tag: str) -> None:
    r = t.add_row()
    r.cells[0].paragraphs[0].add_run(tag)


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


# ---------------------------------------------------------------- regions
def guangdong() -> None:
    folder = ROOT / "guangdong"
    folder.mkdir(parents=True, exist_ok=True)
    doc = new_document()
    # 目录
    title(doc, "{{ department.name }}部门整体预算绩效目标批复表目录", 16)
    t = table(doc, [1300, 6538, 1800])
    row(t, ["序号", "项目名称", "页码"], header=True, center=(0, 1, 2), bold=(0, 1, 2))
    tag_row(t, "{%tr for c in contents %}")
    row(t, ["{{ loop.index }}", "{{ c.title }}", "{{ c.pages or '' }}"], center=(0, 2))
    tag_row(t, "{%tr endfor %}")
    page_break(doc)
    # 批复表
    title(doc, "{{ title or (year ~ '年' ~ (department.area or department.name) ~ '部门整体预算绩效目标批复表') }}")
    t = table(doc, [1134, 2100, 2300, 1500, 2604])
    L = "{{ '%s' | merge('%s') }}"
    row(t, ["部门名称", ("{{ department.name }}", 4)], center=(0,))
    row(t, ["基本信息", "财政供养人员数（人）", "{{ department.staff_count if department.staff_count is not none else '' }}",
            "下属二级单位数（个）", "{{ department.subunit_count if department.subunit_count is not none else '' }}"], center=(0, 1, 2, 3, 4))
    row(t, [L % ("预算整体情况", "budget"), "部门预算支出", "预算金额（万元）", "收入来源", "预算金额（万元）"], center=(0, 1, 2, 3, 4), bold=(1, 2, 3, 4))
    tag_row(t, "{%tr for r in budget_rows %}")
    row(t, [L % ("预算整体情况", "budget"),
            "{{ r.expenditure.label if r.expenditure else '' }}",
            "{{ r.expenditure.amount | amount if r.expenditure else '' }}",
            "{{ r.income.label if r.income else '' }}",
            "{{ r.income.amount | amount if r.income else '' }}"], center=(0, 2, 4))
    tag_row(t, "{%tr endfor %}")
    cells = row(t, ["总体绩效目标", ("", 4)], center=(0,))
    goals = cells[1]
    goals.paragraphs[0].add_run("{%p for g in goals %}")
    goals.add_paragraph("{{ g }}")
    goals.add_paragraph("{%p endfor %}")
    row(t, [L % ("年度重点工作任务", "tasks"), "名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"], center=(0, 1, 2, 3, 4), bold=(1, 2, 3, 4))
    tag_row(t, "{%tr for t in key_tasks %}")
    row(t, [L % ("年度重点工作任务", "tasks"), "{{ t.name }}", "{{ t.content }}", "{{ t.funds | amount }}", "{{ t.target }}"], center=(0, 3))
    tag_row(t, "{%tr endfor %}")
    tag_row(t, "{%tr for t in other_tasks %}")
    row(t, [L % ("其他需完成的任务（可选填）", "other"), "{{ t.name }}", "{{ t.content }}", "{{ t.funds | amount }}", "{{ t.target }}"], center=(0, 3))
    tag_row(t, "{%tr endfor %}")
    spacer(doc)
    t = table(doc, [1134, 1000, 1134, 2100, 2870, 1400])
    row(t, [L % ("绩效指标", "ind"), "一级指标", "二级指标", "三级指标", "指标解释", "指标值"], header=True, center=(0, 1, 2, 3, 4, 5), bold=(1, 2, 3, 4, 5))
    tag_row(t, "{%tr for row in indicator_rows %}")
    row(t, [L % ("绩效指标", "ind"), "{{ row.level1 | merge }}", "{{ row.level2 | merge }}", "{{ row.name }}", "{{ row.explanation }}", "{{ row.value_text }}"], center=(0, 1, 2, 5))
    tag_row(t, "{%tr endfor %}")
    signature_block(doc, [
        [("编制单位（盖章）", "signature.unit"), ("填报日期", "signature.date")],
        [("单位负责人", "signature.head"), ("财务负责人", "signature.finance_head")],
        [("经办人", "signature.preparer"), ("联系电话", "signature.phone")],
    ])
    doc.save(folder / "forms.docx")

    wb = Workbook()
    ws = wb.active
    ws.title = "目录"
    b = SheetBuilder(ws, [10, 60, 14])
    b.line("{{ department.name }}部门整体预算绩效目标批复表目录", size=16, bold=True, align="center", height=36)
    b.row(["序号", "项目名称", "页码"], center=(0, 1, 2), bold=(0, 1, 2))
    ws.print_title_rows = "1:2"
    b.tag("{%tr for c in contents %}")
    b.row(["{{ loop.index }}", "{{ c.title }}", "{{ c.pages or '' }}"], center=(0, 2))
    b.tag("{%tr endfor %}")

    ws = wb.create_sheet("部门整体")
    b = SheetBuilder(ws, [9, 11, 11, 18, 12, 16, 14])
    b.line("{{ title or (year ~ '年' ~ (department.area or department.name) ~ '部门整体预算绩效目标批复表') }}", size=18, bold=True, align="center", height=40)
    ws.print_title_rows = "1:1"
    b.row(["部门名称", ("{{ department.name }}", 6)], center=(0,))
    b.row(["基本信息", ("财政供养人员数（人）", 2), "{{ department.staff_count if department.staff_count is not none else '' }}",
           ("下属二级单位数（个）", 2), "{{ department.subunit_count if department.subunit_count is not none else '' }}"], center=(0, 1, 2, 3, 4))
    b.row([L % ("预算整体情况", "budget"), ("部门预算支出", 2), "预算金额（万元）", ("收入来源", 2), "预算金额（万元）"], center=(0, 1, 2, 3, 4), bold=(1, 2, 3, 4))
    b.tag("{%tr for r in budget_rows %}")
    b.row([L % ("预算整体情况", "budget"), ("{{ r.expenditure.label if r.expenditure else '' }}", 2),
           "{{ r.expenditure.amount | amount if r.expenditure else '' }}",
           ("{{ r.income.label if r.income else '' }}", 2), "{{ r.income.amount | amount if r.income else '' }}"], center=(0, 2, 4))
    b.tag("{%tr endfor %}")
    b.row(["总体绩效目标", ("{% for g in goals %}{{ g }}{% if not loop.last %}\n{% endif %}{% endfor %}", 6)], center=(0,))
    b.row([L % ("年度重点工作任务", "tasks"), ("名称", 2), "主要实施内容", "拟投入的资金（万元）", ("期望达到的目标（概述）", 2)], center=(0, 1, 2, 3, 4), bold=(1, 2, 3, 4))
    b.tag("{%tr for t in key_tasks %}")
    b.row([L % ("年度重点工作任务", "tasks"), ("{{ t.name }}", 2), "{{ t.content }}", "{{ t.funds | amount }}", ("{{ t.target }}", 2)], center=(0, 3))
    b.tag("{%tr endfor %}")
    b.tag("{%tr for t in other_tasks %}")
    b.row([L % ("其他需完成的任务（可选填）", "other"), ("{{ t.name }}", 2), "{{ t.content }}", "{{ t.funds | amount }}", ("{{ t.target }}", 2)], center=(0, 3))
    b.tag("{%tr endfor %}")
    b.row([L % ("绩效指标", "ind"), "一级指标", "二级指标", "三级指标", ("指标解释", 2), "指标值"], center=(0, 1, 2, 3, 4, 5), bold=(1, 2, 3, 4, 5))
    b.tag("{%tr for row in indicator_rows %}")
    b.row([L % ("绩效指标", "ind"), "{{ row.level1 | merge }}", "{{ row.level2 | merge }}", "{{ row.name }}", ("{{ row.explanation }}", 2), "{{ row.value_text }}"], center=(0, 1, 2, 5))
    b.tag("{%tr endfor %}")
    b.r += 1
    for line in (
        [("编制单位（盖章）", "signature.unit"), ("填报日期", "signature.date")],
        [("单位负责人", "signature.head"), ("财务负责人", "signature.finance_head")],
        [("经办人", "signature.preparer"), ("联系电话", "signature.phone")],
    ):
        b.row([(f"{line[0][0]}：{{{{ {line[0][1]} | blank }}}}", 4), (f"{line[1][0]}：{{{{ {line[1][1]} | blank }}}}", 3)], border=False)
    wb.save(folder / "forms.xlsx")


REGIONS = {"guangdong": guangdong}

if __name__ == "__main__":
    for name in sys.argv[1:] or REGIONS:
        REGIONS[name]()
        print(f"wrote templates/{name}/")
