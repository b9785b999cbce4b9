"""No process left behind, counts that tell the truth (issue 18 items 2, 3, 5, 6; issue 23
item 4).

LibreOffice is played by a small script (``$GOALDOC_SOFFICE`` or first on PATH) that prints
what LibreOffice prints and, like it, leaves a child running (``soffice`` starts
``soffice.bin``) — and, like LibreOffice 7.4, ignores the command-line arguments after the
253rd. goaldoc runs in a process of its own with a tag in its environment, which every
process it starts inherits: after the run, /proc shows whatever outlived it (processes.py).
The one real conversion of more files than one LibreOffice call takes is marked slow.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc import batch, locks, pdf
from goaldoc.cli import main
from pdfcheck import HAVE_SOFFICE
from processes import needs_proc, none_left, run_bounded, start, tagged, wait_for

pytestmark = needs_proc

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
LIUZHI = SAMPLES / "2023" / "liuzhi.yaml"
NAME = "台山市人力资源和社会保障局"

FAKE = """\
#!{python}
# plays LibreOffice's --convert-to: a line per file once loaded, then the file; like soffice it
# leaves a child (soffice.bin) running, and like LibreOffice 7.4 it ignores arguments after the 253rd
import os, pathlib, shutil, subprocess, sys, time
env = os.environ
args = sys.argv[1:][: int(env.get("FAKE_MAX_ARGS", "100000"))]
log = pathlib.Path(env["FAKE_LOG"])
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
with open(log, "a") as fh:
    fh.write(f"start {{os.getpid()}} {{child.pid}} {{len(sys.argv) - 1}} {{time.time()}} {{args[0]}} {{sum('/in/' in a for a in args)}}\\n")
fmt = args[args.index("--convert-to") + 1]
out = pathlib.Path(args[args.index("--outdir") + 1])
files = [a for a in args if a.startswith("/") and "/in/" in a]
while env.get("FAKE_GATE") and not os.path.exists(env["FAKE_GATE"]):  # waits for the test
    time.sleep(0.05)
hang = int(env.get("FAKE_HANG_AFTER", "-1"))
for n, a in enumerate(files):
    target = out / (pathlib.Path(a).stem + "." + fmt)
    print(f"convert {{a}} -> {{target}} using filter : x", flush=True)
    if n == hang:
        time.sleep(600)
    time.sleep(float(env.get("FAKE_DELAY", "0")))
    if fmt == "pdf":
        target.write_bytes(b"%PDF-1.6\\n1 0 obj<</Type/Page>>endobj\\n%%EOF\\n")
    else:
        shutil.copyfile(env["FAKE_CONVERTED"], target)
with open(log, "a") as fh:
    fh.write(f"end {{os.getpid()}} {{time.time()}}\\n")
"""


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """The fake LibreOffice first on PATH (and for the subprocesses: their env)."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    log = tmp_path / "soffice.log"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_LOG": str(log)}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("GOALDOC_SOFFICE", raising=False)
    return script, log, env


def calls(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines() if line.startswith("start")] if log.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def departments(folder: Path, n: int) -> list[Path]:
    """``n`` departments: 台山 under ``n`` names (each its own output files)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = TAISHAN.read_text(encoding="utf-8")
    made = []
    for k in range(n):
        path = folder / f"{k:03d}.yaml"
        path.write_text(text.replace(f"name: {NAME}", f"name: {NAME}{k:03d}", 1), encoding="utf-8")
        made.append(path)
    return made


# ---------------------------------------------------------------- item 2: more files than one call


def test_a_batch_larger_than_one_libreoffice_call_gets_every_pdf(tmp_path, fake, monkeypatch):
    """LibreOffice 7.4 ignores arguments after about 253: with 400 files a call, a batch of
    more than ~245 lost the rest (P002 for each), and a rerun lost them again."""
    _script, log, _env = fake
    monkeypatch.setenv("FAKE_MAX_ARGS", "253")
    n = pdf.PER_PROCESS + 60
    jobs = []
    for k in range(n):
        src = tmp_path / "in" / f"{k}.docx"
        src.parent.mkdir(exist_ok=True)
        src.write_bytes(b"x")
        jobs.append((src, tmp_path / "out" / f"{k}.pdf"))
    results = pdf.convert(jobs)
    assert [r.problem for r in results if not r.ok] == []
    assert len(list((tmp_path / "out").glob("*.pdf"))) == n
    sizes = [int(c[3]) for c in calls(log)]
    assert len(sizes) == 2 and max(sizes) <= 253  # every argument of every call was read
    assert not any(alive(int(c[2])) for c in calls(log))  # each call's soffice.bin ended with it


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice is not installed: run make deps")
def test_real_libreoffice_converts_more_files_than_one_call_takes(tmp_path):
    """The real LibreOffice, PER_PROCESS + 5 one-line documents: every PDF made, in two calls
    (about a minute and a half on the two busy cores the suite runs on)."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("一")
    doc.save(tmp_path / "one.docx")
    jobs = []
    for k in range(pdf.PER_PROCESS + 5):
        src = tmp_path / "in" / f"{k}.docx"
        src.parent.mkdir(exist_ok=True)
        src.write_bytes((tmp_path / "one.docx").read_bytes())
        jobs.append((src, tmp_path / "out" / f"{k}.pdf"))
    results = pdf.convert(jobs, timeout=300)
    assert [(r.source.name, r.problem) for r in results if not r.ok] == []
    assert all(r.pages == 1 for r in results)


