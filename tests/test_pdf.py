"""The PDFs: the whole book and one handout per question, checked on the text extracted from them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pybtex.database import parse_file

from book import REPO
from panelnotes.speakers import load_speakers
from panelnotes.transcript import Transcript
from panelnotes.turns import load_turns

CHAPTERS = sorted((REPO / "docs" / "questions").glob("*.md"))


def squash(text: str) -> str:
    """Letters and digits only, lower-cased: line breaks, hyphenation and spacing in extracted
    PDF text must not decide a test."""
    return re.sub(r"[\W_]+", "", text.replace("-\n", "")).lower()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def title_of(chapter: Path) -> str:
    return next(line[2:] for line in chapter.read_text(encoding="utf-8").splitlines() if line.startswith("# "))


@pytest.fixture(scope="session")
def book_text(latex) -> str:
    return pdf_text(latex / "panel-notes.pdf")


def test_book_has_every_chapter_and_bibliography_entry(latex, book_text):
    text = squash(book_text)
    for chapter in CHAPTERS:
        assert squash(title_of(chapter)) in text, chapter.name
    bib = parse_file(REPO / "references.bib")
    for key, entry in bib.entries.items():
        title = entry.fields["title"].replace("{", "").replace("}", "")
        assert squash(title) in text, key
    assert 40 <= page_count(latex / "panel-notes.pdf") <= 200


def test_chinese_excerpts_come_out_as_the_right_characters(book_text):
    text = re.sub(r"\s+", "", book_text)
    assert "我觉得一定会统一，并且我觉得应该需要统一" in text
    assert "CHI-GP[ChatGPT]" in text  # whitespace removed: the PDF's text breaks lines anywhere


@pytest.mark.parametrize("name", ["panel-notes"] + [f"handout-{c.stem}" for c in CHAPTERS])
def test_no_undefined_references_or_missing_glyphs(latex, name):
    log = (latex / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    assert "There were undefined references" not in log
    assert not re.search(r"Hyper reference .* undefined", log)
    assert "Missing character" not in log
    assert "??" not in pdf_text(latex / f"{name}.pdf")
    fonts = subprocess.run(["pdffonts", str(latex / f"{name}.pdf")], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts.stdout  # the "emb" column


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_handout_is_self_contained_and_short(latex, chapter):
    pdf = latex / f"handout-{chapter.stem}.pdf"
    assert page_count(pdf) <= 4
    text = pdf_text(pdf)
    flat = squash(text)
    assert squash(title_of(chapter)) in flat
    assert squash("Notes on a roundtable at the 2024 BAAI Conference") in flat
    assert squash("Works cited in this chapter") in flat
    cited = set(re.findall(r"\{cite:[a-z]+\}`([^`]+)`", chapter.read_text(encoding="utf-8")))
    keys = {key.strip() for group in cited for key in group.split(",")}
    bib = parse_file(REPO / "references.bib")
    for key in keys:
        title = bib.entries[key].fields["title"].replace("{", "").replace("}", "")
        assert squash(title) in flat, (chapter.name, key)
    tex = (latex / f"handout-{chapter.stem}.tex").read_text(encoding="utf-8")
    for target in re.findall(r"\\hyperref\[\\detokenize\{([^}]*)\}\]", tex):
        assert target.startswith(f"questions/{chapter.stem}:"), f"link out of the handout: {target}"


def test_citation_marks_never_run_together(book_text):
    assert not re.search(r"\]\[", book_text)
    assert not re.search(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]{3,}", book_text)


def test_the_book_ends_with_the_attributed_transcript_as_an_appendix(latex, book_text):
    """Every turn's speaker label, in order, in the transcript appendix (after the chapters)."""
    transcript = Transcript.load(REPO / "docs" / "_data" / "transcript-asr-zh.txt")
    registry = load_speakers(REPO / "docs" / "_data" / "speakers.yaml")
    turns = load_turns(
        sorted((REPO / "docs" / "_data" / "turns").glob("*.yaml")),
        transcript,
        {s.id: s.identification for s in registry.values()},
    )
    labels = {"audience": "Audience member", "unidentified": "Unidentified speaker"}
    labels |= {s.id: s.name for s in registry.values()}
    tex = (latex / "panel-notes.tex").read_text(encoding="utf-8")
    assert tex.index("\\appendix") < tex.index("The transcript, turn by turn")
    text = squash(book_text)
    intro = (REPO / "docs" / "transcript.md").read_text(encoding="utf-8").split("\n\n")[1]  # its first paragraph
    at = text.index(squash(intro[:60]))
    assert at > text.rindex(squash(title_of(CHAPTERS[-1])), 0, at) > text.index(squash("Contents"))
    for turn in turns:
        found = text.find(squash(labels[turn.speaker]), at)
        assert found >= 0, (turn.anchor, turn.speaker)
        at = found + 1
