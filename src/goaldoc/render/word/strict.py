"""What Word and the Open XML SDK's validator insist on, across the whole package (issue 20
item 1). One table at a time is document.py's ``normalise_table``; here:

* **bookmarks** unique by name and id in each part, each start with its end: a heading row
  or a label copied to the next page must not carry the original's bookmark twice;
* **property order**: ``w:rPr`` and ``w:pPr`` children in schema order, in the body, the
  headers and footers and the styles (LibreOffice writes ``w:rFonts`` after ``w:sz`` in the
  field runs of a footer it saved; Word then calls the file corrupt);
* **on/off-only flags**: ``w:tblHeader``, ``w:cantSplit`` … take only ``on`` / ``off``
  (ST_OnOffOnly), while LibreOffice writes ``w:val="true"`` and WPS ``"1"``; WPS and Word
  read those differently. A flag that is on loses its value, one that is off is removed;
* **core properties** once each (OPC: a property given twice makes Word refuse the file;
  some office applications write ``cp:revision`` again on every save);
* **fonts**: the document defaults and the theme name a Chinese face (render/fonts.py).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from lxml import etree

from ..fonts import DEFAULT_CJK_FACE, is_chinese_face, theme_with_cjk
from .names import qn

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# CT_RPr / CT_ParaRPr, ECMA-376 Part 1 §17.3.2.28 (EG_RPrBase), the paragraph mark's
# revision marks first; rPrChange last
_RPR = (
    "ins del moveFrom moveTo rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline "
    "shadow emboss imprint noProof snapToGrid vanish webHidden color spacing w kern position sz "
    "szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()
# CT_PPr, §17.3.1.26; pPrChange last
_PPR = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
    "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN "
    "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
    "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr"
).split()
_ORDERS = {
    qn("w:rPr"): ({qn(f"w:{t}"): i for i, t in enumerate(_RPR)}, qn("w:rPrChange")),
    qn("w:pPr"): ({qn(f"w:{t}"): i for i, t in enumerate(_PPR)}, qn("w:pPrChange")),
}
# ST_OnOffOnly flags (the SDK's OnOffOnlyType), by the element that holds them
_ON_OFF_ONLY = {
    qn("w:trPr"): {qn("w:tblHeader"), qn("w:cantSplit"), qn("w:hidden")},
    qn("w:tcPr"): {qn("w:noWrap"), qn("w:tcFitText"), qn("w:hideMark")},
    qn("w:tblPr"): {qn("w:bidiVisual")},
}
_OFF = ("0", "false", "off")
_PARTS = {qn(f"w:{t}") for t in ("document", "hdr", "ftr", "styles", "numbering", "footnotes", "endnotes")}
_STORY = {qn(f"w:{t}") for t in ("document", "hdr", "ftr", "footnotes", "endnotes")}


_TEMPLATE_PARTS = {qn("w:styles"), qn("w:numbering")}  # and the theme: no render changes them


def normalise_template(document: Any) -> None:
    """What :func:`normalise_package` does to the parts a render leaves as the template has
    them — the styles, the numbering, the theme — done once on a parsed template (render/word/
    document.py keeps it per process); its renders then pass ``template_done``."""
    _normalise(document, (), template=True, rendered=False)


def normalise_package(document: Any, strict_already: Collection[etree._Element] = (), template_done: bool = False) -> None:
    """Every Word part of a python-docx ``document`` made as strict as Word and the
    validator want it (see the module doc). ``strict_already``: elements of the body
    known to need nothing here but unique bookmarks (copies of a row shape that was strict:
    render/word/document.py), not walked again. ``template_done``: the document is a copy of
    a template :func:`normalise_template` has made strict."""
    _normalise(document, strict_already, template=not template_done, rendered=True)
    once_each(document.core_properties._element)


def _normalise(document: Any, strict_already: Collection[etree._Element], template: bool, rendered: bool) -> None:
    for part in document.part.package.iter_parts():
        root = getattr(part, "_element", None)
        if root is not None and root.tag in _PARTS:
            if not (template if root.tag in _TEMPLATE_PARTS else rendered):
                continue
            found = _found(root, strict_already) if part is document.part else None
            order_properties(root, found)
            on_off_only(root, found)
            if root.tag in _STORY:
                unique_bookmarks(root, found)
            if root.tag == qn("w:styles"):
                default_fonts(root)
        elif template and (part.partname.endswith("/theme1.xml") or "/theme/" in part.partname):
            blob = part.blob
            fixed = theme_with_cjk(blob, _document_face(document))
            if fixed is not blob:
                part._blob = fixed


def _document_face(document: Any) -> str:
    """The Chinese face the document's defaults name, else 宋体."""
    fonts = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    face = fonts.get(qn("w:eastAsia")) if fonts is not None else None
    return face if face and is_chinese_face(face) else DEFAULT_CJK_FACE


_BOOKMARKS = (qn("w:bookmarkStart"), qn("w:bookmarkEnd"))


