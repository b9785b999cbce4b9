"""File and folder names every system accepts (issue 12 item 4; Excel sheet names are
render/excel/workbook.py's): no device names, no trailing dots or spaces, no invisible characters,
bounded length, shortened names kept apart, and the clerk told of each change."""

from __future__ import annotations

import os
import re
import shutil

import docx
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import DEFAULT_FORM_FILLED, ROOT, SAMPLES
from goaldoc.cli import main
from goaldoc.output import NAME_MAX_BYTES, NAME_MAX_UNITS, safe_name


@pytest.mark.parametrize(
    "name,safe",
    [
        ("CON", "CON_"),
        ("con", "con_"),
        ("NUL.2024", "NUL_.2024"),  # NUL.docx is the device too
        ("COM1", "COM1_"),
        ("LPT1 ", "LPT1_"),  # Windows drops the trailing space first
        ("COM¹", "COM¹_"),
        ("AUX", "AUX_"),
    ],
)
def test_windows_device_names_get_an_underscore(name, safe):
    out = safe_name(name)
    base = name.split(".")[0].strip()
    assert out == safe
    assert out.notes == (f"“{base}”是 Windows 的设备名，不能用作文件名，已改为“{safe}”",)


@pytest.mark.parametrize("name", ["COM10", "CONSOLE", "控制台CON", "NULL", "测试局"])
def test_names_that_only_look_like_devices_stay(name):
    assert safe_name(name) == name and safe_name(name).notes == ()


@pytest.mark.parametrize(
    "name,safe", [("测试局.", "测试局"), ("测试局 . ", "测试局"), ("a/b:c*?", "a_b_c__"), ("...", "未命名"), ("", "未命名")]
)
def test_trailing_dots_and_spaces_and_reserved_characters(name, safe):
    assert safe_name(name) == safe


@pytest.mark.parametrize(
    "name,codes",
    [
        ("测试\u202e局xcod.exe", "U+202E"),  # RIGHT-TO-LEFT OVERRIDE: shows as 局exe.docx
        ("测\u200b试\u200d局", "U+200B、U+200D"),  # zero-width space and joiner
        ("\ufeff测试局\u2066", "U+FEFF、U+2066"),  # BOM, LEFT-TO-RIGHT ISOLATE
        ("测试\u2028局", "U+2028"),  # line separator
    ],
)
def test_invisible_characters_are_removed_and_said(name, codes):
    out = safe_name(name, "文件夹名")
    assert out == "".join(ch for ch in name if ch.isprintable())
    assert out.notes == (f"名称里有看不见的格式字符 {codes}（会让文件名显示得和实际不同），文件夹名里已去掉",)


def test_private_use_characters_stay_in_names():
    assert safe_name("测\ue000局") == "测\ue000局"


def test_a_long_name_is_shortened_within_every_limit_and_kept_apart():
    a, b = "某" * 69 + "甲", "某" * 69 + "乙"  # 70 characters, 210 bytes: ENAMETOOLONG before
    sa, sb = safe_name(a), safe_name(b)
    assert sa != sb and sa[:-7] == sb[:-7] and sa[-7] == "…"
    assert len(sa.encode()) <= NAME_MAX_BYTES and len(sa.encode("utf-16-le")) // 2 <= NAME_MAX_UNITS
    assert safe_name(a) == sa  # the same name always shortens the same way
    assert sa.notes == (f"名称太长（70 个字），文件名已缩短为 {len(sa)} 个字，末尾的“{sa[-7:]}”用来区分开头相同的长名称",)