# ---------------------------------------------------------------- item 3: LibreOffice always ended


def test_what_libreoffice_starts_ends_with_the_call(tmp_path, fake):
    _script, log, _env = fake
    src = tmp_path / "a.docx"
    src.write_bytes(b"x")
    (result,) = pdf.convert([(src, tmp_path / "a.pdf")])
    assert result.ok
    ((_start, _pid, child, *_rest),) = calls(log)
    assert wait_for(lambda: not alive(int(child)), timeout=10)


def test_kill_9_during_the_pdf_phase_leaves_no_libreoffice_and_the_next_run_removes_its_folder(tmp_path, fake):
    _script, log, env = fake
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**env, "TMPDIR": str(temp), "FAKE_HANG_AFTER": "0"}
    files = departments(tmp_path / "in", 2)
    proc, tag = start(["render", *files, "-o", tmp_path / "out", "-f", "pdf", "-j", "1"], cwd=tmp_path, env=env)
    assert wait_for(lambda: len(calls(log)) == 1)  # LibreOffice started, and hangs on the first file
    assert any(p.name.startswith("goaldoc-pdf-") for p in temp.iterdir())
    assert len(tagged(tag)) >= 4  # goaldoc, the watchdog, soffice, its child
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert none_left(tag) == []  # soffice and soffice.bin die with goaldoc
    left = sorted(p.name.split("-")[1] for p in temp.iterdir() if p.name.startswith("goaldoc-"))
    assert left == ["lock", "pdf", "stage"]  # a killed run cannot tidy up: -o's lock, its folders …
    env.pop("FAKE_HANG_AFTER")
    run = run_bounded(["render", files[0], "-o", tmp_path / "out2", "-f", "pdf"], cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert [p.name for p in temp.iterdir() if p.name.startswith("goaldoc-")] == []  # … the next one does


def test_ctrl_c_during_the_pdf_phase_ends_libreoffice_and_counts_what_is_on_disk(tmp_path, fake):
    _script, log, env = fake
    files = departments(tmp_path / "in", 3)
    out = tmp_path / "out"
    with open(tmp_path / "stdout", "w") as so, open(tmp_path / "stderr", "w") as se:
        proc, tag = start(["render", *files, "-o", out, "--pdf", "-j", "1"], cwd=tmp_path, env={**env, "FAKE_HANG_AFTER": "1"}, stdout=so, stderr=se)
        assert wait_for(lambda: len(list(out.glob("*.pdf"))) == 1)  # the second hangs in LibreOffice
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    err = (tmp_path / "stderr").read_text().splitlines()
    assert err[-1] == (
        "已中断：写好了 3 个部门的 .docx 和 .xlsx、1 个部门的 PDF（每个文件都是完整的）；"
        f"没有生成：PDF 2 个（{files[1]}、{files[2]}）；再运行一次即可补上。"
    )
    assert len(list(out.glob("*.pdf"))) == 1 and len(list(out.glob("*.docx"))) == 3
    assert none_left(tag) == []


def test_import_converts_through_goaldoc_soffice_within_its_time_limit(tmp_path, fake):
    script, log, env = fake
    env = {**env, "GOALDOC_SOFFICE": str(script), "PATH": os.environ["PATH"].split(os.pathsep, 1)[1], "FAKE_HANG_AFTER": "0"}
    old = tmp_path / "去年.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    run = run_bounded(["import", old, "--convert-timeout", "2"], cwd=tmp_path, env=env)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"{old} 错误 E047：用 LibreOffice 把它转成 .docx 超过 2 秒仍未完成，已停止：请在 Word / WPS / Excel 里打开它，"
        "另存为 .docx 后再导入（文件确实很大时可用 --convert-timeout 放宽时限）",
        f"{old}：没有导入。",
    ]
    assert len(calls(log)) == 1  # $GOALDOC_SOFFICE, as render uses it
    assert none_left(run.tag) == []
    assert not old.with_suffix(".yaml").exists()


