"""Compiled templates, and parsed Excel templates, kept on disk between runs (issue 23: the
cold start, and each worker's first department of a form).

Jinja turns every template text into Python code before it runs it: parse, code generation,
``compile()``. A cold one-file render spent ~100 ms of its ~920 ms CPU on it, and in a
county round each worker does it again for every form (338 texts, ~0.8 s). The same text
in an environment with the same settings always compiles to the same code, so the code can
be kept the way Python keeps a module's bytecode in ``__pycache__``: here, one file per text,
named by a SHA-256 of everything the code depends on (the text, its name, the
environment's settings and filters, Jinja's and Python's versions). A changed template is
a different text: a new file; nothing is ever read for a text it was not made from.
Each Excel template's parse is kept the same way (:func:`load_bytes`, excel/workbook.py:
openpyxl's parse of a template was ~40 ms, again in each worker for each form).

The folder (``default_folder``): ``$GOALDOC_CACHE`` when set (``off`` turns it off),
else the system's cache folder (``~/.cache/goaldoc`` on Linux). Only ``goaldoc render``
turns it on (:func:`start`, which says when it made the folder); a library caller of
:func:`goaldoc.api.render` compiles in memory as before unless it calls :func:`start`.
Deleting the folder at any time is safe: it is made again, and every text compiled again.

What is read back is Python code (``marshal``), like a ``.pyc``, and pickled workbooks:
whoever can write into the cache folder can run code as the user, exactly as with
``__pycache__`` or ``~/.bashrc`` — the folder is made private to the user (0700). Templates themselves cannot write there:
their code is only ever made here, by Jinja, from the sandboxed environment, and a
workbook's pickle by goaldoc from openpyxl's parse.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import re
import sys
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from jinja2 import nodes

ENV_VAR = "GOALDOC_CACHE"
MAX_ENTRIES = 4096  # texts kept; beyond that the oldest go (a county round makes ~340)
_MAGIC = b"goaldoc-jinja-1\n"
_BLOB = b"goaldoc-bytes-1\n"
_OFF = ("", "0", "off", "no", "false", "none")

_folder: Path | None = None  # this process's cache of compiled texts; None: off
T = TypeVar("T")


def default_folder() -> Path | None:
    """Where the cache lives: ``$GOALDOC_CACHE`` (None when it says off), else the system's
    folder for a user's caches."""
    given = os.environ.get(ENV_VAR)
    if given is not None:
        return None if given.strip().lower() in _OFF else Path(given).expanduser().absolute()  # said as a full path
    try:
        home = Path.home()
    except RuntimeError:  # no HOME, and no entry in the system's user list
        return None
    if not home.is_absolute():  # the same, on Linux: "~" comes back as it is
        return None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return base / "goaldoc" / "cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "goaldoc"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if Path(xdg).is_absolute() else home / ".cache") / "goaldoc"  # a relative one is ignored (XDG)


def _namespace() -> str:
    """Code made by one Jinja for one Python: another version is another folder."""
    return f"jinja-{jinja2.__version__}-{sys.implementation.cache_tag}"


def start(folder: Path | None = None) -> tuple[Path | None, str | None]:
    """Turn the cache on in this process (workers forked after it inherit it): ``folder``, or
    :func:`default_folder`. Returns the folder in use (None: off) and what the user should
    be told, if anything: that the folder was made (with the size of what an older Jinja or
    Python left there, now removed), or why it cannot be used (then the run compiles in
    memory, as slow as before, and nothing else changes)."""
    global _folder
    _folder = None
    base = folder if folder is not None else default_folder()
    if base is None:
        if folder is None and os.environ.get(ENV_VAR) is None:  # not turned off: no home folder to keep it in
            return None, f"找不到当前用户的主文件夹，本次不用模板编译缓存（生成照常，只是稍慢）：可以设环境变量 {ENV_VAR} 指定一个文件夹"
        return None, None
    where = base / _namespace()
    made = not where.is_dir()
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = where / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return None, (
            f"模板编译缓存的文件夹 {base} 无法写入（{exc.strerror or exc}）：本次照常生成，只是不用缓存、稍慢；"
            f"可以设环境变量 {ENV_VAR} 指定别的文件夹，或设为 off 不用缓存"
        )
    _folder = where
    if not made:
        _prune(where)
        return where, None
    old = [p for p in base.glob("jinja-*") if p != where and _ours(p) and _unused(p)]
    for p in old:
        _remove_tree(p)
    gone = f"，并删除了旧版本留下的 {len(old)} 个缓存文件夹" if old else ""
    return where, (
        f"已建立模板编译缓存 {base}（让以后的生成更快{gone}）：可以随时删除；设环境变量 {ENV_VAR}=off 则不用缓存"
    )


