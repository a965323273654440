"""Pages generated from the collected answers: the stance matrix, each speaker's answers, and
each chapter's list of works cited. They are filled in once every chapter has been read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import NoUri
from sphinx.util.nodes import make_refnode

from . import nodes as panel_nodes
from . import sources
from .bibliography import CompactStyle
from .directives import question_label
from .domain import AnswerRecord, PanelDomain, QuestionRecord
from .messages import _

if TYPE_CHECKING:
    from sphinxcontrib.bibtex.domain import BibtexDomain


def _link(app: Sphinx, fromdocname: str, docname: str, anchor: str | None, child: nodes.Node) -> nodes.Node:
    """A link to *docname*#*anchor*; just *child* where the output has no such page (a handout)."""
    try:
        if anchor:
            return make_refnode(app.builder, fromdocname, docname, anchor, child)
        ref = nodes.reference("", "", internal=True, refuri=app.builder.get_relative_uri(fromdocname, docname))
    except NoUri:
        return child
    ref += child
    return ref


def _answer_link(app: Sphinx, fromdocname: str, answer: AnswerRecord, text: str) -> nodes.Node:
    return _link(app, fromdocname, answer.docname, answer.anchor, nodes.Text(text))


def _chapter_link(app: Sphinx, fromdocname: str, docname: str, text: str) -> nodes.Node:
    return _link(app, fromdocname, docname, None, nodes.Text(text))


def _flag(answer: AnswerRecord) -> str:
    return "" if answer.attribution == "named" else " †"


def _question_heading(app: Sphinx, fromdocname: str, question: QuestionRecord) -> list[nodes.Node]:
    """ "Q1 Is vision core to AGI?", the short form linked to the chapter."""
    return [
        nodes.strong("", question_label(app.config, question) + " "),
        _chapter_link(app, fromdocname, question.docname, question.short),
    ]


def _stances(app: Sphinx, fromdocname: str, turns: list[AnswerRecord]) -> list[nodes.Node]:
    """One paragraph per answer (a panelist may answer a question in several turns); "—" for none."""
    if not turns:
        return [nodes.paragraph("", "—", classes=["no-answer"])]
    return [nodes.paragraph("", "", _answer_link(app, fromdocname, turn, turn.stance + _flag(turn))) for turn in turns]


def build_matrix_by_question(app: Sphinx, fromdocname: str) -> nodes.Node:
    """The matrix for print: a block per question listing each panelist's stance. A table of six
    columns cannot break across pages or give a stance a readable width."""
    domain = cast(PanelDomain, app.env.get_domain("panel"))
    panelists = [s for s in sources.speakers(app.env).values() if s.role == "panelist"]
    answers = domain.ordered_answers()
    matrix = nodes.container(classes=["panel-stance-matrix"])
    for question in domain.ordered_questions():
        matrix += nodes.rubric("", "", *_question_heading(app, fromdocname, question), ids=[f"matrix-{question.id}"])
        stances = nodes.definition_list()
        for speaker in panelists:
            turns = [a for a in answers if a.question == question.id and a.speaker == speaker.id]
            stances += nodes.definition_list_item(
                "", nodes.term("", speaker.name), nodes.definition("", *_stances(app, fromdocname, turns))
            )
        matrix += stances
    return matrix


def build_matrix(app: Sphinx, fromdocname: str) -> nodes.Node:
    if app.builder.format == "latex":
        return build_matrix_by_question(app, fromdocname)
    domain = cast(PanelDomain, app.env.get_domain("panel"))
    panelists = [s for s in sources.speakers(app.env).values() if s.role == "panelist"]
    answers = domain.ordered_answers()
    # On the website, the column widths are in panel.css: Sphinx would write them as style
    # attributes, which the pages' Content-Security-Policy blocks.
    html = app.builder.format == "html"
    table = nodes.table(classes=["panel-stance-matrix"] + ([] if html else ["colwidths-given"]))
    group = nodes.tgroup(cols=1 + len(panelists))
    table += group
    widths = [16] + [14] * len(panelists)
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head_row = nodes.row()
    for text in [_("Question")] + [s.name for s in panelists]:
        head_row += nodes.entry("", nodes.paragraph("", text))
    group += nodes.thead("", head_row)
    body = nodes.tbody()
    for question in domain.ordered_questions():
        row = nodes.row(ids=[f"matrix-{question.id}"])
        label = nodes.paragraph("", "", nodes.strong("", question_label(app.config, question) + " "))
        label += _chapter_link(app, fromdocname, question.docname, question.short)
        row += nodes.entry("", label)
        for speaker in panelists:
            cell = nodes.entry(classes=[f"speaker-{speaker.id}"])
            if html:  # a narrow screen shows each question as a block, each cell with its speaker
                cell += nodes.paragraph("", speaker.name, classes=["panel-matrix-speaker"])
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
    domain = cast(PanelDomain, app.env.get_domain("panel"))
    questions = {q.id: q for q in domain.questions.values()}
    items = nodes.enumerated_list(classes=["panel-speaker-answers"])
    for answer in domain.ordered_answers():
        if answer.speaker != speaker_id or answer.question not in questions:
            continue
        question = questions[answer.question]
        para = nodes.paragraph("", "")
        para += nodes.strong("", question_label(app.config, question) + " ")
        para += _chapter_link(app, fromdocname, question.docname, question.short)
        para += nodes.Text(": ")
        para += _answer_link(app, fromdocname, answer, answer.stance + _flag(answer))
        items += nodes.list_item("", para)
    if not len(items):
        return nodes.paragraph("", _("No answers recorded."), classes=["no-answer"])
    return items


