"""Issue 5: the finance bureau's rules (FORMATS.md §3), one test or more per code."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from goaldoc.api import check, loads
from goaldoc.checks import CODES, RULES, run_checks
from goaldoc.cli import main
from goaldoc.loader import LineMap
from goaldoc.model import (
    Budget,
    BudgetLine,
    Department,
    DepartmentYear,
    Indicator,
    Project,
    ProjectBudget,
    SpendingPoint,
    Task,
    Unit,
)
from goaldoc.paths import format_path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TAISHAN = SAMPLES / "2024" / "taishan.yaml"

# A small department that breaks no rule; each test spoils one thing.
BASE: dict = {
    "year": 2024,
    "title": "2024年测试局部门整体预算绩效目标表",
    "department": {"name": "测试局", "total": 60, "staff_count": 10, "subunit_count": 1},
    "budget": {
        "unit": "万元",
        "expenditure": [
            {"label": "合计", "amount": 100, "level": 0},
            {"label": "其中:政府采购支出", "amount": 5, "level": 1, "partial": True},
            {"label": "一、基本支出", "amount": 40, "level": 1},
            {"label": "二、项目支出", "amount": 60, "level": 1},
            {"label": "其中:专项资金", "amount": 35.5, "level": 2},
            {"label": "其他事业发展性支出", "amount": 24.5, "level": 2},
        ],
        "income": [
            {"label": "合计", "amount": 100, "level": 0},
            {"label": "一、财政拨款", "amount": 100, "level": 1},
            {"label": "二、其他资金", "level": 1},
        ],
    },
    "key_tasks": [{"name": "就业", "funds": 30}, {"name": "人才", "funds": 30}],
    "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": "招聘会", "value": "≥10 场"},
        {"level1": "产出指标", "level2": "质量指标", "name": "合格率", "value": "100%"},
        {"level1": "效果指标", "level2": "社会效益指标", "name": "就业", "value": "≥ 4900 人"},
        {
            "level1": "满意度指标",
            "level2": "社会公众或服务对象满意度",
            "name": "群众满意度",
            "value": "≥95%",
        },
    ],
    "projects": [
        {
            "name": "甲项目",
            "title": "2024年项目绩效目标表",
            "budget": {"unit": "万元", "total": 60, "fiscal": 50, "other": 10},
            "spending_plan": [
                {"period": "3月底", "percent": "20%"},
                {"period": "6月底", "percent": "50%"},
                {"period": "10月底", "percent": "50%"},
                {"period": "12月底", "percent": "100%"},
            ],
            "indicators": [
                {
                    "level1": "产出指标",
                    "level2": "数量指标",
                    "name": "人数",
                    "sign": "≥",
                    "value": "100",
                    "unit": "人",
                    "weight": 49,
                    "direction": "正向指标",
                },
                {
                    "level1": "产出指标",
                    "level2": "质量指标",
                    "name": "合格率",
                    "sign": "≥",
                    "value": "90",
                    "unit": "%",
                    "weight": 0.5,
                },
                {
                    "level1": "产出指标",
                    "level2": "成本指标",
                    "name": "项目金额",
                    "value": "≤60万元",
                    "weight": 0.5,
                },
                {
                    "level1": "效益指标",
                    "level2": "可持续影响指标",
                    "name": "就业率",
                    "value": "≥80%",
                    "weight": 29,
                },
                {
                    "level1": "效益指标",
                    "level2": "生态效益指标",
                    "name": "环境",
                    "value": "改善",
                    "weight": 1,
                },
                {
                    "level1": "满意度指标",
                    "level2": "服务对象满意度指标",
                    "name": "满意度",
                    "value": "0.95",
                    "weight": 10,
                    "direction": "正向指标",
                },
            ],
        }
    ],
}


def data() -> dict:
    return copy.deepcopy(BASE)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # goaldoc refuses anchors, so write repeats out
        return True


def dump(d: dict) -> str:
    return yaml.dump(d, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def problems(d: dict) -> list[tuple[str, str, str]]:
    """(code, key path, message) of every problem the rules find in ``d``."""
    loaded = loads(dump(d), "t.yaml")
    return [
        (p.code, format_path(p.path), p.message)
        for p in run_checks(loaded.model, loaded.lines)
    ]


def only(d: dict) -> tuple[str, str, str]:
    found = problems(d)
    assert len(found) == 1, found
    return found[0]


def ind(d: dict, k: int, **changes) -> dict:
    d["projects"][0]["indicators"][k].update(changes)
    return d


# ---------------------------------------------------------------- the rules as a whole


def test_the_base_breaks_no_rule():
    assert problems(data()) == []


def test_every_code_is_documented_and_its_severity_is_its_first_letter():
    assert all(code[0] in "EW" and len(code) == 4 for code in CODES)
    assert len(RULES) >= 12
    assert all(fn.__doc__ for fn in RULES)


def test_errors_come_before_warnings_each_in_line_order():
    d = data()
    ind(d, 5, value="较高")  # W202, late in the file
    d["budget"]["expenditure"][2]["amount"] = 41  # E101, early
    d["projects"][0]["budget"]["other"] = 11  # E103
    got = [c for c, _, _ in problems(d)]
    assert got == ["E101", "E103", "W202"]


# ---------------------------------------------------------------- amounts E1xx


def test_e101_a_total_is_the_sum_of_its_lines():
    d = data()
    d["budget"]["expenditure"][2]["amount"] = 39.99
    assert only(d) == (
        "E101",
        "budget.expenditure[0].amount",
        "部门预算支出“合计”为 100 万元，其下各行之和为 99.99 万元"
        "（一、基本支出 39.99 + 二、项目支出 60，相差 0.01 万元）：请核对各行金额",
    )


def test_e101_其中_lines_add_up_to_their_line_and_partial_lines_are_left_out():
    d = data()
    d["budget"]["expenditure"][4]["amount"] = 35
    assert only(d)[:2] == ("E101", "budget.expenditure[3].amount")
    d = data()
    d["budget"]["expenditure"][1]["amount"] = 999  # 政府采购支出 is only part of 合计
    assert problems(d) == []


def test_e101_income_lines_and_a_total_printed_below_its_lines():
    d = data()
    d["budget"]["income"][1]["amount"] = 90
    assert [p[:2] for p in problems(d)] == [("E101", "budget.income[0].amount")]
    d = data()  # Guizhou: 基本支出, 项目支出, then 资金总额
    d["budget"] = {
        "expenditure": [
            {"label": "基本支出", "amount": "823.26", "level": 1},
            {"label": "项目支出", "amount": "3072.79", "level": 1},
            {"label": "资金总额", "amount": "3896.06", "level": 0},
        ]
    }
    d["key_tasks"] = []
    assert only(d)[:2] == ("E101", "budget.expenditure[2].amount")


def test_e102_income_equals_expenditure():
    d = data()
    d["budget"]["income"][0]["amount"] = 101
    d["budget"]["income"][2]["amount"] = 1
    assert only(d) == (
        "E102",
        "budget.income[0].amount",
        "收入来源合计 101 万元 ≠ 部门预算支出合计 100 万元（相差 1 万元）：收入和支出的合计应相等，请核对",
    )


def test_e103_project_total_is_fiscal_plus_other():
    d = data()
    d["projects"][0]["budget"]["fiscal"] = 40
    assert only(d) == (
        "E103",
        "projects[0].budget.total",
        "预算数 60 万元 ≠ 财政资金 40 + 其他资金 10 = 50 万元：资金总额应等于财政资金与其他资金之和",
    )


def test_e104_department_total_is_the_sum_of_its_projects():
    d = data()
    d["department"]["total"] = 61
    assert only(d)[:2] == ("E104", "department.total")


def test_e104_unit_total_is_the_sum_of_its_projects_across_money_units():
    d = data()
    project = d.pop("projects")[0]
    project["budget"] = {"unit": "元", "total": "600000.00"}
    d["units"] = [{"name": "乙中心", "total": "610000.00", "projects": [project]}]
    d["department"]["total"] = 61  # 万元, and so is the unit's own total
    assert only(d) == (
        "E104",
        "units[0].total",
        "单位“乙中心”的合计 610000.00 元 ≠ 其 1 个项目的预算数之和 600000.00 元"
        "（相差 10000.00 元）：请核对单位合计或各项目的预算数",
    )


def test_e105_key_task_funds_within_project_spending():
    d = data()
    d["key_tasks"][1]["funds"] = 30.01
    assert only(d) == (
        "E105",
        "key_tasks",
        "年度重点工作任务拟投入资金合计 60.01 万元，超过部门预算“二、项目支出” 60 万元：请核对各任务的资金",
    )


@pytest.mark.parametrize(
    ("percents", "message"),
    [
        (
            ["20%", "50%", "40%", "100%"],
            "资金支出计划是累计进度，不能下降：10月底 40% 低于 6月底 50%",
        ),
        (
            ["20%", "50%", "70%", "90%"],
            "资金支出计划最后一期（12月底）应为 100%，现为 90%：到年底应支出完毕",
        ),
        (["20%", "过半", "70%", "100%"], "资金支出计划应为百分比（如 50%），现为“过半”"),
        (["20%", "50%", "70%", "120%"], "资金支出计划应在 0% 到 100% 之间，现为 120%"),
    ],
)
def test_e106_spending_plan_never_decreases_and_ends_at_100(percents, message):
    d = data()
    for point, pct in zip(d["projects"][0]["spending_plan"], percents, strict=True):
        point["percent"] = pct
    assert [(c, m) for c, _, m in problems(d)] == [("E106", message)]


def test_e106_fractions_and_bare_numbers_are_read_as_percentages():
    d = data()
    for point, pct in zip(
        d["projects"][0]["spending_plan"], ["0.2", "0.5", "0.7", "1"], strict=True
    ):
        point["percent"] = pct
    assert problems(d) == []
    for point, pct in zip(
        d["projects"][0]["spending_plan"], ["20", "50", "70", "100"], strict=True
    ):
        point["percent"] = pct
    assert problems(d) == []


def test_e107_money_units():
    d = data()
    d["projects"][0]["budget"]["unit"] = "千元"
    assert only(d) == (
        "E107",
        "projects[0].budget.unit",
        "金额单位应为 元、万元 或 亿元，现为“千元”",
    )


# ---------------------------------------------------------------- the indicator tree E2xx


def test_e201_unknown_level1_suggests_the_nearest_and_counts_as_it():
    d = ind(data(), 0, level1="产出")
    assert problems(d) == [
        ("E201", "projects[0].indicators[0].level1", "一级指标“产出”不认识：是不是“产出指标”？"),
    ]


def test_an_unknown_level1_does_not_hide_a_kind_that_is_really_missing():
    """Issue 8: an unknown 一级 used to switch E203 off for the whole list."""
    d = ind(data(), 0, level1="项目产出")
    d["projects"][0]["indicators"] = [i for i in d["projects"][0]["indicators"] if i["level1"] != "满意度指标"]
    for i in d["projects"][0]["indicators"]:
        i.pop("weight", None)
    assert [(c, m) for c, _, m in problems(d)] == [
        ("E203", "项目“甲项目”缺少满意度指标：产出指标、效益指标和满意度指标至少各要有一条"),
        ("E201", "一级指标“项目产出”不认识：是不是“产出指标”？"),
    ]


def test_e202_level2_under_the_wrong_level1():
    d = ind(data(), 3, level2="质量指标")
    assert only(d) == (
        "E202",
        "projects[0].indicators[3].level2",
        "二级指标“质量指标”不能放在一级指标“效益指标”下（“质量指标”属于产出指标）："
        "效益指标下的二级指标为 经济效益指标、社会效益指标、生态效益指标、可持续影响指标",
    )


def test_e202_an_empty_level2_is_said_as_empty():
    """It read 二级指标“”不能放在一级指标“效益指标”下（“”不是二级指标）."""
    d = ind(data(), 3, level2="")
    assert only(d) == (
        "E202",
        "projects[0].indicators[3].level2",
        "二级指标没有填：效益指标下的二级指标为 经济效益指标、社会效益指标、生态效益指标、可持续影响指标，请填其中之一",
    )


def test_e202_aliases_and_whitespace_are_accepted():
    d = data()
    ind(d, 3, level1="效果\n指标", level2="社会效益\n指标")
    ind(d, 4, level1="效果指标", level2="环境效益指标")
    ind(d, 5, level2="服务对象满意度")
    assert problems(d) == []


def test_w210_two_spellings_of_one_level1_in_a_list_name_both():
    """Issue 13 item 3: 效果指标 beside 效益指标 prints as two groups; the 提醒 is on the
    less used spelling's first row and names both with their counts."""
    d = ind(data(), 4, level1="效果指标")
    assert only(d) == (
        "W210",
        "projects[0].indicators[4].level1",
        "项目“甲项目”的一级指标有不同写法：“效益指标”（1 条）、“效果指标”（1 条）是同一个一级指标"
        "（表样写作“效益指标”），表里会分开印成不同的组：请统一写成“效益指标”",
    )
    d = ind(data(), 0, level1="项目完成指标")  # 2 产出指标 rows remain, so 项目完成指标 is the odd one
    assert only(d)[:2] == ("W210", "projects[0].indicators[0].level1")
    assert "“产出指标”（2 条）、“项目完成指标”（1 条）" in only(d)[2]


