"""A linter for ``references.bib``: every problem names the entry, the field and the line.

Runs inside the build (problems are Sphinx warnings, so ``-W`` fails) and from the tests.
It scans the file itself for entry and field positions, since pybtex keeps no line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pybtex.database import parse_string
from pybtex.scanner import PybtexError

REQUIRED = {
    "article": ("author", "title", "journal", "year", "url"),
    "inproceedings": ("author", "title", "booktitle", "year", "url"),
    "misc": ("author", "title", "year", "url"),
}
#: Peer-reviewed work also needs a persistent identifier; a web page has only its URL.
NEEDS_IDENTIFIER = ("article", "inproceedings")
DOI = re.compile(r"10\.\d{4,9}/\S+")
ARXIV = re.compile(r"\d{4}\.\d{4,5}(v\d+)?")
URL = re.compile(r"https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?(/\S*)?")
ENTRY_START = re.compile(r"@(\w+)\s*\{\s*([^,\s]*)\s*,?")
FIELD_START = re.compile(r"^\s*([A-Za-z][\w-]*)\s*=", re.M)


@dataclass(frozen=True)
class Problem:
    line: int
    key: str
    field: str
    message: str
    fatal: bool = False  #: the file cannot be parsed at all

    def describe(self) -> str:
        where = f"entry {self.key!r}" + (f", field {self.field!r}" if self.field else "")
        return f"{where}: {self.message}"

    def format(self, path: Path | str) -> str:
        return f"{path}:{self.line}: {self.describe()}"


@dataclass(frozen=True)
class Entry:
    key: str
    type: str
    line: int
    text: str
    field_lines: dict[str, int]


def _entries(source: str) -> tuple[list[Entry], list[Problem]]:
    """Split the file into entries by matching braces, keeping their line numbers."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    pos = 0
    while (match := ENTRY_START.search(source, pos)) is not None:
        line = source.count("\n", 0, match.start()) + 1
        kind, key = match.group(1).lower(), match.group(2)
        if kind in ("comment", "preamble", "string"):
            pos = match.end()
            continue
        depth, end = 0, None
        for index in range(source.index("{", match.start()), len(source)):
            char = source[index]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    end = index + 1
                    break
        if end is None:
            problems.append(Problem(line, key, "", "unbalanced braces: the entry never closes", fatal=True))
            break
        text = source[match.start() : end]
        field_lines = {m.group(1).lower(): line + text.count("\n", 0, m.start()) for m in FIELD_START.finditer(text)}
        entries.append(Entry(key, kind, line, text, field_lines))
        pos = end
    return entries, problems


def _norm_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower().replace("{", "").replace("}", "")).strip()


def lint(path: Path, cited: set[str] | None = None) -> list[Problem]:
    """All problems in the file at *path*; with *cited*, also entries never cited."""
    entries, problems = _entries(path.read_text(encoding="utf-8"))
    seen_keys: dict[str, Entry] = {}
    seen_titles: dict[str, Entry] = {}
    for entry in entries:
        if not entry.key:
            problems.append(Problem(entry.line, "", "", "entry has no key"))
            continue
        if entry.key.lower() in seen_keys:
            first = seen_keys[entry.key.lower()]
            # fatal: pybtex rejects the whole file over it, and every citation would then fail
            problems.append(
                Problem(entry.line, entry.key, "", f"duplicate key (first at line {first.line})", fatal=True)
            )
            continue
        seen_keys[entry.key.lower()] = entry
        try:
            data = parse_string(entry.text, "bibtex")
        except PybtexError as exc:
            problems.append(Problem(entry.line, entry.key, "", f"cannot be parsed: {exc}", fatal=True))
            continue
        parsed = data.entries[entry.key]
        present = {name.lower() for name in parsed.fields} | {role.lower() for role in parsed.persons}
        if entry.type not in REQUIRED:
            problems.append(Problem(entry.line, entry.key, "", f"entry type @{entry.type} is not one the notes use"))
            continue
        for name in REQUIRED[entry.type]:
            if name not in present:
                problems.append(Problem(entry.line, entry.key, name, f"required for @{entry.type} but missing"))
        if entry.type in NEEDS_IDENTIFIER and not {"doi", "eprint"} & present:
            problems.append(Problem(entry.line, entry.key, "doi", "needs a DOI or an arXiv eprint"))
        fields = {name.lower(): value for name, value in parsed.fields.items()}
        for name, pattern, what in (
            ("doi", DOI, "a DOI like 10.1109/CVPR.2016.90"),
            ("eprint", ARXIV, "an arXiv id like 2103.00020"),
            ("url", URL, "an http(s) URL"),
        ):
            if name in fields and not pattern.fullmatch(fields[name].strip()):
                line = entry.field_lines.get(name, entry.line)
                problems.append(Problem(line, entry.key, name, f"malformed: {fields[name]!r} is not {what}"))
        if "year" in fields and not re.fullmatch(r"(1[5-9]|20)\d\d", fields["year"].strip()):
            problems.append(
                Problem(
                    entry.field_lines.get("year", entry.line), entry.key, "year", f"malformed year {fields['year']!r}"
                )
            )
        title = _norm_title(fields.get("title", ""))
        if title and title in seen_titles:
            problems.append(
                Problem(
                    entry.field_lines.get("title", entry.line),
                    entry.key,
                    "title",
                    f"same title as entry {seen_titles[title].key!r}",
                )
            )
        seen_titles.setdefault(title, entry)
    if cited is not None:
        problems += uncited(path, cited)
    return problems


def uncited(path: Path, cited: set[str]) -> list[Problem]:
    """Entries no page cites, each at its line (only the scan, none of the other rules)."""
    entries, _ = _entries(path.read_text(encoding="utf-8"))
    first: dict[str, Entry] = {}
    for entry in entries:
        first.setdefault(entry.key, entry)
    return [
        Problem(e.line, e.key, "", "never cited in the notes") for e in first.values() if e.key and e.key not in cited
    ]
