"""The extension's own stylesheets and script (``static/``): answers, excerpts, badges, the copy
button, and the site's icons and layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

STATIC = Path(__file__).parent / "static"


def config_inited(app: Sphinx, config: Config) -> None:
    # at config-inited, so the environment sees the same configuration on every run (a change
    # made later would count as a configuration change and force a full rebuild each time)
    config.html_static_path = [*config.html_static_path, str(STATIC)]  # a new list: see editions
    app.add_css_file("panel.css")
    app.add_js_file("panel.js", loading_method="defer")


def builder_inited(app: Sphinx) -> None:
    # the website theme's icons and layout (see panel-site.css); not for an e-book
    if app.builder.name != "epub":
        app.add_css_file("panel-site.css")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", config_inited)
    app.connect("builder-inited", builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
