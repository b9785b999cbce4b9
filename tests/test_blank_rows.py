"""A blank row of 预算整体情况: ``- {}`` in budget.expenditure / budget.income prints that side
of the row empty, so that the two sides line up as on the published form (taishan's seed:
the income cell beside 其中:政府采购支出 is blank). The checks look past it and name every
line by its own place in the file; import reads it back; a malformed one is refused with
the way to write it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES, SEEDS
from goaldoc.api import load, render_bytes
from goaldoc.cli import main
from goaldoc.model import Budget
from importing import imported_model, rendered
from readback import docx_tables, xlsx_book, xlsx_shown

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
GUANGSHUI = SAMPLES / "2021" / "guangshui.yaml"
BLANK = "    - {}    # 空一行：表上这一格空白\n"
SHEET = "部门整体预算绩效目标批复表"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def line_of(f: Path, start: str) -> int:
    return next(n for n, t in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if t.startswith(start))


def written(tmp: Path, text: str, name: str = "x.yaml") -> Path:
    path = tmp / "2024" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def taishan_text() -> str:
    return TAISHAN.read_text(encoding="utf-8")


def without_income_blank() -> str:
    """taishan as before its income blank row (the income column one row higher)."""
    text = taishan_text()
    assert BLANK in text
    return text.replace(BLANK, "", 1)


def with_expenditure_blank() -> str:
    """taishan with no income blank, and a blank row on the expenditure side between
    二、项目支出 and its 其中 lines (the sums look past it)."""
    return without_income_blank().replace(
        '    - {label: "其中:其他特定目标类"', BLANK + '    - {label: "其中:其他特定目标类"', 1
    )


# ------------------------------------------------------------------ what the page shows


def seed_budget_rows() -> list[list[str]]:
    """The rows of 预算整体情况 in the published form: [支出, 金额, 收入, 金额], '' where blank."""
    lines = (SEEDS / "000_ae0cafa9a96b406a.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, t in enumerate(lines) if t.startswith("预算整体"))
    rows = []
    for t in lines[start + 1 :]:
        if not t.startswith("\t"):
            break
        cells = [c.strip() for c in t.split("\t")[1:]] + [""] * 4
        rows.append([re.sub(r"\s+", "", c) for c in cells[:4]])
    return rows


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", (text or "").replace("\u3000", ""))


def docx_budget_rows(data: bytes) -> list[list[str]]:
    """[支出, 金额, 收入, 金额] of each row under the heading 部门预算支出 | … | 收入来源 | …."""
    table = next(t for t in docx_tables(data) if any(c.text == "部门预算支出" for row in t for c in row))
    top = next(r for r, row in enumerate(table) if any(c.text == "部门预算支出" for c in row))
    out = []
    for row in table[top + 1 :]:
        if row[0].vmerge != "continue":  # the next section's label: 总体绩效目标
            break
        texts = [c.text for c in row]
        # the label cell, then per side its label and its amount (the income label spans two columns)
        out.append([_squash(t) for t in texts[1:5]])
    return out


def xlsx_budget_rows(data: bytes) -> list[list[str]]:
    ws = xlsx_book(data)[SHEET]
    top = next(c.row for row in ws.iter_rows() for c in row if c.value == "部门预算支出")
    out = []
    r = top + 1
    while ws.cell(r, 1).value is None and r <= ws.max_row:  # down to the next section's label
        out.append([_squash(xlsx_shown(ws.cell(r, c))) for c in (2, 4, 5, 7)])
        r += 1
    return out


ROWS = {"docx": docx_budget_rows, "xlsx": xlsx_budget_rows}


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_taishan_prints_its_budget_rows_as_the_published_form_does(fmt):
    rows = ROWS[fmt](render_bytes(load(TAISHAN), [fmt])[fmt][1])
    assert rows == seed_budget_rows()
    # row 2 (其中:政府采购支出): the income side is blank; 一、财政拨款 sits beside 一、基本支出
    assert rows[1] == ["其中:政府采购支出", "9.87", "", ""]
    assert rows[2] == ["一、基本支出", "2610.83", "一、财政拨款", "109534.44"]
    assert rows[3][2:] == ["其中:市本级资金", "82690.64"]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_blank_expenditure_row_prints_empty_beside_its_income_line(fmt, tmp_path):
    src = written(tmp_path, with_expenditure_blank())
    loaded = load(src)
    rows = ROWS[fmt](render_bytes(loaded, [fmt])[fmt][1])
    assert rows[3] == ["二、项目支出", "108030.81", "上级资金", "26843.80"]
    assert rows[4] == ["", "", "二、其他资金", ""]  # the blank expenditure row
    assert rows[5] == ["其中:其他特定目标类", "722.61", "三、其他收入", "1107.20"]
    assert rows[-1] == ["三、其他支出", "0", "", ""]
    assert len(rows) == 10


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_form_printing_one_list_prints_the_blank_row_as_an_empty_row(fmt, tmp_path):
    text = GUANGSHUI.read_text(encoding="utf-8")
    src = written(tmp_path, text.replace("    - {label: 其他资金, level: 1}", BLANK + "    - {label: 其他资金, level: 1}", 1), "gs.yaml")
    data = render_bytes(load(src), [fmt])[fmt][1]
    if fmt == "docx":
        table = next(t for t in docx_tables(data) if any(c.text == "财政拨款" for row in t for c in row))
        labels = [[c.text for c in row] for row in table]
        at = next(i for i, row in enumerate(labels) if "财政拨款" in row)
        assert "其他资金" in labels[at + 2]
        assert [t for t in labels[at + 1] if t and t not in ("部门总体资金情况", "收入构成")] == []
    else:
        ws = next(iter(xlsx_book(data)))
        at = next(c.row for row in ws.iter_rows() for c in row if c.value == "财政拨款")
        assert [ws.cell(at + 1, c).value for c in range(3, 8)] == [None] * 5
        assert ws.cell(at + 2, 3).value == "其他资金"


# ------------------------------------------------------------------------------ checks


def test_the_sample_checks_clean_with_its_blank_row():
    res = run("check", str(TAISHAN))
    assert res.exit_code == 0, res.output
    assert "0 个错误" in res.output.splitlines()[-1]


def test_a_mistake_after_a_blank_row_is_named_at_its_own_line(tmp_path):
    src = written(tmp_path, taishan_text().replace("上级资金, amount: 26843.80", "上级资金, amount: 26843.81"))
    res = run("check", str(src))
    line = line_of(src, "    - {label: 一、财政拨款")
    assert line == line_of(src, "    - {}") + 1
    assert res.output.splitlines()[0] == (
        f"{src}:{line} 错误 E101 budget.income[2].amount：收入来源“一、财政拨款”为 109534.44 万元，其下各行之和为 "
        "109534.45 万元（其中:市本级资金 82690.64 + 上级资金 26843.81，相差 0.01 万元）：请核对各行金额"
    )


def test_the_sums_look_past_a_blank_row_between_a_line_and_its_parts(tmp_path):
    src = written(tmp_path, with_expenditure_blank())
    res = run("check", str(src))
    assert res.exit_code == 0, res.output
    # and a part after the blank row still counts: 二、项目支出 ≠ its 其中 lines
    src = written(tmp_path, with_expenditure_blank().replace("其他运转类, amount: 72.10", "其他运转类, amount: 72.00"), "y.yaml")
    res = run("check", str(src))
    line = line_of(src, "    - {label: 二、项目支出")
    assert res.output.splitlines()[0].startswith(f"{src}:{line} 错误 E101 budget.expenditure[3].amount：部门预算支出“二、项目支出”为 108030.81 万元")


def test_a_total_after_a_leading_blank_row_is_the_total(tmp_path):
    """合计 = its lines, income = expenditure, E307 and the summary take the line after a
    blank first row as the 合计, never the blank row."""
    text = taishan_text().replace(
        "  income:\n    - {label: 合计, amount: 110641.64, level: 0}\n",
        "  income:\n" + BLANK + "    - {label: 合计, amount: 110641.65, level: 0}\n",
    )
    src = written(tmp_path, text)
    res = run("check", str(src), "--summary")
    line = line_of(src, "    - {label: 合计, amount: 110641.65")
    got = [t for t in res.output.splitlines() if " 错误 " in t]
    assert [t.split("：")[0] for t in got] == [
        f"{src}:{line} 错误 E101 budget.income[1].amount",
        f"{src}:{line} 错误 E102 budget.income[1].amount",
    ]
    assert "合计 110641.64 万元" in res.output  # the summary's total is 部门预算支出's 合计


def test_a_blank_row_is_no_empty_money_line(tmp_path):
    """E307 (an empty 合计 the form prints) is not said of a blank row before the 合计."""
    text = taishan_text().replace("  expenditure:\n", "  expenditure:\n" + BLANK, 1)
    res = run("check", str(written(tmp_path, text)))
    assert "E307" not in res.output
    assert res.exit_code == 0, res.output


# ------------------------------------------------------------ a blank row written wrong


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("- ~", "这一项是空的（“-”后面没有内容）：表上这一行空白时写 - {}（空一行，花括号里什么也不写）；这一行不要了就整行删去"),
        ("-", "这一项是空的（“-”后面没有内容）：表上这一行空白时写 - {}（空一行，花括号里什么也不写）；这一行不要了就整行删去"),
        ("- 空行", "预算行应写成 {label: 行名, amount: 金额}，现为 “空行”：表上这一行空白时写 - {}（空一行，花括号里什么也不写）"),
    ],
    ids=["tilde", "bare-dash", "text"],
)
def test_a_malformed_blank_row_is_refused_with_how_to_write_it(entry, says, tmp_path):
    src = written(tmp_path, taishan_text().replace(BLANK, f"    {entry}    # 空一行\n", 1))
    res = run("check", str(src))
    assert res.exit_code == 1
    line = line_of(src, f"    {entry}    # 空一行")
    assert res.output.splitlines()[0] == f"{src}:{line} 错误 E010 budget.income[1]：{says}"
    assert "Traceback" not in res.output


def test_an_entry_with_an_amount_is_a_line_not_a_blank_row(tmp_path):
    """Nothing silent: `{amount: 9.87}` keeps its amount and asks for its label."""
    src = written(tmp_path, taishan_text().replace(BLANK, "    - {amount: 9.87}\n", 1))
    res = run("check", str(src))
    line = line_of(src, "    - {amount: 9.87}")
    assert res.exit_code == 1
    assert res.output.splitlines() == [
        f"{src}:{line} 错误 E010 budget.income[1].label：缺少必填项 “label”（行名）：请补上行名；"
        "写了金额或层级的一项是一行，不是空行——表上这一行空白时写 - {}（空一行，花括号里什么也不写）。"
        "这一行改正后，再核对这一栏各行之和",
        "检查了 1 个文件：1 个错误，0 个提醒。",
    ]


INCOME_LINE = "    - {label: 上级资金, amount: 26843.80, level: 2}\n"
PROJECT_LINE = "    - {label: 专项资金, amount: 73124.26, level: 2}\n"


@pytest.mark.parametrize(
    "entry, says",
    [
        ("{amount: 26843.80}", "缺少必填项 “label”（行名）"),
        ("{label: 上级资金, amount: 两万, level: 2}", "金额应为数字（如 350 或 1,734,952.06），现为“两万”"),
    ],
    ids=["no-label", "amount-not-a-number"],
)
def test_a_refused_line_gives_no_follow_on_sums_and_says_they_come_later(entry, says, tmp_path):
    """A line the schema refused stands in the rules' data with level 0 or no amount: the
    sums of its list were wrong three times over (one naming 收入来源“”). They are left out
    and the line's message says they are checked once it is right; a sum of the other list
    that is wrong is still said in the same run."""
    text = taishan_text()
    assert INCOME_LINE in text and PROJECT_LINE in text
    text = text.replace(INCOME_LINE, f"    - {entry}\n", 1).replace(PROJECT_LINE, PROJECT_LINE.replace("73124.26", "3124.26"), 1)
    src = written(tmp_path, text)
    res = run("check", str(src))
    assert res.exit_code == 1
    out = res.output.splitlines()
    assert len(out) == 3, res.output
    assert out[0].startswith(f"{src}:{line_of(src, '    - {label: 二、项目支出')} 错误 E101 budget.expenditure[3].amount：部门预算支出“二、项目支出”")
    assert out[1].startswith(f"{src}:{line_of(src, f'    - {entry}')} 错误 E010 budget.income[4]")
    assert says in out[1] and out[1].endswith("。这一行改正后，再核对这一栏各行之和")
    assert "收入来源“”" not in res.output and "E101 budget.income" not in res.output
    assert out[2] == "检查了 1 个文件：2 个错误，0 个提醒。"
    # put right with a wrong amount: now the income list's sum is said
    fixed = written(tmp_path, text.replace(f"    - {entry}\n", INCOME_LINE.replace("26843.80", "26000.00"), 1), "y.yaml")
    res = run("check", str(fixed))
    assert "E101 budget.income[2].amount：收入来源“一、财政拨款”为 109534.44 万元，其下各行之和为 108690.64 万元" in res.output
    assert "再核对" not in res.output


def test_the_schema_accepts_a_blank_row_and_says_how_to_write_it():
    schema = json.loads(run("schema").output)
    budget = schema["$defs"]["Budget"]["properties"]
    for side in ("expenditure", "income"):
        items = budget[side]["items"]["anyOf"]
        assert items[1]["type"] == "object" and items[1]["maxProperties"] == 0
        assert "- {}" in budget[side]["description"]
    guangshui = json.loads(run("schema", "--form", "guangshui").output)
    line_defs = [d for d in guangshui["$defs"].values() if "expenditure" in d.get("properties", {})]
    assert line_defs and all(d["properties"]["income"]["items"]["anyOf"][1]["maxProperties"] == 0 for d in line_defs)


def test_a_blank_row_dumps_as_what_was_written():
    """A stage form and the finance bureau's comparison re-validate a dumped model."""
    budget = Budget.model_validate({"income": [{"label": "合计", "amount": 1}, {}, {"label": "一、财政拨款", "amount": 1, "level": 1}]})
    assert [line.blank for line in budget.income] == [False, True, False]
    assert budget.model_dump()["income"][1] == {}
    again = Budget.model_validate(budget.model_dump())
    assert [line.blank for line in again.income] == [False, True, False]