def test_import_reads_what_goaldoc_soffice_converted(tmp_path, fake):
    from hostile_office import rendered

    script, log, env = fake
    converted = tmp_path / "converted.docx"
    converted.write_bytes(rendered("docx"))
    env = {**env, "GOALDOC_SOFFICE": str(script), "FAKE_CONVERTED": str(converted)}
    old = tmp_path / "去年.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    run = run_bounded(["import", old], cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert f"{old}：已用 LibreOffice 把 去年.doc 转成 .docx 再读：请核对转换后的文字（尤其是合并单元格）" in run.stdout.splitlines()
    assert none_left(run.tag) == []


# ---------------------------------------------------------------- item 5: workers die with their parent


def _render_many(tmp_path: Path, n: int, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    files = departments(tmp_path / "in", n)
    out = tmp_path / "out"
    so, se = open(tmp_path / "stdout", "w"), open(tmp_path / "stderr", "w")
    proc, tag = start(["render", *files, "-o", out, "--jobs", "2"], cwd=tmp_path, env=env, stdout=so, stderr=se)
    return files, out, proc, tag, (so, se)


def test_kill_9_of_a_two_job_batch_leaves_no_worker(tmp_path):
    files, out, proc, tag, handles = _render_many(tmp_path, 30)
    try:
        assert wait_for(lambda: len(list(out.glob("*.docx"))) >= 2, timeout=300)
        assert len(tagged(tag)) == 3  # goaldoc and its two workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert none_left(tag) == []
    finally:
        for h in handles:
            h.close()


def test_ctrl_c_of_a_two_job_batch_counts_what_is_on_disk_and_names_the_rest(tmp_path):
    files, out, proc, tag, handles = _render_many(tmp_path, 30)
    try:
        assert wait_for(lambda: len(list(out.glob("*.docx"))) >= 2, timeout=300)
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=120) == 130
    finally:
        for h in handles:
            h.close()
    assert none_left(tag) == []
    pairs = sorted(p.stem for p in out.glob("*.docx") if p.with_suffix(".xlsx").exists())
    assert len(pairs) == len(list(out.glob("*.docx"))) == len(list(out.glob("*.xlsx")))  # whole pairs only
    written = {int(re.search(r"(\d{3})部门", s)[1]) for s in pairs}  # type: ignore[index]
    missing = [str(f) for k, f in enumerate(files) if k not in written]
    shown = "、".join(missing[:5]) + (f" 等 {len(missing)} 个" if len(missing) > 5 else "")
    last = (tmp_path / "stderr").read_text().splitlines()[-1]
    assert last == (
        f"已中断：写好了 {len(pairs)} 个部门的 .docx 和 .xlsx（每个文件都是完整的）；"
        f"没有生成：.docx 和 .xlsx {len(missing)} 个（{shown}）；再运行一次即可补上。"
    )


# ---------------------------------------------------------------- item 6: one writer per -o, failures named


