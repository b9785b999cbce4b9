"""First drafts of the later stages' form folders (issue 19): the national 项目支出绩效自评表
(财预〔2020〕10号), 四川 510000_0013zp, the 重庆 部门整体绩效自评表, the national 监控表
(财预〔2019〕136号) and the 黄石 监控表.

The committed .docx / .xlsx under templates/ are the source of truth (admins edit them in
Word / Excel); this script only drew their first drafts, reproducibly:

    .venv/bin/python -m tools.bootstrap.cycle ziping sichuan_ziping ...

Running it again overwrites the admins' edits.
"""

from __future__ import annotations

import sys

from .common import UP, Form

NO_PROJECT = "{{ department.name }}：这份数据没有项目。本表样每个项目印一张表，请在目标表的 projects: 下填写项目。"


def _no_project(f: Form, sheet_title: str = "无项目") -> None:
    f.tag("{%p if not projects %}")
    f.doc.add_paragraph(NO_PROJECT)
    f.tag("{%p endif %}")


def _amount(field: str, owner: str = "project") -> str:
    return f"{{{{ l.{field} | amount({owner}.execution.unit) }}}}"


def _maybe(expr: str) -> str:
    """A number that may be missing (0 prints as 0)."""
    return f"{{{{ {expr} if {expr} is not none else '' }}}}"


