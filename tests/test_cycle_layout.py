"""Issue 19 item 1: the year's later facts in a stage file that names its approved targets
(``targets:``), every project and indicator by name — nothing of a target typed again, a
target changed after approval written as ``adjusted:`` and printed, ``goaldoc init --stage``
writing the file with every indicator listed and its facts blank."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.api import check, load, render_bytes
from goaldoc.cli import main
from goaldoc.errors import InputError
from readback import docx_tables

TARGETS = """\
year: 2024
form: sichuan
department: {name: 测试局, code: "301"}
budget: {unit: 万元}
projects:
  - name: 甲项目
    budget: {unit: 万元, total: 100}
    annual_goal: 完成甲项目
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 培训人数, value: ≥100人, weight: 50}
      - {level1: 效益指标, level2: 社会效益指标, name: 就业率, value: ≥90%, weight: 30}
      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥90%, weight: 10}
  - name: 乙项目
    budget: {unit: 万元, total: 20}
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 培训人数, value: ≥10人, weight: 50}
      - {level1: 效益指标, level2: 社会效益指标, name: 培训人数, value: ≥5人, weight: 30}
      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥90%, weight: 10}
"""

FACTS = """\
stage: 自评
form: ziping
targets: mubiao.yaml
projects:
  - name: 甲项目
    execution:
      lines:
        - {label: 年度资金总额, budget: 100, executed: 95}
        - {label: 本年财政拨款, level: 1, initial: 100, budget: 100, executed: 95}
    goal_result: 完成了
    indicators:
      - {name: 培训人数, actual: 120人}
      - {name: 就业率, actual: 91%}
      - {name: 满意度, actual: 95%}
  - name: 乙项目
    execution:
      lines:
        - {label: 年度资金总额, budget: 20, executed: 20}
    indicators:
      - {name: 培训人数, actual: "10"}
      - {name: 培训人数, actual: "4"}
      - {name: 满意度, actual: 92%}
