"""Citing and sharing: CITATION.cff, cite boxes, Scholar and OpenGraph metadata, sitemap, 404."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from urllib.parse import parse_qs

import bibtexparser
import extruct
import mwparserfromhell
import pytest
import rispy
import yaml
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from PIL import Image

from book import REPO, sphinx_build
from conftest import BASE_URL, REPOSITORY_URL

CHAPTERS = sorted((REPO / "docs" / "questions").glob("*.md"))
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def meta(page: BeautifulSoup, name: str) -> list[str]:
    return [m["content"] for m in page.find_all("meta", attrs={"name": name})] + [
        m["content"] for m in page.find_all("meta", attrs={"property": name})
    ]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_head_and_cite_box(published_site, chapter):
    page = soup(published_site / "questions" / f"{chapter.stem}.html")
    url = f"{BASE_URL}questions/{chapter.stem}.html"
    title = page.find("h1").get_text().rstrip("#")
    assert meta(page, "citation_title") == [title]
    assert meta(page, "citation_author") == ["The Multimodal Panel Notes contributors"]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d", meta(page, "citation_publication_date")[0])
    assert meta(page, "citation_pdf_url") == [f"{BASE_URL}pdf/handout-{chapter.stem}.pdf"]
    assert meta(page, "og:url") == [url]
    assert meta(page, "og:image")[0].startswith(f"{BASE_URL}_images/cards/questions-{chapter.stem}-")
    description = meta(page, "og:description")[0]
    assert description.startswith(title) and not re.search(r"[\u4e00-\u9fff]", description)
    box = page.find("section", id="cite-this-chapter")
    texts = formats(box)
    assert texts["citation"].endswith(f"(Version {VERSION}). {url}")
    (entry,) = bibtexparser.parse_string(texts["bibtex"]).entries
    assert entry.entry_type == "incollection" and entry.fields_dict["title"].value == title
    assert entry.fields_dict["edition"].value == VERSION and entry.fields_dict["url"].value == url
    handout = page.find("a", href=f"../pdf/handout-{chapter.stem}.pdf")
    assert handout is not None and (published_site / "pdf" / f"handout-{chapter.stem}.pdf").is_file()
    assert page.find("a", href=re.compile(re.escape(f"{REPOSITORY_URL}/edit/main/docs/questions/{chapter.stem}.md")))
    assert "Last updated on" in page.get_text()


def test_every_page_links_the_corrections_log_and_shows_the_version(published_site):
    for path in published_site.rglob("*.html"):
        if path.name in ("404.html", "genindex.html", "search.html") or "_static" in path.parts:
            continue
        footer = soup(path).find("p", class_="corrections-link")
        assert footer is not None and f"Version {VERSION}" in footer.get_text(), path
        edition = published_site / "zh" if (published_site / "zh") in path.parents else published_site
        depth = len(path.relative_to(edition).parent.parts)
        expected = "#" if path.name == "corrections.html" else "../" * depth + "corrections.html"
        assert footer.a["href"] == expected, path


def test_sitemap_and_404(published_site):
    sitemap = (published_site / "sitemap.xml").read_text()
    for chapter in CHAPTERS:
        assert f"<loc>{BASE_URL}questions/{chapter.stem}.html</loc>" in sitemap
    page = soup(published_site / "404.html")
    assert "not found" in page.get_text().lower()
    assert all(not link["href"].startswith("../") for link in page.select("nav a[href]"))


def test_how_to_cite_page(published_site):
    page = soup(published_site / "how-to-cite.html")
    (entry,) = bibtexparser.parse_string(page.find("div", class_="highlight-bibtex").get_text()).entries
    assert entry.entry_type == "book" and entry.key == "panelnotes" and entry.fields_dict["title"].value == BOOK_TITLE
    assert entry.fields_dict["edition"].value == VERSION and entry.fields_dict["url"].value == BASE_URL


def test_local_build_claims_no_address(site):
    page = soup(site / "questions" / "01-vision-and-agi.html")
    assert not meta(page, "og:url") and not meta(page, "og:image") and not meta(page, "citation_pdf_url")
    assert "url " not in page.find("div", class_="highlight-bibtex").get_text()
    assert not (site / "sitemap.xml").exists()


# --- one answer, cited anywhere ------------------------------------------------------------------

BOOK_TITLE = yaml.safe_load((REPO / "CITATION.cff").read_text())["title"]
GROUP = "The Multimodal Panel Notes contributors"
# (chapter, answer, speaker, question as the citations name it, the caveat every format must carry)
SAMPLE = [
    (
        "05-autoregressive-vs-diffusion",
        "autoregressive-vs-diffusion-jiahui-yu",
        "Jiahui Yu",
        "Q5: Autoregressive vs diffusion",
        None,
    ),
    (
        "05-autoregressive-vs-diffusion",
        "autoregressive-vs-diffusion-saining-xie",
        "Saining Xie",
        "Q5: Autoregressive vs diffusion",
        "speaker identified by inference",
    ),
    (
        "05-autoregressive-vs-diffusion",
        "autoregressive-vs-diffusion-tete-xiao",
        "Tete Xiao",
        "Q5: Autoregressive vs diffusion",
        "speaker uncertain",
    ),
    (
        "12-audience-codebook-tokens",
        "codebook-tokens-jiahui-yu",
        "Jiahui Yu",
        "A4: What do codebook tokens mean?",
        "speaker identified by inference",
    ),
]


def formats(box) -> dict[str, str]:
    """Each format's text, as a reader copies it, from a Cite control or a cite box."""
    return {
        name: box.select_one(f"div.panel-cite-{name} pre").get_text().rstrip("\n")
        for name in ("citation", "markdown", "mediawiki", "bibtex", "ris")
    }