def _found(root: etree._Element, skip: Collection[etree._Element]) -> dict[Any, list[etree._Element]] | None:
    """The property elements the passes below fix, by tag, and the bookmarks (key
    ``_BOOKMARKS``, starts and ends in document order), but those inside the elements of
    ``skip`` (which hold no bookmark); None when there is nothing to skip (the passes then
    iterate the tree themselves). One walk: Python descends only into the ancestors of
    skipped elements (the body, its tables and rows), lxml iterates the rest."""
    if not skip:
        return None
    skip = skip if isinstance(skip, (set, frozenset)) else set(skip)
    above: set[etree._Element] = set()
    for el in skip:
        parent = el.getparent()
        while parent is not None and parent not in above:
            above.add(parent)
            parent = parent.getparent()
    tags = [*_ORDERS, *_ON_OFF_ONLY]
    found: dict[Any, list[etree._Element]] = {tag: [] for tag in tags}
    marks: list[etree._Element] = []
    found[_BOOKMARKS] = marks
    wanted = {*tags, *_BOOKMARKS}

    def walk(el: etree._Element) -> None:
        if el.tag in wanted:
            (marks if el.tag in _BOOKMARKS else found[el.tag]).append(el)
        for child in el:
            if child in skip:
                continue
            if child in above:
                walk(child)
            else:
                for inner in child.iter(*wanted):
                    (marks if inner.tag in _BOOKMARKS else found[inner.tag]).append(inner)

    walk(root)
    return found


def order_properties(root: etree._Element, found: dict[Any, list[etree._Element]] | None = None) -> None:
    """``w:rPr`` / ``w:pPr`` children in schema order (a property given twice keeps its
    first); unknown (extension) children keep their place after the known ones."""
    for tag, (rank, change) in _ORDERS.items():
        last = len(rank)
        for props in found[tag] if found is not None else list(root.iter(tag)):
            keys = [rank.get(c.tag, last) if c.tag != change else last + 1 for c in props]
            seen: set[str] = set()
            dup = False
            for c in props:
                if c.tag in rank:
                    dup = dup or c.tag in seen
                    seen.add(c.tag)
            if not dup and all(a <= b for a, b in zip(keys, keys[1:], strict=False)):
                continue
            children = sorted(zip(keys, range(len(keys)), list(props), strict=True))
            kept: set[str] = set()
            for _k, _i, c in children:
                props.remove(c)
                if c.tag in rank and c.tag in kept:
                    continue
                kept.add(c.tag)
                props.append(c)


def on_off_only(root: etree._Element, found: dict[Any, list[etree._Element]] | None = None) -> None:
    """``w:val="true"/"1"/"on"`` of an on/off-only flag dropped (present means on); a flag
    written off (``false``, ``0``, ``off``) removed (absent means off)."""
    for holder, flags in _ON_OFF_ONLY.items():
        for props in found[holder] if found is not None else list(root.iter(holder)):
            for el in [c for c in props if c.tag in flags]:
                val = el.get(qn("w:val"))
                if val is None:
                    continue
                if val.strip().lower() in _OFF:
                    props.remove(el)
                else:
                    del el.attrib[qn("w:val")]


def unique_bookmarks(root: etree._Element, found: dict[Any, list[etree._Element]] | None = None) -> None:
    """Each bookmark once (name and id), each start with one end: a later start repeating an
    id or a name is removed with its end, an end without its start is removed, a start left
    open is closed where it starts. ``found``: :func:`_found`'s, when given."""
    start_tag, end_tag = _BOOKMARKS
    ids: set[str] = set()
    names: set[str] = set()
    open_kept: dict[str, etree._Element] = {}
    dropped: dict[str, int] = {}
    for el in found[_BOOKMARKS] if found is not None else list(root.iter(start_tag, end_tag)):
        bid = el.get(qn("w:id"), "")
        if el.tag == start_tag:
            name = el.get(qn("w:name"), "")
            if bid in ids or (name and name in names):
                dropped[bid] = dropped.get(bid, 0) + 1
                _remove(el)
                continue
            ids.add(bid)
            if name:
                names.add(name)
            open_kept[bid] = el
        elif bid in open_kept:
            del open_kept[bid]
        else:  # the end of a removed copy, or of no start at all
            if dropped.get(bid):
                dropped[bid] -= 1
            _remove(el)
    for bid, start in open_kept.items():
        end = etree.Element(end_tag)
        end.set(qn("w:id"), bid)
        start.addnext(end)


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def default_fonts(styles: etree._Element) -> None:
    """The document defaults name a Chinese face for East Asian text (a template drawn by a
    library says ＭＳ 明朝, through the theme)."""
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is None:
            defaults = etree.Element(qn("w:docDefaults"))
            styles.insert(0, defaults)
        holder = defaults.find(qn("w:rPrDefault"))
        if holder is None:
            holder = etree.Element(qn("w:rPrDefault"))
            defaults.insert(0, holder)
        rpr = etree.SubElement(holder, qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = etree.Element(qn("w:rFonts"))
        rpr.insert(0, fonts)
    if not is_chinese_face(fonts.get(qn("w:eastAsia"))):
        fonts.set(qn("w:eastAsia"), DEFAULT_CJK_FACE)
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)  # the theme's face would win
    order_properties(styles.find(qn("w:docDefaults")))


def once_each(core: etree._Element) -> None:
    """Core properties (docProps/core.xml) given once each: the first kept."""
    seen: set[str] = set()
    for el in list(core):
        if not isinstance(el.tag, str):
            continue
        if el.tag in seen:
            core.remove(el)
        seen.add(el.tag)
