"""Issue 2: LibreOffice prints what a clerk would print; nothing is clipped or overlapped.

CI installs LibreOffice and poppler (tools/install-system-deps.sh), so these run there.
"""

from __future__ import annotations

import pytest

from pdfcheck import HAVE_SOFFICE, appears_whole, overlapping_words, page_texts, pieces

pytestmark = pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice/poppler not installed: run make deps")


@pytest.fixture(scope="module")
def pdfs(sample_pdfs):
    return {fmt: sample_pdfs[("taishan", fmt)] for fmt in ("docx", "xlsx")}


def _long_texts(model):
    texts = list(model.goals)
    for t in model.key_tasks + model.other_tasks:
        texts += [t.name, t.content, t.target]
    for i in model.indicators:
        texts += [i.name, i.explanation, i.value or ""]
    return [t for t in texts if len("".join(t.split())) >= 8]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_long_cells_appear_whole(pdfs, taishan, fmt):
    segs = pieces(pdfs[fmt])
    texts = _long_texts(taishan.model)
    assert len(texts) > 100
    assert [t for t in texts if not appears_whole(t, segs)] == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_no_text_is_clipped_or_overlapping(pdfs, fmt):
    assert overlapping_words(pdfs[fmt]) == []


def test_indicator_header_repeats_on_every_page_of_the_grid(pdfs):
    pages = [p for p in page_texts(pdfs["docx"]) if p.strip()]
    grid_pages = [p for p in pages if "产出指标" in p or "满意度指标" in p or "指标解释" in p]
    assert len(grid_pages) >= 2
    for page in grid_pages:
        assert appears_whole("一级指标", page.split()) and appears_whole("指标解释", page.split())


def test_signature_block_is_whole_on_one_page(pdfs):
    last = [p for p in page_texts(pdfs["docx"]) if p.strip()][-1]
    for label in ("编制单位（盖章）", "单位负责人", "财务负责人", "经办人", "联系电话", "填报日期"):
        assert label in last


def test_contents_page_comes_first_with_the_pages_it_counted(pdfs):
    pages = [p for p in page_texts(pdfs["docx"]) if p.strip()]
    assert "目录" in pages[0] and f"2-{len(pages)}" in pages[0]  # the form: page 2 to the last
    assert "2024年台山市部门整体预算绩效目标批复表" in "".join(pages[1].split())


def test_excel_title_repeats_on_every_printed_page(pdfs):
    pages = [p for p in page_texts(pdfs["xlsx"]) if p.strip()]
    body = [p for p in pages if "目录" not in p]
    assert len(body) >= 2
    assert all("2024年台山市部门整体预算绩效目标批复表" in "".join(p.split()) for p in body)
