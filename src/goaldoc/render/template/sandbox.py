"""The template sandbox: what a Word / Excel template may reach, and how much it may spend.

Templates travel between regions by e-mail and USB stick (issue 12), so a template is
untrusted code. Jinja's own sandbox refuses ``_private`` attributes and a few known-unsafe
callables, but lets a template call any public method of any object it can reach (a
``pathlib.Path`` in the context could read and delete files). Here the rule is the other
way round: a template may read only what the context contract declares (the fields of the
data and the views built for templates), a short list of pure methods of text, lists and
mappings, and the filters listed in :data:`ALLOWED_FILTERS`. Everything else is refused
with a message naming the attribute.

Limits, so that a template cannot hang or exhaust a machine: ``range`` is bounded, ``*``,
``**`` and ``%`` refuse results that would be huge, texts built by a template are capped
at :data:`MAX_TEXT` characters, and every render runs under a time budget
(:func:`render_budget`), checked on attribute access, calls and loop steps.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import operator
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import jinja2
from jinja2 import BaseLoader, StrictUndefined, nodes
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace, internalcode

from . import codecache

MAX_RANGE = 10_000  # items of one range(); the forms loop over data, not over numbers
MAX_TEXT = 1_000_000  # characters of one text a template builds
MAX_POWER_BITS = 4096  # a ** b whose result would need more bits than this is refused
MAX_OUTPUT = 50_000_000  # characters one template (a whole Word part, an Excel cell) writes
MAX_STEPS = 5_000_000  # attribute reads, calls and loop steps of one render (10,000 rows take ~1/10)
DEFAULT_SECONDS = 30.0  # time budget of one render (all of a department's forms)
_PROGRAMS = 256  # compiled texts kept per environment (FormSandbox.compile)

# pure methods of plain values that a template may call
_STR_METHODS = frozenset(
    "strip lstrip rstrip split rsplit splitlines startswith endswith upper lower title "
    "capitalize isdigit isnumeric isalpha count find rfind index rindex replace join "
    "removeprefix removesuffix".split()
)
_LIST_METHODS = frozenset({"index", "count"})
_DICT_METHODS = frozenset({"items", "keys", "values", "get"})
_LOOP_ATTRS = frozenset(
    "index index0 revindex revindex0 first last length depth depth0 previtem nextitem "
    "cycle changed".split()
)

# Jinja's built-in filters a template may use (others can allocate without bound, such as
# center(10**9), or turn data into raw markup, such as safe); goaldoc's own are added by
# markup.make_env
ALLOWED_FILTERS = frozenset(
    "abs attr batch capitalize count d default dictsort e escape first float forceescape "
    "groupby int items join last length list lower map max min reject rejectattr replace "
    "reverse round select selectattr sort string striptags sum title trim truncate unique "
    "upper wordcount".split()
)
_SIZED_FILTERS = ("join", "replace", "batch")


class TemplateLimitError(SecurityError):
    """A template asked for more than the sandbox allows (a message in Chinese)."""


@dataclass
class _Budget:
    deadline: float
    seconds: float
    steps: int = 0
    # what a template may read on each object of the context met so far (FormSandbox.getattr),
    # by id, with the object (kept alive: its id is not another's); for this render only
    fields: dict[int, tuple[Any, frozenset[str]]] = field(default_factory=dict)

    def tick(self) -> None:
        self.steps += 1
        if self.steps & 0x3FF:
            return
        if self.steps > MAX_STEPS:
            raise TemplateLimitError(
                f"模板执行了超过 {MAX_STEPS:,} 步仍未结束（循环太多或死循环）：请检查模板里的循环"
            )
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(
                f"模板运行超过 {self.seconds:g} 秒仍未结束（可能是循环太多或死循环）：请检查模板里的循环"
            )


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("goaldoc_budget", default=None)


@contextlib.contextmanager
def render_budget(seconds: float | None = None) -> Iterator[None]:
    """Everything the templates do inside this block shares one time budget
    (:data:`DEFAULT_SECONDS` unless given)."""
    seconds = DEFAULT_SECONDS if seconds is None else seconds
    token = _BUDGET.set(_Budget(time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _tick() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick()


def template_fields(obj: Any) -> frozenset[str] | None:
    """The names a template may read on ``obj``, when ``obj`` is part of the context
    contract: its class lists them in ``template_fields`` (a frozenset or a method)."""
    fields = getattr(type(obj), "template_fields", None)
    if fields is None:
        return None
    if callable(fields):
        return fields(obj)  # type: ignore[no-any-return]
    return fields  # type: ignore[no-any-return]


def _check_text(value: Any, what: str) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_TEXT:
        raise TemplateLimitError(f"{what}超过 {MAX_TEXT:,} 个字符：模板不能生成这么长的内容")
    return value


def _length(x: Any) -> int:
    try:
        return len(x)
    except TypeError:
        return len(str(x))


def _bounded_range(*args: int) -> Iterator[int]:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise TemplateLimitError(f"range() 有 {len(r):,} 项，超过上限 {MAX_RANGE:,}：表格应按数据循环，不应按数字")
    for i in r:
        _tick()
        yield i


def _bounded_concat(pieces: Iterable[str]) -> str:
    """What a template writes, joined, refused once it passes :data:`MAX_OUTPUT`."""
    out: list[str] = []
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_OUTPUT:
            raise TemplateLimitError(f"模板生成的内容超过 {MAX_OUTPUT:,} 个字符：请检查模板里的循环")
        out.append(piece)
    return "".join(out)


class _Namespace(Namespace):
    """namespace() whose values are bounded like every other text a template builds."""

    def __setitem__(self, name: str, value: Any) -> None:
        _tick()
        super().__setitem__(name, _check_text(value, "namespace 里的值"))


class _NoLoader(BaseLoader):
    """{% include %} / {% import %} / {% extends %} would read other files: refused."""

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        raise TemplateLimitError(
            f"模板里不能用 include / import / extends（“{template}”）：每个单元格只能写本身的内容"
        )


class FormSandbox(SandboxedEnvironment):
    """The environment every template of goaldoc runs in (see the module doc)."""

    intercepted_binops = frozenset({"*", "**", "%", "//", "/"})

    def __init__(self, **kw: Any) -> None:
        super().__init__(undefined=StrictUndefined, loader=_NoLoader(), **kw)
        self.filters = {k: v for k, v in self.filters.items() if k in ALLOWED_FILTERS}
        for name in _SIZED_FILTERS:
            self.filters[name] = _sized(self.filters[name], name)
        self.concat = _bounded_concat  # type: ignore[method-assign,assignment]
        self.globals = {
            "range": _bounded_range,
            "dict": dict,
            "namespace": _Namespace,
            "cycler": Cycler,
            "joiner": Joiner,
        }
        self._programs: dict[tuple[str, str | None, str | None, bool], Any] = {}

    # -- compiled once ---------------------------------------------------------------
    @internalcode
    def compile(self, source: Any, name: str | None = None, filename: str | None = None, raw: bool = False, defer_init: bool = False) -> Any:  # type: ignore[override]
        """A text compiled once per environment (issue 23): docxtpl compiles a Word part's
        whole XML at every render, and form.yaml's texts are compiled per department; the
        same text in the same environment (its filters are set once: markup.make_env)
        always compiles to the same code, which Jinja runs afresh for each template made
        from it. A text that does not compile is not kept (it fails again, the same way).
        Under that, when ``goaldoc render`` turned it on, the code kept on disk by earlier
        runs (codecache.py: the cold start, each worker's first department of a form)."""
        if raw or not isinstance(source, str):
            if raw or not isinstance(source, nodes.Template):
                return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]
            # a program built as a tree (an Excel cell's or row's: excel/cells.py), which
            # keeps its own; on disk only, under the tree's text
            text = codecache.tree_text(source)
            return codecache.compiled(self, text, name, filename, defer_init, lambda: super(FormSandbox, self).compile(source, name, filename, False, defer_init))
        key = (source, name, filename, defer_init)
        code = self._programs.get(key)
        if code is None:
            code = codecache.compiled(self, source, name, filename, defer_init, lambda: super(FormSandbox, self).compile(source, name, filename, False, defer_init))
            if len(self._programs) >= _PROGRAMS:
                self._programs.pop(next(iter(self._programs)))  # the oldest first
            self._programs[key] = code
        return code

    # -- what may be read -----------------------------------------------------------
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_") or not super().is_safe_attribute(obj, attr, value):
            return False
        fields = template_fields(obj)
        if fields is not None:
            return attr in fields
        if isinstance(obj, str):
            return attr in _STR_METHODS
        if isinstance(obj, list | tuple):
            return attr in _LIST_METHODS
        if isinstance(obj, dict):
            return attr in _DICT_METHODS
        if isinstance(obj, LoopContext):
            return attr in _LOOP_ATTRS
        if isinstance(obj, Cycler):
            return attr in ("next", "current", "reset")
        if isinstance(obj, Namespace):
            return True  # only what the template itself set with {% set ns.x = … %}
        return False

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format is not on the list ('{:>999999999}'.format(1) is a gigabyte)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        raise SecurityError(f"模板不能使用“{attribute}”（{_kind(obj)}上没有这个可用的字段）")

    # -- what may be spent ----------------------------------------------------------
    def getattr(self, obj: Any, attribute: str) -> Any:
        # _tick() and template_fields(obj), written out: every cell of every row comes here
        budget = _BUDGET.get()
        if budget is not None:
            budget.tick()
        fields = getattr(type(obj), "template_fields", None)
        if fields is not None and callable(fields):
            # an object's fields, asked at every read (a View builds them: ~5 µs), are the
            # same all through one render: asked once per object and render
            known = budget.fields.get(id(obj)) if budget is not None else None
            if known is not None and known[0] is obj:
                fields = known[1]
            else:
                fields = fields(obj)
                if budget is not None:
                    budget.fields[id(obj)] = (obj, fields)
        if fields is not None and isinstance(attribute, str) and attribute in fields and not attribute.startswith("_"):
            # a field of the context contract: what is_safe_attribute would say, without the
            # checks meant for functions and frames (every cell of every row reads some)
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return super().getitem(obj, argument)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _tick()
        for arg in (*args, *kwargs.values()):
            _check_text(arg, "调用的参数")
        if getattr(__obj, "__name__", "") == "replace" and isinstance(getattr(__obj, "__self__", None), str):
            _check_replace(__obj.__self__, *args)
        if getattr(__obj, "__name__", "") == "join" and isinstance(getattr(__obj, "__self__", None), str) and args:
            _check_join(__obj.__self__, args[0])
        return _check_text(super().call(__context, __obj, *args, **kwargs), "调用的结果")

    def call_binop(self, context: Context, operator_: str, left: Any, right: Any) -> Any:
        _tick()
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) and not isinstance(n, bool):
                    if len(seq) * max(n, 0) > MAX_TEXT:
                        raise TemplateLimitError(
                            f"“*”会得到 {len(seq) * n:,} 个字符，超过上限 {MAX_TEXT:,}：模板不能生成这么长的内容"
                        )
        if operator_ == "**" and _power_too_big(left, right):
            raise TemplateLimitError("“**”的结果太大：模板里的乘方只能用于不大的数")
        if operator_ == "%" and isinstance(left, str):
            raise TemplateLimitError("模板里不能用“%”格式化文字：请用 ~ 连接，或用 amount 等过滤器")
        if operator_ in ("//", "/", "%") and _is_zero(right):
            raise TemplateLimitError("除数为 0：请检查模板里的除法")
        ops = {"*": operator.mul, "**": operator.pow, "%": operator.mod, "//": operator.floordiv, "/": operator.truediv}
        return ops[operator_](left, right)


