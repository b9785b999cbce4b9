"""What ``form.yaml`` may say, and how a form folder becomes a :class:`FormSpec`.

Every mistake in a form.yaml is a located Chinese message (``form.yaml:12 错误 T010
sheets[1].for_each：…``), never pydantic's English (issue 12 item 2).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import Problem, TemplateError
from ..lazyre import compile_later  # patterns a clean render does not use (cold start: issue 23)
from ..loader import LineMap, load_text
from ..model import DepartmentYear, new_list
from ..stage.spec import FundLineSpec, MonitoringSpec, ScoringSpec, Stage
from .fields import FieldsSpec, model_for
from .vocabulary import (
    Kind,
    Level1Spec,
    RulesSpec,
    Vocabulary,
    build_vocabulary,
    merge_rules,
    merge_trees,
)

CONTRACT = 1  # the template context this goaldoc offers (templates/README.md "模板上下文")
MONEY_UNITS = ("元", "万元", "亿元")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built when first used (cold start: issue 23)


class SheetSpec(_Strict):
    template: str = Field(description="Excel 模板里的工作表名")
    name: str = Field(description="输出工作表名（可用 Jinja）")
    for_each: Literal["projects"] | None = Field(None, description="每个项目一张表")
    when: str | None = Field(None, description="条件（Jinja 表达式），为假时不输出这张表")


class AmountCheckSpec(_Strict):
    """One relation between amounts the form prints (form.yaml ``amount_checks``, E109):
    ``total`` = the sum of ``parts``, or ``value`` ≤ ``at_most``. Names are fields of the
    place (``budget.total``, a declared field), dotted into nested ones; a ``type: lines``
    field (or ``budget.expenditure`` / ``budget.income``) stands for its 合计 line.
    Or ``rows`` + ``match`` + ``lines``: the rows of a table whose ``match`` column names a
    line of ``lines`` add up (their ``amount`` column) to that line's amount."""

    where: Literal["year", "department", "project"] = Field(description="在哪一级：year / department / project")
    total: str | None = Field(None, description="合计的字段")
    parts: list[str] | None = Field(None, description="加起来应等于合计的字段")
    value: str | None = Field(None, description="不应超过 at_most 的字段")
    at_most: str | None = Field(None, description="上限的字段")
    rows: str | None = Field(None, description="表格（type: table 或 lines 的栏目）：它的 match 一列写着预算行的行名")
    match: str | None = Field(None, description="rows 里写着行名的一列，如 spending_item")
    amount: str = Field("amount", description="rows 里的金额列（默认 amount）")
    lines: str | None = Field(None, description="对照的预算行：budget.expenditure、budget.income 或 type: lines 的栏目")

    @model_validator(mode="after")
    def _one_relation(self) -> AmountCheckSpec:
        if (self.total is None) != (self.parts is None) or (self.value is None) != (self.at_most is None):
            raise ValueError("total 和 parts 要一起写，value 和 at_most 要一起写")
        if len({self.rows is None, self.match is None, self.lines is None}) != 1:
            raise ValueError("rows、match 和 lines 要一起写")
        if [self.total is not None, self.value is not None, self.rows is not None].count(True) != 1:
            raise ValueError(
                "每一条写一种关系：total + parts（合计 = 各项之和），value + at_most（不超过），"
                "或 rows + match + lines（表格里写着某预算行行名的各行之和 = 那一行）"
            )
        return self

    def names(self) -> list[str]:
        """The amounts (or lines standing for their 合计) the relation compares."""
        return [n for n in (self.total, *(self.parts or []), self.value, self.at_most) if n]


class ShowSpec(_Strict):
    """Optional parts: printed when the data has them, or as the form says (``show.*``)."""

    contents: Literal["always", "when_data", "never"] = Field("when_data", description="目录页")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="表头写着这些字的列 → 决定它印不印的指标字段：所有指标的这一项都空着时不印这一列",
    )


_PATH = compile_later(r"^[^\W\d]\w*(?:\.[^\W\d]\w*|\.\d+|\[\d+\]|\[\'[^\']+\'\]|\[\"[^\"]+\"\])*$")


