"""The files a command reads: folders expanded (with their subfolders), globs expanded (Windows'
cmd does not), and every entry left out named with the reason (issue 16 item 3, issue 21).

``goaldoc render DIR`` reads a folder's .yaml files, ``goaldoc import DIR`` its filled Word /
Excel forms, ``goaldoc check DIR`` both. What a folder holds beside them is said, never
skipped in silence: files of another kind (named, in one line), hidden entries, and entries
that are not files to read — a named pipe (reading one waits for ever), a device
(``/dev/zero`` never ends), a socket, a symbolic link that leads nowhere or in a circle, a
folder or file without permission to read. A folder reached twice through links is read
once.
"""

from __future__ import annotations

import errno
import glob
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Skipped:
    path: str
    why: str


@dataclass
class Expanded:
    files: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # entries that cannot be read
    others: list[str] = field(default_factory=list)  # files of another kind, in folders
    hidden: list[str] = field(default_factory=list)  # hidden entries of folders (.git, .~lock…)

    def lines(self, kinds: str) -> list[str]:
        """What was left out, in Chinese, one line per reason (``kinds``: what the command
        reads, e.g. “.yaml 文件”)."""
        out = [f"跳过 {s.path}：{s.why}" for s in self.skipped]
        if self.others:
            out.append(f"跳过 {len(self.others)} 个不是{kinds}的文件：{_names(self.others)}")
        if self.hidden:
            out.append(f"跳过 {len(self.hidden)} 个隐藏的文件或文件夹（名字以“.”开头）：{_names(self.hidden)}")
        return out


    def left_out(self, kinds: str) -> list[tuple[str, str]]:
        """(entry, why) of every entry left out, for a report."""
        return (
            [(s.path, s.why) for s in self.skipped]
            + [(p, f"不是{kinds}") for p in self.others]
            + [(p, "隐藏的文件或文件夹（名字以“.”开头）") for p in self.hidden]
        )


def _names(paths: list[str], limit: int = 20) -> str:
    shown = "、".join(paths[:limit])
    return shown + (f" 等（共 {len(paths)} 个）" if len(paths) > limit else "")


def expand(args: tuple[str, ...] | list[str], suffixes: tuple[str, ...] = YAML_SUFFIXES) -> Expanded:
    """Folders become their files of ``suffixes`` (subfolders too, sorted), globs their
    matches; every entry of a folder left out is kept in the result with its reason. A file
    named on the command line is always passed on: reading it, or saying why it cannot be
    read, is the reader's."""
    out = Expanded()
    for arg in args:
        p = Path(arg)
        if _kind(p) == "folder":
            _walk(p, suffixes, out, set())
        elif not os.path.lexists(arg) and any(ch in arg for ch in "*?["):
            out.files += sorted(glob.glob(arg)) or [arg]
        else:
            out.files.append(arg)
    return out


def _kind(p: Path) -> str | None:
    """"folder", "file", "missing", None (cannot tell), or why it is not read."""
    try:
        st = p.stat()
    except FileNotFoundError:
        return "missing" if not os.path.islink(p) else "符号链接指向的文件不存在"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "符号链接绕成了圈（指回自己），读不到文件"
        if exc.errno == errno.EACCES:
            return "没有权限打开"
        return f"打不开（{exc.strerror or exc}）"
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISFIFO(mode):
        return "是命名管道（FIFO），不是文件：读它会一直等下去"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "是设备（如 /dev/zero），不是文件"
    if stat.S_ISSOCK(mode):
        return "是套接字，不是文件"
    return "不是普通文件"


def _walk(folder: Path, suffixes: tuple[str, ...], out: Expanded, seen: set[tuple[int, int]]) -> None:
    try:
        st = folder.stat()
    except OSError:
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        out.skipped.append(Skipped(str(folder), "这个文件夹前面已经读过（符号链接指回了它），不再读一遍"))
        return
    seen.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        why = "没有权限读这个文件夹" if exc.errno == errno.EACCES else f"读不了这个文件夹（{exc.strerror or exc}）"
        out.skipped.append(Skipped(str(folder), why))
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            out.hidden.append(str(path))
            continue
        if entry.name.startswith("~$"):
            out.skipped.append(Skipped(str(path), "是 Word / Excel 打开文件时留下的临时文件（~$ 开头），不是填好的表"))
            continue
        kind = _kind(path)
        if kind == "folder":
            _walk(path, suffixes, out, seen)
        elif kind == "file":
            if path.suffix.lower() not in suffixes:
                out.others.append(str(path))
            elif not os.access(path, os.R_OK):
                out.skipped.append(Skipped(str(path), "没有权限读这个文件"))
            else:
                out.files.append(str(path))
        elif kind not in (None, "missing"):
            out.skipped.append(Skipped(str(path), kind))


__all__ = ["YAML_SUFFIXES", "Expanded", "Skipped", "expand"]
