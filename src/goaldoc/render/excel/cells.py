"""What an Excel template cell becomes: text, or a number (issue 13 item 5).

A cell that holds one ``{{ expression }}`` and nothing else (spaces aside) is evaluated as
an expression, and the type of its value decides: an amount (``| amount``, see
markup.AmountText), an int or a Decimal becomes a number cell whose number format shows it
as the Word file prints it (``0.00``, ``#,##0.00``), so SUM adds it and Excel shows no
warning triangle; anything else is text, as typed. Codes such as ``307003`` and phone
numbers are text in the data, so they stay text; so does a cell with words around its
expression. ``{{ x | merge(key) }}`` keeps x's type: the program gives x and x | merge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.environment import TemplateExpression

from ..template.markup import AmountText

MAX_DIGITS = 15  # significant digits an Excel number keeps: a longer one stays text, as typed
_VALUE = "_goaldoc_value"  # the name a cell program assigns its value to


@dataclass
class CellProgram:
    """A template cell, compiled once: a text template, or (for a cell that is one
    ``{{ expression }}``) an expression whose value keeps its type. For ``{{ x | merge }}``
    the expression gives ``(x, x | merge)``: the value, and the text carrying the merge key."""

    template: jinja2.Template | None = None
    expression: TemplateExpression | None = None
    merged: bool = False


def compile_cell(env: jinja2.Environment, text: str) -> CellProgram:
    """A text template, or, for a cell that is one ``{{ expression }}`` (spaces aside), a
    program that evaluates the expression and keeps its value (see the module doc)."""
    tree = env.parse(text)
    expr = _single_expression(tree)
    if expr is None:
        return CellProgram(template=env.from_string(tree))
    value = nodes.Name(_VALUE, "store")
    if isinstance(expr, nodes.Filter) and expr.name == "merge" and expr.node is not None:
        # {{ x | merge(key) }}: x keeps its type (an amount stays a number), and the text
        # with the merge key is made from it
        marked = nodes.Filter(
            nodes.Name(_VALUE, "load"), "merge", expr.args, expr.kwargs, expr.dyn_args, expr.dyn_kwargs
        )
        body: list[nodes.Node] = [
            nodes.Assign(value, expr.node),
            nodes.Assign(nodes.Name("result", "store"), nodes.Tuple([nodes.Name(_VALUE, "load"), marked], "load")),
        ]
    else:
        body = [nodes.Assign(nodes.Name("result", "store"), expr)]
    program = nodes.Template(body, lineno=1)
    program.set_environment(env)
    return CellProgram(
        expression=TemplateExpression(env.from_string(program), undefined_to_none=False),
        merged=len(body) == 2,
    )


def _single_expression(tree: nodes.Template) -> nodes.Expr | None:
    """The expression of a template that is one ``{{ … }}`` and spaces, else None."""
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output):
        return None
    parts = [n for n in tree.body[0].nodes if not (isinstance(n, nodes.TemplateData) and not n.data.strip())]
    if len(parts) != 1 or isinstance(parts[0], nodes.TemplateData):
        return None
    return parts[0]


def as_number(value: Any) -> tuple[int | float, str] | None:
    """(number, number format showing it as printed) when ``value`` belongs in a number
    cell: an amount (``| amount``), an int, a Decimal or a float; None for anything else,
    which is written as text."""
    if isinstance(value, AmountText):
        d, fmt = value.amount, value.number_format
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int):
        d, fmt = Decimal(value), "General"
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return None
        exp = value.as_tuple().exponent
        d = value
        fmt = "0." + "0" * -exp if isinstance(exp, int) and exp < 0 else "General"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        return value, "General"
    else:
        return None
    if len(d.normalize().as_tuple().digits) > MAX_DIGITS:
        return None  # Excel would round it: the text keeps every digit typed
    if fmt == "General" and abs(d) >= 10**11:
        fmt = "0"  # General would show 1.23457E+11
    return (int(d) if d == d.to_integral_value() else float(d)), fmt


# -- a row's cells as one program (issue 23 item 1) --------------------------------------------
_ROW_CELL = "_goaldoc_cell"  # the names a row program assigns its cells' results to


@dataclass
class RowProgram:
    """The templated cells of one template row compiled into one Jinja program: one context
    and one call per output row instead of one per cell. Each cell's result is left in a
    variable of its own — the text of a text cell, the value of a one-``{{ expression }}``
    cell, or (value, marked text) for ``{{ x | merge(key) }}``, as :class:`CellProgram` gives
    them — so what each cell becomes is decided exactly as for a cell compiled alone."""

    template: jinja2.Template
    kinds: tuple[str, ...]  # per cell it computes: "text" | "value" | "merged"
    computed: tuple[int, ...] | None = None  # the cells it computes (their places among those given); None: all
    shared: bool = False  # it reads no global (range, namespace …): ``ctx`` itself is its context's parent

    def run(self, ctx: dict[str, Any]) -> list[Any]:
        """Each cell's result, in the order the cells were given. A program that reads no
        global takes ``ctx`` as it is (Jinja's contexts only read their parent); otherwise
        Jinja merges the globals and ``ctx`` into a new dict, as for any template."""
        t = self.template
        if self.shared:
            context = t.environment.context_class(t.environment, ctx, t.name, t.blocks, globals=None)
        else:
            context = t.new_context(ctx)
        for _ in self.template.root_render_func(context):
            pass
        got = context.vars
        return [got[name] for name in self.names]

    @property
    def names(self) -> tuple[str, ...]:
        """The variables the cells' results are left in, in the cells' order."""
        names = self.__dict__.get("_names")
        if names is None:
            places = self.computed if self.computed is not None else range(len(self.kinds))
            names = self.__dict__["_names"] = tuple(f"{_ROW_CELL}{i}" for i in places)
        return names


# what a cell may hold and still give the same every time: literals, and filters that only
# look at their arguments (no name, attribute, item, call or operator: nothing the sandbox
# counts a step for, nothing that differs from row to row)
_CONSTANT_NODES = (nodes.Output, nodes.TemplateData, nodes.Const, nodes.Filter, nodes.Keyword)
_PURE_FILTERS = frozenset("merge amount blank cn check upper lower trim string int float round abs".split())


def is_constant(tree: nodes.Template) -> bool:
    """Whether a cell's parsed text reads nothing (``{{ '绩效指标' | merge('ind') }}``): its
    value is the same in every row, worked out once."""
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _CONSTANT_NODES):
            return False
        if isinstance(node, nodes.Filter) and node.name not in _PURE_FILTERS:
            return False
    return True


def _writes_only(body: list[nodes.Node]) -> bool:
    """Whether a cell's statements only write text: ``{{ … }}`` and text, and ``{% if %}`` /
    ``{% elif %}`` / ``{% else %}`` around them (``{{ row.value_text }}{% if row.adjusted %}（调整为…）{% endif %}``).
    Such a cell gives in a row program what it gives alone: an ``if`` assigns nothing that
    another cell of the row could read."""
    for node in body:
        if isinstance(node, nodes.If):
            if not (_writes_only(node.body) and _writes_only(list(node.elif_)) and _writes_only(node.else_)):
                return False
        elif not isinstance(node, nodes.Output):
            return False
    return True


def compile_row(env: jinja2.Environment, texts: list[str], constants: bool = False) -> RowProgram | None:
    """One program for a row's templated cells, or None when a cell holds more than text,
    ``{{ … }}`` and ``{% if %}`` around them (a ``{% for %}``, ``{% set %}`` …): such a row keeps one program
    per cell (templates/README.md says which rows take which path). ``constants``: cells that
    read nothing (:func:`is_constant`) are left out (``computed`` names the others): the
    writer works them out once for all the rows."""
    body: list[nodes.Node] = []
    kinds = []
    computed = []
    for i, text in enumerate(texts):
        tree = env.parse(text)
        if not _writes_only(tree.body):
            return None
        if constants and is_constant(tree):
            continue
        computed.append(i)
        name = f"{_ROW_CELL}{i}"
        expr = _single_expression(tree)
        if expr is None:
            body.append(nodes.AssignBlock(nodes.Name(name, "store"), None, list(tree.body)))
            kinds.append("text")
        elif isinstance(expr, nodes.Filter) and expr.name == "merge" and expr.node is not None:
            value = f"{name}_value"
            marked = nodes.Filter(nodes.Name(value, "load"), "merge", expr.args, expr.kwargs, expr.dyn_args, expr.dyn_kwargs)
            body.append(nodes.Assign(nodes.Name(value, "store"), expr.node))
            body.append(nodes.Assign(nodes.Name(name, "store"), nodes.Tuple([nodes.Name(value, "load"), marked], "load")))
            kinds.append("merged")
        else:
            body.append(nodes.Assign(nodes.Name(name, "store"), expr))
            kinds.append("value")
    program = nodes.Template(body, lineno=1)
    program.set_environment(env)
    template = env.from_string(program)
    reads = {n.name for n in program.find_all(nodes.Name) if n.ctx == "load"}  # every name it reads, to be safe
    return RowProgram(
        template,
        tuple(kinds),
        computed=None if len(computed) == len(texts) else tuple(computed),
        shared=not any(name in template.globals for name in reads),
    )
