"""Issue 22: what a region folder could not say without a trick or a developer.

Each test here failed on 5c1bb8a (the commit before the issue's work), and each works by a
declaration in the folder (form.yaml) documented in templates/README.md.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import ROOT
from goaldoc.api import loads, render_bytes
from goaldoc.checks import run_checks
from goaldoc.indicators import group_indicators, indicator_rows, merge_spans
from goaldoc.model import Indicator
from goaldoc.paths import format_path


def folder(tmp_path: Path, name: str = "guangdong", edit: str = "", as_name: str | None = None) -> Path:
    """templates/<name> copied to tmp_path/templates/<as_name>, ``edit`` appended to its
    form.yaml (a top-level key it sets is taken out of the original first)."""
    dst = tmp_path / "templates" / (as_name or name)
    shutil.copytree(ROOT / "templates" / name, dst)
    if edit:
        edit = textwrap.dedent(edit).lstrip("\n")
        text = (dst / "form.yaml").read_text(encoding="utf-8")
        for key in re.findall(r"^(\w+):", edit, re.M):
            text = re.sub(rf"^{key}:.*\n(?:[ #].*\n)*", "", text, flags=re.M)
        (dst / "form.yaml").write_text(text + "\n" + edit, encoding="utf-8")
    return dst.parent


def problems(text: str, templates: Path | None = None) -> list[tuple[str, str, str]]:
    loaded = loads(textwrap.dedent(text), "t.yaml", templates)
    return [(p.code, format_path(p.path), p.message) for p in run_checks(loaded.model, loaded.lines, loaded.form)]


def department(indicators: str, form: str = "guangdong") -> str:
    return f"year: 2024\nform: {form}\ndepartment: {{name: 测试局}}\nindicators:\n" + textwrap.indent(
        textwrap.dedent(indicators).strip("\n"), "  "
    ) + "\n"


# ------------------------------------------------------------------ item 1: the folder's own 二级 wins

OLDER_LAYOUT = """
indicator_tree:
  效益指标:
    level2:
      社会公众或服务对象满意度指标: {}   # 较早的全国表样：满意度放在效益指标下
