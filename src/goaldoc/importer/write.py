"""The YAML an import writes, in the samples' style: a header saying where it came from,
each top-level section with its Chinese name as a comment, keys in the model's order,
values as typed (amounts exact, ``72.10`` keeps its zero; ``0`` and ``5322217`` stay text
where the field is text), short records (budget lines, spending points) on one line, and at
the end what could not be placed and what the checks found, as comments.

ruamel.yaml writes it: it keeps key order and attaches comments to keys and items, and its
emitter knows when a text must be quoted — hand-made emitting gets exactly those cases
wrong. goaldoc reads YAML 1.1 (PyYAML), so a text such as ``yes`` or ``0123`` that 1.1 would
read as something else is quoted too.

Text from a received file never becomes YAML structure (issue 18 item 1): a cell, a sheet
name or a file name may hold any line break YAML or Unicode knows (``\r``, U+0085, U+2028,
U+2029 …) followed by ``accepted: …``. Comments are made one line each by :func:`one_line`;
a value with a break other than ``\n`` is written double-quoted, where the emitter escapes
it; and the finished text is loaded once more and must give back exactly the data it was
made from (:func:`_same_when_read`).
"""

from __future__ import annotations

import io
import typing
import unicodedata
from decimal import Decimal
from typing import Any

import yaml as pyyaml
from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from ..errors import InputError, Problem
from ..forms.fields import TableRow
from ..model import BudgetLine, Indicator, Phase, ProjectBudget, SpendingPoint
from ..paths import format_path
from .extract import Leftover
from .place import _unwrap

_FLOW = (BudgetLine, SpendingPoint, Phase, ProjectBudget)
_RESOLVER = pyyaml.resolver.Resolver()


def _yaml() -> YAML:
    y = YAML()
    y.width = 4096  # never fold a long 指标解释 over lines
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.add_representer(Decimal, _decimal)
    y.representer.add_representer(str, _text)
    return y


def _decimal(rep: Any, d: Decimal) -> Any:
    text = format(d, "f")
    return rep.represent_scalar("tag:yaml.org,2002:" + ("float" if "." in text else "int"), text)


def _text(rep: Any, s: str) -> Any:
    if (
        _RESOLVER.resolve(pyyaml.ScalarNode, s, (True, False)) != "tag:yaml.org,2002:str"
        or ":" in s
        or "#" in s
        or _unsafe(s)
    ):
        return rep.represent_scalar("tag:yaml.org,2002:str", s, style='"')
    return rep.represent_str(s)


def _unsafe(s: str) -> bool:
    """A character a block or plain scalar cannot hold as itself: a control character other
    than Tab and ``\n``, or a line/paragraph separator (YAML 1.1 reads U+0085, U+2028 and
    U+2029 as line breaks, which could end the scalar). Double quotes escape them all."""
    return any(ch != "\t" and ch != "\n" and unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in s)


def one_line(text: str) -> str:
    """``text`` for a comment: every line break (and any other control character) a space, so
    that a comment ends where goaldoc ends it."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(text))


def _shape(value: Any, tp: Any) -> Any:
    """Plain data → ruamel nodes in the model's key order."""
    tp = _unwrap(tp)
    if isinstance(value, dict):
        out = CommentedMap()
        fields = list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []
        keys = [k for k in fields if k in value] + [k for k in value if k not in fields]
        for k in keys:
            sub = tp.model_fields[k].annotation if k in fields else None
            if typing.get_origin(tp) is dict:
                sub = typing.get_args(tp)[1]
            out[k] = _shape(value[k], sub)
        if isinstance(tp, type) and issubclass(tp, _FLOW) or _short_record(value, tp):
            out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        item = typing.get_args(tp)[0] if typing.get_origin(tp) is list else None
        return CommentedSeq([_shape(v, item) for v in value])
    if isinstance(value, str) and "\n" in value and not _unsafe(value):
        return LiteralScalarString(value)
    return value


def _short_record(value: dict[str, Any], tp: Any) -> bool:
    """A row of a declared table, or an indicator with its value in parts (sign | value | unit), fits
    on one line like the samples write them."""
    if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return False
    if issubclass(tp, Indicator):
        return "sign" in value and len(str(value)) < 160 and not value.get("explanation")
    return issubclass(tp, TableRow) and len(str(value)) < 120


