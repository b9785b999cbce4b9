"""goaldoc's command line: thin click commands over :mod:`goaldoc.api`.

This is the only place that prints and decides exit codes: 0 done (warnings allowed),
1 problems in the input or templates, 2 wrong usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__

MAIN_HELP = """goaldoc：用一个 YAML 文件生成预算绩效目标表（.docx 和 .xlsx）。

\b
常用：
  goaldoc render samples/2024/taishan.yaml          生成到 out/2024/<部门名称>/
  goaldoc render 2024/taishan.yaml -o 打印/          生成到指定文件夹
  goaldoc render 2024/*.yaml                        一次生成多个部门
  goaldoc check 2024/taishan.yaml                   只检查，不生成
  goaldoc init 2025/taishan.yaml                    新建一个带说明的填报文件
  goaldoc import 去年的表.docx --year 2025          把填好的表读回成 YAML
  goaldoc render --help                             查看全部选项
"""

RENDER_HELP = """生成预算绩效目标表（Word 和 Excel）。

\b
FILES 是一个或多个部门的 YAML 文件，也可以是文件夹（其中全部 .yaml）或 2024/*.yaml。默认输出到 out/<年度>/<部门名称>/，
一个部门一个 .docx（全部表格按顺序）和一个 .xlsx（一表一个工作表）。
有错误时不生成任何文件，已有的旧文件保持不变。

\b
例子：
  goaldoc render samples/2024/taishan.yaml
  goaldoc render samples/2024/taishan.yaml -o 送财政局/
  goaldoc render samples/2024/taishan.yaml --format docx
  goaldoc render samples/2024/taishan.yaml --form 另一个表样名     （goaldoc forms 查看）
  goaldoc render samples/2023/liuzhi.yaml --only 公益性岗位补贴
"""


def expand_inputs(args: tuple[str, ...], suffixes: tuple[str, ...] = (".yaml", ".yml")) -> list[str]:
    """Folders become their YAML files (or files of ``suffixes``), and globs are expanded
    here too: Windows' cmd does not expand `2024\\*.yaml` itself."""
    import glob

    out: list[str] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            out += sorted(str(f) for f in p.iterdir() if f.suffix.lower() in suffixes)
        elif not p.exists() and any(ch in arg for ch in "*?["):
            out += sorted(glob.glob(arg)) or [arg]
        else:
            out.append(arg)
    return out


def _print_problems(problems, err: bool = True) -> None:  # type: ignore[no-untyped-def]
    for p in sorted(problems, key=lambda p: (not p.is_error, p.file or "", p.line or 0)):
        click.echo(p.format(), err=err)


@click.group(help=MAIN_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.version_option(
    __version__,
    "-V",
    "--version",
    help="显示版本和安装位置并退出。",
    message=f"goaldoc %(version)s（Python {sys.version.split()[0]}，安装于 {Path(__file__).parent}）",
)
def main() -> None:
    pass


@main.command(help=RENDER_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), help="输出文件夹（默认 out/<年度>/<部门名称>/）。")
@click.option(
    "-f",
    "--format",
    "formats",
    type=click.Choice(["docx", "xlsx"]),
    multiple=True,
    help="只生成某一种格式（可重复）；默认两种都生成。",
)
@click.option("--form", help="换用另一个地区的表样（templates/ 下的文件夹名，goaldoc forms 查看）。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹，优先于自带模板。")
@click.option("--only", multiple=True, help="只生成某个项目的表（项目名称或项目编码，可重复）。")
@click.option("--force", is_flag=True, help="检查发现错误时仍然生成（不建议：财政局会退回）。")
def render(files, out_dir, formats, form, templates, only, force) -> None:  # type: ignore[no-untyped-def]
    from .api import render as render_one
    from .errors import GoaldocError

    files = expand_inputs(files)
    failed = 0
    total = len(files)
    for n, file in enumerate(files, start=1):
        prefix = f"[{n}/{total}] " if total > 1 else ""
        try:
            result = render_one(file, out_dir, formats or ("docx", "xlsx"), form, templates, only, force)
        except GoaldocError as exc:
            failed += 1
            _print_problems(exc.problems)
            click.echo(f"{prefix}{file}：有 {len(exc.problems)} 处问题，未生成任何文件。", err=True)
            continue
        _print_problems([p for p in result.warnings if not p.accepted])
        kept = sum(bool(p.accepted) for p in result.warnings)
        if kept:
            click.echo(f"{prefix}{file}：另有 {kept} 个已确认保留的问题（见 accepted:；goaldoc check 逐条列出）。", err=True)
        for path in result.files:
            click.echo(f"{prefix}已生成 {path}")
    if total > 1:
        click.echo(f"共 {total} 个文件：{total - failed} 个成功，{failed} 个有问题。")
    sys.exit(1 if failed else 0)


CHECK_HELP = """检查 YAML 文件：格式、必填项，以及财政局的审核规则。

\b
每个问题一行：文件:行号 键路径：问题和改法。先列错误（E，会被退回），
再列提醒（W，审核人可能会问），最后一行是统计。
退出码：0 没有错误（可以有提醒），1 有错误，2 用法错误。

\b
例子：
  goaldoc check samples/2024/*.yaml
  goaldoc check 2024/taishan.yaml --strict     提醒也算错误
  goaldoc check 收到的/*.docx 收到的/*.xlsx     填好的 Word / Excel 表直接检查：问题指到单元格
"""


@main.command(help=CHECK_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True, help="提醒（W）也算错误，退出码为 1。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹，优先于自带模板。")
def check(files, strict, templates) -> None:  # type: ignore[no-untyped-def]
    from .api import check as check_one
    from .errors import GoaldocError

    files = expand_inputs(files)
    errors = warnings = accepted = 0
    for file in files:
        try:
            problems = check_one(file, templates)
        except GoaldocError as exc:  # the form folder itself is broken (the admin's to fix)
            problems = exc.problems
        _print_problems(problems, err=False)
        errors += sum(p.is_error for p in problems)
        warnings += sum(p.severity == "W" and not p.accepted for p in problems)
        accepted += sum(bool(p.accepted) for p in problems)
    kept = f"，{accepted} 个已确认保留" if accepted else ""
    click.echo(f"检查了 {len(files)} 个文件：{errors} 个错误，{warnings} 个提醒{kept}。")
    sys.exit(1 if errors or (strict and warnings) else 0)


IMPORT_HELP = """把填好的表（Word .docx / Excel .xlsx）读回成 YAML 文件：去年的表做今年的起点，或把收到的表变成数据。

\b
例子：
  goaldoc import 2024/某局批复表.docx -o 2025/mouju.yaml --year 2025
  goaldoc import 2023/某区.xlsx --form 表样名               （不写 -o：放在原文件旁边，改后缀为 .yaml）
  goaldoc import 收到的/*.docx -o 待查/                      一次导入多个，放进 待查/
  goaldoc import 2024/x.docx --year 2025 --clear-amounts     新年度：改年份、清空金额

\b
不写 --form 时按表题和表头的文字认出是哪个表样，并说明认的是哪个。按标签和表头读，不按固定位置：
手工做的表（标签里多了空格、合并方式不同、表格被分页拆开）也能读。放不进任何栏目的文字
原样写在 YAML 末尾的注释里，并注明在哪一格；检查发现的问题（常是原表本来的错）也列在末尾，
可移到 accepted: 下。.doc / .xls / .wps 装了 LibreOffice 时先自动转换。
已有的 YAML 文件不会被覆盖（要覆盖请加 --overwrite）。
"""


@main.command(name="import", help=IMPORT_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--out", "out", type=click.Path(), help="输出的 YAML 文件，或文件夹（导入多个时）；默认放在原文件旁边。")
@click.option("--form", help="按哪个表样读（goaldoc forms 查看）；不写时自动认。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹，优先于自带模板。")
@click.option("--year", type=click.IntRange(2000, 2100), help="把年度改成这一年（数据和表题里的年份一起改）。")
@click.option("--clear-amounts", "clear", is_flag=True, help="清空所有金额（新年度的预算还没定时）。")
@click.option("--overwrite", is_flag=True, help="输出文件已存在时覆盖它。")
def import_(files, out, form, templates, year, clear, overwrite) -> None:  # type: ignore[no-untyped-def]
    from .api import check as check_one
    from .errors import GoaldocError
    from .importer import FILLED_SUFFIXES, import_to_yaml
    from .output import write_all

    files = expand_inputs(files, FILLED_SUFFIXES)
    total = len(files)
    if out and total > 1 and Path(out).suffix.lower() in (".yaml", ".yml"):
        click.echo(f"一次导入 {total} 个文件时，-o 应为文件夹（现为 {out}）", err=True)
        sys.exit(2)
    failed = 0
    for n, file in enumerate(files, start=1):
        prefix = f"[{n}/{total}] " if total > 1 else ""
        target = _import_target(file, out, total > 1)
        if target.exists() and not overwrite:
            failed += 1
            click.echo(f"{prefix}{target} 已存在，没有覆盖：请换一个文件名（-o），或加 --overwrite。", err=True)
            continue
        try:
            written = import_to_yaml(file, form, templates, year, clear)
        except GoaldocError as exc:
            failed += 1
            _print_problems(exc.problems)
            click.echo(f"{prefix}{file}：没有导入。", err=True)
            continue
        write_all({target: written.text.encode("utf-8")})
        imp = written.imported
        for message in written.messages:
            click.echo(f"{prefix}{file}：{message}")
        left = f"；{len(imp.leftovers)} 处文字放不进栏目，原样写在文件末尾（注明了在哪一格）" if imp.leftovers else ""
        click.echo(f"{prefix}已导入 {target}{_counts(imp.data)}{left}")
        problems = check_one(target, templates)
        if problems:
            click.echo(f"{prefix}检查发现 {len(problems)} 个问题（原表本来如此的，文件末尾已备好 accepted: 的写法）：")
            _print_problems(problems, err=False)
    if total > 1:
        click.echo(f"共 {total} 个文件：{total - failed} 个已导入，{failed} 个没有导入。")
    sys.exit(1 if failed else 0)


def _import_target(file: str, out: str | None, many: bool) -> Path:
    src = Path(file)
    if out is None:
        return src.with_suffix(".yaml")
    o = Path(out)
    if not many and o.suffix.lower() in (".yaml", ".yml"):
        return o
    return o / (src.stem + ".yaml")


def _counts(data: dict) -> str:  # type: ignore[type-arg]
    projects = list(data.get("projects", [])) + [p for u in data.get("units", []) for p in u.get("projects", [])]
    parts = []
    if data.get("indicators"):
        parts.append(f"部门整体指标 {len(data['indicators'])} 条")
    if projects:
        parts.append(f"项目 {len(projects)} 个（指标 {sum(len(p.get('indicators', [])) for p in projects)} 条）")
    tasks = len(data.get("key_tasks", [])) + len(data.get("other_tasks", []))
    if tasks:
        parts.append(f"任务 {tasks} 项")
    return "（" + "、".join(parts) + "）" if parts else ""


SCHEMA_HELP = """输出某个表样的 YAML 文件的 JSON Schema（含这个表样特有的栏目），供编辑器自动补全和标出错误的键。

\b
例子：
  goaldoc schema > goaldoc.schema.json
  goaldoc schema --form 表样名 > 表样名.schema.json
"""


@main.command(help=SCHEMA_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.option("--form", help="表样（goaldoc forms 查看；默认为 templates/national.yaml 的 default_form）。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹。")
def schema(form, templates) -> None:  # type: ignore[no-untyped-def]
    from .errors import GoaldocError
    from .forms import load_form

    try:
        spec = load_form(form, templates)
    except GoaldocError as exc:
        _print_problems(exc.problems)
        sys.exit(1)
    click.echo(json.dumps(spec.model.model_json_schema(), ensure_ascii=False, indent=2))


INIT_HELP = """新建一个部门的填报文件（带中文说明的 YAML），从这里开始填。

\b
例子：
  goaldoc init 2025/taishan.yaml
  goaldoc init 2025/x.yaml --form 表样名 --year 2025    （goaldoc forms 查看表样名）
已有的文件不会被覆盖。也可以复制去年的文件改年份和数字。
"""


@main.command(help=INIT_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--form", help="表样（goaldoc forms 查看；默认为 templates/national.yaml 的 default_form）。")
@click.option("--year", type=int, help="预算年度（默认：明年）。")
def init(path, form, year) -> None:  # type: ignore[no-untyped-def]
    import datetime
    from importlib.resources import files

    from .forms import available_forms

    target = Path(path)
    if target.exists():
        click.echo(f"{target} 已存在，没有覆盖：请换一个文件名，或直接编辑它。", err=True)
        sys.exit(1)
    from .forms import national

    form = form or national().default_form
    if form not in available_forms():
        click.echo(f"没有表样“{form}”：可用的有 {'、'.join(available_forms())}", err=True)
        sys.exit(2)
    year = year or datetime.date.today().year + 1
    text = files("goaldoc").joinpath("starter.yaml").read_text(encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.format(year=year, form=form, path=target.as_posix()), encoding="utf-8")
    click.echo(f"已新建 {target}：填好后运行 goaldoc check {target.as_posix()}")


FORMS_HELP = """列出可用的表样（templates/ 下的文件夹）：名字、表样名称、印哪些表、项目表的样式、所在文件夹。

\b
例子：
  goaldoc forms
  goaldoc forms --templates 我的模板/
"""


@main.command(name="forms", help=FORMS_HELP)
@click.help_option("-h", "--help", help="显示帮助并退出。")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), help="自己的模板文件夹。")
def list_forms(templates) -> None:  # type: ignore[no-untyped-def]
    from .errors import GoaldocError
    from .forms import available_forms, load_form

    broken = 0
    for name in available_forms(templates):
        try:
            spec = load_form(name, templates)
        except GoaldocError as exc:
            broken += 1
            click.echo(f"{name}\t（表样有误，暂不能用）")
            _print_problems(exc.problems)
            continue
        prints = "、".join({"department": "部门整体表", "projects": "每个项目一张项目表"}[p] for p in spec.prints)
        variants = "；项目表样式：" + "、".join(f"{k}（{v}）" for k, v in spec.variants.items()) if spec.variants else ""
        click.echo(f"{name}\t{spec.title}\t{prints}{variants}\t{spec.folder}")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