"""

OLDER_ROWS = """
- {level1: 产出指标, level2: 数量指标, name: 培训人次, value: ≥100 人次}
- {level1: 产出指标, level2: 质量指标, name: 合格率, value: 100%}
- {level1: 效益指标, level2: 社会效益指标, name: 就业, value: 提升}
- {level1: 效益指标, level2: 社会公众或服务对象满意度指标, name: 学员满意度, value: 60%}
"""


def test_a_folder_may_put_a_nationally_known_level2_under_another_level1(tmp_path):
    """The README's recipe for the older national layout: the row is accepted where the
    folder puts it, counts as 满意度 (the kind the spelling has nationally: E203 is quiet, W203
    checks its floor), and the national tree still has the spelling under 满意度指标."""
    templates = folder(tmp_path, edit=OLDER_LAYOUT)
    assert problems(department(OLDER_ROWS), templates) == [
        ("W203", "indicators[3].value", "满意度 60% 低于 80%：满意度目标一般不低于 80%，请核实"),
    ]
    rows = OLDER_ROWS.replace("level1: 效益指标, level2: 社会公众", "level1: 满意度指标, level2: 社会公众")
    assert [p[0] for p in problems(department(rows), templates)] == ["W203"]


def test_the_readmes_recipe_for_the_older_layout_works_as_written(tmp_path):
    """templates/README.md's block for 满意度 under 效益指标, appended to a folder as it stands."""
    readme = (ROOT / "templates" / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**较早的全国表样（满意度放在效益指标下）**") :]
    recipe = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert recipe and "社会公众或服务对象满意度指标" in recipe[1]
    templates = folder(tmp_path, edit=recipe[1])
    assert [p[:2] for p in problems(department(OLDER_ROWS), templates)] == [("W203", "indicators[3].value")]


def test_e202_never_lists_a_refused_name_as_allowed(tmp_path):
    templates = folder(tmp_path, edit=OLDER_LAYOUT)
    rows = OLDER_ROWS + "- {level1: 产出指标, level2: 社会公众或服务对象满意度指标, name: x, value: 90%}\n"
    e202 = [p for p in problems(department(rows), templates) if p[0] == "E202"]
    assert e202 == [
        (
            "E202",
            "indicators[4].level2",
            "二级指标“社会公众或服务对象满意度指标”不能放在一级指标“产出指标”下（“社会公众或服务对象满意度指标”属于效益指标、满意度指标）："
            "产出指标下的二级指标为 数量指标、质量指标、时效指标、成本指标",
        )
    ]
    for _code, _path, message in e202:
        allowed = message.rsplit("二级指标为 ", 1)[1].split("、")
        assert "社会公众或服务对象满意度指标" not in allowed


# ------------------------------------------------------------------ item 2: one normal form for names

BRACKETED = """
indicator_tree:
  产出指标:
    level2:
      数量指标: {also: [数量指标（或建筑规模指标）]}
"""


def test_a_bracketed_spelling_is_declared_once_and_matches_either_bracket(tmp_path):
    templates = folder(tmp_path, edit=BRACKETED)
    rows = """
    - {level1: 产出指标, level2: 数量指标(或建筑规模指标), name: 面积, value: ≥100 平方米}
    - {level1: 产出指标, level2: 质量指标, name: 合格率, value: 100%}
    - {level1: 产出指标, level2: 数量指标（或建筑规模指标）, name: 层数, value: 3 层}
    - {level1: 效益指标, level2: 社会效益指标, name: 就业, value: 提升}
    - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥90%}
    """
    assert problems(department(rows), templates) == []


def test_spellings_group_and_merge_by_their_normal_form():
    rows = [
        Indicator(level1="产出指标", level2="数量指标（或建筑规模指标）", name="a"),
        Indicator(level1="产出 指标", level2="数量指标(或建筑规模指标)", name="b"),
        Indicator(level1="产出指标", level2="质量指标／合格", name="c"),
        Indicator(level1="产出指标", level2="质量指标/合格", name="d"),
    ]
    printed = indicator_rows(group_indicators(rows, "runs"))
    assert [(r.level1, r.level2, r.name) for r in printed] == [
        ("产出指标", "数量指标（或建筑规模指标）", "a"),
        ("产出指标", "数量指标（或建筑规模指标）", "b"),
        ("产出指标", "质量指标／合格", "c"),
        ("产出指标", "质量指标／合格", "d"),
    ]
    assert merge_spans([r.level1.merge_key for r in printed]) == [(0, 4)]
    assert merge_spans([r.level2.merge_key for r in printed]) == [(0, 2), (2, 2)]


# ------------------------------------------------------------------ item 6: small things an admin meets


def test_init_starts_a_file_from_a_folder_given_with_templates(tmp_path):
    from click.testing import CliRunner

    from goaldoc.cli import main

    templates = folder(tmp_path / "mine", "wuhu", as_name="hunan_xian")
    target = tmp_path / "2025" / "x.yaml"
    res = CliRunner().invoke(main, ["init", str(target), "--form", "hunan_xian", "--templates", str(templates)])
    assert res.exit_code == 0, res.output
    assert "form: hunan_xian" in target.read_text(encoding="utf-8")
    assert "total_budget:" in target.read_text(encoding="utf-8")  # the folder's own fields
    # next year's file from it, through the same folder
    nxt = tmp_path / "2026" / "x.yaml"
    res = CliRunner().invoke(main, ["init", str(nxt), "--from", str(target), "--templates", str(templates)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["init", str(tmp_path / "y.yaml"), "--form", "hunan_xian"])
    assert res.exit_code == 2 and "没有名为“hunan_xian”的表样" in res.output


def test_a_missing_contract_says_what_to_write(tmp_path):
    from goaldoc.errors import TemplateError
    from goaldoc.forms import load_form

    templates = folder(tmp_path, "ningde")
    form_yaml = templates / "ningde" / "form.yaml"
    form_yaml.write_text(re.sub(r"^contract:.*\n", "", form_yaml.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    with pytest.raises(TemplateError) as exc:
        load_form("ningde", templates)
    assert [p.format().split(" ", 1)[1] for p in exc.value.problems] == [
        "错误 T010 contract：缺少必填项 “contract”（按哪一版模板上下文写的）：请补上，写成 contract: 1"
    ]


@pytest.mark.parametrize(
    ("added", "fix"),
    [
        ("pages:\n  widen:\n    - {column: 指标值[当年度], take_from: 三级指标}\n", 'column: "指标值[当年度]"'),
        (
            "import:\n  cells:\n    \"{{ row.period_values['当年度'] | default('') }}\": "
            "{pattern: \"(?P<a>.*)\", fields: {a: row.period_values['当年度']}}\n",
            "a: \"row.period_values['当年度']\"",
        ),
    ],
)
def test_a_bracket_inside_braces_in_form_yaml_is_one_problem_with_a_fix_that_works(tmp_path, added, fix):
    from goaldoc.errors import TemplateError
    from goaldoc.forms import load_form

    templates = folder(tmp_path, "dongguan")
    form_yaml = templates / "dongguan" / "form.yaml"
    form_yaml.write_text(form_yaml.read_text(encoding="utf-8") + added, encoding="utf-8")
    with pytest.raises(TemplateError) as exc:
        load_form("dongguan", templates)
    messages = [p.message for p in exc.value.problems]
    assert messages == [f"YAML 格式错误：花括号 {{ }} 里的值含有“[”，YAML 读不懂：请把整个值用英文引号括起来，写成 {fix}"]
    # the fix, followed, reads
    value = fix.split(": ", 1)[1]
    head, tail = added.rsplit(value.strip('"'), 1)
    form_yaml.write_text(form_yaml.read_text(encoding="utf-8").replace(added, head + value + tail), encoding="utf-8")
    assert load_form("dongguan", templates).title


# ------------------------------------------------------------------ item 4: amounts, lines, no 二级

PROJECT_LINES = """
fields:
  project:
    fund_lines: {label: 项目资金, type: lines}
amount_checks:
  - {where: project, total: budget.total, parts: [fund_lines]}
"""


def project(fund_lines: str, total: str = "100") -> str:
    head = textwrap.dedent(f"""\
        year: 2024
        form: gaoxin
        department: {{name: 测试局}}
        projects:
          - name: 培训
            budget: {{unit: 万元, total: {total}}}
            indicators:
              - {{level1: 产出指标, level2: 数量指标, name: 培训人次, value: ≥100 人次}}
              - {{level1: 产出指标, level2: 质量指标, name: 合格率, value: 100%}}
              - {{level1: 效益指标, level2: 社会效益指标, name: 就业, value: 提升}}
              - {{level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥90%}}
            fund_lines:
        """)
    return head + textwrap.indent(textwrap.dedent(fund_lines).strip("\n"), "      ") + "\n"


def test_a_projects_total_is_tied_to_its_declared_fund_lines(tmp_path):
    templates = folder(tmp_path, "gaoxin", edit=PROJECT_LINES)
    lines = """
    - {label: 合计, amount: 90}
    - {label: 财政拨款, amount: 60, level: 1}
    - {label: 其他资金, amount: 30, level: 1}
    """
    assert problems(project(lines), templates) == [
        ("E109", "projects[0].budget.total", "预算数 / 资金总额 100 万元 ≠ 项目资金合计 90 = 90 万元（相差 10 万元）：请核对"),
    ]
    # no 合计 line: the level-1 lines are the total
    assert problems(project(lines.replace("    - {label: 合计, amount: 90}\n", ""), "90"), templates) == []


def test_a_table_amount_is_tied_to_the_budget_line_it_names():
    """宁德's 年度履职目标 row 基本支出 prints 171.41 against the budget line's 110.61:
    the folder's amount_checks (rows + match + lines) report it, the sample accepts it."""
    from goaldoc.api import load

    loaded = load(ROOT / "samples" / "2019" / "ningde.yaml")
    e109 = [p for p in run_checks(loaded.model, loaded.lines, loaded.form) if p.code == "E109"]
    assert [(format_path(p.path), p.message) for p in e109] == [
        (
            "duty_targets[2].amount",
            "年度履职目标里支出项目名称为“基本支出”的第 3 行预算金额 171.41 万元 ≠ 部门预算支出“基本支出” 110.61 万元"
            "（相差 60.80 万元）：请核对",
        )
    ]


def test_budget_lines_take_the_columns_a_folder_declares_and_e102_compares_them():
    """广水's 收入构成 / 支出构成 live in the common budget with 占比 and two earlier years
    (fields.budget_line), so E102 is on; other forms' data prints through the folder."""
    from goaldoc.api import load

    loaded = load(ROOT / "samples" / "2021" / "guangshui.yaml")
    assert [(x.label, x.share) for x in loaded.model.budget.income] == [("财政拨款", None), ("其他资金", None), ("合计", "100%")]
    text = (ROOT / "samples" / "2021" / "guangshui.yaml").read_text(encoding="utf-8")
    wrong = text.replace("- {label: 财政拨款, amount: 968.1918, level: 1}", "- {label: 财政拨款, amount: 900, level: 1}")
    wrong = wrong.replace('- {label: 合计, amount: 968.1918, share: "100%"}\n  # 判断', '- {label: 合计, amount: 900, share: "100%"}\n  # 判断')
    assert [p[:2] for p in problems(wrong)] == [("E102", "budget.income[2].amount")]
    taishan = load(ROOT / "samples" / "2024" / "taishan.yaml")
    assert render_bytes(taishan, ["docx"], form="guangshui")["docx"][1]  # no 占比 in its data: blank


def test_a_form_that_prints_no_level2_does_not_require_it(tmp_path):
    rows = """
    - {level1: 产出指标, name: 救助覆盖率, value: 100%}
    - {level1: 效果指标, name: 满意度, value: ≥90%}
    """
    found = problems(department(rows, "handan").replace("indicators:", "projects:\n  - name: 救助\n    indicators:").replace("\n  - {level1", "\n      - {level1"))
    assert found == [
        (
            "E203",
            "projects[0].indicators",
            "项目“救助”缺少满意度指标：产出指标、效益指标和满意度指标至少各要有一条"
            "（这张表不印二级指标：放在效益指标下的那一条，请写 level2: 服务对象满意度指标，表上不印）",
        )
    ]
    rows = rows.replace("name: 满意度,", "level2: 服务对象满意度指标, name: 满意度,")
    assert problems(department(rows, "handan").replace("indicators:", "projects:\n  - name: 救助\n    indicators:").replace("\n  - {level1", "\n      - {level1")) == []


# ------------------------------------------------------------------ a folder saved by LibreOffice
# tests/fixtures/folders/older_layout: a county project form in the older national layout,
# drawn and then saved through LibreOffice (make.py there); every declaration above at once.

FOLDERS = ROOT / "tests" / "fixtures" / "folders"
OLDER = FOLDERS / "older_layout" / "sample.yaml"


@pytest.fixture(scope="module")
def older_files(tmp_path_factory) -> dict[str, Path]:
    from goaldoc.api import load

    out = tmp_path_factory.mktemp("older")
    files = {}
    for fmt, (_stem, data) in render_bytes(load(OLDER, FOLDERS), templates=FOLDERS).items():
        files[fmt] = out / f"older.{fmt}"
        files[fmt].write_bytes(data)
    return files


def test_the_folder_is_office_saved_and_checks_clean():
    import zipfile

    from goaldoc.api import check

    for name in ("forms.docx", "forms.xlsx"):
        with zipfile.ZipFile(FOLDERS / "older_layout" / name) as z:
            assert "LibreOffice" in z.read("docProps/app.xml").decode("utf-8")
    # 满意度 under 效益指标, either bracket of 数量指标（或建筑规模指标）, fund lines tied to the total
    assert [p.format() for p in check(OLDER, FOLDERS)] == []


def test_a_block_prints_the_forms_own_spelling_and_merges_by_the_data(older_files):
    """Item 3: the right-hand 二级 column is ``row.printed.level2 | merge``: the form's
    spelling (print: 数量指标（或建筑规模指标）, whatever bracket the clerk typed), merged
    exactly where the left-hand 二级 (as typed) is."""
    from readback import (
        docx_tables,
        docx_vertical_merges,
        xlsx_book,
        xlsx_column_merges,
        xlsx_row_of,
    )

    grid = next(t for t in docx_tables(older_files["docx"]) if t[0][0].text == "一级指标")
    left = [r[1].text for r in grid[1:] if r[1].vmerge != "continue"]
    right = [r[4].text for r in grid[1:] if r[4].vmerge != "continue"]
    assert left == ["数量指标(或建筑规模指标)", "质量指标", "社会效益指标", "社会公众或服务对象满意度指标"]
    assert right == ["数量指标（或建筑规模指标）", "质量指标", "社会效益指标", "社会公众或服务对象满意度指标"]
    merges = docx_vertical_merges(grid)
    assert merges[1] == merges[4] == [(1, 2)]
    ws = xlsx_book(older_files["xlsx"])["农村公路养护"]
    head = xlsx_row_of(ws, 1, "一级指标")
    assert [ws.cell(head + 1, c).value for c in (2, 5)] == ["数量指标(或建筑规模指标)", "数量指标（或建筑规模指标）"]
    assert xlsx_column_merges(ws, 2, head) == xlsx_column_merges(ws, 5, head) == [(head + 1, 2)]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_filled_form_reads_back_with_no_import_trick_and_lines_at_their_level(older_files, fmt):
    """Items 3 and 5: the folder has no ``import:`` entry; the right-hand block reads as the
    same 二级 (nothing left over), and every 项目资金 line comes back at its level, so the
    subtotal check (E101) still holds on the re-imported data."""
    import yaml

    from goaldoc.importer import import_file

    assert "import:" not in (FOLDERS / "older_layout" / "form.yaml").read_text(encoding="utf-8")
    got = import_file(older_files[fmt], None, FOLDERS)
    assert got.form.name == "older_layout"
    assert got.leftovers == [] and not [n for n in got.notes if "读不回" in n]
    want = yaml.safe_load(OLDER.read_text(encoding="utf-8"))["projects"][0]
    project = got.data["projects"][0]
    assert [(x["label"], x["level"]) for x in project["fund_lines"]] == [(x["label"], x.get("level", 0)) for x in want["fund_lines"]]
    assert [(i["level1"], i["name"]) for i in project["indicators"]] == [(i["level1"], i["name"]) for i in want["indicators"]]
    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v)))

    def text(fund_lines: list) -> str:
        data = {**got.data, "projects": [{**project, "budget": want["budget"], "fund_lines": fund_lines}]}
        return yaml.dump(data, Dumper=Dumper, allow_unicode=True)

    assert problems(text(project["fund_lines"]), FOLDERS) == []
    wrong = [dict(x, amount=Decimal(70)) if x["label"] == "上级补助" else x for x in project["fund_lines"]]
    assert [p[:2] for p in problems(text(wrong), FOLDERS)] == [("E101", "projects[0].fund_lines[1].amount")]


def _rewrite(path: Path, part: str, old: str, new: str) -> None:
    """One XML part of an office file with ``old`` (first occurrence) made ``new``, the rest byte for byte."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), 1)
            z.writestr(info, data)


def test_a_template_wider_than_its_page_is_said_by_goaldoc_forms(tmp_path):
    """Item 6: the LibreOffice-saved folder with its indicator table drawn too wide in Word
    and a column too wide in Excel: goaldoc forms says so under the form (提醒, exit 0)."""
    from click.testing import CliRunner

    from goaldoc.cli import main

    dst = tmp_path / "templates" / "older_layout"
    shutil.copytree(FOLDERS / "older_layout", dst)
    res = CliRunner().invoke(main, ["forms", "--templates", str(dst.parent)])
    assert res.exit_code == 0 and not [line for line in res.output.splitlines() if str(dst) in line and "提醒" in line]
    _rewrite(dst / "forms.docx", "word/document.xml", '<w:gridCol w:w="1425"/>', '<w:gridCol w:w="5425"/>')
    _rewrite(dst / "forms.xlsx", "xl/worksheets/sheet1.xml", 'max="3" min="3" style="0" width="16"', 'max="3" min="3" style="0" width="80"')
    res = CliRunner().invoke(main, ["forms", "--templates", str(dst.parent)])
    assert res.exit_code == 0
    mine = [line for line in res.output.splitlines() if str(dst) in line and "提醒" in line]
    assert mine == [
        f"{dst / 'forms.docx'} 第 2 个表格 提醒 T066：第 2 个表格宽 24.6 厘米，比页面的正文宽度（纸宽减去左右页边距）17.6 厘米宽 7.1 厘米："
        "Word 里表格会伸进右边距，打印时可能被裁掉：请在 Word 里把表格调窄（表格属性 → 表格 → 宽度），或把左右页边距调小",
        f"{dst / 'forms.xlsx'} 项目表!A1 提醒 T065：工作表“项目表”各列合计宽 29.4 厘米，比横向纸张可印的宽度 25.9 厘米宽："
        "打印时会分成左右两页：请在 Excel 里把列调窄，或把左右页边距调小、改成横向",
    ]
