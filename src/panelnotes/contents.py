"""Every answer in its page's contents ("On this page"), under the section that holds it.

An answer is not a section (its anchor, its markup and its place in the PDFs stay as they are), so
Sphinx's table of contents leaves it out, and on a phone a reader had no way to an answer twelve
screens down but scrolling. After Sphinx has collected a page's contents, each answer gets an
entry there, in the order of the page: the speaker's name, the turn, and the attribution badge
when the transcript does not name the speaker.
"""

from __future__ import annotations

from typing import Any, cast

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from . import nodes as panel_nodes


def _label(answer: panel_nodes.answer) -> str:
    """ "Saining Xie (turn 2) · speaker inferred": the answer's heading less its links."""
    header = next(p for p in answer.findall(nodes.paragraph) if "panel-answer-speaker" in p["classes"])
    name = cast(nodes.strong, header.next_node(nodes.strong)).astext()
    turn = [n.astext().strip() for n in header.findall(nodes.inline) if "panel-answer-turn" in n["classes"]]
    badge = [n.astext() for n in header.findall(nodes.inline) if "panel-badge" in n["classes"]]
    return " · ".join([" ".join([name, *turn]), *badge])


def _entry(docname: str, anchor: str, label: str) -> nodes.list_item:
    reference = nodes.reference("", label, internal=True, refuri=docname, anchorname=f"#{anchor}")
    return nodes.list_item("", addnodes.compact_paragraph("", "", reference))


def doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Add an entry per answer to the page's contents, which Sphinx has just collected."""
    docname = app.env.docname
    toc = app.env.tocs.get(docname)
    answers = list(doctree.findall(panel_nodes.answer))
    if toc is None or not answers:
        return
    # each section's contents entry, by the anchor Sphinx gave it ("" for the page's title)
    items = {ref["anchorname"]: ref.parent.parent for ref in toc.findall(nodes.reference)}
    order = {node: index for index, node in enumerate(doctree.findall(nodes.Element))}
    targets = (n for n in doctree.findall(nodes.Element) if isinstance(n, nodes.section | panel_nodes.answer))
    node_at = {f"#{id_}": node for node in targets for id_ in node["ids"]}
    for answer in answers:
        section = answer.parent
        while not isinstance(section, nodes.section):
            section = section.parent
        anchors = [f"#{id_}" for id_ in section["ids"] if f"#{id_}" in items]
        item = items[anchors[0] if anchors else ""]
        if not isinstance(item[-1], nodes.bullet_list):
            item.append(nodes.bullet_list())
        sublist = cast(nodes.bullet_list, item[-1])
        # in the order of the page: before the first entry (subsection or answer) that comes later
        later = [
            i
            for i, entry in enumerate(sublist.children)
            if order[node_at[cast(nodes.reference, entry.next_node(nodes.reference))["anchorname"]]] > order[answer]
        ]
        sublist.insert(later[0] if later else len(sublist), _entry(docname, answer["ids"][0], _label(answer)))


def setup(app: Sphinx) -> dict[str, Any]:
    # after Sphinx's TocTreeCollector (500) has built the page's contents
    app.connect("doctree-read", doctree_read, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
