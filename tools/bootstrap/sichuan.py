"""First draft of templates/sichuan/ (部门预算项目绩效目标表, seed 004, FORMATS.md §2.4).

One wide A4-landscape table, amounts in 元:

    单位名称 | 项目名称 | 预算数 | 年度目标 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 |
    度量单位 | 权重 | 指标方向性

Row blocks, in order (the same in Word and Excel):

1. the department row  ``307-县人社局部门 | | 1,734,952.06``;
2. the department's own indicators as one pseudo-project (only when it has some: a
   部门整体 sample such as taishan), see templates/sichuan/form.yaml for why;
3. the department's own projects (``projects`` without a 下属单位);
4. per 下属单位 its row ``307003-井研县就业创业促进中心 | | total`` and its projects.

A project prints one row per indicator in the order entered; 项目名称 / 预算数 / 年度目标
merge down the project's rows (``merge('p' ~ p.number)``); a project without indicators
still prints one row.
"""

from __future__ import annotations

from pathlib import Path

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

# only the drawing helpers come from common (library names are imported directly above)
from .common import BOX, ROOT, SheetBuilder, new_document, paragraph, row, table, tag_row

BODY_PT = 9  # twelve columns on A4 landscape: 9 pt keeps 三级指标 / 年度目标 readable
HEADERS = [  # narrow columns break their header where a reader expects it
    "单位名称",
    "项目名称",
    "预算数",
    "年度目标",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标\n性质",
    "指标值",
    "度量\n单位",
    "权重",
    "指标\n方向性",
]
KEEP_ROWS = 15  # Word: a project of up to this many rows is kept on one page
# column widths in mm; they add up to the usable width of A4 landscape (297 - 2 × 12.7)
WIDTHS_MM = [22, 26, 26, 62, 18, 21, 32, 10, 16, 12, 10, 15]
LEFT = (0, 1, 3, 6)  # texts that run long are left-aligned; 预算数 right; the rest centred
RIGHT = (2,)

# -------------------------------------------------------------- cell expressions (Jinja)
# Amount units: a project's 预算数 is in its own budget.unit; the department row and the
# 部门整体 pseudo-project are in budget.unit; a 下属单位's total is in the unit of its projects
# (model.Unit.total), i.e. of its first project, else budget.unit.
DEPT_LABEL = (
    "{{ [department.code, department.short_name or department.name] | select | join('-') }}"
)
# 预算整体情况 合计 (the level-0 line of 部门预算支出), when the data has one
TOTAL_LINE = "(budget.expenditure | selectattr('level', 'equalto', 0) | map(attribute='amount') | select('ne', none) | list)"
DEPT_TOTAL = (
    "{{ (department.total if department.total is not none else "
    f"({TOTAL_LINE} or [none])[0]) | amount(budget.unit) }}}}"
)
UNIT_LABEL = "{{ [u.code, u.name] | select | join('-') }}"
UNIT_TOTAL = "{{ u.total | amount(u.projects[0].budget.unit if u.projects else budget.unit) }}"

PROJECT = [  # 单位名称 (blank) | 项目名称 | 预算数 | 年度目标, merged down the project's rows
    "{{ '' | merge('p' ~ p.number) }}",
    "{{ p.name | merge('p' ~ p.number) }}",
    "{{ p.budget.total | amount(p.budget.unit) | merge('p' ~ p.number) }}",
    "{{ (p.annual_goal or '') | merge('p' ~ p.number) }}",
]
WHOLE = [  # the department's own indicators, printed as one pseudo-project (form.yaml)
    "{{ '' | merge('d') }}",
    "{{ (department.name ~ '（部门整体）') | merge('d') }}",
    f"{{{{ ({TOTAL_LINE} or [none])[0] | amount(budget.unit) | merge('d') }}}}",
    "{{ goals | join('\\n') | merge('d') }}",
]
INDICATOR = [
    "{{ row.level1 }}",
    "{{ row.level2 }}",
    "{{ row.name }}",
    "{{ row.value_parts[0] }}",
    "{{ row.value_parts[1] }}",
    "{{ row.value_parts[2] }}",
    "{{ row.weight if row.weight is not none else '' }}",
    "{{ row.direction or '' }}",
]
NO_INDICATOR = [""] * len(INDICATOR)

TITLE = "部门预算项目绩效目标表（{{ year }}年度）"
UNIT_LINE_LEFT = "编制单位（盖章）：{{ department.name }}"
UNIT_LINE_RIGHT = "金额单位：{{ form.amount_unit }}"

# Row tags. Jinja's `for … if …` is not used: the Excel renderer reads `for x in <expr>`.
OWN = "projects | selectattr('unit', 'none')"
OF_UNIT = "projects | selectattr('unit', 'sameas', u)"

Row = tuple[str, list[str] | None, bool]  # (tag, None, _) or ("row", cells, keep with next)


def indicator_block(rows: str, first: list[str], word: bool) -> list[Row]:
    """One project's rows. In Word every row but the last keeps with the next, so that a
    project is not cut by a page break (Word and LibreOffice honour keep-with-next in
    tables; a merged cell cut by a page break can print its text cut in two). A project
    longer than KEEP_ROWS rows is not kept together: a chain longer than a page would only
    push the table to the next page. Excel has no such setting: there, page breaks between
    merged blocks are the renderer's job."""
    loop: list[Row] = [(f"{{%tr for row in {rows} %}}", None, False)]
    if word:
        loop += [
            (f"{{%tr if not loop.last and loop.length <= {KEEP_ROWS} %}}", None, False),
            ("row", first + INDICATOR, True),
            ("{%tr else %}", None, False),
            ("row", first + INDICATOR, False),
            ("{%tr endif %}", None, False),
        ]
    else:
        loop += [("row", first + INDICATOR, False)]
    return loop + [("{%tr endfor %}", None, False)]