def test_w210_on_a_tie_the_form_spelling_is_the_one_to_keep():
    """One row each, the regional spelling first: the 提醒 goes to the row the form does not
    print that way, and asks for the form's own spelling."""
    d = ind(data(), 3, level1="效果指标")  # rows 3 (效果指标) and 4 (效益指标)
    code, where, message = only(d)
    assert (code, where) == ("W210", "projects[0].indicators[3].level1")
    assert message.endswith("请统一写成“效益指标”")


def test_w210_level2_spellings_under_one_level1_and_spaces_do_not_count():
    d = data()
    d["projects"][0]["indicators"].append(dict(d["projects"][0]["indicators"][4], name="绿化", level2="环境效益指标"))
    d["projects"][0]["indicators"][4]["level2"] = "生态效益 指标"  # spaces never make another spelling
    d["projects"][0]["indicators"][4]["weight"] = 0.5
    d["projects"][0]["indicators"][-1]["weight"] = 0.5
    code, where, message = only(d)
    assert (code, where) == ("W210", "projects[0].indicators[6].level2")
    assert message.startswith("项目“甲项目”的二级指标有不同写法：“生态效益指标”（1 条）、“环境效益指标”（1 条）")


def test_w210_one_spelling_per_list_each_list_its_own(tmp_path):
    d = data()
    for i in d["projects"][0]["indicators"]:
        if i["level1"] == "效益指标":
            i["level1"] = "效果指标"  # the project writes 效果指标 throughout, the department too
    assert problems(d) == []
    d["indicators"][2]["level1"] = "效益指标"  # alone in the department's list: one spelling there
    assert problems(d) == []
    d["indicators"].append(dict(d["indicators"][2], level1="效果指标", name="再就业"))
    f = tmp_path / "t.yaml"
    f.write_text(dump(d), encoding="utf-8")
    out = CliRunner().invoke(main, ["check", str(f)])
    line = next(ln for ln in out.output.splitlines() if "W210" in ln)
    assert "提醒" in line and "部门整体的一级指标有不同写法" in line, out.output


