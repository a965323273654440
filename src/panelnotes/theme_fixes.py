"""Accessibility fixes for markup the notes do not own, each found by the axe-core tests.

- pydata-sphinx-theme (under sphinx-book-theme) makes a ``<summary>`` holding only a chevron icon
  to expand a page's sub-pages in the sidebar: it has no name for a screen reader (axe:
  summary-name). We add a visually hidden name after the theme builds the toctree.
- Docutils writes a bibliography as ``<div role="list">`` whose children have
  ``role="doc-biblioentry"``, a role DPUB-ARIA has deprecated and that a list may not contain
  (axe: aria-required-children). We give each entry ``role="listitem"``.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _name_the_toggles(add_collapse_checkboxes):
    def wrapper(soup) -> None:
        add_collapse_checkboxes(soup)
        for summary in soup.select("details > summary"):
            if summary.get_text(strip=True):
                continue
            link = summary.find_parent("li").find("a", recursive=False)
            label = soup.new_tag("span", attrs={"class": "visually-hidden"})
            label.string = f"Show the pages under {link.get_text(strip=True)}" if link else "Show sub-pages"
            summary.append(label)

    return wrapper


def patch_theme() -> None:
    try:
        from pydata_sphinx_theme import toctree
    except ImportError:  # another theme: nothing to fix
        return
    if not getattr(toctree.add_collapse_checkboxes, "panel_fixed", False):
        toctree.add_collapse_checkboxes = _name_the_toggles(toctree.add_collapse_checkboxes)
        toctree.add_collapse_checkboxes.panel_fixed = True


def fix_bibliography_roles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" in context and 'role="doc-biblioentry"' in context["body"]:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
