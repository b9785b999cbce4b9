"""goaldoc's command line: thin click commands over :mod:`goaldoc.api`.

This is the only place that prints and decides exit codes: 0 done (warnings allowed),
1 problems in the input or templates, 2 wrong usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .clitext import ChineseGroup

MAIN_HELP = """goaldoc：用一个 YAML 文件生成预算绩效目标表（.docx 和 .xlsx）。

\b
常用：
  goaldoc render samples/2024/taishan.yaml          生成到 out/2024/<部门名称>/
  goaldoc render 2024/taishan.yaml -o 打印/          生成到指定文件夹
  goaldoc render 2024/*.yaml                        一次生成多个部门
  goaldoc check 2024/taishan.yaml                   只检查，不生成
  goaldoc init 2025/taishan.yaml                    新建一个带说明的填报文件
  goaldoc import 去年的表.docx --year 2025          把填好的表读回成 YAML
  goaldoc render --help                             查看全部选项
"""

RENDER_HELP = """生成预算绩效目标表（Word 和 Excel，可加 PDF）。

\b
FILES 是一个或多个部门的 YAML 文件，也可以是文件夹（其中和子文件夹里全部 .yaml）或 2024/*.yaml。
默认输出到 out/<年度>/<部门名称>/，一个部门一个 .docx（全部表格按顺序）和一个 .xlsx（一表一个工作表）；
加 --pdf 再由 .docx 转出一个 PDF（需要 LibreOffice）。有错误时不生成任何文件（这个部门的），已有的旧文件保持不变；
多个文件时其余文件照常生成，同时用几个进程（--jobs），最后一行是统计。

\b
例子：
  goaldoc render samples/2024/taishan.yaml
  goaldoc render samples/2024/taishan.yaml -o 送财政局/
  goaldoc render samples/2024/taishan.yaml --format docx
  goaldoc render samples/ --pdf                       全部部门，另加 PDF
  goaldoc render 2024/*.yaml -f pdf --jobs 2          只要 PDF，两个进程
  goaldoc render samples/2024/taishan.yaml --form 另一个表样名     （goaldoc forms 查看）
  goaldoc render samples/2023/liuzhi.yaml --only 公益性岗位补贴

\b
编译过的模板留在缓存文件夹里，下次更快（默认 ~/.cache/goaldoc，可随时删除；
环境变量 GOALDOC_CACHE 指定别的文件夹，设为 off 则不用）。
"""


def expand_inputs(args: tuple[str, ...], suffixes: tuple[str, ...] = (".yaml", ".yml"), kinds: str = " .yaml ") -> list[str]:
    """Folders become their YAML files (or files of ``suffixes``), and globs are expanded
    here too: Windows' cmd does not expand `2024\\*.yaml` itself. Every entry of a folder
    left out is named on stderr with the reason (goaldoc.inputs)."""
    from .inputs import expand

    found = expand(args, suffixes)
    for line in found.lines(kinds):
        click.echo(line, err=True)
    return found.files


def _print_problems(problems, err: bool = True, echo=None) -> None:  # type: ignore[no-untyped-def]
    for p in sorted(problems, key=lambda p: (not p.is_error, p.file or "", p.line or 0)):
        (echo or click.echo)(p.format(), err=err)


@click.group(cls=ChineseGroup, help=MAIN_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.version_option(
    __version__,
    "-V",
    "--version",
    help="显示版本和安装位置并退出。",
    message=f"goaldoc %(version)s（Python {sys.version.split()[0]}，安装于 {Path(__file__).parent}）",
)
def main() -> None:
    _heap_left_at_exit()


@main.command(help=RENDER_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), help="输出文件夹（默认 out/<年度>/<部门名称>/）。")
@click.option(
    "-f",
    "--format",
    "formats",
    type=click.Choice(["docx", "xlsx", "pdf"]),
    multiple=True,
    help="只生成某几种格式（可重复）；默认 docx 和 xlsx。pdf 由 .docx 转出。",
)
@click.option("--pdf", "with_pdf", is_flag=True, help="另外生成 PDF（由 .docx 转出，需要 LibreOffice）。")
@click.option("--form", help="换用另一个地区的表样（templates/ 下的文件夹名，goaldoc forms 查看）。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹，优先于自带模板。")
@click.option("--only", multiple=True, help="只生成某个项目的表（项目名称或项目编码，可重复）。")
@click.option("--force", is_flag=True, help="检查发现错误时仍然生成（不建议：财政局会退回）。")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时用几个进程生成（默认：CPU 核数）。")
@click.option(
    "--pdf-timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="转一个 PDF 最多等几秒，超时就停下、报出这个文件并继续（默认 120）。",
)
def render(files, out_dir, formats, with_pdf, form, templates, only, force, jobs, pdf_timeout) -> None:  # type: ignore[no-untyped-def]
    import time

    _started()
    from . import batch
    from .errors import GoaldocError

    started = time.perf_counter()
    files = expand_inputs(files)
    if not files:
        click.echo("没有找到要生成的 .yaml 文件：请检查文件夹或通配符。", err=True)
        sys.exit(2)
    chosen = tuple(dict.fromkeys(formats)) or ("docx", "xlsx")
    if with_pdf and "pdf" not in chosen:
        chosen += ("pdf",)
    opts = batch.Options(out_dir, chosen, form, templates, tuple(only), force, jobs, pdf_timeout)
    total = len(files)
    progress = _Progress(total > 1 and _is_terminal())
    outcomes: dict[int, batch.Outcome] = {}
    said: set[str] = set()  # a template folder is named once a run (issue 16)
    _sigterm_as_interrupt()
    _say_swept()
    _start_code_cache()
    steps = batch.run(files, opts)
    try:
        for step in steps:
            outcomes[step.outcome.index] = step.outcome
            progress.advance(step)
            if step.phase != "plan":  # a file refused by the plan comes again as rendered
                for note in step.outcome.notes if step.phase == "render" else []:
                    if note not in said:
                        said.add(note)
                        progress.echo(note)
                _report(step, total, progress, opts)
    except GoaldocError as exc:  # inputs that would overwrite each other, -o busy: nothing rendered
        progress.close()
        _print_problems(exc.problems, echo=progress.echo)
        if all(p.code == "B001" for p in exc.problems):
            click.echo(f"{len(exc.problems)} 处输出文件重名，未生成任何文件。", err=True)
        else:
            click.echo("未生成任何文件。", err=True)
        sys.exit(1)
    except KeyboardInterrupt as exc:
        _ignore_interrupts()  # a second Ctrl-C while the last line is written: no traceback
        steps.close()  # the workers stop (a file being written is finished first); LibreOffice is stopped
        progress.close()
        for k, file in enumerate(files, start=1):  # not read yet, or one file still rendering: not written
            outcomes.setdefault(k, batch.Outcome(k, file))
        click.echo(_interrupted(batch.on_disk(list(outcomes.values()), opts.formats)), err=True)
        sys.exit(143 if isinstance(exc, _Terminated) else 130)
    progress.close()
    if total > 1:
        s = batch.summarize(list(outcomes.values()), time.perf_counter() - started, opts.pdf)
        click.echo(_summary_line(s))
    sys.exit(1 if any(o.failed for o in outcomes.values()) else 0)


_AT_EXIT: list[bool] = []


def _heap_left_at_exit() -> None:
    """At exit, what the run built is frozen (gc.freeze) before the interpreter's last
    collections, which would otherwise walk and free every module, class and document tree
    one by one just before the system takes the whole process back: about a tenth of a
    one-department render's CPU (issue 23, cold start). Every exit handler still runs (those
    registered later run before this one: temporary folders, the worker pool), and the
    outputs are written and closed long before (output.write_all)."""
    if not _AT_EXIT:  # once a process (the tests invoke the CLI many times in one)
        import atexit
        import gc

        atexit.register(gc.freeze)
        _AT_EXIT.append(True)


def _started() -> None:
    """Issue 23 item 3, frozen after start-up: what every render needs (goaldoc.api: the
    models, forms, rules; goaldoc.batch, with pydantic's machinery) is imported here, first
    thing, with the collector off (importing leaves no garbage to look for; its automatic
    collections were ~6 ms of a cold render), then frozen, so that the collection after each
    department (batch.tidy) walks what that department made. The renderers are not imported here: a
    file with errors never needs them (python-docx, docxtpl and openpyxl are ~0.15 s of a
    cold start). The command's end thaws it all (batch.run does too, once a department is
    through): a process that goes on after the command (the tests) keeps nothing frozen."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        from . import api, batch  # noqa: F401
    finally:
        gc.freeze()
        click.get_current_context().call_on_close(gc.unfreeze)
        if enabled:
            gc.enable()


def _report(step, total: int, progress: _Progress, opts) -> None:  # type: ignore[no-untyped-def]
    """What one file's step printed: problems on stderr, the files written on stdout."""
    o = step.outcome
    prefix = f"[{o.index}/{total}] " if total > 1 else ""
    if step.phase == "pdf":
        new = [p for p in o.problems if p.code.startswith("P")]
        _print_problems(new, echo=progress.echo)
        for path in o.files:
            if path.suffix == ".pdf":
                pages = f"（{o.pages} 页）" if o.pages else ""
                progress.echo(f"{prefix}已生成 {path}{pages}")
        return
    if o.failed:
        _print_problems(o.problems, echo=progress.echo)
        progress.echo(f"{prefix}{o.file}：有 {len(o.problems)} 处问题，未生成任何文件。", err=True)
        return
    _print_problems([p for p in o.problems if not p.accepted], echo=progress.echo)
    kept = sum(bool(p.accepted) for p in o.problems)
    if kept:
        progress.echo(f"{prefix}{o.file}：另有 {kept} 个已确认保留的问题（见 accepted:；goaldoc check 逐条列出）。", err=True)
    for path in o.files:
        progress.echo(f"{prefix}已生成 {path}")
    if o.summary:
        progress.echo(f"{prefix}{o.summary}")


def _say_swept() -> None:
    """What killed runs left in the temporary folder, removed before this one starts: said."""
    from .locks import sweep, swept_note

    note = swept_note(sweep())
    if note:
        click.echo(note, err=True)


def _start_code_cache() -> None:
    """Templates compiled by earlier runs, kept on disk (render/template/codecache.py), for this
    command and its workers; that the folder was made, or why it cannot be used, is said."""
    from .render.template import codecache

    note = codecache.start()[1]
    if note:
        click.echo(note, err=True)
    click.get_current_context().call_on_close(codecache.stop)


class _Terminated(KeyboardInterrupt):
    """SIGTERM (kill, a service manager stopping goaldoc): ends a batch as Ctrl-C does."""


def _sigterm_as_interrupt() -> None:
    """For this command (put back when it ends: goaldoc may run inside another program)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # only the main thread may
        return

    def terminated(signum, frame):  # type: ignore[no-untyped-def]
        raise _Terminated

    before = signal.signal(signal.SIGTERM, terminated)
    click.get_current_context().call_on_close(lambda: signal.signal(signal.SIGTERM, before))


def _ignore_interrupts() -> None:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    for sig in (signal.SIGINT, signal.SIGTERM):
        before = signal.signal(sig, signal.SIG_IGN)
        click.get_current_context().call_on_close(lambda sig=sig, before=before: signal.signal(sig, before))


def _interrupted(found) -> str:  # type: ignore[no-untyped-def]
    """The last line after Ctrl-C: what is on disk per kind, and what is missing (issue 18 item 6)."""
    kinds = {"office": " 和 ".join(f".{f}" for f in ("docx", "xlsx") if f in found.formats), "pdf": "PDF"}
    made = "、".join(f"{found.complete[k]} 个部门的 {kinds[k]}" for k in found.complete)
    line = f"已中断：写好了 {made}（每个文件都是完整的）"
    missing = [(kinds[k], names) for k, names in found.missing.items() if names]
    if missing:
        said = []
        for kind, names in missing:
            shown = "、".join(names[:5]) + (f" 等 {len(names)} 个" if len(names) > 5 else "")
            said.append(f"{kind} {len(names)} 个（{shown}）")
        line += "；没有生成：" + "，".join(said) + "；再运行一次即可补上"
    return line + "。"


def _summary_line(s) -> str:  # type: ignore[no-untyped-def]
    made = f"生成 {s.files} 个文件（{s.forms} 张表"
    made += f"，PDF 共 {s.pages} 页）" if s.pdf else "）"
    problems = f"{s.errors} 个错误，{s.warnings} 个提醒" + (f"，{s.accepted} 个已确认保留" if s.accepted else "")
    return (
        f"共 {s.departments} 个部门：{s.succeeded} 个成功，{s.failed} 个有问题；{made}；"
        f"{problems}；用时 {s.seconds:.1f} 秒。"
    )


def _is_terminal() -> bool:
    return sys.stderr.isatty()


class _Progress:
    """A progress bar on a terminal (stderr), nothing extra otherwise: the per-file lines
    are the progress in a log (CI). Lines printed while the bar shows go above it."""

    PHASES = {"plan": "读取", "render": "生成", "pdf": "转 PDF", "check": "检查"}

    def __init__(self, enabled: bool):
        self.bar: Any = None
        self.phase = ""
        self.enabled = enabled

    def advance(self, step) -> None:  # type: ignore[no-untyped-def]
        self.count(step.phase, step.done, step.total)

    def count(self, phase: str, done: int, total: int) -> None:
        """``done`` of ``total`` files through ``phase`` (a batch's step, or check's files)."""
        if not self.enabled:
            return
        if self.bar is None:  # made at the first step, with its phase: no empty bar before it
            import tqdm

            tqdm.tqdm.monitor_interval = 0  # no monitor thread: the workers are forked later
            self.phase = phase
            self.bar = tqdm.tqdm(file=sys.stderr, unit="个", dynamic_ncols=True, leave=False, total=total, desc=self.PHASES.get(phase, phase))
        if phase != self.phase:
            self.phase = phase
            self.bar.reset(total=total)
            self.bar.set_description(self.PHASES.get(phase, phase))
        self.bar.update(done - self.bar.n)

    def echo(self, text: str, err: bool = False) -> None:
        if self.bar is None:
            click.echo(text, err=err)
        else:
            self.bar.write(text, file=sys.stderr if err else sys.stdout)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.enabled = False


CONVERT_TIMEOUT_HELP = "用 LibreOffice 转换一个 .doc / .xls / .wps 最多等几秒，超时就停下、报出这个文件并继续（默认 120）。"


CHECK_HELP = """检查 YAML 文件或填好的 Word / Excel 表：格式、必填项，以及财政局的审核规则。

\b
每个问题一行：文件:行号 键路径：问题和改法。先列错误（E，会被退回），
再列提醒（W，审核人可能会问），最后一行是统计。
退出码：0 没有错误（可以有提醒），1 有错误（或所用表样的模板有错误），2 用法错误。

\b
例子：
  goaldoc check samples/2024/*.yaml
  goaldoc check 2024/taishan.yaml --strict     提醒也算错误
  goaldoc check 2024/taishan.yaml --summary    另列合计、基本/项目支出、重点任务资金、指标数、项目数
  goaldoc check 收到的/*.docx 收到的/*.xlsx     填好的 Word / Excel 表直接检查：问题指到单元格
  goaldoc check 收到的/ --year 2025 --form 表样名 --report 审核汇总.xlsx
                                              财政局审核：每份表一行的汇总表和问题清单，重复、年度或表样不对的都标出
"""


@main.command(help=CHECK_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True, help="提醒（W）也算错误，退出码为 1。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹，优先于自带模板。")
@click.option("--summary", is_flag=True, help="每个文件另列摘要：合计、基本/项目支出、重点任务资金、各一级指标条数、项目。")
@click.option("--report", type=click.Path(dir_okay=True), help="审核汇总表（.xlsx）：每份收到的表一行，另一张表列出每个问题和它所在的单元格。")
@click.option("--year", "round_year", type=click.IntRange(2000, 2100), help="本轮审核的年度：别的年度的表算错误（R002）。")
@click.option("--form", "round_form", help="本轮审核的表样（goaldoc forms 查看，可写中文名）：别的表样算错误（R003）。")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时用几个进程检查（默认：CPU 核数）。")
@click.option("--convert-timeout", type=click.FloatRange(min=0, min_open=True), help=CONVERT_TIMEOUT_HELP)
def check(files, strict, templates, summary, report, round_year, round_form, jobs, convert_timeout) -> None:  # type: ignore[no-untyped-def]
    from . import batch
    from .api import _FILLED_SUFFIXES

    _set_convert_timeout(convert_timeout)
    args = files
    files = expand_inputs(args, (".yaml", ".yml", *_FILLED_SUFFIXES), CHECKED_KINDS)
    if not files:
        click.echo("没有找到要检查的 .yaml 或 Word / Excel 表：请检查文件夹或通配符。", err=True)
        sys.exit(2)
    if report or round_year or round_form:
        _review(args, files, templates, strict, report, round_year, _form_name(round_form, templates), jobs)
        return
    errors = warnings = accepted = broken = 0
    said: set[str] = set()  # a template folder is named once a run (issue 16)
    tasks = [(n, file, templates, summary) for n, file in enumerate(files, start=1)]
    progress = _Progress(len(files) > 1 and _is_terminal())
    checked_files: list[str] = []
    _sigterm_as_interrupt()
    try:
        for checked in batch.each_in_order(batch.check_one, tasks, jobs, batch.dead_worker):
            problems = checked.problems  # a file that cannot be read is its problem: the others go on
            _print_problems(problems, err=False, echo=progress.echo)
            broken += _say_once(said, checked.notes, checked.template_problems, progress.echo)
            for line in checked.summary or []:
                progress.echo(line)
            errors += sum(p.is_error for p in problems)
            warnings += sum(p.severity == "W" and not p.accepted for p in problems)
            accepted += sum(bool(p.accepted) for p in problems)
            checked_files.append(checked.file)
            progress.count("check", len(checked_files), len(files))
    except KeyboardInterrupt as exc:  # what was checked is said; the files not reached are named
        _ignore_interrupts()
        progress.close()
        click.echo(_interrupted_check(files, checked_files, errors, warnings) + "。", err=True)
        sys.exit(143 if isinstance(exc, _Terminated) else 130)
    progress.close()
    kept = f"，{accepted} 个已确认保留" if accepted else ""
    click.echo(f"检查了 {len(files)} 个文件：{errors} 个错误，{warnings} 个提醒{kept}{_templates_broken(broken)}。")
    sys.exit(1 if errors or broken or (strict and warnings) else 0)


CHECKED_KINDS = " .yaml 或 Word / Excel 表（.docx、.xlsx 等）"


def _interrupted_check(files: list[str], checked: list[str], errors: int, warnings: int) -> str:
    """Ctrl-C in a check: how far it got, and the files it did not reach, by name."""
    seen = set(checked)
    rest = [f for f in files if f not in seen]
    shown = "、".join(rest[:5]) + (f" 等 {len(rest)} 个" if len(rest) > 5 else "")
    listed = "，都已列在上面" if errors or warnings else ""
    return f"已中断：检查了 {len(checked)} 个文件（{errors} 个错误，{warnings} 个提醒{listed}）" + (f"；没有检查：{shown}" if rest else "")


def _review(
    args: tuple[str, ...], files: list[str], templates: str | None, strict: bool, report: str | None, year: int | None, form: str | None, jobs: int | None
) -> None:
    """check --report / --year / --form: the round across the received files (review.py)."""
    from .api import _FILLED_SUFFIXES
    from .inputs import expand
    from .output import write_all
    from .review import report_path, review, summary_lines, write_report

    target = report_path(report) if report else None
    if target is not None and target.exists():  # last run's report in the folder checked
        files = [f for f in files if not Path(f).exists() or not Path(f).samefile(target)]
    progress = _Progress(len(files) > 1 and _is_terminal())
    done: list[Any] = []

    def each(r: Any) -> None:
        done.append(r)
        progress.count("check", len(done), len(files))

    _sigterm_as_interrupt()
    try:
        received = review(files, templates, year, form, jobs, each)
    except KeyboardInterrupt as exc:
        _ignore_interrupts()
        progress.close()
        for r in done:  # what each file checked holds (the round's comparisons were not made)
            _print_problems(r.problems, err=False)
        said = _interrupted_check(files, [r.file for r in done], sum(r.errors for r in done), sum(r.warnings for r in done))
        click.echo(said + ("；审核汇总表没有写出" if target is not None else "") + "。", err=True)
        sys.exit(143 if isinstance(exc, _Terminated) else 130)
    progress.close()
    for r in received:
        _print_problems(r.problems, err=False)
    broken = _said_of_templates(received, templates)
    for line in summary_lines(received):
        click.echo(line)
    errors = sum(r.errors for r in received)
    warnings = sum(r.warnings for r in received)
    if target is not None:
        from .errors import GoaldocError

        try:
            left_out = expand(args, (".yaml", ".yml", *_FILLED_SUFFIXES)).left_out(CHECKED_KINDS)
            write_all({target: write_report(received, year, form, left_out)})
        except GoaldocError as exc:
            _print_problems(exc.problems)
            click.echo(f"审核汇总表没有写出：{target}", err=True)
            sys.exit(1)
        click.echo(f"已写出审核汇总表 {target}（“汇总”每份表一行，“问题”每个问题一行，注明所在的单元格）")
    click.echo(f"检查了 {len(files)} 个文件：{errors} 个错误，{warnings} 个提醒{_templates_broken(broken)}。")
    sys.exit(1 if errors or broken or (strict and warnings) else 0)


def _said_of_templates(received: list[Any], templates: str | None) -> int:
    """What plain ``check`` says of the forms the received files were read with: which
    template folder (when not goaldoc's own) and the mistakes of its templates, once each;
    how many mistakes. ``check --report`` said neither: a broken template went unsaid."""
    said: set[str] = set()
    return sum(_say_once(said, r.template_notes, r.template_problems, click.echo) for r in received)


def _say_once(said: set[str], notes: list[str], mistakes: list[Any], echo: Any) -> int:
    """Which template folder a file was read with, and its templates' mistakes (issue 16):
    each said once a run (``said``); how many mistakes were new."""
    new = 0
    for line, mistake in [*((n, False) for n in notes), *((m.format(), True) for m in mistakes)]:
        if line not in said:
            said.add(line)
            echo(line)
            new += mistake
    return new


def _templates_broken(broken: int) -> str:
    return f"；表样的模板有 {broken} 处错误（见上面，请维护表样的同事改好，改好之前不能生成）" if broken else ""


IMPORT_HELP = """把填好的表（Word .docx / Excel .xlsx）读回成 YAML 文件：去年的表做今年的起点，或把收到的表变成数据。

\b
例子：
  goaldoc import 2024/某局批复表.docx -o 2025/mouju.yaml --year 2025
  goaldoc import 2023/某区.xlsx --form 表样名               （不写 -o：放在原文件旁边，改后缀为 .yaml）
  goaldoc import 收到的/*.docx -o 待查/                      一次导入多个，放进 待查/
  goaldoc import 2024/x.docx --year 2025 --clear-amounts     新年度：改年份、清空金额

\b
不写 --form 时按表题和表头的文字认出是哪个表样，并说明认的是哪个。按标签和表头读，不按固定位置：
手工做的表（标签里多了空格、合并方式不同、表格被分页拆开）也能读。放不进任何栏目的文字
原样写在 YAML 末尾的注释里，并注明在哪一格；检查发现的问题（常是原表本来的错）也列在末尾，
可移到 accepted: 下。.doc / .xls / .wps 装了 LibreOffice 时先自动转换。
已有的 YAML 文件不会被覆盖（要覆盖请加 --overwrite）。
"""


@main.command(name="import", help=IMPORT_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--out", "out", type=click.Path(), help="输出的 YAML 文件，或文件夹（导入多个时）；默认放在原文件旁边。")
@click.option("--form", help="按哪个表样读（goaldoc forms 查看）；不写时自动认。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹，优先于自带模板。")
@click.option("--year", type=click.IntRange(2000, 2100), help="把年度改成这一年（数据和表题里的年份一起改）。")
@click.option("--clear-amounts", "clear", is_flag=True, help="清空所有金额（新年度的预算还没定时）。")
@click.option("--overwrite", is_flag=True, help="输出文件已存在时覆盖它。")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="同时用几个进程读（默认：CPU 核数）。")
@click.option("--convert-timeout", type=click.FloatRange(min=0, min_open=True), help=CONVERT_TIMEOUT_HELP)
def import_(files, out, form, templates, year, clear, overwrite, jobs, convert_timeout) -> None:  # type: ignore[no-untyped-def]
    import contextlib

    from .errors import GoaldocError
    from .importer import FILLED_SUFFIXES
    from .locks import writing_into

    _set_convert_timeout(convert_timeout)
    files = expand_inputs(files, FILLED_SUFFIXES, " Word / Excel 表（.docx、.xlsx 等）")
    if not files:
        click.echo("没有找到要导入的 Word / Excel 表（.docx、.xlsx 等）：请检查文件夹或通配符。", err=True)
        sys.exit(2)
    total = len(files)
    if out and total > 1 and Path(out).suffix.lower() in (".yaml", ".yml"):
        click.echo(f"一次导入 {total} 个文件时，-o 应为文件夹（现为 {out}）", err=True)
        sys.exit(2)
    written: list[str] = []
    attempt: list[tuple[str, Path, tuple[int, int] | None]] = []
    try:
        with writing_into(out) if out else contextlib.nullcontext():  # a second import into -o is refused
            failed = _import_all(files, out, form, templates, year, clear, overwrite, jobs, written, attempt)
    except GoaldocError as exc:
        _print_problems(exc.problems)
        click.echo("没有导入任何文件。", err=True)
        sys.exit(1)
    except KeyboardInterrupt:  # what was written is whole; say what is missing
        from .batch import stamp

        # Ctrl-C while a YAML was being written: it is on disk whole (replaced) or not at all
        written += [file for file, target, before in attempt if stamp(target) not in (None, before)]
        rest = [f for f in files if f not in written]
        shown = "、".join(rest[:5]) + (f" 等 {len(rest)} 个" if len(rest) > 5 else "")
        click.echo(f"已中断：导入了 {len(written)} 个文件（每个 YAML 都是完整的）" + (f"；没有导入：{shown}" if rest else "") + "。", err=True)
        sys.exit(130)
    if total > 1:
        click.echo(f"共 {total} 个文件：{total - failed} 个已导入，{failed} 个没有导入。")
    sys.exit(1 if failed else 0)


def _import_all(files, out, form, templates, year, clear, overwrite, jobs, written, attempt) -> int:  # type: ignore[no-untyped-def]
    """Import each file (in worker processes), write and report it in order (``written`` gets
    each file imported as soon as its YAML is on disk; ``attempt``, while one is being
    written: the file, its YAML and how that was before); the number not imported."""
    import contextlib
    from collections import Counter

    from . import batch
    from .errors import GoaldocError
    from .locks import writing_into
    from .output import write_all

    total = len(files)
    failed = 0
    tasks = []
    # a.docx and a.xlsx of one run (a department sends both): a.docx.yaml and a.xlsx.yaml,
    # not one a.yaml and the other refused as already there
    stems = Counter((Path(f).parent if out is None else None, Path(f).stem) for f in files)
    twins = {k for k, n in stems.items() if n > 1}
    for n, file in enumerate(files, start=1):
        target = _import_target(file, out, total > 1, twins)
        if target.exists() and not overwrite:
            failed += 1
            click.echo(f"{_prefix(n, total)}{target} 已存在，没有覆盖：请换一个文件名（-o），或加 --overwrite。", err=True)
            continue
        tasks.append((n, file, target, form, templates, year, clear))
    for got in batch.each_in_order(batch.import_one, tasks, jobs, batch.dead_worker):
        prefix, file, target = _prefix(got.index, total), got.file, got.target
        try:
            if got.text is None:  # a file that cannot be read is named; the others go on
                raise GoaldocError(got.problems)
            # one import at a time writes this file (with -o, the whole run holds -o's lock)
            with writing_into(target) if out is None else contextlib.nullcontext():
                if target.exists() and not overwrite:  # it came while this one was read
                    failed += 1
                    click.echo(f"{prefix}{target} 已存在，没有覆盖：请换一个文件名（-o），或加 --overwrite。", err=True)
                    continue
                attempt[:] = [(file, target, batch.stamp(target))]
                write_all({target: got.text.encode("utf-8")})  # read-only, full: said, not a traceback
                written.append(file)
                attempt.clear()
        except GoaldocError as exc:
            failed += 1
            _print_problems(exc.problems)
            click.echo(f"{prefix}{file}：没有导入。", err=True)
            continue
        for message in got.messages:
            click.echo(f"{prefix}{file}：{message}")
        left = f"；{got.leftovers} 处文字放不进栏目，原样写在文件末尾（注明了在哪一格）" if got.leftovers else ""
        click.echo(f"{prefix}已导入 {target}{_counts(got.data)}{left}")
        problems = got.checked  # what `goaldoc check` of the written file lists
        if problems:
            click.echo(f"{prefix}检查发现 {len(problems)} 个问题（原表本来如此的，文件末尾已备好 accepted: 的写法）：")
            _print_problems(problems, err=False)
    return failed


def _set_convert_timeout(seconds: float | None) -> None:
    if seconds:
        from .importer import files

        files.CONVERT_TIMEOUT = seconds


def _prefix(n: int, total: int) -> str:
    return f"[{n}/{total}] " if total > 1 else ""


def _import_target(file: str, out: str | None, many: bool, twins: set[tuple[Path | None, str]] | None = None) -> Path:
    src = Path(file)
    twin = (src.parent if out is None else None, src.stem) in (twins or set())
    name = src.name + ".yaml" if twin else src.stem + ".yaml"  # 某表.docx.yaml beside 某表.xlsx.yaml
    if out is None:
        return src.parent / name
    o = Path(out)
    if not many and o.suffix.lower() in (".yaml", ".yml"):
        return o
    return o / name


def _counts(data: dict) -> str:  # type: ignore[type-arg]
    projects = list(data.get("projects", [])) + [p for u in data.get("units", []) for p in u.get("projects", [])]
    parts = []
    if data.get("indicators"):
        parts.append(f"部门整体指标 {len(data['indicators'])} 条")
    if projects:
        parts.append(f"项目 {len(projects)} 个（指标 {sum(len(p.get('indicators', [])) for p in projects)} 条）")
    tasks = len(data.get("key_tasks", [])) + len(data.get("other_tasks", []))
    if tasks:
        parts.append(f"任务 {tasks} 项")
    return "（" + "、".join(parts) + "）" if parts else ""


SCHEMA_HELP = """输出某个表样的 YAML 文件的 JSON Schema（含这个表样特有的栏目），供编辑器自动补全和标出错误的键。

\b
例子：
  goaldoc schema > goaldoc.schema.json
  goaldoc schema --form 表样名 > 表样名.schema.json
"""


@main.command(help=SCHEMA_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.option("--form", help="表样（goaldoc forms 查看；默认为 templates/national.yaml 的 default_form）。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹。")
def schema(form, templates) -> None:  # type: ignore[no-untyped-def]
    import json

    from .errors import GoaldocError
    from .forms import load_form

    try:
        spec = load_form(form, templates)
    except GoaldocError as exc:
        _print_problems(exc.problems)
        sys.exit(1)
    click.echo(json.dumps(spec.model.model_json_schema(), ensure_ascii=False, indent=2))


INIT_HELP = """新建一个部门的填报文件，从这里开始填：x.xlsx 是在 Excel / WPS 里填的空白表，x.yaml 是带中文说明的 YAML。

\b
年度取自 --year，否则取自路径（2025/nongye.yaml → 2025），再否则是明年；新建后会说写的是哪一年。
--from 用去年的文件做今年的：年度和表题里的年份改为今年，填报日期清空，注释原样保留；
金额照旧（goaldoc check 逐个提醒“上年数字，请核对”，见文件末尾 carried:），或用 --clear-amounts 清空。
已有的文件不会被覆盖。

\b
例子：
  goaldoc init 2025/农业农村局.xlsx --form 表样名    空白表：填好后 goaldoc check / render 这个 .xlsx
  goaldoc init 2026/农业农村局.xlsx --from 2025/农业农村局.xlsx
  goaldoc init 2025/nongye.yaml
  goaldoc init 2025/x.yaml --form 表样名    （goaldoc forms 查看表样名，可写中文名）
  goaldoc init 2025/taishan.yaml --from 2024/taishan.yaml
  goaldoc init 2025/taishan.yaml --from 2024/taishan.yaml --clear-amounts
  goaldoc init 2025/x.yaml --form 新表样 --templates 我的模板/   （还没放进 templates/ 的表样文件夹）
"""


@main.command(help=INIT_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--form", help="表样（goaldoc forms 查看；默认为 templates/national.yaml 的 default_form，--from 时沿用上年的）。")
@click.option("--year", type=click.IntRange(2000, 2100), help="预算年度（默认：路径里的年份，否则明年）。")
@click.option("--from", "source", type=click.Path(dir_okay=False), help="上年的文件：照它做今年的。")
@click.option("--clear-amounts", is_flag=True, help="与 --from 一起用：金额清空，不带上年的数。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹，优先于自带模板。")
@click.option("--projects", type=click.IntRange(1, 200), default=1, help="新建 .xlsx 空白表时：项目表留几个（印项目表的表样）。")
@click.option(
    "--stage",
    type=click.Choice(["监控", "自评"]),
    help="新建这一年的监控或自评文件：--from 写已批复的目标表，指标按名称列出、不再重打，待填的都空着。",
)
def init(path, form, year, source, clear_amounts, templates, projects, stage) -> None:  # type: ignore[no-untyped-def]
    import datetime

    from .blank import init_target
    from .nextyear import year_from_path

    target, kind, said = init_target(path)
    if kind is None:
        click.echo(said, err=True)
        sys.exit(2)
    if said:
        click.echo(said)
    if target.exists():
        click.echo(f"{target} 已存在，没有覆盖：请换一个文件名，或直接编辑它。", err=True)
        sys.exit(1)
    form = _form_name(form, templates)
    if stage or form is not None:
        _init_stage(target, stage, source, form, year, clear_amounts, templates, kind)
    if clear_amounts and not source:
        click.echo("--clear-amounts 要和 --from 一起用（新建的文件金额本来就是 0）。", err=True)
        sys.exit(2)
    in_path = year_from_path(target)
    if year is not None:
        why = "按 --year" + (f"；注意路径里写的是 {in_path}" if in_path and in_path != year else "")
    elif in_path is not None:
        year, why = in_path, "年份取自路径"
    elif source:
        why = "上年文件的年度加 1；要别的年份请加 --year"
    else:
        year, why = datetime.date.today().year + 1, "路径里没有年份，按明年；要别的年份请加 --year"
    if kind == "xlsx" or (source and Path(source).suffix.lower() not in (".yaml", ".yml")):
        _init_workbook(target, kind, form, year, why, source, clear_amounts, projects, templates)
        return
    if source:
        _refuse_stage_source(source)  # next year starts from this year's targets (issue 19)
        _init_from(target, source, year, why, form, clear_amounts, templates)
        return
    from .errors import GoaldocError
    from .forms import load_form
    from .starter import starter_text

    try:
        spec = load_form(form, templates)
    except GoaldocError as exc:
        _print_problems(exc.problems)
        sys.exit(1)
    text = starter_text(spec, year, target.as_posix())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    from .api import template_notes

    for note in template_notes(spec, target):  # issue 16: which template folder it fits
        click.echo(note)
    click.echo(f"已新建 {target}（{year} 年度，{why}）：填好后运行 goaldoc check {target.as_posix()}")


def _init_workbook(
    target: Path, kind: str, form: str | None, year: int | None, why: str, source: str | None, clear: bool, projects: int = 1, templates: str | None = None
) -> None:
    """init x.xlsx: the form's blank workbook to fill in Excel; --from: last year's filled
    in (a .yaml, .xlsx or .docx); init x.yaml --from last.xlsx: last year's form as YAML."""
    from . import blank
    from .errors import GoaldocError
    from .output import write_all

    try:
        made = blank.make(target, kind, form, year, source, clear, projects, templates)
    except GoaldocError as exc:
        _print_problems(exc.problems)
        what = f"上年的文件 {source} 读不出来" if source else "表样有误"
        click.echo(f"{what}，没有新建 {target}。", err=True)
        sys.exit(1)
    write_all({target: made.data})
    click.echo(f"已新建 {target}（{made.year} 年度，{why}）：{made.summary}")
    for line in made.notes:
        click.echo(f"  {line}")
    click.echo(made.next_step)


def _form_name(form: str | None, templates: str | None = None) -> str | None:
    """A form named in Chinese (--form 某省) → its folder name; unknown names exit 2."""
    if form is None:
        return None
    from .forms import resolve_form_name

    name, problem = resolve_form_name(form, templates)
    if problem is not None or name is None:
        click.echo(problem.message if problem else form, err=True)
        sys.exit(2)
    return name


def _init_from(
    target: Path, source: str, year: int | None, why: str, form: str | None, clear_amounts: bool, templates: str | None = None
) -> None:
    from .errors import InputError
    from .nextyear import next_year

    try:
        made = next_year(source, year, clear_amounts, form, templates)
    except InputError as exc:
        _print_problems(exc.problems)
        click.echo(f"上年的文件 {source} 有 {len(exc.problems)} 处问题，没有新建 {target}：请先改好（goaldoc check {source}）。", err=True)
        sys.exit(1)
    if made.year == made.from_year:
        click.echo(f"新文件的年度和上年的文件一样（{made.year}）：请用 --year 指定今年的年度。", err=True)
        sys.exit(2)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(made.text, encoding="utf-8")
    moved = f"年度和 {len(made.titles)} 个表题里的年份改为 {made.year}" if made.titles else f"年度改为 {made.year}"
    dated = "，填报日期已清空" if "signature.date" in made.cleared else ""
    click.echo(f"已从 {source} 新建 {target}（{made.year} 年度，{why}）：{moved}{dated}。")
    amounts = len(made.cleared) - ("signature.date" in made.cleared)
    if clear_amounts:
        click.echo(f"  {amounts} 个金额已清空，请填写今年的数。")
    if made.carried:
        click.echo(f"  {len(made.carried)} 个数字是上年的（列在文件末尾 carried:）：goaldoc check 会逐个提醒“上年数字，请核对”。")
    if made.mentions:
        shown = "；".join(f"第 {line} 行 {p}" for p, line in made.mentions[:5])
        more = f" 等 {len(made.mentions)} 处" if len(made.mentions) > 5 else ""
        click.echo(f"  这些文字里还写着 {made.from_year}，请核对：{shown}{more}。")
    click.echo(f"改好后运行 goaldoc check {target.as_posix()}")


def _init_stage(
    target: Path, stage: str | None, source: str | None, form: str | None, year: int | None, clear: bool,
    templates: str | None = None, kind: str = "yaml",
) -> None:
    """``goaldoc init X --stage 监控|自评 --from 目标表.yaml`` (issue 19); returns when the
    form is a target form and no --stage was given (the ordinary starter)."""
    from .errors import GoaldocError
    from .forms import load_form, national

    try:
        spec = load_form(form, templates) if form else None
    except GoaldocError as exc:
        _print_problems(exc.problems)
        sys.exit(1)
    if stage is None:
        if spec is None or spec.stage == "目标":
            return
        stage = spec.stage
    if kind != "yaml":  # a stage file is YAML; no blank workbook of it (yet)
        click.echo(f"{stage}文件是 .yaml 文件：请写成 {target.with_suffix('.yaml').as_posix()}", err=True)
        sys.exit(2)
    if year is not None or clear:
        click.echo("--stage 的年度取自目标表，不用 --year；金额不从目标表带（--clear-amounts 不用写）。", err=True)
        sys.exit(2)
    if not source:
        click.echo(
            f"{stage}文件接着已批复的目标表写：请用 --from 指定目标表的数据文件，如 goaldoc init {target.as_posix()} --stage {stage} --from 2024/x.yaml",
            err=True,
        )
        sys.exit(2)
    from .api import load
    from .stage.starter import stage_starter

    try:
        targets = load(source)
    except GoaldocError as exc:
        _print_problems(exc.problems)
        click.echo(f"目标表 {source} 有 {len(exc.problems)} 处问题，没有新建 {target}：请先改好（goaldoc check {source}）。", err=True)
        sys.exit(1)
    if (other := getattr(targets.model, "stage", None)):
        click.echo(f"{source} 是{other}文件，不是目标表：--from 写已批复的绩效目标表的数据文件。", err=True)
        sys.exit(2)
    if spec is None:
        own = targets.form.stages if targets.form is not None else {}
        chosen = own.get(stage) or national().default_stages.get(stage)  # type: ignore[call-overload]
        if not chosen:
            click.echo(f"不知道{stage}表用哪个表样：请加 --form（goaldoc forms 查看）。", err=True)
            sys.exit(2)
        try:
            spec = load_form(chosen, templates)
        except GoaldocError as exc:
            _print_problems(exc.problems)
            sys.exit(1)
    if spec.stage != stage:
        click.echo(f"表样“{spec.name}”印的是{spec.stage}表，不是{stage}表：请换一个表样（goaldoc forms 查看）。", err=True)
        sys.exit(2)
    made = stage_starter(spec, targets, source, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(made.text, encoding="utf-8")
    what = f"{made.projects} 个项目、" if made.projects else ""
    click.echo(f"已新建 {target}（{made.year} 年度{stage}，表样 {spec.name}：{spec.title}，接着目标表 {source}）：列出了 {what}{made.indicators} 条指标，待填的都空着。")
    click.echo(f"填好后运行 goaldoc check {target.as_posix()}（没填的会逐条列出），再 goaldoc render {target.as_posix()}")
    sys.exit(0)


def _refuse_stage_source(source: str) -> None:
    """``init --from`` a 监控 / 自评 file: next year's targets come from this year's targets."""
    from .loader import load_file

    try:
        data, _lines = load_file(source)
    except Exception:  # noqa: BLE001 - _init_from reports what is wrong with the file
        return
    if isinstance(data, dict) and data.get("stage") in ("监控", "自评"):
        hint = f"（它的目标表是 {data['targets']}）" if isinstance(data.get("targets"), str) else ""
        click.echo(f"{source} 是{data['stage']}文件：明年的文件从今年的目标表开始{hint}：goaldoc init 明年/x.yaml --from 今年的目标表.yaml", err=True)
        sys.exit(2)


FORMS_HELP = """列出可用的表样（templates/ 下的文件夹）：名字、表样名称、印哪些表、项目表的样式、所在文件夹。
模板里 {{ }}、{% %} 写错的地方在它下面逐条列出（错误 T001 Word、T003 Excel、T012 form.yaml，每处一条，
指到格子），有错误时退出码为 1：改过模板后先运行一次 goaldoc forms 检查。
模板比纸宽时（Excel 各列合计宽过可印宽度，Word 表格宽过正文宽度）在它下面提醒（T065 / T066）。

\b
例子：
  goaldoc forms
  goaldoc forms --templates 我的模板/
"""


@main.command(name="forms", help=FORMS_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹。")
def list_forms(templates) -> None:  # type: ignore[no-untyped-def]
    from .errors import GoaldocError
    from .forms import available_forms, load_form

    broken = 0
    for name in available_forms(templates):
        try:
            spec = load_form(name, templates)
        except GoaldocError as exc:
            broken += 1
            click.echo(f"{name}\t（表样有误，暂不能用）")
            _print_problems(exc.problems)
            continue
        prints = "、".join({"department": "部门整体表", "projects": "每个项目一张项目表"}[p] for p in spec.prints)
        if spec.stage != "目标":  # a later stage's form (issue 19)
            prints = f"{spec.stage}表：{prints}"
        variants = "；项目表样式：" + "、".join(f"{k}（{v}）" for k, v in spec.variants.items()) if spec.variants else ""
        also = f"（--form 也可写 {'、'.join(spec.names)}）" if spec.names else ""
        click.echo(f"{name}\t{spec.title}{also}\t{prints}{variants}\t{spec.folder}")
        from .forms.syntax import template_problems
        from .forms.widths import width_notes

        mistakes = template_problems(spec)  # every mistake of its templates' Jinja, at its place
        if mistakes:
            broken += 1
            _print_problems(mistakes)
        _print_problems(width_notes(spec), err=False)  # 提醒 T065 / T066: wider than the page (issue 22)
    if broken:
        click.echo(f"有 {broken} 个表样有误（见上面的错误）：改好之前用它生成会失败；改好后再运行 goaldoc forms 检查。", err=True)
    sys.exit(1 if broken else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
