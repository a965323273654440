"""Pages generated from the collected answers: the stance matrix, each speaker's answers, and
each chapter's list of works cited. They are filled in once every chapter has been read."""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.nodes import make_refnode

from . import nodes as panel_nodes
from . import sources
from .domain import AnswerRecord, PanelDomain


def _answer_link(app: Sphinx, fromdocname: str, answer: AnswerRecord, text: str) -> nodes.Node:
    return make_refnode(app.builder, fromdocname, answer.docname, answer.anchor, nodes.Text(text), answer.stance)


def _chapter_link(app: Sphinx, fromdocname: str, docname: str, text: str) -> nodes.Node:
    ref = nodes.reference("", "", internal=True, refuri=app.builder.get_relative_uri(fromdocname, docname))
    ref += nodes.Text(text)
    return ref


def _flag(answer: AnswerRecord) -> str:
    return "" if answer.attribution == "named" else " †"


def build_matrix(app: Sphinx, fromdocname: str) -> nodes.Node:
    domain: PanelDomain = app.env.get_domain("panel")
    panelists = [s for s in sources.speakers(app.env).values() if s.role == "panelist"]
    answers = domain.ordered_answers()
    table = nodes.table(classes=["panel-stance-matrix", "colwidths-given"])
    group = nodes.tgroup(cols=1 + len(panelists))
    table += group
    widths = [16] + [14] * len(panelists)
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head_row = nodes.row()
    for text in ["Question"] + [s.name for s in panelists]:
        head_row += nodes.entry("", nodes.paragraph("", text))
    group += nodes.thead("", head_row)
    body = nodes.tbody()
    for question in domain.ordered_questions():
        row = nodes.row(ids=[f"matrix-{question.id}"])
        label = nodes.paragraph("", "", nodes.strong("", question.label + " "))
        label += _chapter_link(app, fromdocname, question.docname, question.short)
        row += nodes.entry("", label)
        for speaker in panelists:
            cell = nodes.entry(classes=[f"speaker-{speaker.id}"])
            turns = [a for a in answers if a.question == question.id and a.speaker == speaker.id]
            for turn in turns:
                para = nodes.paragraph("", "")
                para += _answer_link(app, fromdocname, turn, turn.stance + _flag(turn))
                cell += para
            if not turns:
                cell += nodes.paragraph("", "—", classes=["no-answer"])
            row += cell
        body += row
    group += body
    return table


def build_speaker_answers(app: Sphinx, fromdocname: str, speaker_id: str) -> nodes.Node:
    domain: PanelDomain = app.env.get_domain("panel")
    questions = {q.id: q for q in domain.questions.values()}
    items = nodes.enumerated_list(classes=["panel-speaker-answers"])
    for answer in domain.ordered_answers():
        if answer.speaker != speaker_id or answer.question not in questions:
            continue
        question = questions[answer.question]
        para = nodes.paragraph("", "")
        para += nodes.strong("", question.label + " ")
        para += _chapter_link(app, fromdocname, question.docname, question.short)
        para += nodes.Text(": ")
        para += _answer_link(app, fromdocname, answer, answer.stance + _flag(answer))
        items += nodes.list_item("", para)
    if not len(items):
        return nodes.paragraph("", "No answers recorded.", classes=["no-answer"])
    return items


def build_chapter_references(app: Sphinx, fromdocname: str) -> nodes.Node:
    """The works the chapter cites, each formatted as in the bibliography and linked to its entry."""
    cite = app.env.get_domain("cite")
    keys: dict[str, None] = {}
    for ref in cite.citation_refs:
        if ref.docname == fromdocname:
            keys.update(dict.fromkeys(target.key for target in ref.targets))
    citations = {c.key: c for c in cite.citations}
    items = nodes.bullet_list(classes=["panel-chapter-references"])
    for citation in sorted((citations[k] for k in keys if k in citations), key=lambda c: c.formatted_entry.label):
        para = nodes.paragraph("", "")
        para += citation.formatted_entry.text.render(cite.backend)
        para += nodes.Text(" ")
        para += make_refnode(
            app.builder,
            fromdocname,
            citation.bibliography_key.docname,
            citation.citation_id,
            nodes.inline("", "[in the bibliography]", classes=["bib-backlink"]),
        )
        items += nodes.list_item("", para)
    if not len(items):
        return nodes.paragraph("", "This chapter cites no works.")
    return items


def fill_placeholders(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(panel_nodes.stance_matrix)):
        node.replace_self(build_matrix(app, docname))
    for node in list(doctree.findall(panel_nodes.speaker_answers)):
        node.replace_self(build_speaker_answers(app, docname, node["speaker"]))
    for node in list(doctree.findall(panel_nodes.chapter_references)):
        node.replace_self(build_chapter_references(app, docname))


class CollectionPages:
    """Which documents show collected data, so they are rewritten whenever any chapter is re-read."""

    def __init__(self) -> None:
        self.touched = False

    def before_read(self, app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        self.touched = bool(docnames)

    def purge(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        self.touched = True

    def to_rewrite(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        pages = env.get_domain("panel").collection_pages
        return sorted(pages) if self.touched else []
