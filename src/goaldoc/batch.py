"""Many departments at once: worker processes, progress, a summary (issue 11 §2).

A batch runs in phases, each reported step by step to the caller (the CLI draws the
progress, this module prints nothing):

1. ``plan``: every file is read and its output paths worked out (in the workers). Two
   inputs that would write the same path are refused before anything is rendered: the
   second would silently overwrite the first.
2. ``render``: each department is checked and rendered by :func:`goaldoc.api.render` in a
   worker; a failing file never stops the others. The departments of one form go to one
   worker, so that the form's one-time work (its templates parsed, its programs compiled) is
   done in one process, not in each (:meth:`_Pool.each_by_form`).
3. ``pdf``: when asked, each department's .docx goes through LibreOffice (:mod:`goaldoc.pdf`),
   from a thread of the parent: in groups while the renders go on, and once they are over
   in up to ``min(jobs, 4)`` LibreOffice processes at once, each with its own profile
   (:class:`_Converter`). Its steps are reported after the render steps.

Workers are processes (rendering is CPU-bound Python): ``jobs`` of them, by default one per
core; with one job, or one file, everything runs in this process. A worker dies with the
process that started it (kill -9 of a batch left them asleep for ever: issue 18 item 5).

The garbage collector (issue 23 item 3): collected once per department — not automatically
while it renders, then once after it (python-docx's object cycles would otherwise keep its
lxml trees until the collector happens to run) —, and what is alive after start-up and after
the first department — the modules, the parsed forms and templates, the caches — is frozen
(``gc.freeze``): no later collection walks it again. A batch's memory stays flat
(bench/RESULTS.md, collector).

`goaldoc import` and `goaldoc check` of many files use the same workers (:func:`each_in_order`,
:func:`import_one`, :func:`check_one`): one error boundary per file, results in the order
of the files.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import sys
from collections.abc import Callable, Collection, Generator, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .errors import GoaldocError, InputError, Problem

if TYPE_CHECKING:  # concurrent.futures costs ~50 ms to import: only batches of jobs > 1 need it
    from concurrent.futures import ProcessPoolExecutor

FORMATS = ("docx", "xlsx")


@dataclass(frozen=True)
class Options:
    """What `goaldoc render` was asked for; the same for every file of the batch."""

    out_dir: str | None = None
    formats: tuple[str, ...] = FORMATS  # what is written: docx, xlsx, pdf
    form: str | None = None
    templates: str | None = None
    only: tuple[str, ...] = ()
    force: bool = False
    jobs: int | None = None  # None: one per core
    pdf_timeout: float | None = None  # None: pdf.DEFAULT_TIMEOUT

    @property
    def pdf(self) -> bool:
        return "pdf" in self.formats

    @property
    def office_formats(self) -> tuple[str, ...]:
        """What goaldoc renders itself; the PDF needs the .docx even when it is not kept."""
        fmts = tuple(f for f in FORMATS if f in self.formats)
        return fmts if not self.pdf or "docx" in fmts else ("docx", *fmts)


@dataclass
class Outcome:
    """One input file's result, whatever happened to it."""

    index: int  # 1-based position in the batch
    file: str
    problems: list[Problem] = field(default_factory=list)  # warnings, or what stopped it
    failed: bool = False
    files: list[Path] = field(default_factory=list)  # written, in order
    forms: int = 0  # 表 in the bundle: the department's own plus one per project
    pages: int | None = None  # of the PDF
    targets: list[Path] = field(default_factory=list)  # planned output paths
    master: Path | None = None  # the .docx the PDF is made from (kept or staged)
    summary: str | None = None  # the one-line 摘要 a clerk eyeballs (summary.one_line)
    notes: list[str] = field(default_factory=list)  # which template folder was used (issue 16)
    before: list[tuple[int, int] | None] = field(default_factory=list)  # each target as it was before the run
    read: Any = None  # the file as planning read it, for rendering (loader.hand_over): read once
    form_key: str | None = None  # the form folder planning found: its departments go to one worker (_Pool.each_by_form)
    worker: int | None = None  # the process that rendered it (its pid)


@dataclass
class Step:
    """Progress: ``done`` of ``total`` files through ``phase`` (plan, render, pdf)."""

    phase: str
    done: int
    total: int
    outcome: Outcome


@dataclass
class Summary:
    departments: int = 0
    succeeded: int = 0
    failed: int = 0
    forms: int = 0
    files: int = 0
    pages: int = 0
    errors: int = 0
    warnings: int = 0
    accepted: int = 0
    seconds: float = 0.0
    pdf: bool = False


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what this process may use (containers, taskset)
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


# ---------------------------------------------------------------- the work of one file (in a worker)


def plan_one(index: int, file: str, opts: Options) -> Outcome:
    """Read the file and work out where its outputs go (what api.render would write)."""
    from .api import diagnose
    from .context import build_context, select_projects
    from .forms import load_form
    from .loading import load_for_later
    from .output import default_dir
    from .render.bundle import file_stem

    out = Outcome(index, file)
    try:
        loaded, read = load_for_later(file)
        spec = load_form(opts.form or loaded.model.form, opts.templates)
        ctx = build_context(loaded.model, spec, opts.only)
        stem = file_stem(spec, ctx, list(opts.only))
    except InputError:
        out.failed, out.problems = True, diagnose(file)[1]  # every problem, as `check` lists them
        return out
    except GoaldocError as exc:
        out.failed, out.problems = True, exc.problems
        return out
    target = Path(opts.out_dir) if opts.out_dir else default_dir(loaded.model)
    out.targets = [target / f"{stem}.{fmt}" for fmt in opts.formats]
    out.before = [stamp(t) for t in out.targets]  # before anything is rendered: what this run writes shows
    out.forms = 1 + len(select_projects(loaded.model, opts.only))
    out.read = read
    out.form_key = str(spec.folder)  # the form and the templates folder it comes from, resolved
    return out


