"""A cold `goaldoc render` of one department (issue 23: at most twice the bare imports of its
libraries, in CPU): what it leaves out and what it leaves to the system. No timing here
(bench/county.py measures it): each test says what the process does or does not do."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import ROOT, SAMPLES
from goaldoc import api, batch
from goaldoc.cli import main

TAISHAN = str(SAMPLES / "2024" / "taishan.yaml")

# runs goaldoc's CLI as `goaldoc ARGS` does, then reports from an exit handler registered
# before the CLI's own (exit handlers run last-in, first-out: this one runs after them all)
PROBE = """
import atexit, gc, sys
def probe():
    print("FROZEN", gc.get_freeze_count() > 0)
    print("MODULES", " ".join(sorted(sys.modules)))
    later = sys.modules.get("goaldoc.lazyre")  # patterns deferred (compile_later) and still not compiled
    print("UNCOMPILED", " ".join(sorted(
        f"{m}.{k}" for m, mod in list(sys.modules.items()) if m.startswith("goaldoc") and later
        for k, v in vars(mod).items() if isinstance(v, later._Later) and v.compiled is None
    )))
atexit.register(probe)
class Imports:  # the collector's state as goaldoc.batch (and pydantic's machinery with it) is imported
    def find_spec(self, name, path=None, target=None):
        if name == "goaldoc.batch":
            print("COLLECTOR_AT_BATCH", gc.isenabled())
