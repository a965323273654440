"""Trim the stylesheets the pages load to what this site uses, and bundle them, after each build.

A sphinx-book-theme page loads six stylesheets (400 KB) before it can draw anything; most of it
is Bootstrap and the theme's rules for components these notes never show. At ``build-finished``,
for the stylesheets the built pages link from ``_static``:

- a style rule keeps each selector whose classes and ids all occur in the site: in an attribute
  value or inline script of some built page, or in a script the pages load (which is where classes
  added at run time, such as "show", are spelled out). This is how PurgeCSS decides too. Names in
  parentheses (``:not(.a)``, ``:where(.a, .b)``) or attribute selectors need not occur: the rule
  may match without them.
- a custom property (``--name: …``) is kept when a kept declaration uses it (``var(--name)``) or a
  page or script names it; repeated until nothing more goes, since properties use properties.
- each rule for a colour mode (``html[data-theme=light]`` or ``…=dark``) is followed by the same
  rule for ``[data-theme=auto]`` inside ``@media (prefers-color-scheme: …)``. pydata-sphinx-theme
  keys its colours on that attribute, and its page says "auto" until the theme's script decides,
  which here is after the first paint (docs/_templates/layout.html): without the copies the first
  frame had no colours, and a reader whose system is dark saw a white page first. With them, a
  page follows the reader's system before any script runs, and without scripts; the layout's
  first script applies a reader's saved choice before the first paint. Right after its original
  and as specific, each copy wins and loses against the same rules. (Done when trimming is off
  too.)
- a local ``@import`` is replaced by the stylesheet it imports.
- comments and spare whitespace go.
- the results are written as one file, ``_static/site-<hash of its text>.css``, and every page that
  linked them all, in the same order, links that file instead: one request before the first paint
  instead of six, and a name that changes whenever the text does, so no browser keeps a stale
  copy. Its first line lists what it holds, so the next build can rebuild it from the originals.

Sphinx copies the original stylesheets into the output on every build, so each build trims from
the originals, and rewrites the links of the pages it did not write itself. Parsing is the slow
part (0.7 s for the theme's 400 KB), so parses are cached by content in the doctree directory.
"""

from __future__ import annotations

import hashlib
import pickle
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import tinycss2
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

WORD = re.compile(r"[A-Za-z_][\w-]*")
CUSTOM_PROPERTY = re.compile(r"--[\w-]+")
VAR_REFERENCE = re.compile(r"var\(\s*(--[\w-]+)")
SELECTOR_NAME = re.compile(r"[.#](-?[A-Za-z_][\w-]*)")
ATTRIBUTE_VALUE = re.compile(r"""=\s*(?:"([^"]*)"|'([^']*)')""")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.S)
# a script's address, in a src attribute or in the list of the loader in docs/_templates/layout.html
SCRIPT_URL = re.compile(r'"([^"\s?#]+\.js)(?:[?#][^"]*)?"')
STYLESHEET_HREF = re.compile(
    r'<link[^>]*\srel="stylesheet"[^>]*\shref="([^"?#]+)|<link[^>]*\shref="([^"?#]+)[^"]*"[^>]*\srel="stylesheet"'
)
CSS_URL = re.compile(r"""url\((['"]?)([^'")]+)\1\)""")
BLOCK_AT_RULES = {"media", "supports", "layer", "container"}
CACHE_FILE = "panel-stylesheets.pickle"


# --- a parsed stylesheet, reduced to what trimming needs (and picklable, for the cache) -----------


@dataclass(frozen=True)
class Declaration:
    name: str
    text: str  # "name:value" or "name:value!important", compact
    uses: frozenset[str]  # the custom properties it reads


@dataclass(frozen=True)
class Rule:
    selectors: tuple[tuple[str, frozenset[str]], ...]  # each selector, with the names it needs
    body: tuple[Declaration, ...] | str  # declarations, or the raw block if it is not just those


@dataclass(frozen=True)
class Block:  # @media, @supports, ...: trimmed inside
    head: str
    children: Sheet


@dataclass(frozen=True)
class Verbatim:  # any other at-rule (@font-face, @keyframes, @import, ...): kept as it is
    text: str
    import_url: str | None = None


