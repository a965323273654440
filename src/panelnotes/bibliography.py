"""Sphinx glue for ``references.bib``: the linter at build time, author–year labels, and which
pages must be read again after an entry changes.

Why the last: sphinxcontrib-bibtex re-formats every citation after a ``.bib`` edit but rewrites
only the bibliography page, so a chapter would keep an old year in its text and tooltips until a
clean build. The domain (``PanelDomain.pages_to_reread``) has the pages citing a changed entry read
again; this module notes which entries changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pybtex.plugin
import sphinxcontrib.bibtex.plugin
from pybtex.database import Entry
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import Node, field, first_of, href, join, node, optional, sentence
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinxcontrib.bibtex.style.referencing import BaseReferenceStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference

from .biblint import lint, uncited
from .datafiles import DataError, stop_build

logger = logging.getLogger(__name__)


class AuthorYearLabelStyle(BaseLabelStyle):  # type: ignore[misc]
    """Labels such as "Radford et al. 2021", with a/b suffixes where two would be equal."""

    def format_labels(self, sorted_entries: Sequence[Entry]) -> Iterator[str]:
        labels = [self.label(entry) for entry in sorted_entries]
        counts = Counter(labels)
        used: Counter[str] = Counter()
        for label in labels:
            if counts[label] > 1:
                used[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[used[label] - 1]
            else:
                yield label

    @staticmethod
    def label(entry: Entry) -> str:
        """The label before any a/b suffix."""
        persons = entry.persons.get("author", [])
        names = ["".join(p.last_names) or " ".join(p.first_names) for p in persons]
        names = [name.replace("{", "").replace("}", "") for name in names]
        if len(names) > 2 or (names and persons[-1].last_names == ["others"]):
            who = f"{names[0]} et al."
        else:
            who = " and ".join(names)
        return f"{who} {entry.fields.get('year', '')}".strip()


class AuthorYearStyle(PlainStyle):  # type: ignore[misc]
    default_label_style = "panel-author-year"
    default_sorting_style = "author_year_title"


class CompactStyle(AuthorYearStyle):
    """The works cited in print: the label ("Tong et al. 2024a") stands for the authors, and one
    link (DOI, else arXiv, else URL) for the three the bibliography may give."""

    def format_names(self, role: str, as_sentence: bool = True) -> Node:
        return join if role == "author" else super().format_names(role, as_sentence)

    def format_web_refs(self, e: Entry) -> Node:
        return sentence[
            first_of[optional[self.format_doi(e)], optional[self.format_eprint(e)], optional[self.format_url(e)]]
        ]

    def format_url(self, e: Entry) -> Node:
        url = field("url", raw=True)
        return href(url)[url]


@node  # type: ignore[untyped-decorator]
def labelled_year(children: list[Any], data: dict[str, Any]) -> Text:
    """The year with the label's a/b suffix: "2024a" where the bibliography has "Tong et al. 2024a"."""
    assert not children
    entry = data["entry"]
    suffix = data["formatted_entry"].label.removeprefix(AuthorYearLabelStyle.label(entry))
    return Text(entry.fields.get("year", "n.d.") + suffix)


# sphinxcontrib-bibtex's author_year styles, with the year as the label gives it in their templates
# (theirs take the bare year field, so two works by "Tong et al." in 2024 read alike in the text)
class LabelledParentheticalStyle(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name: str) -> Node:
        author = self.person.author_or_editor_or_title(full="s" in role_name)
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text, reference[join(sep=self.author_year_sep)[author, labelled_year]], post_text
        ]


class LabelledTextualStyle(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name: str) -> Node:
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[
                self.bracket.left,
                join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[pre_text, reference[labelled_year], post_text],
                self.bracket.right,
            ],
        ]


class LabelledYearOnlyStyle(ExtraYearReferenceStyle):
    def inner(self, role_name: str) -> Node:
        return reference[labelled_year]


