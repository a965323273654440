"""House style of the notes, checked on the sources and on the built site."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from book import REPO

CHAPTERS = sorted((REPO / "docs" / "questions").glob("*.md"))
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
SECTIONS = ["## Context", "## The answers", "## Agreement and disagreement", "## Works cited in this chapter"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_shape(chapter):
    assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*", chapter.stem)
    text = chapter.read_text(encoding="utf-8")
    positions = [text.find(heading + "\n") for heading in SECTIONS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), chapter.name
    for stance in re.findall(r"^:stance: (.*)$", text, re.M):
        assert len(stance.split()) <= 25, stance
    assert not re.search(r"\b(TODO|FIXME|TBD|lorem ipsum)\b", text, re.I)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_notes_additions_are_labelled_boxes(chapter):
    text = chapter.read_text(encoding="utf-8")
    since = text.partition("## Since the panel")[2].partition("\n## ")[0]
    if since:
        assert ":::{admonition} Added by the notes\n:class: note added-by-the-notes" in since


def test_no_chinese_outside_language_marked_elements(site):
    """Stricter than check_quotes (which ignores runs under eight characters): a name matters too,
    for screen readers and font choice."""
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup(["script", "style"]):
            tag.decompose()
        for zh in soup.select('[lang^="zh"]'):
            zh.decompose()
        stray = HAN.findall(soup.get_text())
        assert not stray, (page.relative_to(site), "".join(stray)[:40])


ATTRIBUTION_TAG = re.compile(r"\s*,\s*(inferred|uncertain)\b")


def test_links_to_answers_carry_the_answers_attribution(site):
    """Prose that links to an answer marks an inferred or uncertain speaker right after the link,
    "(answer, inferred)", as the chapter does, and marks no named one: the tag is written by hand,
    so a chapter's change of attribution must reach every page that links the answer."""
    attribution = {}
    for page in (site / "questions").glob("*.html"):
        for answer in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("div.panel-answer"):
            attribution[f"{page.name}#{answer['id']}"] = answer["data-attribution"]
    assert attribution
    wrong, linked = [], 0
    # marked from the data: the matrix and speaker pages by the answers, the transcript by its turns'
    # marks (which the build checks against the answers)
    generated = {"stance-matrix.html", "transcript.html", *(p.name for p in (site / "speakers").glob("*.html"))}
    for page in site.rglob("*.html"):
        if page.name in generated and page.parent.name in ("speakers", site.name):
            continue
        if page.parent.name == "answers":  # an answer's page names its attribution in its title
            continue
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("article")
        for link in article.select("a.reference.internal[href*='#']") if article else []:
            target = link["href"].rpartition("/")[2] if link["href"].startswith(("questions/", "../")) else None
            if target is None and page.parent.name == "questions":
                target = f"{page.name}{link['href']}" if link["href"].startswith("#") else link["href"]
            if target not in attribution:
                continue
            linked += 1
            after = link.next_sibling if isinstance(link.next_sibling, str) else ""
            tag = ATTRIBUTION_TAG.match(after)
            if (tag.group(1) if tag else "named") != attribution[target]:
                wrong.append(f"{page.relative_to(site)}: {link.get_text()} -> {target} is {attribution[target]}")
    assert linked > 50
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_the_question_block_does_not_repeat_its_lead_in(chapter):
    """`panel-question` prints "Q1. The moderator asks:" or "A1. An audience member asks:" itself."""
    block = chapter.read_text(encoding="utf-8").partition("::::{panel-question}")[2].partition("\n::::\n")[0]
    assert not re.search(r"^(The moderator|An audience member) asks:?$", block, re.M)
