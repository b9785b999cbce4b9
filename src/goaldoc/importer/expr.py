"""Read a template cell backwards: its Jinja text → a pattern that finds, in a filled cell,
the values it printed and where each belongs.

A cell such as ``编制单位（盖章）：{{ signature.unit | blank }}`` becomes the pattern
``编制单位（盖章）：(.*)`` whose group goes to ``signature.unit`` (an empty line to sign on
becomes nothing). The expressions of contract 1 are read this way:

* a path (``department.name``, ``row.level1``, ``p.budget.total``, ``g``) → the text there;
* filters: ``merge`` (printed once over merged rows: filled down), ``amount`` (thousands
  separators and units undone; ``amount(U)`` also tells that ``U`` is the form's money
  unit), ``blank`` (a signing line is empty), ``check('x')`` (☑x chooses x), ``join(sep)``
  (a list), ``cn`` / ``loop.index`` (numbering, skipped; a list item's number before its
  text may be typed any common way or left out: 1. 1、 一、 (一)), ``default``, and filters that do
  not change the meaning (``string``, ``trim`` …);
* ``A or B``: what is printed is A (B was only a stand-in), and B's parts are read too,
  for the fields they name (``title or (year ~ '年…')`` gives the year);
* ``A if test else B``: whichever matches; ``x == 'const'`` in the test of the branch
  that matched sets x (``project.variant == 'shenbao'``);
* ``{% for x in list %}{{ x }}{% if not loop.last %}sep{% endif %}{% endfor %}`` in a
  cell (and Word's ``{%p for %}`` paragraphs): one item per line or separator.

Anything else (a computation) is *opaque*: its literal text still anchors the cell, the
value is not read, and goaldoc names the cell so the form's admin can declare a binding in
form.yaml (``import.cells``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from jinja2 import Environment, TemplateSyntaxError, nodes

from .document import norm_label

Target = tuple[str | int, ...]  # a context path; its head may be a loop variable


def resolve_target(target: Target, env: dict[str, Target]) -> Target:
    """``target`` with its head, when a loop variable of ``env``, replaced by the item's path
    (``ind.name`` in a loop over ``project.indicators`` -> ``projects, 0, indicators, 3, name``)."""
    head = target[0]
    if isinstance(head, str) and head in env:
        return (*env[head], *target[1:])
    return target

_ENV = Environment()
_PASSTHROUGH = {"string", "trim", "e", "escape", "safe", "upper", "lower", "title", "capitalize",
                "int", "float", "round", "striptags", "abs"}
CHECKED = "☑☒■✓✔√▣"
_CN_DIGITS = "〇零一二三四五六七八九十百千"
# a list item's number as clerks type it, whatever the form prints: （一） (一) 一、 1. 1、 （1） 1) ①
_ANY_NUMBER = (
    rf"(?:[(（]\s*(?:[{_CN_DIGITS}]+|[0-9０-９]+)\s*[)）]|[{_CN_DIGITS}]+\s*[、.．,，]"
    r"|[0-9０-９]+\s*(?:[、,，)）]|[.．](?![0-9０-９]))|[①-⑳])"
)
# the punctuation around a printed number: （ ） ( ) 、 . ． : ：
_NUMBER_MARKS = frozenset("（）()、.．:：")
NUMBER_GROUP = "n"  # the regex group of a list item's number: n1, n2 … (captures are g…, markers m…)
_numbers = itertools.count(1)


@dataclass
class Capture:
    group: str
    target: Target
    kind: str = "text"  # text | amount | blank | list | choice
    merge: bool = False
    soft: bool = False
    unit_target: Target | None = None  # amount(U): U is in the form's money unit
    choice: str | None = None
    sep: str | None = None  # list: items joined by sep
    offset: int = 0  # `year - 2` printed: the field is the number read plus 2
    regex: str = ""  # the group as the cell's pattern writes it (a soft pass re-read with known values)
    instead: Target | None = None  # `a or b`: b, printed when a is empty (a equal to b is no value of its own)


@dataclass
class Implication:
    """When the alternative marked ``marker`` matched (non-empty), ``target`` is ``value``."""

    marker: str
    target: Target
    value: str


@dataclass
class Frag:
    regex: str
    captures: list[Capture] = field(default_factory=list)
    implications: list[Implication] = field(default_factory=list)
    literal: str = ""  # the literal text in it (scoring and recognition)
    opaque: list[str] = field(default_factory=list)
    tight: str | None = None  # a narrower regex for a capture standing next to another one
    merged_literal: bool = False
    numbering: bool = False  # holds a number printed by the loop (目标{{ loop.index }})
    pieces: list[str] | None = None  # the literal runs between captures (None: all literal)

    def runs(self) -> list[str]:
        return [self.literal] if self.pieces is None else self.pieces

    @property
    def is_literal(self) -> bool:
        return not self.captures and not self.opaque and not self.tight and not self.numbering


@dataclass
class Pass:
    regex: re.Pattern[str]
    captures: list[Capture]
    implications: list[Implication]


@dataclass
class ListPass:
    """A for loop filling a whole cell: one item per line (or per separator)."""

    target: Target
    offset: int
    var: str
    sep: str
    body: Reader


@dataclass
class Reader:
    text: str
    passes: list[Pass] = field(default_factory=list)
    listing: ListPass | None = None
    literal: str | None = None  # the whole cell is this literal (normalised)
    merged: bool = False  # a literal printed once over merged rows: `'x' | merge(...)`
    literal_parts: str = ""  # literal text around the captures (normalised)
    pieces: list[str] = field(default_factory=list)  # its runs, each as a label (normalised)
    fallback: bool = False  # `a or b`: the first pass takes the whole text; the second (b's) tells the fit
    opaque: list[str] = field(default_factory=list)

    @property
    def captures(self) -> list[Capture]:
        cached = self.__dict__.get("_captures")
        if cached is None:  # readers are built once and never change (reader_of is cached)
            cached = [c for p in self.passes for c in p.captures]
            if self.listing is not None:
                cached += self.listing.body.captures
            self.__dict__["_captures"] = cached
        return cached

    @property
    def is_empty(self) -> bool:
        return self.literal == "" and not self.captures and not self.opaque


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self, prefix: str = "g") -> str:
        self.n += 1
        return f"{prefix}{self.n}"


# ------------------------------------------------------------------------ literals


def _variants(ch: str) -> str:
    out = {ch, unicodedata.normalize("NFKC", ch)}
    code = ord(ch)
    if 0x21 <= code <= 0x7E:
        out.add(chr(code + 0xFEE0))
    if 0xFF01 <= code <= 0xFF5E:
        out.add(chr(code - 0xFEE0))
    if ch in "-－—–":
        out |= set("-－—–")
    if ch in "、,，":
        out |= set("、,，")
    return "".join(sorted(out))


_OPTIONAL_NOTE = re.compile(r"[（(]\s*(?:盖章|签章|公章|签字|签名|可选填|选填)\s*[）)]")


def literal_regex(text: str) -> str:
    """A literal as typed by a clerk: whitespace anywhere (line breaks, stray spaces),
    full- or half-width punctuation, case aside; a note in brackets such as （盖章） may be
    left out (``编制单位：…`` for the form's ``编制单位（盖章）：…``)."""
    m = _OPTIONAL_NOTE.search(text)
    if m:
        before, note, after = text[: m.start()], text[m.start() : m.end()], text[m.end() :]
        out = [x for x in (literal_regex(before), f"(?:{_literal_regex(note)})?", literal_regex(after)) if x]
        return r"\s*".join(out)
    return _literal_regex(text)


def _literal_regex(text: str) -> str:
    parts = []
    for ch in text:
        if ch.isspace():
            continue
        v = _variants(ch)
        if ch.isalpha() and ch.isascii():
            v = ch.lower() + ch.upper()
        parts.append(re.escape(v) if len(v) == 1 else "[" + "".join(re.escape(c) for c in v) + "]")
    return r"\s*".join(parts)


def _lit(text: str) -> Frag:
    return Frag(literal_regex(text), literal=text)


# ------------------------------------------------------------------------ paths


def path_of(node: nodes.Node) -> Target | None:
    """``a.b[0].c`` / ``a['k']`` → ('a', 'b', 0, 'c'); None for anything else."""
    if isinstance(node, nodes.Name):
        return (node.name,)
    if isinstance(node, nodes.Getattr):
        head = path_of(node.node)
        return None if head is None else (*head, node.attr)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        head = path_of(node.node)
        if head is None or not isinstance(node.arg.value, int | str):
            return None
        return (*head, node.arg.value)
    return None


def iterable_of(node: nodes.Node) -> tuple[Target, int] | None:
    """What a loop runs over, as a path and a first index: ``projects``, ``other_tasks or
    [empty]``, ``projects | selectattr('unit', 'none')``, ``p.spending_plan[4:]``."""
    path = path_of(node)
    if path is not None:
        return path, 0
    if isinstance(node, nodes.Or):
        return iterable_of(node.left)
    if isinstance(node, nodes.Filter) and node.name in ("selectattr", "rejectattr", "sort", "list") and node.node is not None:
        return iterable_of(node.node)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Slice):
        start = node.arg.start
        inner = path_of(node.node)
        if inner is not None and (start is None or isinstance(start, nodes.Const)) and node.arg.stop is None:
            return inner, int(start.value) if start is not None else 0
    return None


