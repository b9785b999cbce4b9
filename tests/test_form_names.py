"""Issue 21 item 4: a form asked for by its Chinese name (form.yaml names:), wherever a form
name is asked: --form 四川 for render, init, import, schema, check --form; goaldoc forms lists
the names; a name two forms fit names both."""

from __future__ import annotations

from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc.cli import main
from goaldoc.forms import load_form, resolve_form_name


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def test_a_chinese_name_finds_its_folder():
    assert resolve_form_name("广东") == ("guangdong", None)
    assert resolve_form_name("四川省") == ("sichuan", None)
    assert resolve_form_name("东莞") == ("dongguan", None)  # not 广东东莞's 广东
    assert load_form("宁德").name == "ningde"
    name, problem = resolve_form_name("湖北")
    assert name is None and problem is not None and problem.message == (
        "“湖北”可以指 ezhou（鄂州市市直部门预算项目支出绩效目标表）、guangshui（湖北省部门整体支出绩效目标申报表（广水市））："
        "请写其中一个的名字（goaldoc forms 查看）"
    )
    name, problem = resolve_form_name("海南")
    assert name is None and problem is not None and problem.code == "E011"


def test_render_and_init_take_a_chinese_form_name(tmp_path):
    res = run("render", str(SAMPLES / "2024" / "taishan.yaml"), "--form", "四川", "-o", str(tmp_path), "-f", "xlsx")
    assert res.exit_code == 0, res.output
    assert [p.name for p in tmp_path.iterdir()] == ["2024年台山市人力资源和社会保障局部门预算项目绩效目标表.xlsx"]
    res = run("init", str(tmp_path / "2025" / "x.yaml"), "--form", "芜湖")
    assert res.exit_code == 0 and "form: wuhu" in (tmp_path / "2025" / "x.yaml").read_text(encoding="utf-8")
    res = run("init", str(tmp_path / "2025" / "y.yaml"), "--form", "湖北")
    assert res.exit_code == 2 and "“湖北”可以指 ezhou" in res.stderr


def test_forms_lists_the_chinese_names():
    res = run("forms")
    line = next(x for x in res.stdout.splitlines() if x.startswith("guangdong\t"))
    assert line.split("\t")[1] == "广东省部门整体预算绩效目标批复表（--form 也可写 广东、广东省）"
