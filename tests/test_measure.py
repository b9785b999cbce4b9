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


def _lopsided_reference(grid, widths):  # type: ignore[no-untyped-def]
    """fit.lopsided as it was before issue 23's fourth session: every filled cell measured."""
    from goaldoc.render.pages.fit import LOPSIDED, LOPSIDED_LINES
    from goaldoc.render.pages.measure import line_height

    rows: dict = {}  # type: ignore[type-arg]
    for k, c in enumerate(grid.cells):
        if c.text.strip():
            rows.setdefault(c.row, []).append((grid.height(k, widths) / line_height(c.text, c.size), c))
    takers: set[int] = set()
    donors: set[int] = set()
    for cells in rows.values():
        if len(cells) < 3:
            continue
        ranked = sorted(cells, key=lambda x: -x[0])
        (top, cell), (second, _c) = ranked[:2]
        if top >= LOPSIDED_LINES and top >= LOPSIDED * second:
            takers.update(range(cell.col, cell.col + cell.span))
            for _lines, other in ranked[1:]:
                if not other.merged_down:
                    donors.update(range(other.col, other.col + other.span))
    labels = {k for c in grid.cells if c.merged_down for k in range(c.col, c.col + c.span)}
    return takers, donors - takers - labels


def _random_grid(rng, words):  # type: ignore[no-untyped-def]
    """A random table for fitting: 2-6 columns, 1-8 rows of texts made of ``words``, spans,
    sizes, some cells merged."""
    from goaldoc.render.pages.fit import GridCell

    n = rng.randint(2, 6)
    widths = [rng.uniform(20, 160) for _ in range(n)]
    cells = []
    for r in range(rng.randint(1, 8)):
        col = 0
        while col < n:
            span = rng.choice([1, 1, 1, 2]) if col + 1 < n else 1
            text = "".join(rng.choice(words) for _ in range(rng.choice([1, 1, 2, 12, 30])))
            cells.append(GridCell(r, col, span, text, rng.choice([9.0, 10.5, 12.0]), rng.random() < 0.15))
            col += span
    return widths, cells


def test_lopsided_rows_are_found_as_the_reference_finds_them():
    """fit.lopsided measures only the rows of three filled cells or more, with each (first
    column, span)'s width summed once: on 400 random grids (long texts beside short ones,
    spans, merged labels, empty cells) it finds the same takers and donors as measuring
    every cell did."""
    import random

    from goaldoc.render.pages.fit import _Grid, lopsided

    rng = random.Random(23)
    words = ["指标", "满意度", "≥95%", "100", "万元", "新增满意度调查", "主要实施内容为开展各项工作并按期完成", "abc def", "2026.9325", ""]
    found = 0
    for _ in range(400):
        widths, cells = _random_grid(rng, words)
        grid = _Grid(widths, cells, 10.8)
        ours = lopsided(grid, grid.widths)
        assert ours == _lopsided_reference(_Grid(widths, cells, 10.8), widths)
        found += bool(ours[0])
    assert found > 20  # the grids do hold lopsided rows


def test_columns_fit_alike_whatever_the_process_measured_before(monkeypatch):
    """render/pages/fit.py keeps what it measured of each (text, size, padding) for the
    process: on 300 random grids (numbers to make room for, lopsided rows, widened columns)
    the widths are the same measured afresh, after all the others, and with the store let go
    at every grid."""
    import random

    from goaldoc.render.pages import fit
    from goaldoc.render.pages.fit import Widen, fit_columns

    rng = random.Random(9)
    words = ["指标", "满意度", "≥95%", "123456789012.34", "万元", "新增满意度调查", "主要实施内容为开展各项工作并按期完成", "abc def", "2026.9325", ""]
    grids = []
    for _ in range(300):
        widths, cells = _random_grid(rng, words)
        widen = [Widen(0, 1, 0.4)] if rng.random() < 0.3 else []
        grids.append((widths, cells, rng.choice([10.0, 10.8]), widen))

    def fitted() -> list[list[float]]:
        return [fit_columns(*grid) for grid in grids]

    alone = []
    for grid in grids:
        fit.forget_kinds()
        alone.append(fit_columns(*grid))
    assert fitted() == alone  # the store full of the others'
    assert sum(new != grid[0] for new, grid in zip(alone, grids, strict=True)) > 30  # the grids do move boundaries
    monkeypatch.setattr(fit, "_KEPT", 0)
    assert fitted() == alone
    fit.forget_kinds()
