"""The finance bureau's desk: `goaldoc check 收到的/ --report 审核汇总.xlsx` (issue 21 item 3).

A reviewer receives a form from each department (Word / Excel, or YAML) and wants one table
across them: who sent what, for which year and form, the money and the indicators, how many
errors and 提醒, and what to send back. :func:`review` checks every file as ``goaldoc check``
does and adds what only a round of many files shows:

* R001 (提醒) the same department and year sent twice (both files named);
* R002 (错误) a year other than the round's (``--year``); without it, R004 (提醒) a year
  other than most files';
* R003 (错误) a form other than the round's (``--form``); without it, R005 (提醒) a form
  other than most files';
* a file that cannot be read is a row of its own (状态 读不出), never dropped.

:func:`write_report` makes the workbook: sheet 汇总, one row per file; sheet 问题, every
problem at its file and cell; the terminal gets the same rows from :func:`summary_lines`.
Messages about a received file speak of its cells (“部门整体!B7”, “第 2 个表格 第 7 行 第 3
列”), and each problem's key path is also said in words (部门整体绩效指标 第 4 条 二级指标).
"""

from __future__ import annotations

import typing
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .errors import GoaldocError, Problem
from .loading import Loaded
from .summary import Summary, summarize

REVIEW_CODES: dict[str, str] = {
    "R001": "同一部门、同一年度只交一份（收到两份的，两份都列出）",
    "R002": "年度是本轮审核的年度（--year）",
    "R003": "表样是本轮审核的表样（--form）",
    "R004": "年度与多数文件相同（没写 --year 时）",
    "R005": "表样与多数文件相同（没写 --form 时）",
}

TAGS = {"R001": "重复", "R002": "年度不对", "R003": "表样不对", "R004": "年度与多数不同", "R005": "表样与多数不同"}
KIND_COLUMNS = {"output": "产出", "benefit": "效益", "satisfaction": "满意度", "cost": "成本"}
STATUS = {"read": "读不出", "errors": "退回修改", "warnings": "有提醒", "clean": "没有问题"}


@dataclass
class Received:
    """One received file, checked."""

    file: str
    problems: list[Problem]
    data: dict[str, Any] = field(default_factory=dict)  # what could be read, for name and year
    form: str = ""  # the form it was read as (its form: / recognised layout)
    form_title: str = ""
    summary: Summary | None = None
    kinds: dict[str, int] = field(default_factory=dict)  # indicators per 一级 kind (all tables)
    unreadable: bool = False
    index: int = 0  # its place among the files (1-based), for the workers' results in order
    content: Any = None  # what it says (the model as data), to compare a .docx with its .xlsx
    words: dict[tuple[str | int, ...], str] = field(default_factory=dict)  # each problem's key path in words
    template_notes: list[str] = field(default_factory=list)  # which template folder (not goaldoc's own)
    template_problems: list[Problem] = field(default_factory=list)  # its form's templates' mistakes

    @property
    def department(self) -> str:
        dept = self.data.get("department")
        name = dept.get("name") if isinstance(dept, dict) else None
        return str(name) if name else ""

    @property
    def year(self) -> int | None:
        y = self.data.get("year")
        return y if isinstance(y, int) and not isinstance(y, bool) else None

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "W" and not p.accepted for p in self.problems)

    @property
    def status(self) -> str:
        if self.unreadable:
            return STATUS["read"]
        if self.errors:
            return STATUS["errors"]
        return STATUS["warnings"] if self.warnings else STATUS["clean"]

    @property
    def notes(self) -> str:
        """The round's own findings (R0xx), or why the file cannot be read: the 说明 column."""
        if self.unreadable:
            return "；".join(p.message for p in self.problems if p.is_error)
        return "；".join(p.message for p in self.problems if p.code.startswith("R"))

    @property
    def tags(self) -> str:
        """The round's findings in a word each, for the terminal line."""
        return "、".join(dict.fromkeys(TAGS[p.code] for p in self.problems if p.code in TAGS))


def review(
    files: list[str],
    templates: str | Path | None = None,
    year: int | None = None,
    form: str | None = None,
    jobs: int | None = None,
    each: typing.Callable[[Received], None] | None = None,
) -> list[Received]:
    """Check each file as ``goaldoc check`` does, in ``jobs`` worker processes (default: one
    per core), then compare them (module doc). ``each``: told of every file checked, in order
    (the CLI's progress)."""
    from . import batch

    received: list[Received] = []
    tasks = [(n, file, templates) for n, file in enumerate(files, start=1)]
    for r in batch.each_in_order(review_one, tasks, jobs, dead_reviewer):
        received.append(r)
        if each is not None:
            each(r)
    _round(received, year, form, templates)
    return received


