"""A form's indicator vocabulary and rule parameters, read from data (issue 8 item 1).

The tree 一级 → 二级, the other spellings a region uses (``also``), which kinds every
indicator list must have, and the numbers the finance bureau's rules use. The national
defaults are ``templates/national.yaml``; a form's ``form.yaml`` adds to them or changes
them. This module holds the mechanism only: no indicator name is written here.

A *kind* is what a rule calls a node of the tree (``satisfaction`` for 满意度指标, or for
a 满意度 二级 that a region puts under 效益指标). The kinds are fixed: the rules are code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..model import new_list
from ..textnorm import name_key

Kind = Literal["output", "benefit", "satisfaction", "cost", "quantity", "quality", "timeliness"]
KINDS: dict[str, str] = {
    "output": "产出",
    "benefit": "效益",
    "satisfaction": "满意度",
    "cost": "成本",
    "quantity": "数量",
    "quality": "质量",
    "timeliness": "时效",
}


def squash(name: str) -> str:
    """A name as shown: without spaces (also full-width ones and line breaks). Names are
    compared by :func:`goaldoc.textnorm.name_key`, never by this."""
    return "".join(name.split())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built when first used (cold start: issue 23)


class Level2Spec(_Strict):
    kind: Kind | None = Field(None, description="审核规则怎么认它")
    also: list[str] = Field(default_factory=new_list, description="同义的其他写法")
    print: str | None = Field(None, description="本表样印的写法（模板里 row.printed.level2）")


class Level1Spec(_Strict):
    kind: Kind | None = Field(None, description="审核规则怎么认它")
    also: list[str] = Field(default_factory=new_list, description="同义的其他写法")
    print: str | None = Field(None, description="本表样印的写法（模板里 row.printed.level1）")
    level2: dict[str, Level2Spec | None] = Field(default_factory=dict, description="二级指标")


class RulesSpec(_Strict):
    """Parameters of the finance bureau's rules (checks/): every key is optional in a
    form.yaml; what it leaves out comes from templates/national.yaml."""

    weight_totals: list[Decimal] | None = Field(None, description="权重之和应为其中之一")
    weight_splits: list[dict[Kind, Decimal]] | None = Field(None, description="国家规则的一级指标分值")
    satisfaction_min: Decimal | None = Field(None, description="满意度下限（%）")
    value_max_chars: int | None = Field(None, gt=0, description="指标值最多几个字")
    indicators_max: int | None = Field(None, gt=0, description="一张表最多几条指标")
    project_spending_line: str | None = Field(None, description="年度重点工作任务资金对照的预算行")

    @field_validator("weight_splits")
    @classmethod
    def _splits_not_empty(cls, v: list[dict[str, Decimal]] | None) -> list[dict[str, Decimal]] | None:
        if v is not None and any(not s for s in v):
            raise ValueError("每种分配至少写一类指标的分值")
        return v


@dataclass(frozen=True)
class Rules:
    weight_totals: tuple[Decimal, ...]
    weight_splits: tuple[Mapping[str, Decimal], ...]
    satisfaction_min: Decimal
    value_max_chars: int
    indicators_max: int
    project_spending_line: str


@dataclass(frozen=True)
class Node:
    name: str  # canonical, as the tree writes it
    kind: str | None
    parent: str | None = None  # the 一级 of a 二级
    printed: str = ""  # how this form prints it (form.yaml ``print:``; the name when not given)


@dataclass
class Vocabulary:
    """The indicator tree of one form, with its aliases, required kinds and rule numbers.

    Every spelling is compared by :func:`goaldoc.textnorm.name_key` (full-width brackets,
    spaces, ``／`` aside). A 二级's other spellings count under its own 一级 only, and a
    name a tree declares under a 一级 is always that name there: a form that puts a
    nationally known spelling of one 一级's 二级 under another 一级
    gets it there as its own 二级 (issue 22 item 1)."""

    level1: dict[str, Node] = field(default_factory=dict)
    level2: dict[str, dict[str, Node]] = field(default_factory=dict)  # 一级 → 二级 → node
    aliases1: dict[str, str] = field(default_factory=dict)  # name_key → canonical 一级
    aliases2: dict[str, dict[str, str]] = field(default_factory=dict)  # 一级 → name_key → canonical 二级
    spelled: dict[str, str] = field(default_factory=dict, repr=False)  # name_key → a spelling as declared
    required: tuple[str, ...] = ()
    rules: Rules | None = None

    # -- names -------------------------------------------------------------------------
    def canonical1(self, name: str) -> str:
        """The tree's name for a 一级 as typed (another spelling resolved, spaces aside)."""
        return self.aliases1.get(name_key(name), squash(name))

    def canonical2(self, name: str, level1: str | None = None) -> str:
        """The tree's name for a 二级 as typed: under ``level1`` when given, else under the
        first 一级 that knows the spelling (its own name first)."""
        key = name_key(name)
        if level1 is not None:
            return self.aliases2.get(self.canonical1(level1), {}).get(key, squash(name))
        found = [a[key] for a in self.aliases2.values() if key in a]
        own = [c for c in found if name_key(c) == key]
        return (own or found or [squash(name)])[0]

    def node1(self, name: str) -> Node | None:
        return self.level1.get(self.canonical1(name))

    def node2(self, level1: str, level2: str) -> Node | None:
        c1 = self.canonical1(level1)
        c2 = self.aliases2.get(c1, {}).get(name_key(level2))
        return None if c2 is None else self.level2.get(c1, {}).get(c2)

    def spellings1(self) -> list[str]:
        """Every accepted spelling of a 一级 (for suggestions)."""
        return list(self.level1) + [self.spelled.get(a, a) for a, c in self.aliases1.items() if a != name_key(c)]

    def spellings2(self, level1: str) -> list[str]:
        c1 = self.canonical1(level1)
        names = list(self.level2.get(c1, {}))
        return names + [self.spelled.get(a, a) for a, c in self.aliases2.get(c1, {}).items() if a != name_key(c)]

    def owners_of(self, level2: str) -> list[str]:
        """The 一级 under which this 二级 (in any of its spellings) is found in the tree."""
        key = name_key(level2)
        return [l1 for l1, aliases in self.aliases2.items() if key in aliases]

    def other_spellings(self, canonical: str, level: int, level1: str | None = None) -> list[str]:
        aliases = self.aliases1 if level == 1 else self.aliases2.get(self.canonical1(level1 or ""), {})
        return [self.spelled.get(a, a) for a, c in aliases.items() if c == canonical and a != name_key(c)]

    def printed1(self, name: str) -> str:
        """How this form prints a 一级 typed in any of its spellings: its ``print:`` spelling,
        else the tree's name; a name the tree does not know as typed."""
        node = self.node1(name)
        return (node.printed or node.name) if node is not None else name

    def printed2(self, level1: str, level2: str) -> str:
        node = self.node2(level1, level2)
        return (node.printed or node.name) if node is not None else level2

    # -- kinds -------------------------------------------------------------------------
    def kinds(self, level1: str, level2: str) -> set[str]:
        """The kinds an indicator row counts as: its 一级's and its 二级's."""
        out = set()
        n1 = self.node1(level1)
        if n1 is not None and n1.kind:
            out.add(n1.kind)
        n2 = self.node2(level1, level2)
        if n2 is not None and n2.kind:
            out.add(n2.kind)
        return out

    def kind_level(self, kind: str) -> int:
        """1 when the tree has a 一级 of this kind, else 2."""
        return 1 if any(n.kind == kind for n in self.level1.values()) else 2

    def kind_names(self, kind: str) -> list[str]:
        """How the tree writes this kind, for messages (满意度指标; 效益指标下的满意度)."""
        names = [n.name for n in self.level1.values() if n.kind == kind]
        if names:
            return names
        return [
            f"{l1}下的{n.name}" for l1, children in self.level2.items() for n in children.values() if n.kind == kind
        ]


