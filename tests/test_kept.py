"""render/kept.py: what a process keeps for its next renders (parsed templates, cleaned XML,
row programs), the ones used last."""

from __future__ import annotations

import pytest

from goaldoc.render.kept import Kept


def test_the_value_used_least_recently_goes_first():
    kept: Kept[str, int] = Kept(2)
    made: list[str] = []

    def make(key: str) -> int:
        made.append(key)
        return len(made)

    assert kept.get_or_make("a", lambda: make("a")) == 1
    assert kept.get_or_make("b", lambda: make("b")) == 2
    assert kept.get_or_make("a", lambda: make("a")) == 1  # kept: not made again, and now the last used
    assert kept.get_or_make("c", lambda: make("c")) == 3  # "b" goes, not "a"
    assert list(kept) == ["a", "c"]
    assert made == ["a", "b", "c"]


def test_none_is_kept_like_any_value_and_a_failure_is_not_kept():
    kept: Kept[str, object] = Kept(4)
    calls: list[int] = []
    assert kept.get_or_make("none", lambda: calls.append(1)) is None  # a row loop that is no program
    assert kept.get_or_make("none", lambda: calls.append(1)) is None
    assert calls == [1]

    def broken() -> object:
        raise ValueError("does not compile")

    for _ in range(2):
        with pytest.raises(ValueError):
            kept.get_or_make("broken", broken)
    assert "broken" not in kept
