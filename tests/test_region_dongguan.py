"""Issue 8 item 7: the 东莞 2022 财政项目支出绩效目标表 of 东莞展览馆 (templates/dongguan/,
samples/2022/dongguan.yaml), rendered in both formats and read back: 实施周期总目标 beside
年度目标, the indicators with a value per period in two blocks, the merges, the repeated
heading, the page setup, `goaldoc check` of the sample and the recall of the region's text."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from conftest import SAMPLES
from goaldoc.api import load, loads, render_bytes
from goaldoc.cli import main
from readback import (
    docx_body,
    docx_east_asia_font,
    docx_strictness,
    docx_tables,
    docx_text,
    docx_vertical_merges,
    q,
    xlsx_book,
    xlsx_column_merges,
    xlsx_shown,
)
from regions import recall, written

SAMPLE = SAMPLES / "2022" / "dongguan.yaml"
REGION = "guangdong_dongguan_zhanlanguan_2022.txt"
AREA = "建筑面积2.6万平方米,展示面积1万平方米"


@pytest.fixture(scope="module")
def dongguan():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def files(dongguan, tmp_path_factory) -> dict[str, Path]:
    return written(dongguan, tmp_path_factory.mktemp("dongguan"), "dongguan")


def goals(loaded) -> tuple[str, str]:
    """实施周期总目标 and 年度目标 of the sample's project."""
    p = loaded.model.projects[0]
    return p.period_goal, p.annual_goal


def texts(table) -> list[list[str]]:
    return [[c.text for c in row] for row in table]


# ------------------------------------------------------------------ goaldoc check
def test_check_of_the_sample_lists_only_the_accepted_problems():
    res = CliRunner().invoke(main, ["check", str(SAMPLE)])
    assert res.exit_code == 0, res.output
    reason = "（已确认保留：摘录在质量指标处截断，效益指标、满意度指标不在摘录中）"
    assert res.output.splitlines() == [
        f"{SAMPLE}:26 错误 E203 projects[0].indicators：项目“物业管理费支出”缺少效益指标："
        "产出指标、效益指标和满意度指标至少各要有一条" + reason,
        f"{SAMPLE}:26 错误 E203 projects[0].indicators：项目“物业管理费支出”缺少满意度指标："
        "产出指标、效益指标和满意度指标至少各要有一条" + reason,
        "检查了 1 个文件：0 个错误，0 个提醒，2 个已确认保留。",
    ]


def test_the_declared_fields_are_typed(dongguan):
    p = dongguan.model.projects[0]
    assert p.period == "2022年--2024年" and str(p.budget.fiscal) == "282.92" and p.budget.total is None
    assert p.period_goal.startswith("东莞展览馆是“十一五”期间") and p.period_goal.endswith("不断提升服务品质。")
    assert [i.period_values for i in p.indicators] == [
        {"实施周期": AREA, "当年度": AREA},
        {"实施周期": "100%", "当年度": "100%"},
        {"实施周期": "100%", "当年度": "100%"},
        {},
    ]