def render_one(
    index: int,
    file: str,
    opts: Options,
    out_dir: str | None,
    forms: int = 0,
    keep_dir: Path | None = None,
    read: Any = None,
    last: bool = False,
    two_cores: bool = False,
) -> Outcome:
    """Check and render one file with :func:`goaldoc.api.render`; never raises for a
    problem of the input or the templates (it is in the outcome).

    With ``keep_dir``, ``out_dir`` is a staging folder: the .docx for a PDF that is not kept
    (``-f pdf``) stays there, the files asked for move on to ``keep_dir``. ``read``: the file
    as :func:`plan_one` read it (used unless the file changed since). ``last``: the run's last
    department in this process (:func:`tidy`). ``two_cores``: the .xlsx rendered beside the
    .docx in a child process (a run of one file with a core to spare: :func:`run`).
    """
    from .api import render
    from .loader import hand_over
    from .output import write_all

    out = Outcome(index, file, forms=forms)
    pause_collector()
    hand_over(file, read)
    try:
        result = render(file, out_dir, opts.office_formats, opts.form, opts.templates, opts.only, opts.force, two_cores)
    except GoaldocError as exc:
        out.failed, out.problems = True, exc.problems
    else:
        out.problems = result.warnings
        if result.model is not None:
            from .summary import one_line, summarize

            out.summary = one_line(summarize(result.model, result.form))
            if getattr(result.model, "stage", None):  # 监控 / 自评 (issue 19): 执行率, 总分, 等级
                from .forms import load_form
                from .stage.summary import stage_one_line

                out.summary = stage_one_line(result.model, load_form(result.model.form, opts.templates))
        out.master = next((p for p in result.files if p.suffix == ".docx"), None) if opts.pdf else None
        asked = [p for p in result.files if p.suffix[1:] in opts.formats]
        if keep_dir is not None and asked:  # moved from the staging folder, as one set
            try:
                write_all({keep_dir / p.name: p.read_bytes() for p in asked})
            except GoaldocError as exc:  # locked, disk full, no permission: said, nothing moved
                out.failed, out.problems = True, exc.problems
                asked = []
            else:
                for p in asked:
                    p.unlink()
                asked = [keep_dir / p.name for p in asked]
        out.files += asked
        if result.files and not out.failed:  # issue 16: what an earlier run left beside them
            from .output import earlier_outputs

            folder = keep_dir if keep_dir is not None else result.files[0].parent
            out.problems = [*out.problems, *earlier_outputs(folder, result.files[0].stem, opts.formats)]
        out.notes = result.notes
    finally:
        hand_over(file, None)
        tidy(last)
    return out


_frozen = False


def pause_collector() -> None:
    """Before a department: no automatic collection while it renders (a 4,000-row .docx spends
    30 % of its CPU in them, and peaks at the same memory without); :func:`tidy` collects once
    after it."""
    gc.disable()


def tidy(last: bool = False) -> None:
    """After each department: one collection (python-docx's cycles hold whole lxml trees:
    free them now, not later); after the first, what is still alive (forms, templates,
    caches) is frozen, so that later collections no longer walk it (issue 23 item 3).

    What survives each later collection is frozen too: the caches a batch fills as it goes
    (line breaks, row programs, compiled texts) are then walked by one collection, not by
    every one after it (a county round: 22 → 10 ms a department; peak memory the same, as
    the department's garbage is collected before).

    After the ``last`` department of a run in this process (a single file, ``--jobs 1``)
    nothing comes that needs the memory: it is frozen as it is, garbage too, instead of
    collected (the collection walked every module the renderers imported: ~25-35 ms of a
    cold one-file render, whose process ends right after). The run's end thaws it
    (:func:`_thaw`): the collector frees it on its own schedule, or the process's end."""
    global _frozen
    if last:
        gc.freeze()
        _frozen = True
    else:
        gc.collect()
        gc.freeze()
        _frozen = True
    gc.enable()


def _thaw() -> None:
    """The end of a batch run in this process: frozen objects go back to the collector (a
    library caller's objects were frozen with ours and must be freed when they go)."""
    global _frozen
    if _frozen:
        gc.unfreeze()
        _frozen = False


# ---------------------------------------------------------------- the batch (in the parent)


