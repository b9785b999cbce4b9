"""`goaldoc init`: a commented starter file that fits the chosen form (issue 8 item 5).

Nothing here knows a region. The starter is made from the form folder:

* the sections the form's templates print (the names their ``{{ … }}`` and ``{% … %}``
  read: ``key_tasks``, ``phase_plan``, ``department.functions``, ``project.manager`` …);
* a project when the form prints project tables (``prints: [projects]`` needs one);
* the fields the form declares (form.yaml ``fields:``), each with its Chinese label;
* example indicators of every kind the form requires, named as its tree names them.

What the clerk must fill in is ``……`` or 0: checks list each as a 提醒 (W310), and the
starter checks without errors and renders as written.
"""

from __future__ import annotations

import re
import typing
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .forms import FormSpec
from .forms.fields import FieldSpec
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

# common sections of the department file, in model order: (key, what it looks like)
_SECTIONS: dict[str, str] = {
    "title": "# title: {year}年……        # 表题：不写就按表样默认的印；要改时去掉行首的 # 再写\n",
    "cover": "cover:                           # 封面\n  label: " + FILL + "                   # 附件标注，如 附件4\n  title: " + FILL + "\n",
    "contents": "contents:                        # 目录（页码由 goaldoc 算）\n  - title: " + FILL + "\n",
    "goals": "goals:                           # 总体绩效目标，一段一项\n  - \"1. " + FILL + "\"\n",
    "detail_goals": "detail_goals:                    # 明细目标\n  - " + FILL + "\n",
    "phase_plan": "phase_plan:                      # 目标阶段性计划\n  - {{period: 1月-6月, text: " + FILL + "}}\n  - {{period: 7月-12月, text: " + FILL + "}}\n",
    "sub_goals": "sub_goals:                       # 分项绩效目标\n  - title: " + FILL + "\n    goal: " + FILL + "\n",
    "key_tasks": "key_tasks:                       # 年度重点工作任务\n  - name: " + FILL + "\n    content: " + FILL + "\n    funds: 0\n    target: " + FILL + "\n",
    "other_tasks": "other_tasks: []                  # 其他需完成的任务（可选填）\n",
    "safeguards": "safeguards:                      # 保障措施\n  organization: " + FILL + "\n  rules: " + FILL + "\n",
}


def used_names(spec: FormSpec) -> set[str]:
    """Every name the form's templates read: top-level variables and attributes."""
    texts: list[str] = []
    for fmt in spec.formats:
        path = spec.path(fmt)
        try:
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    if name.endswith(".xml"):
                        xml = z.read(name).decode("utf-8", "replace")
                        texts.append(re.sub(r"<[^>]+>", "", xml))
        except (OSError, zipfile.BadZipFile):
            continue
    names: set[str] = set()
    for text in texts:
        for expr in re.findall(r"\{[{%](.*?)[%}]\}", text, re.S):
            names |= set(re.findall(r"[A-Za-z_]\w*", expr))
    return names


def starter_text(spec: FormSpec, year: int, path: str) -> str:
    used = used_names(spec)
    out = [HEADER.format(year=year, form=spec.name, title=spec.title, path=path)]
    out.append(f"year: {year}\nform: {spec.name}\n")
    if "title" in used:
        out.append(_SECTIONS["title"].format(year=year))
    out += [_fields(spec.fields.year.items(), 0)]
    out.append(_department(spec, used))
    out += [_SECTIONS[k] for k in ("cover", "contents") if k in used]
    out.append(_budget(used))
    out += [text.format(year=year) for key, text in _SECTIONS.items() if key in used and key not in ("title", "cover", "contents")]
    out.append(_indicators(spec, spec.fields.indicator, "indicators", 0) if "department" in spec.prints else "")
    out.append(_projects(spec, used))
    out.append(_signature(used))
    return "\n".join(part for part in out if part)


def _numeric(annotation: Any) -> bool:
    """int | None, Amount | None (Annotated[Decimal, …]): a number somewhere inside."""
    if annotation in (int, Decimal):
        return True
    return any(_numeric(a) for a in typing.get_args(annotation))


def _comment(desc: str | None) -> str:
    return f"  # {desc.split('，')[0]}" if desc else ""


def _department(spec: FormSpec, used: set[str]) -> str:
    lines = ["department:", f"  name: 某某市某某局{' ' * 14}# 部门名称（全称）", f"  area: 某某市{' ' * 19}# 所属行政区（用于表题）"]
    for name, field in Department.model_fields.items():
        if name in ("name", "area") or name not in used:
            continue
        value = "0" if _numeric(field.annotation) else FILL
        lines.append(f"  {name}: {value}{_comment(field.description)}")
    text = "\n".join(lines) + "\n"
    return text + _fields(spec.fields.department.items(), 2)


def _budget(used: set[str]) -> str:
    if not ({"budget", "budget_rows", "department_total"} & used):
        return "budget:\n  unit: 万元\n"
    return (
        "budget:\n  unit: 万元                       # 金额单位：元 或 万元\n"
        "  expenditure:                     # 部门预算支出：level 0 合计，1 一、二、三…，2 其中\n"
        "    - {label: 合计, amount: 0}\n"
        "    - {label: 一、基本支出, amount: 0, level: 1}\n"
        "    - {label: 二、项目支出, amount: 0, level: 1}\n"
        "  income:                          # 收入来源\n"
        "    - {label: 合计, amount: 0}\n"
        "    - {label: 一、财政拨款, amount: 0, level: 1}\n"
    )


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


def _indicators(spec: FormSpec, declared: dict[str, FieldSpec], key: str, indent: int) -> str:
    pad = " " * indent
    lines = [f"{pad}{key}:{' ' * max(1, 33 - indent - len(key))}# 绩效指标：一级 → 二级 按填写顺序分组、合并"]
    for l1, l2, value in _example_indicators(spec):
        extra = "".join(f", {name}: {_placeholder(f, value)}" for name, f in declared.items())
        level2 = f" level2: {l2}," if spec.prints_level2 else ""  # prints_level2: false — not on paper
        lines.append(f"{pad}  - {{level1: {l1},{level2} name: {FILL}, explanation: {FILL}, value: \"{value}\"{extra}}}")
    return "\n".join(lines) + "\n"


def _projects(spec: FormSpec, used: set[str]) -> str:
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
        if name in used:
            lines.append(f"    {name}: {FILL}{_comment(field.description)}")
    lines.append("    budget: {unit: 万元, total: 0}    # 预算数（资金总额）")
    for name in ("goals", "plans"):
        if name in used:
            lines.append(f"    {name}: [{FILL}]{_comment(Project.model_fields[name].description)}")
    text = "\n".join(lines) + "\n" + _fields(spec.fields.project.items(), 4)
    return text + _indicators(spec, spec.fields.indicator, "indicators", 4)


def _signature(used: set[str]) -> str:
    if "signature" not in used:
        return ""
    lines = ["signature:                       # 不填的打印成横线，盖章签字用"]
    for name, field in Signature.model_fields.items():
        lines.append(f"  {name}:{' ' * max(1, 31 - len(name))}{_comment(field.description).strip()}")
    return "\n".join(lines) + "\n"


__all__ = ["starter_text", "used_names"]
