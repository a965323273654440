"""The ``panel`` domain: the questions and answers collected from every document.

Domain data is what makes the collection safe under parallel reads (``merge_domaindata``) and
incremental builds (``clear_doc``): each document owns its records, and nothing else is kept.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, NamedTuple

from sphinx.domains import Domain
from sphinx.util import logging

logger = logging.getLogger(__name__)


class QuestionRecord(NamedTuple):
    id: str
    number: str  #: "1" … "8" for the moderator's questions, "A1" … for the audience's
    short: str
    docname: str
    lineno: int

    @property
    def sort_key(self) -> tuple[int, int]:
        audience, digits = re.fullmatch(r"(A?)(\d+)", self.number).groups()
        return (1 if audience else 0, int(digits))

    @property
    def label(self) -> str:
        return self.number if self.number.startswith("A") else f"Q{self.number}"


class AnswerRecord(NamedTuple):
    anchor: str
    question: str
    speaker: str
    turn: int
    stance: str
    attribution: str  #: "named", "inferred" or "uncertain"
    docname: str
    lineno: int


def answer_anchor(question: str, speaker: str, turn: int) -> str:
    """The stable, readable id of an answer, e.g. ``generation-vs-perception-saining-xie-2``."""
    return f"{question}-{speaker}" + (f"-{turn}" if turn > 1 else "")


class PanelDomain(Domain):
    name = "panel"
    label = "Panel questions and answers"
    data_version = 1
    initial_data: dict[str, Any] = {"questions": {}, "answers": [], "collection_pages": set()}

    @property
    def questions(self) -> dict[str, QuestionRecord]:
        """Question records by docname (one question per chapter)."""
        return self.data["questions"]

    @property
    def answers(self) -> list[AnswerRecord]:
        return self.data["answers"]

    @property
    def collection_pages(self) -> set[str]:
        """Documents that show collected answers (stance matrix, speaker pages)."""
        return self.data["collection_pages"]

    def note_question(self, record: QuestionRecord) -> None:
        self.questions[record.docname] = record

    def note_answer(self, record: AnswerRecord) -> None:
        self.answers.append(record)

    def clear_doc(self, docname: str) -> None:
        self.questions.pop(docname, None)
        self.data["answers"] = [a for a in self.answers if a.docname != docname]
        self.collection_pages.discard(docname)

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        docnames = set(docnames)
        for docname, record in otherdata["questions"].items():
            if docname in docnames:
                self.questions[docname] = record
        self.answers.extend(a for a in otherdata["answers"] if a.docname in docnames)
        self.collection_pages.update(otherdata["collection_pages"] & docnames)

    def ordered_questions(self) -> list[QuestionRecord]:
        return sorted(self.questions.values(), key=lambda q: q.sort_key)

    def ordered_answers(self) -> list[AnswerRecord]:
        """Answers in question order, then in the order they stand in their chapter."""
        order = {q.docname: q.sort_key for q in self.questions.values()}
        return sorted(self.answers, key=lambda a: (order.get(a.docname, (9, 0)), a.docname, a.lineno))

    def check_consistency(self) -> None:
        """Ids that must be unique across the book; each clash is reported where it stands."""
        for kind, items in (
            ("question id", [(q.id, q) for q in self.questions.values()]),
            ("question number", [(q.number, q) for q in self.questions.values()]),
            ("answer anchor", [(a.anchor, a) for a in self.answers]),
        ):
            seen: dict[str, Any] = {}
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
