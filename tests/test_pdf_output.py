"""Issue 11 §1: `goaldoc render --pdf` — one LibreOffice process for the batch, its failures named.

The real conversion runs once for the module (two departments, one LibreOffice process);
LibreOffice missing, failing and hanging are played by PATH: an empty one, or a fake
`soffice` first on it (a small script that prints what LibreOffice prints).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from goaldoc import pdf
from goaldoc.api import load
from goaldoc.cli import main
from pdfcheck import HAVE_SOFFICE, appears_whole, pieces

TAISHAN = SAMPLES / "2024" / "taishan.yaml"
LIUZHI = SAMPLES / "2023" / "liuzhi.yaml"
STEMS = {
    TAISHAN: "2024年台山市人力资源和社会保障局部门整体预算绩效目标批复表",
    LIUZHI: "2023年六枝特区人力资源和社会保障局预算绩效目标表",
}
needs_soffice = pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice/poppler not installed: run make deps")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# ---------------------------------------------------------------- the real thing, once


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    res = run("render", TAISHAN, LIUZHI, "-o", out, "--pdf")
    return out, res


@needs_soffice
def test_one_pdf_per_department_beside_the_docx_and_xlsx(converted):
    out, res = converted
    assert res.exit_code == 0, res.output
    expected = sorted(f"{stem}.{ext}" for stem in STEMS.values() for ext in ("docx", "xlsx", "pdf"))
    assert sorted(p.name for p in out.iterdir()) == expected
    for sample, stem in STEMS.items():
        pages = _pdfinfo_pages(out / f"{stem}.pdf")
        index = 1 if sample == TAISHAN else 2
        assert f"[{index}/2] 已生成 {out / stem}.pdf（{pages} 页）" in res.stdout.splitlines()
    total = sum(_pdfinfo_pages(out / f"{s}.pdf") for s in STEMS.values())
    assert re.search(rf"生成 6 个文件（6 张表，PDF 共 {total} 页）", res.stdout.splitlines()[-1])


@needs_soffice
@pytest.mark.parametrize("sample", [TAISHAN, LIUZHI], ids=["taishan", "liuzhi"])
def test_the_pdf_holds_the_department_and_every_indicator(converted, sample):
    out, _ = converted
    segs = pieces(out / f"{STEMS[sample]}.pdf")
    model = load(sample).model
    names = [i.name for i in model.indicators] + [i.name for p in model.projects for i in p.indicators]
    names += [i.name for u in model.units for p in u.projects for i in p.indicators]
    assert len(names) >= 20
    assert appears_whole(model.department.name, segs)
    assert [n for n in names if not appears_whole(n, segs)] == []


@needs_soffice
def test_the_pdf_embeds_its_cjk_fonts_and_has_no_type3(converted):
    out, _ = converted
    for stem in STEMS.values():
        rows = subprocess.run(["pdffonts", str(out / f"{stem}.pdf")], capture_output=True, text=True, check=True)
        fonts = [line.split() for line in rows.stdout.splitlines()[2:]]
        assert fonts, rows.stdout
        assert [f for f in fonts if "Type 3" in " ".join(f)] == []
        # columns from the right: object ID (2), uni, sub, emb
        assert [f[0] for f in fonts if f[-5] != "yes"] == []  # every font embedded
        assert any("CJK" in f[0] for f in fonts), rows.stdout


def _pdfinfo_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


@needs_soffice
def test_page_count_reads_what_pdfinfo_reads(converted):
    out, _ = converted
    for stem in STEMS.values():
        path = out / f"{stem}.pdf"
        assert pdf.page_count(path.read_bytes()) == _pdfinfo_pages(path) > 1


# ---------------------------------------------------------------- LibreOffice missing


def test_without_libreoffice_the_message_says_what_to_install_and_the_rest_is_written(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("GOALDOC_SOFFICE", raising=False)
    out = tmp_path / "out"
    res = run("render", TAISHAN, "-o", out, "--pdf")
    assert res.exit_code == 1
    stem = STEMS[TAISHAN]
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}.docx", f"{stem}.xlsx"]
    assert res.stderr.splitlines() == [
        f"{TAISHAN} 错误 P001：没有找到 LibreOffice（soffice 命令），PDF 没有生成；.docx/.xlsx 照常生成了："
        "请安装 LibreOffice 和中文字体（Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk，"
        "或在 goaldoc 文件夹里运行 bash tools/install-system-deps.sh），再运行一次"
    ]
    assert res.stdout.splitlines()[:2] == [f"已生成 {out / stem}.docx", f"已生成 {out / stem}.xlsx"]


def test_without_libreoffice_a_batch_says_it_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    res = run("render", TAISHAN, LIUZHI, "-o", tmp_path / "out", "-f", "xlsx", "--pdf", "-j", "1")
    assert res.exit_code == 1
    p001 = [line for line in res.stderr.splitlines() if " P001：" in line]
    assert [line.split(" 错误 ")[0] for line in p001] == [str(TAISHAN), str(LIUZHI)]
    assert "sudo apt-get install" in p001[0] and p001[1].endswith("PDF 没有生成：没有找到 LibreOffice（安装方法见上）")
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 2
    assert "共 2 个部门：0 个成功，2 个有问题；生成 2 个文件" in res.stdout


# ---------------------------------------------------------------- a fake LibreOffice: fails, hangs

FAKE = """\
#!{python}
# plays LibreOffice's --convert-to: a line per file once loaded, then the PDF
import os, pathlib, sys, time, zipfile
args = sys.argv[1:]
with open(os.environ["FAKE_PIDS"], "a") as fh:
    fh.write(f"{{os.getpid()}}\\n")
