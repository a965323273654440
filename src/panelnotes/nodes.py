"""Doctree nodes of the panel extension and how each output format renders them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

LATEX_PACKAGE = Path(__file__).parent / "latex" / "panelnotes.sty"

if TYPE_CHECKING:
    from sphinx.writers.html5 import HTML5Translator
    from sphinx.writers.latex import LaTeXTranslator


class answer(nodes.General, nodes.Element):
    """One panelist's answer to one question; carries ``speaker``, ``question``, ``attribution``."""


class turn(nodes.General, nodes.Element):
    """One speaker turn of the transcript; carries ``speaker``, ``attribution``, ``paragraphs``."""


class turn_links(nodes.Inline, nodes.Element):
    """Stands in for a turn's links to the answers that summarise it (``speaker``, ``part``, ``first``, ``last``)."""


class permalink(nodes.Inline, nodes.Element):
    """The visible ¶ link beside an answer, or # beside an excerpt (HTML only: a printed page has
    no use for it); carries ``refid``, ``title`` and, optionally, ``symbol``."""


class citation_formats(nodes.General, nodes.Element):
    """Stands in for the citation of the book, a chapter or an answer in every format (see
    ``citing``); carries ``kind`` and ``target`` (a docname, or an answer's anchor)."""


class cite_control(nodes.General, nodes.Element):
    """An answer's Cite control: a ``<details>`` that opens on the citation formats, in the page
    itself, so it works without scripts (HTML only, and not in the e-book)."""


class stance_matrix(nodes.General, nodes.Element):
    """Stands in for the stance matrix until every chapter is read (see ``collections``)."""


class speaker_answers(nodes.General, nodes.Element):
    """Stands in for the list of one speaker's answers; carries ``speaker``."""


class chapter_references(nodes.General, nodes.Element):
    """Stands in for the list of works the chapter cites."""


class downloads(nodes.General, nodes.Element):
    """Stands in for a chapter's PDF links (HTML only, and only for PDFs that were built)."""


class handout_title(nodes.General, nodes.Element):
    """A handout's title block (LaTeX only): ``title``; ``facts``, (label, text) pairs; ``url``, the
    chapter's page on the site, and ``qr_code``, a file beside the .tex: both "" when the build
    does not know the site's address; ``url_label``."""


def visit_answer_html(self: HTML5Translator, node: answer) -> None:
    attributes = {
        "data-speaker": node["speaker"],
        "data-question": node["question"],
        "data-attribution": node["attribution"],
    }
    self.body.append(self.starttag(node, "div", CLASS="panel-answer", **attributes))


def depart_answer_html(self: HTML5Translator, node: answer) -> None:
    self.body.append("</div>\n")


def visit_answer_latex(self: LaTeXTranslator, node: answer) -> None:
    self.body.append("\n\\panelanswerstart\n")  # keeps the speaker's line with what follows (panelnotes.sty)
    self.body.extend(self.hypertarget(anchor, anchor=False) for anchor in node["ids"])


def depart_answer_latex(self: LaTeXTranslator, node: answer) -> None:
    self.body.append("\n\\par\\medskip\n")


def visit_handout_title_latex(self: LaTeXTranslator, node: handout_title) -> None:
    """``\\panelhandouttitle{title}{facts}{QR code file}``, a macro of panelnotes.sty."""
    facts = [rf"\textbf{{{self.encode(label)}}} {self.encode(text)}" for label, text in node["facts"]]
    if node["url"]:
        facts.append(rf"\textbf{{{self.encode(node['url_label'])}}} \sphinxurl{{{self.encode_uri(node['url'])}}}")
    title, lines = self.encode(node["title"]), r"\par ".join(facts)
    self.body.append(rf"\panelhandouttitle{{{title}}}{{{lines}}}{{{node['qr_code']}}}" + "\n")
    raise nodes.SkipNode


def visit_turn_html(self: HTML5Translator, node: turn) -> None:
    attributes = {
        "data-speaker": node["speaker"],
        "data-attribution": node["attribution"],
        "data-paragraphs": node["paragraphs"],
    }
    self.body.append(self.starttag(node, "section", CLASS="panel-turn", **attributes))