def cited_keys(app: Sphinx, docname: str) -> list[str]:
    """The keys *docname* cites, in order of first citation."""
    keys: dict[str, None] = {}
    for ref in cast("BibtexDomain", app.env.get_domain("cite")).citation_refs:
        if ref.docname == docname:
            keys.update(dict.fromkeys(target.key for target in ref.targets))
    return list(keys)


def local_reference_id(key: str) -> str:
    return f"cited-{key}"


def build_chapter_references(app: Sphinx, fromdocname: str, docname: str) -> nodes.Node:
    """The works *docname* cites, each formatted as in the bibliography, with an anchor the
    chapter's citations link to, so that a chapter (and its handout) carries its own references."""
    cite = cast("BibtexDomain", app.env.get_domain("cite"))
    citations = {c.key: c for c in cite.citations}
    cited = [citations[key] for key in cited_keys(app, docname) if key in citations]
    items = nodes.bullet_list(classes=["panel-chapter-references"])
    compact = CompactStyle()
    for citation in sorted(cited, key=lambda c: c.formatted_entry.label):
        key_id = local_reference_id(citation.key)
        para = nodes.paragraph("", "", nodes.target("", "", ids=[key_id]))
        if app.builder.format == "latex":  # in print, compact: the book's bibliography has the full entries
            label = citation.formatted_entry.label
            para += nodes.strong("", label + ".")
            para += nodes.Text(" ")
            para += compact.format_entry(label, citation.entry).text.render(cite.backend)
        else:
            para += citation.formatted_entry.text.render(cite.backend)
        if app.builder.format == "html":
            para += nodes.Text(" ")
            para += _link(
                app,
                fromdocname,
                citation.bibliography_key.docname,
                citation.citation_id,
                nodes.inline("", _("[in the bibliography]"), classes=["bib-backlink"]),
            )
        items += nodes.list_item("", para)
    if not len(items):
        return nodes.paragraph("", _("This chapter cites no works."))
    if app.builder.format == "latex":  # LaTeX sees a class only on a container (sphinxuseclass)
        return nodes.container("", items, classes=["panel-chapter-references"])
    return items


def link_citations_locally(app: Sphinx, unit: nodes.Element, keys: list[str]) -> None:
    """Point the citations in *unit* at its own reference list instead of the bibliography page."""
    by_id = {c.citation_id: c.key for c in cast("BibtexDomain", app.env.get_domain("cite")).citations if c.key in keys}
    for group in unit.findall(lambda n: isinstance(n, nodes.inline) and "bibtex-citation" in n["classes"]):
        for ref in group.findall(nodes.reference):
            target = ref.get("refuri", "").rpartition("#")[2] or ref.get("refid", "")
            if target in by_id:
                ref.attributes.pop("refuri", None)
                ref["refid"] = local_reference_id(by_id[target])
                ref["internal"] = True


def document_units(doctree: nodes.document, docname: str) -> list[tuple[str, nodes.Element]]:
    """(docname, subtree) per source document: one for HTML; one per file in an assembled LaTeX tree."""
    files = list(doctree.findall(addnodes.start_of_file))
    return [(f["docname"], f) for f in files] if files else [(docname, doctree)]


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill in the stand-ins for the stance matrix, speaker answers and chapter references."""
    node: nodes.Element
    for node in list(doctree.findall(panel_nodes.stance_matrix)):
        node.replace_self(build_matrix(app, docname))
    for node in list(doctree.findall(panel_nodes.speaker_answers)):
        node.replace_self(build_speaker_answers(app, docname, node["speaker"]))
    for unit_docname, unit in document_units(doctree, docname):
        stand_ins = [n for n in unit.findall(panel_nodes.chapter_references) if n["docname"] == unit_docname]
        for node in stand_ins:
            link_citations_locally(app, unit, cited_keys(app, unit_docname))
            node.replace_self(build_chapter_references(app, docname, unit_docname))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", doctree_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
