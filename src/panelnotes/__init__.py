"""Sphinx extension for the panel notes: speakers, questions and answers as data.

Directives: ``panel-question``, ``answer``, ``excerpt``, ``speaker-profile``, ``stance-matrix``,
``chapter-references``, ``transcript``. Roles: ``zh``, ``speaker``. See docs/about/how-these-notes-are-built.md.
"""

from __future__ import annotations

import gc
from importlib import metadata
from pathlib import Path
from typing import Any

from docutils.utils import smartquotes
from sphinx.application import Sphinx

from . import bibliography, citing, directives, downloads, nodes, roles, sources, stylesheets, theme_fixes
from .collections import CollectionPages, fill_generated_content
from .domain import PanelDomain

__version__ = metadata.version("panelnotes")  # defined once, in pyproject.toml


def _chinese_quotes() -> None:
    """Docutils has no smart-quote table for zh-Hans (it warns on every Chinese excerpt); Simplified
    Chinese uses the same curly quotes as English."""
    smartquotes.smartchars.quotes.setdefault("zh-hans", "“”‘’")


def _collect_garbage_less_often() -> None:
    """A build makes millions of small objects that live until it ends (doctrees, the
    environment), and with CPython's default thresholds the cyclic collector scans them all
    hundreds of times: measured, 0.5 s of a 4 s build. Collect young objects a hundred times less
    often (mypy does the same for its builds); a build is one short-lived process."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, 50_000), middle, old)


def _add_static_files(app: Sphinx, config) -> None:
    # at config-inited, so the environment sees the same configuration on every run (a change
    # made later would count as a configuration change and force a full rebuild each time)
    config.html_static_path.append(str(Path(__file__).parent / "static"))
    app.add_css_file("panel.css")
    app.add_js_file("panel.js", loading_method="defer")


def _add_site_styles(app: Sphinx) -> None:
    # the website theme's icons and layout (see panel-site.css); not for an e-book
    if app.builder.name != "epub":
        app.add_css_file("panel-site.css")


def _check_consistency(app: Sphinx, env) -> None:
    env.get_domain("panel").check_consistency()
    bibliography.check_cited(app, env)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_config_value("panel_speakers", "_data/speakers.yaml", "env", types=[str])
    app.add_config_value("panel_transcript", "_data/transcript-asr-zh.txt", "env", types=[str])
    app.add_config_value("panel_speaker_pages", "speakers", "env", types=[str])
    app.add_config_value("panel_downloads", "_build/downloads", "html", types=[str])
    app.add_config_value("panel_pdf_subdir", "pdf", "html", types=[str])
    app.add_config_value("panel_citation_file", "../CITATION.cff", "env", types=[str])
    app.add_config_value("panel_trim_stylesheets", True, "html", types=[bool])

    app.connect("config-inited", sources.resolve_paths)
    app.connect("builder-inited", sources.check_sources)
    app.add_domain(PanelDomain)
    nodes.register(app)
    app.add_directive("panel-question", directives.PanelQuestionDirective)
    app.add_directive("answer", directives.AnswerDirective)
    app.add_directive("excerpt", directives.ExcerptDirective)
    app.add_directive("speaker-profile", directives.SpeakerProfileDirective)
    app.add_directive("stance-matrix", directives.StanceMatrixDirective)
    app.add_directive("chapter-references", directives.ChapterReferencesDirective)
    app.add_directive("transcript", directives.TranscriptDirective)
    app.add_directive("book-download", directives.BookDownloadDirective)
    app.add_directive("notes-citation", citing.NotesCitationDirective)
    app.add_role("zh", roles.ChineseRole())
    app.add_role("speaker", roles.SpeakerRole())

    _chinese_quotes()
    _collect_garbage_less_often()
    bibliography.speed_up_plugin_lookup()
    bibliography.speed_up_latex_decoding()
    bibliography.register_styles()
    # priority < 500: before sphinxcontrib-bibtex parses the .bib files
    app.connect("builder-inited", bibliography.lint_bibfiles, priority=400)
    # priority > 500: after sphinxcontrib-bibtex has parsed the .bib files
    app.connect("builder-inited", bibliography.note_changed_entries, priority=600)
    app.connect("env-updated", bibliography.pages_citing_changed_entries)

    collection_pages = CollectionPages()
    app.connect("env-before-read-docs", collection_pages.before_read)
    app.connect("env-purge-doc", collection_pages.purge)
    app.connect("env-updated", collection_pages.to_rewrite)
    app.connect("env-check-consistency", _check_consistency)
    app.connect("config-inited", _add_static_files)
    app.connect("builder-inited", _add_site_styles)
    app.connect("doctree-read", citing.add_cite_box)
    app.connect("doctree-read", citing.add_page_description)
    # priority < 500: before sphinxext-opengraph, which adds a description only if none is there
    app.connect("html-page-context", citing.add_scholar_metadata, priority=400)
    theme_fixes.patch_theme()
    app.connect("html-page-context", theme_fixes.fix_bibliography_roles)
    app.connect("doctree-resolved", fill_generated_content)
    trimmer = stylesheets.StylesheetTrimmer()
    app.connect("builder-inited", trimmer.start)
    # priority > 500: after pydata-sphinx-theme rewrites pygments.css at build-finished
    app.connect("build-finished", trimmer.finish, priority=900)
    app.connect("doctree-resolved", downloads.fill_downloads)
    app.connect("env-updated", downloads.pages_to_relink)
    return {"version": __version__, "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
