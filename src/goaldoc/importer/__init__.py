"""Read a filled form back into its data: ``goaldoc import`` and ``goaldoc check x.docx``.

The steps, one module each:

* files.py       what kind of file it is (.docx / .xlsx; .doc / .xls / .wps converted by
                 LibreOffice when it is installed; encrypted and damaged files refused)
* read_docx.py, read_xlsx.py  the file → rows of cells with their places (document.py)
* recognise.py   which form it is, when ``--form`` is not given
* pattern.py, expr.py  the form's templates → the pattern of the files they make
* cells.py       a file row against a pattern row: which cell is which, how well they fit
* match.py       the file's rows aligned to the pattern (dynamic programming)
* extract.py     what the aligned cells hold, at the context paths they print
* fields.py, place.py, lines.py  the values put where the data keeps them, typed by the
                 form's model; budget lines' levels
* newyear.py     --year and --clear-amounts
* write.py       the YAML, in the samples' style (ruamel.yaml)

Nothing here knows a region: everything comes from the form folder (templates/README.md,
“导入”).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..forms import FormSpec, load_form
from ..loader import LineMap
from ..paths import format_path
from .document import Document
from .extract import Leftover, extract
from .files import FILLED_SUFFIXES, read_document
from .headings import canonicalise, indicator_words
from .match import align
from .outer import add_outer_rows
from .pattern import pattern_of
from .place import assemble
from .recognise import check_chosen, recognise

__all__ = ["FILLED_SUFFIXES", "Imported", "Written", "import_file", "import_to_yaml", "read_filled"]


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
    converted: list[tuple[str, str]] = field(default_factory=list)  # (cell, amount typed in another unit, converted)

    def leftover_problems(self) -> list[Problem]:
        """What could not be placed, as 提醒 located at its cell (goaldoc check x.docx)."""
        return [  # a reason that already says what to do (whole sentences) needs no 请核对 after it
            Problem(f"“{_short(x.text)}”{x.reason}{'' if x.reason.endswith('。') else '：请核对表上这里填的是什么'}", (), self.file, x.order, severity="W", code="W901", place=x.place)
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
    warning = None
    if form:
        spec = load_form(form, templates)
        chosen = f"按表样 {spec.name}（{spec.title}）读取（--form）"
        warning = check_chosen(doc, spec, templates)
    else:
        spec, chosen = recognise(doc, templates)
    pattern = pattern_of(spec, doc.fmt)
    spelled = canonicalise(doc, spec.heading_groups, pattern, spec.amount_unit)
    add_outer_rows(pattern, doc)
    steps, scorer = align(pattern, doc, indicator_words(spec.vocabulary))
    reading = extract(steps, scorer)
    placed = assemble(reading, spec.model, spec.amount_unit, str(path), spec.vocabulary)
    data: dict[str, Any] = {}
    if "year" in placed.data:
        data["year"] = placed.data.pop("year")
    data["form"] = spec.name
    data.update(placed.data)
    if doc.carried and "carried" in spec.model.model_fields:  # init x.xlsx --from: last year's numbers, noted
        from .place import is_amount

        places = placed.lines.places
        carried = {format_path(p): doc.carried[at] for p, at in places.items() if at in doc.carried and is_amount(spec.model, p)}
        if carried:
            data["carried"] = carried
    if spec.stage != "目标":  # a 监控 / 自评 form: a stage file's shape (goaldoc.stage.imported)
        from ..stage.imported import tidy

        tidy(data, spec)
    leftovers = sorted(reading.leftovers + placed.conflicts, key=lambda x: x.order)
    converted = [f"{place}：{n}" for place, n in placed.converted]
    notes = ([warning] if warning else []) + list(doc.notes) + converted + [f"表样 {spec.name}：{n}" for n in pattern.notes] + spelled + reading.notes + placed.notes
    return Imported(str(path), data, placed.lines, spec, doc, leftovers, chosen, notes, placed.converted)


def read_filled(path: str | Path, templates: str | Path | None = None) -> tuple[Any, LineMap, list[Problem]]:
    """For ``goaldoc check x.docx``: the data as a YAML file would give it, the place of
    every key, and notes: what could not be placed (提醒 W901), a conversion (W902)."""
    imported = import_file(path, None, templates)
    notes = [Problem(n, (), imported.file, 0, severity="W", code="W902") for n in imported.doc.notes]
    notes += [Problem(n, (), imported.file, 0, severity="W", code="W902", place=place) for place, n in imported.converted]
    return imported.data, imported.lines, notes + imported.leftover_problems()


@dataclass
class Written:
    """An import made into a YAML text."""

    imported: Imported
    text: str
    problems: list[Problem]  # what the checks find in it (the form's own mistakes, mostly)
    messages: list[str]  # what was done to it (--year, --clear-amounts)


def import_to_yaml(
    path: str | Path,
    form: str | None = None,
    templates: str | Path | None = None,
    year: int | None = None,
    clear: bool = False,
) -> Written:
    """Import one filled file and write its YAML text (nothing is written to disk)."""
    from .newyear import clear_amounts, move_year
    from .write import to_yaml

    imp = import_file(path, form, templates)
    messages: list[str] = []
    old_year = imp.data.get("year")
    if year is not None:
        changed, others = move_year(imp.data, year)
        messages.append(f"年度改为 {year}" + (f"（{changed} 处表题里的 {old_year} 也已改）" if changed else ""))
        if others:
            shown = "、".join(others[:3]) + ("等" if len(others) > 3 else "")
            messages.append(f"另有 {len(others)} 处文字写着 {old_year}（如 {shown}）：请按新年度逐一核对")
    if clear:
        messages.append(f"已清空 {clear_amounts(imp.data, imp.form.model)} 个金额（--clear-amounts），请填上新年度的预算")
    problems = _all_problems(imp, templates)
    messages += _said_at_once(imp, problems)
    name = imp.data.get("department", {}).get("name", "")
    header = [
        f"{name} {imp.data.get('year', '')} 年（表样 {imp.form.name}：{imp.form.title}）。",
        f"由 goaldoc import 从 {Path(path).name} 读出：{imp.chosen}。",
        *imp.notes,
        *messages,
        "请逐格核对；放不进栏目的文字和检查发现的问题列在文件末尾。",
    ]
    text = to_yaml(imp.data, imp.form.model, header, imp.leftovers, problems, imp.file)
    return Written(imp, text, problems, [imp.chosen, *imp.notes, *messages])


def _all_problems(imp: Imported, templates: str | Path | None) -> list[Problem]:
    """Every problem of the imported data at once (issue 17 item 2; a missing year hides
    none of the others: loading.diagnose_data)."""
    from ..loading import diagnose_data

    return diagnose_data(imp.data, imp.lines, imp.file, templates)[1]


def _said_at_once(imp: Imported, problems: list[Problem]) -> list[str]:
    """What the clerk must know before opening the YAML (issue 17 item 3): no indicator
    row read at all, values the checks refuse — with their cells."""
    out: list[str] = []
    data = imp.data
    projects = list(data.get("projects", [])) + [p for u in data.get("units", []) for p in u.get("projects", [])]
    read = len(data.get("indicators", [])) + sum(len(p.get("indicators", [])) for p in projects)
    if read == 0:
        shaped = [x.place for x in imp.leftovers if "绩效指标" in x.reason]
        where = f"；像指标的行在 {'、'.join(shaped[:3])}{'等' if len(shaped) > 3 else ''}（{len(shaped)} 行）没有读" if shaped else ""
        out.append(f"没有读到任何一条绩效指标（0 行）{where}：请核对指标表的表头（一级指标、二级指标、三级指标、指标值…）是否和表样对得上，或用 --form 指定表样")
    refused = [p for p in problems if p.is_error and not p.accepted]
    if refused:
        shown = "；".join(f"{p.place or (format_path(p.path) if p.path else '')}：{' '.join(p.message.split())}" for p in refused[:5])
        more = f"；另有 {len(refused) - 5} 个，见文件末尾" if len(refused) > 5 else ""
        out.append(f"有 {len(refused)} 处值检查不通过（不改正、也不在 accepted: 下保留，就不能生成表格）：{shown}{more}")
    return out
