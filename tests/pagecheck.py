# ruff: noqa  (a verbatim copy of ../shared/tools/pagecheck.py: a script of its own style)
# A copy of ../shared/tools/pagecheck.py (issue 9), so the suite checks the printed pages
# without the shared folder; keep it in step with the original.
#!/usr/bin/env python3
"""What a reviewer sees on paper: print-layout defects of rendered forms.

usage: pagecheck.py DATA.yaml FILE [FILE ...]      (FILE: .docx, .xlsx or .pdf)

Each .docx/.xlsx is converted with LibreOffice (soffice --headless --convert-to pdf);
each PDF page's text is read with pdftotext. DATA.yaml is the department's data the
files were rendered from: it tells which texts are indicator rows, amounts and
signature labels. Checks, page by page:

  header-missing   a page with indicator rows but no grid heading (二级指标/三级指标 …)
  header-stranded  a grid or task-table heading that ends its page with no row under it
  signature-alone  the signature block on a page with no table row of the form
  number-wrapped   an amount of the data broken over two lines
  no-page-number   a page with no page number (第 N 页, N/M, - N -), covers excepted
  mostly-empty     a page less than 40% filled that is followed by more of the same form

Prints one line per defect, then 'page defects N in M files (P pages)'. Exit 1 if N > 0.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

GRID_HEADING = re.compile(r"(二级指标|三级指标|绩效指标分类|^二级$|^三级$)", re.M)
HEADING_WORD = re.compile(r"^(二级指标|三级指标|绩效指标分类|二级|三级)$")
TASK_HEADING = re.compile(r"主要实施内容")
PAGE_NUMBER = re.compile(r"(第\s*\d+\s*页|^\s*[-—]?\s*\d+\s*[-—]?\s*$|\d+\s*/\s*\d+)")
SIGNATURE = re.compile(r"(单位负责人|财务负责人|填表人|经办人)")
COVER = re.compile(r"(附件\s*\d|封面|目\s*录)")


def walk(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (str(k),))
    elif isinstance(node, list):
        for v in node:
            yield from walk(v, path)
    else:
        yield path, "" if node is None else str(node)


def squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


def facts(data_file: Path):
    data = yaml.load(data_file.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader) or {}
    names, amounts = set(), set()
    for path, text in walk(data):
        if not text:
            continue
        if path and path[-1] == "name" and "indicators" in path and len(squeeze(text)) >= 4:
            names.add(squeeze(text)[:14])
        if path and path[-1] in {"amount", "funds", "total", "fiscal", "other"}:
            if re.fullmatch(r"[\d,]+\.\d+", text.strip()) and len(text.strip()) >= 6:
                amounts.add(text.strip())
    return names, amounts


def to_pdf(f: Path, tmp: Path) -> Path:
    if f.suffix.lower() == ".pdf":
        return f
    out = tmp / f.suffix.lstrip(".")
    out.mkdir(exist_ok=True)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(f)],
        check=True, capture_output=True, timeout=300,
    )
    return out / (f.stem + ".pdf")


def pages_of(pdf: Path) -> list[str]:
    raw = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True).stdout
    pages = raw.decode("utf-8", "replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def boxes(pdf: Path) -> list[tuple[float, list[tuple[float, float, str]]]]:
    """Per page: (height, [(yMin, yMax, word)]) from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True).stdout.decode("utf-8", "replace")
    out = []
    for height, body in re.findall(r"<page width=\"[\d.]+\" height=\"([\d.]+)\">(.*?)</page>", html, re.S):
        words = [
            (float(a), float(b), w)
            for a, b, w in re.findall(r"yMin=\"([\d.]+)\" xMax=\"[\d.]+\" yMax=\"([\d.]+)\">([^<]*)</word>", body)
        ]
        out.append((float(height), words))
    return out


