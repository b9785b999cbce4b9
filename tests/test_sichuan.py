"""The Sichuan form (templates/sichuan, FORMATS.md §2.4, issue 4), read back as a user sees it.

The reference is samples/2024/jingyan.yaml, transcribed cell by cell from seed 004: every
cell of the seed must come back in the .docx and the .xlsx, amounts in 元 with thousands
separators, 项目名称 / 预算数 / 年度目标 merged down exactly each project's rows.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest
from docx import Document
from openpyxl import Workbook

from goaldoc import api
from pdfcheck import HAVE_SOFFICE
from readback import (
    W,
    docx_body,
    docx_strictness,
    docx_tables,
    docx_vertical_merges,
    q,
    squash,
    xlsx_book,
    xlsx_column_merges,
    xlsx_logical_book,
    xlsx_shown,
    xlsx_texts,
)

ROOT = Path(__file__).resolve().parents[1]
JINGYAN = ROOT / "samples" / "2024" / "jingyan.yaml"
TAISHAN = ROOT / "samples" / "2024" / "taishan.yaml"
HEADERS = [
    "单位名称",
    "项目名称",
    "预算数",
    "年度目标",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "指标值",
    "度量单位",
    "权重",
    "指标方向性",
]
# Excel rows: 1 title, 2 编制单位 / 金额单位, 3 header, 4 department, 5 unit 307003, 6… projects
XLSX_HEADER_ROW = 3


def yuan(d: Decimal) -> str:
    return f"{d:,.2f}"


@pytest.fixture(scope="module")
def jingyan():
    return api.load(JINGYAN)


@pytest.fixture(scope="module")
def rendered(jingyan):
    out = api.render_bytes(jingyan)
    return {fmt: data for fmt, (_stem, data) in out.items()}


@pytest.fixture(scope="module")
def docx_table(rendered):
    tables = docx_tables(rendered["docx"])
    assert len(tables) == 1, "the Sichuan form is one table"
    return tables[0]


@pytest.fixture(scope="module")
def sheet(rendered):
    wb = xlsx_book(rendered["xlsx"])
    assert len(wb.worksheets) == 1
    return wb.worksheets[0]


@pytest.fixture(scope="module")
def read_sheet(rendered):
    """The sheet as a reader reads it, page breaks aside (labels printed again joined)."""
    return xlsx_logical_book(rendered["xlsx"]).worksheets[0]


def docx_rows(table) -> list[list[str]]:
    return [[squash(c.text) for c in row] for row in table]


def xlsx_rows(ws) -> list[list[str]]:
    """Each row's 12 cells as Excel shows them (numbers by their number format)."""
    return [
        [squash(xlsx_shown(c) or "") for c in row]
        for row in ws.iter_rows(min_col=1, max_col=12)
    ]


def expected_indicator_rows(model) -> list[list[str]]:
    """一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位 | 权重 | 指标方向性 of every seed row, in order."""
    rows = []
    for unit in model.units:
        for p in unit.projects:
            for i in p.indicators:
                rows.append(
                    [
                        i.level1,
                        i.level2,
                        i.name,
                        i.sign or "",
                        i.value or "",
                        i.unit or "",
                        "" if i.weight is None else str(i.weight),
                        i.direction or "",
                    ]
                )
    return [[squash(c) for c in r] for r in rows]


def expected_project_cells(model) -> list[list[str]]:
    return [
        [squash(p.name), yuan(p.budget.total), squash(p.annual_goal or "")]
        for unit in model.units
        for p in unit.projects
    ]


# ------------------------------------------------------------------ every seed cell back


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_every_seed_cell_comes_back_in_order(fmt, jingyan, docx_table, read_sheet):
    rows = docx_rows(docx_table) if fmt == "docx" else xlsx_rows(read_sheet)
    header_at = next(i for i, r in enumerate(rows) if r[:2] == ["单位名称", "项目名称"])
    assert rows[header_at] == HEADERS
    body = rows[header_at + 1 :]
    # the department row and the 下属单位 row, with the code prefix and the total in 元
    assert body[0][:3] == ["307-县人社局部门", "", "1,734,952.06"]
    assert body[0][3:] == [""] * 9
    assert body[1] == ["307003-井研县就业创业促进中心"] + [""] * 11
    # every indicator row, in the order entered (not grouped by 一级)
    assert [r[4:] for r in body[2:]] == expected_indicator_rows(jingyan.model)
    # 项目名称 / 预算数 / 年度目标 on each project's first row
    firsts = [r[1:4] for r in body[2:] if r[1]]
    assert firsts == expected_project_cells(jingyan.model)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_title_unit_line_and_amounts_in_yuan(fmt, rendered, sheet):
    if fmt == "docx":
        body = docx_body(rendered["docx"])
        paragraphs = ["".join(t.text or "" for t in p.iter(q("t"))) for p in body.iter(q("p"))]
        text = "\n".join(paragraphs)
    else:
        text = "\n".join(xlsx_texts(sheet))
    assert "部门预算项目绩效目标表（2024年度）" in text
    assert "金额单位：元" in text
    assert "编制单位（盖章）：井研县人社局" in text
    for amount in ("1,734,952.06", "68,223.40", "928.66", "855,000.00", "12,800.00"):
        assert amount in text


