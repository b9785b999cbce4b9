"""Issue 8: the four samples render the same texts and merges as before the forms were
declared (tests/golden.py; fixtures/golden/ was rendered at commit f13166a)."""

from __future__ import annotations

import pytest

from conftest import SAMPLES
from goaldoc.api import load, render_bytes
from golden import fingerprint, golden

SAMPLE_FILES = ["2024/taishan.yaml", "2024/gaoxin.yaml", "2023/liuzhi.yaml", "2024/jingyan.yaml"]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_each_sample_prints_what_it_printed_before(sample, fmt):
    data = render_bytes(load(SAMPLES / sample), [fmt])[fmt][1]
    assert fingerprint(data, fmt) == golden(sample, fmt)
