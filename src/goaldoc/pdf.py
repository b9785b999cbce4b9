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
from .output import write_all

DEFAULT_TIMEOUT = 120.0  # seconds for one file (a 10,000-row .docx takes tens of seconds)
DEBIAN_PACKAGES = "libreoffice-writer-nogui fonts-noto-cjk"
PER_PROCESS = 400  # files on one command line: Windows allows 32,767 characters

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
    jobs: Sequence[tuple[Path, Path]], timeout: float = DEFAULT_TIMEOUT, soffice: str | None = None
) -> Iterator[tuple[int, Conversion]]:
    """Convert each (source .docx, target .pdf) with one LibreOffice process, yielding
    (job index, :class:`Conversion`) as each file is through. Each target is written
    atomically; a file LibreOffice could not convert, or that took longer than ``timeout``
    seconds, carries its problem, and the others go on.
    """
    results = [Conversion(Path(s), Path(t)) for s, t in jobs]
    if not results:
        return
    soffice = soffice or find_soffice()
    if soffice is None:
        for k, r in enumerate(results):
            r.problem = missing_problem(str(r.target))
            yield k, r
        return
    with tempfile.TemporaryDirectory(prefix="goaldoc-pdf-") as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        (work / "out").mkdir()
        # ASCII names in one folder: LibreOffice writes every PDF into one --outdir, and
        # two departments' stems may be equal (their folders differ)
        names = []
        for k, r in enumerate(results):
            names.append(f"{k:05d}{r.source.suffix}")
            shutil.copyfile(r.source, work / "in" / names[-1])
        pending = list(range(len(results)))
        while pending:
            chunk = pending[:PER_PROCESS]
            stuck = None
            for event, pos, said in _run(soffice, work, [names[k] for k in chunk], timeout):
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
                    except GoaldocError as exc:  # locked, disk full, no permission: named
                        r.problem = exc.problems[0]
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


def _run(soffice: str, work: Path, names: list[str], timeout: float) -> Iterator[tuple[str, int, str]]:
    """One LibreOffice process over ``names``: yields ("done", position, what it said) as each
    file is through, and ("stuck", position, "") for the one it was killed over when no file
    got through in ``timeout`` seconds (the files after it are left to the caller)."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=work))
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",  # never the user's own LibreOffice (it may be open)
        "--headless",
        "--norestore",
        "--nologo",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work / "out"),
        *(str(work / "in" / n) for n in names),
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=work,
        start_new_session=(os.name == "posix"),  # soffice starts soffice.bin: kill the group
    )
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
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
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
        if proc.poll() is None:  # the caller stopped early (an interrupt)
            _kill(proc)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass


__all__ = ["DEFAULT_TIMEOUT", "Conversion", "convert", "convert_each", "find_soffice", "missing_problem", "page_count"]
