"""Sphinx configuration for the notes on the BAAI 2024 roundtable "Multimodal Perception and Generation"."""

from __future__ import annotations

import os
import time

project = "Multimodal Perception and Generation: notes on a BAAI 2024 roundtable"
author = "The panel notes team"
# Reproducible builds: the year comes from SOURCE_DATE_EPOCH (the Makefile sets it from git).
copyright = f"{time.gmtime(int(os.environ.get('SOURCE_DATE_EPOCH', '0')) or None).tm_year}, {author}"
language = "en"

extensions = ["myst_parser", "sphinxcontrib.bibtex", "panelnotes"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

root_doc = "index"
exclude_patterns = ["_build", "_data", "Thumbs.db", ".DS_Store"]
nitpicky = True
suppress_warnings: list[str] = []

bibtex_bibfiles = ["../references.bib"]
bibtex_default_style = "panel-author-year"
bibtex_reference_style = "author_year"

html_theme = "sphinx_book_theme"
html_title = "Multimodal Perception and Generation — panel notes"
html_static_path = ["_static"]
html_css_files = ["panel.css"]
html_last_updated_fmt = None
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
