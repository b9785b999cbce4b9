"""Benchmark: how long a department's forms take to render, beside a bare library write.

    python bench/render.py            # prints a table and rewrites its section of bench/RESULTS.md

For each sample: goaldoc's in-process render (template + merges + strictness pass) per
format, the median of N runs after one warm-up, then the same cells written with bare
python-docx / openpyxl (no template, no merges) in the same run, and the ratio. Also
the cold command-line time (`goaldoc render`, a new process: imports included).
This is a measurement script, not a test: figures depend on the machine.
"""

from __future__ import annotations

import io
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import write_section  # noqa: E402

from goaldoc.api import load, render_bytes  # noqa: E402
from goaldoc.context import all_projects  # noqa: E402

RUNS = 7


def median_time(fn, runs: int = RUNS) -> float:
    fn()  # warm-up: template caches, imports
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cells_of(model) -> list[list[str]]:
    """The same cells goaldoc prints, as plain rows (what a bare write would have to write)."""
    rows = [["部门名称", model.department.name]]
    for e in model.budget.expenditure + model.budget.income:
        rows.append([e.label, str(e.amount or "")])
    rows += [["总体绩效目标", g] for g in model.goals]
    for t in model.key_tasks + model.other_tasks:
        rows.append([t.name, t.content, str(t.funds or ""), t.target])
    indicators = list(model.indicators) + [i for p, _ in all_projects(model) for i in p.indicators]
    for i in indicators:
        rows.append([i.level1, i.level2, i.name, i.explanation, i.value or ""])
    return rows


def bare_docx(rows) -> bytes:
    from docx import Document

    doc = Document()
    width = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=width)
    for r, row in enumerate(rows):
        cells = table.rows[r].cells
        for c, text in enumerate(row):
            cells[c].text = text
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def bare_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def cold_cli(sample: Path) -> float:
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "goaldoc.cli", "render", str(sample), "-o", out], check=True, capture_output=True)
        return time.perf_counter() - t


def main() -> None:
    lines = [
        "# Render benchmark",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}; "
        f"median of {RUNS} runs after a warm-up, in-process. Regenerate with `python bench/render.py`.",
        "",
        "| sample | forms | format | goaldoc (ms) | bare library write (ms) | ratio | ms per form |",
        "|---|---|---|---|---|---|---|",
    ]
    cold = []
    for sample in sorted((ROOT / "samples").glob("*/*.yaml")):
        loaded = load(sample)
        forms = 1 + len(all_projects(loaded.model))
        rows = cells_of(loaded.model)
        for fmt, bare in (("docx", bare_docx), ("xlsx", bare_xlsx)):
            ours = median_time(lambda fmt=fmt, loaded=loaded: render_bytes(loaded, [fmt]))
            base = median_time(lambda bare=bare, rows=rows: bare(rows))
            lines.append(
                f"| {sample.relative_to(ROOT)} | {forms} | {fmt} | {ours * 1000:.0f} | {base * 1000:.0f} "
                f"| {ours / base:.1f}× | {ours * 1000 / forms:.0f} |"
            )
        cold.append((sample, cold_cli(sample)))
    lines += ["", "Cold command line (`goaldoc render SAMPLE`, both formats, new process, imports included):", ""]
    lines += [f"- {s.relative_to(ROOT)}: {t * 1000:.0f} ms" for s, t in cold]
    lines += [
        "",
        "Reading the figures: the bare write has no template to load and no styles, merges,",
        "row heights or strictness pass, so the ratio is what those cost. In-process figures",
        "are warm, as for the 2nd department of a batch on: the first render in a process also",
        "compiles each Excel template cell's Jinja once (+50-100 ms), which the cold command-line",
        "figures include. openpyxl imports numpy when it is installed (+~130 ms cold);",
        "`make setup`'s venv has none. Run this with the venv's Python: `make bench`.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section("render", text)


if __name__ == "__main__":
    from results import arguments

    arguments(__doc__)
    main()
