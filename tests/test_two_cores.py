"""Issue 23: one big department's .xlsx rendered in a child process beside its .docx
(render/beside.py), when a run of one file has a core to spare.

What must hold: the files are the very files rendered one after the other; the template's
problems of both formats come back together, in the same order; the child is never left
running — not after the parent's interrupt, not after kill -9 of the parent; a child that
dies gives way to a render here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import SAMPLES, zip_members
from goaldoc import api
from goaldoc.api import TWO_CORES_ROWS, loads, render_bytes
from goaldoc.errors import Problem, TemplateError
from goaldoc.render import beside
from goaldoc.render.beside import Beside

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork and the parent-death signal are Linux's")

TAISHAN = SAMPLES / "2024" / "taishan.yaml"


def big_text(rows: int) -> str:
    """Taishan with ``rows`` indicators (its own, repeated under new names)."""
    import yaml

    data = yaml.safe_load(TAISHAN.read_text(encoding="utf-8"))
    own = data["indicators"]
    data["indicators"] = [{**own[k % len(own)], "name": f"{own[k % len(own)]['name']}{k}"} for k in range(rows)]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def forks(monkeypatch):
    """The child is made whatever other test left a thread running in this process (a PDF
    test's reader, say): the refusal to fork beside another thread has its own test."""
    monkeypatch.setattr(beside, "available", lambda: True)


@pytest.fixture(scope="module")
def big():
    return loads(big_text(TWO_CORES_ROWS), "big.yaml")


def _gone(pid: int) -> bool:
    """Ended (or a zombie nobody reaps: a container's init may not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _members(data: bytes, tmp_path: Path, name: str) -> dict[str, bytes]:
    path = tmp_path / name
    path.write_bytes(data)
    return zip_members(path)


def test_the_two_files_are_those_rendered_one_after_the_other(big, tmp_path, monkeypatch, forks):
    started = []
    real = Beside.start.__func__  # type: ignore[attr-defined]

    def counted(cls, fn, *args):  # type: ignore[no-untyped-def]
        child = real(cls, fn, *args)
        started.append(child.pid if child is not None else None)
        return child

    monkeypatch.setattr(Beside, "start", classmethod(counted))
    apart = render_bytes(big, two_cores=True)
    assert len(started) == 1 and started[0], "the .xlsx was not rendered in a child"
    assert _gone(started[0])
    alone = render_bytes(big)
    assert list(apart) == list(alone) == ["docx", "xlsx"]
    for fmt in ("docx", "xlsx"):
        assert apart[fmt][0] == alone[fmt][0]
        a = _members(apart[fmt][1], tmp_path, f"a.{fmt}")
        b = _members(alone[fmt][1], tmp_path, f"b.{fmt}")
        assert a == b, fmt


def test_a_small_department_is_rendered_here(monkeypatch):
    small = loads(TAISHAN.read_text(encoding="utf-8"), str(TAISHAN))
    monkeypatch.setattr(Beside, "start", classmethod(lambda cls, fn, *a: pytest.fail("a child for a small file")))
    assert set(render_bytes(small, two_cores=True)) == {"docx", "xlsx"}


def test_both_formats_problems_come_back_together_in_order(big, monkeypatch):
    def broken(spec, ctx, fmt):  # type: ignore[no-untyped-def]
        raise TemplateError([Problem(f"{fmt} 模板坏了", (), f"forms.{fmt}", code="T003")])

    monkeypatch.setattr("goaldoc.render.bundle.render_format", broken)
    with pytest.raises(TemplateError) as apart:
        render_bytes(big, two_cores=True)
    with pytest.raises(TemplateError) as alone:
        render_bytes(big)
    assert [p.message for p in apart.value.problems] == [p.message for p in alone.value.problems] == ["docx 模板坏了", "xlsx 模板坏了"]


def test_a_child_that_dies_gives_way_to_a_render_here(big, monkeypatch, forks):
    from goaldoc.render import bundle

    real = bundle.render_format
    parent = os.getpid()

    def dies_in_the_child(spec, ctx, fmt):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os._exit(3)  # killed by the system, say (no memory)
        return real(spec, ctx, fmt)

    monkeypatch.setattr(bundle, "render_format", dies_in_the_child)
    got = render_bytes(big, two_cores=True)
    monkeypatch.setattr(bundle, "render_format", real)
    assert got["xlsx"][1][:2] == b"PK"
    assert len(got["xlsx"][1]) > 10_000


def test_an_interrupt_here_ends_the_child_and_waits_for_it(big, monkeypatch, forks):
    from goaldoc.render import bundle

    real_start = Beside.start.__func__  # type: ignore[attr-defined]
    children: list[int] = []

    def slow(spec, ctx, fmt):  # type: ignore[no-untyped-def]
        if fmt == "xlsx":  # the child: would run for an hour
            time.sleep(3600)
        raise KeyboardInterrupt  # Ctrl-C while this process renders the .docx

    def started(cls, fn, *args):  # type: ignore[no-untyped-def]
        child = real_start(cls, fn, *args)
        children.append(child.pid)
        return child

    monkeypatch.setattr(bundle, "render_format", slow)
    monkeypatch.setattr(Beside, "start", classmethod(started))
    with pytest.raises(KeyboardInterrupt):
        render_bytes(big, two_cores=True)
    assert children and children[0] > 0
    with pytest.raises(ChildProcessError):  # killed and already reaped: no zombie either
        os.waitpid(children[0], os.WNOHANG)


def test_no_child_when_another_thread_runs(monkeypatch):
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 2)  # --pdf's LibreOffice thread, say
    assert not beside.available()
    assert Beside.start(lambda: b"") is None


def test_the_child_dies_with_its_parent(tmp_path):
    """kill -9 of goaldoc: the child rendering the .xlsx goes too (PR_SET_PDEATHSIG)."""
    code = textwrap.dedent(
        """
        import sys, time
        from goaldoc.render.beside import Beside

        def render():  # in the child, its start-up over
            print("rendering", flush=True)
            time.sleep(3600)

        child = Beside.start(render)
        print(child.pid, flush=True)
        time.sleep(3600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        said = sorted(proc.stdout.readline().strip() for _ in range(2))  # the pid, and the child under way
        assert said[1] == "rendering", said
        pid = int(said[0])
        assert not _gone(pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 60  # a generous bound, for a busy machine: it is immediate
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(pid)
    finally:
        proc.kill()
        proc.wait()


def test_the_cli_renders_one_big_file_on_two_cores(tmp_path, monkeypatch, forks):
    """`goaldoc render big.yaml` (one file, two cores): the child is asked for."""
    from click.testing import CliRunner

    from goaldoc import batch
    from goaldoc.cli import main

    asked, children = [], []
    real = api.render_bytes
    real_start = Beside.start.__func__  # type: ignore[attr-defined]

    def spy(*args, **kw):  # type: ignore[no-untyped-def]
        asked.append(args[5] if len(args) > 5 else kw.get("two_cores"))
        return real(*args, **kw)

    def started(cls, fn, *args):  # type: ignore[no-untyped-def]
        child = real_start(cls, fn, *args)
        children.append(child)
        return child

    monkeypatch.setattr(api, "render_bytes", spy)
    monkeypatch.setattr(Beside, "start", classmethod(started))
    monkeypatch.setattr(batch, "default_jobs", lambda: 2)
    path = tmp_path / "big.yaml"
    path.write_text(big_text(TWO_CORES_ROWS), encoding="utf-8")
    res = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "out"), "--force"])
    assert res.exit_code == 0, res.output
    assert asked == [True]
    assert len(children) == 1 and children[0] is not None  # the child was made
    res = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "out1"), "--force", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert asked == [True, False]
    for name in sorted(p.name for p in (tmp_path / "out").iterdir()):
        assert zip_members(tmp_path / "out" / name) == zip_members(tmp_path / "out1" / name), name
