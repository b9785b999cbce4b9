"""Where files go, and how: a department's files are written as a set (issue 12 item 3).

Everything is rendered to bytes before the first write, so a problem in the data or a
template leaves the previous outputs untouched. Writing then goes in three steps:

1. every file is written to a temporary file beside its target (``.goaldoc-….tmp``) and
   flushed to disk: a full disk or a folder without write permission fails here, before
   anything is replaced;
2. each existing target gets a hard link (or, where the file system has none, a copy)
   under a temporary name, so that it can be put back;
3. the temporary files replace their targets one after the other; if one cannot be
   replaced (on Windows: open in Excel or WPS), those already replaced are put back.

On any failure no target is replaced and every temporary file is removed; the error says
which file and why, in Chinese. A read-only output is refused, not made writable behind
the user's back. A run that is killed leaves only ``.goaldoc-….tmp`` files, which the next
run into the same folder removes: on POSIX each live temporary file is held under a file
lock (``flock``), so a run removes only the ones no running goaldoc holds; elsewhere it
removes the ones older than an hour.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import GoaldocError, Problem
from .model import DepartmentYear

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\ud800-\udfff]')
# Windows reserves these names for devices, with any extension (CON.docx too), in any case
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]]
)
# A name (folder, or file without its extension) is at most this long: Linux and macOS allow
# 255 bytes of UTF-8 (85 Chinese characters), Windows 255 UTF-16 units and 260 for a whole
# path, which out\2024\<folder>\<file> must leave room in. The samples' names are at most
# 32 characters (88 bytes).
NAME_MAX_BYTES = 180
NAME_MAX_UNITS = 90

TEMP_PREFIX = ".goaldoc-"
TEMP_SUFFIX = ".tmp"
# what goaldoc before issue 12 left behind: tempfile.mkstemp(prefix=".<file name>.", suffix=".tmp")
_LEGACY_TEMP = re.compile(r"^\..+\.(?:docx|xlsx)\.[A-Za-z0-9_]{8}\.tmp$")
STALE_AFTER = 3600  # seconds; only where no file lock tells a dead run from a live one


class OutputError(GoaldocError):
    """The files could not be written; none of the earlier outputs was replaced."""


class SafeName(str):
    """A name every file system accepts; ``notes`` says, in Chinese, what had to change
    for it that the clerk should know of (shortened, a reserved name, hidden characters)."""

    notes: tuple[str, ...] = ()


def safe_name(name: str, what: str = "文件名") -> SafeName:
    """A file or folder name that Windows, macOS and Linux all accept (issue 12 item 4).

    Characters Windows refuses become ``_``; invisible format characters go (U+202E would
    show ``…exe.docx`` as ``…xcod.exe``); trailing dots and spaces go (Windows drops them);
    a device name (CON, NUL, COM1, LPT1 …) gets a ``_``; a name longer than
    :data:`NAME_MAX_BYTES` / :data:`NAME_MAX_UNITS` is cut and ends with ``…`` and 6 hex
    digits of the whole name's hash, so two long names alike at the start stay apart.
    """
    notes: list[str] = []
    hidden = [ch for ch in name if _invisible(ch)]
    text = "".join(ch for ch in name if not _invisible(ch))
    if hidden:
        codes = "、".join(dict.fromkeys(f"U+{ord(ch):04X}" for ch in hidden))
        notes.append(f"名称里有看不见的格式字符 {codes}（会让文件名显示得和实际不同），{what}里已去掉")
    text = _UNSAFE.sub("_", text).strip(" .") or "未命名"
    base = text.split(".", 1)[0].rstrip(" ")
    if base.upper() in _RESERVED:
        text = base + "_" + text[len(base) :]
        notes.append(f"“{base}”是 Windows 的设备名，不能用作{what}，已改为“{text}”")
    if len(text.encode("utf-8")) > NAME_MAX_BYTES or _units(text) > NAME_MAX_UNITS:
        full = len(text)
        text = _shorten(text, name)
        notes.append(
            f"名称太长（{full} 个字），{what}已缩短为 {len(text)} 个字，末尾的“{text[-7:]}”用来区分开头相同的长名称"
        )
    out = SafeName(text)
    out.notes = tuple(notes)
    return out


def _invisible(ch: str) -> bool:
    """Format characters (bidi overrides and isolates, zero-width spaces and joiners, BOM,
    soft hyphen), line and paragraph separators, and noncharacters."""
    return unicodedata.category(ch) in ("Cf", "Zl", "Zp") or 0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _shorten(text: str, original: str) -> str:
    tail = "…" + hashlib.sha1(original.encode("utf-8", "surrogatepass")).hexdigest()[:6]
    room_bytes = NAME_MAX_BYTES - len(tail.encode("utf-8"))
    room_units = NAME_MAX_UNITS - _units(tail)
    cut, size, units = 0, 0, 0
    for ch in text:
        size += len(ch.encode("utf-8"))
        units += _units(ch)
        if size > room_bytes or units > room_units:
            break
        cut += 1
    while 0 < cut < len(text) and unicodedata.combining(text[cut]):
        cut -= 1  # never part a letter from its accent
    return text[:cut].rstrip(" .") + tail


def default_dir(model: DepartmentYear, root: str | Path = "out") -> Path:
    """out/<年度>/<部门名称>/"""
    return Path(root) / str(model.year) / safe_name(model.department.name, "文件夹名")


# ---------------------------------------------------------------- writing a set


@dataclass
class _Temp:
    """A temporary file of ours: open (and, on POSIX, locked) until released."""

    path: Path
    fd: int | None
    keep: bool = False  # the only copy of an old file that could not be put back


def write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write ``files`` as a set: all of them replace their targets, or none does.

    Raises :class:`OutputError` naming the file and the reason (locked, disk full, no
    write permission, read-only, a folder in the way)."""
    if not files:
        return []
    problems: list[Problem] = []
    for folder in dict.fromkeys(path.parent for path in files):
        problems += _prepare_folder(folder)
    if problems:
        raise OutputError(problems)
    problems = [p for p in map(_refuse_target, files) if p]
    if problems:
        raise OutputError(problems)

    temps: dict[Path, _Temp] = {}
    backups: dict[Path, _Temp | None] = {}
    replaced: list[Path] = []
    try:
        for path, data in files.items():  # 1. every file first, to temporary files
            try:
                temps[path] = _new_temp(path.parent)
                _write(temps[path], data)
            except OSError as exc:
                raise OutputError([_problem(exc, path, "write")]) from None
        for path in files:  # 2. a way back for what is there now
            try:
                backups[path] = _backup(path)
            except OSError as exc:
                raise OutputError([_problem(exc, path, "replace")]) from None
        for path in files:  # 3. then all together
            try:
                _move(temps[path], path)
            except OSError as exc:
                raise OutputError([_problem(exc, path, "replace"), *_undo(replaced, backups)]) from None
            replaced.append(path)
            _release(temps.pop(path))
    finally:
        for t in [*temps.values(), *backups.values()]:
            if t is not None and not t.keep:
                _discard(t)
    return list(files)


