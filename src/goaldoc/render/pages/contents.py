"""A real 目录: each entry's pages worked out, not typed (issue 9 item 3).

The template prints ``{{ c.pages }}``; where the clerk typed no pages, that is a mark
(views.contents_views) which the renderer replaces once the pages are laid out. The n-th
entry lists the n-th form after the 目录: in Word, a form is what starts on a new page by
the template's own page break; in Excel, an output sheet.

Word: a hidden bookmark at each form's first and last paragraph, and PAGEREF fields in the
目录 (``2-8``), so Word and WPS can update them (F9) and LibreOffice computes them itself
whenever it lays the file out (goaldoc's PDF always prints LibreOffice's own pages, checked
by corrupting the stored numbers). The numbers stored in the fields — what Word and WPS show
until they update them — are the pagination model's, which equal LibreOffice's on every
sample (tests/test_print_rules.py). ``GOALDOC_LAYOUT_PASS=1`` stores LibreOffice's instead
(:func:`libreoffice_pages`): one LibreOffice run per render, ~1.5 s, so not the default —
a clerk renders a file many times while fixing it (issue 11).

Excel: pages are counted by the layout of each sheet (render/pages/paginate.py places every
break), and Excel, WPS and LibreOffice number a printed workbook's pages on across its
sheets, so a sheet starts on the page after the sheets before it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from lxml import etree

from ...views import PAGES_CLOSE, PAGES_OPEN
from ..word.names import qn

log = logging.getLogger(__name__)

MARK = re.compile(f"{PAGES_OPEN}(\\d+){PAGES_CLOSE}")
START, END = "_GoaldocForm", "_GoaldocFormEnd"
_W_P, _W_R, _W_T, _W_TBL = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:tbl")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def page_range(first: int, last: int) -> str:
    return f"{first}-{last}" if last > first else str(first)


# -- Excel ----------------------------------------------------------------------------------
def fill_xlsx_contents(sheets: Sequence[tuple[object, int]]) -> None:
    """Replace the page marks in the sheets' cells; ``sheets``: (worksheet, pages) in order."""
    first_page = []
    n = 1
    for _ws, pages in sheets:
        first_page.append(n)
        n += pages
    toc = next((k for k, (ws, _p) in enumerate(sheets) if _marks_in(ws)), None)
    if toc is None:
        return
    for ws, _pages in sheets:
        for row in ws.iter_rows():  # type: ignore[attr-defined]
            for cell in row:
                if isinstance(cell.value, str) and PAGES_OPEN in cell.value:

                    def pages_of(m: re.Match[str]) -> str:
                        k = toc + int(m.group(1))
                        if k >= len(sheets):
                            return ""
                        return page_range(first_page[k], first_page[k] + sheets[k][1] - 1)

                    cell.value = MARK.sub(pages_of, cell.value) or None


def _marks_in(ws: object) -> bool:
    return any(
        isinstance(c.value, str) and PAGES_OPEN in c.value
        for row in ws.iter_rows()  # type: ignore[attr-defined]
        for c in row
    )


# -- Word -----------------------------------------------------------------------------------
def has_contents_marks(body: etree._Element) -> bool:
    return any(t.text and PAGES_OPEN in t.text for t in body.iter(_W_T))


def form_starts(body: etree._Element, is_separator: Callable[[etree._Element], bool]) -> list[int]:
    """Indexes of the body's children where a new page starts by the template's own break
    (not the breaks pagination adds between the parts of a split table)."""
    starts = [0]
    children = list(body)
    for i, el in enumerate(children):
        if el.tag != _W_P or is_separator(el):
            continue
        ppr = el.find(qn("w:pPr"))
        if ppr is not None and ppr.find(qn("w:pageBreakBefore")) is not None and i:
            starts.append(i)
        elif any(br.get(qn("w:type")) == "page" for br in el.iter(qn("w:br"))):
            starts.append(i + 1 if _ends_with_break(el) else i)
        elif ppr is not None and ppr.find(qn("w:sectPr")) is not None:
            starts.append(i + 1)
    return sorted(set(s for s in starts if s < len(children)))


