"""Text rules (E3xx): years in titles, characters XML cannot hold, names left empty, texts
longer than a cell holds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ..errors import Problem
from ..forms import FormSpec
from ..loader import LineMap
from ..model import DepartmentYear
from ..paths import parse_path, value_at
from .base import Path, _num, _problem, _projects, rule

# characters XML 1.0 cannot hold: Word and Excel files cannot contain them
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Unicode noncharacters reserved for a program's own use: never typed, and goaldoc's merge
# marks (render/template/markup.py), so one in the data could merge cells that are not to be merged
_NONCHARACTER = re.compile("[\ufdd0-\ufdef]")
# Excel holds at most 32,767 characters in a cell (UTF-16 units: an Extension B character or
# an emoji counts 2), and openpyxl cuts longer text without a word. Word's limit is far above
# (libxml2, which Word-compatible readers use, refuses a text node over 10,000,000 bytes), so
# a text that fits Excel fits Word too.
EXCEL_CELL_MAX = 32_767
# lists whose items the shipped Excel templates print in one cell, one item a line
_JOINED_IN_ONE_CELL = ("goals", "detail_goals")
_YEAR_RANGE = re.compile(r"(?<!\d)(20\d\d)\s*(?:年)?\s*[-－—–~～至到]\s*(20\d\d)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def _titles(model: DepartmentYear) -> Iterator[tuple[Path, str]]:
    if model.title:
        yield ("title",), model.title
    if model.cover.title:
        yield ("cover", "title"), model.cover.title
    for path, p, _unit in _projects(model):
        if p.title:
            yield (*path, "title"), p.title


@rule
def title_year_is_budget_year(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E301: a year in a title is the budget year (a title copied from last year's form)."""
    for path, title in _titles(model):
        text = title
        for m in _YEAR_RANGE.finditer(title):
            lo, hi = int(m[1]), int(m[2])
            if not lo <= model.year <= hi:
                yield _problem(
                    lines,
                    path,
                    "E301",
                    f"表题年份 {m[0]} 不含预算年度 {model.year}（year:）：请改表题或 year",
                )
            text = text.replace(m[0], " ")
        for y in dict.fromkeys(int(m[1]) for m in _YEAR.finditer(text)):
            if y != model.year:
                yield _problem(
                    lines,
                    path,
                    "E301",
                    f"表题年份 {y} 与预算年度 {model.year}（year:）不一致：请改表题或 year",
                )


