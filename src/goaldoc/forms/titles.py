"""A form's title in one place (issue 21 item 5): the name the form's own title cell prints.

An admin who changes 批复表 to 申报表 in the Word template's title changes what the form is
called; the output's file name and sheet name should follow without three keys of
form.yaml to find. The title cell is the one that prints the data's title or the form's
default, ``{{ title or (year ~ '年' ~ department.area ~ '部门整体预算绩效目标批复表') }}``: its
last text (without a leading 年 / 年度) is the form's printed name, offered to form.yaml's
``filename:`` and ``sheets[].name`` as ``{{ form.paper_title }}`` (and to templates). A
``paper_title:`` in form.yaml says it outright instead. The Word and the Excel template must
agree (T060): a title changed in one of them only is named, with both texts.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import jinja2
from jinja2 import nodes

from ..errors import Problem, TemplateError

_TITLE_CELL = re.compile(r"\{\{-?\s*title\s+or\b.*?-?\}\}", re.S)
_LEADING_YEAR = re.compile(r"^\s*(?:年度|年)\s*")


def title_in(text: str) -> str | None:
    """The printed name of a title cell's text (None: no title cell in it)."""
    m = _TITLE_CELL.search(text)
    if not m:
        return None
    try:
        tree = jinja2.Environment().parse(m[0])
    except jinja2.TemplateSyntaxError:
        return None  # the template's own error, named when it renders
    for expr in tree.find_all(nodes.Or):
        if isinstance(expr.left, nodes.Name) and expr.left.name == "title":
            texts = [c.value for c in expr.right.find_all(nodes.Const) if isinstance(c.value, str) and c.value.strip()]
            if isinstance(expr.right, nodes.Const) and isinstance(expr.right.value, str):
                texts = [expr.right.value]
            if texts:
                return _LEADING_YEAR.sub("", texts[-1]).strip() or None
    return None


def template_title(path: Path) -> str | None:
    """The printed name of the first title cell of a Word or Excel template."""
    try:
        with zipfile.ZipFile(path) as z:
            names = ["word/document.xml"] if path.suffix.lower() == ".docx" else sorted(
                n for n in z.namelist() if n.startswith("xl/sharedStrings") or n.startswith("xl/worksheets/sheet")
            )
            for name in names:
                if name not in z.namelist():
                    continue
                xml = z.read(name).decode("utf-8", "replace")
                # a paragraph (Word) or a shared string / inline cell (Excel) at a time
                for piece in re.split(r"</w:p>|</si>|</c>", xml):
                    found = title_in(html.unescape(re.sub(r"<[^>]+>", "", piece)))
                    if found:
                        return found
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    return None


def paper_title(declared: str | None, templates: dict[str, Path], form_yaml: Path) -> str | None:
    """The form's printed name: form.yaml's ``paper_title:``, else its templates' title cell
    (the same in both, T060)."""
    if declared:
        return declared
    found = {fmt: t for fmt, path in templates.items() if (t := template_title(path))}
    if len(set(found.values())) > 1:
        shown = "，".join(f"{fmt} 模板（{templates[fmt].name}）的是“{t}”" for fmt, t in found.items())
        raise TemplateError([Problem(
            f"Word 和 Excel 模板的表题不一样：{shown}：请把两处改成一样（输出的文件名、工作表名都按表题起：form.paper_title）",
            (), str(form_yaml), code="T060",
        )])
    return next(iter(found.values()), None)


__all__ = ["paper_title", "template_title", "title_in"]