def _template_path(v: str) -> str:
    if not _PATH.match(v.strip()):
        raise ValueError(f"“{v}”不是模板里的栏目写法：应像 department.name、row.period_values['当年度']、p.budget.total")
    return v.strip()


class CellBinding(_Strict):
    """How ``goaldoc import`` reads a template cell it cannot read back by itself."""

    pattern: str = Field(description="正则表达式，用 (?P<名字>…) 标出各部分，如 (?P<period>.+?)：(?P<percent>.+)")
    fields: dict[str, str] = Field(description="每个部分放进哪个栏目：名字 → 模板里的写法，如 period: sp.period")

    @model_validator(mode="after")
    def _groups_are_fields(self) -> CellBinding:
        try:
            rx = re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(f"pattern 不是正确的正则表达式：{exc}") from None
        missing = sorted(set(rx.groupindex) ^ set(self.fields))
        if missing:
            raise ValueError(f"pattern 的 (?P<名字>…) 和 fields 的名字要一一对应，对不上的有 {'、'.join(missing)}")
        for path in self.fields.values():
            _template_path(path)
        return self


class HeadingSpec(_Strict):
    """One heading of a form and how else clerks spell it (import: headings:)."""

    also: list[str] = Field(default_factory=new_list, description="同一个表头的其他写法")


class ImportSpec(_Strict):
    """``import:`` of form.yaml: what goaldoc import cannot learn from the templates."""

    headings: dict[str, HeadingSpec | None] = Field(
        default_factory=dict,
        description="表头 → {also: [其他写法]}：手工做的表用这些写法时也认作这个表头（全国通用的写在 national.yaml）",
    )
    cells: dict[str, Any] = Field(
        default_factory=dict,
        description="模板单元格的原文 → 读进哪个栏目（一个写法），或 {pattern, fields}；写 null 表示这一格是算出来的，不读",
    )

    @field_validator("cells")
    @classmethod
    def _bindings(cls, v: dict[str, Any]) -> dict[str, str | CellBinding | None]:
        out: dict[str, str | CellBinding | None] = {}
        for key, x in v.items():
            if x is None or isinstance(x, str):
                out[key] = None if x is None else _template_path(x)
            elif isinstance(x, dict):
                try:
                    out[key] = CellBinding.model_validate(x)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    if first["type"] in ("missing", "extra_forbidden"):
                        what = "缺少" if first["type"] == "missing" else "不认识"
                        raise ValueError(f"“{key}”：{what} {first['loc'][-1]}：写一个栏目（如 t.content），或 {{pattern: …, fields: …}}") from None
                    raise ValueError(f"“{key}”：{str(first.get('ctx', {}).get('error', first['msg']))}") from None
            else:
                raise ValueError(f"“{key}”应写一个栏目（如 t.content）或 {{pattern: …, fields: …}}")
        return out

    def binding(self, text: str) -> tuple[bool, str | CellBinding | None]:
        """(declared, binding) of a template cell's text (whitespace aside)."""
        key = " ".join(text.split())
        for k, b in self.cells.items():
            if " ".join(k.split()) == key:
                return True, b
        return False, None


class RequiredFieldsSpec(_Strict):
    """``required_fields:`` of form.yaml: the cells of the paper that must not be left blank
    (issue 16), by where the field lives; a field in ``fields:`` may say ``required: true``
    instead. ``goaldoc check`` reports a blank one (E306)."""

    year: list[str] = Field(default_factory=new_list, description="文件顶层的栏目，如 signature.unit")
    department: list[str] = Field(default_factory=new_list, description="department 下的栏目，如 staff_count")
    project: list[str] = Field(default_factory=new_list, description="每个项目的栏目，如 annual_goal、manager")
    indicator: list[str] = Field(default_factory=new_list, description="每条指标的栏目，如 value")

    def items(self) -> list[tuple[str, str]]:
        """(place, dotted name) of every field listed."""
        return [(place, name) for place in ("year", "department", "project", "indicator") for name in getattr(self, place)]


