"""Ctrl-C at a chosen file, without timing: a program for ``python -c`` that runs
``goaldoc COMMAND`` with its own arguments after making ``goaldoc.MODULE.FUNCTION`` raise
KeyboardInterrupt when ``CONDITION`` holds of its arguments (``args[0]``: the file's number)."""

from __future__ import annotations

_PROGRAM = """
import sys
from goaldoc import {module}
real = {module}.{function}
def stop(*args, **kw):
    if {condition}:
        raise KeyboardInterrupt
    return real(*args, **kw)
{module}.{function} = stop
from goaldoc.cli import main
sys.argv = ["goaldoc", "{command}", *sys.argv[1:]]
main()
"""


def ctrl_c_at(module: str, function: str, command: str, condition: str) -> str:
    return _PROGRAM.format(module=module, function=function, command=command, condition=condition)