def _kind(obj: Any) -> str:
    if isinstance(obj, str):
        return "文字"
    if isinstance(obj, list | tuple):
        return "列表"
    if isinstance(obj, dict):
        return "键值表"
    if isinstance(obj, int | float | Decimal):
        return "数字"
    return "这个对象"


def _is_zero(x: Any) -> bool:
    return isinstance(x, int | float | Decimal) and not isinstance(x, bool) and x == 0


def _power_too_big(base: Any, exp: Any) -> bool:
    if not all(isinstance(x, int | float | Decimal) and not isinstance(x, bool) for x in (base, exp)):
        return False
    try:
        b, e = abs(float(base)), float(exp)
    except OverflowError:
        return True
    if b <= 1 or e <= 0:
        return False
    return e * math.log2(b) > MAX_POWER_BITS


def _check_replace(s: str, old: Any = "", new: Any = "", count: int = -1, *_: Any) -> None:
    if isinstance(old, str) and isinstance(new, str):
        n = (len(s) + 1) if old == "" else s.count(old)
        if count is not None and count >= 0:
            n = min(n, count)
        if len(s) + n * max(len(new) - len(old), 0) > MAX_TEXT:
            raise TemplateLimitError(f"replace 会得到超过 {MAX_TEXT:,} 个字符的内容：模板不能生成这么长的内容")


