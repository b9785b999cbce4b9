"""Issue 23 item 5: goaldoc's rows against the libraries' floors, one run, into bench/RESULTS.md.

    .venv/bin/python bench/floors.py            # 100 / 1,000 / 10,000 rows and cold start
    .venv/bin/python bench/floors.py --quick    # one repeat each, 10,000 rows once
    .venv/bin/python bench/floors.py --against /tmp/old   # this tree and another one (a
            `git archive` of an earlier commit), alternated size by size: before / after
    .venv/bin/python bench/floors.py --against /tmp/old --only xlsx --sizes 10000
            # one format, some sizes: quicker turns while working on one writer (the other
            # tree needs this floors.py too: copy it there)

What each floor is (each writes the very output goaldoc wrote, checked equal line by line
with tests/golden.py's :func:`output_lines` — every cell text, span, merge, row height,
width and page break — before any figure is kept):

docx floor  lxml building the same ``word/document.xml`` from data: per row a copy of its
            row shape (``w:tr`` with the texts blanked, taken once per distinct shape), the
            texts and row height set, the body serialised, and every part zipped (deflate)
            as goaldoc's file holds them. No template, no Jinja, no measuring: what writing
            the table costs at least.
xlsx floor  openpyxl writing the same workbook from data, each distinct cell style
            registered once in the new workbook and its style ids copied to every cell that
            has it (no per-cell ``cell.font = …`` setters, which are what made the old
            "0.5× of openpyxl" comparison slow), merges added as goaldoc adds them (no
            ``merge_cells()``, which re-derives borders cell by cell), widths, heights,
            print titles, page setup and row breaks set, then ``wb.save``.
cold        ``goaldoc render samples/2024/taishan.yaml -o DIR`` (both formats) in a new
            process against a bare ``python -c "import docx, docxtpl, openpyxl, jinja2,
            pydantic, yaml, click"``: CPU time of the child (user + system, from wait4), and
            wall time, medians, the two alternated.

Timings are CPU time of this process (``time.process_time``) around the render only (the
data loaded and the first render in the process done before: imports and first compiles
are the cold figure's), medians of alternated runs, each size in a new process; goaldoc
and the floor both without automatic garbage collection (goaldoc's writers pause it
while they build a file, issue 23 item 3: the floor gets the same). The data
for the floors (texts, shapes, styles) is taken from goaldoc's output beforehand and is
not timed. The load average is recorded: the machine is shared.
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
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from results import write_section  # noqa: E402

QUICK = "--quick" in sys.argv


def _option(name: str) -> str | None:
    at = sys.argv.index(name) + 1 if name in sys.argv else len(sys.argv)
    return sys.argv[at] if at < len(sys.argv) else None  # a missing value: results.arguments says so


ONLY = tuple((_option("--only") or "docx,xlsx").split(","))  # formats measured
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # this tree's goaldoc, whichever is installed
TAISHAN = ROOT / "samples" / "2024" / "taishan.yaml"
SIZES = tuple(int(x) for x in (_option("--sizes") or "100,1000,10000").split(","))


# ------------------------------------------------------------------ the docx floor


def docx_plan(data: bytes):  # type: ignore[no-untyped-def]
    """What the lxml floor needs, taken from goaldoc's file (not timed): the zip's other
    parts, the body's elements in order, each table row as (shape, run texts, height)."""
    import copy
    import io
    import zipfile

    from lxml import etree

    from readback import q

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [(i, z.read(i.filename)) for i in z.infolist()]
    doc = etree.fromstring(dict((i.filename, b) for i, b in parts)["word/document.xml"])
    body = doc.find(q("body"))
    shapes: dict[bytes, object] = {}
    items = []  # ("el", element) | ("tbl", table without rows, [(shape, texts, height)])
    for el in body:
        if el.tag != q("tbl"):
            items.append(("el", el))
            continue
        shell = copy.deepcopy(el)
        rows = []
        for tr in shell.findall(q("tr")):
            shell.remove(tr)
            texts = [t.text for t in tr.iter(q("t"))]
            height = tr.find(f"{q('trPr')}/{q('trHeight')}")
            h = None if height is None else height.get(q("val"))
            blank = copy.deepcopy(tr)
            for t in blank.iter(q("t")):
                t.text = ""
            hb = blank.find(f"{q('trPr')}/{q('trHeight')}")
            if hb is not None:
                hb.set(q("val"), "0")
            key = etree.tostring(blank)
            shape = shapes.setdefault(key, blank)
            rows.append((shape, texts, h))
        items.append(("tbl", shell, rows))
    shell_doc = copy.deepcopy(doc)
    sb = shell_doc.find(q("body"))
    for ch in list(sb):
        sb.remove(ch)
    return parts, shell_doc, items


