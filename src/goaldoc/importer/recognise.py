"""Which form a filled file is, when ``--form`` is not given: by the texts each form's
templates print as they are — its row and column labels and the fixed words of its
titles — found in the file. A label several forms share counts less than one only this
form has.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import GoaldocError, InputError, Problem
from ..forms import FormSpec, available_forms, load_form
from .document import Document
from .pattern import pattern_of

ENOUGH = 0.5  # share of a form's (weighted) texts that must be found (or 0.3, three times the next form's)


def found_in(label: str, doc: Document) -> bool:
    return label in doc.all_texts or (len(label) >= 4 and label in doc.joined)


def candidates(doc: Document, templates: str | Path | None = None) -> list[tuple[float, FormSpec, list[str], list[str]]]:
    """(score, form, texts found, texts looked for) of every form, best first."""
    specs: list[tuple[FormSpec, dict[str, float]]] = []
    for name in available_forms(templates):
        try:
            spec = load_form(name, templates)
            # the Word template's texts: the same labels as the Excel one, and read ten times faster
            weights = pattern_of(spec, "docx" if "docx" in spec.formats else doc.fmt).label_weights
        except GoaldocError:
            continue  # a broken folder is `goaldoc forms`' to report
        specs.append((spec, weights))
    shared: dict[str, int] = {}
    for _spec, weights in specs:
        for t in weights:
            shared[t] = shared.get(t, 0) + 1
    out = []
    for spec, sure in specs:
        if not sure:
            continue
        weight = {t: sure[t] * min(len(t), 8) / shared[t] for t in sure}
        labels = sorted(sure, key=lambda t: -weight[t])  # the most telling first
        found = [t for t in labels if found_in(t, doc)]
        score = sum(weight[t] for t in found) / sum(weight.values())
        out.append((score, spec, found, labels))
    out.sort(key=lambda x: (-x[0], -len(x[2])))
    return out


def recognise(doc: Document, templates: str | Path | None = None) -> tuple[FormSpec, str]:
    ranked = candidates(doc, templates)
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    if ranked and (ranked[0][0] >= ENOUGH or (ranked[0][0] >= 0.3 and ranked[0][0] >= 3 * second)):
        score, spec, found, labels = ranked[0]
        return spec, f"认出是表样 {spec.name}（{spec.title}）：表样的 {len(labels)} 处固定文字找到 {len(found)} 处（不对时用 --form 指定）"
    looked = "；".join(
        f"{spec.name}（{spec.title}）找 {'、'.join(labels[:6])}{'等' if len(labels) > 6 else ''}，找到 {len(found)}/{len(labels)} 处"
        for _s, spec, found, labels in ranked
    )
    known = "、".join(available_forms(templates)) or "（无）"
    raise InputError(
        [
            Problem(
                f"认不出是哪个表样（可用的表样有 {known}）：{looked or '没有可用的表样'}。"
                "请用 --form 指定表样（goaldoc forms 查看），或确认这是预算绩效目标表",
                (),
                doc.file,
                code="E025",
            )
        ]
    )
