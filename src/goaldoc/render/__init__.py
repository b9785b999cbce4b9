"""Renderers: a form's templates plus the context → the bytes of a .docx or .xlsx file.

Four rooms, each a package:

* ``word/``     the .docx: docxtpl over the Word template, its row loops made as copies of
                one parsed row (``word.rows``), the tables read once (``word.table``), then
                merging, measuring, page breaks and labels repeated, the Word-strictness
                pass (``word.document.render_docx``)
* ``excel/``    the .xlsx: rows written into a copy of each template sheet, numbers as
                numbers, page layout (``excel.workbook.render_xlsx``)
* ``pages/``    the page model both formats use: how much room text takes, where pages
                break, columns that fit, page numbers, the 目录's page ranges
* ``template/`` what templates may do: the Jinja environment and filters, the sandbox,
                optional columns

The two entry points are imported lazily (by :mod:`goaldoc.api`), so that a run asking for
one format never pays for importing the other's library.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection while a file is built (issue 23 item 3), as
    batch.pause_collector does for a department: a document's elements and a sheet's cells
    are long-lived objects, and the collections their allocation sets off walk them again
    and again for nothing (15-25 % of the CPU at 10,000 rows). The collector is as it was
    afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

