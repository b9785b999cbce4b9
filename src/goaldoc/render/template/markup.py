"""The Jinja environment shared by the Word and Excel renderers, and its filters.

Filters an admin can use in a template (see templates/README.md):

``merge``   ``{{ row.level1 | merge }}`` — merge this column down by the data's hierarchy.
``amount``  ``{{ line.amount | amount }}`` — an amount in the form's style (as typed / 元).
``blank``   ``{{ signature.head | blank }}`` — the value, or a line to sign on paper.
``cn``      ``{{ loop.index | cn }}`` — 一、二、三 … numbering.
``check``   ``{{ project.project_type | check('部门预算') }}`` — ☑部门预算 / □部门预算.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Any

import jinja2

from .sandbox import FormSandbox

# Unicode noncharacters (U+FDD0–U+FDEF are reserved for a program's own use and never
# typed; XML may hold them, so they survive docxtpl untouched). Not the private-use area:
# a bureau's own characters (造字) live there and print as typed (issue 12 item 5); the
# checks refuse noncharacters in the data (E302), so a mark in a cell is always ours.
MARK_OPEN = "\ufdd0"
MARK_CLOSE = "\ufdd1"
_MARK_RE = re.compile(f"{MARK_OPEN}([^{MARK_CLOSE}]*){MARK_CLOSE}")

BLANK_LINE = "＿＿＿＿＿＿＿＿"
_CN = "零一二三四五六七八九十"


def merge_filter(value: Any, key: str | None = None) -> str:
    """Tag a cell with its merge key; the renderer merges equal consecutive keys, then strips tags."""
    key = key if key is not None else getattr(value, "merge_key", None)
    text = "" if value is None else str(value)
    if key is None:
        return text
    return f"{MARK_OPEN}{key}{MARK_CLOSE}{text}"


def split_mark(text: str) -> tuple[str | None, str]:
    """('key', 'text without tags') — the key of the first tag, or None."""
    m = _MARK_RE.search(text)
    if not m:
        return None, text
    return m.group(1), _MARK_RE.sub("", text)


def mark_key(text: str) -> str | None:
    """:func:`split_mark`'s key alone."""
    m = _MARK_RE.search(text)
    return m.group(1) if m else None


def strip_marks(text: str) -> str:
    return _MARK_RE.sub("", text)


def has_mark(text: str | None) -> bool:
    """Whether the text may hold a merge tag (cheap test before :func:`split_mark`)."""
    return text is not None and MARK_OPEN in text


class TemplateDataError(jinja2.TemplateRuntimeError):
    """A filter was given what it cannot use (text where an amount belongs, say)."""


UNCLOSED_QUOTE = "引号没有配对：文字两边各加一个英文引号，如 '合计'"
_SYNTAX_WORDS = (
    (r"No filter named '([^']+)'", "没有名为“{0}”的过滤器（可用的过滤器见 templates/README.md）"),
    (r"No test named '([^']+)'", "没有名为“{0}”的判断（is 后面的词）：请检查拼写"),
    (r"Encountered unknown tag '([^']+)'", "不认识的标签“{{% {0} %}}”：请检查拼写，或是否少了开头的 {{% for %}} / {{% if %}}"),
    (r"(?i)unexpected end of template", "模板没写完：少了 {{% endfor %}}、{{% endif %}} 或 }}}}"),
    (r"expected token '([^']+)', got '([^']+)'", "这里应是“{0}”，写的却是“{1}”：请检查是否少了 }}}} 或 %}}，或两个词之间少了 | 或运算符"),
    (r"unexpected char (?:\"'\"|'\"')", UNCLOSED_QUOTE),
    (r"unexpected char '([^']+)'", "{{{{ }}}} 和 {{% %}} 里有不认识的字符“{0}”：里面只用英文标点，文字要加英文引号"),
    (r"expected name or number", "点（.）后面少了字段名，如 department.name"),
    (r"Expected an expression, got '([^']+)'", "这里少了变量或文字，写的却是“{0}”：如 {{% for row in indicator_rows %}}、{{{{ department.name }}}}"),
    (r"unexpected '([^']+)'", "多了或放错了“{0}”：请检查 {{{{ }}}}、{{% %}} 和括号是否配对"),
)
# Jinja's names of the tokens it expected or got, as an admin sees them in the template.
_TOKENS = {
    "end of print statement": "}}",
    "end of statement block": "%}",
    "begin of print statement": "{{",
    "begin of statement block": "{%",
    "name": "名字",
    "end of template": "模板末尾",
}


def explain_template_error(exc: BaseException) -> str:
    """Any error of a template in words an admin understands (a misspelt variable, mostly)."""
    name = undefined_name(exc)
    if name:
        return f"没有名为“{name}”的变量或字段（见 templates/README.md 的变量表）{declare_hint(exc, name)}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        msg = exc.message or ""
        for pattern, words in _SYNTAX_WORDS:
            m = re.search(pattern, msg)
            if m:
                return words.format(*(_TOKENS.get(g, g) for g in m.groups()))
        return f"模板语法有误（{msg}）：请检查 {{{{ }}}} 和 {{% %}} 是否配对、写法是否正确"
    if isinstance(exc, jinja2.TemplateError):
        return getattr(exc, "message", None) or str(exc)
    if isinstance(exc, ZeroDivisionError):
        return "除数为 0：请检查模板里的除法"
    if isinstance(exc, OverflowError | MemoryError | RecursionError):
        return "模板要算的数或生成的内容太大：请简化模板"
    return f"模板运行出错（{type(exc).__name__}: {exc}）"


