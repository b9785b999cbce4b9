"""Issue 9: the ten samples print as a finance-bureau reviewer accepts them, in both formats
(each file converted once a session: conftest.sample_pdfs, region_pdfs below).

pagecheck.py (a copy of ../shared/tools/pagecheck.py) finds no defect: every page with
indicator rows has the grid's heading, no heading ends a page, the signature block never
stands alone, no amount breaks inside, every page is numbered, no page is left mostly
empty while its form goes on. And every page's number is the right one.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from conftest import SAMPLE_FILES, SAMPLES, convert_all
from goaldoc.api import load, render_bytes
from pdfcheck import page_texts

REGION_FILES = {
    "ezhou": "2022/ezhou.yaml",
    "dongguan": "2022/dongguan.yaml",
    "guangshui": "2021/guangshui.yaml",
    "ningde": "2019/ningde.yaml",
    "wuhu": "2019/wuhu.yaml",
    "handan": "2019/handan.yaml",
}
ALL_FILES = {**SAMPLE_FILES, **REGION_FILES}
CASES = [(stem, fmt) for stem in ALL_FILES for fmt in ("docx", "xlsx")]
# what pagecheck reports and a look at the page shows is right (a heuristic's miss, kept
# visible here rather than shaped away): 邯郸's first table is short, and the next project
# starts on a sheet of its own whose title — cut short in the published excerpt, as the
# sample keeps it — has no 表 in it, so the checker does not see a new form begin
KNOWN = {("handan", "xlsx"): ["2019年邯郸市民政局预算项目绩效目标.xlsx p1: mostly-empty: text ends at 33% of the page"]}  # 27 % before Carlito (issue 20)


@pytest.fixture(scope="module")
def all_pdfs(sample_pdfs, tmp_path_factory):
    regions = {
        (stem, fmt): data
        for stem, rel in REGION_FILES.items()
        for fmt, (_s, data) in render_bytes(load(SAMPLES / rel)).items()
    }
    return {**sample_pdfs, **convert_all(regions, tmp_path_factory.mktemp("regions-pdf"))}


@pytest.mark.parametrize(("stem", "fmt"), CASES)
def test_pagecheck_finds_no_defect(all_pdfs, stem, fmt, tmp_path):
    from pagecheck import check

    pdf = all_pdfs[(stem, fmt)]
    named = tmp_path / f"{render_bytes(load(SAMPLES / ALL_FILES[stem]), [fmt])[fmt][0]}.pdf"
    named.write_bytes(pdf.read_bytes())  # pagecheck names a defect by the file
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        defects = check(SAMPLES / ALL_FILES[stem], [named])
    found = [line.replace(".pdf ", f".{fmt} ") for line in out.getvalue().splitlines()[:-1]]
    assert found == KNOWN.get((stem, fmt), []), out.getvalue()
    assert defects == len(found)


@pytest.mark.parametrize(("stem", "fmt"), CASES)
def test_every_page_carries_its_own_number(all_pdfs, stem, fmt):
    pages = [p for p in page_texts(all_pdfs[(stem, fmt)]) if p.strip()]
    for n, page in enumerate(pages, start=1):
        numbers = re.findall(r"第\s*(\d+)\s*页[，,]?\s*共\s*(\d+)\s*页|-\s*(\d+)\s*-", page)
        assert numbers, f"{stem}.{fmt} p{n}: no page number"
        shown = [(a or c, b) for a, b, c in numbers][-1]
        assert shown[0] == str(n) and shown[1] in ("", str(len(pages))), f"{stem}.{fmt} p{n}: {shown}"
