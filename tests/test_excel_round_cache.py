"""Issue 23, the county round's Excel fixed costs: what a render works out from a template
sheet alone (its parse, its rows' plans, its settings' copies, its texts for the layout) is
kept for the process (excel/workbook.py TemplateSheet), and never carries one department's
data into the next: two departments on the same template, rendered one after the other in
either order, give the files each gives rendered alone."""

from __future__ import annotations

import io
import zipfile

import pytest

from conftest import SAMPLES
from goaldoc.api import load, render_bytes
from goaldoc.render.excel import rows, save, workbook

# same template (sichuan_ziping), different departments, rows and texts
PAIRS = [("2023/qingshen-ziping.yaml", "2024/jingyan-ziping.yaml")]


def _forget() -> None:
    """The process as it starts: no template parsed, nothing worked out from one."""
    workbook._BOOKS.clear()
    workbook._SHEETS.clear()
    workbook._COMPILED.clear()
    workbook._ROWS.clear()
    rows._MEASURED.clear()
    rows._BREAKS.clear()
    save._STYLES.clear()
    save._HEADERS.clear()
    save._COLS.clear()


def _parts(loaded) -> dict[str, bytes]:
    data = render_bytes(loaded, ["xlsx"])["xlsx"][1]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist() if i.filename != "docProps/core.xml"}


@pytest.mark.parametrize("pair", PAIRS)
def test_a_department_renders_alike_alone_and_after_another(pair):
    one, two = (load(SAMPLES / name) for name in pair)
    other = load(SAMPLES / "2024" / "taishan.yaml")  # another template between them
    _forget()
    alone_one = _parts(one)
    _forget()
    alone_two = _parts(two)
    assert alone_one != alone_two  # two different forms, or the test proves nothing
    try:
        for first, second, expected in ((one, two, alone_two), (two, one, alone_one)):
            _forget()
            _parts(first)
            assert workbook._SHEETS  # the second render uses what the first worked out
            _parts(other)
            assert _parts(second) == expected
        _forget()
        for _ in range(2):  # and the same department again
            assert _parts(one) == alone_one
    finally:
        _forget()


def test_a_text_is_measured_once_per_process(monkeypatch):
    """The labels a template prints again in every sheet made from it are measured once per
    process (excel/rows.py cell_needs), not once per sheet: the second render of a
    department measures nothing, another department on the same template only its own texts."""
    one, two = (load(SAMPLES / name) for name in PAIRS[0])
    measured: list[tuple] = []
    real = rows.text_height

    def spy(*args):
        measured.append(args)
        return real(*args)

    monkeypatch.setattr(rows, "text_height", spy)
    _forget()
    try:
        _parts(one)
        first = list(measured)
        assert first and len(first) == len(set(first))  # each text once in each width and size
        measured.clear()
        _parts(one)
        assert measured == []
        _forget()
        measured.clear()
        _parts(two)
        alone = set(measured)
        _forget()
        measured.clear()
        _parts(one)
        _parts(two)
        after_one = set(measured) - set(first)  # what two measured after one
        assert alone and after_one and len(after_one) < len(alone)  # its own texts; not the labels it shares
    finally:
        _forget()