def _ends_with_break(p: etree._Element) -> bool:
    """Nothing but a paragraph mark after the paragraph's last page break."""
    seen = False
    for el in p.iter(qn("w:br"), _W_T):
        if el.tag == qn("w:br") and el.get(qn("w:type")) == "page":
            seen = True
        elif el.tag == _W_T and seen and el.text:
            return False
    return True


def mark_forms(
    body: etree._Element, is_separator: Callable[[etree._Element], bool], page_of: Callable[[etree._Element], int]
) -> dict[str, int]:
    """Bookmark the first and last paragraph of each form after the 目录; returns the
    model's page (1-based) of every bookmark."""
    children = list(body)
    starts = form_starts(body, is_separator)
    segments = [(a, (starts[k + 1] if k + 1 < len(starts) else len(children)) - 1) for k, a in enumerate(starts)]
    toc = next(k for k, (a, b) in enumerate(segments) if any(has_contents_marks(el) for el in children[a : b + 1]))
    ids = [int(v) for v in (b.get(qn("w:id")) for b in body.iter(qn("w:bookmarkStart"))) if v and v.isdigit()]
    next_id = max(ids, default=0) + 1000
    pages: dict[str, int] = {}
    for n, (a, b) in enumerate(segments[toc + 1 :], start=1):
        content = [el for el in children[a : b + 1] if el.tag in (_W_P, _W_TBL)]
        if not content:
            continue
        for name, p, at_end in ((f"{START}{n}", _first_paragraph(content[0]), False), (f"{END}{n}", _last_paragraph(content[-1]), True)):
            _bookmark(p, name, next_id, at_end)
            next_id += 1
        pages[f"{START}{n}"] = page_of(content[0]) + 1
        pages[f"{END}{n}"] = max(page_of(el) for el in content) + 1
    return pages


def fill_contents(body: etree._Element, pages: dict[str, int]) -> None:
    """Each page mark becomes the pages of its form: PAGEREF fields to the form's first and
    last bookmark (``2-8``; one field when the form is one page), printing ``pages``."""
    for t in list(body.iter(_W_T)):
        if t.text and PAGES_OPEN in t.text:
            _fields_for(t, pages)


def _first_paragraph(el: etree._Element) -> etree._Element:
    return el if el.tag == _W_P else next(el.iter(_W_P))


def _last_paragraph(el: etree._Element) -> etree._Element:
    if el.tag == _W_P:
        return el
    *_, last = el.iter(_W_P)
    return last


def _bookmark(p: etree._Element, name: str, bid: int, at_end: bool) -> None:
    start = etree.Element(qn("w:bookmarkStart"))
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    end = etree.Element(qn("w:bookmarkEnd"))
    end.set(qn("w:id"), str(bid))
    if at_end:
        p.append(start)
        p.append(end)
    else:
        at = 1 if p.find(qn("w:pPr")) is not None else 0
        p.insert(at, start)
        p.insert(at + 1, end)


def _fields_for(t: etree._Element, pages: dict[str, int]) -> None:
    run = t.getparent()
    assert run is not None
    rpr = run.find(qn("w:rPr"))
    text = t.text or ""
    pieces: list[etree._Element] = []
    pos = 0
    for m in MARK.finditer(text):
        if m.start() > pos:
            pieces.append(_text_run(text[pos : m.start()], rpr))
        n = int(m.group(1))
        first, last = pages.get(f"{START}{n}"), pages.get(f"{END}{n}")
        if first is not None and last is not None:
            pieces += _pageref(f"{START}{n}", first, rpr)
            if last > first:
                pieces.append(_text_run("-", rpr))
                pieces += _pageref(f"{END}{n}", last, rpr)
        pos = m.end()
    if pos < len(text):
        pieces.append(_text_run(text[pos:], rpr))
    for piece in reversed(pieces):
        run.addnext(piece)
    t.text = ""
    if not any((x.text or "") for x in run.iter(_W_T)) and all(ch.tag in (qn("w:rPr"), _W_T) for ch in run):
        parent = run.getparent()
        assert parent is not None
        parent.remove(run)


def _text_run(text: str, rpr: etree._Element | None) -> etree._Element:
    r = etree.Element(_W_R)
    if rpr is not None:
        r.append(_copy(rpr))
    t = etree.SubElement(r, _W_T)
    t.text = text
    t.set(_XML_SPACE, "preserve")
    return r


