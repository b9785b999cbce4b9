"""Every mistake a Word template's Jinja makes, at once, each at its table, row and cell (or
paragraph) — and the one message of a template that fails while it renders.

docxtpl compiles a whole part (the body, a header, a footer) as one Jinja template, so Jinja
can only ever name its first syntax error. When that compile fails, the part is read again
here piece by piece, after docxtpl's own rewriting (``{%tr %}`` / ``{%p %}`` tags already
stand where their row or paragraph stood, render/word/locate.py): each table cell, each
paragraph outside tables, and each tag standing in for a row, cell or paragraph is compiled
on its own. A piece that fails is named with what is wrong and how to fix it.

A tag opened in one cell and closed in another (``{% if %}`` in one cell, ``{% endif %}`` two
cells on) is a legitimate template: a piece whose only trouble is a block opened or closed
outside it is compiled again with those ends added, and is named only when it fails still.
Where no piece can be blamed (a block left open somewhere across cells), Jinja's own error
on the whole part is said, located as before. With the pieces' mistakes set aside, the part
is compiled once more, so a block left open elsewhere is said in the same run — unless a
broken piece leaves the blocks unsure, and then only what is sure is said.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ...errors import Problem
from ..template.compiles import check_compiles
from ..template.markup import UNCLOSED_QUOTE, explain_template_error, undefined_name
from .locate import (
    _Scan,
    _snapshot,
    locate,
    template_line,
    unclosed_block_line,
    unclosed_quote_line,
)

_IN_HEADER = "页眉或页脚 "

# the rewritten XML as the pieces are read from it: Jinja first (a construct may hold XML
# docxtpl left in it), then XML tags, then text
_TOKEN = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|<[^>]*>|[^<{]+|\{+[^<{]*", re.S)
_ELEMENT = re.compile(r"<(/?)w:(tbl|tr|tc|p)(?=[\s/>])")
_CONSTRUCT = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
# a statement's first word: what opens or closes a block
_STATEMENT = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.S)
_ENDS = {
    "for": "{% endfor %}",
    "if": "{% endif %}",
    "with": "{% endwith %}",
    "filter": "{% endfilter %}",
    "macro": "{% endmacro %}",
    "call": "{% endcall %}",
    "set": "{% endset %}",
    "block": "{% endblock %}",
    "autoescape": "{% endautoescape %}",
    "raw": "{% endraw %}",
}
_OPENS = {
    "for": "{% for _ in () %}",
    "if": "{% if true %}",
    "with": "{% with %}",
    "filter": "{% filter upper %}",
    "macro": "{% macro _m() %}",
    "call": "{% call _m() %}",
    "set": "{% set _s %}",
    "block": "{% block _b %}",
    "autoescape": "{% autoescape true %}",
    "raw": "{% raw %}",
}


# ---------------------------------------------------------------------- a render's error


Parts = Callable[[], list[tuple[str, bool]]]  # a template's parts as docxtpl compiles them (document.template_parts)


def render_problems(template: Path, env: jinja2.Environment, tpl: Any, exc: BaseException, parts: Parts) -> list[Problem]:
    """What a render of the Word template that failed with ``exc`` says (T001): for a syntax
    error, every mistake of the template (:func:`docx_problems`); else, and where those find
    nothing, the one error at its place, as docxtpl met it (``tpl``: the template being
    rendered, holding the rewritten XML of the part that failed)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        try:
            found = docx_problems(template, env, parts)
        except Exception:  # noqa: BLE001 - the template could not be read again: the error as met
            found = []
        if found:
            return found
    header = tpl.rendering_part is not None and tpl.rendering_part is not tpl.docx.part
    return [_problem(str(template), tpl.rendering_src, exc, header)]


def _problem(file: str, src: str, exc: BaseException, header: bool) -> Problem:
    """One error of a part at its place, worked out from the part's rewritten XML."""
    return Problem(f"Word 模板有误：{_what(src, exc)}；位置：{_where(src, exc, header)}", (), file, code="T001")


def _quote_line(src: str, exc: BaseException) -> int | None:
    """A syntax error after a quote left open is the open quote's (docxtpl compiles the
    whole document as one template: the text runs on into later cells)."""
    if not isinstance(exc, jinja2.TemplateSyntaxError):
        return None
    line = unclosed_quote_line(src)
    return line if line is not None and line <= (exc.lineno or line) else None


def _what(src: str, exc: BaseException) -> str:
    return UNCLOSED_QUOTE if _quote_line(src, exc) else explain_template_error(exc)


def _line(src: str, exc: BaseException) -> int | None:
    """The line of the part's rewritten XML the error is on: Jinja's, but for a block left
    open (Jinja names the end of the part) and a quote left open (the next quote anywhere)."""
    line = template_line(exc)
    if isinstance(exc, jinja2.TemplateSyntaxError) and "end of template" in (exc.message or ""):
        line = unclosed_block_line(src) or line
    return _quote_line(src, exc) or line


