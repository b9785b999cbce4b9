"""Issue 11 §2: many departments at once — workers, progress, a summary, collisions refused."""

from __future__ import annotations

import pickle
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES, zip_members
from goaldoc import batch, cli
from goaldoc.api import render
from goaldoc.cli import main
from goaldoc.errors import InputError, Problem, TemplateError

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
LIUZHI = SAMPLES / "2023" / "liuzhi.yaml"
ALL = sorted(str(p) for p in SAMPLES.glob("*/*.yaml"))
SUMMARY = re.compile(r"^共 .+；用时 \d+\.\d 秒。$")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def broken(tmp_path: Path) -> Path:
    bad = tmp_path / "坏的.yaml"
    bad.write_text(TAISHAN.read_text(encoding="utf-8").replace("  name: 台山市人力资源和社会保障局", "  nmae: 台山市人力资源和社会保障局", 1), encoding="utf-8")
    return bad


# ---------------------------------------------------------------- errors cross processes whole


PROBLEMS = [
    Problem("未知的键“nmae”：是不是“name”？", ("department", "nmae"), "a.yaml", 4, 3, code="E003"),
    Problem("金额之和不等", ("budget",), "a.yaml", 9, severity="W", code="W101", accepted="原表如此"),
]


@pytest.mark.parametrize("cls", [InputError, TemplateError])
def test_an_error_pickles_whole(cls):
    back = pickle.loads(pickle.dumps(cls(PROBLEMS)))
    assert type(back) is cls
    assert back.problems == PROBLEMS
    assert str(back) == str(cls(PROBLEMS)) == "\n".join(p.format() for p in PROBLEMS)


def _raise_in_worker(problems):
    raise InputError(problems)


def test_an_error_raised_in_a_worker_arrives_whole():
    with ProcessPoolExecutor(1) as pool:
        fut = pool.submit(_raise_in_worker, PROBLEMS)
        with pytest.raises(InputError) as info:
            fut.result()
    assert info.value.problems == PROBLEMS
    assert str(info.value).splitlines() == [p.format() for p in PROBLEMS]


# ---------------------------------------------------------------- the plan is what render writes


@pytest.mark.parametrize("sample", ALL, ids=lambda s: Path(s).stem)
def test_planned_paths_are_the_paths_render_writes(sample, tmp_path):
    opts = batch.Options(out_dir=str(tmp_path), formats=("docx", "xlsx"))
    planned = batch.plan_one(1, sample, opts)
    assert not planned.failed, planned.problems
    assert planned.targets == render(sample, tmp_path).files
    assert planned.forms >= 1


# ---------------------------------------------------------------- collisions


def test_two_inputs_writing_the_same_path_are_refused_before_anything_is_rendered(tmp_path):
    copy = tmp_path / "台山-副本.yaml"
    shutil.copy(TAISHAN, copy)
    out = tmp_path / "out"
    res = run("render", TAISHAN, LIUZHI, copy, "-o", out)
    assert res.exit_code == 1
    stem = out / "2024年台山市人力资源和社会保障局部门整体预算绩效目标批复表"
    assert res.stderr.splitlines() == [
        f"{copy} 错误 B001 department.name：与 {TAISHAN} 会写到同一个文件 {stem}.docx，后生成的会覆盖先生成的："
        "同一部门同一年只留一个 YAML 文件，或分两次用 -o 生成到不同的文件夹",
        "1 处输出文件重名，未生成任何文件。",
    ]
    assert res.stdout == ""
    assert not out.exists()  # not even liuzhi's, which collides with nothing


def test_the_same_file_twice_is_named_as_such(tmp_path):
    res = run("render", TAISHAN, TAISHAN, "-o", tmp_path / "out", "-f", "xlsx")
    assert res.exit_code == 1
    assert f"与 {TAISHAN}（同一个文件） 会写到同一个文件" in res.stderr
    assert "删去重复的一个" in res.stderr
    assert not (tmp_path / "out").exists()


