"""Indicator values (指标值) and money amounts: read what clerks type, render it back.

Clerks write a value in many ways (``≥260 件``, ``$\\geq 95\\%$``, ``≧5个``, ``1``,
``2024年12月底前``, whole sentences). :func:`parse_value` splits a one-cell value into
sign / number / unit; :func:`from_parts` reads split cells (Sichuan ``≥ | 90 | %``).
The clerk's text is always kept in ``raw``; what cannot be split is kept whole in ``text``
with ``parsed=False``. Amounts are exact :class:`~decimal.Decimal` (never float).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

from .lazyre import compile_later  # patterns a clean render does not use (cold start: issue 23)

__all__ = ["QUALITATIVE", "SIGNS", "IndicatorValue", "normalise_text", "normalise_sign",
           "parse_value", "from_parts", "parse_amount", "convert_amount", "format_amount"]

QUALITATIVE = "定性"
SIGNS: tuple[str, ...] = ("≥", "≤", "=", ">", "<", "≈", QUALITATIVE)
_COMPARISONS = "≥≤=><≈"

# Single characters that always mean the same thing, wherever they stand.
_CHAR_MAP = str.maketrans(
    {chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}
    | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
    | {"％": "%", "．": ".", "／": "/", "＝": "=", "＞": ">", "＜": "<",
       "≧": "≥", "⩾": "≥", "≦": "≤", "⩽": "≤", "\u3000": " ", "\xa0": " "}
)
_LATEX_NAMES = "geqslant|leqslant|geq|leq|ge|le|approx|times"
_LATEX_WRAP = re.compile(rf"\$([^$]*\\(?:{_LATEX_NAMES}|%)[^$]*)\$")  # $\geq 95\%$
_LATEX_CMD = re.compile(rf"(?<!\\)\\({_LATEX_NAMES})(?![A-Za-z]) *")
_LATEX_SYMBOL = {"geqslant": "≥", "geq": "≥", "ge": "≥", "leqslant": "≤", "leq": "≤",
                 "le": "≤", "approx": "≈", "times": "×"}
_LEADING_APPROX = re.compile(r"^(?:≅|≃|～|~|约)(?= ?-?[0-9])")

# Units a one-cell value may end with: optional magnitude prefix, a base unit, "/" compounds
# (元/人/月, 元/每人) and "、" alternatives (件、次).  Anything else stays text.
_BASE_UNITS = (
    "% ‰ ℃ 人 人次 人数 人天 人日 人月 个 个月 个工作日 工作日 个百分点 百分点 件 件次 次 场 场次 "
    "套 名 元 份 户 户次 月 年 天 日 周 季度 小时 分钟 秒 起 家 所 项 批 台 辆 张 本 册 条 篇 期 班 "
    "处 座 间 米 平方米 平米 立方米 公里 千米 亩 公顷 吨 公斤 千克 克 株 棵 头 只 分 岗 届 点 站 部 "
    "组 支 笔 宗 单 例 位 课时 学时 轮 类 种 门 块 栋 层 床 村 倍 万 亿"
).split()
_BASE = "(?:" + "|".join(map(re.escape, sorted(_BASE_UNITS, key=len, reverse=True))) + "|[A-Za-z]+)"
_PREFIX = "(?:百万|千万|万|亿|千|百)?"
_SEGMENT = rf"{_PREFIX}{_BASE}(?:/每?{_PREFIX}{_BASE})*"
_UNIT = rf"{_SEGMENT}(?:、{_SEGMENT})*"
_NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"
_VALUE_RE = re.compile(
    rf"(?P<sign>[{_COMPARISONS}])? ?(?P<num>{_NUMBER}) ?(?P<unit>{_UNIT})?"
    r"(?P<tail> ?(?:及以上|及以下|以上|以下|以内|之内|左右))?"
)
# A phrase of at most 20 characters without these is qualitative (是, 2024年12月底前).
_NOT_PHRASE = re.compile(r"[≥≤=><≈%，,；;。：:、！？!?（）()\[\]【】\n]")

_SIGN_WORDS = {  # sign cells written in words or as a lone variant (after normalise_text)
    "大于等于": "≥", "大于或等于": "≥", "不低于": "≥", "不少于": "≥", "不小于": "≥",
    "小于等于": "≤", "小于或等于": "≤", "不高于": "≤", "不超过": "≤", "不大于": "≤",
    "等于": "=", "大于": ">", "高于": ">", "小于": "<", "低于": "<",
    "≅": "≈", "≃": "≈", "～": "≈", "~": "≈", "约": "≈", "约等于": "≈",
}


def _normalise_once(s: str) -> str:
    s = s.translate(_CHAR_MAP)
    s = _LATEX_WRAP.sub(r"\1", s)
    s = _LATEX_CMD.sub(lambda m: _LATEX_SYMBOL[m.group(1)], s)
    s = re.sub(r"(?<!\\)\\%", "%", s)
    s = s.replace(">=", "≥").replace("<=", "≤").replace("==", "=")
    s = re.sub(r"[^\S\n]+", " ", s)
    s = re.sub(r" ?\n ?", "\n", s).strip()
    return _LEADING_APPROX.sub("≈", s)


@lru_cache(maxsize=1 << 14)
def normalise_text(s: str) -> str:
    """Character-level clean-up: full-width → half-width, sign variants → canonical signs,
    LaTeX artefacts (``$\\geq 95\\%$`` → ``≥95%``), runs of spaces → one space, ends trimmed.
    A leading ``≅ ≃ ～ ~ 约`` before a number becomes ``≈``. Idempotent. Remembered per text
    (each render of a row's 指标值 asks; a form repeats its values)."""
    for _ in range(12):  # to a fixed point, so that normalising twice changes nothing
        nxt = _normalise_once(s)
        if nxt == s:
            break
        s = nxt
    return s


def normalise_sign(s: str | None) -> str | None:
    """A sign cell → one of :data:`SIGNS`, or None when empty.

    Accepts variants (``≧``, ``>=``, ``＝``, ``≅``, ``约``) and words (``不低于`` → ``≥``).
    Raises ValueError for anything else."""
    t = normalise_text(s or "").replace(" ", "")
    if not t:
        return None
    found = t if t in SIGNS else _SIGN_WORDS.get(t)
    if found:
        return found
    raise ValueError(f"指标性质应为 ≥ ≤ = > < ≈ 或 定性，现为“{s}”")


def _plain(d: Decimal) -> Decimal:
    """Drop needless trailing zeros without exponent notation: 5.0000 → 5, 1E+2 → 100."""
    sign, digits, exp = d.as_tuple()
    assert isinstance(exp, int), "finite Decimal expected"
    ds = list(digits)
    while exp < 0 and len(ds) > 1 and ds[-1] == 0:
        ds.pop()
        exp += 1
    if ds == [0]:
        return Decimal(0)
    if exp > 0:
        ds, exp = ds + [0] * exp, 0
    return Decimal((sign, tuple(ds), exp))


@dataclass(frozen=True)
class IndicatorValue:
    """One 指标值. ``raw`` is never altered.

    Kinds (``parsed`` True means the parts fully account for the value):

    * numeric: ``sign`` in ``≥ ≤ = > < ≈`` or None, ``number`` set, ``unit`` maybe ``""``;
    * qualitative: ``sign == "定性"``, ``text`` is the phrase (``是``, ``2024年12月底前``);
    * empty cell: everything None/empty, ``parsed`` True;
    * unparsed (``parsed`` False): ``text`` is the normalised raw text. ``sign``/``number``/
      ``unit`` are filled only for a number followed by 以上/以下/以内/左右 (``≥1万人以上``:
      ``≥``, 1, ``万人``), so checks can still read the figure; render shows the whole text.
    """

    raw: str
    sign: str | None
    number: Decimal | None
    unit: str
    text: str | None
    parsed: bool

    @property
    def qualitative(self) -> bool:
        return self.sign == QUALITATIVE

    @property
    def number_text(self) -> str:
        """The number as typed (``100.00``, ``3.0``), or ``""``."""
        return "" if self.number is None else format(self.number, "f")

    def render(self) -> str:
        """One-cell text: ``≥95%`` (no spaces) when parsed, else the normalised raw text."""
        if not self.parsed:
            return self.text or ""
        if self.qualitative:
            return (self.text or "") + self.unit
        return (self.sign or "") + self.number_text + self.unit

    def parts(self) -> tuple[str, str, str]:
        """Three cells (sign, value, unit): ``("≥", "95", "%")``, ``("定性", "优", "")``.

        A number without sign gives ``""`` as sign; an unparsed value puts its whole text
        in the value cell: ``("", "≥1万人以上", "")``."""
        if not self.parsed:
            return ("", self.text or "", "")
        if self.qualitative:
            return (QUALITATIVE, self.text or "", self.unit)
        return (self.sign or "", self.number_text, self.unit)

    def as_percent(self) -> Decimal | None:
        """The value as a percentage: ``95%`` → 95. Clerks type ``1`` meaning 100% and
        ``0.99`` meaning 99%, so a bare number between 0 and 1 is multiplied by 100.
        None for anything else (``260件``, bare ``25``, text)."""
        if self.number is None:
            return None
        if self.unit == "%":
            return self.number
        if self.unit == "" and 0 <= self.number <= 1:
            return _plain(self.number.scaleb(2))
        return None


def _as_text(raw: object) -> str:
    if isinstance(raw, bool):
        raise TypeError(f"指标值不能是布尔值：{raw!r}")
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):  # e.g. from YAML; repr is the shortest text that round-trips
        return format(Decimal(repr(raw)), "f")
    if isinstance(raw, Decimal):
        return format(raw, "f")
    raise TypeError(f"指标值应为文字或数字，现为 {type(raw).__name__}")