def test_e202_the_2021_cost_level1():
    d = ind(data(), 2, level1="成本指标", level2="经济成本指标")
    assert [c for c, _, _ in problems(d)] == ["W201"]  # the split, not the tree
    d = ind(data(), 2, level1="成本指标", level2="数量指标")
    assert [c for c, _, _ in problems(d)] == ["E202", "W201"]


def test_e203_each_project_has_output_effect_and_satisfaction():
    d = data()
    d["projects"][0]["indicators"] = d["projects"][0]["indicators"][:5]
    d["projects"][0]["indicators"][4]["weight"] = 11
    assert only(d) == (
        "E203",
        "projects[0].indicators",
        "项目“甲项目”缺少满意度指标：产出指标、效益指标和满意度指标至少各要有一条",
    )


def test_e203_a_project_without_indicators():
    d = data()
    d["projects"][0]["indicators"] = []
    assert only(d) == (
        "E203",
        "projects[0].indicators",
        "项目“甲项目”没有绩效指标：至少要有产出指标、效益指标和满意度指标各一条",
    )


def test_e204_output_has_quantity_and_quality():
    d = data()
    d["indicators"][1]["level2"] = "时效指标"
    assert only(d) == (
        "E204",
        "indicators",
        "部门整体的产出指标缺少质量指标：产出指标下至少要有数量指标和质量指标各一条",
    )