def test_a_folder_means_its_yaml_files_with_its_subfolders_and_default_folders_keep_them_apart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("render", SAMPLES, "-f", "docx")  # samples/ holds 2023/ and 2024/
    assert res.exit_code == 0, res.output
    folders = sorted(p.name for p in (tmp_path / "out").glob("*/*"))
    every = sorted(SAMPLES.rglob("*.yaml"))
    assert {"井研县人社局", "六枝特区人力资源和社会保障局", "台山市人力资源和社会保障局", "高新区人社局"} <= set(folders)
    assert len(list((tmp_path / "out").glob("*/*/*.docx"))) == len(every) >= 10
    # one folder per department and year: a year's 监控表 and 自评表 go beside its 目标表
    years = {(p.parent.parent.name, p.parent.name) for p in (tmp_path / "out").glob("*/*/*.docx")}
    assert len(folders) == len(years)
    assert len(list((tmp_path / "out" / "2024" / "井研县人社局").glob("*.docx"))) == 3


# ---------------------------------------------------------------- a batch: lines, summary, exit code


def test_a_failing_file_never_stops_the_others_and_the_summary_counts_it(tmp_path):
    bad = broken(tmp_path)
    out = tmp_path / "out"
    res = run("render", bad, TAISHAN, "-o", out, "--jobs", "2")
    assert res.exit_code == 1
    stem = "2024年台山市人力资源和社会保障局部门整体预算绩效目标批复表"
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}.docx", f"{stem}.xlsx"]
    # the worker's InputError arrives whole: the same lines `check` prints
    err = res.stderr.splitlines()
    checked = run("check", bad).stdout.splitlines()[:-1]
    assert len(checked) >= 2 and any("未知的键“nmae”" in line for line in checked)
    assert err == [*checked, f"[1/2] {bad}：有 {len(checked)} 处问题，未生成任何文件。"]
    lines = res.stdout.splitlines()
    assert lines[:2] == [f"[2/2] 已生成 {out / stem}.docx", f"[2/2] 已生成 {out / stem}.xlsx"]
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert re.fullmatch(
        f"共 2 个部门：1 个成功，1 个有问题；生成 2 个文件（1 张表）；{len(checked)} 个错误，0 个提醒；用时 \\d+\\.\\d 秒。", lines[-1]
    ), lines[-1]


def test_summary_of_a_clean_batch(tmp_path):
    res = run("render", TAISHAN, LIUZHI, "-o", tmp_path, "-j", "1")
    assert res.exit_code == 0, res.output
    last = res.stdout.splitlines()[-1]
    # 台山: 1 表; 六枝: 部门整体 + 4 项目; 2 files each; the samples' accepted problems
    assert re.fullmatch(r"共 2 个部门：2 个成功，0 个有问题；生成 4 个文件（6 张表）；0 个错误，0 个提醒，\d+ 个已确认保留；用时 \d+\.\d 秒。", last), last
    assert "[1/2] 已生成" in res.stdout and "[2/2] 已生成" in res.stdout


def test_one_file_prints_no_counter_and_no_summary(tmp_path):
    res = run("render", TAISHAN, "-o", tmp_path)
    assert res.exit_code == 0
    stem = tmp_path / "2024年台山市人力资源和社会保障局部门整体预算绩效目标批复表"
    lines = res.stdout.splitlines()
    assert lines[:2] == [f"已生成 {stem}.docx", f"已生成 {stem}.xlsx"]
    assert len(lines) == 3 and lines[2].startswith("摘要：合计 110641.64 万元")  # issue 13 item 4


def test_an_empty_folder_is_a_usage_error(tmp_path):
    res = run("render", tmp_path)
    assert res.exit_code == 2 and "没有找到要生成的 .yaml 文件" in res.stderr


# ---------------------------------------------------------------- --jobs 2 writes what --jobs 1 writes


