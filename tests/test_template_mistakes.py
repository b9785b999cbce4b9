"""A broken template names every mistake in one run, each at its place (Excel: Sheet!B7;
Word: table, row and cell, or paragraph), with what is wrong and how to fix it — in
`goaldoc render`, `goaldoc forms` and `goaldoc check` alike. Before, a render named only
the first mistake, and `forms` / `check` said nothing at all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from conftest import ROOT, SAMPLES
from goaldoc.api import render_bytes
from goaldoc.cli import main
from goaldoc.errors import TemplateError

TAISHAN = SAMPLES / "2024" / "taishan.yaml"

# what the mistakes below are said as
CLOSE = "这里应是“}}”，写的却是“部门整体预算绩效目标批复表目录”：请检查是否少了 }} 或 %}，或两个词之间少了 | 或运算符"
UNFINISHED = "模板没写完：少了 {% endfor %}、{% endif %} 或 }}"
NO_FILTER = "没有名为“amout”的过滤器（可用的过滤器见 templates/README.md）"
BRACKET = "多了或放错了“}”：请检查 {{ }}、{% %} 和括号是否配对"


def guangdong(tmp_path: Path) -> Path:
    """A copy of the Guangdong form folder in a templates folder of its own; returns the form folder."""
    dst = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", dst)
    return dst


def set_cells(folder: Path, cells: dict[str, str | None]) -> None:
    """Excel cells of the form's forms.xlsx, as ``"目录!A1": text`` (None: emptied)."""
    wb = load_workbook(folder / "forms.xlsx")
    for ref, text in cells.items():
        sheet, cell = ref.split("!")
        wb[sheet][cell].value = text
    wb.save(folder / "forms.xlsx")


def set_word(folder: Path, paragraphs: dict[int, str] = {}, cells: dict[tuple[int, int, int], str] = {}) -> None:  # noqa: B006
    """Texts of the form's forms.docx: body paragraphs by index, table cells by (table, row,
    cell), each 0-based (the messages count from 1)."""
    doc = Document(str(folder / "forms.docx"))
    targets = [(doc.paragraphs[k], text) for k, text in paragraphs.items()]
    targets += [(doc.tables[t].rows[r].cells[c].paragraphs[0], text) for (t, r, c), text in cells.items()]
    for para, text in targets:
        if para.runs:
            para.runs[0].text = text
            for run in para.runs[1:]:
                run.text = ""
        else:
            para.add_run(text)
    doc.save(str(folder / "forms.docx"))


def mistakes(loaded, templates: Path, fmt: list[str]) -> list[tuple[str, str, str]]:
    with pytest.raises(TemplateError) as exc:
        render_bytes(loaded, fmt, templates=templates)
    return [(Path(p.file or "").name, p.code, p.message) for p in exc.value.problems]


# ---------------------------------------------------------------------- Excel


def test_three_broken_excel_cells_on_two_sheets_are_three_problems_in_order(taishan, tmp_path):
    folder = guangdong(tmp_path)
    set_cells(
        folder,
        {
            "部门整体!B2": "{{ department.name | amout }}",  # the second sheet first: the order is the workbook's
            "目录!A1": "{{ department.name 部门整体预算绩效目标批复表目录",
            "目录!B4": "{{ c.title ",
        },
    )
    assert mistakes(taishan, folder.parent, ["xlsx"]) == [
        ("forms.xlsx", "T003", f"Excel 模板 目录!A1：{CLOSE}"),
        ("forms.xlsx", "T003", f"Excel 模板 目录!B4：{UNFINISHED}"),
        ("forms.xlsx", "T003", f"Excel 模板 部门整体!B2：{NO_FILTER}"),
    ]


def test_a_row_loop_left_open_is_one_problem_and_the_cells_below_it_are_still_checked(taishan, tmp_path):
    """No follow-on errors: the {%tr endfor %} of the key tasks (row 12) deleted leaves their
    loop open; the loops below it still close themselves; a broken cell below is its own."""
    folder = guangdong(tmp_path)
    set_cells(folder, {"部门整体!A12": None, "部门整体!D18": "{{ row.name | amout }}"})
    assert mistakes(taishan, folder.parent, ["xlsx"]) == [
        (
            "forms.xlsx",
            "T003",
            "Excel 模板 部门整体!A10：这一行的 {%tr for %} 循环没有结束标签：请在要重复的最后一行下面加一行，只写 {%tr endfor %}"
            "（改好之前，它下面哪些行重复、哪些行印出来都定不下来，改好后请再检查一次）",
        ),
        ("forms.xlsx", "T003", f"Excel 模板 部门整体!D18：{NO_FILTER}"),
    ]


