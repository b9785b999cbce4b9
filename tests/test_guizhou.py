"""Issue 3: the Guizhou bundle (封面, 部门整体支出绩效目标表, project forms), read back."""

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
    file_text,
    page_break_before,
    q,
    squash,
    xlsx_book,
    xlsx_cell_borders,
    xlsx_column_merges,
    xlsx_logical_book,
    xlsx_row_of,
)

SAMPLE = SAMPLES / "2023" / "liuzhi.yaml"
SEED = "002_84163d3bfca5f923.txt"
GRID = IndicatorGrid("guizhou")


@pytest.fixture(scope="module")
def liuzhi():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def files(liuzhi):
    return render_files(liuzhi)


def _amount(d: Decimal | None) -> str:
    return "" if d is None else format(d, "f")


def _indicator_texts(ind, *, last_year: bool) -> list[str]:
    texts = [
        ind.level1,
        ind.level2,
        ind.name,
        ind.explanation,
        IndicatorRow(ind.level1, ind.level2, ind, 0).value_text,
    ]
    return texts + ([ind.last_year or ""] if last_year else [])


def printed_texts(m) -> list[str]:
    """Every value of the sample that the Guizhou forms print."""
    texts = [
        m.title or "",
        m.department.name,
        m.department.functions or "",
        m.cover.label or "",
        m.cover.title or "",
    ]
    texts += [m.signature.unit or "", m.signature.preparer or "", m.signature.phone or ""]
    for line in m.budget.expenditure:
        texts += [line.label, _amount(line.amount)]
    texts += [*m.goals, *m.detail_goals, m.safeguards.organization or "", m.safeguards.rules or ""]
    texts += [t for ph in m.phase_plan for t in (ph.period, ph.text)]
    for ind in m.indicators:
        texts += _indicator_texts(ind, last_year=False)
    for p in m.projects:
        texts += [
            p.name,
            p.title or "",
            p.manager or "",
            p.phone or "",
            p.category or "",
            p.attribute or "",
        ]
        texts += [p.period or "", _amount(p.budget.total), p.fund_nature or "", p.annual_goal or ""]
        texts += [*p.goals, *p.plans, p.safeguards.organization or "", p.safeguards.rules or ""]
        for ind in p.indicators:
            texts += _indicator_texts(ind, last_year=p.variant == "shenbao")
    return [t for t in texts if t and t.strip()]


# ------------------------------------------------------------------ content
def test_the_sample_uses_both_project_variants(liuzhi):
    variants = {p.variant for p in liuzhi.model.projects}
    assert variants == {"xiangmu", "shenbao"}
    assert liuzhi.model.form == "guizhou"


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_every_value_of_the_sample_is_printed(liuzhi, files, fmt):
    missing = missing_texts(files[fmt], fmt, printed_texts(liuzhi.model))
    assert missing == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_every_seed_cell_is_printed(files, fmt):
    missing = missing_texts(files[fmt], fmt, seed_cells(SEED), fold=norm)
    assert missing == []


def test_cover(files):
    text = docx_text(files["docx"])
    assert text.index("附件4") < text.index("六枝特区人力资源和社会保障局2023年预算绩效目标表")
    assert "编制单位：六枝特区人力资源和社会保障局" in text
    assert "经办人：吴光顺" in text and "联系电话：5322217" in text


def test_cover_prints_lines_to_sign_when_empty(liuzhi):
    sig = liuzhi.model.signature.model_copy(update={"preparer": None, "phone": None})
    model = liuzhi.model.model_copy(update={"signature": sig})
    for fmt in ("docx", "xlsx"):
        data = render_one(Loaded(model, liuzhi.lines, "x"), fmt)
        text = file_text(data, fmt)
        assert "经办人：＿＿＿" in text and "联系电话：＿＿＿" in text


# ------------------------------------------------------------------ structure
def _indicator_tables(data: bytes):
    """The department grid (header 一级) and one grid per project (header 一级指标), in order."""
    return [t for t in docx_tables(data) if t and any(c.text in ("一级", "一级指标") for c in t[0])]


def test_docx_is_word_strict(files):
    assert docx_strictness(files["docx"]) == []
    assert docx_east_asia_font(files["docx"]) == "宋体"