def test_two_jobs_write_exactly_what_one_job_writes(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = run("render", *ALL, "-o", one, "--jobs", "1")
    r2 = run("render", *ALL, "-o", two, "--jobs", "2")
    assert r1.exit_code == r2.exit_code == 0
    names = sorted(p.name for p in one.iterdir())
    assert len(names) == 2 * len(ALL) and names == sorted(p.name for p in two.iterdir())
    for name in names:
        assert zip_members(one / name) == zip_members(two / name), name
    # the same lines, in completion order; the same summary but for the seconds
    strip = lambda r: sorted(re.sub(r"用时 .*", "", line).replace(str(two), str(one)) for line in r.output.splitlines())  # noqa: E731
    assert strip(r1) == strip(r2)


# ---------------------------------------------------------------- progress


def test_a_terminal_gets_a_progress_bar_and_a_log_plain_lines(tmp_path, monkeypatch):
    plain = run("render", TAISHAN, LIUZHI, "-o", tmp_path / "a", "-f", "xlsx", "-j", "1")  # one order
    assert "\r" not in plain.output and "生成:" not in plain.stderr
    monkeypatch.setattr(cli, "_is_terminal", lambda: True)
    tty = run("render", TAISHAN, LIUZHI, "-o", tmp_path / "b", "-f", "xlsx", "-j", "1")
    assert tty.exit_code == 0
    assert "生成:" in tty.stderr and "2/2" in tty.stderr  # tqdm's bar, drawn on stderr
    strip = lambda text: [line.replace("/b/", "/a/") for line in text.splitlines() if not line.startswith("共")]  # noqa: E731
    assert strip(tty.stdout) == strip(plain.stdout)  # the same lines above the bar


def test_check_on_a_terminal_gets_a_bar_too_and_no_bar_is_drawn_before_its_phase(tmp_path, monkeypatch):
    """check of many files printed nothing for a clean file: a round of .docx was minutes of
    silence. On a terminal it now draws the bar render draws; and neither draws an empty
    bar (no description, no total) before the first file is done."""
    plain = run("check", TAISHAN, LIUZHI, "-j", "1")
    assert "\r" not in plain.output and "检查:" not in plain.stderr
    monkeypatch.setattr(cli, "_is_terminal", lambda: True)
    tty = run("check", TAISHAN, LIUZHI, "-j", "1")
    assert tty.exit_code == plain.exit_code
    frames = [f for f in tty.stderr.split("\r") if "|" in f]
    assert frames and all(f.startswith("检查:") for f in frames) and "/2 [" in tty.stderr
    assert tty.stdout == plain.stdout  # the same lines, above the bar
    rendered = run("render", TAISHAN, LIUZHI, "-o", tmp_path / "r", "-f", "xlsx", "-j", "1")
    assert all(f.startswith(("读取:", "生成:")) for f in rendered.stderr.split("\r") if "|" in f)


def test_the_collector_pauses_while_a_department_renders_and_is_frozen_after_the_first(tmp_path, monkeypatch):
    """Issue 23 item 3: no automatic collection while a department renders, one collection
    after it, what is alive after the first frozen — and the batch's end thaws it (a
    library caller's objects must not stay frozen)."""
    import gc

    from goaldoc import api

    seen = []
    real = api.render

    def spy(*args, **kw):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*args, **kw)

    monkeypatch.setattr(api, "render", spy)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    steps = list(batch.run([str(TAISHAN), str(LIUZHI)], batch.Options(out_dir=str(tmp_path), jobs=1)))
    assert [s.outcome.failed for s in steps if s.phase == "render"] == [False, False]
    assert seen == [False, False]  # paused during each render
    assert gc.isenabled() and gc.get_freeze_count() == 0  # resumed, and thawed at the end
    batch.render_one(1, str(TAISHAN), batch.Options(), str(tmp_path / "one"))
    try:
        assert gc.isenabled() and gc.get_freeze_count() > 0  # frozen after the first department
    finally:
        batch._thaw()


