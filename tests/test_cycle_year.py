"""Issue 19: a department's 2024 sample goes 目标 → 监控 → 自评 with no indicator typed twice.

samples/2024/jingyan.yaml is the approved target file (四川 form); jingyan-jiankong.yaml
(national 监控表) and jingyan-ziping.yaml (四川 自评表) hold only the year's facts, each
indicator by its name. The three rendered forms print the same indicators, in the same order,
with the same values: the test reads them out of the three .docx files and compares them."""

from __future__ import annotations

import os
import re
import shutil

import yaml
from click.testing import CliRunner

from conftest import ROOT, SAMPLES
from goaldoc.api import load, render_bytes
from goaldoc.cli import main
from goaldoc.values import normalise_text
from readback import docx_tables

YEAR = {"目标": "2024/jingyan.yaml", "监控": "2024/jingyan-jiankong.yaml", "自评": "2024/jingyan-ziping.yaml"}


def indicator_texts(data: bytes) -> list[tuple[str, str]]:
    """(三级指标, 指标值) of every indicator row of a rendered form, in print order: columns
    found by their headings (指标值 in one cell, or 指标性质 | 指标值 | 度量单位)."""
    out: list[tuple[str, str]] = []
    for table in docx_tables(data):
        cols: dict[str, int] = {}
        for row in table:
            texts = {c.text.strip(): c.col for c in row}
            if "三级指标" in texts:
                cols = {k: texts[k] for k in ("三级指标", "指标性质", "指标值", "年度指标值", "度量单位") if k in texts}
                continue
            if not cols:
                continue
            by_col = {c.col: c.text for c in row}
            name = by_col.get(cols["三级指标"], "").strip()
            if not name or name in ("合计",):
                continue
            value = by_col.get(cols.get("指标值", cols.get("年度指标值", -1)), "")
            value = re.sub(r"（调整为.*?）$", "", value)  # the adjustment printed beside the approved value
            if "指标性质" in cols:
                sign = by_col.get(cols["指标性质"], "")
                value = ("" if sign == "定性" else sign) + value + by_col.get(cols["度量单位"], "")
            out.append((name, "".join(normalise_text(value).split())))
    return out


def test_the_three_forms_print_the_same_indicators():
    texts = {stage: indicator_texts(render_bytes(load(SAMPLES / rel), ["docx"])["docx"][1]) for stage, rel in YEAR.items()}
    assert len(texts["目标"]) == 89
    assert texts["监控"] == texts["目标"]
    assert texts["自评"] == texts["目标"]


def test_no_indicator_is_typed_again_in_the_stage_files():
    targets = load(SAMPLES / YEAR["目标"]).model
    names = [[i.name for i in p.indicators] for u in targets.units for p in u.projects]
    for stage in ("监控", "自评"):
        data = yaml.safe_load((SAMPLES / YEAR[stage]).read_text(encoding="utf-8"))
        assert data["targets"] == "jingyan.yaml" and data["stage"] == stage
        assert [[i["name"] for i in p["indicators"]] for p in data["projects"]] == names
        typed = {k for p in data["projects"] for i in p["indicators"] for k in i}
        assert not typed & {"level1", "level2", "value", "sign", "unit", "weight", "explanation", "direction"}, typed


def test_the_adjusted_target_is_printed_and_summarised():
    docx = render_bytes(load(SAMPLES / YEAR["自评"]), ["docx"])["docx"][1]
    rows = [[c.text for c in r] for t in docx_tables(docx) for r in t]
    row = next(r for r in rows if "培训班个数" in r)
    assert "50（调整为≥60个）" in row and "60个" in row
    res = CliRunner().invoke(main, ["check", str(SAMPLES / YEAR["自评"]), "--summary"])
    assert "调整指标值 “培训班个数” ≥50个 → ≥60个" in res.output


def test_the_readme_year_runs_as_shown(tmp_path):
    """README “The year”: the commands print what the README shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The year:", 1)[1].split("\n## ", 1)[0]
    (tmp_path / "2024").mkdir()
    for rel in YEAR.values():
        shutil.copy(SAMPLES / rel, tmp_path / rel)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        (tmp_path / "2024" / "jingyan-jiankong.yaml").rename(tmp_path / "2024" / "filled-jiankong.yaml")
        made = CliRunner().invoke(main, ["init", "2024/jingyan-jiankong.yaml", "--stage", "监控", "--from", "2024/jingyan.yaml"])
        blank = CliRunner().invoke(main, ["check", "2024/jingyan-jiankong.yaml"])
        (tmp_path / "2024" / "jingyan-jiankong.yaml").unlink()
        (tmp_path / "2024" / "filled-jiankong.yaml").rename(tmp_path / "2024" / "jingyan-jiankong.yaml")
        summary = CliRunner().invoke(main, ["check", "2024/jingyan-jiankong.yaml", "--summary"])
        ziping = CliRunner().invoke(main, ["check", "2024/jingyan-ziping.yaml", "--summary"])
        rendered = CliRunner().invoke(main, ["render", "2024/jingyan-jiankong.yaml"])
    finally:
        os.chdir(cwd)
    for res in (made, blank, summary, ziping, rendered):
        shown = [line for line in res.output.splitlines() if line.strip() and not line.startswith(("已生成", "摘要", "检查了"))]
        for line in shown[:2]:
            if line.startswith(("2024/", "  项目", "已新建", "填好后")):
                assert line in section, line
    assert "2024/jingyan-jiankong.yaml:40 错误 E410 projects[0].indicators[0].progress" in blank.output
    assert (tmp_path / "out" / "2024" / "井研县人社局").is_dir()
