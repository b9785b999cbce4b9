"""Templates saved by an office application keep everything the admin set (issue 8 item 4).

The templates in tests/fixtures/office were saved by LibreOffice (``make.py`` there says
how), not drawn by openpyxl / python-docx: their XML is what admins' files look like.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from conftest import ROOT
from goaldoc.api import render_bytes
from goaldoc.indicators import group_indicators, indicator_rows, merge_spans
from readback import (
    XLSX_NS,
    docx_body,
    docx_strictness,
    docx_tables,
    docx_text,
    docx_vertical_merges,
    q,
    xlsx_book,
    xlsx_cell_borders,
    xlsx_column_merges,
    xlsx_logical_book,
    xlsx_row_of,
    xlsx_sheet_xml,
    xlsx_shown,
)

OFFICE = ROOT / "tests" / "fixtures" / "office"
TEMPLATE_XLSX = OFFICE / "libreoffice" / "forms.xlsx"
SHEET = "台山市人力资源和社会保障局"  # form.yaml names the sheet after the department


def _application(path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("docProps/app.xml").decode("utf-8")


def _media(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [z.read(n) for n in sorted(z.namelist()) if n.startswith("xl/media/")]


@pytest.fixture(scope="module")
def xlsx(taishan) -> bytes:
    return render_bytes(taishan, ["xlsx"], form="libreoffice", templates=OFFICE)["xlsx"][1]


@pytest.fixture(scope="module")
def ws(xlsx):
    return xlsx_book(xlsx)[SHEET]


@pytest.fixture(scope="module")
def rows(ws, taishan):
    """Output rows of the form's parts: budget lines, indicator rows, the last lines."""
    budget_first = xlsx_row_of(ws, 2, "合计")
    heading = xlsx_row_of(ws, 1, "一级指标")
    n_budget = len(taishan.model.budget.expenditure)
    n_ind = heading + 1
    last_ind = xlsx_row_of(ws, 1, "财政供养人员数") - 1
    return {
        "budget": (budget_first, budget_first + n_budget - 1),
        "heading": heading,
        "indicators": (n_ind, last_ind),
        "staff": last_ind + 1,
        "unit_line": last_ind + 2,
    }


def test_the_excel_fixture_is_office_saved_and_holds_what_an_admin_sets():
    assert "LibreOffice" in _application(TEMPLATE_XLSX)
    sheet = xlsx_sheet_xml(TEMPLATE_XLSX.read_bytes())
    cols = [(c.get("min"), c.get("max")) for c in sheet.iterfind("m:cols/m:col", XLSX_NS)]
    assert ("2", "3") in cols  # equal columns saved as one range
    names = {etree_name(el) for el in sheet}
    assert {"conditionalFormatting", "dataValidations", "headerFooter", "rowBreaks", "drawing"} <= names
    assert sheet.find("m:sheetViews/m:sheetView/m:pane", XLSX_NS).get("state") == "frozen"


def etree_name(el) -> str:
    return el.tag.rpartition("}")[2]


def test_nothing_of_the_template_sheet_is_dropped(xlsx):
    """Every part of the template's sheet XML is in the output's (openpyxl reads no more
    than these, and the renderer carries each over)."""
    template = {etree_name(el) for el in xlsx_sheet_xml(TEMPLATE_XLSX.read_bytes())}
    output = {etree_name(el) for el in xlsx_sheet_xml(xlsx)}
    assert template - output == set()


def test_column_widths_ranges_and_hidden_columns(xlsx):
    cols = [
        (int(c.get("min")), int(c.get("max")), float(c.get("width")), c.get("hidden") in ("1", "true"))
        for c in xlsx_sheet_xml(xlsx).iterfind("m:cols/m:col", XLSX_NS)
    ]
    # B:C stay one range of width 20 (they came out at 13 when copied column by column)
    assert cols == [(1, 1, 6.0, False), (2, 3, 20.0, False), (4, 4, 14.0, False), (5, 5, 9.0, False), (6, 6, 12.0, True)]


def test_freeze_panes_and_view_follow_the_rows(ws, rows):
    first = rows["indicators"][0]
    assert ws.freeze_panes == f"A{first}"  # the template froze above its indicator rows (A7)
    view = ws.sheet_view
    assert view.pane.ySplit == first - 1 and view.pane.state == "frozen"
    assert view.zoomScale == 85 and view.showGridLines is False
    assert view.tabSelected
    assert ws.sheet_properties.tabColor.rgb == "FFC00000"