def test_one_indicator_grid_per_form(liuzhi, files):
    grids = _indicator_tables(files["docx"])
    assert len(grids) == 1 + len(liuzhi.model.projects)
    assert [c.text for c in grids[0][0]] == [
        "",
        "一级",
        "二级",
        "三级",
        "指标值",
        "指标解释及计算公式",
    ]


def test_department_grid_merges_follow_the_data(liuzhi, files):
    grid = _indicator_tables(files["docx"])[0]
    merges = docx_vertical_merges(grid)
    assert merges.get(1, []) == GRID.spans(liuzhi.model.indicators, "level1", 1)
    assert merges.get(2, []) == GRID.spans(liuzhi.model.indicators, "level2", 1)
    # the label merges down the body rows (not into the repeated header row)
    assert merges[0] == [(1, len(grid) - 1)] and grid[1][0].text == "绩效指标"
    assert len(grid) == 1 + len(GRID.rows(liuzhi.model.indicators))


def test_project_grids_merge_and_columns_follow_the_data(liuzhi, files):
    for p, grid in zip(liuzhi.model.projects, _indicator_tables(files["docx"])[1:], strict=True):
        merges = docx_vertical_merges(grid)
        assert merges.get(1, []) == GRID.spans(p.indicators, "level1", 1), p.name
        assert merges.get(2, []) == GRID.spans(p.indicators, "level2", 1), p.name
        # as the seed prints it: 指标 in the heading's first cell, the body's cells under it
        # merged and blank (issue 9 item 6)
        assert merges[0] == [(1, len(grid) - 1)] and grid[1][0].text == "", p.name
        header = [c.text for c in grid[0]]
        assert header[:2] == ["指标", "一级指标"], p.name
        if p.variant == "shenbao":
            assert header[-2:] == ["指标解释及计算公式", "上年度指标值或实际水平"], p.name
        else:
            assert header[-1] == "指标解释及计算公式" and grid[0][-1].span == 2, p.name
        rows = GRID.rows(p.indicators)
        assert len(grid) == 1 + len(rows)
        # 一级 / 二级 print once per group, in the order entered
        firsts = [r[1].text for r in grid[1:] if r[1].vmerge != "continue"]
        assert firsts == [
            r.level1
            for k, r in enumerate(rows)
            if k == 0 or r.level1.merge_key != rows[k - 1].level1.merge_key
        ]
        assert [r[3].text for r in grid[1:]] == [r.name for r in rows]


def test_indicator_header_rows_repeat(files):
    body = docx_body(files["docx"])
    for tbl in body.iter(q("tbl")):
        first = tbl.find(q("tr"))
        text = "".join(t.text or "" for t in first.iter(q("t")))
        if "一级" in text:
            assert first.find(q("trPr")).find(q("tblHeader")) is not None, text


def _form_titles(data: bytes) -> list[tuple[str, bool]]:
    """(text, starts a new page) of every centred 16 pt+ title paragraph."""
    out = []
    for p in docx_body(data).iter(q("p")):
        text = "".join(t.text or "" for t in p.iter(q("t")))
        if text.endswith(("表", "申报表")) and any(
            int(sz.get(q("val"))) >= 32 for sz in p.iter(q("sz"))
        ):
            out.append((text, page_break_before(p)))
    return out


def test_every_form_starts_a_new_page(liuzhi, files):
    m = liuzhi.model
    titles = _form_titles(files["docx"])
    expected = [(m.cover.title, False), (m.title, True)] + [(p.title, True) for p in m.projects]
    assert titles == expected


def test_project_titles_follow_the_variant(liuzhi):
    m = liuzhi.model
    projects = [p.model_copy(update={"title": None}) for p in m.projects]
    data = render_one(Loaded(m.model_copy(update={"projects": projects}), liuzhi.lines, "x"), "docx")
    titles = [t for t, _ in _form_titles(data)][2:]
    assert titles == [
        "六枝特区部门项目支出绩效目标申报表"
        if p.variant == "shenbao"
        else "六枝特区人力资源和社会保障局项目绩效目标表"
        for p in m.projects
    ]


def test_project_form_prints_the_stamp_line_and_year(liuzhi, files):
    text = docx_text(files["docx"])
    assert text.count("编制单位（盖章）：六枝特区人力资源和社会保障局") == len(
        liuzhi.model.projects
    )
    assert text.count("（2023年度）") == len(liuzhi.model.projects)


