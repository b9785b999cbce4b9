"""The exception family: every error carries problems a clerk can act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .paths import format_path

Severity = Literal["E", "W"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located and explained in Chinese."""

    message: str
    path: tuple[str | int, ...] = ()
    file: str | None = None
    line: int | None = None
    column: int | None = None
    severity: Severity = "E"
    code: str = "E000"
    accepted: str | None = None  # the clerk's reason, when the YAML's `accepted:` lists it
    # where in a filled .docx / .xlsx (goaldoc check x.docx): “第 2 个表格 第 7 行 第 3 列”,
    # “项目表!C12”; printed instead of the line, which then only orders the problems
    place: str | None = None

    def format(self) -> str:
        where = self.file or ""
        if self.place:
            where += f" {self.place}" if where else self.place
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        note = f"（已确认保留：{self.accepted}）" if self.accepted else ""
        path = f" {format_path(self.path)}" if self.path else ""
        head = f"{where} " if where else ""
        return f"{head}{self.kind} {self.code}{path}：{self.message}{note}"

    @property
    def kind(self) -> str:
        """错误 (the form is sent back; render stops) or 提醒 (a reviewer may ask)."""
        return "错误" if self.severity == "E" else "提醒"

    @property
    def is_error(self) -> bool:
        """An error stops the render; an accepted one is listed but does not."""
        return self.severity == "E" and not self.accepted


class GoaldocError(Exception):
    """Base class: carries the problems that stopped the work."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Exception pickles as cls(*self.args): args holds the joined message, which
        # __init__ would take for the problem list — a worker's error arrived one character
        # per line (issue 11 §2). Rebuild from the problems instead.
        return (type(self), (self.problems,), self.__dict__)


class InputError(GoaldocError):
    """The YAML file cannot be read or does not fit the model."""


class TemplateError(GoaldocError):
    """A template (Word / Excel) is broken: names the table, row and cell."""
