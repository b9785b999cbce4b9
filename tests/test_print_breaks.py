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

import pytest
from openpyxl import load_workbook

from conftest import SAMPLES
from goaldoc.api import Loaded, load, render_bytes
from goaldoc.render.pages.measure import line_count
from readback import docx_body, q, squash, xlsx_book

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


# ------------------------------------------------------------------ columns balanced by content
def _long_key_tasks(taishan) -> Loaded:
    tasks = [
        t.model_copy(update={"content": LONG_TASK[k * 7 :] + LONG_TASK[: k * 7], "target": f"完成年度目标任务，群众满意度达到95%以上（任务{k + 1}）。"})
        for k, t in enumerate(taishan.model.key_tasks[:6])
    ]
    return _variant(taishan, key_tasks=tasks)


def _docx_cell_lines(data: bytes, text: str) -> tuple[int, int]:
    """(lines the cell holding ``text`` takes at its printed width, lines of the widest
    other cell of its row), by the page model's measure (LibreOffice wraps the same)."""
    body = docx_body(data)
    for tbl in body.iter(q("tbl")):
        grid = [int(g.get(q("w"))) / 20 for g in tbl.find(q("tblGrid")).findall(q("gridCol"))]
        for tr in tbl.findall(q("tr")):
            cells = []
            col = 0
            for tc in tr.findall(q("tc")):
                span_el = tc.find(f"{q('tcPr')}/{q('gridSpan')}")
                span = int(span_el.get(q("val"))) if span_el is not None else 1
                cells.append(("".join(t.text or "" for t in tc.iter(q("t"))), sum(grid[col : col + span]) - 10.8))
                col += span
            hit = [c for c in cells if c[0].startswith(text)]
            if hit:
                own = line_count(hit[0][0], hit[0][1], 10.5)
                others = max(line_count(t, w, 10.5) for t, w in cells if not t.startswith(text) and t)
                return own, others
    raise AssertionError(f"no cell starts with {text}")


def test_a_column_of_thirty_lines_beside_one_of_three_gets_the_room(taishan):
    """主要实施内容, the narrowest text column of the Guangdong form, held a ~300-character
    key task in 38 lines while 期望达到的目标 beside it, wide, held 2."""
    data = render_bytes(_long_key_tasks(taishan), ["docx"])["docx"][1]
    own, others = _docx_cell_lines(data, LONG_TASK[:10])
    assert own <= 20, (own, others)


def test_a_balanced_table_keeps_its_width_and_its_numbers_whole(taishan):
    data = render_bytes(_long_key_tasks(taishan), ["docx"])["docx"][1]
    plain = render_bytes(taishan, ["docx"])["docx"][1]

    def widths(d: bytes) -> list[list[int]]:
        return [[int(g.get(q("w"))) for g in t.find(q("tblGrid")).findall(q("gridCol"))] for t in docx_body(d).iter(q("tbl"))]

    assert [sum(w) for w in widths(data)][:3] == [sum(w) for w in widths(plain)][1:4]  # plain has the 目录 first


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_no_table_ends_on_a_page_of_its_heading_and_one_row(fmt, monkeypatch):
    """Every sample, both formats: the layout goaldoc makes leaves no table's last row alone
    under its repeated heading (liuzhi's docx did on pages 7 and 9)."""
    import goaldoc.render.excel.layout as excel_layout
    import goaldoc.render.word.pages as word_pages

    def widows(layout, units):  # type: ignore[no-untyped-def]
        """Units alone on the last page of their table, under its repeated heading."""
        n, starts = len(units), layout.starts
        return [
            s
            for k, s in enumerate(starts)
            if s in layout.forced
            and s in layout.repeat
            and (starts[k + 1] if k + 1 < len(starts) else n) - s == 1
            and (s + 1 == n or units[s + 1].page_before)
        ]

    found: list[tuple[str, list[int]]] = []
    module = word_pages if fmt == "docx" else excel_layout
    real = module.paginate

    def spy(units, *args, **kw):  # type: ignore[no-untyped-def]
        layout = real(units, *args, **kw)
        found.append((current[0], widows(layout, units)))
        return layout

    monkeypatch.setattr(module, "paginate", spy)
    current = [""]
    for path in sorted(SAMPLES.glob("*/*.yaml")):
        current[0] = path.stem
        render_bytes(load(path), [fmt])
    assert [(stem, w) for stem, w in found if w] == []


def test_excel_pages_of_long_key_tasks_are_filled(taishan, monkeypatch):
    """Excel never breaks a row: key tasks of 300-350 points each went one to a page (the
    next did not fit), pages 49-56 % full. A tall row the model moves to the next page while
    a fifth of the page stays empty is cut there now, its text continued in a row on the
    next page (name printed again, funds once): every page but the sheet's last is at least
    70 % full."""
    import goaldoc.render.excel.layout as excel_layout

    real = excel_layout.paginate
    seen = []

    def spy(units, page, *args, **kw):  # type: ignore[no-untyped-def]
        layout = real(units, page, *args, **kw)
        seen.append((layout, page))
        return layout

    monkeypatch.setattr(excel_layout, "paginate", spy)
    data = render_bytes(_long_key_tasks(taishan), ["xlsx"])["xlsx"][1]
    layout, page = seen[-1]  # the 部门整体 sheet, laid out last
    assert layout.pages >= 4
    assert [round(f / page, 2) for f in layout.fill[:-1] if f < 0.7 * page] == []
    ws = xlsx_book(data).worksheets[-1]
    funds = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, int | float)]
    for t in _long_key_tasks(taishan).model.key_tasks:
        assert funds.count(float(t.funds)) + funds.count(int(t.funds)) >= 1


def test_no_part_goaldoc_cuts_starts_with_closing_punctuation(taishan):
    """Issue 20 item 3: where goaldoc breaks text itself (a long label's rest after a page
    break, text continued in the rows below, a cell cut at a page foot) no part starts with
    。，、；）： — the page model keeps them with the character before. (Calc breaks the lines
    inside a cell itself and does put them first: its forbidden-character rule is off for
    cells and an .xlsx cannot turn it on; Word, WPS and LibreOffice Writer keep them off.)"""
    loaded = [load(p) for p in sorted(SAMPLES.glob("*/*.yaml"))] + [_long_key_tasks(taishan)]
    starts = []
    for one in loaded:
        for ws in xlsx_book(render_bytes(one, ["xlsx"])["xlsx"][1]):
            starts += [(ws.title, c.coordinate, c.value[:8]) for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "。，、；）："]
    assert starts == []
