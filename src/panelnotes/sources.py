"""The speaker registry and the transcript, loaded once per process and per file version."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from .datafiles import DataError, stop_build
from .speakers import Speaker, load_speakers
from .transcript import Transcript
from .turns import Turn, load_turns

if TYPE_CHECKING:
    from .glossary import Glossary


@lru_cache(maxsize=4)
def _speakers(path: Path, mtime_ns: int) -> dict[str, Speaker]:
    return load_speakers(path)


@lru_cache(maxsize=4)
def _transcript(path: Path, mtime_ns: int) -> Transcript:
    return Transcript.load(path)


@lru_cache(maxsize=4)
def _turns(
    files: tuple[tuple[Path, int], ...], transcript_file: tuple[Path, int], registry: tuple[Path, int]
) -> tuple[Turn, ...]:
    registry_ids = {s.id: s.identification for s in _speakers(*registry).values()}
    return tuple(load_turns([path for path, _ in files], _transcript(*transcript_file), registry_ids))


def turns_paths(env: BuildEnvironment) -> list[Path]:
    """The turns files, in the order they are read (their names)."""
    folder = Path(env.config.panel_turns)
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def turns(env: BuildEnvironment) -> tuple[Turn, ...]:
    """Every turn of the panel, in order (none when the notes keep no turns folder)."""

    def stamped(path: Path) -> tuple[Path, int]:
        return path, path.stat().st_mtime_ns

    files = tuple(stamped(p) for p in turns_paths(env))
    if not files:
        return ()
    return _turns(files, stamped(transcript_path(env)), stamped(speakers_path(env)))


@lru_cache(maxsize=4)
def _glossary(path: Path, mtime_ns: int, transcript_file: tuple[Path, int]) -> Glossary:
    from .glossary import load_glossary  # the glossary module's directive needs this module

    return load_glossary(path, _transcript(*transcript_file))


def glossary(env: BuildEnvironment) -> Glossary:
    """The glossary, or an empty one when the notes keep none."""
    from .glossary import Glossary

    path = Path(env.config.panel_glossary)
    if not path.is_file():
        return Glossary((), ())
    transcript_file = transcript_path(env)
    return _glossary(path, path.stat().st_mtime_ns, (transcript_file, transcript_file.stat().st_mtime_ns))


def speakers_path(env: BuildEnvironment) -> Path:
    return Path(env.config.panel_speakers)


def transcript_path(env: BuildEnvironment) -> Path:
    return Path(env.config.panel_transcript)


def speakers(env: BuildEnvironment) -> dict[str, Speaker]:
    path = speakers_path(env)
    return _speakers(path, path.stat().st_mtime_ns)


def transcript(env: BuildEnvironment) -> Transcript:
    path = transcript_path(env)
    return _transcript(path, path.stat().st_mtime_ns)


def builder_inited(app: Sphinx) -> None:
    """Stop at once, naming file and line, if a data file is unusable."""
    try:
        for path in (speakers_path(app.env), transcript_path(app.env)):
            if not path.is_file():
                raise DataError(path, 1, "the file does not exist (see panel_speakers and panel_transcript in conf.py)")
        speakers(app.env)
        transcript(app.env)
        turns(app.env)
        glossary(app.env)
    except DataError as error:
        stop_build(error)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_speakers", "_data/speakers.yaml", "env", types=[str])
    app.add_config_value("panel_transcript", "_data/transcript-asr-zh.txt", "env", types=[str])
    app.add_config_value("panel_turns", "_data/turns", "env", types=[str])
    app.connect("builder-inited", builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
