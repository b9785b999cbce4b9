"""What a form's templates read: the context paths their Jinja can print (issue 16 item 1).

The ledger of what reaches the paper (checks/ledger.py) is derived from the templates
themselves, never from a hand-kept list: an admin who adds a column to a Word template makes
its field printed, one who removes a column makes it reported. The paths are found
statically, from the Jinja the renderers compile, so that ``goaldoc check`` (which renders
nothing) and ``goaldoc render`` give the same ledger; each form is read once per process and
template version (``forms._cached``), and the reading needs neither python-docx nor openpyxl
(stdlib zipfile and ElementTree: a ``goaldoc check`` stays as quick to start as before).

What the renderers compile:

* Word: docxtpl renders each part of the .docx (body, headers, footers) as one Jinja
  template over its XML, its ``{%p`` / ``{%tr`` / ``{%tc`` / ``{%r`` tags turned into plain
  ``{%``. The text of the part, its XML tags taken out, is that template for our purpose:
  the Jinja tags in the same order and nesting.
* Excel: each sheet of form.yaml ``sheets:`` is its template sheet's cells row by row, a
  ``{%tr …%}`` cell opening or closing a block (render/excel/workbook.py), inside a loop over
  the projects for ``for_each: projects`` (``item`` and ``project``) and a condition for
  ``when:``; the sheet's ``name:`` and the form's ``filename:`` are read too.

The Jinja is then walked as the importer reads a cell backwards (importer/expr.py): a path
such as ``p.budget.total`` is resolved through the loops that bound its head
(``{%tr for p in projects %}`` → ``projects.*.budget.total``). A path is *printed* when its
value is used (output, filter, comparison, argument); a path only tested for being there
(``{%tr if other_tasks %}``) or counted (``| length``) prints none of its content.
"""

from __future__ import annotations

import html
import pickle
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from jinja2 import Environment, TemplateSyntaxError, nodes

from ..lazyre import compile_later

if TYPE_CHECKING:
    from .spec import FormSpec

ContextPath = tuple[str, ...]  # ("projects", "*", "budget", "total"): "*" is any item of a list
ANY = "*"

# filters whose result says nothing of the value's content (a count, a test)
_COUNTING = frozenset({"length", "count", "wordcount"})
# filters that pick items by one of their attributes: the attribute decides what prints
_BY_ATTRIBUTE = frozenset({"selectattr", "rejectattr", "map", "sum", "groupby", "sort", "unique", "min", "max"})
_DOCX_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_DOCXTPL_TAG = re.compile(r"\{%-?\s*(?:p|tr|tc|r)\s")
_DOCXTPL_VAR = re.compile(r"\{\{-?\s*(?:p|tr|tc|r)\s")
_XML_TAG = re.compile(r"<[^>]*>")
_SHEET_TAG = re.compile(r"^\s*\{%-?\s*tr\s+(.*?)\s*-?%\}\s*$", re.S)
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_ENV = Environment()


@dataclass(frozen=True)
class Reads:
    """The context paths a form's templates read: ``printed`` (their value reaches the
    paper) and ``touched`` (tested or looped over as well)."""

    printed: frozenset[ContextPath] = field(default_factory=frozenset)
    touched: frozenset[ContextPath] = field(default_factory=frozenset)
    # lists printed as a table whatever the data holds: looped over under no condition (but
    # `not only`), so that an empty one prints an empty table (``{%tr for row in indicator_rows %}``)
    tables: frozenset[ContextPath] = field(default_factory=frozenset)
    notes: tuple[str, ...] = ()  # templates that could not be read (forms/syntax.py then says where and why)
    filters: frozenset[str] = field(default_factory=frozenset)  # the filters and tests (``is …``) they use
    tests: frozenset[str] = field(default_factory=frozenset)  # (forms/syntax.py: one goaldoc does not offer)

    def prints(self, path: ContextPath) -> bool:
        """Whether a value at ``path`` reaches the paper: a printed path is it, or holds it
        (``{{ goals | join }}`` prints every goal), or is a part of it (``row.value_parts[0]``)."""
        return any(_prefix(r, path) or _prefix(path, r) for r in self.printed)

    def shows(self, *schema: str, total_line: bool = False) -> bool:
        """Whether a value of the data at ``schema`` (its key path, list indexes as ``*``:
        ``"projects", "*", "manager"``) reaches the paper (:func:`context_paths`;
        ``total_line``: the value is of 部门预算支出's 合计 line)."""
        return any(self.prints(c) for c in context_paths(tuple(schema), total_line))

    def reaches(self, path: ContextPath) -> bool:
        """Whether the templates read anything at or below ``path`` (print or test it)."""
        return any(_prefix(path, r) for r in self.touched) or self.prints(path)


