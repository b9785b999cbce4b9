"""Issue 11 §1: PDF through one LibreOffice process (goaldoc.pdf)."""

from __future__ import annotations

import sys
import textwrap

from goaldoc import pdf


def test_the_time_limit_is_per_file_not_per_batch(tmp_path, monkeypatch):
    """Five files of 0.5 s each under a 2 s limit: the batch takes longer than the limit
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
                time.sleep(0.5)
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
    results = pdf.convert(sources, timeout=2, soffice=str(script))
    assert [(r.target.name, r.pages, r.problem) for r in results] == [(f"{k}.pdf", 1, None) for k in range(5)]
