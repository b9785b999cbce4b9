"""Renderers: a form's templates plus the context → the bytes of a .docx or .xlsx file.

Four rooms, each a package:

* ``word/``     the .docx: docxtpl over the Word template, then the Word-strictness pass,
                measuring, page breaks and labels repeated (``word.document.render_docx``)
* ``excel/``    the .xlsx: rows written into a copy of each template sheet, numbers as
                numbers, page layout (``excel.workbook.render_xlsx``)
* ``pages/``    the page model both formats use: how much room text takes, where pages
                break, columns that fit, page numbers, the 目录's page ranges
* ``template/`` what templates may do: the Jinja environment and filters, the sandbox,
                optional columns

The two entry points are imported lazily (by :mod:`goaldoc.api`), so that a run asking for
one format never pays for importing the other's library.
"""