def names_read(spec: FormSpec) -> frozenset[str]:
    """Every name in a context path the form's templates read (print or test): for asking
    whether a form reads a part at all (``cover``, ``signature``, ``value_parts``, a field)."""
    reads = form_reads(spec)
    return frozenset(part for path in reads.printed | reads.touched for part in path if isinstance(part, str))


def _prefix(a: ContextPath, b: ContextPath) -> bool:
    return len(a) <= len(b) and b[: len(a)] == a


def form_reads(spec: FormSpec) -> Reads:
    """What the form's templates (Word and Excel), sheet names and file name read; once
    per process and template version."""
    from . import _cached

    files = [spec.folder / "form.yaml"] + [spec.folder / rel for rel in (spec.docx, spec.xlsx) if rel]
    files = [f for f in files if f.is_file()]
    key = ("reads", *(str(f.resolve()) for f in files))
    return _cached(key, files, lambda: _read_form_kept(spec))  # type: ignore[no-any-return]


def _read_form_kept(spec: FormSpec) -> Reads:
    """:func:`_read_form`, or what an earlier `goaldoc render` kept of it (codecache.py): the
    key holds everything it reads — this module's code, Jinja's version, the file name's
    text, the sheets, the Word and Excel templates' bytes. Parsing every template's Jinja
    was ~15 ms of a cold render, and of each worker's first department of each form."""
    from ..render.template import codecache

    def parts() -> tuple[object, ...]:
        import jinja2

        templates = [(rel, (spec.folder / rel).read_bytes() if (spec.folder / rel).is_file() else None) for rel in (spec.docx, spec.xlsx) if rel]
        return ("form reads", codecache.code_of(__name__), jinja2.__version__, spec.filename, [s.model_dump() for s in spec.sheets], templates)

    return codecache.get_or_make(parts, lambda: _read_form(spec), lambda r: pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL), _unpickled_reads)


def _unpickled_reads(data: bytes) -> Reads:
    reads = pickle.loads(data)  # noqa: S301 - made by an earlier run (codecache.py)
    if not isinstance(reads, Reads):
        raise TypeError(type(reads).__name__)
    return reads


def _read_form(spec: FormSpec) -> Reads:
    walker = _Walker()
    notes: list[str] = []
    sources: list[tuple[str, str, dict[str, ContextPath | None]]] = [("filename", spec.filename, {})]
    if spec.docx and (spec.folder / spec.docx).is_file():
        sources += [(f"{spec.docx} {part}", text, {}) for part, text in _docx_sources(spec.folder / spec.docx, notes)]
    if spec.xlsx and (spec.folder / spec.xlsx).is_file():
        sources += _xlsx_sources(spec, notes)
    for where, text, scope in sources:
        try:
            tree = _ENV.parse(text)
        except TemplateSyntaxError as exc:
            notes.append(f"{where}：{exc.message}")
            continue
        walker.block(tree.body, scope)
    return Reads(frozenset(walker.printed), frozenset(walker.touched), frozenset(walker.tables), tuple(notes), frozenset(walker.filters), frozenset(walker.tests))


