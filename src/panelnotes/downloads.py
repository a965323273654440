"""Links from each chapter to its PDF handout and to the whole book, when those PDFs were built.

The PDFs come from LaTeX (``make pdf handouts``) and are published beside the HTML through
``html_extra_path``; ``panel_downloads`` names that folder and ``panel_pdf_subdir`` the folder
inside it. ``make html`` alone builds no PDFs, so a page links only to files that exist.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from . import nodes as panel_nodes

BOOK_PDF = "panel-notes.pdf"


def handout_name(docname: str) -> str:
    return f"handout-{posixpath.basename(docname)}.pdf"


def _pdf_dir(app: Sphinx) -> Path:
    return Path(app.confdir, app.config.panel_downloads, app.config.panel_pdf_subdir)


def available_pdfs(app: Sphinx) -> frozenset[str]:
    folder = _pdf_dir(app)
    return frozenset(p.name for p in folder.glob("*.pdf")) if folder.is_dir() else frozenset()


def _pdf_link(app: Sphinx, docname: str, filename: str, text: str) -> nodes.reference:
    depth = docname.count("/")
    uri = "../" * depth + f"{app.config.panel_pdf_subdir}/{filename}"
    ref = nodes.reference("", "", refuri=uri, classes=["panel-download"])
    ref += nodes.Text(text)
    return ref


def fill_downloads(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    # only the website publishes the PDFs beside its pages; an e-book has no such folder
    on_the_site = app.builder.format == "html" and app.builder.name != "epub"
    pdfs = available_pdfs(app) if on_the_site else frozenset()
    for node in list(doctree.findall(panel_nodes.downloads)):
        links = []
        if node["docname"] and handout_name(node["docname"]) in pdfs:
            links.append(_pdf_link(app, docname, handout_name(node["docname"]), "this question as a handout (PDF)"))
        if BOOK_PDF in pdfs:
            links.append(_pdf_link(app, docname, BOOK_PDF, "the whole book (PDF)"))
        if not links:
            node.parent.remove(node)
            continue
        para = nodes.paragraph("", "Download: ", classes=["panel-downloads"])
        for index, link in enumerate(links):
            para += [nodes.Text(" · ")] if index else []
            para += link
        node.replace_self(para)


def pages_to_relink(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """When the set of built PDFs changes, every chapter's links change with it."""
    pdfs = available_pdfs(app)
    previous = getattr(env, "panel_pdfs", None)
    env.panel_pdfs = pdfs
    if previous is None or previous == pdfs:
        return []
    return sorted(q.docname for q in env.get_domain("panel").questions.values())