def test_e205_weights_are_positive_and_complete():
    d = ind(data(), 4, weight=0)
    assert only(d) == ("E205", "projects[0].indicators[4].weight", "权重应为正数，现为 0")
    d = data()
    del d["projects"][0]["indicators"][4]["weight"]
    assert only(d) == (
        "E205",
        "projects[0].indicators[4].weight",
        "这条指标没有权重：其他指标都填了权重，请补上",
    )


def test_e205_one_stray_weight_is_one_problem():
    """A weight typed on one indicator of a list without weights: one problem, at it, not
    one at every other indicator saying (wrongly) that the others all have one."""
    d = data()
    for i in d["projects"][0]["indicators"]:
        del i["weight"]
    d["projects"][0]["indicators"][2]["weight"] = 20
    n = len(d["projects"][0]["indicators"])
    assert only(d) == (
        "E205",
        "projects[0].indicators[2].weight",
        f"项目“甲项目”的 {n} 条指标只有 1 条填了权重：权重要每条都填，或都不填：请补上其余 {n - 1} 条的权重，或删去这个权重",
    )


def test_e205_two_blanks_among_weights_say_how_many_have_one():
    d = data()
    del d["projects"][0]["indicators"][1]["weight"]
    del d["projects"][0]["indicators"][4]["weight"]
    n = len(d["projects"][0]["indicators"])
    message = f"这条指标没有权重：项目“甲项目”的 {n} 条指标里 {n - 2} 条填了权重，请补上"
    assert problems(d) == [
        ("E205", "projects[0].indicators[1].weight", message),
        ("E205", "projects[0].indicators[4].weight", message),
    ]


