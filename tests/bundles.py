"""What the tests of the bundle forms (高新区, Guizhou) share: rendering a sample, what its
indicator grids should print and merge, and the checks of its PDF.

conftest.py registers this module for pytest's assertion rewriting, so that a failing
``assert`` in a helper reports its values as it would in a test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from goaldoc.api import Loaded, render_bytes
from goaldoc.forms import load_form
from goaldoc.indicators import IndicatorRow, group_indicators, indicator_rows, merge_spans
from goaldoc.model import Indicator, Project
from pdfcheck import HAVE_SOFFICE, appears_whole, overlapping_words, page_texts, pdf_of, pieces
from readback import file_text, squash


def render_files(loaded: Loaded, **kw: Any) -> dict[str, bytes]:
    """{format: bytes} of every format the form has."""
    return {fmt: data for fmt, (_stem, data) in render_bytes(loaded, **kw).items()}


def render_one(loaded: Loaded, fmt: str, **kw: Any) -> bytes:
    """The bytes of one format."""
    return render_bytes(loaded, [fmt], **kw)[fmt][1]


def missing_texts(
    data: bytes, fmt: str, texts: list[str], fold: Callable[[str], str] = squash
) -> list[str]:
    """Those of ``texts`` that the rendered file does not print, compared as ``fold`` makes
    them (whitespace aside by default)."""
    printed = fold(file_text(data, fmt))
    return [t for t in texts if fold(t) not in printed]


class IndicatorGrid:
    """What a form's indicator grid prints for a list of indicators, grouped as the form's
    ``indicator_grouping`` says."""

    def __init__(self, form: str) -> None:
        self.grouping = load_form(form).indicator_grouping

    def rows(self, indicators: Sequence[Indicator]) -> list[IndicatorRow]:
        return indicator_rows(group_indicators(indicators, self.grouping))

    def spans(self, indicators: Sequence[Indicator], attr: str, offset: int) -> list[tuple[int, int]]:
        """(first row, rows spanned) of the merges of the ``attr`` column (level1 / level2),
        with the grid's first body row at ``offset``."""
        return [
            (s + offset, n)
            for s, n in merge_spans([getattr(r, attr).merge_key for r in self.rows(indicators)])
        ]


# ------------------------------------------------------------------ LibreOffice
needs_soffice = pytest.mark.skipif(
    not HAVE_SOFFICE, reason="LibreOffice (soffice) and pdftotext are not installed"
)


def squashed_pages(pdf: Path) -> list[str]:
    return [squash(p) for p in page_texts(pdf)]


def assert_long_texts_whole(pdf: Path, texts: list[str]) -> None:
    """Long cell texts are whole, and nothing overflows its cell onto the next row."""
    segs = pieces(pdf)
    long_texts = [t for t in texts if len(squash(t)) >= 20]
    assert long_texts
    assert [t for t in long_texts if not appears_whole(t, segs)] == []
    assert overlapping_words(pdf) == []


def assert_only_starts_on_the_first_page(loaded: Loaded, project: Project, tmp_path: Path) -> None:
    """--only: the project's form alone, on the first page (no blank page before it)."""
    pdf = pdf_of(render_one(loaded, "docx", only=[project.name]), tmp_path / "only.docx")
    pages = [squash(pg) for pg in page_texts(pdf) if pg.strip()]
    assert squash(project.title) in pages[0] and squash(project.name) in pages[0]
