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
  removes the folders whose lock nobody holds (and the output locks a killed run left), and
  says so in one line (:func:`swept_note`: `goaldoc render` sweeps before it starts). A
  batch's workers keep their temporary files (openpyxl's sheets) in such a folder too.

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
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_OWNER = ".goaldoc-owner"
_LOCK_PREFIX = "goaldoc-lock-"
SWEPT_PREFIXES = ("goaldoc-pdf-", "goaldoc-convert-", "goaldoc-stage-", "goaldoc-work-")


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
    folder, fd = _new_owned(prefix)
    try:
        yield folder
    finally:
        if fd is not None:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)


def make_owned_tempdir(prefix: str, sweep_first: bool = True) -> tuple[Path, int | None]:
    """Like :func:`owned_tempdir` for a folder that outlives a block: (folder, the lock's
    descriptor, for :func:`remove_owned`)."""
    if sweep_first:
        sweep()
    return _new_owned(prefix)


def _new_owned(prefix: str) -> tuple[Path, int | None]:
    """A new folder and its owner lock, held. The owner file gets its name only once it is
    locked: a sweep by another run (or another thread: two LibreOffice lanes of one batch
    start at once) between its creation and its lock took the folder for a killed run's
    and removed it while it was being used (tests/test_no_process_left.py failed so, under
    load). Without an owner file a sweep leaves a folder alone."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if fcntl is None:  # pragma: no cover - Windows: no sweep
        return folder, None
    making = folder / (_OWNER + ".new")
    fd = os.open(making, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.replace(making, folder / _OWNER)  # the lock goes with the file
    except BaseException:
        os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, fd


def remove_owned(folder: Path, fd: int | None) -> None:
    if fd is not None:
        os.close(fd)
    shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Swept:
    """What :func:`sweep` removed: a killed run's folder (and how big it was), or its lock."""

    path: Path
    size: int = 0
    lock: bool = False


SWEPT: list[Swept] = []  # everything this process swept, for the run to say (swept_note)


def sweep(root: str | Path | None = None) -> list[Swept]:
    """Remove the temporary folders of goaldoc runs that are gone (their owner lock is free),
    and the output locks they left; what was removed (also kept in :data:`SWEPT`).
    Folders without one (another program's, or an older goaldoc's) are left alone."""
    if fcntl is None:  # pragma: no cover - Windows
        return []
    removed: list[Swept] = []
    base = Path(root or tempfile.gettempdir())
    try:
        entries = list(base.iterdir())
    except OSError:
        return []
    for folder in entries:
        if folder.name.startswith(_LOCK_PREFIX):
            if _drop_free_lock(folder):
                removed.append(Swept(folder, lock=True))
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
        size = _size(folder)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(Swept(folder, size))
    SWEPT.extend(removed)
    return removed


def _size(folder: Path) -> int:
    total = 0
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def swept_note(swept: list[Swept]) -> str | None:
    """One line for the clerk: the folders that runs which were killed (kill -9, a crash, a
    power cut) had left in the temporary folder, now removed, with the output locks removed
    with them; None when no folder was. A lone output lock (a hundred bytes naming a process
    that is gone) is removed without a word: every run on a shared machine would otherwise
    report the locks of other people's killed runs."""
    folders = sorted((s for s in swept if not s.lock), key=lambda s: s.path)
    if not folders:
        return None
    locks = len(swept) - len(folders)
    shown = "、".join(f"{s.path}（{_human(s.size)}）" for s in folders[:3])
    shown += f" 等 {len(folders)} 个文件夹" if len(folders) > 3 else ""
    shown += f"，另有 {locks} 个输出锁文件" if locks else ""
    return f"已清理此前被强行中断的 goaldoc 留在临时文件夹里的文件：{shown}。"


def _human(size: int) -> str:
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _drop_free_lock(path: Path) -> bool:
    """An output lock of a run that was killed (it could not remove it): removed while held,
    so that a run opening it meanwhile sees it gone and takes a new one (writing_into).
    Whether it was removed."""
    assert fcntl is not None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(path)
    except OSError:
        return False  # a live run's, or gone already
    finally:
        os.close(fd)
    return True


__all__ = ["SWEPT", "Swept", "lock_file", "make_owned_tempdir", "owned_tempdir", "remove_owned", "sweep", "swept_note", "writing_into"]
