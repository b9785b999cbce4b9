"""Safe YAML loading that remembers the line of every key and item.

PyYAML's ``SafeLoader`` already refuses ``!!python/...`` tags; on top of it we

* compose the node tree ourselves so that every value keeps its line number,
* read numbers with a decimal point as :class:`~decimal.Decimal` from the text the
  clerk typed (``26843.80`` keeps its two decimals, no float drift),
* keep dates as the text typed (``2023-01-01`` stays a string),
* refuse anchors/aliases (no clerk needs them, and they make "billion laughs" bombs).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from . import yamlhints
from .errors import InputError, Problem
from .yamlparse import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    MAX_NODES,
    NULL_TAG,
    STR_TAG,
    TIMESTAMP_TAG,
    TOO_MANY_NODES,
    VALUE_TAG,
    CParser,
    FastLoader,
    PureLoader,
)

Path_ = tuple[str | int, ...]


@dataclass
class LineMap:
    """Where each key path starts in the YAML file (1-based lines).

    Data read from a filled .docx / .xlsx (goaldoc.importer) has no lines: ``places`` gives
    each key path its cell (“第 2 个表格 第 7 行 第 3 列”, “项目表!C12”), and ``lines`` the
    position of that cell in the file, so problems still come in the file's order."""

    file: str
    lines: dict[Path_, int] = field(default_factory=dict)
    places: dict[Path_, str] = field(default_factory=dict)
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

    def place_of(self, path: Path_) -> str | None:
        """The place of ``path`` or of its nearest ancestor that has one (filled files only)."""
        path = tuple(path)
        while self.places:
            if path in self.places:
                return self.places[path]
            if not path:
                return None
            path = path[:-1]
        return None

    def problem(self, path: Path_, message: str, **kw: Any) -> Problem:
        kw.setdefault("place", self.place_of(tuple(path)))
        return Problem(message, tuple(path), self.file, self.line_of(tuple(path)), **kw)


# YAML 1.1 (PyYAML) reads 0307 as octal 199, 07505555555 as 1024908141, 8:30 as 510 (base
# 60), 0x1F as 31 and 1_2345 as 12345: a code, a phone number or a time would print changed.
# Only a plain decimal is a number; anything else is kept as typed, and the model says
# where a number was wanted.
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")


