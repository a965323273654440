"""How to cite the notes: the book, each chapter and each answer is one record (``citations``),
shown in every format in a cite box (chapters, the pages listed in ``panel_cite_pages``, the
how-to-cite page) or in a Cite control beside each answer's permalink; and described in the head
of its page (Highwire tags, JSON-LD) and by a COinS span, for reference managers. Only those pages
claim to be citable works. Authors and release date come from CITATION.cff; the title from
``project`` (conf.py reads it from CITATION.cff, or gives the edition's own); the version from the
package metadata (pyproject.toml); the site's address from ``html_baseurl``, when known."""

from __future__ import annotations

import html
import posixpath
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urljoin

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import downloads, editions, sources
from . import nodes as panel_nodes
from .citations import FORMATS, Citable, Work, coins, highwire, json_ld, render
from .directives import question_label
from .domain import AnswerRecord, PanelDomain
from .messages import _, chinese_edition

logger = logging.getLogger(__name__)

ANSWER_PAGES = "answers"  #: the folder of the answers' own pages (see ``answer_pages``)
BOOK_KEY = "panelnotes"


@lru_cache(maxsize=2)
def _read_cff(path: Path, mtime_ns: int) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def the_work(config: Config) -> Work:
    path = Path(config.panel_citation_file)
    cff = _read_cff(path, path.stat().st_mtime_ns)
    names = tuple(
        a.get("name") or " ".join(filter(None, (a.get("given-names"), a.get("family-names")))) for a in cff["authors"]
    )
    language = editions.current(config).tag if config.panel_editions else str(config.language or "en")
    return Work(config.project, names, str(cff["date-released"]), config.release, language)


def answer_pagename(answer: AnswerRecord) -> str:
    return f"{ANSWER_PAGES}/{answer.anchor}"


def page_url(app: Sphinx, docname: str) -> str:
    """The page's published address, or "" when the build does not know the site's address. A
    PDF or e-book build has no HTML URIs (LaTeX's raise NoUri): it names the page as Sphinx's HTML
    builder does."""
    base: str = app.config.html_baseurl
    if not base:
        return ""
    if app.builder.format == "html":
        return urljoin(base, app.builder.get_target_uri(docname))
    suffix: str = app.config.html_link_suffix or app.config.html_file_suffix or ".html"
    return urljoin(base, quote(docname) + suffix)


def _domain(app: Sphinx) -> PanelDomain:
    return cast(PanelDomain, app.env.get_domain("panel"))


def attribution_caveat(attribution: str) -> str | None:
    """What every citation of an answer adds when the transcript does not name its speaker."""
    return {"inferred": _("speaker identified by inference"), "uncertain": _("speaker uncertain")}.get(attribution)


def answer_title(app: Sphinx, answer: AnswerRecord) -> str:
    """e.g. "Saining Xie on Q5: Autoregressive vs diffusion (speaker identified by inference)"."""
    speaker = sources.speakers(app.env).get(answer.speaker)
    name = speaker.display_name(chinese_edition(app.config)) if speaker else answer.speaker
    question = next(q for q in _domain(app).questions.values() if q.id == answer.question)
    title = _("%(speaker)s on %(label)s: %(short)s") % {
        "speaker": name,
        "label": question_label(app.config, question),
        "short": question.short,
    }
    caveat = attribution_caveat(answer.attribution)
    return _("%(title)s (%(caveat)s)") % {"title": title, "caveat": caveat} if caveat else title


def answer_description(app: Sphinx, answer: AnswerRecord) -> str:
    """The stance, led by the caveat where the speaker is inferred or uncertain."""
    caveat = attribution_caveat(answer.attribution)
    if not caveat:
        return answer.stance
    return _("%(caveat)s. %(stance)s") % {"caveat": caveat[:1].upper() + caveat[1:], "stance": answer.stance}


def answer_record(app: Sphinx, answer: AnswerRecord) -> Citable:
    return Citable(
        "answer",
        f"{BOOK_KEY}-{answer.anchor}",
        answer_title(app, answer),
        the_work(app.config),
        page_url(app, answer_pagename(answer)),
        answer_description(app, answer),
    )


def answer_by_page(app: Sphinx, pagename: str) -> AnswerRecord | None:
    folder, _sep, anchor = pagename.partition("/")
    if folder != ANSWER_PAGES:
        return None
    return next((a for a in _domain(app).answers if a.anchor == anchor), None)