def implications_of(test: nodes.Node, negate: bool = False) -> list[tuple[Target, str]]:
    """What a test tells when it holds (``negate``: when it does not)."""
    if isinstance(test, nodes.Not):
        return implications_of(test.node, not negate)
    if isinstance(test, nodes.And) and not negate:
        return implications_of(test.left) + implications_of(test.right)
    if isinstance(test, nodes.Or) and negate:
        return implications_of(test.left, True) + implications_of(test.right, True)
    if isinstance(test, nodes.Compare) and len(test.ops) == 1:
        op = test.ops[0]
        path = path_of(test.expr)
        if path is not None and isinstance(op.expr, nodes.Const) and isinstance(op.expr.value, str):
            if (op.op == "eq" and not negate) or (op.op == "ne" and negate):
                return [(path, op.expr.value)]
    return []


def _source(node: nodes.Node) -> str:
    """A readable form of an expression for messages (not exact Jinja)."""
    path = path_of(node)
    if path is not None:
        return ".".join(str(p) for p in path)
    if isinstance(node, nodes.Filter):
        return f"{_source(node.node) if node.node is not None else ''} | {node.name}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return type(node).__name__


# ------------------------------------------------------------------------ expressions

_TEXT = r"(?P<{g}>.*?)"
_YEAR = r"(?P<{g}>[0-9０-９]{{4}})"  # contract 1: `year` is the budget year
_NUMBER = r"(?P<{g}>[-+]?[0-9０-９]+)"
_AMOUNT_TIGHT = r"(?P<{g}>[-+]?[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?|[-+]?[.．][0-9]+)?"