def _scalar(loader: PureLoader, node: yaml.ScalarNode) -> Any:
    tag = node.tag
    text = node.value
    if tag == INT_TAG and not _PLAIN_INT.fullmatch(text):
        return text
    if tag == FLOAT_TAG:  # 12_34.5 is kept as typed too (see _PLAIN_INT)
        if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
            try:
                return Decimal(text)
            except InvalidOperation:  # pragma: no cover - regex guards
                return text
        return text  # .inf / .nan: keep the text, the model will say what is wrong
    if tag == STR_TAG or tag in (TIMESTAMP_TAG, VALUE_TAG):
        return text
    if tag == INT_TAG:
        return int(text)  # a plain decimal (checked above)
    if tag == NULL_TAG:
        return None
    if tag == BOOL_TAG:
        return yaml.constructor.SafeConstructor.bool_values[text.lower()]
    # any other tag (!!python/object, !!binary, custom !tags) is refused
    raise yaml.constructor.ConstructorError(
        None, None, f"不支持的 YAML 标签 {tag}：请删去它，只写普通文字或数字", node.start_mark
    )


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _build(loader: PureLoader, node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise yaml.constructor.ConstructorError(
            None, None, f"不支持的 YAML 标签 {node.tag}：请删去它，只写普通文字或数字", node.start_mark
        )
    if len(lines) > MAX_NODES:
        raise yaml.MarkedYAMLError(None, None, TOO_MANY_NODES, node.start_mark)
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
    """UTF-8 (with or without BOM); GBK as saved by older Windows editors, and UTF-16 with
    its BOM (Notepad's "Unicode"), are accepted too.

    Valid UTF-8 is read as UTF-8 (issue 12 item 5: ``①局`` was read as GBK 鈶犲眬), with one
    exception: short GBK text that happens to be valid UTF-8 (some two-character place names
    in GBK are two IPA letters as UTF-8). Such a reading is made of two-byte sequences only, so it has no
    character from U+0800 up, while Chinese text in UTF-8 always has some. A UTF-8 reading
    without any character from U+0800 up, holding characters Chinese forms do not use, is
    read as GBK when the GBK reading holds only characters they do use.
    """
    found = next(((k, advice) for magic, k, advice in _NOT_YAML if raw.startswith(magic)), None)
    if found:  # no YAML file starts so
        raise InputError([Problem(f"这是{found[0]}，不是 YAML 填报文件：{found[1]}", (), file, code="E002")])
    if raw.startswith(b"\xef\xbb\xbf"):
        return _utf8_or_refuse(raw[3:], file)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode": neither GBK nor UTF-8 starts so
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not text at all: said below
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _gbk_misread_as_utf8(raw, text) or text
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        raise InputError(
            [Problem("文件既不是 UTF-8 也不是 GBK 编码：请在编辑器里“另存为 UTF-8”后再试", (), file, code="E002")]
        ) from None


# what clerks hand goaldoc by mistake, by the first bytes
# (and what to do with it: a filled .docx / .xlsx, goaldoc's own included, reads back by its
# form — issue 21 item 3 — when it keeps its own suffix)
_NOT_YAML = (
    (b"PK\x03\x04", "一个 Word / Excel（.docx / .xlsx）或压缩文件",
     "填好的 Word / Excel 表请用原来的后缀（.docx / .xlsx），goaldoc check、render、import 都能直接读它（import 把它读回成 YAML）"),
    (b"\xd0\xcf\x11\xe0", "一个旧版 Word / Excel（.doc / .xls）文件",
     "请改回原来的后缀（.doc / .xls），装了 LibreOffice 时 goaldoc check、import 能读它"),
    (b"%PDF-", "一个 PDF 文件", "PDF 读不回数据：请用生成它的 .docx / .xlsx 或 .yaml 文件"),
)


def _gbk_misread_as_utf8(raw: bytes, utf8: str) -> str | None:
    """The GBK reading of ``raw`` when its UTF-8 reading ``utf8`` looks like GBK bytes (see decode)."""
    if all(ord(ch) < 0x80 for ch in utf8) or any(ord(ch) >= 0x800 for ch in utf8):
        return None
    try:
        gbk = raw.decode("gbk")
    except UnicodeDecodeError:
        return None
    return gbk if _plausible(gbk) == 1.0 and _plausible(utf8) < 1.0 else None


def _utf8_or_refuse(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            [Problem("文件开头标明是 UTF-8，内容却不是：请在编辑器里“另存为 UTF-8”后再试", (), file, code="E002")]
        ) from None


def load_text(text: str, file: str = "<输入>") -> tuple[Any, LineMap]:
    """Parse YAML text; returns the plain data and the line of every key path.

    A text is parsed by libyaml when it can be (fast); one that does not parse, or holds a
    character the pure-Python reader refuses, is read again by PyYAML's pure-Python loader,
    whose errors and marks are the ones the messages below are written for."""
    # libyaml accepts a Tab where PyYAML refuses it (after a colon): such a file is read the
    # slow way too, so that a file checks the same with or without libyaml
    if CParser is not None and "\t" not in text and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        fast = LineMap(file)
        loader: Any = FastLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None and not yamlhints.slips(node, text, file, fast.hints, fast.columns):
                return _build(loader, node, (), fast.lines), fast
        except yaml.YAMLError:
            pass  # said below, in the pure-Python loader's words
        finally:
            loader.dispose()
    linemap = LineMap(file)
    try:
        loader = PureLoader(text)  # the reader refuses control characters right here
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
    """Read and parse one YAML file (see :func:`read_input` for what is refused unread).

    When :func:`hand_over` gave this path what was parsed from the very bytes the file holds
    now, a fresh copy of that is returned (the caller may change what it gets) instead of
    parsing them again."""
    raw = read_input(path)
    handed = _handed.pop(str(path), None)
    if handed is not None and handed[0] == raw:
        import pickle  # here: not at start-up (a single render never hands over)

        data, lines = pickle.loads(handed[1])
        return data, lines
    return load_text(decode(raw, str(path)), str(path))


# A file parsed in one process, for another that reads it again (loader.hand_over): the
# bytes it held and the pickled (data, lines) parsed from them.
Handover = tuple[bytes, bytes]
_handed: dict[str, Handover] = {}


def load_file_for_later(path: str | Path) -> tuple[Any, LineMap, Handover]:
    """:func:`load_file`, and what :func:`hand_over` needs to spare another process (or a
    later step of this one) the parsing of the same file again: in a batch each file is read
    once to plan its outputs and again to render it, often in another worker (issue 23).
    Pickled before anything can change the data."""
    import pickle

    raw = read_input(path)
    data, lines = load_text(decode(raw, str(path)), str(path))
    return data, lines, (raw, pickle.dumps((data, lines), pickle.HIGHEST_PROTOCOL))


def hand_over(path: str | Path, handover: Handover | None) -> None:
    """The next :func:`load_file` of ``path`` in this process returns a copy of what was
    parsed before, if the file still holds the same bytes (otherwise it is parsed again);
    None forgets every handover."""
    _handed.clear()
    if handover is not None:
        _handed[str(path)] = handover


# A department's year is 25–40 KB (samples/); 10,000 indicators are 0.9 MB and take ~4 s.
MAX_FILE_BYTES = 2 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "这是一个文件夹，不是文件：请写出其中的 .yaml 文件名"),
    (stat.S_ISFIFO, "这是一个管道（FIFO），不是普通文件：请指定保存在磁盘上的 .yaml 文件"),
    (stat.S_ISCHR, "这是一个设备，不是普通文件：请指定保存在磁盘上的 .yaml 文件"),
    (stat.S_ISBLK, "这是一个磁盘设备，不是普通文件：请指定保存在磁盘上的 .yaml 文件"),
    (stat.S_ISSOCK, "这是一个套接字，不是普通文件：请指定保存在磁盘上的 .yaml 文件"),
)


