"""The Excel renderer: template sheets copied and filled, page layout (``workbook.render_xlsx``)."""
