"""The transcript as turns on the test root: the page's markup contract, links both ways, the
turns/answers check, and the dataset."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from panelnotes.speakers import load_speakers
from panelnotes.transcript import Transcript
from panelnotes.turns import load_turns

ROOT = Path(__file__).parent / "roots" / "test-panel"


def html(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.sphinx("html", testroot="panel")
def test_each_turn_is_one_element_with_its_speaker_mark_and_paragraphs(app):
    app.build()
    assert app.warning.getvalue() == ""
    page = html(app, "transcript")
    turns = page.select("section.panel-turn")
    assert [(t["data-speaker"], t["data-attribution"], t["data-paragraphs"]) for t in turns] == [
        ("host", "inferred", "1"),
        ("ada", "named", "2"),
        ("bob", "inferred", "3"),
        ("host", "inferred", "4"),
        ("ada", "named", "5"),
    ]
    bob = turns[2]
    assert bob.select_one(".turn-zh")["lang"] == "zh-Hans" and bob.select_one(".turn-en")["lang"] == "en"
    assert bob.select_one(".turn-header .panel-badge").get_text() == "speaker inferred"
    assert (
        bob.select_one(".turn-reason").get_text()
        == "Why this speaker: Not named; he adds a point after Ada, and only Bob is left to speak."
    )
    assert [h.get_text() for h in page.select("section > h2")] == ["Q1 · Is vision core?¶", "Q2 · Unify?¶"]


@pytest.mark.sphinx("html", testroot="panel")
def test_answers_and_turns_link_both_ways(app):
    app.build()
    transcript = html(app, "transcript")
    ada = transcript.find(id="turn-2")
    assert [a["href"] for a in ada.select(".turn-links a")] == ["q1.html#vision-core-ada"]
    asks = transcript.find(id="turn-1")
    assert [a["href"] for a in asks.select(".turn-links a")] == ["q1.html#vision-core"]
    answer = html(app, "q1").find(id="vision-core-ada")
    (link,) = answer.select(".answer-paragraphs a")
    assert link["href"] == "transcript.html#transcript-p2"
    assert transcript.find(id="transcript-p2").find_parent("section")["id"] == "turn-2"


@pytest.mark.sphinx("html", testroot="panel")
def test_a_correction_is_set_apart_and_announced(app):
    app.build()
    zh = html(app, "transcript").find(id="turn-2").select_one(".turn-zh")
    mark = zh.select_one(".panel-correction")
    assert (
        mark.get_text() == "correction: [ChatGPT]" and mark.select_one(".visually-hidden").get_text() == "correction: "
    )
    assert "CHI-GP" in zh.get_text()


@pytest.fixture
def own_root(tmp_path) -> Path:
    return Path(shutil.copytree(ROOT, tmp_path / "src"))


def test_turns_divide_the_transcript_exactly():
    transcript = Transcript.load(ROOT / "_data" / "transcript-asr-zh.txt")
    speakers = {s.id: s.identification for s in load_speakers(ROOT / "_data" / "speakers.yaml").values()}
    turns = load_turns(sorted((ROOT / "_data" / "turns").glob("*.yaml")), transcript, speakers)
    assert "".join(t.zh for t in turns) == "".join(transcript.paragraphs)


def test_dataset_validates_and_its_csv_has_the_json_rows(make_app, own_root):
    app = make_app("html", srcdir=own_root)
    app.build()
    folder = Path(app.outdir) / "data"
    data = json.loads((folder / "panel.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((folder / "panel.schema.json").read_text(encoding="utf-8")))
    for table in ("speakers", "questions", "turns", "answers"):
        with (folder / f"{table}.csv").open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [row["id"] for row in rows] == [item["id"] for item in data[table]], table
    (bob,) = [a for a in data["answers"] if a["speaker"] == "bob"]
    assert bob == {
        "id": "vision-core-bob",
        "question": "vision-core",
        "speaker": "bob",
        "attribution": "inferred",
        "stance": "Language matters too, but vision is more basic.",
        "url": "q1.html#vision-core-bob",
        "paragraphs": [{"first": 3, "last": 3}],
        "turns": ["turn-3"],
        "cites": [],
    }