def test_a_second_writer_into_the_same_output_is_refused(tmp_path):
    from hostile_office import rendered

    out = tmp_path / "待查"
    src = tmp_path / "收到的.docx"
    src.write_bytes(rendered("docx"))
    with locks.writing_into(out):  # another goaldoc, writing there now
        imported = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
        rendered_ = CliRunner().invoke(main, ["render", str(TAISHAN), "-o", str(out)])
    for res in (imported, rendered_):
        assert res.exit_code == 1
        first = res.stderr.splitlines()[0]
        assert first.startswith(f"{out} 错误 B003：另一个 goaldoc（进程 {os.getpid()}，")
        assert first.endswith("正在往这里写文件：两个同时写会互相覆盖，却都说完成了，这次什么也没有做：请等它结束后再运行，或换一个输出（-o）")
    assert imported.stderr.splitlines()[-1] == "没有导入任何文件。"
    assert rendered_.stderr.splitlines()[-1] == "未生成任何文件。"
    assert not out.exists()
    # released: the same commands go through
    assert CliRunner().invoke(main, ["import", str(src), "-o", str(out)]).exit_code == 0


def test_two_imports_at_once_into_one_folder_never_both_say_imported(tmp_path):
    from hostile_office import rendered

    for k in range(4):
        (tmp_path / f"{k}.docx").write_bytes(rendered("docx"))
    srcs = [tmp_path / f"{k}.docx" for k in range(4)]
    out = tmp_path / "待查"
    runs = [start(["import", *srcs, "-o", out, "-j", "1"], cwd=tmp_path) for _ in range(2)]
    said = [p.communicate(timeout=300) for p, _tag in runs]
    imported = [line for so, _se in said for line in so.splitlines() if "已导入" in line and not line.startswith("共")]
    assert len(imported) == 4  # each file once: the other run was refused or found it there
    assert sorted(p.name for p in out.iterdir()) == ["0.yaml", "1.yaml", "2.yaml", "3.yaml"]


def test_a_pdf_that_cannot_be_written_is_named_and_not_counted(tmp_path, fake, monkeypatch):
    from goaldoc.output import OutputError

    def full(files):  # type: ignore[no-untyped-def]
        raise OutputError([pdf.Problem("磁盘已满：请腾出空间后重试", (), str(next(iter(files))), code="E902")])

    monkeypatch.setattr(pdf, "write_all", full)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["render", str(TAISHAN), str(LIUZHI), "-o", str(out), "-f", "pdf", "-j", "1"])
    assert res.exit_code == 1
    p004 = [line for line in res.stderr.splitlines() if " P004：" in line]
    assert len(p004) == 2 and p004[0].startswith(f"{TAISHAN} 错误 P004：PDF 没有写进 {out}")
    assert p004[0].endswith("：磁盘已满：请腾出空间后重试")
    assert "共 2 个部门：0 个成功，2 个有问题；生成 0 个文件" in res.stdout


# ---------------------------------------------------------------- issue 23 item 4: both cores to the end


def test_libreoffice_starts_while_departments_still_render(tmp_path, fake):
    """The first LibreOffice call starts once a group of departments is rendered, before the
    last one is: the PDF phase no longer waits for every render with one core idle."""
    _script, log, env = fake
    files = departments(tmp_path / "in", 24)
    out = tmp_path / "out"
    run = run_bounded(["render", *files, "-o", out, "--pdf", "-j", "1"], cwd=tmp_path, env=env, cpu=600)
    assert run.returncode == 0, run.stderr
    first_call = float(calls(log)[0][4])
    last_docx = max(p.stat().st_mtime for p in out.glob("*.docx"))
    assert first_call < last_docx
    assert 2 <= len(calls(log)) <= 4  # groups of at least 8, not a call per file
    lines = run.stdout.splitlines()
    pdf_lines = [k for k, line in enumerate(lines) if line.endswith("（1 页）")]
    docx_lines = [k for k, line in enumerate(lines) if line.endswith(".docx")]
    assert len(pdf_lines) == 24 and min(pdf_lines) > max(docx_lines)  # printed after the renders, as before
    assert none_left(run.tag) == []


