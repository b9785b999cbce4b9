"""Issue 8 item 7: 宁德 2019 部门整体支出绩效目标表 (templates/ningde/, samples/2019/ningde.yaml),
rendered in both formats and read back: the cells of the region text, the merges, the
repeated grid heading, page numbers, `goaldoc check`, and the recall of the region text."""

from __future__ import annotations

import zipfile

import pytest
from click.testing import CliRunner

from bundles import IndicatorGrid
from conftest import SAMPLES
from goaldoc.api import load
from goaldoc.cli import main
from readback import (
    docx_body,
    docx_east_asia_font,
    docx_strictness,
    docx_tables,
    docx_vertical_merges,
    q,
    xlsx_book,
    xlsx_column_merges,
    xlsx_row_of,
    xlsx_shown,
)
from regions import recall, written

SAMPLE = SAMPLES / "2019" / "ningde.yaml"
# issue 16: the sample keeps 行政区 for other forms (--form); its own form prints a fixed title
AREA_KEPT = (
    "提醒 W312 department.area：所属行政区填了，表样“{f}”（{t}）不印它，它不会出现在生成的文件里："
    "要印请换用印这一栏的表样，或请管理模板的同事在模板里加上这一栏；不需要的话删去它"
    "（已确认保留：本表样的表题是固定的，不印行政区；留着供用别的表样（--form）生成时拼表题）"
)
REGION = "fujian_ningde_dept_overall_2019.txt"
GRID = IndicatorGrid("ningde")
GRID_HEADER = ["一级指标", "二级指标", "三级指标", "指标解释", "目标值"]


@pytest.fixture(scope="module")
def ningde():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def files(ningde, tmp_path_factory):
    """{format: path} of the rendered files (recall reads them from disk)."""
    return written(ningde, tmp_path_factory.mktemp("ningde"), "ningde")


def _main_and_grid(path):
    tables = docx_tables(path)
    assert len(tables) == 2, "the form, then the indicator grid as a table of its own"
    return tables


# ------------------------------------------------------------------ check
def test_check_lists_only_the_accepted_gaps_of_the_excerpt():
    res = CliRunner().invoke(main, ["check", str(SAMPLE)])
    assert res.exit_code == 0, res.output
    reason = "（已确认保留：文字稿在成本指标一行处中断：原表的效益指标、满意度指标不在摘录里）"
    line = next(n for n, t in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("indicators:"))
    where = f"{SAMPLE}:{line} 错误 E203 indicators："
    row = next(n for n, t in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines(), 1) if t.strip().startswith("amount: 171.41"))
    assert res.output.splitlines() == [
        f"{SAMPLE}:14 " + AREA_KEPT.format(f="ningde", t="福建省部门整体支出绩效目标表（宁德市）"),
        # the form's amount_checks tie 年度履职目标's 基本支出 row to the budget line (issue 22 item 4)
        f"{SAMPLE}:{row} 错误 E109 duty_targets[2].amount：年度履职目标里支出项目名称为“基本支出”的第 3 行预算金额 171.41 万元"
        " ≠ 部门预算支出“基本支出” 110.61 万元（相差 60.80 万元）：请核对"
        "（已确认保留：原表如此：基本支出一行印的是资金总额 171.41，年度预算安排里的基本支出是 110.61）",
        where + "部门整体缺少效益指标：产出指标、效益指标和满意度指标至少各要有一条" + reason,
        where + "部门整体缺少满意度指标：产出指标、效益指标和满意度指标至少各要有一条" + reason,
        "检查了 1 个文件：0 个错误，0 个提醒，4 个已确认保留。",
    ]


def test_the_declared_fields_hold_the_form_cells(ningde):
    m = ningde.model
    assert m.form == "ningde"
    assert m.department.code == "901001033"  # 部门预算编码
    assert [(r.duty, r.spending_item, str(r.amount)) for r in m.duty_targets] == [
        ("组织、指导、编纂、督促和检查地方志、年鉴、地情工作", "地情、市志编纂与年鉴出版经费", "49.8"),
        ("确保本室各人员工资及福利的发放", "地情、市志编纂与年鉴出版经费", "11"),
        ("确保日常工作正常运行", "基本支出", "171.41"),
    ]


