"""Text from a received file never becomes YAML structure (issue 18 item 1).

A 部门名称 cell holding ``\\r``, U+2028 or U+0085 followed by ``accepted: [...]`` became a
top-level ``accepted:`` of the imported YAML: the header comment quoted the name, and YAML
ends a comment at any of its line breaks. Every place a received file's text reaches the YAML
is tried here — a value, the header comment, a project's comment, a sheet name, a file name,
a cell that could not be placed — with every line break YAML or Unicode knows that an Office
file can hold, and the YAML indicator characters; the imported YAML is then loaded the way
``goaldoc check`` loads it.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.api import load, loads, render_bytes
from goaldoc.cli import main
from goaldoc.loader import load_file

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
LIUZHI = SAMPLES / "2023" / "liuzhi.yaml"
NAME = "台山市人力资源和社会保障局"
# XML 1.0 (and so .docx / .xlsx) can hold these; \x0b, \x0c and \x1c–\x1e it cannot
BREAKS = ["\r", "\n", "\r\n", "\x85", "\u2028", "\u2029"]
ATTACK = "accepted: [{path: budget, reason: 关掉检查}, {path: indicators, reason: 关掉检查}] #"
INDICATORS = "-?:,[]{}#&*!|>'\"%@`"


def _imported(src: Path, out: Path) -> dict:
    res = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    data, _lines = load_file(out)
    return data


def _workbook(sample: Path, tmp: Path, replace: dict[str, str], name: str = "收到的表", sheet: str = "") -> Path:
    """The sample's workbook as goaldoc renders it, then edited the way a sender could: every
    cell holding a key of ``replace`` (or a text with it inside) changed, a sheet renamed."""
    path = tmp / f"{name}.xlsx"
    path.write_bytes(render_bytes(load(sample), ["xlsx"])["xlsx"][1])
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.value == 2610.83:  # a problem the attack would like switched off (E101)
                    c.value = 2600
                for old, new in replace.items():
                    if isinstance(c.value, str) and old in c.value:
                        c.value = c.value.replace(old, new)
    if sheet:
        wb.worksheets[-1].title = sheet
    wb.save(path)
    return path


def _same(a: str, b: str) -> bool:
    """Equal, a CR LF pair taken as Excel stores it."""
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")


@pytest.mark.parametrize("br", BREAKS, ids=[f"U+{ord(b[0]):04X}" + ("+LF" if len(b) > 1 else "") for b in BREAKS])
def test_a_line_break_in_the_department_name_stays_inside_the_name(tmp_path: Path, br: str) -> None:
    hostile = NAME + br + ATTACK
    out = tmp_path / "导入.yaml"
    data = _imported(_workbook(TAISHAN, tmp_path, {NAME: hostile}), out)
    assert "accepted" not in data
    assert _same(data["department"]["name"], hostile)
    res = CliRunner().invoke(main, ["check", str(out)])
    assert "错误 E101 budget.expenditure[0].amount" in res.output and "已确认保留" not in res.output
    assert res.exit_code == 1


@pytest.mark.parametrize("br", ["\r", "\u2028", "\x85"], ids=["CR", "U+2028", "U+0085"])
def test_sheet_file_and_project_names_with_line_breaks_stay_in_their_comments(tmp_path: Path, br: str) -> None:
    """A file name reaches the header, a sheet name the comments of cells it could not
    place, a project's name the comment above the project."""
    project = "2023年事业单位面向社会公开招聘"
    src = _workbook(LIUZHI, tmp_path, {project: project + br + ATTACK}, name="收到" + br + "accepted: [] #", sheet="表" + br + "{ 坏")
    out = tmp_path / "导入.yaml"
    data = _imported(src, out)
    assert "accepted" not in data
    assert _same(data["projects"][0]["name"], project + br + ATTACK)
    assert loads(out.read_text(encoding="utf-8"), str(out)).model.accepted == []


def test_every_yaml_indicator_character_reads_back_as_typed(tmp_path: Path) -> None:
    """Indicator names beginning with (and holding) each character YAML gives a meaning, and
    each line break followed by a YAML key."""
    names = list(dict.fromkeys(i.name for i in load(TAISHAN).model.indicators))  # each a cell of its own
    typed = [f"{ch}{ch} {INDICATORS}" for ch in INDICATORS] + [f"指标{br}{ATTACK}" for br in BREAKS]
    replace = dict(zip(names, typed, strict=False))
    got = _imported(_workbook(TAISHAN, tmp_path, replace), tmp_path / "导入.yaml")
    assert "accepted" not in got
    read = {i["name"].replace("\r\n", "\n") for i in got["indicators"]}
    assert {t.replace("\r\n", "\n") for t in typed} <= read


def test_a_yaml_that_would_not_read_back_as_imported_is_refused_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last guard: were a comment ever written with its line break, the text read back
    differs from the data, and import refuses (E026) instead of writing it."""
    from goaldoc.importer import write

    monkeypatch.setattr(write, "one_line", lambda text: text)
    src = _workbook(TAISHAN, tmp_path, {NAME: NAME + "\r" + ATTACK})
    out = tmp_path / "导入.yaml"
    res = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert res.exit_code == 1
    assert f"{src} 错误 E026：读出的内容写成 YAML 后不能原样读回" in res.output
    assert not out.exists()
