"""Issue 16 item 1: the ledger of every value. A value the chosen form does not print is a
提醒 W312 at its key, naming the form, in `check` and `render` alike; `--only` refuses a
project the form does not print. What a form prints is read from its templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from conftest import ROOT, SAMPLES
from goaldoc.api import diagnose, load
from goaldoc.cli import main
from goaldoc.context import build_context
from goaldoc.forms import available_forms, load_form
from goaldoc.forms.reads import ANY, context_paths, form_reads

GUANGDONG = "表样“guangdong”（广东省部门整体预算绩效目标批复表）"
PROJECTS = """
projects:
  - name: 公益性岗位补贴
    budget: {total: 120}
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 补贴人数, value: ≥100人}
      - {level1: 产出指标, level2: 质量指标, name: 发放准确率, value: 100%}
      - {level1: 效益指标, level2: 社会效益指标, name: 就业稳定, value: 稳定}
      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥90%}
  - name: 职业技能培训
    budget: {total: 80}
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 培训人次, value: ≥1500人次}
      - {level1: 产出指标, level2: 质量指标, name: 合格率, value: ≥90%}
      - {level1: 效益指标, level2: 社会效益指标, name: 就业率, value: ≥60%}
      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥90%}
"""


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def taishan_with_projects(tmp_path: Path) -> Path:
    """taishan's data (form: guangdong, a department-only form) with two projects."""
    f = tmp_path / "taishan.yaml"
    f.write_text((SAMPLES / "2024" / "taishan.yaml").read_text(encoding="utf-8") + PROJECTS, encoding="utf-8")
    return f


def test_projects_under_a_department_only_form_are_a_reminder_in_check(taishan_with_projects):
    res = run("check", str(taishan_with_projects), "--summary")
    line = next(x for x in res.output.splitlines() if " W312 " in x)
    at = taishan_with_projects.read_text(encoding="utf-8").splitlines().index("projects:") + 1
    assert line == (
        f"{taishan_with_projects}:{at} 提醒 W312 projects：数据里有 2 个项目，{GUANGDONG}不印项目表，"
        "这些项目不会出现在生成的文件里：要印项目请换用印项目表的表样（goaldoc forms 查看），不需要的话删去它们"
    )
    assert "  项目 2 个（表样“guangdong”不印项目表：不在生成的文件里），预算数合计 200 万元，" in res.output
    assert res.output.splitlines()[-1] == "检查了 1 个文件：0 个错误，1 个提醒。"


