"""Sphinx extension for the panel notes: speakers, questions, answers and turns as data.

Directives: ``panel-question``, ``answer``, ``excerpt``, ``speaker-profile``, ``stance-matrix``,
``chapter-references``, ``transcript``, ``book-download``, ``notes-citation``. Roles: ``zh``,
``speaker``. Each feature lives in its own module with its own ``setup``; ``panelnotes.speedups`` is
opt-in. See docs/about/how-these-notes-are-built.md.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from . import datafiles, messages
from .bibliography import citing_pages
from .domain import PanelDomain

__version__ = metadata.version("panelnotes")  # defined once, in pyproject.toml

FEATURES = (
    "sources",  # the speaker registry and the transcript
    "nodes",  # how answers, permalinks and stand-ins render in each format
    "roles",  # {zh} and {speaker}
    "directives",  # question, answer, excerpt, speaker profile, ...
    "contents",  # every answer in its page's contents
    "transcript_edition",  # the turns, side by side, linked with the answers; the turns/answers check
    "glossary",  # misheard words and the panel's terms, with where they occur
    "dataset",  # the panel as JSON and CSV beside the site
    "collections",  # the stance matrix, speaker pages, chapter references; what to re-read
    "bibliography",  # the .bib linter, author-year labels, pages citing a changed entry
    "citing",  # cite boxes, Cite controls, metadata for reference managers
    "answer_pages",  # each answer's own page, for citing and link previews
    "cards",  # link-preview images for chapters and answers
    "downloads",  # links to the PDFs that were built
    "handouts",  # the reading-group handouts' title block, stances and who's who
    "assets",  # the extension's own CSS and script
    "stylesheets",  # trims and bundles the site's CSS; colours from the first frame
    "theme_fixes",  # accessibility fixes to the theme's markup
    "content_security_policy",  # a Content-Security-Policy meta tag on every page
    "search",  # search that segments the Chinese with jieba in every edition
    "editions",  # editions in other languages: the language switch, completeness of the catalogs
)


def env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """The one place that decides which pages to read again besides the changed ones (see
    ``PanelDomain.pages_to_reread``): generated pages, pages citing a changed entry, chapters whose
    PDF links changed."""
    domain: PanelDomain = env.get_domain("panel")  # type: ignore[assignment]
    return sorted(domain.pages_to_reread(added | changed | removed, citing_pages(env)) - removed)


def env_check_consistency(app: Sphinx, env: BuildEnvironment) -> None:
    env.get_domain("panel").check_consistency()


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_domain(PanelDomain)
    messages.compile_catalogs()
    app.add_message_catalog(messages.CATALOG, str(messages.LOCALE_DIR))
    # priority < 500: before any feature's config-inited handler reads a path
    app.connect("config-inited", datafiles.config_inited, priority=400)
    for feature in FEATURES:
        app.setup_extension(f"panelnotes.{feature}")
    app.connect("env-get-outdated", env_get_outdated)
    app.connect("env-check-consistency", env_check_consistency)
    return {"version": __version__, "env_version": 3, "parallel_read_safe": True, "parallel_write_safe": True}
