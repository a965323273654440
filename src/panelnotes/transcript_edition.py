"""The transcript as a reading edition: every turn with its speaker, its identification mark, the
Chinese as spoken (ASR errors and all, our corrections in brackets) and an English translation,
linked both ways with the answers that summarise it.

A page shows one part of the panel with ``{turns} <part>`` under a heading the page writes itself
(so headings are in the page's contents and translatable). Links to paragraphs (``panel:paragraphs`` references,
from answers and excerpts) land on ``#transcript-pN`` or, for a range, ``#transcript-pN-M``; the
page carries an anchor for every range that is linked. Every build checks turns against answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from . import nodes as panel_nodes
from . import sources
from .collections import document_units
from .directives import PanelDirective, attribution_badge, correction_mark, paragraph_anchor, question_label
from .domain import AnswerRecord, PanelDomain
from .glossary import misheard_ref
from .messages import _, chinese_edition
from .roles import ZH_CLASS, mark_chinese, speaker_link
from .turns import AUDIENCE, UNIDENTIFIED, Turn

logger = logging.getLogger(__name__)


def _spans(text: str, forms: Iterable[str]) -> list[tuple[int, int, str]]:
    """Where the forms occur in *text*: (start, end, form), not overlapping, earliest and longest first."""
    found: list[tuple[int, int, str]] = []
    at = 0
    while True:
        hits = [(text.find(form, at), -len(form), form) for form in forms if form and form in text[at:]]
        if not hits:
            return found
        start, length, form = min(hits)
        found.append((start, start - length, form))
        at = start - length


def _annotated(text: str, corrections: dict[str, str], glossary: dict[str, str]) -> list[nodes.Node]:
    """*text* as spoken: each misheard form links to its glossary entry, and each corrected one is
    followed by ``[correction]`` in its own style, announced as a correction to screen readers (after
    the glossary link, where a correction ends inside one)."""
    marks = {end: corrections[form] for _, end, form in _spans(text, corrections)}
    result: list[nodes.Node] = []

    def plain(start: int, end: int) -> None:
        cut = start
        for mark_end in sorted(e for e in marks if start < e <= end):
            result.extend([nodes.Text(text[cut:mark_end]), correction_mark(f"[{marks[mark_end]}]")])
            cut = mark_end
        if end > cut:
            result.append(nodes.Text(text[cut:end]))

    position = 0
    for start, end, form in _spans(text, glossary):
        plain(position, start)
        result.append(misheard_ref(glossary[form], nodes.Text(text[start:end])))
        for mark_end in sorted(e for e in marks if start < e <= end):
            result.append(correction_mark(f"[{marks[mark_end]}]"))
        position = end
    plain(position, len(text))
    return result


def speaker_label(env: BuildEnvironment, turn: Turn, location: str) -> nodes.Node:
    if turn.speaker == AUDIENCE:
        return nodes.inline("", _("Audience member"), classes=["panel-speaker"])
    if turn.speaker == UNIDENTIFIED:
        return nodes.inline("", _("Unidentified speaker"), classes=["panel-speaker"])
    return speaker_link(env, turn.speaker, location)


class TurnsDirective(PanelDirective):
    """``{turns} part``: the turns of one part of the panel (a question id, opening or closing)."""

    required_arguments = 1

    def paragraph_target(self, anchor: str) -> nodes.target:
        """The anchor of one paragraph, also a label ``{ref}`` can link to. An inline target, not
        ids on the paragraph: LaTeX writes labels only for targets."""
        target = nodes.target("", "", ids=[anchor], names=[anchor])
        self.state.document.note_explicit_target(target)
        return target

    def run(self) -> list[nodes.Node]:
        part = self.arguments[0]
        for path in (
            sources.transcript_path(self.env),
            sources.speakers_path(self.env),
            *sources.turns_paths(self.env),
        ):
            self.env.note_dependency(str(path))
        turns = [t for t in sources.turns(self.env) if t.part == part]
        if not turns:
            self.warn(f"no turns belong to the part {part!r}", "unknown_part")
            return []
        self.domain.note_turn_part(self.env.docname, part, self.lineno)
        self.domain.collection_pages.add(self.env.docname)  # its links to the answers change with them
        return [self.turn_node(turn) for turn in turns]

    def turn_node(self, turn: Turn) -> nodes.Element:
        node = panel_nodes.turn(
            ids=[turn.anchor], speaker=turn.speaker, attribution=turn.identification, paragraphs=turn.paragraphs
        )
        header = nodes.paragraph("", "", classes=["turn-header"])
        header += nodes.strong("", "", speaker_label(self.env, turn, turn.location))
        badge = attribution_badge(turn.identification)
        if badge:
            header += [
                nodes.Text(" "),
                nodes.inline("", badge, classes=["panel-badge", f"attribution-{turn.identification}"]),
            ]
        header += nodes.inline("", " ¶" + turn.paragraphs.replace("-", "–"), classes=["turn-range"])
        header += panel_nodes.turn_links(speaker=turn.speaker, part=turn.part, first=turn.first, last=turn.last)
        node += header
        glossary_forms = {form: item.anchor for item in sources.glossary(self.env).misheard for form in item.forms}
        original = nodes.container(classes=["turn-zh", ZH_CLASS])
        text: str | None  # a paragraph of the transcript, then a note the turn may lack
        for number, text in turn.pieces:
            para = nodes.paragraph("", "", classes=["transcript-paragraph", f"para-{number}"])
            if turn.paragraph_starts(number):
                anchor = paragraph_anchor(number, number)
                para += self.paragraph_target(anchor)
                para += nodes.reference("", f"¶{number}", refid=anchor, classes=["transcript-number"])
                para += nodes.Text(" ")
            para += _annotated(text, dict(turn.corrections), glossary_forms)
            original += para
        node += original
        chinese = chinese_edition(self.config)
        if not chinese:  # the Chinese edition shows the transcript alone
            english = nodes.paragraph("", "", *mark_chinese(turn.en))
            node += nodes.container("", english, classes=["turn-en", "language-en"])
        notes = (
            (_("Why this speaker:"), turn.reason, turn.reason_zh),
            (_("Not summarised in the chapters:"), turn.unsummarised, turn.unsummarised_zh),
        )
        for label, english_note, chinese_note in notes:
            if chinese and english_note and not chinese_note:
                logger.warning(
                    "the turn's note has no Chinese version (reason_zh, unsummarised_zh)",
                    location=turn.location,
                    type="panel",
                    subtype="untranslated",
                )
            note = chinese_note if chinese else english_note
            if note:
                language = [] if chinese else ["language-en"]
                para = nodes.paragraph("", "", nodes.emphasis("", label + " "), *mark_chinese(note))
                para["classes"] += ["turn-reason", *language]
                node += para
        self.domain.note_paragraph_doc(self.env.docname)
        return node


def _answers_for(domain: PanelDomain, speaker: str, first: int, last: int) -> list[AnswerRecord]:
    return [a for a in domain.ordered_answers() if a.speaker == speaker and a.overlaps(first, last)]


def _turn_links(app: Sphinx, fromdocname: str, node: panel_nodes.turn_links) -> list[nodes.Node]:
    """ "summarised in Q5" links to the answers that cover a turn, or "asks Q5" for the turn that
    asks a question."""
    domain: PanelDomain = app.env.get_domain("panel")  # type: ignore[assignment]
    questions = {q.id: q for q in domain.questions.values()}
    links: list[nodes.Node] = []
    for answer in _answers_for(domain, node["speaker"], node["first"], node["last"]):
        label = question_label(app.config, questions[answer.question])
        links.append(
            make_refnode(app.builder, fromdocname, answer.docname, answer.anchor, nodes.Text(_("answer in %s") % label))
        )
    question = questions.get(node["part"])
    if not links and question is not None and node["speaker"] in _moderators(app) | {AUDIENCE}:
        links.append(
            make_refnode(
                app.builder,
                fromdocname,
                question.docname,
                question.id,
                nodes.Text(_("chapter %s") % question_label(app.config, question)),
            )
        )
    result: list[nodes.Node] = []
    for index, link in enumerate(links):
        result += [nodes.Text(" · " if index else " → "), link]
    return result


def _moderators(app: Sphinx) -> set[str]:
    return {s.id for s in sources.speakers(app.env).values() if s.role == "moderator"}


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill in each turn's links, and add the anchors for every linked paragraph range."""
    for node in list(doctree.findall(panel_nodes.turn_links)):
        wrapper = nodes.inline("", "", classes=["turn-links"])
        wrapper += _turn_links(app, docname, node)
        node.replace_self(wrapper)
    domain: PanelDomain = app.env.get_domain("panel")  # type: ignore[assignment]
    # the whole book in LaTeX is one tree: find the transcript's pages in it
    for unit_docname, unit in document_units(doctree, docname):
        if unit_docname in domain.data["paragraph_docs"]:
            add_range_anchors(unit, domain)


