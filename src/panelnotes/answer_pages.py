"""Each answer's own page, ``answers/<anchor>.html``: a short address without a fragment, which link
previews keep (unfurlers drop the ``#fragment`` of a chapter's address), with its own title,
description and card. It shows the answer as its chapter does (stance, summary, excerpts), a link
to the answer in its chapter, and every citation format.

The pages are made from the domain's answers and the chapters' doctrees once every chapter has
been written (``html-collect-pages``), so they are neither sources to keep in step nor pages the
search index, the PDF or the e-book holds: a search finds the chapter, not both.
"""

from __future__ import annotations

import html
from typing import Any, cast

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging
from sphinx.util.osutil import relative_uri
from sphinx.writers.html5 import HTML5Translator

from . import nodes as panel_nodes
from .citing import ANSWER_PAGES, answer_description, answer_pagename, answer_title, web_build
from .domain import AnswerRecord, PanelDomain
from .messages import _


def answer_doctree(app: Sphinx, answer: AnswerRecord, pagename: str) -> nodes.document:
    """The page's doctree, resolved as if it were a document: a title, where the answer stands,
    the answer as its chapter shows it, and a cite box."""
    chapter = app.env.get_doctree(answer.docname)  # a fresh copy, unresolved
    found = [n for n in chapter.findall(panel_nodes.answer) if answer.anchor in n["ids"]]
    body = found[0].deepcopy()
    chapter_title = app.env.titles[answer.docname].astext()
    document = chapter  # keeps the chapter's settings and reporter
    document.children = []
    document["panel_answer_page"] = answer.anchor
    section = nodes.section(ids=[f"{ANSWER_PAGES}-{answer.anchor}"], names=[answer.anchor])
    section += nodes.title("", answer_title(app, answer))
    where = nodes.paragraph("", "", classes=["panel-answer-context"])
    refuri = f"{app.builder.get_relative_uri(pagename, answer.docname)}#{answer.anchor}"
    chapter_link = nodes.reference("", chapter_title, internal=True, refuri=refuri)
    where += [nodes.Text(_("In its chapter:") + " "), chapter_link]
    section += where
    section += body
    cite = nodes.section(ids=["cite-this-answer"], names=["cite this answer"], classes=["panel-cite-box"])
    cite += nodes.title("", _("Cite this answer"))
    cite += panel_nodes.citation_formats(kind="answer", target=pagename)
    section += cite
    document += section
    with logging.suppress_logging():  # its chapter reported every unresolved reference once
        app.env.resolve_references(document, pagename, app.builder)
    _point_at_chapter(document, app.builder.get_relative_uri(pagename, answer.docname))
    return document


def _point_at_chapter(document: nodes.document, chapter_uri: str) -> None:
    """A link within the chapter to an anchor this page does not have goes to the chapter."""
    ids = {i for node in document.findall(nodes.Element) for i in node["ids"]}
    for ref in document.findall(nodes.reference):
        if ref.get("refid") and ref["refid"] not in ids:
            ref["refuri"] = f"{chapter_uri}#{ref['refid']}"
            del ref["refid"]


def write_answer_page(app: Sphinx, answer: AnswerRecord) -> None:
    builder = cast(StandaloneHTMLBuilder, app.builder)
    pagename = answer_pagename(answer)
    document = answer_doctree(app, answer, pagename)
    # as StandaloneHTMLBuilder.write_doc does for a document
    document.settings = builder.docsettings
    builder.secnumbers, builder.fignumbers = {}, {}
    builder.imgpath = relative_uri(builder.get_target_uri(pagename), "_images")
    builder.dlpath = relative_uri(builder.get_target_uri(pagename), "_downloads")
    builder.current_docname = pagename
    visitor = cast(HTML5Translator, builder.create_translator(document, builder))
    document.walkabout(visitor)
    chapter = {
        "link": builder.get_relative_uri(pagename, answer.docname),
        "title": builder.render_partial(app.env.titles[answer.docname])["title"],
    }
    context: dict[str, Any] = {
        "parents": [chapter],
        "prev": None,
        "next": None,
        "title": html.escape(answer_title(app, answer)),
        "pagetitle": answer_title(app, answer),  # sphinx-book-theme's printed title (of a document, from its titles)
        # sphinxext-opengraph reads og: fields here; the description is the page's, not the chapter's
        "meta": {"og:description": answer_description(app, answer)},
        "body": "".join(visitor.fragment),
        "metatags": "",
        "rellinks": builder.globalcontext["rellinks"][:],
        "toc": "",
        "display_toc": False,
    }
    builder.handle_page(pagename, context, event_arg=document)


def html_collect_pages(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """Write every answer's page (handled here, with its doctree, so that the head's metadata and
    the card are made as for a document); none for the e-book."""
    if not web_build(app) or not isinstance(app.builder, StandaloneHTMLBuilder):
        return []
    domain = cast(PanelDomain, app.env.get_domain("panel"))
    for answer in domain.ordered_answers():
        write_answer_page(app, answer)
    return []


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-collect-pages", html_collect_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