def docx_floor(plan) -> bytes:  # type: ignore[no-untyped-def]
    import copy
    import io
    import zipfile

    from lxml import etree

    from readback import q

    parts, shell_doc, items = plan
    doc = copy.deepcopy(shell_doc)
    body = doc.find(q("body"))
    T, TRPR, TRH, VAL = q("t"), q("trPr"), q("trHeight"), q("val")
    for item in items:
        if item[0] == "el":
            body.append(copy.deepcopy(item[1]))
            continue
        tbl = copy.deepcopy(item[1])
        for shape, texts, h in item[2]:
            tr = copy.deepcopy(shape)
            for t, text in zip(tr.iter(T), texts, strict=True):
                t.text = text
            if h is not None:
                tr.find(TRPR).find(TRH).set(VAL, h)
            tbl.append(tr)
        body.append(tbl)
    xml = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", standalone=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info, raw in parts:
            z.writestr(info.filename, xml if info.filename == "word/document.xml" else raw)
    return buf.getvalue()


# ------------------------------------------------------------------ the xlsx floor


def xlsx_plan(data: bytes):  # type: ignore[no-untyped-def]
    """Per sheet: settings, widths, heights, cells as (row, col, value, style key), merges,
    breaks; and the distinct styles (one source cell each), to register once."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    styles: dict[tuple, object] = {}
    sheets = []
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                if c.has_style or c.value is not None:
                    key = tuple(c._style)
                    styles.setdefault(key, c)
                    cells.append((c.row, c.column, c.value, key, c.data_type))
        sheets.append(
            dict(
                title=ws.title,
                cols=[(k, d.min, d.max, d.width, d.hidden) for k, d in ws.column_dimensions.items()],
                rows=[(r, d.height, d.hidden) for r, d in ws.row_dimensions.items() if d.height is not None or d.hidden],
                cells=cells,
                merges=[str(m) for m in ws.merged_cells.ranges],
                breaks=[b.id for b in ws.row_breaks.brk],
                titles=ws.print_title_rows,
                area=ws.print_area,
                setup=ws.page_setup,
                setup_pr=ws.sheet_properties.pageSetUpPr,
                margins=ws.page_margins,
                hf=ws.HeaderFooter,
            )
        )
    return sheets, styles


def xlsx_floor(plan) -> bytes:  # type: ignore[no-untyped-def]
    import io
    from copy import copy

    from openpyxl import Workbook
    from openpyxl.cell.cell import MergedCell
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.merge import MergedCellRange
    from openpyxl.worksheet.pagebreak import Break

    sheets, styles = plan
    wb = Workbook()
    wb.remove(wb.active)
    probe = wb.create_sheet("\ue000")
    registered: dict[tuple, StyleArray] = {}
    for key, src in styles.items():  # each style once: fonts, fills, borders … into the new workbook
        c = probe.cell(1, 1)
        c.font, c.fill, c.border = copy(src.font), copy(src.fill), copy(src.border)
        c.alignment, c.protection, c.number_format = copy(src.alignment), copy(src.protection), src.number_format
        registered[key] = c._style
        c._style = StyleArray()
    wb.remove(probe)

    class Merge(MergedCellRange):
        def __init__(self, ws, coord):  # type: ignore[no-untyped-def]
            self.ws = ws
            CellRange.__init__(self, range_string=coord)
            self.start_cell = None

    for sh in sheets:
        ws = wb.create_sheet(sh["title"])
        for key, lo, hi, width, hidden in sh["cols"]:
            d = ws.column_dimensions[key]
            d.min, d.max, d.width, d.hidden = lo, hi, width, hidden
        for r, height, hidden in sh["rows"]:
            d = ws.row_dimensions[r]
            d.height, d.hidden = height, hidden
        cells = ws._cells
        from openpyxl.cell.cell import Cell

        for r, c, value, key, dtype in sh["cells"]:
            cell = Cell(ws, row=r, column=c)
            if value is not None:
                cell._value, cell.data_type = value, dtype
            cell._style = copy(registered[key])
            cells[(r, c)] = cell
        for coord in sh["merges"]:
            m = Merge(ws, coord)
            ws.merged_cells.ranges.add(m)
            for r in range(m.min_row, m.max_row + 1):
                for c in range(m.min_col, m.max_col + 1):
                    if (r, c) != (m.min_row, m.min_col):
                        mc = MergedCell(ws, r, c)
                        old = cells.get((r, c))
                        if old is not None:
                            mc._style = old._style
                        cells[(r, c)] = mc
        for b in sh["breaks"]:
            ws.row_breaks.append(Break(id=b))
        if sh["titles"]:
            ws.print_title_rows = sh["titles"]
        if sh["area"]:
            ws.print_area = sh["area"]
        ws.page_setup, ws.page_margins, ws.HeaderFooter = sh["setup"], sh["margins"], sh["hf"]
        ws.sheet_properties.pageSetUpPr = sh["setup_pr"]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ one size, in a new process


def one_size(n: int, repeat: int, only: tuple[str, ...] = ("docx", "xlsx")) -> dict:  # type: ignore[type-arg]
    """Runs in a child: goaldoc's render and the floor, alternated, CPU time."""
    import gc

    from speed import big_yaml

    from goaldoc.api import load, render_bytes
    from golden import output_lines

    render_bytes(load(TAISHAN))  # imports and first compiles: the cold figure's, not the rows'
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"rows{n}.yaml"
        path.write_text(big_yaml(n), encoding="utf-8")
        t = time.process_time()
        loaded = load(path)
        t_load = time.process_time() - t
    out = {"load": t_load}
    for fmt, plan_of, floor in (("docx", docx_plan, docx_floor), ("xlsx", xlsx_plan, xlsx_floor)):
        if fmt not in only:
            continue
        ours_t, floor_t = [], []
        data = render_bytes(loaded, [fmt])[fmt][1]
        plan = plan_of(data)
        made = floor(plan)
        want, pages = output_lines(data, fmt)
        got, got_pages = output_lines(made, fmt)
        if (got, got_pages) != (want, pages):
            bad = next(i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b)
            raise SystemExit(f"{fmt} floor differs from goaldoc at line {bad}: {got[bad]!r} != {want[bad]!r}")
        for _ in range(repeat):  # both without automatic collection (goaldoc's writers pause it themselves)
            gc.collect()
            gc.disable()
            t = time.process_time()
            render_bytes(loaded, [fmt])
            ours_t.append(time.process_time() - t)
            gc.enable()
            gc.collect()
            gc.disable()
            t = time.process_time()
            floor(plan)
            floor_t.append(time.process_time() - t)
            gc.enable()
        out[fmt] = statistics.median(ours_t)
        out[fmt + "_floor"] = statistics.median(floor_t)
        out[fmt + "_lines"] = len(want)
    return out


