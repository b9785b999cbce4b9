"""Ctrl-C or SIGTERM sent to goaldoc alone — not to its process group, as a terminal's Ctrl-C
is — ends a batch at once: the workers, LibreOffice, the PDF thread; the last line says what
is on disk, each file is whole, nothing goaldoc started is left running and nothing is left
in the temporary folder.

Before: the workers ignored SIGINT and the parent waited for every department under way (and
one queued) before it stopped LibreOffice; a second SIGINT meanwhile (``timeout -s INT``
sends two: to goaldoc, then to its group) left the parent and both workers up after the
已中断 line until a third. The departments here are big enough that a render outlasts the
wait for the first progress line many times over, on any machine; nothing is timed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES
from goaldoc.locks import _human, _size
from processes import needs_proc, none_left, run_bounded, start, wait_for
from stopping import ctrl_c_at

pytestmark = needs_proc

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
NAME = "台山市人力资源和社会保障局"
ROWS = 4000  # indicator rows of a big department: seconds of rendering each


def batch(folder: Path, small: int, big: int) -> list[Path]:
    """``small`` copies of 台山, then ``big`` copies with ROWS more indicators, each under its
    own name (its own output files)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = TAISHAN.read_text(encoding="utf-8")
    rows = "".join(
        f"  - level1: 产出指标\n    level2: 数量指标\n    name: 招聘会场次{i}\n    explanation: 全年举办招聘会的场次\n    value: ≥{i} 场\n"
        for i in range(ROWS)
    )
    made = []
    for k in range(small + big):
        body = text if k < small else text.replace("indicators:\n", "indicators:\n" + rows, 1)
        path = folder / f"{k:03d}.yaml"
        path.write_text(body.replace(f"name: {NAME}", f"name: {NAME}{k:03d}", 1), encoding="utf-8")
        made.append(path)
    return made


class Run:
    """goaldoc render FILES -o OUT ARGS in a process of its own, its output in files, its
    temporary folder its own."""

    def __init__(self, tmp_path: Path, files: list[Path], *args: str, env: dict[str, str] | None = None):
        self.out = tmp_path / "out"
        self.temp = tmp_path / "tmp"
        self.temp.mkdir()
        self.stdout, self.stderr = tmp_path / "stdout", tmp_path / "stderr"
        self.files = files
        with open(self.stdout, "w") as so, open(self.stderr, "w") as se:
            self.proc, self.tag = start(
                ["render", *files, "-o", self.out, "--jobs", "2", *args],
                cwd=tmp_path,
                env={**(env or {}), "TMPDIR": str(self.temp)},
                stdout=so,
                stderr=se,
            )

    def said(self, what: str) -> int:
        return self.stdout.read_text(encoding="utf-8").count(what)

    def wait_for_output(self, predicate) -> None:  # type: ignore[no-untyped-def]
        assert wait_for(lambda: predicate() or self.proc.poll() is not None, timeout=600)
        assert self.proc.poll() is None, "the batch ended before it could be interrupted: " + self.stderr.read_text()[-2000:]

    def signal(self, sig: int) -> None:
        with_pid = self.proc.pid
        try:
            os.kill(with_pid, sig)  # the parent alone: its workers and LibreOffice get nothing
        except ProcessLookupError:
            pass

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=60)  # generous: the fixed batch ends well within a second or two
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError("goaldoc still ran 60 s after the interrupt:\n" + self.stderr.read_text()[-3000:]) from None

    def departments(self, suffix: str) -> set[int]:
        """The departments whose ``suffix`` file is in the output folder."""
        return {int(re.search(r"(\d{3})部门", p.name)[1]) for p in self.out.glob(f"*{suffix}")}  # type: ignore[index]


def assert_whole(out: Path) -> None:
    import docx
    import openpyxl

    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no temporary file of a write
    for p in out.glob("*.docx"):
        docx.Document(str(p))
    for p in out.glob("*.xlsx"):
        openpyxl.load_workbook(p).close()
    for p in out.glob("*.pdf"):
        data = p.read_bytes()
        assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:], p


def expected_line(run: Run, pdf: bool) -> str:
    office = run.departments(".docx") & run.departments(".xlsx")
    pdfs = run.departments(".pdf")
    made = f"{len(office)} 个部门的 .docx 和 .xlsx" + (f"、{len(pdfs)} 个部门的 PDF" if pdf else "")
    missing = []
    for label, done in ((".docx 和 .xlsx", office), *((("PDF", pdfs),) if pdf else ())):
        names = [str(f) for k, f in enumerate(run.files) if k not in done]
        if names:
            shown = "、".join(names[:5]) + (f" 等 {len(names)} 个" if len(names) > 5 else "")
            missing.append(f"{label} {len(names)} 个（{shown}）")
    line = f"已中断：写好了 {made}（每个文件都是完整的）"
    return line + ("；没有生成：" + "，".join(missing) + "；再运行一次即可补上" if missing else "") + "。"