def parsed(texts: dict[str, str]) -> dict[str, dict[str, str]]:
    """title, url and version as an independent parser reads each format."""
    (entry,) = bibtexparser.parse_string(texts["bibtex"]).entries
    (ris,) = rispy.loads(texts["ris"])
    (template,) = mwparserfromhell.parse(texts["mediawiki"]).filter_templates()
    inline = next(t for t in MarkdownIt().parse(texts["markdown"]) if t.type == "inline")
    link = next(i for i, t in enumerate(inline.children) if t.type == "link_open")
    assert str(template.name).strip() == "cite web" and entry.entry_type in ("incollection", "book")
    assert entry.fields_dict["author"].value == "{" + GROUP + "}" and ris["authors"] == [GROUP]
    assert str(template.get("author").value).strip() == GROUP
    return {
        "bibtex": {
            "title": entry.fields_dict["title"].value,
            "url": entry.fields_dict["url"].value,
            "version": entry.fields_dict["edition"].value,
        },
        "ris": {
            "title": ris["title"],
            "url": ris["urls"][0],
            "version": ris["edition"],
            "type": ris["type_of_reference"],
        },
        "mediawiki": {
            "title": str(template.get("title").value).strip(),
            "url": str(template.get("url").value).strip(),
            "version": str(template.get("type").value),
        },
        "markdown": {
            "title": inline.children[link + 1].content,
            "url": inline.children[link].attrs["href"],
            "version": texts["markdown"],
        },
        "citation": {"title": texts["citation"], "url": texts["citation"], "version": texts["citation"]},
    }


@pytest.mark.parametrize(("chapter", "anchor", "speaker", "question", "caveat"), SAMPLE, ids=[s[1] for s in SAMPLE])
def test_every_format_of_an_answer_names_speaker_question_url_and_version(
    linked_site, chapter, anchor, speaker, question, caveat
):
    page = soup(linked_site / "questions" / f"{chapter}.html")
    control = page.find(id=anchor).find("details", class_="panel-cite")
    assert control.summary.get_text() == "Cite"
    texts = formats(control)
    url = f"{BASE_URL}answers/{anchor}.html"
    caveats = ("speaker identified by inference", "speaker uncertain")
    for name, fields in parsed(texts).items():
        title = fields["title"]
        assert speaker in title and question in title, (name, title)
        assert [c for c in caveats if c in title] == ([caveat] if caveat else []), (name, title)
        assert url in fields["url"], (name, fields["url"])
        assert VERSION in fields["version"], (name, fields["version"])
    assert parsed(texts)["ris"]["type"] == "CHAP"
    # the answer's own page offers the same, in full, without a click
    own = soup(linked_site / "answers" / f"{anchor}.html")
    assert formats(own.find("section", id="cite-this-answer")) == texts
    assert control.find("a", string="This answer's own page")["href"] == f"../answers/{anchor}.html"


