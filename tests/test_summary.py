"""Issue 13 item 4: the figures a clerk eyeballs before sending (check --summary, render)."""

from __future__ import annotations

from decimal import Decimal

from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.api import load, loads
from goaldoc.cli import main
from goaldoc.summary import block, one_line, summarize

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
LIUZHI = SAMPLES / "2023" / "liuzhi.yaml"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_the_figures_of_taishan():
    s = summarize(load(TAISHAN).model)
    assert (s.total, s.basic, s.project, s.other) == (
        Decimal("110641.64"), Decimal("2610.83"), Decimal("108030.81"), Decimal("0.00")
    )
    # 350 + 1800 + 5350 + 30.03 + 450 + 11434.23 + 210
    assert (s.key_tasks, s.key_task_funds, s.key_task_share) == (7, Decimal("19624.26"), Decimal("18.2"))
    assert s.indicators == {"产出指标": 24, "效益指标": 19, "满意度指标": 6}
    assert (s.projects, s.project_budget, s.project_indicators) == (0, None, {})


def test_project_budgets_are_summed_in_the_budget_unit():
    s = summarize(load(LIUZHI).model)
    # 300 元 + 40 + 28.4 + 30 万元 (the first project's budget is in 元)
    assert (s.projects, s.project_budget) == (4, Decimal("98.43"))
    assert s.project_indicators == {"产出指标": 18, "效益指标": 9, "满意度指标": 4, "成本指标": 4}


def test_a_form_whose_budget_lines_carry_extra_columns_shows_the_sum():
    """The Hubei 2021 form's 支出构成 (with 占比 and two earlier years) is budget.expenditure
    with the columns the form declares (fields.budget_line, issue 22 item 4)."""
    model = load(SAMPLES / "2021" / "guangshui.yaml").model
    assert [line.label for line in model.budget.expenditure] == ["基本支出", "项目支出", "合计"]
    s = summarize(model)
    assert (s.total, s.basic, s.project) == (Decimal("968.1918"), Decimal("724.2318"), Decimal("243.96"))
    assert block(s, "x")[1] == "  合计 968.1918 万元 = 基本支出 724.2318 + 项目支出 243.96"


def test_check_summary_prints_a_block_per_file_after_its_problems():
    res = run("check", "--summary", str(TAISHAN), str(LIUZHI))
    assert res.exit_code == 0, res.output
    out = res.stdout.splitlines()
    taishan = out.index(f"{TAISHAN}：台山市人力资源和社会保障局 2024 年（金额单位：万元）")
    assert out[taishan : taishan + 5] == [
        f"{TAISHAN}：台山市人力资源和社会保障局 2024 年（金额单位：万元）",
        "  合计 110641.64 万元 = 基本支出 2610.83 + 项目支出 108030.81",
        "  年度重点工作任务 7 项，资金合计 19624.26 万元，是项目支出的 18.2%",
        "  部门整体绩效指标 49 条（产出指标 24、效益指标 19、满意度指标 6）",
        "  项目 0 个",
    ]
    liuzhi = out.index(f"{LIUZHI}：六枝特区人力资源和社会保障局 2023 年（金额单位：万元）")
    assert out[liuzhi + 1 : liuzhi + 5] == [
        "  合计 3896.05 万元 = 基本支出 823.26 + 项目支出 3072.79",
        "  年度重点工作任务 0 项",
        "  部门整体绩效指标 43 条（产出指标 40、效益指标 2、满意度指标 1）",
        "  项目 4 个，预算数合计 98.43 万元，项目指标 35 条（产出指标 18、效益指标 9、满意度指标 4、成本指标 4）",
    ]
    # in the order given, each after its own problems
    assert taishan == 0 and out[liuzhi - 1].startswith(f"{LIUZHI}:601 错误 E202")
    assert out[-1] == "检查了 2 个文件：0 个错误，0 个提醒，10 个已确认保留。"


def test_a_file_that_does_not_read_has_no_summary(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2024\ndepartment:\n  nmae: 甲\n", encoding="utf-8")
    res = run("check", "--summary", str(bad))
    assert res.exit_code == 1
    assert f"{bad}：没有摘要（先改好上面的错误，文件才读得出来）" in res.stdout.splitlines()


def test_key_tasks_over_project_spending_and_other_spending_are_shown():
    model = loads(
        "year: 2025\ndepartment: {name: 台山市农业农村局}\nbudget:\n  expenditure:\n"
        "    - {label: 合计, amount: 1000}\n    - {label: 一、基本支出, amount: 300, level: 1}\n"
        "    - {label: 二、项目支出, amount: 600, level: 1}\n    - {label: 三、其他支出, amount: 100, level: 1}\n"
        "key_tasks:\n  - {name: 高标准农田, funds: 450}\n  - {name: 种业振兴, funds: 200.5}\n"
    ).model
    s = summarize(model)
    assert block(s, "x.yaml") == [
        "x.yaml：台山市农业农村局 2025 年（金额单位：万元）",
        "  合计 1000 万元 = 基本支出 300 + 项目支出 600 + 其他 100",
        "  年度重点工作任务 2 项，资金合计 650.5 万元，是项目支出的 108.4%，超过了项目支出",
        "  部门整体绩效指标 0 条",
        "  项目 0 个",
    ]


def test_render_ends_with_the_summary_line(tmp_path):
    res = run("render", str(TAISHAN), "-o", str(tmp_path))
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[-1] == (
        "摘要：合计 110641.64 万元 = 基本支出 2610.83 + 项目支出 108030.81；"
        "年度重点工作任务 7 项，资金合计 19624.26 万元，是项目支出的 18.2%；"
        "绩效指标 49 条（产出 24、效益 19、满意度 6）；项目 0 个"
    )
    assert res.stdout.splitlines()[-1] == one_line(summarize(load(TAISHAN).model))

