"""Issue 21 item 3 and issue 16 item 3: the finance bureau's desk.

`goaldoc check 收到的/ --year 2025 --form 广东 --report 审核汇总.xlsx` over a folder of mixed
received files — two regions' forms, the same department twice, last year's form, a broken
file, and entries that are no form at all (a text file, a named pipe, a symbolic link
pointing at itself, one pointing at /dev/zero) — writes one row per file and one per
problem, at its file and cell; the terminal shows the same rows; every entry left out is
named with why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import SAMPLES
from goaldoc.api import load, render_bytes
from goaldoc.cli import main
from goaldoc.review import path_in_words
from stopping import ctrl_c_at

REFERENCE = Path(__file__).parent / "fixtures" / "clerk" / "nongye-2025.yaml"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def received(tmp_path_factory) -> Path:
    """What a finance bureau finds in its inbox for the 2025 round (Guangdong's form)."""
    root = tmp_path_factory.mktemp("desk")
    inbox = root / "收到的"
    inbox.mkdir()
    nongye = render_bytes(load(REFERENCE), ["xlsx"])["xlsx"][1]
    (inbox / "农业农村局.xlsx").write_bytes(nongye)
    (inbox / "农业农村局（修改稿）.xlsx").write_bytes(nongye)  # sent twice
    (inbox / "人社局.docx").write_bytes(render_bytes(load(SAMPLES / "2024" / "taishan.yaml"), ["docx"])["docx"][1])  # 2024's
    other = load(SAMPLES / "2021" / "guangshui.yaml")
    other.model.year = 2025  # another region's form, this year
    (inbox / "广水市某局.xlsx").write_bytes(render_bytes(other, ["xlsx"])["xlsx"][1])
    (inbox / "水利局.xlsx").write_bytes(nongye[:3000])  # broken in the mail
    (inbox / "说明.txt").write_text("请查收", encoding="utf-8")
    os.mkfifo(inbox / "管道")
    os.symlink("圈", inbox / "圈")
    os.symlink("/dev/zero", inbox / "zero.xlsx")
    return root


SUMMARY = [
    "审核汇总（5 份）：",
    "  1  台山市人力资源和社会保障局 2024 guangdong  合计 110641.64 万元（基本 2610.83、项目 108030.81）  指标 49 条（产出 24、效益 19、满意度 6）  1 个错误，0 个提醒  退回修改  {inbox}/人社局.docx（年度不对）",
    "  2  某市农业农村局 2025 guangdong  合计 6079.52 万元（基本 2079.52、项目 4000.00）  指标 30 条（产出 14、效益 13、满意度 3）  0 个错误，1 个提醒  有提醒  {inbox}/农业农村局.xlsx（重复）",
    "  3  某市农业农村局 2025 guangdong  合计 6079.52 万元（基本 2079.52、项目 4000.00）  指标 30 条（产出 14、效益 13、满意度 3）  0 个错误，1 个提醒  有提醒  {inbox}/农业农村局（修改稿）.xlsx（重复）",
    "  4  广水市人民政府办公室 2025 guangshui  合计 968.1918 万元（基本 724.2318、项目 243.96）  指标 0 条  2 个错误，0 个提醒  退回修改  {inbox}/广水市某局.xlsx（表样不对）",
    "  5  （读不出）  1 个错误，0 个提醒  读不出  {inbox}/水利局.xlsx",
    "读不出 1 份；退回修改 2 份；有提醒 2 份。",
]


def test_check_a_folder_of_received_forms_writes_the_review_workbook(received):
    inbox = received / "收到的"
    report = received / "审核汇总.xlsx"
    res = run("check", str(inbox), "--year", "2025", "--form", "广东", "--report", str(report))
    assert res.exit_code == 1
    out = res.stdout.splitlines()
    start = out.index("审核汇总（5 份）：")
    assert out[start : start + len(SUMMARY)] == [line.format(inbox=inbox) for line in SUMMARY]
    assert out[-2:] == [
        f"已写出审核汇总表 {report}（“汇总”每份表一行，“问题”每个问题一行，注明所在的单元格）",
        "检查了 5 个文件：4 个错误，2 个提醒。",
    ]
    assert res.stderr.splitlines() == [
        f"跳过 {inbox}/zero.xlsx：是设备（如 /dev/zero），不是文件",
        f"跳过 {inbox}/圈：符号链接绕成了圈（指回自己），读不到文件",
        f"跳过 {inbox}/管道：是命名管道（FIFO），不是文件：读它会一直等下去",
        f"跳过 1 个不是 .yaml 或 Word / Excel 表（.docx、.xlsx 等）的文件：{inbox}/说明.txt",
    ]

    wb = load_workbook(report)
    assert wb.sheetnames == ["汇总", "问题", "没有读"]
    rows = [list(r) for r in wb["汇总"].iter_rows(values_only=True)]
    assert rows[0][0] == "收到的表 5 份（本轮年度 2025，本轮表样 guangdong）"
    assert rows[1] == ["序号", "部门", "年度", "表样", "合计", "基本支出", "项目支出", "金额单位", "产出", "效益", "满意度", "成本", "其他", "指标合计", "项目数", "错误", "提醒", "状态", "说明", "文件"]
    assert rows[2] == [1, "台山市人力资源和社会保障局", 2024, "guangdong", 110641.64, 2610.83, 108030.81, "万元", 24, 19, 6, 0, 0, 49, 0, 1, 0, "退回修改",
                       "这是 2024 年度的表，本轮审核的是 2025 年度：请退回，让部门交 2025 年度的表", f"{inbox}/人社局.docx"]
    assert rows[3] == [2, "某市农业农村局", 2025, "guangdong", 6079.52, 2079.52, 4000, "万元", 14, 13, 3, 0, 0, 30, 0, 0, 1, "有提醒",
                       f"某市农业农村局 2025 年度的表收到了不止一份：另一份是 {inbox}/农业农村局（修改稿）.xlsx：请和部门确认以哪一份为准", f"{inbox}/农业农村局.xlsx"]
    assert rows[4][:4] == [3, "某市农业农村局", 2025, "guangdong"] and rows[4][-3:] == [
        "有提醒", f"某市农业农村局 2025 年度的表收到了不止一份：另一份是 {inbox}/农业农村局.xlsx：请和部门确认以哪一份为准", f"{inbox}/农业农村局（修改稿）.xlsx"]
    assert rows[5] == [4, "广水市人民政府办公室", 2025, "guangshui", 968.1918, 724.2318, 243.96, "万元", 0, 0, 0, 0, 0, 0, 0, 2, 0, "退回修改",
                       "这份表是表样 guangshui（湖北省部门整体支出绩效目标申报表（广水市））的格式，本轮用的是 guangdong（广东省部门整体预算绩效目标批复表）：请退回，让部门用本地的表样填",
                       f"{inbox}/广水市某局.xlsx"]
    assert rows[6] == [5, "（读不出）", *[None] * 13, 1, 0, "读不出",
                       "文件已损坏，或不是 Word / Excel 文件：请用 Word / WPS 打开它，另存为 .docx 或 .xlsx 后再导入", f"{inbox}/水利局.xlsx"]
    assert len(rows) == 7

    problems = [list(r) for r in wb["问题"].iter_rows(values_only=True)]
    assert problems[0] == ["序号", "文件", "部门", "位置", "类别", "代码", "栏目", "问题"]
    assert problems[1:] == [
        [1, f"{inbox}/人社局.docx", "台山市人力资源和社会保障局", "整个文件", "错误", "R002", None, "这是 2024 年度的表，本轮审核的是 2025 年度：请退回，让部门交 2025 年度的表"],
        [2, f"{inbox}/农业农村局.xlsx", "某市农业农村局", "整个文件", "提醒", "R001", None,
         f"某市农业农村局 2025 年度的表收到了不止一份：另一份是 {inbox}/农业农村局（修改稿）.xlsx：请和部门确认以哪一份为准"],
        [3, f"{inbox}/农业农村局（修改稿）.xlsx", "某市农业农村局", "整个文件", "提醒", "R001", None,
         f"某市农业农村局 2025 年度的表收到了不止一份：另一份是 {inbox}/农业农村局.xlsx：请和部门确认以哪一份为准"],
        [4, f"{inbox}/广水市某局.xlsx", "广水市人民政府办公室", "整个文件", "错误", "E308", "部门整体绩效指标",
         "部门整体绩效指标一条也没有：表样“guangshui”（湖北省部门整体支出绩效目标申报表（广水市））印部门整体的绩效指标表，空着会被退回：请填写产出、效益、满意度等绩效指标"],
        [5, f"{inbox}/广水市某局.xlsx", "广水市人民政府办公室", "整个文件", "错误", "R003", None,
         "这份表是表样 guangshui（湖北省部门整体支出绩效目标申报表（广水市））的格式，本轮用的是 guangdong（广东省部门整体预算绩效目标批复表）：请退回，让部门用本地的表样填"],
        [6, f"{inbox}/水利局.xlsx", None, "整个文件", "错误", "E022", None, "文件已损坏，或不是 Word / Excel 文件：请用 Word / WPS 打开它，另存为 .docx 或 .xlsx 后再导入"],
    ]
    assert [list(r) for r in wb["没有读"].iter_rows(values_only=True)] == [
        ["文件", "为什么没有读"],
        [f"{inbox}/zero.xlsx", "是设备（如 /dev/zero），不是文件"],
        [f"{inbox}/圈", "符号链接绕成了圈（指回自己），读不到文件"],
        [f"{inbox}/管道", "是命名管道（FIFO），不是文件：读它会一直等下去"],
        [f"{inbox}/说明.txt", "不是 .yaml 或 Word / Excel 表（.docx、.xlsx 等）"],
    ]


def test_a_problem_at_a_cell_is_located_and_named_in_words(received, tmp_path):
    """A received file's own problem: at its cell, its field in words, no YAML advice."""
    inbox = tmp_path / "收到的"
    inbox.mkdir()
    shutil.copy(received / "收到的" / "农业农村局.xlsx", inbox / "农业农村局.xlsx")
    book = load_workbook(inbox / "农业农村局.xlsx")
    ws = book.active
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "服务对象满意度指标")
    cell.value = "社会效益指标"  # a 二级 under the wrong 一级
    book.save(inbox / "农业农村局.xlsx")
    report = tmp_path / "审核"
    report.mkdir()
    res = run("check", str(inbox), "--report", str(report))
    assert res.exit_code == 1
    rows = [list(r) for r in load_workbook(report / "审核汇总.xlsx")["问题"].iter_rows(values_only=True)]
    assert rows[1][3:7] == [f"部门整体预算绩效目标批复表!{cell.coordinate}", "错误", "E202", "部门整体绩效指标 第 28 条 二级指标"]
    assert "YAML" not in res.stdout