"""


def write(tmp_path: Path, facts: str = FACTS, targets: str = TARGETS) -> Path:
    (tmp_path / "mubiao.yaml").write_text(targets, encoding="utf-8")
    f = tmp_path / "ziping.yaml"
    f.write_text(facts, encoding="utf-8")
    return f


def messages(f: Path) -> list[str]:
    return [p.format().replace(str(f.parent) + "/", "") for p in check(f)]


def test_the_facts_join_the_targets_by_name(tmp_path):
    loaded = load(write(tmp_path))
    m = loaded.model
    assert m.year == 2024 and m.department.name == "测试局" and m.form == "ziping"
    a, b = m.projects
    assert [(i.name, i.value, i.actual, str(i.weight)) for i in a.indicators] == [
        ("培训人数", "≥100人", "120人", "50"),
        ("就业率", "≥90%", "91%", "30"),
        ("满意度", "≥90%", "95%", "10"),
    ]
    # a repeated name: the n-th entry is the n-th indicator of that name
    assert [(i.level2, i.value, i.actual) for i in b.indicators[:2]] == [("数量指标", "≥10人", "10"), ("社会效益指标", "≥5人", "4")]
    # 年初预算数 of the total row left empty: the budget the targets approved
    assert str(a.execution.lines[0].initial) == "100"


def test_the_stage_file_locates_its_problems_at_its_own_lines(tmp_path):
    f = write(tmp_path, FACTS.replace("{name: 满意度, actual: 95%}", "{name: 满意度}"))
    assert "ziping.yaml:14 错误 E410 projects[0].indicators[2].actual：项目“甲项目”的指标“满意度”没有填实际完成值（actual）：请照实际填写；这一年不考核的，写 na: true（不适用）" in messages(f)


def test_a_target_typed_again_is_refused(tmp_path):
    f = write(tmp_path, FACTS.replace("{name: 就业率, actual: 91%}", "{name: 就业率, value: ≥95%, actual: 91%}"))
    assert messages(f)[0] == (
        "ziping.yaml:13 错误 E403 projects[0].indicators[1].value：value（指标值）在目标表里，这里不再写"
        "（有 targets: 时只写这一年的情况）：指标值批复后调整了的，写在 adjusted:（调整指标值）"
    )
    f = write(tmp_path, FACTS.replace("{name: 就业率, actual: 91%}", "{name: 就业率, weight: 20, actual: 91%}"))
    assert "ziping.yaml:13 错误 E403 projects[0].indicators[1].weight：权重在目标表里已有（30），这里不再写：请删去（批复后调整了的，请改目标表并说明）" in messages(f)


def test_an_unknown_name_and_a_missing_indicator_are_named(tmp_path):
    """A name typed wrong is one problem that names the target it most likely is, and says
    that target is missing here (it was two: E401 and an E402 for the same mistake)."""
    f = write(tmp_path, FACTS.replace("{name: 就业率, actual: 91%}", "{name: 就业人数, actual: 91%}"))
    assert messages(f) == [
        "ziping.yaml:13 错误 E401 projects[0].indicators[1].name：目标表 mubiao.yaml 的项目“甲项目”没有名为“就业人数”的指标："
        "是不是“就业率”？（目标表的这条指标在这份文件里还没有）",
    ]
    # two names typed wrong for one target: the second is told the name too, and the
    # target missing is said where no misspelling stands for it
    f = write(
        tmp_path,
        FACTS.replace("{name: 就业率, actual: 91%}", "{name: 就业人数, actual: 91%}").replace(
            "{name: 满意度, actual: 95%}", "{name: 就业率了, actual: 95%}"
        ),
    )
    said = messages(f)
    assert [m.split(" 错误 ")[1].split("：")[0] for m in said] == [
        "E402 projects[0].indicators",
        "E401 projects[0].indicators[1].name",
        "E401 projects[0].indicators[2].name",
    ]
    assert "的指标“满意度”（满意度指标/服务对象满意度指标）在这份文件里没有" in said[0]
    assert said[1].endswith("没有名为“就业人数”的指标：是不是“就业率”？（目标表的这条指标在这份文件里还没有）")
    assert said[2].endswith("没有名为“就业率了”的指标：是不是“就业率”？")
    f = write(tmp_path, FACTS.split("  - name: 乙项目")[0])
    assert any("E402 projects：目标表的项目“乙项目”在这份文件里没有" in m for m in messages(f))
    f = write(tmp_path, FACTS.replace("  - name: 乙项目", "  - name: 乙项目x"))
    line = f.read_text(encoding="utf-8").splitlines().index("  - name: 乙项目x") + 1
    assert [m for m in messages(f) if " 错误 E40" in m] == [
        f"ziping.yaml:{line} 错误 E401 projects[1].name：目标表 mubiao.yaml 里没有名为“乙项目x”的项目：是不是“乙项目”？（目标表的这个项目在这份文件里还没有）"
    ]


def test_a_missing_targets_file_is_one_clear_problem(tmp_path):
    f = write(tmp_path, FACTS.replace("targets: mubiao.yaml", "targets: 2024/mubiao.yaml"))
    assert messages(f) == [
        "ziping.yaml:3 错误 E400 targets：找不到目标表的数据文件 2024/mubiao.yaml（targets: 相对这份文件所在的文件夹）："
        "请改正文件名，或不写 targets:、把指标照表写在这份文件里"
    ]
    with pytest.raises(InputError):
        load(f)


def test_an_adjusted_target_prints_beside_the_approved_one_and_scores(tmp_path):
    f = write(tmp_path, FACTS.replace("{name: 培训人数, actual: 120人}", "{name: 培训人数, adjusted: ≥150人, actual: 120人, reason: 场地不足}"))
    out = render_bytes(load(f), ["docx"])["docx"][1]
    grid = docx_tables(out)[1]
    row = next(r for r in grid if r[3].text == "培训人数")
    # 120 of the adjusted 150: 0.8 × 50 = 40
    assert [c.text for c in row[4:8]] == ["≥100人（调整为≥150人）", "120人", "50", "40"]


def test_target_data_through_a_stage_form_prints_the_form_to_fill_by_hand(tmp_path):
    """Any data, any form: the targets through a 自评 form print its indicators, the year's
    columns blank."""
    write(tmp_path)
    out = render_bytes(load(tmp_path / "mubiao.yaml"), ["docx"], form="ziping")["docx"][1]
    grid = docx_tables(out)[1]
    row = next(r for r in grid if r[3].text == "培训人数")
    assert [c.text for c in row[4:9]] == ["≥100人", "", "50", "", ""]


def test_next_year_starts_from_the_targets_not_from_a_stage_file(tmp_path):
    f = write(tmp_path)
    res = CliRunner().invoke(main, ["init", str(tmp_path / "2025" / "x.yaml"), "--from", str(f)])
    assert res.exit_code == 2
    assert res.output.strip() == (
        f"{f} 是自评文件：明年的文件从今年的目标表开始（它的目标表是 mubiao.yaml）：goaldoc init 明年/x.yaml --from 今年的目标表.yaml"
    )


# ------------------------------------------------------------------ goaldoc init --stage


def test_init_stage_lists_every_project_and_indicator_with_blank_facts(tmp_path):
    target = tmp_path / "2024" / "jingyan-ziping.yaml"
    source = SAMPLES / "2024" / "jingyan.yaml"
    res = CliRunner().invoke(main, ["init", str(target), "--stage", "自评", "--from", str(source), "--form", "sichuan_ziping"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].startswith(f"已新建 {target}（2024 年度自评，表样 sichuan_ziping：部门预算项目支出绩效自评表")
    assert "列出了 13 个项目、89 条指标，待填的都空着。" in res.output
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    targets = load(source).model
    projects = [p for u in targets.units for p in u.projects]
    assert [p["name"] for p in data["projects"]] == [p.name for p in projects]
    for entry, p in zip(data["projects"], projects, strict=True):
        assert [i["name"] for i in entry["indicators"]] == [i.name for i in p.indicators]
        # nothing of a target: names only, the facts blank
        for i in entry["indicators"]:
            assert set(i) <= {"name", "actual", "reason"} and all(v is None for k, v in i.items() if k != "name")
    assert data["targets"] == "../../" + Path(source).relative_to(SAMPLES.parent).as_posix() or data["targets"].endswith("jingyan.yaml")
    # the file reads back, joined to its targets; every blank fact is a located problem
    problems = check(target)
    assert sum(p.code == "E410" for p in problems) == 89 + 13


def test_init_stage_needs_the_targets(tmp_path):
    res = CliRunner().invoke(main, ["init", str(tmp_path / "x.yaml"), "--stage", "监控"])
    assert res.exit_code == 2
    assert "监控文件接着已批复的目标表写：请用 --from 指定目标表的数据文件" in res.output


def test_init_with_a_stage_form_and_no_stage_takes_the_forms_stage(tmp_path):
    write(tmp_path)
    target = tmp_path / "j.yaml"
    res = CliRunner().invoke(main, ["init", str(target), "--form", "ziping", "--from", str(tmp_path / "mubiao.yaml")])
    assert res.exit_code == 0, res.output
    text = target.read_text(encoding="utf-8")
    assert "stage: 自评\nform: ziping\ntargets: mubiao.yaml" in text
    assert "      - name: 培训人数      # 产出指标 / 数量指标：≥100人，权重 50\n        actual:" in text


def test_a_stage_file_is_not_a_target_file(tmp_path):
    f = write(tmp_path)
    res = CliRunner().invoke(main, ["init", str(tmp_path / "k.yaml"), "--stage", "监控", "--from", str(f)])
    assert res.exit_code == 2
    assert "是自评文件，不是目标表" in res.output


def test_the_layout_keeps_the_approved_target_file_untouched(tmp_path):
    """The reason for a file of its own: the approved file is never edited in July."""
    f = write(tmp_path)
    before = (tmp_path / "mubiao.yaml").read_bytes()
    CliRunner().invoke(main, ["init", str(tmp_path / "m.yaml"), "--stage", "监控", "--from", str(tmp_path / "mubiao.yaml")])
    check(f)
    render_bytes(load(f))
    assert (tmp_path / "mubiao.yaml").read_bytes() == before
    assert textwrap.dedent(TARGETS).encode() == before


def test_init_with_a_stage_form_and_no_targets_says_where_to_start(tmp_path):
    res = CliRunner().invoke(main, ["init", str(tmp_path / "x.yaml"), "--form", "ziping"])
    assert res.exit_code == 2
    assert res.output.strip() == (
        f"自评文件接着已批复的目标表写：请用 --from 指定目标表的数据文件，如 goaldoc init {(tmp_path / 'x.yaml').as_posix()} --stage 自评 --from 2024/x.yaml"
    )
