"""What a rendered form shows, as data to compare: texts and merges, not bytes or layout.

A fingerprint of a .docx lists its body paragraphs and, per table, each row's cells as
(text, grid span, vertical merge); of an .xlsx, per sheet, every non-empty cell's value as
text and the merged ranges. Keep-with-next, widths, heights and breaks are left out: a
layout change is not a content change. tests/fixtures/golden/ holds the fingerprints of
the four samples as rendered before issue 8 (commit f13166a), so the rework is shown to
keep every text and merge.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from readback import docx_body, q, table_cells, xlsx_book, xlsx_shown

GOLDEN = Path(__file__).parent / "fixtures" / "golden"


def docx_fingerprint(data: bytes) -> dict[str, Any]:
    body = docx_body(data)
    paragraphs = ["".join(t.text or "" for t in p.iter(q("t"))) for p in body.findall(q("p"))]
    tables = [
        [[[c.text, c.span, c.vmerge] for c in row] for row in table_cells(tbl)] for tbl in body.iter(q("tbl"))
    ]
    return {"paragraphs": paragraphs, "tables": tables}


def xlsx_fingerprint(data: bytes) -> dict[str, Any]:
    """Cells as Excel shows them (a number by its number format: 110641.64, 1,734,952.06)."""
    out: dict[str, Any] = {}
    for ws in xlsx_book(data):
        cells = {c.coordinate: xlsx_shown(c) for row in ws.iter_rows() for c in row if c.value is not None}
        merges = sorted(str(m) for m in ws.merged_cells.ranges)
        out[ws.title] = {"cells": cells, "merges": merges}
    return out


def fingerprint(data: bytes, fmt: str) -> dict[str, Any]:
    return docx_fingerprint(data) if fmt == "docx" else xlsx_fingerprint(data)


def golden(sample: str, fmt: str) -> dict[str, Any]:
    return json.loads((GOLDEN / f"{Path(sample).stem}.{fmt}.json").read_text(encoding="utf-8"))
