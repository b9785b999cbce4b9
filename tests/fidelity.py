#!/usr/bin/env python3
# A copy of ../shared/tools/fidelity.py (the workplace's measuring aid), so tests run without ../shared.
"""Content fidelity of rendered forms against a seed document's text.

usage: fidelity.py SEED.txt OUTPUT [OUTPUT ...]   (.docx or .xlsx)

Splits the seed text into cell-sized atoms, normalises both sides, and
prints the share of atoms found in the outputs, with the misses listed.
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


def xlsx_text(path: str) -> str:
    import openpyxl
    wb = openpyxl.load_workbook(path, data_only=True)
    vals = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            vals.extend(str(v) for v in row if v is not None)
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
    want = atoms(seed)
    missed = [a for a in want if a not in hay]
    for a in missed:
        print("miss:", a[:120])
    found = len(want) - len(missed)
    print(f"recall {found / max(1, len(want)):.3f} ({found}/{len(want)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
