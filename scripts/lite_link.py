"""Sphinx extension: every chapter that is a notebook links to its copy in the in-browser book.

scripts/build_lite.py builds that copy (JupyterLite, in _build/html/lite, with book/'s folders);
`make book` runs it right after Jupyter Book.  The link goes under the page's title.
Configured in `_config.yml` under `sphinx.local_extensions` / `sphinx.config.extensions`.
"""

from docutils import nodes

BOOK = "book/"
LITE_PAGE = "lite/notebooks/index.html?path={path}"
TEXT = "Open this chapter in your browser"
NOTE = " and run it: Python runs in the page, nothing to install."


def lite_url(docname):
    """The in-browser copy of *docname* ("book/faq/rst"), relative to that page."""
    path = docname.removeprefix(BOOK) + ".ipynb"
    return "../" * docname.count("/") + LITE_PAGE.format(path=path)


def add_link(app, doctree, docname):
    if app.builder.format != "html" or not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    link = nodes.reference("", TEXT, refuri=lite_url(docname), internal=False)
    section.insert(1, nodes.paragraph("", "", link, nodes.Text(NOTE), classes=["lite-link"]))


def setup(app):
    app.connect("doctree-resolved", add_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
