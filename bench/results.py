"""bench/RESULTS.md holds one section per script; each script rewrites only its own."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(name: str, text: str) -> None:
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    block = f"{begin}\n{text.rstrip()}\n{end}\n"
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _m: block, old)
    else:
        new = (old.rstrip() + "\n\n" if old.strip() else "") + block
    RESULTS.write_text(new, encoding="utf-8")


def arguments(doc: str | None, flags: tuple[str, ...] = (), valued: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> None:
    """The command line of a bench script, checked before anything runs: ``-h`` / ``--help``
    prints the script's doc and stops; an option it does not know, or one missing its value,
    stops it with a message on stderr (exit 2). Before, ``bench/floors.py --help`` ran the whole
    measurement and rewrote its section of RESULTS.md. ``flags``: options alone;
    ``valued``: options followed by a value; ``words``: the bare words it takes (speed.py's parts)."""
    import sys

    args = sys.argv[1:]
    if "-h" in args or "--help" in args:
        print((doc or "").strip())
        raise SystemExit(0)
    known = ", ".join((*flags, *(f"{v} VALUE" for v in valued), *words)) or "none"
    i = 0
    while i < len(args):
        a = args[i]
        if a in valued:
            if i + 1 >= len(args) or args[i + 1].startswith("--"):
                _stop(f"{a} needs a value (options: {known}); nothing was measured")
            i += 2
            continue
        if a not in flags and a not in words:
            _stop(f"unknown argument {a!r} (options: {known}; -h for help); nothing was measured")
        i += 1


def _stop(message: str) -> None:
    import sys

    print(message, file=sys.stderr)
    raise SystemExit(2)