def review_one(index: int, file: str, templates: str | Path | None = None) -> Received:
    """One file of the round, in a worker (batch.each_in_order); never raises: an unexpected
    error is the file's problem (E049), and the others go on."""
    from .batch import pause_collector, tidy, unexpected

    pause_collector()
    try:
        return received_one(index, file, templates)
    except Exception as exc:  # noqa: BLE001 - the error boundary of one received file
        return Received(file, [unexpected(file, exc)], unreadable=True, index=index)
    finally:
        tidy()


def dead_reviewer(args: tuple[Any, ...], exc: BaseException) -> Received:
    """The round's result for a file whose worker died (killed, out of memory)."""
    from .batch import worker_died

    index, file = args[:2]
    return Received(file, [worker_died(file, exc)], unreadable=True, index=index)


def received_one(index: int, file: str, templates: str | Path | None = None) -> Received:
    """One received file checked, with all the round needs of it (its model is not kept: the
    result comes back from a worker process)."""
    from .api import read_input
    from .loading import diagnose_data

    try:
        data, lines, notes = read_input(file, templates)
    except GoaldocError as exc:
        return Received(file, list(exc.problems), unreadable=True, index=index)
    try:
        loaded, problems = diagnose_data(data, lines, file, templates)
    except GoaldocError as exc:  # the form folder itself is broken (the admin's to fix)
        return Received(file, list(exc.problems), data=data if isinstance(data, dict) else {}, unreadable=True, index=index)
    r = Received(file, problems + notes, data if isinstance(data, dict) else {}, index=index)
    if loaded is not None and loaded.form is not None:
        from .api import template_notes
        from .forms.syntax import template_problems

        r.form, r.form_title = loaded.form.name, loaded.form.title
        r.summary = summarize(loaded.model)
        r.kinds = _kinds(loaded)
        r.template_notes = template_notes(loaded.form, file, templates)
        r.template_problems = template_problems(loaded.form, quick=True)
    elif isinstance(r.data.get("form"), str):
        r.form = r.data["form"]
    if loaded is not None:
        r.content = loaded.model.model_dump(exclude={"accepted", "carried"})
        model = type(loaded.model)
        r.words = {tuple(p.path): path_in_words(tuple(p.path), model) for p in r.problems if p.path}
    return r


def _kinds(loaded: Loaded) -> dict[str, int]:
    """Indicators of every table of the file per 一级 kind (产出, 效益, 满意度, 成本, 其他)."""
    assert loaded.form is not None
    voc = loaded.form.vocabulary
    model = loaded.model
    indicators = list(model.indicators) + [i for p in (*model.projects, *(p for u in model.units for p in u.projects)) for i in p.indicators]
    out: Counter[str] = Counter()
    for ind in indicators:
        node = voc.node1(ind.level1)
        out[KIND_COLUMNS.get(node.kind or "", "其他") if node is not None else "其他"] += 1
    return {k: out[k] for k in (*KIND_COLUMNS.values(), "其他") if out[k]}


def _round(received: list[Received], year: int | None, form: str | None, templates: str | Path | None) -> None:
    """Add what only the round shows: duplicates, wrong year, wrong form (R001–R005)."""
    readable = [r for r in received if not r.unreadable]
    same: dict[tuple[str, int | None], list[Received]] = {}
    for r in readable:
        if r.department:
            same.setdefault((r.department, r.year), []).append(r)
    for (dept, y), group in same.items():
        if len(group) < 2:
            continue
        for r in group:
            twins = [o for o in group if o is not r and _twin(o, r)]
            others = "、".join(o.file for o in group if o is not r and o not in twins)
            if others:
                r.problems.append(_problem(r, f"{dept} {y} 年度的表收到了不止一份：另一份是 {others}：请和部门确认以哪一份为准", "R001", "W"))
            for o in twins:  # the same form sent as .docx and .xlsx (goaldoc render writes both)
                agree = "两份内容一样" if _content(o) == _content(r) else "两份内容不一样：请核对以哪一份为准"
                r.problems.append(_problem(r, f"{dept} {y} 年度的表另有一份 {Path(o.file).suffix} 格式的 {o.file}（{agree}）", "R001", "W"))
    if year is not None:
        for r in readable:
            if r.year is not None and r.year != year:
                r.problems.append(_problem(r, f"这是 {r.year} 年度的表，本轮审核的是 {year} 年度：请退回，让部门交 {year} 年度的表", "R002", "E"))
    else:
        _majority(readable, lambda r: r.year, "年度", "R004")
    if form is not None:
        from .forms import load_form

        want = load_form(form, templates)
        for r in readable:
            if r.form and r.form != want.name:
                r.problems.append(_problem(r, f"这份表是表样 {r.form}（{r.form_title or r.form}）的格式，本轮用的是 {want.name}（{want.title}）：请退回，让部门用本地的表样填", "R003", "E"))
    else:
        _majority(readable, lambda r: r.form or None, "表样", "R005")