def fill_ratio(page: tuple[float, list[tuple[float, float, str]]]) -> float:
    """How far down the page its text reaches (0..1), a footer line in the bottom 8% aside."""
    height, words = page
    ys = [b for _, b, _ in words if b < 0.92 * height]
    return max(ys) / height if ys else 0.0


def stranded(page: tuple[float, list[tuple[float, float, str]]], rx: re.Pattern) -> bool:
    """A heading with nothing but the rest of its own row (and the footer) below it."""
    height, words = page
    body = [(a, b, w) for a, b, w in words if b < 0.92 * height]
    heads = [b for a, b, w in body if rx.search(w)]
    if not heads or not body:
        return False
    top = min(a for a, _, _ in body)
    head_top = min(a for a, b, w in body if rx.search(w))
    if head_top - top < 0.05 * height:  # a heading at the top of the page is a repeat
        return False
    below = "".join(w for a, b, w in body if a > max(heads) + 2)
    return len(below) <= 40


def check(data_file: Path, files: list[Path]) -> int:
    names, amounts = facts(data_file)
    defects = 0
    total_pages = 0
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for f in files:
            pdf = to_pdf(f, tmp)
            pages = pages_of(pdf)
            pboxes = boxes(pdf)
            total_pages += len(pages)
            label = f.name

            def report(n: int, kind: str, what: str) -> None:
                nonlocal defects
                defects += 1
                print(f"{label} p{n}: {kind}: {what}")

            # a page holds indicator rows when two or more of its lines begin with an
            # indicator name of the data (narrative text that mentions one seldom does)
            def rows_on(p: str) -> bool:
                ls = [squeeze(ln) for ln in p.splitlines() if ln.strip()]
                starts = ["".join(ls[k : k + 3]) for k in range(len(ls))]  # a cell wraps over lines
                return sum(any(st.startswith(nm) for st in starts) for nm in names) >= 2

            has_rows = [rows_on(p) for p in pages]
            for i, page in enumerate(pages, start=1):
                lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
                body = [ln for ln in lines if not PAGE_NUMBER.search(ln)]
                flat = squeeze(page)
                row = has_rows[i - 1]
                heading = GRID_HEADING.search(flat) or any(GRID_HEADING.search(ln) for ln in lines)
                if row and not heading:
                    report(i, "header-missing", "indicator rows without the grid heading")
                for rx, what in ((HEADING_WORD, "indicator grid"), (TASK_HEADING, "task table")):
                    if i < len(pages) and i - 1 < len(pboxes) and stranded(pboxes[i - 1], rx):
                        report(i, "header-stranded", f"{what} heading at the foot of the page")
                if SIGNATURE.search(flat) and not row and not TASK_HEADING.search(flat) and i > 1 and has_rows[i - 2]:
                    report(i, "signature-alone", "signature block on a page of its own")
                for a in amounts:
                    if squeeze(a) in flat and a not in page and a.replace(",", "") not in page:
                        report(i, "number-wrapped", a)
                if not any(PAGE_NUMBER.search(ln) for ln in lines[-3:] + lines[:2]) and not (i == 1 and COVER.search(flat[:80])):
                    report(i, "no-page-number", "")
                fill = fill_ratio(pboxes[i - 1]) if i - 1 < len(pboxes) else 1.0
                if i < len(pages) and fill < 0.40:
                    nxt = pages[i]
                    new_form = bool(re.search(r"(表|目录|封面)", "".join(nxt.strip().splitlines()[:2])))
                    if not new_form:
                        report(i, "mostly-empty", f"text ends at {fill:.0%} of the page")
    print(f"page defects {defects} in {len(files)} files ({total_pages} pages)")
    return defects


def main() -> None:
    if len(sys.argv) < 3 or not shutil.which("soffice") or not shutil.which("pdftotext"):
        print(__doc__)
        sys.exit(2)
    n = check(Path(sys.argv[1]), [Path(a) for a in sys.argv[2:]])
    sys.exit(1 if n else 0)


if __name__ == "__main__":
    main()
