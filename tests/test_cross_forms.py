"""Any data, any form (issue 4, item 6): every sample through every region's form, both formats.

Samples (samples/**/*.yaml) and forms (every folder of templates/ with a form.yaml, found by
goaldoc.forms.available_forms) are discovered at collection time, so a new sample or a new
region's templates join the matrix by existing. Columns a sample has no data for stay
blank: what is asserted is that the render does not fail, the file opens again, names the
department, and no template markup is left in it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from goaldoc import api
from goaldoc.forms import available_forms, load_form
from goaldoc.render.template.markup import MARK_CLOSE, MARK_OPEN
from readback import docx_text, xlsx_book, xlsx_texts

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("**/*.yaml"))
FORMS = available_forms()
LEFTOVERS = ("{{", "}}", "{%", "%}", MARK_OPEN, MARK_CLOSE)  # Jinja, or the merge filter's marks


def _id(sample: Path) -> str:
    return sample.relative_to(ROOT / "samples").with_suffix("").as_posix()


@pytest.fixture(scope="module", params=SAMPLES, ids=_id)
def sample(request):
    return api.load(request.param)


def test_the_matrix_is_not_empty():
    assert SAMPLES, "no samples/**/*.yaml"
    assert {"guangdong", "sichuan"} <= set(FORMS)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("form", FORMS)
def test_sample_renders_through_form(sample, form, fmt):
    if getattr(load_form(form), fmt) is None:
        pytest.skip(f"the {form} form has no {fmt} template")
    out = api.render_bytes(sample, [fmt], form=form)
    stem, data = out[fmt]
    assert stem and data
    name = sample.model.department.name
    if fmt == "docx":
        Document(io.BytesIO(data))  # python-docx opens it again
        text = docx_text(data)
    else:
        wb = xlsx_book(data)  # openpyxl opens it again
        assert wb.worksheets, "a workbook with no sheet"
        text = "\n".join(t for ws in wb.worksheets for t in xlsx_texts(ws))
    assert name in text, f"{form}.{fmt} does not name the department {name}"
    left = [m for m in LEFTOVERS if m in text]
    assert not left, f"template markup left in the {form}.{fmt} output: {left}"