def assert_nothing_left(run: Run) -> None:
    assert none_left(run.tag) == []  # no worker, no LibreOffice
    assert sorted(p.name for p in run.temp.iterdir()) == []  # no goaldoc-pdf-…, no lu*.tmp, no openpyxl.*


def test_ctrl_c_to_goaldoc_alone_drops_the_departments_under_way_at_once(tmp_path):
    run = Run(tmp_path, batch(tmp_path / "in", 1, 5))
    run.wait_for_output(lambda: run.said("已生成") >= 2)  # the small one is written: both workers on big ones
    at_signal = run.departments(".xlsx")
    run.signal(signal.SIGINT)
    assert run.wait() == 130
    err = run.stderr.read_text(encoding="utf-8")
    assert "Traceback" not in err
    assert err.splitlines()[-1] == expected_line(run, pdf=False)
    assert_nothing_left(run)
    assert_whole(run.out)
    # before, both departments under way and the one queued were rendered and written after
    # Ctrl-C: 3; now none, or those whose files were being written just then
    assert len(run.departments(".xlsx") - at_signal) <= 2


def test_a_second_ctrl_c_while_the_batch_stops_leaves_nothing_running(tmp_path):
    run = Run(tmp_path, batch(tmp_path / "in", 1, 5))
    run.wait_for_output(lambda: run.said("已生成") >= 2)
    run.signal(signal.SIGINT)
    wait_for(lambda: run.proc.poll() is not None, timeout=1.0)  # an impatient second Ctrl-C
    run.signal(signal.SIGINT)
    assert run.wait() == 130
    err = run.stderr.read_text(encoding="utf-8")
    assert "Traceback" not in err and "Exception ignored" not in err
    assert err.splitlines()[-1] == expected_line(run, pdf=False)
    assert_nothing_left(run)
    assert_whole(run.out)


def test_sigterm_to_goaldoc_alone_ends_the_batch_as_ctrl_c_does(tmp_path):
    run = Run(tmp_path, batch(tmp_path / "in", 1, 5))
    run.wait_for_output(lambda: run.said("已生成") >= 2)
    run.signal(signal.SIGTERM)
    assert run.wait() == 143
    assert run.stderr.read_text(encoding="utf-8").splitlines()[-1] == expected_line(run, pdf=False)
    assert_nothing_left(run)
    assert_whole(run.out)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_ctrl_c_to_goaldoc_alone_stops_libreoffice_and_leaves_no_file_of_it(tmp_path):
    run = Run(tmp_path, batch(tmp_path / "in", 12, 0), "--pdf")
    run.wait_for_output(lambda: bool(run.departments(".pdf")))  # LibreOffice is converting a group
    run.signal(signal.SIGINT)
    assert run.wait() == 130
    err = run.stderr.read_text(encoding="utf-8")
    assert "Traceback" not in err
    assert err.splitlines()[-1] == expected_line(run, pdf=True)
    assert_nothing_left(run)  # before: LibreOffice's lu*.tmp, killed with it, stayed in the temporary folder
    assert_whole(run.out)


