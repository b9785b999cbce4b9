"""click's own words in Chinese, at one place (issue 21 item 4).

goaldoc's help texts and messages are Chinese; what click adds itself — ``Usage:``, ``Error:
Missing argument 'FILES...'``, ``No such command 'rendr'``, ``Invalid value for '--year'``,
``[OPTIONS]``, ``INTEGER RANGE`` — came out in English. Two things put that right:

* :func:`install` gives click's modules a translating ``_`` / ``ngettext`` (click marks every
  text it shows for gettext): :data:`MESSAGES` has each of them in Chinese;
* :class:`ChineseGroup` (the ``goaldoc`` group, and the class of its commands) shows a usage
  error its own way: the usage line with Chinese placeholders, the error, and where the help
  is, with the quotes and full stops of a Chinese sentence.

A message click adds in a later version falls back to its English: tests/test_clitext.py
lists every text of the installed click and fails when one has no Chinese.
"""

from __future__ import annotations

import importlib
import re
import sys
import unicodedata
from typing import Any

import click

MESSAGES: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Aborted!": "已中断。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "查看帮助：{command} {option}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令：请写 goaldoc 后面要做的事（render、check、init、import …；goaldoc --help 列出全部）。",
    "No such command {name!r}.": "没有“{name}”这个命令。",
    "No such option {name!r}.": "没有“{name}”这个选项。",
    "Invalid value: {message}": "值不对：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Option {name!r} does not take a value.": "选项“{name}”后面不跟值。",
    "Argument {name!r} takes {nargs} values.": "参数“{name}”要写 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的开头字符不对（{option}）",
    "Could not open file {filename!r}: {message}": "打不开文件“{filename}”：{message}",
    "unknown error": "未知错误",
    "{value!r} is not a valid {number_type}.": "“{value}”不是数字。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 之内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是是 / 否：可写 {states}。",
    "{value!r} is not a valid UUID.": "“{value}”不是 UUID。",
    "{name} {filename!r} does not exist.": "找不到“{filename}”。",
    "{name} {filename!r} is a file.": "“{filename}”是文件，这里要的是文件夹。",
    "{name} {filename!r} is a directory.": "“{filename}”是文件夹，这里要的是文件。",
    "{name} {filename!r} is not readable.": "“{filename}”没有读取权限。",
    "{name} {filename!r} is not writable.": "“{filename}”没有写入权限。",
    "{name} {filename!r} is not executable.": "“{filename}”不能执行。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Choice({choices})": "可选值（{choices}）",
    "Value must be an iterable.": "要写几个值。",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（运行时决定）",
    "deprecated": "已不再使用",
    "Show this message and exit.": "显示帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Confirm the action without prompting.": "不再询问，直接确认。",
    "Do you want to continue?": "要继续吗？",
    "Repeat for confirmation": "再输入一次确认",
    "Error: The two entered values do not match.": "错误：两次输入的不一样。",
    "Error: invalid input": "错误：输入的不对",
    "Press any key to continue...": "按任意键继续……",
    "Unknown color {colour!r}": "不认识的颜色“{colour}”",
    "Unknown standard stream '{name}'": "不认识的标准流“{name}”",
    "Windows error: {error}": "Windows 错误：{error}",
    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
    "Couldn't detect Bash version, shell completion is not supported.": "认不出 Bash 的版本，不能自动补全。",
    "Shell completion is not supported for Bash versions older than 4.4.": "Bash 4.4 以前的版本不能自动补全。",
    "Name '{name}' defined twice": "“{name}”定义了两次",
    "d": "d",
    # mistakes of the program, not of the user: said in Chinese all the same
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": "参数只能有一个名字，这里有 {length} 个：{decls}。",
    "Boolean option {decl!r} cannot use the same flag for true/false.": "开关选项“{decl}”的真 / 假不能用同一个写法。",
    "Could not determine name for option with declarations {decls!r}": "定不出选项 {decls} 的名字",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "提醒：命令“{name}”已不再使用。{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": "提醒：{param_type}“{name}”已不再使用。{extra_message}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you mean to pass '--{name}'?": "没有定义选项却给了名字（{name}）。",
}

PLURALS: dict[str, str] = {
    "Got unexpected extra argument ({args})": "多了参数（{args}）：请检查拼写和空格，文件名里有空格时用引号括起来。",
    "Did you mean {possibility}?": "是不是{possibility}？",
    "Takes {nargs} values but 1 was given.": "要写 {nargs} 个值，只写了 1 个。",
    "Option {name!r} requires an argument.": "选项“{name}”后面要写一个值。",
    "{len_type} values are required, but {len_value} was given.": "要写 {len_type} 个值，写了 {len_value} 个。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} is not {choice}.": "“{value}”不是可选的值：只能写 {choice}。",
}
PLURALS_MANY: dict[str, str] = {
    "Got unexpected extra arguments ({args})": PLURALS["Got unexpected extra argument ({args})"],
    "(Did you mean one of: {possibilities}?)": "是不是{possibilities}之一？",
    "Takes {nargs} values but {len} were given.": "要写 {nargs} 个值，写了 {len} 个。",
    "Option {name!r} requires {nargs} arguments.": "选项“{name}”后面要写 {nargs} 个值。",
    "{len_type} values are required, but {len_value} were given.": PLURALS["{len_type} values are required, but {len_value} was given."],
    "{value!r} does not match the formats {formats}.": "“{value}”不符合这些格式之一：{formats}。",
    "{value!r} is not one of {choices}.": "“{value}”不是可选的值：只能写 {choices} 之一。",
}

