"""Who writes where: one goaldoc at a time into an output, and temporary folders that die
with the run that made them (issue 18 items 5 and 6).

* :func:`writing_into` — two imports into one ``-o`` at once both said 已导入 (the second
  overwrote the first between its look and its write). A run holds a lock for its output
  (a folder, or a file) while it writes; a second run is refused with the first one's
  process and command (B003). The lock file lives in the system's temporary folder, named
  by the output's absolute path, so nothing is added to the clerk's folders and an output
  that does not exist yet can be locked.
* :func:`owned_tempdir` — a LibreOffice conversion works in a temporary folder; kill -9 left
  it behind (29 MB for a batch). The live run holds a lock on a file inside it; the next run
  removes the folders whose lock nobody holds (and the output locks a killed run left).

Locks are ``flock`` locks: the system releases them when the process ends, however it ends.
Where there is no ``flock`` (Windows) outputs are not locked and nothing is swept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError, Problem

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_OWNER = ".goaldoc-owner"
_LOCK_PREFIX = "goaldoc-lock-"
SWEPT_PREFIXES = ("goaldoc-pdf-", "goaldoc-convert-", "goaldoc-stage-")


# ---------------------------------------------------------------- one writer per output


def lock_file(path: str | Path) -> Path:
    """Where the lock of ``path`` lives: the same for every way of naming it."""
    key = os.path.normcase(os.path.realpath(os.path.abspath(path)))
    if sys.platform in ("darwin", "win32"):  # file systems that ignore case
        key = key.casefold()
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / f"{_LOCK_PREFIX}{digest}"


@contextlib.contextmanager
def writing_into(path: str | Path) -> Iterator[None]:
    """Hold the lock for writing into ``path`` for the block. Raises :class:`InputError`
    (B003, nothing done) when another goaldoc holds it."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    where = lock_file(path)
    while True:
        fd = os.open(where, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise InputError([_busy(path, holder)]) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(where).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the file was removed by a run that let go of it: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n{int(time.time())}\n{' '.join(['goaldoc', *sys.argv[1:]])[:300]}\n".encode("utf-8", "replace"))
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(where)  # while still held: a run waiting on it takes a new one
        os.close(fd)


def _read_holder(fd: int) -> tuple[str, str, str] | None:
    try:
        text = os.pread(fd, 1000, 0).decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    if len(text) < 3 or not text[0].isdigit():
        return None
    return text[0], text[1], text[2]


def _busy(path: str | Path, holder: tuple[str, str, str] | None) -> Problem:
    who = "另一个 goaldoc"
    if holder is not None:
        pid, started, cmd = holder
        try:
            since = time.strftime("%H:%M:%S", time.localtime(int(started)))
        except (ValueError, OverflowError):
            since = "?"
        who = f"另一个 goaldoc（进程 {pid}，{since} 开始：{cmd}）"
    return Problem(
        f"{who}正在往这里写文件：两个同时写会互相覆盖，却都说完成了，这次什么也没有做：请等它结束后再运行，"
        "或换一个输出（-o）",
        (),
        str(path),
        code="B003",
    )


# ---------------------------------------------------------------- temporary folders


@contextlib.contextmanager
def owned_tempdir(prefix: str) -> Iterator[Path]:
    """A temporary folder that this process owns while the block runs, removed after it;
    folders of ours that a killed run left are removed first."""
    sweep()
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    fd = None
    try:
        if fcntl is not None:
            fd = os.open(folder / _OWNER, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        if fd is not None:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)


def make_owned_tempdir(prefix: str) -> tuple[Path, int | None]:
    """Like :func:`owned_tempdir` for a folder that outlives a block: (folder, the lock's
    descriptor, for :func:`remove_owned`)."""
    sweep()
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    fd = None
    if fcntl is not None:
        fd = os.open(folder / _OWNER, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
    return folder, fd


def remove_owned(folder: Path, fd: int | None) -> None:
    if fd is not None:
        os.close(fd)
    shutil.rmtree(folder, ignore_errors=True)


def sweep(root: str | Path | None = None) -> list[Path]:
    """Remove the temporary folders of goaldoc runs that are gone (their owner lock is free).
    Folders without one (another program's, or an older goaldoc's) are left alone."""
    if fcntl is None:  # pragma: no cover - Windows
        return []
    removed = []
    base = Path(root or tempfile.gettempdir())
    try:
        entries = list(base.iterdir())
    except OSError:
        return []
    for folder in entries:
        if folder.name.startswith(_LOCK_PREFIX):
            _drop_free_lock(folder)
            continue
        if not folder.name.startswith(SWEPT_PREFIXES):
            continue
        owner = folder / _OWNER
        try:
            fd = os.open(owner, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live run's
        finally:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _drop_free_lock(path: Path) -> None:
    """An output lock of a run that was killed (it could not remove it): removed while held,
    so that a run opening it meanwhile sees it gone and takes a new one (writing_into)."""
    assert fcntl is not None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(path)
    except OSError:
        pass  # a live run's, or gone already
    finally:
        os.close(fd)


__all__ = ["lock_file", "make_owned_tempdir", "owned_tempdir", "remove_owned", "sweep", "writing_into"]