def test_without_a_round_given_a_year_and_a_form_other_than_most_are_noted(received, tmp_path):
    """No --year / --form: a file whose year or form differs from most files' is a 提醒."""
    inbox = tmp_path / "收到的"
    inbox.mkdir()
    for name in ("农业农村局.xlsx", "人社局.docx", "广水市某局.xlsx"):
        shutil.copy(received / "收到的" / name, inbox / name)
    shutil.copy(received / "收到的" / "农业农村局.xlsx", inbox / "林业局.xlsx")
    res = run("check", str(inbox), "--report", str(tmp_path / "审核汇总"))
    assert (tmp_path / "审核汇总.xlsx").exists()
    lines = [line for line in res.stdout.splitlines() if " R00" in line]
    assert lines == [
        f"{inbox}/人社局.docx 提醒 R004：年度是 2024，收到的 4 份里有 3 份是 2025：请核对是不是交错了（本轮的年度可用 --year 写明）",
        f"{inbox}/农业农村局.xlsx 提醒 R001：某市农业农村局 2025 年度的表收到了不止一份：另一份是 {inbox}/林业局.xlsx：请和部门确认以哪一份为准",
        f"{inbox}/广水市某局.xlsx 提醒 R005：表样是 guangshui，收到的 4 份里有 3 份是 guangdong：请核对是不是交错了（本轮的表样可用 --form 写明）",
        f"{inbox}/林业局.xlsx 提醒 R001：某市农业农村局 2025 年度的表收到了不止一份：另一份是 {inbox}/农业农村局.xlsx：请和部门确认以哪一份为准",
    ]