def to_yaml(
    data: dict[str, Any],
    model: type[BaseModel],
    header: list[str],
    leftovers: list[Leftover] | None = None,
    problems: list[Problem] | None = None,
    source: str = "<导入>",
) -> str:
    """The YAML text of imported data (see the module doc); ``source`` names the file read
    in the one message this can give (E026)."""
    top = _shape(data, model)
    for key in list(top):
        if key in ("year", "form"):
            continue
        f = model.model_fields.get(key)
        if f is not None and f.description:
            top.yaml_set_comment_before_after_key(key, before=one_line(f.description.split("；")[0]))
    for key in ("projects",):
        seq = top.get(key)
        if isinstance(seq, CommentedSeq):
            for i, p in enumerate(seq):
                if isinstance(p, dict) and p.get("name"):
                    seq.yaml_set_comment_before_after_key(i, before=one_line(f"---- 项目 {i + 1}：{p['name']}"), indent=2)
    budget = top.get("budget")
    for side in ("expenditure", "income"):
        seq = budget.get(side) if isinstance(budget, dict) else None
        if isinstance(seq, CommentedSeq):
            for i, x in enumerate(seq):
                if isinstance(x, dict) and not x:  # a blank row read back (importer/place.py): said as the samples say it
                    seq.yaml_add_eol_comment("# 空一行：表上这一格空白", i)
    if header:
        top.yaml_set_start_comment("\n".join(one_line(h) for h in header))
    buf = io.StringIO()
    _yaml().dump(top, buf)
    text = buf.getvalue()
    tail = []
    if leftovers:
        tail.append("# " + "-" * 30 + " 未能放入栏目的内容")
        tail.append(
            "# 下面这些文字没有放进栏目（每行注明原因：表样里找不到对应的栏目，或与同一栏目另一格的内容不同），"
            "原样留在这里：请核对，放到合适的键下，或删去。"
        )
        for x in leftovers:
            tail.append("#   " + one_line(f"{x.place}：{x.reason.removesuffix('。')}：{' '.join(x.text.split())}"))
    must, keepable = _must_fix(problems or [])
    if must:
        tail.append("# " + "-" * 30 + " 必须改正的问题（导入时）")
        tail.append("# 这些问题改正前 goaldoc render 不会生成表格，也不能用 accepted: 保留：")
        for p in must:
            where = f"{format_path(p.path)}：" if p.path else ""
            tail.append(one_line(f"#   {p.code} {where}{' '.join(p.message.split())}"))
    if keepable:
        tail.append("# " + "-" * 30 + " 检查结果（导入时）")
        tail.append("# 原表本来如此、要照样保留的问题，把相应一行去掉行首的“# ”，放到 accepted: 下，并写明原因：")
        tail.append("# accepted:")
        for p in keepable:
            path = format_path(p.path).replace("\\", "\\\\").replace('"', '\\"')
            tail.append(one_line(f"#   - {{path: \"{path}\", code: {p.code}, reason: 原表如此}}   # {p.kind}：{' '.join(p.message.split())[:80]}"))
    if tail:
        text += "\n" + "\n".join(tail) + "\n"
    _same_when_read(text, top, source)
    return text


def _must_fix(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(problems render refuses whatever ``accepted:`` says, the others): a value of the
    wrong kind or a missing field (E010, the schema), and checks.UNWRITABLE (issue 17 item 2:
    import never proposes an acceptance render would refuse)."""
    from ..checks import UNWRITABLE

    must = [p for p in problems if p.severity == "E" and (p.code == "E010" or p.code in UNWRITABLE)]
    return must, [p for p in problems if p not in must]


def _same_when_read(text: str, top: Any, source: str) -> None:
    """The text, read the way ``goaldoc check`` reads it, gives back exactly the data: no
    comment or value of a received file turned into a key of its own. A difference is
    goaldoc's own fault; the file is refused rather than written wrong."""
    from ..loader import load_text

    try:
        again = load_text(text, source)[0]
    except InputError:
        again = None
    if again != _plain(top):
        raise InputError([Problem(
            "读出的内容写成 YAML 后不能原样读回（文件里有 goaldoc 不能安全写出的文字）：没有写出 YAML；请把这个文件和这句话发给 goaldoc 的维护人员",
            (), source, code="E026",
        )])


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return str(node) if isinstance(node, str) else node


__all__ = ["to_yaml"]
