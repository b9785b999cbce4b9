"""Issue 21 item 2: `goaldoc init x.xlsx` writes the form's own workbook, blank, to fill in
Excel — and what a clerk types into it comes back through `goaldoc import` unchanged.

The round trip of "how we will know": the blank is filled as a clerk does (30 indicators,
一级 / 二级 from their drop-down lists, amounts with their decimals, the rows not needed
left empty), saved through LibreOffice, imported, checked and rendered: the data is the
reference file's, field by field, and the rendered forms are the reference's.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from clerkfill import fill
from goaldoc.api import load, render_bytes
from goaldoc.blank import OPTIONS_SHEET, Blank, _list_source, blank_workbook
from goaldoc.cli import main
from goaldoc.forms import available_forms, load_form
from goaldoc.forms.reads import form_reads
from goaldoc.importer import import_file
from goaldoc.loader import load_file
from pdfcheck import HAVE_SOFFICE
from readback import xlsx_texts

REFERENCE = Path(__file__).parent / "fixtures" / "clerk" / "nongye-2025.yaml"
MARKERS = re.compile(r"[\ue000-\ue0ff]|98[67],?\d{3},?\d{3}")


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def saved_by_libreoffice(path: Path) -> Path:
    """``path`` opened and saved again as .xlsx by LibreOffice (a private profile)."""
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    out = path.parent / "libreoffice"
    out.mkdir(exist_ok=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    shutil.rmtree(profile, ignore_errors=True)
    saved = out / path.name
    assert saved.exists(), f"LibreOffice did not save {path}"
    return saved


def validations(ws) -> dict[str, tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    """cell → (type, list source, input message) of each data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col):
                for cell in row:
                    out[cell.coordinate] = (dv.type, dv.formula1, dv.prompt)
    return out


