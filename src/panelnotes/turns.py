"""Speaker turns: the transcript divided between the people who spoke it, with a translation each.

The data live in one YAML file per part of the panel (``_data/turns/NN-<part>.yaml``, read in name
order): ``part`` (a question id, ``opening`` or ``closing``) and a list of ``turns``. A turn starts
at the first occurrence of its ``starts`` text in its first paragraph (after the previous turn's
start) and runs to the next turn's start, so the turns divide the transcript's characters between
them with no gap and no overlap. See docs/about/how-these-notes-are-built.md for the fields.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .datafiles import DataError, Located, load_yaml
from .transcript import Transcript, parse_range

#: Speaker ids that are not in the registry.
AUDIENCE, UNIDENTIFIED = "audience", "unidentified"
IDENTIFICATIONS = ("named", "inferred", "uncertain")
FIELDS = {
    "speaker",
    "identification",
    "reason",
    "starts",
    "paragraphs",
    "en",
    "corrections",
    "unsummarised",
    "reason_zh",
    "unsummarised_zh",  # the notes' own words about the turn, for the Chinese edition
}
REQUIRED = ("speaker", "identification", "starts", "paragraphs", "en")
MIN_STARTS = 4  #: characters of ``starts``: fewer would match by accident


@dataclass(frozen=True)
class Turn:
    part: str
    speaker: str
    identification: str
    reason: str | None
    starts: str
    first: int
    last: int
    en: str
    #: (ASR text, correction) pairs, shown as ``ASR[correction]`` in the Chinese
    corrections: tuple[tuple[str, str], ...]
    #: why a panelist's turn has no answer summarising it (a thanks, a hand-over, …)
    unsummarised: str | None
    reason_zh: str | None
    unsummarised_zh: str | None
    #: the turn's text, cut from the transcript: (paragraph number, text) for each paragraph it touches
    pieces: tuple[tuple[int, str], ...]
    #: the turn's HTML id: ``turn-124`` for the first turn that starts in ¶124, ``turn-124b`` for the second
    anchor: str
    #: where in its first paragraph the turn starts
    offset: int
    path: Path
    lineno: int

    @property
    def location(self) -> str:
        return f"{self.path}:{self.lineno}"

    def paragraph_starts(self, number: int) -> bool:
        """Whether paragraph *number* begins inside this turn."""
        return self.first <= number <= self.last and (number > self.first or self.offset == 0)

    @property
    def paragraphs(self) -> str:
        return f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"

    @property
    def zh(self) -> str:
        return "".join(text for _, text in self.pieces)


def _text(entry: Located, key: str, path: Path) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise DataError(path, entry.line_of(key), f"{key} must be non-empty text")
    return " ".join(value.split()) if key != "starts" else value


def _raw_turns(path: Path, speakers: Iterable[str]) -> tuple[str, list[tuple[Located, dict[str, object]]]]:
    data = load_yaml(path)
    if not isinstance(data, Located) or set(data) != {"part", "turns"} or not isinstance(data["turns"], list):
        raise DataError(
            path, 1, "a turns file is a mapping with 'part' (a question id, opening or closing) and 'turns' (a list)"
        )
    known = set(speakers) | {AUDIENCE, UNIDENTIFIED}
    result = []
    for entry in data["turns"]:
        if not isinstance(entry, Located):
            raise DataError(path, data.line_of("turns"), "each turn is a mapping of fields")
        unknown = set(entry) - FIELDS
        if unknown:
            name = sorted(unknown)[0]
            raise DataError(path, entry.line_of(name), f"unknown turn field {name!r}")
        for name in REQUIRED:
            if name not in entry:
                raise DataError(path, entry.line, f"the turn lacks the field {name!r}")
        speaker = entry["speaker"]
        if speaker not in known:
            raise DataError(
                path,
                entry.line_of("speaker"),
                f"unknown speaker {speaker!r} (not in the registry, nor audience or unidentified)",
            )
        identification = entry["identification"]
        if identification not in IDENTIFICATIONS:
            raise DataError(
                path, entry.line_of("identification"), f"identification must be one of {', '.join(IDENTIFICATIONS)}"
            )
        try:
            first, last = parse_range(str(entry["paragraphs"]))
        except ValueError as exc:
            raise DataError(path, entry.line_of("paragraphs"), str(exc)) from None
        corrections = entry.get("corrections") or {}
        if not isinstance(corrections, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in corrections.items()
        ):
            raise DataError(path, entry.line_of("corrections"), "corrections map ASR text to its correction")
        fields: dict[str, object] = {
            "speaker": speaker,
            "identification": identification,
            "reason": _text(entry, "reason", path),
            "starts": _text(entry, "starts", path),
            "first": first,
            "last": last,
            "en": _text(entry, "en", path),
            "corrections": tuple(corrections.items()),
            "unsummarised": _text(entry, "unsummarised", path),
            "reason_zh": _text(entry, "reason_zh", path),
            "unsummarised_zh": _text(entry, "unsummarised_zh", path),
        }
        result.append((entry, fields))
    return str(data["part"]), result


def load_turns(
    paths: Sequence[Path],
    transcript: Transcript,
    speakers: dict[str, str],
    *,
    whole: bool = True,
    until: tuple[int, str] | None = None,
) -> list[Turn]:
    """Read the turns files in order and cut the transcript between them.

    *speakers* maps registry ids to the identification the registry gives them (the moderator's turns
    carry it). With *whole* false (a translator checking one part), the turns need not start at the
    first paragraph, and the last one ends where the text *until* (paragraph number, text) starts.
    """
    paragraphs = transcript.paragraphs
    starts: list[tuple[int, int]] = []  # (paragraph index from 0, offset) where each turn begins
    records: list[tuple[str, Located, dict[str, object], Path]] = []
    for path in paths:
        part, raw = _raw_turns(path, speakers)
        for entry, fields in raw:
            first = int(str(fields["first"]))
            if first > len(paragraphs):
                raise DataError(
                    path,
                    entry.line_of("paragraphs"),
                    f"¶{first} is past the transcript's last paragraph ({len(paragraphs)})",
                )
            text = str(fields["starts"])
            if len(text) < MIN_STARTS:
                raise DataError(path, entry.line_of("starts"), f"starts must quote at least {MIN_STARTS} characters")
            after = starts[-1][1] + 1 if starts and starts[-1][0] == first - 1 else 0
            offset = paragraphs[first - 1].find(text, after)
            if offset < 0:
                raise DataError(
                    path, entry.line_of("starts"), f"¶{first} has no {text!r} after the previous turn's start"
                )
            if starts and (first - 1, offset) <= starts[-1]:
                raise DataError(path, entry.line_of("starts"), "this turn starts before the previous one")
            if not starts and whole and (first, offset) != (1, 0):
                raise DataError(path, entry.line_of("starts"), "the first turn must start at the beginning of ¶1")
            starts.append((first - 1, offset))
            records.append((part, entry, fields, path))
    turns: list[Turn] = []
    per_paragraph: dict[int, int] = {}
    for number, (part, entry, fields, path) in enumerate(records):
        begin = starts[number]
        end = starts[number + 1] if number + 1 < len(starts) else (len(paragraphs), 0)
        if number + 1 == len(starts) and until is not None:
            end = (until[0] - 1, paragraphs[until[0] - 1].index(until[1]))
        if end[1] == 0:
            end = (end[0] - 1, len(paragraphs[end[0] - 1]))
        pieces = tuple(
            (p + 1, paragraphs[p][begin[1] if p == begin[0] else 0 : end[1] if p == end[0] else None])
            for p in range(begin[0], end[0] + 1)
        )
        if (begin[0] + 1, end[0] + 1) != (fields["first"], fields["last"]):
            range_text = f"{begin[0] + 1}" if begin[0] == end[0] else f"{begin[0] + 1}-{end[0] + 1}"
            raise DataError(
                path, entry.line_of("paragraphs"), f"the turn runs over ¶{range_text}, not ¶{entry['paragraphs']}"
            )
        speaker, identification = str(fields["speaker"]), str(fields["identification"])
        if speaker in speakers and speakers[speaker] == "inferred" and identification == "named":
            raise DataError(
                path, entry.line_of("identification"), f"{speaker} is never named in the transcript: say inferred"
            )
        if speaker == AUDIENCE and identification != "named":
            raise DataError(
                path, entry.line_of("identification"), "an audience member's turn is named (as a questioner)"
            )
        if speaker == UNIDENTIFIED and identification != "uncertain":
            raise DataError(path, entry.line_of("identification"), "an unidentified turn is uncertain")
        if identification in ("inferred", "uncertain") and not fields["reason"] and speakers.get(speaker) != "inferred":
            raise DataError(path, entry.line, f"an {identification} turn needs a reason")
        nth = per_paragraph[begin[0]] = per_paragraph.get(begin[0], 0) + 1
        anchor = f"turn-{begin[0] + 1}" + ("" if nth == 1 else "abcdefghijklmnopqrstuvwxyz"[nth - 1])
        turn = Turn(part=part, pieces=pieces, anchor=anchor, offset=begin[1], path=path, lineno=entry.line, **fields)  # type: ignore[arg-type]
        for asr, _ in turn.corrections:
            if asr not in turn.zh:
                raise DataError(path, entry.line_of("corrections"), f"the turn's text has no {asr!r} to correct")
        turns.append(turn)
    if whole and starts and len(paragraphs) and turns[-1].last != len(paragraphs):
        raise DataError(records[-1][3], records[-1][1].line, "the last turn must reach the transcript's last paragraph")
    return turns


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m panelnotes.turns TRANSCRIPT SPEAKERS FILE…``: check turns files and list them.

    ``--part`` checks files that cover only part of the panel; ``--until N:TEXT`` names where the
    next part starts (TEXT in ¶N).
    """
    from .speakers import load_speakers

    args = list(sys.argv[1:] if argv is None else argv)
    until = None
    if "--until" in args:  # --until 74:谢谢谢老师 (where the next part starts)
        at = args.index("--until")
        number, _, text = args.pop(at + 1).partition(":")
        until = (int(number), text)
        args.pop(at)
    whole = "--part" not in args and until is None
    args = [a for a in args if a != "--part"]
    transcript, registry, *files = args
    speakers = {s.id: s.identification for s in load_speakers(Path(registry)).values()}
    try:
        turns = load_turns(
            [Path(f) for f in files], Transcript.load(Path(transcript)), speakers, whole=whole, until=until
        )
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    for turn in turns:
        print(f"¶{turn.paragraphs:<8} {turn.speaker:<14} {turn.identification:<9} {turn.zh[:40]}")
    print(f"{len(turns)} turns, {sum(len(t.zh) for t in turns)} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