# click's names of path types stay English in MESSAGES: they become placeholders (FILE,
# DIRECTORY) whose width click has counted, and :func:`localize` puts them in Chinese
PLACEHOLDERS = frozenset({"file", "directory", "path"})

# placeholders click writes in usage lines and help, and the types' names
WORDS = [
    ("[OPTIONS]", "[选项]"),
    ("COMMAND [ARGS]...", "命令 [参数]..."),
    ("FILES...", "文件..."),
    ("FILES", "文件"),
    ("INTEGER RANGE", "整数"),
    ("FLOAT RANGE", "数字"),
    ("INTEGER", "整数"),
    ("FLOAT", "数字"),
    ("TEXT", "文字"),
    ("PATH", "文件"),
    ("FILE", "文件"),
    ("DIRECTORY", "文件夹"),
]

_MODULES = ("core", "exceptions", "formatting", "types", "parser", "decorators", "termui", "utils", "shell_completion", "_termui_impl")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if n == 1:
        return PLURALS.get(singular, singular)
    return PLURALS_MANY.get(plural, plural)


def install() -> None:
    """Give click's modules the Chinese ``_`` and ``ngettext`` (module doc)."""
    for name in _MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a module of another platform
            continue
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


def localize(text: str) -> str:
    """Usage lines and help: click's placeholders in Chinese, a Chinese colon after 用法 /
    选项 / 命令. In an option's line of the help the placeholder keeps its width on screen
    (a Chinese character is two columns), so that the descriptions stay in one column."""
    lines = []
    for line in text.split("\n"):
        option = line.startswith("  -")
        if option:
            line = _narrowed(line)
        for english, chinese in WORDS:
            pad = " " * max(0, len(english) - 2 * len(chinese)) if option else ""
            line = re.sub(rf"(?<![A-Za-z]){re.escape(english)}(?![A-Za-z])", chinese + pad, line)
        lines.append(line)
    text = re.sub(r"^(选项|命令|参数):$", r"\1：", "\n".join(lines), flags=re.M)
    return text.replace("用法： ", "用法：")


# an option's words, then the gap click counted to the descriptions' column, then its description
_OPTION_LINE = re.compile(r"^(  -\S.*?)( {2,})(\S.*)$")


def _narrowed(line: str) -> str:
    """An option's line of the help whose own words hold Chinese (a choice such as
    ``[监控|自评]``): click counted each character as one column, the screen shows two, so the
    gap before the description is that much narrower (two spaces at least)."""
    m = _OPTION_LINE.match(line)
    if m is None:
        return line
    wide = sum(1 for ch in m.group(1) if unicodedata.east_asian_width(ch) in "WF")
    if not wide:
        return line
    return m.group(1) + " " * max(2, len(m.group(2)) - wide) + m.group(3)


def sentence(message: str) -> str:
    """A composed click message as a Chinese sentence: “…” for '…', 。 for a closing ."""
    message = localize(message)
    message = re.sub(r"'([^'\s]*(?:\s[^'\s]+)*)'", r"“\1”", message)
    message = message.replace("“”", "").replace("”, “", "”、“").replace("。 ", "。")
    message = re.sub(r"(?<=[\u4e00-\u9fff]) “", "“", message)
    if message.endswith("."):
        message = message[:-1] + "。"
    return message.replace(".。", "。").replace("。。", "。")


class ChineseError(click.ClickException):
    """A click usage error, shown in Chinese (see :meth:`show`)."""

    def __init__(self, error: click.ClickException):
        super().__init__(error.format_message())
        self.error = error
        self.exit_code = error.exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        file = file or sys.stderr
        if isinstance(self.error, click.exceptions.NoArgsIsHelpError):  # `goaldoc` alone: the help
            click.echo(localize(self.error.format_message()), file=file)
            return
        ctx = getattr(self.error, "ctx", None)
        if ctx is not None:
            click.echo(ctx.get_usage(), file=file)
            click.echo(f"查看帮助：{ctx.command_path} --help", file=file)
        click.echo(f"错误：{sentence(self.error.format_message())}", file=file)


class ChineseCommand(click.Command):
    def get_usage(self, ctx: click.Context) -> str:
        return localize(super().get_usage(ctx))

    def get_help(self, ctx: click.Context) -> str:
        return localize(super().get_help(ctx))


class ChineseGroup(click.Group):
    """The ``goaldoc`` group: its commands are :class:`ChineseCommand`, and a usage error
    anywhere below it is shown in Chinese."""

    command_class = ChineseCommand

    def get_usage(self, ctx: click.Context) -> str:
        return localize(super().get_usage(ctx))

    def get_help(self, ctx: click.Context) -> str:
        return localize(super().get_help(ctx))

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise ChineseError(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise ChineseError(exc) from None


install()

__all__ = ["MESSAGES", "ChineseGroup", "install", "localize", "sentence"]
