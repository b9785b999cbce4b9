"""Issue 8 item 1 (and 12 item 2): a form's vocabulary, rules and names live in its folder;
goaldoc check knows the form; every form.yaml mistake is a located Chinese message."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT, SAMPLES
from goaldoc.api import check, loads
from goaldoc.checks import run_checks
from goaldoc.cli import main
from goaldoc.errors import TemplateError
from goaldoc.forms import available_forms, load_form
from goaldoc.paths import format_path


def folder_copy(tmp_path: Path, name: str = "guangdong", edit: str = "") -> Path:
    """templates/<name> copied under tmp_path/templates, with ``edit`` appended to form.yaml
    (a top-level key it sets is taken out of the original first)."""
    dst = tmp_path / "templates" / name
    shutil.copytree(ROOT / "templates" / name, dst)
    if edit:
        edit = textwrap.dedent(edit).lstrip("\n")
        text = (dst / "form.yaml").read_text(encoding="utf-8")
        for key in re.findall(r"^(\w+):", edit, re.M):
            text = re.sub(rf"^{key}:.*\n(?:[ #].*\n)*", "", text, flags=re.M)
        (dst / "form.yaml").write_text(text + "\n" + edit, encoding="utf-8")
    return dst.parent


def sample_text(name: str, **replace: str) -> str:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def problems_of(text: str, templates: Path | None = None) -> list[tuple[str, str, str]]:
    loaded = loads(text, "t.yaml", templates)
    return [(p.code, format_path(p.path), p.message) for p in run_checks(loaded.model, loaded.lines, loaded.form)]


# ------------------------------------------------------------------ names of the form


def test_an_unknown_form_is_an_error_at_its_line_with_the_known_names(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text(sample_text("2024/taishan.yaml", **{"form: guangdong": "form: guangdnog"}), encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(f)])
    assert res.exit_code == 1
    known = "、".join(available_forms())  # every folder under templates/, in name order
    assert res.output.splitlines()[0] == (
        f"{f}:12 错误 E011 form：没有名为“guangdnog”的表样：是不是“guangdong”？"
        f"可用的表样有 {known}（goaldoc forms 查看）"
    )
    assert {"gaoxin", "guangdong", "guizhou", "sichuan"} <= set(known.split("、"))
    res = CliRunner().invoke(main, ["render", str(f), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1 and "E011" in res.stderr and not (tmp_path / "out").exists()


def test_a_variant_typo_is_refused_with_the_variants_of_the_form():
    text = sample_text("2023/liuzhi.yaml")
    text = text.replace("variant: shenbao", "variant: shenboa", 1)
    found = [p for p in check_text(text) if p.code == "E010"]
    assert [p.message for p in found] == ["应为 xiangmu、shenbao 之一，现为 “shenboa”：是不是“shenbao”？"]


def check_text(text: str):  # type: ignore[no-untyped-def]
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "t.yaml"
        f.write_text(text, encoding="utf-8")
        return check(f)


# ------------------------------------------------------------------ vocabulary from the folder


def test_another_spelling_declared_in_the_folder_is_accepted(tmp_path):
    text = sample_text("2024/taishan.yaml", **{"level1: 效益指标": "level1: 项目效益指标"})
    assert ("E201", "indicators[24].level1", "一级指标“项目效益指标”不认识：是不是“效益指标”？") in problems_of(text)
    templates = folder_copy(tmp_path, edit="""
        indicator_tree:
          效益指标: {also: [项目效益指标]}
        """)
    assert problems_of(text, templates) == []


def test_a_required_kind_can_be_a_level2_of_the_region(tmp_path):
    """Hunan-style: 满意度 is a 二级 under 效益指标, and still required."""
    templates = folder_copy(tmp_path, edit="""
        indicator_tree:
          效益指标:
            level2:
              满意度: {kind: satisfaction}
        """)
    text = sample_text("2024/taishan.yaml")
    data = yaml.safe_load(text)
    for ind in data["indicators"]:
        if ind["level1"] == "满意度指标":
            ind["level1"], ind["level2"] = "效益指标", "满意度"
    moved = yaml.safe_dump(data, allow_unicode=True)
    assert problems_of(moved, templates) == []
    gone = yaml.safe_load(moved)
    gone["indicators"] = [i for i in gone["indicators"] if i["level2"] != "满意度"]
    assert problems_of(yaml.safe_dump(gone, allow_unicode=True), templates) == [
        ("E203", "indicators", "部门整体缺少满意度指标：产出指标、效益指标和满意度指标至少各要有一条")
    ]


def test_rule_numbers_come_from_the_folder(tmp_path):
    templates = folder_copy(tmp_path, edit="""
        rules:
          satisfaction_min: 99
        """)
    text = sample_text("2024/taishan.yaml")
    found = problems_of(text, templates)
    assert found and all(code == "W203" for code, _, _ in found)
    assert found[0][2].endswith("低于 99%：满意度目标一般不低于 99%，请核实")


def test_no_region_name_or_regional_label_in_the_code():
    """Issue 8: Python holds the mechanism only. The names come from the folders and the
    labels a region uses from its form.yaml (templates/national.yaml for the national ones)."""
    words = {p.parent.name for p in (ROOT / "templates").glob("*/form.yaml")}
    words |= {"广东", "贵州", "四川", "高新", "六枝", "台山", "井研", "湖北", "鄂州", "广水", "宁德", "东莞", "芜湖", "邯郸"}
    for f in (ROOT / "templates").glob("**/*.yaml"):  # other spellings and declared fields' labels
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for node in (data.get("indicator_tree") or {}).values():
            words |= set((node or {}).get("also", []))
            for child in ((node or {}).get("level2") or {}).values():
                words |= set((child or {}).get("also", []))
        for place in (data.get("fields") or {}).values():
            words |= {spec["label"] for spec in place.values()}
    assert {"效果指标", "项目完成指标", "gaoxin"} <= words
    # a spelling inside a national name (服务对象满意度 in 服务对象满意度指标) is not a finding
    voc = load_form(None).vocabulary
    national_names = set(voc.level1) | {n for c in voc.level2.values() for n in c}
    words = {w for w in words if not any(w in n for n in national_names)}
    files = subprocess.run(["git", "ls-files", "src"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for rel in files:
        text = (ROOT / rel).read_text(encoding="utf-8")
        found += [f"{rel}: {w}" for w in words if w in text]
    assert found == []


# ------------------------------------------------------------------ form.yaml mistakes


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("amount_unit: 千元\n", "错误 T010 amount_unit：应为 元、万元、亿元 之一，现为 “千元”"),
        ("prints: [departments]\n", "错误 T010 prints[0]：应为 department、projects 之一，现为 “departments”：是不是“department”？"),
        ("colour: red\n", "错误 T010 colour：未知的键“colour”："),
        ("indicator_tree:\n  效益指标: {kind: benefits}\n", "错误 T010 indicator_tree.效益指标.kind：应为 output、benefit、satisfaction、cost、quantity、quality、timeliness 之一，现为 “benefits”：是不是“benefit”？"),
        ("required: [output, comfort]\n", "错误 T010 required[1]：应为 output、benefit、satisfaction、cost、quantity、quality、timeliness 之一，现为 “comfort”"),
        ("fields:\n  project:\n    Cost: {label: 成本}\n", "错误 T010 fields.project：字段名“Cost”只能用小写英文字母、数字和下划线，以字母开头"),
        ("fields:\n  project:\n    name: {label: 项目名称}\n", "错误 T010 fields.project：字段“name”已是通用字段（项目名称），不用再声明：直接在模板里用"),
        ("fields:\n  project:\n    kind: {label: 类别, type: choice}\n", "错误 T010 fields.project.kind：type: choice 要写 options"),
    ],
)
def test_form_yaml_mistakes_are_located_chinese_messages(edit, expected, tmp_path):
    templates = folder_copy(tmp_path, edit=edit)
    with pytest.raises(TemplateError) as exc:
        load_form("guangdong", templates)
    lines = [p.format() for p in exc.value.problems]
    form_yaml = templates / "guangdong" / "form.yaml"
    n = len(form_yaml.read_text(encoding="utf-8").splitlines())
    assert len(lines) == 1
    assert re.fullmatch(rf"{re.escape(str(form_yaml))}:\d+ {re.escape(expected)}.*", lines[0])
    assert int(lines[0].split(":")[1].split()[0]) > n - edit.count("\n") - 1  # the line of the edit


def test_a_missing_template_file_and_a_missing_contract_are_named(tmp_path):
    templates = folder_copy(tmp_path)
    (templates / "guangdong" / "forms.docx").unlink()
    with pytest.raises(TemplateError) as exc:
        load_form("guangdong", templates)
    assert [p.format() for p in exc.value.problems] == [
        f"{templates / 'guangdong' / 'form.yaml'}:5 错误 T014 docx：docx: forms.docx —— 文件夹 "
        f"{templates / 'guangdong'} 里没有这个文件：请放进去，或改正文件名"
    ]
    form_yaml = templates / "guangdong" / "form.yaml"
    form_yaml.write_text(form_yaml.read_text(encoding="utf-8").replace("contract: 1", "contract: 7"), encoding="utf-8")
    with pytest.raises(TemplateError) as exc:
        load_form("guangdong", templates)
    assert "这版 goaldoc 提供的模板上下文是 contract: 1，这个表样写的是 7" in exc.value.problems[0].message


def test_a_folder_adds_to_the_national_tree_and_a_required_kind_it_lacks_is_named(tmp_path):
    templates = folder_copy(tmp_path, edit="required: [output, timeliness, satisfaction]\nindicator_tree:\n  产出指标:\n    level2:\n      时效指标: {also: [完成时限]}\n")
    voc = load_form("guangdong", templates).vocabulary  # 时效指标 keeps its national kind
    assert voc.required == ("output", "timeliness", "satisfaction")
    assert voc.node2("产出指标", "完成时限") == voc.node2("产出指标", "时效指标")
    assert voc.kinds("产出指标", "完成时限") == {"output", "timeliness"}
    templates = folder_copy(tmp_path / "b", edit="indicator_tree:\n  满意度指标: {kind: benefit}\n")
    with pytest.raises(TemplateError) as exc:
        load_form("guangdong", templates)
    assert [p.message for p in exc.value.problems] == [
        "required 写了 satisfaction，但指标体系里没有 kind: satisfaction 的指标：请在 indicator_tree 里给相应的一级或二级加上 kind: satisfaction",
        "weight_splits 写了 satisfaction，但指标体系里没有这一类",
        "weight_splits 写了 satisfaction，但指标体系里没有这一类",
    ]


# ------------------------------------------------------------------ errors while rendering (issue 12 item 2)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'filename: "{{ year }}年{{ department.name }}{{ form.paper_title }}"',
            'filename: "{{ year }}年{{ department.nmae }}"',
            "表样说明 filename（“{{ year }}年{{ department.nmae }}”）有误：没有名为“nmae”的变量或字段（见 templates/README.md 的变量表）：是不是“name”？",
        ),
        (
            '    name: "{{ form.paper_title }}"',
            '    name: "{{ department.name "',
            "表样说明 sheets[1].name（“{{ department.name ”）有误：模板没写完：少了 {% endfor %}、{% endif %} 或 }}",
        ),
        (
            "    when: show.contents",
            "    when: show.contents and 1//0",
            "表样说明 sheets[0].when（“show.contents and 1//0”）有误：除数为 0：请检查模板里的除法",
        ),
    ],
)
def test_a_jinja_mistake_in_form_yaml_names_its_key(old, new, expected, taishan, tmp_path):
    templates = folder_copy(tmp_path)
    form_yaml = templates / "guangdong" / "form.yaml"
    text = form_yaml.read_text(encoding="utf-8")
    assert old in text
    form_yaml.write_text(text.replace(old, new), encoding="utf-8")
    from goaldoc.api import render_bytes

    with pytest.raises(TemplateError) as exc:
        render_bytes(taishan, templates=templates)
    (p,) = exc.value.problems
    assert (p.file, p.code, p.message) == (str(form_yaml), "T012", expected)


def test_anything_unexpected_in_a_renderer_is_a_message_and_the_batch_goes_on(monkeypatch, tmp_path):
    """The one error boundary: a bug or a surprise while rendering names the template."""
    import goaldoc.render.word.document as docx_renderer

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("磁带机没电了")

    monkeypatch.setattr(docx_renderer, "render_docx", broken)
    liuzhi = SAMPLES / "2023" / "liuzhi.yaml"
    taishan = SAMPLES / "2024" / "taishan.yaml"
    res = CliRunner().invoke(main, ["render", str(taishan), str(liuzhi), "-o", str(tmp_path / "out"), "-f", "docx"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    lines = sorted(ln for ln in res.stderr.splitlines() if "T099" in ln)
    assert lines == [
        f"{ROOT / 'templates' / form / 'forms.docx'} 错误 T099："
        f"用表样“{form}”生成 .docx 时出错：模板运行出错（RuntimeError: 磁带机没电了）"
        for form in ("guangdong", "guizhou")
    ]
