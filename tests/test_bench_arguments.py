"""The bench scripts read their command line before measuring anything: ``--help`` prints
the script's doc, a word they do not know stops them (bench/results.py ``arguments``).
Before, ``bench/floors.py --help`` ran the whole measurement and rewrote its section of
bench/RESULTS.md. Nothing here times anything."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8"))


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=120, cwd=BENCH.parent)


def test_every_script_is_covered() -> None:
    assert len(SCRIPTS) >= 10, SCRIPTS  # collector, county, floors, … two_cores


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_prints_the_doc_and_measures_nothing(script: str) -> None:
    before = (BENCH / "RESULTS.md").read_bytes()
    got = _run(script, "--help")
    assert got.returncode == 0, got.stderr
    doc = ast.get_docstring(ast.parse((BENCH / script).read_text(encoding="utf-8")))
    assert doc and doc.strip() in got.stdout  # the whole of it (pdf_overlap.py: under argparse's usage)
    assert (BENCH / "RESULTS.md").read_bytes() == before


@pytest.mark.parametrize("script", SCRIPTS)
def test_an_unknown_word_stops_it(script: str) -> None:
    got = _run(script, "--sizez", "10")
    assert got.returncode == 2
    if script == "pdf_overlap.py":  # argparse's own words
        assert "unrecognized arguments: --sizez 10" in got.stderr
    else:
        assert "unknown argument '--sizez'" in got.stderr and "nothing was measured" in got.stderr
    assert got.stdout == ""


def test_an_option_without_its_value_stops_it() -> None:
    got = _run("floors.py", "--sizes")
    assert got.returncode == 2
    assert got.stderr.strip() == "--sizes needs a value (options: --quick, --only VALUE, --sizes VALUE, --against VALUE); nothing was measured"