out = pathlib.Path(args[args.index("--outdir") + 1])
for a in [a for a in args if a.endswith(".docx")]:
    text = zipfile.ZipFile(a).read("word/document.xml").decode("utf-8")
    if os.environ.get("FAKE_FAIL") and os.environ["FAKE_FAIL"] in text:
        print("Error: source file could not be loaded", file=sys.stderr, flush=True)
        continue
    pdf = out / (pathlib.Path(a).stem + ".pdf")
    print(f"convert {{a}} -> {{pdf}} using filter : writer_pdf_Export", flush=True)
    if os.environ.get("FAKE_HANG") and os.environ["FAKE_HANG"] in text:
        time.sleep(600)
    pdf.write_bytes(b"%PDF-1.6\\n1 0 obj<</Type/Page>>endobj\\n2 0 obj<</Type/Page>>endobj\\n%%EOF\\n")
"""


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("GOALDOC_SOFFICE", raising=False)
    pids = tmp_path / "pids"
    monkeypatch.setenv("FAKE_PIDS", str(pids))
    return pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child not yet reaped by its parent is a zombie: dead for us
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


@pytest.mark.skipif(os.name != "posix", reason="the fake soffice is a script with a #! line")
def test_a_hanging_conversion_is_stopped_named_and_the_batch_goes_on(tmp_path, monkeypatch, fake_soffice):
    monkeypatch.setenv("FAKE_HANG", "台山")
    out = tmp_path / "out"
    # --jobs 1: 台山 is rendered, so converted, first (two workers may finish 六枝 first, and
    # LibreOffice then converts it before it hangs: one process, not two)
    res = run("render", TAISHAN, LIUZHI, "-o", out, "-f", "pdf", "--pdf-timeout", "1", "--jobs", "1")
    assert res.exit_code == 1
    assert [line for line in res.stderr.splitlines() if "已确认保留" not in line] == [
        f"{TAISHAN} 错误 P003：LibreOffice 转换 {STEMS[TAISHAN]}.docx 超过 1 秒仍未完成，已停止（其余文件照常转换）："
        "文件很大时请用 --pdf-timeout 放宽时限，或生成 .docx 后用 Word/WPS 另存为 PDF"
    ]
    # -f pdf: only the PDF is kept; 六枝's came from a second process, after the kill
    assert sorted(p.name for p in out.iterdir()) == [f"{STEMS[LIUZHI]}.pdf"]
    assert f"[2/2] 已生成 {out / STEMS[LIUZHI]}.pdf（2 页）" in res.stdout
    pids = [int(p) for p in fake_soffice.read_text().split()]
    assert len(pids) == 2 and not any(_alive(p) for p in pids)
    assert "共 2 个部门：1 个成功，1 个有问题；生成 1 个文件（5 张表，PDF 共 2 页）" in res.stdout


@pytest.mark.skipif(os.name != "posix", reason="the fake soffice is a script with a #! line")
def test_a_file_libreoffice_cannot_load_is_named_and_the_others_convert(tmp_path, monkeypatch, fake_soffice):
    monkeypatch.setenv("FAKE_FAIL", "六枝")
    out = tmp_path / "out"
    res = run("render", LIUZHI, TAISHAN, "-o", out, "--pdf", "-j", "1")
    assert res.exit_code == 1
    p002 = [line for line in res.stderr.splitlines() if " P002：" in line]
    assert p002 == [
        f"{LIUZHI} 错误 P002：LibreOffice 没能把 {STEMS[LIUZHI]}.docx 转成 PDF（LibreOffice 打不开这个文件）："
        "请用 Word/WPS 打开这个 .docx 看是否完好，或在那里另存为 PDF"
    ]
    assert (out / f"{STEMS[TAISHAN]}.pdf").read_bytes().startswith(b"%PDF")
    assert not (out / f"{STEMS[LIUZHI]}.pdf").exists()
    assert (out / f"{STEMS[LIUZHI]}.docx").exists()  # what was rendered stays
    assert len(fake_soffice.read_text().split()) == 1  # one process for the batch


def test_the_time_limit_is_per_file_not_per_batch(tmp_path, monkeypatch):
    """Five files of 0.4 s each under a 1.5 s limit: the batch takes longer than the limit
    and nothing is stopped (the deadline moves with each file LibreOffice gets through)."""
    script = tmp_path / "slow"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import pathlib, sys, time
            args = sys.argv[1:]
            out = pathlib.Path(args[args.index("--outdir") + 1])
            for a in [a for a in args if a.endswith(".docx")]:
                time.sleep(0.4)
                pdf = out / (pathlib.Path(a).stem + ".pdf")
                print(f"convert {{a}} -> {{pdf}} using filter : x", flush=True)
                pdf.write_bytes(b"%PDF-1.6\\n<</Type/Page>>\\n%%EOF")
            """
        ),
        encoding="utf-8",
    )
    script.chmod(0o755)
    sources = []
    for k in range(5):
        src = tmp_path / f"{k}.docx"
        src.write_bytes(b"x")
        sources.append((src, tmp_path / "out" / f"{k}.pdf"))
    results = pdf.convert(sources, timeout=1.5, soffice=str(script))
    assert [(r.target.name, r.pages, r.problem) for r in results] == [(f"{k}.pdf", 1, None) for k in range(5)]


