"""Issue 8 item 7: the 鄂州 2022 市直部门预算项目支出绩效目标表 (templates/ezhou/,
samples/2022/ezhou.yaml), rendered in both formats and read back: the words and numbers of
every cell, the merges, the repeated heading, the page setup, `goaldoc check` of the sample
and the share of the region's text the outputs print."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

import fidelity
from conftest import SAMPLES
from goaldoc.api import Loaded, load, loads, render_bytes
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
from regions import REGIONS, recall, written

SAMPLE = SAMPLES / "2022" / "ezhou.yaml"
REGION = "hubei_ezhou_project_2022.txt"
# the document-sharing site's name of the file, a line of the stored text but no cell of the form
SOURCE_FILE_NAME = "鄂州市2022年市直部门预算项目支出绩效目标表.docx"
TITLE = "鄂州市2022年市直部门预算项目支出绩效目标表"


@pytest.fixture(scope="module")
def ezhou():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def files(ezhou, tmp_path_factory) -> dict[str, Path]:
    return written(ezhou, tmp_path_factory.mktemp("ezhou"), "ezhou")


def texts(table) -> list[list[str]]:
    return [[c.text for c in row] for row in table]


# ------------------------------------------------------------------ goaldoc check
def test_check_of_the_sample_lists_only_the_accepted_problems():
    res = CliRunner().invoke(main, ["check", str(SAMPLE)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        f"{SAMPLE}:23 提醒 W312 projects[0].budget：预算资金填了，表样“ezhou”（鄂州市市直部门预算项目支出绩效目标表）不印它，"
        "它不会出现在生成的文件里：要印请换用印这一栏的表样，或请管理模板的同事在模板里加上这一栏；不需要的话删去它"
        "（已确认保留：表上不另印预算数（等于成本构成的合计行 814）；留着供核对和用别的表样（--form）生成）",
        f"{SAMPLE}:31 错误 E108 projects[0].cost_items[3].actual_year_before_last：项目预算成本构成“合计”行的"
        "前年实际执行数为 662.98 万元，其他各行之和为 662.88 万元（相差 0.10 万元）：请核对"
        "（已确认保留：原表如此：2020年实际执行数合计印 662.98，各行之和为 662.88）",
        f"{SAMPLE}:41 错误 E203 projects[0].indicators：项目“滨湖大胆办公大楼运行保障”缺少效益指标："
        "产出指标、效益指标和满意度指标至少各要有一条（已确认保留：摘录在成本指标处截断，效益指标、满意度指标不在摘录中）",
        f"{SAMPLE}:41 错误 E203 projects[0].indicators：项目“滨湖大胆办公大楼运行保障”缺少满意度指标："
        "产出指标、效益指标和满意度指标至少各要有一条（已确认保留：摘录在成本指标处截断，效益指标、满意度指标不在摘录中）",
        f"{SAMPLE}:61 提醒 W204 projects[0].indicators[3].value：百分比超过 100%（现为“292%”）："
        "比率一般不超过 100%，请核对（已确认保留：照录预览的 292%（应为 ≥92%））",
        "检查了 1 个文件：0 个错误，0 个提醒，5 个已确认保留。",
    ]


def test_the_declared_fields_are_typed(ezhou):
    p = ezhou.model.projects[0]
    assert p.project_nature == "持续性项目" and p.approval_basis == "市机关事务服务中心三定方案"
    assert [(c.item, str(c.amount), str(c.actual_year_before_last)) for c in p.cost_items] == [
        ("保安服务费", "191", "191"),
        ("保洁服务费", "99", "99"),
        ("水电气、维修维护费", "524", "372.88"),
        ("合计", "814", "662.98"),
    ]


def test_a_project_nature_outside_the_form_is_refused_with_its_line(tmp_path):
    f = tmp_path / "e.yaml"
    f.write_text(
        textwrap.dedent(
            """\
            year: 2022
            form: ezhou
            department: {name: 测试中心}
            projects:
              - name: 甲
                project_nature: 新增项目
            """
        ),
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["check", str(f)])
    assert res.exit_code == 1
    assert (
        f"{f}:6 错误 E010 projects[0].project_nature：应为 持续性项目、一次性项目 之一，现为 “新增项目”："
        "是不是“持续性项目”？"
    ) in res.output.splitlines()


# ------------------------------------------------------------------ Word
def test_docx_review_block_title_and_project_table(files):
    data = files["docx"]
    review, main_table, _grid = docx_tables(data)
    assert texts(review) == [["主管部门\n审核意见", "\n单位公章：\n年\u3000\u3000月\u3000\u3000日"]]
    top = [p for p in docx_body(data).find(q("body")) if p.tag == q("p")]
    assert "".join(t.text or "" for t in top[1].iter(q("t"))) == TITLE
    assert texts(main_table) == [
        ["项目名称", "滨湖大胆办公大楼运行保障"],
        ["项目类别", "本级支出项目", "项目性质", "持续性项目"],
        ["立项依据", "市机关事务服务中心三定方案"],
        ["项目预算", "成本构成", "金额", "测算(公式)依据", "2020年实际执行数", "2021年实际执行数"],
        ["", "保安服务费", "191", "依据招标文件", "191", "191"],
        ["", "保洁服务费", "99", "依据招标文件", "99", "99"],
        ["", "水电气、维修维护费", "524", "根据三定方案,各项费用据实结算", "372.88", "504.55"],
        ["", "合计", "814", "", "662.98", "794.55"],
        ["绩效目标", "以办公大楼服务对象满意为目标,着力打造文明型机关、卫生Z口机关。"],
    ]
    # 项目预算 merged down its heading and its four rows
    assert docx_vertical_merges(main_table) == {0: [(3, 5)]}
    assert [c.span for c in main_table[1]] == [1, 2, 1, 2]


def test_docx_indicator_grid(files):
    grid = docx_tables(files["docx"])[2]
    assert texts(grid) == [
        ["绩效指标", "保障绩效目标实现措施"],
        ["一级指标", "二级指标", "绩效标准", "当年预期实现值", ""],
        ["数量指标", "办公大楼日常维修维护次数", "反映办公大楼全年维修维护情况", "2280次", ""],
        ["", "大楼安检巡察次数", "反映大楼保卫巡检情况", "200次", ""],
        ["质量指标", "办公大楼日常维修维护验收合格率", "反映办公大楼全年维修维护质量情况", ">92%", ""],
        ["", "经常性大型设备更新验收合格率", "反映办公大楼大型设备更新验收情况", "292%", ""],
        ["", "重.要设备维修维保验收合格率", "反映设备设施维保质量情况", "95%", ""],
        ["成本指标", "成本控制率", "", "不超预算", ""],
        ["", "水电气消耗下降率", "反映水电气消耗比上年下降情况", ">", ""],
    ]
    # 二级 (printed under the form's 一级指标) merged by the data; 保障措施 over the heading
    # rows and, apart, down all indicator rows (a merge out of a repeated heading would stop Word repeating it)
    assert docx_vertical_merges(grid) == {0: [(2, 2), (4, 3), (7, 2)], 4: [(0, 2), (2, 7)]}
    trs = list(docx_body(files["docx"]).iter(q("tbl")))[2].findall(q("tr"))
    heading = [tr.find(q("trPr")).find(q("tblHeader")) is not None for tr in trs]
    assert heading == [True, True] + [False] * 7


def test_docx_safeguards_print_one_per_line_in_the_merged_column(ezhou):
    project = ezhou.model.projects[0]
    safeguards = project.safeguards.model_copy(update={"items": ["一是落实合同管理", "二是每月考核"]})
    model = ezhou.model.model_copy(update={"projects": [project.model_copy(update={"safeguards": safeguards})]})
    out = render_bytes(Loaded(model, ezhou.lines, ezhou.file, ezhou.form), ["docx", "xlsx"])
    grid = docx_tables(out["docx"][1])[2]
    assert grid[2][4].text == "一是落实合同管理二是每月考核"  # a line break between them (w:br)
    body_row = list(docx_body(out["docx"][1]).iter(q("tbl")))[2].findall(q("tr"))[2]
    assert body_row.find(f".//{q('br')}") is not None
    ws = xlsx_book(out["xlsx"][1]).worksheets[0]
    assert ws["F16"].value == "一是落实合同管理\n二是每月考核"
    assert "F16:F22" in {str(m) for m in ws.merged_cells.ranges}


def test_docx_is_word_strict_a4_portrait_with_page_numbers(files):
    assert docx_strictness(files["docx"]) == []
    assert docx_east_asia_font(files["docx"]) == "宋体"
    doc = Document(str(files["docx"]))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    footer = s.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert "".join(p.text for p in s.footer.paragraphs) == "第 1 页 共 1 页"


# ------------------------------------------------------------------ Excel
def test_xlsx_cells(files):
    wb = xlsx_book(files["xlsx"])
    assert wb.sheetnames == ["滨湖大胆办公大楼运行保障"]
    ws = wb.worksheets[0]
    rows = [[xlsx_shown(ws.cell(r, c)) for c in range(1, 7)] for r in range(1, ws.max_row + 1)]
    assert rows[:13] == [
        ["主管部门\n审核意见", None, None, None, None, None],
        [None, "单位公章：", None, None, None, None],
        [None, "年\u3000\u3000月\u3000\u3000日", None, None, None, None],
        [TITLE, None, None, None, None, None],
        ["项目名称", "滨湖大胆办公大楼运行保障", None, None, None, None],
        ["项目类别", "本级支出项目", None, "项目性质", "持续性项目", None],
        ["立项依据", "市机关事务服务中心三定方案", None, None, None, None],
        ["项目预算", "成本构成", "金额", "测算(公式)依据", "2020年实际执行数", "2021年实际执行数"],
        [None, "保安服务费", "191", "依据招标文件", "191", "191"],
        [None, "保洁服务费", "99", "依据招标文件", "99", "99"],
        [None, "水电气、维修维护费", "524", "根据三定方案,各项费用据实结算", "372.88", "504.55"],
        [None, "合计", "814", None, "662.98", "794.55"],
        ["绩效目标", "以办公大楼服务对象满意为目标,着力打造文明型机关、卫生Z口机关。", None, None, None, None],
    ]
    assert rows[13] == ["绩效指标", None, None, None, None, "保障绩效目标实现措施"]
    assert rows[14] == ["一级指标", "二级指标", "绩效标准", None, "当年预期实现值", None]
    assert [r[0:2] + [r[4]] for r in rows[15:22]] == [
        ["数量指标", "办公大楼日常维修维护次数", "2280次"],
        [None, "大楼安检巡察次数", "200次"],
        ["质量指标", "办公大楼日常维修维护验收合格率", ">92%"],
        [None, "经常性大型设备更新验收合格率", "292%"],
        [None, "重.要设备维修维保验收合格率", "95%"],
        ["成本指标", "成本控制率", "不超预算"],
        [None, "水电气消耗下降率", ">"],
    ]
    assert rows[22][0] == "填报单位：鄂州市机关事务服务中心"


def test_xlsx_merges_print_titles_and_page(files):
    ws = xlsx_book(files["xlsx"]).worksheets[0]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:A3", "B1:F1", "A4:F4", "B5:F5", "B6:C6", "E6:F6", "A14:E14", "F14:F15", "C15:D15", "F16:F22"} <= merged
    assert xlsx_column_merges(ws, 1, from_row=5) == [(8, 5), (16, 2), (18, 3), (21, 2)]
    assert ws.print_title_rows == "$14:$15"
    assert ws.oddFooter.right.text == "第 &P 页 共 &N 页"  # the Word footer's wording (issue 20 item 4)
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("portrait", 9)


# ------------------------------------------------------------------ the region's text
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_recall_of_the_region_text(files, fmt):
    """The stored text lost its cell boundaries: the whole form is one 486-character atom,
    found only if every cell prints, in the form's order. The other atom is the sharing
    site's file name (no cell of the form): it is the one miss, and the form's recall is
    measured without it."""
    score, missed = recall(REGION, files[fmt])
    assert missed == [SOURCE_FILE_NAME], missed
    assert score == 0.5
    atoms = [a for a in fidelity.atoms((REGIONS / REGION).read_text(encoding="utf-8")) if a != SOURCE_FILE_NAME]
    form_recall = (len(atoms) - len([m for m in missed if m != SOURCE_FILE_NAME])) / len(atoms)
    assert len(atoms) == 1 and len(atoms[0]) == 486
    assert form_recall >= 0.97, missed


# ------------------------------------------------------------------ no project
def test_data_without_projects_prints_a_note_not_an_empty_file(taishan):
    out = render_bytes(taishan, form="ezhou")
    note = "台山市人力资源和社会保障局：这份数据没有项目。本表样（鄂州市市直部门预算项目支出绩效目标表）每个项目印一张表：请在 projects: 下填写项目。"
    assert docx_text(out["docx"][1]).strip() == note
    wb = xlsx_book(out["xlsx"][1])
    assert wb.sheetnames == ["台山市人力资源和社会保障局"] and wb.worksheets[0]["A1"].value == note


def test_another_forms_project_prints_empty_where_it_has_no_data():
    loaded = loads(
        "year: 2024\nform: ezhou\ndepartment: {name: 测试中心}\nprojects: [{name: 甲项目}]\n", "d.yaml"
    )
    out = render_bytes(loaded, ["docx"])
    main_table = docx_tables(out["docx"][1])[1]
    assert texts(main_table)[1] == ["项目类别", "", "项目性质", ""]
    assert texts(main_table)[3][4:] == ["2022年实际执行数", "2023年实际执行数"]
