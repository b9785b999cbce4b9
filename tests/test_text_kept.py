"""Text is never lost or changed (issue 12 item 5): UTF-8 read as UTF-8, 造字 printed as
typed, and a value too long for a cell refused by name instead of cut."""

from __future__ import annotations

import pytest

from goaldoc.api import Loaded, render_bytes
from goaldoc.errors import InputError
from goaldoc.loader import LineMap, decode
from goaldoc.model import DepartmentYear, Indicator
from readback import (
    docx_tables,
    docx_text,
    docx_vertical_merges,
    xlsx_book,
    xlsx_column_merges,
    xlsx_texts,
)

# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize("name", ["①局", "②③", "㈠就业", "Ⅲ类", "\ue000\ue001局", "𠀀局", "éà", "5°C"])
def test_valid_utf8_is_read_as_utf8(name):
    text = f"department:\n  name: {name}\n"
    assert decode(text.encode("utf-8"), "x.yaml") == text


def test_short_gbk_that_is_also_valid_utf8_is_still_read_as_gbk():
    """台山 in GBK (CC A8 C9 BD) is valid UTF-8 for two IPA letters: nobody types those."""
    text = "department:\n  name: 台山\n"
    assert text.encode("gbk").decode("utf-8") == "department:\n  name: ̨ɽ\n"
    assert decode(text.encode("gbk"), "x.yaml") == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_its_bom_is_read(encoding):
    """Notepad's 另存为 “Unicode” writes UTF-16 with a BOM; neither UTF-8 nor GBK starts so."""
    text = "department:\n  name: 台山①\U00020000局\n"
    raw = text.encode(encoding)
    if encoding != "utf-16":  # the codec without a BOM of its own: put it in front
        raw = ("\ufeff" + text).encode(encoding)
    assert decode(raw, "x.yaml") == text


def test_an_output_handed_back_as_input_is_named_for_what_it_is(taishan_files):
    """A clerk drags the .docx goaldoc made onto it (or a PDF of the form)."""
    office = "一个 Word / Excel（.docx / .xlsx）或压缩文件，不是 YAML 填报文件：填好的 Word / Excel 表请用原来的后缀（.docx / .xlsx），goaldoc check、render、import 都能直接读它（import 把它读回成 YAML）"
    for raw, said in [
        (taishan_files["docx"], office),
        (taishan_files["xlsx"], office),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "一个旧版 Word / Excel（.doc / .xls）文件，不是 YAML 填报文件：请改回原来的后缀（.doc / .xls），装了 LibreOffice 时 goaldoc check、import 能读它"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "一个 PDF 文件，不是 YAML 填报文件：PDF 读不回数据：请用生成它的 .docx / .xlsx 或 .yaml 文件"),
    ]:
        with pytest.raises(InputError) as exc:
            decode(raw, "x.yaml")
        assert [p.format() for p in exc.value.problems] == [f"x.yaml 错误 E002：这是{said}"]


# ------------------------------------------------------------------ 造字 (private use)

# characters a bureau made itself (造字) live in U+E000–U+F8FF; the old merge marks did too
PUA = ["\ue000k\ue001甲", "\ue000k\ue001乙", "\uf8ff造字\ue000"]


def _pua_model() -> DepartmentYear:
    rows = [
        Indicator(level1="产出指标", level2="数量指标", name=PUA[0], explanation=PUA[2], value="1 人"),
        Indicator(level1="产出指标", level2="数量指标", name=PUA[1], explanation=PUA[2], value="2 人"),
        Indicator(level1="产出指标", level2="质量指标", name="合格率", value="100%"),
    ]
    return DepartmentYear(year=2024, department={"name": "测\ue000局"}, indicators=rows)


def _render(fmt: str) -> bytes:
    return render_bytes(Loaded(_pua_model(), LineMap("x"), "x"), [fmt], form="guangdong")[fmt][1]


def test_private_use_characters_print_as_typed_in_word():
    data = _render("docx")
    grid = next(t for t in docx_tables(data) if any(c.text == "一级指标" for c in t[0]))
    names = [row[3].text for row in grid[1:]]
    explanations = [row[4].text for row in grid[1:]]
    assert names[:3] == [PUA[0], PUA[1], "合格率"]
    assert explanations[:2] == [PUA[2], PUA[2]]
    assert "测\ue000局" in docx_text(data)
    # 一级 over three rows, 二级 over two: the 三级 column is not merged by the text's look-alike marks
    merges = docx_vertical_merges(grid)
    assert merges[1] == [(1, 3)] and merges[2] == [(1, 2)]
    assert 3 not in merges and 4 not in merges


def test_private_use_characters_print_as_typed_in_excel():
    ws = xlsx_book(_render("xlsx"))["部门整体预算绩效目标批复表"]
    texts = xlsx_texts(ws)
    assert PUA[0] in texts and PUA[1] in texts and texts.count(PUA[2]) == 2
    assert any("测\ue000局" in t for t in texts)
    first = next(c.row for c in ws["B"] if c.value == "一级指标") + 1
    assert xlsx_column_merges(ws, 2) == [(first, 3)]
    assert xlsx_column_merges(ws, 4) == [] and xlsx_column_merges(ws, 5) == []


def test_a_template_joining_texts_past_a_cells_height_keeps_every_character(tmp_path):
    """A template that joins several texts into one cell (here 7 targets × 20, 35,000
    characters) never loses text in Excel: it continues in the rows below (issue 9's 409 pt
    rule), and every cell stays under what a cell holds (issue 12 item 5)."""
    import io
    import shutil

    from openpyxl import load_workbook

    from conftest import ROOT, SAMPLES
    from goaldoc.api import load

    dst = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", dst)
    wb = load_workbook(dst / "forms.xlsx")
    wb["部门整体"]["B2"].value = "{% for t in key_tasks %}{{ t.target * 20 }}{% endfor %}"
    wb.save(dst / "forms.xlsx")
    loaded = load(SAMPLES / "2024" / "taishan.yaml")
    joined = "".join(t.target * 20 for t in loaded.model.key_tasks)
    out = render_bytes(loaded, ["xlsx"], templates=tmp_path / "templates")["xlsx"][1]
    ws = load_workbook(io.BytesIO(out))["部门整体预算绩效目标批复表"]
    parts = []
    for r in range(2, ws.max_row + 1):
        v = ws.cell(r, 2).value
        if not isinstance(v, str) or not joined.startswith("".join(parts) + v):
            break
        parts.append(v)
    assert "".join(parts) == joined and len(parts) > 1
    assert max(len(p) for p in parts) < 32767


def test_a_cell_longer_than_excel_holds_is_refused_naming_it():
    """The backstop before the .xlsx is written (T019): no cell is ever cut by Excel."""
    from openpyxl import Workbook

    from goaldoc.errors import TemplateError
    from goaldoc.render.excel.workbook import _refuse_overlong_cells

    ws = Workbook().active
    ws.title = "项目表"
    ws["C7"] = "字" * 32767  # fits
    _refuse_overlong_cells([ws], "forms.xlsx")
    ws["C8"] = "𠀀" * 16384  # Extension B: two UTF-16 units each, 32,768 in all
    with pytest.raises(TemplateError) as exc:
        _refuse_overlong_cells([ws], "forms.xlsx")
    assert [p.message for p in exc.value.problems] == [
        "Excel 表 项目表!C8：这一格生成了 32,768 个字符，超过 Excel 一格能存的 32,767 个字符，打开时会被截掉："
        "请缩短数据，或在模板里把这些内容分到几格"
    ]