def test_row_tags_read_on_past_a_mistake_without_follow_on_errors():
    from goaldoc.render.excel.rowtags import parse_row_tags

    def problems(rows: dict[int, str]) -> list[tuple[int, str]]:
        return [(r, m.split("：")[0]) for r, _c, m in parse_row_tags({r: (1, t) for r, t in rows.items()}, 30)[1]]

    # a loop written wrongly still opens a block: its endfor is not "without an opening"
    assert problems({1: "{%tr for in rows %}", 3: "{%tr endfor %}"}) == [(1, "无法识别的循环“for in rows”，应写成 {%tr for 行 in 列表 %}")]
    # a tag not understood takes the end tag after it as its own
    assert problems({1: "{%tr iff x %}", 3: "{%tr endif %}"}) == [(1, "无法识别的行标签“iff x”")]
    # an endfor closing its loop names the condition left open inside it, once
    found = problems({1: "{%tr for r in rows %}", 2: "{%tr if r.x %}", 4: "{%tr endfor %}", 5: "{%tr for s in rows %}", 7: "{%tr endfor %}"})
    assert found == [(2, "这一行的 {%tr if %} 条件没有结束标签")]
    # a stray end tag and an else without its if
    assert problems({2: "{%tr endfor %}", 4: "{%tr else %}"}) == [(2, "“{%tr endfor %}”没有对应的开头"), (4, "“{%tr else %}”没有对应的 {%tr if %}")]


# ---------------------------------------------------------------------- Word


def test_two_broken_word_pieces_are_two_located_problems(taishan, tmp_path):
    folder = guangdong(tmp_path)
    set_word(
        folder,
        paragraphs={5: "{{ title or (year ~ '年' }}"},  # the title: 第 6 段
        cells={(1, 1, 2): "{{ department.staff_count | amout }}"},  # 财政供养人员数's value
    )
    assert mistakes(taishan, folder.parent, ["docx"]) == [
        ("forms.docx", "T001", f"Word 模板有误：{BRACKET}；位置：第 6 段（“{{{{ title or (year ~ '年' }}}}”）"),
        ("forms.docx", "T001", f"Word 模板有误：{NO_FILTER}；位置：第 2 个表格 第 2 行 第 3 列（“{{{{ department.staff_count | amout }}}}”）"),
    ]


def test_a_condition_opened_in_one_cell_and_closed_in_another_is_no_mistake(taishan, tmp_path):
    folder = guangdong(tmp_path)
    set_word(folder, cells={(1, 1, 1): "{% if department.staff_count %}财政供养人员数（人）", (1, 1, 4): "下属二级单位数（个）{% endif %}"})
    render_bytes(taishan, ["docx"], templates=folder.parent)  # renders
    set_word(folder, cells={(2, 2, 3): "{{ row.name | amout }}"})  # and with a mistake elsewhere: only that one
    assert mistakes(taishan, folder.parent, ["docx"]) == [
        ("forms.docx", "T001", f"Word 模板有误：{NO_FILTER}；位置：第 3 个表格 第 3 行 第 4 列（“{{{{ row.name | amout }}}}”）"),
    ]


def test_a_condition_never_closed_is_jinjas_one_error_and_is_said_beside_the_pieces_mistakes(taishan, tmp_path):
    folder = guangdong(tmp_path)
    set_word(folder, cells={(1, 1, 1): "{% if department.staff_count %}财政供养人员数（人）"})
    unclosed = ("forms.docx", "T001", f"Word 模板有误：{UNFINISHED}；位置：第 2 个表格 第 2 行 第 2 列（“{{% if department.staff_count %}}”）")
    assert mistakes(taishan, folder.parent, ["docx"]) == [unclosed]  # no piece to blame: where it was opened
    set_word(folder, paragraphs={5: "{{ title or (year ~ '年' }}"}, cells={(2, 2, 3): "{{ row.name | amout }}"})
    assert mistakes(taishan, folder.parent, ["docx"]) == [
        ("forms.docx", "T001", f"Word 模板有误：{BRACKET}；位置：第 6 段（“{{{{ title or (year ~ '年' }}}}”）"),
        unclosed,
        ("forms.docx", "T001", f"Word 模板有误：{NO_FILTER}；位置：第 3 个表格 第 3 行 第 4 列（“{{{{ row.name | amout }}}}”）"),
    ]