def _twin(a: Received, b: Received) -> bool:
    """The same file name in the same folder, one .docx and one .xlsx."""
    pa, pb = Path(a.file), Path(b.file)
    return pa.parent == pb.parent and pa.stem == pb.stem and pa.suffix.lower() != pb.suffix.lower()


def _content(r: Received) -> Any:
    """What a file says, for comparing two formats of one form (the data, not the places)."""
    return r.content if r.content is not None else r.data


def _majority(readable: list[Received], key: typing.Callable[[Received], Any], what: str, code: str) -> None:
    values = Counter(v for r in readable if (v := key(r)) is not None)
    if len(values) < 2:
        return
    (top, n), (_second, m) = values.most_common(2)
    if n == m:
        return  # no majority to compare with
    for r in readable:
        v = key(r)
        if v is not None and v != top:
            r.problems.append(_problem(r, f"{what}是 {v}，收到的 {len(readable)} 份里有 {n} 份是 {top}：请核对是不是交错了（本轮的{what}可用 --{'year' if code == 'R004' else 'form'} 写明）", code, "W"))


def _problem(r: Received, message: str, code: str, severity: str) -> Problem:
    return Problem(message, (), r.file, None, code=code, severity=severity)  # type: ignore[arg-type]


# ---------------------------------------------------------------- words for a key path


def path_in_words(path: tuple[str | int, ...], model: type[BaseModel] | None) -> str:
    """``indicators[3].level2`` → 部门整体绩效指标 第 4 条 二级指标 (the model's Chinese terms)."""
    words: list[str] = []
    tp: Any = model
    for step in path:
        if isinstance(step, int):
            words.append(f"第 {step + 1} 条")
            args = typing.get_args(tp)
            tp = args[0] if args else None
            continue
        fields = getattr(tp, "model_fields", None) if isinstance(tp, type) else None
        if not fields or step not in fields:
            words.append(str(step))
            tp = None
            continue
        f = fields[step]
        words.append(_term(f.description) or step)
        tp = _unwrap(f.annotation)
    return " ".join(words)


def _term(description: str | None) -> str:
    if not description:
        return ""
    return description.split("，")[0].split(" / ")[0].split("（")[0].split("：")[0].strip()


