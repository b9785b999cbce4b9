"""Fields a form declares beyond the common model (issue 8 item 2), and the per-form model.

The common model (model.py) is what every form shares: the department, budget lines,
indicators, projects, signature. A form that prints more — 部门预算编码, a 成本构成 table, an
indicator value per period — declares each field in its form.yaml with a name, its Chinese
label, a type and where it lives::

    fields:
      project:
        cost_items:
          label: 成本构成
          type: table
          columns:
            item: {label: 成本构成}
            amount: {label: 金额, type: amount}
          total: {column: item, label: 合计}

A department file writes a declared field as a key of its own, beside the common ones
(``projects: [{name: …, cost_items: [...]}]``). :func:`model_for` builds, per form, a
subclass of the common model whose classes carry the declared fields, still with
``extra="forbid"``: a misspelt key is refused as before, with the nearest declared or
common name suggested, and ``goaldoc schema --form X`` shows the form's own keys.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from ..model import (
    Amount,
    Budget,
    BudgetLine,
    Department,
    DepartmentYear,
    Indicator,
    Project,
    Text,
    Unit,
    budget_lines_field,
    new_list,
)

FieldType = Literal["text", "integer", "amount", "texts", "choice", "lines", "table", "periods"]
ColumnType = Literal["text", "integer", "amount"]
Place = Literal["year", "department", "project", "indicator"]
PLACES: dict[str, str] = {"year": "文件顶层", "department": "department", "project": "每个项目", "indicator": "每条指标"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built when first used (cold start: issue 23)


class ColumnSpec(_Strict):
    label: str = Field(description="列名（中文，印在表上的字）")
    type: ColumnType = Field("text", description="text 文字 / integer 整数 / amount 金额")


class TotalSpec(_Strict):
    column: str = Field(description="哪一列写着“合计”")
    label: str = Field("合计", description="合计行这一列的字")


class FieldSpec(_Strict):
    """One declared field."""

    label: str = Field(description="中文名（印在表上的字，也用在提示里）")
    type: FieldType = Field("text", description="类型")
    required: bool = Field(False, description="必须填")
    help: str | None = Field(None, description="给填表人的说明（goaldoc schema 和新建文件里显示）")
    options: list[str] | None = Field(None, description="choice：可选的值（打印成 ☑ / □）")
    columns: dict[str, ColumnSpec] | None = Field(None, description="table / lines：各列")
    total: TotalSpec | None = Field(None, description="table：合计行（各金额列 = 其他行之和）")
    periods: list[str] | None = Field(None, description="periods：各期的名字，如 实施周期、当年度")
    check_values: bool = Field(
        False, description="periods（放在指标下时）：各期的值按“指标值”审核（满意度、百分比、数量指标量化…）"
    )

    @model_validator(mode="after")
    def _parts_fit_the_type(self) -> FieldSpec:
        need = {"choice": "options", "table": "columns", "periods": "periods"}
        if self.type in need and not getattr(self, need[self.type]):
            raise ValueError(f"type: {self.type} 要写 {need[self.type]}")
        if self.check_values and self.type != "periods":
            raise ValueError("check_values 只用于 type: periods（每期一个指标值）")
        for name in ("options", "columns", "total", "periods"):
            if getattr(self, name) is not None and name not in _PARTS[self.type]:
                raise ValueError(f"type: {self.type} 没有 {name}（只有 {' '.join(_PARTS[self.type]) or '类型本身'}）")
        if self.total is not None and self.columns and self.total.column not in self.columns:
            raise ValueError(f"total.column “{self.total.column}”不是这个表的列（有 {'、'.join(self.columns)}）")
        for col in self.columns or {}:
            if not _NAME.match(col):
                raise ValueError(f"列名“{col}”只能用小写英文字母、数字和下划线，以字母开头")
        return self


_PARTS: dict[str, tuple[str, ...]] = {
    "text": (),
    "integer": (),
    "amount": (),
    "texts": (),
    "choice": ("options",),
    "lines": ("columns",),
    "table": ("columns", "total"),
    "periods": ("periods",),
}


class FieldsSpec(_Strict):
    """``fields:`` of form.yaml: where each declared field lives."""

    year: dict[str, FieldSpec] = Field(default_factory=dict, description="文件顶层")
    department: dict[str, FieldSpec] = Field(default_factory=dict, description="department 下")
    project: dict[str, FieldSpec] = Field(default_factory=dict, description="每个项目下")
    indicator: dict[str, FieldSpec] = Field(default_factory=dict, description="每条指标下")
    budget_line: dict[str, ColumnSpec] = Field(
        default_factory=dict,
        description="预算行（budget.expenditure、budget.income 的每一行）多出的列，如 上年金额",
    )

    @field_validator("budget_line")
    @classmethod
    def _line_columns(cls, v: dict[str, ColumnSpec]) -> dict[str, ColumnSpec]:
        for name in v:
            if not _NAME.match(name):
                raise ValueError(f"列名“{name}”只能用小写英文字母、数字和下划线，以字母开头")
            if name in BudgetLine.model_fields:
                raise ValueError(f"“{name}”已是预算行的通用字段（{_COMMON_LINE[name]}），不用再声明")
        return v

    @field_validator("year", "department", "project", "indicator")
    @classmethod
    def _names(cls, v: dict[str, FieldSpec], info: Any) -> dict[str, FieldSpec]:
        common = _COMMON[info.field_name]
        for name, spec in v.items():
            if not _NAME.match(name):
                raise ValueError(f"字段名“{name}”只能用小写英文字母、数字和下划线，以字母开头")
            if name in common and not (spec.type == "choice" and name in _TEXT_FIELDS[info.field_name]):
                raise ValueError(
                    f"字段“{name}”已是通用字段（{common[name]}），不用再声明：直接在模板里用"
                    "（通用的文字字段只能声明成 type: choice，限定可填的值）"
                )
        return v

    def items(self) -> list[tuple[str, str, FieldSpec]]:
        """(place, name, spec) of every declared field."""
        return [(place, name, f) for place in PLACES for name, f in getattr(self, place).items()]


def _common_fields(model: type[BaseModel]) -> dict[str, str]:
    return {name: (f.description or name).split("，")[0] for name, f in model.model_fields.items()}


def _text_fields(model: type[BaseModel]) -> set[str]:
    """Common fields holding one text: a form may narrow these to a choice of values."""
    return {n for n, f in model.model_fields.items() if f.annotation in (Text, Text | None, str, str | None)}


_TEXT_FIELDS = {
    "year": _text_fields(DepartmentYear),
    "department": _text_fields(Department),
    "project": _text_fields(Project),
    "indicator": _text_fields(Indicator),
}

_COMMON_LINE = _common_fields(BudgetLine)

_COMMON = {
    "year": _common_fields(DepartmentYear),
    "department": _common_fields(Department),
    "project": _common_fields(Project),
    "indicator": _common_fields(Indicator),
}


# ---------------------------------------------------------------------------- types


def _column_type(kind: str) -> Any:
    return {"text": Text, "integer": int, "amount": Amount}[kind]


def _row_model(owner: str, name: str, spec: FieldSpec, base: type[BaseModel]) -> type[BaseModel]:
    cols: dict[str, Any] = {
        col: (_column_type(c.type) | None, Field(None, ge=0, description=c.label) if c.type == "integer" else Field(None, description=c.label))
        for col, c in (spec.columns or {}).items()
    }
    return create_model(f"{owner}_{name}", __base__=base, **cols)


class TableRow(BaseModel):
    """A row of a declared table: its columns are declared in form.yaml."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    def template_fields(self) -> frozenset[str]:
        return frozenset(type(self).model_fields)


