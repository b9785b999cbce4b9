"""Where files go, and how: each file is written to a temporary file beside it, then renamed.

An interrupted run never leaves half a file, and since everything is rendered to bytes
before the first write, an error leaves the previous outputs untouched.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .model import DepartmentYear

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(name: str) -> str:
    """A file or folder name that Windows, macOS and Linux all accept."""
    return _UNSAFE.sub("_", name).strip(" .") or "未命名"


def default_dir(model: DepartmentYear, root: str | Path = "out") -> Path:
    """out/<年度>/<部门名称>/"""
    return Path(root) / str(model.year) / safe_name(model.department.name)


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all(files: dict[Path, bytes]) -> list[Path]:
    for path, data in files.items():
        write_atomic(path, data)
    return list(files)
