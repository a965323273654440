"""The PDFs: the whole book and one handout per question, checked on the text extracted from them."""

from __future__ import annotations

import pickle
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

from book import REPO
from panelnotes.domain import AnswerRecord, QuestionRecord

CHAPTERS = sorted((REPO / "docs" / "questions").glob("*.md"))
PDFS = ["panel-notes"] + [f"handout-{c.stem}" for c in CHAPTERS]
# The book's text area on an A4 page (points from the top): no running header, no footer.
BOOK_BODY = ["-x", "0", "-y", "60", "-W", "595", "-H", "720"]


def squash(text: str) -> str:
    """Letters and digits only, lower-cased, ligatures spelt out: line breaks, hyphenation, spacing
    and typography in extracted PDF text must not decide a test."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).replace("-\n", "")).lower()


def pdf_text(path: Path, *options: str) -> str:
    command = ["pdftotext", "-raw", *options, str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


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


@pytest.mark.parametrize("name", PDFS)
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


@pytest.mark.parametrize("name", PDFS)
def test_nothing_runs_off_the_page(latex, name):
    """No box overflows its page (a table too long to break cuts rows off) and no line sticks out
    of its column by more than 3 pt (a long URL, word or table cell)."""
    log = (latex / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    assert re.findall(r"Overfull \\vbox .*", log) == []
    widths = [float(width) for width in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert [width for width in widths if width > 3] == []


def panel_records(latex: Path) -> tuple[list[QuestionRecord], list[AnswerRecord]]:
    """The questions and answers as the LaTeX build's panel domain collected them."""
    env = pickle.loads((latex.parent / f"{latex.name}.doctrees" / "environment.pickle").read_bytes())
    data = env.domaindata["panel"]
    questions = sorted(data["questions"].values(), key=lambda q: q.sort_key)
    return questions, sorted(data["answers"], key=lambda a: a.lineno)


def test_the_book_prints_the_whole_stance_matrix(latex):
    """Every question, and under it every panelist with each of their stances, in order, in the
    book's stance matrix (its text between the chapter's first sentence and the next chapter)."""
    body = squash(pdf_text(latex / "panel-notes.pdf", *BOOK_BODY))
    start = body.index(squash("For each question and each panelist, the matrix gives"))
    matrix = body[start : body.index(squash("The speakers"), start)]
    registry = yaml.safe_load((REPO / "docs" / "_data" / "speakers.yaml").read_text(encoding="utf-8"))
    panelists = [(key, person["name"]) for key, person in registry.items() if person["role"] == "panelist"]
    questions, answers = panel_records(latex)
    assert len(questions) == len(CHAPTERS) and len(answers) > 40
    for question in questions:
        label = question.number if question.from_audience else f"Q{question.number}"
        block = [label, question.short]
        for speaker, name in panelists:
            block += [name, *(a.stance for a in answers if a.question == question.id and a.speaker == speaker)]
        assert squash(" ".join(block)) in matrix, question.id
