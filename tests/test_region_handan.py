"""Issue 8 item 7: 邯郸 2019 预算项目绩效目标 (templates/handan, samples/2019/handan.yaml): one
绩效目标表 per project whose indicators carry four 评价标准 grades (优 / 良 / 中 / 差) and a
评价标准确定依据, rendered in both formats and read back: words, merges, repeated headings, the
declared fields and the region's 效果指标, and how much of the published text the outputs print."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.api import check, load, loads, render_bytes
from goaldoc.cli import main
from goaldoc.paths import format_path
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
)
from regions import recall

SAMPLE = SAMPLES / "2019" / "handan.yaml"
# issue 16: the sample keeps 行政区 for other forms (--form); its own form prints a fixed title
AREA_KEPT = (
    "提醒 W312 department.area：所属行政区填了，表样“{f}”（{t}）不印它，它不会出现在生成的文件里："
    "要印请换用印这一栏的表样，或请管理模板的同事在模板里加上这一栏；不需要的话删去它"
    "（已确认保留：本表样的表题是固定的，不印行政区；留着供用别的表样（--form）生成时拼表题）"
)
REGION = "hebei_handan_youliangzhongcha_2019.txt"
TEXT = SAMPLE.read_text(encoding="utf-8")
TITLE_1 = "1、邯财社2018126号提前下达2019年中央财政困难群众救助补助预算指标绩效目标表"
TITLE_2 = "邯财社2018126号提前下达2019年中央财政困难群众救助补助..."
GOAL = "保障农村低保金的发放,保障农村低保户的基本生活。"
HEADING = [
    ["绩效指标分类", "绩效指标", "绩效指标描述", "绩效指标评价标准", "评价标准确定依据"],
    ["", "", "", "优", "良", "中", "差", ""],
]
ROWS = [
    ["产出指标", "救助覆盖率", "困难群众基本生活救助是否应救尽救", "100%", "90%", "85%", "85%", "按临时救助标准评价"],
    ["", "农村低保救助资金按标准发放的比率", "救助标准与经济社会发展水平相适应,救助资金按标准发放的比率",
     "90%", "80%", "70%", "70%", "按临时救助标准评价"],
    ["效果指标", "救助对象对救助工作满意度(%)", "问卷调查中,满意和较满意的救助对象数量占调研对象总数的比率",
     "85%", "80%", "70%", "70%", "按服务对象满意度评价"],
]  # fmt: skip
UNIT_LINE = "编制单位（盖章）：邯郸市民政局"
SIGN_LINE = "填表人：＿＿＿＿＿＿＿＿\u3000\u3000联系电话：＿＿＿＿＿＿＿＿\u3000\u3000填报日期：＿＿＿＿＿＿＿＿"


@pytest.fixture(scope="module")
def files():
    return {fmt: data for fmt, (_stem, data) in render_bytes(load(SAMPLE)).items()}


def edited(old: str, new: str) -> str:
    assert old in TEXT
    return TEXT.replace(old, new, 1)


def messages(tmp_path, text: str) -> list[str]:
    f = tmp_path / "handan.yaml"
    f.write_text(text, encoding="utf-8")
    return [f"{p.line} {p.code} {format_path(p.path)}：{p.message}" for p in check(f)]


# ------------------------------------------------------------------ check
def test_check_lists_only_what_the_excerpt_lacks():
    res = CliRunner().invoke(main, ["check", str(SAMPLE)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        f"{SAMPLE}:14 " + AREA_KEPT.format(f="handan", t="邯郸市预算项目绩效目标表"),
        f"{SAMPLE}:50 错误 E203 projects[1].indicators：项目“邯财社2018126号提前下达2019年中央财政困难群众救助补助”"
        "没有绩效指标：至少要有产出指标、效益指标和满意度指标各一条（已确认保留：摘录在第二张表的表题处截断，这张表的绩效指标没有收录）",
        "检查了 1 个文件：0 个错误，0 个提醒，2 个已确认保留。",
    ]


def test_the_satisfaction_row_under_effect_counts_through_the_forms_tree(tmp_path):
    """效果指标 is the region's 一级 for 效益; its 满意度 row counts as 满意度指标 because
    templates/handan/form.yaml puts 服务对象满意度指标 {kind: satisfaction} under it."""
    text = edited("        level2: 服务对象满意度指标", "        level2: 社会效益指标")
    assert messages(tmp_path, text)[0] == (
        "29 E203 projects[0].indicators：项目“邯财社2018126号提前下达2019年中央财政困难群众救助补助预算指标”"
        "缺少满意度指标：产出指标、效益指标和满意度指标至少各要有一条"
        # the form prints no 二级 (prints_level2: false): the message says where the level2 goes
        "（这张表不印二级指标：放在效益指标下的那一条，请写 level2: 服务对象满意度指标，表上不印）"
    )


def test_the_form_prints_no_level2_and_the_data_need_not_have_it():
    """prints_level2: false (issue 22 item 4): the 产出 rows have no level2, no E202 / E204."""
    rows = load(SAMPLE).model.projects[0].indicators
    assert [(i.level1, i.level2) for i in rows] == [("产出指标", ""), ("产出指标", ""), ("效果指标", "服务对象满意度指标")]


def test_a_grade_the_form_does_not_have_is_refused_where_it_is(tmp_path):
    text = edited("{优: 90%, 良: 80%", "{忧: 90%, 良: 80%")
    assert messages(tmp_path, text) == ["39 E010 projects[0].indicators[1].standards.忧：应为 优、良、中、差 之一，现为 “忧”"]


# ------------------------------------------------------------------ fidelity
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_recall_of_the_published_text(files, fmt, tmp_path):
    out = tmp_path / f"handan.{fmt}"
    out.write_bytes(files[fmt])
    score, missed = recall(REGION, out)
    assert score >= 0.97, f"recall {score:.3f} of {REGION} in .{fmt}; not printed: {missed}"


# ------------------------------------------------------------------ Word
def test_docx_titles_in_order_and_the_unit_at_the_end(files):
    lines = [t for t in docx_text(files["docx"]).splitlines() if t.strip()]
    assert lines[:4] == ["2019年预算项目绩效目标", TITLE_1, "绩效目标", GOAL]
    assert lines.index(TITLE_2) > lines.index("按服务对象满意度评价")
    assert lines[-2:] == [UNIT_LINE, SIGN_LINE]


def test_docx_grid_cells_and_merges(files):
    goal1, grid1, goal2, grid2 = docx_tables(files["docx"])
    assert [[c.text for c in r] for r in goal1] == [["绩效目标", GOAL]]
    assert [[c.text for c in r] for r in goal2] == [["绩效目标", ""]]
    assert [[c.text for c in r] for r in grid1] == HEADING + ROWS
    assert [c.span for c in grid1[0]] == [1, 1, 1, 4, 1]
    # the heading's own merges (two rows), and 产出指标 merged down its two indicators
    assert docx_vertical_merges(grid1) == {0: [(0, 2), (2, 2)], 1: [(0, 2)], 2: [(0, 2)], 7: [(0, 2)]}
    # the second table has no indicators in the excerpt: one empty row to fill in
    assert [[c.text for c in r] for r in grid2] == [*HEADING, [""] * 8]


def test_docx_both_heading_rows_repeat_on_every_page(files):
    grids = [t for t in docx_body(files["docx"]).iter(q("tbl")) if len(t.findall(q("tr"))) > 1]
    heading = [[tr.find(q("trPr")).find(q("tblHeader")) is not None for tr in t.findall(q("tr"))] for t in grids]
    assert heading == [[True, True, False, False, False], [True, True, False]]


def test_docx_is_word_strict(files):
    assert docx_strictness(files["docx"]) == []
    assert docx_east_asia_font(files["docx"]) == "宋体"


# ------------------------------------------------------------------ Excel
def _values(ws) -> list[list]:
    return [[c.value for c in r] for r in ws.iter_rows()]


def test_xlsx_one_sheet_per_table(files):
    wb = xlsx_book(files["xlsx"])
    assert wb.sheetnames == ["表1", "表2"]
    first, second = wb.worksheets
    none = [None] * 7
    assert _values(first) == [
        ["2019年预算项目绩效目标", *none],
        [TITLE_1, *none],
        ["绩效目标", GOAL, *[None] * 6],
        ["绩效指标分类", "绩效指标", "绩效指标描述", "绩效指标评价标准", None, None, None, "评价标准确定依据"],
        [None, None, None, "优", "良", "中", "差", None],
        ROWS[0],
        [None, *ROWS[1][1:]],
        ROWS[2],
    ]
    assert sorted(str(m) for m in first.merged_cells.ranges) == sorted(
        ["A1:H1", "A2:H2", "B3:H3", "A4:A5", "B4:B5", "C4:C5", "D4:G4", "H4:H5", "A6:A7"]
    )
    assert xlsx_column_merges(first, 1, 6) == [(6, 2)]
    assert first.print_title_rows == "$4:$5"
    # the document title only on the first sheet, the unit and signature only under the last
    assert _values(second)[0] == [TITLE_2, *none]
    assert [r[0] for r in _values(second)[-2:]] == [UNIT_LINE, SIGN_LINE]
    assert second.print_title_rows == "$3:$4"
    assert UNIT_LINE not in [v for r in _values(first) for v in r]
    for ws in wb.worksheets:
        assert ws.oddFooter.right.text == "第 &P 页 共 &N 页"  # the Word footer's wording (issue 20 item 4)
        assert (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth) == (9, "portrait", 1)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_grades_left_out_print_empty(fmt):
    data = render_bytes(loads(edited("{优: 90%, 良: 80%, 中: 70%, 差: 70%}", "{优: 90%}"), "h.yaml"), [fmt])[fmt][1]
    if fmt == "docx":
        row = [c.text for c in docx_tables(data)[1][3]]
    else:
        row = [c.value for c in xlsx_book(data).worksheets[0][7]]
    blank = "" if fmt == "docx" else None
    assert row[3:7] == ["90%", blank, blank, blank]


def test_data_without_projects_gets_a_sentence_not_an_empty_file():
    out = render_bytes(loads("year: 2019\nform: handan\ndepartment: {name: 测试局}\n", "d.yaml"))
    sentence = "测试局：这份数据没有项目。本表样每个项目印一张绩效目标表，请在 projects: 下填写项目。"
    assert sentence in docx_text(out["docx"][1]).splitlines()
    wb = xlsx_book(out["xlsx"][1])
    assert wb.sheetnames == ["无项目"] and wb.worksheets[0]["A1"].value == sentence
