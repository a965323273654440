"""The notes' data files: their paths, YAML read with line numbers, and how a bad file stops the build.

A data file the build cannot use (a registry that does not parse, a ``.bib`` file pybtex cannot
read) stops the build at once with one line, ``file:line: ERROR: problem``, and a non-zero exit:
it is the writer's error to fix, not a crash to report, so it gets no traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn, cast

import yaml
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Configuration values that name files or folders, written relative to conf.py.
PATH_OPTIONS = (
    "panel_speakers",
    "panel_transcript",
    "panel_turns",
    "panel_glossary",
    "panel_citation_file",
    "panel_downloads",
)


class DataError(ValueError):
    """A problem at one line of a data file."""

    def __init__(self, path: Path | str, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path, self.line, self.problem = str(path), line, problem


class Located(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its keys stand (1-based lines)."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LocatingLoader(yaml.SafeLoader):
    def construct_located(self, node: yaml.MappingNode) -> Located:
        seen: set[object] = set()
        for key, _ in node.value:
            if key.value in seen:
                raise yaml.constructor.ConstructorError(
                    problem=f"{key.value!r} is given twice", problem_mark=key.start_mark
                )
            seen.add(key.value)
        mapping = Located(cast(dict[str, Any], self.construct_mapping(node, deep=True)))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
        return mapping


_LocatingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LocatingLoader.construct_located)


def load_yaml(path: Path) -> Any:
    """Parse *path*; mappings come back as :class:`Located`. A syntax error is a :class:`DataError`."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LocatingLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(path, mark.line + 1 if mark else 1, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except OSError as exc:
        raise DataError(path, 1, f"cannot be read: {exc.strerror}") from None


def config_inited(app: Sphinx, config: Config) -> None:
    """Make every path option absolute (they are written relative to conf.py)."""
    for name in PATH_OPTIONS:
        setattr(config, name, str(Path(app.confdir, getattr(config, name)).resolve()))


def stop_build(error: DataError) -> NoReturn:
    """Report *error* as one line at its file and line, and end the build with a non-zero exit."""
    logger.error(error.problem, location=f"{error.path}:{error.line}")
    raise SystemExit(2)  # not an exception: Sphinx would print a crash report and ask for a bug report
