"""Issue 9, one rule at a time, each on a case built for it and read off the printed PDF
(LibreOffice; each file converted once for the module).

* the signature block after 9 more 满意度 rows stays with the last rows of its table, and the
  目录's pages are computed (a clerk's copy with no pages typed) and are the PDF's pages;
* a 12-digit amount in the 资金 column prints on one line;
* a 10,000-character goal prints whole: Word lets its row run over pages, Excel continues it
  in rows of at most 409 points;
* a 一级 group longer than a page prints its 一级 / 二级 labels again on every page;
* a heading that would land at the foot of a page moves to the next page with its rows;
* a template without a footer gets page numbers.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, convert_all
from goaldoc.api import Loaded, render_bytes
from pdfcheck import HAVE_SOFFICE, overlapping_words, page_texts, pieces
from readback import docx_body, is_on, is_page_separator, q, squash, xlsx_book, xlsx_logical_book

pytestmark = pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice/poppler not installed: run make deps")

TITLE = "2024年台山市部门整体预算绩效目标批复表"
BIG = Decimal("123456789012.34")
GOAL = "".join(f"第{i}条：进一步实施人才发展战略，广泛吸纳各方面人才，加速经济和社会事业发展。" for i in range(1, 300))[:10000]


def _variant(taishan, **update) -> Loaded:
    return Loaded(taishan.model.model_copy(update=update), taishan.lines, "x")


def _more_satisfaction(taishan, n: int) -> list:
    inds = list(taishan.model.indicators)
    last = next(i for i in reversed(inds) if i.level1 == "满意度指标")
    return inds + [last.model_copy(update={"name": f"新增满意度调查{k}"}) for k in range(1, n + 1)]


def _big_group(taishan, n: int) -> list:
    first = taishan.model.indicators[0]
    return [first.model_copy(update={"name": f"产出数量{k}", "explanation": "预算年度内完成的数量"}) for k in range(n)]


@pytest.fixture(scope="module")
def cases(taishan):
    """The cases' files, rendered once: {case: {format: bytes}}."""
    contents = [c.model_copy(update={"pages": None}) for c in taishan.model.contents]
    tasks = list(taishan.model.key_tasks)
    tasks[0] = tasks[0].model_copy(update={"funds": BIG})
    made = {
        "signature": _variant(taishan, indicators=_more_satisfaction(taishan, 9), contents=contents, key_tasks=tasks),
        "goal": _variant(taishan, goals=[GOAL]),
        "group": _variant(taishan, indicators=_big_group(taishan, 70)),
    }
    return {case: {fmt: data for fmt, (_s, data) in render_bytes(loaded).items()} for case, loaded in made.items()}


@pytest.fixture(scope="module")
def printed(cases, tmp_path_factory):
    files = {(case, fmt): data for case, per in cases.items() for fmt, data in per.items()}
    return convert_all(files, tmp_path_factory.mktemp("rules"))


def in_order(text: str, words: list[str]) -> int:
    """How much of ``text`` the PDF's words spell out in order (other words may come between:
    a label, a page's footer and heading): all of it when nothing is lost or cut."""
    text = squash(text)
    best = 0
    for start, first in enumerate(words):
        if not first or not text.startswith(first):
            continue
        at = 0
        for w in words[start:]:
            if at < len(text) and text.startswith(w, at):
                at += len(w)
        best = max(best, at)
        if best == len(text):
            break
    return best


def _pages(pdf: Path) -> list[str]:
    return [squash(p) for p in page_texts(pdf) if p.strip()]


def _body(page: str) -> str:
    """A page's text without its footer (the page number)."""
    return re.sub(r"第\d+页[，,]?共\d+页", "", page)


# ------------------------------------------------------------------ signature, 目录, 12 digits
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_signature_block_stays_with_the_last_rows_of_its_table(printed, taishan, fmt):
    pages = _pages(printed[("signature", fmt)])
    last = pages[-1]
    assert "单位负责人" in last and "财务负责人" in last and "经办人" in last
    rows = [f"新增满意度调查{k}" for k in range(1, 10)] + [i.name for i in taishan.model.indicators]
    assert sum(squash(r) in last for r in rows) >= 2, "the signature block on a page of its own"
    assert all("单位负责人" not in p for p in pages[:-1])  # and whole, on that page


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_contents_pages_are_the_pages_the_form_prints_on(printed, fmt):
    pages = _pages(printed[("signature", fmt)])
    assert "目录" in pages[0]
    listed = re.search(r"批复表(\d+)-(\d+)第1页", pages[0])
    assert listed, pages[0][:200]
    first, last = int(listed.group(1)), int(listed.group(2))
    assert (first, last) == (2, len(pages))
    assert pages[first - 1].startswith(squash(TITLE))  # the form starts on the page the 目录 says


