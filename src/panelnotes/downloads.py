"""Links from each chapter to its PDF handout and to the whole book, when those PDFs were built.

The PDFs come from LaTeX (``make pdf handouts``) and are published beside the HTML through
``html_extra_path``; ``panel_downloads`` names that folder and ``panel_pdf_subdir`` the folder
inside it. ``make html`` alone builds no PDFs, so a page links only to files that exist.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.osutil import relative_uri

from . import nodes as panel_nodes
from .messages import _

BOOK_PDF = "panel-notes.pdf"


def handout_name(docname: str) -> str:
    return f"handout-{posixpath.basename(docname)}.pdf"


def available_pdfs(app: Sphinx) -> frozenset[str]:
    folder = Path(app.config.panel_downloads, app.config.panel_pdf_subdir)
    return frozenset(p.name for p in folder.glob("*.pdf")) if folder.is_dir() else frozenset()


def pdf_uri(app: Sphinx, docname: str, filename: str) -> str:
    """The PDF's address relative to the page of *docname*, whatever the builder's URL scheme."""
    return relative_uri(app.builder.get_target_uri(docname), f"{app.config.panel_pdf_subdir}/{filename}")


def builder_inited(app: Sphinx) -> None:
    """Note the PDFs beside the site; when they changed, every chapter's links change with them."""
    data = app.env.get_domain("panel").data
    pdfs = available_pdfs(app)
    data["pdfs_changed"] = data["pdfs"] is not None and data["pdfs"] != pdfs
    data["pdfs"] = pdfs


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each downloads stand-in with links to the PDFs that exist (on the website only:
    an e-book has no such folder)."""
    on_the_site = app.builder.format == "html" and app.builder.name != "epub"
    pdfs = app.env.get_domain("panel").data["pdfs"] if on_the_site else frozenset()
    for node in list(doctree.findall(panel_nodes.downloads)):
        links = []
        if node["docname"] and handout_name(node["docname"]) in pdfs:
            links.append((handout_name(node["docname"]), _("this question as a handout (PDF)")))
        if BOOK_PDF in pdfs:
            links.append((BOOK_PDF, _("the whole book (PDF)")))
        if not links:
            node.parent.remove(node)
            continue
        para = nodes.paragraph("", _("Download:") + " ", classes=["panel-downloads"])
        for index, (filename, text) in enumerate(links):
            if index:
                para += nodes.Text(" · ")
            para += nodes.reference("", text, refuri=pdf_uri(app, docname, filename), classes=["panel-download"])
        node.replace_self(para)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_downloads", "_build/downloads", "html", types=[str])
    app.add_config_value("panel_pdf_subdir", "pdf", "html", types=[str])
    app.connect("builder-inited", builder_inited)
    app.connect("doctree-resolved", doctree_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