# ---------------------------------------------------------------------- where the data shows

# an indicator's value as the rows show it
_VALUE_PARTS = ("value_text", "value_parts")


def context_paths(schema: tuple[str, ...], total_line: bool = False) -> list[ContextPath]:
    """Where the template context shows the data's value at ``schema`` (its key path with
    every list index as ``*``): the paths a template prints it through."""
    head, rest = schema[0], schema[1:]
    out: list[ContextPath]
    if head == "indicators":
        return [("indicator_rows", *r) for r in _indicator(rest)]
    if head == "projects":
        return [("projects", *r) for r in _project(rest)]
    if head == "units":
        if len(rest) >= 2 and rest[1] == "projects":
            inner = _project(rest[2:])
            return [("projects", *r) for r in inner] + [("units", ANY, "projects", *r) for r in inner]
        out = [("units", *rest)]
        if rest[1:] in (("code",), ("name",)):
            out.append(("units", ANY, "label"))
        return out
    if head == "department":
        out = [schema]
        if rest in (("code",), ("short_name",), ("name",)):
            out.append(("department", "label"))
        if rest == ("total",):
            out.append(("department_total",))
        if len(rest) >= 3 and rest[1] == ANY:  # a declared `lines` field
            out += [("department", "lines", rest[0], ANY, a) for a in _line_attrs(rest[2])]
        return out
    if head == "budget" and len(rest) >= 3 and rest[0] in ("expenditure", "income"):
        side, attrs = rest[0], _line_attrs(rest[2])
        out = [("budget", side, ANY, a) for a in attrs]
        out += [("budget_rows", ANY, side, a) for a in attrs]
        if side == "expenditure" and total_line and rest[2] in ("amount", "label"):
            out += [("budget", "total"), ("department_total",)]  # the 合计 line's amount (views.total_line)
        return out
    return [schema]