def test_a_name_at_the_limit_stays_whole():
    name = "某" * (NAME_MAX_BYTES // 3)
    assert safe_name(name) == name and safe_name(name).notes == ()
    assert safe_name(name + "某").notes


def test_latin_names_are_bounded_in_utf16_units_and_emoji_count_two():
    assert safe_name("x" * NAME_MAX_UNITS).notes == ()
    assert len(safe_name("x" * (NAME_MAX_UNITS + 1))) == NAME_MAX_UNITS
    assert safe_name("😀" * (NAME_MAX_UNITS // 2)).notes == ()  # 90 units, 180 bytes
    out = safe_name("😀" * (NAME_MAX_UNITS // 2 + 1))
    assert out[-7] == "…" and len(out.encode("utf-16-le")) // 2 <= NAME_MAX_UNITS


# ---------------------------------------------------------------- through render

LONG = "某某省某某市某某县人力资源和社会保障局就业服务中心下属的某某职业技能培训与公共就业人才服务分中心第一分部驻外办事处"


def _render(tmp_path, name: str):  # type: ignore[no-untyped-def]
    src = tmp_path / "d.yaml"
    src.write_text(f'year: 2024\ndepartment:\n  name: "{name}"\n' + DEFAULT_FORM_FILLED, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(main, ["render", "d.yaml"])
    finally:
        os.chdir(cwd)


def test_a_70_character_department_renders_with_shortened_names_and_says_so(tmp_path):
    name = LONG + "某" * (70 - len(LONG))
    res = _render(tmp_path, name)
    assert res.exit_code == 0, res.output
    folder = safe_name(name, "文件夹名")
    stem = safe_name(f"2024年{name}部门整体预算绩效目标批复表")
    assert res.stderr.splitlines() == [
        f"d.yaml:3 提醒 W901 department.name：{stem.notes[0]}",
        f"d.yaml:3 提醒 W901 department.name：{folder.notes[0]}",
    ]
    files = sorted((tmp_path / "out" / "2024" / folder).iterdir())
    assert [f.name for f in files] == [f"{stem}.docx", f"{stem}.xlsx"]
    text = "".join(c.text for t in docx.Document(str(files[0])).tables for r in t.rows for c in r.cells)
    assert name in text  # the form itself says the whole name


def test_a_department_named_like_a_device_and_with_an_override_character(tmp_path):
    res = _render(tmp_path, "CON")
    assert res.exit_code == 0, res.output
    assert res.stderr == "d.yaml:3 提醒 W901 department.name：“CON”是 Windows 的设备名，不能用作文件夹名，已改为“CON_”\n"
    assert (tmp_path / "out" / "2024" / "CON_").is_dir()
    res = _render(tmp_path, "测试\\u202e局")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "out" / "2024").iterdir()) == ["CON_", "测试局"]
    assert "U+202E" in res.stderr


@pytest.mark.parametrize(
    "pattern,stem", [("../../../../pwned{{ year }}", "_.._.._.._pwned2019"), ("/tmp/abs{{ year }}", "_tmp_abs2019")]
)
def test_a_form_filename_never_leads_out_of_the_output_folder(pattern, stem, tmp_path):
    """An attacker's form.yaml (templates travel by e-mail): a name that climbs out with ../
    or starts at / is one file name inside the output folder."""
    folder = tmp_path / "templates" / "ningde"
    shutil.copytree(ROOT / "templates" / "ningde", folder)
    form = folder / "form.yaml"
    form.write_text(re.sub(r"(?m)^filename: .*$", f'filename: "{pattern}"', form.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "a" / "b" / "out"
    res = CliRunner().invoke(
        main, ["render", str(SAMPLES / "2019" / "ningde.yaml"), "--templates", str(folder.parent), "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}.docx", f"{stem}.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "templates"]


def test_template_syntax_in_the_data_prints_as_typed(tmp_path):
    """A department file is data: {{ }} and {% %} typed in it are never run as a template."""
    name = "{{ 7*7 }}{% for i in range(3) %}x{% endfor %}"
    res = _render(tmp_path, name)
    assert res.exit_code == 0, res.output
    (docx_file,) = (tmp_path / "out" / "2024").glob("*/*.docx")
    text = [c.text for t in docx.Document(str(docx_file)).tables for r in t.rows for c in r.cells]
    assert name in text and "49" not in "".join(text).replace(name, "")
    (xlsx_file,) = (tmp_path / "out" / "2024").glob("*/*.xlsx")
    values = [c.value for ws in load_workbook(xlsx_file) for row in ws.iter_rows() for c in row]
    assert name in values
