"""Issue 20 item 2 and issue 16 item 4: breaks a reviewer accepts, read off the rendered
files (the layout goaldoc wrote: page breaks, the texts printed again after them).

* no heading row ends an Excel page (广水: 任务名称 | 主要内容 | 预算金额 was p1's last row);
* a label part after a page break says whose row it is (项目名称, 年度目标) and never
  repeats an amount: SUM over the column counts each amount once (井研 p3 printed
  20,000.00 again under a blank name; a key task continued over a page printed its funds
  twice);
* no column of thirty lines beside a column of one: a Guangdong department whose key
  tasks run ~300 characters gets 主要实施内容 wider, taken from the columns with room;
* no table ends on a page of its heading and one row (liuzhi p7, p9), in either format.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from conftest import SAMPLES
from goaldoc.api import Loaded, load, render_bytes
from readback import squash, xlsx_book

LONG_TASK = (
    "围绕稳就业保民生目标，组织开展各类线上线下招聘活动，落实创业担保贷款贴息、一次性创业资助、租金补贴等扶持政策；"
    "加强职业技能培训，开展企业新型学徒制培训、以工代训和项目制培训，提升劳动者技能水平；完善公共就业服务体系，"
    "推进镇（街）、村（社区）基层服务平台建设，实现就业登记、失业登记、职业介绍等业务全程网办；加强重点群体就业帮扶，"
    "对高校毕业生、退役军人、农村转移劳动力和就业困难人员实施分类帮扶，开发公益性岗位兜底安置；强化资金监管，"
    "按季度开展资金使用情况核查，确保专款专用、发放及时准确。年底前完成绩效自评并向社会公开评价结果，接受人大、审计和群众监督。"
)


def _variant(loaded: Loaded, **update) -> Loaded:
    return Loaded(loaded.model.model_copy(update=update), loaded.lines, "x")


def _breaks(ws) -> set[int]:  # type: ignore[no-untyped-def]
    """Rows a manual page break follows."""
    return {int(b.id) for b in ws.row_breaks.brk}


def _marked(data: bytes, sheet: str, prefix: str) -> set[str]:
    """Cells of a sheet named by goaldoc's hidden names (_GoaldocLabel: a label printed
    again after a page break)."""
    ws = load_workbook(io.BytesIO(data))[sheet]
    out: set[str] = set()
    for name, dn in ws.defined_names.items():  # sheet-scoped names
        if name.startswith(prefix):
            for ref in dn.attr_text.split(","):
                out.add(ref.rpartition("!")[2].replace("$", ""))
    return out


# ------------------------------------------------------------------ headings in Excel
def test_no_heading_row_ends_an_excel_page():
    """广水's 任务名称 | 主要内容 | 预算金额 row heads the {%tr for %} rows under it: it was the
    last row of page 1 (a break goaldoc placed), its only row on page 2."""
    data = render_bytes(load(SAMPLES / "2021/guangshui.yaml"), ["xlsx"])["xlsx"][1]
    ws = xlsx_book(data).worksheets[0]
    heading = next(r for r in range(1, ws.max_row + 1) if squash(str(ws.cell(r, 2).value or "")) == "任务名称")
    assert heading not in _breaks(ws)
    assert heading - 1 in _breaks(ws) or not _breaks(ws)  # it moved to the next page with its rows


# ------------------------------------------------------------------ label parts after a break
def test_a_continued_project_says_whose_it_is_and_never_repeats_its_amount():
    """井研 (Sichuan): 项目名称 / 预算数 / 年度目标 merge down a project's rows. Where a break
    cuts a project, the part on the next page printed 20,000.00 again under a blank 项目名称
    and 年度目标 (both long labels, all of them printed before the break)."""
    loaded = load(SAMPLES / "2024/jingyan.yaml")
    data = render_bytes(loaded, ["xlsx"])["xlsx"][1]
    ws = xlsx_book(data).worksheets[0]
    relabelled = _marked(data, ws.title, "_GoaldocLabel")
    assert relabelled, "the sample's breaks cut no project any more: pick a longer case"
    names = {c for c in relabelled if c.startswith("B")}
    amounts = {c for c in relabelled if c.startswith("C")}
    goals = {c for c in relabelled if c.startswith("D")}
    assert names and goals
    assert [c for c in names | goals if not str(ws[c].value or "").strip()] == []
    assert [(c, ws[c].value) for c in amounts if ws[c].value is not None] == []
    # each amount once: the column adds up to the department, its units and its projects
    model = loaded.model
    expected = (model.department.total or 0) + sum(u.total or 0 for u in model.units) + sum(
        p.budget.total or 0 for u in model.units for p in u.projects
    ) + sum(p.budget.total or 0 for p in model.projects)
    column = sum(Decimal(str(c.value)) for c in ws["C"] if isinstance(c.value, int | float))
    assert column == expected


def test_a_key_task_continued_over_a_page_counts_its_funds_once(taishan):
    """Issue 16 item 4: a key task whose 主要实施内容 runs over 409 points continues in rows
    below; where a page break falls between them, the part on the next page printed the
    funds again (1140 twice: SUM 21729.81 instead of 20589.81). The name is printed again."""
    tasks = list(taishan.model.key_tasks)
    tasks[1] = tasks[1].model_copy(update={"content": LONG_TASK * 6, "funds": Decimal("1140")})
    loaded = _variant(taishan, key_tasks=tasks)
    data = render_bytes(loaded, ["xlsx"])["xlsx"][1]
    ws = xlsx_book(data).worksheets[-1]
    funds_col = next(c for c in range(1, ws.max_column + 1) for r in range(1, 40) if "拟投入的资金" in str(ws.cell(r, c).value or ""))
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, funds_col).value == 1140)
    rows = [r for r in range(first, ws.max_row + 1) if LONG_TASK[:6] in str(ws.cell(r, funds_col - 1).value or "") or r == first]
    name_col = 2
    parts = [r for r in range(first + 1, ws.max_row + 1) if ws.cell(r, name_col).value == tasks[1].name]
    assert len(rows) >= 1 and parts, "the task does not continue on a next page: make it longer"
    funds = [ws.cell(r, funds_col).value for r in range(1, ws.max_row + 1)]
    numbers = [v for v in funds if isinstance(v, int | float)]
    expected = sum(t.funds or 0 for t in tasks) + sum(t.funds or 0 for t in taishan.model.other_tasks)
    assert numbers.count(1140) == 1
    assert sum(Decimal(str(v)) for v in numbers) == expected
