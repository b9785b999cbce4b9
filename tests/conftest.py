from __future__ import annotations

import re
from pathlib import Path

import pytest

from goaldoc.api import load, render_bytes
from goaldoc.values import normalise_text

# the shared helpers' asserts report their values like a test's
pytest.register_assert_rewrite("bundles")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"  # copies of the published forms (README there)

_WIDTH = str.maketrans("（）：，；", "():,;")


def norm(text: str) -> str:
    """For comparing a seed's text with ours: whitespace, full/half-width punctuation and
    sign variants aside (goaldoc prints 指标值 with ≧ as ≥, ＝ as =: issue 4 §1)."""
    return "".join(normalise_text(text).split()).translate(_WIDTH)


def seed_cells(name: str) -> list[str]:
    """Every non-empty cell of a seed text, extraction artefacts undone."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    text = re.sub(r"</?p>", " ", text)
    text = re.sub(r"\$\\geq\s*([\d.]+)\\%\$", r"≥\1%", text)
    text = re.sub(r"\$\\leq\s*([\d.]+)\\%\$", r"≤\1%", text)
    cells = []
    for line in text.splitlines():
        for cell in line.split("\t"):
            if cell.strip():
                cells.append(cell.strip())
    return cells


@pytest.fixture(scope="session")
def taishan():
    return load(SAMPLES / "2024" / "taishan.yaml")


@pytest.fixture(scope="session")
def taishan_files(taishan):
    """{format: bytes} of the Guangdong bundle, rendered once for the session."""
    return {fmt: data for fmt, (_stem, data) in render_bytes(taishan).items()}
