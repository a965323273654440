"""Block directives for the chapters (question, answer, excerpt) and the generated pages."""

from __future__ import annotations

import re
from typing import Any, cast

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import nodes as panel_nodes
from . import sources
from .domain import AnswerRecord, PanelDomain, QuestionRecord, answer_anchor
from .messages import _, chinese_edition
from .roles import ZH_CLASS, speaker_link
from .speakers import TRANSLATED
from .transcript import han_only, parse_spans

logger = logging.getLogger(__name__)

ATTRIBUTIONS = ("named", "inferred", "uncertain")
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def attribution_badge(attribution: str) -> str | None:
    """The mark an answer or turn carries when the transcript does not name its speaker."""
    return {"inferred": _("speaker inferred"), "uncertain": _("speaker uncertain")}.get(attribution)


def question_label(config: Any, question: QuestionRecord) -> str:
    """ "Q3" or "A1", as ``panel_question_labels`` spells them."""
    kind = "audience" if question.from_audience else "moderator"
    return str(config.panel_question_labels[kind]).format(number=question.number.lstrip("A"))


def paragraph_anchor(first: int, last: int) -> str:
    """``transcript-p124`` for one paragraph, ``transcript-p124-126`` for a range."""
    return f"transcript-p{first}" if first == last else f"transcript-p{first}-{last}"


def paragraphs_ref(env: BuildEnvironment, first: int, last: int, text: str | None = None) -> addnodes.pending_xref:
    """A link to paragraphs *first*–*last* of the transcript, e.g. "¶9–13"."""
    domain: PanelDomain = env.get_domain("panel")  # type: ignore[assignment]
    domain.note_paragraph_link(env.docname, first, last)
    label = text or (f"¶{first}" if first == last else f"¶{first}–{last}")
    xref = addnodes.pending_xref("", refdomain="panel", reftype="paragraphs", reftarget=f"{first}-{last}", refwarn=True)
    xref += nodes.inline(label, label)
    return xref


CORRECTION = re.compile(r"\[[^\[\]]+\]")


def correction_mark(text: str) -> nodes.inline:
    """An editorial ``[correction]``, set apart from the transcript's text and announced as one."""
    mark = nodes.inline("", "", classes=["panel-correction"])
    mark += panel_nodes.screen_reader_text("", _("correction:") + " ")
    mark += nodes.Text(text)
    return mark


def mark_corrections(paragraph: nodes.Element) -> None:
    """Set each ``[correction]`` in a verbatim paragraph apart from the words as spoken."""
    for text in list(paragraph.findall(nodes.Text)):
        parts = CORRECTION.split(str(text))
        if len(parts) == 1:
            continue
        marks = CORRECTION.findall(str(text))
        replacement: list[nodes.Node] = []
        for index, part in enumerate(parts):
            if part:
                replacement.append(nodes.Text(part))
            if index < len(marks):
                replacement.append(correction_mark(marks[index]))
        parent = text.parent
        at = parent.index(text)
        parent.remove(text)
        for offset, node in enumerate(replacement):
            parent.insert(at + offset, node)


def doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Stances and short question labels, now translated where the edition is, are recorded as
    shown (the stance matrix and speaker pages show them in the edition's language); stances are
    set in italics and the short label gets the question's number."""
    domain: PanelDomain = app.env.get_domain("panel")  # type: ignore[assignment]
    question = domain.questions.get(app.env.docname)
    for para in doctree.findall(nodes.paragraph):
        if question is not None and "panel-question-short" in para["classes"]:
            domain.questions[app.env.docname] = question._replace(short=para.astext())
            para.insert(0, nodes.Text(f"{question_label(app.config, question)} · "))
    shown = {}
    for answer in doctree.findall(panel_nodes.answer):
        for stance in answer.findall(nodes.paragraph):
            if "panel-stance" in stance["classes"]:
                shown[answer["ids"][0]] = stance.astext()
                stance.children = [nodes.emphasis("", "", *stance.children)]
                stance.children[0].parent = stance
                break
    docname = app.env.docname
    anchor_excerpts(doctree)
    domain.data["answers"] = [
        a._replace(stance=shown.get(a.anchor, a.stance)) if a.docname == docname else a for a in domain.answers
    ]


def anchor_excerpts(doctree: nodes.document) -> None:
    """Give every excerpt its own anchor, made of its answer's (or its question's) and of the
    paragraphs it quotes, e.g. ``autoregressive-vs-diffusion-jiahui-yu-p124-126``, and a link to it."""
    taken: set[str] = set()
    quotes = [n for n in doctree.findall(nodes.block_quote) if "panel-excerpt" in n["classes"]]
    for quote in quotes:
        if "transcript" not in quote:
            continue
        owner = next(
            (
                parent["ids"][0]
                for parent in _ancestors(quote)
                if parent["ids"] and (isinstance(parent, panel_nodes.answer) or "panel-question" in parent["classes"])
            ),
            "excerpt",
        )
        first, last = quote["transcript"]
        base = f"{owner}-p{first}" + (f"-{last}" if last != first else "")
        anchor, repeat = base, 1
        while anchor in taken:  # the same paragraphs quoted twice in one answer
            repeat += 1
            anchor = f"{base}-{repeat}"
        taken.add(anchor)
        quote["ids"].append(anchor)
        for source in quote.findall(nodes.paragraph):
            if "excerpt-source" in source["classes"]:
                source += panel_nodes.permalink(refid=anchor, title=_("Link to this excerpt"), symbol="#")


def _ancestors(node: nodes.Element) -> list[nodes.Element]:
    found = []
    parent = node.parent
    while isinstance(parent, nodes.Element):
        found.append(parent)
        parent = parent.parent
    return found


class PanelDirective(SphinxDirective):
    def warn(self, message: str, subtype: str) -> None:
        """A warning at the directive's file and line."""
        logger.warning(message, location=self.get_location(), type="panel", subtype=subtype)

    @property
    def domain(self) -> PanelDomain:
        return cast(PanelDomain, self.env.get_domain("panel"))

    def transcript_spans(self) -> tuple[tuple[int, int], ...]:
        """The ``:transcript:`` option (``41-50`` or ``41-50, 53-56``), checked against the transcript."""
        value = self.options.get("transcript")
        if value is None:
            self.warn(f"{self.name} needs a :transcript: paragraph range", "missing_option")
            return ()
        try:
            spans = parse_spans(value)
            for first, last in spans:
                sources.transcript(self.env).check_range(first, last)
        except ValueError as exc:
            self.warn(f":transcript: {exc}", "bad_range")
            return ()
        self.env.note_dependency(str(sources.transcript_path(self.env)))
        return spans

    def transcript_range(self) -> tuple[int, int] | None:
        """A ``:transcript:`` option that must be one range."""
        spans = self.transcript_spans()
        if len(spans) > 1:
            self.warn(f"{self.name} takes one paragraph range", "bad_range")
        return spans[0] if len(spans) == 1 else None


class PanelQuestionDirective(PanelDirective):
    """The question a chapter is about: ``{panel-question} id`` with the asking as an excerpt."""

    required_arguments, has_content = 1, True
    option_spec = {
        "number": directives.unchanged_required,
        "short": directives.unchanged_required,
        "transcript": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        question_id = self.arguments[0]
        if not ID_PATTERN.fullmatch(question_id):
            self.warn(f"question id {question_id!r} must be lower-case words joined by hyphens", "bad_id")
        number = self.options.get("number", "")
        if not re.fullmatch(r"A?[1-9]\d*", number):
            self.warn(f"question {question_id!r} needs :number: like 3 or A1, got {number!r}", "missing_option")
            number = "0"
        if not self.options.get("short"):
            self.warn(f"question {question_id!r} needs a :short: label for the stance matrix", "missing_option")
        if self.env.docname in self.domain.questions:
            self.warn("a chapter holds one panel-question; this is the second", "duplicate")
            return []
        spans = self.transcript_spans()
        self.domain.note_question(
            QuestionRecord(
                question_id, number, self.options.get("short", question_id), spans, self.env.docname, self.lineno
            )
        )
        # the question's anchor as a target (LaTeX writes labels for targets, not for containers)
        box = nodes.container("", nodes.target("", "", ids=[question_id]), classes=["panel-question"])
        record = self.domain.questions[self.env.docname]
        asked = _("An audience member asks") if record.from_audience else _("The moderator asks")
        # the short label is a message of the book's catalogs: numbered at doctree-read, once translated
        short = nodes.paragraph(record.short, record.short, classes=["panel-question-short"])
        self.set_source_info(short)
        box += short
        label = f"{question_label(self.config, record)}. {asked}:"
        box += nodes.paragraph("", "", nodes.strong("", label), classes=["panel-question-label"])
        box += self.parse_content_to_nodes()
        return [box, panel_nodes.downloads(docname=self.env.docname)]


class AnswerDirective(PanelDirective):
    """One panelist's answer: ``{answer} speaker-id`` with a stance, a range, and the body."""

    required_arguments = 1
    has_content = True
    option_spec = {
        "stance": directives.unchanged,
        "transcript": directives.unchanged_required,
        "attribution": lambda value: directives.choice(value, ATTRIBUTIONS),
        "turn": directives.positive_int,
    }

    def run(self) -> list[nodes.Node]:
        speaker_id = self.arguments[0]
        question = self.domain.questions.get(self.env.docname)
        if question is None:
            self.warn("an answer needs a panel-question earlier in the same chapter", "no_question")
            return []
        stance = " ".join(self.options.get("stance", "").split())
        if not stance:
            self.warn(f"the answer by {speaker_id!r} needs a one-line :stance:", "missing_stance")
        turn = self.options.get("turn", 1)
        attribution = self.options.get("attribution", "named")
        anchor = answer_anchor(question.id, speaker_id, turn)
        spans = self.transcript_spans()

        node = panel_nodes.answer(
            speaker=speaker_id, question=question.id, attribution=attribution, ids=[anchor], names=[anchor]
        )
        node.document = self.state.document
        self.state.document.note_explicit_target(node)  # so {ref} can link to an answer by its anchor
        self.set_source_info(node)

        header = nodes.paragraph("", "", classes=["panel-answer-speaker"])
        header += nodes.strong("", "", speaker_link(self.env, speaker_id, self.get_location()))
        if turn > 1:
            header += nodes.inline("", " " + _("(turn %d)") % turn, classes=["panel-answer-turn"])
        badge = attribution_badge(attribution)
        if badge:
            header += nodes.Text(" ")
            header += nodes.inline("", badge, classes=["panel-badge", f"attribution-{attribution}"])
        header += panel_nodes.permalink(refid=anchor, title=_("Link to this answer"))
        for index, (first, last) in enumerate(spans):
            separator = ", " if index else " "
            header += nodes.inline(
                "", "", nodes.Text(separator), paragraphs_ref(self.env, first, last), classes=["answer-paragraphs"]
            )
        header["translatable"] = False  # its labels come from the extension's catalog, the name from the registry
        node += header
        # a message of the book's catalogs; set in italics at doctree-read, once translated
        stance_para = nodes.paragraph(stance, stance, classes=["panel-stance"])
        self.set_source_info(stance_para)
        node += stance_para
        node += self.parse_content_to_nodes()

        self.domain.note_answer(
            AnswerRecord(
                anchor,
                question.id,
                speaker_id,
                stance,
                attribution,
                spans,
                self.cited_keys(node),
                self.env.docname,
                self.lineno,
            )
        )
        return [node]

    def cited_keys(self, node: nodes.Element) -> tuple[str, ...]:
        """The keys the answer's citations name, in order (sphinxcontrib-bibtex notes each citation)."""
        ids = {xref["ids"][0] for xref in node.findall(addnodes.pending_xref) if xref.get("refdomain") == "cite"}
        refs = self.env.get_domain("cite").citation_refs  # type: ignore[attr-defined]
        keys = [target.key for ref in refs if ref.citation_ref_id in ids for target in ref.targets]
        return tuple(dict.fromkeys(keys))


class ExcerptDirective(PanelDirective):
    """A verbatim transcript excerpt (first paragraph) and its translation (the rest)."""

    has_content = True
    option_spec = {"transcript": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        span = self.transcript_range()
        body = self.parse_content_to_nodes()
        if not body or not isinstance(body[0], nodes.paragraph) or not han_only(body[0].astext()):
            self.warn("an excerpt starts with a paragraph of Chinese from the transcript", "bad_excerpt")
            return body
        original, translation = body[0], body[1:]
        if not translation:
            self.warn("an excerpt needs an English translation after the Chinese paragraph", "bad_excerpt")
        # neither is translated: the original is verbatim, and the Chinese edition shows it alone
        for element in [original, *translation]:
            for text_node in element.findall(nodes.TextElement):
                if not isinstance(text_node, nodes.Inline):  # Sphinx unwraps an inline that has the flag
                    text_node["translatable"] = False
        if chinese_edition(self.config):
            translation = []
        if span and not sources.transcript(self.env).contains(original.astext(), *span):
            self.warn(
                f"excerpt is not verbatim from transcript ¶{span[0]}-{span[1]}: {original.astext()[:60]!r}",
                "not_verbatim",
            )
        original["classes"] += ["excerpt-original", ZH_CLASS]
        mark_corrections(original)
        quote = nodes.block_quote(classes=["panel-excerpt"])
        quote += original
        if translation:
            quote += nodes.container("", *translation, classes=["excerpt-translation"])
        if span:
            quote["transcript"] = span  # its anchor is made of its answer's and of this (see doctree_read)
            quote += nodes.paragraph(
                "",
                "",
                nodes.Text(_("ASR transcript") + " "),
                paragraphs_ref(self.env, *span),
                classes=["excerpt-source"],
            )
        return [quote]


class SpeakerProfileDirective(PanelDirective):
    """A speaker's page: who they are (from the registry) and, once all is read, their answers."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        speaker_id = self.arguments[0]
        self.env.note_dependency(str(sources.speakers_path(self.env)))
        speaker = sources.speakers(self.env).get(speaker_id)
        if speaker is None:
            self.warn(f"unknown speaker {speaker_id!r}", "unknown_speaker")
            return []
        chinese = chinese_edition(self.config)
        presence = {"in the room": _("in the room"), "online": _("online")}[speaker.presence]
        role = _("Moderator") if speaker.role == "moderator" else _("Panelist (%s)") % presence
        for name in TRANSLATED:
            if chinese and getattr(speaker, name) and not speaker.text(name, chinese):
                self.warn(f"speaker {speaker_id!r} has {name} but no {name}_zh for this edition", "untranslated")
        facts = [
            (_("Name in English:"), speaker.name) if chinese else (_("Name in Chinese:"), f"{{zh}}`{speaker.name_zh}`"),
            (_("Role:"), role),
            (
                _("Affiliation at the time of the panel:"),
                speaker.text("affiliation", chinese) or _("not verified by these notes"),
            ),
        ]
        if speaker.identification == "inferred":
            note = speaker.text("identification_note", chinese) or ""
            facts.append((_("Identification:"), f"{_('inferred from the transcript.')} {note}"))
        if speaker.works:
            facts.append((_("Their works cited in the notes:"), ", ".join(f"{{cite:t}}`{k}`" for k in speaker.works)))
        # Sections are built here, not parsed: MyST attaches parsed headings to the document itself.
        # The title is the name in the edition's language only: navigation and <title> repeat it unmarked.
        page = self._section(speaker_id, speaker.display_name(chinese))
        page["classes"].append("panel-speaker-page")
        body = self.parse_text_to_nodes("\n".join(f"**{label}** {value}  " for label, value in facts))
        for element in body:  # from the registry and the extension's catalog, not the book's
            for text_node in element.findall(nodes.TextElement):
                if not isinstance(text_node, nodes.Inline):  # Sphinx unwraps an inline that has the flag
                    text_node["translatable"] = False
        page += body
        answers = self._section(
            "answers", _("Answers on the panel") if speaker.role == "panelist" else _("On the panel")
        )
        answers += panel_nodes.speaker_answers(speaker=speaker_id)
        page += answers
        self.domain.collection_pages.add(self.env.docname)
        return [page]

    def _section(self, section_id: str, title: str) -> nodes.section:
        section = nodes.section(ids=[section_id], names=[section_id])
        # from the registry or the extension's catalog, not the book's
        section += nodes.title(title, title, translatable=False)
        self.set_source_info(section)
        return section


class BookDownloadDirective(PanelDirective):
    """A link to the whole book as a PDF, where it was built (see ``downloads``)."""

    def run(self) -> list[nodes.Node]:
        return [panel_nodes.downloads(docname="")]


class StanceMatrixDirective(PanelDirective):
    """The stance matrix: every panelist's stance on every question (filled in by ``collections``)."""

    def run(self) -> list[nodes.Node]:
        self.domain.collection_pages.add(self.env.docname)
        return [panel_nodes.stance_matrix()]


class ChapterReferencesDirective(PanelDirective):
    """The works the chapter cites (filled in by ``collections``)."""

    def run(self) -> list[nodes.Node]:
        return [panel_nodes.chapter_references(docname=self.env.docname)]


DIRECTIVES: dict[str, type[SphinxDirective]] = {
    "panel-question": PanelQuestionDirective,
    "answer": AnswerDirective,
    "excerpt": ExcerptDirective,
    "speaker-profile": SpeakerProfileDirective,
    "stance-matrix": StanceMatrixDirective,
    "chapter-references": ChapterReferencesDirective,
    "book-download": BookDownloadDirective,
}


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value(
        "panel_question_labels", {"moderator": "Q{number}", "audience": "A{number}"}, "env", types=[dict]
    )
    app.connect("doctree-read", doctree_read)
    for name, directive in DIRECTIVES.items():
        app.add_directive(name, directive)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