def add_range_anchors(unit: nodes.Element, domain: PanelDomain) -> None:
    """A range's anchor goes into the last turn that touches its first paragraph: where a speaker
    takes over in mid-paragraph, that is the turn an answer or excerpt starting there quotes."""
    pieces: dict[int, nodes.paragraph] = {}
    for para in unit.findall(nodes.paragraph):
        numbers = [c[5:] for c in para["classes"] if c.startswith("para-") and c[5:].isdigit()]
        if numbers:
            pieces[int(numbers[0])] = para
    for first, last in sorted(domain.linked_ranges()):
        if last > first and first in pieces:
            pieces[first].insert(0, nodes.target("", "", ids=[paragraph_anchor(first, last)]))


def check_turns_against_answers(app: Sphinx, env: BuildEnvironment) -> None:
    """Turns and answers never disagree: each answer's paragraphs lie in turns of its speaker with
    the same identification; each panelist turn is summarised by an answer or says why not; every
    part of the panel is shown once, in order."""
    turns = sources.turns(env)
    if not turns:
        return
    domain: PanelDomain = env.get_domain("panel")  # type: ignore[assignment]
    registry = sources.speakers(env)
    # an answer with an unknown speaker or a bad range has had its warning: do not add its consequences
    faulty = {a.question for a in domain.answers if a.speaker not in registry or not a.spans}
    for answer in domain.ordered_answers():
        if answer.question in faulty:
            continue
        location = (answer.docname, answer.lineno)
        for number in answer.paragraphs():
            here = [t for t in turns if t.first <= number <= t.last and t.speaker == answer.speaker]
            if not here:
                _warn(
                    f"the answer by {answer.speaker!r} covers ¶{number}, "
                    f"where the turns give {answer.speaker!r} no turn",
                    location,
                )
                break
            marks = {t.identification for t in here}
            if answer.attribution not in marks:
                _warn(
                    f"the answer by {answer.speaker!r} is {answer.attribution}, its turn at {here[0].location} is "
                    f"{here[0].identification}",
                    location,
                )
                break
    panelists = {s.id for s in registry.values() if s.role == "panelist"}
    for turn in turns:
        if turn.speaker not in panelists or turn.part in faulty:
            continue
        summarised = bool(_answers_for(domain, turn.speaker, turn.first, turn.last))
        if not summarised and not turn.unsummarised:
            _warn(
                f"no answer summarises this turn of {turn.speaker!r} (¶{turn.paragraphs}): "
                "add one, or say why in 'unsummarised'",
                turn.location,
            )
        elif summarised and turn.unsummarised:
            _warn(
                f"this turn of {turn.speaker!r} says it is unsummarised, but an answer covers ¶{turn.paragraphs}",
                turn.location,
            )
    shown = domain.turn_parts()
    expected = list(dict.fromkeys(t.part for t in turns))
    if shown and [part for part, _ in shown] != expected:
        missing = [p for p in expected if p not in {part for part, _ in shown}]
        where = shown[0][1]
        _warn(
            f"the turns pages must show every part once, in order; missing or out of order: {missing or 'order'}", where
        )


def _warn(message: str, location: Any) -> None:
    logger.warning(message, location=location, type="panel", subtype="turns")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("turns", TurnsDirective)
    app.connect("doctree-resolved", doctree_resolved)
    app.connect("env-check-consistency", check_turns_against_answers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