# ------------------------------------------------------------------ merges per project


def project_spans(model, first_row: int) -> list[tuple[int, int]]:
    """(first row, rows) of every project of ≥ 2 rows, the projects starting at first_row."""
    spans, row = [], first_row
    for unit in model.units:
        for p in unit.projects:
            n = max(1, len(p.indicators))
            if n > 1:
                spans.append((row, n))
            row += n
    return spans


def test_docx_project_columns_merge_down_each_project(jingyan, docx_table):
    merges = docx_vertical_merges(docx_table)
    # table rows: 0 header, 1 department, 2 unit, 3… projects
    expected = project_spans(jingyan.model, 3)
    assert len(expected) == 13
    for col in (0, 1, 2, 3):  # (blank) 单位名称, 项目名称, 预算数, 年度目标
        assert merges.get(col) == expected, HEADERS[col]
    assert not any(merges.get(col) for col in range(4, 12)), "indicator cells are never merged"


def test_xlsx_project_columns_merge_down_each_project(jingyan, read_sheet):
    sheet = read_sheet
    expected = project_spans(jingyan.model, XLSX_HEADER_ROW + 3)
    for col in (1, 2, 3, 4):
        assert xlsx_column_merges(sheet, col) == expected, HEADERS[col - 1]
    for col in range(5, 13):
        assert xlsx_column_merges(sheet, col) == []
    # the text sits in the merge's first cell, the others are empty
    for top, n in expected:
        assert sheet.cell(top, 2).value
        assert all(sheet.cell(r, 2).value is None for r in range(top + 1, top + n))


# ------------------------------------------------------------------ page setup


