"""`goaldoc init`: a commented starter file that fits the chosen form (issue 8 item 5).

Nothing here knows a region. The starter is made from the form folder:

* the sections and fields the form's templates print (forms/reads.py: ``key_tasks``,
  ``phase_plan``, ``department.functions``, ``project.manager`` …), nothing a template
  never prints (issue 16: a value the form does not print is a 提醒 W312);
* a project when the form prints project tables (``prints: [projects]`` needs one);
* the fields the form declares (form.yaml ``fields:``), each with its Chinese label;
* example indicators of every kind the form requires, named as its tree names them.

What the clerk must fill in is ``……`` or 0: checks list each as a 提醒 (W310), and the
starter checks without errors and renders as written.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .forms import FormSpec
from .forms.fields import FieldSpec
from .forms.reads import Reads, form_reads
from .model import Department, Project, Signature

FILL = "……"

HEADER = """\
# goaldoc 填报文件（{year} 年度，表样 {form}：{title}）。每个部门每年一个文件；改好后运行：
#   goaldoc check {path}     检查（“还是新建文件里的……”的提醒，填好就没有了）
#   goaldoc render {path}    生成 Word 和 Excel
# “#”后面是说明，可以删掉。冒号、空格、引号都用英文（半角）的；文字里有“: ”或“#”、
# 或在 {{ }} 里有逗号时，请把整个值用英文引号括起来，如 name: "甲, 乙"。
# 用不上的项可以整项删去。所有键的说明：goaldoc schema --form {form}
# 明年可以用今年的文件开始：goaldoc init 明年/x.yaml --from {path}
"""

# common sections of the department file, in model order: each field with its example, the
# fields a template may print one by one (a field the form does not print is left out)
_SECTIONS: dict[str, list[tuple[str, str]]] = {
    "goals": [("", "goals:                           # 总体绩效目标，一段一项\n  - \"1. " + FILL + "\"\n")],
    "detail_goals": [("", "detail_goals:                    # 明细目标\n  - " + FILL + "\n")],
    "phase_plan": [("", "phase_plan:                      # 目标阶段性计划\n  - {period: 1月-6月, text: " + FILL + "}\n  - {period: 7月-12月, text: " + FILL + "}\n")],
    "sub_goals": [("", "sub_goals:                       # 分项绩效目标\n  - title: " + FILL + "\n"), ("goal", "    goal: " + FILL + "\n")],
    "key_tasks": [
        ("", "key_tasks:                       # 年度重点工作任务\n  - name: " + FILL + "\n"),
        ("content", "    content: " + FILL + "\n"),
        ("funds", "    funds: 0\n"),
        ("target", "    target: " + FILL + "\n"),
    ],
    "other_tasks": [("", "other_tasks: []                  # 其他需完成的任务（可选填）\n")],
    "safeguards": [
        ("", "safeguards:                      # 保障措施\n"),
        ("organization", "  organization: " + FILL + "\n"),
        ("rules", "  rules: " + FILL + "\n"),
        ("items", "  items:\n    - " + FILL + "\n"),
    ],
}
_FIELDS = {"phase_plan": ("period", "text"), "sub_goals": ("title", "goal"), "key_tasks": ("name", "content", "funds", "target"),
           "other_tasks": ("name", "content", "funds", "target"), "safeguards": ("organization", "rules", "items")}


def _section(key: str, shows: Reads) -> str:
    """A common section, with the fields of it the form prints; "" when it prints none."""
    item = ("*",) if key not in ("safeguards",) else ()
    fields = _FIELDS.get(key)
    if fields is None:
        return _SECTIONS[key][0][1] if shows.shows(key, "*") else ""
    printed = [f for f in fields if shows.shows(key, *item, f) or (f == "items" and shows.shows(key, f, "*"))]
    if not printed:
        return ""
    return "".join(text for name, text in _SECTIONS[key] if not name or name in printed)


def used_names(spec: FormSpec) -> Reads:
    """What the form's templates print (forms/reads.py)."""
    return form_reads(spec)


