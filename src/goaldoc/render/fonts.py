"""The fonts a file names where no cell or run names one: the theme's and the defaults'
(issue 20 item 1), shared by render/word/ and render/excel/.

Word and Excel take a character a run gives no font for from the document defaults, and
those often point at the theme (``minorEastAsia``), whose East Asian face comes from its
``<a:font script="Hans">`` entry. A template drawn by a library or saved from a Japanese or
English office names ＭＳ 明朝 there, or nothing: WPS then reports 缺失字体, Word picks a
face of its own. A form is Chinese, so those places are made to name a Chinese face (the
form's own where it names one, else 宋体), on the way through; a face the admin chose stays.
"""

from __future__ import annotations

import re

from lxml import etree

DEFAULT_CJK_FACE = "宋体"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"

# faces made for Simplified Chinese (Windows, WPS, founder, the Noto / Source Han stand-ins)
_CHINESE = re.compile(
    r"^(宋体|新宋体|仿宋|黑体|楷体|微软雅黑|等线|方正|华文|隶书|幼圆|思源|小标宋|"
    r"Sim(Sun|Hei)|NSimSun|FangSong|KaiTi|Microsoft YaHei|DengXian|ST(Song|Kaiti|Fangsong|Heiti|Zhongsong)|"
    r"FZ|Noto (Sans|Serif) CJK SC|Source Han (Sans|Serif) (SC|CN))",
    re.I,
)


def is_chinese_face(name: str | None) -> bool:
    return bool(name) and bool(_CHINESE.match((name or "").strip()))


def theme_with_cjk(xml: bytes, face: str = DEFAULT_CJK_FACE) -> bytes:
    """A theme part (DrawingML ``a:theme``) whose major and minor fonts name a Chinese face
    for Simplified Chinese (``<a:font script="Hans">``); unchanged when they already do."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError:
        return xml
    changed = False
    for kind in ("majorFont", "minorFont"):
        for fonts in root.iter(f"{{{_A}}}{kind}"):
            hans = [f for f in fonts.findall(f"{{{_A}}}font") if f.get("script") == "Hans"]
            if hans and is_chinese_face(hans[0].get("typeface")):
                continue
            changed = True
            if hans:
                hans[0].set("typeface", face)
                continue
            el = etree.Element(f"{{{_A}}}font")
            el.set("script", "Hans")
            el.set("typeface", face)
            # after latin / ea / cs and any script fonts (CT_FontCollection's order)
            after = [c for c in fonts if c.tag in {f"{{{_A}}}{t}" for t in ("latin", "ea", "cs", "font")}]
            if after:
                after[-1].addnext(el)
            else:
                fonts.insert(0, el)
    if not changed:
        return xml
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
