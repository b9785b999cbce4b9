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
import sys
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


# -- issue 23: every sample's whole output, layout included --------------------------------
# The fingerprints above leave layout out. Issue 23 reworks how rows are produced, so what a
# page shows must stay exactly as it is: fixtures/golden/outputs.json holds, for every sample
# under samples/ in both formats, one short hash per line of the file as listed by
# :func:`output_lines` (a paragraph, a table row with its height and every cell's text,
# span and merge; an Excel row with its height and every cell as shown; widths, print
# titles, merges), and the page count in clear. Regenerate (only when a change of output is
# meant) with ``.venv/bin/python tests/golden.py``.

OUTPUTS = GOLDEN / "outputs.json"


def _attr(el: Any, path: str, name: str = "val") -> str:
    found = el.find(path, {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})
    return "" if found is None else str(found.get(q(name), "on"))


def _docx_row(tr: Any) -> str:
    cells = []
    for tc in tr.findall(q("tc")):
        cells.append(
            "/".join(
                (
                    _attr(tc, "w:tcPr/w:gridSpan") or "1",
                    _attr(tc, "w:tcPr/w:vMerge"),
                    _attr(tc, "w:tcPr/w:tcW", "w"),
                    "\n".join("".join(t.text or "" for t in p.iter(q("t"))) for p in tc.findall(q("p"))),
                )
            )
        )
    pr = [_attr(tr, "w:trPr/w:trHeight"), _attr(tr, "w:trPr/w:trHeight", "hRule"), _attr(tr, "w:trPr/w:cantSplit"), _attr(tr, "w:trPr/w:tblHeader")]
    return "R|" + "|".join(pr) + "|" + "\t".join(cells)


def _docx_breaks(p: Any) -> int:
    n = 1 if _attr(p, "w:pPr/w:pageBreakBefore") not in ("", "0", "false", "off") else 0
    n += sum(1 for br in p.iter(q("br")) if br.get(q("type")) == "page")
    sect = p.find("w:pPr/w:sectPr", {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})
    return n + (1 if sect is not None and _attr(sect, "w:type") in ("", "nextPage", "oddPage", "evenPage") else 0)


def docx_output(data: bytes) -> tuple[list[str], int]:
    """(lines, pages): the body in order — paragraphs with their page breaks, tables with
    their grid and rows (a table in a cell included) — and the pages the breaks make."""
    body = docx_body(data).find(q("body"))
    lines, pages = [], 1
    for el in body.iter(q("p"), q("tbl")):
        if el.tag == q("tbl"):
            grid = ",".join(g.get(q("w"), "") for g in el.iter(q("gridCol")))
            lines.append(f"T|{grid}")
            lines += [_docx_row(tr) for tr in el.findall(q("tr"))]
        elif el.getparent() is body:
            breaks = _docx_breaks(el)
            pages += breaks
            lines.append(f"P|{breaks}|" + "".join(t.text or "" for t in el.iter(q("t"))))
    return lines, pages


def xlsx_output(data: bytes) -> tuple[list[str], int]:
    """(lines, pages): per sheet its widths, print titles and area, page setup, row breaks,
    every row (height, hidden, each cell shown as Excel shows it) and the merges; pages =
    each sheet's row breaks + 1, added up."""
    lines, pages = [], 0
    for ws in xlsx_book(data):
        widths = ",".join(f"{k}:{d.min}-{d.max}:{d.width}:{int(bool(d.hidden))}" for k, d in sorted(ws.column_dimensions.items()))
        setup = ws.page_setup
        lines.append(
            f"S|{ws.title}|{widths}|{ws.print_title_rows}|{ws.print_area}|{setup.orientation}|{setup.paperSize}|"
            f"{setup.fitToWidth}|{setup.fitToHeight}|{setup.scale}|{ws.sheet_properties.pageSetUpPr}"
        )
        breaks = [b.id for b in ws.row_breaks.brk]
        lines.append("B|" + ",".join(map(str, breaks)))
        pages += len(breaks) + 1
        cells: dict[int, list[str]] = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    cells.setdefault(c.row, []).append(f"{c.column}={xlsx_shown(c)}")
        for r in range(1, ws.max_row + 1):
            dim = ws.row_dimensions.get(r)
            height = "" if dim is None else f"{dim.height}:{int(bool(dim.hidden))}"
            lines.append(f"R{r}|{height}|" + "\t".join(cells.get(r, [])))
        lines += ["M|" + str(m) for m in sorted(ws.merged_cells.ranges, key=lambda m: (m.min_row, m.min_col))]
    return lines, pages


def output_lines(data: bytes, fmt: str) -> tuple[list[str], int]:
    return docx_output(data) if fmt == "docx" else xlsx_output(data)


def line_hash(line: str) -> str:
    import hashlib

    return hashlib.sha1(line.encode("utf-8")).hexdigest()[:12]


def all_samples() -> list[str]:
    root = Path(__file__).resolve().parents[1] / "samples"
    return sorted(str(p.relative_to(root)) for p in root.glob("*/*.yaml"))


def render_outputs() -> dict[str, Any]:
    from goaldoc.api import load, render_bytes

    root = Path(__file__).resolve().parents[1] / "samples"
    out: dict[str, Any] = {}
    for sample in all_samples():
        rendered = render_bytes(load(root / sample), ["docx", "xlsx"])
        for fmt in ("docx", "xlsx"):
            lines, pages = output_lines(rendered[fmt][1], fmt)
            out[f"{sample} {fmt}"] = {"pages": pages, "lines": " ".join(line_hash(s) for s in lines)}
    return out


if __name__ == "__main__":
    OUTPUTS.write_text(json.dumps(render_outputs(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {OUTPUTS}\n")
