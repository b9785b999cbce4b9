"""Issue 2: the Guangdong 部门整体预算绩效目标批复表, read back from the rendered files."""

from __future__ import annotations

import pytest

from conftest import norm, seed_cells
from goaldoc.indicators import group_indicators, indicator_rows, merge_spans
from readback import (
    docx_east_asia_font,
    docx_strictness,
    docx_tables,
    docx_text,
    docx_vertical_merges,
    xlsx_book,
    xlsx_column_merges,
    xlsx_logical_book,
    xlsx_texts,
)

SEED = "000_ae0cafa9a96b406a.txt"
# cells of the seed that are page furniture, not form content: a page number, and the
# 目录's page range of the published PDF (goaldoc counts the pages it prints: issue 9)
NOT_CONTENT = {"34", "1-13"}


def _expected_spans(model, attr):
    rows = indicator_rows(group_indicators(model.indicators, "stable"))
    return merge_spans([getattr(r, attr).merge_key for r in rows])


def test_every_seed_cell_is_in_the_docx(taishan_files):
    text = norm(docx_text(taishan_files["docx"]))
    missing = [c for c in seed_cells(SEED) if c not in NOT_CONTENT and norm(c) not in text]
    assert missing == []


def test_every_seed_cell_is_in_the_xlsx(taishan_files):
    wb = xlsx_book(taishan_files["xlsx"])
    text = norm("".join(t for ws in wb for t in xlsx_texts(ws)))
    missing = [c for c in seed_cells(SEED) if c not in NOT_CONTENT and norm(c) not in text]
    assert missing == []


def test_docx_indicator_merges_follow_the_data(taishan, taishan_files):
    tables = docx_tables(taishan_files["docx"])
    grid = next(t for t in tables if any(c.text == "一级指标" for c in t[0]))
    merges = docx_vertical_merges(grid)
    header = 1
    expected_l1 = [(s + header, n) for s, n in _expected_spans(taishan.model, "level1")]
    expected_l2 = [(s + header, n) for s, n in _expected_spans(taishan.model, "level2")]
    assert merges[1] == expected_l1
    assert merges[2] == expected_l2
    # the label stands in the heading row; the body's label cells merge among themselves
    # (Word repeats a heading row only when no merge crosses into the body)
    assert grid[0][0].text == "绩效指标"
    assert merges[0] == [(1, len(grid) - 1)]
    # 一级 text is printed once per group, continuation cells stay empty
    level1_texts = [row[1].text for row in grid[1:] if row[1].vmerge != "continue"]
    assert level1_texts == ["产出指标", "效益指标", "满意度指标"]


def test_xlsx_indicator_merges_follow_the_data(taishan, taishan_files):
    ws = xlsx_logical_book(taishan_files["xlsx"])["部门整体预算绩效目标批复表"]  # page breaks aside
    header_row = next(c.row for c in ws["B"] if c.value == "一级指标")
    first = header_row + 1
    # from the grid's rows on: above, the 总体绩效目标 text cut at a page foot reads as one cell
    assert xlsx_column_merges(ws, 2, from_row=first) == [(s + first, n) for s, n in _expected_spans(taishan.model, "level1")]
    assert xlsx_column_merges(ws, 3, from_row=first) == [(s + first, n) for s, n in _expected_spans(taishan.model, "level2")]
    n_rows = len(indicator_rows(group_indicators(taishan.model.indicators)))
    assert (header_row, n_rows + 1) in xlsx_column_merges(ws, 1)


def test_docx_is_word_strict(taishan_files):
    assert docx_strictness(taishan_files["docx"]) == []
    assert docx_east_asia_font(taishan_files["docx"]) == "宋体"


def test_docx_header_rows_repeat(taishan_files):
    from readback import docx_body, q

    body = docx_body(taishan_files["docx"])
    headers = [
        "".join(t.text or "" for t in tr.iter(q("t")))
        for tr in body.iter(q("tr"))
        if tr.find(q("trPr")) is not None and tr.find(q("trPr")).find(q("tblHeader")) is not None
    ]
    assert any("一级指标" in h and "指标值" in h for h in headers)
    # and they keep with the row below (never alone at the foot of a page)
    for tr in body.iter(q("tr")):
        if tr.find(q("trPr")) is not None and tr.find(q("trPr")).find(q("tblHeader")) is not None:
            for p in tr.iter(q("p")):
                assert p.find(q("pPr")) is not None and p.find(q("pPr")).find(q("keepNext")) is not None
    assert any(h.startswith("序号") for h in headers)


def test_budget_lines_side_by_side(taishan, taishan_files):
    tables = docx_tables(taishan_files["docx"])
    main = next(t for t in tables if t[0][0].text == "部门名称")
    rows = [[c.text for c in r] for r in main]
    start = next(i for i, r in enumerate(rows) if "部门预算支出" in r)
    exp, inc = taishan.model.budget.expenditure, taishan.model.budget.income
    def shown(line) -> str:  # type: ignore[no-untyped-def]
        """A line as the form prints it: set in two characters a level below 一级 (issue 16 item 5)."""
        return "\u3000\u3000" * max(line.level - 1, 0) + line.label

    for k in range(max(len(exp), len(inc))):
        cells = rows[start + 1 + k]
        assert cells[1] == (shown(exp[k]) if k < len(exp) else "")
        assert cells[3] == (shown(inc[k]) if k < len(inc) else "")
    assert rows[start + 1][1:] == ["合计", "110641.64", "合计", "110641.64"]
    # amounts keep the decimals the clerk typed
    assert any(len(r) > 4 and r[4] == "26843.80" for r in rows)
    assert any("2026.9325" in r for r in rows)


