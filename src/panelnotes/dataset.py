"""The panel as open data: speakers, questions, turns and answers, written beside the site at the
end of every HTML build as ``data/panel.json`` (described by ``data/panel.schema.json``) and one CSV
file per table, for spreadsheets. Generated from the same sources as the pages, never by hand."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any, cast
from urllib.parse import urljoin

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from . import sources
from .citing import the_work
from .directives import question_label
from .domain import PanelDomain
from .messages import _

FOLDER = "data"
SCHEMA = Path(__file__).parent / "schema" / "panel.schema.json"
TABLES = ("speakers", "questions", "turns", "answers")


def _span(first: int, last: int) -> dict[str, int]:
    return {"first": first, "last": last}


def _site_url(app: Sphinx, docname: str, anchor: str = "") -> str:
    """The page's address, absolute when the build knows the site's, else relative to the site's root."""
    uri = app.builder.get_target_uri(docname) + (f"#{anchor}" if anchor else "")
    return urljoin(app.config.html_baseurl, uri) if app.config.html_baseurl else uri


def collect(app: Sphinx) -> dict[str, Any]:
    """The dataset, from the registry, the turns and the answers the chapters hold."""
    env = app.env
    domain: PanelDomain = env.get_domain("panel")  # type: ignore[assignment]
    turns = sources.turns(env)
    answers = domain.ordered_answers()
    return {
        "title": the_work(app.config).title,
        "version": app.config.release,
        "url": app.config.html_baseurl,
        "transcript": {"paragraphs": len(sources.transcript(env).paragraphs), "language": "zh-Hans"},
        "speakers": [
            {
                "id": s.id,
                "name": s.name,
                "name_zh": s.name_zh,
                "role": s.role,
                "presence": s.presence,
                "identification": s.identification,
                "affiliation": s.affiliation,
            }
            for s in sources.speakers(env).values()
        ],
        "questions": [
            {
                "id": q.id,
                "label": question_label(app.config, q),
                "asked_by": "audience" if q.from_audience else "moderator",
                "title": env.titles[q.docname].astext(),
                "url": _site_url(app, q.docname, q.id),
                "paragraphs": [_span(*span) for span in q.spans],
            }
            for q in domain.ordered_questions()
        ],
        "turns": [
            {"id": t.anchor, "part": t.part, "speaker": t.speaker, "identification": t.identification}
            | ({"reason": t.reason} if t.reason else {})
            | ({"unsummarised": t.unsummarised} if t.unsummarised else {})
            | {"paragraphs": _span(t.first, t.last), "zh": t.zh}
            | ({"corrections": dict(t.corrections)} if t.corrections else {})
            | {"en": t.en}
            for t in turns
        ],
        "answers": [
            {
                "id": a.anchor,
                "question": a.question,
                "speaker": a.speaker,
                "attribution": a.attribution,
                "stance": a.stance,
                "url": _site_url(app, a.docname, a.anchor),
                "paragraphs": [_span(*span) for span in a.spans],
                "turns": [t.anchor for t in turns if t.speaker == a.speaker and a.overlaps(t.first, t.last)],
                "cites": list(a.keys),
            }
            for a in answers
        ],
    }


def _cell(value: Any) -> str:
    """A CSV cell: lists joined with "; ", paragraph spans as 41-50, mappings as JSON."""
    if isinstance(value, list):
        return "; ".join(_cell(item) for item in value)
    if isinstance(value, dict) and set(value) == {"first", "last"}:
        return f"{value['first']}" if value["first"] == value["last"] else f"{value['first']}-{value['last']}"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Write the dataset beside the website (not into an e-book)."""
    if exception is not None or app.builder.format != "html" or app.builder.name == "epub":
        return
    if not sources.turns(app.env):
        return
    folder = Path(app.outdir, FOLDER)
    folder.mkdir(exist_ok=True)
    data = collect(app)
    (folder / "panel.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    shutil.copyfile(SCHEMA, folder / SCHEMA.name)
    properties = json.loads(SCHEMA.read_text(encoding="utf-8"))["properties"]
    for table in TABLES:
        columns = list(properties[table]["items"]["properties"])
        (folder / f"{table}.csv").write_text(to_csv(data[table], columns), encoding="utf-8")


class PanelDataDirective(SphinxDirective):
    """Links to the dataset's files (made relative to the page once the builder is known)."""

    def run(self) -> list[nodes.Node]:
        items = nodes.bullet_list(classes=["panel-data-files"])
        described = {
            "speakers": _("the speakers, as CSV"),
            "questions": _("the questions, as CSV"),
            "turns": _("the turns, as CSV"),
            "answers": _("the answers, as CSV"),
        }
        files = [("panel.json", _("everything, as JSON")), (SCHEMA.name, _("its JSON Schema"))]
        files += [(f"{table}.csv", described[table]) for table in TABLES]
        for filename, text in files:
            link = nodes.reference(
                "", "", nodes.literal("", filename), refuri=f"{FOLDER}/{filename}", classes=["panel-data-link"]
            )
            items += nodes.list_item("", nodes.paragraph("", "", link, nodes.Text(f" — {text}")))
        return [items]


def doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The dataset's links, relative to the page; in other outputs (PDF), plain text."""
    links = doctree.findall(lambda n: isinstance(n, nodes.reference) and "panel-data-link" in n["classes"])
    for link in cast("list[nodes.reference]", list(links)):
        if app.builder.format == "html" and app.builder.name != "epub":
            link["refuri"] = relative_uri(app.builder.get_target_uri(docname), link["refuri"])
        else:
            link.replace_self(nodes.literal("", link.astext()))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("panel-data", PanelDataDirective)
    app.connect("doctree-resolved", doctree_resolved)
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
