"""Compiled templates kept on disk between `goaldoc render` runs (render/template/codecache.py,
issue 23's cold start): what a later run reads, what the user is told, and that nothing it
reads changes a form."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from goaldoc.render.template import codecache
from goaldoc.render.template.markup import make_env

ROOT = Path(__file__).resolve().parents[1]
TAISHAN = ROOT / "samples" / "2024" / "taishan.yaml"
GUIZHOU = next(p for p in sorted((ROOT / "samples").glob("*/*.yaml")) if "form: guizhou" in p.read_text(encoding="utf-8"))

# goaldoc's CLI in a new process (every compile of the run is its own: nothing kept in memory
# from the tests before), counting Jinja's Python compiles of template code
_COUNTING = """
import atexit, importlib, sys
counts = []
for module, owner, name in (
    ("jinja2.environment", "Environment", "_compile"),  # Jinja's Python compiles of template code
    ("openpyxl.reader.excel", "ExcelReader", "read"),  # openpyxl's parses of an Excel template
    ("docxtpl.template", "DocxTemplate", "patch_xml"),  # docxtpl's clean-ups of a Word part
    ("goaldoc.forms.reads", None, "_read_form"),  # the ledger's walks of a form's templates
):
    holder = importlib.import_module(module)
    holder = getattr(holder, owner) if owner else holder
    n = [0]
    def counted(*a, _real=getattr(holder, name), _n=n, **k):
        _n[0] += 1
        return _real(*a, **k)
    setattr(holder, name, counted)
    counts.append(n)
atexit.register(lambda: print("COMPILES", *(n[0] for n in counts), file=sys.stderr))
from goaldoc.cli import main
sys.argv = ["goaldoc", *sys.argv[1:]]
main()
"""


def _render(cache: str, out: Path, *files: Path) -> tuple[int, str, int]:
    """Exit code, what was said, and how many texts Jinja compiled (:func:`_render_counts`)."""
    code, said, compiles, _ = _render_counts(cache, out, *files)
    return code, said, compiles


def _render_counts(cache: str, out: Path, *files: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, int, int]:
    """… and how many Excel templates openpyxl parsed."""
    env = {**os.environ, "GOALDOC_CACHE": cache}
    p = subprocess.run(
        [sys.executable, "-c", _COUNTING, "render", *map(str, files), "-o", str(out), "--jobs", "1", *extra],
        capture_output=True, text=True, env=env, timeout=300,
    )
    counts = next(x.split()[1:] for x in p.stderr.splitlines() if x.startswith("COMPILES "))
    said = "\n".join(x for x in p.stderr.splitlines() if not x.startswith("COMPILES "))
    _PATCHES.append(int(counts[2]))
    _WALKS.append(int(counts[3]))
    return p.returncode, said, int(counts[0]), int(counts[1])


_PATCHES: list[int] = []  # docxtpl's clean-ups of a part's XML, per run of _render_counts (last: the last run)
_WALKS: list[int] = []  # forms whose templates the ledger read (forms/reads.py), per run


def _parts(folder: Path) -> dict[str, bytes]:
    """Every part of every file written, the files' times aside (docProps)."""
    got = {}
    for f in sorted(folder.iterdir()):
        with zipfile.ZipFile(f) as z:
            for n in z.namelist():
                if not n.startswith("docProps/"):
                    got[f"{f.name}/{n}"] = z.read(n)
    return got


def test_a_second_run_compiles_nothing_and_writes_the_same_forms(tmp_path):
    cache = tmp_path / "cache"
    code, said, first, parsed = _render_counts(str(cache), tmp_path / "a", TAISHAN, GUIZHOU)
    assert code == 0, said
    assert f"已建立模板编译缓存 {cache}" in said and "GOALDOC_CACHE=off" in said
    kept = [p.read_bytes() for p in (cache / codecache._namespace()).iterdir()]
    assert first > 20 and parsed == 2
    assert sum(k.startswith(codecache._MAGIC) for k in kept) == first  # every text compiled, kept once
    # each Excel template's parse, docxtpl's clean-up of each Word part it rendered, what
    # each form's templates read (the ledger)
    assert _WALKS[-1] == 2
    assert sum(k.startswith(codecache._BLOB) for k in kept) >= parsed + 2 + 2
    assert all(k.startswith((codecache._MAGIC, codecache._BLOB)) for k in kept)
    assert oct((cache / codecache._namespace()).stat().st_mode & 0o777) == "0o700"

    code, said, second, parsed = _render_counts(str(cache), tmp_path / "b", TAISHAN, GUIZHOU)
    assert code == 0 and "缓存" not in said  # said once, when the folder was made
    assert second == 0 and parsed == 0 and _PATCHES[-1] == 0 and _WALKS[-1] == 0
    a, b = _parts(tmp_path / "a"), _parts(tmp_path / "b")
    assert len(a) > 20 and a == b