def plain(value):  # type: ignore[no-untyped-def]
    """A model dump with amounts compared as numbers (4000 typed shows as 4000.00)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return value.normalize()
    return value


# ---------------------------------------------------------------- the blank itself


def test_init_xlsx_writes_the_forms_own_blank_workbook(tmp_path):
    target = tmp_path / "2025" / "农业农村局.xlsx"
    res = run("init", str(target), "--form", "广东")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        f"已新建 {target}（2025 年度，年份取自路径）：表样 guangdong（广东省部门整体预算绩效目标批复表）的空白表："
        "工作表 部门整体预算绩效目标批复表；部门整体绩效指标 30 行；下拉列表：一级指标、二级指标；金额格 21 个。",
        f"在 Excel / WPS 表格里填好、保存后运行 goaldoc check {target.as_posix()}，"
        f"再 goaldoc render {target.as_posix()} --pdf 生成正式的表。",
    ]
    wb = load_workbook(target)
    assert wb.sheetnames == ["部门整体预算绩效目标批复表"]
    ws = wb.active
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [t for t in texts if MARKERS.search(t)], "a marker was left in the blank"
    assert "2025年部门整体预算绩效目标批复表" in texts and "一级指标" in texts
    dv = validations(ws)
    level1 = [c for c, v in dv.items() if v[1] == '"产出指标,效益指标,满意度指标,成本指标"']
    level2 = [c for c, v in dv.items() if v[1] and "数量指标" in v[1] and "服务对象满意度指标" in v[1]]
    assert len(level1) == 30 and len(level2) == 30
    assert all(ws[c].value is None for c in level1 + level2)
    assert dv[level1[0]][2] == "从下拉列表选：产出指标、效益指标、满意度指标、成本指标。同一个一级指标下的几行，每行都选上。"
    amounts = [c for c, v in dv.items() if v[0] == "decimal"]
    assert len(amounts) == 21
    assert {ws[c].number_format for c in amounts} == {"0.00####"}  # not 0: 6079.52 shows as typed
    assert dv[amounts[0]][2] == "金额（万元），只写数字，可带小数，如 6079.52；不写千分位逗号以外的字。"
    note = ws["B2"].comment
    assert note is not None and note.text.startswith("goaldoc 空白表：2025 年度，表样 guangdong（广东省部门整体预算绩效目标批复表）。")
    assert f"goaldoc check {target.as_posix()}" in note.text
    # nothing typed yet: it imports as a department with nothing in it, not 30 rows of blanks
    imported = import_file(target)
    assert imported.data.get("indicators", []) == [] and imported.data.get("key_tasks", []) == []


@pytest.mark.parametrize("form", [f for f in available_forms() if load_form(f).stage == "目标"])  # 监控 / 自评: YAML only
def test_every_forms_blank_holds_no_marker_and_reads_back_empty(form, tmp_path):
    spec = load_form(form)
    blank = blank_workbook(spec, 2025, "x.xlsx")
    wb = load_workbook(io.BytesIO(blank.data))
    left = [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None and MARKERS.search(str(c.value))]
    assert left == [] and not [t for t in wb.sheetnames if MARKERS.search(t)]
    if "department" in spec.prints and form_reads(spec).reaches(("indicator_rows",)):
        assert len({s.path for s in blank.slots if s.kind == "level1" and s.cells and s.path[0] == "indicators"}) == 30
    path = tmp_path / "x.xlsx"
    path.write_bytes(blank.data)
    data = import_file(path, form).data
    assert data.get("indicators", []) == []
    assert all(p.get("indicators", []) == [] for p in data.get("projects", []))


def test_a_long_list_goes_to_a_hidden_sheet():
    """Excel keeps 255 characters of a list typed into 来源; a longer one is a range of a
    hidden sheet (import reads visible sheets only)."""
    from openpyxl import Workbook

    wb = Workbook()
    options = tuple(f"很长的一个选项名称第{i}项" for i in range(30))
    assert _list_source(("是", "否"), wb, {}) == '"是,否"'
    assert _list_source(options, wb, {}) == f"'{OPTIONS_SHEET}'!$A$1:$A$30"
    assert wb[OPTIONS_SHEET].sheet_state == "hidden" and wb[OPTIONS_SHEET]["A30"].value == options[-1]


@pytest.mark.parametrize(("name", "said"), [
    ("农业农村局", "文件名没有写 .yaml，已补上：{d}/农业农村局.yaml（要在 Excel 里填，请写 {d}/农业农村局.xlsx）"),
])
def test_init_completes_a_name_without_yaml(tmp_path, name, said):
    res = run("init", str(tmp_path / name), "--year", "2025")
    assert res.exit_code == 0
    assert res.output.splitlines()[0] == said.format(d=tmp_path)
    assert (tmp_path / f"{name}.yaml").read_text(encoding="utf-8").startswith("# goaldoc 填报文件（2025 年度")


@pytest.mark.parametrize(("name", "said"), [
    ("x.txt", "goaldoc init 新建的是 .yaml（YAML 填报文件）或 .xlsx（在 Excel 里填的空白表），“x.txt”两样都不是：请写成 {d}/x.xlsx 或 {d}/x.yaml"),
    ("x.docx", "goaldoc init 不新建 .docx 文件：在 Excel / WPS 表格里填请写 {d}/x.xlsx，写 YAML 请写 {d}/x.yaml"),
])
def test_init_refuses_a_file_it_does_not_make(tmp_path, name, said):
    res = run("init", str(tmp_path / name))
    assert res.exit_code == 2 and res.output.splitlines() == [said.format(d=tmp_path)]
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- filled, saved, read back


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> tuple[Blank, Path]:
    """The blank of the reference's form, filled as a clerk does and saved by LibreOffice."""
    folder = tmp_path_factory.mktemp("clerk")
    blank = blank_workbook(load_form("guangdong"), 2025, "农业农村局.xlsx")
    data, _ = load_file(REFERENCE)
    typed, count = fill(blank, data)
    assert count > 150  # 30 indicators × 5 cells, the budget, tasks, signature
    path = folder / "农业农村局.xlsx"
    path.write_bytes(typed)
    if not HAVE_SOFFICE:
        pytest.skip("LibreOffice is not installed")
    return blank, saved_by_libreoffice(path)