def read_input(path: str | Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES` (issue 12 item 6).

    Anything else is refused before a byte is read: opening a FIFO waits for a writer for
    ever, /dev/zero never ends, and a 50 MB file would take minutes to parse. The file is
    opened without blocking and checked again on the open descriptor, so a FIFO put in its
    place between the two looks is refused too.
    """
    file = str(path)
    try:
        _refuse_unless_small_regular(os.stat(path), file)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _unreadable(exc, file) from None
    with os.fdopen(fd, "rb") as fh:
        _refuse_unless_small_regular(os.fstat(fh.fileno()), file)
        try:
            raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise _unreadable(exc, file) from None
    if len(raw) > MAX_FILE_BYTES:  # it grew while we looked
        raise _too_big(len(raw), file)
    return raw


def _refuse_unless_small_regular(st: os.stat_result, file: str) -> None:
    for is_kind, words in _KINDS:
        if is_kind(st.st_mode):
            raise InputError([Problem(words, (), file, code="E004")])
    if not stat.S_ISREG(st.st_mode):
        raise InputError([Problem("这不是普通文件：请指定保存在磁盘上的 .yaml 文件", (), file, code="E004")])
    if st.st_size > MAX_FILE_BYTES:
        raise _too_big(st.st_size, file)


def _too_big(size: int, file: str) -> InputError:
    mb = 1024 * 1024
    return InputError(
        [
            Problem(
                f"文件有 {size / mb:.1f} MB，超过上限 {MAX_FILE_BYTES // mb} MB：一个部门一年的填报文件通常不到 100 KB，"
                "请检查是不是选错了文件，或是否把同样的内容重复粘贴了很多遍",
                (),
                file,
                code="E004",
            )
        ]
    )


_ERRNO_WORDS = {
    errno.ENOENT: "文件不存在：请检查文件名和所在的文件夹",
    errno.EACCES: "没有读取这个文件的权限：请检查文件的权限，或把它复制到自己的文件夹再试",
    errno.EPERM: "没有读取这个文件的权限：请检查文件的权限，或把它复制到自己的文件夹再试",
    errno.ENAMETOOLONG: "文件名或路径太长：请把文件移到短一些的路径下",
    errno.ELOOP: "文件是一个循环的符号链接：请指定真正的文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹：请检查路径",
}


def _unreadable(exc: OSError, file: str) -> InputError:
    words = _ERRNO_WORDS.get(exc.errno or 0) or f"无法读取文件（{exc.strerror or exc}）：请检查文件能否打开"
    return InputError([Problem(words, (), file, code="E004")])
