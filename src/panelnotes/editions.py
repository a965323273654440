"""Editions in several languages from one source: Sphinx's gettext catalogs translate the prose,
and everything the extension generates (labels, names, the structure) exists once.

``panel_editions`` lists the editions: (Sphinx language, BCP 47 tag, folder under the site's root,
name in its own language). Every page links to the same page in the other editions (a switch in
the header, ``<link rel="alternate" hreflang>`` in the head) and carries its edition's BCP 47 tag
(Sphinx would write ``zh-CN`` where the text is Simplified Chinese, ``zh-Hans``). A translated
edition stops on any untranslated or fuzzy message, naming the catalog's file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin

from babel.messages.pofile import read_po
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import extract_messages

from .messages import _

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"


class Edition(NamedTuple):
    language: str  #: Sphinx's ``language``
    tag: str  #: BCP 47, for ``lang`` and ``hreflang``
    folder: str  #: under the site's root, "" or ending in "/"
    name: str  #: in its own language


def editions(config: Config) -> list[Edition]:
    return [Edition(*edition) for edition in config.panel_editions]


def current(config: Config) -> Edition:
    """The edition being built (the first, the original, when none matches the language)."""
    found = [e for e in editions(config) if e.language == config.language]
    return found[0] if found else editions(config)[0]


def is_translation(config: Config) -> bool:
    return bool(config.panel_editions) and current(config) != editions(config)[0]


def untranslated(folder: Path) -> list[tuple[Path, int | None, str]]:
    """(file, line, message) for every message of the catalogs under *folder* that has no
    translation or is marked fuzzy."""
    found = []
    for po in sorted(folder.rglob("*.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        for message in catalog:
            if not message.id:
                continue
            empty = not message.string or (isinstance(message.string, tuple) and not all(message.string))
            if empty or message.fuzzy:
                found.append((po, message.lineno, "fuzzy" if message.fuzzy and not empty else "untranslated"))
    return found


def config_inited(app: Sphinx, config: Config) -> None:
    # a new list: the default one is shared by every Sphinx application in the process
    config.templates_path = [*config.templates_path, str(TEMPLATES)]


def builder_inited(app: Sphinx) -> None:
    """A translated edition must be complete: one warning per message that is not."""
    if not is_translation(app.config):
        return
    for locale_dir in app.config.locale_dirs:
        folder = Path(app.srcdir, locale_dir, app.config.language)
        for po, line, problem in untranslated(folder):
            message = f"{problem} message: translate it (or clear its fuzzy flag once checked)"
            logger.warning(message, location=f"{po}:{line}", type="panel", subtype="untranslated")


def _catalog_ids(app: Sphinx, docname: str) -> set[str]:
    """Every message of the page's catalogs, translated or not."""
    domain = docname_to_domain(docname, app.config.gettext_compact)
    ids: set[str] = set()
    for locale_dir in app.config.locale_dirs:
        po = Path(app.srcdir, locale_dir, app.config.language, "LC_MESSAGES", f"{domain}.po")
        if po.is_file():
            with po.open("rb") as source:
                ids.update(str(message.id) for message in read_po(source) if message.id)
    return ids


def doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """A paragraph whose English changed since the catalogs were updated has no entry in them:
    Sphinx would show it in English without a word. Report it at its line in the English source.
    (A message that is in a catalog but untranslated or fuzzy is reported at the catalog's line.)"""
    if not is_translation(app.config) or app.env.docname in app.config.panel_english_only:
        return
    known = _catalog_ids(app, app.env.docname)
    missing = {id(node) for node, message in extract_messages(doctree) if message not in known}
    for node in doctree.findall(nodes.Element):
        # a toctree's caption is translated apart from its node's flag
        if id(node) in missing and node.get("translated") is False and not isinstance(node, addnodes.toctree):
            logger.warning(
                "no translation for this text: run `make locales` and translate the new message",
                location=node,
                type="panel",
                subtype="untranslated",
            )


#: What stays in English in a translated edition (the works cited, as the bibliography gives them)
ENGLISH_CLASSES = {"bibtex-citation", "panel-chapter-references"}


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In a translated edition, mark the passages that stay in English with their language."""
    if not is_translation(app.config):
        return
    for node in doctree.findall(nodes.Element):
        if isinstance(node, nodes.citation) or ENGLISH_CLASSES & set(node.get("classes", [])):
            node["classes"].append("language-en")


def _page_uri(app: Sphinx, pagename: str) -> str:
    return app.builder.get_target_uri(pagename)


def alternates(app: Sphinx, pagename: str, absolute: bool) -> list[tuple[Edition, str]]:
    """Each edition with the address of this page in it: absolute if asked and the site's address
    is known, else relative to this page."""
    this = current(app.config)
    uri = _page_uri(app, pagename)
    result = []
    for edition in editions(app.config):
        if absolute and app.config.html_baseurl:
            root = app.config.html_baseurl[: -len(this.folder)] if this.folder else app.config.html_baseurl
            href = urljoin(root, edition.folder + uri)
        else:
            up = "../" * (uri.count("/") + this.folder.count("/"))
            href = up + edition.folder + uri
        result.append((edition, href))
    return result


def html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """The page's language tag, its alternates in the head, and the switch's links."""
    if not app.config.panel_editions or app.builder.name == "epub":
        return
    this = current(app.config)
    context["language"] = this.tag
    # Sphinx's own UI translations (translations.js) make doctools.js compile a plural rule with
    # `new Function`, which the Content-Security-Policy forbids; the extension's labels are in the HTML
    context["script_files"] = [js for js in context.get("script_files", []) if "translations.js" not in str(js)]
    # the switch stays relative, so it works in a preview, a copy or a local folder as on the site;
    # search engines want the head's alternates absolute
    switch = alternates(app, pagename, absolute=False)
    context["panel_editions"] = [(e.name, e.tag, href, e == this) for e, href in switch]
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{e.tag}" href="{href}" />'
        for e, href in alternates(app, pagename, absolute=True)
    )
    if this != editions(app.config)[0] and pagename in app.config.panel_english_only and "body" in context:
        notice = _("This page is for the notes' editors and is available in English only.")
        body = context["body"]
        context["body"] = f'<p class="panel-english-only">{notice}</p>\n<div lang="en">{body}</div>'


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_editions", [], "html", types=[list])
    app.add_config_value("panel_english_only", [], "html", types=[list])
    app.connect("config-inited", config_inited)
    app.connect("builder-inited", builder_inited)
    app.connect("doctree-read", doctree_read)
    app.connect("doctree-resolved", doctree_resolved)
    app.connect("html-page-context", html_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
