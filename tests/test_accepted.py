"""`accepted:` keeps a known problem listed by check but lets render go on."""

from __future__ import annotations

from click.testing import CliRunner

from goaldoc.cli import main

BASE = """year: 2024
department:
  name: 测试局
budget:
  unit: 万元
  expenditure:
    - {label: 合计, amount: 100}
    - {label: 一、基本支出, amount: 60, level: 1}
    - {label: 二、项目支出, amount: 30, level: 1}
"""


def test_an_unaccepted_error_stops_the_render(tmp_path):
    src = tmp_path / "a.yaml"
    src.write_text(BASE, encoding="utf-8")
    res = CliRunner().invoke(main, ["render", str(src), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1
    assert "budget.expenditure[0]" in res.output
    assert not (tmp_path / "out").exists()


def test_an_accepted_error_is_listed_and_the_render_goes_on(tmp_path):
    src = tmp_path / "a.yaml"
    src.write_text(BASE + "accepted:\n  - {path: 'budget.expenditure[0]', reason: 原表如此}\n", encoding="utf-8")
    check = CliRunner().invoke(main, ["check", str(src)])
    assert check.exit_code == 0, check.output
    assert "（已确认保留：原表如此）" in check.output
    res = CliRunner().invoke(main, ["render", str(src), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "另有 1 个已确认保留的问题" in res.output  # render summarises, check lists them
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_acceptance_with_another_code_does_not_apply(tmp_path):
    src = tmp_path / "a.yaml"
    src.write_text(BASE + "accepted:\n  - {path: 'budget.expenditure[0]', code: W999, reason: 别的问题}\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(src)])
    assert res.exit_code == 1
    assert "已确认保留" not in res.output
