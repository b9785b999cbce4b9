"""form.yaml ``import.cells``: template cells whose reading the form declares, because the
template alone cannot tell (templates/README.md, “模板推不出来的格子”)."""

from __future__ import annotations

import re

from ..forms.spec import CellBinding
from .expr import Capture, Pass, Reader, Target

_STEP = re.compile(r"""\.(?P<attr>[^\W\d]\w*)|\.(?P<dot>\d+)|\[(?P<idx>\d+)\]|\['(?P<sq>[^']+)'\]|\["(?P<dq>[^"]+)"\]""")


def parse_path(text: str) -> Target:
    """``row.period_values['当年度']`` → ('row', 'period_values', '当年度') (form.yaml bindings)."""
    text = text.strip()
    m = re.match(r"[^\W\d]\w*", text)
    if not m:
        raise ValueError(text)
    out: list[str | int] = [m.group(0)]
    pos = m.end()
    while pos < len(text):
        step = _STEP.match(text, pos)
        if not step:
            raise ValueError(text)
        g = step.groupdict()
        out.append(g["attr"] or (int(g["dot"]) if g["dot"] else int(g["idx"]) if g["idx"] else g["sq"] or g["dq"]))
        pos = step.end()
    return tuple(out)


def bound_reader(text: str, binding: str | CellBinding | None) -> Reader:
    """The reader of a template cell whose reading form.yaml declares (``import.cells``):
    a path (the whole text goes there), a pattern with named groups, or nothing (the cell
    is computed: it holds no data)."""
    reader = Reader(text)
    if binding is None:
        return reader
    if isinstance(binding, str):
        cap = Capture("g1", parse_path(binding))
        reader.passes.append(Pass(re.compile(r"\A\s*(?P<g1>.*?)\s*\Z", re.S), [cap], []))
        return reader
    caps = [Capture(name, parse_path(path)) for name, path in binding.fields.items()]
    reader.passes.append(Pass(re.compile(r"\A\s*(?:" + binding.pattern + r")\s*\Z", re.S), caps, []))
    reader.literal_parts = "declared"  # a declared pattern anchors the cell like a label
    return reader