def _strings(obj: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """Every text under ``obj``, with its key path, in the model's order. The whole model's
    (``path`` empty) is walked once per :func:`goaldoc.checks.run_checks` (:func:`walked_once`),
    not once for each of the five rules that read it."""
    if not path and _walked is not None:
        found = next((texts for m, texts in _walked if m is obj), None)
        if found is None:
            found = []
            _collect(obj, path, found)
            _walked.append((obj, found))  # the model kept with its texts: its id is not another's
        return iter(found)
    found = []
    _collect(obj, path, found)
    return iter(found)


def _collect(obj: Any, path: Path, out: list[tuple[Path, str]]) -> None:
    if isinstance(obj, str):
        out.append((path, obj))
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _collect(getattr(obj, name), (*path, name), out)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            _collect(item, (*path, i), out)


_walked: list[tuple[Any, list[tuple[Path, str]]]] | None = None


@contextmanager
def walked_once() -> Iterator[None]:
    """While the rules run over a model (which they do not change): its texts are gathered
    once (issue 23: the five walks were a tenth of the checks' time in a county round)."""
    global _walked
    saved, _walked = _walked, []
    try:
        yield
    finally:
        _walked = saved


@rule
def no_control_characters(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E302: text holds no character that a .docx / .xlsx (XML) cannot store, and no
    noncharacter (goaldoc's own merge marks)."""
    for path, text in _strings(model, ()):
        m = _XML_ILLEGAL.search(text)
        n = None if m else _NONCHARACTER.search(text)
        if n:
            yield _problem(
                lines,
                path,
                "E302",
                f"含有 Unicode 非字符 U+{ord(n[0]):04X}（第 {n.start() + 1} 个字）：它不是文字，"
                "Unicode 留给程序内部使用（goaldoc 用它标记合并单元格）：请删去它",
            )
        if m:
            yield _problem(
                lines,
                path,
                "E302",
                f"含有 Word/Excel 无法保存的控制字符 U+{ord(m[0]):04X}（第 {m.start() + 1} 个字）："
                "请删去它（常见于从网页或 PDF 复制的文字）",
            )


@rule
def names_are_filled(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E303: the department, each unit and each project has a name."""
    if not model.department.name:
        yield _problem(lines, ("department", "name"), "E303", "部门名称空着：请填写部门全称")
    for u, unit in enumerate(model.units):
        if not unit.name:
            yield _problem(lines, ("units", u, "name"), "E303", "单位名称空着：请填写单位全称")
    for path, p, _unit in _projects(model):
        if not p.name:
            yield _problem(lines, (*path, "name"), "E303", "项目名称空着：请填写项目名称")


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@rule
def texts_fit_a_cell(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E304: no text is longer than an Excel cell holds (and so than Word can hold): a
    longer one would be cut, and the form would say less than the clerk wrote."""
    for path, text in _strings(model, ()):
        if len(text) <= EXCEL_CELL_MAX // 2:  # at most two UTF-16 units a character: it fits
            continue
        n = _utf16_length(text)
        if n > EXCEL_CELL_MAX:
            yield _problem(
                lines,
                path,
                "E304",
                f"有 {n:,} 个字符，超过 Excel 一格能存的 {EXCEL_CELL_MAX:,} 个字符，写进表格会被截掉："
                "请删减到这个长度以内",
            )
    for key in _JOINED_IN_ONE_CELL:
        items: list[str] = getattr(model, key)
        each_fits = all(_utf16_length(t) <= EXCEL_CELL_MAX for t in items)
        n = sum(map(_utf16_length, items)) + max(len(items) - 1, 0)
        if each_fits and n > EXCEL_CELL_MAX:
            yield _problem(
                lines,
                (key,),
                "E304",
                f"{len(items)} 条合起来有 {n:,} 个字符：Excel 表把它们印在同一格，超过一格能存的 "
                f"{EXCEL_CELL_MAX:,} 个字符，会被截掉：请删减",
            )


@rule
def a_projects_form_has_a_project(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """E305: a form that prints only project tables (form.yaml ``prints: [projects]``) is
    given at least one project (else there is nothing to print)."""
    if form.projects_only and not (model.projects or any(u.projects for u in model.units)):
        yield _problem(
            lines,
            ("projects",),
            "E305",
            f"表样“{form.name}”（{form.title}）只印项目表，这份数据没有项目：请在 projects: 下至少填一个项目"
            f"（goaldoc init --form {form.name} 新建的文件里有样子）",
        )


# ---------------------------------------------------------------- left from a starting point (issue 13 item 1)

# what `goaldoc init` writes where the clerk has to fill in (src/goaldoc/starter.py)
_PLACEHOLDER = re.compile(r"[\s\d.、．()（）]*(?:…|\.\.\.)+[\s。]*")
_EXAMPLE_NAMES = ("某某市某某局", "某某市")  # exactly as the starter has them: a real name may say 某某


@rule
def starter_text_is_replaced(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """W310: text and amounts left as `goaldoc init` wrote them (……, 某某市…, every amount 0).

    A 提醒, not an error: the starter checks and renders as written, so that a clerk can try
    it first; a reviewer would send back a form that still says 某某市某某局."""
    for path, text in _strings(model, ()):
        if path[:1] in (("accepted",), ("carried",)):
            continue
        if _PLACEHOLDER.fullmatch(text):
            yield _problem(lines, path, "W310", f"还是新建文件里的“{text}”：请填写实际内容（用不上的项可以整项删去）")
        elif text in _EXAMPLE_NAMES:
            yield _problem(lines, path, "W310", f"还是新建文件里的示例“{text}”：请改成实际的名称")
    amounts = [line.amount for line in model.budget.expenditure + model.budget.income]
    amounts += [t.funds for t in model.key_tasks + model.other_tasks]
    filled = [a for a in amounts if a is not None]
    if filled and all(a == 0 for a in filled):
        yield _problem(lines, ("budget",), "W310", "金额全是 0，还是新建文件的样子：请填写今年的预算数")


@rule
def carried_numbers_are_checked(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """W311: a number that `goaldoc init --from` carried over from last year and that still
    equals last year's value (nextyear.py explains the `carried:` section)."""

    for key, last in model.carried.items():
        path = parse_path(key)
        now = value_at(model, path) if path else None
        if path is None or isinstance(now, bool) or not isinstance(now, int | Decimal):
            continue  # the number is gone (line deleted): nothing left to check
        if Decimal(now) == last:
            if lines.places:  # a filled workbook (init x.xlsx --from): the note on the cell says so
                how = "今年不变的请删去这一格的批注"
            else:
                at = lines.line_of(("carried", key))
                how = f"今年不变的请删去第 {at} 行（carried: 里的这一项）" if at else "今年不变的请删去 carried: 里的这一项"
            yield _problem(lines, path, "W311", f"上年数字，请核对：{_num(Decimal(now))} 是上年的数；改成今年的数后不再提醒，{how}")


# invisible characters (issue 18 item 7): format characters (Unicode category Cf: bidi
# overrides and isolates, zero-width spaces and joiners, the BOM, the soft hyphen) and the
# line and paragraph separators. Render takes them out of file and sheet names (output.safe_name,
# render/excel/workbook.sheet_title); in a cell they stay, and U+202E shows 局障保 as 保障局.
_HIDDEN_WHAT = {
    **dict.fromkeys("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c", "文字方向控制符，会让文字倒着显示"),
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u2060": "零宽不换行",
    "\ufeff": "零宽不换行空格（BOM）",
    "\u00ad": "软连字符",
    "\u2028": "行分隔符",
    "\u2029": "段分隔符",
}
_NAMES = {"name"}  # a department's, a unit's, a project's name: also a file or sheet name


def _hidden(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch) in ("Cf", "Zl", "Zp")


@rule
def no_hidden_characters(model: DepartmentYear, lines: LineMap, form: FormSpec) -> Iterator[Problem]:
    """W920: text holds no invisible character — what render takes out of file and sheet
    names, `goaldoc check` names wherever it is (a received file may carry one)."""
    for path, text in _strings(model, ()):
        if text.isprintable():  # no character of "Other" or "Separator" (Cf, Zl, Zp among them)
            continue
        at = next((k for k, ch in enumerate(text) if _hidden(ch)), None)
        if at is None:
            continue
        ch = text[at]
        what = _HIDDEN_WHAT.get(ch, "看不见的格式字符")
        names = "；文件名和工作表名里 goaldoc 会去掉它" if path and path[-1] in _NAMES else ""
        more = sum(_hidden(c) for c in text) - 1
        others = f"（另有 {more} 个同类字符）" if more else ""
        yield _problem(
            lines,
            path,
            "W920",
            f"含有看不见的字符 U+{ord(ch):04X}（{what}，第 {at + 1} 个字）{others}：屏幕和纸上看到的文字与实际内容不同{names}："
            "请删去它（常见于从网页、PDF 或聊天软件复制的文字）",
        )
