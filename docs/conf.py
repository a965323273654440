"""Sphinx configuration for the notes on the BAAI 2024 roundtable "Multimodal Perception and Generation"."""

from __future__ import annotations

import os
import time
from importlib import metadata
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

release = version = metadata.version("panelnotes")  # defined once, in pyproject.toml
# The title and the authors as CITATION.cff names them, so that the pages' titles and metadata, the
# footer, the PDFs, the e-book and every citation agree (the Chinese edition's title: below)
_citation = yaml.safe_load(Path(__file__).parent.joinpath("../CITATION.cff").read_text(encoding="utf-8"))
project = _citation["title"]
author = ", ".join(a.get("name") or f"{a['given-names']} {a['family-names']}" for a in _citation["authors"])
# Reproducible builds: the year comes from SOURCE_DATE_EPOCH (the Makefile sets it from git).
copyright = f"{time.gmtime(int(os.environ.get('SOURCE_DATE_EPOCH', '0')) or None).tm_year}, {author}"
# One source, two editions: English (the original) and Simplified Chinese, whose prose comes from
# the gettext catalogs in locales/ (see how-these-notes-are-built). `make html` builds both.
language = os.environ.get("NOTES_LANGUAGE", "en")
CHINESE = language.startswith("zh")
locale_dirs = ["locales/"]
gettext_compact = False  # one catalog per page, so translators can share the work
gettext_uuid = False
gettext_location = True
panel_editions = [("en", "en", "", "English"), ("zh_CN", "zh-Hans", "zh/", "简体中文")]
# on the book's title page, so no one takes it for the panel's date
today_fmt = "构建于 %Y 年 %m 月 %d 日" if CHINESE else "Built %d %B %Y"

# Where the site is published, when the build knows it: Read the Docs sets the first variable, our
# GitHub Pages workflow the second. Without it, pages carry no absolute URLs (and no sitemap).
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL") or os.environ.get("NOTES_BASE_URL", "")
if html_baseurl and not html_baseurl.endswith("/"):
    html_baseurl += "/"
if html_baseurl and CHINESE:
    html_baseurl += "zh/"  # the Chinese edition is published under the English one
# The repository, for "edit this page" and "open an issue" (GitHub Actions sets the last two).
repository_url = os.environ.get("NOTES_REPOSITORY_URL") or (
    f"{os.environ['GITHUB_SERVER_URL']}/{os.environ['GITHUB_REPOSITORY']}" if "GITHUB_REPOSITORY" in os.environ else ""
)

extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "sphinx_last_updated_by_git",
    "notfound.extension",
    "panelnotes",
    "panelnotes.speedups",  # opt-in: faster pybtex and garbage collection for a whole-book build
] + (["sphinxext.opengraph", "sphinx_sitemap"] if html_baseurl else [])  # both need absolute URLs
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

root_doc = "index"
exclude_patterns = ["_build", "_data", "Thumbs.db", ".DS_Store"]
nitpicky = True

bibtex_bibfiles = ["../references.bib"]
bibtex_default_style = "panel-author-year"
bibtex_reference_style = "panel-author-year"

# What the notes are about, for link previews (the extension's own labels are in its catalog)
panel_event = "2024 智源大会“Multimodal Perception and Generation”圆桌讨论" if CHINESE else (
    "the BAAI 2024 roundtable on multimodal perception and generation"
)
# The editors' page is not translated; the Chinese edition marks it as English and says so.
panel_english_only = ["about/how-these-notes-are-built"]
# Citable as parts of the book besides the chapters, with a cite box at the end
panel_cite_pages = ["synthesis"]

html_theme = "sphinx_book_theme"
# Search finds Chinese in both editions: jieba segments the Chinese (with the panel's own terms and
# names, which it would otherwise split), English keeps its stemmer (see panelnotes.search)
html_search_options = {"dict": str(Path(__file__).parent / "_data" / "search-terms.txt")}
if CHINESE:
    project = "Multimodal Perception and Generation：2024 智源大会圆桌讨论笔记"