def python_type(owner: str, name: str, spec: FieldSpec) -> tuple[Any, Any]:
    """The pydantic annotation and Field of one declared field."""
    desc = spec.label + (f"：{spec.help}" if spec.help else "")
    default: Any = ... if spec.required else None
    if spec.type == "text":
        return (Text if spec.required else Text | None), Field(default, description=desc)
    if spec.type == "integer":
        return (int if spec.required else int | None), Field(default, ge=0, description=desc)
    if spec.type == "amount":
        return (Amount if spec.required else Amount | None), Field(default, description=desc)
    if spec.type == "choice":
        lit = Literal[tuple(spec.options or ())]  # type: ignore[valid-type]
        return (lit if spec.required else lit | None), Field(default, description=f"{desc}（{' / '.join(spec.options or ())}）")
    list_default: Any = ... if spec.required else []
    if spec.type == "texts":
        return list[Text], Field(list_default, description=desc) if spec.required else Field(default_factory=new_list, description=desc)
    if spec.type == "lines":
        row = _row_model(owner, name, spec, BudgetLine)
    elif spec.type == "table":
        row = _row_model(owner, name, spec, TableRow)
    else:  # periods: 实施周期 → text, 当年度 → text
        keys: Any = Literal[tuple(spec.periods or ())]  # type: ignore[valid-type]
        return dict[keys, Text], Field(default_factory=dict, description=f"{desc}（{' / '.join(spec.periods or ())}）")
    if spec.required:
        return list[row], Field(..., description=desc)  # type: ignore[valid-type]
    return list[row], Field(default_factory=new_list, description=desc)  # type: ignore[valid-type]