HEADING_WORDS = ["一级指标", "二级指标", "三级指标"]
SIGNATURE_WORDS = ["编制单位", "单位负责人", "财务负责人", "经办人", "填表人", "填报人", "填报日期"]


class WidenSpec(_Strict):
    """A column that may be widened to fit its content, taking the width from another."""

    column: str = Field(description="表头写着这几个字的列")
    take_from: str = Field(description="从表头写着这几个字的列拿宽度")
    max_share: float = Field(0.5, gt=0, le=1, description="最多拿走那一列宽度的多少（0～1）")


class PagesSpec(_Strict):
    """How a form's pages break (issue 9; templates/README.md “分页”)."""

    headings: list[str] = Field(
        default_factory=lambda: list(HEADING_WORDS),
        description="表头行：一格写着这几个字的行。跨页时在下一页顶端再印一次，且不单独留在页末"
        "（Word 里设了“标题行重复”、Excel 里设了“顶端标题行”的行不用写）",
    )
    keep_with_next: list[str] = Field(
        default_factory=new_list,
        description="Excel：模板里一格写着这几个字的行，和下一行印在同一页（Word 用段落的“与下段同页”）",
    )
    signature: list[str] = Field(
        default_factory=lambda: list(SIGNATURE_WORDS), description="签字栏：有这些字样的行"
    )
    signature_rows: int = Field(2, ge=0, description="签字栏和表格的最后几行印在同一页")
    heading_rows: int = Field(1, ge=1, description="表头下面至少跟几行印在同一页（行很短的表写 2，页末不会只剩表头和一行）")
    widen: list[WidenSpec] = Field(default_factory=new_list, description="按内容加宽的列")
    page_numbers: str = Field(
        "第 {page} 页 共 {pages} 页",
        description="页码的写法：模板没有页脚时加这个；Excel 页脚里只有页码的部分也照这个写（和 Word 一样）。{page} 本页，{pages} 总页数",
    )


class NationalSpec(_Strict):
    """templates/national.yaml: what every form has unless its form.yaml says otherwise."""

    default_form: str = Field(description="数据文件没写 form: 时用的表样")
    default_stages: dict[Stage, str] = Field(
        default_factory=dict, description="goaldoc init --stage 没写 --form、目标表的表样也没说时，监控表、自评表用哪个表样"
    )
    indicator_tree: dict[str, Level1Spec | None] = Field(description="指标体系")
    required: list[Kind] = Field(default_factory=new_list, description="每张指标表至少要有的几类指标")
    rules: RulesSpec = Field(description="审核规则的参数")
    import_: ImportSpec = Field(default_factory=ImportSpec, alias="import", description="goaldoc import：表头的常见写法（import.headings）")


