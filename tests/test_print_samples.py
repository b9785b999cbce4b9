"""Issue 9: the four samples print as a finance-bureau reviewer accepts them, in both formats
(each file converted once a session: conftest.sample_pdfs).

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

from conftest import SAMPLE_FILES, SAMPLES
from pdfcheck import page_texts

CASES = [(stem, fmt) for stem in SAMPLE_FILES for fmt in ("docx", "xlsx")]


@pytest.mark.parametrize(("stem", "fmt"), CASES)
def test_pagecheck_finds_no_defect(sample_pdfs, stem, fmt):
    from pagecheck import check

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        defects = check(SAMPLES / SAMPLE_FILES[stem], [sample_pdfs[(stem, fmt)]])
    assert defects == 0, out.getvalue()


@pytest.mark.parametrize(("stem", "fmt"), CASES)
def test_every_page_carries_its_own_number(sample_pdfs, stem, fmt):
    pages = [p for p in page_texts(sample_pdfs[(stem, fmt)]) if p.strip()]
    for n, page in enumerate(pages, start=1):
        numbers = re.findall(r"第\s*(\d+)\s*页[，,]?\s*共\s*(\d+)\s*页|-\s*(\d+)\s*-", page)
        assert numbers, f"{stem}.{fmt} p{n}: no page number"
        shown = [(a or c, b) for a, b, c in numbers][-1]
        assert shown[0] == str(n) and shown[1] in ("", str(len(pages))), f"{stem}.{fmt} p{n}: {shown}"
