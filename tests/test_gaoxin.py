"""Issue 3: the 高新区 bundle (部门预算绩效文本 + one 项目绩效目标表 per project), read back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bundles import (
    IndicatorGrid,
    assert_long_texts_whole,
    assert_only_starts_on_the_first_page,
    missing_texts,
    needs_soffice,
    render_files,
    render_one,
    squashed_pages,
)
from conftest import SAMPLES, norm, seed_cells
from goaldoc.api import Loaded, load
from goaldoc.indicators import IndicatorRow
from readback import (
    docx_body,
    docx_east_asia_font,
    docx_strictness,
    docx_tables,
    docx_text,
    docx_vertical_merges,
    is_page_separator,
    page_break_before,
    q,
    squash,
    xlsx_all_text,
    xlsx_book,
    xlsx_column_merges,
    xlsx_row_of,
)

SAMPLE = SAMPLES / "2024" / "gaoxin.yaml"
SEED = "001_3591812dab85e55a.txt"
GRID = IndicatorGrid("gaoxin")
HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]


@pytest.fixture(scope="module")
def gaoxin():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def files(gaoxin):
    return render_files(gaoxin)


def _money(d: Decimal | None, unit: str) -> str:
    return "" if d is None else format(d, "f") + unit


def printed_texts(m) -> list[str]:
    """Every value of the sample that the 高新区 bundle prints."""
    texts = [
        m.title or "",
        m.department.name,
        m.cover.title or "",
        m.signature.unit or "",
        *m.goals,
    ]
    # as printed: 绩效目标：… / 绩效指标：… / 1.…
    texts += [
        t
        for sg in m.sub_goals
        for t in (sg.title, f"绩效目标：{sg.goal}", f"绩效指标：{sg.indicators}")
    ]
    texts += [f"{i}.{item}" for i, item in enumerate(m.safeguards.items, start=1)]
    for p in m.projects:
        texts += [p.code or "", p.name, p.title or "", p.fund_use or "", *p.goals]
        texts += [_money(getattr(p.budget, f), p.budget.unit) for f in ("total", "fiscal", "other")]
        texts += [t for sp in p.spending_plan for t in (sp.period, sp.percent)]
        for ind in p.indicators:
            value = IndicatorRow(ind.level1, ind.level2, ind, 0).value_text
            texts += [ind.level1, ind.level2, ind.name, ind.explanation, value, ind.basis or ""]
    return [t for t in texts if t and t.strip()]


def _grids(data: bytes):
    return [t for t in docx_tables(data) if t and [c.text for c in t[0]] == HEADER]


# ------------------------------------------------------------------ content
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_every_value_of_the_sample_is_printed(gaoxin, files, fmt):
    missing = missing_texts(files[fmt], fmt, printed_texts(gaoxin.model))
    assert missing == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_every_seed_cell_is_printed(files, fmt):
    missing = missing_texts(files[fmt], fmt, seed_cells(SEED), fold=norm)
    assert missing == []


def _styled(data: bytes) -> list[tuple[str | None, str]]:
    out = []
    for p in docx_body(data).iter(q("p")):
        style = p.find(f"{q('pPr')}/{q('pStyle')}")
        out.append(
            (
                None if style is None else style.get(q("val")),
                "".join(t.text or "" for t in p.iter(q("t"))),
            )
        )
    return out


def test_narrative_is_a_real_document(gaoxin, files):
    m = gaoxin.model
    paras = _styled(files["docx"])
    h1 = [t for s, t in paras if s == "Heading1"]
    h2 = [t for s, t in paras if s == "Heading2"]
    assert h1 == ["一、总体绩效目标", "二、分项绩效目标", "三、工作保障措施"]
    cn = "一二三四五六七八九十"
    assert h2 == [f"（{cn[i]}）{sg.title}" for i, sg in enumerate(m.sub_goals)]
    assert len(m.sub_goals) == 5
    texts = [t for _s, t in paras]
    for sg in m.sub_goals:
        assert f"绩效目标：{sg.goal}" in texts and f"绩效指标：{sg.indicators}" in texts
    # 保障措施 numbered 1. 2. … once (not "1.1.")
    numbered = [t for t in texts if t[:2].rstrip(".").isdigit() and "." in t[:3]]
    assert [t.split(".", 1)[0] for t in numbered] == [
        str(i) for i in range(1, len(m.safeguards.items) + 1)
    ]
    assert all(not t.split(".", 1)[1][:1].isdigit() for t in numbered)


def test_title_page_comes_first(gaoxin, files):
    text = docx_text(files["docx"])
    m = gaoxin.model
    assert (
        text.index(m.department.name)
        < text.index("2024年部门预算绩效文本")
        < text.index("高新区人社局编制")
    )
    assert text.index("高新区人社局编制") < text.index("一、总体绩效目标")


# ------------------------------------------------------------------ structure
def test_docx_is_word_strict(files):
    assert docx_strictness(files["docx"]) == []
    assert docx_east_asia_font(files["docx"]) == "宋体"


def test_grids_merge_by_runs_and_keep_the_order_entered(gaoxin, files):
    grids = _grids(files["docx"])
    assert len(grids) == len(gaoxin.model.projects)
    for p, grid in zip(gaoxin.model.projects, grids, strict=True):
        merges = docx_vertical_merges(grid)
        assert merges.get(0, []) == GRID.spans(p.indicators, "level1", 1), p.name
        assert merges.get(1, []) == GRID.spans(p.indicators, "level2", 1), p.name
        assert [r[2].text for r in grid[1:]] == [i.name for i in p.indicators], p.name
        shown = [r[1].text for r in grid[1:] if r[1].vmerge != "continue"]
        runs = [
            i.level2
            for k, i in enumerate(p.indicators)
            if k == 0
            or (i.level1, i.level2) != (p.indicators[k - 1].level1, p.indicators[k - 1].level2)
        ]
        assert shown == runs, p.name


def test_quality_prints_twice_where_the_seed_does(gaoxin, files):
    """The seed's 9村 project has 质量指标 twice, apart: both stay where they are."""
    grids = _grids(files["docx"])
    twice = [[r[1].text for r in grid[1:] if r[1].vmerge != "continue"] for grid in grids]
    assert any(level2.count("质量指标") == 2 for level2 in twice)


