"""RowMap: where a template sheet's rows went, for everything in a sheet that names a row."""

from __future__ import annotations

from openpyxl.worksheet.cell_range import CellRange

from goaldoc.render.excel.sheet import MAX_ROW, RowMap, shift_formula

# template: 1 title, 2 heading, 3 {%tr for %}, 4 the repeated row, 5 {%tr endfor %}, 6 total
# output: the loop ran three times -> rows 1, 2, 3 4 5, 6
LOOP = RowMap(emitted={1: [1], 2: [2], 4: [3, 4, 5], 6: [6]}, tag_pos={3: 3, 5: 5}, src_rows=6, out_rows=6)
# the same loop over nothing: the total moves up to row 3
EMPTY = RowMap(emitted={1: [1], 2: [2], 6: [3]}, tag_pos={3: 3, 5: 2}, src_rows=6, out_rows=3)


def test_a_repeated_row_covers_every_row_made_from_it():
    assert LOOP.runs(4, 4) == [(3, 5)]
    assert LOOP.runs(2, 6) == [(2, 6)]
    assert EMPTY.runs(4, 4) == []


def test_rows_below_the_template_keep_their_distance_to_the_end():
    assert LOOP.start(8) == 8 and EMPTY.start(8) == 5
    assert EMPTY.runs(4, 9) == [(3, 6)]  # nothing from the empty loop; the total (6 → 3), rows 7..9 → 4..6
    assert EMPTY.runs(1, MAX_ROW) == [(1, MAX_ROW)]  # a whole column: never enumerated


def test_points_and_ends():
    assert LOOP.cell("B5") == "B6"  # a tag row begins where the next written row does
    assert EMPTY.cell("D4") == "D3"
    assert LOOP.end(5) == 5 and EMPTY.end(5) == 2  # a break after the loop's last row
    ranges, shift = LOOP.ranges([CellRange("C4"), CellRange("A6:B6")])
    assert [r.coord for r in ranges] == ["C3:C5", "A6:B6"] and shift == -1


def test_merges_repeat_inside_a_loop_and_stretch_over_it():
    assert LOOP.merge_ranges(4, 4) == [(3, 3), (4, 4), (5, 5)]
    assert LOOP.merge_ranges(2, 6) == [(2, 6)]


def test_relative_references_of_a_formula_move_absolute_ones_stay():
    assert shift_formula("LEN(C8)>8", 5) == "LEN(C13)>8"
    assert shift_formula("AND($C8>0,C$2<>\"\")", 5) == "AND($C13>0,C$2<>\"\")"
    assert shift_formula('"是,否"', 5) == '"是,否"'
    assert shift_formula(None, 5) is None
