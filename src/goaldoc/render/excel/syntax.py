"""Every mistake an Excel template's Jinja makes, at once, each at its cell.

A render stops at the first mistake it meets (a row tag that does not close, a cell that
does not compile: render/excel/workbook.py); an admin who fixed it and met the next one at
the next run would need as many runs as mistakes. So when a render stops on a template's
mistake, and when ``goaldoc forms`` or ``goaldoc check`` looks at a form folder, the whole
workbook is read here: the row tags of every sheet (rowtags.parse_row_tags, which reads on
past a mistake), the expression of each ``{%tr for/if %}``, and every other cell holding
``{{`` or ``{%``, each compiled on its own, as a render compiles it (excel/cells.py; parsed,
its filters looked up: render/template/compiles.py). One problem per cell, in the order of
the sheets, then rows, then columns.

What is said is what can be said for sure: a cell is compiled on its own, whatever the
rows around it, so its mistake is its own; a row tag that does not close makes the rows
below it mean nothing certain, and its message says so instead of guessing at them.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2
from openpyxl.utils import column_index_from_string

from ...errors import Problem, TemplateError
from ..template.compiles import check_compiles
from ..template.markup import explain_template_error
from .rowtags import FOR, TAG, cell_problem, parse_row_tags

# what rowtags.cell_problem writes: the sheet and the cell, read back to order the problems
_PLACE = re.compile(r"^Excel 模板 (.+)!([A-Z]{1,3})(\d+)：", re.S)

# a template's problems per file version and environment (a batch stopped by one template
# reads it once); a few templates at most are broken at a time
_SCANNED: dict[tuple[str, int, int, int], tuple[list[str], list[Problem]]] = {}
_SCANNED_KEPT = 16


def workbook_problems(template: Path, env: jinja2.Environment) -> list[Problem]:
    """Every mistake of the template's Jinja (T003), in the order of its sheets, rows and
    columns; [] when there is none. The template as the admin saved it (no optional column
    taken out): the cells are named as Excel shows them."""
    return list(_scan(template, env)[1])


def _scan(template: Path, env: jinja2.Environment) -> tuple[list[str], list[Problem]]:
    """(the sheets' names, :func:`workbook_problems`), read once per file version. The cells'
    texts are read from the file directly (forms/reads.py: no openpyxl parse, which costs
    more than all the rest)."""
    from ...forms.reads import sheet_texts

    st = template.stat()
    key = (str(template.resolve()), st.st_mtime_ns, st.st_size, id(env))
    kept = _SCANNED.get(key)
    if kept is None:
        sheets = sheet_texts(template)
        found = [
            cell_problem(str(template), name, r, c, message)
            for name, texts in sheets.items()
            for r, c, message in sheet_problems(texts, env)
        ]
        if len(_SCANNED) >= _SCANNED_KEPT:
            _SCANNED.clear()
        kept = _SCANNED[key] = (list(sheets), found)
    return kept


def sheet_problems(texts: Sequence[tuple[int, int, str]], env: jinja2.Environment) -> list[tuple[int, int, str]]:
    """(row, column, what is wrong) of each mistake of one template sheet, from its texts
    (row, column, text), in row then column order."""
    texts = sorted(texts)
    firsts: dict[int, tuple[int, str]] = {}  # what workbook._SheetWriter._parsed reads
    for r, c, v in texts:
        if v.strip() and r not in firsts:
            firsts[r] = (c, v)
    _blocks, found = parse_row_tags(firsts, max((r for r, _c, _v in texts), default=0))
    tags = {r for r, (_c, v) in firsts.items() if TAG.match(v)}
    sound = _SOUND.setdefault(env, set())
    for r, c, v in texts:
        if r in tags:  # a tag row disappears: only its tag is read
            if (c, v) == firsts[r]:
                found += _tag_problems(v, r, c, env)
            continue
        if ("{{" in v or "{%" in v) and v not in sound:
            try:
                check_compiles(env, v)  # what compile_cell would raise (excel/cells.py)
                sound.add(v)
            except Exception as exc:  # noqa: BLE001 - what the render would say of this cell
                found.append((r, c, explain_template_error(exc)))
    return sorted(found)


# the texts found to compile, per environment
_SOUND: weakref.WeakKeyDictionary[jinja2.Environment, set[str]] = weakref.WeakKeyDictionary()


def _tag_problems(text: str, r: int, c: int, env: jinja2.Environment) -> list[tuple[int, int, str]]:
    """The expression of a ``{%tr for x in … %}`` / ``{%tr if … %}``, compiled as the render
    compiles it (workbook._SheetWriter._eval): its message is the render's."""
    m = TAG.match(text)
    assert m is not None
    stmt = m.group(1).strip()
    fm = FOR.match(stmt)
    expr = fm.group(2) if fm else stmt[3:] if stmt.startswith("if ") else None
    if expr is None:
        return []  # an end tag, an else, or a tag parse_row_tags has named
    try:
        env.compile_expression(expr, undefined_to_none=False)
    except Exception as exc:  # noqa: BLE001 - what the render would say of this row
        return [(r, c, f"表达式“{expr}”出错：{explain_template_error(exc)}")]
    return []


def with_every_problem(template: Path, env: jinja2.Environment, error: TemplateError) -> TemplateError:
    """The error a render stopped with, and every other mistake of the template's Jinja
    (:func:`workbook_problems`): one run names them all. The render's own problem (a
    variable not found, say, which only a render can find) stays, unless a mistake of its
    cell is named already."""
    try:
        sheets, found = _scan(template, env)
    except Exception:  # noqa: BLE001 - the template could not be read again: what the render said
        return error
    if not found:
        return error
    places = {_place(p) for p in found}
    said = {p.message for p in found}
    kept = [p for p in error.problems if p.message not in said and (_place(p) is None or _place(p) not in places)]
    order = {name: k for k, name in enumerate(sheets)}
    return TemplateError(sorted([*found, *kept], key=lambda p: _order(p, order)))


def _place(p: Problem) -> tuple[str, int, int] | None:
    """(sheet, row, column) of a problem rowtags.cell_problem made; None for any other."""
    m = _PLACE.match(p.message)
    return (m.group(1), int(m.group(3)), column_index_from_string(m.group(2))) if m else None


def _order(p: Problem, sheets: Mapping[str, int]) -> tuple[int, int, int]:
    at = _place(p)
    if at is None:
        return (len(sheets), 0, 0)
    return (sheets.get(at[0], len(sheets)), at[1], at[2])


__all__ = ["sheet_problems", "with_every_problem", "workbook_problems"]