sys.meta_path.insert(0, Imports())
from goaldoc.cli import main
sys.argv = ["goaldoc", *sys.argv[1:]]
main()
"""


def _cli_process(*args: str) -> dict[str, str]:
    res = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    return dict(line.split(" ", 1) for line in res.stdout.splitlines() if line.startswith(("FROZEN ", "MODULES ", "COLLECTOR_AT_BATCH ", "UNCOMPILED ")))


def _library_modules() -> set[str]:
    """What importing goaldoc's libraries alone brings, in this Python (bench/floors.py's floor)."""
    code = "import sys, docx, docxtpl, openpyxl, jinja2, pydantic, yaml, click; print(' '.join(sys.modules))"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())


def test_the_cli_leaves_its_heap_to_the_system_at_exit(tmp_path):
    """The interpreter's last collections would walk and free every object of the run just
    before the process ends: the CLI freezes them at exit instead (a tenth of a cold render)."""
    got = _cli_process("render", TAISHAN, "-o", str(tmp_path))
    assert got["FROZEN"] == "True"
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".docx", ".xlsx"]


def test_a_yaml_render_imports_what_it_uses_with_the_collector_off(tmp_path):
    """A render of one YAML file imports neither what only the LibreOffice layout pass needs
    (subprocess: render/pages/contents.py) nor goaldoc.batch with the collector on (its
    import brings pydantic's machinery: the automatic collections meanwhile were ~6 ms), and
    compiles no pattern it does not use."""
    got = _cli_process("render", TAISHAN, "-o", str(tmp_path))
    modules = set(got["MODULES"].split())
    assert "goaldoc.render.pages.contents" in modules  # the module that runs LibreOffice when asked
    # not imported by goaldoc: on Python 3.10 click imports it itself (click.types → uuid →
    # platform → subprocess), in the bare imports of the libraries too
    assert "subprocess" not in modules or "subprocess" in _library_modules()
    assert got["COLLECTOR_AT_BATCH"] == "False"
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".docx", ".xlsx"]
    # patterns only a mistake or a rarer form needs are compiled when used (goaldoc.lazyre), not
    # at import: ~10 ms of a cold render, most of it yamlhints' explanations of YAML mistakes
    uncompiled = set(got["UNCOMPILED"].split())
    assert {f"goaldoc.yamlhints.{k}" for k in YAMLHINTS_PATTERNS} <= uncompiled, uncompiled
    assert {f"goaldoc.{k}" for k in OTHER_PATTERNS} <= uncompiled, uncompiled
    # where a Word template's mistake is (render/word/locate.py, syntax.py): not even imported
    assert not {"goaldoc.render.word.locate", "goaldoc.render.word.syntax", "goaldoc.render.excel.syntax"} & modules


YAMLHINTS_PATTERNS = ("_FW_COLON", "_FW_INDENT", "_NO_SPACE", "_BARE_KEY", "_WELL_FORMED", "_CURLY", "_FLOW_KEY", "_FW_COLON_TEXT", "_KEY_VALUE")
OTHER_PATTERNS = (
    "model._LOOSE_GROUPS", "model._PATH_KEY", "model._PATH_ITEM", "values._AMOUNT_RE", "forms.spec._PATH", "paths._PATH_PART",
)


def test_a_deferred_pattern_is_the_pattern_once_used():
    """goaldoc.lazyre: the first use compiles it; its methods are then the pattern's own."""
    import re

    from goaldoc.lazyre import compile_later

    p = compile_later(r"(\d+)年", re.S)
    assert p.compiled is None  # type: ignore[attr-defined]
    assert p.match("2024年")[1] == "2024" and p.flags & re.S and p.pattern == r"(\d+)年"
    assert isinstance(p.compiled, re.Pattern) and p.match == p.compiled.match  # type: ignore[attr-defined]
    assert [m[1] for m in p.finditer("2023年、2024年")] == ["2023", "2024"]


def test_the_last_department_rendered_here_is_frozen_as_it_is_not_collected(tmp_path, monkeypatch):
    """Issue 23 item 3 and the cold start: one collection after each department but the last
    of a run in this process (a single file, --jobs 1), whose heap is frozen as it is (its
    collection walked every module the renderers imported, ~25-35 ms of a cold render); the
    run's end thaws it, and the collector is on again."""
    collections = []
    real = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or real(*a))
    steps = list(batch.run([TAISHAN, str(SAMPLES / "2023" / "liuzhi.yaml")], batch.Options(out_dir=str(tmp_path / "two"), jobs=1)))
    assert [s.outcome.failed for s in steps if s.phase == "render"] == [False, False]
    assert len(collections) == 1  # after the first only
    assert gc.isenabled() and gc.get_freeze_count() == 0
    collections.clear()
    steps = list(batch.run([TAISHAN], batch.Options(out_dir=str(tmp_path / "one"))))
    assert [s.outcome.failed for s in steps if s.phase == "render"] == [False]
    assert collections == []
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_start_up_is_frozen_before_the_first_department_and_thawed_after(tmp_path, monkeypatch):
    """Issue 23 item 3, frozen after start-up: the collection after the first department walks
    what it made, not every module imported to make it; the command's end thaws it all (the
    process goes on: here, the tests)."""
    seen = []
    real = api.render

    def spy(*args, **kw):  # type: ignore[no-untyped-def]
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return real(*args, **kw)

    monkeypatch.setattr(api, "render", spy)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    res = CliRunner().invoke(main, ["render", TAISHAN, "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert seen == [(False, True)]  # paused, start-up frozen
    assert gc.isenabled() and gc.get_freeze_count() == 0
    monkeypatch.setattr(batch, "run", lambda files, opts: iter(()))  # no department through: batch thaws nothing
    CliRunner().invoke(main, ["render", TAISHAN, "-o", str(tmp_path)])
    assert gc.isenabled() and gc.get_freeze_count() == 0  # the command's end thawed it


def test_no_model_field_defaults_to_a_builtin_that_pydantic_must_parse():
    """Building a schema, pydantic asks every default factory's signature; a builtin type
    such as ``list`` only has a text signature, parsed anew each time (~0.3 ms a field, 41
    fields in a render): the models use ``model.new_list``, a Python function."""
    import pydantic

    from goaldoc import model
    from goaldoc.forms import available_forms, fields, load_form, spec, vocabulary
    from goaldoc.stage import model as stage_model
    from goaldoc.stage import spec as stage_spec

    classes = {load_form(name).model for name in available_forms()}  # each form's own model
    for module in (model, spec, fields, vocabulary, stage_spec, stage_model):
        classes |= {c for c in vars(module).values() if isinstance(c, type) and issubclass(c, pydantic.BaseModel)}
    slow = [
        f"{c.__name__}.{name}"
        for c in classes
        for name, info in c.model_fields.items()
        if getattr(info.default_factory, "__text_signature__", None) is not None
    ]
    assert len(classes) > 40 and not slow, slow


def test_a_file_with_errors_imports_no_renderer(tmp_path):
    """A clerk's file with a mistake is said without python-docx, docxtpl or openpyxl (a
    tenth of a second and more of a cold start): the renderers are imported when a file is
    rendered, not at start-up."""
    bad = tmp_path / "有错.yaml"
    bad.write_text(Path(TAISHAN).read_text(encoding="utf-8").replace("year: 2024", "year: 二〇二四", 1), encoding="utf-8")
    res = subprocess.run([sys.executable, "-c", PROBE, "render", str(bad), "-o", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 1 and "E010" in res.stderr, res.stderr
    modules = set(next(line for line in res.stdout.splitlines() if line.startswith("MODULES ")).split()[1:])
    assert "goaldoc.api" in modules
    assert not modules & {"docx", "docxtpl", "openpyxl", "goaldoc.render.word.document", "goaldoc.render.excel.workbook"}
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