def test_level1_names_come_from_the_data(gaoxin, files):
    shown = []
    for p, grid in zip(gaoxin.model.projects, _grids(files["docx"]), strict=True):
        firsts = [r[0].text for r in grid[1:] if r[0].vmerge != "continue"]
        assert firsts == [
            r.level1
            for k, r in enumerate(GRID.rows(p.indicators))
            if r.level1 != GRID.rows(p.indicators)[k - 1].level1 or k == 0
        ]
        shown += firsts
    assert "效果指标" in shown and "效益指标" not in shown


def test_indicator_header_rows_repeat(files):
    for tbl in docx_body(files["docx"]).iter(q("tbl")):
        first = tbl.find(q("tr"))
        if "".join(t.text or "" for t in first.iter(q("t"))) == "".join(HEADER):
            assert first.find(q("trPr")).find(q("tblHeader")) is not None


def test_every_project_form_starts_a_new_page(gaoxin, files):
    m = gaoxin.model
    breaks = []
    for p in docx_body(files["docx"]).iter(q("p")):
        if page_break_before(p) and not is_page_separator(p):  # not where goaldoc split a table
            breaks.append("".join(t.text or "" for t in p.iter(q("t"))))
    assert breaks == [m.title] + [p.title or p.name + "项目绩效目标表" for p in m.projects]


