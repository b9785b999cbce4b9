"""Issue 23's county round: 100 departments, `goaldoc render DIR -o OUT --jobs 2`, into bench/RESULTS.md.

    .venv/bin/python bench/county.py            # 3 rounds of 100 departments (about a minute)
    .venv/bin/python bench/county.py --quick    # 1 round
    .venv/bin/python bench/county.py --pdf      # also 20 departments with --pdf against LibreOffice alone
    .venv/bin/python bench/county.py --keep DIR # write the 100 YAML files into DIR and stop (for profiling)
    .venv/bin/python bench/county.py --cold-only [--against DIR] [--repeat N]
                                                # only the cold start (this tree, or before/after in
                                                # turns) and where its CPU goes: section "cold"

The round: 100 department files made from samples/ (not timed). Every other department (the
even ones) is one of the samples that has projects, its projects copied until it has 5–20
(``第N批`` before each copy's name; its ``accepted:`` entries copied with it, so each copy
checks as its original does); the odd ones are the samples in turn, as they are. Samples
whose copies would not check clean (an accepted problem named by position, not by project
name) are only used as they are; the two 2024 follow-up files that read a sibling target
file (``targets:``) are left out: their sibling is not in the folder. Each file has its own
department name (its own output files).

Each round is ``goaldoc render DIR -o OUT --jobs 2`` in a new process, both formats: wall
time, and CPU time of the process and its workers (``wait4``). Figures are medians; the load
average is recorded (the machine is shared: two cores).
"""

from __future__ import annotations

import os
import re
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

from results import write_section  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # this tree's goaldoc, whichever is installed
QUICK = "--quick" in sys.argv
ROUNDS = 1 if QUICK else 3
DEPARTMENTS = 100
SAMPLES = sorted((ROOT / "samples").glob("*/*.yaml"))
# copies of their projects check as the originals do (see the module doc)
GROWN = ("huangshi-jiankong", "tangxi-ziping", "liuzhi", "qingshen-ziping", "gaoxin")
AS_THEY_ARE = [s for s in SAMPLES if "targets:" not in s.read_text(encoding="utf-8")]

_TOP = re.compile(r"^[A-Za-z_]+:", re.M)
_NAME = re.compile(r"^(\s*-?\s*name:\s*[\"']?)([^\"'#\n]*?)([\"']?\s*(?:#.*)?)$", re.M)


def _block(text: str, key: str) -> tuple[int, int] | None:
    """Where the top-level ``key:``'s body starts and ends."""
    m = re.search(rf"^{key}:[^\n]*\n", text, re.M)
    if not m:
        return None
    nxt = _TOP.search(text, m.end())
    return m.end(), nxt.start() if nxt else len(text)


