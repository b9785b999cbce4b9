"""Issue 21 item 4: every fix a YAML message gives works when a clerk follows it.

Each case breaks line 119 of a sample (`    name: 受理仲裁案件数量`, an indicator's name) — or
another line — the way a clerk does, asserts the message, then does what the message says,
as literally as a clerk would (the text after 写成, the number of spaces, the line to
delete, the bracket to add, the two lines to write), and checks the result: it reads, and
`goaldoc check` finds no YAML or key problem (E001, E010) in it. Where the fix restores what
the sample had, the check is the sample's, line for line.

The two cases of issue 21: a full-width comma inside `{…}` (its fix used to be a quoted
value: E010 and E201 when followed), and a row pasted from Excel with Tabs (“换成一个空格”
eight times: E010 when followed).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.cli import main

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
P = "错误 E001：YAML 格式错误："
NAME = "    name: 受理仲裁案件数量\n"
FLOW = """\
year: 2025
form: guangdong
department: {name: 某局, area: 某市}
budget:
  unit: 万元
  expenditure:
    - {label: 合计, amount: 10}
    - {label: 一、基本支出, amount: 10, level: 1}
indicators:
  - {level1: 产出指标, level2: 数量指标, name: 受理件数, value: ≥260 件}
  - {level1: 产出指标, level2: 质量指标, name: 合格率, value: 100%}
  - {level1: 效益指标, level2: 社会效益指标, name: 就业, value: 有效推动}
  - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥90%}