def _move(temp: _Temp, path: Path) -> None:
    if fcntl is None:  # pragma: no cover - Windows renames no file that is open
        _release(temp)
    os.replace(temp.path, path)


def _undo(replaced: list[Path], backups: dict[Path, _Temp | None]) -> list[Problem]:
    """Put the old files back where new ones replaced them (or remove the new ones)."""
    problems = []
    for path in reversed(replaced):
        backup = backups.get(path)
        try:
            if backup is None:
                os.unlink(path)
            else:
                _move(backup, path)
                _release(backup)
                backups[path] = None
        except OSError:
            if backup is not None:
                backup.keep = True
            where = f"旧文件保存在 {backup.path}：请把它改回原名" if backup else "请删去它"
            problems.append(Problem(f"已换成新文件，但换不回原来的文件：{where}", (), str(path), code="E906"))
    return problems


def _prepare_folder(folder: Path) -> list[Problem]:
    """Make the folder (and its parents); remove what killed runs left in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return [Problem("这里已有一个同名的文件，不能用作输出文件夹：请换一个输出文件夹（-o）", (), str(folder), code="E905")]
    except OSError as exc:
        return [_problem(exc, folder, "mkdir")]
    if not folder.is_dir():
        return [Problem("这不是文件夹，不能用作输出文件夹：请换一个输出文件夹（-o）", (), str(folder), code="E905")]
    removed = remove_stale_temps(folder)
    if removed:
        log.info("removed %d temporary file(s) a killed run left in %s", removed, folder)
    return []


def remove_stale_temps(folder: Path) -> int:
    """Remove the temporary files of runs that are no longer running; how many were removed."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        ours = name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)
        if not (ours or _LEGACY_TEMP.match(name)):
            continue
        try:
            if entry.is_symlink():  # the way back to an output that was a link: no lock to ask
                if time.time() - entry.stat(follow_symlinks=False).st_mtime >= STALE_AFTER:
                    os.unlink(entry.path)
                    removed += 1
            elif entry.is_file(follow_symlinks=False) and _remove_if_abandoned(Path(entry.path)):
                removed += 1
        except OSError:
            continue  # in use, or not ours to remove: leave it
    return removed