def test_check_of_a_folder_reads_its_office_files(received):
    """Issue 16 item 3: a folder of received .docx / .xlsx was `检查了 0 个文件` and exit 0."""
    res = run("check", str(received / "收到的"))
    # the broken file, and 广水's form with no indicator (E308: its published excerpt stops before them)
    assert res.stdout.splitlines()[-1] == "检查了 5 个文件：2 个错误，0 个提醒。"
    assert res.exit_code == 1  # the broken one


def test_path_in_words():
    from goaldoc.forms import load_form

    model = load_form("guangdong").model
    assert path_in_words(("indicators", 3, "level2"), model) == "部门整体绩效指标 第 4 条 二级指标"
    assert path_in_words(("budget", "expenditure", 0, "amount"), model) == "预算整体情况 部门预算支出 第 1 条 金额"
    assert path_in_words(("projects", 1, "budget", "total"), model) == "项目 第 2 条 预算资金 预算数"


def test_one_form_sent_as_word_and_excel_is_said_so(tmp_path):
    """goaldoc render writes a .docx and an .xlsx of one form: not two submissions to choose
    from, but one in two formats — said so, with whether the two say the same."""
    inbox = tmp_path / "收到的"
    inbox.mkdir()
    out = render_bytes(load(REFERENCE))
    (inbox / "农业农村局.docx").write_bytes(out["docx"][1])
    (inbox / "农业农村局.xlsx").write_bytes(out["xlsx"][1])
    res = run("check", str(inbox), "--year", "2025")
    assert [line for line in res.stdout.splitlines() if " R00" in line] == [
        f"{inbox}/农业农村局.docx 提醒 R001：某市农业农村局 2025 年度的表另有一份 .xlsx 格式的 {inbox}/农业农村局.xlsx（两份内容一样）",
        f"{inbox}/农业农村局.xlsx 提醒 R001：某市农业农村局 2025 年度的表另有一份 .docx 格式的 {inbox}/农业农村局.docx（两份内容一样）",
    ]


