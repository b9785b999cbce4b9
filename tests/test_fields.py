"""Issue 8 item 2: fields a form declares in form.yaml are typed, checked with located
Chinese messages, shown by `goaldoc schema --form`, summed like the department's budget
lines, and printed by the form's templates."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import Workbook

from goaldoc.api import check, loads, render_bytes
from goaldoc.cli import main
from goaldoc.errors import InputError
from goaldoc.paths import format_path
from readback import docx_tables, xlsx_book

FORM = """\
contract: 1
title: 声明字段测试表
prints: [department, projects]
docx: forms.docx
xlsx: forms.xlsx
filename: "{{ year }}年{{ department.name }}"
sheets:
  - template: 项目表
    for_each: projects
    name: "{{ item.name }}"
fields:
  year:
    approval_no: {label: 批复文号}
  department:
    budget_code: {label: 部门预算编码, help: 财政给的 9 位编码}
    duties: {label: 部门职能概述, type: texts}
  project:
    project_type:
      label: 项目类型
      type: choice
      options: [部门预算, 切块预算]
    total_budget: {label: 项目总预算, type: amount}
    fund_lines:
      label: 资金来源
      type: lines
    cost_items:
      label: 成本构成
      type: table
      columns:
        item: {label: 成本构成}
        amount: {label: 金额, type: amount}
        basis: {label: 测算依据}
      total: {column: item, label: 合计}
  indicator:
    period_values:
      label: 指标值
      type: periods
      periods: [实施周期, 当年度]
"""

DATA = """\
year: 2024
form: declared
approval_no: 财预〔2024〕1号
department:
  name: 测试局
  budget_code: "901001033"
  duties: [负责甲, 负责乙]
budget:
  unit: 万元
projects:
  - name: 甲项目
    project_type: 切块预算
    total_budget: 75.00
    budget: {total: 25.00}
    fund_lines:
      - {label: 合计, amount: 25.00}
      - {label: 上级财政补助资金, amount: 0.00, level: 1}
      - {label: 同级财政资金, amount: 25.00, level: 1}
    cost_items:
      - {item: 保安服务费, amount: 191, basis: 依据招标文件}
      - {item: 保洁服务费, amount: 99, basis: 依据招标文件}
      - {item: 合计, amount: 290}
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 物管服务面积, period_values: {实施周期: 2.6万平方米, 当年度: 2.6万平方米}}
      - {level1: 产出指标, level2: 质量指标, name: 合格率, period_values: {实施周期: "≥95%", 当年度: 100%}}
      - {level1: 效益指标, level2: 社会效益指标, name: 正常开放, period_values: {实施周期: 是, 当年度: 是}}
      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 观众满意度, period_values: {实施周期: "≥90%", 当年度: "≥90%"}}