SheetNode: TypeAlias = Rule | Block | Verbatim
Sheet: TypeAlias = tuple[SheetNode, ...]


def _compact(tokens: Iterable[Any]) -> str:
    """Serialize component values without comments, with each run of whitespace as one space."""
    out: list[str] = []
    for token in tokens:
        if token.type == "comment":
            continue
        if token.type == "whitespace":
            if out and out[-1] != " ":
                out.append(" ")
        elif token.type == "function":
            out.append(f"{tinycss2.serializer.serialize_identifier(token.name)}({_compact(token.arguments)})")
        elif token.type in ("() block", "[] block", "{} block"):
            out.append(f"{token.type[0]}{_compact(token.content)}{token.type[1]}")
        else:
            out.append(tinycss2.serialize([token]))
    return "".join(out).strip()


def _without_parentheses(selector: str) -> str:
    """The selector less everything inside (…) and […]: names there need not be in the page."""
    out, depth = [], 0
    for char in selector:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def split_selectors(prelude: str) -> list[str]:
    """Split a selector list at top-level commas (not those inside :is(…), [attr="a,b"] etc.)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(prelude[start:index])
            start = index + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def _body(content: list[Any]) -> tuple[Declaration, ...] | str:
    items = tinycss2.parse_blocks_contents(content, skip_whitespace=True, skip_comments=True)
    if any(item.type != "declaration" for item in items):  # nested rules, or an error: leave as is
        return _compact(content)
    declarations = []
    for item in items:
        value = _compact(item.value)
        text = f"{item.name}:{value}" + ("!important" if item.important else "")
        declarations.append(Declaration(item.name, text, frozenset(VAR_REFERENCE.findall(value))))
    return tuple(declarations)


def parse(css: str) -> Sheet:
    def nodes(parsed: Iterable[Any]) -> Sheet:
        out: list[SheetNode] = []
        for node in parsed:
            if node.type == "qualified-rule":
                selectors = tuple(
                    (s, frozenset(SELECTOR_NAME.findall(_without_parentheses(s))))
                    for s in split_selectors(_compact(node.prelude))
                )
                out.append(Rule(selectors, _body(node.content)))
            elif node.type == "at-rule" and node.lower_at_keyword in BLOCK_AT_RULES and node.content is not None:
                children = nodes(tinycss2.parse_blocks_contents(node.content, skip_whitespace=True, skip_comments=True))
                out.append(Block(f"@{node.at_keyword} {_compact(node.prelude)}", children))
            elif node.type == "at-rule":
                url = None
                prelude = [t for t in node.prelude if t.type not in ("whitespace", "comment")]
                if node.lower_at_keyword == "import" and len(prelude) == 1 and prelude[0].type in ("string", "url"):
                    url = prelude[0].value  # a plain import, with no media or layer condition
                body = "" if node.content is None else "{" + _compact(node.content) + "}"
                out.append(Verbatim(f"@{node.at_keyword} {_compact(node.prelude)}{body or ';'}", url))
        return tuple(out)

    return nodes(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


# --- colour modes -----------------------------------------------------------------------------------

MODE_ATTRIBUTE = re.compile(r"""\[data-theme=(["']?)(light|dark)\1\]""")
AUTO = "[data-theme=auto]"


def with_auto_mode(sheet: Sheet) -> Sheet:
    """The sheet with each rule for a colour mode followed by its copy for ``auto`` under that
    mode's ``prefers-color-scheme`` (in ``@media`` and other blocks too)."""
    out: list[SheetNode] = []
    for node in sheet:
        if isinstance(node, Block):
            out.append(Block(node.head, with_auto_mode(node.children)))
            continue
        out.append(node)
        if not isinstance(node, Rule):
            continue
        for mode in ("light", "dark"):
            chosen = tuple(
                (MODE_ATTRIBUTE.sub(AUTO, text), names)
                for text, names in node.selectors
                if mode in {m[1] for m in MODE_ATTRIBUTE.findall(text)}
            )
            if chosen:
                out.append(Block(f"@media (prefers-color-scheme: {mode})", (Rule(chosen, node.body),)))
    return tuple(out)


# --- trimming ---------------------------------------------------------------------------------------


def _map_rules(sheet: Sheet, reduce: Callable[[Rule], Rule | None]) -> Sheet:
    """The sheet with each rule replaced by ``reduce(rule)`` (gone if None), inside blocks too; a
    block left empty goes."""
    out: list[SheetNode] = []
    for node in sheet:
        if isinstance(node, Rule):
            reduced = reduce(node)
            if reduced is not None:
                out.append(reduced)
        elif isinstance(node, Block):
            children = _map_rules(node.children, reduce)
            if children:
                out.append(Block(node.head, children))
        else:
            out.append(node)
    return tuple(out)


def keep_selectors(sheet: Sheet, words: set[str]) -> Sheet:
    """The sheet with each rule reduced to the selectors whose names all occur in ``words``."""

    def reduce(rule: Rule) -> Rule | None:
        selectors = tuple(s for s in rule.selectors if s[1] <= words)
        return Rule(selectors, rule.body) if selectors else None

    return _map_rules(sheet, reduce)


def _declarations(sheet: Sheet) -> Iterator[Declaration]:
    for node in sheet:
        if isinstance(node, Rule) and not isinstance(node.body, str):
            yield from node.body
        elif isinstance(node, Block):
            yield from _declarations(node.children)


def _raw_text(sheet: Sheet) -> Iterator[str]:
    for node in sheet:
        if isinstance(node, Rule) and isinstance(node.body, str):
            yield node.body
        elif isinstance(node, Verbatim):
            yield node.text
        elif isinstance(node, Block):
            yield from _raw_text(node.children)


def _drop_properties(sheet: Sheet, unused: set[str]) -> Sheet:
    def reduce(rule: Rule) -> Rule | None:
        if isinstance(rule.body, str):  # a body kept as raw text is kept whole
            return rule
        body = tuple(d for d in rule.body if d.name not in unused)
        return Rule(rule.selectors, body) if body else None

    return _map_rules(sheet, reduce)


def drop_unused_properties(sheets: dict[str, Sheet], named_elsewhere: set[str]) -> dict[str, Sheet]:
    """Drop custom property declarations nothing uses, across all sheets at once (one sheet's
    properties are used by the others), until every one left is used."""
    while True:
        declared, used = set(), set(named_elsewhere)
        for sheet in sheets.values():
            for declaration in _declarations(sheet):
                if declaration.name.startswith("--"):
                    declared.add(declaration.name)
                used |= declaration.uses
            for text in _raw_text(sheet):
                used.update(VAR_REFERENCE.findall(text))
        unused = declared - used
        if not unused:
            return sheets
        sheets = {name: _drop_properties(sheet, unused) for name, sheet in sheets.items()}


def serialize(sheet: Sheet, inline: Callable[[str], str | None]) -> str:
    """The sheet as compact CSS; ``inline(url)`` gives the text to put for a local @import, or None."""
    out = []
    for node in sheet:
        if isinstance(node, Rule):
            body = node.body if isinstance(node.body, str) else ";".join(d.text for d in node.body)
            out.append(",".join(s for s, _ in node.selectors) + "{" + body + "}")
        elif isinstance(node, Block):
            out.append(node.head + "{" + serialize(node.children, inline) + "}")
        else:
            text = inline(node.import_url) if node.import_url else None
            out.append(node.text if text is None else text)
    return "".join(out)


def rebase_urls(css: str, source: str, target: str) -> str:
    """Relative url()s of a stylesheet at path ``source``, rewritten for one at ``target``."""

    def rebase(match: re.Match[str]) -> str:
        url = match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:|/|#", url, re.I):
            return match.group(0)
        moved = posixpath.relpath(posixpath.join(posixpath.dirname(source), url), posixpath.dirname(target))
        return f'url("{moved}")'

    return CSS_URL.sub(rebase, css)


# --- the site ---------------------------------------------------------------------------------------

BUNDLE_DIR = "_static"
BUNDLE_NAME = re.compile(r"^_static/site-[0-9a-f]{12}\.css$")
BUNDLE_HEADER = "/* panelnotes: the site's stylesheets, trimmed, in this order: {} */\n"


@dataclass
class Site:
    pages: dict[Path, list[str]]  # each page, with the stylesheets it links (paths in the output)
    stylesheets: list[str]  # every stylesheet a page links, in the order first linked
    words: set[str]  # every word that may name a class or an id
    properties: set[str]  # custom properties that pages and scripts name


def _linked(page: Path, outdir: Path, html: str) -> list[str]:
    """The stylesheets ``html`` links, as paths in the output. Root-relative links (the 404
    page's, which works at any depth) are taken as relative to the output's root."""
    base = page.parent.relative_to(outdir).as_posix()
    hrefs = (m.group(1) or m.group(2) for m in STYLESHEET_HREF.finditer(html))
    return [posixpath.normpath(posixpath.join(base, h)).lstrip("/") for h in hrefs if "://" not in h]


def _bundled(outdir: Path, path: str) -> list[str]:
    """The stylesheets an earlier build bundled into ``path``, from the bundle's first line."""
    first = (outdir / path).read_text(encoding="utf-8").split("\n", 1)[0]
    prefix, _, suffix = BUNDLE_HEADER.partition("{}")
    if not (first.startswith(prefix) and first.endswith(suffix.strip())):
        raise ValueError(f"{path}: not a bundle written by panelnotes; rebuild with -E")
    return first[len(prefix) : -len(suffix.strip())].split()


def read_site(outdir: Path) -> Site:
    pages: dict[Path, list[str]] = {}
    stylesheets: dict[str, None] = {}
    scripts: set[Path] = set()
    words: set[str] = set()
    properties: set[str] = set()
    # another Sphinx output inside this one (an edition in another language) trims its own pages
    nested = {d.parent for d in outdir.glob("*/**/_static")}
    pages_here = (p for p in outdir.rglob("*.html") if "_static" not in p.relative_to(outdir).parts)
    for page in sorted(p for p in pages_here if not any(root in p.parents for root in nested)):
        html = page.read_text(encoding="utf-8", errors="replace")
        for value in ATTRIBUTE_VALUE.findall(html):
            text = value[0] or value[1]
            words.update(WORD.findall(text))
            properties.update(CUSTOM_PROPERTY.findall(text))
        for script in INLINE_SCRIPT.findall(html):
            words.update(WORD.findall(script))
            properties.update(CUSTOM_PROPERTY.findall(script))
        linked = []
        for path in _linked(page, outdir, html):  # a page of an earlier build links the bundle
            linked += _bundled(outdir, path) if BUNDLE_NAME.match(path) else [path]
        pages[page] = [p for p in linked if p.startswith("_static/")]
        stylesheets.update(dict.fromkeys(pages[page]))
        scripts.update((page.parent / src).resolve() for src in SCRIPT_URL.findall(html) if "://" not in src)
    for script in scripts:
        if script.is_file():  # an unused script in _static (Font Awesome's) is not read
            text = script.read_text(encoding="utf-8", errors="replace")
            words.update(WORD.findall(text))
            properties.update(CUSTOM_PROPERTY.findall(text))
    return Site(pages, list(stylesheets), words, properties)


def _key(css: str) -> str:
    return hashlib.sha256(css.encode()).hexdigest()


class ParseCache:
    """Parsed stylesheets by the hash of their text, kept between builds in one pickle."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.old: dict[str, Sheet] = pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            self.old = {}
        self.new: dict[str, Sheet] = {}

    def parse(self, css: str) -> Sheet:
        key = _key(css)
        if key not in self.new:
            self.new[key] = self.old[key] if key in self.old else parse(css)
        return self.new[key]

    def save(self) -> None:
        if self.new.keys() != self.old.keys():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(pickle.dumps(self.new, pickle.HIGHEST_PROTOCOL))


def trimmed(outdir: Path, site: Site, cache: ParseCache) -> dict[str, str]:
    """Each stylesheet the pages link, trimmed, with its local @imports inlined."""
    texts: dict[str, str] = {}
    queue = list(site.stylesheets)
    while queue:  # the linked sheets and what they @import
        path = queue.pop(0)
        if path in texts or not (outdir / path).is_file():
            continue
        texts[path] = (outdir / path).read_text(encoding="utf-8")
        for node in cache.parse(texts[path]):
            if isinstance(node, Verbatim) and node.import_url and "://" not in node.import_url:
                queue.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), node.import_url)))
    sheets = {path: keep_selectors(with_auto_mode(cache.parse(text)), site.words) for path, text in texts.items()}
    sheets = drop_unused_properties(sheets, site.properties)
    cache.save()

    done: dict[str, str] = {}

    def render(path: str) -> str:
        if path not in done:

            def inline(url: str) -> str | None:
                imported = posixpath.normpath(posixpath.join(posixpath.dirname(path), url))
                return rebase_urls(render(imported), imported, path) if imported in sheets else None

            done[path] = serialize(sheets[path], inline)
        return done[path]

    return {path: render(path) for path in site.stylesheets if path in sheets}


def bundle(outdir: Path, site: Site, css: dict[str, str]) -> str:
    """Write the trimmed sheets as one file, and link it in place of them from every page that
    links them all, in the same order: one request before the first paint instead of seven."""
    order = list(css)
    text = "".join(rebase_urls(css[path], path, f"{BUNDLE_DIR}/site.css") for path in order)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    name = f"{BUNDLE_DIR}/site-{digest}.css"
    for old in (outdir / BUNDLE_DIR).glob("site-*.css"):
        if old.name != posixpath.basename(name):
            old.unlink()
    (outdir / name).write_text(BUNDLE_HEADER.format(" ".join(order)) + text, encoding="utf-8")
    for page, linked in site.pages.items():
        if linked != order:
            continue  # a page with stylesheets of its own keeps its links
        html = page.read_text(encoding="utf-8")
        links = [m for m in re.finditer(r"<link\b[^>]*>\n?", html) if STYLESHEET_HREF.match(m.group(0))]
        links = [m for m in links if _linked(page, outdir, m.group(0))[0].startswith("_static/")]
        if (m := STYLESHEET_HREF.match(links[0].group(0))) and (m.group(1) or m.group(2)).startswith("/"):
            href = f"/{name}"
        else:
            href = posixpath.relpath(name, page.parent.relative_to(outdir).as_posix())
        tag = f'<link rel="stylesheet" href="{href}" />\n'
        new = html[: links[0].start()] + tag
        for this, following in zip(links, [*links[1:], None], strict=True):
            new += html[this.end() : following.start() if following else None]
        if new != html:
            page.write_text(new, encoding="utf-8")
    return name


def add_auto_mode(outdir: Path, cache: ParseCache) -> None:
    """Without trimming: the auto copies in each stylesheet that has rules for a colour mode."""
    for sheet in sorted((outdir / BUNDLE_DIR).rglob("*.css")):
        css = sheet.read_text(encoding="utf-8")
        if MODE_ATTRIBUTE.search(css) and AUTO not in css:  # (a sheet Sphinx did not copy again has them)
            sheet.write_text(serialize(with_auto_mode(cache.parse(css)), lambda url: None), encoding="utf-8")
    cache.save()


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Trim the website's stylesheets and bundle them (not an e-book's)."""
    if exception is not None or app.builder.format != "html" or app.builder.name == "epub":
        return
    cache = ParseCache(Path(app.doctreedir) / CACHE_FILE)
    outdir = Path(app.outdir)
    if not app.config.panel_trim_stylesheets:
        add_auto_mode(outdir, cache)
        return
    site = read_site(outdir)
    css = trimmed(outdir, site, cache)
    for path, text in css.items():  # for a page that links them one by one
        (outdir / path).write_text(text, encoding="utf-8")
    name = bundle(outdir, site, css)
    logger.info(
        f"stylesheets: {len(css)} files, trimmed and bundled in {name} ({sum(len(t) for t in css.values()) // 1024} KB)"
    )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("panel_trim_stylesheets", True, "html", types=[bool])
    # priority > 500: after pydata-sphinx-theme rewrites pygments.css at build-finished
    app.connect("build-finished", build_finished, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