def test_e206_weights_sum_to_90_or_100():
    d = ind(data(), 0, weight=45)
    assert only(d) == (
        "E206",
        "projects[0].indicators",
        "项目“甲项目”各指标权重之和为 86，应为 90 或 100（表样的总分）：请调整权重",
    )
    d = ind(data(), 0, weight=59)  # 100 with 预算执行率's 10 points in 产出
    assert problems(d) == []


def test_w201_split_differs_from_the_national_rule():
    d = data()
    ind(d, 0, weight=45)
    ind(d, 3, weight=33)
    assert only(d) == (
        "W201",
        "projects[0].indicators",
        "项目“甲项目”一级指标权重为 产出 46、效益 34、满意度 10，国家规则为 产出 50、效益 30、满意度 10"
        "（预算执行率另计 10 分）：如无特殊理由请按规则分配",
    )


def test_w201_the_sichuan_seed_splits_fit_the_2021_rule():
    codes = [p.code for p in check(SAMPLES / "2024" / "jingyan.yaml")]
    assert "W201" not in codes and "E206" not in codes


def test_e207_unknown_sign():
    d = ind(data(), 0, sign="多")
    assert only(d) == (
        "E207",
        "projects[0].indicators[0].sign",
        "指标性质应为 ≥ ≤ = > < ≈ 或 定性，现为“多”：请改成其中之一",
    )


def test_e208_unknown_direction():
    d = ind(data(), 0, direction="向上")
    assert only(d) == (
        "E208",
        "projects[0].indicators[0].direction",
        "指标方向性应为 正向指标 或 反向指标，现为“向上”",
    )


def test_w205_sign_contradicts_direction():
    d = ind(data(), 0, direction="反向指标")
    code, path, message = only(d)
    assert (code, path) == ("W205", "projects[0].indicators[0].direction")
    assert message.startswith("计算符号“≥”与指标方向性“反向指标”矛盾")
    d = ind(data(), 2, direction="正向指标")  # ≤60万元 in one cell
    assert only(d)[0] == "W205"


# ---------------------------------------------------------------- values W2xx


def test_w202_satisfaction_is_a_percentage():
    d = ind(data(), 5, value="较高")
    assert only(d) == (
        "W202",
        "projects[0].indicators[5].value",
        "满意度指标值应为百分比（如 ≥90%），现为“较高”",
    )
    d = data()
    d["indicators"][3].update(sign="≥", value="90", unit="个")
    assert only(d) == (
        "W202",
        "indicators[3].value",
        "满意度指标值应为百分比（如 ≥90%），现为“≥90个”",
    )


def test_w203_satisfaction_below_80():
    d = ind(data(), 5, value="≥75%")
    assert only(d) == (
        "W203",
        "projects[0].indicators[5].value",
        "满意度 75% 低于 80%：满意度目标一般不低于 80%，请核实",
    )
    d = data()
    d["indicators"][3].update(
        name="招聘考试社会有效投诉率", value="0"
    )  # taishan: a rate meant to be low
    assert problems(d) == []


def test_w204_percent_above_100():
    d = ind(data(), 3, value="≥120%")
    assert only(d) == (
        "W204",
        "projects[0].indicators[3].value",
        "百分比超过 100%（现为“≥120%”）：比率一般不超过 100%，请核对",
    )
    assert problems(ind(data(), 3, value="≥100%")) == []


def test_w206_cost_above_the_project_budget():
    d = ind(data(), 2, value="=7000万元")
    assert only(d) == (
        "W206",
        "projects[0].indicators[2].value",
        "成本指标“=7000万元”超过项目预算数 60 万元：成本不应超过预算，请核对指标值或预算数",
    )
    assert problems(ind(data(), 2, value="≤600000 元")) == []  # 60 万元 exactly
    assert problems(ind(data(), 2, value="≤2000元/人")) == []  # a standard per person


def test_w207_quantity_is_quantified():
    d = ind(data(), 0, sign=None, unit=None, value="较多")
    assert only(d) == (
        "W207",
        "projects[0].indicators[0].value",
        "数量指标应量化（写出数字，如 ≥260 件），现为“较多”",
    )


def test_w208_a_long_value():
    d = ind(data(), 4, value="改善" * 150)
    assert only(d) == (
        "W208",
        "projects[0].indicators[4].value",
        "指标值有 300 个字，超过 100 字：指标值应简短（如 ≥95%），说明文字请写到 explanation（指标解释）",
    )