def frag_of(node: nodes.Node, counter: Counter, soft: bool = False) -> Frag:
    if isinstance(node, nodes.TemplateData):
        return _lit(node.data)
    if isinstance(node, nodes.Const):
        return _lit("" if node.value is None else str(node.value))
    if isinstance(node, nodes.Output):
        return _concat([frag_of(n, counter, soft) for n in node.nodes])
    if isinstance(node, nodes.Concat):
        return _concat([frag_of(n, counter, soft) for n in node.nodes])
    path = path_of(node)
    if path is not None:
        if path[0] == "loop":
            return Frag(r"[0-9]+" if path[-1] in ("index", "index0", "revindex", "length") else r".*?", numbering=True)
        g = counter.next()
        rx = (_YEAR if path == ("year",) else _TEXT).format(g=g)
        return Frag(rx, [Capture(g, path, soft=soft, regex=rx)])
    if isinstance(node, nodes.Add | nodes.Sub) and isinstance(node.right, nodes.Const) and isinstance(node.right.value, int):
        path = path_of(node.left)
        if path is not None:  # `year - 2` (a column headed 2020年实际执行数)
            g = counter.next()
            rx = _NUMBER.format(g=g)
            shift = node.right.value if isinstance(node, nodes.Sub) else -node.right.value
            return Frag(rx, [Capture(g, path, "int", soft=soft, offset=shift, regex=rx)])
    if isinstance(node, nodes.Filter):
        return _filter(node, counter, soft)
    if isinstance(node, nodes.CondExpr):
        yes = frag_of(node.expr1, counter, soft)
        no = frag_of(node.expr2, counter, soft) if node.expr2 is not None else _lit("")
        return _alternatives(counter, [(yes, implications_of(node.test)), (no, implications_of(node.test, True))])
    if isinstance(node, nodes.If):
        yes = _concat([frag_of(n, counter, soft) for n in node.body])
        no = _concat([frag_of(n, counter, soft) for n in node.else_]) if node.else_ else _lit("")
        return _alternatives(counter, [(yes, implications_of(node.test)), (no, implications_of(node.test, True))])
    if isinstance(node, nodes.Or):
        left, right = node.left, node.right
        if isinstance(right, nodes.Const) and not right.value:
            return frag_of(left, counter, soft)
        a = frag_of(left, counter, soft)
        if _is_field(right) and len(a.captures) == 1:
            # `a or b`, both fields: what is printed is a's, or b's when a was empty; b is
            # read too, softly (`signature.unit or department.name` names the department)
            b = frag_of(right, counter, True)
            if len(b.captures) == 1:
                first = a.captures[0]
                first.instead = b.captures[0].target
                a.captures.append(replace(b.captures[0], group=first.group, soft=True))
            return a
        b = frag_of(right, counter, True)
        return _alternatives(counter, [(b, []), (a, [])])
    return Frag(r".*?", opaque=[_source(node)])