def shown_value(spec: FieldSpec, value: Any) -> Any:
    """A declared field as templates see it: a periods value has every declared period
    (a period the data leaves out is empty, so ``row.period_values['当年度']`` never fails)."""
    if spec.type == "periods":
        given = value or {}
        return {p: given.get(p, "") for p in spec.periods or ()}
    return value


def empty_value(spec: FieldSpec) -> Any:
    """What a template sees for a declared field the data does not have (another form's
    data rendered through this form, `--form`): nothing printed, nothing to break."""
    if spec.type in ("texts", "lines", "table"):
        return []
    if spec.type == "periods":
        return {p: "" for p in spec.periods or ()}
    if spec.type in ("amount", "integer"):
        return None
    return ""


# ---------------------------------------------------------------------------- models


def model_for(
    form_name: str,
    fields: FieldsSpec,
    variants: dict[str, str] | None = None,
    bases: dict[str, type[Any]] | None = None,
    level2_optional: bool = False,
) -> type[DepartmentYear]:
    """The common model with the form's declared fields (and its variant names) added.

    ``bases`` replaces the common classes the form's own are made from (a later stage's
    form: stage.model.BASES, the targets with the year's facts); ``level2_optional``: the
    form prints no 二级 (form.yaml ``prints_level2: false``)."""
    tag = re.sub(r"\W", "_", form_name)
    base: dict[str, Any] = {"indicator": Indicator, "project": Project, "unit": Unit, "department": Department, "year": DepartmentYear, **(bases or {})}

    def declared(place: str) -> dict[str, Any]:
        return {name: python_type(f"{tag}_{place}", name, f) for name, f in getattr(fields, place).items()}

    own = declared("indicator")
    if level2_optional:
        own["level2"] = (Text, Field("", description=(Indicator.model_fields["level2"].description or "二级指标") + "（这张表不印，可以不写）"))
    ind = create_model(f"Indicator_{tag}", __base__=base["indicator"], **own)
    project_extra = declared("project")
    if variants:
        lit = Literal[tuple(variants)]  # type: ignore[valid-type]
        project_extra["variant"] = (
            lit | None,
            Field(None, description="项目表样：" + "、".join(f"{k}（{v}）" for k, v in variants.items())),
        )
    project = create_model(
        f"Project_{tag}",
        __base__=base["project"],
        indicators=(list[ind], Field(default_factory=new_list, description="绩效指标")),  # type: ignore[valid-type]
        **project_extra,
    )
    unit = create_model(
        f"Unit_{tag}",
        __base__=base["unit"],
        projects=(list[project], Field(default_factory=new_list, description="本单位的项目")),  # type: ignore[valid-type]
    )
    dept = create_model(f"Department_{tag}", __base__=base["department"], **declared("department"))
    extra: dict[str, Any] = declared("year")
    if fields.budget_line:  # the common budget lines with the form's own columns (a share, earlier years …)
        line = _row_model(f"{tag}_budget", "line", FieldSpec(label="预算行", type="lines", columns=fields.budget_line), BudgetLine)
        budget = create_model(
            f"Budget_{tag}",
            __base__=Budget,
            expenditure=(list[line], budget_lines_field("部门预算支出")),  # type: ignore[valid-type]
            income=(list[line], budget_lines_field("收入来源")),  # type: ignore[valid-type]
        )
        extra["budget"] = (budget, Field(default_factory=budget, description="预算整体情况 / 资金情况"))
    top = base["year"]
    own_department = top.model_fields["department"]
    return create_model(  # type: ignore[no-any-return,call-overload]
        f"DepartmentYear_{tag}",
        __base__=top,
        department=(dept, Field(description="部门基本信息"))
        if own_department.is_required()
        else (dept | None, Field(None, description=own_department.description)),
        indicators=(list[ind], Field(default_factory=new_list, description="部门整体绩效指标")),  # type: ignore[valid-type]
        projects=(list[project], Field(default_factory=new_list, description="项目")),  # type: ignore[valid-type]
        units=(list[unit], Field(default_factory=new_list, description="下属单位（各有项目）")),  # type: ignore[valid-type]
        **extra,
    )