def _parse(raw: str, t: str) -> IndicatorValue:
    if not t:
        return IndicatorValue(raw, None, None, "", None, True)
    m = _VALUE_RE.fullmatch(t)
    if m:
        number, unit = Decimal(m["num"]), m["unit"] or ""
        if m["tail"]:
            return IndicatorValue(raw, m["sign"], number, unit, t, False)
        return IndicatorValue(raw, m["sign"], number, unit, None, True)
    m = _OPEN_UNIT_RE.fullmatch(t)
    if m and not m["unit"].endswith(_NOT_UNIT_ENDS):
        return IndicatorValue(raw, m["sign"], Decimal(m["num"]), m["unit"], None, True)
    if len(t) <= 20 and not _NOT_PHRASE.search(t):
        return IndicatorValue(raw, QUALITATIVE, None, "", t, True)
    return IndicatorValue(raw, None, None, "", t, False)


# a number and a short unit the list above does not know (≥200盏, ≤5千瓦时, =3台套, and the
# actual 150盏): quantitative all the same — a counting word is open-ended (a tester's 盏,
# 平方公里, 车次, 架次 … were read as 定性, and a 自评 form asked for a tier)
_OPEN_UNIT_RE = re.compile(
    rf"(?P<sign>[{_COMPARISONS}])? ?(?P<num>{_NUMBER}) ?(?P<unit>[\u4e00-\u9fff·]{{1,4}}(?:/每?[\u4e00-\u9fff]{{1,4}})?)"
)
_NOT_UNIT_ENDS = ("内", "前", "后", "底", "末", "初", "中", "左右", "以上", "以下")


