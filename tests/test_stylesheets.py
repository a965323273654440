"""The stylesheets step (panelnotes.stylesheets) on the tiny test root: what it keeps, what it
drops, the one file every page links, and that an incremental build leaves no page behind.
(test_browser.py checks on the real book that no element looks different for it.)"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from panelnotes.stylesheets import ParseCache, parse, serialize, with_auto_mode

PROBE = {"html_static_path": ["_static"], "html_css_files": ["trim-probe.css"]}


def pages(app) -> list[Path]:
    return sorted(p for p in Path(app.outdir).rglob("*.html") if "_static" not in p.parts)


def linked_stylesheets(page: Path) -> list[str]:
    return re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', page.read_text(encoding="utf-8"))


def the_bundle(app) -> Path:
    bundles = list((Path(app.outdir) / "_static").glob("site-*.css"))
    assert len(bundles) == 1, bundles
    return bundles[0]


@pytest.mark.sphinx("html", testroot="panel", srcdir="stylesheets-on", confoverrides=PROBE)
def test_every_page_links_one_trimmed_bundle(app):
    app.build()
    assert app.warning.getvalue() == ""
    bundle = the_bundle(app)
    for page in pages(app):
        (href,) = linked_stylesheets(page)
        assert (page.parent / href.split("?")[0]).resolve() == bundle.resolve(), page
    css = bundle.read_text(encoding="utf-8")
    assert css.startswith("/* panelnotes: the site's stylesheets, trimmed, in this order: ")
    body = css.split("\n", 1)[1]
    # kept: rules for classes the pages use, selectors whose other names sit in :not() or :where()
    assert ".panel-answer{margin-left:var(--probe-chain)}" in body
    assert ".panel-answer:not(.never-used-class){padding:1px}" in body
    assert ":where(.panel-stance, .never-used-class){border:0}" in body
    assert "@media print{.panel-answer{color:black}}" in body
    # dropped: rules for a class no page or script names, and a custom property nothing reads
    assert ".never-used-class{" not in body and "--probe-unused" not in body
    # kept: a property read only through another property
    assert "--probe-used:4px" in body and "--probe-chain:var(--probe-used)" in body
    # the theme's @import is inlined, and comments and spare whitespace are gone
    assert "@import" not in body and "/*" not in body and "\n" not in body
    assert len(body) < sum(len(p.read_text()) for p in (Path(app.outdir) / "_static").glob("*.css")) / 2


@pytest.mark.sphinx(
    "html", testroot="panel", srcdir="stylesheets-off", confoverrides=PROBE | {"panel_trim_stylesheets": False}
)
def test_the_step_can_be_switched_off(app):
    app.build()
    assert not list((Path(app.outdir) / "_static").glob("site-*.css"))
    assert any("trim-probe.css" in href for href in linked_stylesheets(Path(app.outdir) / "index.html"))


def test_after_an_incremental_build_every_page_links_the_new_bundle(make_app, rootdir, tmp_path):
    src = Path(shutil.copytree(rootdir / "test-panel", tmp_path / "src"))
    make_app("html", srcdir=src, confoverrides=PROBE).build()
    probe = src / "_static" / "trim-probe.css"
    probe.write_text(probe.read_text() + ".panel-stance { font-style: italic; }\n", encoding="utf-8")
    again = make_app("html", srcdir=src, confoverrides=PROBE, freshenv=False)
    again.build()
    bundle = the_bundle(again)  # the old one is gone
    assert ".panel-stance{font-style:italic}" in bundle.read_text(encoding="utf-8")
    for page in pages(again):
        (href,) = linked_stylesheets(page)
        assert (page.parent / href).resolve() == bundle.resolve(), page


THEME_CSS = """@import url("basic.css");
:root { --probe: 1px; }
.panel-answer, .never-used-class { margin: var(--probe) !important; }
@media (max-width: 40em) { .panel-answer { margin: 0 } }
@font-face { font-family: Probe; src: url("probe.woff2") }
"""


def test_parses_are_cached_between_builds(tmp_path):
    cache = ParseCache(tmp_path / "parses.pickle")
    parsed = cache.parse(THEME_CSS)
    assert parsed == parse(THEME_CSS)
    cache.save()
    again = ParseCache(tmp_path / "parses.pickle")
    assert again.old.keys() == cache.new.keys() and again.parse(THEME_CSS) == parsed


def test_a_rule_for_a_colour_mode_also_holds_for_auto_under_the_readers_preference():
    """What lets a page follow the reader's system before any script:
    each rule for [data-theme=light|dark] is repeated for "auto" under prefers-color-scheme, right
    after it, in blocks too; the selectors of other modes and other rules are left alone."""
    css = (
        'html[data-theme=dark]{--bg:#000}.a{color:red}html[data-theme="light"] .b,.c{color:blue}'
        "@media (min-width:10px){html[data-theme=dark] .d{color:green}}"
        "html[data-theme=dark],html[data-theme=light]{--x:1}"
    )
    assert serialize(with_auto_mode(parse(css)), lambda url: None) == (
        "html[data-theme=dark]{--bg:#000}"
        "@media (prefers-color-scheme: dark){html[data-theme=auto]{--bg:#000}}"
        '.a{color:red}html[data-theme="light"] .b,.c{color:blue}'
        "@media (prefers-color-scheme: light){html[data-theme=auto] .b{color:blue}}"
        "@media (min-width:10px){html[data-theme=dark] .d{color:green}"
        "@media (prefers-color-scheme: dark){html[data-theme=auto] .d{color:green}}}"
        "html[data-theme=dark],html[data-theme=light]{--x:1}"
        "@media (prefers-color-scheme: light){html[data-theme=auto]{--x:1}}"
        "@media (prefers-color-scheme: dark){html[data-theme=auto]{--x:1}}"
    )
