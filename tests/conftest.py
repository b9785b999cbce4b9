from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

# The tests' own temporary folder, not the machine's: goaldoc's runs sweep the temporary folder
# for what killed runs left and say so (goaldoc.locks), and a clerk's run or another test
# session on the same machine must not put such a line into a test's exact output (seen on CI:
# a folder an interrupted run left in /tmp showed in test_batch's refused-collision message).
_TEMP = Path(tempfile.mkdtemp(prefix="goaldoc-tests-"))
os.environ["TMPDIR"] = str(_TEMP)
tempfile.tempdir = None  # gettempdir() reads TMPDIR again
# Compiled templates kept between `goaldoc render` runs (render/template/codecache.py): the
# session's own folder, never the user's; made here, so that no test's exact output carries the
# one-time "made the folder" note (tests/test_codecache.py checks that note in folders of its own)
os.environ["GOALDOC_CACHE"] = str(_TEMP / "cache")

from goaldoc.api import load, render_bytes  # noqa: E402
from goaldoc.render.template import codecache  # noqa: E402
from goaldoc.values import normalise_text  # noqa: E402

codecache.start()
codecache.stop()  # on again only where `goaldoc render` turns it on, as outside the tests


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    shutil.rmtree(_TEMP, ignore_errors=True)

# the shared helpers' asserts report their values like a test's
pytest.register_assert_rewrite("bundles")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"  # copies of the published forms (README there)

_WIDTH = str.maketrans("（）：，；", "():,;")


def norm(text: str) -> str:
    """For comparing a seed's text with ours: whitespace, full/half-width punctuation and
    sign variants aside (goaldoc prints 指标值 with ≧ as ≥, ＝ as =: issue 4 §1)."""
    return "".join(normalise_text(text).split()).translate(_WIDTH)


def zip_members(path: Path) -> dict[str, bytes]:
    """A .docx / .xlsx's members, the save time in docProps/core.xml aside (it is the clock's):
    for comparing two runs' files."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        out = {n: z.read(n) for n in z.namelist()}
    if "docProps/core.xml" in out:
        out["docProps/core.xml"] = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*<", b"<", out["docProps/core.xml"])
    return out


def seed_cells(name: str) -> list[str]:
    """Every non-empty cell of a seed text, extraction artefacts undone."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    text = re.sub(r"</?p>", " ", text)
    text = re.sub(r"\$\\geq\s*([\d.]+)\\%\$", r"≥\1%", text)
    text = re.sub(r"\$\\leq\s*([\d.]+)\\%\$", r"≤\1%", text)
    cells = []
    for line in text.splitlines():
        for cell in line.split("\t"):
            if cell.strip():
                cells.append(cell.strip())
    return cells


@pytest.fixture(scope="session")
def taishan():
    return load(SAMPLES / "2024" / "taishan.yaml")


@pytest.fixture(scope="session")
def taishan_files(taishan):
    """{format: bytes} of the Guangdong bundle, rendered once for the session."""
    return {fmt: data for fmt, (_stem, data) in render_bytes(taishan).items()}


SAMPLE_FILES = {"taishan": "2024/taishan.yaml", "gaoxin": "2024/gaoxin.yaml", "liuzhi": "2023/liuzhi.yaml", "jingyan": "2024/jingyan.yaml"}


@pytest.fixture(scope="session")
def sample_files(taishan):
    """{(sample, format): bytes} of the four samples, rendered once for the session."""
    out = {}
    for stem, rel in SAMPLE_FILES.items():
        loaded = taishan if stem == "taishan" else load(SAMPLES / rel)
        for fmt, (_stem, data) in render_bytes(loaded).items():
            out[(stem, fmt)] = data
    return out


def convert_all(files: dict, folder: Path) -> dict:
    """{key: PDF} of {key: .docx/.xlsx bytes}, two LibreOffice conversions at a time (the
    machines running the suite have two cores)."""
    from concurrent.futures import ThreadPoolExecutor

    from pdfcheck import HAVE_SOFFICE, pdf_of

    if not HAVE_SOFFICE:
        pytest.skip("LibreOffice/poppler not installed: run make deps")

    def one(item):
        key, data = item
        name = "-".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        fmt = key[-1] if isinstance(key, tuple) else "docx"
        return key, pdf_of(data, folder / f"{name}.{fmt}")

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, files.items()))


@pytest.fixture(scope="session")
def sample_pdfs(sample_files, tmp_path_factory):
    """{(sample, format): PDF} of the four samples, each converted once for the session."""
    return convert_all(sample_files, tmp_path_factory.mktemp("samples-pdf"))


# What the default form's paper cannot leave blank (issue 16: E306 财政供养人员数 / 下属二级单位数,
# E308 indicators): appended right after a small file's `  name: …` under `department:`, it
# makes the file render.
DEFAULT_FORM_FILLED = """\
  staff_count: 10
  subunit_count: 1
indicators:
  - {level1: 产出指标, level2: 数量指标, name: 招聘会场次, value: ≥10 场}
  - {level1: 产出指标, level2: 质量指标, name: 合规率, value: 100%}
  - {level1: 效益指标, level2: 社会效益指标, name: 就业人数, value: ≥5000 人}
  - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥95%}
"""