"""


@pytest.fixture()
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates" / "declared"
    folder.mkdir(parents=True)
    (folder / "form.yaml").write_text(FORM, encoding="utf-8")
    doc = Document()
    doc.add_paragraph("{{ approval_no }} {{ department.budget_code }}")
    doc.add_paragraph("{%p for project in projects %}")
    t = doc.add_table(rows=4, cols=3)
    for c, text in enumerate(["三级指标", "实施周期指标值", "当年度指标值"]):
        t.cell(0, c).text = text
    t.cell(1, 0).text = "{%tr for row in project.rows %}"
    for c, text in enumerate(["{{ row.name }}", "{{ row.period_values['实施周期'] }}", "{{ row.period_values['当年度'] }}"]):
        t.cell(2, c).text = text
    t.cell(3, 0).text = "{%tr endfor %}"
    doc.add_paragraph("{{ project.project_type }} {{ project.cost_items | length }}")
    doc.add_paragraph("{%p endfor %}")
    doc.save(str(folder / "forms.docx"))
    wb = Workbook()
    ws = wb.active
    ws.title = "项目表"
    ws.append(["{{ item.name }}", "{{ item.total_budget | amount }}"])
    ws.append(["三级指标", "实施周期指标值", "当年度指标值"])
    ws.append(["{%tr for row in item.rows %}"])
    ws.append(["{{ row.name }}", "{{ row.period_values['实施周期'] }}", "{{ row.period_values['当年度'] }}"])
    ws.append(["{%tr endfor %}"])
    wb.save(folder / "forms.xlsx")
    return folder.parent


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "d.yaml"
    f.write_text(text, encoding="utf-8")
    return f


def messages(tmp_path: Path, templates: Path, text: str) -> list[str]:
    # the test form prints a few of its fields only: what it leaves out (W312) is tests/test_ledger.py's
    problems = [p for p in check(write(tmp_path, text), templates) if p.code != "W312"]
    return [f"{p.line} {p.code} {format_path(p.path)}：{p.message}" for p in problems]


def test_declared_fields_are_read_typed(templates):
    loaded = loads(DATA, "d.yaml", templates)
    m = loaded.model
    assert m.approval_no == "财预〔2024〕1号"
    assert m.department.budget_code == "901001033" and m.department.duties == ["负责甲", "负责乙"]
    p = m.projects[0]
    assert str(p.total_budget) == "75.00" and p.project_type == "切块预算"
    assert [str(r.amount) for r in p.cost_items] == ["191", "99", "290"]
    assert p.indicators[1].period_values == {"实施周期": "≥95%", "当年度": "100%"}


def test_the_data_checks_clean(tmp_path, templates):
    assert messages(tmp_path, templates, DATA) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    cost_items:", "    cost_itmes:", "19 E010 projects[0].cost_itmes：未知的键“cost_itmes”：是不是“cost_items”？"),
        ("  budget_code:", "  budget_cod:", "6 E010 department.budget_cod：未知的键“budget_cod”：是不是“budget_code”？"),
        ("project_type: 切块预算", "project_type: 切块", "12 E010 projects[0].project_type：应为 部门预算、切块预算 之一，现为 “切块”：是不是“切块预算”？"),
        ("total_budget: 75.00", "total_budget: 七十五", "13 E010 projects[0].total_budget：金额应为数字（如 350 或 1,734,952.06），现为“七十五”"),
        ("{实施周期: 是, 当年度: 是}", "{实施期: 是, 当年度: 是}", "26 E010 projects[0].indicators[2].period_values.实施期：应为 实施周期、当年度 之一，现为 “实施期”：是不是“实施周期”？"),
        ("{item: 保洁服务费, amount: 99, basis: 依据招标文件}", "{item: 保洁服务费, amount: 99, basis: 依据招标文件, note: x}", "21 E010 projects[0].cost_items[1].note：未知的键“note”：是不是“item”？"),
    ],
)
def test_declared_fields_are_checked_where_they_are(tmp_path, templates, old, new, expected):
    assert old in DATA
    assert messages(tmp_path, templates, DATA.replace(old, new, 1)) == [expected]


def test_a_projects_nested_fund_lines_add_up_like_the_department_budget(tmp_path, templates):
    text = DATA.replace("{label: 同级财政资金, amount: 25.00, level: 1}", "{label: 同级财政资金, amount: 24.00, level: 1}")
    assert messages(tmp_path, templates, text) == [
        "16 E101 projects[0].fund_lines[0].amount：资金来源“合计”为 25.00 万元，其下各行之和为 24.00 万元"
        "（上级财政补助资金 0.00 + 同级财政资金 24.00，相差 1.00 万元）：请核对各行金额"
    ]


def test_a_declared_tables_total_row_adds_up(tmp_path, templates):
    text = DATA.replace("{item: 合计, amount: 290}", "{item: 合计, amount: 300}")
    assert messages(tmp_path, templates, text) == [
        "22 E108 projects[0].cost_items[2].amount：成本构成“合计”行的金额为 300 万元，其他各行之和为 290 万元（相差 10 万元）：请核对"
    ]


def test_an_undeclared_field_is_refused_by_a_form_that_does_not_declare_it(tmp_path, templates):
    other = DATA.replace("form: declared", "form: guangdong")
    with pytest.raises(InputError) as exc:
        loads(other, "d.yaml")
    assert "approval_no：未知的键“approval_no”" in exc.value.problems[0].format()


def test_schema_of_the_form_shows_its_fields_with_their_labels(templates):
    res = CliRunner().invoke(main, ["schema", "--form", "declared", "--templates", str(templates)])
    assert res.exit_code == 0, res.output
    schema = json.loads(res.output)
    defs = schema["$defs"]
    project = next(v for k, v in defs.items() if k.startswith("Project_"))
    assert project["properties"]["cost_items"]["description"] == "成本构成"
    assert "部门预算 / 切块预算" in project["properties"]["project_type"]["description"]
    dept = next(v for k, v in defs.items() if k.startswith("Department_"))
    assert dept["properties"]["budget_code"]["description"] == "部门预算编码：财政给的 9 位编码"


def test_a_value_per_period_prints_in_two_blocks_in_both_formats(templates):
    loaded = loads(DATA, "d.yaml", templates)
    files = {fmt: data for fmt, (_s, data) in render_bytes(loaded, templates=templates).items()}
    table = docx_tables(files["docx"])[0]
    rows = [[c.text for c in r] for r in table]
    assert rows[1:] == [
        ["物管服务面积", "2.6万平方米", "2.6万平方米"],
        ["合格率", "≥95%", "100%"],
        ["正常开放", "是", "是"],
        ["观众满意度", "≥90%", "≥90%"],
    ]
    ws = xlsx_book(files["xlsx"])["甲项目"]
    assert [[c.value for c in r] for r in ws.iter_rows(min_row=3, max_row=4)] == [
        ["物管服务面积", "2.6万平方米", "2.6万平方米"],
        ["合格率", "≥95%", "100%"],
    ]
    assert ws["B1"].value == 75 and ws["B1"].number_format == "0.00"  # a number, shown as typed


def test_a_declared_field_the_form_prints_is_empty_when_other_data_lacks_it(templates, taishan):
    """Any sample renders through any form: a field it has no data for prints nothing."""
    files = render_bytes(taishan, ["docx"], form="declared", templates=templates)
    text = textwrap.dedent("".join(c.text for t in docx_tables(files["docx"][1]) for r in t for c in r))
    assert "None" not in text


# ------------------------------------------------------------------ relations, narrowed fields, periods


def edited_templates(templates: Path, extra: str) -> Path:
    form_yaml = templates / "declared" / "form.yaml"
    form_yaml.write_text(form_yaml.read_text(encoding="utf-8") + textwrap.dedent(extra), encoding="utf-8")
    return templates


def test_declared_amount_relations_are_checked(tmp_path, templates):
    """芜湖-style: 当年预算 = the three fund sources, and not above 项目总预算 (E109)."""
    edited_templates(
        templates,
        """
        amount_checks:
          - {where: project, total: budget.total, parts: [total_budget]}
          - {where: project, value: budget.total, at_most: total_budget}
        """,
    )
    found = messages(tmp_path, templates, DATA)
    assert found == ["14 E109 projects[0].budget.total：预算数 / 资金总额 25.00 万元 ≠ 项目总预算 75.00 = 75.00 万元（相差 50.00 万元）：请核对"]
    over = DATA.replace("total_budget: 75.00", "total_budget: 20.00")
    assert messages(tmp_path, templates, over)[1:] == [
        "14 E109 projects[0].budget.total：预算数 / 资金总额 25.00 万元 超过项目总预算 20.00 万元：请核对"
    ]


def test_an_amount_relation_naming_no_amount_is_a_located_form_yaml_mistake(templates):
    edited_templates(templates, "\namount_checks:\n  - {where: project, total: budget.total, parts: [project_type]}\n")
    from goaldoc.errors import TemplateError
    from goaldoc.forms import load_form

    with pytest.raises(TemplateError) as exc:
        load_form("declared", templates)
    (p,) = exc.value.problems
    assert p.code == "T018" and "“project_type”不是 project 下的金额字段" in p.message


def test_a_common_text_field_may_be_narrowed_to_a_choice(tmp_path, templates):
    edited_templates(templates, "")
    form_yaml = templates / "declared" / "form.yaml"
    text = form_yaml.read_text(encoding="utf-8").replace(
        "  project:\n", "  project:\n    attribute: {label: 项目属性, type: choice, options: [延续项目, 新增项目]}\n", 1
    )
    form_yaml.write_text(text, encoding="utf-8")
    ok = DATA.replace("    project_type: 切块预算\n", "    project_type: 切块预算\n    attribute: 延续项目\n")
    assert messages(tmp_path, templates, ok) == []
    bad = ok.replace("attribute: 延续项目", "attribute: 延续")
    assert messages(tmp_path, templates, bad) == [
        "13 E010 projects[0].attribute：应为 延续项目、新增项目 之一，现为 “延续”：是不是“延续项目”？"
    ]


def test_values_per_period_can_be_checked_like_the_value(tmp_path, templates):
    low = DATA.replace("{实施周期: \"≥90%\", 当年度: \"≥90%\"}", "{实施周期: \"≥70%\", 当年度: \"≥90%\"}")
    assert messages(tmp_path, templates, low) == []  # not asked for: the grades of 邯郸 are not values
    form_yaml = templates / "declared" / "form.yaml"
    form_yaml.write_text(
        form_yaml.read_text(encoding="utf-8").replace("      periods: [实施周期, 当年度]\n", "      periods: [实施周期, 当年度]\n      check_values: true\n"),
        encoding="utf-8",
    )
    assert messages(tmp_path, templates, low) == [
        "27 W203 projects[0].indicators[3].period_values.实施周期：满意度 70% 低于 80%：满意度目标一般不低于 80%，请核实"
    ]


def test_a_period_left_out_prints_empty(templates):
    one = DATA.replace("{实施周期: 是, 当年度: 是}", "{当年度: 是}")
    loaded = loads(one, "d.yaml", templates)
    table = docx_tables(render_bytes(loaded, ["docx"], templates=templates)["docx"][1])[0]
    assert [c.text for c in table[3]] == ["正常开放", "", "是"]


def test_the_check_filter_puts_the_box_before_or_after():
    from goaldoc.render.template.markup import make_env

    env = make_env(autoescape=False)
    tpl = env.from_string("{{ v | check('部门预算') }} {{ v | check('切块预算', after=true) }}")
    assert tpl.render(v="部门预算") == "☑部门预算 切块预算 □"
