"""The two data files the notes are built from, loaded once per process and per file version."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sphinx.environment import BuildEnvironment
from sphinx.errors import ConfigError

from .speakers import Speaker, SpeakerDataError, load_speakers
from .transcript import Transcript


def resolve_paths(app, config) -> None:
    """``config-inited``: make the data paths absolute (they are written relative to conf.py)."""
    config.panel_speakers = str(Path(app.confdir, config.panel_speakers).resolve())
    config.panel_transcript = str(Path(app.confdir, config.panel_transcript).resolve())


def speakers_path(env: BuildEnvironment) -> Path:
    return Path(env.config.panel_speakers)


def transcript_path(env: BuildEnvironment) -> Path:
    return Path(env.config.panel_transcript)


@lru_cache(maxsize=4)
def _speakers(path: Path, mtime_ns: int) -> dict[str, Speaker]:
    return load_speakers(path)


@lru_cache(maxsize=4)
def _transcript(path: Path, mtime_ns: int) -> Transcript:
    return Transcript.load(path)


def speakers(env: BuildEnvironment) -> dict[str, Speaker]:
    path = speakers_path(env)
    return _speakers(path, path.stat().st_mtime_ns)


def transcript(env: BuildEnvironment) -> Transcript:
    path = transcript_path(env)
    return _transcript(path, path.stat().st_mtime_ns)


def check_sources(app) -> None:
    """``builder-inited``: fail at once, naming file and line, if a data file is unusable."""
    try:
        speakers(app.env)
        transcript(app.env)
    except (OSError, SpeakerDataError) as exc:
        raise ConfigError(str(exc)) from exc