def test_a_damaged_entry_is_made_again_and_replaced(tmp_path):
    cache = tmp_path / "cache"
    assert _render(str(cache), tmp_path / "a", TAISHAN)[0] == 0
    kept = sorted((cache / codecache._namespace()).iterdir())
    entries = [p for p in kept if p.read_bytes().startswith(codecache._MAGIC)]  # compiled texts
    # the Excel template's parse, pickled (not the ledger's reading, pickled too)
    book = next(p for p in kept if p.read_bytes().startswith(codecache._BLOB + b"\x80") and b"openpyxl.workbook.workbook" in p.read_bytes())
    entries[0].write_bytes(b"not code")
    entries[1].write_bytes(entries[1].read_bytes()[:40])  # cut short (a full disk, a crash)
    book.write_bytes(book.read_bytes()[:200])
    code, said, compiles, parsed = _render_counts(str(cache), tmp_path / "b", TAISHAN)
    assert code == 0 and compiles == 2 and parsed == 1
    assert _parts(tmp_path / "a") == _parts(tmp_path / "b")
    assert codecache._MAGIC in entries[0].read_bytes() and len(entries[1].read_bytes()) > 40
    assert len(book.read_bytes()) > 1000


def test_an_excel_template_saved_again_is_parsed_again_and_read_again(tmp_path):
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    cache = str(tmp_path / "cache")
    env_files = (TAISHAN,)
    mine = ("--templates", str(templates))
    assert _render_counts(cache, tmp_path / "a", *env_files, extra=mine)[3] == 1
    assert _render_counts(cache, tmp_path / "b", *env_files, extra=mine)[3] == 0
    xlsx = next((templates / "guangdong").glob("*.xlsx"))
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    wb["部门整体"]["A1"].value = "改过的标题"  # an admin's edit
    wb.save(xlsx)
    code, said, _, parsed = _render_counts(cache, tmp_path / "c", *env_files, extra=mine)
    assert code == 0 and parsed == 1 and _WALKS[-1] == 1, said  # the ledger reads the form again too
    titles = [openpyxl.load_workbook(next((tmp_path / d).glob("*.xlsx"))).worksheets[-1]["A1"].value for d in "bc"]
    assert titles[0].startswith("2024年台山市") and titles[1] == "改过的标题"


