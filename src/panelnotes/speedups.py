"""Opt-in speed-ups for large builds (``extensions = [..., "panelnotes.speedups"]``).

Each one changes how a dependency works, process-wide, so none is on by default. The pybtex ones
replace private functions: they apply only to the pybtex release they were written against (pinned
in pyproject.toml) and leave any other release alone. Output is byte-identical with or without them.
"""

from __future__ import annotations

import codecs
import functools
import gc
from importlib import metadata
from typing import Any

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import pybtex.plugin
from pybtex.markup import LaTeXParser
from pybtex.richtext import Text
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

PYBTEX_TESTED = "0.26."  #: the pybtex releases whose private functions the speed-ups replace


def collect_garbage_less_often() -> None:
    """A build makes millions of small objects that live until it ends (doctrees, the
    environment); with CPython's default thresholds the cyclic collector scans them all hundreds
    of times (measured: 0.5 s of a 4 s build). Collect young objects a hundred times less often,
    as mypy does for its runs; a build is one short-lived process."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, 50_000), middle, old)


def cache_plugin_lookup() -> None:
    """pybtex looks a plugin up among the installed packages' entry points on every call, and
    sphinxcontrib-bibtex asks once per citation (measured: 264 look-ups, 3.8 s of a 12 s build).
    Remember what the entry points gave; plugins registered at run time still come first."""
    original = pybtex.plugin._load_entry_point
    if getattr(original, "panel_cached", False):
        return
    loaded: dict[tuple[str, str, bool], type] = {}

    def load(group: str, name: str, use_aliases: bool = False) -> type:
        for search_group in [group, group + ".aliases"] if use_aliases else [group]:
            klass = pybtex.plugin._RUNTIME_PLUGINS.get(search_group, {}).get(name)
            if klass is not None:
                return klass  # type: ignore[no-any-return]
        key = (group, name, use_aliases)
        if key not in loaded:
            loaded[key] = original(group, name, use_aliases)
        return loaded[key]

    load.panel_cached = True  # type: ignore[attr-defined]
    pybtex.plugin._load_entry_point = load


def cache_latex_decoding() -> None:
    """pybtex decodes every name and field from LaTeX each time it formats an entry, once per
    citation; latexcodec is slow (measured: 0.35 s of a 4.8 s build). Decoding is a pure function
    of the string, so remember it."""
    original = Text.from_latex.__func__
    if getattr(original, "panel_cached", False):
        return
    decode = functools.lru_cache(maxsize=None)(lambda latex: codecs.decode(latex, "ulatex"))

    def from_latex(cls: type[Text], latex: str) -> Text:
        return LaTeXParser(decode(latex)).parse()  # a new Text each time: callers may change it

    from_latex.panel_cached = True  # type: ignore[attr-defined]
    Text.from_latex = classmethod(from_latex)


def setup(app: Sphinx) -> dict[str, Any]:
    collect_garbage_less_often()
    if metadata.version("pybtex").startswith(PYBTEX_TESTED):
        cache_plugin_lookup()
        cache_latex_decoding()
    else:
        logger.info(f"panelnotes.speedups: pybtex {metadata.version('pybtex')} is untested, its speed-ups are off")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
