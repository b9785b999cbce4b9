"""A form folder's template mistakes, all at once, before any data (``goaldoc forms``,
``goaldoc check``): the Jinja of its Word template (render/word/syntax.py), of its Excel
template (render/excel/syntax.py) and of form.yaml's own texts (``filename:``, each sheet's
``name:`` and ``when:``), each with the message a render would give at its place.

``goaldoc check`` reads a data file and must stay quick: it asks only when what the form's
templates read (forms/reads.py, parsed once per template version and kept on disk by
``goaldoc render``) found a text that does not parse, or a filter goaldoc does not offer; a
sound folder costs it nothing more. ``goaldoc forms``, the admin's look at the folders,
compiles every text of form.yaml and of the Excel template (each cell is a template of its
own: two cells' mistakes can hide each other in the reading), and reads the Word template
again where its reading (one template per part, as docxtpl compiles it) found something.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ..errors import Problem
from ..render.kept import Kept
from .spec import FormSpec

# per folder and version of its files: a long-lived process (a program calling goaldoc.api,
# a batch's worker) sees a few forms, edited now and then: the least used go
_CACHE: Kept[tuple[Any, ...], list[Problem]] = Kept(32)


def template_problems(spec: FormSpec, quick: bool = False) -> list[Problem]:
    """Every mistake of the form's templates' Jinja, as errors (T001 Word, T003 Excel, T012
    form.yaml, T004 a template that cannot be read); [] for a sound folder. ``quick``: only
    when its templates' reading found something wrong (see the module doc)."""
    flagged = suspect(spec)
    if quick and not flagged:
        return []
    files = [spec.folder / "form.yaml"] + [spec.path(fmt) for fmt in spec.formats]
    try:
        key = (str(spec.folder.resolve()), flagged, *((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files))
    except OSError:
        return []  # a file missing is the form's own problem (T014)
    return list(_CACHE.get_or_make(key, lambda: _problems(spec, word=flagged)))


def suspect(spec: FormSpec) -> bool:
    """Whether reading the form's templates (forms/reads.py) met a text that does not parse,
    or a filter or test goaldoc does not offer: the quick look before a full one."""
    from ..render.template.markup import make_env
    from .reads import form_reads

    reads = form_reads(spec)
    env = make_env(autoescape=False)
    return bool(reads.notes) or not reads.filters <= set(env.filters) or not reads.tests <= set(env.tests)


def _problems(spec: FormSpec, word: bool) -> list[Problem]:
    """form.yaml's texts and the Excel template, every text compiled (quick: their texts are
    few and small); the Word template when ``word`` (its reading found something wrong:
    docxtpl's rewriting of a document costs a tenth of a second)."""
    from ..render.excel.syntax import workbook_problems
    from ..render.template.markup import explain_template_error, make_env
    from ..render.word.syntax import docx_problems

    out: list[Problem] = []
    texts = [("filename", spec.filename, False)]
    for k, sheet in enumerate(spec.sheets):
        texts.append((f"sheets[{k}].name", sheet.name, False))
        if sheet.when:
            texts.append((f"sheets[{k}].when", sheet.when, True))
    env = make_env(autoescape=False)
    for key, text, expression in texts:  # as render/bundle.py's form_expr compiles them
        try:
            env.compile_expression(text, undefined_to_none=False) if expression else env.from_string(text)
        except Exception as exc:  # noqa: BLE001 - an admin's mistake in form.yaml
            message = f"表样说明 {key}（“{text}”）有误：{explain_template_error(exc)}"
            out.append(Problem(message, (), str(spec.folder / "form.yaml"), code="T012"))
    for fmt in spec.formats:
        if fmt == "docx" and not word:
            continue
        path = spec.path(fmt)
        try:
            if fmt == "docx":
                from ..render.word.document import template_parts

                out += docx_problems(path, make_env(spec.amount_style, spec.amount_unit, autoescape=True), partial(template_parts, path))
            else:
                out += workbook_problems(path, make_env(spec.amount_style, spec.amount_unit, autoescape=False))
        except Exception as exc:  # noqa: BLE001 - a file Word / Excel saved wrongly, or not a template at all
            what = "Word" if fmt == "docx" else "Excel"
            out.append(
                Problem(
                    f"{what} 模板读不出来（{type(exc).__name__}: {exc}）：请用 {what} / WPS 打开它、另存为 .{fmt} 再试",
                    (),
                    str(path),
                    code="T004",
                )
            )
    return out


__all__ = ["suspect", "template_problems"]
