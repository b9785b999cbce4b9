"""A filled 监控表 / 自评表 read back (goaldoc import, goaldoc check x.docx): the importer
reads it by its form's templates like any form; this puts what it read in a stage file's
shape.

* ``stage:`` is the form's;
* the 一级 printed with its weight (``产出指标(50分)``, the form's ``level1_label``) is the 一级;
* what goaldoc computes by the form's rules and printed — 得分, 得分系数, 执行率, the budget
  line's 分值 and 得分, 总分, 等级 — holds nothing of its own when it equals what the rules give
  for the rest of the form: it is left out, so that goaldoc's own form reads back to the data
  that made it. A value that differs (typed by hand) is kept, and ``goaldoc check`` says
  whether the rules allow it.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation
from typing import Any

_OUTPUTS_IND = ("score", "coefficient")
_OUTPUTS_LINE = ("rate", "score", "weight")
_OUTPUTS_SUBJECT = ("total_score", "grade")


def tidy(data: dict[str, Any], spec: Any) -> None:
    """``data`` (what the importer placed) in the shape of a stage file of ``spec``."""
    stage = {"stage": spec.stage}
    items = list(data.items())
    data.clear()
    for k, v in items:  # stage: right after form:
        data[k] = v
        if k == "form":
            data.update(stage)
    data.setdefault("stage", spec.stage)
    label = _label_rx(spec)
    for subject in _subjects(data):
        for ind in subject.get("indicators", []) or []:
            if isinstance(ind, dict) and "level1_label" in ind:
                text = str(ind.pop("level1_label"))
                m = label.fullmatch(text.strip()) if label is not None else None
                ind.setdefault("level1", m.group("name").strip() if m else text)
    _levels(data, spec)
    _drop_computed(data, spec)


def _levels(data: dict[str, Any], spec: Any) -> None:
    """The money block's rows do not print their level: a label the form's ``funds:`` lists
    has its level there; otherwise the first row is the total, the others its parts."""
    declared = {"".join(f.label.split()): f.level for f in spec.funds}
    for subject in _subjects(data):
        lines = (subject.get("execution") or {}).get("lines") or []
        for i, line in enumerate(lines):
            if isinstance(line, dict) and "level" not in line:
                key = "".join(str(line.get("label", "")).split())
                line["level"] = declared.get(key, 0 if i == 0 else 1)


def _subjects(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = [data]
    out += [p for p in data.get("projects", []) or [] if isinstance(p, dict)]
    for u in data.get("units", []) or []:
        if isinstance(u, dict):
            out += [p for p in u.get("projects", []) or [] if isinstance(p, dict)]
    return out


def _label_rx(spec: Any) -> re.Pattern[str] | None:
    form = spec.scoring.level1_label if spec.scoring is not None else "{name}({weight}分)"
    parts = re.split(r"(\{name\}|\{weight\})", form)
    rx = ""
    for part in parts:
        if part == "{name}":
            rx += r"(?P<name>.+?)"
        elif part == "{weight}":
            rx += r"\s*(?P<weight>[0-9]+(?:\.[0-9]+)?)\s*"
        else:
            rx += "".join(r"[(（]" if ch in "(（" else r"[)）]" if ch in ")）" else re.escape(ch) for ch in part if not ch.isspace())
    try:
        return re.compile(rx)
    except re.error:
        return None


def _drop_computed(data: dict[str, Any], spec: Any) -> None:
    """Leave out what the rules give (see the module doc)."""
    from .context import printed_model

    bare = copy.deepcopy(data)
    for subject in _subjects(bare):
        for key in _OUTPUTS_SUBJECT:
            subject.pop(key, None)
        for ind in subject.get("indicators", []) or []:
            if isinstance(ind, dict):
                for key in _OUTPUTS_IND:
                    ind.pop(key, None)
        for line in ((subject.get("execution") or {}).get("lines") or []):
            if isinstance(line, dict):
                for key in _OUTPUTS_LINE:
                    line.pop(key, None)
    try:
        model = spec.model.model_validate(bare)
        printed = printed_model(model, spec)
    except Exception:  # noqa: BLE001 - what does not validate is kept as read: check names it
        return
    computed = _subjects(printed.model_dump(mode="python"))
    for subject, done in zip(_subjects(data), computed, strict=False):
        for key in _OUTPUTS_SUBJECT:
            _drop_if_same(subject, done, key)
        for ind, d in zip(subject.get("indicators", []) or [], done.get("indicators", []) or [], strict=False):
            if isinstance(ind, dict):
                for key in _OUTPUTS_IND:
                    _drop_if_same(ind, d, key)
        lines = (subject.get("execution") or {}).get("lines") or []
        for line, d in zip(lines, (done.get("execution") or {}).get("lines") or [], strict=False):
            if isinstance(line, dict):
                for key in _OUTPUTS_LINE:
                    _drop_if_same(line, d, key)


def _drop_if_same(read: dict[str, Any], done: dict[str, Any], key: str) -> None:
    if key in read and _same(read[key], done.get(key)):
        del read[key]


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    try:
        return Decimal(str(a).rstrip("%")) == Decimal(str(b).rstrip("%")) and str(a).endswith("%") == str(b).endswith("%")
    except (InvalidOperation, ValueError):
        return "".join(str(a).split()) == "".join(str(b).split())


__all__ = ["tidy"]
