"""PDF appraisal summaries: Jinja from templates/pdf/, WeasyPrint imported lazily (only by `render`).

`service.pdf.render` is the one module that imports WeasyPrint, and only when a PDF is made; the web,
worker and reminders functions never load it (tests/pdf/test_import_graph.py).
"""