def test_w209_and_10000_indicators_are_checked():
    # how long it takes is measured in bench/ (issue 11 §4: no wall-clock asserts in tests)
    d = data()
    d["indicators"] = d["indicators"] * 2500
    text = dump(d)
    loaded = loads(text, "t.yaml")
    found = run_checks(loaded.model, loaded.lines)
    assert [(p.code, p.message) for p in found] == [
        ("W209", "部门整体有 10000 条绩效指标，超过 1000 条：表格会长达数百页，请确认没有重复录入")
    ]


# ---------------------------------------------------------------- text E3xx


def test_e301_title_year_is_the_budget_year():
    d = data()
    d["title"] = "2023年测试局部门整体预算绩效目标表"
    assert only(d) == (
        "E301",
        "title",
        "表题年份 2023 与预算年度 2024（year:）不一致：请改表题或 year",
    )
    d = data()
    d["projects"][0]["title"] = "2022-2023年项目绩效目标表"
    assert only(d)[:2] == ("E301", "projects[0].title")
    d["projects"][0]["title"] = "2023-2025年项目绩效目标表"
    assert problems(d) == []


def test_e302_control_characters_are_reported_not_written():
    d = data()
    d["indicators"][0]["explanation"] = "从网页复制\x0b的文字"
    assert only(d) == (
        "E302",
        "indicators[0].explanation",
        "含有 Word/Excel 无法保存的控制字符 U+000B（第 6 个字）：请删去它（常见于从网页或 PDF 复制的文字）",
    )


def test_e302_noncharacters_are_refused_they_would_forge_merge_marks():
    d = data()
    d["indicators"][0]["name"] = "标\ufdd0x\ufdd1记"
    assert only(d) == (
        "E302",
        "indicators[0].name",
        "含有 Unicode 非字符 U+FDD0（第 2 个字）：它不是文字，Unicode 留给程序内部使用（goaldoc 用它标记合并单元格）：请删去它",
    )


def test_private_use_characters_are_text_not_a_problem():
    d = data()
    d["indicators"][0]["name"] = "\ue000\ue001造字\uf8ff"
    assert problems(d) == []


def test_e304_a_text_longer_than_an_excel_cell_is_refused_not_cut():
    d = data()
    d["department"]["functions"] = "职" * 32_767  # exactly what a cell holds
    assert problems(d) == []
    d["department"]["functions"] = "职" * 32_766 + "𠀀"  # Extension B counts 2 in Excel
    assert only(d) == (
        "E304",
        "department.functions",
        "有 32,768 个字符，超过 Excel 一格能存的 32,767 个字符，写进表格会被截掉：请删减到这个长度以内",
    )


def test_e304_goals_printed_in_one_excel_cell_are_counted_together():
    d = data()
    d["goals"] = ["目" * 20_000, "标" * 12_767]  # 32,767 + the line break between them
    assert only(d) == (
        "E304",
        "goals",
        "2 条合起来有 32,768 个字符：Excel 表把它们印在同一格，超过一格能存的 32,767 个字符，会被截掉：请删减",
    )
    d["goals"] = ["目" * 40_000, "标"]  # one too long: said once, at the item
    assert only(d)[:2] == ("E304", "goals[0]")


def test_e303_names_are_filled():
    d = data()
    d["department"]["name"] = ""
    d["projects"][0]["name"] = " "
    assert [(c, p) for c, p, _ in problems(d)] == [
        ("E303", "department.name"),
        ("E303", "projects[0].name"),
    ]


# ---------------------------------------------------------------- the samples and the CLI