def run(files: Sequence[str], opts: Options) -> Generator[Step, None, None]:
    """Render every file; yields a :class:`Step` as each file gets through each phase.

    Raises :class:`InputError` (nothing rendered) when two files would write the same path,
    or when another goaldoc is writing into the same ``-o`` (B003).

    With ``--pdf`` LibreOffice starts converting while the last departments still render
    (issue 23 item 4: one core idled through the whole PDF phase); the PDF steps come after
    the render steps all the same.
    """
    from .locks import make_owned_tempdir, remove_owned, writing_into

    files = list(files)
    total = len(files)
    jobs = max(1, min(opts.jobs or default_jobs(), total))
    converter: _Converter | None = None
    staged: tuple[Path, int | None] | None = None
    hushed: Callable[[], None] | None = None
    try:
        with contextlib.ExitStack() as stack:
            if opts.out_dir:
                stack.enter_context(writing_into(opts.out_dir))  # one goaldoc at a time into -o
            if opts.pdf and "docx" not in opts.formats:
                staged = make_owned_tempdir("goaldoc-stage-")
            staging = staged[0] if staged else None
            try:
                with _Pool(jobs) as pool:
                    try:
                        outcomes: list[Outcome] = []
                        if total > 1 or staging is not None:
                            plans: list[tuple[Callable[..., Outcome], tuple[Any, ...]]]
                            plans = [(plan_one, (i, f, opts)) for i, f in enumerate(files, start=1)]
                            for done, out in enumerate(pool.each(plans), start=1):
                                outcomes.append(out)
                                yield Step("plan", done, total, out)
                            outcomes.sort(key=lambda o: o.index)
                            refuse_collisions(outcomes)
                        else:
                            outcomes = [Outcome(1, files[0])]
                        todo = [o for o in outcomes if not o.failed]
                        tasks: list[tuple[Callable[..., Outcome], tuple[Any, ...]]] = []
                        for o in todo:
                            out_dir = opts.out_dir
                            keep = o.targets[0].parent if o.targets else None  # planned: no need to work it out again
                            if staging is not None:
                                out_dir = str(staging / str(o.index))
                            elif keep is not None:
                                out_dir, keep = str(keep), None
                            tasks.append((render_one, (o.index, o.file, opts, out_dir, o.forms, keep, o.read)))
                            o.read = None
                        if jobs == 1 and tasks:  # rendered here: the last one leaves its heap as it is (tidy)
                            # one file and a core to spare: its .xlsx beside its .docx (render/beside.py;
                            # not with --pdf, whose LibreOffice thread is running by then)
                            spare = total == 1 and (opts.jobs or default_jobs()) > 1 and not opts.pdf
                            tasks[-1] = (render_one, (*tasks[-1][1], True, spare))
                        if opts.pdf and todo:
                            converter = _Converter.start(opts, staging, len(todo))  # the workers are forked by now
                        done = 0
                        for o in outcomes:
                            if o.failed:
                                done += 1
                                yield Step("render", done, total, o)
                        rendered: dict[int, Outcome] = {}
                        planned = {o.index: o for o in outcomes}
                        for pid, out in pool.each_by_form(tasks, [o.form_key for o in todo], [o.forms for o in todo]):
                            done += 1
                            out.targets = planned[out.index].targets
                            out.before = planned[out.index].before
                            out.form_key, out.worker = planned[out.index].form_key, pid
                            rendered[out.index] = out
                            if converter is not None:
                                converter.add(out)
                            yield Step("render", done, total, out)
                    except BaseException:  # Ctrl-C, or the caller gone: everything stops now
                        hushed = _hush()
                        if converter is not None:
                            converter.halt.set()  # LibreOffice is killed while the workers end
                        raise
                if converter is not None:
                    yield from converter.steps()
            except BaseException:
                hushed = hushed or _hush()
                raise
            finally:
                if converter is not None:
                    converter.stop()  # an interrupt: LibreOffice's group is killed, its thread ends
                _thaw()
                if staged is not None:
                    remove_owned(*staged)
    finally:
        if hushed is not None:
            hushed()


def _hush() -> Callable[[], None]:
    """After an interrupt, while the batch tidies up (a few seconds at most): a second
    Ctrl-C, or a SIGTERM, is ignored instead of breaking off the tidying (and leaving
    workers, LibreOffice or temporary folders behind). What this returns puts the handlers
    back."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    saved = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(sig)
        if handler is not None:  # None: set outside Python, cannot be put back
            saved[sig] = handler
            signal.signal(sig, signal.SIG_IGN)

    def restore() -> None:
        for sig, handler in saved.items():
            signal.signal(sig, handler)

    return restore


def _pdf_target(o: Outcome, staging: Path | None) -> Path:
    """The PDF beside the other outputs: the .docx's folder, or the planned one if staged."""
    assert o.master is not None
    if staging is not None:
        return next(t for t in o.targets if t.suffix == ".pdf")
    return o.master.with_suffix(".pdf")