def is_chapter(app: Sphinx, docname: str) -> bool:
    """A chapter: a page with a panel question, or one that ``panel_cite_pages`` lists (the synthesis)."""
    return docname in _domain(app).questions or docname in app.config.panel_cite_pages


def record_for_page(app: Sphinx, pagename: str) -> Citable | None:
    """The citable work a page is: the book (the root page), a chapter or an answer; else None."""
    work = the_work(app.config)
    if pagename == app.config.root_doc:
        return Citable("book", BOOK_KEY, work.title, work, app.config.html_baseurl if page_url(app, pagename) else "")
    answer = answer_by_page(app, pagename)
    if answer is not None:
        return answer_record(app, answer)
    if is_chapter(app, pagename) and pagename in app.env.titles:
        question = _domain(app).questions.get(pagename)
        key = f"{BOOK_KEY}-{question.id if question else posixpath.basename(pagename)}"
        title = app.env.titles[pagename].astext()
        description = app.env.metadata.get(pagename, {}).get("og:description", "")
        return Citable("chapter", key, title, work, page_url(app, pagename), description)
    return None


def format_nodes(record: Citable, formats: tuple[str, ...] | None = None) -> list[nodes.Node]:
    """The record in every format (or those named), each with its label, ready to copy."""
    labels = {"citation": _("Citation (APA)")}
    result: list[nodes.Node] = []
    for name, label, lexer in FORMATS:
        if formats is not None and name not in formats:
            continue
        text = render(record, name)
        result.append(nodes.paragraph("", labels.get(name, label), classes=["panel-cite-label"]))
        result.append(nodes.literal_block(text, text, language=lexer, classes=[f"panel-cite-{name}"]))
    return result