def _filter(node: nodes.Filter, counter: Counter, soft: bool) -> Frag:
    name = node.name
    inner = node.node
    if inner is None:
        return Frag(r".*?", opaque=[f"| {name}"])
    if name == "merge":
        f = frag_of(inner, counter, soft)
        for c in f.captures:
            c.merge = True
        f.merged_literal = f.is_literal
        return f
    if name in _PASSTHROUGH:
        return frag_of(inner, counter, soft)
    path = path_of(inner)
    if name == "cn":
        if path is not None and path[0] == "loop":
            return Frag(f"[{_CN_DIGITS}]+", numbering=True)
        return Frag(r".*?", opaque=[_source(node)])
    if path is None:
        if name in ("default", "d"):
            return frag_of(nodes.Or(inner, node.args[0]) if node.args else inner, counter, soft)
        return Frag(r".*?", opaque=[_source(node)])
    g = counter.next()
    if name == "amount":
        unit = path_of(node.args[0]) if node.args else None
        cap = Capture(g, path, "amount", soft=soft, unit_target=unit, regex=_TEXT.format(g=g))
        return Frag(_TEXT.format(g=g), [cap], tight=_AMOUNT_TIGHT.format(g=g))
    if name == "blank":
        return Frag(_TEXT.format(g=g), [Capture(g, path, "blank", soft=soft, regex=_TEXT.format(g=g))])
    if name == "check" and node.args and isinstance(node.args[0], nodes.Const):
        option = str(node.args[0].value)
        regex = f"(?P<{g}>[{CHECKED}☐□○◯]?)\\s*{literal_regex(option)}"
        return Frag(regex, [Capture(g, path, "choice", soft=soft, choice=option)], literal=option)
    if name == "join":
        sep = str(node.args[0].value) if node.args and isinstance(node.args[0], nodes.Const) else ""
        return Frag(_TEXT.format(g=g), [Capture(g, path, "list", soft=soft, sep=sep, regex=_TEXT.format(g=g))])
    if name in ("default", "d"):
        return Frag(_TEXT.format(g=g), [Capture(g, path, soft=soft, regex=_TEXT.format(g=g))])
    return Frag(r".*?", opaque=[_source(node)])


