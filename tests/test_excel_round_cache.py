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
from goaldoc.render import bundle
from goaldoc.render.excel import rows, save, workbook
from goaldoc.render.pages import fit

# same template (sichuan_ziping), different departments, rows and texts
PAIRS = [("2023/qingshen-ziping.yaml", "2024/jingyan-ziping.yaml")]


def _forget() -> None:
    """The process as it starts: no template parsed, nothing worked out from one."""
    workbook._BOOKS.clear()
    workbook._SHEETS.clear()
    workbook._MASTERS.clear()
    workbook._COMPILED.clear()
    workbook._ROWS.clear()
    rows._MEASURED.clear()
    rows._BREAKS.clear()
    save._STYLES.clear()
    save._HEADERS.clear()
    save._COLS.clear()
    fit.forget_kinds()
    bundle._FORM_PROGRAMS.clear()


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


def test_a_written_workbook_is_freed_without_the_collector(monkeypatch):
    """Once its file is written, the workbook of a render — its sheets, their cells — is
    freed as its last reference goes: no collection has to walk it (the collector walked
    16,000 objects a county department for it)."""
    import gc
    import weakref

    one = load(SAMPLES / "2024" / "taishan.yaml")  # a workbook of several sheets
    _parts(one)  # what is made once per process, made
    seen: list[weakref.ref] = []
    real = workbook._create_sheet

    def spy(wb, title, blank=None):
        ws = real(wb, title, blank)
        seen.append(weakref.ref(wb))
        seen.extend(weakref.ref(sheet) for sheet in wb._sheets)
        seen.append(weakref.ref(ws.row_dimensions))
        return ws

    monkeypatch.setattr(workbook, "_create_sheet", spy)
    was = gc.isenabled()
    gc.disable()
    try:
        _parts(one)
        assert len(seen) > 5  # several sheets
        assert [ref for ref in seen if ref() is not None] == []
    finally:
        if was:
            gc.enable()


def test_the_cells_of_a_table_are_measured_once_per_process(monkeypatch):
    """render/pages/fit.py keeps what it found of each (text, size, padding) for the process:
    the widths it fits are those it fits with nothing kept, and a second fit of the same
    tables measures nothing."""
    one, two = (load(SAMPLES / name) for name in PAIRS[0])
    measured: list[tuple] = []
    real = fit._height

    def spy(cell, width, pad):
        measured.append((cell.text, cell.size, width, pad))
        return real(cell, width, pad)

    monkeypatch.setattr(fit, "_height", spy)
    _forget()
    try:
        alone_two = _parts(two)
        _forget()
        measured.clear()
        _parts(one)
        assert measured and len(measured) == len(set(measured))
        measured.clear()
        _parts(one)
        assert measured == []
        assert _parts(two) == alone_two  # measured after another department: the same file
        monkeypatch.setattr(fit, "_KEPT", 3)  # the store let go again and again: the same file
        assert _parts(two) == alone_two
    finally:
        _forget()
