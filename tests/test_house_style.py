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