LABELLED: dict[type[BaseReferenceStyle], type[BaseReferenceStyle]] = {
    BasicAuthorYearParentheticalReferenceStyle: LabelledParentheticalStyle,
    BasicAuthorYearTextualReferenceStyle: LabelledTextualStyle,
    ExtraYearReferenceStyle: LabelledYearOnlyStyle,
}


class AuthorYearReferenceStyleWithSuffixes(AuthorYearReferenceStyle):
    """``bibtex_reference_style = "panel-author-year"``: sphinxcontrib-bibtex's author_year, whose
    years carry the a/b suffix of the bibliography's labels."""

    def __post_init__(self) -> None:
        super().__post_init__()  # type: ignore[no-untyped-call]
        self.styles = [
            LABELLED[type(style)](**{f.name: getattr(style, f.name) for f in dataclasses.fields(style) if f.init})
            if type(style) in LABELLED
            else style
            for style in self.styles
        ]
        self.role_style.update((role, style) for style in self.styles for role in style.role_names())


def bibfiles(app: Sphinx) -> list[Path]:
    return [Path(app.confdir, name).resolve() for name in app.config.bibtex_bibfiles or []]


def _fingerprints(env: BuildEnvironment) -> dict[str, str]:
    data = env.get_domain("cite").bibdata.data  # type: ignore[attr-defined]
    return {key: hashlib.sha256(entry.to_string("bibtex").encode()).hexdigest() for key, entry in data.entries.items()}


def lint_bibfiles(app: Sphinx) -> None:
    """``builder-inited``, before sphinxcontrib-bibtex parses the files: every linter problem is a
    warning at its line; a file pybtex cannot parse stops the build (the parser would crash on it
    without a line number)."""
    for path in bibfiles(app):
        if not path.is_file():
            continue
        problems = lint(path)
        for problem in problems:
            if problem.fatal:
                stop_build(DataError(path, problem.line, problem.describe()))
        for problem in problems:
            logger.warning(problem.describe(), location=f"{path}:{problem.line}", type="panel", subtype="bib")


def note_changed_entries(app: Sphinx) -> None:
    """``builder-inited``, after sphinxcontrib-bibtex has (re)parsed the files: which entries
    changed since the last build."""
    data = app.env.get_domain("panel").data
    new, old = _fingerprints(app.env), data["bib_fingerprints"]
    data["bib_fingerprints"] = new
    data["bib_changed"] = set() if old is None else {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}


def citing_pages(env: BuildEnvironment) -> dict[str, set[str]]:
    """The documents citing each key."""
    pages: dict[str, set[str]] = {}
    for ref in env.get_domain("cite").citation_refs:  # type: ignore[attr-defined]
        for target in ref.targets:
            pages.setdefault(target.key, set()).add(ref.docname)
    return pages


def env_check_consistency(app: Sphinx, env: BuildEnvironment) -> None:
    """Every entry is cited somewhere (a missing key is sphinxcontrib-bibtex's own warning)."""
    cited = set(citing_pages(env))
    for path in bibfiles(app):
        if path.is_file():
            for problem in uncited(path, cited):
                logger.warning(
                    f"entry {problem.key!r} is never cited in the notes",
                    location=f"{path}:{problem.line}",
                    type="panel",
                    subtype="bib_uncited",
                )


def setup(app: Sphinx) -> dict[str, Any]:
    pybtex.plugin.register_plugin("pybtex.style.labels", "panel-author-year", AuthorYearLabelStyle)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "panel-author-year", AuthorYearStyle)
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", "panel-author-year", AuthorYearReferenceStyleWithSuffixes
    )
    # sphinxcontrib-bibtex parses the .bib files at builder-inited, priority 500
    app.connect("builder-inited", lint_bibfiles, priority=400)
    app.connect("builder-inited", note_changed_entries, priority=600)
    app.connect("env-check-consistency", env_check_consistency)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