def parse_value(raw: str | int | Decimal | None) -> IndicatorValue:
    """Read a one-cell 指标值 (``≥260 件``, ``$\\geq 95\\%$``, ``是``, a sentence …)."""
    text = _as_text(raw)
    return _parse(text, normalise_text(text))


def is_unit(text: str) -> bool:
    """``text`` is a unit a value may end with (万元, 人, %, 元/人)."""
    return re.fullmatch(_UNIT, text) is not None


def split_value(pieces: list[str]) -> bool:
    """The texts of cells side by side are one 指标值 cut only between its parts — sign,
    number, unit, 以上… (``≥ | 90 | %``, ``| 100 | %``, ``≥90 | %``); ``100% | 核对`` and
    ``950.25 | 核对`` are not (核对 is no unit: a note of the clerk's own)."""
    texts = [t for t in (normalise_text(p) for p in pieces) if t]
    joined = "".join(texts)
    m = _VALUE_RE.fullmatch(joined)
    if m is None:
        return False
    cuts = {m.start("num"), m.end("num")}
    cuts |= {m.start(g) for g in ("unit", "tail") if m[g]}
    at = 0
    for t in texts[:-1]:
        at += len(t)
        if at not in cuts:
            return False
    return True


def from_parts(
    sign: str | None, value: str | int | Decimal | None, unit: str | None = ""
) -> IndicatorValue:
    """Read split cells (指标性质 | 指标值 | 度量单位), e.g. ``("≥", "90", "%")``,
    ``("定性", "优", "")``. ``raw`` is the three cells joined by tabs, as typed.
    A 定性 sign is trusted as given; a unit cell is taken as typed (any unit).
    Cells that do not split cleanly are read as one text, like :func:`parse_value`."""
    cells = (_as_text(sign), _as_text(value), _as_text(unit))
    raw = "\t".join(cells)
    v, u = normalise_text(cells[1]), normalise_text(cells[2])
    try:
        s = normalise_sign(cells[0])
    except ValueError:  # unknown sign cell: keep all three cells as one unparsed text
        return IndicatorValue(raw, None, None, "", normalise_text(cells[0] + v + u), False)
    if s == QUALITATIVE:
        return IndicatorValue(raw, s, None, u, v, True)
    if re.fullmatch(_NUMBER, v) and not re.search(r"[0-9\s]", u):
        return IndicatorValue(raw, s, Decimal(v), u, None, True)
    return _parse(raw, normalise_text((s or "") + v + u))