html_title = project  # every page's <title> ends with the one title of the notes
html_static_path = ["_static"]
templates_path = ["_templates"]
ogp_image = "_static/link-preview.png"
# PDFs built by `make pdf handouts` are published beside the pages (see panelnotes.downloads)
# each edition publishes its own PDFs (`make pdf handouts`, `make pdf-zh handouts-zh`)
panel_downloads = (
    os.environ.get("NOTES_DOWNLOADS_DIR_ZH", "_build/downloads-zh")
    if CHINESE
    else os.environ.get("NOTES_DOWNLOADS_DIR", "_build/downloads")
)
html_extra_path = [panel_downloads] if Path(__file__).parent.joinpath(panel_downloads).is_dir() else []
html_last_updated_fmt = "%d %B %Y"  # from git: the last commit that touched the page
# Without a default colour mode, a reader's first visit (empty localStorage) makes the theme log
# "Got invalid theme mode" to the console.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    # No navbar: pydata-sphinx-theme would fill it with a search button and a second pair of
    # sidebar toggles, and its script binds only the first toggle it finds, which is then the
    # hidden one (pydata-sphinx-theme#2451, sphinx-book-theme#999).
    "navbar_persistent": [],
    # the same page in the other edition (panelnotes.editions), beside the theme's buttons
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
    "footer_content_items": ["author.html", "copyright.html", "last-updated.html", "corrections-link.html"],
} | (
    {"repository_url": repository_url, "repository_branch": "main", "path_to_docs": "docs",
     "use_edit_page_button": True, "use_issues_button": True, "use_repository_button": True}
    if repository_url else {}
)
# Link previews (OpenGraph / Twitter cards)
ogp_site_url = html_baseurl
ogp_site_name = project
ogp_description_length = 200
ogp_social_cards = {"enable": False}  # panelnotes.cards draws the chapters' and answers' own
# the cards' fonts (Debian's fonts-noto-cjk and fonts-freefont-otf, as for the PDFs): a Chinese
# font's quotation marks are full-width, so the English edition's Latin comes from FreeSans
panel_card_fonts = ["Noto Sans CJK SC"] if CHINESE else ["FreeSans", "Noto Sans CJK SC"]
ogp_enable_meta_description = True
# The 404 page, with links that work from any depth
notfound_urls_prefix = None
if CHINESE:  # the Chinese edition's 404 page links its own folder's pages and styles
    notfound_urls_prefix = "/zh/"
sitemap_url_scheme = "{link}"
# pages with nothing of their own for a search engine to list
sitemap_excludes = ["404.html", "search.html", "genindex.html"]