def _check_join(sep: str, items: Any) -> None:
    if not isinstance(items, list | tuple):
        return  # a generator is not consumed here: the result is checked after the join
    parts = items
    if sum(_length(p) for p in parts) + len(sep) * max(len(parts) - 1, 0) > MAX_TEXT:
        raise TemplateLimitError(f"join 会得到超过 {MAX_TEXT:,} 个字符的内容：模板不能生成这么长的内容")


def _sized(fn: Any, name: str) -> Any:
    """A built-in filter whose result is checked against :data:`MAX_TEXT` (and, for
    ``replace`` / ``join``, before it is built)."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _tick()
        plain = [a for a in args if not isinstance(a, Context | jinja2.Environment | EvalContext)]
        if name == "replace" and plain and isinstance(plain[0], str):
            _check_replace(*plain[:4])
        if name == "join" and plain:
            sep = plain[1] if len(plain) > 1 and isinstance(plain[1], str) else kwargs.get("d", "")
            _check_join(sep, plain[0])
        if name == "batch" and len(plain) > 1 and isinstance(plain[1], int) and plain[1] > MAX_RANGE:
            raise TemplateLimitError(f"batch 的每组行数不能超过 {MAX_RANGE:,}")
        return _check_text(fn(*args, **kwargs), f"{name} 的结果")

    for attr in ("jinja_pass_arg",):
        if hasattr(fn, attr):
            setattr(wrapped, attr, getattr(fn, attr))
    return wrapped
