"""What a form is: read from ``templates/<name>/form.yaml`` (data, not code).

A template folder holds the Word and Excel files an admin edits, plus ``form.yaml``
(documented in templates/README.md): which files, which output sheets, how amounts print,
the form's indicator vocabulary and rule numbers (on top of ``templates/national.yaml``),
the fields it prints beyond the common model, its project variants.

Templates are looked up along a search path: a user's folder (``--templates``) first, then
``$GOALDOC_TEMPLATES``, ``./templates`` in the working directory, then the templates
shipped with goaldoc (the package ``goaldoc_templates``: the checkout's ``templates/`` for
an editable install, a copy in site-packages otherwise — every folder goes along, no list
to keep). ``national.yaml`` is taken from the first folder of the path that has one.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from ..errors import Problem, TemplateError
from .fields import FieldSpec, FieldsSpec
from .spec import CONTRACT, FormSpec, NationalSpec, SheetSpec, ShowSpec, parse_form, parse_national
from .vocabulary import KINDS, Vocabulary

__all__ = [
    "CONTRACT",
    "KINDS",
    "FieldSpec",
    "FieldsSpec",
    "FormSpec",
    "NationalSpec",
    "SheetSpec",
    "ShowSpec",
    "Vocabulary",
    "available_forms",
    "load_form",
    "national",
    "resolve_form_name",
    "search_path",
    "shipped_templates",
    "unknown_form",
]


def shipped_templates() -> list[Path]:
    """The folders of the package goaldoc_templates (pyproject maps templates/ to it)."""
    try:
        import goaldoc_templates
    except ImportError:  # pragma: no cover - only a broken install lacks it
        return [Path(__file__).resolve().parents[3] / "templates"]
    return [Path(p) for p in goaldoc_templates.__path__ if Path(p).is_dir()]


def search_path(user_dir: str | Path | None = None) -> list[Path]:
    dirs: list[Path] = []
    if user_dir:
        dirs.append(Path(user_dir))
    env = os.environ.get("GOALDOC_TEMPLATES")
    if env:
        dirs.append(Path(env))
    dirs.append(Path.cwd() / "templates")
    dirs += shipped_templates()
    out: list[Path] = []
    for d in dirs:
        if d.resolve() not in [o.resolve() for o in out]:
            out.append(d)
    return out


def available_forms(user_dir: str | Path | None = None) -> list[str]:
    names: list[str] = []
    for d in search_path(user_dir):
        if d.is_dir():
            names += [p.parent.name for p in sorted(d.glob("*/form.yaml")) if p.parent.name not in names]
    return names


_CACHE: dict[tuple[str, ...], tuple[tuple[float, ...], object]] = {}


def _cached(key: tuple[str, ...], files: list[Path], make):  # type: ignore[no-untyped-def]
    """One parse per file version for the process (a batch loads each form once)."""
    stamp = tuple(f.stat().st_mtime_ns for f in files)
    hit = _CACHE.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    value = make()
    _CACHE[key] = (stamp, value)
    return value


def national(user_dir: str | Path | None = None) -> NationalSpec:
    """templates/national.yaml: the first found along the search path."""
    for d in search_path(user_dir):
        f = d / "national.yaml"
        if f.is_file():
            return _cached(("national", str(f.resolve())), [f], lambda f=f: parse_national(f))  # type: ignore[no-any-return,misc]
    raise TemplateError([Problem("找不到 templates/national.yaml（全国通用的指标体系和规则）：goaldoc 安装不完整", (), code="T011")])


def load_form(name: str | None, user_dir: str | Path | None = None) -> FormSpec:
    """The form folder ``name`` along the search path (None: national.yaml's default_form)."""
    nat = national(user_dir)
    name = name or nat.default_form
    for d in search_path(user_dir):
        spec_file = d / name / "form.yaml"
        if spec_file.is_file():
            key = ("form", str(spec_file.resolve()), str(id(nat)))  # a changed national.yaml is a new nat
            return _cached(key, [spec_file], lambda f=spec_file: parse_form(f, name, nat))  # type: ignore[no-any-return,misc]
    folder, problem = resolve_form_name(name, user_dir)
    if folder is not None and folder != name:
        return load_form(folder, user_dir)
    raise TemplateError([problem or unknown_form(name, user_dir)])


def resolve_form_name(name: str, user_dir: str | Path | None = None) -> tuple[str | None, Problem | None]:
    """The folder of a form asked for by folder name or by a Chinese name (issue 21 item 4:
    ``--form 某省``): a name its form.yaml lists under ``names:``, else a part of one of
    those names or of its title that only one form has. (folder, None), or (None, the
    problem: unknown, or which forms the name fits)."""
    known = available_forms(user_dir)
    if name in known:
        return name, None
    specs: dict[str, FormSpec] = {}
    for folder in known:
        try:
            specs[folder] = load_form(folder, user_dir)
        except TemplateError:
            continue  # a broken folder: named when it is asked for by its own name
    exact = [f for f, s in specs.items() if name in s.names or name == s.title]
    part = [f for f, s in specs.items() if any(name in n for n in (*s.names, s.title))]
    found = exact or part
    if len(found) == 1:
        return found[0], None
    if len(found) > 1:
        listed = "、".join(f"{f}（{specs[f].title}）" for f in found)
        return None, Problem(f"“{name}”可以指 {listed}：请写其中一个的名字（goaldoc forms 查看）", ("form",), code="E011")
    return None, unknown_form(name, user_dir)


def unknown_form(name: str, user_dir: str | Path | None = None, **where: object) -> Problem:
    """The problem of a form name no folder has, with the known names and the nearest one."""
    known = available_forms(user_dir)
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"是不是“{near[0]}”？" if near else ""
    listed = "、".join(known) or "（无）"
    return Problem(
        f"没有名为“{name}”的表样：{hint}可用的表样有 {listed}（goaldoc forms 查看）",
        ("form",),
        code="E011",
        **where,  # type: ignore[arg-type]
    )