def child(n: int, repeat: int, root: Path = ROOT) -> dict:  # type: ignore[type-arg]
    code = f"""
        import json, sys
        sys.path.insert(0, {str(root / "bench")!r})
        import floors
        print(json.dumps(floors.one_size({n}, {repeat}, {ONLY!r})))
        """
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    res = subprocess.run([PY, "-c", textwrap.dedent(code)], check=True, capture_output=True, text=True, cwd=root, env=env)
    return json.loads(res.stdout.strip().splitlines()[-1])


def cpu_and_wall(cmd: list[str]) -> tuple[float, float]:
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=ENV)
    _pid, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - t


def cold(repeat: int) -> dict:  # type: ignore[type-arg]
    bare = [PY, "-c", "import docx, docxtpl, openpyxl, jinja2, pydantic, yaml, click"]
    with tempfile.TemporaryDirectory() as tmp:
        ours = [PY, "-m", "goaldoc.cli", "render", str(TAISHAN), "-o", tmp]
        cpu_and_wall(ours), cpu_and_wall(bare)  # the OS file cache warm: cold is a new process, not a cold disk
        pairs = [(cpu_and_wall(ours), cpu_and_wall(bare)) for _ in range(repeat)]
    med = lambda k, i: statistics.median(p[k][i] for p in pairs)  # noqa: E731
    return {"ours_cpu": med(0, 0), "bare_cpu": med(1, 0), "ours_wall": med(0, 1), "bare_wall": med(1, 1)}


