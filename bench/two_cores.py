"""Issue 23: one department's .xlsx rendered beside its .docx (render/beside.py), measured.

    .venv/bin/python bench/two_cores.py            # into bench/RESULTS.md, section two_cores
    .venv/bin/python bench/two_cores.py --print    # only printed

What is measured, in a new process each, one core against two, alternated:

in-process   ``load`` + ``render_bytes(formats both, two_cores=…)`` after a first render of
             taishan in the same process (imports and first compiles are the cold figure's,
             as in bench/floors.py): wall time, and CPU time of the process and of the child
             it waited for (RUSAGE_CHILDREN). The same definition of "load + render both" as
             floors.py's (YAML + validation; the finance bureau's checks aside).
cli          ``goaldoc render FILE --force -o DIR`` with ``--jobs 1`` against the default (two
             cores here): what a clerk waits for, the checks and the writing included; CPU
             of the command and its children (wait4).

Sizes: taishan (49 indicators, below the threshold: the two runs must be alike), 1,000
(the threshold, api.TWO_CORES_ROWS) and 10,000 indicators (bench/speed.py's rows). The
machine is shared: the load average is recorded, and the two are alternated.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from floors import cpu_and_wall  # noqa: E402
from results import write_section  # noqa: E402
from speed import big_yaml  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
TAISHAN = ROOT / "samples" / "2024" / "taishan.yaml"
REPEAT = int(os.environ.get("TWO_CORES_REPEAT", "5"))


def in_process(path: Path, two: bool) -> dict[str, float]:
    code = f"""
        import json, resource, sys, time
        from goaldoc.api import load, render_bytes
        render_bytes(load({str(TAISHAN)!r}))
        c0 = resource.getrusage(resource.RUSAGE_SELF); k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        render_bytes(load({str(path)!r}), two_cores={two!r})
        wall = time.perf_counter() - t
        c1 = resource.getrusage(resource.RUSAGE_SELF); k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime) + (k1.ru_utime + k1.ru_stime - k0.ru_utime - k0.ru_stime)
        print(json.dumps(dict(wall=wall, cpu=cpu)))
        """
    res = subprocess.run([PY, "-c", textwrap.dedent(code)], check=True, capture_output=True, text=True, cwd=ROOT, env=ENV)
    return json.loads(res.stdout.strip().splitlines()[-1])


def cli(path: Path, two: bool, out: Path) -> dict[str, float]:
    cmd = [PY, "-m", "goaldoc.cli", "render", str(path), "--force", "-o", str(out), *([] if two else ["--jobs", "1"])]
    cpu, wall = cpu_and_wall(cmd)
    return {"wall": wall, "cpu": cpu}


def main() -> None:
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = os.getloadavg()[0]
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = {"taishan (49)": TAISHAN}
        for n in (1000, 10000):
            files[f"{n:,}"] = Path(tmp) / f"rows{n}.yaml"
            files[f"{n:,}"].write_text(big_yaml(n), encoding="utf-8")
        for name, path in files.items():
            for kind, run in (("in-process", in_process), ("cli", lambda p, two: cli(p, two, Path(tmp) / "out"))):
                got: dict[bool, list[dict[str, float]]] = {False: [], True: []}
                run(path, False)  # the OS file cache and the template cache warm
                for k in range(REPEAT):
                    for two in ((False, True) if k % 2 else (True, False)):  # which goes first, in turns
                        got[two].append(run(path, two))
                med = {two: {k: statistics.median(g[k] for g in got[two]) for k in ("wall", "cpu")} for two in got}
                one, both = med[False], med[True]
                rows.append(
                    f"| {name} | {kind} | {one['wall']:.2f} | {both['wall']:.2f} | {both['wall'] / one['wall']:.2f}× "
                    f"| {one['cpu']:.2f} | {both['cpu']:.2f} |"
                )
                print(rows[-1], flush=True)
    load1 = os.getloadavg()[0]
    text = "\n".join(
        [
            "# Issue 23: one department's .xlsx beside its .docx (two cores)",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {started}; "
            f"load average {load0:.2f} at the start, {load1:.2f} at the end. Command: `.venv/bin/python bench/two_cores.py`. "
            f"Medians of {REPEAT}, one core and two alternated (which goes first in turns), a new process each (see the script's doc: in-process = "
            "load + render both after a first render in the process; cli = `goaldoc render FILE --force`, checks and "
            "writing included, `--jobs 1` against the default). CPU includes the child's.",
            "",
            "| indicators | what | wall, one core s | wall, two cores s | ratio | CPU, one core s | CPU, two cores s |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(text)
    if "--print" not in sys.argv:
        write_section("two_cores", text)


if __name__ == "__main__":
    from results import arguments

    arguments(__doc__, ("--print",))
    main()
