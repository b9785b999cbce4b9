"""First draft of templates/gaoxin/ (高新区 部门预算绩效文本, seed 001).

One bundle per department: the 绩效文本 as a document (title page; 一、总体绩效目标;
二、分项绩效目标 with （一）…; 三、工作保障措施), then one 项目绩效目标表 per project, each
on a new page. The headings use Word's Heading 1 / Heading 2 styles, so the navigation
pane and a table of contents see them.

A project form is two tables: 项目编码 … 绩效目标, then the 绩效指标 grid, whose header row is
the first row of its own table so that it repeats on every page. The first table's grid
has a label column and twelve equal columns: the budget line has six cells and the
spending plan four (3月底, 6月底, 10月底, 12月底, as the seed prints them).

The 一级/二级 names print as the data has them (效果指标 here, not 效益指标), and the rows
keep the order entered (form.yaml: indicator_grouping: runs).
"""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment

from .common import (
    LEVELS,
    SheetBuilder,
    TableBuilder,
    loop_row,
    new_document,
    page_title,
    paragraph,
    row,
    save_bundle,
    set_fonts,
    spacer,
    table,
    write_drafts,
)

L = "{{ '%s' | merge('%s') }}"
HEADING_FONT, BODY_FONT = "黑体", "宋体"
TITLE = "{{ title or (year ~ '年部门整体绩效目标') }}"
PROJECT_TITLE = "{{ project.title or (project.name ~ '项目绩效目标表') }}"
UNIT = "{{ signature.unit or department.name }}"
# 资金支出计划 has four columns (3月底, 6月底, 10月底, 12月底); further points, if a project
# has any, print on one more row below them rather than vanish
POINTS = 4
MORE_POINTS = (
    f"{{% for sp in project.spending_plan[{POINTS}:] %}}{{{{ sp.period }}}}：{{{{ sp.percent }}}}"
    "{% if not loop.last %}；{% endif %}{% endfor %}"
)


def money(field: str) -> str:
    b = f"project.budget.{field}"
    return f"{{{{ ({b} | amount) ~ project.budget.unit if {b} is not none else '' }}}}"


def plan(i: int, attr: str) -> str:
    return f"{{{{ project.spending_plan[{i}].{attr} if project.spending_plan | length > {i} else '' }}}}"


