"""What the region tests share: the region's text (tests/fixtures/regions/) and the share of
its cells a rendered file prints, measured with tests/fidelity.py (a copy of the
workplace's ../shared/tools/fidelity.py)."""

from __future__ import annotations

from pathlib import Path

import fidelity

REGIONS = Path(__file__).parent / "fixtures" / "regions"


def recall(region_file: str, rendered: Path) -> tuple[float, list[str]]:
    """(found / total, the atoms not found) of a region text in one .docx or .xlsx."""
    seed = (REGIONS / region_file).read_text(encoding="utf-8")
    if rendered.suffix == ".docx":
        text = fidelity.unescape(fidelity.docx_text(str(rendered)))
    else:
        text = fidelity.xlsx_text(str(rendered))
    hay = fidelity.norm(text)
    want = fidelity.atoms(seed)
    missed = [a for a in want if a not in hay]
    return (len(want) - len(missed)) / max(1, len(want)), missed
