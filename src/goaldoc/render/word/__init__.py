"""The Word renderer: docxtpl, the strictness pass, measuring and page breaks (``document.render_docx``)."""
