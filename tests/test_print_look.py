"""Issue 20 item 4: the printed page looks like the province's form — one page-number
wording per form, headings that never break inside 万元, amounts aligned on their decimal
point, no double border where two tables meet. Each read off the rendered files."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree
from openpyxl import load_workbook

from conftest import SAMPLES
from goaldoc.api import load, render_bytes
from readback import q

SAMPLE_DATA = sorted(SAMPLES.glob("*/*.yaml"))


def _docx_footer_wording(data: bytes) -> set[str]:
    """Each footer's text with its PAGE / NUMPAGES fields as {page} / {pages}."""
    out = set()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if not re.match(r"word/footer\d*\.xml$", name):
                continue
            root = etree.fromstring(z.read(name))
            text, state = [], "text"
            for el in root.iter(q("t"), q("fldChar"), q("instrText"), q("fldSimple")):
                if el.tag == q("fldSimple"):
                    text.append("{page}" if "NUMPAGES" not in el.get(q("instr"), "") else "{pages}")
                    continue
                if el.tag == q("fldChar"):
                    kind = el.get(q("fldCharType"))
                    state = {"begin": "instr", "separate": "result", "end": "text"}[kind]
                elif el.tag == q("instrText") and state == "instr":
                    text.append("{pages}" if "NUMPAGES" in (el.text or "") else "{page}")
                elif el.tag == q("t") and state == "text" and not any(a.tag == q("fldSimple") for a in el.iterancestors()):
                    text.append(el.text or "")
            wording = "".join("".join(text).split())
            if wording:
                out.add(wording)
    return out


def _xlsx_footer_wording(data: bytes) -> set[str]:
    wb = load_workbook(io.BytesIO(data))
    out = set()
    for ws in wb.worksheets:
        for part in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
            for side in ("left", "center", "right"):
                text = getattr(part, side).text
                if text:
                    out.add("".join(text.replace("&P", "{page}").replace("&N", "{pages}").split()))
    return out


@pytest.mark.parametrize("path", SAMPLE_DATA, ids=lambda p: p.stem)
def test_one_page_number_wording_per_form(path):
    """The .docx printed 第 N 页 共 M 页 and the .xlsx 第 N 页，共 M 页 (高新区: - N - and
    第 N 页，共 M 页): a reviewer holding both sees two forms."""
    files = {fmt: data for fmt, (_s, data) in render_bytes(load(path)).items()}
    word, excel = _docx_footer_wording(files["docx"]), _xlsx_footer_wording(files["xlsx"])
    assert len(word) == 1, word
    assert excel == word


# ------------------------------------------------------------------ 万元 stays whole
@pytest.fixture(scope="module")
def unit_pdfs(tmp_path_factory):
    """taishan, liuzhi and dongguan in both formats, as LibreOffice prints them."""
    from conftest import convert_all

    files = {
        (path.stem, fmt): data
        for path in (SAMPLES / "2024/taishan.yaml", SAMPLES / "2023/liuzhi.yaml", SAMPLES / "2022/dongguan.yaml")
        for fmt, (_s, data) in render_bytes(load(path)).items()
    }
    return convert_all(files, tmp_path_factory.mktemp("units"))


def _line_starts(pdf) -> list[str]:  # type: ignore[no-untyped-def]
    """The first word of every printed line (pdftotext -bbox: one word per line of a cell)."""
    import subprocess

    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    return re.findall(r'<word [^>]*>([^<]*)</word>', html)


@pytest.mark.parametrize("stem", ["taishan", "liuzhi", "dongguan"])
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_headings_never_break_inside_a_unit(unit_pdfs, stem, fmt):
    """预算金额（万元） printed as 预算金额（万 / 元） (taishan p2, liuzhi's 预算资金（万元）,
    dongguan's 本年度申请市财政预算资金（万元）): a label's bracketed unit stays on one line."""
    words = _line_starts(unit_pdfs[(stem, fmt)])
    assert [w for w in words if re.match(r"^[元人个]）", w) or re.search(r"（万$", w)] == []


# ------------------------------------------------------------------ where two tables meet
def _joined(body) -> list:  # type: ignore[no-untyped-def]
    """Tables that follow another table with only an empty paragraph of a few points between
    (the forms draw them as one table)."""
    out = []
    for tbl in body.findall(q("tbl")):
        p = tbl.getprevious()
        if p is None or p.tag != q("p") or "".join(t.text or "" for t in p.iter(q("t"))).strip():
            continue
        if p.find(f"{q('pPr')}/{q('pageBreakBefore')}") is not None or p.getprevious() is None or p.getprevious().tag != q("tbl"):
            continue
        sp = p.find(f"{q('pPr')}/{q('spacing')}")
        sizes = [int(s.get(q("val"))) for s in p.iter(q("sz"))]
        if (sp is not None and sp.get(q("lineRule")) == "exact" and int(sp.get(q("line"))) <= 80) or (sizes and max(sizes) <= 6):
            out.append(tbl)
    return out


