"""Issue 23 item 1: Word row loops rendered as data (render/word/rows.py) write exactly the
XML docxtpl writes — also for values docxtpl turns into XML (line breaks, tabs) or that
hold goaldoc's own separators — and the loops do take that path."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

import goaldoc.render.word.rows as rows_module
from conftest import SAMPLES
from goaldoc.api import load, render_bytes

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
PLAIN = "explanation: 预算年度内受理群众申请的仲裁案件数"


def _document(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml")


def _spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:  # type: ignore[type-arg]
    """Which loops the data path rendered (items each) and how many rows went docxtpl's way."""
    seen: dict[str, list] = {"loops": [], "as_docxtpl": [], "rows": []}  # type: ignore[type-arg]
    rows, as_docxtpl = rows_module.RowProgram.rows, rows_module.RowProgram._as_docxtpl

    def spy_rows(self, items, outer, listing):  # type: ignore[no-untyped-def]
        seen["loops"].append(len(items))
        seen["rows"].append(self.row_xml)
        return rows(self, items, outer, listing)

    def spy_docxtpl(self, context, n):  # type: ignore[no-untyped-def]
        seen["as_docxtpl"].append(n)
        return as_docxtpl(self, context, n)

    monkeypatch.setattr(rows_module.RowProgram, "rows", spy_rows)
    monkeypatch.setattr(rows_module.RowProgram, "_as_docxtpl", spy_docxtpl)
    return seen