def build_vocabulary(
    tree: Mapping[str, Level1Spec | None],
    required: Iterable[str],
    rules: Rules,
    own: Mapping[str, Level1Spec | None] | None = None,
) -> Vocabulary:
    """The vocabulary of ``tree`` (the national tree with the form's on top: merge_trees).
    ``own`` is the form's own part: its other spellings win over the national ones, and a
    二级 it declares under another 一级 than the national tree's, without a kind, keeps the
    kind that spelling has nationally (a 满意度 spelling under 效益指标 still counts as 满意度)."""
    voc = Vocabulary(required=tuple(required), rules=rules)
    own = own or {}
    national_kind = _national_kinds(tree)
    own_keys = {name_key(n1): {name_key(n2) for n2 in (s.level2 if s else {})} for n1, s in own.items()}
    for name1, spec1 in tree.items():
        spec1 = spec1 or Level1Spec()
        c1 = squash(name1)
        voc.level1[c1] = Node(c1, spec1.kind, printed=squash(spec1.print or ""))
        voc.aliases2.setdefault(c1, {})
        children = voc.level2.setdefault(c1, {})
        for name2, spec2 in spec1.level2.items():
            spec2 = spec2 or Level2Spec()
            c2 = squash(name2)
            kind: str | None = spec2.kind
            if kind is None and name_key(c2) in own_keys.get(name_key(c1), set()):
                kind = next((k for l1, k in national_kind.get(name_key(c2), []) if l1 != name_key(c1) and k), None)
            children[c2] = Node(c2, kind, c1, printed=squash(spec2.print or ""))
    # other spellings: the national ones, then the form's own (which win); a declared name is always itself
    for source in (tree, own):
        for name1, spec1 in source.items():
            c1 = _same(voc.level1, name1)
            for a in (spec1.also if spec1 else []):
                voc.aliases1[name_key(a)] = c1
                voc.spelled.setdefault(name_key(a), squash(a))
            for name2, spec2 in (spec1.level2 if spec1 else {}).items():
                c2 = _same(voc.level2.get(c1, {}), name2)
                for a in (spec2.also if spec2 else []):
                    voc.aliases2.setdefault(c1, {})[name_key(a)] = c2
                    voc.spelled.setdefault(name_key(a), squash(a))
    for c1 in voc.level1:
        voc.aliases1[name_key(c1)] = c1
        for c2 in voc.level2.get(c1, {}):
            voc.aliases2[c1][name_key(c2)] = c2
    return voc