# What each seed really gets wrong (FORMATS.md §3), by code and key path; nothing else.
SAMPLE_FINDINGS = {
    "2024/taishan.yaml": [],
    "2024/jingyan.yaml": [
        ("E104", "department.total"),  # the 307 row: 10,000.00 more than its projects
        ("E203", "units[0].projects[6].indicators"),  # 定额公用经费-行政: no 满意度
        ("E203", "units[0].projects[7].indicators"),  # 非定额公用经费-行政: no 满意度
        ("E203", "units[0].projects[8].indicators"),  # 非定额公用经费-事业: no 满意度
        ("E204", "units[0].projects[2].indicators"),  # 实施就业创业培训…: no 质量
        ("E204", "units[0].projects[5].indicators"),  # 职业技能提升行动培训资金: no 质量
        ("W205", "units[0].projects[1].indicators[5].direction"),  # ≥ 12 月, 反向指标
        ("W205", "units[0].projects[3].indicators[6].direction"),  # ≤ 1 元, 正向指标
        ("W206", "units[0].projects[10].indicators[1].value"),  # =30万元 against 50,000.00 元
        ("W312", "department.area"),  # accepted: the form prints a fixed title (issue 16)
        ("W312", "title"),  # accepted: the source's title is the form's fixed one
    ],
    "2024/gaoxin.yaml": [
        ("E204", "projects[3].indicators"),  # 机关事业养老保险财政补助: no 数量
        ("W312", "department.area"),  # accepted: the form prints a fixed title (issue 16)
        ("W206", "projects[0].indicators[3].value"),  # 项目金额 =7000万元 against 4000万元
        ("W313", "projects[4].indicators[3].value"),  # 项目金额 ≧50, no unit (accepted)
    ],
    "2023/liuzhi.yaml": [
        ("E202", "projects[2].indicators[3].level2"),  # 成本指标 / 质量指标, as printed
        ("E202", "projects[2].indicators[4].level2"),
        ("E202", "projects[2].indicators[5].level2"),
        ("E202", "projects[2].indicators[6].level2"),  # 成本指标 / 时效指标
        ("E202", "projects[2].indicators[10].level2"),  # 二级 printed as 社会公众
        ("E202", "projects[3].indicators[6].level2"),  # 二级 printed as 社会公众
        ("E204", "projects[0].indicators"),  # 事业单位公开招聘: no 质量
        ("W313", "projects[0].indicators[0].value"),  # 报考人数 ≥20000, no unit (accepted)
        ("W313", "projects[1].indicators[0].value"),  # 享受公益性岗位补贴人数 ≅700, no unit (accepted)
        ("E204", "projects[2].indicators"),  # 技工院校资助: 质量 rows sit under 成本指标
    ],
}


@pytest.mark.parametrize("sample", sorted(SAMPLE_FINDINGS))
def test_each_sample_reports_what_is_really_wrong_and_nothing_else(sample):
    found = sorted(
        (p.code, format_path(p.path)) for p in check(SAMPLES / sample)
    )
    assert found == sorted(SAMPLE_FINDINGS[sample])


def test_the_seed_mistakes_named_in_the_issue_are_found():
    jingyan = [p for p in check(SAMPLES / "2024" / "jingyan.yaml") if p.code == "E104"]
    assert [p.format() for p in jingyan] == [
        f"{SAMPLES / '2024' / 'jingyan.yaml'}:21 错误 E104 department.total：部门合计 1734952.06 元 ≠ "
        "各项目（含下属单位）预算数之和 1724952.06 元（相差 10000.00 元）：请核对部门合计或各项目的预算数"
        "（已确认保留：原表如此：部门合计与各项目之和相差 10000.00 元（见上方 AMBIGUOUS 注释））"
    ]
    assert not jingyan[0].is_error  # the sample lists it under accepted:, so render goes on
    if (SAMPLES / "2024" / "gaoxin.yaml").exists():
        gaoxin = [p.message for p in check(SAMPLES / "2024" / "gaoxin.yaml") if p.code == "W206"]
        assert gaoxin == [
            "成本指标“=7000万元”超过项目预算数 4000 万元：成本不应超过预算，请核对指标值或预算数"
        ]


def test_check_cli_exit_codes_and_summary(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["check", str(SAMPLES / "2024" / "taishan.yaml")])
    assert (res.exit_code, res.output) == (0, "检查了 1 个文件：0 个错误，0 个提醒。\n")
    warn = tmp_path / "w.yaml"
    warn.write_text(dump(ind(data(), 5, value="较高")), encoding="utf-8")
    assert runner.invoke(main, ["check", str(warn)]).exit_code == 0
    assert runner.invoke(main, ["check", str(warn), "--strict"]).exit_code == 1
    assert runner.invoke(main, ["check"]).exit_code == 2


def test_amounts_stay_exact():
    d = data()
    d["budget"]["expenditure"][4]["amount"] = "35.50"
    loaded = loads(dump(d), "t.yaml")
    assert loaded.model.budget.expenditure[4].amount == Decimal("35.50")
    assert run_checks(loaded.model, loaded.lines) == []


# ---------------------------------------------------------------- the rules never raise