def test_contents_fields_hold_the_numbers_libreoffice_prints(cases, printed):
    body = docx_body(cases["signature"]["docx"])
    instr = [t.text for t in body.iter(q("instrText"))]
    assert [i.split()[:2] for i in instr if "PAGEREF" in i] == [["PAGEREF", "_GoaldocForm1"], ["PAGEREF", "_GoaldocFormEnd1"]]
    marks = {b.get(q("name")) for b in body.iter(q("bookmarkStart"))}
    assert {"_GoaldocForm1", "_GoaldocFormEnd1"} <= marks
    # the values printed by Word and WPS (the fields' last results) are LibreOffice's
    results = []
    for p in body.iter(q("p")):
        runs = list(p.iter(q("r")))
        inside = False
        for r in runs:
            ch = r.find(q("fldChar"))
            if ch is not None:
                inside = ch.get(q("fldCharType")) == "separate"
                continue
            if inside and r.find(q("t")) is not None:
                results.append(r.find(q("t")).text)
    assert results == ["2", str(len(_pages(printed[("signature", "docx")])))]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_12_digit_amount_prints_on_one_line(printed, fmt):
    text = page_texts(printed[("signature", fmt)])
    lines = [line for page in text for line in page.splitlines()]
    assert any("123456789012.34" in line for line in lines), "the amount broke inside"
    assert "###" not in "".join(lines)


# ------------------------------------------------------------------ a 10,000-character goal
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_10000_character_goal_prints_whole_and_nothing_overlaps(printed, fmt):
    pdf = printed[("goal", fmt)]
    assert in_order(GOAL, pieces(pdf)) == len(squash(GOAL))
    assert overlapping_words(pdf) == []


def test_excel_rows_stay_within_409_points(cases):
    ws = xlsx_book(cases["goal"]["xlsx"])["部门整体预算绩效目标批复表"]
    assert max(d.height for d in ws.row_dimensions.values() if d.height) <= 409
    read = xlsx_logical_book(cases["goal"]["xlsx"])["部门整体预算绩效目标批复表"]  # page breaks aside
    (label,) = [m for m in read.merged_cells.ranges if m.min_col == 1 and read.cell(m.min_row, 1).value == "总体绩效目标"]
    rows = range(label.min_row, label.max_row + 1)
    assert len(rows) > 1  # the goal continues in the rows below its first, its label merged beside them
    # the parts are marked as a long label's rest (issue 20): a reader joins them into the first
    assert "".join(read.cell(r, 2).value or "" for r in rows) == GOAL


def test_word_lets_only_a_row_taller_than_a_page_split(cases):
    body = docx_body(cases["goal"]["docx"])
    splittable = [
        tr
        for tr in body.iter(q("tr"))
        if tr.find(q("trPr")) is None or not is_on(tr.find(q("trPr")).find(q("cantSplit")))
    ]
    assert len(splittable) == 1
    assert squash(GOAL[:50]) in squash("".join(t.text or "" for t in splittable[0].iter(q("t"))))


# ------------------------------------------------------------------ labels printed again
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_group_longer_than_a_page_prints_its_labels_on_every_page(printed, fmt):
    pages = [p for p in _pages(printed[("group", fmt)]) if "产出数量" in p]
    assert len(pages) >= 2
    for page in pages:
        assert "产出指标" in page and "数量指标" in page  # 一级 and 二级 printed again
        assert "一级指标" in page  # and the grid's heading


# ------------------------------------------------------------------ a heading at a page foot
def _other_tasks(taishan, n: int) -> list:
    task = taishan.model.other_tasks[0]
    return [task.model_copy(update={"name": f"任务{k}", "content": "按计划完成", "target": "完成", "funds": Decimal(1)}) for k in range(n)]


def _grid_moved_whole(data: bytes, fmt: str) -> bool:
    """The grid's heading starts a page the model chose (it would have ended the page before)."""
    if fmt == "docx":
        body = docx_body(data).find(q("body"))
        for tbl in body.findall(q("tbl")):
            first = tbl.find(q("tr"))
            if "一级指标" in "".join(t.text or "" for t in first.iter(q("t"))):
                prev = tbl.getprevious()
                return prev is not None and is_page_separator(prev)
        return False
    ws = xlsx_book(data)["部门整体预算绩效目标批复表"]
    head = next(c.row for c in ws["B"] if c.value == "一级指标")
    return head - 1 in {b.id for b in ws.row_breaks.brk}


@pytest.fixture(scope="module")
def heading_cases(taishan):
    """For each format, a copy whose grid heading would land at the foot of a page: as many
    short 其他任务 rows added as it takes."""
    found = {}
    for n in range(1, 30):
        out = render_bytes(_variant(taishan, other_tasks=_other_tasks(taishan, n)))
        for fmt, (_s, data) in out.items():
            if fmt not in found and _grid_moved_whole(data, fmt):
                found[fmt] = (n, data)
        if len(found) == 2:
            return found
    raise AssertionError(f"no case found for {set(('docx', 'xlsx')) - set(found)}")