def _indicator(rest: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``indicators.*.value`` → the row's ``value`` and, with sign and unit, ``value_text`` /
    ``value_parts`` (indicators.IndicatorRow)."""
    if len(rest) < 2:
        return [rest]
    out = [rest]
    if rest[1] in ("sign", "value", "unit"):
        out += [(rest[0], a) for a in _VALUE_PARTS]
    return out


def _project(rest: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A project's field as ``projects.*`` shows it: its indicators also as ``rows``, its
    budget unit also as ``money_unit``, a declared ``lines`` field also under ``lines``."""
    if len(rest) < 2:
        return [rest]
    item, field = rest[0], rest[1:]
    out = [rest]
    if field[0] == "indicators":
        out += [(item, "rows", *r) for r in _indicator(field[1:])]
    elif field == ("budget", "unit"):
        out.append((item, "money_unit"))
    elif len(field) >= 3 and field[1] == ANY:
        out += [(item, "lines", field[0], ANY, a) for a in _line_attrs(field[2])]
    return out


def _line_attrs(name: str) -> list[str]:
    """A budget line's field and the view attributes made of it (views.line_views)."""
    return {
        "label": ["label", "indented", "group"],
        "level": ["level", "depth", "indented", "group", "group_key"],
    }.get(name, [name])


# ---------------------------------------------------------------------- Word


def _docx_sources(path: Path, notes: list[str]) -> list[tuple[str, str]]:
    try:
        with zipfile.ZipFile(path) as z:
            parts = [(n, z.read(n).decode("utf-8", "replace")) for n in z.namelist() if _DOCX_PARTS.match(n)]
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        notes.append(f"{path.name}：{exc}")
        return []
    out = []
    for name, xml in parts:
        text = html.unescape(_XML_TAG.sub("", xml))
        if "{" not in text:
            continue
        text = _DOCXTPL_VAR.sub("{{ ", _DOCXTPL_TAG.sub("{% ", text))
        out.append((name, text))
    return out


# ---------------------------------------------------------------------- Excel


def _xlsx_sources(spec: FormSpec, notes: list[str]) -> list[tuple[str, str, dict[str, ContextPath | None]]]:
    assert spec.xlsx
    path = spec.folder / spec.xlsx
    try:
        sheets = _sheet_cells(path)
    except (OSError, zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        notes.append(f"{path.name}：{exc}")
        return []
    out: list[tuple[str, str, dict[str, ContextPath | None]]] = []
    for k, sheet in enumerate(spec.sheets):
        scope: dict[str, ContextPath | None] = {"item": None, "project": None}
        if sheet.for_each == "projects":
            scope = {"item": ("projects", ANY), "project": ("projects", ANY)}
        body = []
        for text in sheets.get(sheet.template, []):
            m = _SHEET_TAG.match(text)
            body.append("{% " + m.group(1) + " %}" if m else text)
        text = "\n".join(body)
        if sheet.when:
            text = "{% if " + sheet.when + " %}" + text + "{% endif %}"
        out.append((f"{path.name} {sheet.template}", text, scope))
        out.append((f"form.yaml sheets[{k}].name", sheet.name, scope))
    return out


def _sheet_cells(path: Path) -> dict[str, list[str]]:
    """Each sheet's cell texts holding a ``{``, row by row."""
    return {name: [t for _r, _c, t in cells if "{" in t] for name, cells in sheet_texts(path).items()}


_CELL_REF = compile_later(r"([A-Z]{1,3})(\d+)$", 0)


def sheet_texts(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    """Each sheet's texts (shared and inline strings) as (row, column, text), row by row, in
    the workbook's order of sheets: an Excel template's cells as the admin saved them, read
    without openpyxl (forms/syntax.py: a look at every form folder stays quick)."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = [_string(si) for si in root.findall("m:si", _NS)]
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("pr:Relationship", _NS)}
        out: dict[str, list[tuple[int, int, str]]] = {}
        for sheet in book.findall("m:sheets/m:sheet", _NS):
            target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
            member = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if member not in names:
                continue
            root = ElementTree.fromstring(z.read(member))
            texts = []
            r = 0
            for row in root.iter(f"{{{_NS['m']}}}row"):
                r = int(row.get("r") or r + 1)
                col = 0
                for c in row.iter(f"{{{_NS['m']}}}c"):
                    ref = _CELL_REF.search(c.get("r") or "")
                    col = _column(ref.group(1)) if ref else col + 1
                    kind = c.get("t")
                    text = None
                    if kind == "s":
                        v = c.find("m:v", _NS)
                        if v is not None and v.text and v.text.isdigit() and int(v.text) < len(shared):
                            text = shared[int(v.text)]
                    elif kind == "inlineStr":
                        inline = c.find("m:is", _NS)
                        if inline is not None:
                            text = _string(inline)
                    if text is not None:
                        texts.append((r, col, text))
            out[sheet.get("name", "")] = texts
        return out


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _string(si: ElementTree.Element) -> str:
    """A shared or inline string: its text and rich-text runs (not the phonetic guides)."""
    parts = [si.findtext("m:t", "", _NS)]
    parts += [r.findtext("m:t", "", _NS) for r in si.findall("m:r", _NS)]
    return "".join(parts)


# ---------------------------------------------------------------------- the Jinja


Scope = dict[str, "ContextPath | None"]  # a name bound by a loop or {% set %}: its path, or None


class _Walker:
    """Collects the context paths a template reads, resolving loop variables to the lists
    they run over."""

    def __init__(self) -> None:
        self.printed: set[ContextPath] = set()
        self.touched: set[ContextPath] = set()
        self.tables: set[ContextPath] = set()
        self.filters: set[str] = set()
        self.tests: set[str] = set()
        self.conditions = 0  # enclosing {% if %}s (but `if not only`: check sees the whole bundle)

    # -- statements ---------------------------------------------------------------
    def block(self, body: list[nodes.Node], scope: Scope) -> None:
        scope = dict(scope)
        for node in body:
            self.stmt(node, scope)

    def stmt(self, node: nodes.Node, scope: Scope) -> None:
        if isinstance(node, nodes.Output):
            for n in node.nodes:
                self.expr(n, scope, "value")
        elif isinstance(node, nodes.For):
            over = self.iterable(node.iter, scope)
            if over is not None and not self.conditions:
                self.tables.add(over)
            inner = dict(scope)
            for name in _names(node.target):
                inner[name] = (*over, ANY) if over is not None else None
            if node.test is not None:
                self.expr(node.test, inner, "test")
            self.block(node.body, inner)
            self.block(node.else_, scope)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope, "test")
            tested = {self.resolve(n, scope) for n in node.test.find_all((nodes.Name, nodes.Getattr))}
            condition = int(bool(tested - {("only",), None}))
            self.conditions += condition
            self.block(node.body, scope)
            for elif_ in node.elif_:
                self.stmt(elif_, scope)
            self.block(node.else_, scope)
            self.conditions -= condition
        elif isinstance(node, nodes.Assign):
            target = _names(node.target)
            alias = self.resolve(node.node, scope)
            if alias is not None and len(target) == 1:
                self.touch(alias)  # {% set p = projects[0] %}: an alias, printed where it is used
            else:
                self.expr(node.node, scope, "value")
            for name in target:
                scope[name] = alias if len(target) == 1 else None
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for bound, value in zip(node.targets, node.values, strict=False):
                alias = self.resolve(value, scope)
                if alias is None:
                    self.expr(value, scope, "value")
                for name in _names(bound):
                    inner[name] = alias
            self.block(node.body, inner)
        elif isinstance(node, nodes.Macro | nodes.CallBlock | nodes.FilterBlock | nodes.AssignBlock | nodes.Scope):
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self.expr(child, scope, "value")
                else:
                    self.stmt(child, dict(scope))
        else:
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self.expr(child, scope, "value")
                else:
                    self.stmt(child, scope)

    # -- expressions --------------------------------------------------------------
    def touch(self, path: ContextPath) -> None:
        for i in range(1, len(path) + 1):
            self.touched.add(path[:i])

    def record(self, path: ContextPath, use: str) -> None:
        self.touch(path)
        if use == "value":
            self.printed.add(path)

    def resolve(self, node: nodes.Node, scope: Scope) -> ContextPath | None:
        """The context path of ``department.name``, ``row.value_parts[0]``, ``p`` (a loop
        variable) …; None for anything else."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            return None if node.name in ("loop", "range", "dict", "namespace", "cycler", "joiner", "true", "false", "none") else (node.name,)
        if isinstance(node, nodes.Getattr):
            head = self.resolve(node.node, scope)
            return None if head is None else (*head, node.attr)
        if isinstance(node, nodes.Getitem):
            head = self.resolve(node.node, scope)
            if head is None:
                return None
            if isinstance(node.arg, nodes.Const):
                return (*head, node.arg.value if isinstance(node.arg.value, str) else ANY)
            if isinstance(node.arg, nodes.Slice):
                return head
            return (*head, ANY)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            head = self.resolve(node.node.node, scope)  # d.get('当年度'), d.items()
            if head is not None and node.node.attr == "get" and node.args and isinstance(node.args[0], nodes.Const):
                return (*head, str(node.args[0].value))
            if head is not None and node.node.attr in ("items", "values"):
                return head
        return None

    def iterable(self, node: nodes.Node, scope: Scope) -> ContextPath | None:
        """What a loop runs over: ``projects``, ``p.rows or [empty]``, ``projects |
        selectattr('unit', 'none')``, ``p.spending_plan[4:]``, ``d.items()``."""
        self.expr(node, scope, "loop")
        if isinstance(node, nodes.Or):
            return self.iterable(node.left, scope)
        if isinstance(node, nodes.Filter) and node.node is not None and node.name in ("selectattr", "rejectattr", "sort", "list", "reverse", "unique"):
            return self.iterable(node.node, scope)
        path = self.resolve(node, scope)
        if path is not None and isinstance(node, nodes.Call):  # d.items(): (key, value) pairs
            return path
        return path

    def expr(self, node: nodes.Node, scope: Scope, use: str) -> None:
        """Record what ``node`` reads; ``use`` is how its value is used: printed
        (``value``), tested for being there (``test``) or looped over (``loop``)."""
        path = self.resolve(node, scope)
        if path is not None:
            self.record(path, "value" if use == "value" else "test")
            if isinstance(node, nodes.Call):
                for a in node.args:
                    self.expr(a, scope, "value")
            return
        if isinstance(node, nodes.Filter):
            self.filters.add(node.name)
            inner_use = "test" if node.name in _COUNTING else use
            if node.node is not None:
                self.expr(node.node, scope, inner_use)
                base = self.resolve(node.node, scope)
                attr = _attribute_arg(node)
                if base is not None and attr is not None and node.name in _BY_ATTRIBUTE:
                    self.record((*base, ANY, *attr.split(".")), "value")
            for a in node.args:
                self.expr(a, scope, "value")
            for kw in node.kwargs:
                self.expr(kw.value, scope, "value")
            return
        if isinstance(node, nodes.Test):
            self.tests.add(node.name)
            self.expr(node.node, scope, "test")
            for a in node.args:
                self.expr(a, scope, "value")
            return
        if isinstance(node, nodes.Compare):
            self.expr(node.expr, scope, "value")
            for op in node.ops:
                self.expr(op.expr, scope, "value")
            return
        if isinstance(node, nodes.CondExpr):
            self.expr(node.test, scope, "test")
            self.expr(node.expr1, scope, use)
            if node.expr2 is not None:
                self.expr(node.expr2, scope, use)
            return
        if isinstance(node, nodes.And | nodes.Or | nodes.Not):
            for child in node.iter_child_nodes():
                self.expr(child, scope, use)  # type: ignore[arg-type]
            return
        if isinstance(node, nodes.Call):
            if isinstance(node.node, nodes.Getattr):  # x.split('，'), x.strip(): x is printed
                self.expr(node.node.node, scope, "value" if use != "test" else use)
            else:
                self.expr(node.node, scope, use)
            for a in node.args:
                self.expr(a, scope, "value")
            for keyword in node.kwargs:
                self.expr(keyword.value, scope, "value")
            return
        if isinstance(node, nodes.Getattr | nodes.Getitem):  # of something computed
            self.expr(node.node, scope, use)
            if isinstance(node, nodes.Getitem):
                self.expr(node.arg, scope, "value")
            return
        for child in node.iter_child_nodes():
            self.expr(child, scope, "value")  # type: ignore[arg-type]


def _names(target: nodes.Node) -> list[str]:
    if isinstance(target, nodes.Name):
        return [target.name]
    if isinstance(target, nodes.Tuple):
        return [n for item in target.items for n in _names(item)]
    return []


def _attribute_arg(node: nodes.Filter) -> str | None:
    """``selectattr('unit', 'none')``, ``map(attribute='name')``, ``sum(attribute='funds')``."""
    for kw in node.kwargs:
        if kw.key == "attribute" and isinstance(kw.value, nodes.Const) and isinstance(kw.value.value, str):
            return kw.value.value
    if node.name in ("selectattr", "rejectattr", "groupby") and node.args and isinstance(node.args[0], nodes.Const):
        value = node.args[0].value
        return value if isinstance(value, str) else None
    return None


__all__ = ["ANY", "ContextPath", "Reads", "context_paths", "form_reads"]
