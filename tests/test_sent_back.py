"""Issue 16 item 2: what reviewers send back. An indicator table with no rows and an empty
money line the form prints are errors; a number with no unit, last year's deadlines and a
typed 目录 range are 提醒s; a cell form.yaml says must not be blank is an error (item 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import ROOT, SAMPLES
from goaldoc.api import diagnose, load, render_bytes
from goaldoc.cli import main
from readback import docx_text

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
GUANGDONG = "表样“guangdong”（广东省部门整体预算绩效目标批复表）"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def edited(tmp_path: Path, old: str, new: str, name: str = "x.yaml", source: Path = TAISHAN) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    f = tmp_path / name
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f


def line_of(f: Path, start: str) -> int:
    return next(n for n, t in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if t.startswith(start))


def found(f: Path, code: str, **kw: object) -> list[str]:
    return [p.format() for p in diagnose(f, **kw)[1] if p.code == code]  # type: ignore[arg-type]


# ---------------------------------------------------------------- E308: an indicator table with no rows


def test_a_department_form_with_no_indicator_is_an_error(tmp_path):
    text = TAISHAN.read_text(encoding="utf-8")
    f = tmp_path / "x.yaml"
    f.write_text(text[: text.index("\nindicators:")] + "\n", encoding="utf-8")
    res = run("check", str(f))
    assert res.exit_code == 1
    assert [x for x in res.output.splitlines() if " E308 " in x] == [
        f"{f}:{line_of(f, 'year:')} 错误 E308 indicators：部门整体绩效指标一条也没有：{GUANGDONG}印部门整体的绩效指标表，空着会被退回："
        "请填写产出、效益、满意度等绩效指标"
    ]


def test_a_form_that_prints_department_indicators_only_when_there_are_some_does_not_ask():
    """sichuan prints the department's own indicators as a block only when there are some."""
    jingyan = load(SAMPLES / "2024" / "jingyan.yaml")
    assert not jingyan.model.indicators
    assert found(SAMPLES / "2024" / "jingyan.yaml", "E308") == []


# ---------------------------------------------------------------- E307: empty money lines (init --from --clear-amounts)


def test_cleared_amounts_are_errors_and_the_summary_says_the_total_row_is_empty(tmp_path):
    target = tmp_path / "2025" / "taishan.yaml"
    assert run("init", str(target), "--from", str(TAISHAN), "--clear-amounts").exit_code == 0
    res = run("check", str(target), "--summary")
    assert res.exit_code == 1
    errors = [x for x in res.output.splitlines() if " 错误 " in x]
    assert errors == [
        f"{target}:{line_of(target, '    - {label: 合计, amount: , level: 0}')} 错误 E307 budget.expenditure[0].amount："
        f"部门预算支出的合计行“合计”金额空着：{GUANGDONG}印这一行：请填写今年的数",
        f"{target}:{line_of(target, '  income:') + 1} 错误 E307 budget.income[0].amount："
        f"收入来源的合计行“合计”金额空着：{GUANGDONG}印这一行：请填写今年的数",
    ]
    assert "  部门预算支出：合计行的金额空着（budget.expenditure）" in res.output.splitlines()
    assert "没有合计行" not in res.output


def test_a_project_with_no_budget_under_a_form_that_prints_it(tmp_path):
    f = edited(tmp_path, "budget: {unit: 元, total: 50000.00}", "budget: {unit: 元}", source=SAMPLES / "2024" / "jingyan.yaml")
    name = load(f).model.units[0].projects[0].name
    assert found(f, "E307") == [
        f"{f}:{line_of(f, '      budget: {unit: 元}')} 错误 E307 units[0].projects[0].budget.total："
        f"项目“{name}”的预算数空着：表样“sichuan”（部门预算项目绩效目标表）印这一格：请填写今年的数"
    ]


# ---------------------------------------------------------------- W313: a number with no unit


def test_a_count_with_no_unit_is_a_reminder(tmp_path):
    f = edited(tmp_path, "value: ≥260 件", "value: ≥1500")
    name = load(f).model.indicators[0].name
    assert found(f, "W313") == [
        f"{f}:{line_of(f, '    value: ≥1500')} 提醒 W313 indicators[0].value："
        f"指标值“≥1500”只有数字，没有单位（三级指标“{name}”）：审核时会问是多少什么：请写明单位，如“≥1500件”"
    ]


