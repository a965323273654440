"""The PDFs: the whole book and one handout per question, checked on the text extracted from them."""

from __future__ import annotations

import pickle
import re
import subprocess
import unicodedata
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
import zxingcpp
from bs4 import BeautifulSoup
from pybtex.database import parse_file

from book import REPO
from conftest import BASE_URL
from panelnotes.domain import AnswerRecord, QuestionRecord
from panelnotes.speakers import load_speakers
from panelnotes.transcript import Transcript
from panelnotes.turns import load_turns

CHAPTERS = sorted((REPO / "docs" / "questions").glob("*.md"))
PDFS = ["panel-notes"] + [f"handout-{c.stem}" for c in CHAPTERS]
THE_PANEL = (
    "The panel: “Multimodal Perception and Generation”, a roundtable at the 2024 BAAI Conference, Beijing, June 2024"
)
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


def images(path: Path) -> list[str]:
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return listing.splitlines()[2:]  # after the column names and a rule


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
    """At most four pages (what gives way first is the works cited, set compact: label, title,
    venue and one link; then the answers' own stance lines, which the top of the handout repeats;
    then the excerpts' type size; never the translations)."""
    pdf = latex / f"handout-{chapter.stem}.pdf"
    assert page_count(pdf) <= 4
    text = pdf_text(pdf)
    flat = squash(text)
    assert squash(title_of(chapter)) in flat
    assert squash("Works cited in this chapter") in flat
    cited = set(re.findall(r"\{cite:[a-z]+\}`([^`]+)`", chapter.read_text(encoding="utf-8")))
    keys = {key.strip() for group in cited for key in group.split(",")}
    bib = parse_file(REPO / "references.bib")
    for key in keys:
        title = bib.entries[key].fields["title"].replace("{", "").replace("}", "")
        assert squash(title) in flat, (chapter.name, key)
    works_cited = re.sub(r"\s+", "", text[text.index("Works cited in this chapter") :])
    assert "URL:" not in works_cited
    for key in keys:  # one link per work: its DOI, else its arXiv id, else its URL
        fields = bib.entries[key].fields
        doi = f"doi:{fields['doi']}" if "doi" in fields else ""
        arxiv = f"arXiv:{fields['eprint']}" if "eprint" in fields else ""
        shown, *left_out = filter(None, [doi, arxiv, fields.get("url", "")])
        assert shown in works_cited, key
        assert [link for link in left_out if link in works_cited] == [], key
    tex = (latex / f"handout-{chapter.stem}.tex").read_text(encoding="utf-8")
    for target in re.findall(r"\\hyperref\[\\detokenize\{([^}]*)\}\]", tex):
        assert target.startswith(f"questions/{chapter.stem}:"), f"link out of the handout: {target}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_handout_opens_with_its_title_block_stances_and_whos_who(latex, chapter):
    """The panel's date and place, and the notes' version and build date, each labelled; no address
    or QR code, since this build does not know the site's address; then the chapter's stances and
    who is who, before the question."""
    pdf = latex / f"handout-{chapter.stem}.pdf"
    first_page = pdf_text(pdf, "-l", "1")
    assert THE_PANEL in " ".join(first_page.split())
    assert re.search(r"These notes: version \d+\.\d+\.\d+, built \d\d [A-Z][a-z]+ \d{4}\n", first_page)
    assert re.findall(r"Release|Version of|Online:|https?://", first_page) == []
    assert images(pdf) == []

    flat = squash(pdf_text(pdf))
    question = flat.index(squash("moderator asks" if "audience" not in chapter.stem else "audience member asks"))
    registry = yaml.safe_load((REPO / "docs" / "_data" / "speakers.yaml").read_text(encoding="utf-8"))
    _, answers = panel_records(latex)
    docname = f"questions/{chapter.stem}"
    badges = {"named": "", "inferred": "speaker inferred", "uncertain": "speaker uncertain"}
    for answer in (a for a in answers if a.docname == docname):
        line = squash(f"{registry[answer.speaker]['name']} {badges[answer.attribution]} {answer.stance}")
        assert line in flat[:question], answer.anchor
    for person in registry.values():
        affiliation = person["affiliation"] or "Affiliation not verified by these notes"
        known = "Named in the transcript" if person["identification"] == "named" else "Identified by inference"
        assert squash(f"{person['name']} {person['name_zh']}") in flat[:question]
        assert squash(f"{affiliation} {known}") in flat[:question], person["name"]


