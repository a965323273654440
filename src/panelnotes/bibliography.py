"""Sphinx glue for ``references.bib``: the linter at build time, author–year labels, and which
pages must be read again after an entry changes.

Why the last: sphinxcontrib-bibtex re-formats every citation after a ``.bib`` edit but rewrites
only the bibliography page, so a chapter would keep an old year in its text and tooltips until a
clean build. The domain (``PanelDomain.pages_to_reread``) has the pages citing a changed entry read
again; this module notes which entries changed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pybtex.plugin
from pybtex.database import Entry
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from .biblint import lint, uncited
from .datafiles import DataError, stop_build

logger = logging.getLogger(__name__)


class AuthorYearLabelStyle(BaseLabelStyle):  # type: ignore[misc]
    """Labels such as "Radford et al. 2021", with a/b suffixes where two would be equal."""

    def format_labels(self, sorted_entries: Sequence[Entry]) -> Iterator[str]:
        labels = [self._label(entry) for entry in sorted_entries]
        counts = Counter(labels)
        used: Counter[str] = Counter()
        for label in labels:
            if counts[label] > 1:
                used[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[used[label] - 1]
            else:
                yield label

    @staticmethod
    def _label(entry: Entry) -> str:
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
    # sphinxcontrib-bibtex parses the .bib files at builder-inited, priority 500
    app.connect("builder-inited", lint_bibfiles, priority=400)
    app.connect("builder-inited", note_changed_entries, priority=600)
    app.connect("env-check-consistency", env_check_consistency)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