def test_a_period_the_form_does_not_know_is_refused_with_its_line(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text(
        textwrap.dedent(
            """\
            year: 2022
            form: dongguan
            department: {name: 测试馆}
            projects:
              - name: 甲
                indicators:
                  - {level1: 产出指标, level2: 数量指标, name: 面积, period_values: {中期: 1万平方米}}
            """
        ),
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["check", str(f)])
    assert res.exit_code == 1
    assert [ln for ln in res.output.splitlines() if "period_values" in ln] == [
        f"{f}:7 错误 E010 projects[0].indicators[0].period_values.中期：应为 实施周期、当年度 之一，现为 “中期”"
    ]


# ------------------------------------------------------------------ Word
def test_docx_title_lines_and_project_table(dongguan, files):
    body = docx_body(files["docx"]).find(q("body"))
    lines = ["".join(t.text or "" for t in p.iter(q("t"))) for p in body if p.tag == q("p")]
    assert lines[:3] == ["东莞市财政项目支出绩效目标表", "（ 2022 年度）", "预算单位：东莞展览馆"]
    top = docx_tables(files["docx"])[0]
    period_goal, annual_goal = goals(dongguan)
    assert texts(top) == [
        ["项目名称", "物业管理费支出", "本年度申请市财政预算资金（万元）", "282.92"],
        ["总体目标", "实施周期总目标（2022年--2024年）", "年度目标"],
        ["", period_goal, annual_goal],
    ]
    assert [c.span for c in top[0]] == [1, 3, 2, 2] and [c.span for c in top[2]] == [1, 4, 3]
    assert docx_vertical_merges(top) == {0: [(1, 2)]}


def test_docx_indicator_grid_in_two_blocks(files):
    grid = docx_tables(files["docx"])[1]
    assert texts(grid) == [
        ["", "一级指标", "二级指标", "三级指标", "实施周期指标值", "二级指标", "三级指标", "当年度指标值"],
        ["绩效指标", "产出指标", "数量指标", "物管服务面积", AREA, "数量指标", "物管服务面积", AREA],
        ["", "", "质量指标", "物业管理保障工作合格率", "100%", "质量指标", "物业管理保障工作合格率", "100%"],
        ["", "", "", "物业管理各项任务完成达标率", "100%", "", "物业管理各项任务完成达标率", "100%"],
        ["", "", "", "维修施工验收合格率", "", "", "维修施工验收合格率", ""],
    ]
    # the label and 一级 down the body, 二级 in both blocks; none from the heading row
    assert docx_vertical_merges(grid) == {0: [(1, 4)], 1: [(1, 4)], 2: [(2, 3)], 5: [(2, 3)]}
    trs = list(docx_body(files["docx"]).iter(q("tbl")))[1].findall(q("tr"))
    assert [tr.find(q("trPr")).find(q("tblHeader")) is not None for tr in trs] == [True] + [False] * 4


def test_each_block_prints_its_own_period():
    """The sample's two values are equal; data with different ones shows which block reads which."""
    data = textwrap.dedent(
        """\
        year: 2022
        form: dongguan
        department: {name: 测试馆}
        projects:
          - name: 甲
            indicators:
              - {level1: 产出指标, level2: 数量指标, name: 场馆开放天数, period_values: {实施周期: ≥900天, 当年度: ≥300天}}
              - {level1: 产出指标, level2: 质量指标, name: 合格率, period_values: {当年度: 100%}}
        """
    )
    out = render_bytes(loads(data, "d.yaml"))
    grid = docx_tables(out["docx"][1])[1]
    assert [[r[3].text, r[4].text, r[6].text, r[7].text] for r in grid[1:]] == [
        ["场馆开放天数", "≥900天", "场馆开放天数", "≥300天"],
        ["合格率", "", "合格率", "100%"],
    ]
    ws = xlsx_book(out["xlsx"][1]).worksheets[0]
    assert [[ws.cell(r, c).value for c in (4, 5, 7, 8)] for r in (8, 9)] == [
        ["场馆开放天数", "≥900天", "场馆开放天数", "≥300天"],
        ["合格率", None, "合格率", "100%"],
    ]


def test_docx_is_word_strict_a4_landscape_with_page_numbers(files):
    assert docx_strictness(files["docx"]) == []
    assert docx_east_asia_font(files["docx"]) == "宋体"
    s = Document(str(files["docx"])).sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (297, 210)
    assert "PAGE" in s.footer._element.xml and "NUMPAGES" in s.footer._element.xml
    assert "".join(p.text for p in s.footer.paragraphs) == "第 1 页 共 1 页"


# ------------------------------------------------------------------ Excel
def test_xlsx_cells(dongguan, files):
    wb = xlsx_book(files["xlsx"])
    assert wb.sheetnames == ["物业管理费支出"]
    ws = wb.worksheets[0]
    rows = [[xlsx_shown(ws.cell(r, c)) for c in range(1, 9)] for r in range(1, ws.max_row + 1)]
    period_goal, annual_goal = goals(dongguan)
    assert [r[0] for r in rows[:3]] == ["东莞市财政项目支出绩效目标表", "（ 2022 年度）", "预算单位：东莞展览馆"]
    assert rows[3:] == [
        # the label breaks before its unit where it wraps (issue 20 item 4)
        ["项目名称", "物业管理费支出", None, None, "本年度申请市财政预算资金\n（万元）", None, "282.92", None],
        ["总体目标", "实施周期总目标（2022年--2024年）", None, None, None, "年度目标", None, None],
        [None, period_goal, None, None, None, annual_goal, None, None],
        [None, "一级指标", "二级指标", "三级指标", "实施周期指标值", "二级指标", "三级指标", "当年度指标值"],
        ["绩效指标", "产出指标", "数量指标", "物管服务面积", AREA, "数量指标", "物管服务面积", AREA],
        [None, None, "质量指标", "物业管理保障工作合格率", "100%", "质量指标", "物业管理保障工作合格率", "100%"],
        [None, None, None, "物业管理各项任务完成达标率", "100%", None, "物业管理各项任务完成达标率", "100%"],
        [None, None, None, "维修施工验收合格率", None, None, "维修施工验收合格率", None],
    ]


def test_xlsx_merges_print_titles_and_page(files):
    ws = xlsx_book(files["xlsx"]).worksheets[0]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:H1", "B4:D4", "E4:F4", "G4:H4", "A5:A6", "B5:E5", "F5:H5", "B6:E6", "F6:H6"} <= merged
    assert [xlsx_column_merges(ws, c, from_row=7) for c in range(1, 9)] == [
        [(8, 4)], [(8, 4)], [(9, 3)], [], [], [(9, 3)], [], []
    ]
    assert ws.print_title_rows == "$7:$7"
    assert ws.oddFooter.right.text == "第 &P 页 共 &N 页"  # the Word footer's wording (issue 20 item 4)
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9)


