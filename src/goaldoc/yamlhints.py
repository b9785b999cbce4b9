"""The YAML mistakes clerks make, explained in Chinese with a fix that works (issue 13 item 2).

Two halves, both used by :func:`goaldoc.loader.load_text`:

* :func:`explain` turns a syntax error PyYAML raised into (line, column, message). PyYAML
  reports where it *noticed* trouble, often a line after the mistake (a full-width colon on
  line 9 is noticed on line 10), so we first look for the clerk's own mistake on the lines
  leading up to it; then every PyYAML problem text has a Chinese explanation, so no English
  reaches the user.
* :func:`slips` finds mistakes that still parse, but into the wrong data: a full-width colon
  or full-width space that made a bogus key, curly quotes around a whole value (they would be
  printed on the form), and a comma inside ``{…}`` that split a value (noted for
  :mod:`goaldoc.validate`, whose "unknown key" message then says to add quotes).

Every suggested fix is written out in full (``写成 name: "满意度: 调查"``), and the tests
apply it and check that the file then reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from .errors import Problem
from .lazyre import compile_later  # mistakes' patterns: compiled when needed (cold start)
from .yamlparse import PureLoader

KEY = r"[A-Za-z_][A-Za-z0-9_]*"
# `name：某某局` — an English key followed by a full-width colon (Chinese input method)
_FW_COLON = compile_later(rf"^(?P<lead>[ \t\u3000]*(?:-[ \t\u3000]+)?)(?P<key>{KEY})[ \t]*：[ \t\u3000]*(?P<rest>.*)$")
# full-width space among the leading white space of a line that holds a key or an item
_FW_INDENT = compile_later(r"^(?P<lead>[ \t]*\u3000[ \t\u3000]*)(?=[^\s])")
# `name:某某局` — the colon of a key without the space YAML needs after it (not a URL)
_NO_SPACE = compile_later(rf"^(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>{KEY}):(?!//)(?P<rest>[^\s].*)$")
# a bare English word on its own line: a key whose colon is missing
_BARE_KEY = compile_later(rf"^(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>{KEY})[ ]*$")
# a line that is certainly well formed: `key:` or `key: value` (or `- key: value`)
_WELL_FORMED = compile_later(rf"^[ ]*(?:-[ ]+)?{KEY}:(?:[ ]|$)")
# `key: “…”` — curly quotes around a value, whose text holds what curly quotes cannot protect
_CURLY = compile_later(rf"(?P<key>{KEY}):[ ]+(?P<open>[“‘])(?P<inner>[^”’\n]*)(?P<close>[”’])")
_FLOW_KEY = compile_later(rf"(?:^|[{{,])[ ]*(?P<key>{KEY})[ ]*:[ ]")
_CURLY_PAIRS = {"“": "”", "‘": "’"}
_SUSPECT_START = ("“", "‘", "\u3000")
_FW_COLON_TEXT = compile_later(rf"({KEY})[ \t]*：[ \t\u3000]*(.*)", re.S)

PREFIX = "YAML 格式错误："


def quoted(value: str) -> str:
    """``value`` in English quotes as YAML reads it back: double quotes unless it holds one."""
    if '"' in value or "\\" in value:
        return "'" + value.replace("'", "''") + "'"
    return f'"{value}"'


_KEY_VALUE = compile_later(rf"^(?P<lead>[ ]*)(?P<dash>-[ ]+)?(?:(?P<key>{KEY})[ ]*:[ ]+)?(?P<value>.*)$")


def quote_fix(line: str) -> str | None:
    """``写成 key: "value"`` (or ``写成 - "value"``) for the whole value of ``line``: the fix of
    every value that starts with a character YAML reads as its own (@ ` & * ! | > ? -)."""
    m = _KEY_VALUE.match(line)
    if not m:
        return None
    value = _strip_comment(m["value"]).strip()
    if not value:
        return None
    if m["key"]:
        return f"写成 {m['key']}: {quoted(value)}"
    if m["dash"]:
        return f"写成 - {quoted(value)}"
    return None


def _strip_comment(s: str) -> str:
    """The text before a ` # comment` (good enough for the one line of an example)."""
    m = re.search(r"[ \t]#", s)
    return (s[: m.start()] if m else s).rstrip()


def _width(lead: str) -> int:
    """Columns the leading white space takes on screen: a full-width space is two, a Tab four."""
    return sum(2 if ch == "\u3000" else 4 if ch == "\t" else 1 for ch in lead)


def _content_lines_before(lines: list[str], i: int) -> Iterator[str]:
    for j in range(i - 1, -1, -1):
        if _is_content(lines[j]):
            yield lines[j]


def _indent_for(lines: list[str], i: int) -> int | None:
    """How many spaces line ``i`` should start with, judging by the line above it and
    checked by reading the file with that indentation; None when no guess reads."""
    body = lines[i].lstrip(" \t\u3000")
    guesses: list[int] = []
    prev = next(_content_lines_before(lines, i), None)
    if prev is not None:
        p = _strip_comment(prev)
        ind = len(p) - len(p.lstrip(" "))
        item = p.lstrip(" ").startswith("- ")
        if p.endswith(":"):
            guesses.append(ind + (4 if item else 2))  # the first key inside `key:`
        elif item:
            guesses.append(ind if body.startswith("-") else ind + 2)  # next item / same item
        else:
            guesses.append(ind)  # a sibling
    else:
        guesses.append(0)
    guesses.append(_width(lines[i][: len(lines[i]) - len(body)]))  # as it looked on screen
    for n in dict.fromkeys(guesses):
        fixed = [*lines[:i], " " * n + body, *lines[i + 1 :]]
        if _reads_past(fixed, i):
            return n
    return None


def _first_child_too_far(lines: list[str], i: int) -> tuple[int, int] | None:
    """(line, spaces) when line ``i``, which PyYAML finds out of line, is indented as the
    first child of its ``key:`` should be (two spaces in) and that first child, the line
    just above, is the one indented otherwise: YAML takes the first child's indentation as
    the list's, so without this every correct sibling after it would be blamed (0-based)."""
    j = next((k for k in range(i - 1, -1, -1) if _is_content(lines[k])), None)
    if j is None:
        return None
    parent = next((k for k in range(j - 1, -1, -1) if _is_content(lines[k])), None)
    if parent is None:
        return None
    p = _strip_comment(lines[parent])
    if not p.endswith(":"):
        return None
    lead = len(p) - len(p.lstrip(" "))
    want = lead + (4 if p.lstrip(" ").startswith("- ") else 2)
    own = len(lines[i]) - len(lines[i].lstrip(" "))
    above = len(lines[j]) - len(lines[j].lstrip(" "))
    if own != want or above == want or lines[j][:above].strip(" "):
        return None
    fixed = [*lines[:j], " " * want + lines[j].lstrip(" "), *lines[j + 1 :]]
    return (j, want) if _reads_past(fixed, i) else None


def _is_content(line: str) -> bool:
    """Not blank, not a comment."""
    return bool(line.strip()) and not line.lstrip(" \t\u3000").startswith("#")


def _reads_past(lines: list[str], i: int) -> bool:
    """True when the text parses, or its first error is after line ``i`` (0-based)."""

    loader = PureLoader("\n".join(lines))
    try:
        loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is not None and mark.line > i
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    return True


# ---------------------------------------------------------------- one line's slips


def _fw_indent(lines: list[str], i: int) -> tuple[int, int, str] | None:
    m = _FW_INDENT.match(lines[i])
    if not m:
        return None
    col = lines[i].index("\u3000") + 1
    n = _indent_for(lines, i)
    fix = f"请把行首的空白换成 {n} 个半角空格" if n is not None else "请把行首的全角空格换成半角空格，与同一层的键对齐"
    return i + 1, col, f"{PREFIX}行首用了全角空格“　”：YAML 只认半角空格缩进：{fix}（输入法切到半角再打空格）"


def _fw_colon(lines: list[str], i: int) -> tuple[int, int, str] | None:
    m = _FW_COLON.match(lines[i])
    if not m:
        return None
    col = lines[i].index("：", m.end("key")) + 1
    rest = _strip_comment(m["rest"])
    return i + 1, col, fw_colon_message(m["key"], rest)


def fw_colon_message(key: str, rest: str) -> str:
    fix = f"{key}: {rest}" if rest else f"{key}:"
    return f"{PREFIX}键“{key}”后面是中文冒号“：”：YAML 只认英文冒号：请写成 {fix}（英文冒号后面空一格）"


def _curly(lines: list[str], i: int) -> tuple[int, int, str] | None:
    for m in _CURLY.finditer(lines[i]):
        if _CURLY_PAIRS[m["open"]] == m["close"] and any(ch in m["inner"] for ch in ":#,[]{}"):
            return i + 1, m.start("open") + 1, (
                f"{PREFIX}中文引号“”不起引号的作用，引号里的符号被当成了 YAML 的符号："
                f"请改成英文引号，写成 {m['key']}: {quoted(m['inner'])}"
            )
    return None


def _no_space(lines: list[str], i: int) -> tuple[int, int, str] | None:
    m = _NO_SPACE.match(lines[i])
    if not m:
        return None
    col = m.end("key") + 1
    rest = _strip_comment(m["rest"])
    return i + 1, col, f"{PREFIX}键“{m['key']}”的冒号后面要空一格：请写成 {m['key']}: {rest}"


def _bare_key(lines: list[str], i: int) -> tuple[int, int, str] | None:
    m = _BARE_KEY.match(_strip_comment(lines[i]))
    if not m:
        return None
    return i + 1, m.end("key") + 1, f"{PREFIX}键“{m['key']}”后面缺少英文冒号：请写成 {m['key']}:"


def _space_for_colon(lines: list[str], i: int) -> tuple[int, int, str] | None:
    """`name 受理仲裁案件数量`: a field's name, a space, its value — the colon left out."""
    m = re.match(rf"^(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>{KEY})[ ]+(?P<rest>[^\s:#].*)$", lines[i])
    if not m or m["key"] not in _field_names():
        return None
    rest = _strip_comment(m["rest"])
    return i + 1, m.end("key") + 1, f"{PREFIX}键“{m['key']}”后面缺少英文冒号：请写成 {m['key']}: {rest}"


def _open_quote(lines: list[str], i: int) -> tuple[int, int, str] | None:
    """`name: "受理仲裁案件数量` — a quote opened and never closed on its line."""
    m = re.match(rf"^(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>{KEY})[ ]*:[ ]+(?P<q>[\"'])(?P<text>.*?)[ ]*$", lines[i])
    if not m or m["q"] in m["text"]:
        return None
    q = m["q"]
    return i + 1, m.start("q") + 1, f"{PREFIX}引号没有配对：这里开始的引号到行末都没有结束：请写成 {m['key']}: {q}{m['text']}{q}"


_LINE_SLIPS = (_fw_indent, _fw_colon, _curly, _no_space)


def _slip_before(lines: list[str], at: int) -> tuple[int, int, str] | None:
    """The clerk's first mistake on line ``at`` or the lines leading to it (0-based), looking
    back to the first line above that is certainly well formed."""
    found: list[tuple[int, int, str]] = []
    for j in range(min(at, len(lines) - 1), max(-1, at - 50), -1):
        for slip in _LINE_SLIPS:
            hit = slip(lines, j)
            if hit:
                found.append(hit)
                break
        if j < at and _WELL_FORMED.match(lines[j]):
            break
    return min(found) if found else None


# ---------------------------------------------------------------- PyYAML's problems in Chinese

_MAX_SLIPS = 20


def explain(text: str, exc: yaml.MarkedYAMLError) -> list[tuple[int | None, int | None, str]]:
    """(line, column, message) of each syntax mistake, 1-based, at the clerk's mistake.

    PyYAML stops at the first error; to show a clerk more than one mistake per run, the fix
    a message gives is applied to a copy and the copy read again, as long as each message
    has a fix (up to 20). The fixes change single lines, so lines and columns stay those of
    the clerk's file."""
    lines = text.split("\n")
    out: list[tuple[int | None, int | None, str]] = []
    for _ in range(_MAX_SLIPS):
        found = _explain_one(lines, exc)
        if found in out:
            break
        out.append(found)
        fixed = follow(lines, *found)
        if fixed is None:
            break
        nxt = _first_error(fixed)
        if isinstance(nxt, list):  # reads now: add the slips that parse (curly quotes…)
            out += [(p.line, p.column, p.message) for p in nxt if (p.line, p.column, p.message) not in out]
            break
        lines, exc = fixed, nxt
    return out


def _first_error(lines: list[str]) -> yaml.MarkedYAMLError | list[Problem]:

    text = "\n".join(lines)
    loader = PureLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return exc
    except yaml.YAMLError:  # pragma: no cover - the reader's errors come before any fix
        return []
    finally:
        loader.dispose()
    return slips(node, text, "", {}, {}) if node is not None else []


def follow(lines: list[str], line: int | None, col: int | None, message: str) -> list[str] | None:
    """The lines with the fix ``message`` gives applied, as a clerk would; None if it gives none."""
    if line is None or not 0 < line <= len(lines):
        return None
    i = line - 1
    text = lines[i]
    body = text.lstrip(" \t\u3000")
    m = re.search(r"换成 (\d+) 个(?:半角)?空格", message)
    if m:
        return [*lines[:i], " " * int(m[1]) + body, *lines[i + 1 :]]
    if "请把它换成一个空格" in message and col is not None and text[col - 1 : col] == "\t":
        return [*lines[:i], text[: col - 1] + " " + text[col:], *lines[i + 1 :]]
    m = re.search(r"分成两行，写成 (.+?) 和 (.+?)（.*前面 (\d+) 个空格）", message)
    if m:
        lead = text[: len(text) - len(body)]
        return [*lines[:i], lead + (body[: body.index(m[1].split(":")[0])] if not body.startswith(m[1].split(":")[0]) else "") + m[1], " " * int(m[3]) + m[2], *lines[i + 1 :]]
    m = re.search(r"写成 (.+?)(?:（|；|$)", message)
    if not m:
        return None
    fix = m[1]
    if fix.startswith("- {") or "从 Excel 复制来的一行" in message:  # the whole row, written out
        return [*lines[:i], text[: len(text) - len(body)] + fix, *lines[i + 1 :]]
    if fix.startswith("- "):
        start = len(text) - len(body)
    else:
        key = fix.split(":")[0]
        limit = (col or len(text)) - 1
        # the key itself (before its colon), not the same letters inside a value
        # (`{a: row.period_values[...]}`: the `a` of `period_values` is no key)
        keys = [m.start(1) for m in re.finditer(rf"(?:^|[{{,\s])({re.escape(key)})[ ]*[:：]", text) if m.start(1) <= max(limit, 0)]
        if not keys:
            return None
        start = keys[-1]
    rest = text[start:]
    after = len(fix.split(":")[0])
    end = re.search(r",[ ]*[A-Za-z_]\w*[ ]*[:：][ ]|[ \t]+#", rest[after:])
    stop = min(end.start() if end else len(rest) - after, _closing_brace(rest[after:], 0) if "{" in text[:start] else len(rest))
    typed = rest[: after + stop]
    return [*lines[:i], text[:start] + fix + text[start + len(typed) :], *lines[i + 1 :]]


def _explain_one(lines: list[str], exc: yaml.MarkedYAMLError) -> tuple[int | None, int | None, str]:
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    if "\u4e00" <= problem[:1] <= "\u9fff":  # our own refusals (tags, anchors, depth) are Chinese
        return _at(mark, problem)
    noticed_late = (
        "could not find expected ':'" in problem
        or "mapping values are not allowed" in problem
        or "expected <block end>" in problem
        or "expected ',' or" in problem
        or "sequence entries are not allowed" in problem
        or "expected the node content" in problem
    )
    if noticed_late and mark is not None:
        start = exc.context_mark.line if exc.context_mark is not None else max(0, mark.line - 50)
        for j in range(start, min(mark.line, len(lines) - 1) + 1):
            quote = _open_quote(lines, j)
            if quote:
                return quote
        found = _slip_before(lines, mark.line)
        if found:
            return found
    return _reason(lines, exc, problem, context)


def _at(mark: Any, message: str) -> tuple[int | None, int | None, str]:
    if mark is None:
        return None, None, message
    return mark.line + 1, mark.column + 1, message


def _found(problem: str) -> str:
    """The character PyYAML names in "… but found 'x'" / "found character 'x'"."""
    m = re.search(r"found (?:character )?'(.*?)'", problem) or re.search(r"got '(.*?)'", problem)
    return m[1] if m else ""


_TOKEN_NAMES = {
    "<block mapping start>": "新的一组键",
    "<block sequence start>": "列表项“- ”",
    "<block entry>": "列表项“- ”",
    "<scalar>": "一段文字",
    "<stream end>": "文件末尾",
}


def _reason(lines: list[str], exc: yaml.MarkedYAMLError, problem: str, context: str) -> tuple[int | None, int | None, str]:
    pm, cm = exc.problem_mark, exc.context_mark
    mark = pm or cm
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""

    if "could not find expected ':'" in problem and cm is not None:
        # PyYAML notices it on the next line; the key without its colon started at cm
        i = cm.line
        for slip in (_fw_colon, _no_space, _bare_key, _space_for_colon):
            found = slip(lines, i)
            if found:
                return found
        return _at(cm, f"{PREFIX}这一行缺少键后面的英文冒号和空格“: ”：请写成 键: 值；如果这是一段文字，请把它整段用英文引号括起来")

    if "mapping values are not allowed" in problem and pm is not None:
        return _colon_in_block_value(lines, pm)

    if "found character '\\t'" in problem and pm is not None:
        row = _pasted_row(lines, pm.line)
        if row:
            return row
        if not line[: pm.column].strip():
            n = _indent_for(lines, pm.line)
            fix = f"请把行首的空白换成 {n} 个空格" if n is not None else "请把行首的 Tab 换成空格，与同一层的键对齐"
            return _at(pm, f"{PREFIX}行首用了制表符（Tab）：YAML 只能用空格缩进：{fix}")
        return _at(pm, f"{PREFIX}这里有一个制表符（Tab）：YAML 在这里不认 Tab：请把它换成一个空格")

    if "that cannot start any token" in problem:
        ch = _found(problem)
        example = quote_fix(line) or f"如 {quoted(ch + '…')}"
        return _at(pm, f"{PREFIX}“{ch}”在 YAML 里有特殊含义，不能放在值的开头：请把整个值用英文引号括起来，{example}")

    if "expected ',' or '}'" in problem or "expected ',' or ']'" in problem:
        closing = "}" if "'}'" in problem else "]"
        opening = "{" if closing == "}" else "["
        name = "花括号 { } " if closing == "}" else "方括号 [ ] "
        if cm is not None and pm is not None and pm.line != cm.line:
            opened = lines[cm.line] if cm.line < len(lines) else ""
            held = _KEY_VALUE.match(opened)
            as_text = quote_fix(opened)
            # a text field's bracket is text; so is a list item's “[” (no list here holds lists)
            text_field = held["key"] not in _container_names() if held and held["key"] else opening == "["
            if text_field and as_text:
                return _at(cm, f"{PREFIX}这里的“{opening}”没有配对的“{closing}”，YAML 把它当成了{name.strip()}的开头：如果它是文字的一部分，请把整个值用英文引号括起来，{as_text}")
            return _at(cm, f"{PREFIX}这里的“{opening}”没有配对的“{closing}”：请在这一项的末尾补上“{closing}”")
        entry = _flow_entry(line, pm.column) if pm is not None else None
        got = _found(problem)
        what = "“: ”" if got == ":" else f"“{got}”"
        if entry:
            key, value = entry
            if closing == "}" and re.search(rf"，[ ]*{KEY}[ ]*:", value):
                fixed = re.sub(rf"[ ]*，[ ]*(?={KEY}[ ]*:)", ", ", value)
                return _at(pm, f"{PREFIX}“，”是中文逗号：{name}里的各项要用英文逗号“,”隔开：请写成 {key}: {fixed}")
            return _at(pm, f"{PREFIX}{name}里的值含有{what}，YAML 读不懂：请把整个值用英文引号括起来，写成 {key}: {quoted(value)}")
        return _at(pm, f"{PREFIX}{name}里的值含有{what}，YAML 读不懂：请把含有 : , [ ] {{ }} 的值用英文引号括起来")

    if "expected <block end>" in problem or "expected <block mapping end>" in problem:
        first = _first_child_too_far(lines, pm.line) if pm is not None and pm.line < len(lines) else None
        if first is not None:  # the siblings are right: the first one, above them, is not
            j, n = first
            return j + 1, len(lines[j]) - len(lines[j].lstrip(" ")) + 1, f"{PREFIX}缩进不一致：这一行没有和同一层的键（或“- ”）对齐：请把行首的空白换成 {n} 个空格"
        n = _indent_for(lines, pm.line) if pm is not None and pm.line < len(lines) else None
        spaces = f"请把行首的空白换成 {n} 个空格" if n is not None else "请调整行首的空格"
        return _at(pm, f"{PREFIX}缩进不一致：这一行没有和同一层的键（或“- ”）对齐：{spaces}")

    if "sequence entries are not allowed" in problem:
        dash = quote_fix(line)
        return _at(pm, f"{PREFIX}“- ”不能放在这里：列表的每一项另起一行，以“- ”开头；如果“-”是文字的一部分，请把整个值用英文引号括起来" + (f"，{dash}" if dash else ""))

    if "mapping keys are not allowed" in problem:
        mark_q = quote_fix(line)
        return _at(pm, f"{PREFIX}“? ”在 YAML 里有特殊含义：请把整个值用英文引号括起来" + (f"，{mark_q}" if mark_q else ""))

    if "expected the node content" in problem:
        got = _found(problem) or problem.rsplit(" ", 1)[-1].strip("'")
        return _at(pm, f"{PREFIX}这里应该是一个值，却是“{got}”：请补上值，或把含有 , [ ] {{ }} 的文字用英文引号括起来")

    at = lines[cm.line] if cm is not None and cm.line < len(lines) else line
    whole = quote_fix(at)
    tail = f"，{whole}" if whole else ""
    if "while scanning an alias" in context or "while scanning an anchor" in context:
        ch = "*" if "alias" in context else "&"
        return _at(cm, f"{PREFIX}值开头的“{ch}”在 YAML 里有特殊含义：请把整个值用英文引号括起来{tail}")

    if "tag" in context:
        return _at(cm, f"{PREFIX}值开头的“!”在 YAML 里有特殊含义：请把整个值用英文引号括起来{tail}")

    if "while scanning a block scalar" in context:
        return _at(cm, f"{PREFIX}值开头的“|”或“>”在 YAML 里表示多行文字：请把整个值用英文引号括起来{tail}")

    if "while scanning a double-quoted scalar" in context and "escape" in problem:
        m = re.match(rf'^[ ]*(?:-[ ]+)?({KEY})[ ]*:[ ]+"(.*)"[ ]*(?:#.*)?$', at)
        fix = f"，写成 {m[1]}: {quoted(m[2])}" if m else ""
        return _at(pm, f"{PREFIX}英文双引号里的反斜杠“\\”有特殊含义：请把“\\”写成“\\\\”，或改用英文单引号括起来{fix}")

    if "while scanning a quoted scalar" in context and cm is not None:
        return _at(cm, f"{PREFIX}引号没有配对：这里开始的引号到文件末尾都没有结束，请补上另一半引号")

    if "directive" in context or "duplicate YAML directive" in problem or "incompatible YAML document" in problem:
        return _at(mark, f"{PREFIX}以“%”开头的行在 YAML 里有特殊含义：请删去这一行，或在行首加“#”写成注释")

    if "expected '<document start>'" in problem:
        end = mark.line if mark is not None else len(lines) - 1
        for j in range(min(end, len(lines) - 1), -1, -1):
            if lines[j].strip() == "..." or lines[j].startswith("%"):
                return j + 1, 1, f"{PREFIX}这一行“{lines[j].strip()}”在 YAML 里表示文件到此结束，后面的内容都读不到：请删去这一行"
        return _at(mark, f"{PREFIX}这里之前有一行“...”或以“%”开头的行，YAML 到那里就结束了：请删去那一行")

    if "but found another document" in problem:
        return _at(mark, f"{PREFIX}一个文件只能有一份内容，这里的“---”开始了第二份：请删去这一行（如果后面是另一个部门的内容，请把它另存为一个文件）")

    if "found undefined alias" in problem:
        return _at(mark, f"{PREFIX}值开头的“*”在 YAML 里有特殊含义：请把整个值用英文引号括起来{tail}")

    if "found unacceptable character" in problem:
        return _at(mark, f"{PREFIX}含有不可见的控制字符：请删去它（常见于从网页或 PDF 复制的文字）")

    return _at(mark, f"{PREFIX}这一行 YAML 读不懂：请检查缩进、英文冒号“: ”和引号是否配对")


# the columns of a row copied from an Excel table, by the list it is pasted into and its
# number of cells (the order of the forms' columns)
ROW_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "indicators": (("level1", "level2", "name", "explanation", "value"), ("level1", "level2", "name", "value")),
    "key_tasks": (("name", "content", "funds", "target"),),
    "other_tasks": (("name", "content", "funds", "target"),),
    "expenditure": (("label", "amount"),),
    "income": (("label", "amount"),),
}


