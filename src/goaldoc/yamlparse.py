"""The YAML parser goaldoc reads with: PyYAML's safe loader (or libyaml's C parser, when
PyYAML has it) composing the node tree with goaldoc's checks — no anchors or aliases, no
more than 200,000 nodes, no deeper than 50.

Its own module so that both the loader (:mod:`goaldoc.loader`) and the explanations of YAML
mistakes (:mod:`goaldoc.yamlhints`, which re-parses repaired text to test a fix) use it
without importing each other.
"""

from __future__ import annotations

from typing import Any

import yaml


class CheckedComposer:
    """Composing without aliases or anchors (see module doc), no deeper than MAX_DEPTH,
    and no more than MAX_NODES nodes (counted while composing, so a file of a million
    tiny items stops at the limit instead of being composed whole first).

    PyYAML's composer, lean: the safe loaders have no path resolvers, so descending and
    ascending them is left out, and a plain scalar's tag is found once per distinct text
    (clerks' files repeat the same keys and values thousands of times)."""

    # mixed into a loader: the parser's event methods come from it
    get_event: Any
    peek_event: Any
    check_event: Any
    _depth = 0
    _nodes = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise yaml.MarkedYAMLError(None, None, TOO_MANY_NODES, self.peek_event().start_mark)
        # composing is recursive: "[[[[…" thousands deep would blow Python's stack
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    None, None, f"嵌套超过 {MAX_DEPTH} 层：请检查方括号 [ ] 和花括号 {{ }} 是否配对",
                    self.peek_event().start_mark,
                )
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise yaml.MarkedYAMLError(
                    None, None, "不支持 YAML 锚点/别名（*名称）：请把内容直接写出来", event.start_mark
                )
            if getattr(event, "anchor", None):
                raise yaml.MarkedYAMLError(
                    None, None, "不支持 YAML 锚点（&名称）：请把内容直接写出来", event.start_mark
                )
            if isinstance(event, yaml.ScalarEvent):
                return self._scalar_node(self.get_event())
            if isinstance(event, yaml.SequenceStartEvent):
                return self._collection(yaml.SequenceNode, yaml.SequenceEndEvent, SEQ_TAG, False)
            return self._collection(yaml.MappingNode, yaml.MappingEndEvent, MAP_TAG, True)
        finally:
            self._depth -= 1

    def _scalar_node(self, event):  # type: ignore[no-untyped-def]
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._plain_tag(event.value) if event.implicit[0] else STR_TAG
        # libyaml calls the plain style "", PyYAML None (yamlhints reads it)
        return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style or None)

    def _plain_tag(self, value: str) -> str:
        cache = self.__dict__.setdefault("_tags", {})
        tag = cache.get(value)
        if tag is None:
            resolvers = self.yaml_implicit_resolvers  # type: ignore[attr-defined]
            candidates = resolvers.get(value[0] if value else "", []) + resolvers.get(None, [])
            tag = next((t for t, rx in candidates if rx.match(value)), STR_TAG)
            cache[value] = tag
        return tag  # type: ignore[no-any-return]

    def _collection(self, kind, end, default_tag: str, pairs: bool):  # type: ignore[no-untyped-def]
        start = self.get_event()
        tag = start.tag
        if tag is None or tag == "!":
            tag = default_tag
        node = kind(tag, [], start.start_mark, None, flow_style=start.flow_style)
        items = node.value
        if pairs:
            while not self.check_event(end):
                key = self.compose_node(node, None)
                items.append((key, self.compose_node(node, key)))
        else:
            index = 0
            while not self.check_event(end):
                items.append(self.compose_node(node, index))
                index += 1
        node.end_mark = self.get_event().end_mark
        return node


class PureLoader(CheckedComposer, yaml.SafeLoader):
    """PyYAML's pure-Python SafeLoader with the checks: its error messages are the ones
    yamlhints explains, so every file that does not parse is read again with this one."""


CParser: Any
try:  # libyaml's scanner and parser, when PyYAML was built with it (the wheels are)
    from yaml.cyaml import CParser as CParser  # type: ignore[attr-defined,no-redef]
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    CParser = None

if CParser is not None:

    class FastLoader(CheckedComposer, yaml.composer.Composer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):  # type: ignore[misc,valid-type]
        """libyaml's C scanner and parser, composed in Python with the same checks: the
        events carry the same marks, and reading a file is ~10× faster (issue 11 §3)."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

else:  # pragma: no cover - a PyYAML built without libyaml: the pure-Python loader only
    FastLoader = None  # type: ignore[assignment,misc]


MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
FLOAT_TAG = "tag:yaml.org,2002:float"
INT_TAG = "tag:yaml.org,2002:int"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
VALUE_TAG = "tag:yaml.org,2002:value"  # a bare `=`: clerks type it as the sign 等于
MAX_NODES = 200_000
TOO_MANY_NODES = "文件过大（超过 20 万个条目）"
MAX_DEPTH = 50
