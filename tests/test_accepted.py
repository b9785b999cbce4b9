"""`accepted:` keeps a known problem listed by check but lets render go on."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from goaldoc.cli import main

BASE = """year: 2024
department:
  name: 测试局
budget:
  unit: 万元
  expenditure:
    - {label: 合计, amount: 100}
    - {label: 一、基本支出, amount: 60, level: 1}
    - {label: 二、项目支出, amount: 30, level: 1}
"""


def test_an_unaccepted_error_stops_the_render(tmp_path):
    src = tmp_path / "a.yaml"
    src.write_text(BASE, encoding="utf-8")
    res = CliRunner().invoke(main, ["render", str(src), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1
    assert "budget.expenditure[0]" in res.output
    assert not (tmp_path / "out").exists()


# what the default form's paper must have besides (issue 16: E306, E308), for a render to go on
FILLED = """  staff_count: 10
  subunit_count: 0
indicators:
  - {level1: 产出指标, level2: 数量指标, name: 招聘会, value: ≥10 场}
  - {level1: 产出指标, level2: 质量指标, name: 合格率, value: 100%}
  - {level1: 效益指标, level2: 社会效益指标, name: 就业, value: ≥4900 人}
  - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥90%}
"""


def test_an_accepted_error_is_listed_and_the_render_goes_on(tmp_path):
    src = tmp_path / "a.yaml"
    text = BASE.replace("  name: 测试局\n", "  name: 测试局\n" + FILLED, 1)
    src.write_text(text + "accepted:\n  - {path: 'budget.expenditure[0]', reason: 原表如此}\n", encoding="utf-8")
    check = CliRunner().invoke(main, ["check", str(src)])
    assert check.exit_code == 0, check.output
    assert "（已确认保留：原表如此）" in check.output
    res = CliRunner().invoke(main, ["render", str(src), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "另有 1 个已确认保留的问题" in res.output  # render summarises, check lists them
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_acceptance_with_another_code_does_not_apply(tmp_path):
    src = tmp_path / "a.yaml"
    src.write_text(BASE + "accepted:\n  - {path: 'budget.expenditure[0]', code: W999, reason: 别的问题}\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(src)])
    assert res.exit_code == 1
    assert "已确认保留" not in res.output


# ---------------------------------------------------------------- stable keys (issue 12 item 8)

PROJECT = """  - name: {name}
    code: "{code}"
    budget: {{total: 100, fiscal: 60, other: 30}}
"""


def _projects(*names: str, accepted: str) -> str:
    body = "".join(PROJECT.format(name=n, code=f"P{k}") for k, n in enumerate(names))
    return f"year: 2024\ndepartment:\n  name: 测试局\nprojects:\n{body}accepted:\n{accepted}"


def _check(tmp_path, text: str) -> list[str]:
    src = tmp_path / "a.yaml"
    src.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(src)])
    return [line.replace(str(src), "a.yaml") for line in res.output.splitlines() if " E103 " in line or " W001 " in line]


E103 = "错误 E103 projects[{i}].budget.total：预算数 100 万元 ≠ 财政资金 60 + 其他资金 30 = 90 万元：资金总额应等于财政资金与其他资金之和"


def test_an_acceptance_by_project_name_stays_on_its_project_when_one_is_inserted(tmp_path):
    accepted = "  - {path: 'projects[乙项目].budget', code: E103, reason: 原表如此}\n"
    before = _check(tmp_path, _projects("乙项目", accepted=accepted))
    assert [line.split(" ", 1)[1] for line in before] == [E103.format(i=0, name="乙项目") + "（已确认保留：原表如此）"]
    after = _check(tmp_path, _projects("新项目", "乙项目", accepted=accepted))
    assert [line.split(" ", 1)[1] for line in after] == [
        E103.format(i=0, name="新项目"),  # the inserted project's own error shows
        E103.format(i=1, name="乙项目") + "（已确认保留：原表如此）",
    ]


@pytest.mark.parametrize(
    "path",
    ["projects[0].budget", "projects[乙项目].budget.total", "projects[P0]", "projects['P0'].budget", 'projects["乙项目"]'],
)
def test_index_name_and_code_paths_all_match(tmp_path, path):
    quoted = "'" + path.replace("'", "''") + "'"  # a YAML single-quoted scalar
    lines = _check(tmp_path, _projects("乙项目", accepted=f"  - {{path: {quoted}, reason: 原表如此}}\n"))
    assert len(lines) == 1 and lines[0].endswith("（已确认保留：原表如此）")


def test_an_acceptance_that_matches_nothing_is_reported(tmp_path):
    accepted = "  - {path: 'projects[丙项目].budget', code: E103, reason: 原表如此}\n  - {path: 'projects[乙项目]', code: E204, reason: 旧的}\n"
    lines = _check(tmp_path, _projects("乙项目", accepted=accepted))
    hint = (
        "没有对应任何问题：问题已改正的话请删去这条；否则请照 goaldoc check 输出里的键路径改写"
        "（项目、单位、指标可写名称，如 projects[公益性岗位补贴]；全是数字的编码加引号，如 units['307003']）"
    )
    assert lines == [
        "a.yaml:7 " + E103.format(i=0, name="乙项目"),
        f"a.yaml:9 提醒 W001 accepted[0].path：这条 accepted（projects[丙项目].budget，E103）{hint}",
        f"a.yaml:10 提醒 W001 accepted[1].path：这条 accepted（projects[乙项目]，E204）{hint}",
    ]


def test_a_code_of_digits_is_quoted_unquoted_digits_are_a_place(tmp_path):
    unit = "units:\n  - {code: '307003', name: 就业中心, total: 5, projects: [{name: 甲, budget: {total: 1}}]}\n"
    base = f"year: 2024\ndepartment:\n  name: 测试局\n{unit}accepted:\n"
    src = tmp_path / "u.yaml"
    for path, kept in [("units['307003'].total", True), ("units[就业中心].total", True), ("units[307003].total", False)]:
        src.write_text(base + f'  - {{path: "{path}", code: E104, reason: 原表如此}}\n', encoding="utf-8")
        out = CliRunner().invoke(main, ["check", str(src)]).output
        assert ("已确认保留" in out) is kept and (" W001 " in out) is not kept, (path, out)


def test_an_indicator_and_a_budget_line_by_name(tmp_path):
    text = BASE + (
        "indicators:\n  - {level1: 产出指标, level2: 质量指标甲, name: 合格率, value: 100%}\n"
        "accepted:\n"
        "  - {path: 'budget.expenditure[合计]', code: E101, reason: 原表如此}\n"
        "  - {path: 'indicators[合格率].level2', code: E202, reason: 原表如此}\n"
    )
    src = tmp_path / "a.yaml"
    src.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(main, ["check", str(src)]).output.splitlines()
    assert sorted(line.split(" ")[2] for line in out if line.endswith("（已确认保留：原表如此）")) == ["E101", "E202"]
    assert not any(" W001 " in line for line in out)


def test_a_malformed_path_is_an_error_and_the_rules_still_run(tmp_path):
    src = tmp_path / "a.yaml"
    src.write_text(BASE + "accepted:\n  - {path: 'budget.expenditure[合计', reason: 原表如此}\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["check", str(src)]).output.splitlines()
    assert out[1] == (
        f"{src}:11 错误 E010 accepted[0].path：键路径“budget.expenditure[合计”第 19 个字处的方括号写法有误："
        "[ ] 里写序号或名称，如 projects[公益性岗位补贴].indicators[2].value 或 units[0].total"
    )
    assert " E101 " in out[0]  # the rule's own problem is still found
