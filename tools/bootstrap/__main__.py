"""Bootstrap the first draft of a region's templates (run once per region).

The .docx/.xlsx files under templates/ are the source of truth: admins edit them in
Word / WPS / Excel, and goaldoc never regenerates them. These scripts only wrote their
first drafts, so that the drafts are reproducible and reviewable. Running one again
overwrites the admins' edits: don't, unless you start a region from scratch:

    python -m tools.bootstrap guangdong
"""

import importlib
import sys

REGIONS = ["guangdong", "guizhou", "gaoxin", "sichuan"]

for name in sys.argv[1:]:
    if name not in REGIONS:
        sys.exit(f"unknown region {name}; known: {REGIONS}")
    importlib.import_module(f"tools.bootstrap.{name}").build()
    print(f"wrote templates/{name}/")
