"""What the region tests share: the region's text (tests/fixtures/regions/) and the share of
its cells a rendered file prints, measured with tests/fidelity.py (a copy of the
workplace's ../shared/tools/fidelity.py).

One difference from the tool: an .xlsx is read as Excel shows it. Amounts are numbers
since issue 13 (SUM works), displayed by their number format (75.00, 1,734,952.06); the
tool reads the stored value (75), which can never equal the form's "75.00". Word files are
read exactly as the tool reads them."""

from __future__ import annotations

from pathlib import Path

import fidelity
from readback import xlsx_book, xlsx_shown

REGIONS = Path(__file__).parent / "fixtures" / "regions"


def recall(region_file: str, rendered: Path) -> tuple[float, list[str]]:
    """(found / total, the atoms not found) of a region text in one .docx or .xlsx."""
    seed = (REGIONS / region_file).read_text(encoding="utf-8")
    if rendered.suffix == ".docx":
        text = fidelity.unescape(fidelity.docx_text(str(rendered)))
    else:
        book = xlsx_book(rendered)
        text = "\n".join(shown for ws in book for row in ws.iter_rows() for c in row if (shown := xlsx_shown(c)))
    hay = fidelity.norm(text)
    want = fidelity.atoms(seed)
    missed = [a for a in want if a not in hay]
    return (len(want) - len(missed)) / max(1, len(want)), missed


def written(loaded: object, folder: Path, stem: str) -> dict[str, Path]:
    """{format: path} of a sample rendered in every format of its form (recall reads files)."""
    from bundles import render_files

    paths = {}
    for fmt, data in render_files(loaded).items():  # type: ignore[arg-type]
        paths[fmt] = folder / f"{stem}.{fmt}"
        paths[fmt].write_bytes(data)
    return paths
