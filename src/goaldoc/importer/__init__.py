"""Read a filled form back into its data: ``goaldoc import`` and ``goaldoc check x.docx``.

The steps, one module each:

* files.py       what kind of file it is (.docx / .xlsx; .doc / .xls / .wps converted by
                 LibreOffice when it is installed; encrypted and damaged files refused)
* read_docx.py, read_xlsx.py  the file → rows of cells with their places (document.py)
* recognise.py   which form it is, when ``--form`` is not given
* pattern.py, expr.py  the form's templates → the pattern of the files they make
* match.py       the file's rows read by the pattern: which cell holds which field
* place.py       the values put where the data keeps them, typed by the form's model
* write.py       the YAML, in the samples' style (ruamel.yaml)

Nothing here knows a region: everything comes from the form folder (templates/README.md,
“导入”).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..forms import FormSpec, load_form
from ..loader import LineMap
from .document import Document
from .files import read_document
from .match import Leftover, align, extract
from .pattern import pattern_of
from .place import assemble
from .recognise import recognise

__all__ = ["Imported", "import_file", "read_filled", "FILLED_SUFFIXES"]

from .files import FILLED_SUFFIXES


@dataclass
class Imported:
    """One filled file, read."""

    file: str
    data: dict[str, Any]
    lines: LineMap  # the place (cell) of every key path
    form: FormSpec
    doc: Document
    leftovers: list[Leftover] = field(default_factory=list)  # what could not be placed
    chosen: str = ""  # how the form was chosen (said to the user)
    notes: list[str] = field(default_factory=list)  # conversions, template cells not read back

    def leftover_problems(self) -> list[Problem]:
        """What could not be placed, as 提醒 located at its cell (goaldoc check x.docx)."""
        return [
            Problem(f"“{_short(x.text)}”{x.reason}：请核对，需要时在 YAML 里补上", (), self.file, x.order, severity="W", code="W901", place=x.place)
            for x in self.leftovers
        ]


def _short(text: str, limit: int = 40) -> str:
    t = " ".join(text.split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def import_file(path: str | Path, form: str | None = None, templates: str | Path | None = None) -> Imported:
    """Read one filled .docx / .xlsx (or .doc / .xls through LibreOffice) by its form.

    Raises :class:`InputError` with a located, explained problem when the file cannot be
    read or no form fits it."""
    doc = read_document(path)
    if form:
        spec = load_form(form, templates)
        chosen = f"按表样 {spec.name}（{spec.title}）读取（--form）"
    else:
        spec, chosen = recognise(doc, templates)
    pattern = pattern_of(spec, doc.fmt)
    steps, scorer = align(pattern, doc)
    reading = extract(steps, scorer)
    placed = assemble(reading, spec.model, spec.amount_unit, str(path))
    data: dict[str, Any] = {}
    if "year" in placed.data:
        data["year"] = placed.data.pop("year")
    data["form"] = spec.name
    data.update(placed.data)
    leftovers = sorted(reading.leftovers + placed.conflicts, key=lambda x: x.order)
    notes = list(doc.notes) + [f"表样 {spec.name}：{n}" for n in pattern.notes]
    return Imported(str(path), data, placed.lines, spec, doc, leftovers, chosen, notes)


def read_filled(path: str | Path, templates: str | Path | None = None) -> tuple[Any, LineMap, list[Problem]]:
    """For ``goaldoc check x.docx``: the data as a YAML file would give it, the place of
    every key, and what could not be placed (提醒 W901)."""
    try:
        imported = import_file(path, None, templates)
    except InputError:
        raise
    return imported.data, imported.lines, imported.leftover_problems()
