"""First draft of templates/guizhou/ (六枝特区 预算绩效目标表, seed 002).

One bundle per department: 封面, 部门整体支出绩效目标表, then one project form per
project, each form on a new page. A project form comes in the two titles the seed uses
(``Project.variant``): ``xiangmu`` = 项目绩效目标表, ``shenbao`` = 部门项目支出绩效目标申报表,
which adds the column 上年度指标值或实际水平. Both variants share one grid; without that
column, 指标解释及计算公式 spans its place.

Each form is two tables: the form proper, then its 绩效指标 grid, whose header row is the
first row of its own table so that Word and LibreOffice repeat it on every page (tblHeader
is only honoured on a table's leading rows). The label 绩效指标 merges down the grid's body
rows, not into the header: a merge that starts in a repeated header row is drawn broken by
LibreOffice on the following pages.

With ``--only 项目`` the cover and the department form are left out (``{%p if not only %}``),
and the first project form starts the document.
"""

from __future__ import annotations

from functools import partial

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment

from .common import (
    LEVELS,
    SheetBuilder,
    loop_row,
    new_document,
    page_title,
    paragraph,
    row,
    save_bundle,
    spacer,
    table,
    tag_row,
    write_drafts,
)

L = "{{ '%s' | merge('%s') }}"
SHENBAO = "project.variant == 'shenbao'"

DEPT_TITLE = "{{ title or (department.name ~ year ~ '年部门整体支出绩效目标表') }}"
UNIT = "{{ signature.unit or department.name }}"
PROJECT_TITLE = (
    "{{ project.title or ((department.area or department.name) ~ '部门项目支出绩效目标申报表'"
    " if project.variant == 'shenbao' else department.name ~ '项目绩效目标表') }}"
)
AMOUNT = "{{ project.budget.total | amount }}"
BUDGET_LABEL = "预算资金（{{ project.budget.unit }}）"
# the department form's sections of label | value rows
BASIC = L % ("部门(单位)基本情况", "basic")
BASIC_ROWS = [
    ("部门(单位)名称", "{{ department.name }}"),
    ("部门(单位)职能描述", "{{ department.functions or '' }}"),
]
SAFE = L % ("保障绩效目标实现的措施", "safe")
SAFE_ROWS = [
    ("组织机构", "{{ safeguards.organization or '' }}"),
    ("相关管理制度", "{{ safeguards.rules or '' }}"),
]
# 一级 | 二级 | 三级 | 指标值 of an indicator row, under the merged label 绩效指标
INDICATOR = L % ("绩效指标", "ind")
INDICATOR_CELLS = [*LEVELS, "{{ row.value_text }}"]


def _section(add_row, label: str, rows: list[tuple[str, str]], value_span: int) -> None:
    """Rows under one merged section label: label (2 columns) | value (``value_span``)."""
    for name, value in rows:
        add_row([label, (name, 2), (value, value_span)], center=(0, 1))


def _line(doc, text: str, *, align=None, size=10.5, space_after=0) -> None:
    p = paragraph(doc, text, size=size, align=align, keep_next=True)
    p.paragraph_format.space_after = Pt(space_after)


def _paragraphs(cell, loop: str, text: str) -> None:
    """A `{%p for %}` loop inside a cell: one paragraph per item."""
    cell.paragraphs[0].add_run(f"{{%p for {loop} %}}")
    cell.add_paragraph(text)
    cell.add_paragraph("{%p endfor %}")


