"""Issue 11 §2: many departments at once — workers, progress, a summary, collisions refused."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from goaldoc.errors import InputError, Problem, TemplateError

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
