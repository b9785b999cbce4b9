"""Issue 10, "how we will know": every sample × its form × both formats — render, import,
the same model (what the form prints of it); render the import again, the same text and
merges."""

from __future__ import annotations

from pathlib import Path

import pytest

from goaldoc.api import Loaded, load, render_bytes
from goaldoc.importer.pattern import pattern_of
from importing import as_printed, imported_model, rendered, sample_files
from readback import docx_tables, file_text, xlsx_book


def _cases() -> list[tuple[Path, str]]:
    out = []
    for sample in sample_files():
        loaded = load(sample)
        assert loaded.form is not None
        out += [(sample, fmt) for fmt in loaded.form.formats]
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def samples() -> dict[Path, Loaded]:
    return {}


def _loaded(samples: dict[Path, Loaded], sample: Path) -> Loaded:
    if sample not in samples:
        samples[sample] = load(sample)
    return samples[sample]


@pytest.mark.parametrize(("sample", "fmt"), CASES, ids=[f"{s.stem}-{f}" for s, f in CASES])
def test_render_import_gives_the_same_model(sample: Path, fmt: str, tmp_path: Path, samples: dict[Path, Loaded]) -> None:
    loaded = _loaded(samples, sample)
    spec = loaded.form
    assert spec is not None
    filled = rendered(loaded, fmt, tmp_path)
    model, imp = imported_model(filled)
    assert imp.form.name == spec.name  # recognised without --form
    assert imp.leftovers == []
    assert as_printed(model, spec, fmt) == as_printed(loaded.model, spec, fmt)
    assert pattern_of(spec, fmt).notes == []  # every template cell of the shipped forms reads back


@pytest.mark.parametrize(("sample", "fmt"), CASES, ids=[f"{s.stem}-{f}" for s, f in CASES])
def test_the_import_renders_the_same_text_and_merges(sample: Path, fmt: str, tmp_path: Path, samples: dict[Path, Loaded]) -> None:
    loaded = _loaded(samples, sample)
    filled = rendered(loaded, fmt, tmp_path)
    model, imp = imported_model(filled)
    again = render_bytes(Loaded(model, imp.lines, str(filled), imp.form), [fmt])[fmt][1]
    first = filled.read_bytes()
    assert file_text(again, fmt) == file_text(first, fmt)
    if fmt == "docx":
        shape = lambda data: [[[(c.col, c.span, c.vmerge) for c in row] for row in t] for t in docx_tables(data)]  # noqa: E731
        assert shape(again) == shape(first)
    else:
        merges = lambda data: {ws.title: sorted(map(str, ws.merged_cells.ranges)) for ws in xlsx_book(data)}  # noqa: E731
        assert merges(again) == merges(first)
