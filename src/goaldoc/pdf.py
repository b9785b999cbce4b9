"""PDF: each department's .docx, converted by one LibreOffice process for the whole batch.

Which file: the .docx is the print master. It holds every form of the bundle in order, with
the page setup, repeating heading rows and rows that do not split that Word prints; the
.xlsx holds the same cells for people who compute with them. Converting both would print
the same forms twice, at twice the time, and a reader would have two PDFs that differ in
their page breaks. So there is one PDF per department, ``<stem>.pdf`` beside the .docx.

How: one ``soffice --headless --convert-to pdf`` call over all files, in a private profile.
Measured against unoserver on the same 20 files (bench/pdf.py, bench/RESULTS.md), the single
call was faster (unoserver waits ~5 s for its server before the first file and costs more
per file through XML-RPC) and needs nothing beyond LibreOffice itself, where unoserver needs
Debian's python3-uno, usable only from the system Python, not from goaldoc's venv.

Time limit: LibreOffice prints ``convert A -> B`` once it has loaded A, before storing B, so
each line is progress. When no file is finished within ``timeout`` seconds the process
group is killed, the file that was being converted is named, and a new process takes the
files after it: a conversion that hangs never stops the batch.

No process left behind (issue 18 items 3 and 5): LibreOffice runs in a process group of its
own (``soffice`` starts ``oosplash``, which starts ``soffice.bin``), with a private profile,
and the group is killed when the call ends — done, timed out, Ctrl-C — and when goaldoc
itself dies: a watchdog in the group reads a pipe that only goaldoc holds open, and kills the
group when it closes (kill -9 closes it too). A call takes at most :data:`PER_PROCESS` files:
LibreOffice 7.4 ignores command-line arguments after about 253. Its working folder is owned
by the live run (:mod:`goaldoc.locks`): one a killed run left is removed by the next.

`goaldoc import` converts .doc / .xls / .wps the same way (:func:`convert_one`).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import GoaldocError, Problem
from .locks import owned_tempdir
from .output import write_all

DEFAULT_TIMEOUT = 120.0  # seconds for one file (a 10,000-row .docx takes tens of seconds)
DEBIAN_PACKAGES = "libreoffice-writer-nogui fonts-noto-cjk"
# files on one command line, with the 10 other arguments: LibreOffice 7.4 ignores those after
# about 253 (a batch of 300 lost its last 55 PDFs, issue 18 item 2); Windows allows 32,767 characters
PER_PROCESS = 200

# where installers put soffice when it is not on PATH
_KNOWN_PLACES = [
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
]
_CONVERT_LINE = re.compile(r"^convert (.+?) -> (.+?) using filter")


@dataclass
class Conversion:
    """One .docx → PDF: the PDF written (and its pages), or the problem that stopped it."""

    source: Path
    target: Path
    pages: int | None = None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def find_soffice() -> str | None:
    """LibreOffice's command: $GOALDOC_SOFFICE, else soffice / libreoffice on PATH. Only
    macOS and Windows, whose installers leave PATH alone, also look in the usual places."""
    env = os.environ.get("GOALDOC_SOFFICE")
    if env:
        return shutil.which(env)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if sys.platform in ("darwin", "win32"):
        return next((p for p in _KNOWN_PLACES if os.path.isfile(p)), None)
    return None


def missing_problem(file: str | None = None) -> Problem:
    return Problem(
        "没有找到 LibreOffice（soffice 命令），PDF 没有生成；.docx/.xlsx 照常生成了："
        f"请安装 LibreOffice 和中文字体（Debian/Ubuntu：sudo apt-get install {DEBIAN_PACKAGES}，"
        "或在 goaldoc 文件夹里运行 bash tools/install-system-deps.sh），再运行一次",
        (),
        file,
        code="P001",
    )


def page_count(data: bytes) -> int | None:
    """Pages of a PDF as LibreOffice writes it (page objects in the clear, no object streams)."""
    if b"/ObjStm" in data:
        return None
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data)) or None


def _complete(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]


def convert(
    jobs: Sequence[tuple[Path, Path]], timeout: float = DEFAULT_TIMEOUT, soffice: str | None = None
) -> list[Conversion]:
    """Convert each (source .docx, target .pdf); one :class:`Conversion` per job, in order."""
    results = {k: c for k, c in convert_each(jobs, timeout, soffice)}
    return [results[k] for k in sorted(results)]


def convert_each(
    jobs: Sequence[tuple[Path, Path]],
    timeout: float = DEFAULT_TIMEOUT,
    soffice: str | None = None,
    stop: threading.Event | None = None,
) -> Iterator[tuple[int, Conversion]]:
    """Convert each (source .docx, target .pdf) with one LibreOffice process, yielding
    (job index, :class:`Conversion`) as each file is through. Each target is written
    atomically; a file LibreOffice could not convert, or that took longer than ``timeout``
    seconds, carries its problem, and the others go on. ``stop`` set (from another thread)
    kills LibreOffice and ends the conversion; the files not yet through are not yielded.
    """
    results = [Conversion(Path(s), Path(t)) for s, t in jobs]
    if not results or (stop is not None and stop.is_set()):
        return
    soffice = soffice or find_soffice()
    if soffice is None:
        for k, r in enumerate(results):
            r.problem = missing_problem(str(r.target))
            yield k, r
        return
    with owned_tempdir("goaldoc-pdf-") as work:
        (work / "in").mkdir()
        (work / "out").mkdir()
        # ASCII names in one folder: LibreOffice writes every PDF into one --outdir, and
        # two departments' stems may be equal (their folders differ)
        names = []
        for k, r in enumerate(results):
            names.append(f"{k:05d}{r.source.suffix}")
            shutil.copyfile(r.source, work / "in" / names[-1])
        pending = list(range(len(results)))
        while pending and not (stop is not None and stop.is_set()):
            chunk = pending[:PER_PROCESS]
            stuck = None
            for event, pos, said in _run(soffice, work, [names[k] for k in chunk], timeout, "pdf", stop):
                k = chunk[pos]
                r = results[k]
                pdf = work / "out" / (Path(names[k]).stem + ".pdf")
                if event == "stuck":
                    stuck = pos
                    r.problem = Problem(
                        f"LibreOffice 转换 {r.source.name} 超过 {timeout:g} 秒仍未完成，已停止（其余文件照常转换）："
                        "文件很大时请用 --pdf-timeout 放宽时限，或生成 .docx 后用 Word/WPS 另存为 PDF",
                        (),
                        str(r.target),
                        code="P003",
                    )
                elif _complete(pdf):
                    data = pdf.read_bytes()
                    try:
                        write_all({r.target: data})  # temp file and rename, like the others
                    except GoaldocError as exc:  # locked, disk full, no permission: named, as a P
                        first = exc.problems[0]
                        r.problem = Problem(f"PDF 没有写进 {r.target}：{first.message}", (), str(r.target), code="P004")
                    else:
                        r.pages = page_count(data)
                else:
                    said = _SAYINGS.get(said, said)
                    r.problem = Problem(
                        f"LibreOffice 没能把 {r.source.name} 转成 PDF" + (f"（{said[:200]}）" if said else "")
                        + "：请用 Word/WPS 打开这个 .docx 看是否完好，或在那里另存为 PDF",
                        (),
                        str(r.target),
                        code="P002",
                    )
                yield k, r
            pending = pending[stuck + 1 :] if stuck is not None else pending[len(chunk) :]


# what LibreOffice prints, in the clerk's words
_SAYINGS = {"Error: source file could not be loaded": "LibreOffice 打不开这个文件"}


def convert_one(source: Path, fmt: str, timeout: float = DEFAULT_TIMEOUT, soffice: str | None = None) -> tuple[bytes | None, bool]:
    """``source`` converted to ``fmt`` (docx, xlsx) by LibreOffice, the way the PDFs are: its
    own process group and profile, stopped after ``timeout`` seconds, ended with goaldoc.
    (the converted bytes, or None; whether it was stopped for taking too long)"""
    soffice = soffice or find_soffice()
    if soffice is None:
        return None, False
    with owned_tempdir("goaldoc-convert-") as work:
        (work / "in").mkdir()
        (work / "out").mkdir()
        name = "00000" + source.suffix.lower()
        shutil.copyfile(source, work / "in" / name)
        stuck = any(event == "stuck" for event, _pos, _said in _run(soffice, work, [name], timeout, fmt))
        out = work / "out" / f"00000.{fmt}"
        try:
            data = out.read_bytes() if not stuck and out.is_file() else None
        except OSError:
            data = None
    return data, stuck


# Runs LibreOffice in a group with a watchdog: the background reader gets end-of-file when
# goaldoc closes the pipe — when the call is over, or when goaldoc dies — and kills the whole
# group (oosplash, soffice.bin, itself). fd 3 is the pipe; LibreOffice gets neither it nor stdin,
# and the watchdog does not hold LibreOffice's output open (its end is what ends the reading).
_WATCHDOG = 'exec 3<&0 </dev/null; (cat <&3; kill -9 0) >/dev/null 2>&1 & exec "$@" 3<&-'


def _spawn(cmd: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    # LibreOffice's own temporary files (lu*.tmp) in the working folder, which goes with the
    # call: killed (a time limit, Ctrl-C), it left them in the system's temporary folder
    env = {**os.environ, "TMPDIR": str(cwd), "TMP": str(cwd), "TEMP": str(cwd)}
    if os.name != "posix":  # pragma: no cover - Windows: taskkill /T ends the tree (_kill)
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd, env=env)
    return subprocess.Popen(
        ["/bin/sh", "-c", _WATCHDOG, "goaldoc-soffice", *cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.PIPE,  # the watchdog's pipe: only this process holds its other end
        cwd=cwd,
        env=env,
        start_new_session=True,  # a group of its own, killed as one
    )


def _run(
    soffice: str, work: Path, names: list[str], timeout: float, fmt: str = "pdf", stop: threading.Event | None = None
) -> Iterator[tuple[str, int, str]]:
    """One LibreOffice process over ``names``: yields ("done", position, what it said) as each
    file is through, and ("stuck", position, "") for the one it was killed over when no file
    got through in ``timeout`` seconds (the files after it are left to the caller). ``stop``
    set ends it, LibreOffice killed, without a word about the files not through."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=work))
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",  # never the user's own LibreOffice (it may be open)
        "--headless",
        "--norestore",
        "--nologo",
        "--convert-to",
        fmt,
        "--outdir",
        str(work / "out"),
        *(str(work / "in" / n) for n in names),
    ]
    proc = _spawn(cmd, work)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw.decode("utf-8", "replace").rstrip())
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    said: dict[int, str] = {}
    last_words = ""
    through = 0  # files before this one are reported
    loaded = -1  # the last file LibreOffice said it had loaded: it is storing its PDF
    current = 0  # the file it is loading (after `loaded`, or after one it refused)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                line = _next_line(lines, deadline, stop, proc)
            except _Stopped:
                return  # the finally below kills the group
            except queue.Empty:
                _kill(proc)
                out = work / "out" / (Path(names[loaded]).stem + ".pdf") if loaded >= 0 else None
                storing = loaded == current - 1 and out is not None and not _complete(out)
                stuck = loaded if storing else current
                for pos in range(through, min(stuck, len(names))):
                    yield "done", pos, said.get(pos, "")
                if stuck < len(names):  # else every file is through: it hung on its way out
                    yield "stuck", stuck, ""
                return
            if line is None:
                break
            m = _CONVERT_LINE.match(line)
            if m and Path(m.group(1)).name in names:
                loaded = names.index(Path(m.group(1)).name)
                current = loaded + 1
                deadline = time.monotonic() + timeout
                upto = loaded  # the one before it is stored
            elif line.strip() and "javaldx" not in line:  # a harmless warning on machines without Java
                last_words = line.strip()
                if not line.startswith("Error") or current >= len(names):
                    continue
                said[current] = last_words  # "Error: source file could not be loaded"
                current += 1
                deadline = time.monotonic() + timeout
                upto = current
            else:
                continue
            for pos in range(through, upto):
                yield "done", pos, said.get(pos, "")
            through = max(through, upto)
        proc.wait()
        for pos in range(through, len(names)):
            yield "done", pos, said.get(pos, last_words)
    finally:
        _kill(proc)  # done, timed out or interrupted: nothing of the group outlives the call


