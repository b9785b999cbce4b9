"""Issue 5: bad input gets a clear answer and never breaks a file (see bad_inputs/README.md)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goaldoc.api import Loaded, render_bytes
from goaldoc.checks import run_checks
from goaldoc.cli import main
from goaldoc.loader import LineMap
from goaldoc.model import (
    BudgetLine,
    Department,
    DepartmentYear,
    Indicator,
    Project,
    ProjectBudget,
    Task,
)

CASES = Path(__file__).resolve().parent / "bad_inputs"
NAMES = sorted(p.stem for p in CASES.glob("*.yaml"))

def _case(name: str) -> str:
    return name


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_the_corpus_has_at_least_40_cases_each_with_its_expected_output():
    assert len(NAMES) >= 40
    assert sorted(p.stem for p in CASES.glob("*.expected")) == NAMES


@pytest.mark.parametrize("name", [_case(n) for n in NAMES])
def test_check_prints_exactly_the_expected_lines(name, monkeypatch):
    monkeypatch.chdir(CASES)
    expected = (CASES / f"{name}.expected").read_text(encoding="utf-8")
    res = run("check", f"{name}.yaml")
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
    assert res.stdout == expected
    errors = int(expected.splitlines()[-1].split("：")[1].split(" 个错误")[0])
    assert res.exit_code == (1 if errors else 0)


@pytest.mark.parametrize("name", [_case(n) for n in NAMES])
def test_render_writes_nothing_on_error_and_never_shows_a_traceback(name, monkeypatch, tmp_path):
    monkeypatch.chdir(CASES)
    out = tmp_path / "out"
    expected = (CASES / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    problems, summary = expected[:-1], expected[-1]
    res = run("render", f"{name}.yaml", "-o", str(out))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
    assert "Traceback" not in res.output
    if "：0 个错误" not in summary:
        assert res.exit_code == 1
        assert res.stderr.splitlines() == [
            *problems,
            f"{name}.yaml：有 {len(problems)} 处问题，未生成任何文件。",
        ]
        assert not out.exists() or not any(out.iterdir())
    else:  # warnings only: reported, and the files are written (FORMATS.md §3)
        assert res.exit_code == 0, res.output
        assert res.stderr.splitlines() == problems
        files = sorted(out.iterdir())
        assert [p.suffix for p in files] == [".docx", ".xlsx"]
        docx.Document(str(files[0]))
        openpyxl.load_workbook(files[1])


def test_force_never_writes_what_a_file_cannot_hold(monkeypatch, tmp_path):
    monkeypatch.chdir(CASES)
    res = run("render", "17_control_char_escaped.yaml", "--force", "-o", str(tmp_path / "out"))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
    assert res.exit_code == 1 and "错误 E302 goals[0]" in res.output and "未生成任何文件" in res.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "name,line",
    [
        ("71_text_longer_than_a_cell", "错误 E304 department.functions：有 32,768 个字符"),
        ("72_noncharacter", "错误 E302 department.name：含有 Unicode 非字符 U+FDD0"),
    ],
)
def test_force_never_writes_a_text_that_would_be_cut_or_forge_a_merge(name, line, monkeypatch, tmp_path):
    monkeypatch.chdir(CASES)
    res = run("render", f"{name}.yaml", "--force", "-o", str(tmp_path / "out"))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
    assert res.exit_code == 1
    assert res.stderr.splitlines()[0].startswith(f"{name}.yaml:") and line in res.stderr
    problems = len((CASES / f"{name}.expected").read_text(encoding="utf-8").splitlines()) - 1
    assert res.stderr.splitlines()[-1] == f"{name}.yaml：有 {problems} 处问题，未生成任何文件。"
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- 10,000 indicators


def test_10000_indicators_are_checked_with_one_warning(tmp_path):
    """What the run prints; how long it takes is measured in bench/ (issue 11 §4: no
    wall-clock asserts in tests)."""
    rows = [
        {"level1": "产出指标", "level2": "数量指标", "name": "招聘会场次", "value": "≥10 场"},
        {"level1": "产出指标", "level2": "质量指标", "name": "合规率", "value": "100%"},
        {"level1": "效益指标", "level2": "社会效益指标", "name": "就业人数", "value": "≥4900 人"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "value": "≥95%"},
    ]
    body = "".join(
        "  - {" + ", ".join(f"{k}: {v}" for k, v in r.items()) + "}\n" for r in rows * 2500
    )
    path = tmp_path / "big.yaml"
    path.write_text(
        f"year: 2024\ndepartment:\n  name: 测试局\n  staff_count: 10\n  subunit_count: 1\nindicators:\n{body}", encoding="utf-8"
    )
    res = run("check", str(path))
    assert res.stdout.splitlines() == [
        f"{path}:6 提醒 W209 indicators：部门整体有 10000 条绩效指标，超过 1000 条：表格会长达数百页，请确认没有重复录入",
        "检查了 1 个文件：0 个错误，1 个提醒。",
    ]
    assert res.exit_code == 0


# ---------------------------------------------------------------- text that looks like code

TRICKY = [
    "=SUM(A1:A9)",
    "+86 0750",
    "-1",
    "@所有人",
    "A & B <b>粗体</b> \"引号\" '单引号'",
    "{{ department.name }}",
    "{% if 1 %}x{% endif %}",
    "]]><![CDATA[",
    "台山 & 开平 < 江门",
]


def test_text_that_looks_like_a_formula_or_markup_is_written_literally(tmp_path):
    d = {
        "year": 2024,
        # what the default form must print (issue 16: E306, E308); functions it does not print (W312)
        "department": {"name": "测试局", "staff_count": 10, "subunit_count": 1},
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "招聘会场次", "value": "≥10 场"},
            {"level1": "产出指标", "level2": "质量指标", "name": "合规率", "value": "100%"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "就业人数", "value": "≥4900 人"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "value": "≥95%"},
        ],
        "goals": TRICKY,
        "key_tasks": [{"name": t, "content": t, "target": t} for t in TRICKY],
    }
    path = tmp_path / "tricky.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    assert run("check", str(path)).stdout == "检查了 1 个文件：0 个错误，0 个提醒。\n"
    res = run("render", str(path), "-o", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    files = sorted((tmp_path / "out").iterdir())
    text = "\n".join(p.text for p in docx.Document(str(files[0])).paragraphs) + "\n".join(
        c.text for t in docx.Document(str(files[0])).tables for r in t.rows for c in r.cells
    )
    cells = [
        c
        for ws in openpyxl.load_workbook(files[1])
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    for t in TRICKY:
        assert t in text
        assert any(t in str(c.value) for c in cells), t
    assert all(c.data_type != "f" for c in cells)  # no clerk text became a formula
    for c in cells:
        if isinstance(c.value, str) and c.value in TRICKY:
            assert c.data_type == "s"


# ---------------------------------------------------------------- any valid model renders

_CHARS = st.sampled_from(list("&<>\"'=+-@{}%#\n \t台山人社局就业满意度≥≤①㈠𠀀"))
_TEXT = st.text(_CHARS, max_size=12)
_NAME = st.text(_CHARS, min_size=1, max_size=12).filter(lambda s: s.strip() != "")
_AMOUNT = st.decimals(
    min_value=0, max_value=Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False
)
_LEVELS = [
    ("产出指标", "数量指标"),
    ("产出指标", "质量指标"),
    ("效益指标", "社会效益指标"),
    ("满意度指标", "服务对象满意度指标"),
    ("效果指标", "可持续影响指标"),
]


@st.composite
def _indicator(draw):  # type: ignore[no-untyped-def]
    l1, l2 = draw(st.sampled_from(_LEVELS))
    return Indicator(
        level1=l1,
        level2=l2,
        name=draw(_TEXT),
        explanation=draw(_TEXT),
        value=draw(st.none() | _TEXT),
    )


@st.composite
def _model(draw):  # type: ignore[no-untyped-def]
    # now and then a control character, which XML cannot hold: the checks must refuse it
    functions = draw(st.none() | _TEXT | st.sampled_from(["复制\x07的文字", "\x0b"]))
    return DepartmentYear(
        year=draw(st.integers(2000, 2100)),
        department=Department(name=draw(_NAME), functions=functions),
        budget={
            "expenditure": draw(
                st.lists(
                    st.builds(
                        BudgetLine, label=_TEXT, amount=st.none() | _AMOUNT, level=st.integers(0, 2)
                    ),
                    max_size=4,
                )
            )
        },
        goals=draw(st.lists(_TEXT, max_size=3)),
        key_tasks=draw(
            st.lists(
                st.builds(Task, name=_TEXT, content=_TEXT, funds=st.none() | _AMOUNT, target=_TEXT),
                max_size=3,
            )
        ),
        indicators=draw(st.lists(_indicator(), max_size=6)),
        projects=draw(
            st.lists(
                st.builds(
                    Project,
                    name=_NAME,
                    budget=st.builds(ProjectBudget, total=_AMOUNT),
                    indicators=st.lists(_indicator(), max_size=3),
                ),
                max_size=2,
            )
        ),
    )


def _strings(model: DepartmentYear) -> list[str]:
    out: list[str] = []

    def walk(obj: object) -> None:
        if isinstance(obj, str):
            out.append(obj)
        elif isinstance(obj, list):
            for x in obj:
                walk(x)
        elif hasattr(type(obj), "model_fields"):
            for name in type(obj).model_fields:
                walk(getattr(obj, name))

    walk(model)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_model())
def test_any_model_the_schema_accepts_renders_to_files_that_open_again(model):
    """Text with & < > " ' = + - @ {{ }} and CJK renders; control characters are refused (E302)."""
    model = DepartmentYear.model_validate(model.model_dump())  # what the schema accepts
    has_control = any(ch in s for s in _strings(model) for ch in "\x07\x0b")
    codes = {p.code for p in run_checks(model, LineMap("x"))}
    if has_control:
        assert "E302" in codes
        return
    rendered = render_bytes(Loaded(model, LineMap("x"), "x"), form="guangdong")
    document = docx.Document(io.BytesIO(rendered["docx"][1]))
    book = openpyxl.load_workbook(io.BytesIO(rendered["xlsx"][1]))
    text = "".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert " ".join(model.department.name.split()) in " ".join(text.split())
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)