def test_image_moves_with_its_row(xlsx, ws, rows):
    (img,) = ws._images
    anchor = img.anchor._from
    assert (anchor.col, anchor.row + 1) == (3, rows["unit_line"])  # D of the 编制单位 line
    assert _media(xlsx) == _media(TEMPLATE_XLSX.read_bytes())


def test_validations_cover_the_rows_made_from_their_template_rows(ws, rows):
    first, last = rows["indicators"]
    by_type = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert str(by_type["list"].sqref) == f"E{first}:E{last}"
    assert by_type["list"].formula1 == '"是,否"'
    assert by_type["list"].error == "请选“是”或“否”"
    assert str(by_type["whole"].sqref) == f"B{rows['staff']}"
    assert (by_type["whole"].formula1, by_type["whole"].formula2) == ("0", "100000")


def test_conditional_formats_follow_the_rows_with_their_formulas(ws, rows):
    b1, b2 = rows["budget"]
    i1, i2 = rows["indicators"]
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    assert set(rules) == {f"C{b1}:C{b2}", f"C{i1}:C{i2}"}
    (more,) = rules[f"C{b1}:C{b2}"]
    assert (more.type, more.operator, more.formula) == ("cellIs", "greaterThan", ["1000"])
    assert more.dxf.fill.bgColor.rgb == "FFFFC7CE"  # a format's fill colour is its bgColor
    (long_name,) = rules[f"C{i1}:C{i2}"]
    assert long_name.formula == [f"LEN(C{i1})>8"]  # relative to the range's first cell
    assert long_name.dxf.font.color.rgb == "FFFF0000"