def _masters(folder: Path, n: int) -> list[batch.Outcome]:
    """``n`` rendered departments as the converter receives them (the fake reads no .docx)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for k in range(n):
        master = folder / f"{k:02d}.docx"
        master.write_bytes(b"x")
        made.append(batch.Outcome(k + 1, f"{k:02d}.yaml", master=master, targets=[master.with_suffix(".pdf")]))
    return made


def _consume(conv: batch._Converter) -> tuple[Any, list[batch.Step]]:
    """The renders are over: the PDF steps, taken in a thread (as the CLI takes them)."""
    import threading

    got: list[batch.Step] = []
    reader = threading.Thread(target=lambda: got.extend(conv.steps()), daemon=True)
    reader.start()
    return reader, got


def test_once_the_renders_are_over_every_core_converts(tmp_path, fake, monkeypatch):
    """LibreOffice converts on one core: what is left when the last department is rendered
    goes to min(--jobs, 4) LibreOffice processes at once, each with its own profile (before,
    one process took it all, and the other core idled to the end)."""
    _script, log, _env = fake
    gate = tmp_path / "gate"
    monkeypatch.setenv("FAKE_GATE", str(gate))  # LibreOffice's first call waits for the test
    monkeypatch.setenv("FAKE_DELAY", "0.3")
    outcomes = _masters(tmp_path / "in", 24)
    conv = batch._Converter.start(batch.Options(formats=("docx", "pdf"), jobs=2), None, len(outcomes))
    for o in outcomes[:8]:
        conv.add(o)
    assert wait_for(lambda: len(calls(log)) == 1)  # the first group goes while the others "render"
    for o in outcomes[8:]:
        conv.add(o)
    reader, got = _consume(conv)
    assert wait_for(lambda: conv.inbox.qsize() == 17)  # the other 16, and the end of the renders
    gate.touch()
    reader.join(timeout=120)
    assert not reader.is_alive()
    assert sorted(s.outcome.index for s in got) == list(range(1, 25)) and [s.done for s in got] == list(range(1, 25))
    assert all(s.outcome.pages == 1 and not s.outcome.failed for s in got)
    assert len(list((tmp_path / "in").glob("*.pdf"))) == 24
    started = calls(log)
    assert [int(c[6]) for c in started] == [8, 8, 8]  # the 16 left: two processes, 8 each
    assert len({c[5] for c in started}) == 3  # each its own -env:UserInstallation
    ends = {line.split()[1]: float(line.split()[2]) for line in log.read_text().splitlines() if line.startswith("end")}
    (s0, p0), (s1, p1), (s2, p2) = sorted((float(c[4]), c[1]) for c in started)
    assert ends[p0] <= s1 and s2 < ends[p1] and s1 < ends[p2]  # the last two ran at the same time
    conv.stop()  # as the CLI does at the end: the last group is killed as its call returns
    assert not conv.thread.is_alive()
    assert wait_for(lambda: not any(alive(int(c[2])) for c in started), timeout=20)


def test_stopping_the_pdfs_ends_every_libreoffice_at_once(tmp_path, fake, monkeypatch):
    """Ctrl-C or an error while two LibreOffice processes convert: both groups are killed
    (soffice and what it started), and no PDF step claims a file that was not made."""
    _script, log, _env = fake
    monkeypatch.setenv("FAKE_HANG_AFTER", "0")
    outcomes = _masters(tmp_path / "in", 16)
    conv = batch._Converter(batch.Options(formats=("docx", "pdf"), jobs=2), None, len(outcomes))
    for o in outcomes:
        conv.add(o)
    reader, got = _consume(conv)
    assert wait_for(lambda: conv.inbox.qsize() == 17)  # all rendered before LibreOffice starts
    conv.thread.start()
    assert wait_for(lambda: len(calls(log)) == 2)  # two at once, each hanging on its first file
    started = calls(log)
    assert [int(c[6]) for c in started] == [8, 8]
    conv.stop()
    reader.join(timeout=60)
    assert not reader.is_alive() and not conv.thread.is_alive()
    assert got == [] and list((tmp_path / "in").glob("*.pdf")) == []
    assert wait_for(lambda: not any(alive(int(c[1])) or alive(int(c[2])) for c in started), timeout=20)


def test_on_disk_counts_only_what_this_run_wrote(tmp_path):
    """A file from an earlier run is not this run's: what was there is stamped at the plan."""
    target = tmp_path / "a.docx"
    target.write_bytes(b"old")
    o = batch.Outcome(1, "a.yaml", targets=[target, tmp_path / "a.xlsx"])
    o.before = [batch.stamp(t) for t in o.targets]
    found = batch.on_disk([o], ("docx", "xlsx"))
    assert found.complete == {"office": 0} and found.missing == {"office": ["a.yaml"]}
    new = tmp_path / "new"
    new.write_bytes(b"new")
    new.replace(target)
    (tmp_path / "a.xlsx").write_bytes(b"new")
    assert batch.on_disk([o], ("docx", "xlsx")).complete == {"office": 1}


