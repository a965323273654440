"""The glossary (``_data/glossary.yaml``): what the speech recognizer misheard, and the field's terms
as the panel used them, each with the paragraphs it occurs in. ``{panel-glossary}`` shows it; the
transcript's turns link each misheard form to its entry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from . import sources
from .datafiles import DataError, Located, load_yaml
from .directives import PanelDirective, paragraphs_ref
from .messages import _, chinese_edition
from .roles import CHINESE_RUN, ZH_CLASS, mark_chinese
from .transcript import Transcript

CERTAINTIES = ("certain", "probable", "unresolved")
CERTAINTY_LABELS = {
    "certain": lambda: _("certain"),
    "probable": lambda: _("probable"),
    "unresolved": lambda: _("unresolved"),
}


@dataclass(frozen=True)
class Misheard:
    forms: tuple[str, ...]
    meaning: str
    en: str
    certainty: str
    note: str | None
    note_zh: str | None  #: the note for the Chinese edition

    @property
    def anchor(self) -> str:
        return "asr-" + self.forms[0].replace(" ", "-")


@dataclass(frozen=True)
class Term:
    zh: str
    en: str

    @property
    def anchor(self) -> str:
        return "term-" + self.zh


@dataclass(frozen=True)
class Glossary:
    misheard: tuple[Misheard, ...]
    terms: tuple[Term, ...]


def load_glossary(path: Path, transcript: Transcript) -> Glossary:
    """Parse and check the glossary: every form and term must occur in the transcript."""
    data = load_yaml(path)
    if not isinstance(data, Located) or set(data) - {"misheard", "terms"}:
        raise DataError(path, 1, "the glossary is a mapping with 'misheard' and 'terms'")
    text = "".join(transcript.paragraphs)

    def check(entry: Located, key: str, value: str) -> None:
        if value not in text:
            raise DataError(path, entry.line_of(key), f"{value!r} does not occur in the transcript")

    misheard = []
    for entry in data.get("misheard") or []:
        missing = {"forms", "meaning", "en", "certainty"} - set(entry)
        if missing:
            raise DataError(path, entry.line, f"a misheard entry lacks {sorted(missing)[0]!r}")
        if entry["certainty"] not in CERTAINTIES:
            raise DataError(path, entry.line_of("certainty"), f"certainty must be one of {', '.join(CERTAINTIES)}")
        for form in entry["forms"]:
            check(entry, "forms", str(form))
        misheard.append(
            Misheard(
                tuple(map(str, entry["forms"])),
                str(entry["meaning"]),
                str(entry["en"]),
                entry["certainty"],
                entry.get("note"),
                entry.get("note_zh"),
            )
        )
    terms = []
    for entry in data.get("terms") or []:
        if set(entry) != {"zh", "en"}:
            raise DataError(path, entry.line, "a term has exactly 'zh' and 'en'")
        check(entry, "zh", entry["zh"])
        terms.append(Term(entry["zh"], entry["en"]))
    return Glossary(tuple(misheard), tuple(terms))


def _in_its_language(text: str) -> list[nodes.Node]:
    """A term as the glossary gives it: Chinese marked as Chinese, an English one as English."""
    return mark_chinese(text) if CHINESE_RUN.search(text) else [nodes.inline("", text, classes=["language-en"])]


def occurrences(transcript: Transcript, text: str) -> list[int]:
    return [number for number, paragraph in enumerate(transcript.paragraphs, start=1) if text in paragraph]


class GlossaryDirective(PanelDirective):
    """``{panel-glossary}``: both lists, each entry with links to the paragraphs it occurs in."""

    def run(self) -> list[nodes.Node]:
        glossary = sources.glossary(self.env)
        if Path(self.config.panel_glossary).is_file():
            self.env.note_dependency(self.config.panel_glossary)
        self.domain.data["glossary_docs"].add(self.env.docname)
        transcript = sources.transcript(self.env)
        chinese = chinese_edition(self.config)
        misheard = nodes.definition_list(classes=["panel-glossary"])
        for item in glossary.misheard:
            # the forms are the transcript's own words (Chinese speech, English terms and all)
            term = nodes.term("", "", ids=[item.anchor], classes=[ZH_CLASS])
            for index, form in enumerate(item.forms):
                term += [nodes.Text(" / ")] if index else []
                term += mark_chinese(form)
            meaning = nodes.paragraph("", "", *_in_its_language(item.meaning), nodes.Text(" — "))
            # the English term, in both editions (with any Chinese in it marked as such)
            meaning += nodes.inline("", "", *mark_chinese(item.en), classes=["language-en"])
            if item.certainty != "certain":
                meaning += nodes.inline("", CERTAINTY_LABELS[item.certainty](), classes=["panel-badge"])
            definition = nodes.definition("", meaning)
            note = item.note_zh if chinese else item.note
            if item.note and not note:
                self.warn(f"the glossary entry {item.forms[0]!r} has no note_zh for this edition", "untranslated")
            if note:
                para = nodes.paragraph("", "", *mark_chinese(note))
                para["classes"] += [] if chinese else ["language-en"]
                definition += para
            definition += self._where(transcript, item.forms)
            misheard += nodes.definition_list_item("", term, definition)
        terms = nodes.definition_list(classes=["panel-glossary"])
        for entry in glossary.terms:
            term = nodes.term("", "", nodes.inline("", entry.zh, classes=[ZH_CLASS]), ids=[entry.anchor])
            meaning = nodes.paragraph("", "", nodes.inline("", "", *mark_chinese(entry.en), classes=["language-en"]))
            terms += nodes.definition_list_item(
                "", term, nodes.definition("", meaning, self._where(transcript, (entry.zh,)))
            )
        return [
            self._section("misheard", _("Misheard words"), misheard),
            self._section("terms", _("The panel's terms"), terms),
        ]

    def _where(self, transcript: Transcript, texts: tuple[str, ...]) -> nodes.paragraph:
        found = sorted({n for text in texts for n in occurrences(transcript, text)})
        para = nodes.paragraph("", _("Occurs in") + " ", classes=["glossary-occurrences"])
        for index, number in enumerate(found):
            para += [nodes.Text(", ")] if index else []
            para += paragraphs_ref(self.env, number, number)
        return para

    def _section(self, section_id: str, title: str, body: nodes.Node) -> nodes.section:
        section = nodes.section(ids=[section_id], names=[section_id])
        section += nodes.title(title, title, translatable=False)  # from the extension's catalog
        section += body
        self.set_source_info(section)
        return section


def misheard_ref(form_anchor: str, contnode: nodes.Node) -> addnodes.pending_xref:
    """A link from a misheard form in the transcript to its glossary entry."""
    xref = addnodes.pending_xref("", refdomain="panel", reftype="glossary", reftarget=form_anchor)
    xref += contnode
    return xref


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_glossary", "_data/glossary.yaml", "env", types=[str])
    app.add_directive("panel-glossary", GlossaryDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
