"""Issue 8 items 3 and 6: the template context is a documented contract (views.py and
templates/README.md agree), optional parts print when the data has them, a form that
prints only project tables says so when there are none."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT, SAMPLES
from goaldoc.api import loads, render_bytes
from goaldoc.cli import main
from goaldoc.context import build_context
from goaldoc.errors import InputError, TemplateError
from goaldoc.forms import load_form
from goaldoc.views import CONTRACT
from readback import (
    docx_tables,
    docx_text,
    xlsx_book,
    xlsx_column_merges,
    xlsx_logical_book,
    xlsx_row_of,
)

README = (ROOT / "templates" / "README.md").read_text(encoding="utf-8")


def readme_names() -> set[str]:
    """The names in the first column of the README's table of top-level variables."""
    section = README.split("## 可用的变量（模板上下文，contract 1）", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
    return names


def test_the_readme_lists_exactly_the_context_the_code_builds(taishan):
    assert readme_names() == set(CONTRACT)
    ctx = build_context(taishan.model, load_form("guangdong"))
    assert set(ctx) - {"accepted", "dropped_columns"} == set(CONTRACT)


@pytest.mark.parametrize(
    ("view", "names"),
    [
        ("department", ["label"]),
        ("projects", ["rows", "number", "unit", "money_unit", "lines"]),
        ("units", ["label", "money_unit", "projects"]),
        ("预算行", ["depth", "indented", "group", "group_key"]),
        ("指标行", ["printed", "groups", "printed.level2", "groups.level2"]),
    ],
)
def test_the_readme_documents_what_each_view_adds(view, names):
    for name in names:
        assert f"`.{name}`" in README, f"{view}.{name} is not in templates/README.md"


def test_every_form_says_which_contract_it_was_written_for():
    for folder in (ROOT / "templates").glob("*/form.yaml"):
        assert re.search(r"^contract: 1\b", folder.read_text(encoding="utf-8"), re.M), folder


# ------------------------------------------------------------------ optional parts


def taishan_without(*keys: str) -> str:
    data = yaml.safe_load((SAMPLES / "2024" / "taishan.yaml").read_text(encoding="utf-8"))
    for key in keys:
        if key == "explanation":
            for ind in data["indicators"]:
                ind.pop("explanation", None)
        else:
            data.pop(key)
    return yaml.safe_dump(data, allow_unicode=True)


def test_no_explanation_anywhere_drops_the_column_in_both_formats(taishan):
    full = render_bytes(taishan)
    loaded = loads(taishan_without("explanation"), "t.yaml")
    out = render_bytes(loaded)
    # Word: the grid loses the column, its width goes to 三级指标, the table is as wide as before
    before, after = docx_tables(full["docx"][1])[2], docx_tables(out["docx"][1])[2]
    assert [c.text for c in before[0]] == ["绩效指标", "一级指标", "二级指标", "三级指标", "指标解释", "指标值"]
    assert [c.text for c in after[0]] == ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"]
    assert [c.text for c in after[1]][3:] == ["受理仲裁案件数量", "≥260 件"]
    assert "指标解释" not in docx_text(out["docx"][1])
    # Excel: 三级指标 takes the cells of 指标解释 (D:F merged on the heading row and each indicator row)
    ws = xlsx_logical_book(out["xlsx"][1])["部门整体预算绩效目标批复表"]  # page breaks aside
    head = xlsx_row_of(ws, 4, "三级指标")
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert f"D{head}:F{head}" in merged and f"D{head + 1}:F{head + 1}" in merged
    assert ws.cell(head, 7).value == "指标值" and ws.cell(head + 1, 7).value == "≥260 件"
    assert "指标解释" not in [c.value for row in ws.iter_rows() for c in row]
    full_ws = xlsx_logical_book(full["xlsx"][1])["部门整体预算绩效目标批复表"]
    assert xlsx_column_merges(ws, 2, head) == xlsx_column_merges(full_ws, 2, head)


def test_the_contents_page_prints_only_with_contents(taishan):
    out = render_bytes(loads(taishan_without("contents"), "t.yaml"))
    assert "目录" not in docx_text(out["docx"][1])
    assert xlsx_book(out["xlsx"][1]).sheetnames == ["部门整体预算绩效目标批复表"]
    assert "目录" in docx_text(render_bytes(taishan, ["docx"])["docx"][1])


def test_no_other_tasks_still_prints_the_section_with_one_empty_row(taishan):
    out = render_bytes(loads(taishan_without("other_tasks"), "t.yaml"))
    table = docx_tables(out["docx"][1])[1]
    rows = [[c.text for c in r] for r in table]
    other = [r for r in rows if r[0] == "其他需完成的任务（可选填）"]
    assert other == [["其他需完成的任务（可选填）", "", "", "", ""]]
    ws = xlsx_book(out["xlsx"][1])["部门整体预算绩效目标批复表"]
    r = xlsx_row_of(ws, 1, "其他需完成的任务（可选填）")
    assert [ws.cell(r, c).value for c in range(2, 8)] == [None] * 6


# ------------------------------------------------------------------ the shape of a form


def projects_only_templates(tmp_path: Path) -> Path:
    """The Guizhou folder printing only its project tables (prints: [projects])."""
    dst = tmp_path / "templates" / "xm"
    shutil.copytree(ROOT / "templates" / "guizhou", dst)
    text = (dst / "form.yaml").read_text(encoding="utf-8")
    text = text.replace("prints: [department, projects]", "prints: [projects]")
    text = re.sub(r"  - template: 封面\n(    .*\n)+  - template: 部门整体\n(    .*\n)+", "", text)
    (dst / "form.yaml").write_text(text, encoding="utf-8")
    return dst.parent


def test_a_projects_only_form_given_no_project_says_so_and_writes_nothing(tmp_path):
    templates = projects_only_templates(tmp_path)
    f = tmp_path / "d.yaml"
    f.write_text(
        textwrap.dedent(
            """\
            year: 2024
            form: xm
            department: {name: 测试局}
            """
        ),
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["check", str(f), "--templates", str(templates)])
    assert res.output.splitlines()[0] == (
        f"{f}:1 错误 E305 projects：表样“xm”（贵州省预算绩效目标表）只印项目表，这份数据没有项目："
        "请在 projects: 下至少填一个项目（goaldoc init --form xm 新建的文件里有样子）"
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["render", str(f), "--templates", str(templates), "-o", str(out), "--force"])
    assert res.exit_code == 1 and "Traceback" not in res.output and "E305" in res.stderr
    assert not out.exists()


def test_a_form_with_nothing_to_print_is_a_message_not_an_index_error(tmp_path):
    templates = projects_only_templates(tmp_path)
    loaded = loads("year: 2024\nform: xm\ndepartment: {name: 测试局}\n", "d.yaml", templates)
    with pytest.raises(TemplateError) as exc:
        render_bytes(loaded, ["xlsx"], templates=templates)
    assert exc.value.problems[0].code == "T017"
    with pytest.raises(InputError):
        loads("year: 2024\nform: xm\ndepartment: {name: 测试局}\nprojects: [{name: 甲, variant: x}]\n", "d.yaml", templates)


def test_units_view_matches_the_checks_money_unit():
    from goaldoc.api import load

    jingyan = load(SAMPLES / "2024" / "jingyan.yaml")
    ctx = build_context(jingyan.model, load_form("sichuan"))
    (unit,) = ctx["units"]
    assert unit.label == "307003-井研县就业创业促进中心" and unit.money_unit == "元"
    assert ctx["department"].label == "307-县人社局部门"
    assert str(ctx["department_total"]) == "1734952.06"
    assert [p.name for p in unit.projects] == [p.name for p in ctx["projects"]]
    assert all(p.unit is unit for p in ctx["projects"])


def test_budget_lines_carry_their_group(taishan):
    ctx = build_context(taishan.model, load_form("guangdong"))
    lines = ctx["budget"].expenditure
    shown = [(line.label, line.depth, line.group) for line in lines]
    assert shown[3:6] == [("二、项目支出", 1, ""), ("其中:其他特定目标类", 2, "二、项目支出"), ("其他运转类", 2, "二、项目支出")]
    assert lines[4].group_key == lines[5].group_key != lines[3].group_key
    assert lines[4].indented == "\u3000\u3000其中:其他特定目标类"