class _Converter:
    """The PDFs of a batch, made in a thread while the renders go on: departments are
    handed over as they are rendered, and LibreOffice takes them in groups (each start costs
    about a second: a group waits for 8 departments, or an eighth of a big batch, or for the
    renders' end). LibreOffice is slower than two render workers, so the departments rendered
    meanwhile wait for it and the later calls take all of them. Once the renders are over,
    what is left goes to one LibreOffice per job (``--jobs``, at most 4, each with
    :data:`PER_LANE` files or more): a conversion uses one core, and the others would idle to
    the end."""

    # A LibreOffice start costs about as much as one or two files (bench/RESULTS.md,
    # pdf-overlap): with 8 files a process, the 12 left after the renders of 20 departments
    # went to one process, the other core idle for 15 s
    PER_LANE = 3

    def __init__(self, opts: Options, staging: Path | None, expected: int):
        import queue
        import threading

        self.opts, self.staging = opts, staging
        self.inbox: queue.Queue[Outcome | None] = queue.Queue()
        self.results: queue.Queue[tuple[Outcome, Any] | None] = queue.Queue()
        self.halt = threading.Event()
        self.group = max(8, -(-expected // 8))
        self.lanes = max(1, min(opts.jobs or default_jobs(), 4))
        self.masters: list[Outcome] = []
        self.thread = threading.Thread(target=self._work, name="goaldoc-pdf", daemon=True)

    @classmethod
    def start(cls, opts: Options, staging: Path | None, expected: int) -> _Converter:
        conv = cls(opts, staging, expected)
        conv.thread.start()
        return conv

    def add(self, o: Outcome) -> None:
        """A rendered department (one that failed, or has no .docx, is not converted)."""
        if not o.failed and o.master is not None:
            self.masters.append(o)
            self.inbox.put(o)

    def _work(self) -> None:
        import queue

        from . import pdf

        waiting: list[Outcome] = []
        closed = False
        soffice = pdf.find_soffice()
        try:
            while not (closed and not waiting) and not self.halt.is_set():
                while not closed and len(waiting) < self.group:
                    item = self.inbox.get()
                    if item is None:
                        closed = True
                    else:
                        waiting.append(item)
                while not closed:  # and all rendered meanwhile: the next call takes them too
                    try:
                        item = self.inbox.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        closed = True
                    else:
                        waiting.append(item)
                if self.halt.is_set():
                    break
                if soffice is None:
                    for o in waiting:
                        self.results.put((o, None))
                    waiting = []
                    continue
                if closed:  # the renders are over: every core converts
                    lanes = max(1, min(self.lanes, len(waiting) // self.PER_LANE))
                    parts = [waiting[k::lanes] for k in range(lanes)]
                    waiting = []
                    self._convert_in_parallel(parts, soffice)
                else:
                    group, waiting = waiting[: pdf.PER_PROCESS], waiting[pdf.PER_PROCESS :]
                    self._convert(group, soffice)
        finally:
            self.results.put(None)

    def _convert(self, group: list[Outcome], soffice: str) -> None:
        from . import pdf

        jobs = [(o.master, _pdf_target(o, self.staging)) for o in group if o.master is not None]
        timeout = self.opts.pdf_timeout or pdf.DEFAULT_TIMEOUT
        said: set[int] = set()
        try:
            for n, conv in pdf.convert_each(jobs, timeout, soffice, self.halt):
                said.add(n)
                self.results.put((group[n], conv))
        except OSError as exc:  # LibreOffice's working folder (a full /tmp): named, not a traceback
            for n, (source, target) in enumerate(jobs):
                if n not in said:
                    problem = Problem(f"PDF 没有生成：LibreOffice 的临时文件夹写不进（{exc.strerror or exc}）：请腾出空间后再运行一次", (), str(target), code="P004")
                    self.results.put((group[n], pdf.Conversion(source, target, problem=problem)))

    def _convert_in_parallel(self, parts: list[list[Outcome]], soffice: str) -> None:
        import threading

        if len(parts) == 1:
            self._convert(parts[0], soffice)
            return
        lanes = [threading.Thread(target=self._convert, args=(part, soffice), name="goaldoc-pdf-lane", daemon=True) for part in parts]
        for lane in lanes:
            lane.start()
        for lane in lanes:
            lane.join()

    def steps(self) -> Iterator[Step]:
        """The PDF steps, once every department is rendered: those converted meanwhile at
        once, the others as LibreOffice gets through them."""
        from . import pdf

        self.inbox.put(None)
        total = len(self.masters)
        k = 0
        while True:
            item = self.results.get()
            if item is None:
                return
            o, conv = item
            k += 1
            if conv is None:  # no LibreOffice: the whole advice once, then a reminder each
                o.failed = True
                problem = pdf.missing_problem(o.file) if k == 1 else Problem(
                    "PDF 没有生成：没有找到 LibreOffice（安装方法见上）", (), o.file, code="P001"
                )
                o.problems = [*o.problems, problem]
            elif conv.ok:
                o.files.append(conv.target)
                o.pages = conv.pages
            else:
                o.failed = True
                o.problems = [*o.problems, replace(conv.problem, file=o.file)]
            yield Step("pdf", k, total, o)

    def stop(self) -> None:
        self.halt.set()
        self.inbox.put(None)
        self.thread.join(timeout=30)


def stamp(path: Path) -> tuple[int, int] | None:
    """What tells a file written by this run from one that was there before: goaldoc
    writes by rename, so a new file has a new inode (and time)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


@dataclass
class OnDisk:
    """After an interruption: what this run wrote, as found on disk (issue 18 item 6)."""

    formats: tuple[str, ...]
    complete: dict[str, int] = field(default_factory=dict)  # kind → departments whose file(s) of that kind were written
    missing: dict[str, list[str]] = field(default_factory=dict)  # kind → the input files still without them


def on_disk(outcomes: Sequence[Outcome], formats: Sequence[str]) -> OnDisk:
    """Count, per kind (the .docx/.xlsx set, the PDF), the departments whose files this run
    wrote — looked for on disk, not taken from the steps: a worker finishes the files it is
    writing after an interrupt, and LibreOffice's may be done but not yet reported. A department
    refused with its problems is not missing: they were said."""
    office = tuple(f for f in FORMATS if f in formats)
    result = OnDisk(tuple(formats))
    for kind, fmts in (("office", office), ("pdf", ("pdf",) if "pdf" in formats else ())):
        if not fmts:
            continue
        result.complete[kind] = 0
        result.missing[kind] = []
        for o in sorted(outcomes, key=lambda o: o.index):
            if o.targets:
                before = o.before or [None] * len(o.targets)
                ok = all(stamp(t) not in (None, b) for t, b in zip(o.targets, before, strict=False) if t.suffix[1:] in fmts)
            else:  # a single file, not planned: what it reported
                ok = sum(p.suffix[1:] in fmts for p in o.files) == len(fmts)
            if ok:
                result.complete[kind] += 1
            elif not o.failed:
                result.missing[kind].append(o.file)
    return result


def refuse_collisions(outcomes: list[Outcome]) -> None:
    """Two inputs writing one path: refuse the batch, naming both and the path."""
    seen: dict[str, Outcome] = {}
    problems: list[Problem] = []
    for o in outcomes:
        for target in o.targets:
            key = os.path.normcase(os.path.abspath(target))
            if sys.platform in ("darwin", "win32"):  # their file systems ignore case
                key = key.casefold()
            first = seen.setdefault(key, o)
            if first is not o:
                same = os.path.samefile(first.file, o.file)
                fix = "删去重复的一个" if same else "同一部门同一年只留一个 YAML 文件，或分两次用 -o 生成到不同的文件夹"
                problems.append(
                    Problem(
                        f"与 {first.file}{'（同一个文件）' if same else ''} 会写到同一个文件 {target}，"
                        f"后生成的会覆盖先生成的：{fix}",
                        ("department", "name"),
                        o.file,
                        code="B001",
                    )
                )
                break
    if problems:
        raise InputError(problems)


def summarize(outcomes: Sequence[Outcome], seconds: float, pdf: bool = False) -> Summary:
    s = Summary(departments=len(outcomes), seconds=seconds, pdf=pdf)
    for o in outcomes:
        s.failed += o.failed
        s.succeeded += not o.failed
        s.forms += o.forms if not o.failed else 0
        s.files += len(o.files)
        s.pages += o.pages or 0
        s.errors += sum(p.is_error for p in o.problems)
        s.warnings += sum(p.severity == "W" and not p.accepted for p in o.problems)
        s.accepted += sum(bool(p.accepted) for p in o.problems)
    return s


def _worker_start(parent: int) -> None:
    """In each worker as it starts. Ctrl-C is the parent's: it ends the batch, and sends
    each worker SIGTERM (:meth:`_Pool.halt`), which ends it at once — the department under
    way is dropped, unless its files are being written: then they are written whole first
    (:func:`_on_term`). The worker dies with its parent. What it inherited (modules, the
    parent's heap) is frozen for the collector."""
    import signal

    global _starting
    _starting = True  # a SIGTERM meanwhile waits until the worker knows its folder (_on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_term)
    die_with(parent)
    _own_tempdir()
    _starting = False
    if _halting:  # stopped as it started: its folder goes with it (it was left in /tmp)
        _leave()
    gc.freeze()


_workdir: tuple[Path, int | None] | None = None


def _own_tempdir() -> None:
    """The worker's temporary files (openpyxl writes each sheet to one) in a folder of its
    own, removed when it ends; one that a killed worker left (kill -9 of the batch: the
    workers die with it) is removed, and named, by the next run (goaldoc.locks.sweep)."""
    global _workdir
    import tempfile
    from multiprocessing.util import Finalize

    from .locks import make_owned_tempdir

    try:
        _workdir = make_owned_tempdir("goaldoc-work-", sweep_first=False)
    except OSError:  # a full temporary folder: the system's, as before
        return
    tempfile.tempdir = str(_workdir[0])
    Finalize(None, _remove_workdir, exitpriority=0)  # at the worker's ordinary end


def _remove_workdir() -> None:
    """The worker's folder and its lock, at its ordinary end (the finalizer) or when it is
    told to end (:func:`_leave`), which may come in the middle of the other: the folder is
    removed by both (what the first left), the lock closed once. A lock found closed is not
    said: the worker is ending, and a traceback of it reached the clerk's terminal after a
    second Ctrl-C (once in ~30 runs of test_batch_interrupt's, on c31915c as after)."""
    global _lock_closed
    if _workdir is None:
        return
    folder, fd = _workdir
    if fd is not None and not _lock_closed:
        _lock_closed = True
        with contextlib.suppress(OSError):
            os.close(fd)
    shutil.rmtree(folder, ignore_errors=True)


_lock_closed = False


class _Halted(BaseException):
    """Raised in a worker by SIGTERM: the task under way unwinds (its ``finally`` blocks
    run: temporary files and folders go) and the worker ends (:func:`_task`)."""


_starting = False  # a worker is making its temporary folder
_busy = False  # a worker runs a task
_halting = False  # SIGTERM came while files were being written: end after the task


def _on_term(signum: int, frame: Any) -> None:
    """SIGTERM in a worker. Idle: it ends now. In a task: the task is stopped where it is
    (everything is rendered in memory before the first write) — unless it is writing its
    files (:func:`goaldoc.output.write_all`), which must be whole: then it ends once the
    task is over."""
    global _halting
    if _starting:  # the folder is being made: ended once it is known (_worker_start)
        _halting = True
        return
    if not _busy:
        _leave()
    from .output import write_all

    _halting = True  # whatever happens to the exception: the worker ends after this task
    code = write_all.__code__
    f = frame
    while f is not None:
        if f.f_code is code:
            return
        f = f.f_back
    raise _Halted


def _task(fn: Callable[..., Any], *args: Any) -> Any:
    """A task in a worker, ended by SIGTERM (:func:`_on_term`) without a word: the parent
    asked for it and no longer waits for the result."""
    global _busy
    _busy = True
    try:
        result = fn(*args)
    except _Halted:
        _leave()
    finally:
        _busy = False
    if _halting:
        _leave()
    return result


def _task_pid(meant: int | None, fn: Callable[..., Any], *args: Any) -> tuple[int, Any]:
    """:func:`_task`, and which worker ran it: the parent sends the worker that just became
    idle the next department of its own form (:meth:`_Pool.each_by_form`). Another worker
    that took it (``meant``: the pid it was for) sends it back undone — result None — at once,
    instead of paying for a form that is not its own."""
    if meant is not None and meant != os.getpid():
        return os.getpid(), None
    return os.getpid(), _task(fn, *args)


def _leave() -> NoReturn:
    """End this worker now, without the exit's handlers (they are the parent's, inherited by
    fork); its temporary folder goes (the sheet openpyxl was writing)."""
    _remove_workdir()
    os._exit(0)


def die_with(parent: int) -> None:
    """End this process when ``parent`` goes (kill -9, a crash), instead of waiting for work
    for ever: Linux's parent-death signal, and a thread that looks every second (other
    systems; and a parent that died before the signal was asked for)."""
    import threading
    import time

    from .render.beside import die_with_parent

    die_with_parent()
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="goaldoc-parent-watch", daemon=True).start()


class _Pool:
    """Run tasks in worker processes, or here when one job is asked for; results come back
    as they finish."""

    RENDER = ("goaldoc.api", "goaldoc.render.excel.workbook", "goaldoc.render.word.document")

    def __init__(self, jobs: int, preload: tuple[str, ...] = RENDER):
        self.jobs = jobs
        self.preload = preload
        self.executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Pool:
        if self.jobs > 1:
            import importlib
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            ctx = None
            if sys.platform == "linux":
                # fork, with goaldoc and the renderers imported here first: each worker starts
                # with them instead of importing them again (~0.5 s of CPU each). No thread
                # runs yet: the CLI draws its progress from this thread.
                for name in self.preload:
                    importlib.import_module(name)
                ctx = multiprocessing.get_context("fork")
            self.executor = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_worker_start, initargs=(os.getpid(),))
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: Any) -> None:
        if self.executor is None:
            return
        if kind is not None:  # Ctrl-C, an error, the caller gone: end the workers now
            self.halt()
            return
        try:
            self.executor.shutdown(cancel_futures=True)  # every task done: the workers are idle
        except BaseException:
            self.halt()  # Ctrl-C just then: the join it broke cannot be trusted (see halt)
            raise

    GRACE = 10.0  # seconds a worker may take to finish writing a department's files

    def halt(self) -> None:
        """End the workers at once and wait until they are gone: each gets SIGTERM and ends
        after the file it is writing, if any (:func:`_on_term`); one still there after
        :data:`GRACE` seconds is killed.

        Not ``shutdown(wait=True)``: it waits for every task under way, and a second
        Ctrl-C during its ``Thread.join`` marks the executor's thread as ended while it
        runs (CPython gh-90882, Python 3.9–3.11); the interpreter's exit then closed the
        queue before the workers' stop signals went through, and waited for them for ever
        (a batch interrupted by ``timeout -s INT``, which signals twice, stayed up until
        another Ctrl-C)."""
        executor = self.executor
        assert executor is not None
        restore = _hush()  # no Ctrl-C can break into the waits below
        try:
            self._end(executor)
        finally:
            restore()

    def _end(self, executor: ProcessPoolExecutor) -> None:
        import signal
        import time
        from multiprocessing.connection import wait

        workers = list(dict(getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for w in workers:
            with contextlib.suppress(OSError):
                os.kill(w.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.GRACE
        left = {w.sentinel: w for w in workers}
        killed = False
        while left:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if killed:
                    break
                for w in left.values():
                    with contextlib.suppress(OSError):
                        os.kill(w.pid, signal.SIGKILL)
                killed, deadline = True, time.monotonic() + self.GRACE
                continue
            for s in wait(list(left), remaining):
                left.pop(s)  # type: ignore[call-overload]
        manager = getattr(executor, "_executor_manager_thread", None)
        if manager is not None:  # it sees the workers gone and tidies the queues: let it finish
            manager.join(self.GRACE)

    def each(self, tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]], dead: Callable[[tuple[Any, ...], BaseException], Any] | None = None) -> Iterator[Any]:
        """Each task's result as it finishes; ``dead(args, exc)`` stands for the result of a
        task whose worker died (default: a render's :class:`Outcome`, B002)."""
        if self.executor is None:
            for fn, args in tasks:
                yield fn(*args)
            return
        from concurrent.futures import as_completed

        futures = {self.executor.submit(_task, fn, *args): args for fn, args in tasks}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                yield (dead or _dead_render)(futures[fut], exc)

    def each_by_form(
        self, tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]], keys: Sequence[Hashable], weights: Sequence[int]
    ) -> Iterator[tuple[int | None, Any]]:
        """Each render's (worker's pid, result) as it finishes; ``keys``: each task's form,
        ``weights``: its work (:class:`_Dispatch`). A task whose worker died stands as a
        :func:`_dead_render` outcome (pid None), and so does each task never sent once the
        pool broke (``submit`` raises then).

        Only ``jobs`` tasks are under way at a time (:meth:`each` sends them all at once, and
        the workers took them in turn: both met nearly every form): every worker runs one, so
        the task sent when one finishes goes to that very worker — it alone waits for work —,
        and it is the next department of its form. When several finish at once, the tasks go
        out in the order their results came: the worker that finished first waits first on the
        queue of calls (multiprocessing's read lock) and takes the first — unless it was
        preempted between sending its result and asking for work (seen once in a few county
        rounds on a busy machine): the task then names the worker it is for, and the other
        one sends it back (:func:`_task_pid`); sent back once, it goes to whoever takes it. A
        swap costs time, never a result. Without workers the tasks run here, in order."""
        if self.executor is None:
            for fn, args in tasks:
                yield os.getpid(), fn(*args)
            return
        import queue
        from concurrent.futures import Future

        executor = self.executor
        plan = _Dispatch(keys, weights)
        futures: dict[Future[Any], tuple[int, int | None]] = {}  # → (task, the worker it is for)
        arrived: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()  # in the order the results came
        broken: BaseException | None = None

        def submit(n: int, meant: int | None) -> None:
            nonlocal broken
            fn, args = tasks[n]
            try:
                future = executor.submit(_task_pid, meant, fn, *args)
            except RuntimeError as exc:  # BrokenProcessPool: a worker died; what is left is never sent
                broken = exc
                plan.unsend(n)
                return
            futures[future] = n, meant
            future.add_done_callback(arrived.put)

        def send(mine: Hashable | None, meant: int | None) -> None:
            n = plan.take(mine) if broken is None else None
            if n is not None:
                submit(n, meant)

        for _ in range(self.jobs):  # each of another form (no worker is on any yet)
            send(None, None)
        while futures:
            finished = [arrived.get()]
            with contextlib.suppress(queue.Empty):
                while True:
                    finished.append(arrived.get_nowait())
            results: list[tuple[int | None, Any]] = []
            for future in finished:  # the next tasks go out before the results go up: no worker waits for the caller
                n, meant = futures.pop(future)
                try:
                    pid, result = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                    results.append((None, _dead_render(tasks[n][1], exc)))
                    send(plan.finished(n), None)
                    continue
                if result is None:  # taken by another worker than the one it was for: once more, for either
                    if broken is None:
                        submit(n, None)
                    else:
                        plan.unsend(n)
                    continue
                results.append((pid, result))
                send(plan.finished(n), pid)
            yield from results
        for n in plan.unsent():  # the pool broke before they were sent
            yield None, _dead_render(tasks[n][1], broken or RuntimeError())


class _Dispatch:
    """Which task goes next to a worker that has just become idle (:meth:`_Pool.each_by_form`):
    one queue per form, in the order of the files; bookkeeping only (no process: the tests
    drive it)."""

    def __init__(self, keys: Sequence[Hashable], weights: Sequence[int]):
        from collections import deque

        self.keys, self.weights = list(keys), list(weights)
        self.queued: dict[Hashable, deque[int]] = {}
        self.left: dict[Hashable, int] = {}  # each form's work not yet sent
        for n, key in enumerate(self.keys):
            self.queued.setdefault(key, deque()).append(n)
            self.left[key] = self.left.get(key, 0) + self.weights[n]
        self.running: list[int] = []

    def take(self, mine: Hashable | None) -> int | None:
        """The task for the idle worker that rendered ``mine`` last (None: nothing yet), marked
        as under way; None when none is left."""
        key = next_form(self.left, mine, [self.keys[n] for n in self.running])
        if key is None:
            return None
        n = self.queued[key].popleft()
        self.left[key] -= self.weights[n]
        if not self.queued[key]:
            del self.queued[key], self.left[key]
        self.running.append(n)
        return n

    def unsend(self, n: int) -> None:
        """Task ``n`` could not be sent after all: it is queued again."""
        from collections import deque

        self.running.remove(n)
        key = self.keys[n]
        self.queued.setdefault(key, deque()).appendleft(n)
        self.left[key] = self.left.get(key, 0) + self.weights[n]

    def finished(self, n: int) -> Hashable:
        """Task ``n`` is over: its form, the one its worker is on."""
        self.running.remove(n)
        return self.keys[n]

    def unsent(self) -> list[int]:
        return sorted(n for waiting in self.queued.values() for n in waiting)


def next_form(left: Mapping[Hashable, int], mine: Hashable | None, others: Collection[Hashable]) -> Hashable | None:
    """The form whose next department goes to a worker that has just become idle; None when
    no department is left.

    ``left``: each form with departments still to send, and their work (tables: a
    department's own plus one per project); ``mine``: the form the idle worker rendered last
    (None: nothing yet); ``others``: the forms the other workers are rendering now.

    The first department of a form costs a worker a lot once (openpyxl parses the Excel
    template, Jinja compiles the Word programs: 3.3-3.6 s of CPU for the first pass over the
    county round's 12 forms, 1.3-1.9 s warm): a worker stays on its form; when that is used
    up it takes the form nobody is on with the most work left (a big form started late would
    leave one core idle at the end); when every form left is someone's, it joins the one with
    the most work left — paying that form's cost once more, rather than idling to the end.
    Ties go to the form met first (``left``'s order): the same inputs, the same choices."""
    if mine is not None and mine in left:
        return mine
    free = [k for k in left if k not in others]
    return max(free or left, key=lambda k: left[k], default=None)


def _dead_render(args: tuple[Any, ...], exc: BaseException) -> Outcome:
    index, file = args[:2]
    return Outcome(
        index,
        file,
        [Problem(f"生成时工作进程意外退出（{type(exc).__name__}）：请用 --jobs 1 单独重试这个文件", (), file, code="B002")],
        failed=True,
    )


# ---------------------------------------------------------------- import and check of many files


def each_in_order(
    fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], jobs: int | None, dead: Callable[[tuple[Any, ...], BaseException], Any]
) -> Iterator[Any]:
    """``fn(*args)`` for each of ``tasks`` (their first item the 1-based index), in ``jobs``
    worker processes (default: one per core), the results yielded in the order of the tasks."""
    jobs = max(1, min(jobs or default_jobs(), len(tasks)))
    ready: dict[int, Any] = {}
    following = 1
    try:
        with _Pool(jobs, ("goaldoc.api", "goaldoc.importer")) as pool:
            for result in pool.each([(fn, args) for args in tasks], dead):
                ready[result.index] = result
                while following in ready:
                    yield ready.pop(following)
                    following += 1
    finally:
        _thaw()