def test_render_says_the_same_and_its_summary_too(taishan_with_projects, tmp_path):
    res = run("render", str(taishan_with_projects), "-o", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    assert f"提醒 W312 projects：数据里有 2 个项目，{GUANGDONG}不印项目表" in res.output
    assert "项目 2 个（表样“guangdong”不印项目表：不在生成的文件里）" in res.output.splitlines()[-1]


def test_only_refuses_a_project_the_form_does_not_print(taishan_with_projects, tmp_path):
    out = tmp_path / "out"
    res = run("render", str(taishan_with_projects), "--only", "公益性岗位补贴", "-o", str(out))
    assert res.exit_code == 1
    assert res.output.splitlines() == [
        f"{taishan_with_projects} 错误 E012 projects：{GUANGDONG}不印项目表，--only 公益性岗位补贴 生成的文件里不会有这个项目："
        "要印项目请用 --form 换用印项目表的表样（goaldoc forms 查看），或去掉 --only",
        f"{taishan_with_projects}：有 1 处问题，未生成任何文件。",
    ]
    assert not out.exists()
    # a form that prints projects takes it
    assert run("render", str(taishan_with_projects), "--only", "公益性岗位补贴", "--form", "guizhou", "-o", str(out)).exit_code == 0


def test_a_title_under_a_form_with_a_fixed_title(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text(
        (SAMPLES / "2024" / "jingyan.yaml").read_text(encoding="utf-8").replace("  - {path: title, code: W312,", "  - {path: cover, code: W312,"),
        encoding="utf-8",
    )
    _loaded, problems = diagnose(f)
    assert [p.format() for p in problems if p.code == "W312" and not p.accepted] == [
        f"{f}:14 提醒 W312 title：部门整体表表题填了，表样“sichuan”（部门预算项目绩效目标表）不印它，它不会出现在生成的文件里："
        "要印请换用印这一栏的表样，或请管理模板的同事在模板里加上这一栏；不需要的话删去它"
    ]


def test_render_with_another_form_reports_what_that_form_leaves_out(tmp_path):
    """ezhou's declared 成本构成 (cost_items) printed by ezhou, left out by guangdong."""
    ezhou = SAMPLES / "2022" / "ezhou.yaml"
    assert not [p for p in diagnose(ezhou)[1] if p.code == "W312" and not p.accepted]
    _loaded, problems = diagnose(ezhou, form="guangdong")
    shown = {p.path: p.message for p in problems if p.code == "W312"}
    assert ("projects",) in shown  # guangdong prints no project, cost_items with it
    res = run("render", str(ezhou), "--form", "guangdong", "-o", str(tmp_path))
    assert "提醒 W312 projects：数据里有 1 个项目，" in res.output


def test_the_ledger_follows_the_template(tmp_path):
    """Take the 指标方向性 column out of the sichuan templates: direction is reported."""
    folder = tmp_path / "templates" / "sichuan"
    shutil.copytree(ROOT / "templates" / "sichuan", folder)
    doc = Document(folder / "forms.docx")
    for cell in (c for t in doc.tables for r in t.rows for c in r.cells):
        for p in cell.paragraphs:
            if "row.direction" in p.text:
                for run_ in p.runs:
                    run_.text = ""
    doc.save(folder / "forms.docx")
    wb = load_workbook(folder / "forms.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and "row.direction" in c.value:
                    c.value = None
    wb.save(folder / "forms.xlsx")
    assert form_reads(load_form("sichuan")).prints(("projects", ANY, "rows", ANY, "direction"))
    assert not form_reads(load_form("sichuan", tmp_path / "templates")).prints(("projects", ANY, "rows", ANY, "direction"))
    _loaded, problems = diagnose(SAMPLES / "2024" / "jingyan.yaml", tmp_path / "templates")
    found = [p for p in problems if p.code == "W312" and not p.accepted]
    assert [(p.path, p.message.split("填了")[0]) for p in found] == [
        (("units", 0, "projects", 0, "indicators", 0, "direction"), "指标方向性（共 30 处，这里是第一处）")
    ]


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*/*.yaml")), ids=lambda p: p.stem)
def test_samples_print_every_value_they_keep(sample):
    """Each sample through its own form: nothing unprinted that is not accepted with a reason."""
    _loaded, problems = diagnose(sample)
    assert not [p.format() for p in problems if p.code == "W312" and not p.accepted]


def _there(obj, path) -> bool:  # type: ignore[no-untyped-def]
    """Whether a context path leads somewhere (``*``: any item of a list)."""
    if not path:
        return True
    step, rest = path[0], path[1:]
    if step == ANY:
        return any(_there(item, rest) for item in obj or [])
    if isinstance(obj, dict):
        return step in obj and _there(obj[step], rest)
    try:
        return _there(getattr(obj, step), rest)
    except AttributeError:
        return False


@pytest.mark.parametrize("sample", ["2023/liuzhi", "2024/jingyan", "2024/taishan", "2021/guangshui", "2022/ezhou"])
def test_every_value_has_a_place_in_the_template_context(sample):
    """The ledger's map from the data to the context (forms.reads.context_paths) names
    places build_context really makes: every value of a sample is found at one of them."""
    from goaldoc.checks.ledger import _given

    loaded = load(SAMPLES / f"{sample}.yaml")
    ctx = build_context(loaded.model, loaded.form)

    def leaves(obj, path, schema):  # type: ignore[no-untyped-def]
        parts = list(_given(obj))
        if not parts and not isinstance(obj, list | dict) and not hasattr(type(obj), "model_fields"):
            yield path, schema
        for key, value in parts:
            if path == () and key in ("form", "accepted", "carried"):
                continue
            if value is None or value == [] or value == {}:
                continue
            yield from leaves(value, (*path, key), (*schema, ANY if isinstance(key, int) else key))

    for path, schema in leaves(loaded.model, (), ()):
        places = context_paths(schema, total_line=True)
        assert any(_there(ctx, p) for p in places), (path, places)


def test_every_form_is_read():
    for name in available_forms():
        reads = form_reads(load_form(name))
        assert not reads.notes, (name, reads.notes)
        assert reads.prints(("department", "name")) or reads.prints(("department", "label")), name