def _same(names: Mapping[str, object], name: str) -> str:
    """The name among ``names`` that ``name`` is (by name_key), else ``name`` without spaces."""
    key = name_key(name)
    return next((n for n in names if name_key(n) == key), squash(name))


def _national_kinds(tree: Mapping[str, Level1Spec | None]) -> dict[str, list[tuple[str, str | None]]]:
    """name_key of every 二级 spelling → [(its 一级's key, the kind it counts as)]."""
    out: dict[str, list[tuple[str, str | None]]] = {}
    for name1, spec1 in tree.items():
        spec1 = spec1 or Level1Spec()
        for name2, spec2 in spec1.level2.items():
            spec2 = spec2 or Level2Spec()
            for spelling in (name2, *spec2.also):
                out.setdefault(name_key(spelling), []).append((name_key(name1), spec2.kind or spec1.kind))
    return out


def merge_trees(
    base: Mapping[str, Level1Spec | None], extra: Mapping[str, Level1Spec | None]
) -> dict[str, Level1Spec | None]:
    """A form's tree on top of the national one: a 一级 or 二级 it names gets the form's kind
    (when given) and its other spellings added; a new 一级 or 二级 is added. Names are
    matched by their normal form (name_key)."""
    out: dict[str, Level1Spec | None] = {}
    for name, spec in base.items():
        out[squash(name)] = spec.model_copy(deep=True) if spec else None
    for name, spec in extra.items():
        key = next((k for k in out if name_key(k) == name_key(name)), squash(name))
        old = out.get(key)
        if old is None or spec is None:
            out[key] = spec if old is None else old
            continue
        level2 = dict(old.level2)
        for k, v in spec.level2.items():
            k2 = next((n for n in level2 if name_key(n) == name_key(k)), squash(k))
            was = level2.get(k2)
            if was is None or v is None:
                level2[k2] = v if was is None else was
            else:  # the form's kind where it gives one; other spellings added to the national ones
                level2[k2] = Level2Spec(
                    kind=v.kind or was.kind,
                    also=[*was.also, *(a for a in v.also if a not in was.also)],
                    print=v.print or was.print,
                )
        out[key] = Level1Spec(
            kind=spec.kind or old.kind,
            also=[*old.also, *(a for a in spec.also if a not in old.also)],
            level2=level2,
            print=spec.print or old.print,
        )
    return out


def merge_rules(base: RulesSpec, extra: RulesSpec | None) -> Rules:
    """The form's rule numbers, the national ones where it gives none."""
    values: dict[str, Any] = base.model_dump()
    if extra is not None:
        values.update({k: v for k, v in extra.model_dump().items() if v is not None})
    missing = [k for k, v in values.items() if v is None]
    if missing:
        raise ValueError(f"templates/national.yaml 缺少 rules 的 {'、'.join(missing)}")
    return Rules(
        weight_totals=tuple(values["weight_totals"]),
        weight_splits=tuple(values["weight_splits"]),
        satisfaction_min=values["satisfaction_min"],
        value_max_chars=values["value_max_chars"],
        indicators_max=values["indicators_max"],
        project_spending_line=values["project_spending_line"],
    )