def test_a_mistake_in_a_footer_is_said_as_the_footers(taishan, tmp_path):
    folder = guangdong(tmp_path)
    doc = Document(str(folder / "forms.docx"))
    footer = doc.sections[0].footer
    footer.paragraphs[0].add_run("{{ year ")
    doc.save(str(folder / "forms.docx"))
    set_word(folder, cells={(2, 2, 3): "{{ row.name | amout }}"})
    found = mistakes(taishan, folder.parent, ["docx"])
    assert found[0] == ("forms.docx", "T001", f"Word 模板有误：{NO_FILTER}；位置：第 3 个表格 第 3 行 第 4 列（“{{{{ row.name | amout }}}}”）")
    assert [m for _f, _c, m in found[1:]] == [f"Word 模板有误：{UNFINISHED}；位置：页眉或页脚 第 1 段（“{{{{ year”）"]


# ---------------------------------------------------------------------- both, and the commands


def broken_both(tmp_path: Path) -> Path:
    folder = guangdong(tmp_path)
    set_cells(folder, {"目录!A1": "{{ department.name 部门整体预算绩效目标批复表目录", "目录!A4": "{{ loop.index ", "目录!B4": "{{ c.title "})
    set_word(folder, paragraphs={5: "{{ title or (year ~ '年' }}"}, cells={(1, 1, 2): "{{ department.staff_count | amout }}"})
    return folder


def test_the_word_and_the_excel_templates_mistakes_in_one_run(taishan, tmp_path):
    folder = broken_both(tmp_path)
    assert [(f, c) for f, c, _m in mistakes(taishan, folder.parent, ["docx", "xlsx"])] == [("forms.docx", "T001")] * 2 + [("forms.xlsx", "T003")] * 3


def test_render_writes_nothing_and_leaves_the_earlier_files_as_they_were(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["render", str(TAISHAN), "-o", str(out)])
    assert first.exit_code == 0, first.output
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert sorted(before) and all(name.endswith((".docx", ".xlsx")) for name in before)
    folder = broken_both(tmp_path)
    res = runner.invoke(main, ["render", str(TAISHAN), "--templates", str(folder.parent), "-o", str(out)])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    lines = [line for line in res.stderr.splitlines() if " T00" in line]
    assert [line.split(" 错误 ")[1].split("：")[0:2] for line in lines] == [
        ["T001", "Word 模板有误"],
        ["T001", "Word 模板有误"],
        ["T003", "Excel 模板 目录!A1"],
        ["T003", "Excel 模板 目录!A4"],
        ["T003", "Excel 模板 目录!B4"],
    ]
    assert "有 5 处问题，未生成任何文件。" in res.stderr
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before


def test_forms_lists_each_mistake_of_a_broken_folder_and_exits_1(tmp_path):
    folder = broken_both(tmp_path)
    res = CliRunner().invoke(main, ["forms", "--templates", str(folder.parent)])
    assert res.exit_code == 1
    xlsx, docx = folder / "forms.xlsx", folder / "forms.docx"
    assert res.stderr.splitlines() == [
        f"{docx} 错误 T001：Word 模板有误：{BRACKET}；位置：第 6 段（“{{{{ title or (year ~ '年' }}}}”）",
        f"{docx} 错误 T001：Word 模板有误：{NO_FILTER}；位置：第 2 个表格 第 2 行 第 3 列（“{{{{ department.staff_count | amout }}}}”）",
        f"{xlsx} 错误 T003：Excel 模板 目录!A1：{CLOSE}",
        f"{xlsx} 错误 T003：Excel 模板 目录!A4：{UNFINISHED}",
        f"{xlsx} 错误 T003：Excel 模板 目录!B4：{UNFINISHED}",
        "有 1 个表样有误（见上面的错误）：改好之前用它生成会失败；改好后再运行 goaldoc forms 检查。",
    ]
    assert res.stdout.splitlines()[0].startswith("guangdong\t广东省部门整体预算绩效目标批复表") and res.stdout.splitlines()[0].endswith(str(folder))


def test_forms_of_sound_folders_says_no_error_and_exits_0(tmp_path):
    guangdong(tmp_path)
    res = CliRunner().invoke(main, ["forms", "--templates", str(tmp_path / "templates")])
    assert res.exit_code == 0, res.output
    assert " 错误 " not in res.output