"""
GOOD_ROW = "  - {level1: 产出指标, level2: 质量指标, name: 合格率, value: 100%}\n"

# name: (file text, line as it is, line as the clerk typed it, expected "line:col message", restores the sample)
CASES: dict[str, tuple[str, str, str, str, bool]] = {
    "a full-width comma between two keys inside {…} (issue 21)": (
        FLOW, GOOD_ROW, "  - {level1: 产出指标，level2: 质量指标, name: 合格率, value: 100%}\n",
        f"11:25 {P}“，”是中文逗号：花括号 {{ }} 里的各项要用英文逗号“,”隔开：请写成 level1: 产出指标, level2: 质量指标", True),
    "two full-width commas inside {…}": (
        FLOW, GOOD_ROW, "  - {level1: 产出指标，level2: 质量指标，name: 合格率, value: 100%}\n",
        f"11:25 {P}“，”是中文逗号：花括号 {{ }} 里的各项要用英文逗号“,”隔开：请写成 level1: 产出指标, level2: 质量指标, name: 合格率", True),
    "a row pasted from Excel with Tabs (issue 21)": (
        FLOW, GOOD_ROW, "  - 产出指标\t质量指标\t合格率\t100%\n",
        f"11:3 {P}这一行像是从 Excel 复制来的一行（4 格，用 Tab 隔开）：YAML 不认 Tab，也不知道哪一格是什么：请写成 "
        "- {level1: 产出指标, level2: 质量指标, name: 合格率, value: 100%}（大量的表格不必手写：goaldoc init x.xlsx 新建一张空白表，在 Excel 里填）", True),
    "a full-width comma joining two keys on a block line": (
        TAISHAN.read_text(encoding="utf-8"), "  - level1: 产出指标\n    level2: 数量指标\n    name: 受理仲裁案件数量\n",
        "  - level1: 产出指标，level2: 数量指标\n    name: 受理仲裁案件数量\n",
        f"119:24 {P}“，”是中文逗号，把两个键连成了一行：请分成两行，写成 level1: 产出指标 和 level2: 数量指标（第二行的“level2”与“level1”对齐，前面 4 个空格）", True),
    "a value starting with @": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name: @受理仲裁案件数量\n",
        f"121:11 {P}“@”在 YAML 里有特殊含义，不能放在值的开头：请把整个值用英文引号括起来，写成 name: \"@受理仲裁案件数量\"", False),
    "a value starting with a backtick": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name: `受理\n",
        f"121:11 {P}“`”在 YAML 里有特殊含义，不能放在值的开头：请把整个值用英文引号括起来，写成 name: \"`受理\"", False),
    "a value starting with &": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name: &受理\n",
        f"121:11 {P}值开头的“&”在 YAML 里有特殊含义：请把整个值用英文引号括起来，写成 name: \"&受理\"", False),
    "a value starting with *": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name: *受理\n",
        f"121:11 {P}值开头的“*”在 YAML 里有特殊含义：请把整个值用英文引号括起来，写成 name: \"*受理\"", False),
    "a value starting with !": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name: !受理\n",
        f"121:11 {P}值开头的“!”在 YAML 里有特殊含义：请把整个值用英文引号括起来，写成 name: \"!受理\"", False),
    "a value starting with |": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name: |受理\n",
        f"121:11 {P}值开头的“|”或“>”在 YAML 里表示多行文字：请把整个值用英文引号括起来，写成 name: \"|受理\"", False),
    "a value starting with - ": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name: - 受理\n",
        f"121:11 {P}“- ”不能放在这里：列表的每一项另起一行，以“- ”开头；如果“-”是文字的一部分，请把整个值用英文引号括起来，写成 name: \"- 受理\"", False),
    "a value starting with ? ": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name: ? 受理\n",
        f"121:11 {P}“? ”在 YAML 里有特殊含义：请把整个值用英文引号括起来，写成 name: \"? 受理\"", False),
    "a backslash in double quotes": (TAISHAN.read_text(encoding="utf-8"), NAME, '    name: "受理\\q"\n',
        f"121:15 {P}英文双引号里的反斜杠“\\”有特殊含义：请把“\\”写成“\\\\”，或改用英文单引号括起来，写成 name: '受理\\q'", False),
    "a quote never closed": (TAISHAN.read_text(encoding="utf-8"), NAME, '    name: "受理仲裁案件数量\n',
        f"121:11 {P}引号没有配对：这里开始的引号到行末都没有结束：请写成 name: \"受理仲裁案件数量\"", True),
    "a space for the colon": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name 受理仲裁案件数量\n",
        f"121:9 {P}键“name”后面缺少英文冒号：请写成 name: 受理仲裁案件数量", True),
    "a key without its colon": (TAISHAN.read_text(encoding="utf-8"), "department:\n", "department\n",
        f"14:11 {P}键“department”后面缺少英文冒号：请写成 department:", True),
    "a key indented one space too far": (TAISHAN.read_text(encoding="utf-8"), NAME, "     name: 受理仲裁案件数量\n",
        f"121:1 {P}缩进不一致：这一行没有和同一层的键（或“- ”）对齐：请把行首的空白换成 4 个空格", True),
    "a key indented one space short": (TAISHAN.read_text(encoding="utf-8"), NAME, "   name: 受理仲裁案件数量\n",
        f"121:4 {P}缩进不一致：这一行没有和同一层的键（或“- ”）对齐：请把行首的空白换成 4 个空格", True),
    "a line starting with %": (TAISHAN.read_text(encoding="utf-8"), NAME, "%受理\n" + NAME,
        f"121:2 {P}以“%”开头的行在 YAML 里有特殊含义：请删去这一行，或在行首加“#”写成注释", True),
    "a line ... in the middle": (TAISHAN.read_text(encoding="utf-8"), NAME, "...\n" + NAME,
        f"121:1 {P}这一行“...”在 YAML 里表示文件到此结束，后面的内容都读不到：请删去这一行", True),
    "a line --- in the middle": (TAISHAN.read_text(encoding="utf-8"), NAME, "---\n" + NAME,
        f"121:1 {P}一个文件只能有一份内容，这里的“---”开始了第二份：请删去这一行（如果后面是另一个部门的内容，请把它另存为一个文件）", True),
    "a control character": (TAISHAN.read_text(encoding="utf-8"), NAME, "    name: 受理仲裁\x07案件数量\n",
        f"121:15 {P}含有不可见的控制字符 U+0007：请删去它（常见于从网页或 PDF 复制的文字）", True),
}


def check(text: str, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
    return [line.replace(f"{path}:", "") for line in res.stdout.splitlines()]


def follow(lines: list[str], message: str) -> list[str]:
    """Do what the message says to its line, as literally as a clerk would."""
    n = int(message.split(":")[0]) - 1
    col = int(message.split(":")[1].split(" ")[0])
    line = lines[n]
    body = line.lstrip(" \t\u3000")
    lead = line[: len(line) - len(body)]
    if m := re.search(r"分成两行，写成 (.+?) 和 (.+?)（.*前面 (\d+) 个空格）", message):
        return [*lines[:n], lead + body[: len(body) - len(body.lstrip("- "))] + m[1], " " * int(m[3]) + m[2], *lines[n + 1 :]]
    if m := re.search(r"换成 (\d+) 个(?:半角)?空格", message):
        return [*lines[:n], " " * int(m[1]) + body, *lines[n + 1 :]]
    if "请删去这一行" in message:
        return [*lines[:n], *lines[n + 1 :]]
    if "控制字符" in message and "请删去它" in message:
        return [*lines[:n], line[: col - 1] + line[col:], *lines[n + 1 :]]
    if m := re.search(r"在这一项的末尾补上“(.)”", message):
        return [*lines[:n], line.rstrip() + m[1], *lines[n + 1 :]]
    m = re.search(r"写成 (.+?)(?:（|；|$)", message)
    assert m, message
    fix = m[1]
    if fix.startswith("- "):  # the whole list item written out
        return [*lines[:n], lead + fix, *lines[n + 1 :]]
    key = fix.split(":")[0]
    start = line.index(key, len(lead) - 1 if lead else 0)
    rest = line[start:]
    # the clerk's value runs to the comment, the next `, key:` in a {…}, or the line's end
    end = re.search(r",[ ]*[A-Za-z_]+: (?!.*，)|[ \t]+#|}[ ]*$", rest[len(key) :])
    typed = rest[: len(key) + end.start()] if end else rest
    return [*lines[:n], line[:start] + fix + line[start + len(typed) :], *lines[n + 1 :]]


@pytest.mark.parametrize("name", [c for c in CASES if CASES[c][3]])
def test_following_the_message_gives_a_file_that_reads(name, tmp_path):
    text, good, bad, expected, restores = CASES[name]
    assert text.count(good) >= 1
    broken = text.replace(good, bad, 1)
    got = check(broken, tmp_path, "x.yaml")
    assert got[0] == expected
    fixed = follow(broken.split("\n"), got[0])
    result = check("\n".join(fixed), tmp_path, "fixed.yaml")
    assert not [line for line in result if " E001" in line or " E010" in line], result
    if restores:
        assert result == check(text, tmp_path, "sample.yaml")


@pytest.mark.parametrize(("good", "bad", "said"), [
    (GOOD_ROW, GOOD_ROW.rstrip().rstrip("}") + "\n", "这里的“{”没有配对的“}”：请在这一项的末尾补上“}”"),
    ('  - "2. 促进高校毕业生就业', '  - ["2. 促进高校毕业生就业', "这里的“[”没有配对的“]”，YAML 把它当成了方括号 [ ]的开头：如果它是文字的一部分，请把整个值用英文引号括起来，写成 - '[\"2. 促进高校毕业生就业"),
    (NAME, "    name: [受理仲裁案件数量\n", "这里的“[”没有配对的“]”，YAML 把它当成了方括号 [ ]的开头：如果它是文字的一部分，请把整个值用英文引号括起来，写成 name: \"[受理仲裁案件数量\""),
])
def test_an_unclosed_bracket(good, bad, said, tmp_path):
    """In a list ([…] is meant there) the bracket is closed; in a text it is quoted."""
    text = FLOW if good == GOOD_ROW else TAISHAN.read_text(encoding="utf-8")
    broken = text.replace(good, bad, 1)
    got = check(broken, tmp_path, "x.yaml")
    assert said in got[0]
    fixed = follow(broken.split("\n"), got[0])
    result = check("\n".join(fixed), tmp_path, "fixed.yaml")
    assert not [r for r in result if " E001" in r or " E010" in r], result


def test_a_pasted_row_of_unknown_columns_says_how_to_write_it(tmp_path):
    """Cells that fit no known list still get one message per row, not one per Tab."""
    broken = FLOW.replace(GOOD_ROW, "  - 产出指标\t质量指标\t合格率\t检验\t合格\t100%\n")
    got = check(broken, tmp_path, "x.yaml")
    assert got == [
        f"11:3 {P}这一行像是从 Excel 复制来的一行（6 格，用 Tab 隔开）：YAML 不认 Tab，也不知道哪一格是什么："
        "请按 - {level1/level2/name/explanation/value、level1/level2/name/value} 的样子写出各格（英文逗号隔开）；"
        "大量的表格不必手写：goaldoc init x.xlsx 新建一张空白表，在 Excel 里填",
        "检查了 1 个文件：1 个错误，0 个提醒。",
    ]
