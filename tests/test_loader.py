"""Safe YAML loading that keeps line numbers and exact decimals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from goaldoc.api import loads
from goaldoc.errors import InputError
from goaldoc.loader import decode, load_text


def test_every_key_and_item_keeps_its_line():
    data, lines = load_text("year: 2024\ndepartment:\n  name: 甲\nindicators:\n  - level1: 产出指标\n    level2: 数量指标\n")
    assert lines.line_of(("department", "name")) == 3
    assert lines.line_of(("indicators", 0)) == 5
    assert lines.line_of(("indicators", 0, "level2")) == 6
    assert lines.line_of(("indicators", 0, "value")) == 5  # missing key: its parent's line


def test_decimals_are_exact_and_keep_their_zeros():
    data, _ = load_text("a: 26843.80\nb: 0.1\nc: 350\nd: 2023-01-01\ne: =\n")
    assert data == {"a": Decimal("26843.80"), "b": Decimal("0.1"), "c": 350, "d": "2023-01-01", "e": "="}
    assert str(data["a"]) == "26843.80"


def test_python_tags_do_nothing():
    with pytest.raises(InputError) as exc:
        load_text("a: !!python/object/apply:os.system ['echo hacked']\n", "x.yaml")
    p = exc.value.problems[0]
    assert p.line == 1 and "不支持的 YAML 标签" in p.message


def test_alias_bombs_are_refused_before_expanding():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    with pytest.raises(InputError) as exc:
        load_text(bomb, "bomb.yaml")
    assert "锚点" in exc.value.problems[0].message


def test_syntax_error_names_line_and_column():
    with pytest.raises(InputError) as exc:
        load_text("year: 2024\ndepartment:\n\tname: 甲\n", "tab.yaml")
    p = exc.value.problems[0]
    assert (p.line, p.column) == (3, 1)
    assert p.format() == "tab.yaml:3:1 错误 E001：YAML 格式错误：行首用了制表符（Tab）：YAML 只能用空格缩进：请把行首的空白换成 2 个空格"


def test_bom_and_gbk_are_read():
    text = "year: 2024\ndepartment:\n  name: 台山\n"
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "x") == text
    assert decode(text.encode("gbk"), "x") == text


def test_unknown_key_suggests_the_nearest_one():
    with pytest.raises(InputError) as exc:
        loads("year: 2024\ndepartment:\n  name: 甲\nbudjet: {}\n", "t.yaml")
    assert [p.format() for p in exc.value.problems] == ["t.yaml:4 错误 E010 budjet：未知的键“budjet”：是不是“budget”？"]


def test_all_schema_problems_at_once_with_lines():
    text = "year: 二〇二四\ndepartment:\n  staff_count: 多\nindicators:\n  - level1: 产出指标\n"
    with pytest.raises(InputError) as exc:
        loads(text, "t.yaml")
    got = [p.format() for p in exc.value.problems]
    assert got == [
        "t.yaml:1 错误 E010 year：应为整数（如 269），现为 “二〇二四”",
        "t.yaml:2 错误 E010 department.name：缺少必填项 “name”（部门名称）：请补上",
        "t.yaml:3 错误 E010 department.staff_count：应为整数（如 269），现为 “多”",
        "t.yaml:5 错误 E010 indicators[0].level2：缺少必填项 “level2”（二级指标）：请补上",
    ]


def test_a_list_at_top_level_is_explained():
    with pytest.raises(InputError) as exc:
        loads("- a\n- b\n", "t.yaml")
    assert "文件顶层应为“键: 值”" in exc.value.problems[0].message


def test_empty_file():
    with pytest.raises(InputError) as exc:
        loads("", "t.yaml")
    assert exc.value.problems[0].message.startswith("文件是空的")


@pytest.mark.parametrize(
    "typed",
    ["0307", "07505555555", "8:30", "2024:01", "0x1F", "0b101", "1_000", "+0750"],
)
def test_numbers_yaml_11_would_change_are_kept_as_typed(typed):
    """PyYAML reads 0307 as octal 199, 8:30 as 510 (base 60), 0x1F as 31: a department
    code, a phone number or a time would print changed on the form."""
    data, _ = load_text(f"code: {typed}\n")
    assert data == {"code": typed}


def test_plain_numbers_are_still_numbers():
    data, _ = load_text("a: 269\nb: -3\nc: 0\nd: 26843.80\n")
    assert data == {"a": 269, "b": -3, "c": 0, "d": Decimal("26843.80")}
    assert str(data["d"]) == "26843.80"


def test_a_code_and_a_phone_number_reach_the_model_as_typed():
    loaded = loads("year: 2024\ndepartment:\n  name: 测试局\n  code: 0307\nsignature:\n  phone: 07505555555\n")
    assert (loaded.model.department.code, loaded.model.signature.phone) == ("0307", "07505555555")


def test_libyaml_and_pure_python_read_every_sample_alike(monkeypatch):
    """The fast path (libyaml's parser, composed in Python) and PyYAML's pure-Python loader
    give the same data and the same line of every key (issue 11 §3)."""
    import goaldoc.loader as loader_module

    assert loader_module.CParser is not None, "PyYAML's wheels carry libyaml"
    for sample in sorted((Path(__file__).resolve().parents[1] / "samples").glob("*/*.yaml")):
        text = sample.read_text(encoding="utf-8")
        fast = loader_module.load_text(text, "s")
        with monkeypatch.context() as m:
            m.setattr(loader_module, "CParser", None)
            slow = loader_module.load_text(text, "s")
        assert fast[0] == slow[0], sample
        assert fast[1].lines == slow[1].lines, sample


def test_loading_runs_without_automatic_collection_and_restores_it(monkeypatch):
    """Issue 23 item 3: the collector walked a long file's nodes and models again and again
    (half the CPU of loading 10,000 indicators); load() pauses it and leaves it as it was,
    also when the file is refused."""
    import gc

    import goaldoc.loading as loading
    from conftest import SAMPLES
    from goaldoc.errors import InputError

    seen: list[bool] = []
    real = loading.load_file

    def spy(path):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(path)

    monkeypatch.setattr(loading, "load_file", spy)
    assert gc.isenabled()
    loading.load(SAMPLES / "2024" / "taishan.yaml")
    assert seen == [False] and gc.isenabled()
    with pytest.raises(InputError):
        loading.loads("department: [", "bad.yaml")
    assert gc.isenabled()
    gc.disable()
    try:
        loading.load(SAMPLES / "2024" / "taishan.yaml")
        assert not gc.isenabled()  # a caller's choice stays
    finally:
        gc.enable()
