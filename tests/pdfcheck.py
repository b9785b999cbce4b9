"""Look at a PDF the way a reader would: is each long text there whole, does any text overlap?

LibreOffice keeps clipped text in the PDF's text layer (hidden by a clip path), so
"the text is in pdftotext's output" alone cannot show clipping. Two checks together can:

* ``appears_whole``: the text's pieces appear in reading order (other cells' pieces may
  interleave, as pdftotext reads a table row line by line across cells);
* ``overlapping_words``: no two words on a page overlap — a cell whose text runs past its
  row bottom writes over the next row, which a correct layout never does.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from lxml import etree

HAVE_SOFFICE = shutil.which("soffice") is not None and shutil.which("pdftotext") is not None
if not HAVE_SOFFICE and os.environ.get("CI"):
    # in CI a missing LibreOffice must fail, not skip: `make test` installs it
    raise RuntimeError("LibreOffice/poppler missing in CI: tools/install-system-deps.sh did not run")


def to_pdf(path: Path) -> Path:
    """Convert with LibreOffice in a private profile (parallel runs don't lock each other).

    One retry in a new profile: on a machine where LibreOffice was just installed, the very
    first conversion of a CI run once exited 1 while the same file converted at the second try
    and in every later run (both attempts' output is in the failure message)."""
    tried = []
    for _attempt in range(2):
        profile = tempfile.mkdtemp(prefix="lo-profile-")
        try:
            done = subprocess.run(
                ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(path.parent), str(path)],
                capture_output=True,
                timeout=240,
            )
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        pdf = path.with_suffix(".pdf")
        if done.returncode == 0 and pdf.exists():
            return pdf
        tried.append(f"exit {done.returncode}: {done.stdout.decode(errors='replace')} {done.stderr.decode(errors='replace')}")
    raise AssertionError(f"LibreOffice wrote no PDF for {path}: " + " | ".join(tried))


def pdf_of(data: bytes, path: Path) -> Path:
    """``data`` written to ``path`` and converted to a PDF beside it."""
    path.write_bytes(data)
    return to_pdf(path)


def pieces(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return text.split()


def appears_whole(target: str, segs: list[str], max_skip: int = 80) -> bool:
    target = "".join(target.split())
    if not target:
        return True

    @functools.cache
    def go(pos: int, j: int) -> bool:
        if pos == len(target):
            return True
        for k in range(j, min(len(segs), j + max_skip)):
            if target.startswith(segs[k], pos) and go(pos + len(segs[k]), k + 1):
                return True
        return False

    return any(target.startswith(s) and go(len(s), i + 1) for i, s in enumerate(segs))


def overlapping_words(pdf: Path) -> list[tuple[int, str, str]]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    doc = etree.fromstring(html, etree.HTMLParser(encoding="utf-8"))
    found = []
    for page_no, page in enumerate(doc.iter("page"), start=1):
        words = sorted(
            (float(w.get("xmin")), float(w.get("ymin")), float(w.get("xmax")), float(w.get("ymax")), w.text or "")
            for w in page.iter("word")
        )
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                if b[0] >= a[2]:
                    break
                ox = min(a[2], b[2]) - max(a[0], b[0])
                oy = min(a[3], b[3]) - max(a[1], b[1])
                if ox > 1 and oy > 0.3 * min(a[3] - a[1], b[3] - b[1]):
                    found.append((page_no, a[4], b[4]))
    return found


def page_texts(pdf: Path) -> list[str]:
    """Text of each page (pdftotext separates pages with form feeds)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    return text.decode("utf-8").split("\f")
