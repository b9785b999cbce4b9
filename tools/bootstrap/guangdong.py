"""First draft of templates/guangdong/ (部门整体预算绩效目标批复表, seed 000)."""

from __future__ import annotations

from .common import *  # noqa: F403


def build() -> None:
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
    # grid: label | 名称/支出 | 内容·金额 (2 cols) | 资金 | 收入 | 目标·金额
    t = table(doc, [1134, 1900, 1000, 1000, 1100, 1100, 2404])
    L = "{{ '%s' | merge('%s') }}"
    row(t, ["部门名称", ("{{ department.name }}", 6)], center=(0,))
    row(t, ["基本信息", "财政供养人员数（人）", ("{{ department.staff_count if department.staff_count is not none else '' }}", 2),
            ("下属二级单位数（个）", 2), "{{ department.subunit_count if department.subunit_count is not none else '' }}"], center=(0, 1, 2, 3, 4))
    row(t, [L % ("预算整体情况", "budget"), "部门预算支出", ("预算金额（万元）", 2), ("收入来源", 2), "预算金额（万元）"], center=(0, 1, 2, 3, 4), bold=(1, 2, 3, 4))
    tag_row(t, "{%tr for r in budget_rows %}")
    row(t, [L % ("预算整体情况", "budget"),
            "{{ r.expenditure.label if r.expenditure else '' }}",
            ("{{ r.expenditure.amount | amount(budget.unit) if r.expenditure else '' }}", 2),
            ("{{ r.income.label if r.income else '' }}", 2),
            "{{ r.income.amount | amount(budget.unit) if r.income else '' }}"], center=(0, 2, 4))
    tag_row(t, "{%tr endfor %}")
    cells = row(t, ["总体绩效目标", ("", 6)], center=(0,))
    goals = cells[1]
    goals.paragraphs[0].add_run("{%p for g in goals %}")
    goals.add_paragraph("{{ g }}")
    goals.add_paragraph("{%p endfor %}")
    row(t, [L % ("年度重点工作任务", "tasks"), "名称", ("主要实施内容", 2), "拟投入的资金（万元）", ("期望达到的目标（概述）", 2)], center=(0, 1, 2, 3, 4), bold=(1, 2, 3, 4))
    tag_row(t, "{%tr for t in key_tasks %}")
    row(t, [L % ("年度重点工作任务", "tasks"), "{{ t.name }}", ("{{ t.content }}", 2), "{{ t.funds | amount(budget.unit) }}", ("{{ t.target }}", 2)], center=(0, 3))
    tag_row(t, "{%tr endfor %}")
    tag_row(t, "{%tr for t in other_tasks %}")
    row(t, [L % ("其他需完成的任务（可选填）", "other"), "{{ t.name }}", ("{{ t.content }}", 2), "{{ t.funds | amount(budget.unit) }}", ("{{ t.target }}", 2)], center=(0, 3))
    tag_row(t, "{%tr endfor %}")
    spacer(doc)
    t = table(doc, [1134, 1134, 1134, 1966, 2870, 1400])
    # Word repeats heading rows only when no merge crosses from them into the body: the
    # label stands in the heading row, the body's label cells merge among themselves, and
    # the line between the two is taken away so that they read as one cell.
    head = row(t, ["绩效指标", "一级指标", "二级指标", "三级指标", "指标解释", "指标值"], header=True, center=(0, 1, 2, 3, 4, 5), bold=(1, 2, 3, 4, 5))
    no_border(head[0], "bottom")
    tag_row(t, "{%tr for row in indicator_rows %}")
    body = row(t, ["{{ '' | merge('ind') }}", "{{ row.level1 | merge }}", "{{ row.level2 | merge }}", "{{ row.name }}", "{{ row.explanation }}", "{{ row.value_text }}"], center=(0, 1, 2, 5))
    no_border(body[0], "top")
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
           "{{ r.expenditure.amount | amount(budget.unit) if r.expenditure else '' }}",
           ("{{ r.income.label if r.income else '' }}", 2), "{{ r.income.amount | amount(budget.unit) if r.income else '' }}"], center=(0, 2, 4))
    b.tag("{%tr endfor %}")
    b.row(["总体绩效目标", ("{% for g in goals %}{{ g }}{% if not loop.last %}\n{% endif %}{% endfor %}", 6)], center=(0,))
    b.row([L % ("年度重点工作任务", "tasks"), ("名称", 2), "主要实施内容", "拟投入的资金（万元）", ("期望达到的目标（概述）", 2)], center=(0, 1, 2, 3, 4), bold=(1, 2, 3, 4))
    b.tag("{%tr for t in key_tasks %}")
    b.row([L % ("年度重点工作任务", "tasks"), ("{{ t.name }}", 2), "{{ t.content }}", "{{ t.funds | amount(budget.unit) }}", ("{{ t.target }}", 2)], center=(0, 3))
    b.tag("{%tr endfor %}")
    b.tag("{%tr for t in other_tasks %}")
    b.row([L % ("其他需完成的任务（可选填）", "other"), ("{{ t.name }}", 2), "{{ t.content }}", "{{ t.funds | amount(budget.unit) }}", ("{{ t.target }}", 2)], center=(0, 3))
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


