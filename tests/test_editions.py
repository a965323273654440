"""The Chinese edition, built from the same sources as the English one: language marks, the links
between the editions, what is and is not translated, completeness, and search in Chinese."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from bs4 import BeautifulSoup

from book import STRICT, copy_book

HAN = re.compile(r"[\u3400-\u9fff]")
WORD = re.compile(r"[A-Za-z]{2,}")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def pages(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts)


def test_every_chinese_page_is_zh_hans_and_links_its_english_twin(bilingual_site):
    zh_root = bilingual_site / "zh"
    for page in pages(zh_root):
        html = soup(page)
        assert html.html["lang"] == "zh-Hans", page
        alternates = {link["hreflang"]: link["href"] for link in html.find_all("link", rel="alternate")}
        assert set(alternates) == {"en", "zh-Hans"}, page
        assert (page.parent / alternates["en"]).resolve() == bilingual_site / page.relative_to(zh_root)
        assert (page.parent / alternates["zh-Hans"]).resolve() == page
        if html.find("article") is not None and page.name not in ("search.html", "genindex.html"):
            switch = html.select_one("nav.panel-language-switch a[hreflang=en]")
            assert (page.parent / switch["href"]).resolve() == bilingual_site / page.relative_to(zh_root), page


def test_the_english_pages_link_their_chinese_twins(bilingual_site):
    for page in pages(bilingual_site):
        if "zh" in page.relative_to(bilingual_site).parts:
            continue
        html = soup(page)
        assert html.html["lang"] == "en"
        alternate = html.find("link", rel="alternate", hreflang="zh-Hans")
        assert (page.parent / alternate["href"]).resolve() == bilingual_site / "zh" / page.relative_to(bilingual_site)


def _english_blocks(page: BeautifulSoup) -> list[str]:
    """Blocks of the article that read as English prose (more Latin words than Han characters, and
    at least five words) and are not marked lang="en"."""
    article = page.find("article")
    found = []
    for block in article.find_all(["p", "li", "h1", "h2", "h3", "dt", "dd", "td", "th"]) if article else []:
        if block.find(["p", "li"]) or block.find_parent(["pre", "code"]) or block.find_parent(attrs={"lang": "en"}):
            continue
        if block.find_parent(class_=["turn-zh", "excerpt-original"]) or block.get("lang") == "zh-Hans":
            continue  # the transcript's own words, verbatim (Chinese speech with English terms)
        for marked in block.select('[lang="en"], code'):  # marked English, and file names or code
            marked.decompose()
        text = block.get_text(" ", strip=True)
        if len(WORD.findall(text)) >= 5 and len(WORD.findall(text)) > len(HAN.findall(text)):
            found.append(text[:80])
    return found


def test_no_chinese_page_shows_english_prose_where_a_translation_exists(bilingual_site):
    leftovers = {
        str(page.relative_to(bilingual_site)): blocks
        for page in pages(bilingual_site / "zh")
        if (blocks := _english_blocks(soup(page)))
    }
    assert leftovers == {}


def test_the_editors_page_says_it_is_english_only(bilingual_site):
    page = soup(bilingual_site / "zh" / "about" / "how-these-notes-are-built.html")
    assert page.select_one("p.panel-english-only").get_text() == "本页面向笔记的编辑，仅有英文版。"
    assert page.select_one("p.panel-english-only + div")["lang"] == "en"


def test_the_chinese_edition_shows_excerpts_and_turns_in_chinese_alone(bilingual_site):
    zh_root = bilingual_site / "zh"
    chapter = soup(zh_root / "questions" / "05-autoregressive-vs-diffusion.html")
    assert chapter.select("blockquote.panel-excerpt p.excerpt-original[lang=zh-Hans]")
    assert chapter.select(".excerpt-translation") == []
    assert chapter.select_one(".panel-badge").get_text() in ("发言者系推断", "发言者不确定")
    transcript = soup(zh_root / "transcript.html")
    assert len(transcript.select("section.panel-turn")) == 127 and transcript.select(".turn-en") == []
    assert transcript.select_one("#turn-124 .turn-header a").get_text() == "余家辉"


def test_translated_stances_reach_the_matrix_and_the_speaker_pages(bilingual_site):
    zh_root = bilingual_site / "zh"
    stances = {}
    for chapter in (zh_root / "questions").glob("*.html"):
        for answer in soup(chapter).select("div.panel-answer"):
            stances[answer["id"]] = answer.select_one(".panel-stance").get_text()
            assert answer.select_one(".panel-stance em"), answer["id"]  # italics kept
    matrix = soup(zh_root / "stance-matrix.html").select("table.panel-stance-matrix tbody a")
    shown = {a["href"].rpartition("#")[2]: a.get_text().removesuffix(" †") for a in matrix if "#" in a["href"]}
    assert shown == stances
    assert all(HAN.search(text) for text in stances.values())


def test_search_indexes_the_panels_chinese_words_in_both_editions(bilingual_site):
    for root in (bilingual_site, bilingual_site / "zh"):
        text = (root / "searchindex.js").read_text(encoding="utf-8")
        terms = json.loads(text[text.index("(") + 1 : text.rindex(")")])["terms"]
        for word in ("多模态", "谢赛宁", "沈春华", "代季峰", "模态", "diffus"):
            assert word in terms, (root.name, word)


def test_an_untranslated_message_fails_the_chinese_build_naming_file_and_line(tmp_path):
    docs = copy_book(tmp_path)
    path = docs / "locales" / "zh_CN" / "LC_MESSAGES" / "index.po"
    with path.open("rb") as f:
        catalog = read_po(f)
    message = next(m for m in catalog if m.id)
    message.string = ""
    with path.open("wb") as f:
        write_po(f, catalog, width=0)
    with path.open("rb") as f:
        lineno = next(m.lineno for m in read_po(f) if m.id == message.id)
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", *STRICT, str(docs), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={"NOTES_LANGUAGE": "zh_CN", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert build.returncode != 0
    expected = "WARNING: untranslated message: translate it (or clear its fuzzy flag once checked) [panel.untranslated]"
    assert build.stderr == f"{path}:{lineno}: {expected}\n"
