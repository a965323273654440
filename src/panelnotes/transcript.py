"""The ASR transcript the notes quote, and the verbatim rule excerpts must meet.

Paragraph numbers (¶N) count the transcript's non-empty lines after its title line, from 1.
Only Han characters are compared, so punctuation, spacing and embedded English do not matter;
[bracketed] text is an editorial correction and is ignored; an ellipsis marks an omission, and
each part between ellipses must occur in the source, in order. These are the rules of
shared/tools/check_quotes.py, applied at build time so that a failure names the file and line.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
BRACKETS = re.compile(r"\[[^\]]*\]|【[^】]*】|［[^］]*］")
ELLIPSIS = re.compile(r"…+|\.{3,}|⋯+")
#: Below this many Han characters a Chinese run is a name or a term, not a quotation.
MIN_QUOTE_HAN = 8


def han_only(text: str) -> str:
    """The Han characters of *text*, editorial [brackets] removed."""
    return "".join(HAN.findall(BRACKETS.sub("", text)))


def parse_range(value: str) -> tuple[int, int]:
    """``"9"`` -> (9, 9); ``"9-13"`` -> (9, 13). Raises ValueError on anything else."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:[-–]\s*(\d+))?\s*", value or "")
    if not match:
        raise ValueError(f"expected a paragraph number or range like 9-13, got {value!r}")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first < 1 or last < first:
        raise ValueError(f"paragraph range {value!r} is empty or starts below 1")
    return first, last


def parse_spans(value: str) -> tuple[tuple[int, int], ...]:
    """``"41-50, 53-56"`` -> ((41, 50), (53, 56)): ranges in order, not overlapping."""
    spans = tuple(parse_range(part) for part in (value or "").split(","))
    for (_, last), (first, _) in itertools.pairwise(spans):
        if first <= last:
            raise ValueError(f"paragraph ranges {value!r} overlap or are out of order")
    return spans


@dataclass(frozen=True)
class Transcript:
    paragraphs: tuple[str, ...]

    @classmethod
    def load(cls, path: Path) -> Transcript:
        """The paragraphs of the file at *path*, after its ``# title`` line if it has one."""
        lines = path.read_text(encoding="utf-8").splitlines()
        body = lines[1:] if lines and lines[0].startswith("#") else lines
        return cls(tuple(line.strip() for line in body if line.strip()))

    def check_range(self, first: int, last: int) -> None:
        if last > len(self.paragraphs):
            raise ValueError(
                f"paragraph range {first}-{last} ends after the transcript's last paragraph ({len(self.paragraphs)})"
            )

    def contains(self, text: str, first: int = 1, last: int | None = None) -> bool:
        """Whether *text* is verbatim within paragraphs *first*..*last* (see the module doc)."""
        source = han_only("".join(self.paragraphs[first - 1 : last or len(self.paragraphs)]))
        at = 0
        for part in ELLIPSIS.split(BRACKETS.sub("", text)):
            han = han_only(part)
            if not han:
                continue
            at = source.find(han, at)
            if at < 0:
                return False
            at += len(han)
        return True