def _flow_value(v: str) -> str:
    """A value as it can stand inside ``{…}``: in quotes when YAML would read it otherwise."""
    if not v or re.search(r"[:#,\[\]{}]|^[-?&*!|>'\"%@`]|^\s|\s$", v):
        return quoted(v)
    return v


def _pasted_row(lines: list[str], i: int) -> tuple[int, int, str] | None:
    """`- 产出指标<Tab>质量指标<Tab>合格率…`: a row copied from Excel, its cells split by Tabs."""
    line = lines[i]
    m = re.match(r"^(?P<lead>[ ]*)(?P<dash>-[ ]+)?(?P<body>[^\s#].*)$", line)
    if not m or m["body"].count("\t") < 1:
        return None
    cells = [c.strip() for c in re.split(r"\t+", m["body"].rstrip())]
    if len(cells) < 2 or any(not c for c in cells) or re.match(rf"^{KEY}[ ]*:", cells[0]):
        return None
    parent = None
    indent = len(m["lead"])
    for j in range(i - 1, -1, -1):
        pm_ = re.match(rf"^(?P<lead>[ ]*)(?:-[ ]+)?(?P<key>{KEY})[ ]*:[ ]*(?:#.*)?$", lines[j])
        if pm_ and len(pm_["lead"]) <= indent:
            parent = pm_["key"]
            break
    head = f"{PREFIX}这一行像是从 Excel 复制来的一行（{len(cells)} 格，用 Tab 隔开）：YAML 不认 Tab，也不知道哪一格是什么"
    for columns in ROW_COLUMNS.get(parent or "", ()):
        if len(columns) == len(cells):
            row = ", ".join(f"{k}: {_flow_value(c)}" for k, c in zip(columns, cells, strict=True))
            return i + 1, m.end("lead") + 1, f"{head}：请写成 - {{{row}}}（大量的表格不必手写：goaldoc init x.xlsx 新建一张空白表，在 Excel 里填）"
    if parent in ("expenditure", "income"):  # model.Budget: a side's blank row
        head += "（表上这一边空着的一行写 - {}）"
    wanted = "、".join("/".join(c) for c in ROW_COLUMNS.get(parent or "", ())) or "键: 值"
    return i + 1, m.end("lead") + 1, (
        f"{head}：请按 - {{{wanted}}} 的样子写出各格（英文逗号隔开）；大量的表格不必手写：goaldoc init x.xlsx 新建一张空白表，在 Excel 里填"
    )