def test_a_long_batch_is_cut_into_command_lines_of_a_few_hundred_files(tmp_path, monkeypatch):
    script = tmp_path / "quick"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import pathlib, sys
            args = sys.argv[1:]
            out = pathlib.Path(args[args.index("--outdir") + 1])
            with open({str(tmp_path / "calls")!r}, "a") as fh:
                fh.write(" ".join(pathlib.Path(a).name for a in args if a.endswith(".docx")) + "\\n")
            for a in [a for a in args if a.endswith(".docx")]:
                pdf = out / (pathlib.Path(a).stem + ".pdf")
                print(f"convert {{a}} -> {{pdf}} using filter : x", flush=True)
                pdf.write_bytes(b"%PDF-1.6\\n<</Type/Page>>\\n%%EOF")
            """
        ),
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setattr(pdf, "PER_PROCESS", 2)
    sources = []
    for k in range(5):
        src = tmp_path / f"{k}.docx"
        src.write_bytes(b"x")
        sources.append((src, tmp_path / "out" / f"{k}.pdf"))
    results = pdf.convert(sources, soffice=str(script))
    assert [r.ok for r in results] == [True] * 5
    assert (tmp_path / "calls").read_text().splitlines() == ["00000.docx 00001.docx", "00002.docx 00003.docx", "00004.docx"]