def test_a_filled_blank_imports_to_the_reference_field_by_field(filled, tmp_path):
    _blank, path = filled
    out = tmp_path / "农业农村局.yaml"
    res = run("import", str(path), "-o", str(out))
    assert res.exit_code == 0, res.output
    assert "已导入" in res.output and "部门整体指标 30 条、任务 3 项" in res.output
    assert "检查发现" not in res.output  # no problem, no text left out of the fields
    got, ref = load(out).model, load(REFERENCE).model
    for name in type(ref).model_fields:
        assert plain(getattr(got, name).model_dump() if hasattr(getattr(got, name), "model_dump") else getattr(got, name)) == plain(
            getattr(ref, name).model_dump() if hasattr(getattr(ref, name), "model_dump") else getattr(ref, name)
        ), name
    assert [i.model_dump() for i in got.indicators] == [i.model_dump() for i in ref.indicators]
    amounts = {line.label: line.amount for line in got.budget.income}
    assert str(amounts["一、财政拨款"]) == "5979.5175"  # four decimals typed, four kept


def test_a_filled_blank_checks_and_renders_as_the_reference(filled, tmp_path):
    _blank, path = filled
    res = run("check", str(path))
    assert res.exit_code == 0 and res.output.splitlines()[-1] == "检查了 1 个文件：0 个错误，0 个提醒。", res.output
    res = run("render", str(path), "-o", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    made = {p.suffix: p for p in (tmp_path / "out").iterdir()}
    reference = render_bytes(load(REFERENCE))
    assert made[".xlsx"].stem == reference["xlsx"][0] == "2025年某市农业农村局部门整体预算绩效目标批复表"
    got_book, ref_book = load_workbook(made[".xlsx"]), load_workbook(io.BytesIO(reference["xlsx"][1]))
    assert [xlsx_texts(ws) for ws in got_book.worksheets] == [xlsx_texts(ws) for ws in ref_book.worksheets]


def test_init_from_last_years_workbook(filled, tmp_path):
    """init 2026/x.xlsx --from 2025/x.xlsx: last year's form with empty rows to add to."""
    _blank, path = filled
    target = tmp_path / "2026" / "农业农村局.xlsx"
    res = run("init", str(target), "--from", str(path))
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        f"已新建 {target}（2026 年度，年份取自路径）：照 {path} 做的 2026 年度 Excel 表（表样 guangdong）。",
        "  认出是表样 guangdong（广东省部门整体预算绩效目标批复表）：表样的 32 处固定文字找到 27 处，按分量 96%（不对时用 --form 指定）；年度由 2025 改为 2026。",
        "  另有 1 处文字写着 2025（如 indicators[7].value）：请按新年度核对。",
        "  金额是 2025 年的，请逐个改成今年的数：每个金额格有一条批注“上年的数”，goaldoc check 会逐个提醒，直到数改了或批注删了（今年不变的删去批注）。",
        "  另加了空行（有下拉列表）：部门整体绩效指标 10 行、年度重点工作任务 3 行、其他任务 2 行。",
        f"在 Excel / WPS 表格里改好、保存后运行 goaldoc check {target.as_posix()}。",
    ]
    data = import_file(target).data
    ref, _ = load_file(REFERENCE)
    assert data["year"] == 2026
    assert [(i["level1"], i["name"]) for i in data["indicators"]] == [(i["level1"], i["name"]) for i in ref["indicators"]]
    assert [line["amount"] for line in data["budget"]["income"]] == [Decimal("6079.52"), Decimal("5979.5175"), Decimal("100.0025"), Decimal("0.00")]
    wb = load_workbook(target)
    dv = validations(wb.active)
    assert len([c for c, v in dv.items() if v[1] == '"产出指标,效益指标,满意度指标,成本指标"']) == 10  # the empty rows added
    amounts = [c for c, v in dv.items() if v[0] == "decimal"]
    assert {wb.active[c].number_format for c in amounts} == {"0.00####"}  # last year's and the new ones
    res = run("init", str(tmp_path / "2026" / "x.yaml"), "--from", str(path))
    assert res.exit_code == 0, res.output
    assert load(tmp_path / "2026" / "x.yaml").model.indicators == load(REFERENCE).model.indicators


