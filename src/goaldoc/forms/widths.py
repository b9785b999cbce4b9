"""Templates wider than the paper they print on (issue 22 item 6): an Excel sheet whose
columns are wider than the printable width of its page (fit-to-width would shrink every
character; without it the sheet prints on two pages side by side), a Word table wider
than the text area (it runs into the right margin, or is cut off). Said as 提醒 with the
template's place and the figures, for the admin who draws the folder (goaldoc forms,
goaldoc render): nothing is changed in the files.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from ..errors import Problem
from .spec import FormSpec

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SLACK = 1.02  # a table a hair wider than the text area (rounding in Word's grid) is no news
_CACHE: dict[tuple[str, int], list[Problem]] = {}


def _cm(points: float) -> str:
    return f"{points / 72 * 2.54:.1f}"


def width_notes(spec: FormSpec) -> list[Problem]:
    """提醒 T065 (Excel) / T066 (Word) for each template sheet or table wider than its page."""
    out: list[Problem] = []
    for fmt in spec.formats:
        path = spec.path(fmt)
        try:
            key = (str(path.resolve()), path.stat().st_mtime_ns)
        except OSError:
            continue  # a missing file is T014 of the form itself
        if key not in _CACHE:
            try:
                _CACHE[key] = _xlsx_notes(path, spec) if fmt == "xlsx" else _docx_notes(path)
            except Exception:  # noqa: BLE001 - a file the renderer cannot read says so itself
                _CACHE[key] = []
        out += _CACHE[key]
    return out


def _xlsx_notes(path: Path, spec: FormSpec) -> list[Problem]:
    from openpyxl import load_workbook
    from openpyxl.utils import range_boundaries

    from ..render.excel.paper import PAPER_POINTS, column_points, column_widths

    wb = load_workbook(path)
    out = []
    for name in dict.fromkeys(s.template for s in spec.sheets):
        if name not in wb.sheetnames:
            continue
        ws = wb[name]
        first, last = 1, ws.max_column
        if ws.print_area:
            area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
            first, _r1, last, _r2 = range_boundaries(area.split("!")[-1].replace("$", ""))
        widths = column_widths(ws, last)
        content = sum(column_points(widths[c]) for c in range(first, last + 1))
        ps = ws.page_setup
        paper_w, paper_h = PAPER_POINTS.get(int(ps.paperSize or 9), PAPER_POINTS[9])
        landscape = ps.orientation == "landscape"
        page = (paper_h if landscape else paper_w) - 72 * ((ws.page_margins.left or 0) + (ws.page_margins.right or 0))
        if content <= page * _SLACK:
            continue
        setup = ws.sheet_properties.pageSetUpPr
        fitted = setup is not None and setup.fitToPage and (ps.fitToWidth is None or int(ps.fitToWidth) >= 1)
        paper = f"{'横向' if landscape else '纵向'}纸张"
        what = (
            f"打印时“缩放到一页宽”会把整张表缩小到 {page / content:.0%}，字也跟着变小"
            if fitted
            else "打印时会分成左右两页"
        )
        out.append(
            Problem(
                f"工作表“{name}”各列合计宽 {_cm(content)} 厘米，比{paper}可印的宽度 {_cm(page)} 厘米宽：{what}："
                "请在 Excel 里把列调窄，或把左右页边距调小、改成横向",
                (),
                str(path),
                severity="W",
                code="T065",
                place=f"{name}!A1",
            )
        )
    return out


def _docx_notes(path: Path) -> list[Problem]:
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{_W}body")
    if body is None:
        return []
    out = []
    tables = 0
    pending: list[tuple[int, float]] = []  # (table number, width) until their section is known
    for el in body:
        if el.tag == f"{_W}tbl":
            tables += 1
            grid = el.find(f"{_W}tblGrid")
            width = sum(float(g.get(f"{_W}w", 0)) for g in (grid if grid is not None else []))
            pending.append((tables, width / 20))
            continue
        sect = el.find(f"{_W}pPr/{_W}sectPr") if el.tag == f"{_W}p" else (el if el.tag == f"{_W}sectPr" else None)
        if sect is not None:
            out += _too_wide(path, pending, sect)
            pending = []
    return out


def _too_wide(path: Path, tables: list[tuple[int, float]], sect: etree._Element) -> list[Problem]:
    size, margins = sect.find(f"{_W}pgSz"), sect.find(f"{_W}pgMar")
    if size is None:
        return []
    page = float(size.get(f"{_W}w", 0)) / 20
    if margins is not None:
        page -= (float(margins.get(f"{_W}left", 0)) + float(margins.get(f"{_W}right", 0))) / 20
    return [
        Problem(
            f"第 {n} 个表格宽 {_cm(width)} 厘米，比页面的正文宽度（纸宽减去左右页边距）{_cm(page)} 厘米宽"
            f" {_cm(width - page)} 厘米：Word 里表格会伸进右边距，打印时可能被裁掉：请在 Word 里把表格调窄"
            "（表格属性 → 表格 → 宽度），或把左右页边距调小",
            (),
            str(path),
            severity="W",
            code="T066",
            place=f"第 {n} 个表格",
        )
        for n, width in tables
        if page > 0 and width > page * _SLACK
    ]


__all__ = ["width_notes"]