def _remove_if_abandoned(path: Path) -> bool:
    if fcntl is None:  # pragma: no cover - Windows: an open file cannot be removed there anyway
        if time.time() - path.stat().st_mtime < STALE_AFTER:
            return False
        path.unlink()
        return True
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a running goaldoc holds it
        if not _same_file(fd, path):
            return False
        path.unlink()
        return True
    finally:
        os.close(fd)


def _refuse_target(path: Path) -> Problem | None:
    """What is in the way of replacing ``path``, found before anything is written."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _problem(exc, path, "replace")
    if stat.S_ISDIR(st.st_mode):
        return Problem(
            "这里有一个同名的文件夹，新文件放不进去：请把这个文件夹改名或移走，或换一个输出文件夹（-o）",
            (),
            str(path),
            code="E905",
        )
    if stat.S_ISREG(st.st_mode) and not st.st_mode & 0o222:
        return Problem(
            "已有的这个文件是只读的，goaldoc 不会擅自改动它：请在文件属性里去掉“只读”后重试，"
            "或把它移走，或换一个输出文件夹（-o）",
            (),
            str(path),
            code="E904",
        )
    return None


def _new_temp(folder: Path, kind: str = "") -> _Temp:
    while True:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=kind + TEMP_SUFFIX, dir=folder)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        if _same_file(fd, Path(name)):
            os.chmod(name, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
            return _Temp(Path(name), fd)
        os.close(fd)  # another run took it for a dead one's before we locked it: take another


def _write(temp: _Temp, data: bytes) -> None:
    assert temp.fd is not None
    view = memoryview(data)
    while view:
        view = view[os.write(temp.fd, view) :]
    os.fsync(temp.fd)  # a full disk can show only here (delayed allocation, network drives)


def _backup(path: Path) -> _Temp | None:
    """A second name for the file at ``path`` (None when there is none), to put it back."""
    for _attempt in range(100):
        if not os.path.lexists(path):
            return None
        name = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}.old{TEMP_SUFFIX}"
        try:
            if os.path.islink(path):
                os.symlink(os.readlink(path), name)
                return _Temp(name, None)
            try:
                os.link(path, name)
            except (FileExistsError, FileNotFoundError):
                raise
            except OSError as exc:
                if exc.errno in _FULL:
                    raise
                shutil.copy2(path, name)  # no hard links here (FAT, some network drives)
            fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except (FileExistsError, FileNotFoundError):
            # the name was taken; or another run replaced the old file meanwhile (link()
            # then fails), or took our name for a dead run's before we locked it: again
            continue
        if fcntl is not None:
            try:  # the old file's inode: another run may hold it, so never wait for it
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pass
        if _same_file(fd, name):
            return _Temp(name, fd)
        os.close(fd)
    raise OSError(errno.EBUSY, "另一个程序一直在改动这个文件")


def _same_file(fd: int, path: Path) -> bool:
    """The name still leads to the open file (no other run removed it meanwhile)."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


