"""An admin edits a template in Word / Excel; the next render shows it, with no code change."""

from __future__ import annotations

import shutil

from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook

from conftest import ROOT
from goaldoc.api import render_bytes
from goaldoc.forms import load_form, search_path
from readback import docx_body, docx_text, q, xlsx_book


def _copy_region(tmp_path):
    dst = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", dst)
    return dst


def test_word_edit_shows_in_the_next_render(taishan, tmp_path):
    folder = _copy_region(tmp_path)
    doc = Document(folder / "forms.docx")
    title = next(p for p in doc.paragraphs if "部门整体预算绩效目标批复表') }}" in p.text)
    title.runs[0].text = "（审定稿）" + title.runs[0].text
    title.runs[0].font.size = Pt(20)
    doc.save(folder / "forms.docx")

    data = render_bytes(taishan, ["docx"], templates=tmp_path / "templates")["docx"][1]
    assert "（审定稿）2024年台山市部门整体预算绩效目标批复表" in docx_text(data)
    sizes = [sz.get(q("val")) for sz in docx_body(data).iter(q("sz"))]
    assert "40" in sizes  # 20 pt = 40 half-points


def test_excel_edit_shows_in_the_next_render(taishan, tmp_path):
    folder = _copy_region(tmp_path)
    wb = load_workbook(folder / "forms.xlsx")
    ws = wb["部门整体"]
    # column A: the section labels, merged down; column widths of the text columns beside
    # long texts are balanced by content (issue 20 item 2), a merged label's never
    ws.column_dimensions["A"].width = 12
    ws["A2"].value = "单位名称"
    wb.save(folder / "forms.xlsx")

    data = render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")["xlsx"][1]
    out = xlsx_book(data)["部门整体预算绩效目标批复表"]
    assert out.column_dimensions["A"].width == 12
    assert out["A2"].value == "单位名称"


def test_user_templates_come_first_on_the_search_path(tmp_path):
    _copy_region(tmp_path)
    path = search_path(tmp_path / "templates")
    assert path[0] == tmp_path / "templates"
    assert path[-1] == ROOT / "templates"  # the shipped ones last (editable install: the checkout)
    assert load_form("guangdong", tmp_path / "templates").folder == tmp_path / "templates" / "guangdong"
    assert load_form("guangdong").folder == ROOT / "templates" / "guangdong"


def test_a_misspelt_variable_names_the_place(taishan, tmp_path):
    import pytest

    from goaldoc.errors import TemplateError

    folder = _copy_region(tmp_path)
    wb = load_workbook(folder / "forms.xlsx")
    wb["部门整体"]["B2"].value = "{{ department.nmae }}"
    wb.save(folder / "forms.xlsx")
    with pytest.raises(TemplateError) as exc:
        render_bytes(taishan, ["xlsx"], templates=tmp_path / "templates")
    assert "部门整体!B2" in exc.value.problems[0].message


def test_a_misspelt_variable_in_word_names_table_row_and_cell(taishan, tmp_path):
    import pytest

    from goaldoc.errors import TemplateError

    folder = _copy_region(tmp_path)
    doc = Document(folder / "forms.docx")
    cell = doc.tables[1].rows[0].cells[1]
    cell.paragraphs[0].runs[0].text = "{{ department.nmae }}"
    doc.save(folder / "forms.docx")
    with pytest.raises(TemplateError) as exc:
        render_bytes(taishan, ["docx"], templates=tmp_path / "templates")
    msg = exc.value.problems[0].message
    assert "没有名为“nmae”的变量或字段" in msg
    assert "第 2 个表格 第 1 行 第 2 列" in msg


def test_a_new_template_folder_ships_with_a_plain_install_without_editing_pyproject(tmp_path):
    """Issue 8 item 5: templates/ is package data by pattern; a wheel built from a tree with
    one more folder carries that folder (no line per region in pyproject.toml)."""
    import subprocess
    import sys
    import zipfile

    tree = tmp_path / "tree"
    for part in ("src", "templates"):
        shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    new = tree / "templates" / "newregion"
    shutil.copytree(ROOT / "templates" / "guangdong", new)
    (new / "images").mkdir()
    (new / "images" / "logo.png").write_bytes(b"png")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "w"), str(tree)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "w").glob("goaldoc-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "goaldoc_templates/" + p.relative_to(tree / "templates").as_posix()
        for p in (tree / "templates").rglob("*")
        if p.is_file()
    }
    assert "goaldoc_templates/newregion/images/logo.png" in expected
    assert expected <= names
