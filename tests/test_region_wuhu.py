"""Issue 8 item 7: 芜湖 2019 预算项目支出绩效目标申报明细表 (templates/wuhu, samples/2019/wuhu.yaml),
rendered in both formats and read back: words, merges, the ☑/□ choices, the declared fields,
and how much of the published text (tests/fixtures/regions/) the outputs print."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

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
    xlsx_shown,
)
from regions import recall

SAMPLE = SAMPLES / "2019" / "wuhu.yaml"
REGION = "anhui_wuhu_weijian_2019.txt"
TEXT = SAMPLE.read_text(encoding="utf-8")
GOALS = [
    "项目概况:用于开展特殊人群病种筛查工作。",
    "项目立项依据:《中华人民共和国传染病防治法》 等",
    "必要性:随着经济的高速发展和社会压力的加剧,我市导致突发公共卫生事件的危险因素持续存在,流动人口问题突出,"
    "区域性流行或跨区域传播风险并存,部分新发传染病传入我市的威胁和风险不容忽视,结核病、人感染H7N9流感等新老传染性"
    "疾病不断威胁人民群众身体健康,必须持续做好特殊人群病种的筛查监测等工作。",
    "预期目标:贯彻落实党中央、国务院和省政府关于特殊人群疾病防治工作决策和部署,依法做好防控工作。",
]
# what the region text stops before (its indicator table): a few rows to see the grid merge
INDICATORS = """\
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 筛查人数, value: ≥5000人}
      - {level1: 产出指标, level2: 数量指标, name: 筛查病种数, value: ≥3种}
      - {level1: 产出指标, level2: 质量指标, name: 筛查结果准确率, value: ≥95%}
      - {level1: 效益指标, level2: 社会效益指标, name: 传染病早发现, value: 有效}
      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 受检人群满意度, value: ≥90%}
