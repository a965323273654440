"""Link-preview cards: each chapter and each answer page gets its own image, drawn at build time
with sphinxext-opengraph's card renderer (matplotlib), and named in the page's ``og:image``.

Why not the extension's own automatic cards: it draws a card for every page, with the first
paragraph as the text (a chapter's is its question in Chinese) and a Latin-only font. Here the
text is the page's title and description, the fonts draw Chinese too (``panel_card_fonts``), and
a glyph they lack is a warning (matplotlib only says so through
Python's warnings, which ``-W`` does not see). Cards are kept in a cache beside the doctrees, by
a hash of what they show, so a build draws only the cards whose text changed; each is reduced to a
palette of 32 colours, which keeps it well under 100 KB. Only when the site's address is known
(``og:image`` must be absolute), and only for web pages.
"""

from __future__ import annotations

import hashlib
import logging as logging_module
import re
import shutil
import time
import warnings
from pathlib import Path
from typing import Any, cast

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from . import citing
from .directives import question_label
from .domain import PanelDomain

logger = logging.getLogger(__name__)

FOLDER = "_images/cards"  #: where the cards are published, under the site's root
SIZE = (1146, 600)  #: what sphinxext-opengraph's renderer draws, in pixels
COLOURS = 32
DESCRIPTION_LENGTH = 170  #: two lines (a title is never shortened: it may say the speaker is inferred)
TITLE_POINTS = 38  #: not the renderer's 46: the longest titles would take five lines and overrun the description
DRAWING = "1"  #: change to redraw every cached card (a change in how they are drawn)

_figures: dict[tuple[str, ...], Any] = {}  # fonts -> the renderer's matplotlib objects, made once per process
_timing = {"drawn": 0, "cached": 0, "seconds": 0.0}


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def card_text(app: Sphinx, pagename: str) -> tuple[str, str] | None:
    """(title, description) of the page's card; None for a page that has none."""
    answer = citing.answer_by_page(app, pagename)
    if answer is not None:
        return citing.answer_title(app, answer), answer.stance
    question = cast(PanelDomain, app.env.get_domain("panel")).questions.get(pagename)
    if question is not None and pagename in app.env.titles:
        label = f"{question_label(app.config, question)}: {question.short}"
        return label, app.env.titles[pagename].astext()
    return None


def draw(path: Path, site: str, title: str, description: str, url: str, fonts: tuple[str, ...]) -> list[str]:
    """Draw one card to *path* (matplotlib takes each glyph from the first of *fonts* that has
    it); returns the characters that none of them has."""
    from PIL import Image
    from sphinxext.opengraph._social_cards import create_social_card_objects, render_social_card

    if fonts not in _figures:
        _figures[fonts] = create_social_card_objects(font=list(fonts))
        _figures[fonts][2].set_fontsize(TITLE_POINTS)  # (figure, site, title, description, url)
    drawn = path.with_suffix(".rgba")  # raw pixels: matplotlib's own PNG would be compressed twice
    # matplotlib logs that it takes a bold font's weight as it is (FreeSans Bold says 600, not 700)
    font_log = logging_module.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging_module.ERROR)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _figures[fonts] = render_social_card(drawn, site, title, description, url, _figures[fonts])
    finally:
        font_log.setLevel(level)
    size = _figures[fonts][0].canvas.get_width_height()
    image = Image.frombytes("RGBA", size, drawn.read_bytes())
    image.convert("RGB").quantize(colors=COLOURS).save(path, optimize=True)
    drawn.unlink()
    # matplotlib's words: "Glyph 38463 (\N{CJK UNIFIED IDEOGRAPH-963F}) missing from font(s) DejaVu Sans."
    codes = [re.match(r"Glyph (\d+) .* missing from font", str(w.message)) for w in caught]
    return list(dict.fromkeys(chr(int(code[1])) for code in codes if code))


def html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if not (app.config.html_baseurl and "sphinxext.opengraph" in app.extensions and citing.web_build(app)):
        return
    text = card_text(app, pagename)
    if doctree is None or text is None:
        return
    title, description = text[0], _shorten(text[1], DESCRIPTION_LENGTH)
    # the title without its subtitle: the whole of it would run into the card's title
    site = re.split(r"[:：]", app.config.project)[0].strip()
    url, fonts = app.config.html_baseurl.split("://")[-1], tuple(app.config.panel_card_fonts)
    digest = hashlib.sha1("\n".join((DRAWING, site, title, description, url, *fonts)).encode()).hexdigest()
    cache = Path(app.doctreedir, "cards")
    cache.mkdir(parents=True, exist_ok=True)
    cached = cache / f"{digest}.png"
    if cached.exists():
        _timing["cached"] += 1
    else:
        start = time.perf_counter()
        missing = draw(cached, site, title, description, url, fonts)
        if missing:
            answer = citing.answer_by_page(app, pagename)
            logger.warning(
                f"the card of {pagename} shows {''.join(missing)!r} as empty boxes: no font of "
                f"panel_card_fonts ({', '.join(fonts)}) has them",
                location=(answer.docname, answer.lineno) if answer else pagename,
                type="panel",
                subtype="card",
            )
        _timing["drawn"] += 1
        _timing["seconds"] += time.perf_counter() - start
    name = f"{FOLDER}/{pagename.replace('/', '-')}-{digest[:8]}.png"  # a new name when the text changes
    Path(app.outdir, name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, Path(app.outdir, name))
    # sphinxext-opengraph takes og: fields from the page's metadata (a copy: not the environment's)
    context["meta"] = dict(context.get("meta") or {}) | {
        "og:image": name,
        "og:image:alt": f"{title} — {description}",
        "og:image:width": str(SIZE[0]),
        "og:image:height": str(SIZE[1]),
    }
    context["metatags"] = context.get("metatags", "") + '\n<meta name="twitter:card" content="summary_large_image" />'


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    if _timing["drawn"] or _timing["cached"]:
        logger.info(
            f"cards: {_timing['drawn']} drawn in {_timing['seconds']:.1f} s, {_timing['cached']} from the cache"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    # fonts matplotlib can find, which together draw every character of the cards (Chinese too)
    app.add_config_value("panel_card_fonts", ["Noto Sans CJK SC"], "html", types=[list])
    # after citing (400, which sets the root page's title), before sphinxext-opengraph (500)
    app.connect("html-page-context", html_page_context, priority=450)
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