def answer_anchors(site: Path) -> dict[str, str]:
    """Every answer's anchor, with its chapter's file name."""
    return {
        answer["id"]: chapter.name
        for chapter in (site / "questions").glob("*.html")
        for answer in soup(chapter).select("div.panel-answer")
    }


def test_every_answer_has_its_own_page_linked_to_its_chapter(linked_site):
    anchors = answer_anchors(linked_site)
    assert len(anchors) == 49
    assert sorted(p.stem for p in (linked_site / "answers").glob("*.html")) == sorted(anchors)
    for anchor, chapter in anchors.items():
        page = soup(linked_site / "answers" / f"{anchor}.html")
        answer = page.find("div", class_="panel-answer")
        title = page.select_one("article h1").get_text().rstrip("#")
        assert page.title.get_text() == f"{title} — {BOOK_TITLE}"
        assert meta(page, "og:title") == [title] and meta(page, "citation_title") == [title]
        caveat = {"inferred": "speaker identified by inference", "uncertain": "speaker uncertain"}
        attribution = answer["data-attribution"]
        if attribution in caveat:  # the title, the description and the card say so
            assert title.endswith(f"({caveat[attribution]})")
            assert meta(page, "og:description")[0].startswith(caveat[attribution].capitalize() + ". ")
            assert caveat[attribution] in meta(page, "og:image:alt")[0]
        stance = answer.find(class_="panel-stance").get_text()
        assert meta(page, "og:description")[0].endswith(stance) and meta(page, "description")[0].endswith(stance)
        assert answer.select("blockquote.panel-excerpt")  # every answer quotes the transcript
        back = page.find("p", class_="panel-answer-context").a["href"]
        assert back == f"../questions/{chapter}#{anchor}"
        assert soup(linked_site / "questions" / chapter).find(id=anchor) is not None
        assert meta(page, "og:url") == [f"{BASE_URL}answers/{anchor}.html"]
        assert page.find("link", rel="canonical")["href"] == f"{BASE_URL}answers/{anchor}.html"
        for link in answer.select("a.reference.internal"):  # every link leaves the page's folder
            assert link["href"].startswith(("../", "#")), (anchor, link["href"])
    # search finds the chapter, not the answer twice
    assert "answers/" not in (linked_site / "searchindex.js").read_text(encoding="utf-8")


def test_every_chapter_and_answer_has_its_own_card(linked_site):
    pages = [*(linked_site / "questions").glob("*.html"), *(linked_site / "answers").glob("*.html")]
    cards = set()
    for path in pages:
        page = soup(path)
        (image,) = meta(page, "og:image")
        assert image.startswith(f"{BASE_URL}_images/cards/"), path.name
        card = linked_site / image.removeprefix(BASE_URL)
        assert card.stat().st_size < 100_000, (path.name, card.stat().st_size)
        with Image.open(card) as png:
            assert png.format == "PNG" and png.size == (1146, 600)
        assert meta(page, "og:image:width") == ["1146"] and meta(page, "twitter:card") == ["summary_large_image"]
        cards.add(card)
    assert len(cards) == len(pages) == 12 + 49
    # other pages keep the site's image
    assert meta(soup(linked_site / "speakers" / "saining-xie.html"), "og:image") == [
        f"{BASE_URL}_static/link-preview.png"
    ]


