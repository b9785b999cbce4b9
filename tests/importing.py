"""What the import tests share: a department's data as a filled form can give it back
(the fields its form prints), compared the way the form prints them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from goaldoc.api import Loaded, render_bytes
from goaldoc.forms import FormSpec
from goaldoc.importer import import_file
from goaldoc.importer.fields import defaulted_fields, printed_fields
from goaldoc.importer.pattern import pattern_of
from goaldoc.values import normalise_text

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def sample_files() -> list[Path]:
    """Every sample, whatever region folders exist (new ones are covered as they land)."""
    return sorted(SAMPLES.glob("*/*.yaml"))


def leaves(node: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    """{path: value} of every non-empty leaf (None, "", [] and False hold nothing)."""
    if isinstance(node, dict):
        out: dict[tuple[Any, ...], Any] = {}
        for k, v in node.items():
            out.update(leaves(v, (*path, k)))
        return out
    if isinstance(node, list):
        out = {}
        for i, v in enumerate(node):
            out.update(leaves(v, (*path, i)))
        return out
    if node is None or node == "" or node is False:
        return {}
    return {path: str(node) if isinstance(node, Decimal) else node}


def _wild(path: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple("*" if isinstance(p, int) else p for p in path)


def as_printed(model: Any, spec: FormSpec, fmt: str) -> dict[tuple[Any, ...], Any]:
    """The leaves of a model that ``spec`` prints in ``fmt``, as it prints them:
    indicator values normalised (≧ → ≥: issue 4), no ``variant`` meaning the first one;
    ``accepted:`` is the clerk's, not the form's. Left out: what the form prints only through
    a default (a title equal to the default one reads back as no title): the re-render test
    checks that such fields print the same text."""
    if spec.stage != "目标":  # what a 监控 / 自评 form prints: the data with the scores the rules give
        from goaldoc.stage.context import printed_model

        model = printed_model(model, spec)
    pattern = pattern_of(spec, fmt)
    printed = printed_fields(pattern)
    defaulted = defaulted_fields(pattern)
    out = {}
    first_variant = next(iter(spec.variants), None)
    dumped = model.model_dump()
    if any(p[-1] == "value" for p in printed) and not any(p[-1] == "sign" for p in printed):
        _one_cell_values(dumped)  # a form printing 指标值 in one cell: ≥ | 700 | 人数 reads back as ≥700人数
    for path, value in leaves(dumped).items():
        wild = _wild(path)
        if path[0] in ("accepted", "form"):
            continue
        if not any(wild[: len(p)] == p for p in printed) or wild in defaulted:
            continue
        if path[-1] == "value" and "indicators" in path:
            value = normalise_text(str(value))
        if path[-1] == "variant" and value == first_variant:
            continue
        out[path] = value
    return out


def _one_cell_values(node: Any) -> None:
    from goaldoc.values import from_parts

    if isinstance(node, dict):
        if "level2" in node and (node.get("sign") is not None or node.get("unit") is not None):
            node["value"] = from_parts(node.get("sign"), node.get("value"), node.get("unit")).render()
            node["sign"] = node["unit"] = None
        for v in node.values():
            _one_cell_values(v)
    elif isinstance(node, list):
        for v in node:
            _one_cell_values(v)


def rendered(loaded: Loaded, fmt: str, tmp: Path, name: str = "filled") -> Path:
    stem, data = render_bytes(loaded, [fmt])[fmt]
    path = tmp / f"{name}.{fmt}"
    path.write_bytes(data)
    return path


def imported_model(path: Path, form: str | None = None) -> tuple[Any, Any]:
    """(the imported model, the Imported) of a filled file."""
    imp = import_file(path, form)
    return imp.form.model.model_validate(imp.data), imp