def _concat(parts: list[Frag]) -> Frag:
    parts = _item_number([p for p in parts if p.regex or p.captures])
    regex = []
    for i, p in enumerate(parts):
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        if p.tight and nxt is not None and not nxt.literal.strip():
            regex.append(p.tight)  # `amount ~ unit`: the number ends where the unit starts
            for c in p.captures:
                c.regex = p.tight
        else:
            regex.append(p.regex)
    runs: list[str] = [""]
    for p in parts:
        if p.is_literal:
            runs[-1] += p.literal
        else:  # a capture (or several) with its own literal runs: separate runs
            runs += [*(p.pieces or []), ""]
    out = Frag(
        r"\s*".join(regex),  # a clerk's space between a label and a number (目标 3)
        [c for p in parts for c in p.captures],
        [i for p in parts for i in p.implications],
        "".join(p.literal for p in parts),
        [o for p in parts for o in p.opaque],
        numbering=any(p.numbering for p in parts),
        pieces=None if all(p.is_literal for p in parts) else [r for r in runs if r.strip()],
    )
    if len(parts) == 1:
        out.tight, out.merged_literal = parts[0].tight, parts[0].merged_literal
    return out


def _item_number(parts: list[Frag]) -> list[Frag]:
    """A list item's number before its text (``（{{ loop.index | cn }}）{{ d }}``,
    ``{{ loop.index }}.{{ s }}``): numbering only, typed by the clerk in any common way
    (1. 1、 一、 (一) …) or not at all, so the text after it is the item whichever way it is
    numbered. Only a number with nothing but its punctuation around it, at the start, before
    a capture: ``目标{{ loop.index }}`` keeps its words."""
    k = next((n for n, p in enumerate(parts) if p.numbering), None)
    if k is None or not all(p.is_literal and p.literal.strip() and set(p.literal.strip()) <= _NUMBER_MARKS for p in parts[:k]):
        return parts
    end = k + 1
    while end < len(parts) and parts[end].is_literal and set(parts[end].literal.strip()) <= _NUMBER_MARKS:
        end += 1
    if end == len(parts) or not parts[end].captures or parts[k].captures or parts[k].implications:
        return parts
    before = "".join(p.literal for p in parts[:k])
    after = "".join(p.literal for p in parts[k + 1 : end])
    group = f"{NUMBER_GROUP}{next(_numbers)}"  # unset when the clerk typed no number (cells.py scores it less)
    number = Frag(f"(?P<{group}>{_ANY_NUMBER})?", literal=before + after, numbering=True, pieces=[x for x in (before, after) if x.strip()])
    return [number, *parts[end:]]


def _alternatives(counter: Counter, alts: list[tuple[Frag, list[tuple[Target, str]]]]) -> Frag:
    """Alternatives tried longest literal first (a bare capture would match anything)."""
    order = sorted(range(len(alts)), key=lambda i: (-len(alts[i][0].literal.strip()), i))
    regex, captures, implications, opaque = [], [], [], []
    for i in order:
        frag, implied = alts[i]
        marker = counter.next("m")
        regex.append(f"(?P<{marker}>){frag.regex}")
        captures += frag.captures
        implications += frag.implications + [Implication(marker, t, v) for t, v in implied]
        opaque += frag.opaque
    longest = max((a[0] for a in alts), key=lambda f: len(f.literal))
    return Frag("(?:" + "|".join(regex) + ")", captures, implications, longest.literal, opaque, numbering=any(a[0].numbering for a in alts), pieces=[r for r in longest.runs() if r.strip()])


def _is_field(node: nodes.Node) -> bool:
    """A path, or a path through filters (``department.name``, ``x | string``)."""
    while isinstance(node, nodes.Filter) and node.node is not None:
        node = node.node
    return path_of(node) is not None


# ------------------------------------------------------------------------ cells


class TemplateTextError(ValueError):
    pass


