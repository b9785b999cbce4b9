"""A template cell of fixed words and conditional marks (芜湖: ``部门预算 {{ '☑' if
project.project_type == '部门预算' else '□' }}``; 黄石: ``1、常年性项目 {{ '□ √' if … }}``)
prints which option was chosen: reading it back sets the field (it was taken for a label)."""

from __future__ import annotations

from conftest import SAMPLES
from goaldoc.api import Loaded, load, render_bytes
from goaldoc.importer import import_file


def test_a_ticked_box_reads_back_its_option(tmp_path):
    loaded = load(SAMPLES / "2019" / "wuhu.yaml")
    project = loaded.model.projects[0].model_copy(update={"project_type": "切块预算"})
    model = loaded.model.model_copy(update={"projects": [project]})
    for fmt in ("docx", "xlsx"):
        stem, data = render_bytes(Loaded(model, loaded.lines, loaded.file, loaded.form), [fmt])[fmt]
        f = tmp_path / f"{stem}.{fmt}"
        f.write_bytes(data)
        imp = import_file(f)
        assert imp.data["projects"][0]["project_type"] == "切块预算", fmt
        assert imp.leftovers == []
