"""The real book, built with the strict command line, checked on its parsed HTML."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
from bs4 import BeautifulSoup

from book import REPO, copy_book, sphinx_build
from panelnotes.transcript import Transcript, parse_range

CHAPTERS = sorted((REPO / "docs" / "questions").glob("*.md"))
TRANSCRIPT = REPO / "docs" / "_data" / "transcript-asr-zh.txt"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_source_page_is_built_and_in_the_toctree(site):
    sources = {p.relative_to(REPO / "docs").with_suffix("").as_posix() for p in (REPO / "docs").rglob("*.md")}
    sources -= {s for s in sources if s.startswith("_")}
    for docname in sources:
        assert (site / f"{docname}.html").is_file(), docname
    nav = soup(site / "index.html").find("nav", class_="bd-links")
    linked = {
        a["href"].removesuffix(".html") for a in nav.find_all("a", href=True) if not a["href"].startswith(("#", "http"))
    }
    assert sources - {"index"} <= linked, sources - {"index"} - linked


def test_every_citation_links_to_a_bibliography_entry(site):
    """A citation links to its entry: in a chapter, to the chapter's own list of works cited (whose
    entry links on to the bibliography); elsewhere, straight to the bibliography page."""
    bibliography = soup(site / "bibliography.html")
    entry_ids = {tag["id"] for tag in bibliography.find_all(id=True)}
    count = 0
    for page in site.rglob("*.html"):
        html = soup(page)
        for cite in html.select("span.bibtex-citation a"):
            target_page, _, anchor = cite["href"].rpartition("#")
            if target_page == "":
                local = html.find(id=anchor)
                assert local is not None and anchor.startswith("cited-"), (page.name, cite["href"])
                backlink = local.find_parent("li").find("a", href=re.compile(r"bibliography\.html#"))
                anchor = backlink["href"].rpartition("#")[2]
            else:
                assert target_page.endswith("bibliography.html"), (page.name, cite["href"])
            assert anchor in entry_ids, (page.name, cite["href"])
            count += 1
    assert count > 100


def test_each_chapter_has_its_question_and_answers(site):
    assert len(CHAPTERS) == 12
    speakers = set()
    for chapter in CHAPTERS:
        page = soup(site / "questions" / f"{chapter.stem}.html")
        assert page.select_one("div.panel-question"), chapter.name
        answers = page.select("div.panel-answer")
        assert answers, chapter.name
        for answer in answers:
            assert answer.get("id") and answer["id"].startswith(answer["data-question"] + "-")
            assert answer.select_one("blockquote.panel-excerpt p.excerpt-original[lang=zh-Hans]"), answer["id"]
            assert answer.select_one(".panel-stance").get_text(strip=True), answer["id"]
            speakers.add(answer["data-speaker"])
        assert page.select_one("ul.panel-chapter-references li"), chapter.name
    assert speakers == {"saining-xie", "jifeng-dai", "tete-xiao", "jiahui-yu", "chunhua-shen"}


def test_every_answer_is_in_its_chapters_contents(site):
    """The contents panel ("On this page"; on a phone, behind its toggle) lists every answer under
    "The answers", in the order of the page, each linking to the answer's anchor."""
    for chapter in CHAPTERS:
        page = soup(site / "questions" / f"{chapter.stem}.html")
        answers = [a["id"] for a in page.select("div.panel-answer[data-speaker][data-question][data-attribution]")]
        contents = page.find("nav", id="pst-page-toc-nav")
        listed = [a["href"] for a in contents.select('a[href="#the-answers"] + ul a')]
        assert listed == [f"#{anchor}" for anchor in answers], chapter.name
    contents = soup(site / "questions" / "05-autoregressive-vs-diffusion.html").find("nav", id="pst-page-toc-nav")
    entry = contents.find("a", href="#autoregressive-vs-diffusion-saining-xie")
    assert entry.get_text() == "Saining Xie · speaker inferred"  # the transcript does not name him


def test_key_works_are_cited_where_invoked(site):
    """CLIP, DINOv2, Sora and The Bitter Lesson are cited in the chapters where panelists invoke them."""
    expected = {
        "radford2021clip": ["05-autoregressive-vs-diffusion", "09-audience-clip-blind-pairs"],
        "oquab2024dinov2": ["09-audience-clip-blind-pairs"],
        "brooks2024sora": ["02-generation-and-perception", "05-autoregressive-vs-diffusion"],
        "sutton2019bitter": ["05-autoregressive-vs-diffusion"],
    }
    for key, chapters in expected.items():
        for chapter in chapters:
            source = (REPO / "docs" / "questions" / f"{chapter}.md").read_text(encoding="utf-8")
            assert re.search(r"\{cite:[a-z]+\}`[^`]*\b" + key + r"\b", source), (key, chapter)


