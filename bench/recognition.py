"""How surely `goaldoc import` recognises a form (issue 17 item 2): the share of each form's
fixed texts (weighted as importer/recognise.py weighs them) found in

* goaldoc's own output of every sample, through its own form, .docx and .xlsx;
* the forms typed by hand in the tests (tests/fixtures/handmade/forms.py and
  tests/test_import_handmade.py: python-docx / openpyxl, never goaldoc's templates);

against the best share any *other* form reaches on the same file. The threshold
(recognise.ENOUGH) must lie between the two.

    python bench/recognition.py      # prints the table (the figures are in bench/RESULTS.md)
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from goaldoc.api import load, render_bytes
    from goaldoc.importer.files import read_document
    from goaldoc.importer.recognise import ENOUGH, candidates

    rows: list[tuple[str, str, float, str, str, float]] = []

    def measure(label: str, path: Path, right: str) -> None:
        ranked = candidates(read_document(path))
        mine = next((s, f, labels) for s, spec, f, labels in ranked if spec.name == right)
        other = max(((s, spec.name) for s, spec, _f, _l in ranked if spec.name != right), default=(0.0, ""))
        rows.append((label, right, mine[0], f"{len(mine[1])}/{len(mine[2])}", other[1], other[0]))

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for f in sorted((ROOT / "samples").glob("*/*.yaml")):
            loaded = load(f)
            for fmt in loaded.form.formats:
                p = out / f"{f.stem}.{fmt}"
                p.write_bytes(render_bytes(loaded, [fmt])[fmt][1])
                measure(f"goaldoc's {f.stem}.{fmt}", p, loaded.form.name)
        spec = importlib.util.spec_from_file_location("handmade_forms", ROOT / "tests" / "fixtures" / "handmade" / "forms.py")
        assert spec is not None and spec.loader is not None
        forms = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(forms)
        for name, make in forms.MAKERS.items():
            measure(f"by hand {name}", make(out / name), forms.FORMS[name.split(".")[0]])
        import test_import_handmade as t

        for label, make, form in [
            ("enping.docx", t.guangdong_word, "guangdong"),
            ("enping.xlsx", lambda p: t.guangdong_excel(p, True), "guangdong"),
            ("ebian.docx", t.sichuan_word, "sichuan"),
            ("ebian.xlsx", t.sichuan_excel, "sichuan"),
            ("panzhou.docx", t.guizhou_word, "guizhou"),
            ("panzhou.xlsx", t.guizhou_excel, "guizhou"),
            ("xinqu.docx", t.gaoxin_word, "gaoxin"),
            ("xinqu.xlsx", t.gaoxin_excel, "gaoxin"),
        ]:
            measure(f"by hand {label}", make(out / label), form)
    print("| file | its form | share found | texts | best other form | its share |")
    print("|---|---|---|---|---|---|")
    for label, right, share, count, other, other_share in rows:
        print(f"| {label} | {right} | {share:.2f} | {count} | {other} | {other_share:.2f} |")
    print()
    print(f"lowest share of the right form: {min(r[2] for r in rows):.2f}; highest of another form: {max(r[5] for r in rows):.2f}; threshold (recognise.ENOUGH): {ENOUGH}")


if __name__ == "__main__":
    from results import arguments

    arguments(__doc__)
    main()