# ------------------------------------------------------------------ the region's text
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_recall_of_the_region_text(files, fmt):
    score, missed = recall(REGION, files[fmt])
    assert score >= 0.97, missed
    assert missed == []


# ------------------------------------------------------------------ no project
def test_data_without_projects_prints_a_note_not_an_empty_file(taishan):
    out = render_bytes(taishan, form="dongguan")
    note = "台山市人力资源和社会保障局：这份数据没有项目。本表样（东莞市财政项目支出绩效目标表）每个项目印一张表：请在 projects: 下填写项目。"
    assert docx_text(out["docx"][1]).strip() == note
    wb = xlsx_book(out["xlsx"][1])
    assert wb.sheetnames == ["台山市人力资源和社会保障局"] and wb.worksheets[0]["A1"].value == note


# ------------------------------------------------------------------ its two 二级 columns, read back
def _import_changed(path: Path, tmp_path: Path, change) -> object:  # type: ignore[no-untyped-def]
    import openpyxl

    from goaldoc.importer import import_file

    wb = openpyxl.load_workbook(path)
    change(wb.worksheets[0])
    out = tmp_path / "changed.xlsx"
    wb.save(out)
    return import_file(out)


def test_the_two_blocks_disagreeing_on_a_2nd_level_is_said_at_its_cell(files, tmp_path):
    """The form prints each indicator's 二级 twice (实施周期 and 当年度 blocks). A clerk's
    copy whose two cells of one row disagree was read with one of them and nothing said of
    the other (a merged column's readings were never compared): now the other is named."""

    def change(ws):  # type: ignore[no-untyped-def]
        assert (ws["C8"].value, ws["F8"].value) == ("数量指标", "数量指标")
        ws["F8"] = "质量指标"

    got = _import_changed(files["xlsx"], tmp_path, change)
    first = got.data["projects"][0]["indicators"][0]
    assert first["level2"] in ("数量指标", "质量指标")
    other = "质量指标" if first["level2"] == "数量指标" else "数量指标"
    said = [(x.place.split("!")[1], x.text, x.reason) for x in got.leftovers]
    cell, used = ("F8", "C8") if other == "质量指标" else ("C8", "F8")
    assert said == [(cell, other, f"与 物业管理费支出!{used} 的“{first['level2']}”不同，用了后者")]


def test_a_merged_2nd_level_gives_way_to_the_rows_own_cell_and_is_named(files, tmp_path):
    """A 二级 filled down from a merged cell above against the row's own cell in the other
    block: the row's own is used, the merged one named with its cell."""

    def change(ws):  # type: ignore[no-untyped-def]
        assert "F9:F11" in {str(r) for r in ws.merged_cells.ranges}
        ws.unmerge_cells("F9:F11")
        ws["F10"] = "数量指标"
        ws["F11"] = "质量指标"

    got = _import_changed(files["xlsx"], tmp_path, change)
    levels = [x["level2"] for x in got.data["projects"][0]["indicators"]]
    assert levels == ["数量指标", "质量指标", "数量指标", "质量指标"]
    said = [(x.place.split("!")[1], x.text, x.reason) for x in got.leftovers]
    assert said == [("C10", "质量指标", "与 物业管理费支出!F10 的“数量指标”不同，用了后者")]


def test_the_forms_own_file_reads_back_with_nothing_left_over(files):
    from goaldoc.importer import import_file

    for fmt in ("docx", "xlsx"):
        assert import_file(files[fmt]).leftovers == []