def _colon_in_block_value(lines: list[str], pm: Any) -> tuple[int | None, int | None, str]:
    """`name: 满意度: 调查` — a second `: ` in a value; or a key whose line above ran on."""
    line = lines[pm.line]
    own = re.match(r"^(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>[^:#]+?):[ ]", line)
    if own and own.end("key") == pm.column:
        n = _indent_for(lines, pm.line)
        if n is not None and n != len(line) - len(line.lstrip(" ")):  # a key indented too far
            return pm.line + 1, 1, f"{PREFIX}缩进不一致：这一行没有和同一层的键（或“- ”）对齐：请把行首的空白换成 {n} 个空格"
        # the colon of this line's own key: the line above is text that did not end
        prev = next(
            (j for j in range(pm.line - 1, -1, -1) if lines[j].strip() and not lines[j].lstrip().startswith("#")),
            None,
        )
        if prev is not None:
            for slip in (_fw_colon, _no_space, _bare_key):
                found = slip(lines, prev)
                if found:
                    return found
            return prev + 1, None, f"{PREFIX}这一行没有写完：缺少键后面的英文冒号“: ”，或文字没有用引号括好：请检查这一行"
    if own:
        key = own["key"].strip()
        value = _strip_comment(line[own.end() :]).strip()
        joined = re.match(rf"^(?P<v1>.*?)[ ]*，[ ]*(?P<k2>{KEY})[ ]*:[ ]+(?P<v2>.*)$", value)
        if re.fullmatch(KEY, key) and joined and joined["k2"] in _field_names():
            col = len(own["lead"])
            return pm.line + 1, pm.column + 1, (
                f"{PREFIX}“，”是中文逗号，把两个键连成了一行：请分成两行，写成 {key}: {joined['v1']} 和 "
                f"{joined['k2']}: {joined['v2']}（第二行的“{joined['k2']}”与“{key}”对齐，前面 {col} 个空格）"
            )
        if re.fullmatch(KEY, key):
            fix = f"{key}: {quoted(value)}"
        elif own["lead"].strip() == "-":
            fix = "- " + quoted(f"{key}: {value}")
        else:
            fix = f"{key}: {quoted(value)}"
        return pm.line + 1, pm.column + 1, (
            f"{PREFIX}值里有“: ”（冒号加空格），YAML 会当成又一个键：请把整个值用英文引号括起来，写成 {fix}"
        )
    return pm.line + 1, pm.column + 1, f"{PREFIX}这里的“: ”（冒号加空格）YAML 读不懂：如果它是文字的一部分，请把整个值用英文引号括起来"


