"""Clark names of WordprocessingML tags and attributes: ``qn("w:p")`` is
``{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p``.

python-docx's ``qn`` splits the prefix and looks the namespace up at every call, and the
passes over a rendered form call it about 9,000 times a form (issue 23: 4 % of the Word
render's time in a county round). The names are few: each is worked out once per process.
"""

from __future__ import annotations

import functools

from docx.oxml.ns import qn as _qn

qn = functools.cache(_qn)
