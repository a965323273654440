"""Light and dark colours right in the first frame, with or without scripts.

pydata-sphinx-theme keys every colour on ``html[data-theme=light]`` or ``html[data-theme=dark]``,
and its page says ``data-theme="auto"`` until its script (which the notes load after the first
paint, see docs/_templates/layout.html) works out which one applies. So the first frame had no
colours, and a reader whose system is dark saw a white page first. Two fixes:

- every stylesheet the site links gets, after each rule for ``[data-theme=light]`` or
  ``[data-theme=dark]``, the same rule for ``[data-theme=auto]`` inside ``@media
  (prefers-color-scheme: …)``: the page follows the reader's system before any script runs, and
  without scripts. Placed right after its original, with the same specificity, each copy wins and
  loses against the same rules as the original does.
- a tiny script at the top of the head (docs/_templates/layout.html) sets ``data-theme`` from the
  reader's saved choice, as the theme's own script will, before the first paint.

Runs at ``build-finished``, before ``panelnotes.stylesheets`` trims and bundles the stylesheets,
on the copies Sphinx makes of them on every build.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from pathlib import Path
from typing import Any

import tinycss2
from sphinx.application import Sphinx

from .stylesheets import split_selectors

MODE_ATTRIBUTE = re.compile(r"""\[data-theme=(["']?)(light|dark)\1\]""")
AUTO = "[data-theme=auto]"
CACHE_FILE = "panel-colour-modes.pickle"
GROUPING_RULES = {"media", "supports", "container", "layer"}  # rules holding rules: rewritten inside


def _auto_copies(rule: Any) -> str:
    """For a style rule that names a mode, the rule again for ``auto`` under that mode's media query."""
    selectors = split_selectors(tinycss2.serialize(rule.prelude))
    copies = []
    for mode in ("light", "dark"):
        chosen = [MODE_ATTRIBUTE.sub(AUTO, s) for s in selectors if mode in {m[1] for m in MODE_ATTRIBUTE.findall(s)}]
        if chosen:
            body = tinycss2.serialize(rule.content)
            copies.append(f"@media (prefers-color-scheme: {mode}){{{','.join(chosen)}{{{body}}}}}")
    return "".join(copies)


def with_auto_mode(css: str) -> str:
    """The stylesheet with the ``auto`` copy of each rule for a mode, after that rule (also in
    ``@media``, ``@supports``, ``@container`` and ``@layer`` blocks)."""

    def rewrite(nodes: list[Any]) -> str:
        out = []
        for node in nodes:
            if node.type == "at-rule" and node.content is not None and node.lower_at_keyword in GROUPING_RULES:
                inner = rewrite(tinycss2.parse_blocks_contents(node.content))
                out.append(f"@{node.at_keyword}{tinycss2.serialize(node.prelude)}{{{inner}}}")
                continue
            out.append(tinycss2.serialize([node]))
            if node.type == "qualified-rule" and MODE_ATTRIBUTE.search(tinycss2.serialize(node.prelude)):
                out.append(_auto_copies(node))
        return "".join(out)

    return rewrite(tinycss2.parse_stylesheet(css))


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or app.builder.name == "epub":
        return
    # the results of earlier builds, by the hash of the stylesheet: the theme's takes 0.2 s
    cache_file = Path(app.doctreedir) / CACHE_FILE
    try:
        cache: dict[str, str] = pickle.loads(cache_file.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        cache = {}
    used = {}
    # every stylesheet, linked or not: a page from an earlier build links the bundle of
    # panelnotes.stylesheets, which that module rebuilds from the stylesheets it names
    for sheet in sorted(Path(app.outdir, "_static").rglob("*.css")):
        css = sheet.read_text(encoding="utf-8")
        if AUTO in css or not MODE_ATTRIBUTE.search(css):  # done (the bundle), or nothing to do
            continue
        key = hashlib.sha256(css.encode()).hexdigest()
        used[key] = cache[key] if key in cache else with_auto_mode(css)
        sheet.write_text(used[key], encoding="utf-8")
    if used.keys() != cache.keys():
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_bytes(pickle.dumps(used, pickle.HIGHEST_PROTOCOL))


def setup(app: Sphinx) -> dict[str, Any]:
    # after pydata-sphinx-theme writes pygments.css (500), before panelnotes.stylesheets (900)
    app.connect("build-finished", build_finished, priority=800)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