def test_the_lock_of_an_output_is_the_same_however_it_is_named(tmp_path):
    (tmp_path / "out").mkdir()
    assert locks.lock_file(tmp_path / "out") == locks.lock_file(str(tmp_path / "x" / ".." / "out"))
    os.symlink(tmp_path / "out", tmp_path / "link")
    assert locks.lock_file(tmp_path / "link") == locks.lock_file(tmp_path / "out")



def test_ctrl_c_of_an_import_batch_says_what_was_imported_and_what_was_not(tmp_path):
    from hostile_office import rendered

    srcs = []
    for k in range(12):
        src = tmp_path / f"{k:02d}.docx"
        src.write_bytes(rendered("docx"))
        srcs.append(src)
    out = tmp_path / "待查"
    with open(tmp_path / "stdout", "w") as so, open(tmp_path / "stderr", "w") as se:
        proc, tag = start(["import", *srcs, "-o", out, "--jobs", "2"], cwd=tmp_path, stdout=so, stderr=se)
        assert wait_for(lambda: out.exists() and len(list(out.glob("*.yaml"))) >= 1, timeout=300)
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=120) == 130
    assert none_left(tag) == []
    done = sorted(p.stem for p in out.glob("*.yaml"))
    rest = [str(s) for s in srcs if s.stem not in done]
    assert rest  # interrupted before the end
    shown = "、".join(rest[:5]) + (f" 等 {len(rest)} 个" if len(rest) > 5 else "")
    assert (tmp_path / "stderr").read_text().splitlines()[-1] == f"已中断：导入了 {len(done)} 个文件（每个 YAML 都是完整的）；没有导入：{shown}。"


def test_a_libreoffice_folder_that_cannot_be_written_names_each_pdf(tmp_path, monkeypatch):
    """A full /tmp while LibreOffice's working folder is made: each PDF of that call is named
    with P004 (before, the converter's thread died with a traceback and the steps fell short)."""

    def full(jobs, *args):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")
        yield  # pragma: no cover

    monkeypatch.setattr(pdf, "convert_each", full)
    monkeypatch.setattr(pdf, "find_soffice", lambda: "/bin/true")
    outcomes = _masters(tmp_path / "in", 3)
    conv = batch._Converter.start(batch.Options(formats=("docx", "pdf"), jobs=1), None, len(outcomes))
    for o in outcomes:
        conv.add(o)
    got = list(conv.steps())
    assert [s.outcome.index for s in got] == [1, 2, 3] and all(s.outcome.failed for s in got)
    assert [p.message for s in got for p in s.outcome.problems] == [
        "PDF 没有生成：LibreOffice 的临时文件夹写不进（No space left on device）：请腾出空间后再运行一次"
    ] * 3
    assert {p.code for s in got for p in s.outcome.problems} == {"P004"}


def test_a_folder_being_made_is_never_swept(tmp_path, monkeypatch):
    """A sweep (another run's, or another LibreOffice lane's of this batch: they start at
    once) between the owner file's creation and its lock took a live folder for a killed
    run's and removed it: a lane's conversions then failed (this file's two-lane tests, under
    load). The sweep here runs at that very moment; the folder survives it."""
    import fcntl
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    real = fcntl.flock
    swept: list[locks.Swept] = []

    def flock(fd: int, op: int) -> None:
        if op == fcntl.LOCK_EX:  # the maker locks its owner file: another run sweeps just now
            swept.extend(locks.sweep(tmp_path))
        real(fd, op)

    monkeypatch.setattr(fcntl, "flock", flock)
    folder, fd = locks.make_owned_tempdir("goaldoc-pdf-", sweep_first=False)
    with locks.owned_tempdir("goaldoc-convert-") as other:
        assert swept == [] and folder.is_dir() and other.is_dir()
        assert sorted(p.name for p in folder.iterdir()) == [".goaldoc-owner"]
    locks.remove_owned(folder, fd)
    assert not folder.exists() and not other.exists()
