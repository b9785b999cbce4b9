"""Read rendered files back the way a user sees them: texts, grids, merges, strictness."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


TCPR_ORDER = (
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
    "tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange"
).split()


TBLPR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange"
).split()


def docx_body(data: bytes | Path) -> etree._Element:
    raw = data.read_bytes() if isinstance(data, Path) else data
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return etree.fromstring(z.read("word/document.xml"))


@dataclass
class CellInfo:
    row: int
    col: int
    span: int
    text: str
    vmerge: str | None  # "restart", "continue" or None
    relabelled: bool = False  # a merged label goaldoc printed again after a page break


def cell_text(tc: etree._Element) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(q("t"))) for p in tc.findall(q("p")))


def is_on(el: etree._Element | None) -> bool:
    """A Word on/off property (cantSplit, tblHeader …) is on: present, and its w:val (if
    any) not 0 / false / off — LibreOffice writes ``w:val="true"``, Word may write false."""
    return el is not None and el.get(q("val"), "1") not in ("0", "false", "off")


def grid_before_after(tr: etree._Element) -> tuple[int, int]:
    """(w:gridBefore, w:gridAfter) of a row: grid columns left empty before / after its cells."""
    trpr = tr.find(q("trPr"))
    out = []
    for name in ("gridBefore", "gridAfter"):
        el = None if trpr is None else trpr.find(q(name))
        out.append(int(el.get(q("val"), "0")) if el is not None else 0)
    return out[0], out[1]


def table_cells(tbl: etree._Element) -> list[list[CellInfo]]:
    rows = []
    for r, tr in enumerate(tbl.findall(q("tr"))):
        col, out = grid_before_after(tr)[0], []
        for tc in tr.findall(q("tc")):
            pr = tc.find(q("tcPr"))
            span = 1
            vm = None
            if pr is not None:
                gs = pr.find(q("gridSpan"))
                span = int(gs.get(q("val"))) if gs is not None else 1
                v = pr.find(q("vMerge"))
                if v is not None:
                    vm = v.get(q("val"), "continue")
            out.append(CellInfo(r, col, span, cell_text(tc), vm, _has_mark(tc, LABEL_MARK)))
            col += span
        rows.append(out)
    return rows


def docx_table_parts(data: bytes | Path) -> list[list[list[CellInfo]]]:
    """Every table of the body as the file holds it: a table goaldoc split at a page break
    is two tables here (see :func:`docx_tables`)."""
    return [table_cells(t) for t in docx_body(data).iter(q("tbl"))]


def is_page_separator(p: etree._Element) -> bool:
    """The one-point paragraph goaldoc puts between the parts of a table split at a page
    break (render/word/pages.py)."""
    if p.tag != q("p") or not page_break_before(p) or "".join(t.text or "" for t in p.iter(q("t"))):
        return False
    sp = p.find("w:pPr/w:spacing", NS)
    return sp is not None and sp.get(q("line")) == "20" and sp.get(q("lineRule")) == "exact"


REPEAT_MARK, LABEL_MARK = "_GoaldocRepeat", "_GoaldocLabel"  # render/word/pages.py, render/excel/layout.py


def _has_mark(el: etree._Element, prefix: str) -> bool:
    return any((b.get(q("name")) or "").startswith(prefix) for b in el.iter(q("bookmarkStart")))


def docx_tables(data: bytes | Path) -> list[list[list[CellInfo]]]:
    """Every table of the body as a reader reads it, page breaks aside: the parts of a
    table split at a page break joined again, without the heading rows repeated at the top
    of each part, and a merged label printed again in a part merged with the part above."""
    body = docx_body(data).find(q("body"))
    tables: list[list[list[CellInfo]]] = []
    previous: etree._Element | None = None
    for el in body.iter(q("tbl"), q("p")):
        if el.tag == q("p"):
            if el.getparent() is body and not is_page_separator(el):
                previous = None
            continue
        if el.getparent() is not body:
            tables.append(table_cells(el))  # a table in a cell
            continue
        part = table_cells(el)
        if previous is None or not tables:
            tables.append(part)
        else:
            _join(tables[-1], part, [_has_mark(tr, REPEAT_MARK) for tr in el.findall(q("tr"))])
        previous = el
    return tables


def _join(table: list[list[CellInfo]], part: list[list[CellInfo]], repeated: list[bool]) -> None:
    """Append a part of a split table to the rows before it: the heading rows goaldoc
    printed again left out, a label merged again joined to its merge above."""
    open_: dict[int, CellInfo] = {}
    for row in table:
        for c in row:
            if c.vmerge == "restart":
                open_[c.col] = c
            elif c.vmerge != "continue":
                open_.pop(c.col, None)
    rows = [row for row, again in zip(part, repeated, strict=True) if not again]
    for c in rows[0] if rows else []:
        if c.relabelled and c.col in open_:
            label = open_[c.col]
            # a long label: the rest of its text (its opening again, ending in …: a reminder)
            if c.text != label.text and not (c.text.endswith("…") and label.text.startswith(c.text[:-1])):
                label.text += c.text
            c.vmerge, c.text, c.relabelled = "continue", "", False
    base = len(table)
    for i, row in enumerate(rows):
        for c in row:
            c.row = base + i
        table.append(row)


def docx_vertical_merges(table: list[list[CellInfo]]) -> dict[int, list[tuple[int, int]]]:
    """{grid column: [(first row, rows spanned)]} of a table's vertical merges."""
    out: dict[int, list[tuple[int, int]]] = {}
    open_: dict[int, list[int]] = {}
    for row in table:
        for c in row:
            if c.vmerge == "restart":
                open_[c.col] = [c.row, 1]
                out.setdefault(c.col, []).append((c.row, 1))
            elif c.vmerge == "continue" and c.col in open_:
                open_[c.col][1] += 1
                out[c.col][-1] = (open_[c.col][0], open_[c.col][1])
    return out