# ------------------------------------------------------------------------- Word
def _cover(doc) -> None:
    paragraph(doc, "{{ cover.label ~ '：' if cover.label else '' }}", size=16, bold=True)
    p = paragraph(
        doc,
        "{{ cover.title or (department.name ~ year ~ '年预算绩效目标表') }}",
        size=22,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    p.paragraph_format.space_before = Pt(180)
    p.paragraph_format.space_after = Pt(150)
    for text in (
        f"编制单位：{UNIT}",
        "经办人：{{ signature.preparer | blank }}",
        "联系电话：{{ signature.phone | blank }}",
    ):
        p = paragraph(doc, text, size=16)
        p.paragraph_format.left_indent = Pt(100)
        p.paragraph_format.space_after = Pt(12)


def _department_form(doc) -> None:
    page_title(doc, DEPT_TITLE, size=16)
    _line(doc, f"编制单位：{UNIT}", space_after=4)
    # grid: section label | narrow | label | content | content
    t = table(doc, [1500, 700, 1100, 3169, 3169])
    c = (0, 1)
    _section(partial(row, t), BASIC, BASIC_ROWS, 2)
    row(
        t,
        [
            L % ("部门(单位)资金情况", "funds"),
            (L % ("支出预算(本级)", "spend"), 2),
            "名称",
            "{{ year }}年度预算金额({{ budget.unit }})",
        ],
        center=(0, 1, 2, 3),
        bold=(2, 3),
    )
    loop_row(
        t,
        "line in budget.expenditure",
        [
            L % ("部门(单位)资金情况", "funds"),
            (L % ("支出预算(本级)", "spend"), 2),
            "{{ line.label }}",
            "{{ line.amount | amount }}",
        ],
        center=(0, 1, 3),
    )
    cells = row(t, ["部门(单位)绩效目标", ("", 4)], center=(0,))
    _paragraphs(cells[1], "g in goals", "{{ g }}")
    loop_row(
        t,
        "g in detail_goals",
        [L % ("部门(单位)明细目标", "detail"), "{{ loop.index }}", ("{{ g }}", 3)],
        center=(0, 1),
    )
    _section(partial(row, t), SAFE, SAFE_ROWS, 2)
    loop_row(
        t,
        "ph in phase_plan",
        [L % ("部门(单位)目标阶段性计划", "phase"), ("{{ ph.period }}", 2), ("{{ ph.text }}", 2)],
        center=c,
    )
    spacer(doc)
    t = table(doc, [800, 1100, 1300, 2338, 1500, 2600])
    row(
        t,
        ["", "一级", "二级", "三级", "指标值", "指标解释及计算公式"],
        header=True,
        center=(0, 1, 2, 3, 4, 5),
        bold=(1, 2, 3, 4, 5),
    )
    loop_row(
        t,
        "row in indicator_rows",
        [INDICATOR, *INDICATOR_CELLS, "{{ row.explanation }}"],
        center=(0, 1, 2, 4),
    )


def _project_form(doc) -> None:
    page_title(doc, PROJECT_TITLE, size=16)
    _line(doc, "（{{ year }}年度）", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=4)
    _line(doc, f"编制单位（盖章）：{UNIT}", space_after=4)
    # grid: section label | label | c2 | c3 | c4 | c5
    t = table(doc, [1150, 1600, 1300, 2000, 1300, 2288])
    c = (0, 1)
    basic = L % ("项目基本情况", "basic")
    row(t, [basic, "项目名称", ("{{ project.name }}", 4)], center=c)
    row(
        t,
        [
            basic,
            "项目负责人",
            ("{{ project.manager or '' }}", 2),
            "联系电话",
            "{{ project.phone or '' }}",
        ],
        center=(0, 1, 3),
    )
    row(t, [basic, "项目类别", ("{{ project.category or '' }}", 4)], center=c)
    row(t, [basic, "项目属性", ("{{ project.attribute or '' }}", 4)], center=c)
    row(t, [basic, "项目计划实施时间", ("{{ project.period or '' }}", 4)], center=c)
    row(
        t,
        ["项目资金情况", BUDGET_LABEL, (AMOUNT, 2), "资金性质", "{{ project.fund_nature or '' }}"],
        center=(0, 1, 3),
    )
    goal = L % ("绩效目标情况", "goal")
    row(t, [goal, "年度目标", ("{{ project.annual_goal or '' }}", 4)], center=c)
    loop_row(
        t,
        "g in project.goals",
        [goal, L % ("详细目标", "goals"), "目标{{ loop.index }}", ("{{ g }}", 3)],
        center=(0, 1, 2),
    )
    loop_row(
        t,
        "plan in project.plans",
        [goal, L % ("本年度实施计划", "plans"), "计划{{ loop.index }}", ("{{ plan }}", 3)],
        center=(0, 1, 2),
    )
    safe = L % ("保障绩效目标实现的措施", "safe")
    row(
        t,
        [goal, safe, "组织机构：", ("{{ project.safeguards.organization or '' }}", 3)],
        center=(0, 1, 2),
    )
    row(
        t, [goal, safe, "管理制度：", ("{{ project.safeguards.rules or '' }}", 3)], center=(0, 1, 2)
    )
    spacer(doc)
    # grid: label | 一级 | 二级 | 三级 | 指标值 | 指标解释 | 上年度 (申报表 only)
    t = table(doc, [650, 1050, 1150, 1900, 1600, 2088, 1200])
    head = ["", "一级指标", "二级指标", "三级指标", "指标值"]
    center = (0, 1, 2, 3, 4, 5, 6)
    tag_row(t, f"{{%tr if {SHENBAO} %}}")
    row(
        t,
        [*head, "指标解释及计算公式", "上年度指标值或实际水平"],
        header=True,
        center=center,
        bold=center[1:],
    )
    tag_row(t, "{%tr else %}")
    row(t, [*head, ("指标解释及计算公式", 2)], header=True, center=center, bold=center[1:])
    tag_row(t, "{%tr endif %}")
    data = [INDICATOR, *INDICATOR_CELLS]
    tag_row(t, "{%tr for row in project.rows %}")
    tag_row(t, f"{{%tr if {SHENBAO} %}}")
    row(t, [*data, "{{ row.explanation }}", "{{ row.last_year or '' }}"], center=(0, 1, 2, 4, 6))
    tag_row(t, "{%tr else %}")
    row(t, [*data, ("{{ row.explanation }}", 2)], center=(0, 1, 2, 4))
    tag_row(t, "{%tr endif %}")
    tag_row(t, "{%tr endfor %}")


def build_docx(path) -> None:
    doc = new_document()
    # the first paragraph of python-docx's blank document is reused for the first tag
    body = doc.element.body
    for p in body.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        body.remove(p)
    save_bundle(doc, path, [_cover, _department_form], _project_form)


# ------------------------------------------------------------------------ Excel
def build_xlsx(path) -> None:
    wb = Workbook()
    # 封面
    ws = wb.active
    ws.title = "封面"
    b = SheetBuilder(ws, [14, 14, 14, 14, 14, 14])
    b.line("{{ cover.label ~ '：' if cover.label else '' }}", size=16, bold=True, height=30)
    b.line("", height=120)
    b.line(
        "{{ cover.title or (department.name ~ year ~ '年预算绩效目标表') }}",
        size=22,
        bold=True,
        align="center",
        height=90,
    )
    b.line("", height=100)
    for text in (
        f"编制单位：{UNIT}",
        "经办人：{{ signature.preparer | blank }}",
        "联系电话：{{ signature.phone | blank }}",
    ):
        r = b.line(text, size=16, height=30)
        ws.cell(r, 1).alignment = Alignment(
            horizontal="left", vertical="center", indent=6, wrap_text=True
        )

    # 部门整体支出绩效目标表: A label | B 一级 | C 二级 | D 三级 | E 指标值 | F 指标解释
    ws = wb.create_sheet("部门整体")
    b = SheetBuilder(ws, [12, 12, 13, 24, 14, 30])
    b.line(DEPT_TITLE, size=16, bold=True, align="center", height=36)
    b.line(f"编制单位：{UNIT}", height=20)
    c = (0, 1)
    _section(b.row, BASIC, BASIC_ROWS, 3)
    b.row(
        [
            L % ("部门(单位)资金情况", "funds"),
            (L % ("支出预算(本级)", "spend"), 2),
            "名称",
            ("{{ year }}年度预算金额({{ budget.unit }})", 2),
        ],
        center=(0, 1, 2, 3),
        bold=(2, 3),
    )
    b.loop_row(
        "line in budget.expenditure",
        [
            L % ("部门(单位)资金情况", "funds"),
            (L % ("支出预算(本级)", "spend"), 2),
            "{{ line.label }}",
            ("{{ line.amount | amount }}", 2),
        ],
        center=(0, 1, 3),
    )
    b.row(
        [
            "部门(单位)绩效目标",
            ("{% for g in goals %}{{ g }}{% if not loop.last %}\n{% endif %}{% endfor %}", 5),
        ],
        center=(0,),
    )
    b.loop_row(
        "g in detail_goals",
        [L % ("部门(单位)明细目标", "detail"), "{{ loop.index }}", ("{{ g }}", 4)],
        center=(0, 1),
    )
    _section(b.row, SAFE, SAFE_ROWS, 3)
    b.loop_row(
        "ph in phase_plan",
        [L % ("部门(单位)目标阶段性计划", "phase"), ("{{ ph.period }}", 2), ("{{ ph.text }}", 3)],
        center=c,
    )
    head = b.row(
        ["", "一级", "二级", "三级", "指标值", "指标解释及计算公式"],
        center=(0, 1, 2, 3, 4, 5),
        bold=(1, 2, 3, 4, 5),
    )
    ws.print_title_rows = f"{head}:{head}"
    b.loop_row(
        "row in indicator_rows",
        [INDICATOR, *INDICATOR_CELLS, "{{ row.explanation }}"],
        center=(0, 1, 2, 4),
    )

    # 项目表: A label | B label | C 一级 | D 二级 | E 三级 | F 指标值 | G 指标解释 | H 上年度
    ws = wb.create_sheet("项目表")
    b = SheetBuilder(ws, [10, 13, 11, 12, 20, 14, 24, 13])
    b.line(PROJECT_TITLE, size=16, bold=True, align="center", height=36)
    b.line("（{{ year }}年度）", align="center", height=20)
    b.line(f"编制单位（盖章）：{UNIT}", height=20)
    basic = L % ("项目基本情况", "basic")
    b.row([basic, "项目名称", ("{{ project.name }}", 6)], center=c)
    b.row(
        [
            basic,
            "项目负责人",
            ("{{ project.manager or '' }}", 3),
            "联系电话",
            ("{{ project.phone or '' }}", 2),
        ],
        center=(0, 1, 3),
    )
    b.row([basic, "项目类别", ("{{ project.category or '' }}", 6)], center=c)
    b.row([basic, "项目属性", ("{{ project.attribute or '' }}", 6)], center=c)
    b.row([basic, "项目计划实施时间", ("{{ project.period or '' }}", 6)], center=c)
    b.row(
        [
            "项目资金情况",
            BUDGET_LABEL,
            (AMOUNT, 3),
            "资金性质",
            ("{{ project.fund_nature or '' }}", 2),
        ],
        center=(0, 1, 3),
    )
    goal = L % ("绩效目标情况", "goal")
    b.row([goal, "年度目标", ("{{ project.annual_goal or '' }}", 6)], center=c)
    b.loop_row(
        "g in project.goals",
        [goal, L % ("详细目标", "goals"), "目标{{ loop.index }}", ("{{ g }}", 5)],
        center=(0, 1, 2),
    )
    b.loop_row(
        "plan in project.plans",
        [goal, L % ("本年度实施计划", "plans"), "计划{{ loop.index }}", ("{{ plan }}", 5)],
        center=(0, 1, 2),
    )
    safe = L % ("保障绩效目标实现的措施", "safe")
    b.row(
        [goal, safe, "组织机构：", ("{{ project.safeguards.organization or '' }}", 5)],
        center=(0, 1, 2),
    )
    b.row([goal, safe, "管理制度：", ("{{ project.safeguards.rules or '' }}", 5)], center=(0, 1, 2))
    head = [("", 2), "一级指标", "二级指标", "三级指标", "指标值"]
    center = (0, 1, 2, 3, 4, 5, 6)
    b.tag(f"{{%tr if {SHENBAO} %}}")
    h1 = b.row(
        [*head, "指标解释及计算公式", "上年度指标值或实际水平"], center=center, bold=center[1:]
    )
    b.tag("{%tr endif %}")
    b.tag(f"{{%tr if not {SHENBAO} %}}")
    h2 = b.row([*head, ("指标解释及计算公式", 2)], center=center, bold=center[1:])
    b.tag("{%tr endif %}")
    ws.print_title_rows = f"{h1}:{h2}"  # only one of the two is printed
    data = [(INDICATOR, 2), *INDICATOR_CELLS]
    b.tag("{%tr for row in project.rows %}")
    b.tag(f"{{%tr if {SHENBAO} %}}")
    b.row([*data, "{{ row.explanation }}", "{{ row.last_year or '' }}"], center=(0, 1, 2, 4, 6))
    b.tag("{%tr endif %}")
    b.tag(f"{{%tr if not {SHENBAO} %}}")
    b.row([*data, ("{{ row.explanation }}", 2)], center=(0, 1, 2, 4))
    b.tag("{%tr endif %}")
    b.tag("{%tr endfor %}")
    wb.save(path)


def build() -> None:
    write_drafts("guizhou", build_docx, build_xlsx)