def test_xlsx_print_setup(sheet):
    ps = sheet.page_setup
    assert sheet.print_title_rows == f"${XLSX_HEADER_ROW}:${XLSX_HEADER_ROW}"
    assert ps.orientation == "landscape"
    assert int(ps.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(ps.fitToWidth) == 1
    assert int(ps.fitToHeight) == 0  # as many pages high as needed
    assert squash(str(sheet.cell(XLSX_HEADER_ROW, 1).value)) == "单位名称"


def test_docx_landscape_strict_and_header_repeats(rendered, docx_table):
    data = rendered["docx"]
    assert docx_strictness(data) == []
    body = docx_body(data)
    sections = list(body.iter(q("sectPr")))
    assert len(sections) == 1, "one section: the whole form is landscape"
    sect = sections[0]
    size = sect.find(q("pgSz"))
    assert size.get(q("orient")) == "landscape"
    width, height = int(size.get(q("w"))), int(size.get(q("h")))
    assert (width, height) == (16838, 11906)  # A4 landscape, twips
    margins = sect.find(q("pgMar"))
    usable = width - int(margins.get(q("left"))) - int(margins.get(q("right")))
    tbl = next(body.iter(q("tbl")))
    grid = sum(int(g.get(q("w"))) for g in tbl.find(q("tblGrid")))
    assert grid <= usable, "the table fits the page width"
    rows = tbl.findall(q("tr"))
    assert rows[0].find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None
    assert all(r.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is None for r in rows[1:])
    assert Document(io.BytesIO(data)).sections[0].orientation == 1  # WD_ORIENT.LANDSCAPE


# ------------------------------------------------------------------ 万元 ⇄ 元


def test_taishan_in_wanyuan_renders_in_yuan_through_sichuan():
    """taishan keeps its amounts in 万元: the 合计 110641.64 万元 prints as 1,106,416,400.00 元."""
    out = api.render_bytes(api.load(TAISHAN), form="sichuan")
    table = docx_tables(out["docx"][1])[0]
    rows = docx_rows(table)
    assert rows[1][:3] == ["台山市人力资源和社会保障局", "", "1,106,416,400.00"]
    assert rows[2][1:3] == ["台山市人力资源和社会保障局（部门整体）", "1,106,416,400.00"]
    ws = xlsx_book(out["xlsx"][1]).worksheets[0]
    assert "1,106,416,400.00" in xlsx_texts(ws)


def probe_form(tmp_path: Path, unit: str, style: str, cells: list[str]) -> Path:
    """A one-sheet form in a user template folder, printing ``cells`` one per row."""
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "form.yaml").write_text(
        dedent(
            f"""\
            contract: 1
            title: probe
            xlsx: probe.xlsx
            amount_style: {style}
            amount_unit: {unit}
            sheets:
              - template: probe
                name: probe
            """
        ),
        encoding="utf-8",
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "probe"
    for i, cell in enumerate(cells, start=1):
        ws.cell(i, 1, cell)
    wb.save(folder / "probe.xlsx")
    return tmp_path


def probe_texts(tmp_path: Path, sample: Path, unit: str, style: str, cells: list[str]) -> list[str]:
    """What ``sample`` prints through a probe form (see probe_form)."""
    templates = probe_form(tmp_path, unit, style, cells)
    out = api.render_bytes(api.load(sample), ["xlsx"], form="probe", templates=templates)
    return xlsx_texts(xlsx_book(out["xlsx"][1]).worksheets[0])


def test_key_task_funds_in_wanyuan_times_10000_in_a_yuan_form(tmp_path):
    texts = probe_texts(
        tmp_path,
        TAISHAN,
        "元",
        "yuan",
        [
            "{%tr for t in key_tasks + other_tasks %}",
            "{{ t.funds | amount(budget.unit) }}",
            "{%tr endfor %}",
        ],
    )
    assert texts == [
        "3,500,000.00",
        "18,000,000.00",
        "53,500,000.00",
        "300,300.00",
        "4,500,000.00",
        "114,342,300.00",
        "2,100,000.00",
        "165,000.00",
        "58,900.00",
        "20,269,325.00",
        "800,000.00",
    ]


def test_yuan_department_into_a_wanyuan_form_is_exact(tmp_path):
    """And back: jingyan's 元 amounts through a 万元 form, shifted by four places, never rounded."""
    texts = probe_texts(
        tmp_path,
        JINGYAN,
        "万元",
        "as_typed",
        [
            "{{ department.total | amount(budget.unit) }}",
            "{%tr for p in projects %}",
            "{{ p.budget.total | amount(p.budget.unit) }}",
            "{%tr endfor %}",
        ],
    )
    assert texts[:3] == ["173.495206", "5", "1.28"]
    assert "6.82234" in texts and "0.092866" in texts


# ------------------------------------------------------------------ other data in this form


def test_one_string_values_are_split_into_three_cells():
    """taishan types 指标值 as one string (≥260 件): Sichuan prints sign | value | unit."""
    out = api.render_bytes(api.load(TAISHAN), ["docx"], form="sichuan")
    rows = docx_rows(docx_tables(out["docx"][1])[0])
    by_name = {r[6]: r[7:10] for r in rows[2:]}
    assert by_name["受理仲裁案件数量"] == ["≥", "260", "件"]
    assert by_name["电梯可供使用次数"] == ["", "32000", "次/年"]
    assert by_name["城镇新增就业人数"] == ["≥", "4900", "人"]
    assert by_name["补助标准"][1].startswith("生态镇3000元/人")  # a sentence stays whole
    assert len(rows) == 2 + len(api.load(TAISHAN).model.indicators)


SUBUNITS = """\
year: 2025
form: sichuan
department: {name: 某县教育局, code: "401", short_name: 县教育局部门, total: 300}
budget: {unit: 万元}
projects:
  - name: 局机关运转
    budget: {unit: 万元, total: 100}
    annual_goal: 保障机关正常运转
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 保障人数, value: "≥ 30 人", weight: 50}
      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, sign: ≥, value: "90", unit: "%", weight: 50}
units:
  - code: "401001"
    name: 县第一中学
    total: 150
    projects:
      - name: 校舍维修
        budget: {unit: 万元, total: 120.5}
        indicators:
          - {level1: 产出指标, level2: 质量指标, name: 验收合格率, sign: "=", value: "100", unit: "%"}
          - {level1: 产出指标, level2: 数量指标, name: 维修面积, value: 1200平方米}
          - {level1: 效益指标, level2: 社会效益指标, name: 安全隐患, sign: 定性, value: 消除}
      - name: 新建项目暂无指标
        budget: {unit: 元, total: 295000}
  - name: 县第二中学
    projects:
      - name: 食堂改造
        budget: {total: 50}
        indicators:
          - {level1: 产出指标, level2: 时效指标, name: 完工时间, value: 2025年8月底前}
"""


@pytest.fixture(scope="module")
def subunits():
    return api.loads(SUBUNITS)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_subunits_with_their_own_projects(fmt, subunits):
    out = api.render_bytes(subunits, [fmt])[fmt][1]
    if fmt == "docx":
        rows = docx_rows(docx_tables(out)[0])[1:]
    else:
        rows = xlsx_rows(xlsx_book(out).worksheets[0])[XLSX_HEADER_ROW:]
    assert [r[:4] for r in rows] == [
        ["401-县教育局部门", "", "3,000,000.00", ""],
        ["", "局机关运转", "1,000,000.00", "保障机关正常运转"],
        ["", "", "", ""],
        ["401001-县第一中学", "", "1,500,000.00", ""],
        ["", "校舍维修", "1,205,000.00", ""],
        ["", "", "", ""],
        ["", "", "", ""],
        ["", "新建项目暂无指标", "295,000.00", ""],  # no indicator: still one row
        ["县第二中学", "", "", ""],  # no code, no total
        ["", "食堂改造", "500,000.00", ""],
    ]
    assert rows[1][4:] == ["产出指标", "数量指标", "保障人数", "≥", "30", "人", "50", ""]
    assert rows[5][7:10] == ["", "1200", "平方米"]
    assert rows[6][7:10] == ["定性", "消除", ""]
    assert rows[7][4:] == [""] * 8
    assert rows[9][7:10] == ["定性", "2025年8月底前", ""]


def test_only_prints_the_chosen_project_under_its_unit(subunits):
    out = api.render_bytes(subunits, ["xlsx"], only=["校舍维修"])
    rows = xlsx_rows(xlsx_book(out["xlsx"][1]).worksheets[0])[XLSX_HEADER_ROW:]
    assert [r[:2] for r in rows] == [
        ["401-县教育局部门", ""],
        ["401001-县第一中学", ""],
        ["", "校舍维修"],
        ["", ""],
        ["", ""],
    ]


def test_a_department_with_nothing_but_its_name_renders():
    bare = api.loads("year: 2024\nform: sichuan\ndepartment: {name: 空部门}\n")
    out = api.render_bytes(bare)
    assert docx_rows(docx_tables(out["docx"][1])[0])[1] == ["空部门"] + [""] * 11
    assert "空部门" in xlsx_texts(xlsx_book(out["xlsx"][1]).worksheets[0])


# ------------------------------------------------------------------ LibreOffice → PDF

needs_office = pytest.mark.skipif(
    not (HAVE_SOFFICE and shutil.which("pdfinfo")),
    reason="LibreOffice and poppler-utils are needed to print the forms",
)


def pdf_text(pdf: Path) -> str:
    # not pdfcheck's pieces / page_texts: those read with -layout, line by line across a
    # table row, so a wrapped cell's lines come apart; -raw keeps the content-stream order,
    # in which a cell's lines stay together
    return subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def _whole_or_continued(text: str, pages: list[str]) -> bool:
    """``text`` is on one page, or its first part ends one page and the rest is on the next."""
    if any(text in page for page in pages):
        return True
    for page, nxt in zip(pages, pages[1:], strict=False):
        for cut in range(10, len(text) - 5):
            if text[:cut] in page and text[cut:] in nxt:
                return True
    return False


def pdf_pages(pdf: Path) -> tuple[int, str]:
    """Page count and page size, from pdfinfo (pdfcheck has no such reader)."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    size = re.search(r"Page size:\s+(.*)", info).group(1)
    return pages, size


@pytest.fixture(scope="module")
def printed(sample_pdfs):
    return {fmt: sample_pdfs[("jingyan", fmt)] for fmt in ("docx", "xlsx")}


@needs_office
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_printed_pdf_shows_every_long_text_whole(fmt, printed, jingyan, sheet):
    pdf = printed[fmt]
    pages, size = pdf_pages(pdf)
    assert size.startswith("841.") and "x 595." in size, f"A4 landscape expected, got {size}"
    text = squash(pdf_text(pdf))
    # the header row repeats on every page (print titles / tblHeader)
    assert text.count(squash("单位名称项目名称预算数年度目标")) == pages
    projects = [p for u in jingyan.model.units for p in u.projects]
    cut = [p.name for p in projects if squash(p.name) not in text]
    # a 年度目标 is whole on a page, or (longer than a quarter of a page) continues on the next one
    by_page = [squash(t) for t in pdf_text(pdf).split("\f")]
    cut += [p.annual_goal[:20] for p in projects if not _whole_or_continued(squash(p.annual_goal or ""), by_page)]
    if fmt == "xlsx":
        assert sheet.row_breaks.brk, "page breaks keep each project's merged rows on one page"
    assert cut == [], "texts cut by a page break or clipped"
    for amount in ("1,734,952.06", "68,223.40", "928.66"):
        assert amount in text
