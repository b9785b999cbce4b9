"""Issue 23's goal "--pdf adds no more than LibreOffice's own time over one core", measured.

    .venv/bin/python bench/pdf_overlap.py              # 20 departments, 3 alternated rounds
    .venv/bin/python bench/pdf_overlap.py -n 40 -r 5   # other sizes
    .venv/bin/python bench/pdf_overlap.py --timeline   # also one --pdf run's phases (in-process)

N departments made from samples/ as bench/county.py makes its round (not timed). Each round,
in turn:

(a) ``goaldoc render DIR -o OUT --jobs 2`` (wall time);
(b) the same with ``--pdf``;
(c) LibreOffice alone: one ``soffice --headless --convert-to pdf --outdir X *.docx`` over the
    .docx files of (a), in a fresh private profile (as goaldoc starts it), pinned to one
    core (``taskset -c 0``) — LibreOffice's own time over one core.

The goal holds when (b) − (a) ≤ (c). Figures are medians of the rounds; the load average is
noted at the start and the end (the machine is shared: two cores). Written into
bench/RESULTS.md, section ``pdf-overlap``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from county import departments  # noqa: E402
from results import write_section  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # this tree's goaldoc


def render(folder: Path, out: Path, *extra: str, src: Path = ROOT / "src") -> float:
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    proc = subprocess.run(
        [PY, "-m", "goaldoc.cli", "render", str(folder), "-o", str(out), "--jobs", "2", *extra],
        cwd=ROOT, env={**ENV, "PYTHONPATH": str(src)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    wall = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
    return wall


def office_alone(docx: list[Path], work: Path) -> float:
    """One soffice over every .docx, on one core, in a new profile: LibreOffice's own time."""
    from goaldoc.pdf import find_soffice

    soffice = find_soffice()
    assert soffice is not None, "LibreOffice is not installed"
    if work.exists():
        shutil.rmtree(work)
    (work / "out").mkdir(parents=True)
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    cmd = [*pin, soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
           "--nologo", "--convert-to", "pdf", "--outdir", str(work / "out"), *map(str, docx)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "TMPDIR": str(work)})
    wall = time.perf_counter() - started
    assert proc.returncode == 0 and len(list((work / "out").glob("*.pdf"))) == len(docx)
    return wall


TIMELINE = r"""
import json, sys, time
from goaldoc import batch, pdf
T0 = time.perf_counter()
events = []
spawn = pdf._spawn
def timed_spawn(cmd, cwd):
    files = sum(1 for a in cmd if a.endswith(".docx"))
    proc = spawn(cmd, cwd)
    events.append(("soffice start", round(time.perf_counter() - T0, 2), files))
    wait = proc.wait
    def timed_wait(*a, **k):
        r = wait(*a, **k)
        if not any(e[0] == "soffice end" and e[2] == proc.pid for e in events):
            events.append(("soffice end", round(time.perf_counter() - T0, 2), proc.pid))
        return r
    proc.wait = timed_wait
    return proc
pdf._spawn = timed_spawn
files = sys.argv[2:]
opts = batch.Options(sys.argv[1], ("docx", "xlsx", "pdf"), jobs=2)
last = None
for step in batch.run(files, opts):
    if step.phase != last:
        events.append((step.phase + " first", round(time.perf_counter() - T0, 2), step.done))
        last = step.phase
    if step.phase == "render" and step.done == step.total:
        events.append(("renders over", round(time.perf_counter() - T0, 2), step.total))
events.append(("end", round(time.perf_counter() - T0, 2), 0))
print(json.dumps(events))
"""


def timeline(folder: Path, out: Path) -> list[str]:
    """One --pdf run in a process of its own, with each LibreOffice call's start and end."""
    import json

    if out.exists():
        shutil.rmtree(out)
    files = sorted(map(str, folder.glob("*.yaml")))
    proc = subprocess.run([PY, "-c", TIMELINE, str(out), *files], cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = json.loads(proc.stdout.strip().splitlines()[-1])
    lines = ["| s | event | |", "|---|---|---|"]
    for name, at, n in events:
        detail = f"{n} files" if name == "soffice start" else ("" if name in ("soffice end", "end") else str(n))
        lines.append(f"| {at:.2f} | {name} | {detail} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20, help="departments")
    parser.add_argument("-r", "--rounds", type=int, default=3)
    parser.add_argument("--timeline", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--compare", type=Path, help="another tree's src/: its (b) too, in the same rounds (before/after)")
    args = parser.parse_args()
    load_start = os.getloadavg()
    plain, with_pdf, office, other = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="pdf-overlap-") as tmp:
        folder = Path(tmp) / "in"
        departments(folder, args.n)
        for r in range(args.rounds):
            plain.append(render(folder, Path(tmp) / "a"))
            docx = sorted((Path(tmp) / "a").glob("*.docx"))
            assert len(docx) == args.n
            with_pdf.append(render(folder, Path(tmp) / "b", "--pdf"))
            assert len(list((Path(tmp) / "b").glob("*.pdf"))) == args.n
            office.append(office_alone(docx, Path(tmp) / "c"))
            if args.compare:
                other.append(render(folder, Path(tmp) / "b2", "--pdf", src=args.compare))
            print(f"round {r + 1}: (a) {plain[-1]:.1f} s, (b) {with_pdf[-1]:.1f} s, (c) {office[-1]:.1f} s"
                  + (f", (b) of {args.compare} {other[-1]:.1f} s" if other else ""), file=sys.stderr)
        events = timeline(folder, Path(tmp) / "t") if args.timeline else []
    load_end = os.getloadavg()
    a, b, c = (statistics.median(x) for x in (plain, with_pdf, office))
    rounds = "; ".join(f"{p:.1f} / {w:.1f} / {o:.1f}" for p, w, o in zip(plain, with_pdf, office, strict=True))
    lines = [
        f"## `--pdf` over the renders: {args.n} departments, `--jobs 2` (bench/pdf_overlap.py)",
        "",
        "Goal (issue 23): `--pdf` adds no more than LibreOffice's own time over one core, (b) − (a) ≤ (c).",
        "",
        "| (a) without --pdf | (b) with --pdf | (b) − (a) | (c) LibreOffice alone, one core | (b) − (a) over (c) |",
        "|---|---|---|---|---|",
        f"| {a:.1f} s | {b:.1f} s | {b - a:.1f} s | {c:.1f} s | {(b - a) / c:.2f}× |",
        "",
        f"Medians of {args.rounds} alternated rounds (a / b / c in seconds: {rounds}); load average "
        f"{load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end; LibreOffice "
        f"{_office_version()}.",
        "",
    ]
    if other:
        o = statistics.median(other)
        lines += [f"(b) with {args.compare}: {o:.1f} s, (b) − (a) {o - a:.1f} s, {(o - a) / c:.2f}× (rounds: "
                  + ", ".join(f"{x:.1f}" for x in other) + ").", ""]
    if events:
        lines += ["One `--pdf` run's phases (seconds from the start of `batch.run`):", "", *events, ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("pdf-overlap", text)


def _office_version() -> str:
    from goaldoc.pdf import find_soffice

    soffice = find_soffice()
    if soffice is None:
        return "?"
    out = subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout.split()
    return out[1] if len(out) > 1 else "?"


if __name__ == "__main__":
    main()
