"""Issue 13 item 6: the README's accepted: example works as it is shown."""

from __future__ import annotations

import os
import re

from click.testing import CliRunner

from conftest import ROOT, SAMPLES
from goaldoc.cli import main

TAISHAN = SAMPLES / "2024" / "taishan.yaml"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_the_readme_accepted_example_keeps_the_problem_it_shows(tmp_path):
    """README: the problem line, and the accepted: entry written from it, work as shown."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"\n(2024/taishan\.yaml:\d+ 错误 E202 [^\n]+)…\n", readme)
    entry = re.search(r"\n(accepted:\n  - \{path: \"indicators\[11\]\.level2\"[^\n]+\n)", readme)  # its first entry
    assert shown and entry
    text = TAISHAN.read_text(encoding="utf-8").split("\n")
    text[175] = text[175].replace("数量指标", "社会效益指标")  # the clerk's mistake on line 176
    (tmp_path / "2024").mkdir()
    path = tmp_path / "2024" / "taishan.yaml"
    path.write_text("\n".join(text), encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        before = run("check", "2024/taishan.yaml")
        path.write_text("\n".join(text) + "\n" + entry[1], encoding="utf-8")
        after = run("check", "2024/taishan.yaml")
    finally:
        os.chdir(cwd)
    assert before.exit_code == 1 and any(line.startswith(shown[1]) for line in before.stdout.splitlines())
    assert after.exit_code == 0, after.output
    assert after.stdout.splitlines()[-1] == "检查了 1 个文件：0 个错误，0 个提醒，1 个已确认保留。"