def against(other: Path) -> None:
    """Before / after: each size measured in both trees, alternated (the same load for both)."""
    load0 = os.getloadavg()[0]
    print(f"this tree: {ROOT}; the other: {other}; load average {load0:.2f} at the start")
    print("| rows | tree | .docx µs/row | floor | ratio | .xlsx µs/row | floor | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for n in SIZES:
        repeat = 1 if n == 10000 else 3
        for label, root in (("before", other), ("after", ROOT), ("before", other), ("after", ROOT)):
            f = child(n, repeat, root)
            cols = [
                f"{f[k] / n * 1e6:.0f} | {f[k + '_floor'] / n * 1e6:.0f} | {f[k] / f[k + '_floor']:.1f}×" if k in f else "– | – | –"
                for k in ("docx", "xlsx")
            ]
            print(f"| {n:,} | {label} | {cols[0]} | {cols[1]} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


def main() -> None:
    if "--against" in sys.argv:
        against(Path(sys.argv[sys.argv.index("--against") + 1]).resolve())
        return
    if "--only" in sys.argv or "--sizes" in sys.argv:
        raise SystemExit("--only and --sizes go with --against (bench/RESULTS.md gets every format and size)")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load0 = os.getloadavg()[0]
    figures = {n: child(n, 1 if QUICK and n == 10000 else (2 if n == 10000 else 3)) for n in SIZES}
    c = cold(3 if QUICK else 5)
    load1 = os.getloadavg()[0]
    out = [
        "# Issue 23: rows against the libraries' floors",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {started}; "
        f"load average {load0:.2f} at the start, {load1:.2f} at the end. Command: `.venv/bin/python bench/floors.py`. "
        "CPU time per row of the render alone (data loaded, first render of the process done), medians of "
        "alternated runs (3; 2 at 10,000), each size in a new process, both without automatic garbage collection "
        "(goaldoc's writers pause it themselves; the floor gets the same). The Guangdong form, `bench/speed.py`'s rows.",
        "",
        "Floors (see the script's doc): **docx** = lxml building the same document.xml from data (a copy of each "
        "row's shape, texts and height set) and zipping every part; **xlsx** = openpyxl writing the same workbook "
        "with each cell style registered once and its ids copied, merges added directly, widths, heights, print "
        "titles, page setup and breaks set. Both outputs are checked equal to goaldoc's, every line of "
        "tests/golden.py's `output_lines` (cell texts, spans, merges, heights, widths, breaks), before timing.",
        "",
        "| rows | .docx goaldoc µs/row | .docx floor µs/row | ratio | .xlsx goaldoc µs/row | .xlsx floor µs/row | ratio | load (YAML + checks) ms | load + both renders s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, f in figures.items():
        both = f["load"] + f["docx"] + f["xlsx"]
        out.append(
            f"| {n:,} | {f['docx'] / n * 1e6:.0f} | {f['docx_floor'] / n * 1e6:.0f} | {f['docx'] / f['docx_floor']:.1f}× "
            f"| {f['xlsx'] / n * 1e6:.0f} | {f['xlsx_floor'] / n * 1e6:.0f} | {f['xlsx'] / f['xlsx_floor']:.1f}× "
            f"| {f['load'] * 1000:.0f} | {both:.2f} |"
        )
    big = figures[10000]
    both = big["load"] + big["docx"] + big["xlsx"]
    out += [
        "",
        f"- 10,000 rows: .docx {big['docx'] / big['docx_floor']:.1f}× the lxml floor (goal ≤ 3×), "
        f".xlsx {big['xlsx'] / big['xlsx_floor']:.1f}× the registered-style openpyxl floor (goal ≤ 2×); "
        f"load + render both {both:.2f} s CPU (goal ≤ 2.5 s)",
        f"- cold `goaldoc render samples/2024/taishan.yaml` (both formats): CPU {c['ours_cpu'] * 1000:.0f} ms against "
        f"{c['bare_cpu'] * 1000:.0f} ms for the bare imports, **{c['ours_cpu'] / c['bare_cpu']:.2f}×**; wall "
        f"{c['ours_wall'] * 1000:.0f} against {c['bare_wall'] * 1000:.0f} ms, {c['ours_wall'] / c['bare_wall']:.2f}× "
        f"(goal ≤ 2×; medians of {3 if QUICK else 5}, alternated)",
    ]
    text = "\n".join(out)
    print(text)
    if not QUICK:
        write_section("floors", text)


if __name__ == "__main__":
    from results import arguments

    arguments(__doc__, ("--quick",), ("--only", "--sizes", "--against"))
    main()