# ---------------------------------------------------------------- the round in worker processes (issue 23 item 4)
def _inbox(tmp_path: Path, n: int) -> list[Path]:
    taishan = (SAMPLES / "2024" / "taishan.yaml").read_text(encoding="utf-8")
    files = []
    for k in range(1, n + 1):
        f = tmp_path / "in" / f"d{k}.yaml"
        f.parent.mkdir(exist_ok=True)
        f.write_text(taishan.replace("台山市人力资源和社会保障局", f"第{k}局"), encoding="utf-8")
        files.append(f)
    return files


def test_the_round_reads_in_workers_and_an_unexpected_error_is_that_files_alone(tmp_path, monkeypatch):
    """`check --report` read every file in the one process, one after the other, whatever
    --jobs said, and an error no check foresaw in one file ended the whole round with a
    traceback. Now each file is read in a worker (as plain check does), and such an error is
    that file's E049; the others are reported."""
    import goaldoc.review as review

    files = _inbox(tmp_path, 3)
    real = review.received_one
    pids = tmp_path / "pids"
    pids.mkdir()

    def spy(index, file, templates=None):  # type: ignore[no-untyped-def]
        (pids / str(os.getpid())).touch()
        if file.endswith("d2.yaml"):
            raise RuntimeError("boom")
        return real(index, file, templates)

    monkeypatch.setattr(review, "received_one", spy)
    report = tmp_path / "汇总.xlsx"
    res = run("check", *map(str, files), "--year", "2024", "--report", str(report), "--jobs", "2")
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert str(os.getpid()) not in {p.name for p in pids.iterdir()}  # in workers, not here
    e049 = [line for line in res.stdout.splitlines() if " E049" in line]
    assert len(e049) == 1 and e049[0].startswith(f"{files[1]} 错误 E049：goaldoc 读这个文件时出了意外的错误（RuntimeError：boom）")
    rows = [list(r) for r in load_workbook(report)["汇总"].iter_rows(min_row=3, values_only=True)]
    assert [(r[1], r[-3]) for r in rows] == [("第1局", "没有问题"), ("（读不出）", "读不出"), ("第3局", "没有问题")]


@pytest.mark.parametrize(
    "module, which, extra", [("batch", "check_one", []), ("review", "review_one", ["--report", "汇总.xlsx"])], ids=["check", "round"]
)
def test_ctrl_c_in_a_check_says_how_far_it_got_and_names_the_files_not_checked(module, which, extra, tmp_path):
    """A check stopped by Ctrl-C said only 已中断。: not how many files were checked, nor which
    were not (a clean file prints nothing, so the screen could not tell)."""
    import subprocess
    import sys

    files = _inbox(tmp_path, 4)
    files[1].write_text(files[1].read_text(encoding="utf-8").replace("staff_count: 269", "staff_count: -1"), encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-c", ctrl_c_at(module, which, "check", "args[0] == 3"), *map(str, files), "--jobs", "1", *extra],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert res.returncode == 130, res.stderr
    assert "Traceback" not in res.stderr
    assert [line.split(" 错误 ")[0] for line in res.stdout.splitlines() if " 错误 " in line] == [f"{files[1]}:17"]
    tail = f"已中断：检查了 2 个文件（1 个错误，0 个提醒，都已列在上面）；没有检查：{files[2]}、{files[3]}"
    assert res.stderr.splitlines()[-1] == tail + ("；审核汇总表没有写出。" if extra else "。")
    assert not (tmp_path / "汇总.xlsx").exists()