def test_last_years_numbers_in_the_workbook_are_reminded_until_changed_or_their_note_deleted(filled, tmp_path):
    """init x.xlsx --from: each amount carried from last year has a note on its cell; check
    says W311 at that cell while it still holds last year's number (as carried: does in a
    YAML file). Before, the workbook kept last year's amounts without a word at check or
    render: a clerk could hand them in unchanged."""
    _blank, path = filled
    target = tmp_path / "2026" / "农业农村局.xlsx"
    assert run("init", str(target), "--from", str(path)).exit_code == 0
    wb = load_workbook(target)
    ws = wb.active
    noted = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None and "上年的数" in c.comment.text}
    data = import_file(target).data
    assert len(noted) == len(data["carried"]) >= 8
    first = import_file(path).data["budget"]["income"][1]["amount"]
    income = next(c for c, text in noted.items() if text.startswith(f"上年的数：{format(first, 'f')}。"))

    def reminded(file: Path) -> dict[str, str]:
        res = run("check", str(file))
        return {line.split(" 提醒 ")[0].split("!")[1]: line for line in res.output.splitlines() if " W311 " in line}

    said = reminded(target)
    assert set(said) == set(noted)
    assert said[income].endswith(
        f"提醒 W311 budget.income[1].amount：上年数字，请核对：{format(first, 'f')} 是上年的数；改成今年的数后不再提醒，今年不变的请删去这一格的批注"
    )
    # the clerk types this year's number into one cell and deletes another's note (unchanged)
    changed, kept = sorted(noted)[:2]
    ws[changed] = 12345.6
    ws[kept].comment = None
    wb.save(target)
    assert set(reminded(target)) == set(noted) - {changed, kept}
    # imported to YAML, the same numbers are in carried: and reminded there
    out = tmp_path / "2026.yaml"
    assert run("import", str(target), "-o", str(out)).exit_code == 0
    assert len(load(out).model.carried) == len(noted) - 1  # the changed cell's note stays, with its old number


def test_an_amount_cell_shows_two_decimals_and_keeps_up_to_six():
    """The blank's amount format 0.00####: import pads to the decimals Excel shows (6079.5 as
    6079.50) and never rounds a stored value to them (issue 17: 5979.5175 whole, also under
    0.00; read_xlsx took 0.00#### for 0.00)."""
    from goaldoc.importer.read_xlsx import shown

    assert [shown(v, "0.00####") for v in (6079.5, 5979.5175, 4000, 10891.615675, 1.23456789)] == [
        "6079.50", "5979.5175", "4000.00", "10891.615675", "1.23456789",
    ]
    assert shown(5979.5175, "0.00") == "5979.5175" and shown(1734952.06, "#,##0.00") == "1,734,952.06"


@pytest.mark.parametrize(("form", "sample"), [("wuhu", "2019/wuhu.yaml"), ("guizhou", "2023/liuzhi.yaml"), ("dongguan", "2022/dongguan.yaml")])
def test_a_project_forms_blank_reads_back_its_project(form, sample, tmp_path):
    """A project form's blank: one project sheet (--projects N for more), its cells read back
    into the project — name, amounts, indicators — and no empty project besides."""
    from conftest import SAMPLES

    data, _ = load_file(SAMPLES / sample)
    data["projects"] = data["projects"][:1]
    for p in data["projects"]:
        p["budget"]["unit"] = "万元"  # the form's unit, as the blank's cells say
    blank = blank_workbook(load_form(form), data["year"], "x.xlsx")
    typed, _count = fill(blank, data)
    path = tmp_path / "x.xlsx"
    path.write_bytes(typed)
    got = import_file(path, form).data
    assert len(got["projects"]) == 1
    mine, theirs = got["projects"][0], data["projects"][0]
    assert mine["name"] == theirs["name"]
    shown = [k for k in ("total", "fiscal", "other") if any(s.path == ("projects", 0, "budget", k) and s.cells for s in blank.slots)]
    assert {k: Decimal(str(mine["budget"].get(k))) for k in shown} == {k: Decimal(str(theirs["budget"][k])) for k in shown if k in theirs["budget"]}
    assert [(i["level1"], i["name"]) for i in mine.get("indicators", [])] == [(i["level1"], i["name"]) for i in theirs.get("indicators", [])[:15]]


def test_init_projects_gives_as_many_project_sheets(tmp_path):
    res = run("init", str(tmp_path / "2025" / "x.xlsx"), "--form", "芜湖", "--projects", "3")
    assert res.exit_code == 0, res.output
    assert load_workbook(tmp_path / "2025" / "x.xlsx").sheetnames == ["项目1", "项目2", "项目3"]