def test_xies_two_works_of_2024_are_told_apart(site):
    """Xie's page cites two 2024 works by Tong et al.: the a/b of the bibliography's labels is in
    the text too."""
    page = soup(site / "speakers" / "saining-xie.html")
    works = page.find("strong", string="Their works cited in the notes:").parent
    cited = [c.get_text() for c in works.select("span.bibtex-citation")]
    assert cited[:2] == ["Tong et al. [2024b]", "Tong et al. [2024a]"]  # Eyes Wide Shut, Cambrian-1
    bibliography = soup(site / "bibliography.html")
    labels = {s.get_text() for s in bibliography.select("div.citation span.label")}
    assert {"[Tong et al. 2024a]", "[Tong et al. 2024b]"} <= labels


def test_every_excerpt_is_verbatim(site):
    """Every excerpt on the site is verbatim from the transcript paragraphs it names, by the
    build's own rule (``Transcript.contains``); that Chinese is language-marked is a house-style test."""
    transcript = Transcript.load(REPO / "docs" / "_data" / "transcript-asr-zh.txt")
    excerpts = 0
    for path in site.rglob("*.html"):
        if "_static" in path.parts:
            continue
        page = soup(path)
        for quote in page.select("blockquote.panel-excerpt"):
            original = quote.select_one("p.excerpt-original").get_text()
            first, last = parse_range(quote.select_one(".excerpt-source a").get_text().lstrip("¶"))
            assert transcript.contains(original, first, last), (path.name, original[:40])
            excerpts += "answers" not in path.parts  # an answer's page repeats its chapter's excerpts
    sources = [*(REPO / "docs" / "questions").glob("*.md"), REPO / "docs" / "introduction.md"]
    assert excerpts == sum(p.read_text(encoding="utf-8").count(":::{excerpt}") for p in sources)


def _published_files(outdir: Path) -> dict[Path, bytes]:
    """Everything a reader gets; the doctree cache is the build's own and is not published."""
    return {
        p.relative_to(outdir): p.read_bytes() for p in outdir.rglob("*") if p.is_file() and ".doctrees" not in p.parts
    }


def test_a_page_waits_for_one_stylesheet_and_one_small_script_before_its_first_paint(site):
    """What blocks the first paint of every page (but the search page): the bundled stylesheet and
    documentation_options.js. No preloads, no Font Awesome; every other script is fetched by the
    loader at the end of the body, and exists."""
    for path in [site / "index.html", *sorted((site / "questions").glob("*.html"))]:
        page = soup(path)
        stylesheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
        assert len(stylesheets) == 1 and re.fullmatch(r"(\.\./)?_static/site-[0-9a-f]{12}\.css", stylesheets[0])
        assert (path.parent / stylesheets[0]).is_file()
        assert not page.find("link", rel="preload") and "fontawesome" not in str(page)
        assert [s["src"].split("?")[0].rsplit("/", 1)[1] for s in page.find_all("script", src=True)] == [
            "documentation_options.js"
        ]
        (loader,) = [s.string for s in page.body.find_all("script") if s.string and "createElement" in s.string]
        urls = re.findall(r'"([^"]+\.js)\?[^"]*"', loader)
        assert {u.rsplit("/", 1)[1] for u in urls} >= {
            "doctools.js",
            "panel.js",
            "bootstrap.js",
            "pydata-sphinx-theme.js",
        }
        assert all((path.parent / u).is_file() for u in urls), urls


