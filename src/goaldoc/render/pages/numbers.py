"""Page numbers where a template has none (issue 9 item 2), in one wording per form.

The admin's footer is the form's: a template that has one keeps it as it is. A template
without any gets the form's ``pages.page_numbers`` (default ``第 {page} 页 共 {pages} 页``) at
the right of the footer — Word: PAGE and NUMPAGES fields, Excel: ``&P`` / ``&N`` — and the
footer is moved inside the bottom margin if it would not fit there.

A form prints one wording in both files (issue 20 item 4): an Excel header or footer part
that holds "page N of M" and nothing else (``第 &P 页，共 &N 页``, ``&P/&N``) is written in
the form's ``pages.page_numbers``, which says what its Word footer says.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from ..word.names import qn

if TYPE_CHECKING:  # the Word path does not import openpyxl (tests/test_cli.py)
    from openpyxl.worksheet.worksheet import Worksheet

FOOTER_POINTS = 16.0  # one line of 10.5 pt text in a footer, with its leading
_PART = re.compile(r"(\{page\}|\{pages\})")


def docx_default_footer(document, fmt: str) -> bool:  # type: ignore[no-untyped-def]
    """Give the last section of a python-docx ``document`` a page-number footer if none of
    its sections has one. True when one was added."""
    body = document.element.body
    if any(el is not None for el in body.iter(qn("w:footerReference"))):
        return False
    section = document.sections[-1]
    footer = section.footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    ppr = p._p.get_or_add_pPr()
    jc = etree.SubElement(ppr, qn("w:jc"))
    jc.set(qn("w:val"), "right")
    for part in _PART.split(fmt):
        if part == "{page}":
            _field(p._p, "PAGE")
        elif part == "{pages}":
            _field(p._p, "NUMPAGES")
        elif part:
            _run(p._p).append(_text(part))
    sect = section._sectPr
    mar = sect.find(qn("w:pgMar"))
    if mar is not None:
        bottom = abs(int(mar.get(qn("w:bottom"), "1440")))
        footer_at = int(mar.get(qn("w:footer"), "720"))
        room = bottom - int(FOOTER_POINTS * 20)
        if footer_at > room:
            mar.set(qn("w:footer"), str(max(room, 200)))
    return True


def _run(p: etree._Element) -> etree._Element:
    r = etree.SubElement(p, qn("w:r"))
    rpr = etree.SubElement(r, qn("w:rPr"))
    etree.SubElement(rpr, qn("w:sz")).set(qn("w:val"), "21")
    return r


def _text(text: str) -> etree._Element:
    t = etree.Element(qn("w:t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return t


def _field(p: etree._Element, instr: str) -> None:
    for kind in ("begin", "instr", "separate", "result", "end"):
        r = _run(p)
        if kind == "instr":
            it = etree.SubElement(r, qn("w:instrText"))
            it.text = f" {instr} "
            it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        elif kind == "result":
            r.append(_text("1"))
        else:
            etree.SubElement(r, qn("w:fldChar")).set(qn("w:fldCharType"), kind)


# a header/footer part that is "page N of M" and nothing else: 第 &P 页[，] 共 &N 页, &P/&N
# (a part with the page alone, 第 &P 页 or - &P -, is a wording of the admin's own: kept)
_ONLY_NUMBER = re.compile(r"^\s*(第\s*&P\s*页[\s，,、]*共\s*&N\s*页|&P\s*/\s*&N)\s*$")


def xlsx_page_number_wording(ws: Worksheet, fmt: str) -> int:
    """Header and footer parts that are "page N of M" only, written in ``fmt`` (the form's
    ``pages.page_numbers``); returns how many were rewritten. A part with anything else in
    it (the unit's name, a date, fonts the admin set: ``&"宋体"``) stays as it is."""
    wording = fmt.replace("{page}", "&P").replace("{pages}", "&N")
    hf = ws.HeaderFooter
    done = 0
    for part in (hf.oddFooter, hf.evenFooter, hf.firstFooter, hf.oddHeader, hf.evenHeader, hf.firstHeader):
        for side in ("left", "center", "right"):
            item = getattr(part, side)
            if item.text and _ONLY_NUMBER.match(item.text) and item.text != wording:
                item.text = wording
                done += 1
    return done


def xlsx_default_footer(ws: Worksheet, fmt: str) -> bool:
    """A page-number footer for a sheet whose template has no header or footer text at all;
    True when one was added."""
    hf = ws.HeaderFooter
    parts = [hf.oddFooter, hf.oddHeader, hf.evenFooter, hf.firstFooter]
    if any(getattr(part, side).text for part in parts for side in ("left", "center", "right")):
        return False
    hf.oddFooter.right.text = fmt.replace("{page}", "&P").replace("{pages}", "&N")
    m = ws.page_margins
    if m.bottom is not None and (m.footer is None or m.bottom - m.footer < FOOTER_POINTS / 72 + 0.1):
        m.footer = max(m.bottom - FOOTER_POINTS / 72 - 0.1, 0.1)
    return True
