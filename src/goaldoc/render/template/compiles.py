"""Whether a template text compiles, cheaply: for telling an admin of every mistake of a
template (render/excel/syntax.py, render/word/syntax.py), where most texts are sound.

Compiling is parsing, then generating the Python code (which is where a filter or a test
goaldoc does not offer is found), then compiling that code. Parsing, and looking the
filters' and tests' names up, finds the same mistakes at a fraction of the cost; only a text
naming an unknown filter or test is compiled, for Jinja's own error.
"""

from __future__ import annotations

import jinja2
from jinja2 import nodes


def check_compiles(env: jinja2.Environment, source: str) -> None:
    """Raises the TemplateSyntaxError (TemplateAssertionError for an unknown filter or test)
    compiling ``source`` in ``env`` raises; nothing is kept."""
    tree = env.parse(source)
    if any(f.name not in env.filters for f in tree.find_all(nodes.Filter)) or any(
        t.name not in env.tests for t in tree.find_all(nodes.Test)
    ):
        env.compile(source, raw=True)  # Jinja's error, as a render meets it


__all__ = ["check_compiles"]
