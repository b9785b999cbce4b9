"""The Open XML SDK's validator, the one Microsoft's tools use, on Linux (issue 20 item 1).

It runs as OfficeCLI, bundled by the PyPI package ``officecli-patch`` (a test extra of
pyproject.toml: ``make test`` installs it): ``officecli-patch validate FILE --json``.
OfficeCLI starts a resident process per file it opens, kept until ``officecli-patch close
FILE``; ``OFFICECLI_NO_AUTO_RESIDENT=1`` asks it not to, and :func:`validate` closes
any that was started all the same, so a test run leaves no process behind
(:func:`residents` finds them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

_ENV = {**os.environ, "OFFICECLI_NO_AUTO_RESIDENT": "1"}


def command() -> str:
    """The officecli-patch of this venv (or of PATH); a clear failure when missing."""
    here = Path(sys.executable).parent / "officecli-patch"
    found = str(here) if here.exists() else shutil.which("officecli-patch")
    if not found:
        raise AssertionError("officecli-patch is not installed: pip install -e '.[test]' (make test does)")
    return found


def residents(path: Path | None = None) -> list[int]:
    """Process ids of OfficeCLI residents (of ``path``, or any)."""
    out = []
    want = str(path).encode() if path is not None else b""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"__resident-serve__" in cmd and want in cmd:
            out.append(int(proc.name))
    return out


def validate(path: Path) -> list[dict]:
    """The validator's errors for one .docx / .xlsx: dicts with type, description, path, part."""
    exe = command()
    try:
        run = subprocess.run(
            [exe, "validate", str(path), "--json"], capture_output=True, text=True, timeout=900, env=_ENV
        )
    finally:
        if residents(path):
            subprocess.run([exe, "close", str(path)], capture_output=True, text=True, timeout=300, env=_ENV)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"officecli-patch validate {path.name}: {run.stdout[:300]} {run.stderr[:300]}") from None
    if report.get("success"):
        return []
    errors = (report.get("data") or {}).get("errors")
    if errors is None:  # not a validation report: the file did not open
        raise AssertionError(f"officecli-patch validate {path.name}: {run.stdout[:500]}")
    return list(errors)


def brief(errors: list[dict]) -> list[str]:
    return [f"{e.get('part')} {e.get('path')}: {e.get('description')}" for e in errors]