# ---------------------------------------------------------------- amounts (金额)

_AMOUNT_RE = compile_later(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
AMOUNT_UNITS = {"元": 0, "万元": 4, "亿元": 8}  # the money units an amount may be given in, by power of ten


def _amount_error(x: object) -> ValueError:
    return ValueError(f"金额应为数字（如 350 或 1,734,952.06），现为“{x}”")


def parse_amount(x: str | int | Decimal) -> Decimal:
    """An exact amount: ``"1,734,952.06"``, ``"26843.80"`` (keeps its zeros), ``350``.
    Negative amounts are accepted. Raises ValueError (Chinese message) for text like ``五百``."""
    if isinstance(x, bool):
        raise _amount_error(x)
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise _amount_error(x)
        return x
    if isinstance(x, float):
        x = repr(x)
    text = normalise_text(str(x))
    if not _AMOUNT_RE.fullmatch(text):
        raise _amount_error(x)
    return Decimal(text.replace(",", ""))


def _unit_shift(unit: str) -> int:
    if unit not in AMOUNT_UNITS:
        raise ValueError(f"金额单位应为 元、万元 或 亿元，现为“{unit}”")
    return AMOUNT_UNITS[unit]


def convert_amount(d: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Exact conversion between 元 / 万元 / 亿元 (a decimal shift, never rounded).
    The result drops needless trailing zeros (50000.00 元 → 5 万元); the same unit
    returns ``d`` untouched."""
    shift = _unit_shift(from_unit) - _unit_shift(to_unit)
    if shift == 0:
        return d
    if not d.is_finite():
        raise _amount_error(d)
    sign, digits, exp = d.as_tuple()
    assert isinstance(exp, int)
    return _plain(Decimal((sign, digits, exp + shift)))


def format_amount(d: Decimal, unit: str, style: str) -> str:
    """Text for a cell. ``unit`` is the unit ``d`` is in.

    * ``"as_typed"``: the Decimal as given, no exponent (``26843.80``, ``350``, ``0``);
    * ``"yuan"``: converted to 元, thousands separators, two decimals, ROUND_HALF_UP
      (``1,734,952.06``, ``50,000.00``)."""
    _unit_shift(unit)  # validates the unit
    if style == "as_typed":
        return format(d, "f")
    if style == "yuan":
        y = convert_amount(d, unit, "元")
        with localcontext() as ctx:
            ctx.prec = max(28, y.adjusted() + 4)
            q = y.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return format(abs(q) if q == 0 else q, ",f")
    raise ValueError(f"金额格式应为 as_typed 或 yuan，现为“{style}”")