# --- PDF: xelatex for the Chinese excerpts ------------------------------------------------------
latex_engine = "xelatex"
latex_use_xindy = False  # the default for xelatex needs Debian's xindy; the book has no index
latex_show_urls = "no"
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    "fontpkg": "",
    "preamble": r"""
\usepackage{xeCJK}
\setCJKmainfont{Noto Serif CJK SC}
\setCJKsansfont{Noto Sans CJK SC}
\setCJKmonofont{Noto Sans Mono CJK SC}
% xeCJK would otherwise set English quotes, dashes and the ellipsis as full-width Chinese punctuation.
\xeCJKDeclareCharClass{Default}{"2013, "2014, "2018, "2019, "201C, "201D, "2026}
% Tables: a squeezed column keeps room for a word or a name (Sphinx's minimum is three digits wide).
\setlength{\tymin}{60pt}
% Inline code may break after an underscore or a hyphen, as after . , ; ? ! / (option names and
% paths in narrow table columns).
\newcommand{\panelbreakableunderscore}{\discretionary{\textunderscore}{}{\textunderscore}}
\let\panelsphinxupquote\sphinxupquote
\protected\def\sphinxupquote#1{\panelsphinxupquote{\let\_\panelbreakableunderscore#1}}
\renewcommand*{\sphinxhyphenininlineliteral}[1]{\discretionary{-}{}{-}}
% The bibliography page brings its own heading; keep LaTeX from adding a second, empty one.
\makeatletter
\renewenvironment{sphinxthebibliography}[1]%
  {\let\chapter\@gobbletwo\let\section\@gobbletwo\begin{thebibliography}{#1}}%
  {\end{thebibliography}}
% A handout is a reading-group sheet: no table of contents, two columns, small type, narrow margins.
% Its title block (panelnotes.handouts, \panelhandouttitle) spans both columns and starts them;
% Sphinx's title page gives way to it, keeping the PDF's metadata.
\@ifclassloaded{sphinxhowto}{%
  \renewcommand{\sphinxtableofcontents}{}%
  \AtBeginDocument{\newgeometry{margin=13mm,top=13mm,bottom=15mm}\small}%
  \renewcommand{\sphinxmaketitle}{%
    \begingroup\def\and{\& }\hypersetup{pdfauthor={\@author}, pdftitle={\@title}}\endgroup}%
  % quotations: keep the Chinese and its translation compact; the works cited, the stances and the
  % who's who in smaller type too
  \AtBeginEnvironment{quote}{\footnotesize}%
  \newenvironment{sphinxclasspanel-chapter-references}{\footnotesize}{}%
  \newenvironment{sphinxclasspanel-handout-front}{\footnotesize}{}%
}{}
\makeatother
""",
    "printindex": "",
    # not the panel's: the notes' version, and the build date below
    "releasename": "笔记版本" if CHINESE else "Notes version",
}
# The panel as the handouts' title block names it: its date only as precise as a checked source
panel_event_in_full = (
    "2024 智源大会（北京，2024 年 6 月）圆桌讨论“Multimodal Perception and Generation”"
    if CHINESE
    else "“Multimodal Perception and Generation”, a roundtable at the 2024 BAAI Conference, Beijing, June 2024"
)


def _chapter_title(path: Path) -> str:
    """A chapter's title, in the edition's language (the Chinese from the chapter's catalog)."""
    title = next(line[2:].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
    if not CHINESE:
        return title
    catalog = Path(__file__).parent / "locales" / language / "LC_MESSAGES" / "questions" / f"{path.stem}.po"
    with catalog.open("rb") as source:
        return read_po(source).get(title).string or title


# The PDFs' title and author (their document information too) are the notes' own; the version and
# the event go into the information's subject.
latex_documents = [
    ("index", "panel-notes.tex", project, author, "manual"),
] + [
    # one reading-group handout per question chapter
    (f"questions/{chapter.stem}", f"handout-{chapter.stem}.tex", _chapter_title(chapter), author, "howto")
    for chapter in sorted(Path(__file__).parent.joinpath("questions").glob("*.md"))
]
if CHINESE:  # LaTeX's babel has no Chinese: its English names would show
    latex_elements["preamble"] += r"""
\addto\captionsenglish{\renewcommand{\chaptername}{}\renewcommand{\appendixname}{附录}}
"""
latex_elements["preamble"] += rf"""
\hypersetup{{pdfsubject={{{panel_event_in_full}. Version {release}}}, pdfkeywords={{{", ".join(_citation["keywords"])}}}}}
"""

# --- EPUB ------------------------------------------------------------------------------------
epub_title = project
epub_author = author
epub_publisher = epub_author
epub_language = language
# one identifier for the OPF and the NCX, or epubcheck reports NCX-001
epub_uid = epub_identifier = "panel-notes-baai-2024"
epub_scheme = "URL"
epub_show_urls = "no"
# the PDFs are published beside the website (html_extra_path), not packed into the e-book
# .buildinfo.bak: Sphinx keeps the old build info there when the configuration changed
epub_exclude_files = ["search.html", "404.html", "_static/panel-site.css", ".buildinfo.bak"] + [
    f"pdf/{pdf.name}" for pdf in Path(__file__).parent.joinpath(panel_downloads, "pdf").glob("*.pdf")
]
