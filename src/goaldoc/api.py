"""The library: load a department's YAML, check it, render its forms. The CLI calls these."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .context import build_context, select_projects
from .errors import GoaldocError, InputError, Problem, TemplateError, format_path
from .forms import FormSpec, load_form
from .loader import LineMap, load_file, load_text
from .model import DepartmentYear
from .output import default_dir, safe_name, write_all
from .validate import salvage, validate

log = logging.getLogger(__name__)

FORMATS = ("docx", "xlsx")


@dataclass
class Loaded:
    model: DepartmentYear
    lines: LineMap
    file: str


@dataclass
class RenderResult:
    files: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    model: DepartmentYear | None = None  # what was rendered (for the CLI's summary line)


def load(path: str | Path) -> Loaded:
    """Read and validate one YAML file; raises :class:`InputError` with every problem."""
    data, lines = load_file(path)
    return _validated(data, lines, str(path))


def loads(text: str, file: str = "<输入>") -> Loaded:
    data, lines = load_text(text, file)
    return _validated(data, lines, file)


def _validated(data: Any, lines: LineMap, file: str) -> Loaded:
    model, problems = validate(data, lines)
    if model is None:
        raise InputError(problems)
    return Loaded(model, lines, file)


def render_bytes(
    loaded: Loaded,
    formats: Sequence[str] = FORMATS,
    form: str | None = None,
    templates: str | Path | None = None,
    only: Iterable[str] | None = None,
) -> dict[str, tuple[str, bytes]]:
    """Render in memory: {format: (file stem, bytes)}. Nothing is written."""
    model = loaded.model
    spec = load_form(form or model.form, templates)
    only = list(only or [])
    if only:
        chosen = [p for p, _ in select_projects(model, only)]
        found = {p.name for p in chosen} | {p.code for p in chosen if p.code}
        missing = [o for o in only if o not in found]
        if missing:
            raise InputError(
                [Problem(f"没有名为“{m}”的项目（--only 按项目名称或项目编码选）", ("projects",), loaded.file, code="E005") for m in missing]
            )
    from .render.sandbox import render_budget

    with render_budget():
        ctx = build_context(model, spec, only)
        stem = _file_stem(spec, ctx, only)
        out: dict[str, tuple[str, bytes]] = {}
        for fmt in formats:
            out[fmt] = (stem, _render_format(spec, ctx, fmt))
    return out


def _render_format(spec: FormSpec, ctx: dict[str, Any], fmt: str) -> bytes:
    """One file of the form. The one error boundary of rendering: whatever a template does
    wrong comes back as a message naming the template, never as a traceback."""
    from .render.markup import explain_template_error, make_env

    try:
        if fmt == "docx":
            from .render.docx import render_docx

            return render_docx(spec.path("docx"), ctx, make_env(spec.amount_style, spec.amount_unit, autoescape=True))
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
    from .render.markup import make_env
    from .render.xlsx import SheetJob, render_xlsx

    env = make_env(spec.amount_style, spec.amount_unit, autoescape=False)
    jobs: list[SheetJob] = []
    for k, sheet in enumerate(spec.sheets):
        items = ctx["projects"] if sheet.for_each == "projects" else [None]
        for item in items:
            sctx = {**ctx, "item": item, "project": item}
            if sheet.when and not _form_expr(spec, f"sheets[{k}].when", sheet.when, sctx, expression=True):
                continue
            name = _form_expr(spec, f"sheets[{k}].name", sheet.name, sctx)
            jobs.append(SheetJob(sheet.template, name, sctx))
    return render_xlsx(spec.path("xlsx"), jobs, env)


def _form_expr(spec: FormSpec, key: str, text: str, ctx: dict[str, Any], expression: bool = False) -> Any:
    """A Jinja text (or expression) of form.yaml, its errors located at its key."""
    from .render.markup import explain_template_error, make_env

    env = make_env(autoescape=False)
    try:
        if expression:
            return env.compile_expression(text, undefined_to_none=False)(**ctx)
        return env.from_string(text).render(ctx)
    except Exception as exc:  # noqa: BLE001 - an admin's mistake in form.yaml
        raise TemplateError(
            [Problem(f"表样说明 {key}（“{text}”）有误：{explain_template_error(exc)}", (), str(spec.folder / "form.yaml"), code="T012")]
        ) from None


def _file_stem(spec: FormSpec, ctx: dict[str, Any], only: list[str]) -> str:
    stem = _form_expr(spec, "filename", spec.filename, ctx)
    if only:
        stem += "-" + "、".join(only)
    return safe_name(stem)


def check(path: str | Path) -> list[Problem]:
    """Every problem of one file: YAML, schema, then the finance bureau's rules."""
    return diagnose(path)[1]


def diagnose(path: str | Path) -> tuple[Loaded | None, list[Problem]]:
    """Load and check once: the loaded file (None when the schema refused it) and its problems."""
    from .checks import run_checks

    try:
        data, lines = load_file(path)
    except InputError as exc:
        return None, exc.problems
    model, problems = validate(data, lines)
    if model is not None:
        loaded = Loaded(model, lines, str(path))
        return loaded, apply_acceptances(run_checks(model, lines), loaded)
    # schema problems first; the rules run on what could be read, minus what they concern
    salvaged = salvage(data)
    if salvaged is None:
        return None, problems
    bad = [p.path for p in problems]
    rules = [p for p in run_checks(salvaged, lines) if not any(p.path[: len(b)] == b for b in bad)]
    rules = apply_acceptances(rules, Loaded(salvaged, lines, str(path)))
    return None, sorted(problems + rules, key=lambda p: (not p.is_error, p.line or 0))


def apply_acceptances(problems: list[Problem], loaded: Loaded) -> list[Problem]:
    """Mark the problems the YAML's ``accepted:`` lists (by key path, and code if given)."""
    accepted = loaded.model.accepted
    if not accepted:
        return problems

    def reason(p: Problem) -> str | None:
        where = format_path(p.path)
        return next(
            (
                a.reason
                for a in accepted
                if a.code in (None, p.code)
                and (where == a.path or where.startswith((a.path + ".", a.path + "[")))
            ),
            None,
        )

    return [replace(p, accepted=reason(p)) if reason(p) else p for p in problems]


def render(
    path: str | Path,
    out_dir: str | Path | None = None,
    formats: Sequence[str] = FORMATS,
    form: str | None = None,
    templates: str | Path | None = None,
    only: Iterable[str] | None = None,
    force: bool = False,
) -> RenderResult:
    """Load, check and render one department's YAML; write the files only if all went well.

    Errors found by the checks stop the render (nothing is written) unless ``force``.
    """
    from .checks import UNWRITABLE

    started = time.perf_counter()
    loaded, problems = diagnose(path)  # the same list as `goaldoc check`
    if loaded is None:
        raise InputError(problems)
    # no --force and no `accepted:` makes a file hold what it cannot (checks.UNWRITABLE)
    if any((p.is_error and not force) or (p.severity == "E" and p.code in UNWRITABLE) for p in problems):
        raise InputError(problems)
    rendered = render_bytes(loaded, formats, form, templates, only)
    target = Path(out_dir) if out_dir else default_dir(loaded.model)
    files = {target / f"{stem}.{fmt}": data for fmt, (stem, data) in rendered.items()}
    written = write_all(files)
    seconds = time.perf_counter() - started
    log.info("rendered %s in %.3fs", path, seconds)
    return RenderResult(written, problems, seconds, loaded.model)


__all__ = ["FORMATS", "GoaldocError", "Loaded", "RenderResult", "check", "load", "loads", "render", "render_bytes"]