def _flow_entry(line: str, col0: int) -> tuple[str, str] | None:
    """The key and whole value around position ``col0`` of a `{key: value, …}` line."""
    starts = [m for m in _FLOW_KEY.finditer(line) if m.end() <= col0]
    if not starts:
        return None
    m = starts[-1]
    nxt = next((n for n in _FLOW_KEY.finditer(line) if n.start() >= col0), None)
    if nxt is not None:
        end = nxt.start()
    else:
        body = _strip_comment(line)
        end = _closing_brace(body, m.end())
    value = line[m.end() : end].strip()
    return (m["key"], value) if value else None


def _closing_brace(body: str, start: int) -> int:
    """Where the value starting at ``start`` ends: the ``}`` closing its mapping (brackets
    the value opens are its own: ``{a: {b: x['c']}}`` ends the value of ``b`` before the
    first ``}``), else the end of the line."""
    depth = 0
    for k in range(start, len(body)):
        ch = body[k]
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "}" and depth <= 0:
            return k
    return len(body)


# ---------------------------------------------------------------- mistakes that parse


def _field_names() -> frozenset[str]:
    from pydantic import BaseModel

    from . import model

    names: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names |= set(obj.model_fields)
    return frozenset(names)


def _container_names() -> frozenset[str]:
    """Fields whose value is a list or a group of keys ([…] or {…} are meant there)."""
    import typing

    from pydantic import BaseModel

    from . import model

    names: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            for name, f in obj.model_fields.items():
                ann = f.annotation
                args = typing.get_args(ann)
                if typing.get_origin(ann) in (list, dict) or any(typing.get_origin(a) in (list, dict) or (isinstance(a, type) and issubclass(a, BaseModel)) for a in args) or (isinstance(ann, type) and issubclass(ann, BaseModel)):
                    names.add(name)
    return frozenset(names)