_WORDS = st.sampled_from(
    [
        "",
        "≥95%",
        "100%",
        "较高",
        "=7000万元",
        "≤30万元",
        "1",
        "0.99",
        "≥1万人以上",
        "2024年12月底前",
        "120%",
        "≥ 4900 人",
        "3000 元/人",
        "-5",
        "1e3",
        "≈10000份",
        "过半",
        "50",
        "0%",
    ]
)
_LEVEL1 = st.sampled_from(
    ["产出指标", "效益指标", "满意度指标", "成本指标", "效果指标", "产出", ""]
)
_LEVEL2 = st.sampled_from(
    [
        "数量指标",
        "质量指标",
        "时效指标",
        "成本指标",
        "社会效益指标",
        "服务对象满意度",
        "经济成本指标",
        "x",
    ]
)
_MONEY = st.none() | st.decimals(min_value=0, max_value=10**12, places=2)
_UNIT = st.sampled_from(["万元", "元", "亿元", "千元"])
_INDICATOR = st.builds(
    Indicator,
    level1=_LEVEL1,
    level2=_LEVEL2,
    name=st.sampled_from(["", "满意度", "投诉率", "人数"]),
    value=st.none() | _WORDS,
    sign=st.none() | st.sampled_from(["≥", "≤", "=", "定性", "约", "多", ""]),
    unit=st.none() | st.sampled_from(["%", "万元", "元", "人", ""]),
    weight=st.none() | st.decimals(min_value=0, max_value=100, places=1),
    direction=st.none() | st.sampled_from(["正向指标", "反向", "向上", ""]),
)
_PROJECT = st.builds(
    Project,
    name=st.sampled_from(["", "甲"]),
    title=st.none() | st.sampled_from(["2023年表", "2022-2025年表", "表"]),
    budget=st.builds(ProjectBudget, unit=_UNIT, total=_MONEY, fiscal=_MONEY, other=_MONEY),
    spending_plan=st.lists(
        st.builds(SpendingPoint, period=st.just("月底"), percent=_WORDS), max_size=4
    ),
    indicators=st.lists(_INDICATOR, max_size=8),
)


@settings(max_examples=150, deadline=None)
@given(
    st.builds(
        DepartmentYear,
        year=st.integers(2000, 2100),
        title=st.none() | st.sampled_from(["2024年表", "2023年表", "2099-2100年"]),
        department=st.builds(Department, name=st.sampled_from(["", "局"]), total=_MONEY),
        budget=st.builds(
            Budget,
            unit=_UNIT,
            expenditure=st.lists(
                st.builds(
                    BudgetLine,
                    label=st.sampled_from(["合计", "二、项目支出", "其中:x"]),
                    amount=_MONEY,
                    level=st.integers(0, 3),
                    partial=st.booleans(),
                ),
                max_size=6,
            ),
            income=st.lists(
                st.builds(
                    BudgetLine, label=st.just("合计"), amount=_MONEY, level=st.integers(0, 2)
                ),
                max_size=3,
            ),
        ),
        key_tasks=st.lists(st.builds(Task, name=st.just("任务"), funds=_MONEY), max_size=3),
        indicators=st.lists(_INDICATOR, max_size=8),
        projects=st.lists(_PROJECT, max_size=3),
        units=st.lists(
            st.builds(
                Unit, name=st.just("单位"), total=_MONEY, projects=st.lists(_PROJECT, max_size=2)
            ),
            max_size=2,
        ),
    )
)
def test_the_rules_never_raise_and_every_code_is_known(model):
    for p in run_checks(model, LineMap("x")):
        assert p.code in CODES and p.severity == p.code[0] and p.message


# ---------------------------------------------------------------- texts walked once per run (issue 23)


def test_the_texts_gathered_for_one_run_are_not_the_next_runs():
    """run_checks gathers a model's texts once for the rules that read them all: a change
    to the model between two runs (or another model) is seen by the next run."""
    from goaldoc.checks import run_checks

    loaded = loads(TAISHAN.read_text(encoding="utf-8"), str(TAISHAN))
    assert not [p for p in run_checks(loaded.model, loaded.lines, loaded.form) if p.code == "W920"]
    loaded.model.department.name = "台山市\u202e人力资源和社会保障局"
    found = [p for p in run_checks(loaded.model, loaded.lines, loaded.form) if p.code == "W920"]
    assert [p.path for p in found] == [("department", "name")]


def test_two_models_in_one_run_keep_their_own_texts():
    from goaldoc.checks.text import _strings, walked_once

    a = loads(TAISHAN.read_text(encoding="utf-8"), str(TAISHAN)).model
    b = loads(TAISHAN.read_text(encoding="utf-8").replace("台山市人力资源和社会保障局", "另一个局"), "b.yaml").model
    with walked_once():
        first = dict(_strings(a, ()))
        second = dict(_strings(b, ()))
        assert dict(_strings(a, ())) == first
    assert first[("department", "name")] == "台山市人力资源和社会保障局"
    assert second[("department", "name")] == "另一个局"
