"""Issue 23 item 1: an Excel template row whose templated cells are text and ``{{ … }}`` is
rendered by one program per row (``{% if %}`` around a cell's text included); a row with
``{% for %}``/``{% set %}`` in a cell keeps one program per cell. Both give what each cell gave alone (tests/test_golden.py
holds every sample's output), and a mistake in a cell of a one-program row is still named
by its cell."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import ROOT
from goaldoc.api import render_bytes
from goaldoc.errors import TemplateError
from goaldoc.render.excel.cells import RowProgram, compile_row
from goaldoc.render.excel.workbook import _ROWS
from goaldoc.render.template.markup import AmountText, make_env, split_mark


def test_a_row_of_expressions_is_one_program_and_gives_each_cells_value():
    env = make_env(autoescape=False)
    prog = compile_row(env, ["{{ row.name }}", "{{ n }}", "第{{ n }}项", "{{ row.level1 | merge('lv') }}", "{{ a | amount }}"])
    assert isinstance(prog, RowProgram)
    assert prog.kinds == ("value", "value", "text", "merged", "value")
    row = {"name": "招聘会场次", "level1": "产出指标"}
    name, n, text, merged, amount = prog.run({"row": row, "n": 7, "a": Decimal("12.5")})
    assert (name, n, text) == ("招聘会场次", 7, "第7项")
    assert merged[0] == "产出指标" and split_mark(merged[1]) == ("lv", "产出指标")
    assert isinstance(amount, AmountText) and str(amount) == "12.5"  # as typed: the default amount style


@pytest.mark.parametrize(
    "cell",
    [
        "{% for g in goals %}{{ g }}{% endfor %}",
        "{% set y = 1 %}{{ y }}",
        "{% if x %}{% set y = 1 %}{{ y }}{% endif %}",
        "{% if x %}{{ x }}{% else %}{% for g in goals %}{{ g }}{% endfor %}{% endif %}",
    ],
)
def test_a_row_with_a_statement_in_a_cell_keeps_a_program_per_cell(cell):
    assert compile_row(make_env(autoescape=False), ["{{ a }}", cell]) is None


@pytest.mark.parametrize("adjusted", [None, "", "12", "大于90%"])
def test_a_cell_with_an_if_around_its_text_is_in_the_row_program_and_gives_what_it_gives_alone(adjusted):
    """The indicator rows of the self-evaluation forms: ``{{ row.value_text }}{% if row.adjusted %}…``
    (the county round's rows took one program per cell for it)."""
    env = make_env(autoescape=False)
    cells = [
        "{{ row.name }}",
        "{{ row.value_text }}{% if row.adjusted %}（调整为{{ row.adjusted }}）{% endif %}",
        "{% if row.weight is none %}-{% elif row.weight > 10 %}高{{ row.weight }}{% else %}{{ row.weight }}{% endif %}",
    ]
    prog = compile_row(env, cells)
    assert isinstance(prog, RowProgram)
    assert prog.kinds == ("value", "text", "text")
    for weight in (None, 5, 20):
        row = {"name": "招聘会场次", "value_text": "≥10场", "adjusted": adjusted, "weight": weight}
        alone = [env.from_string(text).render(row=row) for text in cells]
        got = prog.run({"row": row})
        assert got == ["招聘会场次", *alone[1:]]
    assert prog.run({"row": {"name": "a", "value_text": "b", "adjusted": "c", "weight": None}})[1:] == ["b（调整为c）", "-"]


def test_the_sample_rows_take_the_one_program_path(taishan):
    render_bytes(taishan, ["xlsx"])
    env = make_env("as_typed", "万元", autoescape=False)
    programs = {texts: prog for texts, prog in _ROWS[env].items()}
    indicator = ("{{ '绩效指标' | merge('ind') }}", "{{ row.level1 | merge }}", "{{ row.level2 | merge }}",
                 "{{ row.name }}", "{{ row.explanation }}", "{{ row.value_text }}")
    assert isinstance(programs[indicator], RowProgram)


def test_a_mistake_in_a_one_program_row_names_its_cell(taishan, tmp_path):
    folder = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", folder)
    wb = load_workbook(folder / "forms.xlsx")
    wb["部门整体"]["E18"].value = "{{ row.explanaton }}"  # the loop row of indicators, its 4th templated cell
    wb.save(folder / "forms.xlsx")
    with pytest.raises(TemplateError) as exc:
        render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")
    assert [(p.code, p.message) for p in exc.value.problems] == [
        ("T003", "Excel 模板 部门整体!E18：没有名为“explanaton”的变量或字段（见 templates/README.md 的变量表）：是不是“explanation”？"),
    ]
