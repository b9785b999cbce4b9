"""goaldoc: one YAML file per department and year -> the official 预算绩效目标 forms.

Library first: :func:`goaldoc.api.render` and :func:`goaldoc.api.load` do the work, the
click commands in :mod:`goaldoc.cli` only parse options and print.
"""

__version__ = "0.1.0"
