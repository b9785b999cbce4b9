"""Issue 12 item 1: a template reaches nothing outside the data, and cannot hang or exhaust
the machine. The cases are in bad_templates/cases.yaml (each with the exact message)."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from jinja2.sandbox import SecurityError
from openpyxl import load_workbook

from conftest import ROOT, SAMPLES
from goaldoc.api import render_bytes
from goaldoc.cli import main
from goaldoc.errors import TemplateError
from goaldoc.render.template import sandbox
from goaldoc.render.template.markup import make_env

CASES = yaml.safe_load((Path(__file__).parent / "bad_templates" / "cases.yaml").read_text(encoding="utf-8"))


def templates_with(cell: str, tmp_path: Path) -> Path:
    """A copy of the Guangdong folder whose 部门名称 value cell holds ``cell`` (Word: table 2,
    row 1, column 2; Excel: 部门整体!B2)."""
    dst = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", dst)
    doc = Document(str(dst / "forms.docx"))
    para = doc.tables[1].rows[0].cells[1].paragraphs[0]
    para.runs[0].text = cell
    for run in para.runs[1:]:
        run.text = ""
    doc.save(str(dst / "forms.docx"))
    wb = load_workbook(dst / "forms.xlsx")
    wb["部门整体"]["B2"].value = cell
    wb.save(dst / "forms.xlsx")
    return dst.parent


def test_the_corpus_covers_the_cases_of_the_issue():
    names = {c["name"] for c in CASES}
    assert {"path_read", "range_huge", "string_times_huge", "power_huge", "nested_loops", "include"} <= names
    assert len(CASES) >= 20


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_bad_template_gets_its_message(case, fmt, taishan, tmp_path, monkeypatch):
    # the step budget, not the clock, must stop nested_loops: on a busy CI machine 5M steps
    # took longer than the 30 s time budget (the time budget has a test of its own)
    monkeypatch.setattr(sandbox, "DEFAULT_SECONDS", 3600.0)
    templates = templates_with(case["cell"], tmp_path)
    with pytest.raises(TemplateError) as exc:
        render_bytes(taishan, [fmt], templates=templates)
    assert [p.message for p in exc.value.problems] == [case[fmt]]


def test_a_template_cannot_read_a_file_and_the_command_writes_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    cell = "{{ form.folder.joinpath('" + secret.as_posix() + "').read_text() }}"
    templates = templates_with(cell, tmp_path)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["render", str(SAMPLES / "2024" / "taishan.yaml"), "--templates", str(templates), "-o", str(out)])
    assert res.exit_code == 1
    assert "Traceback" not in res.output and "机密" not in res.output
    assert "没有名为“folder”的变量或字段" in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("call", ["read_text()", "write_text('x')", "unlink()", "exists()", "open()"])
def test_no_object_in_reach_offers_file_methods(call, tmp_path):
    """Even a Path that slipped into the context stays shut: only listed names are readable."""
    canary = tmp_path / "canary.txt"
    canary.write_text("keep", encoding="utf-8")
    env = make_env(autoescape=False)
    with pytest.raises(SecurityError, match="模板不能使用"):
        env.from_string("{{ p." + call + " }}").render(p=canary)
    assert canary.read_text(encoding="utf-8") == "keep"


def test_the_data_fields_stay_readable_and_their_methods_do_not(taishan):
    env = make_env(autoescape=False)
    dept = taishan.model.department
    assert env.from_string("{{ d.name }}|{{ d.staff_count }}").render(d=dept) == "台山市人力资源和社会保障局|269"
    for name in ("model_dump", "model_copy", "model_validate", "model_json_schema"):
        with pytest.raises(SecurityError):
            env.from_string("{{ d." + name + " }}").render(d=dept)


def test_a_render_has_a_time_budget(taishan):
    env = make_env(autoescape=False)
    tpl = env.from_string("{% for i in range(10000) %}{{ d.name }}{% endfor %}")
    with sandbox.render_budget(seconds=0.0), pytest.raises(sandbox.TemplateLimitError, match="超过 0 秒"):
        tpl.render(d=taishan.model.department)
    assert len(tpl.render(d=taishan.model.department)) == 10000 * 13  # no budget: it runs


def test_texts_and_ranges_within_the_limits_are_fine():
    env = make_env(autoescape=False)
    assert env.from_string("{{ range(3) | list }}|{{ 'ab' * 3 }}|{{ 2 ** 10 }}|{{ 7 // 2 }}").render() == "[0, 1, 2]|ababab|1024|3"
    assert env.from_string("{{ 'a-b' | replace('-', '·') }}|{{ ['x', 'y'] | join('、') }}").render() == "a·b|x、y"


def test_a_text_is_compiled_once_per_environment_and_a_broken_one_fails_each_time(monkeypatch):
    """Issue 23: docxtpl compiles a Word part's XML at every render; a batch compiles it once."""
    compiled: list[str] = []
    plain = jinja2.Environment.compile

    def counting(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(source)
        return plain(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    env = sandbox.FormSandbox(autoescape=False)
    first, second = env.from_string("{{ x }}-{{ y }}"), env.from_string("{{ x }}-{{ y }}")
    assert first is not second  # a template of its own each time, from the same code
    assert (first.render(x=1, y=2), second.render(x=3, y=4)) == ("1-2", "3-4")
    assert compiled == ["{{ x }}-{{ y }}"]
    assert sandbox.FormSandbox(autoescape=False).from_string("{{ x }}-{{ y }}").render(x=5, y=6) == "5-6"
    assert len(compiled) == 2  # another environment compiles for itself
    for _ in range(2):
        with pytest.raises(jinja2.TemplateSyntaxError):
            env.from_string("{{ x ")
    assert compiled[2:] == ["{{ x ", "{{ x "]  # a broken text is not kept: it fails again


# ---------------------------------------------------------------- asked once per object and render (issue 23)


class _Record:
    """An object of the context contract whose fields are its own (as a View's are)."""

    def __init__(self, allowed: set[str]):
        self.allowed = frozenset(allowed)
        self.a, self.b = "甲", "乙"

    def template_fields(self) -> frozenset[str]:
        return self.allowed


def test_what_an_object_lets_a_template_read_is_its_own_and_asked_again_in_the_next_render():
    env = sandbox.FormSandbox()
    first, second = _Record({"a"}), _Record({"b"})
    with sandbox.render_budget():
        assert env.getattr(first, "a") == "甲"
        assert env.getattr(second, "b") == "乙"
        with pytest.raises(SecurityError):
            env.getattr(second, "a")  # another object of the same class: its own fields
        with pytest.raises(SecurityError):
            env.getattr(first, "b")
    first.allowed = frozenset({"b"})  # another department's render: asked again
    with sandbox.render_budget():
        with pytest.raises(SecurityError):
            env.getattr(first, "a")
        assert env.getattr(first, "b") == "乙"