def _pageref(name: str, page: int, rpr: etree._Element | None) -> list[etree._Element]:
    out = []
    for kind in ("begin", "instr", "separate", "result", "end"):
        r = etree.Element(_W_R)
        if rpr is not None:
            r.append(_copy(rpr))
        if kind == "instr":
            it = etree.SubElement(r, qn("w:instrText"))
            it.text = f" PAGEREF {name} \\h "
            it.set(_XML_SPACE, "preserve")
        elif kind == "result":
            etree.SubElement(r, _W_T).text = str(page)
        else:
            etree.SubElement(r, qn("w:fldChar")).set(qn("w:fldCharType"), kind)
        out.append(r)
    return out


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))


# -- LibreOffice layout pass ----------------------------------------------------------------
_CACHE: dict[str, dict[str, int] | None] = {}


def layout_pass_enabled() -> bool:
    """``GOALDOC_LAYOUT_PASS=1`` (and LibreOffice installed): store LibreOffice's pages."""
    return os.environ.get("GOALDOC_LAYOUT_PASS", "0") not in ("0", "no", "off", "") and shutil.which("soffice") is not None


def libreoffice_pages(docx: bytes, key: bytes) -> dict[str, int] | None:
    """The page of every bookmark of a .docx as LibreOffice lays it out (None when it
    fails). ``key``: what identifies the content (a document is laid out once a process).

    The one place goaldoc runs LibreOffice for the 目录: it converts to PDF with bookmarks
    exported as named destinations, and reads their pages from the PDF.
    """
    import subprocess  # only here: a render without GOALDOC_LAYOUT_PASS never needs it (cold start, issue 23)

    digest = hashlib.sha256(key).hexdigest()
    if digest in _CACHE:
        return _CACHE[digest]
    result = None
    with tempfile.TemporaryDirectory(prefix="goaldoc-layout-") as tmp:
        src = Path(tmp) / "layout.docx"
        src.write_bytes(docx)
        profile = Path(tmp) / "profile"  # a private profile: runs in parallel do not lock each other
        options = '{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'
        command = [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            f"pdf:writer_pdf_Export:{options}",
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=180)
            result = pdf_destinations((Path(tmp) / "layout.pdf").read_bytes())
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            log.warning("LibreOffice layout pass failed (%s): 目录 page numbers from goaldoc's own layout", exc)
    _CACHE[digest] = result
    return result


_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)


def pdf_destinations(pdf: bytes) -> dict[str, int]:
    """{destination name: page (1-based)} of a PDF written by LibreOffice: the catalog's
    /Dests dictionary, pages numbered in the order of the page tree."""
    if b"/ObjStm" in pdf:
        raise ValueError("a PDF with object streams (not LibreOffice's): not read")
    objects = {int(m.group(1)): m.group(2) for m in _OBJ.finditer(pdf)}
    catalog = next((b for b in objects.values() if re.search(rb"/Type\s*/Catalog", b)), None)
    if catalog is None:
        raise ValueError("no PDF catalog")
    pages_ref = re.search(rb"/Pages\s+(\d+) 0 R", catalog)
    dests_ref = re.search(rb"/Dests\s+(\d+) 0 R", catalog)
    if pages_ref is None or dests_ref is None:
        return {}
    order: list[int] = []

    def walk(num: int) -> None:
        body = objects.get(num, b"")
        kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S)
        if kids and re.search(rb"/Type\s*/Pages", body):
            for k in re.findall(rb"(\d+) 0 R", kids.group(1)):
                walk(int(k))
        else:
            order.append(num)

    walk(int(pages_ref.group(1)))
    index = {num: i + 1 for i, num in enumerate(order)}
    out = {}
    for name, page in re.findall(rb"/([^\s/\[\]()<>]+)\s*\[\s*(\d+) 0 R", objects.get(int(dests_ref.group(1)), b"")):
        text = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name).decode("latin-1")
        if text.startswith("5F"):  # LibreOffice writes a leading _ as 5F
            text = "_" + text[2:]
        if int(page) in index:
            out[text] = index[int(page)]
    return out