def page_break_before(p: etree._Element) -> bool:
    """The paragraph ``p`` has pageBreakBefore on (w:val absent, or not 0/false)."""
    ppr = p.find(q("pPr"))
    el = None if ppr is None else ppr.find(q("pageBreakBefore"))
    return el is not None and el.get(q("val"), "1") not in ("0", "false", "off")


def docx_text(data: bytes | Path) -> str:
    body = docx_body(data)
    return "\n".join("".join(t.text or "" for t in p.iter(q("t"))) for p in body.iter(q("p")))


def docx_strictness(data: bytes | Path) -> list[str]:
    """What Word would object to: schema order of tcPr, a w:p closing each cell, text in
    merged-away cells, rows whose grid does not add up (w:gridBefore + the cells' spans +
    w:gridAfter), tcW / wBefore / wAfter differing from the grid; and rows that may split
    across pages (cantSplit missing or off)."""
    problems = []
    body = docx_body(data)
    for t_i, tbl in enumerate(body.iter(q("tbl"))):
        tblpr = tbl.find(q("tblPr"))
        names = [etree.QName(ch).localname for ch in tblpr] if tblpr is not None else []
        idx = [TBLPR_ORDER.index(n) for n in names if n in TBLPR_ORDER]
        if idx != sorted(idx) or len(idx) != len(names) or len(set(names)) != len(names):
            problems.append(f"table {t_i}: tblPr order {names}")
        grid = [int(g.get(q("w"))) for g in tbl.find(q("tblGrid")).findall(q("gridCol"))]
        for r_i, tr in enumerate(tbl.findall(q("tr"))):
            where = f"table {t_i} row {r_i}"
            trpr = tr.find(q("trPr"))
            if trpr is None or not is_on(trpr.find(q("cantSplit"))):
                problems.append(f"{where}: no cantSplit")
            before, after = grid_before_after(tr)
            gaps = (("wBefore", before, grid[:before]), ("wAfter", after, grid[len(grid) - after :]))
            for name, n, cols in gaps:
                el = None if trpr is None else trpr.find(q(name))
                if n and (el is None or int(el.get(q("w"), "-1")) != sum(cols)):
                    problems.append(f"{where}: {name} differs from tblGrid")
            col = before
            for c_i, tc in enumerate(tr.findall(q("tc"))):
                pr = tc.find(q("tcPr"))
                if pr is None or tc[0] is not pr:
                    problems.append(f"{where} cell {c_i}: tcPr missing or not first")
                    continue
                names = [etree.QName(ch).localname for ch in pr]
                idx = [TCPR_ORDER.index(n) for n in names if n in TCPR_ORDER]
                if idx != sorted(idx) or len(idx) != len(names) or len(set(names)) != len(names):
                    problems.append(f"{where} cell {c_i}: tcPr order {names}")
                if etree.QName(tc[-1]).localname != "p":
                    problems.append(f"{where} cell {c_i}: does not end with w:p")
                gs = pr.find(q("gridSpan"))
                span = int(gs.get(q("val"))) if gs is not None else 1
                tcw = pr.find(q("tcW"))
                if tcw is None or int(tcw.get(q("w"))) != sum(grid[col : col + span]):
                    problems.append(f"{where} cell {c_i}: tcW differs from tblGrid")
                v = pr.find(q("vMerge"))
                if v is not None and v.get(q("val")) is None and cell_text(tc).strip():
                    problems.append(f"{where} cell {c_i}: text in a merged-away cell")
                col += span
            if col + after != len(grid):
                problems.append(f"{where}: spans {col + after} grid columns of {len(grid)}")
        problems += _merges_out_of_heading(tbl, t_i)
    return problems