def amount_field(model: type[DepartmentYear], fields: FieldsSpec, where: str, dotted: str) -> str | None:
    """The Chinese label of the amount field ``dotted`` (``budget.total``) at ``where`` in
    the form's model, or None when it is not an amount there."""
    import typing
    from decimal import Decimal

    declared = getattr(fields, where).get(dotted)
    if declared is not None:
        return declared.label if declared.type == "amount" else None
    owner: Any = model
    steps = {"year": [], "department": ["department"], "project": ["projects"]}[where]
    for step in steps:
        owner = _inner_model(owner.model_fields[step].annotation)
    field = None
    for part in dotted.split("."):
        if not (isinstance(owner, type) and issubclass(owner, BaseModel)) or part not in owner.model_fields:
            return None
        field = owner.model_fields[part]
        owner = _inner_model(field.annotation)
    if field is None or not _has(field.annotation, Decimal, typing):
        return None
    return (field.description or dotted).split("：")[0].split("，")[0]


def lines_field(spec: Any, where: str, name: str) -> str | None:
    """The Chinese label of the amount lines ``name`` at ``where`` (a declared ``type: lines``
    field, or the common budget.expenditure / budget.income of the file), or None."""
    declared = getattr(spec.fields, where).get(name)
    if declared is not None:
        return declared.label if declared.type == "lines" else None
    if where == "year":
        return {"budget.expenditure": "部门预算支出", "budget.income": "收入来源"}.get(name)
    return None


def table_columns(spec: Any, where: str, name: str) -> dict[str, str] | None:
    """{column: type} of the declared table (or lines) ``name`` at ``where``; None when it is none."""
    declared = getattr(spec.fields, where).get(name)
    if declared is None or declared.type not in ("table", "lines"):
        return None
    cols = {c: col.type for c, col in (declared.columns or {}).items()}
    if declared.type == "lines":
        cols = {"label": "text", "amount": "amount", **cols}
    return cols


def _inner_model(tp: Any) -> Any:
    import typing

    for arg in (tp, *typing.get_args(tp)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        inner = [a for a in typing.get_args(arg) if isinstance(a, type) and issubclass(a, BaseModel)]
        if inner:
            return inner[0]
    return tp


def _has(tp: Any, wanted: type, typing: Any) -> bool:
    return tp is wanted or any(_has(a, wanted, typing) for a in typing.get_args(tp))


def decimal_columns(spec: FieldSpec) -> list[str]:
    return [c for c, col in (spec.columns or {}).items() if col.type == "amount"]


__all__ = [
    "PLACES",
    "lines_field",
    "table_columns",
    "amount_field",
    "ColumnSpec",
    "FieldSpec",
    "FieldsSpec",
    "TableRow",
    "TotalSpec",
    "decimal_columns",
    "empty_value",
    "shown_value",
    "model_for",
    "python_type",
]
