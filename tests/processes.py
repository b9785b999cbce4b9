"""Running goaldoc as a bureau does, in a process of its own, bounded and watched (issue 18).

``run_bounded`` starts ``goaldoc ARGS`` with resource limits (CPU seconds and address space:
generous, the suite runs on a busy two-core machine) and a tag in its environment. Every
process goaldoc starts inherits the tag (workers, LibreOffice's oosplash and soffice.bin), so
``tagged`` finds them in /proc wherever they were reparented to: what is found after the
run outlived it.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ON_LINUX = sys.platform.startswith("linux") and Path("/proc/self/environ").exists()
needs_proc = pytest.mark.skipif(not ON_LINUX, reason="finds processes by their environment in /proc")

CPU_SECONDS = 60
MEMORY = 1536 * 1024 * 1024  # address space, as RLIMIT_AS counts it


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    tag: str
    cpu: float  # seconds of CPU used by goaldoc and the children it waited for
    peak_mb: float  # the largest of them


def goaldoc_cmd(*args: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-m", "goaldoc.cli", *map(str, args)]


def _limits(cpu: int, memory: int) -> None:
    # a suite started in the background (`pytest &`) ignores SIGINT, and so would goaldoc:
    # the Ctrl-C tests send it one
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def start(args: Sequence[str | os.PathLike[str]], *, cwd: Path | None = None, env: dict[str, str] | None = None,
          cpu: int = CPU_SECONDS, memory: int = MEMORY, **kw) -> tuple[subprocess.Popen[str], str]:  # type: ignore[no-untyped-def]
    """goaldoc started with the limits and a tag (output to pipes unless ``kw`` says otherwise)."""
    tag = uuid.uuid4().hex
    full = {**os.environ, **(env or {}), "GOALDOC_TEST_TAG": tag, "PYTHONUNBUFFERED": "1"}
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    proc = subprocess.Popen(goaldoc_cmd(*args), cwd=cwd, env=full, text=True, preexec_fn=lambda: _limits(cpu, memory), **kw)
    return proc, tag


def run_bounded(args: Sequence[str | os.PathLike[str]], *, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 300, cpu: int = CPU_SECONDS, memory: int = MEMORY) -> Run:
    """``goaldoc ARGS`` within ``cpu`` seconds and ``memory`` bytes; ``timeout`` (wall) only
    guards the suite against a hang. CPU and peak memory are this run's own (wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc, tag = start(args, cwd=cwd, env=env, cpu=cpu, memory=memory, stdout=out, stderr=err)
        fired: list[bool] = []
        timer = threading.Timer(timeout, lambda: (fired.append(True), proc.kill()))
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        run = Run(proc.returncode, out.read(), err.read(), tag, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
    if fired:
        raise AssertionError(f"goaldoc {' '.join(map(str, args))} still ran after {timeout} s:\n{run.stdout}\n{run.stderr}")
    return run


def tagged(tag: str) -> list[tuple[int, str]]:
    """(pid, command) of the live processes carrying ``tag`` in their environment."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:  # gone meanwhile, or not ours
            continue
        if f"GOALDOC_TEST_TAG={tag}".encode() in environ.split(b"\0") and state != "Z":
            found.append((int(entry.name), cmd))
    return found


def none_left(tag: str, grace: float = 10.0) -> list[tuple[int, str]]:
    """The tagged processes still alive after ``grace`` seconds (a killed group takes a moment)."""
    deadline = time.monotonic() + grace
    while True:
        left = tagged(tag)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def wait_for(predicate, timeout: float = 120.0, every: float = 0.1) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False
