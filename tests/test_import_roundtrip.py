"""Issue 10, "how we will know": every sample × its form × both formats — render, import,
the same model (what the form prints of it); render the import again, the same text and
merges."""

from __future__ import annotations

from pathlib import Path

import pytest

from goaldoc.api import Loaded, load, loads, render_bytes
from goaldoc.importer.pattern import pattern_of
from importing import SAMPLES, as_printed, imported_model, rendered, sample_files
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


# ---------------------------------------------------------------- a project's cell on its first indicator row


def _ezhou_with_safeguards() -> Loaded:
    """The 鄂州 sample with 保障绩效目标实现措施 filled (the sample's excerpt has none): the form
    prints them in the indicator grid's last column, on the first indicator row, merged down."""
    text = (SAMPLES / "2022" / "ezhou.yaml").read_text(encoding="utf-8")
    assert text.count("    goals:\n") == 1
    return loads(text.replace("    goals:\n", "    safeguards:\n      items: [建立物业考核制度, 每月考核一次]\n    goals:\n"), "ezhou.yaml")


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_ezhou_sample_with_safeguards_reads_back_exactly(fmt: str, tmp_path: Path) -> None:
    """A text of the project in the indicator rows' last column said “next project” against the
    heading's upper row above it: the first indicator row was left aside, the second read
    without its merged 数量指标, 6 indicators of 7 and E201 一级指标“”."""
    loaded = _ezhou_with_safeguards()
    spec = loaded.form
    assert spec is not None
    filled = rendered(loaded, fmt, tmp_path)
    model, imp = imported_model(filled)
    assert imp.form.name == "ezhou"
    assert imp.leftovers == []
    got = model.projects[0]
    assert got.safeguards.items == ["建立物业考核制度", "每月考核一次"]
    assert [i.model_dump() for i in got.indicators] == [i.model_dump() for i in loaded.model.projects[0].indicators]
    assert as_printed(model, spec, fmt) == as_printed(loaded.model, spec, fmt)
    again = render_bytes(Loaded(model, imp.lines, str(filled), imp.form), [fmt])[fmt][1]
    assert file_text(again, fmt) == file_text(filled.read_bytes(), fmt)
