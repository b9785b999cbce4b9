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

from docx.enum.text import WD_TAB_ALIGNMENT

from .common import (
    BOX,
    ROOT,
    WD_ALIGN_PARAGRAPH,
    Alignment,
    Cm,
    Font,
    OxmlElement,
    Pt,
    SheetBuilder,
    Workbook,
    new_document,
    paragraph,
    qn,
    row,
    table,
    tag_row,
)

BODY_PT = 9  # twelve columns on A4 landscape: 9 pt keeps 三级指标 / 年度目标 readable
HEADERS = [
    "单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标",
    "指标性质", "指标值", "度量单位", "权重", "指标方向性",
]
# column widths in mm; they add up to the usable width of A4 landscape (297 - 2 × 12.7)
WIDTHS_MM = [22, 26, 24, 60, 18, 22, 34, 11, 16, 12, 10, 16]
LEFT = (0, 1, 3, 6)  # texts that run long are left-aligned; 预算数 right; the rest centred
RIGHT = (2,)

# -------------------------------------------------------------- cell expressions (Jinja)
# Amount units: a project's 预算数 is in its own budget.unit; the department row and the
# 部门整体 pseudo-project are in budget.unit; a 下属单位's total is in the unit of its projects
# (model.Unit.total), i.e. of its first project, else budget.unit.
DEPT_LABEL = "{{ [department.code, department.short_name or department.name] | select | join('-') }}"
# 预算整体情况 合计 (the level-0 line of 部门预算支出), when the data has one
TOTAL_LINE = "(budget.expenditure | selectattr('level', 'equalto', 0) | map(attribute='amount') | select('ne', none) | list)"
DEPT_TOTAL = (
    "{{ (department.total if department.total is not none else "
    f"({TOTAL_LINE} or [none])[0]) | amount(budget.unit) }}}}"
)
UNIT_LABEL = "{{ [u.code, u.name] | select | join('-') }}"
UNIT_TOTAL = "{{ u.total | amount(u.projects[0].budget.unit if u.projects else budget.unit) }}"

PROJECT = [
    "{{ p.name | merge('p' ~ p.number) }}",
    "{{ p.budget.total | amount(p.budget.unit) | merge('p' ~ p.number) }}",
    "{{ (p.annual_goal or '') | merge('p' ~ p.number) }}",
]
WHOLE = [  # the department's own indicators, printed as one pseudo-project
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
BLOCKS: list[tuple[str, list[str] | None]] = [  # (tag, None) or ("row", cells)
    ("row", [DEPT_LABEL, "", DEPT_TOTAL] + [""] * 9),
    ("{%tr if indicator_rows and not only %}", None),
    ("{%tr for row in indicator_rows %}", None),
    ("row", [""] + WHOLE + INDICATOR),
    ("{%tr endfor %}", None),
    ("{%tr endif %}", None),
    (f"{{%tr for p in {OWN} %}}", None),
    ("{%tr if not p.rows %}", None),
    ("row", [""] + PROJECT + NO_INDICATOR),
    ("{%tr endif %}", None),
    ("{%tr for row in p.rows %}", None),
    ("row", [""] + PROJECT + INDICATOR),
    ("{%tr endfor %}", None),
    ("{%tr endfor %}", None),
    ("{%tr for u in units %}", None),
    (f"{{%tr if not only or ({OF_UNIT} | list) %}}", None),
    ("row", [UNIT_LABEL, "", UNIT_TOTAL] + [""] * 9),
    ("{%tr endif %}", None),
    (f"{{%tr for p in {OF_UNIT} %}}", None),
    ("{%tr if not p.rows %}", None),
    ("row", [""] + PROJECT + NO_INDICATOR),
    ("{%tr endif %}", None),
    ("{%tr for row in p.rows %}", None),
    ("row", [""] + PROJECT + INDICATOR),
    ("{%tr endfor %}", None),
    ("{%tr endfor %}", None),
    ("{%tr endfor %}", None),
]
CENTER = tuple(i for i in range(12) if i not in LEFT + RIGHT)


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
    # title and unit line
    first = doc.paragraphs[0] if doc.paragraphs else None
    if first is not None:
        first._p.getparent().remove(first._p)
    paragraph(doc, TITLE, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    usable = sec.page_width - sec.left_margin - sec.right_margin
    line = paragraph(doc, UNIT_LINE_LEFT, size=10.5, keep_next=True)
    line.paragraph_format.tab_stops.add_tab_stop(usable, WD_TAB_ALIGNMENT.RIGHT)
    run = line.add_run("\t" + UNIT_LINE_RIGHT)
    run.font.size = Pt(10.5)
    line.paragraph_format.space_after = Pt(3)

    twips = [round(mm * 1440 / 25.4) for mm in WIDTHS_MM]
    t = table(doc, twips)
    row(t, HEADERS, header=True, center=tuple(range(12)), bold=tuple(range(12)))
    for tag, cells in BLOCKS:
        if cells is None:
            tag_row(t, tag)
        else:
            out = row(t, cells, center=CENTER)
            for i in RIGHT:
                out[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell_run in t._tbl.iter(qn("w:r")):
        rpr = cell_run.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            cell_run.insert(0, rpr)
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), str(BODY_PT * 2))
        rpr.append(size)
    doc.save(folder / "forms.docx")


def build_xlsx(folder: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目绩效目标表"
    # Excel width ≈ (px - 5) / 7; 1 mm ≈ 3.78 px at 96 dpi
    widths = [round((mm * 3.78 - 5) / 7, 1) for mm in WIDTHS_MM]
    b = SheetBuilder(ws, widths, landscape=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
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
    for tag, cells in BLOCKS:
        if cells is None:
            b.tag(tag)
            continue
        r = b.row(cells, center=CENTER)
        for col in range(1, 13):
            c = ws.cell(r, col)
            c.font = Font(name="宋体", size=BODY_PT)
            c.border = BOX
            horizontal = "right" if col - 1 in RIGHT else ("left" if col - 1 in LEFT else "center")
            c.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
    for col in range(1, 13):
        ws.cell(header, col).font = Font(name="宋体", size=BODY_PT, bold=True)
    wb.save(folder / "forms.xlsx")
