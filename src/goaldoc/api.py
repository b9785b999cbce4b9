"""The library: load a department's YAML, check it, render its forms. The CLI calls these."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .context import all_projects, build_context, select_projects
from .errors import GoaldocError, InputError, Problem, TemplateError
from .forms import FormSpec, load_form
from .forms.reads import ANY, form_reads
from .loader import LineMap, load_file
from .loading import Loaded, apply_acceptances, diagnose_data, form_of, load, loads
from .model import DepartmentYear
from .output import default_dir, safe_name, write_all
from .render import collector_paused

log = logging.getLogger(__name__)

FORMATS = ("docx", "xlsx")
TWO_CORES_ROWS = 1000  # indicators from which a run with a core to spare renders its .xlsx beside its .docx


@dataclass
class RenderResult:
    files: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    model: DepartmentYear | None = None  # what was rendered (for the CLI's summary line)
    form: FormSpec | None = None  # the form it was rendered with
    notes: list[str] = field(default_factory=list)  # which template folder (template_notes)


def render_bytes(
    loaded: Loaded,
    formats: Sequence[str] = FORMATS,
    form: str | None = None,
    templates: str | Path | None = None,
    only: Iterable[str] | None = None,
    two_cores: bool = False,
) -> dict[str, tuple[str, bytes]]:
    """Render in memory: {format: (file stem, bytes)}. Nothing is written.

    ``two_cores``: the .xlsx is rendered in a child process while this one renders the
    .docx (render/beside.py; Linux), for a caller with a core to spare, when the data has
    :data:`TWO_CORES_ROWS` indicators or more (below, starting the child costs more than
    it saves)."""
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
        if not form_reads(spec).reaches(("projects", ANY)):  # a file named after the project, holding none of it
            raise InputError(
                [
                    Problem(
                        f"表样“{spec.name}”（{spec.title}）不印项目表，--only {'、'.join(only)} 生成的文件里不会有这个项目："
                        "要印项目请用 --form 换用印项目表的表样（goaldoc forms 查看），或去掉 --only",
                        ("projects",),
                        loaded.file,
                        code="E012",
                    )
                ]
            )
    from .render.bundle import file_stem, render_format
    from .render.template.sandbox import render_budget

    with render_budget():
        with collector_paused():  # the views of every row are long-lived: see collector_paused
            if spec.stage != "目标":  # a 监控 / 自评 form: the targets with the year's facts (issue 19)
                from .stage.context import stage_context

                ctx = stage_context(_stage_model(loaded, spec), spec, only)
            else:
                ctx = build_context(model, spec, only)
        stem = file_stem(spec, ctx, only)
        made: dict[str, bytes] = {}
        broken: dict[str, list[Problem]] = {}  # every format tried: the Word and the Excel template's errors in one run
        child = None
        if two_cores and "xlsx" in formats and len(formats) > 1 and _rows(model) >= TWO_CORES_ROWS:
            from .render.beside import Beside

            child = Beside.start(render_format, spec, ctx, "xlsx")
        try:
            for fmt in formats:
                if child is not None and fmt == "xlsx":
                    continue
                try:
                    made[fmt] = render_format(spec, ctx, fmt)
                except TemplateError as exc:
                    broken[fmt] = exc.problems
            if child is not None:
                try:
                    got = child.result()
                    made["xlsx"] = got if got is not None else render_format(spec, ctx, "xlsx")  # it died: here
                except TemplateError as exc:
                    broken["xlsx"] = exc.problems
        except BaseException:
            if child is not None:
                child.cancel()  # Ctrl-C, or anything else: no child is left running
            raise
        if broken:
            raise TemplateError([p for fmt in formats for p in broken.get(fmt, [])])
    return {fmt: (stem, made[fmt]) for fmt in formats}


def _rows(model: DepartmentYear) -> int:
    """The indicator rows of a department: its own and every project's."""
    return len(model.indicators) + sum(len(p.indicators) for p, _unit in all_projects(model))


def _stage_model(loaded: Loaded, spec: Any) -> DepartmentYear:
    """The data of a stage form: a stage file's merged model; target data prints as the
    form with its targets and the year's columns blank (any data, any form)."""
    from .stage.link import as_stage
    from .stage.model import is_stage

    return loaded.model if is_stage(loaded.model) else as_stage(loaded.model, spec)


def check(path: str | Path, templates: str | Path | None = None) -> list[Problem]:
    """Every problem of one file: YAML, schema, then the finance bureau's rules."""
    return diagnose(path, templates)[1]


