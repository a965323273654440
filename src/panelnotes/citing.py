"""How to cite the notes: a cite box at the end of every chapter, and Scholar (Highwire) metadata
in every page's head. Authors, title and release date come from CITATION.cff; the version from
the package metadata (pyproject.toml); the site's address from ``html_baseurl``, when known;
what the notes are about from ``panel_event``."""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urljoin

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.docutils import SphinxDirective

from . import downloads, sources
from .domain import PanelDomain
from .messages import _


@dataclass(frozen=True)
class Work:
    title: str
    authors: tuple[str, ...]
    date: str  #: YYYY-MM-DD
    version: str


@lru_cache(maxsize=2)
def _read_cff(path: Path, mtime_ns: int) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def the_work(config: Config) -> Work:
    path = Path(config.panel_citation_file)
    cff = _read_cff(path, path.stat().st_mtime_ns)
    names = tuple(
        a.get("name") or " ".join(filter(None, (a.get("given-names"), a.get("family-names")))) for a in cff["authors"]
    )
    return Work(cff["title"], names, str(cff["date-released"]), config.release)


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


def _bibtex(work: Work, key: str, title: str, url: str, chapter: bool = True) -> str:
    fields = [("author", " and ".join(f"{{{name}}}" for name in work.authors)), ("title", title)]
    fields += [("booktitle", work.title)] if chapter else [("howpublished", "Research notes")]
    fields += [("year", work.date[:4]), ("note", f"Version {work.version}")] + ([("url", url)] if url else [])
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@{'incollection' if chapter else 'misc'}{{{key},\n{body}\n}}"


class NotesCitationDirective(SphinxDirective):
    """How to cite the notes as a whole (the how-to-cite page)."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(self.config.panel_citation_file)
        work = the_work(self.config)
        url = self.config.html_baseurl
        text = f"{' and '.join(work.authors)} ({work.date[:4]}). {work.title}. Version {work.version}."
        para = nodes.paragraph("", "", nodes.Text(text), classes=["panel-citation"])
        if url:
            para += [nodes.Text(" "), nodes.reference(url, url, refuri=url)]
        bibtex = _bibtex(work, "panelnotes", work.title, url, chapter=False)
        return [para, nodes.literal_block(bibtex, bibtex, language="bibtex")]


def add_cite_box(app: Sphinx, doctree: nodes.document) -> None:
    """A chapter (a page with a panel question) ends with how to cite it."""
    env = app.env
    question = env.get_domain("panel").questions.get(env.docname)  # type: ignore[attr-defined]
    if question is None:
        return
    env.note_dependency(app.config.panel_citation_file)
    work = the_work(app.config)
    title = next(iter(doctree.findall(nodes.title))).astext()
    url = page_url(app, env.docname)
    # on the web page only: a printed handout has its title and version on its first page, and
    # the four-page limit leaves no room for a BibTeX block
    web_only = addnodes.only(expr="html")
    section = nodes.section(ids=["cite-this-chapter"], names=["cite this chapter"], classes=["panel-cite-box"])
    section += nodes.title("", _("Cite this chapter"))
    citation = nodes.paragraph("", "", classes=["panel-citation"])
    stop = "" if title[-1:] in "?!." else "."
    citation += nodes.Text(f"{' and '.join(work.authors)} ({work.date[:4]}). “{title}{stop}” In ")
    citation += nodes.emphasis("", work.title)
    citation += nodes.Text(f", version {work.version}.")
    if url:
        citation += nodes.Text(" ")
        citation += nodes.reference(url, url, refuri=url)
    section += citation
    bibtex = _bibtex(work, f"panelnotes-{question.id}", title, url)
    section += nodes.literal_block(bibtex, bibtex, language="bibtex")
    section += nodes.paragraph(
        "", _("To cite one answer, add its anchor to the address: each answer's ¶ link gives it.")
    )
    web_only += section
    chapter = cast(nodes.Element, doctree[0])
    chapter += web_only  # inside the chapter's top-level section, so it is in the page's contents
    doctree[0] = chapter  # (re-set, as ``doctree[0] += web_only`` did)


def html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Highwire Press tags, which Google Scholar and Zotero read."""
    if doctree is None:
        return
    work = the_work(app.config)
    question = app.env.get_domain("panel").questions.get(pagename)  # type: ignore[attr-defined]
    title = context.get("title") or work.title
    tags = [("citation_title", title)]
    tags += [("citation_author", name) for name in work.authors]
    tags += [("citation_publication_date", work.date.replace("-", "/"))]
    if question is not None:
        tags.append(("citation_inbook_title", work.title))
    pdf = downloads.handout_name(pagename) if question is not None else downloads.BOOK_PDF
    if app.config.html_baseurl and pdf in app.env.get_domain("panel").data["pdfs"]:
        tags.append(("citation_pdf_url", posixpath.join(app.config.html_baseurl, app.config.panel_pdf_subdir, pdf)))
    if page_url(app, pagename):
        tags.append(("citation_public_url", page_url(app, pagename)))
    if "og:description" in app.env.metadata.get(pagename, {}):
        tags.append(("description", app.env.metadata[pagename]["og:description"]))
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<meta name="{name}" content="{html.escape(value)}" />' for name, value in tags
    )


def add_page_description(app: Sphinx, doctree: nodes.document) -> None:
    """A one-line description for link previews of chapter and speaker pages (left alone, the
    preview would quote the first paragraph: the question in Chinese)."""
    env = app.env
    domain = cast(PanelDomain, env.get_domain("panel"))
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


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_citation_file", "../CITATION.cff", "env", types=[str])
    # what the notes are about, as a link preview's description names it
    app.add_config_value("panel_event", "", "env", types=[str])
    app.add_directive("notes-citation", NotesCitationDirective)
    app.connect("doctree-read", doctree_read)
    # priority < 500: before sphinxext-opengraph, which adds a description only if none is there
    app.connect("html-page-context", html_page_context, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
