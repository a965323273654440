"""The speaker registry (``speakers.yaml``): who may be given an answer, and what the notes know of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .datafiles import DataError, Located, load_yaml

ROLES = ("moderator", "panelist")
PRESENCES = ("in the room", "online")  # the transcript says 在座 (present), no more
IDENTIFICATIONS = ("named", "inferred")
REQUIRED = ("name", "name_zh", "role", "presence", "identification")
OPTIONAL = ("affiliation", "identification_note", "works", "affiliation_zh", "identification_note_zh")
#: prose fields with a Chinese version for the Chinese edition (``<field>_zh``)
TRANSLATED = ("affiliation", "identification_note")


@dataclass(frozen=True)
class Speaker:
    id: str
    name: str
    name_zh: str
    role: str
    presence: str
    identification: str
    affiliation: str | None = None
    identification_note: str | None = None
    works: tuple[str, ...] = field(default=())
    affiliation_zh: str | None = None
    identification_note_zh: str | None = None

    def display_name(self, chinese: bool) -> str:
        return self.name_zh if chinese else self.name

    def text(self, name: str, chinese: bool) -> str | None:
        """A prose field (affiliation, identification_note) in the edition's language."""
        value: str | None = getattr(self, f"{name}_zh" if chinese else name)
        return value


def load_speakers(path: Path) -> dict[str, Speaker]:
    """Parse and validate the registry, keeping its order."""
    root = load_yaml(path)
    if not isinstance(root, Located):
        raise DataError(path, 1, "expected a mapping of speaker ids to speakers")
    speakers: dict[str, Speaker] = {}
    for speaker_id, data in root.items():
        line = root.line_of(speaker_id)
        if not isinstance(data, Located):
            raise DataError(path, line, f"speaker {speaker_id!r} must be a mapping of fields")
        for name in data:
            if name not in REQUIRED + OPTIONAL:
                raise DataError(path, data.line_of(name), f"speaker {speaker_id!r} has an unknown field {name!r}")
        for name in REQUIRED:
            if name not in data:
                raise DataError(path, line, f"speaker {speaker_id!r} lacks the field {name!r}")
        for name, allowed in (("role", ROLES), ("presence", PRESENCES), ("identification", IDENTIFICATIONS)):
            if data[name] not in allowed:
                raise DataError(
                    path, data.line_of(name), f"speaker {speaker_id!r}: {name} must be one of {', '.join(allowed)}"
                )
        speakers[speaker_id] = Speaker(
            id=speaker_id,
            name=data["name"],
            name_zh=data["name_zh"],
            role=data["role"],
            presence=data["presence"],
            identification=data["identification"],
            affiliation=data.get("affiliation"),
            identification_note=data.get("identification_note"),
            works=tuple(data.get("works") or ()),
            affiliation_zh=data.get("affiliation_zh"),
            identification_note_zh=data.get("identification_note_zh"),
        )
    return speakers
