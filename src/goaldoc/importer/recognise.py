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

# The share of a form's (weighted) fixed texts a file must show to be read as that form.
# Measured (issue 17; bench/recognition.py, figures in bench/RESULTS.md): goaldoc's own outputs of every sample show
# 0.81–1.00 of their form's texts, forms typed by hand 0.75–0.96 (tests/fixtures/handmade,
# tests/test_import_handmade.py), while the best *other* form never reaches 0.28. 0.5 lies
# in the middle of that gap: a file below it is too unlike every form to be read without
# the clerk saying which (--form).
ENOUGH = 0.5


def found_in(label: str, doc: Document, texts: set[str] | None = None) -> bool:
    return label in (doc.all_texts if texts is None else texts) or (len(label) >= 4 and label in doc.joined)


def _spelled(doc: Document, spec: FormSpec, labels: dict[str, float]) -> set[str]:
    """The file's texts with the headings typed in another spelling as the form's
    (headings.py; national.yaml and form.yaml ``import: headings:``)."""
    spellings = spec.heading_spellings
    out = set()
    for t in doc.all_texts:
        out.add(next((x for x in spellings.get(t, ()) if x in labels), t) if t not in labels else t)
    return out


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
        texts = _spelled(doc, spec, sure)
        found = [t for t in labels if found_in(t, doc, texts)]
        score = sum(weight[t] for t in found) / sum(weight.values())
        out.append((score, spec, found, labels))
    out.sort(key=lambda x: (-x[0], -len(x[2])))
    return out


def _share(score: float, found: list[str], labels: list[str]) -> str:
    return f"{len(labels)} 处固定文字找到 {len(found)} 处，按分量 {score:.0%}"


def recognise(doc: Document, templates: str | Path | None = None) -> tuple[FormSpec, str]:
    ranked = candidates(doc, templates)
    if ranked and ranked[0][0] >= ENOUGH:
        score, spec, found, labels = ranked[0]
        return spec, f"认出是表样 {spec.name}（{spec.title}）：表样的 {_share(score, found, labels)}（不对时用 --form 指定）"
    known = "、".join(available_forms(templates)) or "（无）"
    closest = "；".join(
        f"{spec.name}（{spec.title}，{_share(score, found, labels)}，找的是 {'、'.join(labels[:6])}{'等' if len(labels) > 6 else ''}）"
        for score, spec, found, labels in ranked[:2]
    )
    hint = " 或 ".join(f"--form {spec.name}" for _s, spec, _f, _l in ranked[:2])
    raise InputError(
        [
            Problem(
                f"认不出是哪个表样（可用的表样有 {known}）：最接近的两个是 {closest or '（没有可用的表样）'}，"
                f"都不到 {ENOUGH:.0%}，没有导入。请用 {hint or '--form'} 指定表样（goaldoc forms 查看），或确认这是预算绩效目标表",
                (),
                doc.file,
                code="E025",
            )
        ]
    )


def check_chosen(doc: Document, spec: FormSpec, templates: str | Path | None = None) -> str | None:
    """A warning when the form given with ``--form`` fits the file poorly: its share is
    below :data:`ENOUGH`, or another form fits clearly better (None: it fits)."""
    ranked = candidates(doc, templates)
    mine = next(((score, found, labels) for score, s, found, labels in ranked if s.name == spec.name), None)
    best = next(((score, s, found, labels) for score, s, found, labels in ranked if s.name != spec.name), None)
    score = mine[0] if mine else 0.0
    better = best is not None and best[0] >= ENOUGH and best[0] > score + 0.2
    if score >= ENOUGH and not better:
        return None
    said = _share(*mine) if mine else "没有固定文字可找"
    other = f"；最像的是表样 {best[1].name}（{best[1].title}，{_share(best[0], best[2], best[3])}）" if best is not None and best[0] > score else ""
    return f"提醒：按 --form {spec.name} 读，但这个文件和表样 {spec.name} 对不上多少（{said}）{other}：请确认 --form 没有写错"