class FormSpec(_Strict):
    """One form folder's form.yaml (see templates/README.md)."""

    contract: int = Field(description="按哪一版模板上下文写的（现为 1）", examples=[CONTRACT])
    title: str = Field(description="表样名称")
    names: list[str] = Field(default_factory=new_list, description="表样的中文叫法（如 某省、某市）：--form 可以写它们，goaldoc forms 列出")
    paper_title: str | None = Field(
        None,
        description="表名（不写时取模板表题那一格里的表名）：form.yaml 的 filename、sheets 的 name 写 {{ form.paper_title }}，改表名只改一处",
    )
    prints: list[Literal["department", "projects"]] = Field(
        ["department", "projects"],
        description="这个表样印哪些表：department 部门整体、projects 每个项目一张",
    )
    docx: str | None = Field(None, description="Word 模板文件")
    xlsx: str | None = Field(None, description="Excel 模板文件")
    filename: str = Field("{{ year }}年{{ department.name }}预算绩效目标表", description="输出文件名（Jinja）")
    indicator_grouping: Literal["stable", "runs", "none"] = Field("stable", description="指标怎么归组合并")
    prints_level2: bool = Field(
        True, description="表上印不印二级指标：false 时数据里 level2 可以不写，审核也不要求数量、质量等二级指标"
    )
    amount_style: Literal["as_typed", "yuan"] = Field("as_typed", description="金额的写法")
    amount_unit: Literal["元", "万元", "亿元"] = Field("万元", description="表上金额的单位")
    sheets: list[SheetSpec] = Field(default_factory=new_list, description="Excel 输出的工作表")
    pages: PagesSpec = Field(default_factory=PagesSpec, description="分页：表头、同页、签字栏、列宽、页码")
    variants: dict[str, str] = Field(default_factory=dict, description="项目表的几种样式：名字 → 表题")
    show: ShowSpec = Field(default_factory=ShowSpec, description="可有可无的部分")
    indicator_tree: dict[str, Level1Spec | None] = Field(default_factory=dict, description="本地区的指标叫法（加在全国的上面）")
    required: list[Kind] | None = Field(None, description="每张指标表至少要有的几类指标（不写用全国的）")
    rules: RulesSpec | None = Field(None, description="审核规则的参数（不写的用全国的）")
    fields: FieldsSpec = Field(default_factory=FieldsSpec, description="本表样特有的栏目")
    import_: ImportSpec = Field(default_factory=ImportSpec, alias="import", description="goaldoc import：模板推不出的栏目从哪里读")
    amount_checks: list[AmountCheckSpec] = Field(default_factory=new_list, description="金额之间的关系（合计、不超过）")
    required_fields: RequiredFieldsSpec = Field(
        default_factory=RequiredFieldsSpec, description="表上不能空着的栏目（空着时 goaldoc check 报错 E306）"
    )
    # a later stage of the year (issue 19, goaldoc.stage): what the form prints and how it scores
    stage: Stage = Field("目标", description="这个表样印哪个阶段：目标（绩效目标表）、监控（绩效运行监控表）、自评（绩效自评表）")
    scoring: ScoringSpec | None = Field(None, description="自评表的计分规则（见 templates/README.md“监控表和自评表”）")
    monitoring: MonitoringSpec | None = Field(None, description="监控表：监控期、完成目标可能性的答案、偏差原因的几栏")
    funds: list[FundLineSpec] = Field(default_factory=new_list, description="监控表、自评表的资金来源各行（goaldoc init --stage 列出）")
    stages: dict[Stage, str] = Field(
        default_factory=dict, description="目标表：之后的阶段默认用哪个表样，如 {监控: 监控表的表样名, 自评: 自评表的表样名}"
    )

    folder: Path = Field(Path(), exclude=True)
    name: str = Field("", exclude=True)
    _national: NationalSpec | None = PrivateAttr(None)

    @field_validator("contract")
    @classmethod
    def _known_contract(cls, v: int) -> int:
        if v != CONTRACT:
            raise ValueError(f"这版 goaldoc 提供的模板上下文是 contract: {CONTRACT}，这个表样写的是 {v}：请换用相应版本的 goaldoc，或按 templates/README.md 改模板")
        return v

    @model_validator(mode="after")
    def _sheets_and_prints(self) -> FormSpec:
        if not self.prints:
            raise ValueError("prints 至少写 department 或 projects 之一")
        if self.xlsx and not self.sheets:
            raise ValueError("有 xlsx 模板时要写 sheets（输出哪些工作表）")
        from ..stage.forms import stage_spec_problem

        problem = stage_spec_problem(self)
        if problem:
            raise ValueError(problem)
        return self

    # -- what the folder means ----------------------------------------------------------
    def path(self, fmt: str) -> Path:
        rel = self.docx if fmt == "docx" else self.xlsx
        if not rel:
            raise TemplateError(
                [Problem(f"表样“{self.name}”没有 {fmt} 模板（form.yaml 没写 {fmt}:）", (), str(self.folder / "form.yaml"), code="T013")]
            )
        return self.folder / rel

    @property
    def formats(self) -> list[str]:
        return [fmt for fmt in ("docx", "xlsx") if getattr(self, fmt)]

    @property
    def projects_only(self) -> bool:
        return self.prints == ["projects"]

    @cached_property
    def printed_title(self) -> str | None:
        """The name the form prints (forms/titles.py): ``paper_title:``, else its templates'
        title cell — the same in the Word and the Excel one, or a T060 problem."""
        from .titles import paper_title

        templates = {fmt: self.folder / rel for fmt in ("docx", "xlsx") if (rel := getattr(self, fmt))}
        return paper_title(self.paper_title, templates, self.folder / "form.yaml")

    @cached_property
    def vocabulary(self) -> Vocabulary:
        national = self._national
        assert national is not None, "load_form sets it"
        tree = merge_trees(national.indicator_tree, self.indicator_tree)
        required = self.required if self.required is not None else national.required
        return build_vocabulary(tree, required, merge_rules(national.rules, self.rules), self.indicator_tree)

    @cached_property
    def heading_groups(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        """goaldoc import: each ``import: headings:`` entry as a group of equivalent spellings
        (the heading and its ``also``, textnorm.name_key): this form's, then national.yaml's.
        Whichever one a form prints, a clerk's other spelling of its group heads that column."""
        from ..textnorm import name_key

        national = self._national
        own, common = (
            [
                tuple(dict.fromkeys(name_key(x) for x in (heading, *(spec.also if spec is not None else []))))
                for heading, spec in source.items()
            ]
            for source in (self.import_.headings, national.import_.headings if national is not None else {})
        )
        return own, common

    @cached_property
    def heading_spellings(self) -> dict[str, list[str]]:
        """goaldoc import: a spelling of a heading (textnorm.name_key) → the other spellings of
        its groups (heading_groups; this form's first), the form's heading among them."""
        out: dict[str, list[str]] = {}
        own, common = self.heading_groups
        for group in (*own, *common):
            for member in group:
                mates = out.setdefault(member, [])
                mates += [m for m in group if m != member and m not in mates]
        return out

    @cached_property
    def model(self) -> type[DepartmentYear]:
        """The department file's model for this form: the common one plus declared fields
        (a later stage's form: the targets with the year's facts, goaldoc.stage.model)."""
        level2_optional = not self.prints_level2
        if self.stage != "目标":
            from ..stage.model import BASES

            return model_for(self.name, self.fields, self.variants, BASES, level2_optional=level2_optional)
        return model_for(self.name, self.fields, self.variants, level2_optional=level2_optional)


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    """A form folder's YAML file (form.yaml, national.yaml) with the line of every key,
    read like department files (safe, exact decimals); a syntax error is a T010 problem."""
    from ..errors import InputError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError([Problem(f"无法读取：{exc}", (), str(path), code="T010")]) from None
    try:
        return load_text(text, str(path))
    except InputError as exc:
        raise TemplateError([replace(p, code="T010") for p in exc.problems]) from None


def parse_form(path: Path, name: str, national: NationalSpec) -> FormSpec:
    """form.yaml → FormSpec, every mistake a located problem (T010 / T014 / T016)."""
    from ..validate import problems_of

    raw, lines = read_yaml(path)
    if not isinstance(raw, dict):
        raise TemplateError([Problem("form.yaml 顶层应为“键: 值”（title:、docx: …）", (), str(path), 1, code="T010")])
    try:
        spec = FormSpec.model_validate(raw)
    except ValidationError as exc:
        raise TemplateError(problems_of(exc, lines, FormSpec, "T010")) from None
    spec.folder = path.parent
    spec.name = name
    spec._national = national
    problems = [
        lines.problem((fmt,), f"{fmt}: {rel} —— 文件夹 {path.parent} 里没有这个文件：请放进去，或改正文件名", code="T014")
        for fmt in ("docx", "xlsx")
        if (rel := getattr(spec, fmt)) and not (path.parent / rel).is_file()
    ]
    problems += _vocabulary_problems(spec, lines)
    problems += _amount_check_problems(spec, lines)
    problems += _required_field_problems(spec, lines)
    if problems:
        raise TemplateError(problems)
    return spec


def _vocabulary_problems(spec: FormSpec, lines: LineMap) -> list[Problem]:
    """The rules can find every kind the form requires, and every kind its splits name."""
    voc = spec.vocabulary
    present = {n.kind for n in voc.level1.values()} | {n.kind for c in voc.level2.values() for n in c.values()}
    out = []
    for i, kind in enumerate(voc.required):
        if kind not in present:
            out.append(
                lines.problem(
                    ("required", i),
                    f"required 写了 {kind}，但指标体系里没有 kind: {kind} 的指标：请在 indicator_tree 里给相应的一级或二级加上 kind: {kind}",
                    code="T016",
                )
            )
    assert voc.rules is not None
    for i, split in enumerate(voc.rules.weight_splits):
        for kind in split:
            if kind not in present:
                out.append(
                    lines.problem(("rules", "weight_splits", i), f"weight_splits 写了 {kind}，但指标体系里没有这一类", code="T016")
                )
    return out


def _amount_check_problems(spec: FormSpec, lines: LineMap) -> list[Problem]:
    """Every name an amount check uses is an amount (or amount lines, or a table and its
    columns) of its place in the form's model."""
    from .fields import amount_field, lines_field, table_columns

    def bad(i: int, message: str) -> Problem:
        return lines.problem(("amount_checks", i), message, code="T018")

    out = []
    for i, check in enumerate(spec.amount_checks):
        for name in check.names():
            if amount_field(spec.model, spec.fields, check.where, name) is None and lines_field(spec, check.where, name) is None:
                out.append(
                    bad(
                        i,
                        f"amount_checks 里的“{name}”不是 {check.where} 下的金额字段：请写金额字段的名字（如 budget.total，"
                        "或 fields 里 type: amount 的字段；type: lines 的字段代表它的合计行）",
                    )
                )
        if check.rows is not None:
            columns = table_columns(spec, check.where, check.rows)
            if columns is None:
                out.append(bad(i, f"amount_checks 里的 rows “{check.rows}”不是 {check.where} 下 type: table 或 type: lines 的字段"))
            else:
                if check.match not in columns:
                    out.append(bad(i, f"amount_checks 里的 match “{check.match}”不是 {check.rows} 的列（有 {'、'.join(columns)}）"))
                if columns.get(check.amount) != "amount":
                    out.append(bad(i, f"amount_checks 里的 amount “{check.amount}”不是 {check.rows} 的金额列"))
            if lines_field(spec, check.where, check.lines or "") is None:
                out.append(
                    bad(i, f"amount_checks 里的 lines “{check.lines}”不是 {check.where} 下的预算行：请写 budget.expenditure、budget.income 或 type: lines 的字段")
                )
    return out


def _required_field_problems(spec: FormSpec, lines: LineMap) -> list[Problem]:
    """Every name ``required_fields`` lists is a field of its place in the form's model."""
    out = []
    for place in ("year", "department", "project", "indicator"):
        for i, name in enumerate(getattr(spec.required_fields, place)):
            if field_at(spec.model, place, name) is None:
                out.append(
                    lines.problem(
                        ("required_fields", place, i),
                        f"required_fields 里的“{name}”不是 {place} 下的栏目：请写通用栏目或 fields 里声明的栏目的名字"
                        "（如 department 下的 staff_count、project 下的 annual_goal、indicator 下的 value）",
                        code="T010",
                    )
                )
    return out


def field_at(model: type[DepartmentYear], place: str, dotted: str) -> Any:
    """The pydantic field ``dotted`` (``budget.total``) of ``place`` (year, department,
    project, indicator) in a form's model, or None."""
    import typing

    def inner(tp: Any) -> Any:
        for arg in (tp, *typing.get_args(tp)):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
            found = [a for a in typing.get_args(arg) if isinstance(a, type) and issubclass(a, BaseModel)]
            if found:
                return found[0]
        return None

    owner: Any = model
    for step in {"year": [], "department": ["department"], "project": ["projects"], "indicator": ["indicators"]}[place]:
        owner = inner(owner.model_fields[step].annotation)
    field = None
    for part in dotted.split("."):
        if owner is None or part not in owner.model_fields:
            return None
        field = owner.model_fields[part]
        owner = inner(field.annotation)
    return field


def parse_national(path: Path) -> NationalSpec:
    from ..validate import problems_of

    raw, lines = read_yaml(path)
    try:
        return NationalSpec.model_validate(raw)
    except ValidationError as exc:
        raise TemplateError(problems_of(exc, lines, NationalSpec, "T010")) from None