# ------------------------------------------------------------------------- Word
def _styles(doc) -> None:
    for name, size, font in (("Heading 1", 16, HEADING_FONT), ("Heading 2", 14, HEADING_FONT)):
        st = doc.styles[name]
        st.font.size = Pt(size)
        st.font.bold = name == "Heading 2"
        st.font.italic = False
        st.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(st.element.get_or_add_rPr(), font)
        pf = st.paragraph_format
        pf.space_before, pf.space_after = Pt(12), Pt(6)
        pf.keep_with_next = True
        if name == "Heading 2":
            pf.first_line_indent = Pt(28)
    body = doc.styles.add_style("绩效正文", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = doc.styles["Normal"]
    body.font.size = Pt(14)
    set_fonts(body.element.get_or_add_rPr(), BODY_FONT)
    pf = body.paragraph_format
    pf.first_line_indent = Pt(28)  # two characters
    pf.line_spacing = 1.5
    pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _body(doc, text: str) -> None:
    doc.add_paragraph(text, style="绩效正文")


def _title_page_line(
    doc, text: str, *, size: float, space_before: float, bold: bool = True, font=HEADING_FONT
) -> None:
    p = paragraph(doc, text, size=size, bold=bold, align=WD_ALIGN_PARAGRAPH.CENTER, font=font)
    p.paragraph_format.space_before = Pt(space_before)


def _narrative(doc) -> None:
    # title page
    _title_page_line(doc, "{{ department.name }}", size=22, space_before=160)
    _title_page_line(
        doc, "{{ cover.title or (year ~ '年部门预算绩效文本') }}", size=26, space_before=24
    )
    _title_page_line(doc, f"{UNIT}编制", size=16, space_before=260, bold=False, font=None)
    # the text
    page_title(doc, TITLE, size=18, font=HEADING_FONT, space_after=12)
    doc.add_paragraph("一、总体绩效目标", style="Heading 1")
    paragraph(doc, "{%p for g in goals %}")
    _body(doc, "{{ g }}")
    paragraph(doc, "{%p endfor %}")
    doc.add_paragraph("二、分项绩效目标", style="Heading 1")
    paragraph(doc, "{%p for sg in sub_goals %}")
    doc.add_paragraph("（{{ loop.index | cn }}）{{ sg.title }}", style="Heading 2")
    paragraph(doc, "{%p if sg.goal %}")
    _body(doc, "绩效目标：{{ sg.goal }}")
    paragraph(doc, "{%p endif %}")
    paragraph(doc, "{%p if sg.indicators %}")
    _body(doc, "绩效指标：{{ sg.indicators }}")
    paragraph(doc, "{%p endif %}")
    paragraph(doc, "{%p endfor %}")
    doc.add_paragraph("三、工作保障措施", style="Heading 1")
    paragraph(doc, "{%p for s in safeguards.items %}")
    _body(doc, "{{ loop.index }}.{{ s }}")
    paragraph(doc, "{%p endfor %}")


def _project_info(b: TableBuilder | SheetBuilder) -> None:
    """项目编码 … 绩效目标: the same rows on the same grid (a label column and twelve
    narrow ones) in the .docx and the .xlsx."""
    b.row(
        ["项目编码", ("{{ project.code or '' }}", 3), ("项目名称", 2), ("{{ project.name }}", 7)],
        center=(0, 1, 2),
    )
    budget = L % ("预算规模及资金用途", "budget")
    b.row(
        [
            budget,
            ("预算数", 2),
            (money("total"), 2),
            ("其中：财政资金", 2),
            (money("fiscal"), 2),
            ("其他资金", 2),
            (money("other"), 2),
        ],
        center=(0, 1, 2, 3, 4, 5, 6),
    )
    b.row([budget, ("{{ project.fund_use or '' }}", 12)], center=(0,))
    spend = L % ("资金支出计划（%）", "plan")
    b.row(
        [spend, *[(plan(i, "period"), 3) for i in range(POINTS)]], center=tuple(range(POINTS + 1))
    )
    b.row(
        [spend, *[(plan(i, "percent"), 3) for i in range(POINTS)]], center=tuple(range(POINTS + 1))
    )
    b.tag(f"{{%tr if project.spending_plan | length > {POINTS} %}}")
    b.row([spend, (MORE_POINTS, 12)], center=(0,))
    b.tag("{%tr endif %}")
    b.loop_row(
        "g in project.goals",
        [L % ("绩效目标", "goals"), ("目标{{ loop.index }}", 2), ("{{ g }}", 10)],
        center=(0, 1),
    )


def _project_form(doc) -> None:
    page_title(doc, PROJECT_TITLE, size=18, font=HEADING_FONT, space_after=10)
    _project_info(TableBuilder(doc, [1502] + [678] * 11 + [680]))
    spacer(doc)
    t = table(doc, [1100, 1300, 1900, 2538, 1400, 1400])
    head = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")
    row(t, list(head), header=True, center=tuple(range(6)), bold=tuple(range(6)))
    loop_row(
        t,
        "row in project.rows",
        [*LEVELS, "{{ row.explanation }}", "{{ row.value_text }}", "{{ row.basis or '' }}"],
        center=(0, 1, 4, 5),
    )


def build_docx(path) -> None:
    doc = new_document()
    _styles(doc)
    save_bundle(doc, path, [_narrative], _project_form)


# ------------------------------------------------------------------------ Excel
def _text_row(
    b: SheetBuilder, text: str, *, size: float = 12, bold: bool = False, indent: int = 2
) -> int:
    r = b.line(text, size=size, bold=bold)
    b.ws.cell(r, 1).alignment = Alignment(
        horizontal="left", vertical="top", wrap_text=True, indent=indent
    )
    return r


def build_xlsx(path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效文本"
    b = SheetBuilder(ws, [45, 45])
    b.line("{{ department.name }}", size=22, bold=True, align="center", height=60)
    b.line(
        "{{ cover.title or (year ~ '年部门预算绩效文本') }}",
        size=26,
        bold=True,
        align="center",
        height=60,
    )
    b.line(f"{UNIT}编制", size=16, align="center", height=40)
    b.line(TITLE, size=18, bold=True, align="center", height=40)
    _text_row(b, "一、总体绩效目标", size=14, bold=True, indent=0)
    b.tag("{%tr for g in goals %}")
    _text_row(b, "{{ g }}")
    b.tag("{%tr endfor %}")
    _text_row(b, "二、分项绩效目标", size=14, bold=True, indent=0)
    b.tag("{%tr for sg in sub_goals %}")
    _text_row(b, "（{{ loop.index | cn }}）{{ sg.title }}", bold=True)
    b.tag("{%tr if sg.goal %}")
    _text_row(b, "绩效目标：{{ sg.goal }}")
    b.tag("{%tr endif %}")
    b.tag("{%tr if sg.indicators %}")
    _text_row(b, "绩效指标：{{ sg.indicators }}")
    b.tag("{%tr endif %}")
    b.tag("{%tr endfor %}")
    _text_row(b, "三、工作保障措施", size=14, bold=True, indent=0)
    b.tag("{%tr for s in safeguards.items %}")
    _text_row(b, "{{ loop.index }}.{{ s }}")
    b.tag("{%tr endfor %}")

    # 项目表: A label / 一级, then twelve narrow columns B…M
    ws = wb.create_sheet("项目表")
    b = SheetBuilder(ws, [13] + [6.5] * 11 + [10])
    b.line(PROJECT_TITLE, size=16, bold=True, align="center", height=40)
    _project_info(b)
    head = b.row(
        [
            ("一级指标", 1),
            ("二级指标", 2),
            ("三级指标", 3),
            ("绩效指标描述", 4),
            ("指标值", 2),
            "指标值确定依据",
        ],
        center=tuple(range(6)),
        bold=tuple(range(6)),
    )
    ws.print_title_rows = f"{head}:{head}"
    b.loop_row(
        "row in project.rows",
        [
            "{{ row.level1 | merge }}",
            ("{{ row.level2 | merge }}", 2),
            ("{{ row.name }}", 3),
            ("{{ row.explanation }}", 4),
            ("{{ row.value_text }}", 2),
            "{{ row.basis or '' }}",
        ],
        center=(0, 1, 4, 5),
    )
    wb.save(path)


def build() -> None:
    write_drafts("gaoxin", build_docx, build_xlsx)