def test_headers_footers_page_setup_and_print_ranges(ws, rows):
    hf = ws.HeaderFooter
    assert hf.differentFirst and hf.differentOddEven
    assert hf.firstHeader.center.text == "首页页眉" and hf.firstFooter.center.text == "首页页脚"
    assert hf.oddHeader.center.text == "奇数页页眉" and hf.evenHeader.center.text == "偶数页页眉"
    assert hf.oddFooter.center.text == "第 &P 页" and hf.evenFooter.center.text == "第 &P 页（偶数页）"
    m = ws.page_margins
    assert (m.left, m.right, m.top, m.bottom, m.header, m.footer) == (0.5, 0.4, 0.9, 0.8, 0.3, 0.25)
    ps = ws.page_setup
    assert (ps.orientation, int(ps.paperSize), ps.fitToWidth, ps.fitToHeight) == ("landscape", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_options.horizontalCentered
    heading = rows["heading"]
    assert ws.print_title_rows == f"${heading}:${heading}"
    assert ws.print_area == f"'{SHEET}'!$A$1:$E${rows['unit_line']}"  # the template's A1:E11


def test_manual_breaks_are_remapped_and_kept(ws, rows):
    breaks = [b.id for b in ws.row_breaks.brk]
    assert rows["budget"][1] in breaks  # the template's break after its budget lines
    assert len(breaks) == len(set(breaks))
    assert [b.id for b in ws.col_breaks.brk] == [3]


def test_office_saved_template_still_merges_borders_and_numbers(xlsx, ws, rows, taishan):
    first, last = rows["indicators"]
    ind = indicator_rows(group_indicators(taishan.model.indicators, "stable"))
    read = xlsx_logical_book(xlsx)[SHEET]  # page breaks aside: the headings printed again left out
    last_read = xlsx_row_of(read, 1, "财政供养人员数") - 1
    assert last_read - first + 1 == len(ind)
    level1 = xlsx_column_merges(read, 1, first)
    assert level1 == [(s + first, n) for s, n in merge_spans([r.level1.merge_key for r in ind])]
    assert xlsx_column_merges(read, 2, first) == [(s + first, n) for s, n in merge_spans([r.level2.merge_key for r in ind])]
    boxed = xlsx_cell_borders(xlsx, SHEET)
    for top, n in xlsx_column_merges(ws, 1, first):  # every part of every merge, as printed
        assert all(boxed[f"A{r}"] for r in range(top, top + n))
    b1, b2 = rows["budget"]
    amounts = [ws.cell(r, 3) for r in range(b1, b2 + 1)]
    assert all(isinstance(c.value, float | int) for c in amounts)
    typed = [format(line.amount, "f") for line in taishan.model.budget.expenditure]
    assert [xlsx_shown(c) for c in amounts] == typed
    assert [ws.cell(r, 1).value for r in range(b1, b2 + 1)] == list(range(1, b2 - b1 + 2))  # loop.index
    assert ws.cell(rows["staff"], 2).value == 269 and ws.cell(rows["staff"], 4).value == 2024


# ------------------------------------------------------------------ Word


def test_the_word_fixtures_have_office_habits():
    lo = OFFICE / "libreoffice" / "forms.docx"
    word = OFFICE / "wordlike" / "forms.docx"
    assert "LibreOffice" in _application(lo) and "LibreOffice" in _application(word)
    body = docx_body(word)
    rows = list(body.iter(q("tr")))
    assert any(tr.find(q("trPr")) is None for tr in rows)
    assert any(tc.find(q("tcPr")) is not None and tc.find(q("tcPr")).find(q("tcW")) is None for tc in body.iter(q("tc")))
    assert any(el is not None for el in (tr.find(f"{q('trPr')}/{q('gridBefore')}") for tr in rows))
    # what Word would object to, before goaldoc's strictness pass
    problems = docx_strictness(word)
    assert any("no cantSplit" in p for p in problems)
    assert any("tcW differs" in p for p in problems)
    assert any("wBefore differs" in p for p in problems)


@pytest.mark.parametrize("form", ["libreoffice", "wordlike"])
def test_office_saved_word_templates_render_strict(taishan, form):
    data = render_bytes(taishan, ["docx"], form=form, templates=OFFICE)["docx"][1]
    assert docx_strictness(data) == []
    text = docx_text(data)
    assert "台山市人力资源和社会保障局预算绩效目标表" in text
    assert "110641.64" in text and "269" in text
    (grid,) = docx_tables(data)
    rows = indicator_rows(group_indicators(taishan.model.indicators, "stable"))
    assert len(grid) == 3 + len(rows) + 1  # 3 rows above the loop, one per indicator, signature
    merges = docx_vertical_merges(grid)
    assert merges[0] == [(s + 3, n) for s, n in merge_spans([r.level1.merge_key for r in rows])]
    assert merges[1] == [(s + 3, n) for s, n in merge_spans([r.level2.merge_key for r in rows])]
    signature = grid[-1]
    if form == "wordlike":  # gridBefore / gridAfter kept, cells in grid columns 1 and 2
        assert [(c.col, c.text) for c in signature] == [(1, "单位负责人：＿＿＿＿＿＿＿＿"), (2, "联系电话：＿＿＿＿＿＿＿＿")]
    else:
        assert [c.text for c in signature][1:3] == ["单位负责人：＿＿＿＿＿＿＿＿", "联系电话：＿＿＿＿＿＿＿＿"]


def test_one_template_sheet_for_several_output_sheets(taishan, tmp_path):
    """Each output sheet made from the same template sheet gets its own copy of the image,
    validations and formats; only the first is selected (several would open grouped)."""
    import shutil

    folder = tmp_path / "twice"
    shutil.copytree(OFFICE / "libreoffice", folder)
    spec = (folder / "form.yaml").read_text(encoding="utf-8")
    spec = spec.replace('  - template: 表\n    name: "{{ department.name }}"\n', "  - template: 表\n    name: 甲\n  - template: 表\n    name: 乙\n")
    (folder / "form.yaml").write_text(spec, encoding="utf-8")
    data = render_bytes(taishan, ["xlsx"], form="twice", templates=tmp_path)["xlsx"][1]
    wb = xlsx_book(data)
    assert wb.sheetnames == ["甲", "乙"]
    assert [len(ws._images) for ws in wb] == [1, 1]
    assert _media(data) == _media(TEMPLATE_XLSX.read_bytes()) * 2
    assert [len(ws.data_validations.dataValidation) for ws in wb] == [2, 2]
    assert [len(ws.conditional_formatting) for ws in wb] == [2, 2]
    assert [bool(ws.sheet_view.tabSelected) for ws in wb] == [True, False]