def test_every_page_has_one_viewport_tag(site):
    for path in sorted(site.rglob("*.html")):
        if "_static" not in path.relative_to(site).parts:
            assert len(soup(path).find_all("meta", attrs={"name": "viewport"})) == 1, path.name


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_every_page_carries_a_content_security_policy_that_allows_only_its_own_inline_code(site):
    """GitHub Pages sends no headers: the policy is a <meta> tag, the head's first element after the
    charset (a policy covers only what follows it), without 'unsafe-inline'; each of the page's
    inline scripts and styles is allowed by its hash, and no element has a style= or on…= attribute,
    which the policy would block."""
    pages = [p for p in sorted(site.rglob("*.html")) if "_static" not in p.relative_to(site).parts]
    assert len(pages) > 30
    for path in pages:
        page = soup(path)
        first, second = page.head.find_all(True, limit=2)
        assert first.name == "meta" and first.get("charset") == "utf-8", path.name
        assert second.name == "meta" and second["http-equiv"] == "Content-Security-Policy", path.name
        directives = dict(d.strip().split(" ", 1) for d in second["content"].split(";"))
        assert directives["default-src"] == "'self'" and directives["img-src"] == "'self' data:", path.name
        assert directives["object-src"] == "'none'" and "unsafe" not in second["content"], path.name
        inline_scripts = [s.string for s in page.find_all("script", src=False)]
        inline_styles = [s.string for s in page.find_all("style")]  # the theme's, in a <noscript>
        assert directives["script-src"].split() == ["'self'", *dict.fromkeys(map(_csp_hash, inline_scripts))], path
        assert directives["style-src"].split() == ["'self'", *dict.fromkeys(map(_csp_hash, inline_styles))], path
        assert page.find(attrs={"style": True}) is None, path.name
        assert [t.name for t in page.find_all(lambda t: any(a.startswith("on") for a in t.attrs))] == [], path.name


def test_two_clean_builds_are_byte_identical(site, tmp_path):
    again = sphinx_build(REPO / "docs", tmp_path / "again")
    assert again.returncode == 0, again.output
    first, second = _published_files(site), _published_files(again.outdir)
    assert first.keys() == second.keys()
    differing = sorted(str(name) for name in first if first[name] != second[name])
    assert differing == []


def test_a_change_the_latex_build_read_first_still_reaches_the_html(tmp_path):
    """`make latex` then `make html`, after an edit that shows on a page other than the edited one
    (a stance, on the stance matrix): the HTML build must not take the change as already seen."""
    docs = copy_book(tmp_path)
    make = ["make", "-C", str(REPO), f"SOURCEDIR={docs}", f"BUILDDIR={tmp_path / '_build'}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTES_", "READTHEDOCS", "GITHUB_"))}
    assert subprocess.run([*make, "html"], capture_output=True, text=True, env=env).returncode == 0
    chapter = docs / "questions" / "01-vision-and-agi.md"
    text = chapter.read_text(encoding="utf-8")
    stance = re.search(r"^:stance: (.+)$", text, re.M).group(1)
    chapter.write_text(text.replace(stance, "A stance edited between builds.", 1), encoding="utf-8")
    for target in ("latex", "html-en"):  # the edit is English only: no Chinese edition for it yet
        done = subprocess.run([*make, target], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    matrix = (tmp_path / "_build" / "html" / "stance-matrix.html").read_text(encoding="utf-8")
    assert "A stance edited between builds." in matrix and stance not in matrix


def test_the_dataset_validates_and_reproduces_every_answer_on_the_site(site):
    data = json.loads((site / "data" / "panel.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((site / "data" / "panel.schema.json").read_text(encoding="utf-8")))
    on_site = {}
    for chapter in CHAPTERS:
        for answer in soup(site / "questions" / f"{chapter.stem}.html").select("div.panel-answer"):
            on_site[answer["id"]] = {
                "speaker": answer["data-speaker"],
                "attribution": answer["data-attribution"],
                "question": answer["data-question"],
                "stance": answer.select_one(".panel-stance").get_text(),
                "url": f"questions/{chapter.stem}.html#{answer['id']}",
            }
    in_data = {
        a["id"]: {k: a[k] for k in ("speaker", "attribution", "question", "stance", "url")} for a in data["answers"]
    }
    assert in_data == on_site
    assert "".join(t["zh"] for t in data["turns"]) == "".join(Transcript.load(TRANSCRIPT).paragraphs)
    for table in ("speakers", "questions", "turns", "answers"):
        with (site / "data" / f"{table}.csv").open(encoding="utf-8") as f:
            assert [row["id"] for row in csv.DictReader(f)] == [item["id"] for item in data[table]], table


def test_the_glossary_links_every_occurrence_and_the_transcript_links_back(site):
    glossary = soup(site / "glossary.html")
    transcript = soup(site / "transcript.html")
    entries = glossary.select("dl.panel-glossary > dt[id]")
    assert len(entries) > 100
    for entry in entries:
        occurrences = entry.find_next_sibling("dd").select(".glossary-occurrences a")
        assert occurrences, entry["id"]
        for link in occurrences:
            assert link["href"].startswith("transcript.html#transcript-p")
            assert transcript.find(id=link["href"].partition("#")[2]) is not None
    linked_back = {a["href"].partition("#")[2] for a in transcript.select(".turn-zh a[href^='glossary.html#']")}
    misheard = {e["id"] for e in entries if e["id"].startswith("asr-")}
    assert linked_back == misheard