@lru_cache(maxsize=4096)
def reader_of(text: str) -> Reader:
    """The reader of one template cell (or paragraph) text."""
    reader = Reader(text)
    stripped = text.strip()
    if not stripped:
        reader.literal = ""
        return reader
    if "{{" not in text and "{%" not in text:
        reader.literal = norm_label(text)
        return reader
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateTextError(str(exc)) from None
    body = [n for n in tree.body if not (isinstance(n, nodes.Output) and _blank_output(n))]
    counter = Counter()
    if len(body) == 1 and isinstance(body[0], nodes.For):
        listing = _listing(body[0])
        if listing is not None:
            reader.listing = listing
            return reader
    main = _concat([frag_of(n, counter) for n in body])
    if len(body) == 1 and isinstance(body[0], nodes.Output) and len(body[0].nodes) == 1:
        node = body[0].nodes[0]
        if isinstance(node, nodes.Or) and not (isinstance(node.right, nodes.Const) and not node.right.value):
            # `title or (year ~ '年…')`: A is what is printed; B's parts are read softly too
            a = frag_of(node.left, counter)
            b = frag_of(node.right, counter, soft=True)
            reader.passes.append(_pass(a))
            reader.fallback = True
            if b.captures or b.literal.strip():
                reader.passes.append(_pass(b))
            reader.literal_parts = norm_label(b.literal)
            reader.pieces = _labels(b)
            reader.opaque = a.opaque
            return reader
    if main.is_literal and not main.implications:  # `x {{ '☑' if f == 'x' else '□' }}` tells f: not a label
        reader.literal = norm_label(main.literal)
        reader.merged = main.merged_literal
        return reader
    reader.passes.append(_pass(main))
    reader.literal_parts = norm_label(main.literal)
    reader.pieces = _labels(main)
    reader.opaque = main.opaque
    return reader


def _labels(f: Frag) -> list[str]:
    out = []
    for run in f.runs():
        t = norm_label(run).strip(":,;.。、-—")
        if t.count("(") != t.count(")"):
            t = t.strip("()")
        if len(t) >= 2:
            out.append(t)
    return out


def _blank_output(n: nodes.Output) -> bool:
    return all(isinstance(x, nodes.TemplateData) and not x.data.strip() for x in n.nodes)


def _pass(f: Frag) -> Pass:
    return Pass(re.compile(r"\A\s*(?:" + f.regex + r")\s*\Z", re.S), f.captures, f.implications)


def _listing(loop: nodes.For) -> ListPass | None:
    it = iterable_of(loop.iter)
    if it is None or not isinstance(loop.target, nodes.Name) or loop.else_ or loop.test is not None:
        return None
    sep = "\n"
    body: list[nodes.Node] = []
    for n in loop.body:
        if isinstance(n, nodes.If) and _is_not_last(n.test) and not n.else_:
            sep = "".join(x.data if isinstance(x, nodes.TemplateData) else "" for o in n.body if isinstance(o, nodes.Output) for x in o.nodes) or sep
            continue
        body.append(n)
    text = _unparse(body)
    if text is None:
        return None
    return ListPass(it[0], it[1], loop.target.name, sep, reader_of(text.strip()))


def _is_not_last(test: nodes.Node) -> bool:
    return isinstance(test, nodes.Not) and path_of(test.node) == ("loop", "last")


def _unparse(body: list[nodes.Node]) -> str | None:
    """The Jinja text of a loop body made of outputs of paths and text (enough for cells)."""
    out = []
    for n in body:
        if not isinstance(n, nodes.Output):
            return None
        for x in n.nodes:
            if isinstance(x, nodes.TemplateData):
                out.append(x.data.replace("{", "{{ '{' }}"))
            else:
                src = _jinja(x)
                if src is None:
                    return None
                out.append("{{ " + src + " }}")
    return "".join(out)


def _jinja(node: nodes.Node) -> str | None:
    path = path_of(node)
    if path is not None:
        return str(path[0]) + "".join(f".{p}" if isinstance(p, str) and p.isidentifier() else f"[{p!r}]" for p in path[1:])
    if isinstance(node, nodes.Filter) and node.node is not None:
        inner = _jinja(node.node)
        if inner is None:
            return None
        args = []
        for a in node.args:
            s = _jinja(a) if not isinstance(a, nodes.Const) else repr(a.value)
            if s is None:
                return None
            args.append(s)
        return f"{inner} | {node.name}" + (f"({', '.join(args)})" if args else "")
    return None


def loop_header(tag: str) -> tuple[str, str] | None:
    """``for row in indicator_rows`` → ('row', 'indicator_rows') source text; None if not a for."""
    m = re.match(r"for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+)$", tag.strip(), re.S)
    return (m.group(1), m.group(2)) if m else None


def parse_expression(source: str) -> nodes.Node:
    tree = _ENV.parse("{{ " + source + " }}")
    out = tree.body[0]
    assert isinstance(out, nodes.Output)
    return out.nodes[0]