def _release(temp: _Temp) -> None:
    if temp.fd is not None:
        os.close(temp.fd)
        temp.fd = None


def _discard(temp: _Temp) -> None:
    _release(temp)
    try:
        os.unlink(temp.path)
    except FileNotFoundError:
        pass
    except OSError:
        log.warning("could not remove the temporary file %s", temp.path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- what an earlier run left (issue 16 item 3)

OUTPUT_SUFFIXES = (".docx", ".xlsx", ".pdf")


def earlier_outputs(folder: Path, stem: str, formats: Iterable[str]) -> list[Problem]:
    """提醒 W941 for each output of the same name that this run did not write (``formats``:
    what it writes): the PDF of an earlier ``--pdf`` run beside a new .docx shows the old
    figures. Named, never removed: a file of that name may be one the clerk saved or sent
    (Word's own 另存为 PDF gives the same name), and goaldoc never touches a file it did not
    write in this run."""
    wrote = {f".{fmt}" for fmt in formats}
    out = []
    for suffix in OUTPUT_SUFFIXES:
        path = folder / f"{stem}{suffix}"
        if suffix in wrote:
            continue
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(st.st_mtime))
        if suffix == ".pdf":
            what = "这次没有生成 PDF（没有加 --pdf）"
            how = "要新的请加 --pdf 再生成一次"
        else:
            what = f"这次没有生成 {suffix}（-f / --format 只要了 {'、'.join(sorted(f.lstrip('.') for f in wrote)) or '别的格式'}）"
            how = f"要新的请带上 -f {suffix[1:]} 再生成一次"
        out.append(
            Problem(
                f"{what}，这个文件是 {when} 留下的，内容可能是旧的，和新生成的文件对不上：{how}；不要的话请删去它"
                "（goaldoc 不删它：它可能是另存或已经送出的那一份）",
                (),
                str(path),
                severity="W",
                code="W941",
            )
        )
    return out


# ---------------------------------------------------------------- messages

_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


def _problem(exc: OSError, path: Path, step: str) -> Problem:
    """Why ``path`` could not be written, and what to do, in Chinese."""
    code, words = "E909", f"无法写入（{exc.strerror or exc}）：请检查磁盘和文件夹后重试"
    folder = path if step == "mkdir" else path.parent
    if exc.errno in _FULL:
        code, words = "E902", f"磁盘已满：{folder} 所在的磁盘没有空间了：请腾出空间后重试，或换一个输出文件夹（-o）"
    elif step == "replace" and isinstance(exc, PermissionError):
        # Windows refuses to replace a file another program has open
        code, words = "E901", "文件正被其他程序打开：请关闭 Excel/WPS 后重试"
    elif exc.errno in _DENIED:
        code, words = "E903", f"没有写入权限：不能在文件夹 {folder} 里写文件：请换一个输出文件夹（-o），或请管理员开放权限"
    elif exc.errno == errno.ENAMETOOLONG:
        code, words = "E907", "文件名或路径太长：请换一个短一些的输出文件夹（-o）"
    elif isinstance(exc, IsADirectoryError | NotADirectoryError):
        code, words = "E905", "路径上有同名的文件或文件夹挡住了：请换一个输出文件夹（-o）"
    return Problem(words, (), str(path), code=code)