def test_only_one_project(liuzhi):
    p = next(p for p in liuzhi.model.projects if p.variant == "shenbao")
    out = render_files(liuzhi, only=[p.name])
    docx, xlsx = out["docx"], out["xlsx"]
    assert [t for t, _ in _form_titles(docx)] == [p.title]
    text = docx_text(docx)
    assert "附件4" not in text and "部门(单位)职能描述" not in text
    assert len(_indicator_tables(docx)) == 1
    assert docx_strictness(docx) == []
    assert xlsx_book(xlsx).sheetnames == [p.name[:31]]


# ------------------------------------------------------------------ Excel
def test_sheet_names(liuzhi, files):
    names = xlsx_book(files["xlsx"]).sheetnames
    assert names[:2] == ["封面", "部门整体支出绩效目标表"]
    assert names[2:] == [p.name[:31] for p in liuzhi.model.projects]
    assert all(len(n) <= 31 for n in names)


def test_xlsx_merges_follow_the_data(liuzhi, files):
    raw = xlsx_book(files["xlsx"])
    wb = xlsx_logical_book(files["xlsx"])  # page breaks aside
    ws = wb["部门整体支出绩效目标表"]
    first = xlsx_row_of(ws, 2, "一级") + 1
    assert xlsx_column_merges(ws, 2, first) == GRID.spans(liuzhi.model.indicators, "level1", first)
    assert xlsx_column_merges(ws, 3, first) == GRID.spans(liuzhi.model.indicators, "level2", first)
    for p in liuzhi.model.projects:
        ws = wb[p.name[:31]]
        head = xlsx_row_of(ws, 3, "一级指标")
        first = head + 1
        assert xlsx_column_merges(ws, 3, first) == GRID.spans(p.indicators, "level1", first), p.name
        assert xlsx_column_merges(ws, 4, first) == GRID.spans(p.indicators, "level2", first), p.name
        assert (head + 1, len(GRID.rows(p.indicators))) in xlsx_column_merges(ws, 1)
        last_year = ws.cell(head, 8).value
        assert last_year == ("上年度指标值或实际水平" if p.variant == "shenbao" else None), p.name
        titles = raw[p.name[:31]].print_title_rows.replace("$", "")
        assert titles == f"{head}:{head}" and xlsx_row_of(raw[p.name[:31]], 3, "一级指标") == head


def test_xlsx_boxed_merges_have_borders_on_every_cell(liuzhi, files):
    from openpyxl.utils import get_column_letter

    wb = xlsx_book(files["xlsx"])
    for title in wb.sheetnames[1:]:
        boxed = xlsx_cell_borders(files["xlsx"], title)
        for rng in wb[title].merged_cells.ranges:
            if not boxed.get(f"{get_column_letter(rng.min_col)}{rng.min_row}"):
                continue
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    assert boxed.get(f"{get_column_letter(c)}{r}"), (
                        f"{title}!{get_column_letter(c)}{r}"
                    )


# ------------------------------------------------------------------ LibreOffice
@needs_soffice
def test_pdf_pages(liuzhi, sample_pdfs, tmp_path):
    pdf = sample_pdfs[("liuzhi", "docx")]
    pages = squashed_pages(pdf)
    m = liuzhi.model
    assert pages[0].startswith(squash(f"{m.cover.label}：")) and squash(m.cover.title) in pages[0]
    assert pages[1].startswith(squash(m.title))
    # each form's title heads its own page, in order: no page holds two titles
    titles = [squash(m.title)] + [squash(p.title) for p in m.projects]
    assert [
        sum(pg.count(t) for t in set(titles)) for pg in pages if any(t in pg for t in titles)
    ] == [1] * len(titles)
    at = 0
    for p in m.projects:
        at = next(i for i in range(at + 1, len(pages)) if squash(p.title) in pages[i])
        assert pages[at].startswith(squash(p.title)), p.name
        assert squash(p.name) in pages[at], p.name
    assert_long_texts_whole(pdf, printed_texts(m))
    one = next(p for p in m.projects if p.variant == "shenbao")
    assert_only_starts_on_the_first_page(liuzhi, one, tmp_path)