# where a form declares a field the templates read on this kind of object (issue 21 item 5)
_DECLARED_ON = {"IndicatorRow": "indicator:", "View": "department: 或 project:（看它属于部门还是项目）"}


def declare_hint(exc: BaseException, name: str) -> str:
    """After “no such field”: the field meant, when the name is a slip of one; else, for a
    column an admin adds to a template, where the form must declare it (issue 21 item 5)."""
    import difflib

    from ...indicators import _ROW_FIELDS
    from ...model import Department, Project
    from ...views import CONTRACT

    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name.startswith("model_") or name in ("lipsum", "dict", "cycler", "joiner"):
        return ""
    msg = getattr(exc, "message", None) or str(exc)
    owner = re.search(r"'[\w.]*?(\w+) object' has no attribute", msg)
    place = _DECLARED_ON.get(owner[1]) if owner else ("year:" if "is undefined" in msg else None)
    if place is None:
        return ""
    known = {"indicator:": set(_ROW_FIELDS), "year:": set(CONTRACT)}.get(place, set(Department.model_fields) | set(Project.model_fields) | {"label", "number", "rows", "lines"})
    near = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    if near:
        return f"：是不是“{near[0]}”？"
    return f"；如果“{name}”是这个表样新加的栏目，请在 form.yaml 的 fields: 里 {place} 下声明它，如 {name}: {{label: 栏目名}}（templates/README.md“本表样特有的栏目”）"


def undefined_name(exc: BaseException) -> str | None:
    msg = getattr(exc, "message", None) or str(exc)
    m = re.search(r"has no attribute '([^']+)'", msg) or re.search(r"'([^']+)' is undefined", msg)
    return m.group(1) if m else None


def cn_number(n: int) -> str:
    if 0 < n <= 10:
        return _CN[n]
    if n < 20:
        return "十" + _CN[n - 10]
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return str(n)


def check_filter(value: Any, option: str, after: bool = False, on: str = "☑", off: str = "□") -> str:
    """``{{ project.project_type | check('部门预算') }}`` → ☑部门预算 when chosen, else □部门预算;
    ``check('部门预算', after=true)`` → 部门预算 ☑ (the box after the word, as some forms print it)."""
    chosen = value is not None and "".join(str(value).split()) == "".join(str(option).split())
    box = on if chosen else off
    return f"{option} {box}" if after else f"{box}{option}"


def blank_filter(value: Any, line: str = BLANK_LINE) -> str:
    if value is None or str(value).strip() == "":
        return line
    return str(value)


class AmountText(str):
    """What ``| amount`` gives: the text the form prints (``26843.80``, ``1,734,952.06``),
    carrying the number it shows and an Excel number format that shows it the same way, so
    that the Excel renderer writes a number cell (issue 13 item 5) where Word prints text.

    The number and the format are read back from the text itself, so the cell shows exactly
    what the Word file prints. A template sees an ordinary text (str methods apply; ``~``
    and ``merge`` give plain text).
    """

    amount: Decimal
    number_format: str

    def __new__(cls, text: str, grouped: bool) -> AmountText:
        obj = super().__new__(cls, text)
        plain = text.replace(",", "")
        decimals = len(plain.partition(".")[2])
        obj.amount = Decimal(plain)
        obj.number_format = ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals else "")
        return obj


def make_amount_filter(style: str, form_unit: str):  # type: ignore[no-untyped-def]
    from ...values import convert_amount, format_amount

    def amount(value: Any, unit: str | None = None) -> str:
        """``{{ x | amount }}``: x is in the form's unit; ``{{ x | amount('元') }}``: x is in 元."""
        if value is None or value == "":
            return ""
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TemplateDataError(
                f"amount 过滤器只能用于金额（数字），这里给它的是“{str(value)[:20]}”：请改用 {{{{ 字段 }}}}，不加 | amount"
            )
        value = Decimal(value)
        if unit and unit != form_unit:
            value = convert_amount(value, unit, form_unit)
        return AmountText(format_amount(value, form_unit, style), grouped=style == "yuan")

    return amount


@functools.lru_cache(maxsize=16)
def make_env(amount_style: str = "as_typed", amount_unit: str = "万元", *, autoescape: bool) -> FormSandbox:
    """Sandboxed (templates are untrusted: render/template/sandbox.py) and strict (a misspelt
    variable fails loudly).

    One environment per setting for the whole process (its filters hold no state), so a
    batch compiles each template text once.

    Word templates are XML, so they render with autoescape on (docxtpl's default would drop
    ``R&D投入<5%`` silently); Excel cells are plain text that openpyxl escapes itself.
    """
    env = FormSandbox(autoescape=autoescape)
    env.filters["merge"] = merge_filter
    env.filters["blank"] = blank_filter
    env.filters["check"] = check_filter
    env.filters["cn"] = cn_number
    env.filters["amount"] = make_amount_filter(amount_style, amount_unit)
    return env
