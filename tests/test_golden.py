"""Issue 8: the four samples render the same texts and merges as before the forms were
declared (tests/golden.py; fixtures/golden/ was rendered at commit f13166a)."""

from __future__ import annotations

import json

import pytest

import golden as golden_module
from conftest import SAMPLES
from goaldoc.api import load, render_bytes
from golden import fingerprint, golden

SAMPLE_FILES = ["2024/taishan.yaml", "2024/gaoxin.yaml", "2023/liuzhi.yaml", "2024/jingyan.yaml"]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_each_sample_prints_what_it_printed_before(sample, fmt):
    data = render_bytes(load(SAMPLES / sample), [fmt])[fmt][1]
    assert fingerprint(data, fmt) == golden(sample, fmt)


# -- issue 23: every sample, both formats, layout included ----------------------------------
OUTPUTS = json.loads(golden_module.OUTPUTS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("sample", golden_module.all_samples())
def test_each_sample_prints_exactly_what_it_printed(sample, fmt):
    """Issue 23: every text, span, merge, width, row height and page break of every sample
    as at the start of issue 23's rework (fixtures/golden/outputs.json). A difference names
    the first line that changed, as it reads now."""
    lines, pages = golden_module.output_lines(render_bytes(load(SAMPLES / sample), [fmt])[fmt][1], fmt)
    want = OUTPUTS[f"{sample} {fmt}"]
    got = [golden_module.line_hash(s) for s in lines]
    expected = want["lines"].split()
    first = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), min(len(got), len(expected)))
    assert (first, len(got)) == (len(expected), len(expected)), (
        f"line {first} of {len(got)} (before: {len(expected)} lines) differs; now: "
        f"{lines[first] if first < len(lines) else '(none)'!r}"
    )
    assert pages == want["pages"]