def test_forms_finds_a_mistake_the_data_never_reaches(tmp_path):
    """A cell in a loop over an empty list, or on a sheet that is not printed, never stops a
    render (it is never compiled), but it is a mistake: `goaldoc forms` says it."""
    folder = guangdong(tmp_path)
    set_cells(folder, {"部门整体!B14": "{{ t.name | amout }}"})
    res = CliRunner().invoke(main, ["forms", "--templates", str(folder.parent)])
    assert res.exit_code == 1
    assert f"{folder / 'forms.xlsx'} 错误 T003：Excel 模板 部门整体!B14：{NO_FILTER}" in res.stderr.splitlines()


def test_check_says_the_forms_template_is_broken(tmp_path):
    folder = broken_both(tmp_path)
    res = CliRunner().invoke(main, ["check", str(TAISHAN), "--templates", str(folder.parent)])
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert f"{folder / 'forms.xlsx'} 错误 T003：Excel 模板 目录!B4：{UNFINISHED}" in lines
    assert f"{folder / 'forms.docx'} 错误 T001：Word 模板有误：{BRACKET}；位置：第 6 段（“{{{{ title or (year ~ '年' }}}}”）" in lines
    assert lines[-1] == "检查了 1 个文件：0 个错误，0 个提醒；表样的模板有 5 处错误（见上面，请维护表样的同事改好，改好之前不能生成）。"


def test_check_of_two_files_says_the_templates_mistakes_once(tmp_path):
    folder = broken_both(tmp_path)
    res = CliRunner().invoke(main, ["check", str(TAISHAN), str(TAISHAN), "--templates", str(folder.parent), "--jobs", "1"])
    assert res.exit_code == 1
    assert sum(" T003：" in line for line in res.stdout.splitlines()) == 3


@pytest.mark.parametrize("how", [["--report", "{tmp}/审核汇总.xlsx"], ["--year", "2024"]], ids=["report", "round"])
def test_check_of_a_round_says_the_forms_template_is_broken(how, tmp_path):
    """`check --report` / `--year` (the finance bureau's round) said 没有问题 and exited 0
    over a broken template, where plain `check` said each mistake: now alike."""
    folder = broken_both(tmp_path)
    args = [a.format(tmp=tmp_path) for a in how]
    res = CliRunner().invoke(main, ["check", str(TAISHAN), str(TAISHAN), "--templates", str(folder.parent), *args])
    assert res.exit_code == 1, res.output
    lines = res.stdout.splitlines()
    assert lines.count(f"表样“guangdong”用的是模板文件夹 {folder}（不是 goaldoc 自带的）") == 1  # once, for two files
    said = [line for line in lines if " 错误 T00" in line]
    assert said == [
        f"{folder / 'forms.docx'} 错误 T001：Word 模板有误：{BRACKET}；位置：第 6 段（“{{{{ title or (year ~ '年' }}}}”）",
        f"{folder / 'forms.docx'} 错误 T001：Word 模板有误：{NO_FILTER}；位置：第 2 个表格 第 2 行 第 3 列（“{{{{ department.staff_count | amout }}}}”）",
        f"{folder / 'forms.xlsx'} 错误 T003：Excel 模板 目录!A1：{CLOSE}",
        f"{folder / 'forms.xlsx'} 错误 T003：Excel 模板 目录!A4：{UNFINISHED}",
        f"{folder / 'forms.xlsx'} 错误 T003：Excel 模板 目录!B4：{UNFINISHED}",
    ]
    assert lines[-1].endswith("；表样的模板有 5 处错误（见上面，请维护表样的同事改好，改好之前不能生成）。")


def test_a_word_row_tag_written_wrongly_is_named_at_its_row_and_crossed_blocks_once(taishan, tmp_path):
    folder = guangdong(tmp_path)
    set_word(folder, cells={(2, 1, 0): "{%tr for row in %}", (1, 1, 1): "{% if department.staff_count %}{% endfor %}"})
    assert [m for _f, _c, m in mistakes(taishan, folder.parent, ["docx"])] == [
        "Word 模板有误：不认识的标签“{% endfor %}”：请检查拼写，或是否少了开头的 {% for %} / {% if %}；"
        "位置：第 2 个表格 第 2 行 第 2 列（“{% if department.staff_count %}”）",
        "Word 模板有误：这里少了变量或文字，写的却是“%}”：如 {% for row in indicator_rows %}、{{ department.name }}；"
        "位置：第 3 个表格 第 2 行（“{% for row in %}”）",
    ]