# ------------------------------------------------------------------ Word
def test_docx_header_budget_and_goals(files):
    main_table, _grid = _main_and_grid(files["docx"])
    assert [(c.text, c.span) for c in main_table[0]] == [
        ("部门(单位)名称", 2),
        ("中共宁德市委党史和地方志研究室", 1),
        ("部门预算编码", 1),
        ("901001033", 1),
    ]
    # 年度 / 预算 / 安排 / (万元) on four lines, merged down the three budget lines
    assert main_table[1][0].text == "年度预算安排(万元)"
    assert [[c.text for c in r[1:]] for r in main_table[1:4]] == [
        ["资金总额", "171.41"],
        ["项目支出", "60.8"],
        ["基本支出", "110.61"],
    ]
    assert main_table[4][0].text == "年度总体目标"
    assert main_table[4][1].text.splitlines() == [
        "目标1:确保本室各人员工资及福利的发放;",
        "目标2:对合作社区、退休人员及遗孀、困难群众进行一定程度的补助;",
        "目标3:确保本室日常办公所需经费正常运行;",
        "目标4:保障志鉴地情相关工作开展所需资金,确保完成2019年度任务。",
    ]


def test_docx_duty_targets_as_published(files):
    main_table, _grid = _main_and_grid(files["docx"])
    assert main_table[5][0].text == "年度履职目标"
    assert [c.text for c in main_table[5][1:]] == ["部门职能", "年度目标任务", "支出项目名称", "预算金额(万元)"]
    assert [[c.text for c in r[1:]] for r in main_table[6:9]] == [
        ["组织、指导、编纂、督促和检查地方志、年鉴、地情工作", "保障志鉴地情相关工作开展所需资金,确保完成2019年度任务", "地情、市志编纂与年鉴出版经费", "49.8"],
        ["确保本室各人员工资及福利的发放", "按时发放2019年人员福利", "地情、市志编纂与年鉴出版经费", "11"],
        # the published form's own mistake, kept: 基本支出 is 110.61 in 年度预算安排
        ["确保日常工作正常运行", "按时发放2019年人员工资待遇", "基本支出", "171.41"],
    ]
    # the label column merges down each section: budget (3 lines), duties (heading + 3 rows)
    assert docx_vertical_merges(main_table) == {0: [(1, 3), (5, 4)]}


def test_docx_grid_merges_follow_the_data(ningde, files):
    _main, grid = _main_and_grid(files["docx"])
    assert [c.text for c in grid[0]] == GRID_HEADER
    inds = ningde.model.indicators
    merges = docx_vertical_merges(grid)
    assert merges[0] == GRID.spans(inds, "level1", 1) == [(1, 7)]
    assert merges[1] == GRID.spans(inds, "level2", 1) == [(1, 3), (4, 2)]
    assert [[c.text for c in r] for r in grid[1:]] == [
        ["产出指标", "数量指标", "志鉴地情相关工作开展所需资金的供应时效", "100%(历史标准)", "100%"],
        ["", "", "确保日常工作正常运行", "100%", "100%"],
        ["", "", "按年度发放绩效奖、文明奖、综治平安奖、应休未休补贴", "60%", "≥60%"],
        ["", "质量指标", "调研、督促、指导志、鉴、地情编纂的县(市、区)的覆盖率", "90%(计划标准)", "1"],
        ["", "", "各类书籍审稿率", "100%(计划标准)", "1"],
        ["", "时效指标", "项目完成时间", "2019年12月(计划标准)", "100%"],
        ["", "成本指标", "", "基本支出", ""],
    ]


def test_docx_grid_heading_repeats_and_the_file_is_word_strict(files):
    tables = list(docx_body(files["docx"]).iter(q("tbl")))
    first = tables[1].find(q("tr"))
    assert first.find(q("trPr")).find(q("tblHeader")) is not None
    assert tables[0].find(q("tr")).find(q("trPr")).find(q("tblHeader")) is None
    assert docx_strictness(files["docx"]) == []
    assert docx_east_asia_font(files["docx"]) == "仿宋_GB2312"