class _Stopped(Exception):
    pass


def _next_line(
    lines: queue.Queue[str | None], deadline: float, stop: threading.Event | None, proc: subprocess.Popen[bytes]
) -> str | None:
    """LibreOffice's next line; queue.Empty at the deadline, _Stopped when asked to stop,
    None at the end of its output — or a second after soffice itself ended, when something it
    started still holds the output open (it is killed with the group)."""
    ended: float | None = None
    while True:
        if stop is not None and stop.is_set():  # even while lines keep coming
            raise _Stopped
        left = deadline - time.monotonic()
        if left <= 0:
            return lines.get_nowait()  # queue.Empty unless a line came just in time
        try:
            return lines.get(timeout=min(left, 0.2))
        except queue.Empty:
            if stop is not None and stop.is_set():
                raise _Stopped from None
            if proc.poll() is not None:
                ended = ended or time.monotonic()
                if time.monotonic() - ended > 1.0:
                    return None


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """End LibreOffice's whole group (what soffice started included) and reap it."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
    except (ProcessLookupError, PermissionError):  # the group is gone already
        pass
    if proc.stdin is not None:  # the watchdog's pipe: it kills whatever is left, and itself
        try:
            proc.stdin.close()
        except OSError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass


__all__ = ["DEFAULT_TIMEOUT", "Conversion", "convert", "convert_each", "convert_one", "find_soffice", "missing_problem", "page_count"]