def _unwrap(tp: Any) -> Any:
    """list[X] stays a list (its items are X); X | None is X; Annotated[X, …] is X."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp
        else:
            return tp


# ---------------------------------------------------------------- terminal and workbook

HEADINGS = ["序号", "部门", "年度", "表样", "合计", "基本支出", "项目支出", "金额单位", "产出", "效益", "满意度", "成本", "其他", "指标合计", "项目数", "错误", "提醒", "状态", "说明", "文件"]
PROBLEM_HEADINGS = ["序号", "文件", "部门", "位置", "类别", "代码", "栏目", "问题"]


def row_of(n: int, r: Received) -> list[Any]:
    s = r.summary
    counts = [r.kinds.get(k, 0) for k in ("产出", "效益", "满意度", "成本", "其他")] if s else [None] * 5
    return [
        n, r.department or "（读不出）" if r.unreadable else r.department, r.year, r.form,
        s.total if s else None, s.basic if s else None, s.project if s else None, s.unit if s else None,
        *counts, sum(r.kinds.values()) if s else None, s.projects if s else None,
        r.errors, r.warnings, r.status, r.notes, r.file,
    ]


def summary_lines(received: list[Received]) -> list[str]:
    """The 汇总 sheet on the terminal: a line per file, then the counts per status."""
    out = [f"审核汇总（{len(received)} 份）："]
    for n, r in enumerate(received, start=1):
        s = r.summary
        money = ""
        if s is not None and s.total is not None:
            parts = "、".join(f"{k} {_n(v)}" for k, v in (("基本", s.basic), ("项目", s.project)) if v is not None)
            money = f"合计 {_n(s.total)} {s.unit}" + (f"（{parts}）" if parts else "")
        kinds = "、".join(f"{k} {v}" for k, v in r.kinds.items())
        indicators = f"指标 {sum(r.kinds.values())} 条" + (f"（{kinds}）" if kinds else "") if s is not None else ""
        who = " ".join(str(x) for x in (r.department, r.year, r.form) if x)
        cells = [f"{n:>3}", who or "（读不出）", money, indicators, f"{r.errors} 个错误，{r.warnings} 个提醒", r.status, r.file]
        line = "  ".join(c for c in cells if c)
        if r.tags:
            line += f"（{r.tags}）"
        out.append(line)
    counts = Counter(r.status for r in received)
    out.append("；".join(f"{status} {counts[status]} 份" for status in STATUS.values() if counts[status]) + "。")
    return out


def _n(d: Decimal) -> str:
    return format(d, "f")


def write_report(received: list[Received], round_year: int | None, round_form: str | None, left_out: list[tuple[str, str]] | None = None) -> bytes:
    """The review workbook: 汇总 (a row per file), 问题 (a row per problem, and a row for each
    file without one) and, when the folder held entries not read, 没有读 (each with why)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    asked = "，".join(x for x in (f"本轮年度 {round_year}" if round_year else "", f"本轮表样 {round_form}" if round_form else "") if x)
    ws.append([f"收到的表 {len(received)} 份" + (f"（{asked}）" if asked else "")])
    ws.append(HEADINGS)
    for n, r in enumerate(received, start=1):
        ws.append(row_of(n, r))
    for c in ws[2]:
        c.font, c.fill = head_font, head_fill
    money = [HEADINGS.index(h) + 1 for h in ("合计", "基本支出", "项目支出")]
    for row in ws.iter_rows(min_row=3):
        for col in money:
            row[col - 1].number_format = "0.00####"
        status = row[HEADINGS.index("状态")]
        if status.value in (STATUS["errors"], STATUS["read"]):
            status.font = Font(bold=True, color="C00000")
    widths = {"部门": 28, "表样": 12, "说明": 50, "文件": 40, "状态": 10}
    for i, h in enumerate(HEADINGS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(h, 9)
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(HEADINGS))}{len(received) + 2}"

    wp = wb.create_sheet("问题")
    wp.append(PROBLEM_HEADINGS)
    n = 0
    for r in received:
        for p in sorted(r.problems, key=lambda p: (not p.is_error, p.line or 0)):
            n += 1
            where = p.place or (f"第 {p.line} 行" if p.line else "整个文件")
            words = (r.words.get(tuple(p.path)) or path_in_words(p.path, None)) if p.path else ""
            wp.append([n, r.file, r.department, where, p.kind + ("（已确认保留）" if p.accepted else ""), p.code, words, p.message])
        if not r.problems:
            n += 1
            wp.append([n, r.file, r.department, "", "", "", "", "没有问题"])
    for c in wp[1]:
        c.font, c.fill = head_font, head_fill
    for i, width in enumerate((6, 40, 28, 26, 8, 7, 30, 90), start=1):
        wp.column_dimensions[get_column_letter(i)].width = width
    for row in wp.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    wp.freeze_panes = "B2"
    wp.auto_filter.ref = f"A1:H{max(n, 1) + 1}"
    if left_out:
        wl = wb.create_sheet("没有读")
        wl.append(["文件", "为什么没有读"])
        for path, why in left_out:
            wl.append([path, why])
        for c in wl[1]:
            c.font, c.fill = head_font, head_fill
        wl.column_dimensions["A"].width, wl.column_dimensions["B"].width = 50, 60
    from .render.excel.save import workbook_bytes

    return workbook_bytes(wb)  # wb.save()'s bytes, its sheets written in memory: no temporary file a kill -9 leaves


def report_path(path: str | Path) -> Path:
    """``--report 审核/`` (a folder) → 审核/审核汇总.xlsx; a name without .xlsx gets it."""
    p = Path(path)
    if p.is_dir() or str(path).endswith(("/", "\\")):
        return p / "审核汇总.xlsx"
    return p if p.suffix.lower() == ".xlsx" else p.with_name(p.name + ".xlsx")


__all__ = ["REVIEW_CODES", "Received", "path_in_words", "report_path", "review", "summary_lines", "write_report"]
