"""`goaldoc init x.xlsx`: the form's own workbook, blank, ready to fill in Excel (issue 21 item 2).

A clerk who does not know YAML fills the form in Excel and hands it to ``goaldoc import`` /
``check`` / ``render``. The workbook is made by the form's own renderer, so that it is the
form the bureau knows, cell for cell, and reads back through the form's templates:

1. a *skeleton* department is built whose every value the clerk fills is a marker: a text
   marker (private-use characters, never typed by anyone) or a number marker for amounts
   and counts; enough rows for a real department (30 indicators, the budget lines, a few
   tasks, projects where the form prints them). Every marker is a distinct value, so no
   two rows merge: each row of 一级 / 二级 is a cell of its own to choose in;
2. the skeleton is rendered to .xlsx through the form (render.bundle, untouched);
3. the workbook is post-processed here: each marker is found, its cell emptied and given
   what helps the clerk type into it — a drop-down list (一级 / 二级 from the form's
   vocabulary, a choice field's options, 计算符号), a number format with the form's
   decimals for amounts, an input message in Chinese saying what goes there — and the
   first cell of the form carries a note on how to go on (check, render).

``init x.xlsx --from last`` does the same with last year's data in place of the markers,
plus empty rows to add to. Nothing here knows a region: all comes from the form folder.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .forms import FormSpec
from .forms.fields import FieldSpec
from .forms.reads import names_read
from .model import DepartmentYear

INDICATOR_ROWS = 30  # a department's 部门整体 indicators (issue 21: a real one has 20–30)
PROJECT_INDICATOR_ROWS = 15
PROJECTS = 1  # one project sheet: the clerk copies it for more (an empty one would read as a project)
KEY_TASKS = 5
OTHER_TASKS = 3
SPARE_ROWS = 10  # empty rows added after last year's (init --from)

# the budget lines every 部门预算 has (FORMATS.md §2.1), and two free lines on each side
EXPENDITURE_LINES = (("合计", 0, False), ("其中：政府采购支出", 1, True), ("一、基本支出", 1, False), ("二、项目支出", 1, False), ("三、其他支出", 1, False))
INCOME_LINES = (("合计", 0, False), ("一、财政拨款", 1, False), ("二、其他资金", 1, False), ("三、其他收入", 1, False))
SPARE_LINES = 2

_OPEN, _CLOSE, _DIGIT0 = "\ue000", "\ue001", 0xE010
_TEXT_MARK = re.compile(f"{_OPEN}([\ue010-\ue019]+){_CLOSE}")
_AMOUNT_BASE = 987_000_000  # amount markers: _AMOUNT_BASE + k + 0.25
_COUNT_BASE = 986_000_000  # whole-number markers (人数, 权重, 指标值 in split cells)
_NUMBER_MARK = re.compile(r"98[67],?\d{3},?\d{3}(?:\.25)?")

SIGN_OPTIONS = ("≥", "≤", "=", ">", "<", "≈", "定性")


@dataclass(frozen=True)
class Later:
    """A marker the model would refuse (a choice field allows only its options): left out of
    the data that is validated, and set on the validated model (see :func:`build_model`)."""

    value: str


@dataclass
class Slot:
    """What the clerk types into one blank cell."""

    path: tuple[str | int, ...]
    kind: str  # text, amount, count, level1, level2, choice, sign, weight
    label: str
    options: tuple[str, ...] = ()
    cells: list[str] = field(default_factory=list)  # where it landed ("Sheet!B7")
    value: Any = None  # what the cell holds after all (last year's amount, init --from)
    carried: bool = False  # last year's number, to be checked (a note on its cell says so)


class Marks:
    """Hands out markers and remembers what each one stands for."""

    def __init__(self) -> None:
        self.slots: list[Slot] = []
        # a cell where a value is printed among other text (a title holding 行政区): its
        # text with ``{k}`` where slot k's value goes, as a clerk would type it in
        self.inline: dict[str, str] = {}

    def _add(self, path: tuple[str | int, ...], kind: str, label: str, options: Iterable[str] = ()) -> int:
        self.slots.append(Slot(path, kind, label, tuple(options)))
        return len(self.slots) - 1

    def text(self, path: tuple[str | int, ...], label: str, kind: str = "text", options: Iterable[str] = ()) -> str:
        k = self._add(path, kind, label, options)
        return _OPEN + "".join(chr(_DIGIT0 + int(d)) for d in str(k)) + _CLOSE

    def amount(self, path: tuple[str | int, ...], label: str) -> Decimal:
        return Decimal(_AMOUNT_BASE + self._add(path, "amount", label)) + Decimal("0.25")

    def count(self, path: tuple[str | int, ...], label: str, kind: str = "count") -> int:
        return _COUNT_BASE + self._add(path, kind, label)

    def of_text(self, text: str) -> list[int]:
        return [int("".join(str(ord(c) - _DIGIT0) for c in m[1])) for m in _TEXT_MARK.finditer(text)]

    def of_number(self, value: float | int | Decimal) -> int | None:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        for base, frac in ((_AMOUNT_BASE, Decimal("0.25")), (_COUNT_BASE, Decimal(0))):
            k = d - base - frac
            if k == k.to_integral_value() and 0 <= k < len(self.slots):
                return int(k)
        return None


# ---------------------------------------------------------------- the skeleton department


def skeleton(spec: FormSpec, year: int, marks: Marks, rows: int = INDICATOR_ROWS, projects: int = PROJECTS) -> dict[str, Any]:
    """A department whose every value to fill is a marker (see the module doc)."""
    used = names_read(spec)
    m = marks
    data: dict[str, Any] = {"year": year, "form": spec.name}
    data.update(_declared(spec.fields.year, (), m))
    dept: dict[str, Any] = {"name": m.text(("department", "name"), "部门名称（全称）"), "area": m.text(("department", "area"), "所属行政区")}
    for key, label in (("code", "部门编码"), ("short_name", "部门简称"), ("functions", "部门职能")):
        if key in used:
            dept[key] = m.text(("department", key), label)
    for key, label in (("staff_count", "财政供养人员数（人）"), ("subunit_count", "下属二级单位数（个）")):
        if key in used:
            dept[key] = m.count(("department", key), label)
    if "department_total" in used:
        dept["total"] = m.amount(("department", "total"), "部门预算合计")
    dept.update(_declared(spec.fields.department, ("department",), m))
    data["department"] = dept
    if "cover" in used:
        data["cover"] = {"label": m.text(("cover", "label"), "附件标注，如 附件4")}
    data["budget"] = {"unit": spec.amount_unit}
    if {"budget", "budget_rows"} & used:
        data["budget"]["expenditure"] = _lines("expenditure", EXPENDITURE_LINES, m)
        data["budget"]["income"] = _lines("income", INCOME_LINES, m)
    for key, n, label in (("goals", 3, "总体绩效目标（一段一格）"), ("detail_goals", 3, "明细目标")):
        if key in used:
            data[key] = [m.text((key, i), label) for i in range(n)]
    if "phase_plan" in used:
        data["phase_plan"] = [
            {"period": m.text(("phase_plan", i, "period"), "阶段，如 1月-6月"), "text": m.text(("phase_plan", i, "text"), "阶段目标")}
            for i in range(2)
        ]
    if "sub_goals" in used:
        data["sub_goals"] = [
            {k: m.text(("sub_goals", i, k), label) for k, label in (("title", "分项名称"), ("goal", "绩效目标"), ("indicators", "绩效指标（文字）"))}
            for i in range(5)
        ]
    for key, n in (("key_tasks", KEY_TASKS), ("other_tasks", OTHER_TASKS)):
        if key in used:
            data[key] = [_task((key, i), m) for i in range(n)]
    if "safeguards" in used:
        data["safeguards"] = _safeguards(("safeguards",), m)
    if "department" in spec.prints and "indicator_rows" in used:
        data["indicators"] = [_indicator(spec, used, ("indicators", i), m) for i in range(rows)]
    if "projects" in spec.prints:
        data["projects"] = [_project(spec, used, ("projects", i), m) for i in range(projects)]
    if "signature" in used:
        from .model import Signature

        data["signature"] = {k: m.text(("signature", k), f.description or k) for k, f in Signature.model_fields.items()}
    return data


def _lines(side: str, fixed: Iterable[tuple[str, int, bool]], m: Marks) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for label, level, partial in fixed:
        i = len(out)
        line: dict[str, Any] = {"label": label, "amount": m.amount(("budget", side, i, "amount"), f"{label}（金额）"), "level": level}
        if partial:
            line["partial"] = True
        out.append(line)
    for _ in range(SPARE_LINES):
        i = len(out)
        out.append({"label": m.text(("budget", side, i, "label"), "行名（需要时加一行，如 四、上年结转；整行不填、下面还有行时，表上印成空一行）"), "amount": m.amount(("budget", side, i, "amount"), "金额"), "level": 1})
    return out


def _task(path: tuple[str | int, ...], m: Marks) -> dict[str, Any]:
    return {
        "name": m.text((*path, "name"), "任务名称"),
        "content": m.text((*path, "content"), "主要实施内容"),
        "funds": m.amount((*path, "funds"), "拟投入的资金"),
        "target": m.text((*path, "target"), "期望达到的目标"),
    }


def _safeguards(path: tuple[str | int, ...], m: Marks) -> dict[str, Any]:
    return {
        "organization": m.text((*path, "organization"), "组织机构"),
        "rules": m.text((*path, "rules"), "管理制度"),
        "items": [m.text((*path, "items", i), "保障措施（一条一格）") for i in range(3)],
    }


def _indicator(spec: FormSpec, used: frozenset[str], path: tuple[str | int, ...], m: Marks) -> dict[str, Any]:
    voc = spec.vocabulary
    level1 = tuple(voc.level1)
    level2 = tuple(dict.fromkeys(name for children in voc.level2.values() for name in children))
    ind: dict[str, Any] = {
        "level1": m.text((*path, "level1"), "一级指标", "level1", level1),
        "level2": m.text((*path, "level2"), "二级指标", "level2", level2),
        "name": m.text((*path, "name"), "三级指标（指标名称）"),
        "explanation": m.text((*path, "explanation"), "指标解释"),
    }
    if "value_parts" in used:  # 指标性质 | 指标值 | 度量单位 in three cells
        ind["sign"] = "≥"
        ind["value"] = str(m.count((*path, "value"), "指标值（数字或文字）", "split_value"))
        ind["unit"] = m.text((*path, "unit"), "度量单位，如 %、人、个")
    else:
        ind["value"] = m.text((*path, "value"), "指标值，如 ≥260 件、100%、及时发放")
    for key, label, options in (
        ("basis", "指标值确定依据", ("计划标准", "行业标准", "历史标准", "预算支出标准", "其他标准")),
        ("last_year", "上年度指标值或实际水平", ()),
        ("direction", "指标方向性", ("正向指标", "反向指标")),
        ("nature", "定量 / 定性", ("定量", "定性")),
    ):
        if key in used:
            ind[key] = m.text((*path, key), label, "choice" if options else "text", options)
    if "weight" in used:
        ind["weight"] = m.count((*path, "weight"), "权重（分）", "weight")
    ind.update(_declared(spec.fields.indicator, path, m))
    return ind


def _project(spec: FormSpec, used: frozenset[str], path: tuple[str | int, ...], m: Marks) -> dict[str, Any]:
    from .model import Project

    p: dict[str, Any] = {"name": m.text((*path, "name"), "项目名称")}
    if spec.variants:
        p["variant"] = next(iter(spec.variants))
    for key in ("code", "manager", "phone", "category", "attribute", "period", "fund_nature", "fund_use", "annual_goal"):
        if key in used and key not in spec.fields.project:
            p[key] = m.text((*path, key), (Project.model_fields[key].description or key).split("，")[0])
    p["budget"] = {"unit": spec.amount_unit}
    for key, label in (("total", "预算数（资金总额）"), ("fiscal", "其中：财政资金"), ("other", "其他资金")):
        p["budget"][key] = m.amount((*path, "budget", key), label)
    if "spending_plan" in used:
        p["spending_plan"] = [
            {"period": m.text((*path, "spending_plan", i, "period"), "时点，如 3月底"), "percent": m.text((*path, "spending_plan", i, "percent"), "累计支出进度，如 20%")}
            for i in range(4)
        ]
    for key, label in (("goals", "绩效目标（一条一格）"), ("plans", "实施计划（一条一格）")):
        if key in used:
            p[key] = [m.text((*path, key, i), label) for i in range(3)]
    if "safeguards" in used:
        p["safeguards"] = _safeguards((*path, "safeguards"), m)
    p["indicators"] = [_indicator(spec, used, (*path, "indicators", i), m) for i in range(PROJECT_INDICATOR_ROWS)]
    p.update(_declared(spec.fields.project, path, m))
    return p


def _declared(fields: dict[str, FieldSpec], path: tuple[str | int, ...], m: Marks) -> dict[str, Any]:
    """A marker value for each field the form declares here, by its type."""
    out: dict[str, Any] = {}
    for name, f in fields.items():
        at = (*path, name)
        if f.type == "integer":
            out[name] = m.count(at, f.label)
        elif f.type == "amount":
            out[name] = m.amount(at, f.label)
        elif f.type == "texts":
            out[name] = [m.text((*at, i), f.label) for i in range(3)]
        elif f.type == "choice":  # the model allows only the options: set after validation
            out[name] = Later(m.text(at, f.label, "choice", f.options or ()))
        elif f.type == "periods":
            out[name] = {p: m.text((*at, p), f"{f.label}（{p}）") for p in f.periods or ()}
        elif f.type in ("lines", "table"):
            out[name] = _table(f, at, m)
        else:
            out[name] = m.text(at, f.label)
    return out


def _table(f: FieldSpec, at: tuple[str | int, ...], m: Marks) -> list[dict[str, Any]]:
    cols = f.columns or {}
    rows: list[dict[str, Any]] = []
    if f.type == "lines":
        rows.append({"label": "合计", "amount": m.amount((*at, 0, "amount"), f"{f.label}合计"), "level": 0})
    for _ in range(3):
        i = len(rows)
        row: dict[str, Any] = {"level": 1} if f.type == "lines" else {}
        if f.type == "lines":
            row["label"] = m.text((*at, i, "label"), f"{f.label}：行名")
            row["amount"] = m.amount((*at, i, "amount"), f"{f.label}：金额")
        for c, col in cols.items():
            row[c] = _cell(col.type, (*at, i, c), f"{f.label}：{col.label}", m)
        rows.append(row)
    if f.type == "table" and f.total is not None:
        i = len(rows)
        rows.append({c: (f.total.label if c == f.total.column else _cell(col.type, (*at, i, c), f"{f.label}：{col.label}（合计）", m)) for c, col in cols.items()})
    return rows


def _cell(kind: str, at: tuple[str | int, ...], label: str, m: Marks) -> Any:
    if kind == "amount":
        return m.amount(at, label)
    if kind == "integer":
        return m.count(at, label)
    return m.text(at, label)


def build_model(spec: FormSpec, data: dict[str, Any]) -> DepartmentYear:
    """The skeleton (or last year's data with markers added) validated by the form's model;
    the :class:`Later` values set on it afterwards."""
    later: list[tuple[tuple[str | int, ...], str]] = []

    def lift(node: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if isinstance(v, Later):
                    later.append(((*path, k), v.value))
                else:
                    out[k] = lift(v, (*path, k))
            return out
        if isinstance(node, list):
            return [lift(v, (*path, i)) for i, v in enumerate(node)]
        return node

    model = spec.model.model_validate(lift(data, ()))
    for path, value in later:
        obj: Any = model
        for step in path[:-1]:
            obj = obj[step] if isinstance(step, int) else getattr(obj, step)
        object.__setattr__(obj, str(path[-1]), value)
    model.form = spec.name
    return model


# ---------------------------------------------------------------- the workbook


def render_skeleton(spec: FormSpec, model: DepartmentYear, templates: Any = None) -> bytes:
    """The form's .xlsx of ``model``, through the form's own renderer."""
    from .api import render_bytes
    from .loader import LineMap
    from .loading import Loaded

    loaded = Loaded(model, LineMap("<空白表>"), "<空白表>", spec)
    return render_bytes(loaded, ["xlsx"], None, templates)["xlsx"][1]


AMOUNT_FORMATS = {"yuan": "#,##0.00", "as_typed": "0.00####"}  # as typed: two decimals shown, up to six kept
_LIST_LIMIT = 255  # Excel keeps a list typed into 数据验证 → 来源 up to 255 characters
OPTIONS_SHEET = "下拉选项"


@dataclass
class Blank:
    """A blank workbook and what it holds (said to the clerk by ``goaldoc init``)."""

    data: bytes
    slots: list[Slot]
    sheets: list[str]
    inline: dict[str, str] = field(default_factory=dict)  # Marks.inline

    def count(self, *kinds: str) -> int:
        """Cells to fill of these kinds."""
        return sum(len([c for c in s.cells if "（" not in c]) for s in self.slots if s.kind in kinds)

    def added(self) -> str:
        """The empty rows a workbook made from last year's has (``init --from``)."""
        def rows(head: str, key: str = "level1") -> int:
            return len({s.path[:-1] for s in self.slots if s.cells and s.path[0] == head and s.path[-1] == key})

        parts = [f"{what} {n} 行" for what, n in (
            ("部门整体绩效指标", rows("indicators")),
            ("项目绩效指标", rows("projects")),
            ("年度重点工作任务", rows("key_tasks", "name")),
            ("其他任务", rows("other_tasks", "name")),
        ) if n]
        return "、".join(parts) or "没有"

    def describe(self) -> str:
        """What the workbook holds, for ``goaldoc init`` to say."""
        def rows(head: str) -> int:
            return len({s.path for s in self.slots if s.kind == "level1" and s.cells and s.path[0] == head})

        parts = [f"工作表 {'、'.join(self.sheets)}"]
        if rows("indicators"):
            parts.append(f"部门整体绩效指标 {rows('indicators')} 行")
        projects = len({s.path[1] for s in self.slots if s.path[0] == "projects" and s.cells})
        if projects:
            parts.append(f"项目 {projects} 个（指标共 {rows('projects')} 行；要几个项目用 --projects 写明）")
        lists = dict.fromkeys(s.label for s in self.slots if s.options and any("（" not in c for c in s.cells))
        if lists:
            parts.append(f"下拉列表：{'、'.join(lists)}")
        amounts = self.count("amount")
        if amounts:
            parts.append(f"金额格 {amounts} 个")
        return "；".join(parts)


def finish(xlsx: bytes, marks: Marks, spec: FormSpec, note: str) -> Blank:
    """Empty every marked cell and give it what helps the clerk fill it (module doc, step 3)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx))
    _rename_sheets(wb, marks)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                _unmark(ws, cell, marks)
    amount_format = AMOUNT_FORMATS.get(spec.amount_style, "0.00####")
    lists: dict[tuple[str, ...], str] = {}
    for ws in wb.worksheets:
        _validations(ws, [s for s in marks.slots if any(c.startswith(f"{ws.title}!") for c in s.cells)], spec, amount_format, wb, lists)
    from openpyxl.comments import Comment

    from .importer.document import CARRIED_NOTE

    for slot in marks.slots:  # last year's numbers (init --from): each cell says so, as carried: does in a YAML file
        if slot.carried and slot.value is not None:
            for where in slot.cells:
                if "（" not in where:
                    sheet, ref = where.split("!")
                    carried = Comment(CARRIED_NOTE.format(value=format(Decimal(slot.value), "f")), "goaldoc")
                    carried.width, carried.height = 300, 110
                    wb[sheet][ref].comment = carried
    first = next((c for s in marks.slots for c in s.cells if "（" not in c), None)
    if first is not None:
        sheet, ref = first.split("!")
        if wb[sheet][ref].comment is not None:  # a carried number's note too
            note = f"{note}\n\n{wb[sheet][ref].comment.text}"
        comment = Comment(note, "goaldoc")
        comment.width, comment.height = 420, 260
        wb[sheet][ref].comment = comment
        wb.active = wb.sheetnames.index(sheet)
        wb[sheet].sheet_view.selection[0].activeCell = ref
        wb[sheet].sheet_view.selection[0].sqref = ref
    from .render.excel.save import workbook_bytes

    data = workbook_bytes(wb)  # wb.save()'s bytes, its sheets written in memory: no temporary file a kill -9 leaves
    return Blank(data, marks.slots, [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"], marks.inline)


def _rename_sheets(wb: Any, marks: Marks) -> None:
    """A sheet named after a marked value (a project's sheet ``{{ item.name }}``) is named
    项目1, 项目2 … : the clerk may rename it, goaldoc reads the name from its cell."""
    n = 0
    for ws in wb.worksheets:
        if not marks.of_text(ws.title):
            continue
        n += 1
        old = ws.title
        rest = _TEXT_MARK.sub("", old).strip()
        new = rest if rest and rest not in wb.sheetnames else f"项目{n}"
        ws.title = new
        for dn in list(ws.defined_names.values()) + list(wb.defined_names.values()):
            if dn.attr_text and old in dn.attr_text:
                dn.attr_text = dn.attr_text.replace(old, new)


def _unmark(ws: Any, cell: Any, marks: Marks) -> None:
    v = cell.value
    where = f"{ws.title}!{cell.coordinate}"
    if isinstance(v, str):
        ks = marks.of_text(v) + [k for x in _NUMBER_MARK.findall(v) if (k := marks.of_number(Decimal(x.replace(",", "")))) is not None]
        if not ks:
            return
        rest = _NUMBER_MARK.sub("", _TEXT_MARK.sub("", v))
        whole = not rest.strip() and len(ks) == 1
        if not whole:
            holes = v.replace("{", "{{").replace("}", "}}")
            holes = _TEXT_MARK.sub(lambda m: f"{{{marks.of_text(m[0])[0]}}}", holes)
            marks.inline[where] = _NUMBER_MARK.sub(lambda m: f"{{{marks.of_number(Decimal(m[0].replace(',', '')))}}}", holes)
        cell.value = rest if rest.strip() else None
        for k in ks:
            slot = marks.slots[k]
            slot.cells.append(where if whole else f"{where}（与其他文字同一格）")
            if slot.kind == "split_value" and whole:
                _split_sign(ws, cell, marks, slot)
    elif isinstance(v, int | float) and not isinstance(v, bool):
        k = marks.of_number(v)
        if k is None:
            return
        slot = marks.slots[k]
        cell.value = slot.value
        slot.cells.append(where)
        if slot.kind == "split_value":
            _split_sign(ws, cell, marks, slot)


def _split_sign(ws: Any, cell: Any, marks: Marks, slot: Slot) -> None:
    """指标性质 printed in a cell of its own (指标值 in three cells): the “≥” the skeleton
    gave it, nearest to the left of the value on its row."""
    for col in range(cell.column - 1, 0, -1):
        left = ws.cell(cell.row, col)
        if left.value == "≥":
            left.value = None
            marks.slots.append(Slot((*slot.path[:-1], "sign"), "sign", "指标性质（计算符号）", SIGN_OPTIONS, [f"{ws.title}!{left.coordinate}"]))
            return


_PROMPTS = {
    "level1": "从下拉列表选：{options}。同一个一级指标下的几行，每行都选上。",
    "level2": "从下拉列表选，要属于左边的一级指标：{options}。",
    "choice": "从下拉列表选：{options}。",
    "sign": "≥ ≤ = > < ≈ 或 定性（定性指标的指标值写文字，如 优、及时发放）。",
    "amount": "金额（{unit}），只写数字，可带小数，如 6079.52；不写千分位逗号以外的字。",
    "count": "整数。",
    "weight": "权重（分），数字。",
    "split_value": "指标值：数字（如 95），定性指标写文字（如 优）。",
    "text": "",
}


def _validations(ws: Any, slots: list[Slot], spec: FormSpec, amount_format: str, wb: Any, lists: dict[tuple[str, ...], str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    groups: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    for s in slots:
        for where in s.cells:
            if "（" in where or not where.startswith(f"{ws.title}!"):
                continue  # a marker among other text: the cell keeps its text, no list
            ref = where.split("!", 1)[1]
            groups.setdefault((s.kind, s.label, s.options), []).append(ref)
            cell = ws[ref]
            if s.kind == "amount":
                cell.number_format = amount_format
            elif s.kind == "count":
                cell.number_format = "0"
            elif s.kind in ("weight", "split_value"):
                cell.number_format = "General"
            else:
                cell.number_format = "@"  # text: 1-3月 stays 1-3月, not a date
    for (kind, label, options), refs in groups.items():
        prompt = _PROMPTS.get(kind, "").format(options="、".join(options), unit=spec.amount_unit)
        if options:
            dv = DataValidation(type="list", formula1=_list_source(options, wb, lists), allow_blank=True)
            dv.error = f"“{label}”请从下拉列表选；确实要写别的，点“是”保留。"
        elif kind == "amount":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = f"“{label}”是金额：请只写数字（如 6079.52）。"
        elif kind == "count":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = f"“{label}”是整数。"
        else:
            dv = DataValidation(allow_blank=True)
        dv.errorStyle = "warning"
        dv.errorTitle = "请核对"
        dv.promptTitle = label[:32]
        dv.prompt = (prompt or f"填写{label}。")[:255]
        dv.showInputMessage = True
        dv.showErrorMessage = bool(options) or kind in ("amount", "count")
        for ref in refs:
            dv.add(ref)
        ws.add_data_validation(dv)


def _list_source(options: tuple[str, ...], wb: Any, lists: dict[tuple[str, ...], str]) -> str:
    """The list typed into 来源 when it fits, else a range of a hidden sheet (import reads
    visible sheets only)."""
    inline = ",".join(options)
    if len(inline) + 2 <= _LIST_LIMIT and "," not in "".join(options) and '"' not in inline:
        return f'"{inline}"'
    if options not in lists:
        if OPTIONS_SHEET not in wb.sheetnames:
            wb.create_sheet(OPTIONS_SHEET).sheet_state = "hidden"
        ws = wb[OPTIONS_SHEET]
        col = len(lists) + 1
        for i, o in enumerate(options, start=1):
            ws.cell(i, col, o)
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(col)
        lists[options] = f"'{OPTIONS_SHEET}'!${letter}$1:${letter}${len(options)}"
    return lists[options]


# ---------------------------------------------------------------- what `goaldoc init` calls

NOTE = """goaldoc 空白表：{year} 年度，表样 {form}（{title}）。
在空白格里填写：点一格，会提示这一格填什么；一级指标、二级指标等从下拉列表选。金额只写数字（{unit}）。
行不够时，在表格中间插入行（整行复制、插入）；用不上的空行留着即可。
填好、保存后运行：
  goaldoc check {name}          检查（问题指到单元格）
  goaldoc render {name} --pdf   生成正式的 Word、Excel 和 PDF
  goaldoc import {name}         需要时转成 YAML 文件"""


def blank_workbook(spec: FormSpec, year: int, name: str, templates: Any = None, rows: int = INDICATOR_ROWS, projects: int = PROJECTS) -> Blank:
    """A blank workbook of ``spec`` for ``year`` (``name``: the file's name, for the note)."""
    marks = Marks()
    model = build_model(spec, skeleton(spec, year, marks, rows, projects))
    note = NOTE.format(year=year, form=spec.name, title=spec.title, unit=spec.amount_unit, name=name)
    return finish(render_skeleton(spec, model, templates), marks, spec, note)


def filled_workbook(spec: FormSpec, data: dict[str, Any], name: str, templates: Any = None, clear: bool = False) -> Blank:
    """Last year's data (already moved to the new year) as a workbook to go on filling:
    the same cells, drop-down lists and formats as a blank one, and empty rows to add to
    (``init x.xlsx --from last``). ``clear``: the amounts become empty cells to fill."""

    marks = Marks()
    used = names_read(spec)
    _mark_amounts(data, spec, marks, clear)
    if "department" in spec.prints and "indicator_rows" in used:
        have = data.setdefault("indicators", [])
        have += [_indicator(spec, used, ("indicators", i), marks) for i in range(len(have), max(len(have) + SPARE_ROWS, INDICATOR_ROWS))]
    for key, n in (("key_tasks", KEY_TASKS), ("other_tasks", OTHER_TASKS)):
        if key in used:
            have = data.setdefault(key, [])
            have += [_task((key, i), marks) for i in range(len(have), max(len(have) + 1, n))]
    if "projects" in spec.prints:
        projects = data.setdefault("projects", [])
        for i, p in enumerate(projects):
            inds = p.setdefault("indicators", [])
            inds += [_indicator(spec, used, ("projects", i, "indicators", j), marks) for j in range(len(inds), len(inds) + SPARE_ROWS // 2)]
        projects.append(_project(spec, used, ("projects", len(projects)), marks))
    model = build_model(spec, data)
    note = NOTE.format(year=data.get("year"), form=spec.name, title=spec.title, unit=spec.amount_unit, name=name)
    return finish(render_skeleton(spec, model, templates), marks, spec, note)


def _mark_amounts(data: dict[str, Any], spec: FormSpec, marks: Marks, clear: bool) -> None:
    """Every amount of ``data`` becomes an amount marker, so that its cell gets the blank's
    amount format, list and message: empty (``clear``), or holding last year's number again
    (a cell formatted 0.00 by last year's 2079.52 would show, and import would read, two
    decimals of this year's 5979.5175)."""
    from .importer.place import is_amount

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in list(items):
            if isinstance(v, dict | list):
                walk(v, (*path, k))
            elif isinstance(node, dict) and is_amount(spec.model, (*path, k)) and v is not None:
                node[k] = marks.amount((*path, k), "金额")
                marks.slots[-1].value = None if clear else v
                marks.slots[-1].carried = not clear

    walk(data, ())


FILE_KINDS = {".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx"}


def init_target(path: str) -> tuple[Path, str | None, str]:
    """What ``goaldoc init PATH`` makes: (the file, "yaml" or "xlsx" or None, a sentence).

    A name without a suffix gets ``.yaml`` (a folder render reads only .yaml files, so a
    file named 农业农村局 would never be rendered); another suffix is refused (issue 21
    item 4: ``init x.xlsx`` wrote YAML text into a file named .xlsx)."""
    target = Path(path)
    kind = FILE_KINDS.get(target.suffix.lower())
    if kind:
        return target, kind, ""
    if not target.suffix:
        done = target.with_name(target.name + ".yaml")
        return done, "yaml", f"文件名没有写 .yaml，已补上：{done}（要在 Excel 里填，请写 {target}.xlsx）"
    if target.suffix.lower() in (".docx", ".doc", ".wps", ".xls", ".et"):
        return target, None, (
            f"goaldoc init 不新建 {target.suffix} 文件：在 Excel / WPS 表格里填请写 {target.with_suffix('.xlsx')}，"
            f"写 YAML 请写 {target.with_suffix('.yaml')}"
        )
    return target, None, (
        f"goaldoc init 新建的是 .yaml（YAML 填报文件）或 .xlsx（在 Excel 里填的空白表），“{target.name}”两样都不是："
        f"请写成 {target.with_suffix('.xlsx')} 或 {target.with_suffix('.yaml')}"
    )


@dataclass
class Made:
    """A file ``goaldoc init`` made from a form or last year's file, and what to say of it."""

    data: bytes
    year: int
    summary: str
    notes: list[str]
    next_step: str


def make(
    target: Path, kind: str, form: str | None, year: int | None, source: str | None, clear: bool, projects: int = PROJECTS, templates: Any = None
) -> Made:
    """``init x.xlsx [--from last]`` and ``init x.yaml --from last.xlsx``: the file's bytes
    (``templates``: the user's template folder, ``init --templates``)."""
    from .forms import load_form

    name = target.as_posix()
    check = f"goaldoc check {name}"
    if source is None:
        assert year is not None
        spec = load_form(form, templates)
        blank = blank_workbook(spec, year, name, templates, projects=projects)
        return Made(
            blank.data, year, f"表样 {spec.name}（{spec.title}）的空白表：{blank.describe()}。", [],
            f"在 Excel / WPS 表格里填好、保存后运行 {check}，再 goaldoc render {name} --pdf 生成正式的表。",
        )
    data, notes = _last_year(source, year, form, kind == "yaml", clear, templates)
    year = int(data["year"])
    if kind == "yaml":
        return Made(data["text"].encode("utf-8"), year, f"由 {source} 读出，{data['summary']}。", notes, f"请逐项核对，改好后运行 {check}")
    spec = load_form(data.get("form"), templates)
    made = filled_workbook(spec, data, name, templates, clear=clear)
    if clear:
        notes.append(f"金额已清空（{made.count('amount')} 格），请填今年的数。")
    notes.append(f"另加了空行（有下拉列表）：{made.added()}。")
    return Made(made.data, year, f"照 {source} 做的 {year} 年度 Excel 表（表样 {spec.name}）。", notes, f"在 Excel / WPS 表格里改好、保存后运行 {check}。")


def _last_year(source: str, year: int | None, form: str | None, as_yaml: bool, clear: bool, templates: Any = None) -> tuple[dict[str, Any], list[str]]:
    """Last year's file moved to ``year`` (default: its year + 1): its data, and what was
    done to it. For a YAML target, ``data["text"]`` is the imported YAML text."""
    from .loader import load_text

    notes: list[str] = []
    if Path(source).suffix.lower() in (".yaml", ".yml"):
        from .nextyear import next_year

        made = next_year(source, year, False, form, templates)
        data, _lines = load_text(made.text, source)
        data.pop("carried", None)
        notes.append(f"年度由 {made.from_year} 改为 {made.year}" + (f"，{len(made.titles)} 个表题里的年份一起改了。" if made.titles else "。"))
        if not clear:
            notes.append(f"金额是 {made.from_year} 年的，请逐个改成今年的数：每个金额格有一条批注“上年的数”，goaldoc check 会逐个提醒，直到数改了或批注删了（今年不变的删去批注）。")
        return data, notes
    from .importer import import_file, import_to_yaml
    from .importer.newyear import move_year

    if as_yaml:
        if year is None:
            year = int(import_file(source, form, templates).data.get("year") or 0) + 1
        written = import_to_yaml(source, form, templates, year, clear)
        counts = f"{len(written.imported.data.get('indicators', []))} 条部门整体指标、{len(written.imported.data.get('projects', []))} 个项目"
        found = [f"检查发现 {len(written.problems)} 个问题（列在文件末尾）"] if written.problems else []
        return {"year": year, "text": written.text, "summary": counts}, [*written.messages, *found]
    imp = import_file(source, form, templates)
    old = imp.data.get("year")
    new = year if year is not None else int(old or 0) + 1
    changed, others = move_year(imp.data, new)
    notes.append(f"{imp.chosen}；年度由 {old} 改为 {new}" + (f"（{changed} 个表题里的年份一起改了）" if changed else "") + "。")
    if others:
        notes.append(f"另有 {len(others)} 处文字写着 {old}（如 {'、'.join(others[:3])}）：请按新年度核对。")
    if not clear:
        notes.append(f"金额是 {old} 年的，请逐个改成今年的数：每个金额格有一条批注“上年的数”，goaldoc check 会逐个提醒，直到数改了或批注删了（今年不变的删去批注）。")
    return imp.data, notes


__all__ = ["Blank", "Made", "blank_workbook", "filled_workbook", "init_target", "make"]