class NotesCitationDirective(SphinxDirective):
    """How to cite the notes as a whole (the how-to-cite page)."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(self.config.panel_citation_file)
        return [panel_nodes.citation_formats(kind="book", target="")]


class AnswerCitationDirective(SphinxDirective):
    """One answer's citation in every format, as its Cite control gives it: ``{answer-citation} anchor``
    (the how-to-cite page's example)."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(self.config.panel_citation_file)
        stand_in = panel_nodes.citation_formats(kind="answer", target=f"{ANSWER_PAGES}/{self.arguments[0]}")
        self.set_source_info(stand_in)
        return [stand_in]


def add_cite_box(app: Sphinx, doctree: nodes.document) -> None:
    """A chapter ends with how to cite it (filled in at doctree-resolved, when the address is known)."""
    env = app.env
    if not is_chapter(app, env.docname):
        return
    env.note_dependency(app.config.panel_citation_file)
    # on the web page only: a printed handout has its title and version on its first page, and
    # the four-page limit leaves no room for a BibTeX block
    web_only = addnodes.only(expr="html")
    question = _domain(app).questions.get(env.docname)
    label = _("Cite this chapter") if question else _("Cite this page")
    section = nodes.section(ids=["cite-this-chapter"], names=["cite this chapter"], classes=["panel-cite-box"])
    section += nodes.title("", label)
    section += panel_nodes.citation_formats(kind="chapter", target=env.docname)
    if question:
        section += nodes.paragraph(
            "", _("To cite one answer, use its Cite button, beside the answer's ¶ link: it names the speaker.")
        )
    web_only += section
    chapter = cast(nodes.Element, doctree[0])
    chapter += web_only  # inside the chapter's top-level section, so it is in the page's contents
    doctree[0] = chapter  # (re-set, as ``doctree[0] += web_only`` did)


def add_page_description(app: Sphinx, doctree: nodes.document) -> None:
    """A one-line description for link previews of chapter and speaker pages (left alone, the
    preview would quote the first paragraph: the question in Chinese)."""
    env = app.env
    domain = _domain(app)
    question = domain.questions.get(env.docname)
    profile = cast(
        "nodes.section | None",
        next(
            iter(doctree.findall(lambda n: isinstance(n, nodes.section) and "panel-speaker-page" in n["classes"])),
            None,
        ),
    )
    if question is not None:
        title = next(iter(doctree.findall(nodes.title))).astext()
        speakers = sources.speakers(env)
        names = list(
            dict.fromkeys(
                speakers[a.speaker].name for a in domain.answers if a.docname == env.docname and a.speaker in speakers
            )
        )
        asked = _("an audience question") if question.from_audience else _("question %s") % question.number
        text = _("%(title)s — %(asked)s at %(event)s") % {
            "title": title,
            "asked": asked,
            "event": app.config.panel_event,
        }
        text += (_(", with the answers of %s.") % _join(names)) if names else "."
    elif profile is not None:
        text = _("%(name)s at %(event)s: who they are, and every answer they gave.") % {
            "name": profile[0].astext(),
            "event": app.config.panel_event,
        }
    else:
        return
    env.metadata[env.docname]["og:description"] = text  # sphinxext-opengraph takes og: fields from here


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + _(" and ") + names[-1]


def doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    add_cite_box(app, doctree)
    add_page_description(app, doctree)


def web_build(app: Sphinx) -> bool:
    """Whether this build makes web pages (cite controls and answer pages are for those alone)."""
    return app.builder.format == "html" and app.builder.name != "epub"


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill in the cite boxes, and give each answer of a chapter its Cite control."""
    for stand_in in list(doctree.findall(panel_nodes.citation_formats)):
        record = record_for_page(app, app.config.root_doc if stand_in["kind"] == "book" else stand_in["target"])
        # a printed page keeps the plain citation and the BibTeX; the web page has every format
        formats = None if app.builder.format == "html" else ("citation", "bibtex")
        if record is None and stand_in["kind"] == "answer":
            logger.warning(
                f"no answer has the anchor {stand_in['target'].partition('/')[2]!r}",
                location=stand_in,
                type="panel",
                subtype="unknown_answer",
            )
        stand_in.replace_self(format_nodes(record, formats) if record else [])
    if not web_build(app) or answer_by_page(app, docname) is not None:
        return  # an answer's own page shows its formats in full
    answers = {a.anchor: a for a in _domain(app).answers}
    for node in doctree.findall(panel_nodes.answer):
        answer = answers.get(node["ids"][0])
        if answer is None:
            continue
        control = panel_nodes.cite_control(label=_("Cite"), title=_("Cite this answer"))
        control += format_nodes(answer_record(app, answer))
        page = app.builder.get_relative_uri(docname, answer_pagename(answer))
        link = nodes.reference("", _("This answer's own page"), refuri=page, internal=True)
        control += nodes.paragraph("", "", link, classes=["panel-answer-page-link"])
        node.insert(1, control)  # after the header with the speaker and the permalink


def html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """The book, chapters and answers describe themselves for reference managers and search
    engines: Highwire Press tags (Google Scholar), a COinS span (Zotero, which prefers it), JSON-LD."""
    if doctree is None or app.builder.name == "epub":
        return
    record = record_for_page(app, pagename)
    description = record.description if record else app.env.metadata.get(pagename, {}).get("og:description")
    if description:
        # our own: left to sphinxext-opengraph, it would quote the first paragraph
        context["metatags"] = (
            context.get("metatags", "") + f'\n<meta name="description" content="{html.escape(description)}" />'
        )
    if record is None:
        return
    if record.kind == "book":
        context["title"] = record.title  # the root page's <title> and og:title are the book's title
        context["panel_title_is_the_work"] = True
    tags = highwire(record)
    pdf = downloads.BOOK_PDF if record.kind == "book" else downloads.handout_name(pagename)
    if app.config.html_baseurl and pdf in _domain(app).data["pdfs"]:
        tags.append(("citation_pdf_url", posixpath.join(app.config.html_baseurl, app.config.panel_pdf_subdir, pdf)))
    context["metatags"] = (
        context.get("metatags", "")
        + "".join(f'\n<meta name="{name}" content="{html.escape(value)}" />' for name, value in tags)
        + f'\n<script type="application/ld+json">{json_ld(record)}</script>'
    )
    if "body" in context:
        context["body"] = f'<span class="Z3988" title="{html.escape(coins(record))}"></span>\n' + context["body"]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_citation_file", "../CITATION.cff", "env", types=[str])
    # what the notes are about, as a link preview's description names it
    app.add_config_value("panel_event", "", "env", types=[str])
    # pages besides the chapters that are citable as parts of the book, with a cite box (the synthesis)
    app.add_config_value("panel_cite_pages", [], "env", types=[list])
    app.add_directive("notes-citation", NotesCitationDirective)
    app.add_directive("answer-citation", AnswerCitationDirective)
    app.connect("doctree-read", doctree_read)
    app.connect("doctree-resolved", doctree_resolved)
    # priority < 500: before sphinxext-opengraph, which adds a description only if none is there
    app.connect("html-page-context", html_page_context, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
