#!/usr/bin/env python3
# A copy of ../shared/tools/fidelity.py as it is now (it scores a text by its “## (2)” row layout, which the
# cycle texts carry; tests/fidelity.py is the older copy the region tests were measured with).
"""Content fidelity of rendered forms against a seed document's text.

usage: fidelity.py SEED.txt OUTPUT [OUTPUT ...]   (.docx or .xlsx)

Splits the seed text into cell-sized atoms, normalises both sides, and
prints the share of atoms found in the outputs, with the misses listed.
A source whose header notes say its cell boundaries were lost (flattened, scrambled) is
scored by 8-character windows of its text instead of by cells; one that carries its own row
layout (a '## (2) Row layout' section) by that layout's cells.
Last line: 'recall N.NNN (found/total)'.
"""
import re
import sys
import unicodedata
import zipfile


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    s = re.sub(r"\$\\geq\s*", "≥", s)
    s = re.sub(r"\$\\leq\s*", "≤", s)
    s = s.replace("\\%$", "%").replace("$", "").replace("\\%", "%")
    s = re.sub(r"</?p>", "", s)
    s = s.replace("≧", "≥").replace("≦", "≤").replace("＞", ">").replace("＜", "<")
    s = s.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    s = s.replace("【", "[").replace("】", "]").replace("〔", "[").replace("〕", "]")
    s = s.replace("—", "-").replace("－", "-").replace("–", "-")
    s = s.replace("、", ",").replace("；", ";").replace("。", ".")
    return re.sub(r"\s+", "", s)


def atoms(seed_text: str) -> list[str]:
    out = []
    for line in seed_text.splitlines():
        # the flattened "1.2.3 key: v1, v2, " style
        m = re.match(r"^\s*\d+(\.\d+)*\s+([^:：]+)[:：]\s*(.*)$", line)
        parts = []
        if m:
            parts.append(m.group(2))
            parts.extend(p for p in re.split(r",\s+", m.group(3)) if p)
        elif line.lstrip().startswith(("#", "http://", "https://", "[...")):
            continue  # notes and source lines of the collected samples, not cells
        else:
            parts.extend(re.split(r"\t|\|", line))
        for p in parts:
            n = norm(p).strip(",")
            if len(n) < 2 or n in {"None"} or re.fullmatch(r"\d{1,2}", n):
                continue
            out.append(n)
    return out


def flat_atoms(seed_text: str) -> list[str]:
    """For a source whose cell boundaries were lost (its header says flattened or scrambled):
    8-character windows, every 4 characters, of each whitespace-separated run of its body."""
    out = []
    for line in seed_text.splitlines():
        if line.lstrip().startswith(("#", "http://", "https://", "[...")) or line.strip().endswith((".docx", ".pdf", ".doc")):
            continue
        for run in line.split():
            n = norm(run)
            if len(n) < 2 or re.fullmatch(r"\d{1,2}", n):
                continue
            if len(n) <= 12:
                out.append(n)
            else:
                out.extend(n[i:i + 8] for i in range(0, len(n) - 7, 4))
    return out


def is_flat(seed_text: str) -> bool:
    head = "\n".join(l for l in seed_text.splitlines()[:8] if l.lstrip().startswith("#"))
    return bool(re.search(r"flattened|scrambled|cell boundaries lost", head, re.I))


def seed_atoms(seed_text: str) -> list[str]:
    """A text that carries its own row layout ('## (2) Row layout', cells between '|') is scored by
    that layout's cells; its glosses in [brackets] are notes, not cells. Otherwise by cells, or by
    windows when its cell boundaries were lost."""
    m = re.search(r"^## \(2\).*$", seed_text, re.M)
    if m:
        return [a for a in atoms(seed_text[m.end():]) if "[" not in a and "..." not in a]
    return flat_atoms(seed_text) if is_flat(seed_text) else atoms(seed_text)


def docx_text(path: str) -> str:
    with zipfile.ZipFile(path) as z:
        chunks = []
        for name in z.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8", "replace")
                # paragraph and cell boundaries become separators
                xml = re.sub(r"</w:p>|</w:tc>", "\n", xml)
                chunks.append("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>|\n", xml)))
                chunks.append(" ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)))
        return "\n".join(chunks)


def shown(cell) -> str:
    """A cell as Excel shows it: numbers through their number format's decimals and separators."""
    v = cell.value
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    fmt = (cell.number_format or "General").split(";")[0]
    if fmt == "General":
        return str(v)
    m = re.search(r"0\.(0+)", fmt)
    places = len(m.group(1)) if m else 0
    text = f"{v:,.{places}f}" if "," in fmt else f"{v:.{places}f}"
    return text + ("%" if fmt.endswith("%") else "")


def xlsx_text(path: str) -> str:
    import openpyxl
    wb = openpyxl.load_workbook(path, data_only=True)
    vals = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            vals.extend(shown(c) for c in row if c.value is not None)
    return "\n".join(vals)


def unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"').replace("&apos;", "'")


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    seed = open(sys.argv[1], encoding="utf-8").read()
    text = ""
    for p in sys.argv[2:]:
        text += unescape(docx_text(p)) if p.endswith(".docx") else xlsx_text(p)
    hay = norm(text)
    want = seed_atoms(seed)
    missed = [a for a in want if a not in hay]
    for a in missed:
        print("miss:", a[:120])
    found = len(want) - len(missed)
    print(f"recall {found / max(1, len(want)):.3f} ({found}/{len(want)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