def starter_text(spec: FormSpec, year: int, path: str) -> str:
    shows = used_names(spec)
    out = [HEADER.format(year=year, form=spec.name, title=spec.title, path=path)]
    out.append(f"year: {year}\nform: {spec.name}\n")
    if shows.shows("title"):
        out.append(f"# title: {year}年……        # 表题：不写就按表样默认的印；要改时去掉行首的 # 再写\n")
    out += [_fields(spec.fields.year.items(), 0)]
    out.append(_department(spec, shows))
    out.append(_cover(shows))
    if shows.shows("contents", "*", "title"):
        out.append("contents:                        # 目录（页码由 goaldoc 算）\n  - title: " + FILL + "\n")
    out.append(_budget(shows))
    out += [_section(key, shows) for key in _SECTIONS]
    if shows.shows("indicators", "*", "name"):
        out.append(_indicators(spec, spec.fields.indicator, "indicators", 0, shows))
    out.append(_projects(spec, shows))
    out.append(_signature(shows))
    return "\n".join(part for part in out if part)


def _numeric(annotation: Any) -> bool:
    """int | None, Amount | None (Annotated[Decimal, …]): a number somewhere inside."""
    if annotation in (int, Decimal):
        return True
    return any(_numeric(a) for a in typing.get_args(annotation))


def _comment(desc: str | None) -> str:
    return f"  # {desc.split('，')[0]}" if desc else ""


def _department(spec: FormSpec, shows: Reads) -> str:
    lines = ["department:", f"  name: 某某市某某局{' ' * 14}# 部门名称（全称）"]
    for name, field in Department.model_fields.items():
        if name == "name" or not shows.shows("department", name):
            continue
        value = "0" if _numeric(field.annotation) else "某某市" if name == "area" else FILL
        lines.append(f"  {name}: {value}{' ' * max(1, 27 - len(name) - len(value))}{_comment(field.description).strip()}")
    text = "\n".join(lines) + "\n"
    return text + _fields(spec.fields.department.items(), 2)


def _cover(shows: Reads) -> str:
    printed = [k for k in ("label", "title") if shows.shows("cover", k)]
    if not printed:
        return ""
    text = "cover:                           # 封面\n"
    if "label" in printed:
        text += "  label: " + FILL + "                   # 附件标注，如 附件4\n"
    if "title" in printed:
        text += "  title: " + FILL + "\n"
    return text


def _budget(shows: Reads) -> str:
    sides = [side for side in ("expenditure", "income") if shows.shows("budget", side, "*", "amount")]
    if not sides:
        if shows.shows("budget", "expenditure", "*", "amount", total_line=True):  # the 合计 only (a unit row)
            return "budget:\n  unit: 万元\n  expenditure:\n    - {label: 合计, amount: 0}    # 部门预算支出合计\n"
        return ""
    text = "budget:\n"
    if shows.shows("budget", "unit"):
        text += "  unit: 万元                       # 金额单位：元 或 万元\n"
    if "expenditure" in sides:
        text += (
            "  expenditure:                     # 部门预算支出：level 0 合计，1 一、二、三…，2 其中\n"
            "    - {label: 合计, amount: 0}\n"
            "    - {label: 一、基本支出, amount: 0, level: 1}\n"
            "    - {label: 二、项目支出, amount: 0, level: 1}\n"
        )
    if "income" in sides:
        text += "  income:                          # 收入来源\n    - {label: 合计, amount: 0}\n    - {label: 一、财政拨款, amount: 0, level: 1}\n"
    # model.Budget: `{}` is a blank row of its side (the two sides line up as on the published form)
    where = "支出、收入两边逐行对齐：某一边的某一行空白时" if len(sides) == 2 else "表上某一行空白时"
    text += f"  # {where}，在那个位置写一项  - {{}}    # 空一行：表上这一格空白\n"
    return text


def _placeholder(spec: FieldSpec, value: str | None = None) -> str:
    """A YAML value (flow style) for a declared field: what the clerk replaces (a value per
    period that is checked like 指标值 gets the row's example value)."""
    if spec.type in ("integer", "amount"):
        return "0"
    if spec.type == "choice":
        return _quote((spec.options or [FILL])[0])
    if spec.type == "texts":
        return f"[{FILL}]"
    if spec.type == "periods":
        each = f'"{value}"' if value is not None and spec.check_values else FILL
        return "{" + ", ".join(f"{_quote(p)}: {each}" for p in spec.periods or ()) + "}"
    if spec.type == "lines":
        return "[{label: 合计, amount: 0}]"
    if spec.type == "table":
        cols = spec.columns or {}
        row = ", ".join(f"{c}: {'0' if col.type != 'text' else FILL}" for c, col in cols.items())
        rows = [f"{{{row}}}"]
        if spec.total is not None:
            total = ", ".join(
                f"{c}: {_quote(spec.total.label) if c == spec.total.column else ('0' if col.type != 'text' else FILL)}"
                for c, col in cols.items()
            )
            rows.append(f"{{{total}}}")
        return "[" + ", ".join(rows) + "]"
    return FILL