def project_block(projects: str, word: bool) -> list[Row]:
    return [
        (f"{{%tr for p in {projects} %}}", None, False),
        ("{%tr if not p.rows %}", None, False),
        ("row", PROJECT + NO_INDICATOR, False),
        ("{%tr endif %}", None, False),
        *indicator_block("p.rows", PROJECT, word),
        ("{%tr endfor %}", None, False),
    ]


def blocks(word: bool) -> list[Row]:
    """The rows after the header, in order (see the module docstring)."""
    return [
        ("row", [DEPT_LABEL, "", DEPT_TOTAL] + [""] * 9, True),
        ("{%tr if indicator_rows and not only %}", None, False),
        *indicator_block("indicator_rows", WHOLE, word),
        ("{%tr endif %}", None, False),
        *project_block(OWN, word),
        ("{%tr for u in units %}", None, False),
        (f"{{%tr if not only or ({OF_UNIT} | list) %}}", None, False),
        ("row", [UNIT_LABEL, "", UNIT_TOTAL] + [""] * 9, True),
        ("{%tr endif %}", None, False),
        *project_block(OF_UNIT, word),
        ("{%tr endfor %}", None, False),
    ]


CENTER = tuple(i for i in range(12) if i not in LEFT + RIGHT)
TOP = (3,)  # 年度目标 runs long: top-aligned, its start stays on the project's first page


def build() -> None:
    folder = ROOT / "sichuan"
    folder.mkdir(parents=True, exist_ok=True)
    build_docx(folder)
    build_xlsx(folder)


def build_docx(folder: Path) -> None:
    doc = new_document(landscape=True)
    sec = doc.sections[0]
    sec.left_margin = sec.right_margin = Cm(1.27)
    sec.top_margin, sec.bottom_margin = Cm(1.5), Cm(1.5)
    paragraph(doc, TITLE, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    usable = sec.page_width - sec.left_margin - sec.right_margin
    line = paragraph(doc, UNIT_LINE_LEFT, size=10.5, keep_next=True)
    line.paragraph_format.tab_stops.add_tab_stop(usable, WD_TAB_ALIGNMENT.RIGHT)
    line.add_run("\t" + UNIT_LINE_RIGHT).font.size = Pt(10.5)
    line.paragraph_format.space_after = Pt(3)

    t = table(doc, [round(mm * 1440 / 25.4) for mm in WIDTHS_MM])
    tblpr = t._tbl.tblPr
    # common.table appends a second w:tblLayout after w:tblLook (python-docx already wrote
    # one in its place): drop it, Word wants CT_TblPr in schema order
    layouts = tblpr.findall(qn("w:tblLayout"))
    for extra in layouts[1:]:
        tblpr.remove(extra)
    # narrow cell margins (1 mm) so that 满意度指标 / 正向指标 / 1,734,952.06 fit on one line
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "57")
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.find(qn("w:tblLayout")).addnext(mar)

    row(t, HEADERS, header=True, center=tuple(range(12)), bold=tuple(range(12)))
    for tag, cells, keep in blocks(word=True):
        if cells is None:
            tag_row(t, tag)
            continue
        out = row(t, cells, center=CENTER)
        for i in RIGHT:
            out[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for i in TOP:
            out[i].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        if keep:
            for cell in out:
                for par in cell.paragraphs:
                    par.paragraph_format.keep_with_next = True
    for cell_run in t._tbl.iter(qn("w:r")):
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), str(BODY_PT * 2))
        cell_run.get_or_add_rPr().append(size)
    doc.save(folder / "forms.docx")


def build_xlsx(folder: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目绩效目标表"
    # Excel width ≈ (px - 5) / 7; 1 mm ≈ 3.78 px at 96 dpi
    widths = [round((mm * 3.78 - 5) / 7, 1) for mm in WIDTHS_MM]
    b = SheetBuilder(ws, widths, landscape=True)
    b.line(TITLE, size=18, bold=True, align="center", height=36)
    # 编制单位 on the left, 金额单位 on the right, on one row (A:F and G:L)
    b.r += 1
    ws.merge_cells(start_row=b.r, start_column=1, end_row=b.r, end_column=6)
    ws.merge_cells(start_row=b.r, start_column=7, end_row=b.r, end_column=12)
    for col, text, align in ((1, UNIT_LINE_LEFT, "left"), (7, UNIT_LINE_RIGHT, "right")):
        c = ws.cell(b.r, col, text)
        c.font = Font(name="宋体", size=10.5)
        c.alignment = Alignment(horizontal=align, vertical="center")
    ws.row_dimensions[b.r].height = 20
    header = b.row(HEADERS, center=tuple(range(12)), bold=tuple(range(12)))
    ws.row_dimensions[header].height = 30
    ws.print_title_rows = f"{header}:{header}"  # the header repeats on every printed page
    for col in range(1, 13):
        ws.cell(header, col).font = Font(name="宋体", size=BODY_PT, bold=True)
    for tag, cells, _keep in blocks(word=False):
        if cells is None:
            b.tag(tag)
            continue
        r = b.row(cells, center=CENTER)
        for col in range(1, 13):
            c = ws.cell(r, col)
            c.font = Font(name="宋体", size=BODY_PT)
            c.border = BOX
            i = col - 1
            c.alignment = Alignment(
                horizontal="right" if i in RIGHT else ("left" if i in LEFT else "center"),
                vertical="top" if i in TOP else "center",
                wrap_text=True,
            )
    wb.save(folder / "forms.xlsx")
