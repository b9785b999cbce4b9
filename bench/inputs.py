"""How fast goaldoc refuses inputs it must not read whole (issue 12 item 6).

    .venv/bin/python bench/inputs.py      # prints a Markdown table (copy it to bench/INPUTS.md)

Each case is `goaldoc check` in a new process (imports included), wall time and peak memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cases(folder: Path) -> list[tuple[str, Path]]:
    out = []
    big = folder / "50mb.yaml"
    with open(big, "wb") as fh:
        fh.write(b"a" * (50 * 1024 * 1024))
    out.append(("50 MB file (refused by size)", big))
    fifo = folder / "fifo.yaml"
    os.mkfifo(fifo)
    out.append(("FIFO (refused unopened)", fifo))
    out.append(("/dev/zero (refused unread)", Path("/dev/zero")))
    tiny = folder / "tiny.yaml"
    tiny.write_text("year: 2024\ndepartment: {name: 甲}\ngoals: [" + ",".join(["1"] * 1_000_000) + "]\n")
    out.append(("2.0 MB, a million tiny items (stops at 200,000)", tiny))
    rows = folder / "10000.yaml"
    line = "  - {level1: 产出指标, level2: 数量指标, name: 招聘会场次, value: ≥10 场}\n"
    rows.write_text("year: 2024\ndepartment:\n  name: 测试局\nindicators:\n" + line * 10_000, encoding="utf-8")
    out.append(("10,000 indicators, 0.8 MB (read and checked)", rows))
    return out


def main() -> None:
    goaldoc = Path(sys.executable).with_name("goaldoc")
    with tempfile.TemporaryDirectory() as tmp:
        print("| input | seconds | peak MB |\n|---|---|---|")
        for label, path in cases(Path(tmp)):
            started = time.perf_counter()
            proc = subprocess.Popen([str(goaldoc), "check", str(path)], stdout=subprocess.DEVNULL)
            _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
            seconds = time.perf_counter() - started
            assert os.waitstatus_to_exitcode(status) in (0, 1), label
            print(f"| {label} | {seconds:.2f} | {usage.ru_maxrss / 1024:.0f} |")

if __name__ == "__main__":
    from results import arguments

    arguments(__doc__)
    main()
