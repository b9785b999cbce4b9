"""What a form is: read from ``templates/<name>/form.yaml`` (data, not code).

A template folder holds the Word and Excel files an admin edits, plus ``form.yaml``:

.. code-block:: yaml

    title: 广东省部门整体预算绩效目标批复表
    docx: forms.docx                 # Word template (all forms of the bundle, in order)
    xlsx: forms.xlsx                 # Excel template (one template sheet per form)
    filename: "{{ year }}年{{ department.name }}预算绩效目标表"
    indicator_grouping: stable       # stable | runs | none   (see indicators.group_indicators)
    amount_style: as_typed           # as_typed | yuan
    amount_unit: 万元                 # the unit the form prints amounts in
    sheets:                          # output sheets, in order
      - template: 部门整体             # a sheet of forms.xlsx
        name: 部门整体绩效目标表        # its name in the output (Jinja)
      - template: 项目表
        for_each: projects           # one sheet per project; `item` is the project
        name: "{{ item.name }}"

Templates are looked up along a search path: a user's folder (``--templates``) first, then
``$GOALDOC_TEMPLATES``, ``./templates`` in the working directory, then the templates shipped
with goaldoc (the source checkout's, or an installed copy's under ``<prefix>/share/goaldoc``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import Problem, TemplateError

# a source checkout (pip install -e .) has them beside src/; pip install . puts them under
# <prefix>/share/goaldoc (pyproject's data-files)
BUILTIN_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INSTALLED_TEMPLATES = Path(sys.prefix) / "share" / "goaldoc" / "templates"


class SheetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: str = Field(description="Excel 模板里的工作表名")
    name: str = Field(description="输出工作表名（可用 Jinja）")
    for_each: Literal["projects"] | None = Field(None, description="每个项目一张表")
    when: str | None = Field(None, description="条件（Jinja 表达式），为假时不输出这张表")


class FormSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    docx: str | None = None
    xlsx: str | None = None
    filename: str = "{{ year }}年{{ department.name }}预算绩效目标表"
    indicator_grouping: Literal["stable", "runs", "none"] = "stable"
    amount_style: Literal["as_typed", "yuan"] = "as_typed"
    amount_unit: str = "万元"
    sheets: list[SheetSpec] = Field(default_factory=list)

    folder: Path = Path()
    name: str = ""

    def path(self, fmt: str) -> Path:
        rel = self.docx if fmt == "docx" else self.xlsx
        if not rel:
            raise TemplateError(
                [Problem(f"表样“{self.name}”没有 {fmt} 模板", (), str(self.folder / "form.yaml"), code="T013")]
            )
        return self.folder / rel


def search_path(user_dir: str | Path | None = None) -> list[Path]:
    dirs: list[Path] = []
    if user_dir:
        dirs.append(Path(user_dir))
    env = os.environ.get("GOALDOC_TEMPLATES")
    if env:
        dirs.append(Path(env))
    dirs.append(Path.cwd() / "templates")
    dirs.append(BUILTIN_TEMPLATES)
    dirs.append(INSTALLED_TEMPLATES)
    out: list[Path] = []
    for d in dirs:
        if d.resolve() not in [o.resolve() for o in out]:
            out.append(d)
    return out


def available_forms(user_dir: str | Path | None = None) -> list[str]:
    names: list[str] = []
    for d in search_path(user_dir):
        if d.is_dir():
            names += [p.parent.name for p in sorted(d.glob("*/form.yaml")) if p.parent.name not in names]
    return names


def load_form(name: str, user_dir: str | Path | None = None) -> FormSpec:
    for d in search_path(user_dir):
        spec_file = d / name / "form.yaml"
        if spec_file.is_file():
            try:
                raw = yaml.safe_load(spec_file.read_text(encoding="utf-8-sig")) or {}
                spec = FormSpec.model_validate(raw)
            except (yaml.YAMLError, ValidationError) as exc:
                raise TemplateError(
                    [Problem(f"表样说明文件有误：{exc}", (), str(spec_file), code="T010")]
                ) from None
            spec.folder = spec_file.parent
            spec.name = name
            return spec
    known = "、".join(available_forms(user_dir)) or "（无）"
    raise TemplateError(
        [Problem(f"找不到表样“{name}”：可用的表样有 {known}", ("form",), code="T011")]
    )
