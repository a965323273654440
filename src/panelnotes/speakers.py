"""The speaker registry (``speakers.yaml``): who may be given an answer, and what the notes know of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROLES = ("moderator", "panelist")
PRESENCES = ("in the room", "online")  # the transcript says 在座 (present), no more
IDENTIFICATIONS = ("named", "inferred")
REQUIRED = ("name", "name_zh", "role", "presence", "identification")
OPTIONAL = ("affiliation", "identification_note", "works")


class SpeakerDataError(ValueError):
    """A problem in the registry; the message starts with ``file:line:``."""


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


def load_speakers(path: Path) -> dict[str, Speaker]:
    """Parse and validate the registry, keeping its order."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise SpeakerDataError(f"{path}:{line}: not valid YAML: {exc}") from exc

    def fail(node: yaml.Node, message: str) -> SpeakerDataError:
        return SpeakerDataError(f"{path}:{node.start_mark.line + 1}: {message}")

    if not isinstance(root, yaml.MappingNode):
        raise SpeakerDataError(f"{path}:1: expected a mapping of speaker ids to speakers")
    speakers: dict[str, Speaker] = {}
    for key_node, value_node in root.value:
        speaker_id = key_node.value
        if speaker_id in speakers:
            raise fail(key_node, f"speaker {speaker_id!r} is defined twice")
        if not isinstance(value_node, yaml.MappingNode):
            raise fail(value_node, f"speaker {speaker_id!r} must be a mapping of fields")
        fields = {k.value: (k, v) for k, v in value_node.value}
        for name in fields:
            if name not in REQUIRED + OPTIONAL:
                raise fail(fields[name][0], f"speaker {speaker_id!r} has an unknown field {name!r}")
        for name in REQUIRED:
            if name not in fields:
                raise fail(key_node, f"speaker {speaker_id!r} lacks the field {name!r}")
        data = yaml.safe_load(yaml.serialize(value_node))
        for name, allowed in (("role", ROLES), ("presence", PRESENCES), ("identification", IDENTIFICATIONS)):
            if data[name] not in allowed:
                raise fail(fields[name][1], f"speaker {speaker_id!r}: {name} must be one of {', '.join(allowed)}")
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
        )
    return speakers
