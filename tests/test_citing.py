"""Citing and sharing: CITATION.cff, cite boxes, Scholar and OpenGraph metadata, sitemap, 404."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book import REPO
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
    assert meta(page, "og:image") == [f"{BASE_URL}_static/link-preview.png"]
    description = meta(page, "og:description")[0]
    assert description.startswith(title) and not re.search(r"[\u4e00-\u9fff]", description)
    box = page.find("section", id="cite-this-chapter")
    assert url in box.find("p", class_="panel-citation").get_text()
    bibtex = box.find("div", class_="highlight-bibtex").get_text()
    assert f"title     = {{{title}}}" in bibtex and f"note      = {{Version {VERSION}}}" in bibtex
    assert f"url       = {{{url}}}" in bibtex
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
        expected = (
            "#"
            if path.name == "corrections.html"
            else "../" * len(path.relative_to(published_site).parent.parts) + "corrections.html"
        )
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
    bibtex = page.find("div", class_="highlight-bibtex").get_text()
    assert "@misc{panelnotes," in bibtex and f"Version {VERSION}" in bibtex and BASE_URL in bibtex


def test_local_build_claims_no_address(site):
    page = soup(site / "questions" / "01-vision-and-agi.html")
    assert not meta(page, "og:url") and not meta(page, "og:image") and not meta(page, "citation_pdf_url")
    assert "url " not in page.find("div", class_="highlight-bibtex").get_text()
    assert not (site / "sitemap.xml").exists()
