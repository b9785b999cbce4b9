"""Worker affinity per form in `goaldoc render DIR --jobs 2`: the departments of one form go to
one worker, so that the form's one-time work (openpyxl parsing the Excel template, Jinja
compiling the Word programs) is done in one process, not in every one; both cores stay busy
to the end (a worker whose forms are used up joins the form with the most work left).

The choice itself is tested as a function, and in a simulated batch (nothing is timed); one
real batch checks from the workers' pids that each form stayed with one worker, and that it
writes exactly what --jobs 1 writes; one whose worker dies names every department left.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Hashable, Sequence
from pathlib import Path

from conftest import SAMPLES, zip_members
from goaldoc import batch
from goaldoc.batch import _Dispatch, next_form

TAISHAN = (SAMPLES / "2024" / "taishan.yaml", "台山市人力资源和社会保障局")  # form guangdong
LIUZHI = (SAMPLES / "2023" / "liuzhi.yaml", "六枝特区人力资源和社会保障局")  # form guizhou
EZHOU = (SAMPLES / "2022" / "ezhou.yaml", "鄂州市机关事务服务中心")  # form ezhou


# ---------------------------------------------------------------- the choice


def test_a_worker_stays_on_its_form_while_it_has_departments():
    assert next_form({"a": 1, "b": 9, "c": 20}, "a", ["b"]) == "a"  # even with a bigger form free


def test_a_worker_whose_form_is_used_up_takes_the_free_form_with_the_most_work():
    assert next_form({"b": 30, "c": 3, "d": 5}, "a", ["b"]) == "d"  # b is the other worker's
    assert next_form({"b": 30, "c": 3, "d": 5}, None, ["b"]) == "d"  # a worker that rendered nothing yet


def test_when_every_form_left_is_another_worker_s_it_joins_the_one_with_the_most_work():
    assert next_form({"b": 2, "c": 7}, "a", ["b", "c"]) == "c"
    assert next_form({"b": 2}, "a", ["b"]) == "b"  # the end of the batch: rather that than idle


def test_nothing_left_is_none_and_ties_go_to_the_form_met_first():
    assert next_form({}, "a", ["b"]) is None
    assert next_form({"x": 4, "y": 4, "z": 4}, None, []) == "x"
    assert next_form({"x": 4, "y": 4, "z": 4}, None, ["x"]) == "y"


def test_the_first_tasks_go_out_from_different_forms_biggest_first():
    plan = _Dispatch(["a", "b", "a", "c", "c", "c"], [1, 5, 1, 1, 1, 1])
    first = [plan.take(None) for _ in range(3)]
    assert first == [1, 3, 0]  # b (5), c (3), a (2): one task of each
    assert plan.take(plan.finished(3)) == 4  # the worker on c goes on with c
    assert plan.take(plan.finished(1)) == 2  # b is used up, a and c are under way: it joins one (a tie: a, met first)
    assert plan.unsent() == [5]


def test_a_task_that_could_not_be_sent_is_queued_again():
    plan = _Dispatch(["a", "a", "b"], [1, 1, 1])
    n = plan.take(None)
    assert n == 0
    plan.unsend(n)
    assert plan.unsent() == [0, 1, 2] and plan.running == []


# ---------------------------------------------------------------- a simulated batch


def simulate(keys: Sequence[Hashable], weights: Sequence[int], jobs: int, affinity: bool = True):
    """Each worker's (task, start, end), in its order, and the time the last one ends: a task
    takes its weight, plus 3 the first time its worker meets its form. The task sent when a
    worker finishes goes to that worker (each_by_form keeps one task per worker); without
    affinity, the workers take the tasks in the order of the files (the way before)."""
    plan = _Dispatch(keys, weights)
    order = iter(range(len(keys)))
    seen: list[set[Hashable]] = [set() for _ in range(jobs)]
    runs: list[list[tuple[int, int, int]]] = [[] for _ in range(jobs)]
    under_way: list[tuple[int, int, int, int]] = []  # (end, worker, task, start)

    def start(worker: int, n: int | None, now: int) -> None:
        if n is None:
            return
        cost = weights[n] + (3 if keys[n] not in seen[worker] else 0)
        seen[worker].add(keys[n])
        heapq.heappush(under_way, (now + cost, worker, n, now))

    for w in range(jobs):
        start(w, plan.take(None) if affinity else next(order, None), 0)
    end = 0
    while under_way:
        end, w, n, began = heapq.heappop(under_way)
        runs[w].append((n, began, end))
        mine = plan.finished(n) if affinity else None
        start(w, plan.take(mine) if affinity else next(order, None), end)
    return runs, end


def pairs(keys: Sequence[Hashable], runs) -> set[tuple[int, Hashable]]:  # type: ignore[no-untyped-def]
    return {(w, keys[n]) for w, run in enumerate(runs) for n, _, _ in run}


def assert_one_worker_per_form_but_the_last(keys: Sequence[Hashable], forms_by_worker: list[list[Hashable]]) -> None:
    """Each worker's forms come in runs, none met twice; a form two workers rendered is the
    last of both (two jobs: stealing happens only when no form is left that nobody is on)."""
    for forms in forms_by_worker:
        runs = [f for k, f in enumerate(forms) if k == 0 or forms[k - 1] != f]
        assert len(runs) == len(set(runs)), forms
    shared = set.intersection(*(set(f) for f in forms_by_worker)) if len(forms_by_worker) > 1 else set()
    assert len(shared) <= 1, forms_by_worker
    for form in shared:
        assert all(forms[-1] == form for forms in forms_by_worker), forms_by_worker


COUNTY = ["gaoxin", "guizhou", "huangshi", "sichuan_ziping", "ziping", "dongguan", "ezhou", "guangshui", "handan", "wuhu", "guangdong", "sichuan"]


def county_like() -> tuple[list[str], list[int]]:
    """100 departments of 12 forms, the forms mixed in the files' order (as a county's folder)."""
    counts = dict(zip(COUNTY, [15, 15, 10, 10, 10, 6, 6, 6, 6, 6, 5, 5], strict=True))
    keys: list[str] = []
    while len(keys) < 100:
        for form in COUNTY:
            if counts[form]:
                counts[form] -= 1
                keys.append(form)
    return keys, [1 + k % 4 for k in range(100)]


def test_a_simulated_county_round_meets_each_form_once_and_keeps_both_workers_busy():
    keys, weights = county_like()
    before, end_before = simulate(keys, weights, 2, affinity=False)
    runs, end = simulate(keys, weights, 2)
    assert len(pairs(keys, before)) == 24  # both workers met every form
    assert 12 <= len(pairs(keys, runs)) <= 13  # each form once, but one stolen at the end
    assert_one_worker_per_form_but_the_last(keys, [[keys[n] for n, _, _ in run] for run in runs])
    assert sorted(n for run in runs for n, _, _ in run) == list(range(100))
    idle = end - min(run[-1][2] for run in runs)
    assert idle <= max(weights) + 3  # one core idles at most the last department's time
    assert end < end_before


def test_one_big_form_and_a_small_one_the_small_one_s_worker_joins_the_big_one():
    keys = ["big"] * 10 + ["small"]
    runs, end = simulate(keys, [1] * 11, 2)
    forms = [[keys[n] for n, _, _ in run] for run in runs]
    assert sorted(forms, key=len) == [["small", "big", "big", "big"], ["big"] * 7]  # stolen at the end
    assert_one_worker_per_form_but_the_last(keys, forms)
    assert end - min(run[-1][2] for run in runs) <= 1 + 3


def test_the_check_of_the_runs_can_fail():
    """What the simulated and the real batches assert is not true of the way before."""
    keys, weights = county_like()
    before, _ = simulate(keys, weights, 2, affinity=False)
    try:
        assert_one_worker_per_form_but_the_last(keys, [[keys[n] for n, _, _ in run] for run in before])
    except AssertionError:
        return
    raise AssertionError("the check let the old scheduling through")


# ---------------------------------------------------------------- a real batch


def departments(folder: Path, plan: Sequence[tuple[tuple[Path, str], int]]) -> list[str]:
    """Copies of samples under names of their own (each its own output files), the forms mixed."""
    folder.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    copies = [(sample, k) for sample, n in plan for k in range(n)]
    copies.sort(key=lambda c: (c[1], str(c[0][0])))  # a, b, c, a, b, c …: the files' order mixes the forms
    for (path, name), k in copies:
        target = folder / f"{len(made):02d}-{path.stem}.yaml"
        text = path.read_text(encoding="utf-8")
        assert f"name: {name}" in text
        target.write_text(text.replace(f"name: {name}", f"name: {name}{k:02d}", 1), encoding="utf-8")
        made.append(str(target))
    return made


def _seen(o: batch.Outcome, out: Path) -> tuple[object, ...]:
    return (o.index, o.file, o.failed, [p.relative_to(out) for p in o.files], o.forms, o.summary, o.problems, o.notes, o.form_key)


def test_two_jobs_render_each_form_in_one_worker_and_write_what_one_job_writes(tmp_path):
    files = departments(tmp_path / "in", [(TAISHAN, 4), (LIUZHI, 3), (EZHOU, 3)])
    one, two = tmp_path / "one", tmp_path / "two"
    steps1 = [s for s in batch.run(files, batch.Options(out_dir=str(one), jobs=1)) if s.phase == "render"]
    steps2 = [s for s in batch.run(files, batch.Options(out_dir=str(two), jobs=2)) if s.phase == "render"]
    assert [s.done for s in steps2] == list(range(1, 11))
    assert sorted(_seen(s.outcome, two) for s in steps2) == sorted(_seen(s.outcome, one) for s in steps1)
    assert not any(s.outcome.failed for s in steps2)
    names = sorted(p.name for p in one.iterdir())
    assert len(names) == 20 and names == sorted(p.name for p in two.iterdir())
    for name in names:
        assert zip_members(one / name) == zip_members(two / name), name

    assert {s.outcome.worker for s in steps1} == {os.getpid()}  # --jobs 1: rendered here
    workers = sorted({s.outcome.worker for s in steps2})  # type: ignore[type-var]
    assert len(workers) == 2 and os.getpid() not in workers
    keys = [s.outcome.form_key for s in steps2]
    assert len(set(keys)) == 3 and all(k is not None and Path(k, "form.yaml").is_file() for k in keys)
    # each worker's forms in the order it rendered them (its results come in that order)
    by_worker = [[s.outcome.form_key for s in steps2 if s.outcome.worker == w] for w in workers]
    assert_one_worker_per_form_but_the_last(keys, by_worker)  # type: ignore[arg-type]
    assert len({(s.outcome.worker, s.outcome.form_key) for s in steps2}) <= 4  # before: 5 or 6


# ---------------------------------------------------------------- a worker that dies


_real_render_one = batch.render_one


def _render_or_die(index: int, file: str, *args: object) -> batch.Outcome:
    """render_one, but the worker is killed at the department named 死 (as by kill -9, or the
    kernel's out-of-memory killer)."""
    if "死" in Path(file).name:
        os._exit(9)
    return _real_render_one(index, file, *args)  # type: ignore[arg-type]


def test_a_worker_that_dies_leaves_every_department_not_rendered_a_b002_outcome(tmp_path, monkeypatch):
    files = departments(tmp_path / "in", [(TAISHAN, 8)])
    dying = Path(files[2]).with_name("02-死.yaml")
    Path(files[2]).rename(dying)
    files[2] = str(dying)
    unsent: list[list[int]] = []
    real_unsent = batch._Dispatch.unsent

    def spy(self: batch._Dispatch) -> list[int]:
        left = real_unsent(self)
        unsent.append(left)
        return left

    import tempfile

    temp = tmp_path / "tmp"  # the killed worker's folder stays: not in the session's, where the next run would name it
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(batch, "render_one", _render_or_die)
    monkeypatch.setattr(batch._Dispatch, "unsent", spy)
    out = tmp_path / "out"
    steps = [s for s in batch.run(files, batch.Options(out_dir=str(out), jobs=2)) if s.phase == "render"]
    assert [s.done for s in steps] == list(range(1, 9))
    assert sorted(s.outcome.index for s in steps) == list(range(1, 9))  # each once
    dead = {s.outcome.index for s in steps if s.outcome.failed}
    assert 3 in dead
    for s in steps:
        o = s.outcome
        if o.failed:  # the other worker may have been writing one whole as the pool ended it: not checked
            assert [p.code for p in o.problems] == ["B002"] and "BrokenProcessPool" in o.problems[0].message
            assert o.worker is None and o.targets
            assert o.index != 3 or not any(t.exists() for t in o.targets)
        else:
            assert all(t.exists() for t in o.targets)
    assert unsent and unsent[-1]  # some were never sent: submit raised, and they are named all the same
    assert set(unsent[-1]) <= {k - 1 for k in dead}


# ---------------------------------------------------------------- a task taken by the other worker


def test_a_task_meant_for_another_worker_comes_back_undone():
    ran: list[int] = []
    assert batch._task_pid(os.getpid() + 1, ran.append, 1) == (os.getpid(), None) and ran == []
    assert batch._task_pid(os.getpid(), lambda: "done") == (os.getpid(), "done")
    assert batch._task_pid(None, lambda: "done") == (os.getpid(), "done")  # for whoever takes it


_real_task_pid = batch._task_pid


def _for_nobody(meant: int | None, fn, *args):  # type: ignore[no-untyped-def]
    """Every task meant for a worker is taken by "another" one (a pid no worker has)."""
    return _real_task_pid(-1 if meant is not None else None, fn, *args)


def test_tasks_sent_back_go_out_again_and_every_department_is_rendered_once(tmp_path, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor

    files = departments(tmp_path / "in", [(TAISHAN, 2), (LIUZHI, 2), (EZHOU, 2)])
    meant: list[int | None] = []
    real_submit = ProcessPoolExecutor.submit

    def submit(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        if fn is _for_nobody:
            meant.append(args[0])
        return real_submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(batch, "_task_pid", _for_nobody)
    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit)
    out = tmp_path / "out"
    steps = [s for s in batch.run(files, batch.Options(out_dir=str(out), jobs=2)) if s.phase == "render"]
    assert sorted(s.outcome.index for s in steps) == list(range(1, 7)) and [s.done for s in steps] == list(range(1, 7))
    assert not any(s.outcome.failed for s in steps) and len(list(out.iterdir())) == 12
    # the first two for whoever takes them; each later one for a worker, sent back, sent again
    assert meant[:2] == [None, None] and len(meant) == 2 + 2 * 4
    assert sum(m is None for m in meant) == 2 + 4 and all(isinstance(m, int) for m in meant if m is not None)