def depart_turn_html(self: HTML5Translator, node: turn) -> None:
    self.body.append("</section>\n")


class screen_reader_text(nodes.Inline, nodes.TextElement):
    """Words for screen readers only (e.g. "correction:" before a bracketed correction); a printed
    page has the visible mark alone."""


def visit_screen_reader_text_html(self: HTML5Translator, node: screen_reader_text) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="visually-hidden"))


def depart_screen_reader_text_html(self: HTML5Translator, node: screen_reader_text) -> None:
    self.body.append("</span>")


def visit_permalink_html(self: HTML5Translator, node: permalink) -> None:
    title = self.attval(node["title"])
    symbol = node.get("symbol", "¶")
    self.body.append(f'<a class="headerlink" href="#{node["refid"]}" title="{title}">{symbol}</a>')
    raise nodes.SkipNode


def visit_cite_control_html(self: HTML5Translator, node: cite_control) -> None:
    if self.builder.name == "epub":  # an e-book's reader has no use for a wiki's citation
        raise nodes.SkipNode
    self.body.append(self.starttag(node, "details", CLASS="panel-cite"))
    self.body.append(f'<summary title="{self.attval(node["title"])}">{self.encode(node["label"])}</summary>\n')
    self.body.append('<div class="panel-cite-formats">\n')


def depart_cite_control_html(self: HTML5Translator, node: cite_control) -> None:
    self.body.append("</div></details>\n")


def skip(self: nodes.NodeVisitor, node: nodes.Node) -> None:
    raise nodes.SkipNode


def visit_passthrough(self: nodes.NodeVisitor, node: nodes.Node) -> None:
    pass


def depart_passthrough(self: nodes.NodeVisitor, node: nodes.Node) -> None:
    pass


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """LaTeX writes labels only for targets, not for a container's ids (a question's box, which
    the transcript links to): give each such container a target that carries its ids."""
    if app.builder.format != "latex":
        return
    for box in doctree.findall(nodes.container):
        if box["ids"]:
            box.insert(0, nodes.target("", "", ids=box["ids"]))
            box["ids"] = []


def config_inited(app: Sphinx, config: Config) -> None:
    # the macros the LaTeX visitors write; at config-inited, so every run sees the same configuration
    config.latex_additional_files = [*config.latex_additional_files, str(LATEX_PACKAGE)]
    app.add_latex_package(LATEX_PACKAGE.stem)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", config_inited)
    app.connect("doctree-resolved", doctree_resolved)
    app.add_node(
        answer,
        html=(visit_answer_html, depart_answer_html),
        latex=(visit_answer_latex, depart_answer_latex),
        text=(visit_passthrough, depart_passthrough),
        man=(visit_passthrough, depart_passthrough),
        texinfo=(visit_passthrough, depart_passthrough),
    )
    app.add_node(
        turn,
        html=(visit_turn_html, depart_turn_html),
        latex=(visit_answer_latex, depart_answer_latex),
        text=(visit_passthrough, depart_passthrough),
        man=(visit_passthrough, depart_passthrough),
        texinfo=(visit_passthrough, depart_passthrough),
    )
    app.add_node(turn_links)
    app.add_node(
        screen_reader_text,
        html=(visit_screen_reader_text_html, depart_screen_reader_text_html),
        latex=(skip, None),
        text=(skip, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
    app.add_node(
        permalink,
        html=(visit_permalink_html, None),
        latex=(skip, None),
        text=(skip, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
    app.add_node(
        cite_control,
        html=(visit_cite_control_html, depart_cite_control_html),
        latex=(skip, None),
        text=(skip, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
    for stand_in in (stance_matrix, speaker_answers, chapter_references, downloads, citation_formats):
        app.add_node(stand_in)
    app.add_node(
        handout_title,
        html=(skip, None),
        latex=(visit_handout_title_latex, None),
        text=(skip, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}