def test_project_info_rows(gaoxin, files):
    tables = docx_tables(files["docx"])
    infos = [t for t in tables if t[0][0].text == "项目编码"]
    assert len(infos) == len(gaoxin.model.projects)
    for p, t in zip(gaoxin.model.projects, infos, strict=True):
        cells = [[c.text for c in r] for r in t]
        assert cells[0] == ["项目编码", p.code or "", "项目名称", p.name]
        assert cells[1][1::2] == ["预算数", "其中：财政资金", "其他资金"]
        assert cells[3][1:] == [sp.period for sp in p.spending_plan]
        assert cells[4][1:] == [sp.percent for sp in p.spending_plan]
        assert [r[2] for r in cells[5:]] == p.goals


def test_only_one_project(gaoxin):
    p = gaoxin.model.projects[1]
    out = render_files(gaoxin, only=[p.name])
    docx, xlsx = out["docx"], out["xlsx"]
    text = docx_text(docx)
    assert "一、总体绩效目标" not in text and p.name in text
    assert len(_grids(docx)) == 1
    assert docx_strictness(docx) == []
    assert xlsx_book(xlsx).sheetnames == [p.name[:31]]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_spending_points_beyond_four_print_below(gaoxin, fmt):
    """The form has four columns (3/6/10/12月底); a fifth point prints on a row of its own."""
    p = gaoxin.model.projects[0]
    extra = p.spending_plan[0].model_copy(update={"period": "11月底", "percent": "90%"})
    plan = [*p.spending_plan[:3], extra, p.spending_plan[3]]
    model = gaoxin.model.model_copy(
        update={"projects": [p.model_copy(update={"spending_plan": plan})]}
    )
    data = render_one(Loaded(model, gaoxin.lines, "x"), fmt)
    if fmt == "docx":
        assert docx_strictness(data) == []
        info = next(t for t in docx_tables(data) if t[0][0].text == "项目编码")
        cells = [[c.text for c in r] for r in info]
        assert cells[3][1:] == ["3月底", "6月底", "10月底", "11月底"]
        assert cells[5][1:] == ["12月底：100%"]
        assert (3, 3) in docx_vertical_merges(info)[0]  # the label spans all three rows
    else:
        assert "12月底：100%" in xlsx_all_text(data)


# ------------------------------------------------------------------ Excel
def test_sheet_names(gaoxin, files):
    names = xlsx_book(files["xlsx"]).sheetnames
    assert names == ["部门预算绩效文本"] + [p.name[:31] for p in gaoxin.model.projects]


def test_xlsx_merges_follow_the_data(gaoxin, files):
    wb = xlsx_book(files["xlsx"])
    for p in gaoxin.model.projects:
        ws = wb[p.name[:31]]
        head = xlsx_row_of(ws, 1, "一级指标")
        col1 = xlsx_column_merges(ws, 1, head + 1)
        col2 = xlsx_column_merges(ws, 2, head + 1)
        assert col1 == GRID.spans(p.indicators, "level1", head + 1), p.name
        assert col2 == GRID.spans(p.indicators, "level2", head + 1), p.name
        assert ws.print_title_rows.replace("$", "") == f"{head}:{head}"


# ------------------------------------------------------------------ LibreOffice
@needs_soffice
def test_pdf_pages(gaoxin, sample_pdfs, tmp_path):
    pdf = sample_pdfs[("gaoxin", "docx")]
    pages = squashed_pages(pdf)
    m = gaoxin.model
    titles = [squash(p.title or p.name + "项目绩效目标表") for p in m.projects]
    starts = [next(i for i, pg in enumerate(pages) if t in pg) for t in titles]
    assert len(set(starts)) == len(starts) and starts == sorted(starts)
    assert starts[0] > next(i for i, pg in enumerate(pages) if "三、工作保障措施" in pg)
    for p, title, start in zip(m.projects, titles, starts, strict=True):
        assert pages[start].startswith(title), p.name
        assert squash(p.name) in pages[start], p.name
    assert_long_texts_whole(pdf, printed_texts(m))
    assert_only_starts_on_the_first_page(gaoxin, m.projects[-1], tmp_path)