def test_a_folder_that_cannot_be_written_is_said_and_the_forms_are_made_all_the_same(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, said, compiles = _render(str(blocker / "cache"), tmp_path / "out", TAISHAN)
    assert code == 0 and compiles > 20
    assert f"模板编译缓存的文件夹 {blocker / 'cache'} 无法写入" in said and "GOALDOC_CACHE" in said
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_off_keeps_nothing_and_says_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    code, said, compiles = _render("off", tmp_path / "out", TAISHAN)
    assert code == 0 and compiles > 20 and "缓存" not in said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_what_an_older_jinja_or_python_left_is_removed_and_said(tmp_path):
    old = tmp_path / "cache" / "jinja-2.11.3-cpython-38"
    old.mkdir(parents=True)
    (old / ("0" * 64)).write_bytes(b"old")
    (old / f".{'1' * 64}.77.tmp").write_bytes(b"")
    long_ago = time.time() - (codecache.UNUSED_DAYS + 1) * 86400
    os.utime(old, (long_ago, long_ago))  # no run of that version since
    # not goaldoc's (GOALDOC_CACHE may name a folder that holds other things): left alone
    notes = tmp_path / "cache" / "jinja-notes"
    notes.mkdir()
    (notes / "a.txt").write_text("mine")
    look_alike = tmp_path / "cache" / "jinja-3.0.0-cpython-310"
    look_alike.mkdir()
    (look_alike / "report.docx").write_bytes(b"mine")
    code, said, _ = _render(str(tmp_path / "cache"), tmp_path / "out", TAISHAN)
    assert code == 0 and "删除了旧版本留下的 1 个缓存文件夹" in said
    assert not old.exists()
    assert (notes / "a.txt").read_text() == "mine" and (look_alike / "report.docx").read_bytes() == b"mine"


def test_two_pythons_used_by_turns_keep_each_its_folder(tmp_path, monkeypatch):
    """Another Python's folder that a run used lately is not an old version's: removing it
    made two installs used by turns compile everything at every run, each saying so."""
    other = tmp_path / "jinja-3.1.4-cpython-313"
    other.mkdir()
    (other / ("0" * 64)).write_bytes(b"313")
    where, said = codecache.start(tmp_path)
    try:
        assert where is not None and where != other
        assert said is not None and "旧版本" not in said
        assert (other / ("0" * 64)).read_bytes() == b"313"
        # this Python's folder in turn, used by a run a minute ago, is kept by the other's first run
        monkeypatch.setattr(codecache, "_namespace", lambda: "jinja-3.1.4-cpython-312")
        third, said = codecache.start(tmp_path)
        assert third == tmp_path / "jinja-3.1.4-cpython-312" and said is not None and "旧版本" not in said
        assert where.is_dir() and other.is_dir()
    finally:
        codecache.stop()


def test_the_folder_keeps_at_most_max_entries(tmp_path, monkeypatch):
    monkeypatch.setattr(codecache, "MAX_ENTRIES", 8)
    where = codecache.start(tmp_path)[0]
    try:
        assert where is not None
        for i in range(12):
            (where / f"{i:064x}").write_bytes(b"x")
            os.utime(where / f"{i:064x}", ns=(i * 10**9, i * 10**9))
        (where / f".{0:064x}.123.tmp").write_bytes(b"")  # a killed run's, long ago
        (where / f".{1:064x}.456.tmp").write_bytes(b"")  # a run writing now
        os.utime(where / f".{0:064x}.123.tmp", ns=(0, 0))
        assert codecache.start(tmp_path)[1] is None  # the folder is there: nothing to say
        left = sorted(p.name for p in where.iterdir())
        assert left == [f".{1:064x}.456.tmp", *(f"{i:064x}" for i in range(6, 12))]  # the newest 3/4
    finally:
        codecache.stop()


def test_the_key_holds_what_the_code_depends_on():
    text = "{{ a | amount }}<w:t>R&D</w:t>"
    word, excel = make_env(autoescape=True), make_env(autoescape=False)
    assert codecache._key(word, text, None, None, False) != codecache._key(excel, text, None, None, False)
    assert codecache._key(word, text, None, None, False) == codecache._key(word, text, None, None, False)
    assert codecache._key(word, text, "x", None, False) != codecache._key(word, text, None, None, False)
    assert codecache._key(word, text + " ", None, None, False) != codecache._key(word, text, None, None, False)
    plain = jinja2.Environment(autoescape=True)
    assert codecache._key(plain, text, None, None, False) != codecache._key(word, text, None, None, False)


def test_trees_that_differ_in_a_value_kind_or_line_have_different_texts():
    def tree(value: object, line: int = 1) -> nodes.Template:
        return nodes.Template([nodes.Output([nodes.Const(value, lineno=line)], lineno=line)], lineno=1)

    texts = {codecache.tree_text(t) for t in (tree(1), tree(1.0), tree("1"), tree(True), tree(1, 2))}
    assert len(texts) == 5
    assert codecache.tree_text(tree(1)) == codecache.tree_text(tree(1))


def test_a_library_caller_keeps_nothing_on_disk_unless_it_starts_the_cache():
    assert codecache.folder() is None  # conftest: made, then stopped, as for any library caller


def test_no_home_folder_is_said_and_nothing_is_made_in_the_working_folder(tmp_path, monkeypatch):
    """A service account without a home: Path.home() gives "~" back (Linux) or raises; the
    cache would have been made in ./~/.cache of wherever goaldoc ran."""
    from pathlib import Path as P

    monkeypatch.delenv("GOALDOC_CACHE")
    monkeypatch.chdir(tmp_path)
    for home in (lambda: P("~"), lambda: (_ for _ in ()).throw(RuntimeError("no home"))):
        monkeypatch.setattr(P, "home", staticmethod(home))
        try:
            where, note = codecache.start()
        finally:
            codecache.stop()
        assert where is None and note is not None and "找不到当前用户的主文件夹" in note and "GOALDOC_CACHE" in note
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG_CACHE_HOME is the Linux and BSD way")
def test_a_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv("GOALDOC_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert codecache.default_folder() == tmp_path / ".cache" / "goaldoc"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert codecache.default_folder() == tmp_path / "xdg" / "goaldoc"
