"""The pagination model (render/pages/paginate.py), one rule per test, on made-up units."""

from __future__ import annotations

from goaldoc.render.pages.paginate import Heading, Span, Unit, paginate

PAGE = 100.0  # points; filled to 100 (fill=1) unless a test says


def rows(*heights: float, **flags: object) -> list[Unit]:
    return [Unit(h, **flags) for h in heights]  # type: ignore[arg-type]


def test_units_fill_a_page_and_the_next_starts_where_one_does_not_fit():
    layout = paginate(rows(30, 30, 30, 30, 30), PAGE, fill=1.0)
    assert layout.page_of == [0, 0, 0, 1, 1]
    assert layout.starts == [3] and layout.forced == {3} and layout.pages == 2


def test_pages_are_filled_to_the_fill_share_only():
    assert paginate(rows(30, 30, 30), PAGE, fill=0.85).page_of == [0, 0, 1]


def test_a_heading_at_the_foot_of_a_page_goes_to_the_next_with_its_rows():
    units = rows(40, 40, 15, 30, 30)
    units[2].heading, units[2].keep_next = 0, True
    for u in units[3:]:
        u.under = 0
    layout = paginate(units, PAGE, [Heading([2], 15)], fill=1.0)
    assert layout.page_of == [0, 0, 1, 1, 1]
    assert layout.repeat == {}  # it starts the page itself: nothing printed again


def test_the_heading_is_printed_again_on_every_page_its_rows_continue_on():
    units = rows(15, *([20] * 10))
    units[0].heading, units[0].keep_next = 0, True
    for u in units[1:]:
        u.under = 0
    layout = paginate(units, PAGE, [Heading([0], 15)], fill=1.0)
    # page 1: heading + 4 rows (95); later pages: heading again + 4 rows
    assert layout.starts == [5, 9]
    assert layout.repeat == {5: 0, 9: 0}


def test_the_signature_chain_moves_with_the_last_rows_of_its_table():
    units = rows(*([20] * 4), 10, 15, 15)  # 4 rows, a blank line, two signature lines
    for u in units[2:6]:
        u.keep_next = True  # the last two rows, the blank line and the first signature line
    layout = paginate(units, PAGE, fill=1.0)
    assert layout.starts == [2]  # the page breaks before the last two rows, not before the signature


def test_a_merged_label_breaks_between_rows_and_each_part_holds_it():
    units = rows(*([20] * 16))
    span = Span(0, 15, need=30, line=10)  # shorter than a quarter page: printed again whole
    layout = paginate(units, 200, spans=[span], fill=1.0)
    assert layout.starts == [10]
    assert [(c.span, c.at, c.head_lines) for c in layout.cuts] == [(0, 10, None)]
    assert layout.grow == {}  # both parts are taller than the label


def test_a_label_part_too_short_to_hold_it_moves_to_the_next_page():
    units = rows(*([20] * 12))
    span = Span(9, 11, need=45, line=10)
    layout = paginate(units, 200, spans=[span], fill=1.0)
    # rows 0-9 would fit (200), but row 9 alone could not hold the label (20 < 45)
    assert layout.starts == [9] and layout.cuts == [] and layout.grow == {}


def test_a_label_needing_more_than_its_rows_makes_them_taller():
    layout = paginate(rows(20, 20, 20), 200, spans=[Span(0, 1, need=50, line=10)], fill=1.0)
    assert layout.grow == {(0, 1): 10} and layout.fill == [70]


def test_a_label_longer_than_a_quarter_page_continues_on_the_next():
    units = rows(*([20] * 8))
    span = Span(0, 7, need=140, line=10)
    layout = paginate(units, PAGE, spans=[span], fill=1.0)
    (cut,) = layout.cuts
    assert cut.at == layout.starts[0] and cut.head_lines is not None and cut.head_lines >= 8


def test_a_unit_taller_than_a_page_runs_on_when_it_may_split():
    units = [Unit(30), Unit(250, splittable=True, line=10), Unit(30)]
    layout = paginate(units, PAGE, fill=1.0)
    assert layout.page_of == [0, 0, 3]  # 70 + 100 + 80 on pages 1-3, the last row after it
    assert layout.pages == 4


def test_a_page_break_of_the_template_starts_a_page_and_is_not_forced():
    units = rows(10, 10, 10)
    units[1].page_before = True
    layout = paginate(units, PAGE, fill=1.0)
    assert layout.starts == [1] and layout.forced == set()


def test_print_titles_take_room_on_every_page_after_the_first():
    units = rows(*([20] * 9))
    layout = paginate(units, PAGE, fill=1.0, titles=20, titles_from=0)
    assert layout.starts == [5]  # page 2 holds the titles and 4 rows
    assert layout.pages == 2


def test_flowing_text_fills_the_whole_page_rows_only_the_fill_share():
    text = [Unit(47, flows=True), Unit(47, flows=True)]  # the application breaks text at the foot
    assert paginate(text, PAGE, fill=0.9).starts == []
    table = rows(47, 47)
    assert paginate(table, PAGE, fill=0.9).starts == [1]  # our own breaks leave the application room


def _table(*heights: float, end_break: bool = True) -> list[Unit]:
    """A heading (15) and its rows, then a unit starting the next form on a page of its own."""
    units = rows(15, *heights, 10)
    units[0].heading, units[0].keep_next = 0, True
    for u in units[1:-1]:
        u.under = 0
    units[-1].page_before = end_break
    return units


def test_a_tables_last_row_never_stands_alone_under_its_heading_when_it_fits_the_page_before():
    """Issue 20 item 2 (liuzhi p7): heading 15 + four rows of 20 fill 95 of a page filled to
    93: the last row opened a page of its own under the repeated heading. It fits in the
    page's full height, so it stays."""
    layout = paginate(_table(20, 20, 20, 20), PAGE, [Heading([0], 15)], fill=0.93)
    assert layout.page_of[:5] == [0, 0, 0, 0, 0]
    assert layout.starts == [5]  # only the next form's page


def test_a_last_row_that_does_not_fit_takes_the_row_before_with_it():
    """Issue 20 item 2 (liuzhi p9): when the row does not fit on the page before even in
    its full height, the row before moves over too: the last page holds two rows."""
    layout = paginate(_table(20, 20, 20, 25), PAGE, [Heading([0], 15)], fill=0.93)
    assert layout.page_of[:5] == [0, 0, 0, 1, 1]  # 15 + 60 + 25 = 100: more than 98.5
    assert layout.repeat == {3: 0}


def test_a_table_that_runs_on_keeps_its_breaks():
    """Only a table's last page is looked at: a page of one row with more of the form
    after it on that page is no widow."""
    layout = paginate(_table(20, 20, 20, 20, 20, end_break=False), PAGE, [Heading([0], 15)], fill=0.93)
    assert layout.starts == [4]  # row 4 and the unit after it (10) share page 2
