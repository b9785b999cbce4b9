"""Text is never lost or changed (issue 12 item 5): UTF-8 read as UTF-8, 造字 printed as
typed, and a value too long for a cell refused by name instead of cut."""

from __future__ import annotations

import pytest

from goaldoc.loader import decode

# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize("name", ["①局", "②③", "㈠就业", "Ⅲ类", "\ue000\ue001局", "𠀀局", "éà", "5°C"])
def test_valid_utf8_is_read_as_utf8(name):
    text = f"department:\n  name: {name}\n"
    assert decode(text.encode("utf-8"), "x.yaml") == text


def test_short_gbk_that_is_also_valid_utf8_is_still_read_as_gbk():
    """台山 in GBK (CC A8 C9 BD) is valid UTF-8 for two IPA letters: nobody types those."""
    text = "department:\n  name: 台山\n"
    assert text.encode("gbk").decode("utf-8") == "department:\n  name: ̨ɽ\n"
    assert decode(text.encode("gbk"), "x.yaml") == text