def test_the_issues_example_and_the_rates_clerks_write_as_fractions(tmp_path):
    f = edited(
        tmp_path,
        "value: ≥260 件",
        "value: ≥260 件\n  - {level1: 产出指标, level2: 数量指标, name: 培训人次, value: ≥1500}"
        "\n  - {level1: 产出指标, level2: 质量指标, name: 考核合格率, value: 1}"
        "\n  - {level1: 产出指标, level2: 时效指标, name: 完成年份, value: 2024}",
    )
    messages = found(f, "W313")
    assert len(messages) == 1 and "指标值“≥1500”只有数字，没有单位（三级指标“培训人次”）" in messages[0]
    assert messages[0].endswith("请写明单位，如“≥1500人次”")


# ---------------------------------------------------------------- W314: last year's deadlines


def test_last_years_dates_are_said_at_each_place_every_time(tmp_path):
    target = tmp_path / "2025" / "taishan.yaml"
    assert run("init", str(target), "--from", str(TAISHAN)).exit_code == 0
    text = target.read_text(encoding="utf-8")
    goal = '  - "1. 进一步实施我市人才发展战略'
    target.write_text(text.replace(goal, '  - "1. 2024年12月前完成人才补贴发放，2024年底前建成平台；进一步实施我市人才发展战略', 1), encoding="utf-8")
    for _ in range(2):  # not once at init --from: at every check
        messages = found(target, "W314")
        assert messages[0] == (
            f"{target}:{line_of(target, goal[:8])} 提醒 W314 goals[0]：文字里写的是上年：“2024年12月前”、“2024年底前”"
            "（预算年度是 2025）：多半是照上年的表抄来的：请改成今年的"
        )
    # and the sample's own plans for 2024, carried into 2025 by init --from, each at its place
    assert [m.split(" ", 3)[3].split("：")[0] for m in messages[1:]] == [
        "key_tasks[1].target", "key_tasks[3].target", "key_tasks[6].target", "other_tasks[0].target",
        "indicators[34].value", "indicators[40].value",
    ]
    assert "文字里写的是上年：“2024 年”（预算年度是 2025）" in messages[1]


def test_a_past_event_and_the_filling_date_are_not_deadlines(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text(
        "year: 2026\ndepartment: {name: 甲局}\ngoals: [物业合同2025年7月到期后已重新招标]\n"
        "signature: {date: 2025年12月20日}\n",
        encoding="utf-8",
    )
    assert found(f, "W314") == []


# ---------------------------------------------------------------- W315: a typed 目录 range


def test_a_typed_contents_range_is_not_printed_and_is_said(tmp_path):
    f = edited(
        tmp_path,
        "  - title: 台山市人力资源和社会保障局部门整体预算绩效目标批复表",
        '  - {title: 台山市人力资源和社会保障局部门整体预算绩效目标批复表, pages: "1-4"}',
    )
    assert found(f, "W315") == [
        f"{f}:{line_of(f, '  - {title:')} 提醒 W315 contents[0].pages：目录的页码由 goaldoc 按印出的页算出，"
        "手填的“1-4”不会印出来：请删去这一项 pages"
    ]
    text = docx_text(render_bytes(load(f), ["docx"])["docx"][1])
    toc = text[: text.index("部门名称")]
    assert "1-4" not in toc and "批复表2-" in "".join(toc.split())


# ---------------------------------------------------------------- E306: cells form.yaml says must not be blank


def test_a_cell_the_form_requires_left_blank(tmp_path):
    f = edited(tmp_path, "  staff_count: 269", "  staff_count:")
    assert found(f, "E306") == [
        f"{f}:{line_of(f, '  staff_count:')} 错误 E306 department.staff_count：部门的“财政供养人员数”空着："
        f"{GUANGDONG}的表上这一格不能空着：请填写"
    ]


def test_a_borrowed_forms_blank_cells_are_reminders(tmp_path):
    """render --form: another form's required cells, blank in this data, do not stop a preview."""
    problems = diagnose(SAMPLES / "2023" / "liuzhi.yaml", form="guangdong")[1]
    w316 = [p.message for p in problems if p.code == "W316"]
    assert w316 and all(m.startswith("用 --form 换用的表样印时：") for m in w316)
    assert "部门的“财政供养人员数”空着" in w316[0]
    assert not [p for p in problems if p.code in ("E306", "E307", "E308")]


def test_required_fields_name_fields_of_the_form(tmp_path):
    folder = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", folder)
    form = folder / "form.yaml"
    form.write_text(form.read_text(encoding="utf-8").replace("department: [staff_count, subunit_count]", "department: [staff_count, headcount]"), encoding="utf-8")
    res = run("check", str(TAISHAN), "--templates", str(tmp_path / "templates"))
    assert res.exit_code == 1
    assert f"{form}:{line_of(form, '  department: [staff_count')} 错误 T010 required_fields.department[1]：" in res.output
    assert "required_fields 里的“headcount”不是 department 下的栏目" in res.output