def _merges_out_of_heading(tbl: etree._Element, t_i: int) -> list[str]:
    """Word repeats heading rows (tblHeader) only when no vertical merge runs from them
    into the body."""
    rows = table_cells(tbl)
    trs = tbl.findall(q("tr"))
    heading = [tr.find(q("trPr")) is not None and is_on(tr.find(q("trPr")).find(q("tblHeader"))) for tr in trs]
    out = []
    for r in range(len(rows) - 1):
        if not heading[r] or heading[r + 1]:
            continue
        below = {c.col: c for c in rows[r + 1]}
        for c in rows[r]:
            if c.vmerge in ("restart", "continue") and below.get(c.col) and below[c.col].vmerge == "continue":
                out.append(f"table {t_i} row {r}: a merge runs from the heading row into the body (column {c.col})")
    return out


def docx_east_asia_font(data: bytes | Path) -> str | None:
    raw = data.read_bytes() if isinstance(data, Path) else data
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
    f = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    return None if f is None else f.get(q("eastAsia"))


def xlsx_book(data: bytes | Path):  # type: ignore[no-untyped-def]
    raw = data.read_bytes() if isinstance(data, Path) else data
    return load_workbook(io.BytesIO(raw))


# a number format goaldoc writes; _0 / _. after it is room for decimals the number lacks
# (amounts aligned on their decimal point: issue 20 item 4), showing nothing
_NUMBER_FORMAT = re.compile(r"(#,##)?0(?:\.(0+))?(?:_[0.])*")


def xlsx_shown(cell) -> str | None:  # type: ignore[no-untyped-def]
    """What Excel shows in ``cell``: a number as its number format says (``0.00`` →
    26843.80, ``#,##0.00`` → 1,734,952.06), text as it is. Fails on a number format it
    does not know, rather than guess."""
    value = cell.value
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    fmt = cell.number_format
    if fmt == "General":
        return str(value) if isinstance(value, int) else f"{value:.10g}"
    m = _NUMBER_FORMAT.fullmatch(fmt)
    assert m, f"{cell.coordinate}: number format {fmt!r} not understood by readback"
    places = len(m.group(2) or "")
    d = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format(d, ",f" if m.group(1) else "f")


def xlsx_texts(ws) -> list[str]:  # type: ignore[no-untyped-def]
    """Every non-empty cell of a sheet as Excel shows it (see xlsx_shown)."""
    return [xlsx_shown(c) for row in ws.iter_rows() for c in row if c.value is not None]


def xlsx_all_text(data: bytes) -> str:
    """The texts of every sheet, run together."""
    return "".join(t for ws in xlsx_book(data) for t in xlsx_texts(ws))


def file_text(data: bytes, fmt: str) -> str:
    """All the text of a rendered .docx or .xlsx."""
    return docx_text(data) if fmt == "docx" else xlsx_all_text(data)


def xlsx_row_of(ws, col: int, text: str) -> int:  # type: ignore[no-untyped-def]
    """The first row whose cell in column ``col`` holds ``text``."""
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value == text)


def xlsx_column_merges(ws, col: int, from_row: int = 1) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(first row, rows spanned) of the vertical merges that start in column ``col``
    (on row ``from_row`` or below)."""
    return sorted(
        (m.min_row, m.max_row - m.min_row + 1)
        for m in ws.merged_cells.ranges
        if m.min_col == col and m.max_row > m.min_row and m.min_row >= from_row
    )


def squash(text: str) -> str:
    return "".join(text.split())


XLSX_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def xlsx_sheet_xml(data: bytes, sheet_title: str | None = None) -> etree._Element:
    """The raw ``<worksheet>`` of a sheet (the first one if no title is given): what the
    file holds, not what openpyxl makes of it."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        book = etree.fromstring(z.read("xl/workbook.xml"))
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        sheets = list(book.iterfind(".//m:sheet", XLSX_NS))
        rid = next(s.get(f"{{{rel}}}id") for s in sheets if sheet_title is None or s.get("name") == sheet_title)
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        return etree.fromstring(z.read("xl/" + target.lstrip("/").removeprefix("xl/")))


