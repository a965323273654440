"""Reading-group handouts: one PDF per question chapter, a ``howto`` document in ``latex_documents``.

A handout opens with a title block across both columns: the chapter's title, the panel's date and
place, the notes' version and build date, and, when the build knows the site's address, the
chapter's address and a QR code to it (made with segno). Then, before the question, the chapter's
stances and a who's who from the speaker registry. The title block's layout is in panelnotes.sty;
the page's (two columns, margins, type), in the preamble of docs/conf.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import segno
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.i18n import format_date
from sphinx.util.nodes import make_refnode

from . import nodes as panel_nodes
from . import sources
from .citing import page_url
from .directives import attribution_badge
from .domain import PanelDomain
from .messages import _, chinese_edition


def handout_docnames(app: Sphinx) -> set[str]:
    return {document[0] for document in app.config.latex_documents if document[4] == "howto"}


def write_qr_code(app: Sphinx, docname: str, url: str) -> str:
    """A QR code to *url* beside the .tex files; returns its file name. PNG, whole pixels per
    module: xdvipdfmx cannot include segno's PDF, which also carries the time it was made."""
    name = f"qr-{docname.replace('/', '-')}.png"
    segno.make(url, error="m", micro=False).save(str(Path(app.outdir, name)), kind="png", scale=8)
    return name


def title_block(app: Sphinx, docname: str, title: str) -> panel_nodes.handout_title:
    version = _("version %(version)s, built %(date)s") % {
        "version": app.config.release,
        "date": format_date("%d %B %Y", language=app.config.language),
    }
    url = page_url(app, docname)
    return panel_nodes.handout_title(
        title=title,
        facts=[(_("The panel:"), app.config.panel_event_in_full), (_("These notes:"), version)],
        url=url,
        url_label=_("Online:"),
        qr_code=write_qr_code(app, docname, url) if url else "",
    )


def stances(app: Sphinx, docname: str) -> list[nodes.Node]:
    """Each answer's speaker and stance, in the chapter's order, linked to the answer."""
    domain = cast(PanelDomain, app.env.get_domain("panel"))
    registry, chinese = sources.speakers(app.env), chinese_edition(app.config)
    items = nodes.bullet_list()
    for answer in domain.ordered_answers():
        if answer.docname != docname:
            continue
        para = nodes.paragraph("", "", nodes.strong("", registry[answer.speaker].display_name(chinese)))
        badge = attribution_badge(answer.attribution)
        para += nodes.Text(f" ({badge}): " if badge else ": ")
        para += make_refnode(app.builder, docname, docname, answer.anchor, nodes.Text(answer.stance))
        items += nodes.list_item("", para)
    return [nodes.rubric("", _("Stances")), items]


def whos_who(app: Sphinx) -> list[nodes.Node]:
    """Everyone on the panel as the registry gives them: role, affiliation, how the notes know who spoke."""
    chinese = chinese_edition(app.config)
    items = nodes.bullet_list()
    for speaker in sources.speakers(app.env).values():
        presence = {"in the room": _("in the room"), "online": _("online")}[speaker.presence]
        role = _("Moderator") if speaker.role == "moderator" else _("Panelist (%s)") % presence
        affiliation = speaker.text("affiliation", chinese) or _("Affiliation not verified by these notes")
        known = _("Named in the transcript.") if speaker.identification == "named" else _("Identified by inference.")
        para = nodes.paragraph("", "", nodes.strong("", speaker.display_name(chinese)))
        para += nodes.Text(f" {speaker.name if chinese else speaker.name_zh}, {role}. {affiliation}. {known}")
        items += nodes.list_item("", para)
    return [nodes.rubric("", _("Who's who")), items]


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "latex" or docname not in handout_docnames(app):
        return
    chapter = next(iter(doctree.findall(nodes.section)))
    front = nodes.container("", *stances(app, docname), *whos_who(app), classes=["panel-handout-front"])
    chapter.insert(1, front)  # after the chapter's title, which LaTeX sets as the document's
    chapter.insert(1, title_block(app, docname, chapter[0].astext()))


def setup(app: Sphinx) -> dict[str, Any]:
    # The panel as a handout's title block names it: its date only as precise as a checked source.
    app.add_config_value("panel_event_in_full", "", "env", types=[str])
    app.connect("doctree-resolved", doctree_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
