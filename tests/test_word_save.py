"""render/word/save.py: a rendered .docx is the zip docxtpl's own save writes, byte for byte,
though the template's parts no render changes are serialised and compressed once per process."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

import goaldoc.render.word.document as document
import goaldoc.render.word.save as save
from conftest import SAMPLES
from goaldoc.api import load, render_bytes


def _docxtpl_save(tpl) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("sample", ["2024/taishan.yaml", "2019/handan.yaml", "2024/jingyan-ziping.yaml"])
def test_a_rendered_docx_is_the_zip_docxtpl_saves(monkeypatch, sample):
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)  # the members' times: zipfile's clock
    loaded = load(SAMPLES / sample)
    first = render_bytes(loaded, ["docx"])["docx"][1]
    second = render_bytes(loaded, ["docx"])["docx"][1]  # the shared parts' entries reused
    monkeypatch.setattr(document, "_save", _docxtpl_save)
    theirs = render_bytes(loaded, ["docx"])["docx"][1]
    assert first == theirs and second == theirs
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.testzip() is None
        assert "word/styles.xml" in z.namelist()


def test_the_template_s_unchanged_parts_are_compressed_once_per_process(monkeypatch):
    """The second render of a form writes the styles, theme, fonts … as the first one
    compressed them: neither serialised nor compressed again."""
    loaded = load(SAMPLES / "2024" / "taishan.yaml")
    render_bytes(loaded, ["docx"])
    made: list[int] = []
    real = save._deflated

    def counted(data: bytes):  # type: ignore[no-untyped-def]
        made.append(len(data))
        return real(data)

    monkeypatch.setattr(save, "_deflated", counted)
    data = render_bytes(loaded, ["docx"])["docx"][1]
    assert made == []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("word/styles.xml")
    assert b"<w:styles" in styles and len(styles) > 100_000  # the Guangdong template's, whole


def test_a_python_whose_zipfile_writes_members_otherwise_gets_python_docx_s_way(monkeypatch):
    """The probe compares a member written as deflated bytes with writestr's: on this Python
    they are the same (the fast way is taken); were they not, every part is written by
    writestr, and the file is still docxtpl's."""
    assert save._probe() is True

    def other(zf, name, entry, date_time=None):  # type: ignore[no-untyped-def]
        zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), b"")  # not what writestr writes

    monkeypatch.setattr(save, "_write_deflated", other)
    assert save._probe() is False
    monkeypatch.setattr(save, "_raw_ok", None)
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)
    loaded = load(SAMPLES / "2019" / "handan.yaml")
    ours = render_bytes(loaded, ["docx"])["docx"][1]
    monkeypatch.setattr(document, "_save", _docxtpl_save)
    assert ours == render_bytes(loaded, ["docx"])["docx"][1]
