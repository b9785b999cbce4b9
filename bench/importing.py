"""Benchmark: how long `goaldoc import` takes to read a filled form of 100 indicators
(issue 10: < 1 s).

    python bench/importing.py          # prints a table and rewrites its section of bench/RESULTS.md

For a department form (the taishan sample with 100 indicators) and a project form (the
jingyan sample, its indicators spread to 100), rendered by goaldoc in both formats: the
in-process import (read the file, align it to the form, place the values), the median of
N runs after one warm-up, with --form and with the form recognised; then the cold command
line (`goaldoc import`, a new process: imports and the YAML written included).
This is a measurement script, not a test: figures depend on the machine.
"""

from __future__ import annotations

import copy
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from goaldoc.api import Loaded, load, render_bytes  # noqa: E402
from goaldoc.importer import import_file  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from results import write_section  # noqa: E402

RUNS = 7
INDICATORS = 100


def median_time(fn, runs: int = RUNS) -> float:
    fn()  # warm-up: the form's pattern is built once per process
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def with_indicators(sample: str, n: int) -> Loaded:
    """The sample with ``n`` indicators: its own repeated, each named apart."""
    loaded = load(ROOT / sample)
    model = copy.deepcopy(loaded.model)
    owners = [model] if model.indicators else [p for u in model.units for p in u.projects] + list(model.projects)
    pool = [i for o in owners for i in o.indicators]
    per = -(-n // len(owners))
    left = n
    for o in owners:
        take = min(per, left)
        o.indicators = [pool[k % len(pool)].model_copy(update={"name": f"{pool[k % len(pool)].name}{k + 1}"}) for k in range(take)]
        left -= take
    return Loaded(model, loaded.lines, loaded.file, loaded.form)


def main() -> int:
    rows = []
    cold = []
    with tempfile.TemporaryDirectory() as tmp:
        for sample in ("samples/2024/taishan.yaml", "samples/2024/jingyan.yaml"):
            loaded = with_indicators(sample, INDICATORS)
            assert loaded.form is not None
            for fmt in loaded.form.formats:
                path = Path(tmp, f"{Path(sample).stem}.{fmt}")
                path.write_bytes(render_bytes(loaded, [fmt])[fmt][1])
                got = import_file(path, loaded.form.name)
                count = len(got.data.get("indicators", [])) + sum(
                    len(p.get("indicators", [])) for u in got.data.get("units", []) for p in u.get("projects", [])
                ) + sum(len(p.get("indicators", [])) for p in got.data.get("projects", []))
                assert count == INDICATORS, (sample, fmt, count)
                known = median_time(lambda path=path, form=loaded.form.name: import_file(path, form))
                auto = median_time(lambda path=path: import_file(path))
                rows.append((sample, fmt, path.stat().st_size // 1024, known, auto))
                out = Path(tmp, f"{Path(sample).stem}-{fmt}.yaml")
                t = time.perf_counter()
                subprocess.run([str(Path(sys.executable).parent / "goaldoc"), "import", str(path), "-o", str(out), "--overwrite"], check=True, capture_output=True)
                cold.append((sample, fmt, time.perf_counter() - t))
    lines = [
        "## Import benchmark",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}; a form of "
        f"{INDICATORS} indicators rendered by goaldoc, median of {RUNS} runs after a warm-up, in-process. "
        "Regenerate with `python bench/importing.py` (issue 10: < 1 s).",
        "",
        "| sample (100 indicators) | format | file (KiB) | import --form (ms) | import, form recognised (ms) |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {s} | {f} | {k} | {a * 1000:.0f} | {b * 1000:.0f} |" for s, f, k, a, b in rows]
    lines += ["", "Cold command line (`goaldoc import FILE -o X.yaml`, a new process: imports, recognition, checks and the YAML written):", ""]
    lines += [f"- {s} ({f}): {c * 1000:.0f} ms" for s, f, c in cold]
    section = "\n".join(lines)
    print(section)
    write_section("importing", section)  # bench/RESULTS.md: only this script's section
    return 0


if __name__ == "__main__":
    from results import arguments

    arguments(__doc__)
    sys.exit(main())
