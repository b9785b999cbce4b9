"""Issue 8 item 5: `goaldoc init --form X` writes a starter that fits X — its sections, a
project when X prints project tables, X's declared fields, indicators named as X's tree
names them — and the starter checks without errors and renders."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from goaldoc.api import check, load, render_bytes
from goaldoc.cli import main
from goaldoc.forms import available_forms, load_form

# target forms: a 监控 / 自评 form's file starts from the approved targets (goaldoc init --stage,
# tests/test_cycle_layout.py)
FORMS = [f for f in available_forms() if load_form(f).stage == "目标"]


@pytest.mark.parametrize("form", FORMS)
def test_each_forms_starter_checks_clean_and_renders(form, tmp_path):
    target = tmp_path / "2025" / f"{form}.yaml"
    res = CliRunner().invoke(main, ["init", str(target), "--form", form])
    assert res.exit_code == 0, res.output
    problems = check(target)
    assert [p.format() for p in problems if p.is_error] == []
    assert problems and all(p.code == "W310" for p in problems)  # only "fill this in"
    spec = load_form(form)
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["form"] == form and data["year"] == 2025
    if "projects" in spec.prints:
        (project,) = data["projects"]
        assert set(spec.fields.project) <= set(project)
        assert all(set(spec.fields.indicator) <= set(i) for i in project["indicators"])
        if spec.variants:
            assert project["variant"] == next(iter(spec.variants))
    else:
        assert "projects" not in data
    assert set(spec.fields.department) <= set(data["department"])
    assert set(spec.fields.year) <= set(data)
    loaded = load(target)
    out = render_bytes(loaded)
    assert set(out) == set(spec.formats)


def test_a_projects_only_forms_starter_has_a_project_with_its_fields(tmp_path):
    """A project form's starter has a project (E305 would refuse one without), with the
    fields the form declares for projects (芜湖: 项目类型, 起始日期 …)."""
    projects_only = [f for f in FORMS if load_form(f).projects_only]
    assert {"wuhu", "ezhou", "dongguan", "handan"} <= set(projects_only)
    target = tmp_path / "w.yaml"
    assert CliRunner().invoke(main, ["init", str(target), "--form", "wuhu", "--year", "2019"]).exit_code == 0
    (project,) = yaml.safe_load(target.read_text(encoding="utf-8"))["projects"]
    assert project["project_type"] == "部门预算" and project["total_budget"] == 0
    assert "项目类型（本表样特有）" in target.read_text(encoding="utf-8")


def test_the_starters_indicators_are_the_kinds_the_form_requires(tmp_path):
    target = tmp_path / "h.yaml"
    assert CliRunner().invoke(main, ["init", str(target), "--form", "handan", "--year", "2019"]).exit_code == 0
    project = yaml.safe_load(target.read_text(encoding="utf-8"))["projects"][0]
    voc = load_form("handan").vocabulary
    kinds = set().union(*(voc.kinds(i["level1"], i.get("level2", "")) for i in project["indicators"]))
    # the form prints no 二级 (prints_level2: false): the starter writes none, 数量 / 质量 are not required
    assert {k for k in voc.required if voc.kind_level(k) == 1} <= kinds
    assert not any("level2" in i for i in project["indicators"])
    assert all("standards" in i for i in project["indicators"])  # 邯郸's four grades
