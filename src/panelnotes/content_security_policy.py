"""A Content-Security-Policy for every page, as a ``<meta>`` tag (GitHub Pages sends no headers).

The pages load scripts, stylesheets, images and fonts from the site only, and run no inline code
but their own: each inline ``<script>`` and ``<style>`` is allowed by the hash of its text, which
differs from page to page (a page's name is in one of them), so the policy is computed for each
page once it is written, at ``build-finished`` after every step that edits the pages. No
``'unsafe-inline'``: a ``style=`` or ``on…=`` attribute would be blocked, so the build warns
about any it finds (the notes keep their styles in their stylesheets).

``panel_content_security_policy = False`` leaves the policy out: ``make serve`` does, since
sphinx-autobuild injects an inline script of its own to reload the page.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# Pages are Sphinx's own output, so patterns are enough: an inline element's text is raw text up
# to its end tag (a "<" in a page's text is always escaped), and the policy needs it byte for byte.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.S)
INLINE_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)
BLOCKED_ATTRIBUTE = re.compile(r"""<[a-zA-Z][^>]*?\s(style|on[a-z]+)\s*=\s*["'][^>]*>""")
CHARSET = re.compile(r'<meta charset="[^"]*"\s*/?>\n?')
POLICY_TAG = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?')


def source_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def policy(html: str) -> str:
    """The policy for one page: the site's own files, and the page's own inline code."""
    scripts = " ".join(dict.fromkeys(source_hash(s) for s in INLINE_SCRIPT.findall(html)))
    styles = " ".join(dict.fromkeys(source_hash(s) for s in INLINE_STYLE.findall(html)))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {scripts}".strip(),
            f"style-src 'self' {styles}".strip(),
            "img-src 'self' data:",  # the site's icons are data: URLs (panel-site.css, layout.html)
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def with_policy(html: str) -> str:
    """The page with its policy first in its head (a policy covers only what follows it)."""
    html = POLICY_TAG.sub("", html)
    charset = CHARSET.search(html)
    if charset is None:
        raise ValueError("no <meta charset> to put the policy after")
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}" />\n'
    return html[: charset.end()] + tag + html[charset.end() :]


def blocked_attributes(html: str) -> list[str]:
    """The attributes of the page's markup that the policy blocks (inline code left aside)."""
    markup = INLINE_STYLE.sub("", INLINE_SCRIPT.sub("", html))
    return sorted({m.group(1) for m in BLOCKED_ATTRIBUTE.finditer(markup)})


def pages(outdir: Path) -> list[Path]:
    """The site's pages, less the theme's template fragments in _static and the pages of another
    Sphinx output inside this one (an edition in another language), which add their own."""
    nested = {d.parent for d in outdir.glob("*/**/_static")}
    found = []
    for page in outdir.rglob("*.html"):
        if "_static" in page.relative_to(outdir).parts or any(root in page.parents for root in nested):
            continue
        found.append(page)
    return sorted(found)


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not app.config.panel_content_security_policy:
        return
    if app.builder.format != "html" or app.builder.name == "epub":
        return
    outdir = Path(app.outdir)
    # a warning names the page's source where it has one (not genindex, search)
    sources = {app.builder.get_target_uri(docname): docname for docname in app.env.found_docs}
    for page in pages(outdir):
        html = page.read_text(encoding="utf-8")
        uri = page.relative_to(outdir).as_posix()
        for attribute in blocked_attributes(html):
            logger.warning(
                f"{'' if uri in sources else uri + ': '}a {attribute}= attribute, which the Content-Security-Policy "
                "blocks: move it to a stylesheet or script (or set panel_content_security_policy = False)",
                location=sources.get(uri),
                type="panel",
                subtype="csp",
            )
        new = with_policy(html)
        if new != html:
            page.write_text(new, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_content_security_policy", True, "", types=[bool])
    # last: after panelnotes.stylesheets (900) rewrites the pages' links
    app.connect("build-finished", build_finished, priority=990)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