def stop() -> None:
    """Back to compiling in memory only (tests; a library caller done with its renders)."""
    global _folder
    _folder = None


def folder() -> Path | None:
    return _folder


def _key(env: jinja2.Environment, source: str, name: str | None, filename: str | None, defer_init: bool) -> str:
    """Everything Jinja's code for ``source`` depends on, hashed. Filters and tests by name and
    by what Jinja passes them (its code names each one and calls it accordingly; the functions
    themselves are looked up when the code runs)."""

    def passes(table: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((k, str(getattr(f, "jinja_pass_arg", ""))) for k, f in table.items())

    settings = (
        type(env).__module__,
        type(env).__qualname__,
        env.code_generator_class.__qualname__,
        env.context_class.__qualname__,
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        env.finalize is None,
        env.autoescape if isinstance(env.autoescape, bool) else repr(env.autoescape),
        sorted(env.extensions),
        passes(env.filters),
        passes(env.tests),
        sorted(getattr(env, "intercepted_binops", ())),
        sorted(getattr(env, "intercepted_unops", ())),
        name,
        filename,
        defer_init,
    )
    h = hashlib.sha256(repr(settings).encode())
    h.update(b"\0")
    h.update(source.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def key_of(*parts: Any) -> str:
    """A key for :func:`load_bytes`: the SHA-256 of ``parts`` (bytes as they are, the rest
    by repr)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


@functools.cache
def code_of(*modules: str) -> bytes:
    """The source of goaldoc's ``modules`` (by name), for a key: what they make changes with
    them (an upgrade, an edited checkout). Read once a process."""
    import importlib

    return b"\0".join(Path(importlib.import_module(m).__file__ or "").read_bytes() for m in modules)


def load_bytes(key: str) -> bytes | None:
    """What :func:`store_bytes` kept under ``key`` (a parsed Excel template: excel/workbook.py),
    or None (the cache off, nothing kept, or a damaged file, which is removed)."""
    return _read(key, _BLOB)


def store_bytes(key: str, data: bytes) -> None:
    _write(key, _BLOB + data)


def get_or_make(parts: Callable[[], Sequence[Any]], make: Callable[[], T], dump: Callable[[T], bytes], load: Callable[[bytes], T]) -> T:
    """``make()``, or what an earlier run kept of it under :func:`key_of` ``(*parts())``
    (``load`` of the bytes ``dump`` made; a ``load`` that raises is a damaged entry: made
    again). With the cache off, ``make()`` alone: ``parts`` (which may read files) is not
    asked for."""
    if _folder is None:
        return make()
    key = key_of(*parts())
    kept = _read(key, _BLOB)
    if kept is not None:
        try:
            return load(kept)
        except Exception:  # noqa: BLE001 - damaged (a disk error, a hand edit): made again, below
            pass
    value = make()
    _write(key, _BLOB + dump(value))
    return value


def compiled(env: jinja2.Environment, text: str, name: str | None, filename: str | None, defer_init: bool, compile_: Callable[[], Any]) -> Any:
    """Jinja's code for a template text (or a tree's :func:`tree_text`): ``compile_()``, or the
    code an earlier run kept of it (``marshal``, as a ``.pyc`` holds it)."""
    if _folder is None:
        return compile_()
    key = _key(env, text, name, filename, defer_init)
    data = _read(key, _MAGIC)
    if data is not None:
        with contextlib.suppress(ValueError, EOFError, TypeError):
            code = marshal.loads(data)
            if isinstance(code, types.CodeType):
                return code
    code = compile_()
    if isinstance(code, types.CodeType):
        _write(key, _MAGIC + marshal.dumps(code))
    return code


def _read(key: str, magic: bytes) -> bytes | None:
    """The bytes after ``magic`` kept under ``key``; a file without it is damaged: removed."""
    where = _folder
    if where is None:
        return None
    try:
        data = (where / key).read_bytes()
    except OSError:
        return None
    if data.startswith(magic):
        return data[len(magic) :]
    with contextlib.suppress(OSError):
        (where / key).unlink()
    return None


def _write(key: str, data: bytes) -> None:
    """Written whole or not at all (another worker may be writing the same entry at the same
    moment: the same bytes, the last rename wins)."""
    where = _folder
    if where is None:
        return
    tmp = where / f".{key}.{os.getpid()}.tmp"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, where / key)
    except OSError:  # the disk filled up, the folder was deleted: compile in memory from now
        with contextlib.suppress(OSError):
            tmp.unlink()
        stop()


def tree_text(tree: nodes.Node) -> str:
    """A program given as a tree, as text for :func:`compiled`'s key: every node's kind, line
    (Jinja's code maps its lines to the template's, for error messages) and fields."""
    out: list[str] = ["\0tree\0"]

    def walk(x: Any) -> None:
        if isinstance(x, nodes.Node):
            out.append(f"{type(x).__name__}@{getattr(x, 'lineno', None)}(")
            for field, value in x.iter_fields():
                out.append(f"{field}=")
                walk(value)
                out.append(",")
            out.append(")")
        elif isinstance(x, list | tuple):
            out.append("[" if isinstance(x, list) else "(")
            for v in x:
                walk(v)
                out.append(",")
            out.append("]" if isinstance(x, list) else ")")
        else:
            out.append(f"{type(x).__name__}:{x!r}")

    walk(tree)
    return "".join(out)


def _prune(where: Path) -> None:
    """Beyond :data:`MAX_ENTRIES` texts, the oldest written go, down to three quarters; a
    text half-written by a run that was killed (an hour old) goes too."""
    import time

    try:
        with os.scandir(where) as it:
            entries = [e for e in it if e.is_file()]
        stale = time.time() - 3600
        for e in [e for e in entries if e.name.startswith(".")]:
            entries.remove(e)
            with contextlib.suppress(OSError):
                if e.stat().st_mtime < stale:
                    os.unlink(e.path)
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for e in entries[: len(entries) - MAX_ENTRIES * 3 // 4]:
            with contextlib.suppress(OSError):
                os.unlink(e.path)
    except OSError:
        pass


_ENTRY = re.compile(r"[0-9a-f]{64}|\.[0-9a-f]{64}\.\d+\.tmp|\.probe-\d+")


def _ours(p: Path) -> bool:
    """A folder another Jinja's or Python's goaldoc made here: named as :func:`_namespace`
    names them, and holding nothing but entries named as this module names them. Anything
    else is left alone ($GOALDOC_CACHE may name a folder that holds other things)."""
    if not re.fullmatch(r"jinja-[0-9][0-9A-Za-z.+]*-[a-z]+-?[0-9]+", p.name) or p.is_symlink() or not p.is_dir():
        return False
    try:
        return all(_ENTRY.fullmatch(e.name) and e.is_file(follow_symlinks=False) for e in os.scandir(p))
    except OSError:
        return False


# another Python's or Jinja's folder goes once no run has used it for this long: two Pythons
# (or two goaldoc installs) used by turns each removed the other's at every first run, so
# neither kept a cache and every run said it had made one (seen with 3.11 and 3.13 here)
UNUSED_DAYS = 30


def _unused(p: Path) -> bool:
    """No run of its version has started for :data:`UNUSED_DAYS` days: each start writes
    and removes its probe there (:func:`start`), which sets the folder's time."""
    import time

    try:
        return p.stat().st_mtime < time.time() - UNUSED_DAYS * 86400
    except OSError:
        return False


def _remove_tree(p: Path) -> None:
    import shutil

    shutil.rmtree(p, ignore_errors=True)