def xlsx_cell_borders(data: bytes, sheet_title: str) -> dict[str, bool]:
    """{coordinate: True when all four sides have a border}, read from the raw XML.

    openpyxl's reader re-derives the borders of merged cells from the top-left cell, so it
    cannot tell what a file really holds; Excel draws what each cell's own style says.
    """
    ns = XLSX_NS
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = etree.fromstring(z.read("xl/styles.xml"))
    sheet = xlsx_sheet_xml(data, sheet_title)
    borders = []
    for b in styles.find("m:borders", ns):
        sides = [b.find(f"m:{s}", ns) for s in ("left", "right", "top", "bottom")]
        borders.append(all(s is not None and s.get("style") for s in sides))
    xfs = [int(x.get("borderId", "0")) for x in styles.find("m:cellXfs", ns)]
    return {c.get("r"): borders[xfs[int(c.get("s", "0"))]] for c in sheet.iterfind(".//m:c", ns)}


def xlsx_logical_book(data: bytes | Path):  # type: ignore[no-untyped-def]
    """The workbook as a reader reads it, page breaks aside: every sheet without the heading
    rows goaldoc printed again after a page break, and with each merged label cut by a break
    (printed again, or a long one continued) merged whole again. Values and merges only."""
    from openpyxl import Workbook

    book = xlsx_book(data)
    out = Workbook()
    out.remove(out.active)
    for ws in book:
        _logical_sheet(ws, out.create_sheet(ws.title))
    return out


def _marked(ws, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for name, dn in ws.defined_names.items():
        if name.startswith(prefix):
            out += [ref for _sheet, ref in dn.destinations]
    return out


def _logical_sheet(ws, dst) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    width = ws.max_column
    dropped = {int(ref.split(":")[0].strip("$")) for ref in _marked(ws, REPEAT_MARK)}
    labels = set()
    for ref in _marked(ws, LABEL_MARK):
        col, row = coordinate_from_string(ref.replace("$", ""))
        labels.add((row, column_index_from_string(col)))
    kept = [r for r in range(1, ws.max_row + 1) if r not in dropped]
    new_row = {r: k + 1 for k, r in enumerate(kept)}
    spans = {(m.min_row, m.min_col): [m.min_row, m.min_col, m.max_row, m.max_col] for m in ws.merged_cells.ranges}
    text = {(r, c): ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in range(1, width + 1)}
    # a merge running from a repeated heading row into the rows below goes on from above
    labels |= {k for k, m in spans.items() if m[0] in dropped and m[2] > m[0] and any(x not in dropped for x in range(m[0], m[2] + 1))}
    for r, c in sorted(labels):  # a label printed again: its part joins the part above
        part = spans.pop((r, c), [r, c, r, c])
        before = max(k for k in kept if k < r)
        above = next((m for m in spans.values() if m[1] == c and m[0] <= before <= m[2]), None)
        if above is None:
            above = spans[(before, c)] = [before, c, before, part[3]]
        mine, theirs = text[(r, c)], text[(above[0], c)]
        reminder = isinstance(mine, str) and mine.endswith("…") and str(theirs or "").startswith(mine[:-1])
        if mine != theirs and isinstance(mine, str) and not reminder:
            text[(above[0], c)] = (theirs or "") + mine  # a long label's rest
        above[2] = part[2]
        text[(r, c)] = None
    for r in kept:
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            if type(cell).__name__ == "MergedCell" or text[(r, c)] is None:
                continue
            d = dst.cell(new_row[r], c)
            d.value = text[(r, c)]
            d.number_format = cell.number_format
    for r1, c1, r2, c2 in spans.values():
        if r1 in dropped:
            continue
        last = max(k for k in kept if k <= r2)
        if (new_row[r1], c1) != (new_row[last], c2):
            dst.merge_cells(start_row=new_row[r1], start_column=c1, end_row=new_row[last], end_column=c2)