@pytest.fixture(scope="module")
def heading_pdfs(heading_cases, tmp_path_factory):
    return convert_all({fmt: data for fmt, (_n, data) in heading_cases.items()}, tmp_path_factory.mktemp("heading"))


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_heading_at_a_page_foot_moves_to_the_next_page_with_its_rows(heading_pdfs, heading_cases, taishan, fmt):
    from pagecheck import HEADING_WORD, boxes, stranded

    pdf = heading_pdfs[fmt]
    pages = _pages(pdf)
    n, _data = heading_cases[fmt]
    at = next(i for i, p in enumerate(pages) if "一级指标" in p)
    assert f"任务{n - 1}" in pages[at - 1]  # the page before ends with the tasks
    assert squash(taishan.model.indicators[0].name) in pages[at]  # the heading is with its first rows
    assert not any(stranded(page, HEADING_WORD) for page in boxes(pdf)[:-1])


# ------------------------------------------------------------------ page numbers by default
def _without_footers(folder: Path) -> None:
    """Take the footer out of a copy of the Guangdong templates."""
    for name in ("forms.docx", "forms.xlsx"):
        path = folder / name
        with zipfile.ZipFile(path) as z:
            files = {n: z.read(n) for n in z.namelist()}
        if name.endswith(".docx"):
            doc = files["word/document.xml"].decode()
            files["word/document.xml"] = re.sub(r"<w:footerReference [^>]*/>", "", doc).encode()
        else:
            for n in files:
                if n.startswith("xl/worksheets/sheet"):
                    files[n] = re.sub(rb"<oddFooter>[^<]*</oddFooter>", b"", files[n])
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for n, data in files.items():
                z.writestr(n, data)


def test_a_template_without_a_footer_gets_page_numbers(taishan, tmp_path):
    folder = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", folder)
    shutil.copy(ROOT / "templates" / "national.yaml", tmp_path / "templates")
    _without_footers(folder)
    out = render_bytes(taishan, templates=tmp_path / "templates")
    files = {fmt: data for fmt, (_s, data) in out.items()}
    with zipfile.ZipFile(__import__("io").BytesIO(files["docx"])) as z:
        footers = [etree.fromstring(z.read(n)) for n in z.namelist() if n.startswith("word/footer")]
    assert any("PAGE" in (t.text or "") for f in footers for t in f.iter(q("instrText")))
    assert xlsx_book(files["xlsx"])["部门整体预算绩效目标批复表"].HeaderFooter.oddFooter.right.text == "第 &P 页 共 &N 页"
    pdfs = convert_all(files, tmp_path)
    for fmt, pdf in pdfs.items():
        pages = _pages(pdf)
        assert [re.findall(r"第(\d+)页", p)[-1:] for p in pages] == [[str(k)] for k in range(1, len(pages) + 1)], fmt


# ------------------------------------------------------------------ narrative headings (Excel)
def test_a_narrative_heading_never_ends_an_excel_page():
    """gaoxin's form.yaml keeps its 绩效文本 headings with the next row (pages.keep_with_next):
    whatever the length of the text above them, no page break falls right after one."""
    from goaldoc.api import load

    gaoxin = load(ROOT / "samples" / "2024" / "gaoxin.yaml")
    heading = re.compile(r"^(（[一二三四五六七八九十]+）|[一二三]、)")
    seen_breaks = 0
    for n in range(0, 400, 40):
        goals = [gaoxin.model.goals[0] + "补充说明。" * n, *gaoxin.model.goals[1:]]
        data = render_bytes(Loaded(gaoxin.model.model_copy(update={"goals": goals}), gaoxin.lines, "x"), ["xlsx"])["xlsx"][1]
        ws = xlsx_book(data)["部门预算绩效文本"]
        for brk in ws.row_breaks.brk:
            text = ws.cell(brk.id, 1).value
            seen_breaks += 1
            assert not (isinstance(text, str) and heading.match(text)), (n, text)
    assert seen_breaks > 10  # the narrative breaks in many places over these lengths


def test_the_layout_pass_stores_the_pages_libreoffice_lays_out(cases, printed, monkeypatch):
    """GOALDOC_LAYOUT_PASS=1: the fields' stored numbers come from one LibreOffice run; they
    are the PDF's pages (and the model's, which the default stores)."""
    from goaldoc.render.pages import contents as toc

    monkeypatch.setenv("GOALDOC_LAYOUT_PASS", "1")
    assert toc.layout_pass_enabled()
    found = toc.libreoffice_pages(cases["signature"]["docx"], b"test-layout-pass")
    assert found is not None
    assert (found["_GoaldocForm1"], found["_GoaldocFormEnd1"]) == (2, len(_pages(printed[("signature", "docx")])))
