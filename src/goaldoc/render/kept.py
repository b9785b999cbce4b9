"""What a process works out once and keeps for its next renders (issue 23 item 2): parsed
templates, docxtpl's cleaned XML, compiled row programs. A batch renders one or two forms
hundreds of times; each of these is worth keeping, but not all of them for ever (a long
``goaldoc`` session of a library caller may go through many templates).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Kept(OrderedDict[K, V]):
    """The ``size`` values used last, by key; the one used least recently goes first.
    A mapping like any other (tests look inside); :meth:`get_or_make` is the way in."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value kept for ``key``, else ``make()``'s (kept; not when it raises)."""
        try:
            value = self[key]
        except KeyError:
            value = self[key] = make()
            while len(self) > self.size:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return value
