"""Turn YAML data into a :class:`DepartmentYear`, with every problem located and in Chinese."""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .loader import LineMap
from .model import DepartmentYear


def _model_at(path: tuple[str | int, ...], root: type[BaseModel] = DepartmentYear) -> type[BaseModel] | None:
    """The pydantic model class that holds the keys at ``path`` (None past a leaf)."""
    model: Any = root
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _inner(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner(tp: Any) -> Any:
    """list[X] -> X, X | None -> X, Annotated[X, …] -> X."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (list, tuple):
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def _describe(model: type[BaseModel] | None, key: str) -> str:
    if model is None or key not in model.model_fields:
        return f"“{key}”"
    desc = model.model_fields[key].description or ""
    short = desc.split("，")[0].split("（")[0]
    return f"“{key}”（{short}）" if short else f"“{key}”"


_BLANK_ROW = "表上这一行空白时写 - {}（空一行，花括号里什么也不写）"


def _budget_line(loc: tuple[str | int, ...]) -> bool:
    """``loc`` is an entry of budget.expenditure / budget.income (where ``{}`` is a blank row)."""
    return len(loc) == 3 and loc[0] == "budget" and loc[1] in ("expenditure", "income") and isinstance(loc[2], int)


def _message(
    err: Any, loc: tuple[str | int, ...], root: type[BaseModel] = DepartmentYear, linemap: LineMap | None = None
) -> str:
    kind = err["type"]
    key = next((p for p in reversed(loc) if isinstance(p, str)), "")
    parent = _model_at(loc[:-1], root) if loc else None
    if _budget_line(loc) and kind in ("model_type", "model_attributes_type", "dict_type"):
        got = err.get("input")
        if got is None:  # `- ~`, or a `-` with nothing after it
            return f"这一项是空的（“-”后面没有内容）：{_BLANK_ROW}；这一行不要了就整行删去"
        return f"预算行应写成 {{label: 行名, amount: 金额}}，现为 {_show(got)}：{_BLANK_ROW}"
    if _budget_line(loc[:-1]) and kind == "missing" and key == "label":
        # an entry with an amount, a level … is a line, never a blank row: its amount must reach the paper
        return f"缺少必填项 {_describe(parent, key)}：请补上行名；写了金额或层级的一项是一行，不是空行——{_BLANK_ROW}"
    if kind == "extra_forbidden" and linemap is not None and loc in linemap.hints:
        # `{explanation: 受理的案件, 含调解}`: the comma split the value (yamlhints.slips)
        return (
            f"未知的键“{key}”：它是上一个值的后半截，花括号 {{ }} 里的英文逗号“,”把值断开了："
            f"请给整个值加英文引号，写成 {linemap.hints[loc]}"
        )
    if kind == "extra_forbidden":
        known = list(parent.model_fields) if parent else []
        near = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
        hint = f"是不是“{near[0]}”？" if near else f"可用的键：{'、'.join(known)}"
        return f"未知的键“{key}”：{hint}"
    if kind == "missing":
        field = parent.model_fields.get(key) if parent else None
        if field is not None and field.examples:  # a value every file writes the same (form.yaml's contract: 1)
            return f"缺少必填项 {_describe(parent, key)}：请补上，写成 {key}: {field.examples[0]}"
        return f"缺少必填项 {_describe(parent, key)}：请补上"
    if kind in ("string_type",):
        got = err.get("input")
        if isinstance(got, bool):
            return "应为文字：yes/no/true/false 在 YAML 里是真假值，请加引号，如 \"是\""
        if got is None:
            return f"缺少必填项 {_describe(parent, key)}：冒号后面没有内容，请补上"
        return f"应为文字，现为 {_show(got)}"
    if kind == "string_unicode":
        got = str(err.get("input", ""))
        bad = next((ch for ch in got if "\ud800" <= ch <= "\udfff"), "\ud800")
        return f"含有无法保存的字符 U+{ord(bad):04X}（半个字符，多由 \\u 转义写出）：请删去它"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"应为整数（如 269），现为 {_show(err.get('input'))}"
    if kind in ("decimal_parsing", "decimal_type"):
        return f"应为数字（如 350 或 1734952.06），现为 {_show(err.get('input'))}"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"应为 true 或 false，现为 {_show(err.get('input'))}"
    if kind == "list_type":
        return "应为列表：每一项另起一行，以“- ”开头"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "应为若干“键: 值”（另起一行、缩进两格），现为 " + _show(err.get("input"))
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = err.get("ctx", {})
        bound = next(iter(ctx.values()), "")
        word = {"greater_than_equal": "不能小于", "less_than_equal": "不能大于",
                "greater_than": "应大于", "less_than": "应小于"}[kind]
        return f"{word} {bound}，现为 {_show(err.get('input'))}"
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    if kind in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        options = re.findall(r"'([^']*)'", expected)
        got = err.get("input")
        near = difflib.get_close_matches(str(got), options, n=1, cutoff=0.4) if isinstance(got, str) else []
        hint = f"：是不是“{near[0]}”？" if near else ""
        return f"应为 {'、'.join(options)} 之一，现为 {_show(got)}{hint}"
    if kind in ("int_parsing_size", "too_long", "too_short"):
        return err["msg"]
    return f"{err['msg']}（请对照 templates/README.md 修改）"


def _show(value: Any) -> str:
    if isinstance(value, bool):  # not Python's True/False: what the clerk typed was yes/no/true/false
        return "真假值（yes、no、true、false 不加引号时是真假值）"
    if isinstance(value, str):
        return f"“{value[:40]}”"
    if isinstance(value, dict):
        return "一组键值"
    if isinstance(value, list):
        return "一个列表"
    if value is None:
        return "空值"
    return str(value)


def validate(
    data: Any, linemap: LineMap, model: type[DepartmentYear] = DepartmentYear
) -> tuple[DepartmentYear | None, list[Problem]]:
    """The department file as ``model`` (the form's model: forms.fields.model_for)."""
    if not isinstance(data, dict):
        kind = "列表" if isinstance(data, list) else "单个值"
        return None, [
            linemap.problem((), f"文件顶层应为“键: 值”（year:、department: …），现为{kind}：请按 samples/ 里的示例填写", code="E010")
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, problems_of(exc, linemap, model, "E010")


def problems_of(exc: ValidationError, linemap: LineMap, root: type[BaseModel], code: str) -> list[Problem]:
    """Every error of a pydantic validation as a located Chinese problem, in line order."""
    problems: list[Problem] = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p != "[key]")  # pydantic marks a dict key so
        problem = linemap.problem(loc, _message(err, loc, root, linemap), column=linemap.columns.get(loc), code=code)
        if loc in linemap.hints and any(p.line == problem.line and linemap.hints.get(p.path) == linemap.hints[loc] for p in problems):
            continue  # `a, b, c`: one message for the value the commas split
        problems.append(problem)
    problems.sort(key=lambda p: (p.line or 0, p.format()))
    return problems


def salvage(data: Any, model: type[DepartmentYear] = DepartmentYear) -> DepartmentYear | None:
    """A model for the finance bureau's rules despite schema problems, so that one run shows
    every problem (issue 5): unknown keys and values of the wrong type are dropped (the
    field's default applies), a missing text becomes "". None when that is not enough."""
    if not isinstance(data, dict):
        return None
    data = copy.deepcopy(data)
    for _ in range(3):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            if not all(_mend(data, tuple(e["loc"]), e["type"]) for e in exc.errors()):
                return None
    return None


def _mend(data: Any, loc: tuple[str | int, ...], kind: str) -> bool:
    node = data
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not isinstance(node, dict) or not loc:
        return False  # an item of a list cannot go without shifting the others' lines
    if kind == "missing":
        node[loc[-1]] = ""
    else:
        node.pop(loc[-1], None)
    return True