def with_projects(text: str, n: int) -> str:
    """The sample with its projects copied in turn until there are ``n``."""
    where = _block(text, "projects")
    assert where is not None
    body = text[where[0] : where[1]]
    starts = [m.start() for m in re.finditer(r"^  - ", body, re.M)]
    items = [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
    acc = _block(text, "accepted")
    acc_lines = text[acc[0] : acc[1]].splitlines() if acc else []
    extra: list[str] = []
    accepted: list[str] = []
    j = 0
    while len(items) + len(extra) < n:
        src = items[j % len(items)]
        j += 1
        m = _NAME.search(src)
        assert m is not None, src[:200]
        old = m.group(2).strip()
        extra.append(_NAME.sub(lambda mm, j=j: f"{mm.group(1)}第{j}批{mm.group(2)}{mm.group(3)}", src, count=1))
        accepted += [x.replace(f"projects[{old}]", f"projects[第{j}批{old}]") for x in acc_lines if f"projects[{old}]" in x]
    text = text[: where[1]] + "".join(extra) + text[where[1] :]
    if accepted:
        acc = _block(text, "accepted")
        assert acc is not None
        head = text[: acc[1]] if text[: acc[1]].endswith("\n") else text[: acc[1]] + "\n"
        text = head + "\n".join(accepted) + "\n" + text[acc[1] :]
    return text


def departments(folder: Path, n: int = DEPARTMENTS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    grown = [s for s in SAMPLES if s.stem in GROWN]
    made = []
    for k in range(n):
        if k % 2 == 0:
            sample = grown[(k // 2) % len(grown)]
            text = with_projects(sample.read_text(encoding="utf-8"), 5 + (k * 7) % 16)
        else:
            sample = AS_THEY_ARE[(k // 2) % len(AS_THEY_ARE)]
            text = sample.read_text(encoding="utf-8")
        text = re.sub(r"^(department:\s*\n(?:\s+#.*\n)*\s+name:\s*)(\S+)", rf"\g<1>\g<2>{k:03d}", text, count=1, flags=re.M)
        text = re.sub(r"^(department:\s*\{\s*name:\s*\"?)([^,}\"]*)", rf"\g<1>\g<2>{k:03d}", text, count=1, flags=re.M)
        path = folder / f"{k:03d}-{sample.name}"
        path.write_text(text, encoding="utf-8")
        made.append(path)
    return made


def census(files: list[Path]) -> dict[str, int]:
    """Projects and indicator rows of the round (goaldoc's own loader; not timed)."""
    from goaldoc.api import load

    projects = indicators = grown = 0
    for f in files:
        model = load(str(f)).model
        ps = list(getattr(model, "projects", None) or [])
        projects += len(ps)
        grown += 5 <= len(ps) <= 20
        indicators += len(getattr(model, "indicators", None) or [])
        indicators += sum(len(getattr(p, "indicators", None) or []) for p in ps)
    return {"projects": projects, "indicators": indicators, "grown": grown}


def env_of(root: Path, bytecode: bool = False) -> dict[str, str]:
    """The environment that runs ``root``'s goaldoc; ``bytecode``: its modules compiled once
    and kept (PYTHONPYCACHEPREFIX), as an installed package has them, even where
    PYTHONDONTWRITEBYTECODE is set (then every start compiles goaldoc's sources again)."""
    env = {**ENV, "PYTHONPATH": str(root / "src")}
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "goaldoc-bench-pyc")
    else:  # compiled at each start, truly: not the __pycache__ `make setup` writes (compileall)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPATH"] = str(_sources_only(root))
    return env


_SOURCES: dict[Path, Path] = {}


def _sources_only(root: Path) -> Path:
    """A copy of ``root``'s src/ without bytecode (the runs have ``root`` as working folder:
    its templates/ are the ones found)."""
    if root not in _SOURCES:
        import atexit

        copy = Path(tempfile.mkdtemp(prefix="goaldoc-bench-src-"))
        atexit.register(shutil.rmtree, copy, True)
        shutil.copytree(root / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        _SOURCES[root] = copy / "src"
    return _SOURCES[root]


def run(args: list[str], root: Path = ROOT, bytecode: bool = False, module: bool = True) -> tuple[float, float]:
    """goaldoc ARGS (or python ARGS) in a new process: wall, CPU of it and its workers."""
    started = time.perf_counter()
    cmd = [PY, "-m", "goaldoc.cli", *args] if module else [PY, *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env_of(root, bytecode), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    assert os.waitstatus_to_exitcode(status) == 0, err[-3000:]
    return wall, usage.ru_utime + usage.ru_stime


def round_(folder: Path, out: Path, jobs: int, extra: tuple[str, ...] = (), root: Path = ROOT) -> tuple[float, float]:
    if out.exists():
        shutil.rmtree(out)
    return run(["render", str(folder), "-o", str(out), "--jobs", str(jobs), *extra], root)


BARE = ["-c", "import docx, docxtpl, openpyxl, jinja2, pydantic, yaml, click"]


def cold(root: Path, bytecode: bool, repeat: int) -> dict[str, float]:
    """bench/floors.py's cold(): `goaldoc render taishan` against the bare imports, alternated."""
    taishan = str(ROOT / "samples" / "2024" / "taishan.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        ours = ["render", taishan, "-o", tmp]
        run(ours, root, bytecode), run(BARE, root, bytecode, module=False)  # caches warm
        pairs = [(run(ours, root, bytecode), run(BARE, root, bytecode, module=False)) for _ in range(repeat)]
    med = lambda k, i: statistics.median(p[k][i] for p in pairs)  # noqa: E731
    return {"ours_wall": med(0, 0), "ours_cpu": med(0, 1), "bare_wall": med(1, 0), "bare_cpu": med(1, 1)}


def against(other: Path) -> None:
    """Before (``other``, a `git archive` of an earlier commit) and after (this tree), in
    turns: the county round with --jobs 2 and the cold start; into the section county-against."""
    load0 = os.getloadavg()[0]
    lines = [
        "### Before / after (bench/county.py --against DIR)",
        "",
        f"before = {other}, after = this tree; in turns, {ROUNDS} round(s) each; load average {load0:.2f} at the start.",
        "",
        "| tree | round wall (--jobs 2) | round CPU | cold CPU (bytecode compiled at start / kept) | bare CPU | cold ratio |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "in"
        departments(folder)
        trees = {"before": other, "after": ROOT}
        got: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for r in range(ROUNDS):
            for label in ("before", "after") if r % 2 == 0 else ("after", "before"):
                got[label].append(round_(folder, tmp / f"{label}-{r}", 2, root=trees[label]))
                print(label, f"{got[label][-1][0]:.1f} s wall, {got[label][-1][1]:.1f} s CPU", flush=True)
        colds = {(label, b): cold(trees[label], b, 5) for b in (False, True) for label in ("before", "after")}
    for label in trees:
        w = statistics.median(x[0] for x in got[label])
        c = statistics.median(x[1] for x in got[label])
        cc = [colds[(label, b)] for b in (False, True)]
        lines.append(
            f"| {label} | {w:.1f} s | {c:.1f} s | {cc[0]['ours_cpu'] * 1000:.0f} / {cc[1]['ours_cpu'] * 1000:.0f} ms "
            f"| {cc[0]['bare_cpu'] * 1000:.0f} / {cc[1]['bare_cpu'] * 1000:.0f} ms "
            f"| {cc[0]['ours_cpu'] / cc[0]['bare_cpu']:.2f}× / {cc[1]['ours_cpu'] / cc[1]['bare_cpu']:.2f}× |"
        )
    lines += ["", f"load average {os.getloadavg()[0]:.2f} at the end.", ""]
    text = "\n".join(lines)
    print(text)
    write_section("county-against", text)


def pdf_part(tmp: Path) -> list[str]:
    """20 departments: --jobs 2 with and without --pdf, and LibreOffice alone converting the
    same 20 .docx (goaldoc.pdf.convert: one soffice, as a batch's group does)."""
    from goaldoc import pdf

    folder = tmp / "pdf-in"
    departments(folder, 20)
    plain, with_pdf, office = [], [], []
    for r in range(ROUNDS):
        plain.append(round_(folder, tmp / f"pdf-plain-{r}", 2))
        with_pdf.append(round_(folder, tmp / f"pdf-pdf-{r}", 2, ("--pdf",)))
        assert len(list((tmp / f"pdf-pdf-{r}").glob("*.pdf"))) == 20
        docx = sorted((tmp / f"pdf-plain-{r}").glob("*.docx"))
        alone = tmp / f"pdf-alone-{r}"
        alone.mkdir()
        t = time.perf_counter()
        done = pdf.convert([(d, alone / d.with_suffix(".pdf").name) for d in docx])
        office.append(time.perf_counter() - t)
        assert all(c.problem is None for c in done)
    p = statistics.median(w for w, _ in plain)
    w = statistics.median(w for w, _ in with_pdf)
    o = statistics.median(office)
    return [
        "### `--pdf`: 20 departments, `--jobs 2`",
        "",
        "| without --pdf | with --pdf | --pdf adds | LibreOffice alone, the same 20 .docx | added / LibreOffice |",
        "|---|---|---|---|---|",
        f"| {p:.1f} s | {w:.1f} s | {w - p:.1f} s | {o:.1f} s | {(w - p) / o:.2f}× |",
        "",
    ]


PHASES = """
import collections, json, sys, tempfile, time
from goaldoc import api, batch
import goaldoc.render.bundle as bundle
T = collections.Counter()
def wrap(mod, name, label):
    fn = getattr(mod, name)
    def timed(*a, **k):
        t = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            T[label] += time.process_time() - t
    setattr(mod, name, timed)
wrap(batch, "plan_one", "plan: read, validate, work out the file names")
wrap(api, "diagnose", "render: read, validate, checks and ledger")
wrap(bundle, "render_format", "render: the Word and Excel writers")
wrap(api, "write_all", "render: writing the files")
wrap(batch, "tidy", "one collection after each department")
files = json.loads(sys.argv[1])
t0 = time.process_time()
with tempfile.TemporaryDirectory() as out:
    for _ in batch.run(files, batch.Options(out_dir=out, jobs=1)):
        pass
total = time.process_time() - t0
print(json.dumps({"total": total, **T}))
"""


def phases(files: list[Path]) -> list[str]:
    """Where a --jobs 1 round's CPU goes, in one process (the batch functions timed one by one)."""
    import json

    res = subprocess.run(
        [PY, "-c", PHASES, json.dumps([str(f) for f in files])], capture_output=True, text=True, check=True, cwd=ROOT, env=env_of(ROOT)
    )
    got = json.loads(res.stdout.strip().splitlines()[-1])
    total = got.pop("total")
    lines = [
        f"### Where the CPU of a `--jobs 1` round goes ({len(files)} of the departments, one process, `batch.run`)",
        "",
        "| part | CPU | share |",
        "|---|---|---|",
    ]
    for label, sec in sorted(got.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {label} | {sec:.2f} s | {sec / total * 100:.1f} % |")
    rest = total - sum(got.values())
    lines += [f"| the rest (imports, first builds, the batch's bookkeeping) | {rest:.2f} s | {rest / total * 100:.1f} % |", f"| all | {total:.2f} s | |", ""]
    return lines


COLD_STEPS = """
import atexit, collections, gc, runpy, sys, time
T = collections.Counter()
pt = time.process_time
t00 = pt()
def wrap(mod, name, label):
    fn = getattr(mod, name)
    def timed(*a, **k):
        t = pt()
        try:
            return fn(*a, **k)
        finally:
            T[label] += pt() - t
    setattr(mod, name, timed)
collected = [0.0, 0.0]
def on_gc(phase, info):
    if phase == "start":
        collected[1] = pt()
    else:
        collected[0] += pt() - collected[1]
gc.callbacks.append(on_gc)
t = pt(); import goaldoc.cli; T["import goaldoc.cli (click)"] = pt() - t
gc.disable()  # as the CLI imports what a render needs (cli._started, where it has one)
t = pt(); import goaldoc.batch; T["import goaldoc.batch (with pydantic.BaseModel's machinery)"] = pt() - t
t = pt(); import goaldoc.api; T["import goaldoc.api (models, forms, checks)"] = pt() - t
t = pt(); import goaldoc.render.word.document; T["import the Word renderer (python-docx, docxtpl)"] = pt() - t
t = pt(); import goaldoc.render.excel.workbook; T["import the Excel renderer (openpyxl, Pillow)"] = pt() - t
gc.enable()
import goaldoc.loading as loading, goaldoc.render.pages.measure as measure, goaldoc.render.bundle as bundle
import goaldoc.render.excel.workbook as xw, goaldoc.render.word.document as wd, goaldoc.api as api, goaldoc.output as output
import jinja2.environment as je
wrap(api, "read_input", "read the YAML")
wrap(loading, "form_of", "national.yaml + form.yaml (FormSpec built)")
wrap(loading, "validate", "validate (the form's model built)")
import goaldoc.checks as checks
wrap(checks, "run_checks", "the rules (checks/)")
import goaldoc.checks.ledger as ledger
wrap(ledger, "print_problems", "the ledger (forms/reads.py reads the templates)")
wrap(bundle, "render_format", "render: both formats")
wrap(wd, "render_docx", "  .docx (the Word renderer)")
wrap(xw, "render_xlsx", "  .xlsx (the Excel renderer)")
wrap(xw, "template_book", "  the Excel renderer loading its template (openpyxl)")
wrap(measure, "wrap", "in both renders: text measured (pages/measure.py wrap)")
wrap(je.Environment, "_parse", "in the whole run: Jinja parse (templates, row programs, the ledger's reading)")
wrap(je.Environment, "_generate", "in the whole run: Jinja code generation")
wrap(je.Environment, "_compile", "in the whole run: Python compile() of Jinja's code")
wrap(output, "write_all", "write the files")
def report():
    T["all (from the first import to the exit handlers)"] = pt() - t00
    T["the collector (automatic and batch.tidy)"] = collected[0]
    sys.stderr.write("STEPS " + repr(dict(T)) + "\\n")
atexit.register(report)
sys.argv = ["goaldoc", *sys.argv[1:]]
runpy.run_module("goaldoc.cli", run_name="__main__")
"""


def cold_steps(root: Path, repeat: int) -> dict[str, float]:
    """Where a cold render's CPU goes: medians of ``repeat`` runs of COLD_STEPS (functions
    timed one by one, in a new process each; nested parts are indented, not subtracted)."""
    import ast

    taishan = str(ROOT / "samples" / "2024" / "taishan.yaml")
    got: dict[str, list[float]] = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            res = subprocess.run([PY, "-c", COLD_STEPS, "render", taishan, "-o", tmp], capture_output=True, text=True, cwd=ROOT, env=env_of(root, True))
        line = next(x for x in res.stderr.splitlines() if x.startswith("STEPS "))
        for k, v in ast.literal_eval(line[6:]).items():
            got.setdefault(k, []).append(v)
    order = [
        "import goaldoc.cli (click)", "import goaldoc.batch (with pydantic.BaseModel's machinery)",
        "import goaldoc.api (models, forms, checks)", "import the Word renderer (python-docx, docxtpl)",
        "import the Excel renderer (openpyxl, Pillow)", "read the YAML", "national.yaml + form.yaml (FormSpec built)",
        "validate (the form's model built)", "the rules (checks/)", "the ledger (forms/reads.py reads the templates)",
        "render: both formats", "  .docx (the Word renderer)", "  .xlsx (the Excel renderer)", "  the Excel renderer loading its template (openpyxl)", "write the files",
        "in both renders: text measured (pages/measure.py wrap)",
        "in the whole run: Jinja parse (templates, row programs, the ledger's reading)",
        "in the whole run: Jinja code generation", "in the whole run: Python compile() of Jinja's code",
        "the collector (automatic and batch.tidy)", "all (from the first import to the exit handlers)",
    ]
    return {k: statistics.median(got[k]) for k in sorted(got, key=lambda k: order.index(k) if k in order else len(order))}


def cold_only(other: Path | None, repeat: int) -> None:
    """The cold start alone: this tree (and ``other`` before it, in turns with it and the
    bare imports), then where this tree's cold CPU goes; into the section "cold"."""
    taishan = str(ROOT / "samples" / "2024" / "taishan.yaml")
    trees = {"before": other, "after": ROOT} if other else {"this tree": ROOT}
    load0 = os.getloadavg()[0]
    rows = []
    for bytecode in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            ours = ["render", taishan, "-o", tmp]
            for r in trees.values():
                run(ours, r, bytecode), run(BARE, r, bytecode, module=False)  # caches warm
            got: dict[str, list[float]] = {k: [] for k in [*trees, "bare"]}
            order = [*trees, "bare"]
            for i in range(repeat):
                for k in order if i % 2 == 0 else order[::-1]:
                    got[k].append(run(BARE, ROOT, bytecode, module=False)[1] if k == "bare" else run(ours, trees[k], bytecode)[1])
        bare = statistics.median(got["bare"])
        for k in trees:
            c = statistics.median(got[k])
            rows.append(
                f"| {k} | {'kept' if bytecode else 'compiled at each start'} | {c * 1000:.0f} ms | {bare * 1000:.0f} ms "
                f"| **{c / bare:.2f}×** | ≤ 2×: {'meets' if c / bare <= 2 else 'misses'} |"
            )
    load1 = os.getloadavg()[0]
    steps = cold_steps(ROOT, max(3, repeat // 2))
    lines = [
        "### Cold start alone (bench/county.py --cold-only" + (f" --against {other}" if other else "") + ")",
        "",
        f"`goaldoc render samples/2024/taishan.yaml -o DIR` (both formats, a new process) against `python -c \"{BARE[1]}\"`, "
        f"CPU of the process (wait4); {'before, after and bare' if other else 'goaldoc and bare'} in turns, {repeat} runs each, "
        f"medians; load average {load0:.2f} at the start, {load1:.2f} at the end ({os.cpu_count()} cores, shared). "
        "\"kept\": goaldoc's bytecode compiled once and kept, as an installed goaldoc has it; this machine sets "
        "PYTHONDONTWRITEBYTECODE=1, where every start compiles goaldoc's sources again.",
        "",
        "| tree | goaldoc's bytecode | goaldoc CPU | bare CPU | **CPU ratio** | goal |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"Where this tree's cold CPU goes (bytecode kept; medians of {max(3, repeat // 2)} runs of the steps timed one by one "
        "in the process; a line that begins with … is a part of the line above it; the interpreter's own start and end are outside):",
        "",
        "| step | CPU |",
        "|---|---|",
        *(f"| {k.replace('  ', '… ')} | {v * 1000:.0f} ms |" for k, v in steps.items()),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    write_section("cold", text)


def main() -> None:
    if "--cold-only" in sys.argv:
        other = Path(sys.argv[sys.argv.index("--against") + 1]).resolve() if "--against" in sys.argv else None
        cold_only(other, int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 9)
        return
    if "--against" in sys.argv:
        against(Path(sys.argv[sys.argv.index("--against") + 1]).resolve())
        return
    if "--keep" in sys.argv:
        files = departments(Path(sys.argv[sys.argv.index("--keep") + 1]))
        print(f"{len(files)} files; {census(files)}")
        return
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "in"
        files = departments(folder)
        c = census(files)
        if not QUICK:
            round_(folder, tmp / "warm", 2)  # the OS file cache warm: a new process, not a cold disk
        got = []
        for r in range(ROUNDS):
            got.append(round_(folder, tmp / f"out-{r}", 2))
            written = sorted(p.suffix for p in (tmp / f"out-{r}").iterdir())
            assert written == [".docx"] * len(files) + [".xlsx"] * len(files), f"{len(written)} files written"
        pdf_lines = pdf_part(tmp) if "--pdf" in sys.argv else []
        phase_lines = phases(files[:40])
    colds = {b: cold(ROOT, b, 3 if QUICK else 5) for b in (False, True)}
    load1 = os.getloadavg()[0]
    wall = statistics.median(w for w, _ in got)
    cpu = statistics.median(c_ for _, c_ in got)
    lines = [
        "# Issue 23: a county round (bench/county.py)",
        "",
        f"{os.cpu_count()} cores; {started}; load average {load0:.2f} at the start, {load1:.2f} at the end. "
        f"`goaldoc render DIR -o OUT --jobs 2` (new process, .docx and .xlsx), medians of {ROUNDS} "
        f"(each: {', '.join(f'{w:.1f} s' for w, _ in got)}).",
        "",
        f"The round: {len(files)} departments made from samples/ (see the script's doc): {c['grown']} with 5–20 "
        f"projects, {c['projects']} projects and {c['indicators']:,} indicator rows in all; {2 * len(files)} files written.",
        "",
        "| wall | CPU (process + workers) | departments/s | CPU per department | goal |",
        "|---|---|---|---|---|",
        f"| {wall:.1f} s | {cpu:.1f} s | {len(files) / wall:.1f} | {cpu / len(files) * 1000:.0f} ms "
        f"| ≤ 10 s: {'meets' if wall <= 10 else 'misses'} |",
        "",
        *phase_lines,
        *pdf_lines,
        "### Cold start: `goaldoc render samples/2024/taishan.yaml -o DIR` against "
        "`python -c \"import docx, docxtpl, openpyxl, jinja2, pydantic, yaml, click\"`",
        "",
        "Medians of alternated runs. This machine sets PYTHONDONTWRITEBYTECODE=1: goaldoc's ~65 modules are compiled "
        "from source at every start (the libraries have their bytecode); an installed goaldoc has its bytecode, "
        "which the second row gives it (PYTHONPYCACHEPREFIX).",
        "",
        "| goaldoc's bytecode | goaldoc CPU | bare CPU | **CPU ratio** | goaldoc wall | bare wall | wall ratio | goal |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {'kept' if b else 'compiled at each start'} | {c['ours_cpu'] * 1000:.0f} ms | {c['bare_cpu'] * 1000:.0f} ms "
            f"| **{c['ours_cpu'] / c['bare_cpu']:.2f}×** | {c['ours_wall'] * 1000:.0f} ms | {c['bare_wall'] * 1000:.0f} ms "
            f"| {c['ours_wall'] / c['bare_wall']:.2f}× | ≤ 2×: {'meets' if c['ours_cpu'] / c['bare_cpu'] <= 2 else 'misses'} |"
            for b, c in colds.items()
        ),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    write_section("county", text)


if __name__ == "__main__":
    from results import arguments

    arguments(__doc__, ("--quick", "--cold-only", "--pdf"), ("--against", "--repeat", "--keep"))
    main()