@dataclass
class Checked:
    """`goaldoc check` of one file: its problems, and its summary when asked."""

    index: int
    file: str
    problems: list[Problem] = field(default_factory=list)
    summary: list[str] | None = None
    notes: list[str] = field(default_factory=list)  # which template folder was used (issue 16)
    template_problems: list[Problem] = field(default_factory=list)  # its form's templates' mistakes


def check_one(index: int, file: str, templates: str | None = None, summary: bool = False) -> Checked:
    """Check one file (YAML, or a filled .docx / .xlsx); never raises: what stops it is a
    problem of the file (an unexpected error too, E049), and the other files go on."""
    from .api import diagnose

    out = Checked(index, file)
    loaded = None
    pause_collector()
    try:
        loaded, out.problems = diagnose(file, templates)
    except GoaldocError as exc:  # the form folder itself is broken (the admin's to fix)
        out.problems = exc.problems
    except Exception as exc:  # noqa: BLE001 - the error boundary of one received file
        out.problems = [unexpected(file, exc)]
    try:
        if loaded is not None and loaded.form is not None:
            from .api import template_notes
            from .forms.syntax import template_problems

            out.notes = template_notes(loaded.form, file, templates)
            # a render would stop on them: said here too, found from what the check read of
            # the templates already (nothing more for a sound folder: forms/syntax.py)
            out.template_problems = template_problems(loaded.form, quick=True)
        if summary:
            out.summary = summary_lines(loaded, file)
    except Exception as exc:  # noqa: BLE001 - the error boundary of one received file
        out.problems = [*out.problems, unexpected(file, exc)]
    finally:
        tidy()
    return out