"""
TRUNCATED = "    # 绩效指标：摘录到此为止（见文件开头），原表的指标表没有收录。\n"


@pytest.fixture(scope="module")
def files():
    return {fmt: data for fmt, (_stem, data) in render_bytes(load(SAMPLE)).items()}


def render(text: str, fmt: str) -> bytes:
    return render_bytes(loads(text, "wuhu.yaml"), [fmt])[fmt][1]


def edited(old: str, new: str) -> str:
    assert old in TEXT
    return TEXT.replace(old, new, 1)


def rows(table) -> list[list[tuple[str, int]]]:
    return [[(c.text, c.span) for c in r] for r in table]


# ------------------------------------------------------------------ check
def test_check_lists_only_what_the_excerpt_lacks():
    res = CliRunner().invoke(main, ["check", str(SAMPLE)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        f"{SAMPLE}:19 错误 E203 projects[0].indicators：项目“特殊人群病种筛查经费”没有绩效指标："
        "至少要有产出指标、效益指标和满意度指标各一条（已确认保留：摘录在“项目绩效目标”之后截断，原表的绩效指标表没有收录）",
        "检查了 1 个文件：0 个错误，0 个提醒，1 个已确认保留。",
    ]


def test_a_project_type_outside_the_forms_options_is_refused_where_it_is(tmp_path):
    f = tmp_path / "wuhu.yaml"
    f.write_text(edited("    start_date:", "    project_type: 切块\n    start_date:"), encoding="utf-8")
    got = [f"{p.line} {p.code} {format_path(p.path)}：{p.message}" for p in check(f)]
    assert got[0] == "24 E010 projects[0].project_type：应为 部门预算、切块预算 之一，现为 “切块”：是不是“切块预算”？"


# ------------------------------------------------------------------ fidelity
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_recall_of_the_published_text(files, fmt, tmp_path):
    out = tmp_path / f"wuhu.{fmt}"
    out.write_bytes(files[fmt])
    score, missed = recall(REGION, out)
    assert score >= 0.97, f"recall {score:.3f} of {REGION} in .{fmt}; not printed: {missed}"


# ------------------------------------------------------------------ Word
def test_docx_title_lines_above_the_table(files):
    text = docx_text(files["docx"]).splitlines()
    assert text[:3] == [
        "2019年度芜湖市特殊人群病种筛查经费预算项目支出绩效目标申报明细表",
        "(2019年度)",
        "申报单位名称:(盖章)\u3000芜湖市卫生健康委员会",
    ]


def test_docx_project_table_cells_and_merges(files):
    info, grid = docx_tables(files["docx"])
    assert rows(info) == [
        [("项目名称", 1), ("特殊人群病种筛查经费", 3)],
        [("项目类型", 1), ("部门预算 □", 1), ("切块预算 □", 2)],
        [("项目属性", 1), ("延续项目", 1), ("新增项目", 2)],
        [("起始日期:2019年1月1日", 2), ("结束日期:2021年12月31日", 2)],
        [("项目总预算(万元)", 1), ("75.00", 1), ("项目当年预算(万元)", 1), ("25.00", 1)],
        [("项目资金来源情况(万元)", 1), ("其中:上级财政补助资金", 1), ("其中:同级财政资金", 1), ("其他", 1)],
        [("", 1), ("0.00", 1), ("25.00", 1), ("0.00", 1)],
        [("同名项目上年预算额", 1), ("", 1), ("同名项目上年预算执行数", 1), ("", 1)],
        [("项目绩效目标(含项目概况、设立依据、必要性及预期目标)", 1), ("\n".join(GOALS), 3)],
    ]
    # the 资金来源 label is merged down its two rows (labels, amounts)
    assert docx_vertical_merges(info) == {0: [(5, 2)]}
    # no indicators in the excerpt: the grid prints its heading and one empty row to fill in
    assert rows(grid) == [[("一级指标", 1), ("二级指标", 1), ("三级指标", 1), ("指标值", 1)], [("", 1)] * 4]


def test_docx_is_word_strict_with_page_numbers(files):
    assert docx_strictness(files["docx"]) == []
    assert docx_east_asia_font(files["docx"]) == "宋体"
    with zipfile.ZipFile(BytesIO(files["docx"])) as z:
        footer = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
    assert re.findall(r"<w:instrText[^>]*>([^<]*)<", footer) == [" PAGE ", " NUMPAGES "]
    assert re.findall(r"<w:t[ >][^<]*?([^<>]*)</w:t>", footer) == ["第 ", "1", " 页 共 ", "1", " 页"]


def test_docx_grid_heading_repeats_and_merges_by_the_data():
    data = render(edited(TRUNCATED, INDICATORS), "docx")
    grid = docx_tables(data)[1]
    assert [[c.text for c in r] for r in grid] == [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "筛查人数", "≥5000人"],
        ["", "", "筛查病种数", "≥3种"],
        ["", "质量指标", "筛查结果准确率", "≥95%"],
        ["效益指标", "社会效益指标", "传染病早发现", "有效"],
        ["满意度指标", "服务对象满意度指标", "受检人群满意度", "≥90%"],
    ]
    assert docx_vertical_merges(grid) == {0: [(1, 3)], 1: [(1, 2)]}
    tbl = list(docx_body(data).iter(q("tbl")))[1]
    heading = [tr.find(q("trPr")).find(q("tblHeader")) is not None for tr in tbl.findall(q("tr"))]
    assert heading == [True, False, False, False, False, False]


# ------------------------------------------------------------------ the choices
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_chosen_type_and_attribute_are_ticked(fmt):
    text = edited("    start_date:", "    project_type: 切块预算\n    attribute: 新增项目\n    start_date:")
    data = render(text, fmt)
    if fmt == "docx":
        cells = [[c.text for c in r] for r in docx_tables(data)[0][1:3]]
    else:
        ws = xlsx_book(data).worksheets[0]
        cells = [[ws.cell(r, c).value for c in range(1, 4)] for r in (5, 6)]
    assert cells == [["项目类型", "部门预算 □", "切块预算 ☑"], ["项目属性", "延续项目", "新增项目 ☑"]]


# ------------------------------------------------------------------ Excel
def test_xlsx_sheet_cells_merges_and_print_settings(files):
    wb = xlsx_book(files["xlsx"])
    assert wb.sheetnames == ["特殊人群病种筛查经费"]
    ws = wb.worksheets[0]
    values = {c.coordinate: xlsx_shown(c) for row in ws.iter_rows() for c in row if c.value is not None}
    assert values == {
        "A1": "2019年度芜湖市特殊人群病种筛查经费预算项目支出绩效目标申报明细表",
        "A2": "(2019年度)",
        "A3": "申报单位名称:(盖章)\u3000芜湖市卫生健康委员会",
        "A4": "项目名称", "B4": "特殊人群病种筛查经费",
        "A5": "项目类型", "B5": "部门预算 □", "C5": "切块预算 □",
        "A6": "项目属性", "B6": "延续项目", "C6": "新增项目",
        "A7": "起始日期:2019年1月1日", "C7": "结束日期:2021年12月31日",
        "A8": "项目总预算(万元)", "B8": "75.00", "C8": "项目当年预算(万元)", "D8": "25.00",
        "A9": "项目资金来源情况(万元)", "B9": "其中:上级财政补助资金", "C9": "其中:同级财政资金", "D9": "其他",
        "B10": "0.00", "C10": "25.00", "D10": "0.00",
        "A11": "同名项目上年预算额", "C11": "同名项目上年预算执行数",
        "A12": "项目绩效目标(含项目概况、设立依据、必要性及预期目标)", "B12": "\n".join(GOALS),
        "A13": "一级指标", "B13": "二级指标", "C13": "三级指标", "D13": "指标值",
    }  # fmt: skip
    assert sorted(str(m) for m in ws.merged_cells.ranges) == sorted(
        ["A1:D1", "A2:D2", "A3:D3", "B4:D4", "C5:D5", "C6:D6", "A7:B7", "C7:D7", "A9:A10", "B12:D12"]
    )
    assert ws.print_title_rows == "$13:$13"
    assert ws.print_area == "'特殊人群病种筛查经费'!$A$1:$D$14"  # the empty indicator row included
    assert ws.oddFooter.right.text == "第 &P 页 共 &N 页"  # the Word footer's wording (issue 20 item 4)
    assert (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth) == (9, "portrait", 1)


def test_xlsx_grid_merges_by_the_data():
    ws = xlsx_book(render(edited(TRUNCATED, INDICATORS), "xlsx")).worksheets[0]
    assert [[ws.cell(r, c).value for c in range(1, 5)] for r in range(14, 19)] == [
        ["产出指标", "数量指标", "筛查人数", "≥5000人"],
        [None, None, "筛查病种数", "≥3种"],
        [None, "质量指标", "筛查结果准确率", "≥95%"],
        ["效益指标", "社会效益指标", "传染病早发现", "有效"],
        ["满意度指标", "服务对象满意度指标", "受检人群满意度", "≥90%"],
    ]
    assert xlsx_column_merges(ws, 1, 14) == [(14, 3)]
    assert xlsx_column_merges(ws, 2, 14) == [(14, 2)]


# ------------------------------------------------------------------ declared fields
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_declared_fields_left_out_print_empty_not_none(fmt):
    text = TEXT
    for line in ("    start_date: 2019年1月1日", "    end_date: 2021年12月31日", "    total_budget: 75.00"):
        text = text.replace(line, "   ", 1)
    data = render(text, fmt)
    if fmt == "docx":
        info = docx_tables(data)[0]
        got = [info[3][0].text, info[3][1].text, info[4][1].text]
        printed = docx_text(data)
    else:
        ws = xlsx_book(data).worksheets[0]
        got = [ws["A7"].value, ws["C7"].value, ws["B8"].value]
        printed = "".join(str(c.value) for r in ws.iter_rows() for c in r if c.value is not None)
    assert got == ["起始日期:", "结束日期:", None if fmt == "xlsx" else ""]
    assert "None" not in printed


def test_amounts_in_yuan_print_in_the_forms_wanyuan():
    text = edited("budget: {unit: 万元, total: 25.00}", "budget: {unit: 元, total: 250000}")
    text = text.replace("total_budget: 75.00", "total_budget: 750000")
    info = docx_tables(render(text, "docx"))[0]
    assert [c.text for c in info[4]] == ["项目总预算(万元)", "75", "项目当年预算(万元)", "25"]


# ------------------------------------------------------------------ no project
def test_data_without_projects_gets_a_sentence_not_an_empty_file(tmp_path):
    text = "year: 2019\nform: wuhu\ndepartment: {name: 测试局}\n"
    loaded = loads(text, "d.yaml")
    out = render_bytes(loaded)
    sentence = "测试局：这份数据没有项目。本表样每个项目印一张申报明细表，请在 projects: 下填写项目。"
    assert docx_text(out["docx"][1]).strip() == sentence
    wb = xlsx_book(out["xlsx"][1])
    assert wb.sheetnames == ["无项目"] and wb.worksheets[0]["A1"].value == sentence
    f = tmp_path / "d.yaml"
    f.write_text(text, encoding="utf-8")
    assert [p.code for p in check(f)] == ["E305"]  # and `goaldoc render` stops on it
