"""Safe YAML loading that remembers the line of every key and item.

PyYAML's ``SafeLoader`` already refuses ``!!python/...`` tags; on top of it we

* compose the node tree ourselves so that every value keeps its line number,
* read numbers with a decimal point as :class:`~decimal.Decimal` from the text the
  clerk typed (``26843.80`` keeps its two decimals, no float drift),
* keep dates as the text typed (``2023-01-01`` stays a string),
* refuse anchors/aliases (no clerk needs them, and they make "billion laughs" bombs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from . import yamlhints
from .errors import InputError, Problem

Path_ = tuple[str | int, ...]


@dataclass
class LineMap:
    """Where each key path starts in the YAML file (1-based lines)."""

    file: str
    lines: dict[Path_, int] = field(default_factory=dict)
    # keys that a comma inside `{…}` split off the value before them: their column, and the
    # whole value written with quotes (yamlhints.slips fills both; validate says to add quotes)
    columns: dict[Path_, int] = field(default_factory=dict)
    hints: dict[Path_, str] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: Path_, message: str, **kw: Any) -> Problem:
        return Problem(message, tuple(path), self.file, self.line_of(tuple(path)), **kw)


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases (see module doc), and no deeper than _MAX_DEPTH."""

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        # PyYAML composes recursively: "[[[[…" thousands deep would blow Python's stack
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    None, None, f"嵌套超过 {_MAX_DEPTH} 层：请检查方括号 [ ] 和花括号 {{ }} 是否配对",
                    self.peek_event().start_mark,
                )
            return self._compose_node(parent, index)
        finally:
            self._depth -= 1

    def _compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "不支持 YAML 锚点/别名（*名称）：请把内容直接写出来", event.start_mark
            )
        if self.check_event(yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent):
            event = self.peek_event()
            if getattr(event, "anchor", None):
                raise yaml.MarkedYAMLError(
                    None, None, "不支持 YAML 锚点（&名称）：请把内容直接写出来", event.start_mark
                )
        return super().compose_node(parent, index)


_FLOAT_TAG = "tag:yaml.org,2002:float"
_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_VALUE_TAG = "tag:yaml.org,2002:value"  # a bare `=`: clerks type it as the sign 等于
_MAX_NODES = 200_000
_MAX_DEPTH = 50


def _scalar(loader: _Loader, node: yaml.ScalarNode) -> Any:
    tag = node.tag
    text = node.value
    if tag == _FLOAT_TAG:
        clean = text.replace("_", "")
        if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", clean):
            try:
                return Decimal(clean)
            except InvalidOperation:  # pragma: no cover - regex guards
                return text
        return text  # .inf / .nan: keep the text, the model will say what is wrong
    if tag in (_TIMESTAMP_TAG, _VALUE_TAG):
        return text
    if tag in (_INT_TAG, _BOOL_TAG, _NULL_TAG, _STR_TAG):
        return loader.construct_object(node, deep=True)
    # any other tag (!!python/object, !!binary, custom !tags) is refused
    raise yaml.constructor.ConstructorError(
        None, None, f"不支持的 YAML 标签 {tag}：请删去它，只写普通文字或数字", node.start_mark
    )


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _build(loader: _Loader, node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise yaml.constructor.ConstructorError(
            None, None, f"不支持的 YAML 标签 {node.tag}：请删去它，只写普通文字或数字", node.start_mark
        )
    if len(lines) > _MAX_NODES:
        raise yaml.MarkedYAMLError(None, None, "文件过大（超过 20 万个条目）", node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise yaml.MarkedYAMLError(
                    None, None, "键必须是文字（如 name:）", key_node.start_mark
                )
            key = str(key)
            if key in out:
                raise yaml.MarkedYAMLError(
                    None, None, f"键“{key}”重复出现：请删去多余的一个", key_node.start_mark
                )
            child = (*path, key)
            out[key] = _build(loader, value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(loader, node)  # type: ignore[arg-type]


_COMMON = (
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0x3000, 0x303F),  # CJK punctuation
    (0xFF00, 0xFFEF),  # full-width forms
    (0x2000, 0x22FF),  # general punctuation, arrows, ≥ ≤ ≈
    (0x00A0, 0x00FF),  # Latin-1 symbols: × ÷ ° ·
)


def _plausible(text: str) -> float:
    """Share of non-ASCII characters that Chinese forms really use (1.0 = all of them)."""
    wide = [ord(ch) for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 1.0
    return sum(any(a <= c <= b for a, b in _COMMON) for c in wide) / len(wide)


def decode(raw: bytes, file: str) -> str:
    """UTF-8 (with or without BOM); GBK as saved by older Windows editors is accepted too.

    Short GBK text is often valid UTF-8 too (台山 in GBK decodes to two IPA letters), so
    when both decodings succeed the one made of characters Chinese forms use wins.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return _utf8_or_refuse(raw[3:], file)
    candidates = []
    for enc in ("utf-8", "gbk"):
        try:
            candidates.append(raw.decode(enc))
        except UnicodeDecodeError:
            pass
    if not candidates:
        raise InputError(
            [Problem("文件既不是 UTF-8 也不是 GBK 编码：请在编辑器里“另存为 UTF-8”后再试", (), file, code="E002")]
        )
    return max(candidates, key=_plausible)  # max keeps UTF-8 on a tie


def _utf8_or_refuse(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            [Problem("文件开头标明是 UTF-8，内容却不是：请在编辑器里“另存为 UTF-8”后再试", (), file, code="E002")]
        ) from None


def load_text(text: str, file: str = "<输入>") -> tuple[Any, LineMap]:
    """Parse YAML text; returns the plain data and the line of every key path."""
    linemap = LineMap(file)
    try:
        loader = _Loader(text)  # the reader refuses control characters right here
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        reason = f"YAML 格式错误：含有不可见的控制字符 U+{exc.character:04X}：请删去它（常见于从网页或 PDF 复制的文字）"
        raise InputError([Problem(reason, (), file, line, col, code="E001")]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError([Problem("文件是空的：请按 samples/ 里的示例填写", (), file, 1, code="E003")])
        slipped = yamlhints.slips(node, text, file, linemap.hints, linemap.columns)
        if slipped:
            raise InputError(slipped)
        data = _build(loader, node, (), linemap.lines)
    except yaml.MarkedYAMLError as exc:
        found = yamlhints.explain(text, exc)
        raise InputError([Problem(reason, (), file, line, col, code="E001") for line, col, reason in found]) from None
    finally:
        loader.dispose()
    return data, linemap


def load_file(path: str | Path) -> tuple[Any, LineMap]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError([Problem(f"无法读取文件：{exc.strerror}", (), str(path), code="E004")]) from None
    return load_text(decode(raw, str(path)), str(path))