def _where(src: str, exc: BaseException, header: bool) -> str:
    """Table, row and cell (or paragraph) of the template where the error is."""
    place = locate(src, _line(src, exc), undefined_name(exc))
    if place is None:
        return "无法确定是哪一格（请检查各处 {{ }} 和 {% %} 是否配对）"
    return f"{_IN_HEADER}{place}" if header else place


# ---------------------------------------------------------------------- every mistake

# a template's problems per file version and environment
_SCANNED: dict[tuple[str, int, int, int], list[Problem]] = {}
_SCANNED_KEPT = 16


def docx_problems(template: Path, env: jinja2.Environment, parts: Parts) -> list[Problem]:
    """Every syntax mistake of the Word template (T001), part by part (``parts``: the body,
    then its headers and footers, as render/word/document.py's template_parts gives them), in
    the order of the document; [] when every part compiles. The template as the admin saved
    it (no optional column taken out)."""
    st = template.stat()
    key = (str(template.resolve()), st.st_mtime_ns, st.st_size, id(env))
    found = _SCANNED.get(key)
    if found is None:
        found = []
        for src, header in parts():
            found += part_problems(str(template), src, env, header)
        if len(_SCANNED) >= _SCANNED_KEPT:
            _SCANNED.clear()
        _SCANNED[key] = found
    return list(found)


def part_problems(file: str, src: str, env: jinja2.Environment, header: bool = False) -> list[Problem]:
    """Every syntax mistake of one part's rewritten XML (see the module doc)."""
    try:
        _compile(env, src)
        return []
    except jinja2.TemplateSyntaxError as exc:
        whole = exc
    pieces = _pieces(src)
    broken = [(piece, error) for piece in pieces if (error := _error(env, piece.text)) is not None]
    if not broken:
        return [_problem(file, src, whole, header)]  # no piece to blame: Jinja's own error
    out = [_piece_problem(file, env, piece, error, header, src) for piece, error in broken]
    if all(piece.sure and _balanced(piece.text) is not None for piece, _error in broken):  # else its blocks are unsure
        rest = _without(src, [piece for piece, _error in broken])
        try:
            _compile(env, rest)
        except jinja2.TemplateSyntaxError as exc:
            more = _problem(file, rest, exc, header)
            if more.message not in {p.message for _line_no, p in out}:
                out.append((_line(rest, exc) or 0, more))
    return [p for _line_no, p in sorted(out, key=lambda x: x[0])]  # in the document's order


def _compile(env: jinja2.Environment, text: str) -> None:
    """Raises the TemplateSyntaxError compiling ``text`` raises (render/template/compiles.py:
    parsed, its filters and tests looked up; nothing kept)."""
    check_compiles(env, text)


@dataclass
class _Construct:
    """A ``{{ }}`` / ``{% %}`` of a piece: its text, its place as the admin sees it, where it
    starts in the piece's text, and where it is in the rewritten XML."""

    text: str
    place: str
    offset: int
    start: int
    end: int


@dataclass
class _Piece:
    """A cell, a paragraph outside tables, or a tag standing for a row, cell or paragraph:
    its text as Jinja reads it, its constructs, where its texts holding ``{`` are in the
    rewritten XML, and the place of its first ``{``."""

    kind: str  # "tc", "p" or "tag"
    parts: list[str] = field(default_factory=list)
    constructs: list[_Construct] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    first: str | None = None
    depth: int = 0  # paragraphs opened inside a paragraph piece (a text box)
    size: int = 0  # the length of its text so far

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def sure(self) -> bool:
        """Whether the blocks the piece opens and closes are read for sure: every ``{`` of it
        is in a construct, and every statement begins with a word Jinja knows (``{% iff %}``
        may have been meant to open what a later ``{% endif %}`` closes)."""
        if len(self.constructs) != len(self.spans):
            return False
        for c in self.constructs:
            if c.text.startswith("{%"):
                m = _STATEMENT.fullmatch(c.text)
                if m is None or not (m.group(1) in _KNOWN or m.group(1) in _ENDS or m.group(1)[3:] in _ENDS):
                    return False
        return True


# statements that open or close nothing
_KNOWN = frozenset({"else", "elif", "include", "import", "from", "extends", "print", "do", "break", "continue"})


def _pieces(src: str) -> list[_Piece]:
    """The pieces of a part's rewritten XML that hold a ``{``, in the document's order, their
    places counted as render/word/locate.py counts them."""
    scan = _Scan()
    out: list[_Piece] = []
    open_: list[_Piece] = []
    for m in _TOKEN.finditer(src):
        tok = m.group(0)
        if tok.startswith("<"):
            el = _ELEMENT.match(tok)
            if el is None:
                continue
            closing, name = el.group(1) == "/", el.group(2)
            if closing:
                scan.feed(f"</w:{name}>")
                if open_ and open_[-1].kind == name:
                    if open_[-1].depth:
                        open_[-1].depth -= 1
                    else:
                        open_.pop()
                continue
            alone = tok.endswith("/>")
            scan.feed("<w:p/>" if alone and name == "p" else f"<w:{name}>")
            if alone:
                continue
            if name == "tc":
                open_.append(_Piece("tc"))
                out.append(open_[-1])
            elif name == "p" and open_ and open_[-1].kind == "p":
                open_[-1].depth += 1
            elif name == "p" and not open_:
                open_.append(_Piece("p"))
                out.append(open_[-1])
            continue
        piece = open_[-1] if open_ else None
        braced = "{" in tok
        if piece is None:
            if not braced:
                continue
            piece = _Piece("tag")  # a tag standing where a row, cell or paragraph stood
            out.append(piece)
        if braced:
            place = _snapshot(scan, tok)
            piece.first = piece.first or place
            piece.spans.append((m.start(), m.end()))
            if _CONSTRUCT.fullmatch(tok):
                piece.constructs.append(_Construct(tok, place, piece.size, m.start(), m.end()))
                scan.feed(tok)
        piece.parts.append(tok)
        piece.size += len(tok)
    return [p for p in out if p.first is not None]


