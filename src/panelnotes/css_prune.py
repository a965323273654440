"""Prune the theme's stylesheet to the rules this site can use.

pydata-sphinx-theme ships one 376 KB stylesheet (Bootstrap included) and every page must load it
before it can render. After an HTML build, a selector is kept when each class and id it names
occurs as a word somewhere in the built pages or in the site's scripts (which is where classes
such as "show" or "dropdown-menu-dark", added at run time, are spelled out). This is how PurgeCSS
decides too: it is conservative, since any word that merely appears in a page keeps its rules.
Rules with no selector left are dropped; at-rule blocks (@media, @supports) are pruned inside.
"""

from __future__ import annotations

import re
from pathlib import Path

import tinycss2
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
NAMES = re.compile(r"[.#](-?[A-Za-z_][A-Za-z0-9_-]*)")
BLOCK_AT_RULES = {"media", "supports", "layer", "container"}


def _split_selectors(prelude: str) -> list[str]:
    """Split a selector list at top-level commas (not those inside :is(…), :not(…) etc.)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(prelude[start:index])
            start = index + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def _used(selector: str, words: set[str]) -> bool:
    # names inside :not(…) need not be present for the selector to match
    positive = re.sub(r":not\([^)]*\)", "", selector)
    return all(name in words for name in NAMES.findall(positive))


def prune(css: str, words: set[str]) -> str:
    def rules(nodes) -> list[str]:
        kept: list[str] = []
        for node in nodes:
            if node.type == "qualified-rule":
                selectors = [s for s in _split_selectors(tinycss2.serialize(node.prelude)) if _used(s, words)]
                if selectors:
                    kept.append(",".join(selectors) + "{" + tinycss2.serialize(node.content).strip() + "}")
            elif node.type == "at-rule" and node.lower_at_keyword in BLOCK_AT_RULES and node.content is not None:
                inner = rules(tinycss2.parse_blocks_contents(node.content, skip_whitespace=True))
                if inner:
                    kept.append(f"@{node.at_keyword} {tinycss2.serialize(node.prelude).strip()}{{{''.join(inner)}}}")
            elif node.type == "at-rule":
                kept.append(tinycss2.serialize([node]).strip())
        return kept

    return "".join(rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)))


SCRIPT = re.compile(r'<script[^>]*\ssrc="([^"?#]+)')


def site_words(outdir: Path) -> set[str]:
    """Every word in the built pages and in the scripts they load (not every script in _static:
    an unused one, such as the icon script the layout leaves out, would keep all its classes)."""
    words: set[str] = set()
    scripts: set[Path] = set()
    for page in (p for p in outdir.rglob("*.html") if "_static" not in p.relative_to(outdir).parts):
        text = page.read_text(encoding="utf-8", errors="replace")
        words.update(WORD.findall(text))
        scripts.update((page.parent / src).resolve() for src in SCRIPT.findall(text) if "://" not in src)
    for script in scripts:
        if script.is_file():
            words.update(WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return words


def prune_stylesheets(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: prune each stylesheet named in ``panel_prune_css`` (paths in _static)."""
    if exception is not None or app.builder.format != "html" or app.builder.name == "epub":
        return
    outdir = Path(app.outdir)
    words = None
    for name in app.config.panel_prune_css:
        path = outdir / "_static" / name
        if not path.is_file():
            logger.warning(f"panel_prune_css: no stylesheet {name!r} in the output", type="panel", subtype="css")
            continue
        words = words if words is not None else site_words(outdir)
        before = path.read_text(encoding="utf-8")
        after = prune(before, words)
        path.write_text(after, encoding="utf-8")
        logger.info(f"pruned {name}: {len(before) // 1024} KB -> {len(after) // 1024} KB")