def test_cards_come_from_the_cache_the_second_time(tmp_path):
    """A second build into a new output folder, with the same doctrees, draws no card: the cards
    it publishes are those the first one drew, untouched in the cache beside the doctrees."""
    out, again = tmp_path / "site", tmp_path / "again"
    assert sphinx_build(REPO / "docs", out, NOTES_BASE_URL=BASE_URL).returncode == 0
    shutil.copytree(tmp_path / "site.doctrees", tmp_path / "again.doctrees")
    cache = tmp_path / "again.doctrees" / "cards"
    drawn = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(drawn) == 12 + 49
    assert sphinx_build(REPO / "docs", again, NOTES_BASE_URL=BASE_URL).returncode == 0
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == drawn
    published = sorted(p.name for p in (out / "_images" / "cards").iterdir())
    assert sorted(p.name for p in (again / "_images" / "cards").iterdir()) == published


@pytest.mark.parametrize(
    ("page", "kind"),
    [
        ("index.html", "Book"),
        ("questions/05-autoregressive-vs-diffusion.html", "Chapter"),
        ("synthesis.html", "Chapter"),
        ("answers/autoregressive-vs-diffusion-saining-xie.html", "Chapter"),
    ],
)
def test_one_title_author_date_and_version_for_reference_managers(linked_site, page, kind):
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    html = (linked_site / page).read_text(encoding="utf-8")
    data = extruct.extract(html, base_url=BASE_URL + page, syntaxes=["json-ld", "opengraph"], uniform=True)
    (ld,) = data["json-ld"]
    (og,) = data["opengraph"]
    parsed_page = soup(linked_site / page)
    title = parsed_page.select_one("article h1").get_text().rstrip("#") if kind == "Chapter" else BOOK_TITLE
    assert ld["@type"] == kind and ld["name"] == title == og["og:title"] == meta(parsed_page, "citation_title")[0]
    assert (
        ld["author"]
        == [{"@type": "Organization", "name": GROUP}]
        == [{"@type": "Organization", "name": a["name"]} for a in cff["authors"]]
    )
    assert ld["datePublished"] == str(cff["date-released"]) and ld["version"] == VERSION == cff["version"]
    assert og["og:site_name"] == BOOK_TITLE == cff["title"] and og["og:url"] == BASE_URL + page
    assert meta(parsed_page, "citation_author") == [GROUP]
    assert meta(parsed_page, "citation_publication_date") == [str(cff["date-released"]).replace("-", "/")]
    expected_title = BOOK_TITLE if kind == "Book" else f"{title} — {BOOK_TITLE}"
    assert parsed_page.title.get_text() == expected_title
    # COinS, which Zotero prefers: a book, or a part of the book, with the group author as one name
    (span,) = parsed_page.find_all("span", class_="Z3988")
    coins = parse_qs(span["title"])
    assert coins["rft.genre"] == (["book"] if kind == "Book" else ["bookitem"])
    assert coins["rft.aucorp"] == [GROUP] and "rft.au" not in coins and coins["rft.edition"] == [VERSION]
    assert coins["rft.btitle"] == [BOOK_TITLE] and coins["rft.date"] == [str(cff["date-released"])]
    if kind == "Chapter":
        assert coins["rft.atitle"] == [title] and ld["isPartOf"]["name"] == BOOK_TITLE
        assert meta(parsed_page, "citation_inbook_title") == [BOOK_TITLE]


@pytest.mark.parametrize(
    "page", ["speakers/saining-xie.html", "stance-matrix.html", "transcript.html", "how-to-cite.html"]
)
def test_only_the_book_chapters_and_answers_claim_to_be_citable(linked_site, page):
    parsed_page = soup(linked_site / page)
    assert not meta(parsed_page, "citation_title") and not meta(parsed_page, "citation_author")
    assert not parsed_page.find_all("span", class_="Z3988")
    assert not parsed_page.find_all("script", type="application/ld+json")


def test_pdf_information_names_the_notes_as_citation_cff_does(latex):
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    info = subprocess.run(
        ["pdfinfo", str(latex / "panel-notes.pdf")], capture_output=True, text=True, check=True
    ).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip() == cff["title"] and fields["Author"].strip() == cff["authors"][0]["name"]
    assert f"Version {VERSION}" in fields["Subject"]
    handout = subprocess.run(
        ["pdfinfo", str(latex / "handout-05-autoregressive-vs-diffusion.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(rf"^Author:\s+{re.escape(cff['authors'][0]['name'])}$", handout, re.M)
