"""The library: load a department's YAML, check it, render its forms. The CLI calls these."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .context import build_context, select_projects
from .errors import GoaldocError, InputError, Problem, TemplateError
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
    form: FormSpec | None = None  # the form the data names (its vocabulary, fields, rules)


@dataclass
class RenderResult:
    files: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    model: DepartmentYear | None = None  # what was rendered (for the CLI's summary line)


def load(path: str | Path, templates: str | Path | None = None) -> Loaded:
    """Read and validate one YAML file; raises :class:`InputError` with every problem."""
    data, lines = load_file(path)
    return _validated(data, lines, str(path), templates)


def loads(text: str, file: str = "<输入>", templates: str | Path | None = None) -> Loaded:
    data, lines = load_text(text, file)
    return _validated(data, lines, file, templates)


def _validated(data: Any, lines: LineMap, file: str, templates: str | Path | None) -> Loaded:
    spec, problems = form_of(data, lines, templates)
    model, schema = validate(data, lines, spec.model)
    if model is None or problems:
        raise InputError(problems + schema)
    model.form = spec.name
    return Loaded(model, lines, file, spec)


def form_of(data: Any, lines: LineMap, templates: str | Path | None = None) -> tuple[FormSpec, list[Problem]]:
    """The form the data names (``form:``, else templates/national.yaml's default_form).

    An unknown name is a located problem (E011, with the known names and the nearest one),
    and the default form stands in, so that one run still shows every other problem. A
    broken form folder raises :class:`TemplateError` (the admin's to fix)."""
    from .forms import national, unknown_form

    default = national(templates).default_form
    name = data.get("form") if isinstance(data, dict) else None
    if not isinstance(name, str) or not _FOLDER_NAME.match(name):
        return load_form(default, templates), []  # missing: the default; malformed: E010 says so
    try:
        return load_form(name, templates), []
    except TemplateError as exc:
        if [p.code for p in exc.problems] != ["E011"]:
            raise
        where = {"file": lines.file, "line": lines.line_of(("form",))}
        return load_form(default, templates), [unknown_form(name, templates, **where)]


_FOLDER_NAME = re.compile(r"^[^/\\.:][^/\\:]*$")


def render_bytes(
    loaded: Loaded,
    formats: Sequence[str] = FORMATS,
    form: str | None = None,
    templates: str | Path | None = None,
    only: Iterable[str] | None = None,
) -> dict[str, tuple[str, bytes]]:
    """Render in memory: {format: (file stem, bytes)}. Nothing is written."""
    model = loaded.model
    if form or templates or loaded.form is None:
        spec = load_form(form or model.form, templates)
    else:
        spec = loaded.form
    only = list(only or [])
    if only:
        chosen = [p for p, _ in select_projects(model, only)]
        found = {p.name for p in chosen} | {p.code for p in chosen if p.code}
        missing = [o for o in only if o not in found]
        if missing:
            raise InputError(
                [Problem(f"没有名为“{m}”的项目（--only 按项目名称或项目编码选）", ("projects",), loaded.file, code="E005") for m in missing]
            )
    from .render.template.sandbox import render_budget

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
    from .render.template.markup import explain_template_error, make_env

    try:
        if fmt == "docx":
            from .render.word.document import render_docx

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
    from .render.excel.workbook import SheetJob, render_xlsx
    from .render.template.markup import make_env

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
    if not jobs:
        raise TemplateError(
            [Problem(f"表样“{spec.name}”的 sheets 对这份数据一张表也不印（没有项目，或 when: 都为假）：没有可生成的 Excel 文件", (), str(spec.folder / "form.yaml"), code="T017")]
        )
    return render_xlsx(spec.path("xlsx"), jobs, env, ctx["dropped_columns"], spec.pages)


def _form_expr(spec: FormSpec, key: str, text: str, ctx: dict[str, Any], expression: bool = False) -> Any:
    """A Jinja text (or expression) of form.yaml, its errors located at its key."""
    from .render.template.markup import explain_template_error, make_env

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


def check(path: str | Path, templates: str | Path | None = None) -> list[Problem]:
    """Every problem of one file: YAML, schema, then the finance bureau's rules."""
    return diagnose(path, templates)[1]


def diagnose(path: str | Path, templates: str | Path | None = None) -> tuple[Loaded | None, list[Problem]]:
    """Load and check once: the loaded file (None when it cannot be rendered) and its problems.

    The form the data names decides the schema (its declared fields and variants), the
    indicator vocabulary and the rules' numbers."""
    try:
        data, lines, notes = read_input(path, templates)
    except InputError as exc:
        return None, exc.problems
    loaded, problems = diagnose_data(data, lines, str(path), templates)
    return loaded, problems + notes


def read_input(path: str | Path, templates: str | Path | None = None) -> tuple[Any, LineMap, list[Problem]]:
    """A department's data, the place of each key and notes on reading it: from its YAML
    file, or from a filled .docx / .xlsx read by its form (goaldoc.importer, issue 10)."""
    if Path(path).suffix.lower() in _FILLED_SUFFIXES:  # the importer only when one is given
        from .importer import read_filled

        return read_filled(path, templates)
    data, lines = load_file(path)
    return data, lines, []


# importer.files.FILLED_SUFFIXES, kept here too so that a YAML render never imports the
# importer (~120 ms at start-up: issue 11); tests/test_import_cli.py keeps them equal
_FILLED_SUFFIXES = (".docx", ".docm", ".xlsx", ".xlsm", ".doc", ".xls", ".wps", ".et", ".rtf", ".odt", ".ods")


def diagnose_data(data: Any, lines: LineMap, path: str, templates: str | Path | None = None) -> tuple[Loaded | None, list[Problem]]:
    """:func:`diagnose` of data already read."""
    from .checks import run_checks

    spec, form_problems = form_of(data, lines, templates)
    model, problems = validate(data, lines, spec.model)
    problems = form_problems + problems
    if model is not None:
        model.form = spec.name
        loaded = Loaded(model, lines, str(path), spec)
        found = sorted(problems + run_checks(model, lines, spec), key=lambda p: (not p.is_error, p.line or 0))
        return (None if form_problems else loaded), apply_acceptances(found, loaded)
    # schema problems first; the rules run on what could be read, minus what they concern
    salvaged = salvage(data, spec.model)
    if salvaged is None:
        return None, problems
    bad = [p.path for p in problems]
    rules = [p for p in run_checks(salvaged, lines, spec) if not any(p.path[: len(b)] == b for b in bad)]
    rules = apply_acceptances(rules, Loaded(salvaged, lines, str(path), spec), report_unmatched=False)
    return None, sorted(problems + rules, key=lambda p: (not p.is_error, p.line or 0))


def apply_acceptances(problems: list[Problem], loaded: Loaded, report_unmatched: bool = True) -> list[Problem]:
    """Mark the problems the YAML's ``accepted:`` lists (by key path, and code if given).

    A path matches a problem at that key or under it. In its brackets a number is a place
    in the list, a name or code is the item of that name or code (model.parse_accepted_path),
    so that inserting a project does not move an acceptance onto another one (issue 12
    item 8). An acceptance that matches nothing is itself reported (提醒 W001): the problem
    was fixed, or the path is wrong and a real problem shows unaccepted."""
    accepted = loaded.model.accepted
    if not accepted:
        return problems
    used = [False] * len(accepted)

    def reason(p: Problem) -> str | None:
        found = None
        for i, a in enumerate(accepted):
            if a.code in (None, p.code) and _path_matches(a.parts, p.path, loaded.model):
                used[i] = True
                found = found or a.reason
        return found

    out = [replace(p, accepted=why) if (why := reason(p)) else p for p in problems]
    if report_unmatched:
        for i, a in enumerate(accepted):
            if not used[i]:
                what = f"{a.path}，{a.code}" if a.code else a.path
                out.append(
                    loaded.lines.problem(
                        ("accepted", i, "path"),
                        f"这条 accepted（{what}）没有对应任何问题：问题已改正的话请删去这条；"
                        "否则请照 goaldoc check 输出里的键路径改写（项目、单位、指标可写名称，如 projects[公益性岗位补贴]；"
                        "全是数字的编码加引号，如 units['307003']）",
                        severity="W",
                        code="W001",
                    )
                )
    return sorted(out, key=lambda p: (not p.is_error, p.line or 0))


def _path_matches(parts: tuple[tuple[str, str | int], ...], path: tuple[str | int, ...], model: Any) -> bool:
    """Whether the acceptance's ``parts`` lead to ``path`` or to one of its ancestors."""
    if not parts or len(parts) > len(path):
        return False
    node: Any = model
    for (kind, want), step in zip(parts, path, strict=False):
        if isinstance(step, str):
            if kind != "key" or want != step:
                return False
            node = getattr(node, step, None)
            continue
        item = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
        if kind == "index":
            if want != step:
                return False
        elif kind != "item" or item is None or want not in _item_names(item):
            return False
        node = item
    return True


def _item_names(item: Any) -> set[str]:
    """What a list item is known by: its code, name, label, title or period."""
    names = (getattr(item, key, None) for key in ("code", "name", "label", "title", "period"))
    return {n for n in names if isinstance(n, str) and n}


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
    loaded, problems = diagnose(path, templates)  # the same list as `goaldoc check`
    if loaded is None:
        raise InputError(problems)
    # no --force and no `accepted:` makes a file hold what it cannot (checks.UNWRITABLE)
    if any((p.is_error and not force) or (p.severity == "E" and p.code in UNWRITABLE) for p in problems):
        raise InputError(problems)
    rendered = render_bytes(loaded, formats, form, templates, only)
    target = Path(out_dir) if out_dir else default_dir(loaded.model)
    files = {target / f"{stem}.{fmt}": data for fmt, (stem, data) in rendered.items()}
    written = write_all(files)  # all or none (output.py); OutputError says which file and why
    seconds = time.perf_counter() - started
    log.info("rendered %s in %.3fs", path, seconds)
    return RenderResult(written, problems + _name_notes(loaded, rendered, out_dir is None), seconds, loaded.model)


def _name_notes(loaded: Loaded, rendered: dict[str, tuple[str, bytes]], default_folder: bool) -> list[Problem]:
    """提醒 W901 for each file or folder name changed to suit every system (output.safe_name)."""
    notes = [n for stem, _data in rendered.values() for n in getattr(stem, "notes", ())]
    if default_folder:
        notes += safe_name(loaded.model.department.name, "文件夹名").notes
    where = ("department", "name")
    return [loaded.lines.problem(where, n, severity="W", code="W901") for n in dict.fromkeys(notes)]


__all__ = ["FORMATS", "GoaldocError", "Loaded", "RenderResult", "check", "load", "loads", "render", "render_bytes"]