def diagnose(
    path: str | Path, templates: str | Path | None = None, form: str | None = None
) -> tuple[Loaded | None, list[Problem]]:
    """Load and check once: the loaded file (None when it cannot be rendered) and its problems.

    The form the data names decides the schema (its declared fields and variants), the
    indicator vocabulary and the rules' numbers; ``form`` (``render --form``), when given,
    decides what is printed: the values it does not print are reported (W312)."""
    try:
        data, lines, notes = read_input(path, templates)
    except InputError as exc:
        return None, exc.problems
    loaded, problems = diagnose_data(data, lines, str(path), templates, form)
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


def render(
    path: str | Path,
    out_dir: str | Path | None = None,
    formats: Sequence[str] = FORMATS,
    form: str | None = None,
    templates: str | Path | None = None,
    only: Iterable[str] | None = None,
    force: bool = False,
    two_cores: bool = False,
) -> RenderResult:
    """Load, check and render one department's YAML; write the files only if all went well.

    Errors found by the checks stop the render (nothing is written) unless ``force``.
    ``two_cores``: see :func:`render_bytes`.
    """
    from .checks import UNWRITABLE

    started = time.perf_counter()
    loaded, problems = diagnose(path, templates, form)  # the same list as `goaldoc check`
    if loaded is None:
        raise InputError(problems)
    # no --force and no `accepted:` makes a file hold what it cannot (checks.UNWRITABLE)
    if any((p.is_error and not force) or (p.severity == "E" and p.code in UNWRITABLE) for p in problems):
        raise InputError(problems)
    rendered = render_bytes(loaded, formats, form, templates, only, two_cores)
    spec = load_form(form, templates) if form or templates else loaded.form
    target = Path(out_dir) if out_dir else default_dir(loaded.model)
    files = {target / f"{stem}.{fmt}": data for fmt, (stem, data) in rendered.items()}
    written = write_all(files)  # all or none (output.py); OutputError says which file and why
    seconds = time.perf_counter() - started
    log.info("rendered %s in %.3fs", path, seconds)
    notes = template_notes(spec, path, templates) if spec is not None else []
    return RenderResult(written, problems + _name_notes(loaded, rendered, out_dir is None), seconds, loaded.model, spec, notes)


def template_notes(spec: FormSpec, data_file: str | Path | None = None, templates: str | Path | None = None) -> list[str]:
    """The line a run prints about its templates (issue 16 item 3): the folder it used when
    that is not goaldoc's own; with goaldoc's own, a ``templates/`` beside the data holding
    this form that was not used (goaldoc finds a folder named ``templates`` only in the
    folder it runs in: forms.search_path)."""
    from .forms import search_path, shipped_templates

    shipped = {d.resolve() for d in shipped_templates()}
    found = next((d / "national.yaml" for d in search_path(templates) if (d / "national.yaml").is_file()), None)
    tree = f"；指标体系和审核规则用的是 {found}" if found is not None and found.parent.resolve() not in shipped else ""
    if spec.folder.resolve().parent not in shipped:
        return [f"表样“{spec.name}”用的是模板文件夹 {spec.folder}（不是 goaldoc 自带的）{tree}"]
    if tree:
        return [f"表样“{spec.name}”用的是 goaldoc 自带的模板{tree}（不是 goaldoc 自带的）"]
    if data_file is None:
        return []
    searched = {d.resolve() for d in search_path(templates)}
    for parent in list(Path(data_file).resolve().parents)[:6]:
        beside = parent / "templates"
        if (beside / spec.name / "form.yaml").is_file() and beside.resolve() not in searched:
            return [
                f"表样“{spec.name}”用的是 goaldoc 自带的模板，没有用 {beside} 里的同名表样：goaldoc 只用 --templates 指定的、"
                f"环境变量 GOALDOC_TEMPLATES 指定的和在哪个文件夹里运行就用那里的 templates/；要用它请加 --templates {beside}"
            ]
    return []


def _name_notes(loaded: Loaded, rendered: dict[str, tuple[str, bytes]], default_folder: bool) -> list[Problem]:
    """提醒 W901 for each file or folder name changed to suit every system (output.safe_name)."""
    notes = [n for stem, _data in rendered.values() for n in getattr(stem, "notes", ())]
    if default_folder:
        notes += safe_name(loaded.model.department.name, "文件夹名").notes
    where = ("department", "name")
    return [loaded.lines.problem(where, n, severity="W", code="W901") for n in dict.fromkeys(notes)]


__all__ = [
    "FORMATS",
    "GoaldocError",
    "Loaded",
    "RenderResult",
    "apply_acceptances",
    "check",
    "diagnose",
    "diagnose_data",
    "form_of",
    "load",
    "loads",
    "render",
    "render_bytes",
    "template_notes",
]