def _balanced(text: str) -> str | None:
    """``text`` with the ends of the blocks it opens or closes outside it added: an end tag
    whose block began in an earlier piece gets its beginning first, a block left open gets
    its end last. None when its own blocks cross (``{% if %}{% endfor %}``): no other piece
    can mend that."""
    stack: list[str] = []
    before: list[str] = []
    for m in _STATEMENT.finditer(text):
        word, rest = m.group(1), m.group(2)
        if word == "set" and "=" in rest:
            continue  # {% set x = … %} has no end
        if word in _ENDS:
            stack.append(word)
        elif word in ("else", "elif"):
            if not stack:
                before.insert(0, _OPENS["if"])
                stack.append("if")
        elif word.startswith("end") and word[3:] in _OPENS:
            if not stack:
                before.insert(0, _OPENS[word[3:]])
            elif stack[-1] == word[3:]:
                stack.pop()
            else:
                return None
    return "".join(before) + text + "".join(_ENDS[w] for w in reversed(stack))


def _error(env: jinja2.Environment, text: str) -> jinja2.TemplateSyntaxError | None:
    """The mistake of a piece on its own, None when it has none — a block it only opens or
    closes (another piece closes or opens it) is none."""
    try:
        _compile(env, text)
        return None
    except jinja2.TemplateSyntaxError as exc:
        first = exc
    balanced = _balanced(text)
    if balanced is None or balanced == text:
        return first
    try:
        _compile(env, balanced)
        return None
    except jinja2.TemplateSyntaxError as exc:
        return exc


def _piece_problem(
    file: str, env: jinja2.Environment, piece: _Piece, error: jinja2.TemplateSyntaxError, header: bool, src: str
) -> tuple[int, Problem]:
    """A broken piece's problem, and the line of the part it is on: at its first construct
    that fails on its own (what is wrong is that construct's mistake), else at the construct
    on the line Jinja names."""
    for c in piece.constructs:
        own = _error(env, c.text)
        if own is not None:
            what = UNCLOSED_QUOTE if unclosed_quote_line(c.text) else explain_template_error(own)
            return src.count("\n", 0, c.start) + 1, _at(file, what, c.place, header)
    text = piece.text
    line_start = sum(len(x) + 1 for x in text.split("\n")[: (error.lineno or 1) - 1])
    on_line = [c for c in piece.constructs if c.offset >= line_start] or piece.constructs[-1:]
    place = on_line[0].place if on_line else piece.first or ""
    at = on_line[0].start if on_line else piece.spans[0][0]
    what = UNCLOSED_QUOTE if unclosed_quote_line(text) else explain_template_error(error)
    return src.count("\n", 0, at) + 1, _at(file, what, place, header)


def _at(file: str, what: str, place: str, header: bool) -> Problem:
    return Problem(f"Word 模板有误：{what}；位置：{_IN_HEADER if header else ''}{place}", (), file, code="T001")


def _without(src: str, pieces: list[_Piece]) -> str:
    """The part with the broken pieces set aside: each construct blank but its block words
    (``{% for _ in () %}`` for a loop, ``{% endfor %}`` …), each other ``{`` of theirs a
    space; as many lines as before (the places Jinja then names are the same)."""
    cuts: list[tuple[int, int, str]] = []
    for piece in pieces:
        constructs = {(c.start, c.end) for c in piece.constructs}
        for a, b in piece.spans:
            text = src[a:b]
            kept = _skeleton(text) if (a, b) in constructs else text.replace("{", " ")
            cuts.append((a, b, kept + "\n" * (text.count("\n") - kept.count("\n"))))
    out, at = [], 0
    for a, b, kept in sorted(cuts):
        out += [src[at:a], kept]
        at = b
    out.append(src[at:])
    return "".join(out)


def _skeleton(construct: str) -> str:
    """A construct's block word alone: what it opens or closes, nothing to go wrong."""
    m = _STATEMENT.fullmatch(construct)
    if m is None:
        return ""
    word, rest = m.group(1), m.group(2)
    if word in _OPENS and not (word == "set" and "=" in rest):
        return _OPENS[word]
    if word == "elif":
        return "{% elif true %}"
    if word == "else" or (word.startswith("end") and word[3:] in _OPENS):
        return "{% " + word + " %}"
    return ""


__all__ = ["docx_problems", "part_problems", "render_problems"]