def _quote(text: str) -> str:
    return f'"{text}"' if re.search(r"[:#,\[\]{}]|^\d", text) else text


def _fields(items: Iterable[tuple[str, FieldSpec]], indent: int) -> str:
    pad = " " * indent
    return "".join(f"{pad}{name}: {_placeholder(f)}  # {f.label}（本表样特有）\n" for name, f in items)


def _example_indicators(spec: FormSpec) -> list[tuple[str, str, str]]:
    """(一级, 二级, 指标值) of one row per kind the form requires, in the tree's order and
    named as its tree names them."""
    voc = spec.vocabulary
    required = set(voc.required)
    values = {"quantity": "≥1 次", "quality": "100%", "satisfaction": "≥90%", "timeliness": "按时完成"}
    rows: list[tuple[str, str, str]] = []
    for l1, node in voc.level1.items():
        children = list(voc.level2.get(l1, {}).values())
        wanted = [c for c in children if c.kind in required] if spec.prints_level2 else []
        if wanted:
            rows += [(l1, c.name, values.get(c.kind or "", "有效推动")) for c in wanted]
        elif node.kind in required:
            rows.append((l1, children[0].name if children else FILL, values.get(node.kind or "", "有效推动")))
    return rows


def _indicators(spec: FormSpec, declared: dict[str, FieldSpec], key: str, indent: int, shows: Reads, at: tuple[str, ...] = ()) -> str:
    pad = " " * indent
    lines = [f"{pad}{key}:{' ' * max(1, 33 - indent - len(key))}# 绩效指标：一级 → 二级 按填写顺序分组、合并"]
    own = [f for f in ("explanation", "value") if shows.shows(*at, "indicators", "*", f)]
    for l1, l2, value in _example_indicators(spec):
        extra = "".join(f", {name}: {_placeholder(f, value)}" for name, f in declared.items())
        level2 = f" level2: {l2}," if spec.prints_level2 else ""  # prints_level2: false — not on paper
        parts = "".join(f", explanation: {FILL}" if f == "explanation" else f', value: "{value}"' for f in own)
        lines.append(f"{pad}  - {{level1: {l1},{level2} name: {FILL}{parts}{extra}}}")
    return "\n".join(lines) + "\n"


def _projects(spec: FormSpec, shows: Reads) -> str:
    if "projects" not in spec.prints:
        return ""
    lines = ["projects:                        # 项目：每个项目一张项目表", f"  - name: {FILL}{' ' * 22}# 项目名称"]
    if spec.variants:
        first = next(iter(spec.variants))
        choices = "、".join(f"{k}（{v}）" for k, v in spec.variants.items())
        lines.append(f"    variant: {first}{' ' * max(1, 22 - len(first))}# 表样：{choices}")
    for name, field in Project.model_fields.items():
        if name in ("name", "variant", "budget", "indicators", "safeguards", "spending_plan", "goals", "plans", "title"):
            continue
        if shows.shows("projects", "*", name):
            lines.append(f"    {name}: {FILL}{_comment(field.description)}")
    # the project's amounts the form prints (a form may print 财政资金 only: E307 wants one)
    amounts = [k for k in ("total", "fiscal", "other") if shows.shows("projects", "*", "budget", k)]
    if amounts:
        unit = "unit: 万元, " if shows.shows("projects", "*", "budget", "unit") else ""
        lines.append(f"    budget: {{{unit}{', '.join(f'{k}: 0' for k in amounts)}}}    # 预算数（资金总额）")
    for name in ("goals", "plans"):
        if shows.shows("projects", "*", name, "*"):
            lines.append(f"    {name}: [{FILL}]{_comment(Project.model_fields[name].description)}")
    text = "\n".join(lines) + "\n" + _fields(spec.fields.project.items(), 4)
    return text + _indicators(spec, spec.fields.indicator, "indicators", 4, shows, ("projects", "*"))


def _signature(shows: Reads) -> str:
    printed = [name for name in Signature.model_fields if shows.shows("signature", name)]
    if not printed:
        return ""
    lines = ["signature:                       # 不填的打印成横线，盖章签字用"]
    for name in printed:
        lines.append(f"  {name}:{' ' * max(1, 31 - len(name))}{_comment(Signature.model_fields[name].description).strip()}")
    return "\n".join(lines) + "\n"


__all__ = ["starter_text", "used_names"]
