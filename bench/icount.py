"""Instructions a warm render takes, counted by valgrind: a measure the machine's load does not
move (issue 23, fourth session: at load 3–6 CPU times moved ±20 % between runs of one tree).

    .venv/bin/python bench/icount.py                        # this tree, both measures
    .venv/bin/python bench/icount.py --against /tmp/old     # and another tree (a clone of an earlier commit)
    .venv/bin/python bench/icount.py --only county --format xlsx

Two measures, each the difference of two runs of one script under ``valgrind --tool=cachegrind
--cache-sim=no`` (``I refs``): the second run does one pass more, so the difference is one
warm pass (imports, loading and the first render's compiles are in both):

county  the first 10 departments of bench/county.py's round (made here, not timed), each
        rendered once, then once more: one warm pass of the 10 (.docx by default)
rows    a department of 3,000 indicator rows (bench/speed.py's big_yaml), rendered once, then
        once more

Slow: valgrind runs Python some 50× slower (1–3 minutes a run, four runs a tree). Needs
valgrind (``apt-get install valgrind``); prints, writes nothing into RESULTS.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

_SCRIPT = r'''
import gc, sys, tempfile
from pathlib import Path
sys.path.insert(0, "bench"); sys.path.insert(0, "src")
from goaldoc.api import load, render_bytes
what, fmt, passes, arg = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if what == "county":
    files = sorted(Path(arg).glob("*.yaml"))[:10]
else:
    from speed import big_yaml
    p = Path(tempfile.mkdtemp()) / "r.yaml"
    p.write_text(big_yaml(int(arg)), encoding="utf-8")
    files = [p]
loaded = [load(f) for f in files]
gc.collect(); gc.freeze()
for one in loaded:
    render_bytes(one, [fmt])
for _ in range(passes):
    for one in loaded:
        gc.disable(); render_bytes(one, [fmt]); gc.enable(); gc.collect()
'''


def _arg(name: str, default: str | None = None) -> str | None:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def _count(tree: Path, what: str, fmt: str, passes: int, arg: str) -> int:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(_SCRIPT)
    try:
        done = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", PY, f.name, what, fmt, str(passes), arg],
            cwd=tree, capture_output=True, text=True, check=True,
        )
    finally:
        Path(f.name).unlink()
    m = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if m is None:
        raise SystemExit(f"valgrind gave no count for {tree}:\n{done.stderr[-2000:]}")
    return int(m.group(1).replace(",", ""))


def warm_pass(tree: Path, what: str, fmt: str, arg: str) -> int:
    return _count(tree, what, fmt, 1, arg) - _count(tree, what, fmt, 0, arg)


def main() -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("bench/icount.py needs valgrind (apt-get install valgrind)")
    fmt = _arg("--format", "docx") or "docx"
    only = _arg("--only")
    trees = [ROOT] + ([Path(p).resolve()] if (p := _arg("--against")) else [])
    county = Path(tempfile.mkdtemp(prefix="icount-"))
    try:
        subprocess.run([PY, str(ROOT / "bench" / "county.py"), "--keep", str(county)], check=True, capture_output=True)
        measures = [("county", str(county), "10 county departments, one warm pass"), ("rows", "3000", "3,000 rows, one warm render")]
        print(f"| tree | {' | '.join(m[2] for m in measures if only in (None, m[0]))} ({fmt}) |")
        print("|---|" + "---|" * sum(1 for m in measures if only in (None, m[0])))
        for tree in trees:
            cells = [f"{warm_pass(tree, what, fmt, arg) / 1e9:.3f} G" for what, arg, _ in measures if only in (None, what)]
            print(f"| {tree} | {' | '.join(cells)} |", flush=True)
    finally:
        shutil.rmtree(county, ignore_errors=True)


if __name__ == "__main__":
    from results import arguments

    arguments(__doc__, (), ("--format", "--only", "--against"))
    main()
