"""Inline roles: ``{zh}`…``` marks Chinese text, ``{speaker}`id``` links a speaker's page."""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from docutils.utils import smartquotes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from . import sources
from .messages import chinese_edition
from .transcript import MIN_QUOTE_HAN, han_only

logger = logging.getLogger(__name__)

ZH_CLASS = "language-zh-Hans"  # docutils turns a language-* class into the lang attribute
# a run of Chinese: Han characters and the punctuation between them
CHINESE_RUN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff](?:[\u3000-\u303f\uff00-\uffef\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]*[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])?"
)


def mark_chinese(text: str) -> list[nodes.Node]:
    """*text* with each run of Chinese in an element marked ``lang="zh-Hans"`` (for screen readers
    and font choice), for prose generated from data, which no ``{zh}`` role marks."""
    result: list[nodes.Node] = []
    at = 0
    for match in CHINESE_RUN.finditer(text):
        if match.start() > at:
            result.append(nodes.Text(text[at : match.start()]))
        result.append(nodes.inline("", match.group(), classes=[ZH_CLASS]))
        at = match.end()
    if at < len(text):
        result.append(nodes.Text(text[at:]))
    return result


class ChineseRole(SphinxRole):
    """Chinese in running text; a quotation-length run must be verbatim from the transcript."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        if len(han_only(self.text)) >= MIN_QUOTE_HAN:
            self.env.note_dependency(str(sources.transcript_path(self.env)))
            if not sources.transcript(self.env).contains(self.text):
                logger.warning(
                    f"Chinese text is not verbatim from the transcript: {self.text!r}",
                    location=self.get_location(),
                    type="panel",
                    subtype="not_verbatim",
                )
        return [nodes.inline(self.rawtext, self.text, classes=[ZH_CLASS])], []


def speaker_link(env: BuildEnvironment, speaker_id: str, location: str | tuple[str, int] | None) -> nodes.Node:
    """The speaker's name, linked to their page; a warning naming *location* if the id is unknown."""
    env.note_dependency(str(sources.speakers_path(env)))
    speaker = sources.speakers(env).get(speaker_id)
    if speaker is None:
        known = ", ".join(sources.speakers(env))
        logger.warning(
            f"unknown speaker {speaker_id!r} (known: {known})",
            location=location,
            type="panel",
            subtype="unknown_speaker",
        )
        return nodes.inline(speaker_id, speaker_id, classes=["panel-speaker", "unknown"])
    xref = addnodes.pending_xref(
        "",
        refdomain="std",
        reftype="doc",
        reftarget=f"/{env.config.panel_speaker_pages}/{speaker_id}",
        refexplicit=True,
        refwarn=True,
    )
    name = speaker.display_name(chinese_edition(env.config))
    xref += nodes.inline(name, name, classes=["panel-speaker"])
    return xref


class SpeakerRole(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        return [speaker_link(self.env, self.text.strip(), self.get_location())], []


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_speaker_pages", "speakers", "env", types=[str])
    app.add_role("zh", ChineseRole())
    app.add_role("speaker", SpeakerRole())
    # Docutils has no smart-quote table for zh-Hans and warns on every Chinese passage;
    # Simplified Chinese uses the same curly quotes as English.
    smartquotes.smartchars.quotes.setdefault("zh-hans", "“”‘’")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