def test_all_goal_paragraphs_in_one_cell(taishan, taishan_files):
    tables = docx_tables(taishan_files["docx"])
    main = next(t for t in tables if t[0][0].text == "部门名称")
    goals = next(r[1].text for r in main if r[0].text == "总体绩效目标")
    assert goals.split("\n") == taishan.model.goals


def test_placeholder_rows_of_empty_groups(taishan_files):
    tables = docx_tables(taishan_files["docx"])
    grid = next(t for t in tables if any(c.text == "一级指标" for c in t[0]))
    names = [r[3].text for r in grid]
    assert "指标 5:" in names and "指标 7:" in names


def test_signature_block_has_lines_to_sign_when_empty(taishan_files):
    text = docx_text(taishan_files["docx"])
    for label in ("编制单位（盖章）", "单位负责人", "财务负责人", "经办人", "联系电话", "填报日期"):
        assert f"{label}：＿＿＿" in text


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_signature_block_prints_the_data(taishan, fmt):
    from goaldoc.api import Loaded, render_bytes

    model = taishan.model.model_copy(
        update={"signature": taishan.model.signature.model_copy(update={"head": "李四", "phone": "0750-5522111"})}
    )
    data = render_bytes(Loaded(model, taishan.lines, "x"), [fmt])[fmt][1]
    text = docx_text(data) if fmt == "docx" else "".join(t for ws in xlsx_book(data) for t in xlsx_texts(ws))
    assert "单位负责人：李四" in text
    assert "联系电话：0750-5522111" in text
    assert "财务负责人：＿＿＿" in text


def test_xlsx_print_setup(taishan_files):
    wb = xlsx_book(taishan_files["xlsx"])
    assert wb.sheetnames == ["目录", "部门整体预算绩效目标批复表"]
    ws = wb["部门整体预算绩效目标批复表"]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)  # A4
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows.replace("$", "") == "1:1"
    assert ws.print_area


def test_xlsx_merged_ranges_have_borders_on_every_cell(taishan_files):
    from openpyxl.utils import get_column_letter

    from readback import xlsx_cell_borders

    title = "部门整体预算绩效目标批复表"
    ws = xlsx_book(taishan_files["xlsx"])[title]
    boxed = xlsx_cell_borders(taishan_files["xlsx"], title)
    checked = 0
    for rng in ws.merged_cells.ranges:
        if not boxed.get(f"{get_column_letter(rng.min_col)}{rng.min_row}"):
            continue  # the title and signature lines are borderless on purpose
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                assert boxed.get(f"{get_column_letter(c)}{r}"), f"{get_column_letter(c)}{r} in {rng}"
        checked += 1
    assert checked > 10


def test_xlsx_rows_are_tall_enough_for_wrapped_text(taishan_files):
    ws = xlsx_book(taishan_files["xlsx"])["部门整体预算绩效目标批复表"]
    goals_row = next(c.row for c in ws["A"] if c.value == "总体绩效目标")
    # 11 paragraphs of ~60 characters in a ~90-character-wide cell need 20+ lines
    assert ws.row_dimensions[goals_row].height > 20 * 14


def test_xlsx_text_is_never_a_formula(taishan):
    from goaldoc.api import Loaded, render_bytes

    tasks = [taishan.model.key_tasks[0].model_copy(update={"name": "=SUM(A1:A9)", "content": "+86 123", "target": "@home"})]
    model = taishan.model.model_copy(update={"key_tasks": tasks})
    data = render_bytes(Loaded(model, taishan.lines, "x"), ["xlsx"])["xlsx"][1]
    ws = xlsx_book(data)["部门整体预算绩效目标批复表"]
    cells = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value in ("=SUM(A1:A9)", "+86 123", "@home")}
    assert cells == {"=SUM(A1:A9)": "s", "+86 123": "s", "@home": "s"}


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_special_characters_render_literally(taishan, fmt):
    from goaldoc.api import Loaded, render_bytes

    ind = taishan.model.indicators[0].model_copy(update={"name": "R&D投入<5%", "explanation": "\"引号\" 'single' >"})
    model = taishan.model.model_copy(update={"indicators": [ind]})
    data = render_bytes(Loaded(model, taishan.lines, "x"), [fmt])[fmt][1]
    text = docx_text(data) if fmt == "docx" else "".join(t for ws in xlsx_book(data) for t in xlsx_texts(ws))
    assert "R&D投入<5%" in text
    assert "\"引号\" 'single' >" in text


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_values_print_normalised_but_as_typed(taishan, fmt):
    from goaldoc.api import Loaded, render_bytes

    typed = ["$\\geq 95\\%$", "≧5个", "＝１００％", "≥ 4900 人", "较高"]
    inds = [taishan.model.indicators[0].model_copy(update={"name": f"n{i}", "value": v}) for i, v in enumerate(typed)]
    model = taishan.model.model_copy(update={"indicators": inds})
    data = render_bytes(Loaded(model, taishan.lines, "x"), [fmt])[fmt][1]
    if fmt == "docx":
        grid = next(t for t in docx_tables(data) if any(c.text == "一级指标" for c in t[0]))
        values = [row[-1].text for row in grid[1:]]
    else:
        ws = xlsx_logical_book(data)["部门整体预算绩效目标批复表"]
        first = next(c.row for c in ws["B"] if c.value == "一级指标") + 1
        values = [ws.cell(first + i, 7).value for i in range(len(typed))]
    assert values == ["≥95%", "≥5个", "=100%", "≥ 4900 人", "较高"]
