"""How much room text takes when printed: widths, wrapped lines, heights (issue 9).

One measure for Word and Excel, so that both formats break their pages from the same
estimates. Widths are in ems of the font size:

* a character Unicode calls wide or fullwidth (CJK, 、，。) is 1 em; so is one it calls
  *ambiguous* (“ ” ‘ ’ ① ° × §): CJK fonts (宋体, and Noto CJK, which LibreOffice uses for
  it) draw these full width, and counting them as Latin made Excel rows too low (issue 9
  item 5);
* Latin letters, digits and punctuation are given the widths of DejaVu Serif, which
  LibreOffice substitutes for Times New Roman where that is not installed: wider than Times
  (a digit is 0.64 em, not 0.5), so an estimate made here holds in Word and WPS too.

Lines are broken the way word processors do: anywhere between CJK characters (but never
before a closing mark such as ，。）), only at spaces inside Latin words and numbers, and
inside a word only when it is longer than the line. A line is 1.44 em high when it holds
CJK text (Noto CJK's ascent + descent, measured in LibreOffice Writer and Calc), 1.17 em
when it holds only Latin text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

CJK_LINE = 1.44  # line height / font size of a line holding CJK text
LATIN_LINE = 1.17  # … of a line of Latin text only

# closing marks never start a line, opening marks never end one (GB/T 15834 line breaking)
_NO_START = set("，。、；：？！）》」』】〕〉”’％%,.;:?!)]}·…—～")
_NO_END = set("（《「『【〔〈“‘([{")

_LATIN = {
    **dict.fromkeys("0123456789", 0.64),
    **dict.fromkeys(".,:;!|'", 0.32),
    " ": 0.32,
    "-": 0.34,
    "%": 0.95,
    "/": 0.34,
    "(": 0.39,
    ")": 0.39,
    "+": 0.84,
    "=": 0.84,
    "<": 0.84,
    ">": 0.84,
    "*": 0.5,
    "$": 0.64,
    "#": 0.84,
    "&": 0.89,
    "@": 1.0,
    "_": 0.5,
    "~": 0.84,
}
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")
_AMOUNT = re.compile(r"\s*[-+]?\d[\d,]*(?:\.\d+)?\s*")


@lru_cache(maxsize=4096)
def char_em(ch: str) -> float:
    """The width of one character, in ems."""
    if ch in _LATIN:
        return _LATIN[ch]
    code = ord(ch)
    if code < 0x80:
        if ch.isupper():
            return 0.72 if ch not in "IJ" else 0.4
        if ch.islower():
            return 0.3 if ch in "ijlft" else (0.9 if ch in "mw" else 0.56)
        return 0.6
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F", "A"):
        return 1.0
    if eaw == "H":
        return 0.5
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Cf"):
        return 0.0
    return 0.6


def text_em(text: str) -> float:
    return sum(char_em(ch) for ch in text)


@lru_cache(maxsize=4096)
def is_wide(ch: str) -> bool:
    return ord(ch) >= 0x80 and unicodedata.east_asian_width(ch) in ("W", "F", "A")


def line_height(text: str, size: float) -> float:
    """The height of one line of ``text`` at ``size`` points (CJK lines are taller)."""
    return size * (CJK_LINE if has_wide(text) else LATIN_LINE)


@lru_cache(maxsize=1 << 16)
def has_wide(text: str) -> bool:
    """Whether the text holds a CJK character (asked of each text several times: fitting,
    measuring, each of a cell's lines)."""
    return any(is_wide(ch) for ch in text)


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between: one CJK character (with the closing marks after it
    and the opening marks before it), a Latin word or number with its trailing space."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if is_wide(ch) or ch in _NO_END:
            j = i + 1
            while ch in _NO_END and j < n and text[j - 1] in _NO_END:
                j += 1  # 《“ stay with what they open
            if ch in _NO_END and j < n:
                j += 1
            while j < n and text[j] in _NO_START:
                j += 1
            out.append(text[i:j])
            i = j
            continue
        j = i
        while j < n and not is_wide(text[j]) and text[j] not in _NO_END and text[j] != " ":
            j += 1
        while j < n and (text[j] == " " or text[j] in _NO_START):
            j += 1
        if j == i:
            j = i + 1
        out.append(text[i:j])
        i = j
    return out


def wrap(text: str, width_em: float) -> list[str]:
    """The lines ``text`` (one paragraph, no newlines) takes in a line ``width_em`` wide
    (from the text's pieces and their widths, found once per text: :func:`_pieces`)."""
    if width_em <= 0.5:
        width_em = 0.5
    lines: list[str] = []
    line, used = "", 0.0
    for w, whole, chars, tok in _pieces(text):
        if used + w <= width_em + 1e-9 or not line:
            if w > width_em and not line:  # a word longer than the line breaks inside
                for ch, cw in zip(tok, chars, strict=True):
                    if used + cw > width_em + 1e-9 and line:
                        lines.append(line)
                        line, used = "", 0.0
                    line += ch
                    used += cw
                continue
            line += tok
            used += whole
            continue
        lines.append(line)
        line, used = tok, whole
    lines.append(line)
    return lines


def line_count(text: str, width_pt: float, size: float) -> int:
    """Lines a text takes (each newline starts a paragraph) in a column ``width_pt`` wide."""
    width_em = round(width_pt / size, 3)
    return sum(lines_of(part, width_em) for part in text.split("\n"))


@lru_cache(maxsize=1 << 16)
def lines_of(part: str, width_em: float) -> int:
    """Lines of one paragraph (a form repeats its texts and widths: worth remembering):
    ``len(wrap(part, width_em))``, counted from the text's pieces and their widths, which
    are found once per text — fitting the columns and measuring the rows ask of the same
    texts at other widths."""
    if width_em <= 0.5:
        width_em = 0.5
    limit = width_em + 1e-9
    lines = 0
    started = False  # the line holds something
    used = 0.0
    for w, whole, chars, _tok in _pieces(part):
        if used + w <= limit or not started:
            if w > width_em and not started:  # a word longer than the line breaks inside
                for cw in chars:
                    if used + cw > limit and started:
                        lines += 1
                        started, used = False, 0.0
                    started = True
                    used += cw
                continue
            started = True
            used += whole
            continue
        lines += 1
        started, used = True, whole
    return lines + 1


@lru_cache(maxsize=1 << 15)
def _pieces(text: str) -> tuple[tuple[float, float, tuple[float, ...], str], ...]:
    """The pieces a line of ``text`` may break between (:func:`_tokens`), each with its
    width without its trailing spaces, its width, each character's width (summed in the
    characters' order: the floats text_em gives) and itself."""
    out = []
    for tok in _tokens(text):
        chars = tuple(map(char_em, tok))
        out.append((sum(chars[: len(tok.rstrip(" "))]), sum(chars), chars, tok))
    return tuple(out)


def text_height(text: str, width_pt: float, size: float, padding: float = 0.0) -> float:
    """Points ``text`` needs in a column ``width_pt`` wide at ``size`` points."""
    return line_count(text, width_pt, size) * line_height(text, size) + padding


def split_lines(text: str, width_pt: float, size: float, lines: int) -> tuple[str, str]:
    """``text`` cut after its first ``lines`` printed lines: (what fits, the rest). The cut
    falls between characters of a wrapped line, never inside a number."""
    if lines <= 0:
        return "", text
    width_em = width_pt / size
    head: list[str] = []
    used = 0
    parts = text.split("\n")
    for k, part in enumerate(parts):
        wrapped = wrap(part, width_em)
        if used + len(wrapped) <= lines:
            head.append(part)
            used += len(wrapped)
            if used == lines:
                rest = "\n".join(parts[k + 1 :])
                return "\n".join(head), rest
            continue
        take = lines - used
        cut = sum(len(x) for x in wrapped[:take])
        head.append(part[:cut])
        rest = "\n".join([part[cut:].lstrip(" ")] + parts[k + 1 :])
        return "\n".join(head), rest
    return "\n".join(head), ""


@lru_cache(maxsize=1 << 16)
def widest_number_em(text: str) -> float:
    """The width of the widest number in ``text`` (ems): what a column must hold so that no
    amount breaks inside (issue 9 item 4). Asked of every cell each time a table is fitted,
    Word's and Excel's alike, and a form repeats its texts (单位, 指标值): found once per text."""
    return max((text_em(m.group(0)) for m in _NUMBER.finditer(text)), default=0.0)



_UNIT_GROUP = re.compile(r"[（(][^（）()\n]{1,4}[）)]\s*$")  # （万元） （人） （%） ending a label
LABEL_MAX = 20  # characters: a heading or a line's label, not a clerk's sentence


_FORM_CONSTANT = re.compile(r"\{\{\s*(form\.\w+|budget\.unit|\w+\.budget\.unit|\w+\.money_unit)\s*\}\}")


def label_pattern(template_text: str) -> re.Pattern[str] | None:
    """For a template cell that prints the form's own words — no Jinja but a unit
    (预算资金（{{ project.budget.unit }}）) — the pattern its printed texts match; None for
    a cell that prints a clerk's text (which goaldoc never breaks)."""
    if len(template_text) > 60 or "{" in _FORM_CONSTANT.sub("", template_text):
        return None
    parts = _FORM_CONSTANT.split(template_text)
    literal = parts[0::2]  # split keeps the group: text, unit, text, unit …
    return re.compile(r"[^\s（）()]{1,4}".join(re.escape(x) for x in literal))


class Labels:
    """The printed texts that are a template's labels (:func:`label_pattern`)."""

    def __init__(self, template_texts: Iterable[str]):
        self.plain: set[str] = set()
        self.patterns: list[re.Pattern[str]] = []
        for text in set(template_texts):
            pattern = label_pattern(text)
            if pattern is None:
                continue
            if "{" in text:
                self.patterns.append(pattern)
            else:
                self.plain.add(text)
        # the patterns as one (A|B fullmatches a text exactly when A or B does): asked of every
        # cell of a table, Word's and Excel's
        self._any = re.compile("|".join(f"(?:{p.pattern})" for p in self.patterns)) if self.patterns else None

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and (text in self.plain or (self._any is not None and self._any.fullmatch(text) is not None))


def _line_ends(text: str, width: float, kinsoku: bool) -> list[int]:
    """Where a word processor breaks ``text`` filling lines ``width`` ems wide character by
    character: Word and Writer keep ，。） off a line's start and （ off its end (kinsoku),
    Calc does not."""
    ends: list[int] = []
    start, used = 0, 0.0
    for i, ch in enumerate(text):
        used += char_em(ch)
        if used <= width + 1e-9 or i == start:
            continue
        cut = i
        while kinsoku and cut > start + 1 and (text[cut] in _NO_START or text[cut - 1] in _NO_END):
            cut -= 1
        ends.append(cut)
        start, used = cut, text_em(text[cut : i + 1])
    return ends


def unit_break(text: str, width_pt: float, size: float) -> int | None:
    """Where a short label ending in a bracketed unit (预算金额（万元）, 预算资金（元）) breaks
    so that the unit stays whole: before its opening bracket, when a word processor would
    break the label inside the brackets (预算金额（万 / 元）; Calc even leaves （ at a line's
    end: 预算资金（ / 元）); else None (issue 20 item 4)."""
    if len(text) > LABEL_MAX or "\n" in text:
        return None
    m = _UNIT_GROUP.search(text)
    width = width_pt / size
    if m is None or m.start() == 0 or text_em(m.group().strip()) > width:
        return None
    if text_em(text.rstrip()) <= width:
        return None
    # the printed width may differ from the estimate by a few per cent (a reserve, margins)
    for w in (width * 0.96, width, width * 1.06, width * 1.12, width * 1.16):
        for kinsoku in (True, False):
            if any(m.start() < e < m.end() for e in _line_ends(text.rstrip(), w, kinsoku)):
                return m.start()
    return None


def is_amount(text: str) -> bool:
    """A cell that holds one number and nothing else (110641.64, 1,734,952.06): an amount,
    printed once — a label part on the next page leaves it blank (issue 16 item 4)."""
    return bool(_AMOUNT.fullmatch(text))


def opening(text: str, width_pt: float, size: float, lines: int) -> str:
    """The first ``lines`` printed lines of ``text``, ending in … where it is cut: what a
    long label shows again on the next page when all of it printed before (the project
    name, the 年度目标: a continued row says whose it is, issue 20 item 2)."""
    head, rest = split_lines(text, width_pt, size, max(lines, 1))
    if not rest.strip():
        return text
    head = head.rstrip()
    return (head[:-1] if len(head) > 1 else head) + "…"