@pytest.mark.parametrize(
    ("which", "count", "jobs"),
    [("render_one", 1, "2"), ("plan_one", 3, "1")],
    ids=["one file, Ctrl-C while it renders", "three files, Ctrl-C while the second is read"],
)
def test_ctrl_c_names_every_file_not_written_even_one_never_reported(tmp_path, which, count, jobs):
    """A file the run had said nothing of yet (one file still rendering; the files not read when
    Ctrl-C came) was left out of the last line: "写好了 0 个部门" and no word of which file."""
    files = batch(tmp_path / "in", count, 0)
    # Ctrl-C as this file is rendered / as the second is read
    code = ctrl_c_at("batch", which, "render", f"{which == 'render_one'} or args[0] == 2")
    res = subprocess.run(
        [sys.executable, "-c", code, *map(str, files), "-o", str(tmp_path / "out"), "--jobs", jobs],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert res.returncode == 130, res.stderr
    names = "、".join(str(f) for f in files)
    assert res.stderr.splitlines()[-1] == (
        f"已中断：写好了 0 个部门的 .docx 和 .xlsx（每个文件都是完整的）；没有生成：.docx 和 .xlsx {count} 个（{names}）；再运行一次即可补上。"
    )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# ---------------------------------------------------------------- kill -9: the next run tidies up, and says so


def test_what_a_killed_batch_left_in_the_temporary_folder_is_removed_and_named_by_the_next_run(tmp_path):
    run = Run(tmp_path, batch(tmp_path / "in", 1, 5))
    run.wait_for_output(lambda: run.said("已生成") >= 2)
    os.kill(run.proc.pid, signal.SIGKILL)  # the workers die with it (issue 18 item 5)
    run.proc.wait()
    assert none_left(run.tag) == []
    left = sorted(run.temp.iterdir())
    folders = [p for p in left if p.is_dir()]
    # its output's lock, and each worker's temporary folder (openpyxl's sheets: they were left
    # as openpyxl.* in the temporary folder itself, which nobody could tell from another program's)
    assert sorted(p.name.rsplit("-", 1)[0] for p in left) == ["goaldoc-lock", "goaldoc-work", "goaldoc-work"]
    sizes = {p: _human(_size(p)) for p in folders}
    again = run_bounded(["render", TAISHAN, "-o", tmp_path / "again"], cwd=tmp_path, env={"TMPDIR": str(run.temp)})
    assert again.returncode == 0, again.stderr
    shown = "、".join(f"{p}（{sizes[p]}）" for p in folders)
    assert again.stderr.splitlines()[0] == f"已清理此前被强行中断的 goaldoc 留在临时文件夹里的文件：{shown}，另有 1 个输出锁文件。"
    assert list(run.temp.iterdir()) == []


def test_a_run_that_finds_nothing_to_tidy_says_nothing_of_it(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    (temp / "goaldoc-pdf-live").mkdir()  # no owner lock: not goaldoc's of today, left alone
    done = run_bounded(["render", TAISHAN, "-o", tmp_path / "out"], cwd=tmp_path, env={"TMPDIR": str(temp)})
    assert done.returncode == 0
    assert "已清理" not in done.stderr + done.stdout
    assert [p.name for p in temp.iterdir()] == ["goaldoc-pdf-live"]


# ---------------------------------------------------------------- a worker told to stop


def test_a_worker_told_to_stop_while_it_writes_a_department_writes_it_whole_first(tmp_path, monkeypatch):
    """SIGTERM in a worker (the parent's Ctrl-C): inside write_all the write goes on and the
    worker ends after the task; anywhere else the task is stopped where it is."""
    import sys

    from goaldoc import batch, output

    real = output._write
    deferred = []

    def write_then_stop(temp, data):  # type: ignore[no-untyped-def]
        real(temp, data)
        try:
            batch._on_term(signal.SIGTERM, sys._getframe())
        except batch._Halted:
            deferred.append(False)
        else:
            deferred.append(batch._halting)

    monkeypatch.setattr(batch, "_busy", True)
    monkeypatch.setattr(batch, "_halting", False)
    monkeypatch.setattr(output, "_write", write_then_stop)
    targets = {tmp_path / "甲.docx": b"docx", tmp_path / "甲.xlsx": b"xlsx"}
    output.write_all(targets)
    assert deferred == [True, True]  # not stopped inside the write: the worker ends after the task
    assert {p: p.read_bytes() for p in targets} == targets
    assert sorted(p.name for p in tmp_path.iterdir()) == ["甲.docx", "甲.xlsx"]  # no temporary file
    with pytest.raises(batch._Halted):  # rendering (in memory): stopped at once
        batch._on_term(signal.SIGTERM, sys._getframe())


def test_a_worker_stopped_as_it_makes_its_temporary_folder_removes_it(tmp_path):
    """SIGTERM reaching a worker while it makes its temporary folder (a batch stopped just as
    the worker starts, seen once on a busy machine: goaldoc-work-… was left in /tmp for the
    next run to sweep) waits until the worker knows the folder; it then removes it and ends."""
    import sys
    import textwrap

    record = tmp_path / "folder.txt"
    script = textwrap.dedent(
        """
        import os, signal, sys
        from pathlib import Path
        import goaldoc.batch as batch, goaldoc.locks as locks
        real = locks.make_owned_tempdir
        def made(prefix, sweep_first=True):
            out = real(prefix, sweep_first=sweep_first)
            Path(sys.argv[1]).write_text(str(out[0]))
            os.kill(os.getpid(), signal.SIGTERM)  # the batch stops now
            return out
        locks.make_owned_tempdir = made
        batch._worker_start(os.getppid())
        print("the worker went on")
        """
    )
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = subprocess.run([sys.executable, "-c", script, str(record)], env={**os.environ, "TMPDIR": str(temp)}, capture_output=True, text=True, timeout=120)
    folder = Path(record.read_text())
    assert folder.parent == temp and folder.name.startswith("goaldoc-work-")
    assert done.returncode == 0 and "went on" not in done.stdout, done.stderr
    assert not folder.exists() and list(temp.iterdir()) == []