# ------------------------------------------------------------------------------ import


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("which", ["income", "expenditure"])
def test_import_reads_a_blank_side_back_as_the_blank_row(which, fmt, tmp_path):
    src = TAISHAN if which == "income" else written(tmp_path, with_expenditure_blank())
    loaded = load(src)
    model, _imp = imported_model(rendered(loaded, fmt, tmp_path))
    side = getattr(model.budget, which)
    assert [line.blank for line in side] == [line.blank for line in getattr(loaded.model.budget, which)]
    assert model.budget.model_dump() == loaded.model.budget.model_dump()


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_import_of_a_form_printing_one_list_keeps_its_blank_row(fmt, tmp_path):
    text = GUANGSHUI.read_text(encoding="utf-8")
    src = written(tmp_path, text.replace("    - {label: 其他资金, level: 1}", BLANK + "    - {label: 其他资金, level: 1}", 1), "gs.yaml")
    loaded = load(src)
    model, _imp = imported_model(rendered(loaded, fmt, tmp_path))
    assert [line.blank for line in model.budget.income] == [False, True, False, False]
    assert [line.blank for line in model.budget.expenditure] == [False] * 3


def test_import_writes_the_blank_row_as_the_samples_do(tmp_path):
    filled = rendered(load(TAISHAN), "docx", tmp_path)
    out = tmp_path / "back.yaml"
    res = run("import", str(filled), "-o", str(out))
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "  income:\n    - {label: 合计, amount: 110641.64, level: 0}\n    - {}  # 空一行：表上这一格空白\n    - {label: 一、财政拨款" in text
    assert text.count("- {}") == 1  # the rows after the income side's last line are not written
