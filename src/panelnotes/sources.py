"""The speaker registry and the transcript, loaded once per process and per file version."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from .datafiles import DataError, stop_build
from .speakers import Speaker, load_speakers
from .transcript import Transcript


@lru_cache(maxsize=4)
def _speakers(path: Path, mtime_ns: int) -> dict[str, Speaker]:
    return load_speakers(path)


@lru_cache(maxsize=4)
def _transcript(path: Path, mtime_ns: int) -> Transcript:
    return Transcript.load(path)


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
    except DataError as error:
        stop_build(error)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_speakers", "_data/speakers.yaml", "env", types=[str])
    app.add_config_value("panel_transcript", "_data/transcript-asr-zh.txt", "env", types=[str])
    app.add_config_value("panel_turns", "_data/turns", "env", types=[str])
    app.connect("builder-inited", builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