def ziping() -> None:
    """项目支出绩效自评表, the national layout of 财预〔2020〕10号 附件 (one per project)."""
    f = Form([6, 9, 10, 16, 12, 11, 7, 7, 15], size=10, sheet="项目表")
    _no_project(f)
    f.tag("{%p for project in projects %}")
    f.label_title("附件:", "项目支出绩效自评表", size=18, page_break=True)
    f.paragraph("({{ year }}年度)", size=12, center=True)
    f.new_table()
    f.row([("项目名称", 2), ("{{ project.name }}", 7)], center=(0,))
    dept = "{{ (department.code ~ '-') if department.code else '' }}{{ department.name }}"
    f.row([("主管部门", 2), (dept, 3), ("实施单位", 2), ("{{ project.implementer or '' }}", 2)], center=(0, 2))
    f.row([("项目资金(万元)", 2), "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", ("得分", 2)], all_center=True)
    f.loop(
        "l in project.execution.lines",
        [("{{ l.label }}", 2), _amount("initial"), _amount("budget"), _amount("executed"), _maybe("l.weight"),
         "{{ l.rate if l.level == 0 and l.rate else '' }}", (_maybe("l.score"), 2)],
        center=(1, 2, 3, 4, 5, 6),
    )
    f.row([("年度总体目标", 2), ("预期目标", 4), ("实际完成情况", 3)], all_center=True)
    f.row([(UP, 2), ("{{ project.annual_goal or '' }}", 4), ("{{ project.goal_result or '' }}", 3)], center=(0,))
    f.new_table()
    f.row(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"], header=True, all_center=True)
    heading = f.r
    f.loop(
        "row in project.rows or [empty]",
        [
            "{{ '' | merge('ind' ~ project.number) }}",
            "{{ row.level1_label | merge }}",
            "{{ row.level2 | merge }}",
            "{{ row.name }}",
            "{{ row.value_text }}{% if row.adjusted %}（调整为{{ row.adjusted }}）{% endif %}",
            "{{ row.actual or '' }}",
            _maybe("row.weight"),
            _maybe("row.score"),
            "{{ row.reason or '' }}",
        ],
        center=(1, 2, 5, 6, 7),
    )
    f.row([("总分", 6), "100", _maybe("project.total_score"), "自评等级：{{ project.grade or '' }}"], center=(0, 1, 2))
    f.tag("{%p endfor %}")
    f.print_titles(heading, heading)
    f.sheet("无项目")
    f.paragraph(NO_PROJECT, word=False)
    f.wb.move_sheet("无项目", offset=-1)
    f.save("ziping")


SICHUAN_EXECUTION_NOTE = (
    "1.预算执行率=预算执行数/调整后预算数,预算执行率未达到90%的需说明原因(100字以内);"
    "2.年中发生预算调整的(追加或调减),应单独说明理由;3.其他资金包括:社会投入资金、银行贷款."
)


def sichuan_ziping() -> None:
    """四川 部门预算项目支出绩效自评表, 报表编号 510000_0013zp (one per project, landscape)."""
    f = Form([9, 10, 11, 15, 8, 9, 9, 10, 8, 8, 18], landscape=True, size=10, sheet="项目表", excel_scale=1.4)
    _no_project(f)
    f.tag("{%p for project in projects %}")
    f.paragraph("报表编号:510000_0013zp", size=10, page_break=True)
    f.paragraph("部门预算项目支出绩效自评表({{ year }}年度)", size=16, bold=True, center=True, height=28)
    f.new_table()
    name = "{{ (project.code ~ '-') if project.code else '' }}{{ project.name }}"
    f.row(["项目名称", (name, 10)], center=(0,))
    f.row(["主管部门", ("{{ department.name }}", 4), ("实施单位 (盖章)", 2), ("{{ project.implementer or '' }}", 4)], center=(0, 2))
    f.row(["项目基本情况", ("1.项目年度目标完成情况", 2), ("项目年度目标", 4), ("年度目标完成情况", 4)], all_center=True)
    f.row([UP, (UP, 2), ("{{ project.annual_goal or '' }}", 4), ("{{ project.goal_result or '' }}", 4)])
    f.row([UP, ("2.项目实施内容及过程概述", 2), ("{{ project.implementation or '' }}", 8)], center=(1,))
    f.row(["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", ("预算执行率", 2), "权重", "得分", ("原因", 2)], all_center=True)
    f.loop(
        "l in project.execution.lines",
        [
            "{{ '' | merge('ex' ~ project.number) }}",
            "{{ l.label }}",
            _amount("initial"),
            _amount("budget"),
            _amount("executed"),
            ("{{ l.rate or '' }}", 2),
            "{{ (l.weight if l.weight is not none else '') if l.level == 0 else '/' }}",
            "{{ (l.score if l.score is not none else '') if l.level == 0 else '/' }}",
            (f"{{{{ (project.execution.reason or '{SICHUAN_EXECUTION_NOTE}') | merge('why' ~ project.number) }}}}", 2),
        ],
        center=(2, 3, 4, 5, 6, 7),
    )
    f.new_table()
    f.row(["绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "未完成原因分析"], header=True, all_center=True)
    heading = f.r
    f.loop(
        "row in project.rows or [empty]",
        [
            "{{ '' | merge('ind' ~ project.number) }}",
            "{{ row.level1 | merge }}",
            "{{ row.level2 | merge }}",
            "{{ row.name }}",
            "{{ row.value_parts[0] }}",
            "{{ row.value_parts[1] }}{% if row.adjusted %}（调整为{{ row.adjusted }}）{% endif %}",
            "{{ row.value_parts[2] }}",
            "{{ row.actual or '' }}",
            _maybe("row.weight"),
            _maybe("row.score"),
            "{{ row.reason or '' }}",
        ],
        center=(1, 2, 4, 5, 6, 7, 8, 9),
    )
    f.row([("合计", 8), "100", _maybe("project.total_score"), ""], center=(0, 1, 2))
    f.row(["评价结论", ("{{ project.conclusion or '' }}", 10)], center=(0,), height=40)
    f.row(["存在问题", ("{{ project.problems or '' }}", 10)], center=(0,), height=40)
    f.row(["改进措施", ("{{ project.measures or '' }}", 10)], center=(0,), height=40)
    f.row([("项目负责人:{{ project.manager or '' }}", 5), ("财务负责人:{{ signature.finance_head or '' }}", 6)])
    f.tag("{%p endfor %}")
    f.print_titles(heading, heading)
    f.sheet("无项目")
    f.paragraph(NO_PROJECT, word=False)
    f.wb.move_sheet("无项目", offset=-1)
    f.save("sichuan_ziping")


def chongqing_bumen_ziping() -> None:
    """重庆 部门整体绩效自评表 (the department, one form; 得分系数 × 指标权重)."""
    f = Form([10, 18, 8, 9, 10, 10, 10, 10, 10, 10, 9], landscape=True, size=9, sheet="部门整体", top=1.3)
    f.paragraph("部门整体绩效自评表", size=16, bold=True, center=True, height=26)
    f.new_table()
    f.row(["主管部门", ("{{ department.name }}", 3), ("财政处室", 2), ("{{ finance_office or '' }}", 2), ("自评总分(分)", 2), _maybe("total_score")], center=(0, 2, 4, 5))
    f.row(["部门联系人", ("{{ signature.preparer or '' }}", 3), ("联系电话", 2), ("{{ signature.phone or '' }}", 5)], center=(0, 2))
    f.row(["部门预算执行情况", ("年初预算数", 2), ("全年(调整)预算数", 2), ("全年执行数", 2), "执行率(%)", "执行率权重", ("执行率得分(分)", 2)], all_center=True)
    f.loop(
        "l in execution.lines",
        [
            "{{ '' | merge('ex') }}",
            ("{{ l.initial | amount(execution.unit) }}", 2),
            ("{{ l.budget | amount(execution.unit) }}", 2),
            ("{{ l.executed | amount(execution.unit) }}", 2),
            "{{ l.rate or '' }}",
            _maybe("l.weight"),
            (_maybe("l.score"), 2),
        ],
        all_center=True,
    )
    f.row(["当年绩效目标", ("年初绩效目标", 3), ("全年(调整)绩效目标", 3), ("全年目标实际完成情况", 4)], all_center=True)
    f.row(
        [
            UP,
            ("{% for g in goals %}{{ g }}{% if not loop.last %}\n{% endif %}{% endfor %}", 3),
            ("{{ adjusted_goal or '' }}", 3),
            ("{{ goal_result or '' }}", 4),
        ],
    )
    f.new_table()
    f.row(["绩效指标", "指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值", "得分系数(%)", "指标权重(分)", "指标得分(分)", "是否核心指标"], header=True, all_center=True)
    heading = f.r
    f.loop(
        "row in indicator_rows or [empty]",
        [
            "{{ '' | merge('ind') }}",
            "{{ row.name }}",
            "{{ row.unit or '' }}",
            "{{ row.nature or '' }}",
            "{{ row.value or '' }}",
            "{{ row.adjusted or '' }}",
            "{{ row.actual or '' }}",
            "{{ row.coefficient or '' }}",
            _maybe("row.weight"),
            _maybe("row.score"),
            "{{ row.core or '' }}",
        ],
        center=(2, 3, 4, 5, 6, 7, 8, 9, 10),
    )
    f.print_titles(heading, heading)
    f.save("chongqing_bumen_ziping")


CAUSES = ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"]


def jiankong() -> None:
    """项目支出绩效目标执行监控表, the national layout of 财预〔2019〕136号 (1-7月; one per project)."""
    f = Form([6, 8, 9, 13, 10, 11, 11, 7, 7, 7, 7, 7, 8, 7], landscape=True, size=9.5, sheet="项目表")
    _no_project(f)
    f.tag("{%p for project in projects %}")
    f.paragraph("项目支出绩效目标执行监控表", size=18, bold=True, center=True, page_break=True, height=30)
    f.paragraph("({{ year }}年度)", size=12, center=True)
    f.new_table()
    f.row([("项目名称", 2), ("{{ project.name }}", 12)], center=(0,))
    dept = "{{ (department.code ~ '-') if department.code else '' }}{{ department.name }}"
    f.row([("主管部门", 2), (dept, 5), ("实施单位", 2), ("{{ project.implementer or '' }}", 5)], center=(0, 2))
    f.row([("项目资金(万元)", 3), ("年初预算数", 2), ("1-7月执行数", 3), ("1-7月执行率", 3), ("全年预计执行数", 3)], all_center=True)
    f.loop(
        "l in project.execution.lines",
        [("{{ l.label }}", 3), (_amount("initial"), 2), (_amount("executed"), 3), ("{{ l.rate or '' }}", 3), (_amount("expected"), 3)],
        center=(1, 2, 3, 4),
    )
    f.row([("年度总体目标", 2), ("全年预期目标", 5), ("1-7月实际完成情况", 7)], all_center=True)
    f.row([(UP, 2), ("{{ project.annual_goal or '' }}", 5), ("{{ project.goal_result or '' }}", 7)])
    f.new_table()
    f.row(
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "1-7月执行情况", "全年预计完成情况", ("偏差原因分析", 5), "完成目标可能性", "备注"],
        header=True, all_center=True,
    )
    f.row([UP, UP, UP, UP, UP, UP, UP, *CAUSES, UP, UP], header=True, all_center=True)
    heading = f.r
    f.loop(
        "row in project.rows or [empty]",
        [
            "{{ '' | merge('ind' ~ project.number) }}",
            "{{ row.level1 | merge }}",
            "{{ row.level2 | merge }}",
            "{{ row.name }}",
            "{{ row.value_text }}{% if row.adjusted %}（调整为{{ row.adjusted }}）{% endif %}",
            "{{ row.progress or '' }}",
            "{{ row.expected or '' }}",
            *[f"{{{{ row.causes['{c}'] or '' }}}}" for c in CAUSES],
            "{{ row.likelihood or '' }}",
            "{{ row.note or '' }}",
        ],
        center=(1, 2, 12),
    )
    f.tag("{%p endfor %}")
    f.print_titles(heading - 1, heading)
    f.sheet("无项目")
    f.paragraph(NO_PROJECT, word=False)
    f.wb.move_sheet("无项目", offset=-1)
    f.save("jiankong")


HUANGSHI_NOTES = (
    "注: 1.完成目标可能性:对应所设定的实现绩效目标的路径,分确定能、有可能、不可能三级综合判断完成的可能性。 "
    "2.如“完成目标可能性”出现“有可能”、“不可能”选项,请分别在“偏差或不能完成目标原因分析”与“相关建议或举措”栏填写从相关原因及拟采取的措施 "
    "3.偏差或不能完成目标原因分析:针对与预期目标产生偏差的指标值,根据实际情况从规划和目标设计、投入保障、制度保障、项目管理等方面进行判断和分析,并说明原因。"
)


def huangshi_jiankong() -> None:
    """湖北 黄石市项目支出绩效监控表 (1-6月; one per project)."""
    f = Form([7, 8, 10, 21, 22, 14, 8], size=10, sheet="项目表")
    _no_project(f)
    f.tag("{%p for project in projects %}")
    f.paragraph("黄石市项目支出绩效监控表 ({{ project.short_name or project.name }})", size=16, bold=True, center=True, page_break=True, height=28)
    f.paragraph("({{ year }}年度)", size=12, center=True)
    f.paragraph("项目单位(盖章):　　　　　　　　　　　　　　　　　　　　　　单位:万元", size=10)
    f.new_table()
    f.row([("项目名称", 2), ("{{ project.name }}", 5)], center=(0,))
    f.row([("主管部门", 2), ("{{ department.name }}", 2), "项目执行单位", ("{{ project.implementer or '' }}", 2)], center=(0, 2))
    def boxes(field: str, options: list[str]) -> str:  # 持续性项目 □, the chosen one □ √ (as the form prints it)
        return " ".join(f"{n}、{k} {{{{ '□ √' if project.{field} == '{k}' else '□' }}}}" for n, k in enumerate(options, 1))

    f.row([("项目属性", 2), (boxes("attribute", ["持续性项目", "新增性项目"]), 5)], center=(0,))
    f.row([("项目类型", 2), (boxes("project_kind", ["常年性项目", "延续性项目", "一次性项目"]), 5)], center=(0,))
    funding = boxes("funding", ["部门预算项目", "省直专项", "省对下转移支付项目"])
    f.row([(funding, 7)])
    f.row([("项目资金 (万元)", 3), "年初预算数", "1-6月执行数", ("全年预计执行数", 2)], all_center=True)
    f.loop("l in project.execution.lines", [("{{ l.label }}", 3), _amount("initial"), _amount("executed"), (_amount("expected"), 2)], center=(1, 2, 3))
    f.new_table()
    f.row(["绩效指标", "一级 指标", "指标名称", "指标值", "半年度 指标执行情况", "完成目标可能性(确定能、有可能、不可能)", "备注"], header=True, all_center=True)
    heading = f.r
    f.loop(
        "row in project.rows or [empty]",
        [
            "{{ '' | merge('ind' ~ project.number) }}",
            "{{ row.level1 | merge }}",
            "{{ row.level2 | merge }}",
            "{{ row.value_text }}{% if row.adjusted %}（调整为{{ row.adjusted }}）{% endif %}",
            "{{ row.progress or '' }}",
            "{{ row.likelihood or '' }}",
            "{{ row.note or '' }}",
        ],
        center=(1, 2, 5),
    )
    f.row([("偏差或不能完成目标原因分析", 2), ("{{ project.deviation or '' }}", 5)], center=(0,), height=36)
    f.row([("相关建议或举措", 2), ("{{ project.measures or '' }}", 5)], center=(0,), height=36)
    f.row([(HUANGSHI_NOTES, 7)])
    f.tag("{%p endfor %}")
    f.print_titles(heading, heading)
    f.sheet("无项目")
    f.paragraph(NO_PROJECT, word=False)
    f.wb.move_sheet("无项目", offset=-1)
    f.save("huangshi_jiankong")


FORMS = {
    "ziping": ziping,
    "sichuan_ziping": sichuan_ziping,
    "chongqing_bumen_ziping": chongqing_bumen_ziping,
    "jiankong": jiankong,
    "huangshi_jiankong": huangshi_jiankong,
}


def main(names: list[str]) -> None:
    for name in names or list(FORMS):
        FORMS[name]()
        print(f"wrote templates/{name}/")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1:])
