"""form.yaml ``import.cells``: where the template alone cannot tell how to read a cell back
(issue 10 item 1), the form folder says it — no code."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES
from goaldoc.api import load, render_bytes
from goaldoc.errors import TemplateError
from goaldoc.forms import load_form
from goaldoc.importer import import_file

CONTENT = "{{ t.content | truncate(300) }}"
CONTACT = "{{ [signature.preparer, signature.phone] | join(' / ') }}"


def _form(tmp: Path, cells: str = "") -> Path:
    """A copy of the Guangdong folder named ``mine`` whose Word template computes two
    cells in ways goaldoc cannot invert (a filter it does not know, a list joined)."""
    folder = tmp / "tpl" / "mine"
    shutil.copytree(ROOT / "templates" / "guangdong", folder)
    docx = folder / "forms.docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(docx) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                assert xml.count("{{ t.content }}") == 2 and "经办人：{{ signature.preparer | blank }}" in xml
                xml = xml.replace("{{ t.content }}", CONTENT).replace("经办人：{{ signature.preparer | blank }}", CONTACT)
                data = xml.encode("utf-8")
            out.writestr(item, data)
    docx.write_bytes(buf.getvalue())
    spec = folder / "form.yaml"
    text = spec.read_text(encoding="utf-8").replace("xlsx: forms.xlsx\n", "")
    text = "\n".join(line for line in text.splitlines() if not line.startswith(("sheets:", "  - template:", "    name:", "    when:")))
    spec.write_text(text + "\n" + cells, encoding="utf-8")
    return tmp / "tpl"


def _filled(tmp: Path, templates: Path) -> Path:
    loaded = load(SAMPLES / "2024" / "taishan.yaml")
    loaded.model.signature.preparer, loaded.model.signature.phone = "赵强", "0750-7123456"
    path = tmp / "filled.docx"
    path.write_bytes(render_bytes(loaded, ["docx"], form="mine", templates=templates)["docx"][1])
    return path


def test_a_cell_goaldoc_cannot_read_back_is_named_for_the_admin(tmp_path: Path) -> None:
    templates = _form(tmp_path)
    imp = import_file(_filled(tmp_path, templates), "mine", templates)
    how = "读不回数据：请在 form.yaml 的 import.cells 里写明这一格读进哪个栏目（键写这一格的原文）"
    assert imp.notes == [
        f"表样 mine：模板 forms.docx 第 2 个表格 第 10 行 第 3 列 的“{CONTENT}”{how}",
        f"表样 mine：模板 forms.docx 第 2 个表格 第 13 行 第 3 列 的“{CONTENT}”{how}",
        f"表样 mine：模板 forms.docx 第 4 个表格 第 3 行 第 1 列 的“{CONTACT}”{how}",
    ]
    assert [t.get("content") for t in imp.data["key_tasks"]] == [None] * 7
    assert "preparer" not in imp.data.get("signature", {})


def test_bindings_in_form_yaml_read_those_cells(tmp_path: Path) -> None:
    cells = f"""import:
  cells:
    "{CONTENT}": t.content
    "{CONTACT}":
      pattern: "(?P<who>[^/]*)/(?P<tel>.*)"
      fields: {{who: signature.preparer, tel: signature.phone}}
"""
    templates = _form(tmp_path, cells)
    imp = import_file(_filled(tmp_path, templates), "mine", templates)
    assert imp.notes == []
    sample = load(SAMPLES / "2024" / "taishan.yaml").model
    assert [t["content"] for t in imp.data["key_tasks"]] == [t.content for t in sample.key_tasks]
    assert imp.data["signature"]["preparer"] == "赵强" and imp.data["signature"]["phone"] == "0750-7123456"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ('    "{{ x }}": "不是 路径"\n', "“不是 路径”不是模板里的栏目写法"),
        ('    "{{ x }}": {pattern: "(?P<a>.*", fields: {a: x.y}}\n', "pattern 不是正确的正则表达式"),
        ('    "{{ x }}": {pattern: "(?P<a>.*)", fields: {b: x.y}}\n', "对不上的有 a、b"),
    ],
)
def test_a_wrong_binding_is_a_located_message(cells: str, message: str, tmp_path: Path) -> None:
    templates = _form(tmp_path, "import:\n  cells:\n" + cells)
    with pytest.raises(TemplateError) as err:
        load_form("mine", templates)
    (problem,) = err.value.problems
    assert problem.code == "T010" and problem.file == str(templates / "mine" / "form.yaml")
    assert problem.line is not None and message in problem.message