def summary_lines(loaded: Any, file: str) -> list[str]:
    from .summary import block, summarize

    if loaded is None:
        return [f"{file}：没有摘要（先改好上面的错误，文件才读得出来）"]
    if getattr(loaded.model, "stage", None) and loaded.form is not None:  # 监控 / 自评 (issue 19)
        from .stage.summary import stage_block

        return list(stage_block(loaded.model, loaded.form, file))
    return block(summarize(loaded.model, loaded.form), file)


@dataclass
class Received:
    """`goaldoc import` of one filled file: the YAML to write (None when it could not be
    read), what was done to it and what `goaldoc check` of the written YAML lists."""

    index: int
    file: str
    target: Path
    text: str | None = None
    problems: list[Problem] = field(default_factory=list)  # what stopped it
    messages: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    leftovers: int = 0
    checked: list[Problem] = field(default_factory=list)


def import_one(
    index: int, file: str, target: Path, form: str | None, templates: str | None, year: int | None, clear: bool
) -> Received:
    """Import one filled file into YAML text (nothing is written here) and check that text
    as `goaldoc check` will check the file; never raises (E049 for the unexpected)."""
    from .importer import import_to_yaml

    out = Received(index, file, target)
    pause_collector()
    try:
        written = import_to_yaml(file, form, templates, year, clear)
        out.checked = _check_text(written.text, str(target), templates)
    except GoaldocError as exc:
        out.problems = exc.problems
    except Exception as exc:  # noqa: BLE001 - the error boundary of one received file
        out.problems = [unexpected(file, exc)]
    else:
        out.text, out.messages = written.text, written.messages
        out.data, out.leftovers = written.imported.data, len(written.imported.leftovers)
    finally:
        tidy()
    return out


