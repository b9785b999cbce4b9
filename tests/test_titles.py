"""Issue 21 item 5: a form's title in one place, and every template error in one run.

An admin changes 批复表 to 申报表 in the templates' title: the printed title, the output's
file name and its sheet name all follow (form.yaml's filename and sheet name say
``{{ form.paper_title }}``, the name the title cell prints). Changed in the Word template
only, the two templates disagree: T060 names both texts. A Word and an Excel template that
are both broken are named in one run; a column the admin adds reads a field: the message
says where form.yaml declares it.
"""

from __future__ import annotations

import io
import shutil

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import ROOT
from goaldoc.api import load, render_bytes
from goaldoc.errors import TemplateError
from goaldoc.forms.titles import title_in
from readback import docx_text

OLD, NEW = "部门整体预算绩效目标批复表", "部门整体预算绩效目标申报表"


def _copy(tmp_path):
    dst = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", dst)
    return dst


def _retitle_word(folder):
    doc = Document(folder / "forms.docx")
    title = next(p for p in doc.paragraphs if f"{OLD}') }}}}" in p.text)
    for run in title.runs:
        run.text = run.text.replace("批复表", "申报表")
    doc.save(folder / "forms.docx")


def _retitle_excel(folder):
    wb = load_workbook(folder / "forms.xlsx")
    ws = wb["部门整体"]
    cell = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("{{ title or"))
    cell.value = cell.value.replace("批复表", "申报表")
    wb.save(folder / "forms.xlsx")


def test_the_title_cell_names_the_form():
    assert title_in("{{ title or (year ~ '年' ~ (department.area or department.name) ~ '部门整体预算绩效目标批复表') }}") == OLD
    assert title_in("{{ title or '部门整体支出绩效目标申报表' }}") == "部门整体支出绩效目标申报表"
    assert title_in("{{ title or (department.name ~ year ~ '年部门整体支出绩效目标表') }}") == "部门整体支出绩效目标表"
    assert title_in("{{ project.title or '项目表' }}") is None


def test_changing_the_title_in_word_and_excel_renames_file_and_sheet(tmp_path):
    folder = _copy(tmp_path)
    _retitle_word(folder)
    _retitle_excel(folder)
    department = load(ROOT / "samples" / "2024" / "taishan.yaml")
    department.model.title = None  # the form's title, not one the data gives
    out = render_bytes(department, templates=tmp_path / "templates")
    assert out["docx"][0] == out["xlsx"][0] == f"2024年台山市人力资源和社会保障局{NEW}"
    assert f"2024年台山市{NEW}" in docx_text(out["docx"][1])
    wb = load_workbook(io.BytesIO(out["xlsx"][1]))
    assert wb.sheetnames == ["目录", NEW]
    assert wb[NEW]["A1"].value == f"2024年台山市{NEW}"


def test_a_title_changed_in_one_template_only_is_named(taishan, tmp_path):
    folder = _copy(tmp_path)
    _retitle_word(folder)
    with pytest.raises(TemplateError) as exc:
        render_bytes(taishan, templates=tmp_path / "templates")
    assert [p.format() for p in exc.value.problems] == [
        f"{folder / 'form.yaml'} 错误 T060：Word 和 Excel 模板的表题不一样：docx 模板（forms.docx）的是“{NEW}”，"
        f"xlsx 模板（forms.xlsx）的是“{OLD}”：请把两处改成一样（输出的文件名、工作表名都按表题起：form.paper_title）"
    ]


def test_errors_of_both_templates_come_in_one_run(taishan, tmp_path):
    """A broken Word and a broken Excel template: both named, not one per run."""
    folder = _copy(tmp_path)
    doc = Document(folder / "forms.docx")
    doc.tables[1].rows[0].cells[1].paragraphs[0].runs[0].text = "{{ department.nmae }}"
    doc.save(folder / "forms.docx")
    wb = load_workbook(folder / "forms.xlsx")
    wb["部门整体"]["B2"].value = "{{ department.staf_count }}"
    wb.save(folder / "forms.xlsx")
    with pytest.raises(TemplateError) as exc:
        render_bytes(taishan, templates=tmp_path / "templates")
    assert [(p.code, p.message) for p in exc.value.problems] == [
        ("T001", "Word 模板有误：没有名为“nmae”的变量或字段（见 templates/README.md 的变量表）：是不是“name”？；"
                 "位置：第 2 个表格 第 1 行 第 2 列（“{{ department.nmae }}”）"),
        ("T003", "Excel 模板 部门整体!B2：没有名为“staf_count”的变量或字段（见 templates/README.md 的变量表）：是不是“staff_count”？"),
    ]


def test_a_new_column_points_at_fields(taishan, tmp_path):
    folder = _copy(tmp_path)
    doc = Document(folder / "forms.docx")
    cell = next(c for t in doc.tables for r in t.rows for c in r.cells if "row.value_text" in c.text)
    cell.paragraphs[0].runs[0].text = "{{ row.target_source }}"
    for run in cell.paragraphs[0].runs[1:]:
        run.text = ""
    doc.save(folder / "forms.docx")
    with pytest.raises(TemplateError) as exc:
        render_bytes(taishan, ["docx"], templates=tmp_path / "templates")
    assert exc.value.problems[0].code == "T001"
    assert exc.value.problems[0].message.startswith(
        "Word 模板有误：没有名为“target_source”的变量或字段（见 templates/README.md 的变量表）；如果“target_source”是这个表样新加的栏目，"
        "请在 form.yaml 的 fields: 里 indicator: 下声明它，如 target_source: {label: 栏目名}（templates/README.md“本表样特有的栏目”）；位置："
    )