def test_what_survives_each_department_s_collection_is_frozen(tmp_path, monkeypatch):
    """After each department (but the run's last in this process) one collection, then what
    survives it is frozen: the caches a batch fills as it goes are walked once, not by every
    later collection. The end of the run thaws everything."""
    import gc

    calls: list[str] = []
    real_collect, real_freeze = gc.collect, gc.freeze
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or real_collect(*a))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze") or real_freeze())
    files = [str(TAISHAN), str(LIUZHI), str(TAISHAN)]
    names = [tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"]
    for src, dst in zip(files, names, strict=True):
        dst.write_text(Path(src).read_text(encoding="utf-8").replace("name: ", "name: 第" + dst.stem + "份", 1), encoding="utf-8")
    steps = list(batch.run([str(n) for n in names], batch.Options(out_dir=str(tmp_path / "out"), jobs=1)))
    assert [s.outcome.failed for s in steps if s.phase == "render"] == [False, False, False]
    assert calls == ["collect", "freeze", "collect", "freeze", "freeze"]  # the last one: frozen as it is
    assert gc.isenabled() and gc.get_freeze_count() == 0


# ---------------------------------------------------------------- a file is parsed once (issue 23)


def _names(outcome: batch.Outcome) -> list[str]:
    return sorted(p.name for p in outcome.files)


def test_render_uses_what_the_plan_parsed_and_the_file_is_parsed_once(tmp_path, monkeypatch):
    from goaldoc import loader

    opts = batch.Options(out_dir=str(tmp_path / "out"), formats=("xlsx",))
    planned = batch.plan_one(1, str(TAISHAN), opts)
    assert planned.read is not None and planned.read[0] == TAISHAN.read_bytes()
    parsed = []
    real = loader.load_text
    monkeypatch.setattr(loader, "load_text", lambda *a, **kw: parsed.append(a[1]) or real(*a, **kw))
    done = batch.render_one(1, str(TAISHAN), opts, opts.out_dir, planned.forms, None, planned.read)
    assert not done.failed, done.problems
    assert parsed == []  # not parsed again
    assert [p.name for p in done.files] == [p.name for p in planned.targets]
    assert loader._handed == {}  # forgotten after the department


def test_a_file_changed_between_plan_and_render_is_parsed_again(tmp_path):
    """The same size and name length: only its bytes tell (fails if the handover is used
    without comparing them)."""
    src = tmp_path / "a.yaml"
    src.write_text(TAISHAN.read_text(encoding="utf-8"), encoding="utf-8")
    opts = batch.Options(out_dir=str(tmp_path / "out"), formats=("xlsx",))
    planned = batch.plan_one(1, str(src), opts)
    assert "台山市人力资源和社会保障局" in planned.targets[0].name
    text = src.read_text(encoding="utf-8").replace("  name: 台山市人力资源和社会保障局", "  name: 台山市人力资源和社会保障处", 1)
    src.write_text(text, encoding="utf-8")
    done = batch.render_one(1, str(src), opts, opts.out_dir, planned.forms, None, planned.read)
    assert not done.failed, done.problems
    assert _names(done) == [planned.targets[0].name.replace("保障局", "保障处")]


def test_what_was_parsed_for_one_file_never_stands_for_another(tmp_path):
    """A worker that planned one department and renders another (or the same path after
    another's handover): each renders its own data."""
    from goaldoc import loader

    opts = batch.Options(out_dir=str(tmp_path / "out"), formats=("xlsx",))
    a, b = batch.plan_one(1, str(TAISHAN), opts), batch.plan_one(2, str(LIUZHI), opts)
    wrong = batch.render_one(2, str(LIUZHI), opts, opts.out_dir, b.forms, None, a.read)  # A's, handed for B's path
    assert not wrong.failed, wrong.problems
    assert _names(wrong) == [p.name for p in b.targets]
    loader.hand_over(TAISHAN, a.read)
    data, lines = loader.load_file(LIUZHI)  # another path: read, and A's handover is not used up by it
    assert (data, lines) == loader.load_text(LIUZHI.read_text(encoding="utf-8"), str(LIUZHI))
    first = loader.load_file(TAISHAN)
    first[0]["department"]["name"] = "改过"  # a caller changes what it got: the next one is unchanged
    loader.hand_over(TAISHAN, a.read)
    assert loader.load_file(TAISHAN)[0]["department"]["name"] == "台山市人力资源和社会保障局"
    loader.hand_over(TAISHAN, None)
