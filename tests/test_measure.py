"""How much room text takes (render/pages/measure.py)."""

from __future__ import annotations

from goaldoc.render.pages.measure import (
    char_em,
    line_count,
    split_lines,
    text_em,
    widest_number_em,
    wrap,
)


def test_cjk_and_full_width_punctuation_are_one_em():
    for ch in "中、，。（“”①°×":  # “ ” ① ° are East Asian *ambiguous*: full width in CJK fonts (issue 9 item 5)
        assert char_em(ch) == 1.0, ch
    assert char_em("a") < 0.7 and char_em("1") == 0.64


def test_lines_break_between_cjk_characters_but_never_inside_a_number():
    assert wrap("一二三四五六七八九十", 4) == ["一二三四", "五六七八", "九十"]
    lines = wrap("资金11434.23万元", 4)
    assert any("11434.23" in line for line in lines)


def test_a_closing_mark_never_starts_a_line():
    lines = wrap("一二三四，五六", 4)
    assert not any(line.startswith("，") for line in lines)


def test_newlines_start_lines():
    assert line_count("一\n二\n三", 100, 10) == 3


def test_split_lines_cuts_after_the_lines_that_fit():
    text = "一二三四五六七八九十" * 3
    head, rest = split_lines(text, 50, 10, 2)  # 5 characters a line
    assert head == text[:10] and rest == text[10:]


def test_widest_number():
    assert widest_number_em("共 2026.9325 万元，12 人") == text_em("2026.9325")
    assert widest_number_em("没有数字") == 0


def _reference_wrap(text: str, width_em: float) -> list[str]:
    """wrap() as it was written before issue 23 (each piece's widths summed at each call): the
    oracle for the pieces kept per text."""
    from goaldoc.render.pages.measure import _tokens, char_em, text_em

    if width_em <= 0.5:
        width_em = 0.5
    lines: list[str] = []
    line, used = "", 0.0
    for tok in _tokens(text):
        w = text_em(tok.rstrip(" "))
        if used + w <= width_em + 1e-9 or not line:
            if w > width_em and not line:
                for ch in tok:
                    cw = char_em(ch)
                    if used + cw > width_em + 1e-9 and line:
                        lines.append(line)
                        line, used = "", 0.0
                    line += ch
                    used += cw
                continue
            line += tok
            used += text_em(tok)
            continue
        lines.append(line)
        line, used = tok, text_em(tok)
    lines.append(line)
    return lines


def test_wrap_and_lines_of_break_as_the_reference_does():
    """wrap and lines_of work from each text's pieces, found once (issue 23: fitting and
    measuring ask of the same texts at other widths): the same lines as the reference, for
    CJK, Latin, numbers, marks that never start or end a line, words longer than the line,
    spaces."""
    import random

    from goaldoc.render.pages.measure import lines_of, wrap

    rnd = random.Random(23)
    alphabet = "中文字，。、（）《》“”％abc XYZ 0123456789.,%-/ ①×°　WWWmmmiii"
    texts = ["", " ", "  中", "Internationalisation-and-localisation", "1,234,567.89万元（含）", "（一）", "“引号”。"]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 70))) for _ in range(3000)]
    widths = (0.1, 0.5, 0.7, 1.0, 1.3, 2.999, 3, 4.5, 7.25, 13.333, 33.7)
    wrong = [
        (t, w)
        for t in texts
        for w in widths
        if wrap(t, w) != _reference_wrap(t, w) or lines_of(t, w) != len(_reference_wrap(t, w))
    ]
    assert wrong == []