def _check_text(text: str, file: str, templates: str | None) -> list[Problem]:
    from .loader import load_text
    from .loading import diagnose_data

    try:
        data, lines = load_text(text, file)
    except InputError as exc:
        return exc.problems
    return diagnose_data(data, lines, file, templates)[1]


def unexpected(file: str, exc: BaseException) -> Problem:
    """What no check foresaw, in one file of a batch: named, and the batch goes on."""
    said = " ".join(str(exc).split())[:120]
    return Problem(
        f"goaldoc 读这个文件时出了意外的错误（{type(exc).__name__}{'：' + said if said else ''}），这个文件没有读完，其余文件照常："
        "请用 Word / WPS / Excel 打开它、另存后再试；仍然如此时请把这个文件和这一行发给 goaldoc 的维护者",
        (),
        file,
        code="E049",
    )


def worker_died(file: str, exc: BaseException) -> Problem:
    """What is said of a file whose worker died (killed, out of memory)."""
    return Problem(f"工作进程意外退出（{type(exc).__name__}）：请用 --jobs 1 单独重试这个文件", (), file, code="B002")


def dead_worker(args: tuple[Any, ...], exc: BaseException) -> Any:
    """The result of a check or an import whose worker died (killed, out of memory)."""
    index, file = args[:2]
    problem = worker_died(file, exc)
    if len(args) > 2 and isinstance(args[2], Path):
        return Received(index, file, args[2], problems=[problem])
    return Checked(index, file, [problem])


__all__ = [
    "Checked",
    "Options",
    "Outcome",
    "Received",
    "Step",
    "Summary",
    "check_one",
    "default_jobs",
    "each_in_order",
    "on_disk",
    "import_one",
    "refuse_collisions",
    "run",
    "summarize",
]