def column_ends(pdf: Path) -> list[str]:
    """The last line of each column of each page, the page number aside."""
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    xhtml = {"x": "http://www.w3.org/1999/xhtml"}
    ends = []
    for page in ElementTree.fromstring(layout.stdout).iterfind(".//x:page", xhtml):
        middle = float(page.get("width")) / 2
        columns: dict[bool, list[tuple[float, str]]] = {True: [], False: []}
        for line in page.iterfind(".//x:line", xhtml):
            text = " ".join(word.text for word in line.iterfind("x:word", xhtml))
            if not text.isdigit():
                columns[float(line.get("xMin")) < middle].append((float(line.get("yMax")), text))
        ends += [max(lines)[1] for lines in columns.values() if lines]
    return ends


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_no_heading_ends_a_column_of_a_handout(latex, chapter):
    """No section heading, list heading or answer's speaker line is the last line of a column."""
    source = chapter.read_text(encoding="utf-8")
    sections = [f"{number} {title}" for number, title in enumerate(re.findall(r"^## (.+)$", source, re.M), 1)]
    headings = {squash(heading) for heading in [*sections, "Stances", "Who's who"]}
    registry = yaml.safe_load((REPO / "docs" / "_data" / "speakers.yaml").read_text(encoding="utf-8"))
    names = "|".join(re.escape(person["name"]) for person in registry.values())
    speaker_line = re.compile(rf"({names})( \(turn \d+\))?( speaker (inferred|uncertain))? ¶[\d–, ]+")
    ends = column_ends(latex / f"handout-{chapter.stem}.pdf")
    assert len(ends) >= 3
    for end in ends:
        assert squash(end) not in headings, end
        assert not speaker_line.fullmatch(end), end


@pytest.mark.parametrize("name", PDFS)
def test_text_for_screen_readers_only_is_not_printed(latex, name):
    """An editorial [correction] in an excerpt prints as its brackets, without the "correction:"
    that announces it to a screen reader."""
    text = re.sub(r"\s+", "", pdf_text(latex / f"{name}.pdf"))
    assert "correction:" not in text
    if name in {"panel-notes", "handout-04-chatgpt-moment"}:
        assert "一个类似CHI-GP[ChatGPT]这样" in text


def test_citation_marks_never_run_together(book_text):
    # a citation's label ends in a year ("[2024b]"); two editorial corrections may stand side by side
    assert not re.search(r"\d{4}[a-z]?\]\[", book_text)
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
    assert text.rindex(squash(title_of(CHAPTERS[-1])), 0, at) >= 0  # the chapters come before it
    for turn in turns:
        found = text.find(squash(labels[turn.speaker]), at)
        assert found >= 0, (turn.anchor, turn.speaker)
        at = found + 1


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


def qr_codes(pdf: Path, tmp_path: Path) -> list[str]:
    """The QR codes on the first page, read back from the page as printed (200 dpi, grey)."""
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "200", "-l", "1", "-singlefile", str(pdf), str(tmp_path / "page")], check=True
    )
    pgm = (tmp_path / "page.pgm").read_bytes()
    magic, width, height, maximum, pixels = pgm.split(maxsplit=4)
    assert (magic, maximum) == (b"P5", b"255")
    image = memoryview(pixels).cast("B", (int(height), int(width)))
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_handout_links_back_to_its_chapter(handouts_with_address, chapter, tmp_path):
    """Where the site's address is known, a handout gives its chapter's address and a QR code to
    it, and still fits on four pages."""
    pdf = handouts_with_address / f"handout-{chapter.stem}.pdf"
    url = f"{BASE_URL}questions/{chapter.stem}.html"
    assert page_count(pdf) <= 4
    assert f"Online:{url}" in re.sub(r"\s+", "", pdf_text(pdf, "-l", "1"))
    assert qr_codes(pdf, tmp_path) == [url]


def test_the_chinese_edition_has_its_own_book_and_handouts(latex_zh):
    book = pdf_text(latex_zh / "panel-notes.pdf")
    assert "2024 智源大会圆桌讨论笔记" in book and "笔记版本" in book
    for chapter in CHAPTERS:
        handout = latex_zh / f"handout-{chapter.stem}.pdf"
        assert page_count(handout) <= 4, handout.name
        first_page = subprocess.run(["pdftotext", "-l", "1", str(handout), "-"], capture_output=True, text=True).stdout
        assert len(re.findall(r"[\u4e00-\u9fff]", first_page)) > 200, handout.name  # Chinese prose, not English


def test_the_chinese_pages_link_the_chinese_pdfs(published_site):
    chapter = published_site / "zh" / "questions" / "05-autoregressive-vs-diffusion.html"
    links = [
        a["href"] for a in BeautifulSoup(chapter.read_text(encoding="utf-8"), "html.parser").select("a.panel-download")
    ]
    assert links == ["../pdf/handout-05-autoregressive-vs-diffusion.pdf", "../pdf/panel-notes.pdf"]
    for link in links:
        assert (chapter.parent / link).resolve().is_file()
        assert (chapter.parent / link).resolve().parent == published_site / "zh" / "pdf"