def _calls(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> list[Any]:
    """The first argument after ``self`` of each call of ``owner.name`` (the call goes on)."""
    seen: list[Any] = []
    real = getattr(owner, name)

    def counted(self, first, *args, **kw):  # type: ignore[no-untyped-def]
        seen.append(first)
        return real(self, first, *args, **kw)

    monkeypatch.setattr(owner, name, counted)
    return seen


def _docxtpl_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The same render with every loop left to docxtpl (the path before issue 23)."""
    with monkeypatch.context() as m:
        m.setattr(rows_module.RowLoops, "take", lambda self, src: src)
        return _document(render_bytes(load(path), ["docx"])["docx"][1])


def _with_explanation(tmp_path: Path, yaml_value: str) -> Path:
    text = TAISHAN.read_text(encoding="utf-8")
    assert PLAIN in text
    path = tmp_path / "taishan.yaml"
    path.write_text(text.replace(PLAIN, f"explanation: {yaml_value}"), encoding="utf-8")
    return path


def test_the_indicator_loop_is_rendered_as_data_and_writes_what_docxtpl_writes(monkeypatch):
    seen = _spy(monkeypatch)
    ours = _document(render_bytes(load(TAISHAN), ["docx"])["docx"][1])
    assert 49 in seen["loops"]  # the 49 indicator rows
    assert seen["as_docxtpl"] == []  # plain texts: no row needed docxtpl's way
    assert ours == _docxtpl_only(TAISHAN, monkeypatch)


@pytest.mark.parametrize(
    "value, docxtpl_way, expect",
    [
        # docxtpl turns \n into w:br and \t into a w:tab run: that row goes its way
        (r'"第一行\n第二行\t制表"', True, b"<w:br/>"),
        # escaped by Jinja, read back by the XML parser: stays on the data path
        ("\"R&D投入<5% 与 '单引号' \\\"双引号\\\"\"", False, "R&amp;D投入&lt;5%".encode()),
        # goaldoc's separators inside a value: the loop's rows go docxtpl's way
        (r'"含\ufdd2分隔\ufdd3符"', True, "含\ufdd2分隔\ufdd3符".encode()),
        # docxtpl's own escaped braces become braces
        ('"写作 {_{ 和 }_}"', True, "写作 {{ 和 }}".encode()),
    ],
    ids=["line-break-and-tab", "xml-special-characters", "separators", "escaped-braces"],
)
def test_values_docxtpl_writes_as_xml_come_out_as_docxtpl_writes_them(tmp_path, monkeypatch, value, docxtpl_way, expect):
    path = _with_explanation(tmp_path, value)
    seen = _spy(monkeypatch)
    ours = _document(render_bytes(load(path), ["docx"])["docx"][1])
    assert bool(seen["as_docxtpl"]) == docxtpl_way
    assert expect in ours
    assert ours == _docxtpl_only(path, monkeypatch)


def test_a_rows_whole_template_is_made_only_for_a_row_that_goes_docxtpls_way(tmp_path, monkeypatch):
    """Making a row program does not compile the row's whole XML as docxtpl's loop (half the
    cost of making one, paid again by each worker of a batch): only a row whose texts do not
    come apart needs it, and gets it then."""
    made: list[rows_module.RowProgram] = []
    real = rows_module._compile

    def kept(*args, **kw):  # type: ignore[no-untyped-def]
        program = real(*args, **kw)
        if program is not None:
            made.append(program)
        return program

    monkeypatch.setattr(rows_module, "_compile", kept)
    monkeypatch.setattr(rows_module, "_PROGRAMS", rows_module.Kept(1024))  # made here, not kept from another test
    monkeypatch.setattr(rows_module, "_TAKEN", rows_module.Kept(32))
    render_bytes(load(TAISHAN), ["docx"])
    assert made and not any("whole" in vars(p) for p in made)
    path = _with_explanation(tmp_path, r'"含\ufdd2分隔\ufdd3符"')  # a separator: that loop goes docxtpl's way
    seen = _spy(monkeypatch)
    ours = _document(render_bytes(load(path), ["docx"])["docx"][1])
    assert seen["as_docxtpl"] and [p for p in made if "whole" in vars(p)]
    assert ours == _docxtpl_only(path, monkeypatch)


def test_a_row_reading_an_outer_loop_is_rendered_as_data(monkeypatch):
    """The Sichuan form's project rows read p.number, p.name (the projects' loop): the call
    passes them as the loop saw them."""
    path = SAMPLES / "2024" / "jingyan.yaml"
    seen = _spy(monkeypatch)
    ours = _document(render_bytes(load(path), ["docx"])["docx"][1])
    assert len(seen["loops"]) >= 12 and seen["as_docxtpl"] == []
    assert ours == _docxtpl_only(path, monkeypatch)


def test_a_template_changed_while_the_process_runs_is_read_again(tmp_path):
    """The parsed template and its row programs are kept per process (issue 23 item 2),
    keyed by the file's size and time of change: an admin's edit between two renders of
    one process shows in the second."""
    import shutil

    from docx import Document

    from conftest import ROOT

    folder = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", folder)
    loaded = load(TAISHAN)
    first = _document(render_bytes(loaded, ["docx"], templates=tmp_path / "templates")["docx"][1])
    assert "指标解释（改）".encode() not in first
    doc = Document(folder / "forms.docx")
    cell = next(c for t in doc.tables for r in t.rows for c in r.cells if c.text.strip() == "指标解释")
    cell.paragraphs[0].runs[0].text = "指标解释（改）"
    for run in cell.paragraphs[0].runs[1:]:
        run.text = ""
    doc.save(folder / "forms.docx")
    second = _document(render_bytes(loaded, ["docx"], templates=tmp_path / "templates")["docx"][1])
    assert "指标解释（改）".encode() in second


def test_rows_count_against_what_a_template_may_write(monkeypatch):
    """The rows a loop makes as data count against sandbox.MAX_OUTPUT as they would in
    docxtpl's string: past it the render stops with the sandbox's own message (T001), the
    same as when every loop is left to docxtpl."""
    import goaldoc.render.template.sandbox as sandbox
    from goaldoc.errors import TemplateError

    monkeypatch.setattr(sandbox, "MAX_OUTPUT", 60_000)  # taishan's rows alone are ~80,000 characters of XML
    with pytest.raises(TemplateError) as ours:
        render_bytes(load(TAISHAN), ["docx"])
    with monkeypatch.context() as m:
        m.setattr(rows_module.RowLoops, "take", lambda self, src: src)
        with pytest.raises(TemplateError) as docxtpl:
            render_bytes(load(TAISHAN), ["docx"])
    assert [p.format() for p in ours.value.problems] == [p.format() for p in docxtpl.value.problems]
    assert "模板生成的内容超过 60,000 个字符" in ours.value.problems[0].message
    # under the limit both ways write the document, the same
    monkeypatch.setattr(sandbox, "MAX_OUTPUT", 2_000_000)
    assert _document(render_bytes(load(TAISHAN), ["docx"])["docx"][1]) == _docxtpl_only(TAISHAN, monkeypatch)


def test_a_row_with_a_condition_inside_a_text_is_rendered_as_data(monkeypatch):
    """The 自评 form's indicator row writes {% if row.adjusted %}（调整为…）{% endif %} inside
    one text: the statement is part of the row's program, and 井研's adjusted indicator
    prints as docxtpl prints it."""
    path = SAMPLES / "2024" / "jingyan-ziping.yaml"
    seen = _spy(monkeypatch)
    ours = _document(render_bytes(load(path), ["docx"])["docx"][1])
    assert any("row.adjusted" in row for row in seen["rows"]) and seen["as_docxtpl"] == []
    assert "（调整为".encode() in ours
    assert ours == _docxtpl_only(path, monkeypatch)


def test_a_bookmark_in_a_loop_row_is_kept_once_as_docxtpl_rows_keep_it(tmp_path, monkeypatch):
    """A row shape holding a bookmark (an admin's, in the 一级 cell, which merges down): its
    copies repeat it, and the strictness pass (render/word/strict.py) keeps the first of each
    name and id, as for docxtpl's rows — the copies of a shape with a bookmark are not among
    the rows that pass skips."""
    import re
    import shutil

    from docx import Document
    from docx.oxml.ns import qn
    from lxml import etree

    from conftest import ROOT

    folder = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", folder)
    doc = Document(folder / "forms.docx")
    tr = next(r._tr for t in doc.tables for r in t.rows if "row.level1" in "".join(r._tr.itertext()))
    tc = next(tc for tc in tr.iterchildren(qn("w:tc")) if "row.level1" in "".join(tc.itertext()))
    p = tc.find(qn("w:p"))
    start = etree.SubElement(p, qn("w:bookmarkStart"), {qn("w:id"): "901", qn("w:name"): "一级指标"})
    p.insert(p.index(start), start)  # before the runs
    p.append(etree.Element(qn("w:bookmarkEnd"), {qn("w:id"): "901"}))
    doc.save(folder / "forms.docx")
    loaded = load(TAISHAN)
    seen = _spy(monkeypatch)
    ours = _document(render_bytes(loaded, ["docx"], templates=tmp_path / "templates")["docx"][1])
    assert 49 in seen["loops"] and seen["as_docxtpl"] == []
    assert len(re.findall(rb'w:name="\xe4\xb8\x80\xe7\xba\xa7\xe6\x8c\x87\xe6\xa0\x87"', ours)) == 1  # 一级指标, once
    assert ours.count(b'<w:bookmarkStart') == ours.count(b'<w:bookmarkEnd')
    with monkeypatch.context() as m:
        m.setattr(rows_module.RowLoops, "take", lambda self, src: src)
        docxtpl = _document(render_bytes(loaded, ["docx"], templates=tmp_path / "templates")["docx"][1])
    assert ours == docxtpl


def test_cells_merged_away_are_copied_merged_and_come_out_as_the_merge_makes_them(monkeypatch):
    """A copy whose 一级/二级 repeats the row above is copied from a variant of the shape with
    those cells already merged away (RowProgram.variant): the document is the one docxtpl's
    rows and the table's merge make — including the 指标 column of the Guangdong form, whose
    tcPr is out of schema order (tcBorders after vAlign) and is sorted afterwards."""
    made: list[frozenset[int]] = []
    variant = rows_module.RowProgram.variant

    def spy(self, merged):  # type: ignore[no-untyped-def]
        made.append(merged)
        return variant(self, merged)

    monkeypatch.setattr(rows_module.RowProgram, "variant", spy)
    for program in list(rows_module._PROGRAMS.values()):
        if program is not None:
            program._variants.clear()
    ours = _document(render_bytes(load(TAISHAN), ["docx"])["docx"][1])
    assert frozenset({0, 1, 2}) in made  # 指标 (merged over the table), 一级 and 二级 in one row
    assert ours == _docxtpl_only(TAISHAN, monkeypatch)


def test_a_form_with_a_contents_page_is_saved_once_without_the_layout_pass(monkeypatch):
    """The .docx was written twice for a form with a 目录 (taishan's): once for LibreOffice's
    layout pass, which is off unless GOALDOC_LAYOUT_PASS asks for it, then with the pages
    filled in. Without the pass it is written once, the same document."""
    import goaldoc.render.word.document as document

    monkeypatch.delenv("GOALDOC_LAYOUT_PASS", raising=False)
    saves: list[int] = []
    real = document._save

    def counted(tpl):  # type: ignore[no-untyped-def]
        saves.append(1)
        return real(tpl)

    monkeypatch.setattr(document, "_save", counted)
    ours = _document(render_bytes(load(TAISHAN), ["docx"])["docx"][1])
    assert len(saves) == 1
    assert ours == _docxtpl_only(TAISHAN, monkeypatch)


def test_the_template_parts_no_render_changes_are_made_strict_once_and_stay_strict(tmp_path):
    """Issue 23 item 2: the styles, numbering and theme are made strict once, on the parsed
    template the process keeps (strict.normalise_template), not at every render: a style's
    properties out of schema order and a flag written w:val="true" (as LibreOffice saves
    them) come out in order and bare, in the first render and in the next one."""
    import re
    import shutil

    from docx import Document
    from docx.oxml.ns import qn
    from lxml import etree

    from conftest import ROOT

    folder = tmp_path / "templates" / "guangdong"
    shutil.copytree(ROOT / "templates" / "guangdong", folder)
    doc = Document(folder / "forms.docx")
    style = next(st for st in doc.styles.element.iterchildren(qn("w:style")) if st.find(qn("w:rPr")) is not None)
    rpr = style.find(qn("w:rPr"))
    for tag in ("w:rFonts", "w:b"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    etree.SubElement(rpr, qn("w:sz"), {qn("w:val"): "21"})
    etree.SubElement(rpr, qn("w:rFonts"), {qn("w:eastAsia"): "宋体"})  # after w:sz: out of order
    etree.SubElement(rpr, qn("w:b"), {qn("w:val"): "true"})
    doc.save(folder / "forms.docx")
    name = style.get(qn("w:styleId"))
    loaded = load(TAISHAN)
    for _ in range(2):  # the parse, then the copy the process kept
        data = render_bytes(loaded, ["docx"], templates=tmp_path / "templates")["docx"][1]
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            styles = z.read("word/styles.xml").decode()
        ours = re.search(rf'<w:style [^>]*w:styleId="{name}".*?</w:style>', styles, re.S)
        assert ours is not None
        text = ours.group(0)
        assert text.index("<w:rFonts") < text.index("<w:b ") < text.index("<w:sz ")


def test_docxtpl_cleans_a_template_part_once_per_process(monkeypatch):
    """docxtpl's patch_xml (a dozen regular expressions over a part's whole XML) depends on
    the XML alone: a second render of the same template reuses it, and renders the same."""
    from docxtpl import DocxTemplate

    import goaldoc.render.word.document as document

    document._PATCHED.clear()
    calls = _calls(monkeypatch, DocxTemplate, "patch_xml")
    loaded = load(TAISHAN)
    first = render_bytes(loaded, ["docx"])["docx"][1]
    made = len(calls)
    assert made >= 1
    second = render_bytes(loaded, ["docx"])["docx"][1]
    assert len(calls) == made  # nothing cleaned again
    assert _document(first) == _document(second)


def test_renders_share_the_parts_no_render_changes_and_leave_them_as_kept(tmp_path):
    """Each render copies the kept template but shares the parts no render changes (styles,
    numbering, settings, fonts, theme, custom XML): renders of taishan and of a changed copy
    (a row written docxtpl's way) leave every part of the kept template as it was, and
    taishan's document after them is the one a fresh parse gives."""
    import goaldoc.render.word.document as document
    from conftest import ROOT

    template = ROOT / "templates" / "guangdong" / "forms.docx"
    document._PARSED.clear()
    loaded = load(TAISHAN)
    render_bytes(loaded, ["docx"])
    (parsed, shared), = [v for k, v in document._PARSED.items() if k[0] == str(template.resolve())]
    assert {str(p.partname) for p in shared} >= {"/word/styles.xml", "/word/numbering.xml", "/word/settings.xml"}
    assert not {str(p.partname) for p in shared} & {"/word/document.xml", "/docProps/core.xml"}

    def blobs() -> dict[str, bytes]:
        return {str(p.partname): p.blob for p in parsed.part.package.iter_parts()}

    kept = blobs()
    other = _with_explanation(tmp_path, '"另一个部门的解释\\n第二行"')  # a row docxtpl's way too
    render_bytes(load(other), ["docx"])
    again = _document(render_bytes(loaded, ["docx"])["docx"][1])
    assert blobs() == kept
    document._PARSED.clear()
    assert _document(render_bytes(loaded, ["docx"])["docx"][1]) == again


def _listing_forced(path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The same render with docxtpl's listing step walking every part, as before it was skipped."""
    import re

    import goaldoc.render.word.document as document

    with monkeypatch.context() as m:
        m.setattr(document, "_LISTED", re.compile(""))  # matches every part
        return _document(render_bytes(load(path), ["docx"])["docx"][1])


def test_docxtpl_s_listing_step_is_skipped_only_where_it_would_change_nothing(tmp_path, monkeypatch):
    """docxtpl's resolve_listing (three nested regular expressions over a whole part) turns
    a text's \\n, \\t, \\a, \\f into breaks, tabs, paragraphs and page breaks. A part with
    none of them is left as it is (taishan's body: not walked at all); a line break typed
    in a value outside the row loops (总体绩效目标) is still a w:br — the same document
    as with the step walking every part."""
    from docxtpl import DocxTemplate

    walked = _calls(monkeypatch, DocxTemplate, "resolve_listing")
    plain = _document(render_bytes(load(TAISHAN), ["docx"])["docx"][1])
    assert walked == []
    assert plain == _listing_forced(TAISHAN, monkeypatch)

    text = TAISHAN.read_text(encoding="utf-8")
    first_goal = '  - "1. 进一步实施我市人才发展战略,'
    assert first_goal in text
    path = tmp_path / "taishan.yaml"
    path.write_text(text.replace(first_goal, '  - "1. 第一行\\n第二行\\t制表 进一步实施我市人才发展战略,'), encoding="utf-8")
    walked.clear()
    broken = _document(render_bytes(load(path), ["docx"])["docx"][1])
    assert walked  # the body holds a \n: walked
    assert "第一行</w:t><w:br/>".encode() in broken and b"<w:tab/>" in broken
    assert broken == _listing_forced(path, monkeypatch)


def test_a_table_s_cell_margins_are_read_once_per_render(monkeypatch):
    """Fitting, measuring, aligning amounts and keeping units each ask for a table's cell
    margins: they are read from the styles and the table once per table and render."""
    from goaldoc.render.word.styles import StyleSheet

    asked = _calls(monkeypatch, StyleSheet, "_table_cell_margins")
    render_bytes(load(TAISHAN), ["docx"])
    assert len(asked) == 4  # taishan's four tables (before page breaks split them), each once
    assert len(set(map(id, asked))) == 4


def test_rows_outside_loops_are_written_as_copies_and_write_what_docxtpl_writes(monkeypatch):
    """A table's rows outside any row loop (the Gaoxin project table's 项目编码 row, its
    预算 rows merged by key, the 一级指标 heading row without Jinja) are lone rows: written
    as copies of their shape, as a loop of one item, and the document is docxtpl's."""
    path = SAMPLES / "2024" / "gaoxin.yaml"
    seen = _spy(monkeypatch)
    ours = _document(render_bytes(load(path), ["docx"])["docx"][1])
    lone = [xml for xml, n in zip(seen["rows"], seen["loops"], strict=True) if n == 1]
    assert any("项目编码" in xml and "project.code" in xml for xml in lone)
    assert any("merge('budget')" in xml for xml in lone)
    assert any("一级指标" in xml and "{{" not in xml for xml in lone)
    assert seen["as_docxtpl"] == []
    assert ours == _docxtpl_only(path, monkeypatch)


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _row(text: str) -> str:
    return f"<w:tr><w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc></w:tr>"


def _lone_taken(src: str) -> list[str]:
    """The rows of ``src`` taken, lone rows and loops (each one's first text)."""
    from goaldoc.render.template.markup import make_env

    out, programs = rows_module._taken(src, make_env(autoescape=True))
    assert out.count(rows_module.FUNCTION) == len(programs)
    return [p.base_texts[0] for p in programs]


@pytest.mark.parametrize(
    "body, taken",
    [
        # a heading, a row of values, a row reading the enclosing loop's item: all taken
        (f"<w:tbl>{_row('标题')}{{% for p in ps %}}{_row('{{ p.name }}')}{_row('{{ p.code }}')}{{% endfor %}}</w:tbl>", ["标题", "{{ p.name }}", "{{ p.code }}"]),
        # reading the enclosing loop's loop: its program's own loop would hide it
        (f"<w:tbl>{{% for p in ps %}}{_row('{{ loop.index }}')}{_row('{{ p }}')}{{% endfor %}}</w:tbl>", ["{{ p }}"]),
        # a block filter changes the rows' output (their markers too): nothing taken, loops neither
        (f"<w:tbl>{{% filter upper %}}{_row('{{ a }}')}{{% endfilter %}}{_row('b')}</w:tbl>", []),
        (f"<w:tbl>{{% set x %}}{_row('a')}{{% endset %}}{{% for p in ps %}}{_row('{{ p }}')}{{% endfor %}}</w:tbl>", []),
        # state changed as the document goes: a taken row's texts are written after it
        (f"<w:tbl>{_row('{% set ns = namespace(n=0) %}')}{{% for p in ps %}}{_row('{{ p }}{% set ns.n = ns.n + 1 %}')}{{% endfor %}}</w:tbl>", []),
        # a row holding a table, and the rows of that table: left to docxtpl
        (f"<w:tbl><w:tr><w:tc><w:tbl>{_row('内')}</w:tbl><w:p/></w:tc></w:tr>{_row('外')}</w:tbl>", ["外"]),
        # Jinja outside the texts, a Jinja comment: left to docxtpl
        (f"<w:tbl><w:tr>{{% if a %}}<w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>{{% endif %}}</w:tr>{_row('{# c #}')}{_row('y')}</w:tbl>", ["y"]),
    ],
    ids=["plain", "outer-loop-variable", "block-filter", "block-set", "namespace", "nested-table", "jinja-outside-texts"],
)
def test_which_rows_outside_loops_are_taken(body, taken):
    assert _lone_taken(f"<w:document {_W}><w:body {_W}>{body}</w:body></w:document>") == taken


def test_amounts_and_heading_rows_stay_copies_of_a_derived_shape_and_write_what_they_wrote(monkeypatch):
    """A column's decimal tab (measure.align_amounts) and a heading row's keep-with-next
    (document.normalise_table) are done alike to every copy of a row shape: the copy is then
    as a shape derived once (RowProgram.derived), measured and made strict once, and the
    document is the one the cells changed one by one make (derived() refused: that path)."""
    path = SAMPLES / "2024" / "taishan.yaml"
    keys = _calls(monkeypatch, rows_module.RowProgram, "derived")
    ours = _document(render_bytes(load(path), ["docx"])["docx"][1])
    assert {key[0] for key in keys} == {"decimal tab", "keep with next"}
    with monkeypatch.context() as m:
        m.setattr(rows_module.RowProgram, "derived", lambda self, key, change: None)
        one_by_one = _document(render_bytes(load(path), ["docx"])["docx"][1])
    assert ours == one_by_one
    assert b'<w:tab w:val="decimal"' in ours


def _table(grid: list[int], rows: list[list[str]], extra: str = "") -> str:
    """A document whose table has ``grid`` columns and rows of cells, each cell's tcPr inner XML."""
    cells = lambda row: "".join(f"<w:tc><w:tcPr>{c}</w:tcPr><w:p/></w:tc>" for c in row)  # noqa: E731
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    trs = "".join(f"<w:tr>{cells(row)}</w:tr>" for row in rows)
    return f"<w:document {_W}><w:body><w:tbl><w:tblGrid>{cols}</w:tblGrid>{trs}</w:tbl>{extra}<w:p/></w:body></w:document>"


@pytest.mark.parametrize(
    "xml",
    [
        _table([3000, 3000], [["", ""], ['<w:gridSpan w:val="2"/>']]),  # as the grid: nothing to do
        _table([3000, 3000], [["", "", ""]]),  # a row of more cells than columns: columns added
        _table([2000, 2000, 2000], [["", ""], ['<w:gridSpan w:val="2"/>']]),  # no row spans the grid: one removed
        _table([3000, 3000], [['<w:gridSpan w:val="2"/><w:gridSpan w:val="1"/>']]),  # two gridSpan: the first counts
        _table([3000, 3000], [["", ""]], extra=f"<w:tbl><w:tblGrid/>{_row('内')}</w:tbl>"),  # a table whose grid is empty
    ],
    ids=["as-the-grid", "more-cells", "fewer-columns", "two-spans", "empty-grid"],
)
def test_the_tables_docxtpl_fixes_are_fixed_as_it_fixes_them(xml):
    """document._Template.fix_tables asks three XPath queries instead of walking every cell;
    it gives the tree docxtpl's own fix_tables gives."""
    from docxtpl import DocxTemplate
    from lxml import etree

    from goaldoc.render.word.document import _Template

    ours = _Template.fix_tables(_Template.__new__(_Template), xml)
    theirs = DocxTemplate.fix_tables(DocxTemplate.__new__(DocxTemplate), xml)
    assert etree.tostring(ours) == etree.tostring(theirs)


def test_a_span_docxtpl_cannot_read_fails_as_it_fails():
    from docxtpl import DocxTemplate

    from goaldoc.render.word.document import _Template

    xml = _table([3000, 3000], [['<w:gridSpan w:val="2.0"/>']])
    with pytest.raises(ValueError):
        DocxTemplate.fix_tables(DocxTemplate.__new__(DocxTemplate), xml)
    with pytest.raises(ValueError):
        _Template.fix_tables(_Template.__new__(_Template), xml)


def test_tables_as_their_grid_are_not_walked_by_docxtpl(monkeypatch):
    from docxtpl import DocxTemplate

    from goaldoc.render.word.document import _Template

    monkeypatch.setattr(DocxTemplate, "fix_tables", lambda self, xml: pytest.fail("docxtpl's walk"))
    tree = _Template.fix_tables(_Template.__new__(_Template), _table([3000, 3000], [["", ""], ['<w:gridSpan w:val="2"/>']]))
    assert len(tree.findall(".//{*}tr")) == 2


@pytest.mark.parametrize("grid", [[3000, 3000], [2000, 2000, 2000, 2000, 2000]], ids=["columns-added", "columns-removed"])
def test_a_row_s_stub_is_fixed_as_the_row_is(grid):
    """docxtpl's output holds a stub of each row taken (RowProgram.stub: its cells, their
    spans), not a copy: docxtpl's fix_tables makes the same grid of it as of the row."""
    from docxtpl import DocxTemplate
    from lxml import etree

    from goaldoc.render.template.markup import make_env

    row = (
        '<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="1"/><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>{{ a }}</w:t></w:r></w:p></w:tc>'
        "<w:tc><w:p/></w:tc><w:tc><w:tcPr><w:vAlign/></w:tcPr><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc></w:tr>"
    )
    body = f"<w:body {_W}>"
    program = rows_module._compile("_goaldoc_row", row, body, make_env(autoescape=True), alone=True)
    assert program is not None and len(re.findall(r"<w:tc[ />]", program.stub)) == 3 and "gridSpan" in program.stub and "{{" not in program.stub

    def fixed(tr: str) -> bytes:
        cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
        xml = f"<w:document {_W}><w:body><w:tbl><w:tblGrid>{cols}</w:tblGrid>{tr}</w:tbl><w:p/></w:body></w:document>"
        tree = DocxTemplate.fix_tables(DocxTemplate.__new__(DocxTemplate), xml)
        return etree.tostring(tree.find(".//{*}tblGrid"))

    assert fixed(program.stub) == fixed(row)
    assert f'{rows_module.STUB_COUNT}="3 4"' in program.stub  # cells, spans: the check reads no cell of it
    odd = rows_module._compile("_goaldoc_row", row.replace('w:val="2"', 'w:val=" 2"'), body, make_env(autoescape=True), alone=True)
    assert odd is not None and rows_module.STUB_COUNT not in odd.stub and 'w:val=" 2"' in odd.stub  # int() reads it: docxtpl counts


def test_the_merge_reads_only_the_cells_of_a_copy_that_may_hold_a_mark():
    """merge_marked_cells reads, of a copy of a row shape, the cells whose texts the program
    writes or whose own text holds a merge mark (RowProgram.may_mark), not the labels."""
    from goaldoc.render.template.markup import MARK_OPEN, make_env

    cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    row = "<w:tr>" + cell.format("{{ p.level1 | merge }}") + cell.format("标签") + cell.format(f"{MARK_OPEN}写死") + "</w:tr>"
    program = rows_module._compile("p", row, f"<w:body {_W}>", make_env(autoescape=True))
    assert program is not None and program.mark_cells == [0] and program.may_mark == [0, 2]