def test_docx_title_and_page_numbers(files):
    body = docx_body(files["docx"]).find(q("body"))
    paras = ["".join(t.text or "" for t in p.iter(q("t"))) for p in body.findall(q("p"))]
    assert paras[:2] == ["部门整体支出绩效目标表", "(2019年度)"]
    with zipfile.ZipFile(files["docx"]) as z:
        footers = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/footer")]
    assert any('w:instr=" PAGE ' in f and 'w:instr=" NUMPAGES ' in f and "页 共" in f for f in footers)


# ------------------------------------------------------------------ Excel
def test_xlsx_cells_and_merges(files):
    ws = xlsx_book(files["xlsx"]).worksheets[0]
    assert ws.title == "部门整体支出绩效目标表"
    assert [xlsx_shown(ws.cell(3, c)) for c in (1, 3, 4, 5)] == ["部门(单位)名称", "中共宁德市委党史和地方志研究室", "部门预算编码", "901001033"]
    top = xlsx_row_of(ws, 2, "资金总额")
    assert xlsx_shown(ws.cell(top, 1)) == "年度\n预算\n安排\n(万元)"
    assert [(xlsx_shown(ws.cell(r, 2)), xlsx_shown(ws.cell(r, 3))) for r in range(top, top + 3)] == [
        ("资金总额", "171.41"),
        ("项目支出", "60.8"),
        ("基本支出", "110.61"),
    ]
    duty = xlsx_row_of(ws, 2, "部门职能")
    assert xlsx_shown(ws.cell(duty, 1)) == "年度\n履职\n目标"
    assert [xlsx_shown(ws.cell(duty + 3, c)) for c in range(2, 6)] == ["确保日常工作正常运行", "按时发放2019年人员工资待遇", "基本支出", "171.41"]
    assert xlsx_column_merges(ws, 1) == [(top, 3), (duty, 4), (duty + 5, 7)]
    head = xlsx_row_of(ws, 1, "一级指标")
    assert head == duty + 4
    assert [xlsx_shown(ws.cell(head, c)) for c in range(1, 6)] == GRID_HEADER
    assert xlsx_column_merges(ws, 2, head) == [(head + 1, 3), (head + 4, 2)]
    assert [xlsx_shown(ws.cell(head + 3, c)) for c in (3, 4, 5)] == ["按年度发放绩效奖、文明奖、综治平安奖、应休未休补贴", "60%", "≥60%"]


def test_xlsx_print_settings(files):
    ws = xlsx_book(files["xlsx"]).worksheets[0]
    head = xlsx_row_of(ws, 1, "一级指标")
    assert ws.print_title_rows == f"${head}:${head}"
    assert ws.oddFooter.right.text == "第 &P 页 共 &N 页"  # the Word footer's wording (issue 20 item 4)
    assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9  # A4


# ------------------------------------------------------------------ recall of the region text
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_recall_of_the_region_text(files, fmt):
    score, missed = recall(REGION, files[fmt])
    assert score >= 0.97, f"{fmt} recall {score:.3f}, missed: {missed}"


def test_other_data_prints_empty_rows_through_this_form():
    """A department without the declared fields (Guizhou's sample) still gets one row of each
    section to fill in, and its 部门预算编码 cell is empty."""
    from goaldoc.api import render_bytes

    liuzhi = load(SAMPLES / "2023" / "liuzhi.yaml")
    data = render_bytes(liuzhi, ["docx"], form="ningde")["docx"][1]
    main_table, _grid = docx_tables(data)
    assert main_table[0][3].text == "" and main_table[0][1].text == "六枝特区人力资源和社会保障局"
    duty = next(i for i, r in enumerate(main_table) if r[0].text == "年度履职目标")
    assert [c.text for c in main_table[duty + 1][1:]] == ["", "", "", ""]
    assert len(main_table) == duty + 2
