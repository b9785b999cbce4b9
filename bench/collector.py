"""Issue 23 items 3 and 4: the garbage collector in a batch, and PDFs while the renders go on.

    .venv/bin/python bench/collector.py            # ~15 minutes on two busy cores
    .venv/bin/python bench/collector.py --quick    # one round each

Writes the section "collector" of bench/RESULTS.md. Every figure is a ratio of two runs
made in turns in this same run ("before" and "after" alternate), so the machine's load
falls on both alike; the load average is recorded beside them.

before  what main did up to issue 23: one gc.collect() after each department, nothing frozen
after   batch.pause_collector() / tidy(): no automatic collection while a department renders, one
        after it, and what is alive after start-up and after the first department frozen
        (gc.freeze), so that no collection walks it again

The batch is a county round: 100 departments, the samples in turn, each under its own name.
``goaldoc render DIR -o OUT --jobs N`` runs in a new process; CPU is the process and its
workers (wait4), peak memory the largest of them. Memory over the batch is measured in one
process rendering the 100 one after the other (as --jobs 1 does): RSS after the first, after
one of each sample, after all 100.

The PDF part: 40 departments with --pdf --jobs 2, one LibreOffice starting after the last
render (before), or LibreOffice starting while the renders go on and, once they are over,
two LibreOffice processes at once (after: batch._Converter, groups of at least 8, lanes).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import write_section  # noqa: E402

PY = sys.executable
SAMPLES = sorted((ROOT / "samples").glob("*/*.yaml"))
QUICK = "--quick" in sys.argv
ROUNDS = 1 if QUICK else 3

# "before": collect after each department, the collector running as usual meanwhile, nothing
# frozen (main up to issue 23 item 3)
PATCH = {
    "before": "import gc; gc.freeze = lambda: None; gc.unfreeze = lambda: None; gc.disable = lambda: None",
    "after": "",
}
# "before" for PDFs: one LibreOffice, after every render (a group larger than the batch, one lane)
PDF_PATCH = {
    "before": "from goaldoc import batch\n"
    "_init = batch._Converter.__init__\n"
    "def _late(self, opts, staging, expected):\n"
    "    _init(self, opts, staging, expected); self.group = 10 ** 9; self.lanes = 1\n"
    "batch._Converter.__init__ = _late",
    "after": "",
}


def departments(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for k in range(n):
        sample = SAMPLES[k % len(SAMPLES)]
        text = sample.read_text(encoding="utf-8")
        text = re.sub(r"^(department:\s*\n(?:\s+#.*\n)*\s+name:\s*)(\S+)", rf"\g<1>\g<2>{k:03d}", text, count=1, flags=re.M)
        path = folder / f"{k:03d}-{sample.name}"
        path.write_text(text, encoding="utf-8")
        made.append(path)
    return made


def cli(patch: str, args: list[str]) -> dict[str, float]:
    """goaldoc ARGS in a new process, with ``patch`` run first: wall, CPU (with its
    workers), peak RSS of the largest."""
    code = f"{patch}\nimport sys\nfrom goaldoc.cli import main\nsys.argv = ['goaldoc', *sys.argv[1:]]\nmain()"
    started = time.perf_counter()
    proc = subprocess.Popen([PY, "-c", code, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    assert os.waitstatus_to_exitcode(status) == 0, err[-2000:]
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak": usage.ru_maxrss / 1024}


def batches(folder: Path, tmp: Path) -> list[str]:
    lines = ["## The collector in a batch: 100 departments, `goaldoc render DIR -o OUT --jobs N`", ""]
    lines.append(f"Medians of {ROUNDS} runs each, before and after in turns; load average {os.getloadavg()[0]:.1f} at the start.")
    lines.append("")
    lines.append("| --jobs | CPU before | CPU after | **after / before** | wall after / before | peak RSS before → after |")
    lines.append("|---|---|---|---|---|---|")
    for jobs in (1, 2):
        got: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for r in range(ROUNDS):
            for variant in ("before", "after") if r % 2 == 0 else ("after", "before"):
                out = tmp / f"out-{variant}-{jobs}-{r}"
                got[variant].append(cli(PATCH[variant], ["render", str(folder), "-o", str(out), "--jobs", str(jobs)]))
                files = sorted(p.name for p in out.iterdir())
                assert len(files) == 200, len(files)
        b = {k: statistics.median(x[k] for x in got["before"]) for k in ("wall", "cpu", "peak")}
        a = {k: statistics.median(x[k] for x in got["after"]) for k in ("wall", "cpu", "peak")}
        lines.append(
            f"| {jobs} | {b['cpu']:.1f} s | {a['cpu']:.1f} s | **{a['cpu'] / b['cpu']:.2f}×** | {a['wall'] / b['wall']:.2f}× "
            f"| {b['peak']:.0f} → {a['peak']:.0f} MB |"
        )
    lines.append("")
    return lines


def memory(files: list[Path]) -> list[str]:
    code = textwrap.dedent(
        f"""
        {{patch}}
        import json, resource, sys, tempfile
        from goaldoc import batch
        opts = batch.Options()
        rss = lambda: int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
        files = {[str(f) for f in files]!r}
        with tempfile.TemporaryDirectory() as tmp:
            marks = {{}}
            for k, f in enumerate(files, start=1):
                batch.render_one(k, f, opts, tmp)
                if k in (1, {len(SAMPLES)}, 50, len(files)):
                    marks[k] = rss()
            marks["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(json.dumps(marks))
        """
    )
    lines = [
        "## Memory over the batch: the 100 rendered one after the other in one process (`batch.render_one`, as `--jobs 1`)",
        "",
        f"| | RSS after the 1st | after one of each sample ({len(SAMPLES)}) | after 50 | after 100 | **100 / {len(SAMPLES)}** | peak |",
        "|---|---|---|---|---|---|---|",
    ]
    for variant in ("before", "after"):
        res = subprocess.run([PY, "-c", code.replace("{patch}", PATCH[variant])], capture_output=True, text=True, check=True, cwd=ROOT)
        m = json.loads(res.stdout.strip().splitlines()[-1])
        each = m[str(len(SAMPLES))]
        lines.append(
            f"| {variant} | {m['1']:.0f} MB | {each:.0f} MB | {m['50']:.0f} MB | {m['100']:.0f} MB | **{m['100'] / each:.2f}×** | {m['peak']:.0f} MB |"
        )
    lines.append("")
    return lines


def pdfs(tmp: Path) -> list[str]:
    folder = tmp / "pdf-in"
    departments(folder, 40)
    got: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    rounds = ROUNDS
    for r in range(rounds):
        for variant in ("before", "after") if r % 2 == 0 else ("after", "before"):
            out = tmp / f"pdf-{variant}-{r}"
            got[variant].append(cli(PDF_PATCH[variant], ["render", str(folder), "-o", str(out), "--pdf", "--jobs", "2"]))
            assert len(list(out.glob("*.pdf"))) == 40
    b = statistics.median(x["wall"] for x in got["before"])
    a = statistics.median(x["wall"] for x in got["after"])
    return [
        "## PDFs while the renders go on: 40 departments, `goaldoc render DIR -o OUT --pdf --jobs 2`",
        "",
        f"Medians of {rounds} runs each; load average {os.getloadavg()[0]:.1f}.",
        "",
        "| LibreOffice starts | wall |",
        "|---|---|",
        f"| after the last render (before) | {b:.1f} s |",
        f"| while the renders go on (after) | {a:.1f} s |",
        f"| **after / before** | **{a / b:.2f}×** |",
        "",
    ]


def main() -> None:
    """Everything, into bench/RESULTS.md; ``--only-pdf`` prints the PDF part alone (not written)."""
    only_pdf = "--only-pdf" in sys.argv
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "in"
        files = departments(folder, 100)
        lines = ["# Issue 23 items 3–4: the collector, and PDFs alongside the renders (bench/collector.py)", ""]
        lines += [f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} when it started; {time.strftime('%Y-%m-%d')}.", ""]
        if not only_pdf:
            lines += batches(folder, tmp)
            lines += memory(files)
        lines += pdfs(tmp)
    text = "\n".join(lines)
    print(text)
    if not only_pdf:
        write_section("collector", text)


if __name__ == "__main__":
    from results import arguments

    arguments(__doc__, ("--quick", "--only-pdf"))
    main()
