"""Issue 19 item 5: a filled 自评表 or 监控表 — goaldoc's own, or typed by hand in its layout —
reads back through the form folder's templates (the importer of the target forms, unchanged
but for one cell kind), as a stage file: ``stage:``, the 一级 without its printed weight, the
scores goaldoc computed left out (they equal the rules'), a score typed by hand kept and
checked at its cell."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from docx import Document

from conftest import SAMPLES
from goaldoc.api import check, load, render_bytes
from goaldoc.cli import main
from goaldoc.importer import import_file


def _render(rel: str, fmt: str, tmp_path: Path) -> Path:
    stem, data = render_bytes(load(SAMPLES / rel), [fmt])[fmt]
    f = tmp_path / f"{stem}.{fmt}"
    f.write_bytes(data)
    return f


def test_a_filled_self_evaluation_reads_back_as_a_stage_file(tmp_path):
    f = _render("2022/tangxi-ziping.yaml", "docx", tmp_path)
    imp = import_file(f)
    assert imp.form.name == "ziping" and imp.data["stage"] == "自评" and imp.leftovers == []
    first = imp.data["projects"][0]
    assert first["implementer"] == "219001-池州市贵池区棠溪镇人民政府"
    assert imp.data["department"] == {"name": "池州市贵池区棠溪镇人民政府", "code": "219"}
    row = first["indicators"][0]
    # 产出指标(50分) is the 一级; the 得分 8 goaldoc printed is the rule's: left out
    assert row == {"level1": "产出指标", "level2": "数量指标", "name": "基建工程委托业务项目数量", "value": "≥50个", "weight": 8, "actual": "50"}
    assert [line.get("level") for line in first["execution"]["lines"]] == [0, 1, 1, 1]


def test_import_writes_a_yaml_that_checks_like_the_sample(tmp_path):
    f = _render("2023/qingshen-ziping.yaml", "xlsx", tmp_path)
    out = tmp_path / "q.yaml"
    res = CliRunner().invoke(main, ["import", str(f), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "认出是表样 sichuan_ziping（部门预算项目支出绩效自评表）" in res.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["stage"] == "自评" and data["form"] == "sichuan_ziping"
    project = data["projects"][0]
    assert (project["code"], project["name"]) == ("51000021R000000019951", "工资性支出")
    assert [str(line.get("rate", "")) for line in project["execution"]["lines"]] == ["", "", "", "", ""]  # 100.00% … are the rule's
    assert {p.code for p in check(out)} == {"E410", "E203", "E204", "W402"}  # the published form's own, as the sample accepts


def test_a_score_typed_by_hand_is_checked_at_its_cell(tmp_path):
    f = _render("2022/tangxi-ziping.yaml", "docx", tmp_path)
    doc = Document(str(f))
    grid = doc.tables[1]
    row = next(r for r in grid.rows if r.cells[3].text == "委托业务报告合格率")
    assert row.cells[7].text == "8"
    row.cells[7].paragraphs[0].runs[0].text = "9"  # the clerk raised it by hand
    hand = tmp_path / "hand.docx"
    doc.save(str(hand))
    found = [p for p in check(hand) if p.code == "E412"]
    assert [p.format().split(" ", 1)[1] for p in found] == [
        "第 2 个表格 第 3 行 第 8 列 错误 E412 projects[0].indicators[1].score：项目“委托业务项目”的指标“委托业务报告合格率”的得分 9 "
        "不在规则允许的范围内：正向指标，指标值 100，实际 100，分值 8，按规则得 8：请改正，或删去得分让 goaldoc 算"
    ]


def test_the_published_money_mistake_is_found_in_the_filled_file(tmp_path):
    f = _render("2022/tangxi-ziping.yaml", "xlsx", tmp_path)
    res = CliRunner().invoke(main, ["check", str(f)])
    assert res.exit_code == 1
    lines = [line.split(" ", 1)[1] for line in res.output.splitlines() if " E417 " in line]
    assert lines[0] == (
        "委托业务项目!C6 错误 E417 projects[0].execution.lines[0].initial：项目“委托业务项目”“年度资金总额:”的年初预算数为 0 万元，"
        "其中各行之和为 90 万元（相差 90）：合计行应等于各资金来源之和，请核对"
    )
    assert len(lines) == 6


def test_a_monitoring_form_reads_back_its_answers_and_boxes(tmp_path):
    f = _render("2019/huangshi-jiankong.yaml", "docx", tmp_path)
    imp = import_file(f)
    project = imp.data["projects"][0]
    assert imp.data["stage"] == "监控"
    assert (project["short_name"], project["project_kind"]) == ("申遗", "常年性项目")  # 1、常年性项目 □ √
    assert [i.get("likelihood") for i in project["indicators"]] == [None, None, None, "确定能", "确定能"]


def test_the_national_monitoring_form_reads_back_each_cause_column(tmp_path):
    f = _render("2024/jingyan-jiankong.yaml", "xlsx", tmp_path)
    imp = import_file(f)
    row = imp.data["projects"][0]["indicators"][3]
    assert (row["name"], row["likelihood"]) == ("培训人数", "有可能")
    assert row["causes"] == {"经费保障": "培训补贴标准下半年才下达", "其他": "部分企业职工参训意愿低"}
