"""The ``panel`` domain: the questions and answers collected from every document, and the state
that decides which pages a build must read again.

Domain data is what makes the collection safe under parallel reads (``merge_domaindata``) and
incremental builds (``clear_doc``): each document owns its records. Three global entries say what
changed since the last build: ``bib_changed`` (keys whose entry differs), ``pdfs`` (the PDFs built
beside the site) and ``pdfs_changed``; they are set in the main process at builder-inited.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Any, ClassVar, NamedTuple

from sphinx.domains import Domain
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

logger = logging.getLogger(__name__)


class QuestionRecord(NamedTuple):
    id: str
    number: str  #: "1", "2", … for the moderator's questions, "A1", … for the audience's
    short: str
    spans: tuple[tuple[int, int], ...]  #: where it is asked in the transcript
    docname: str
    lineno: int

    @property
    def from_audience(self) -> bool:
        return self.number.startswith("A")

    @property
    def sort_key(self) -> tuple[int, int]:
        return (1 if self.from_audience else 0, int(self.number.lstrip("A")))


class AnswerRecord(NamedTuple):
    """One answer, as the stance matrix, the speaker pages, the turns check and the dataset see it."""

    anchor: str
    question: str
    speaker: str
    stance: str
    attribution: str  #: "named", "inferred" or "uncertain"
    spans: tuple[tuple[int, int], ...]  #: the transcript paragraphs it summarises: (first, last) ranges
    keys: tuple[str, ...]  #: the works it cites
    docname: str
    lineno: int

    def paragraphs(self) -> list[int]:
        return [n for first, last in self.spans for n in range(first, last + 1)]

    def overlaps(self, first: int, last: int) -> bool:
        return any(a <= last and b >= first for a, b in self.spans)


def answer_anchor(question: str, speaker: str, turn: int) -> str:
    """The stable, readable id of an answer, e.g. ``generation-vs-perception-saining-xie-2``."""
    return f"{question}-{speaker}" + (f"-{turn}" if turn > 1 else "")


class PanelDomain(Domain):
    name = "panel"
    label = "Panel questions and answers"
    data_version = 3
    initial_data: ClassVar[dict[str, Any]] = {
        "questions": {},
        "answers": [],
        "collection_pages": set(),
        "bib_fingerprints": None,
        "bib_changed": set(),
        "pdfs": None,
        "pdfs_changed": False,
        "turn_parts": {},  # docname -> [(part, lineno)]: the parts of the panel its {turns} show
        "paragraph_docs": set(),  # the documents that carry the transcript paragraphs' anchors
        "paragraph_links": {},  # docname -> {(first, last)}: the paragraph ranges it links to
        "glossary_docs": set(),  # the documents that show the glossary
    }

    @property
    def questions(self) -> dict[str, QuestionRecord]:
        """Question records by docname (one question per chapter)."""
        return self.data["questions"]  # type: ignore[no-any-return]

    @property
    def answers(self) -> list[AnswerRecord]:
        return self.data["answers"]  # type: ignore[no-any-return]

    @property
    def collection_pages(self) -> set[str]:
        """Documents that show collected answers (stance matrix, speaker pages)."""
        return self.data["collection_pages"]  # type: ignore[no-any-return]

    def note_question(self, record: QuestionRecord) -> None:
        self.questions[record.docname] = record

    def note_answer(self, record: AnswerRecord) -> None:
        self.answers.append(record)

    def note_turn_part(self, docname: str, part: str, lineno: int) -> None:
        self.data["turn_parts"].setdefault(docname, []).append((part, lineno))

    def turn_parts(self) -> list[tuple[str, tuple[str, int]]]:
        """(part, location) for every ``{turns}`` shown, in document order."""
        return [
            (part, (doc, line))
            for doc in sorted(self.data["turn_parts"])
            for part, line in self.data["turn_parts"][doc]
        ]

    def note_paragraph_doc(self, docname: str) -> None:
        self.data["paragraph_docs"].add(docname)

    def note_paragraph_link(self, docname: str, first: int, last: int) -> None:
        self.data["paragraph_links"].setdefault(docname, set()).add((first, last))

    def linked_ranges(self) -> set[tuple[int, int]]:
        return set().union(*self.data["paragraph_links"].values())

    def clear_doc(self, docname: str) -> None:
        self.questions.pop(docname, None)
        self.data["answers"] = [a for a in self.answers if a.docname != docname]
        self.collection_pages.discard(docname)
        self.data["turn_parts"].pop(docname, None)
        self.data["paragraph_docs"].discard(docname)
        self.data["paragraph_links"].pop(docname, None)
        self.data["glossary_docs"].discard(docname)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname, record in otherdata["questions"].items():
            if docname in docnames:
                self.questions[docname] = record
        self.answers.extend(a for a in otherdata["answers"] if a.docname in docnames)
        self.collection_pages.update(otherdata["collection_pages"] & set(docnames))
        for key in ("paragraph_docs", "glossary_docs"):
            self.data[key].update(otherdata[key] & set(docnames))
        for key in ("turn_parts", "paragraph_links"):
            self.data[key].update({doc: value for doc, value in otherdata[key].items() if doc in docnames})

    def resolve_xref(
        self, env: Any, fromdocname: str, builder: Any, typ: str, target: str, node: Any, contnode: Any
    ) -> Any:
        """``paragraphs`` references ("124-126") land on the transcript page's anchor for them;
        ``glossary`` references on a glossary entry, or are plain text where no page shows the glossary."""
        if typ == "glossary":
            docs = sorted(self.data["glossary_docs"])
            return make_refnode(builder, fromdocname, docs[0], target, contnode) if docs else contnode
        if typ != "paragraphs" or not self.data["paragraph_docs"]:
            return None
        first, _, last = target.partition("-")
        anchor = f"transcript-p{first}" if first == last else f"transcript-p{first}-{last}"
        todoc = sorted(self.data["paragraph_docs"])[0]
        return make_refnode(builder, fromdocname, todoc, anchor, contnode)

    def resolve_any_xref(
        self, env: Any, fromdocname: str, builder: Any, target: str, node: Any, contnode: Any
    ) -> list[Any]:
        return []

    def ordered_questions(self) -> list[QuestionRecord]:
        return sorted(self.questions.values(), key=lambda q: q.sort_key)

    def ordered_answers(self) -> list[AnswerRecord]:
        """Answers in question order, then in the order they stand in their chapter."""
        order = {q.docname: q.sort_key for q in self.questions.values()}
        return sorted((a for a in self.answers if a.docname in order), key=lambda a: (order[a.docname], a.lineno))

    def pages_to_reread(self, changed_docs: Set[str], citing: dict[str, set[str]]) -> set[str]:
        """What must be read again besides *changed_docs* (added, changed or removed documents):
        the pages that collect answers, when any document changed; the pages citing an entry whose
        text changed (*citing* maps each key to its citing documents); every chapter, when the set
        of PDFs beside the site changed (their download links)."""
        pages: set[str] = set(self.collection_pages) if changed_docs else set()
        for key in self.data["bib_changed"]:
            pages |= citing.get(key, set())
        if self.data["pdfs_changed"]:
            pages |= {q.docname for q in self.questions.values()}
        return pages

    def check_consistency(self) -> None:
        """Ids that must be unique across the book; each clash is reported where it stands."""
        checks: tuple[tuple[str, Sequence[tuple[str, QuestionRecord | AnswerRecord]]], ...] = (
            ("question id", [(q.id, q) for q in self.questions.values()]),
            ("question number", [(q.number, q) for q in self.questions.values()]),
            ("answer anchor", [(a.anchor, a) for a in self.answers]),
        )
        for kind, items in checks:
            seen: dict[str, QuestionRecord | AnswerRecord] = {}
            for key, record in sorted(items, key=lambda item: (item[1].docname, item[1].lineno)):
                if key in seen:
                    first = seen[key]
                    logger.warning(
                        f"duplicate {kind} {key!r}; first used at {self.env.doc2path(first.docname)}:{first.lineno}",
                        location=(record.docname, record.lineno),
                        type="panel",
                        subtype="duplicate",
                    )
                else:
                    seen[key] = record
