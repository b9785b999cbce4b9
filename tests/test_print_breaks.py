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