@pytest.mark.parametrize("stem", ["taishan", "liuzhi", "gaoxin"])
def test_where_two_tables_meet_one_line_is_drawn(stem):
    """taishan p6 (key tasks above the indicators), liuzhi's project tables, gaoxin: the
    first table's bottom border and the second's top border printed a double line 1 pt
    apart. The second table draws no top line there."""
    from readback import docx_body

    path = next(SAMPLES.glob(f"*/{stem}.yaml"))
    body = docx_body(render_bytes(load(path), ["docx"])["docx"][1]).find(q("body"))
    joined = _joined(body)
    assert joined
    for tbl in joined:
        top = tbl.find(f"{q('tblPr')}/{q('tblBorders')}/{q('top')}")
        assert top is not None and top.get(q("val")) in ("nil", "none")
        for tc in tbl.find(q("tr")).findall(q("tc")):
            cell_top = tc.find(f"{q('tcPr')}/{q('tcBorders')}/{q('top')}")
            assert cell_top is None or cell_top.get(q("val")) in ("nil", "none")


# ------------------------------------------------------------------ amounts on the decimal point
def _words(pdf, page: int) -> list[tuple[float, float, str]]:  # type: ignore[no-untyped-def]
    """(xMin, xMax, word) of one page (1-based)."""
    import subprocess

    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    return [(float(a), float(b), w) for a, b, w in re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_amounts_line_up_on_their_decimal_point(unit_pdfs, fmt):
    """taishan's 部门预算支出 column: 110641.64, 9.87, 2610.83 … and 0 were centred, their
    points anywhere. Printed now, every two-decimal amount ends at the same x, and 0 ends
    left of them by the width of its missing decimals."""
    import subprocess

    pdf = unit_pdfs[("taishan", fmt)]
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode().split("\f")
    page = next(i for i, text in enumerate(pages, start=1) if "部门预算支出" in text)
    words = _words(pdf, page)
    middle = max(x1 for _x0, x1, _w in words) / 2
    left = [(x0, x1, w) for x0, x1, w in words if x1 < middle + 60 and re.fullmatch(r"\d+\.\d\d", w)]
    assert len(left) >= 6, left
    ends = [x1 for _x0, x1, _w in left]
    assert max(ends) - min(ends) <= 1.0, left
    zero = [x1 for x0, x1, w in words if w == "0" and abs(x1 - ends[0]) < 40]
    assert zero and all(ends[0] - 30 < z < ends[0] - 5 for z in zero), (zero, ends[0])


# ------------------------------------------------------------------ one face in a heading
def test_a_heading_in_heiti_prints_its_digits_in_heiti():
    """高新区's cover: 2024年部门预算绩效文本 in 黑体 printed its 2024 in Times New Roman, a
    serif beside a sans. Every run (and heading style) set in 黑体 takes its Latin letters
    and digits from 黑体 too."""
    from readback import docx_body

    data = render_bytes(load(SAMPLES / "2024/gaoxin.yaml"), ["docx"])["docx"][1]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
    mixed = [
        (f.get(q("ascii")), f.get(q("hAnsi")))
        for root in (docx_body(data), styles)
        for f in root.iter(q("rFonts"))
        if f.get(q("eastAsia")) == "黑体" and (f.get(q("ascii")), f.get(q("hAnsi"))) != ("黑体", "黑体")
    ]
    assert mixed == []


# ------------------------------------------------------------------ budget groups (issue 16 item 5)
NESTED = [
    ("合计", "3000", 0),
    ("一、基本支出", "1000", 1),
    ("二、项目支出", "2000", 1),
    ("事业发展性支出", "2000", 2),
    ("财政专项资金", "1500", 3),
    ("其他事业发展性支出", "500", 3),
    ("按预算级次划分", "3000", 1),
    ("市本级使用资金", "2600", 2),
    ("拟用于对下转移支付资金", "400", 2),
]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_guangdong_form_prints_the_budget_groups_the_data_nests(taishan, fmt):
    """Issue 16 item 5: 事业发展性支出 → 财政专项资金 / 其他事业发展性支出 and 按预算级次划分 →
    市本级使用资金 / 拟用于对下转移支付资金 printed as nine lines one under the other, the
    nesting lost on paper. Each level below 一级 is set in by two characters now."""
    from decimal import Decimal

    from goaldoc.api import Loaded
    from goaldoc.model import BudgetLine
    from readback import docx_text, xlsx_book, xlsx_texts

    lines = [BudgetLine(label=label, amount=Decimal(amount), level=level) for label, amount, level in NESTED]
    budget = taishan.model.budget.model_copy(update={"expenditure": lines})
    loaded = Loaded(taishan.model.model_copy(update={"budget": budget}), taishan.lines, "x")
    data = render_bytes(loaded, [fmt])[fmt][1]
    printed = docx_text(data).splitlines() if fmt == "docx" else [str(v) for ws in xlsx_book(data) for v in xlsx_texts(ws)]
    for label, _amount, level in NESTED[1:]:
        assert "\u3000\u3000" * (level - 1) + label in printed, (label, level)
        if level >= 2:
            assert label not in printed  # not flat
