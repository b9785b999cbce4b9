"""Issue 13 item 1: next year's file from last year's, the year a plain `init` writes, and
the 提醒s for what a clerk has not yet filled in or looked at (W310, W311)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.api import load
from goaldoc.cli import main
from goaldoc.nextyear import move_years, next_year, numbers, year_from_path
from goaldoc.paths import parse_path

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
# target files: a 监控 / 自评 file is no start for next year (tests/test_cycle_layout.py)
SAMPLE_FILES = [p for p in sorted(SAMPLES.glob("*/*.yaml")) if "\nstage: " not in p.read_text(encoding="utf-8")]


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def check_lines(path: Path) -> list[str]:
    res = run("check", str(path))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
    return [line.replace(f"{path}:", "") for line in res.stdout.splitlines()]


# ---------------------------------------------------------------- init --from


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
def test_init_from_every_sample_checks_with_the_carried_numbers_listed_and_renders(sample, tmp_path):
    old = load(sample).model
    target = tmp_path / str(old.year + 1) / sample.name
    res = run("init", str(target), "--from", str(sample))
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].startswith(
        f"已从 {sample} 新建 {target}（{old.year + 1} 年度，年份取自路径）：年度"
    )
    new = load(target).model
    assert new.year == old.year + 1
    assert new.signature.date is None

    # the same problems as last year's file, on the same lines, plus one W311 per carried number
    # and a W314 for each text still planning for last year (issue 16)
    before, after = check_lines(sample), check_lines(target)
    w311 = [line for line in after if " 提醒 W311 " in line]
    assert len(w311) == len(new.carried) == len(numbers(old))  # 邯郸's excerpt shows no amount at all
    w314 = [line for line in after if " 提醒 W314 " in line]
    assert all(f"（预算年度是 {old.year + 1}）" in line for line in w314)
    assert [line for line in after[:-1] if line not in w311 + w314] == before[:-1]
    errors_before = re.search(r"(\d+) 个错误", before[-1])
    assert errors_before and re.search(r"(\d+) 个错误", after[-1])[1] == errors_before[1]  # type: ignore[index]

    # every carried number is last year's value at that path
    for key, value in new.carried.items():
        path = parse_path(key)
        assert path is not None
        obj: object = old
        for part in path:
            obj = obj[part] if isinstance(part, int) else getattr(obj, part)  # type: ignore[index]
        assert Decimal(obj) == value  # type: ignore[arg-type]

    out = tmp_path / "out"
    rendered = run("render", str(target), "-o", str(out))
    assert rendered.exit_code == 0, rendered.output
    files = sorted(out.iterdir())
    assert [p.suffix for p in files] == [".docx", ".xlsx"]
    assert all(p.name.startswith(f"{old.year + 1}年") for p in files)
    text = "\n".join(p.text for p in docx.Document(str(files[0])).paragraphs) + "".join(
        c.text for t in docx.Document(str(files[0])).tables for r in t.rows for c in r.cells
    )
    for title in filter(None, [new.title, new.cover.title]):
        assert title in text
    openpyxl.load_workbook(files[1])


def test_only_the_year_the_titles_and_the_date_change_and_every_comment_stays(tmp_path):
    sample = tmp_path / "2024" / "x.yaml"
    sample.parent.mkdir()
    sample.write_text(
        TAISHAN.read_text(encoding="utf-8")
        + "signature:\n  head: 张三\n  date: 2024年1月5日   # 填报日期\n",
        encoding="utf-8",
    )
    made = next_year(sample)
    old_lines = sample.read_text(encoding="utf-8").splitlines()
    new_lines = made.text.splitlines()
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=False) if a != b]
    assert changed == [
        ("year: 2024", "year: 2025"),
        ("title: 2024年台山市部门整体预算绩效目标批复表", "title: 2025年台山市部门整体预算绩效目标批复表"),
        ("  date: 2024年1月5日   # 填报日期", "  date:    # 填报日期"),
    ]
    assert new_lines[: len(old_lines)] == [dict(changed).get(line, line) for line in old_lines]
    assert made.titles == ["title"] and made.cleared == ["signature.date"]
    tail = new_lines[len(old_lines) :]
    assert tail[:6] == [
        "",
        f"# ---- 上年数字（goaldoc init --from {sample.as_posix()} 写入）----",
        "# 下面每一行是从 2024 年文件带过来的一个数字。goaldoc check 对仍等于上年数的数字逐个提醒",
        "# “上年数字，请核对”：改成今年的数，提醒就消失；今年确实不变的，核对后删去这里对应的那一行。",
        "# 全部核对完，可以删去整个 carried:（连同这几行说明）。",
        "carried:",
    ]
    assert tail[6] == '  "department.staff_count": 269              # 台山市人力资源和社会保障局 财政供养人员数'
    assert '  "budget.income[4].amount": 26843.80        # 收入 上级资金' in tail  # decimals as typed; [1] is the blank row


def test_a_carried_number_stops_reminding_once_changed_or_confirmed(tmp_path):
    target = tmp_path / "2025" / "taishan.yaml"
    assert run("init", str(target), "--from", str(TAISHAN)).exit_code == 0
    text = target.read_text(encoding="utf-8")
    first = check_lines(target)
    line = next(n for n, s in enumerate(text.splitlines(), 1) if '"budget.expenditure[2].amount"' in s)
    at = next(n for n, s in enumerate(text.splitlines(), 1) if "{label: 一、基本支出, amount: 2610.83" in s)
    reminder = (
        f"{at} 提醒 W311 budget.expenditure[2].amount：上年数字，请核对：2610.83 是上年的数；"
        f"改成今年的数后不再提醒，今年不变的请删去第 {line} 行（carried: 里的这一项）"
    )
    assert reminder in first
    assert first[-1] == "检查了 1 个文件：0 个错误，33 个提醒。"  # 27 W311, 6 W314 (texts planning for 2024)

    # the clerk changes 基本支出 (and 合计 and 项目支出 to keep the sums right) ...
    changed = (
        text.replace("{label: 一、基本支出, amount: 2610.83", "{label: 一、基本支出, amount: 2700.00", 1)
        .replace("{label: 合计, amount: 110641.64, level: 0}\n    # 政府", "{label: 合计, amount: 110730.81, level: 0}\n    # 政府", 1)
    )
    target.write_text(changed, encoding="utf-8")
    now = check_lines(target)
    assert not any("budget.expenditure[2].amount" in s for s in now)
    assert not any("W311 budget.expenditure[0].amount" in s for s in now)
    # ... and confirms that the staff count did not change by deleting its carried line
    confirmed = "\n".join(s for s in changed.splitlines() if '"department.staff_count"' not in s) + "\n"
    target.write_text(confirmed, encoding="utf-8")
    last = check_lines(target)
    assert not any("W311 department.staff_count" in s for s in last)
    assert sum(" W311 " in s for s in last) == 24


def test_clear_amounts_leaves_them_empty_and_carries_only_the_counts(tmp_path):
    target = tmp_path / "2025" / "taishan.yaml"
    res = run("init", str(target), "--from", str(TAISHAN), "--clear-amounts")
    assert res.exit_code == 0, res.output
    assert "  25 个金额已清空，请填写今年的数。" in res.stdout.splitlines()
    text = target.read_text(encoding="utf-8")
    assert "    - {label: 一、基本支出, amount: , level: 1}" in text
    assert "    funds: \n" in text
    model = load(target).model
    assert all(line.amount is None for line in model.budget.expenditure + model.budget.income)
    assert list(model.carried) == ["department.staff_count", "department.subunit_count"]
    # the form would print blank 合计 rows: refused until this year's numbers are in (issue 16)
    res = run("render", str(target), "-o", str(tmp_path / "out"))
    assert res.exit_code == 1 and not (tmp_path / "out").exists()
    assert [line.split(" ", 3)[2:4] for line in res.stderr.splitlines() if "错误" in line] == [
        ["E307", "budget.expenditure[0].amount：部门预算支出的合计行“合计”金额空着：表样“guangdong”（广东省部门整体预算绩效目标批复表）印这一行：请填写今年的数"],
        ["E307", "budget.income[0].amount：收入来源的合计行“合计”金额空着：表样“guangdong”（广东省部门整体预算绩效目标批复表）印这一行：请填写今年的数"],
    ]


def test_init_from_a_file_made_by_init_from_replaces_its_carried_section(tmp_path):
    first = tmp_path / "2025" / "x.yaml"
    second = tmp_path / "2026" / "x.yaml"
    assert run("init", str(first), "--from", str(TAISHAN)).exit_code == 0
    assert run("init", str(second), "--from", str(first)).exit_code == 0
    text = second.read_text(encoding="utf-8")
    assert text.count("\ncarried:\n") == 1 and text.count("# ---- 上年数字") == 1
    assert f"--from {first.as_posix()} 写入" in text
    assert "title: 2026年台山市部门整体预算绩效目标批复表" in text
    assert load(second).model.carried == load(first).model.carried


def test_init_from_a_broken_file_says_so_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2024\ndepartment:\n  name： 甲\n", encoding="utf-8")
    target = tmp_path / "2025" / "x.yaml"
    res = run("init", str(target), "--from", str(bad))
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        f"{bad}:3:7 错误 E001：YAML 格式错误：键“name”后面是中文冒号“：”：YAML 只认英文冒号：请写成 name: 甲（英文冒号后面空一格）",
        f"上年的文件 {bad} 有 1 处问题，没有新建 {target}：请先改好（goaldoc check {bad}）。",
    ]
    assert not target.exists()


def test_init_from_to_the_same_year_is_refused(tmp_path):
    res = run("init", str(tmp_path / "2024" / "x.yaml"), "--from", str(TAISHAN))
    assert res.exit_code == 2
    assert "新文件的年度和上年的文件一样（2024）：请用 --year 指定今年的年度。" in res.stderr
    assert not (tmp_path / "2024" / "x.yaml").exists()


def test_years_in_titles_move_and_a_range_moves_only_when_it_no_longer_holds_the_year():
    assert move_years("2024年台山市部门整体预算绩效目标批复表", 2024, 2025) == "2025年台山市部门整体预算绩效目标批复表"
    assert move_years("2024-2026年规划（2024年度）", 2024, 2025) == "2024-2026年规划（2025年度）"
    assert move_years("2023年至2024年", 2024, 2025) == "2024年至2025年"
    assert move_years("2019年标准", 2024, 2025) == "2019年标准"  # not the budget year: E301 says so
    assert move_years("120241 号", 2024, 2025) == "120241 号"


def test_key_paths_are_parsed_as_check_prints_them():
    assert parse_path("budget.expenditure[0].amount") == ("budget", "expenditure", 0, "amount")
    assert parse_path("units[0].projects[2].budget.total") == ("units", 0, "projects", 2, "budget", "total")
    assert parse_path("[0].x") is None and parse_path("a..b") is None and parse_path("a b") is None


# ---------------------------------------------------------------- plain init: which year


def test_the_year_comes_from_the_path():
    assert year_from_path("2025/nongye.yaml") == 2025
    assert year_from_path("预算/2025年/nongye.yaml") == 2025
    assert year_from_path("nongye2026.yaml") == 2026
    assert year_from_path("2024/2025/x.yaml") == 2025
    assert year_from_path("out/nongye.yaml") is None


def test_plain_init_says_which_year_it_wrote(tmp_path):
    by_path = tmp_path / "2025" / "nongye.yaml"
    res = run("init", str(by_path))
    assert res.stdout == f"已新建 {by_path}（2025 年度，年份取自路径）：填好后运行 goaldoc check {by_path.as_posix()}\n"
    assert "\nyear: 2025\n" in by_path.read_text(encoding="utf-8")

    by_option = tmp_path / "2025" / "lvyou.yaml"
    res = run("init", str(by_option), "--year", "2026")
    assert "（2026 年度，按 --year；注意路径里写的是 2025）" in res.stdout
    assert "\nyear: 2026\n" in by_option.read_text(encoding="utf-8")

    nothing = tmp_path / "草稿" / "x.yaml"
    res = run("init", str(nothing))
    next_year_ = datetime.date.today().year + 1
    assert f"（{next_year_} 年度，路径里没有年份，按明年；要别的年份请加 --year）" in res.stdout
    assert f"\nyear: {next_year_}\n" in nothing.read_text(encoding="utf-8")


def test_the_starter_checks_with_a_reminder_for_every_blank_left_and_renders(tmp_path):
    target = tmp_path / "2025" / "nongye.yaml"
    assert run("init", str(target)).exit_code == 0
    got = check_lines(target)
    fill = "：请填写实际内容（用不上的项可以整项删去）"
    assert got == [
        "15 提醒 W310 department.name：还是新建文件里的示例“某某市某某局”：请改成实际的名称",
        "16 提醒 W310 department.area：还是新建文件里的示例“某某市”：请改成实际的名称",
        f"21 提醒 W310 contents[0].title：还是新建文件里的“……”{fill}",
        "23 提醒 W310 budget：金额全是 0，还是新建文件的样子：请填写今年的预算数",
        f"35 提醒 W310 goals[0]：还是新建文件里的“1. ……”{fill}",  # below the budget block's note on blank rows
        f"38 提醒 W310 key_tasks[0].name：还是新建文件里的“……”{fill}",
        f"39 提醒 W310 key_tasks[0].content：还是新建文件里的“……”{fill}",
        f"41 提醒 W310 key_tasks[0].target：还是新建文件里的“……”{fill}",
        *[
            f"{46 + i} 提醒 W310 indicators[{i}].{key}：还是新建文件里的“……”{fill}"
            for i in range(4)
            for key in ("name", "explanation")
        ],
        "检查了 1 个文件：0 个错误，16 个提醒。",
    ]
    assert run("render", str(target), "-o", str(tmp_path / "out")).exit_code == 0


def test_text_that_merely_holds_an_ellipsis_is_not_starter_text(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(
        "year: 2025\ndepartment: {name: 台山市农业农村局}\n"
        "goals: [\"1. 推进高标准农田建设……力争完成 1.2 万亩\"]\n"
        "budget: {expenditure: [{label: 合计, amount: 0}, {label: 一、基本支出, amount: 0, level: 1}]}\n"
        "key_tasks: [{name: 农田建设, funds: 12}]\n",
        encoding="utf-8",
    )
    assert not any("W310" in line for line in check_lines(path))  # one amount is not 0
