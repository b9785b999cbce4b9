"""What one render of a form makes: the file name, the Excel sheets (one per sheet of
form.yaml, per project where ``for_each: projects``, ``when:`` deciding), and each format's
bytes — with the one error boundary of rendering (T099): whatever a template does wrong
comes back as a message naming the template, never as a traceback.

Deciding which sheets a form prints is form knowledge (form.yaml ``sheets:``), kept here
beside the renderers rather than in the library's command side (:mod:`goaldoc.api`).
"""

from __future__ import annotations

from typing import Any

from ..errors import GoaldocError, Problem, TemplateError
from ..forms import FormSpec
from ..output import safe_name


def render_format(spec: FormSpec, ctx: dict[str, Any], fmt: str) -> bytes:
    """One file of the form. The one error boundary of rendering: whatever a template does
    wrong comes back as a message naming the template, never as a traceback."""
    from .template.markup import explain_template_error, make_env

    try:
        if fmt == "docx":
            from .word.document import render_docx

            env = make_env(spec.amount_style, spec.amount_unit, autoescape=True)
            return render_docx(spec.path("docx"), ctx, env, ctx["dropped_columns"], spec.pages)
        if fmt == "xlsx":
            return _render_xlsx(spec, ctx)
        raise ValueError(fmt)
    except GoaldocError:
        raise
    except Exception as exc:  # noqa: BLE001 - see the docstring
        raise TemplateError(
            [Problem(f"用表样“{spec.name}”生成 .{fmt} 时出错：{explain_template_error(exc)}", (), str(spec.path(fmt)), code="T099")]
        ) from None


def _render_xlsx(spec: FormSpec, ctx: dict[str, Any]) -> bytes:
    from .excel.workbook import SheetJob, render_xlsx
    from .template.markup import make_env

    env = make_env(spec.amount_style, spec.amount_unit, autoescape=False)
    jobs: list[SheetJob] = []
    for k, sheet in enumerate(spec.sheets):
        items = ctx["projects"] if sheet.for_each == "projects" else [None]
        for item in items:
            sctx = {**ctx, "item": item, "project": item}
            if sheet.when and not form_expr(spec, f"sheets[{k}].when", sheet.when, sctx, expression=True):
                continue
            name = form_expr(spec, f"sheets[{k}].name", sheet.name, sctx)
            jobs.append(SheetJob(sheet.template, name, sctx))
    if not jobs:
        raise TemplateError(
            [Problem(f"表样“{spec.name}”的 sheets 对这份数据一张表也不印（没有项目，或 when: 都为假）：没有可生成的 Excel 文件", (), str(spec.folder / "form.yaml"), code="T017")]
        )
    return render_xlsx(spec.path("xlsx"), jobs, env, ctx["dropped_columns"], spec.pages)


# form.yaml's texts made into templates once per process: (environment, text, expression?) ->
# the template or expression (each sheet of each department asked for its name's again: a
# template made anew per sheet, a cycle of objects for the collector)
_FORM_PROGRAMS: dict[tuple[Any, str, bool], Any] = {}
_FORM_PROGRAMS_KEPT = 256


def form_expr(spec: FormSpec, key: str, text: str, ctx: dict[str, Any], expression: bool = False) -> Any:
    """A Jinja text (or expression) of form.yaml, its errors located at its key."""
    from .template.markup import explain_template_error, make_env

    env = make_env(autoescape=False)
    try:
        program: Any = _FORM_PROGRAMS.get((env, text, expression))
        if program is None:
            program = env.compile_expression(text, undefined_to_none=False) if expression else env.from_string(text)
            if len(_FORM_PROGRAMS) >= _FORM_PROGRAMS_KEPT:
                _FORM_PROGRAMS.clear()
            _FORM_PROGRAMS[(env, text, expression)] = program
        if expression:
            return program(**ctx)
        return program.render(ctx)
    except Exception as exc:  # noqa: BLE001 - an admin's mistake in form.yaml
        raise TemplateError(
            [Problem(f"表样说明 {key}（“{text}”）有误：{explain_template_error(exc)}", (), str(spec.folder / "form.yaml"), code="T012")]
        ) from None


def file_stem(spec: FormSpec, ctx: dict[str, Any], only: list[str]) -> str:
    stem = form_expr(spec, "filename", spec.filename, ctx)
    if only:
        stem += "-" + "、".join(only)
    return safe_name(stem)


__all__ = ["file_stem", "render_format"]
