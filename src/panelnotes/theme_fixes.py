"""Accessibility fixes for markup the notes do not own, each found by the axe-core tests.

- pydata-sphinx-theme (under sphinx-book-theme) makes a ``<summary>`` holding only a chevron icon
  to expand a page's sub-pages in the sidebar: it has no name for a screen reader (axe:
  summary-name). We add a visually hidden name after the theme builds the toctree.
- Docutils adds a ``viewport`` meta tag to the page's meta tags, after the one Sphinx's layout
  has already written; a page needs one. We drop Docutils' copy.
- Docutils writes a bibliography as ``<div role="list">`` whose children have
  ``role="doc-biblioentry"``, a role DPUB-ARIA has deprecated and that a list may not contain
  (axe: aria-required-children). We give each entry ``role="listitem"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import metadata
from typing import Any, cast

from bs4 import BeautifulSoup, Tag
from docutils import nodes
from sphinx.application import Sphinx

VIEWPORT_TAG = re.compile(r'<meta name="viewport"[^>]*>\n?')
PYDATA_THEME_TESTED = "0.20."  #: the pydata-sphinx-theme releases whose toctree function we wrap


def _name_the_toggles(add_collapse_checkboxes: Callable[[BeautifulSoup], None]) -> Callable[[BeautifulSoup], None]:
    def wrapper(soup: BeautifulSoup) -> None:
        add_collapse_checkboxes(soup)
        for summary in soup.select("details > summary"):
            if summary.get_text(strip=True):
                continue
            link = cast(Tag, summary.find_parent("li")).find("a", recursive=False)
            label = soup.new_tag("span", attrs={"class": "visually-hidden"})
            label.string = f"Show the pages under {link.get_text(strip=True)}" if link else "Show sub-pages"
            summary.append(label)

    return wrapper


def name_the_sidebar_toggles() -> None:
    """Wrap the theme's function, for the theme release it was written against only."""
    try:
        from pydata_sphinx_theme import toctree
    except ImportError:  # another theme: nothing to fix
        return
    if not metadata.version("pydata-sphinx-theme").startswith(PYDATA_THEME_TESTED):
        return
    if not getattr(toctree.add_collapse_checkboxes, "panel_fixed", False):
        toctree.add_collapse_checkboxes = _name_the_toggles(toctree.add_collapse_checkboxes)
        toctree.add_collapse_checkboxes.panel_fixed = True


def html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Bibliography entries become list items; one viewport tag."""
    if "metatags" in context:
        context["metatags"] = VIEWPORT_TAG.sub("", context["metatags"])
    if "body" in context and 'role="doc-biblioentry"' in context["body"]:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict[str, Any]:
    name_the_sidebar_toggles()
    app.connect("html-page-context", html_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