def slips(root: yaml.Node, text: str, file: str, hints: dict[tuple[str | int, ...], str], columns: dict[tuple[str | int, ...], int]) -> list[Problem]:
    """Problems with data that parsed but is not what the clerk meant (see module doc).

    Records in ``hints`` / ``columns`` the keys that a comma inside ``{…}`` split off a value.
    """
    lines = text.split("\n")
    fields = _field_names()
    problems: list[Problem] = []

    def add(at: tuple[int, int, str] | None) -> None:
        if at:
            problems.append(Problem(at[2], (), file, at[0], at[1], code="E001"))

    def scalar(node: yaml.ScalarNode, is_key: bool, key: str | None = None) -> None:
        v = node.value
        if node.style is not None or ("：" not in v and v[:1] not in _SUSPECT_START):
            return  # the fast way out for nearly every scalar (a file may have 10,000 rows)
        line, col = node.start_mark.line, node.start_mark.column
        if is_key and "\u3000" in v[:1]:
            add(_fw_indent(lines, line) if _FW_INDENT.match(lines[line]) else None)
            return
        m = _FW_COLON_TEXT.match(v)
        if m and (is_key or m[1] in fields):
            rest = _strip_comment(m[2].split("\n")[0])
            add((line + 1, col + v.index("：") + 1, fw_colon_message(m[1], rest)))
            return
        if v[:1] in _CURLY_PAIRS:
            close = _CURLY_PAIRS[v[0]]
            if v.endswith(close) and len(v) > 1:
                lead = f"{key}: " if key else "- " if not is_key else ""
                add((line + 1, col + 1, (
                    f"{PREFIX}值 {v} 两头是中文引号：YAML 不把它们当引号，会原样印到表上："
                    f"请改成英文引号，写成 {lead}{quoted(v[1:-1])}（或删去两头的引号）；"
                    f"如果确实要印出中文引号，请写成 {lead}{quoted(v)}"
                )))
            elif close not in v:
                after = lines[node.end_mark.line][node.end_mark.column :] if node.end_mark.line < len(lines) else ""
                cm = re.match(r"[ \t]+#(.*)", after)
                if cm and close in cm[1]:
                    whole = v + " #" + cm[1][: cm[1].index(close) + 1]
                    lead = f"{key}: " if key else "- "
                    add((line + 1, col + 1, (
                        f"{PREFIX}中文引号不起引号的作用，引号里“ #”后面被当成了注释、没有读进来："
                        f"请改成英文引号，写成 {lead}{quoted(whole[1:-1])}"
                    )))

    def walk(node: yaml.Node, path: tuple[str | int, ...], key: str | None = None) -> None:
        if isinstance(node, yaml.ScalarNode):
            scalar(node, False, key)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))
        elif isinstance(node, yaml.MappingNode):
            if node.flow_style:
                _comma_splits(node, path, text, hints, columns)
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    scalar(key_node, True)
                    walk(value_node, (*path, str(key_node.value)), str(key_node.value))

    walk(root, ())
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _comma_splits(node: yaml.MappingNode, path: tuple[str | int, ...], text: str, hints: dict[tuple[str | int, ...], str], columns: dict[tuple[str | int, ...], int]) -> None:
    """`{explanation: 受理的案件, 含调解}`: the comma made `含调解` a key without a value."""
    pairs = node.value
    k = 1
    while k < len(pairs):
        if not _bare(pairs[k], text):
            k += 1
            continue
        start = k
        while k < len(pairs) and _bare(pairs[k], text):
            k += 1
        prev_key, prev_value = pairs[start - 1]
        if isinstance(prev_value, yaml.ScalarNode) and prev_value.style is None and prev_value.value:
            whole = text[prev_value.start_mark.index : pairs[k - 1][0].end_mark.index]
            fix = f"{prev_key.value}: {quoted(whole)}"
            for key_node, _ in pairs[start:k]:
                child = (*path, str(key_node.value))
                hints[child] = fix
                columns[child] = key_node.start_mark.column + 1


def _bare(pair: tuple[yaml.Node, yaml.Node], text: str) -> bool:
    """A key of a `{…}` with no colon after it (YAML gives it an empty value)."""
    key, value = pair
    if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
        return False
    if value.value != "" or value.tag != "tag:yaml.org,2002:null":
        return False
    between = text[key.end_mark.index : value.start_mark.index]
    return ":" not in between
