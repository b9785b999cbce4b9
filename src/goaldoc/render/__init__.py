"""Renderers: a template plus the context -> bytes of a .docx or .xlsx file.

`docx` and `xlsx` are imported lazily by :mod:`goaldoc.api`, so a run that asks for one
format never pays for importing the other's library.
"""
