"""The panel extension on a tiny test root: answers, generated pages, errors, and the build model."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup


def html(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def warnings(app) -> str:
    return app.warning.getvalue()


@pytest.mark.sphinx("html", testroot="panel")
def test_answer_markup(app):
    app.build()
    assert warnings(app) == ""
    page = html(app, "q1")
    answer = page.find(id="vision-core-ada")
    assert answer["class"] == ["panel-answer"]
    assert answer["data-speaker"] == "ada" and answer["data-question"] == "vision-core"
    assert answer["data-attribution"] == "named"
    assert answer.find("a", class_="headerlink")["href"] == "#vision-core-ada"
    speaker = answer.find("p", class_="panel-answer-speaker").find("a")
    assert speaker.get_text() == "Ada Lovelace" and speaker["href"] == "speakers/ada.html"
    assert answer.find(class_="panel-stance").get_text() == "Vision is indispensable."
    original = answer.find("p", class_="excerpt-original")
    assert (
        original["lang"] == "zh-Hans"
        and original.get_text() == "我当然觉得视觉是必不可少的，CHI-GPcorrection: [ChatGPT]也做不到这件事情"
    )
    assert original.select_one(".panel-correction > .visually-hidden").get_text() == "correction: "
    assert answer.find(class_="excerpt-source").a["href"] == "transcript.html#transcript-p2"
    inferred = page.find(id="vision-core-bob")
    assert inferred["data-attribution"] == "inferred"
    assert inferred.find(class_="panel-badge").get_text() == "speaker inferred"
    assert inferred.find("span", lang="zh-Hans").get_text() == "更加基础"


@pytest.mark.sphinx("html", testroot="panel")
def test_stance_matrix_and_speaker_pages(app):
    app.build()
    table = html(app, "matrix").find("table", class_="panel-stance-matrix")
    assert [th.get_text() for th in table.thead.find_all("th")] == ["Question", "Ada Lovelace", "Bob Babbage"]
    # each panelist's cell names its speaker too, for the one-block-per-question layout of phones
    for tr in table.tbody.find_all("tr"):
        labels = [p.extract().get_text() for p in tr.find_all("p", class_="panel-matrix-speaker")]
        assert labels == ["Ada Lovelace", "Bob Babbage"]
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
    assert rows == [
        ["Q1 Vision core?", "Vision is indispensable.", "Language matters too, but vision is more basic. †"],
        ["Q2 Unify?", "They will and should be unified.", "—"],
    ]
    links = [a["href"] for a in table.tbody.find_all("a") if "#" in a["href"]]
    assert links == ["q1.html#vision-core-ada", "q1.html#vision-core-bob", "q2.html#unify-ada"]
    ada = html(app, "speakers/ada")
    assert ada.h1.get_text(strip=True).startswith("Ada Lovelace")
    items = [li.get_text(" ", strip=True) for li in ada.find("ol", class_="panel-speaker-answers").find_all("li")]
    assert items == ["Q1 Vision core? : Vision is indispensable.", "Q2 Unify? : They will and should be unified."]
    assert ada.find(class_="bibtex-citation").get_text() == "Lovelace [1843]"
    assert "inferred from the transcript" in html(app, "speakers/host").get_text()


@pytest.mark.sphinx("html", testroot="panel")
def test_the_matrix_has_no_style_attributes(app):
    """Its column widths are in the stylesheet: a style= attribute breaks the pages' policy."""
    app.build()
    assert html(app, "matrix").find("table", class_="panel-stance-matrix").find(attrs={"style": True}) is None


@pytest.mark.sphinx("html", testroot="panel")
def test_chapter_references(app):
    app.build()
    refs = html(app, "q1").find("ul", class_="panel-chapter-references")
    assert "notes on the analytical engine" in refs.get_text().lower()
    assert refs.find("a", href=re.compile(r"^refs\.html#"))


@pytest.fixture
def own_root(rootdir, tmp_path) -> Path:
    """A private copy of the test root, for tests that edit sources (the shared one must stay intact)."""
    return Path(shutil.copytree(rootdir / "test-panel", tmp_path / "src"))


def _fault(app, docname: str, old: str, new: str) -> str:
    path = Path(app.srcdir) / f"{docname}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    app.build()
    return warnings(app)


@pytest.mark.parametrize(
    ("docname", "old", "new", "expected"),
    [
        ("q1", "{answer} bob", "{answer} carol", r"q1\.md:\d+: WARNING: unknown speaker 'carol'"),
        (
            "q1",
            ":stance: Vision is indispensable.\n",
            "",
            r"q1\.md:\d+: WARNING: the answer by 'ada' needs a one-line :stance:",
        ),
        ("q2", "{answer} ada", "{answer} ada\n:turn: 1", None),
        ("q1", "必不可少的", "必不可缺的", r"q1\.md:\d+: WARNING: excerpt is not verbatim from transcript ¶2-2"),
        (
            "q1",
            ":transcript: 3\n:attribution",
            ":transcript: 30\n:attribution",
            r"q1\.md:\d+: WARNING: :transcript: paragraph range 30-30 ends after",
        ),
        (
            "q1",
            "{zh}`更加基础`",
            "{zh}`视觉是智能的核心部分吗对吧`",
            r"q1\.md:\d+: WARNING: Chinese text is not verbatim",
        ),
        ("q2", ":number: 2", ":number: 1", r"q2\.md:\d+: WARNING: duplicate question number '1'"),
    ],
    ids=[
        "unknown-speaker",
        "missing-stance",
        "explicit-turn-ok",
        "not-verbatim",
        "range-past-end",
        "zh-role",
        "duplicate-number",
    ],
)
def test_bad_input_names_file_and_line(make_app, own_root, docname, old, new, expected):
    output = _fault(make_app("html", srcdir=own_root), docname, old, new)
    if expected is None:
        assert output == ""
    else:
        assert re.search(expected, output), output


def test_two_answers_claiming_one_anchor(make_app, own_root):
    app = make_app("html", srcdir=own_root)
    path = Path(app.srcdir) / "q2.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n" + text[text.index("::::{answer}") :], encoding="utf-8")
    app.build()
    assert re.search(
        r"q2\.md:\d+: WARNING: duplicate answer anchor 'unify-ada'; first used at .*q2\.md:\d+", warnings(app)
    )


@pytest.mark.sphinx("latex", testroot="panel")
def test_latex_output(app):
    app.build()
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    assert "Ada Lovelace" in tex and "我当然觉得视觉是必不可少的" in tex
    assert "<div" not in tex and "data-speaker" not in tex and "¶}" not in tex
    assert "Vision is indispensable." in tex


def _matrix_and_pages(outdir: Path) -> dict[str, str]:
    pages = {}
    for name in ("q1", "q2", "matrix", "speakers/ada", "speakers/bob"):
        soup = BeautifulSoup((outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        pages[name] = str(soup.find("div", class_="body") or soup.body)
    return pages


def test_parallel_build_equals_serial(make_app, own_root, tmp_path):
    app = make_app("html", srcdir=own_root, parallel=2)
    app.build()
    assert warnings(app) == ""
    serial = make_app("html", srcdir=own_root, builddir=tmp_path / "serial", parallel=0)
    serial.build()
    assert _matrix_and_pages(Path(app.outdir)) == _matrix_and_pages(Path(serial.outdir))


def test_incremental_rebuild_updates_generated_pages(make_app, own_root):
    app = make_app("html", srcdir=own_root)
    app.build()
    assert "q2.html#unify-ada" in (Path(app.outdir) / "matrix.html").read_text(encoding="utf-8")
    q2 = Path(app.srcdir) / "q2.md"
    text = q2.read_text(encoding="utf-8")
    q2.write_text(text[: text.index("::::{answer} ada")], encoding="utf-8")  # delete the answer
    again = make_app("html", srcdir=Path(app.srcdir), freshenv=False)
    again.build()
    matrix = (Path(app.outdir) / "matrix.html").read_text(encoding="utf-8")
    ada = (Path(app.outdir) / "speakers" / "ada.html").read_text(encoding="utf-8")
    assert "unify-ada" not in matrix and "unify-ada" not in ada
    assert "q1.html#vision-core-ada" in matrix


def test_bib_edit_rewrites_exactly_the_citing_pages(own_root):
    """After a year changes in the .bib, an incremental build updates the citing chapter's text and
    tooltip, not only the bibliography page, and leaves pages that cite nothing alone."""
    outdir, _ = _build(own_root)
    assert ">1843</a>" in (outdir / "q1.html").read_text(encoding="utf-8")
    untouched = (outdir / "q2.html").stat().st_mtime_ns
    bib = own_root / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("year = {1843}", "year = {1842}"), encoding="utf-8")
    _, stderr = _build(own_root)
    assert stderr == ""
    q1 = (outdir / "q1.html").read_text(encoding="utf-8")
    assert ">1843</a>" not in q1 and "engine. 1843." not in q1 and ">1842</a>" in q1
    assert re.search(r'title="[^"]*1842', q1)  # the tooltip too
    assert "1842" in (outdir / "speakers" / "ada.html").read_text(encoding="utf-8")
    assert (outdir / "q2.html").stat().st_mtime_ns == untouched


def _add_to_bib(root: Path, entry: str) -> None:
    bib = root / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + entry, encoding="utf-8")


def test_uncited_entry_is_reported_at_its_bib_line(make_app, own_root):
    _add_to_bib(
        own_root,
        """
@misc{babbage1864passages,
  author = {Babbage, Charles},
  title = {Passages from the Life of a Philosopher},
  year = {1864},
  url = {https://example.org/passages},
}
""",
    )
    app = make_app("html", srcdir=own_root)
    app.build()
    assert re.search(r"refs\.bib:8: WARNING: entry 'babbage1864passages' is never cited in the notes", warnings(app))


def test_two_works_with_one_label_are_told_apart_in_text_and_bibliography(make_app, own_root):
    """Two works whose author-year labels would be equal carry a/b in the bibliography and in every
    kind of citation, so a reader can tell which one the text means."""
    _add_to_bib(
        own_root,
        """
@misc{lovelace1843sketch,
  author = {Lovelace, Ada},
  title = {Sketch of the Analytical Engine},
  year = {1843},
  url = {https://example.org/sketch},
}
""",
    )
    q1 = own_root / "q1.md"
    q1.write_text(
        q1.read_text(encoding="utf-8").replace(
            "citing {cite:t}`lovelace1843notes`.",
            "citing {cite:t}`lovelace1843notes`, {cite:p}`lovelace1843sketch` and {cite:year}`lovelace1843sketch`.",
        ),
        encoding="utf-8",
    )
    app = make_app("html", srcdir=own_root)
    app.build()
    assert warnings(app) == ""
    citations = [c.get_text() for c in html(app, "q1").select("#vision-core-ada span.bibtex-citation")]
    assert citations == ["Lovelace [1843a]", "[Lovelace, 1843b]", "1843b"]
    labels = [s.get_text() for s in html(app, "refs").select("div.citation span.label")]
    assert labels == ["[Lovelace 1843a]", "[Lovelace 1843b]"]


def _build(srcdir: Path) -> tuple[Path, str]:
    """Build *srcdir* into its _build/html with the real command line (incremental after the first
    call, as a writer's next build is); return the output folder and stderr, where warnings go."""
    outdir = srcdir / "_build" / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(srcdir), str(outdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    return outdir, done.stderr


def _page(outdir: Path, docname: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def _nav(outdir: Path) -> list[str]:
    return [a["href"] for a in _page(outdir, "index").select("div.toctree-wrapper a.reference.internal")]


def _speaker_items(outdir: Path, speaker: str) -> list[str]:
    items = _page(outdir, f"speakers/{speaker}").select("ol.panel-speaker-answers li")
    return [li.get_text(" ", strip=True) for li in items]


def test_editing_a_stance_updates_the_matrix_and_speaker_page(own_root):
    _build(own_root)
    q1 = own_root / "q1.md"
    q1.write_text(
        q1.read_text(encoding="utf-8").replace("Vision is indispensable.", "Vision is essential."), encoding="utf-8"
    )
    outdir, stderr = _build(own_root)
    assert stderr == ""
    matrix = _page(outdir, "matrix").find("table", class_="panel-stance-matrix").get_text()
    assert "Vision is essential." in matrix and "indispensable" not in matrix
    assert _speaker_items(outdir, "ada")[0] == "Q1 Vision core? : Vision is essential."


def test_renaming_a_chapter_moves_every_link_to_it(own_root):
    _build(own_root)
    (own_root / "q2.md").rename(own_root / "q2-unify.md")
    index = own_root / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("\nq2\n", "\nq2-unify\n"), encoding="utf-8")
    outdir, stderr = _build(own_root)
    assert stderr == ""
    matrix_links = [a["href"] for a in _page(outdir, "matrix").select("table.panel-stance-matrix a")]
    assert "q2-unify.html#unify-ada" in matrix_links and not any(h.startswith("q2.html") for h in matrix_links)
    ada_links = [a["href"] for a in _page(outdir, "speakers/ada").select("ol.panel-speaker-answers a")]
    assert ada_links == ["../q1.html", "../q1.html#vision-core-ada", "../q2-unify.html", "../q2-unify.html#unify-ada"]
    assert "q2-unify.html" in _nav(outdir) and "q2.html" not in _nav(outdir)
    turn = _page(outdir, "transcript").find(id="turn-5")
    assert turn.select_one(".turn-links a")["href"] == "q2-unify.html#unify-ada"


def test_deleting_a_chapter_removes_it_everywhere(own_root):
    _build(own_root)
    (own_root / "q2.md").unlink()
    index = own_root / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("\nq2\n", "\n"), encoding="utf-8")
    outdir, stderr = _build(own_root)
    # the transcript keeps its turns, so the build says which one no answer summarises any more
    assert stderr == (
        f"{own_root}/_data/turns/02-unify.yaml:9: WARNING: no answer summarises this turn of 'ada' (¶5): "
        "add one, or say why in 'unsummarised' [panel.turns]\n"
    )
    rows = [
        tr.find("td").get_text(" ", strip=True)
        for tr in _page(outdir, "matrix").select("table.panel-stance-matrix tbody tr")
    ]
    assert rows == ["Q1 Vision core?"]
    assert _speaker_items(outdir, "ada") == ["Q1 Vision core? : Vision is indispensable."]
    assert "q2.html" not in _nav(outdir)
    assert _page(outdir, "transcript").find(id="turn-4").select(".turn-links a") == []


CARDS = {
    "extensions": ["myst_parser", "panelnotes", "sphinxext.opengraph"],
    "html_baseurl": "https://example.org/",
    "ogp_social_cards": {"enable": False},  # sphinxext-opengraph's own, for every other page
}


@pytest.mark.parametrize(("fonts", "missing"), [(["DejaVu Sans"], ["阿达谈："]), (["Noto Sans CJK SC"], [])])
def test_a_card_whose_font_lacks_a_glyph_is_a_warning(make_app, own_root, fonts, missing):
    """Chinese drawn in a Latin font comes out as empty boxes, which matplotlib reports only as
    a Python warning: the build turns it into a Sphinx warning, which -W makes an error."""
    app = make_app("html", srcdir=own_root, confoverrides={**CARDS, "language": "zh_CN", "panel_card_fonts": fonts})
    app.build()
    assert "阿达" in html(app, "answers/vision-core-ada").find("h1").get_text()  # the name in this edition
    found = re.findall(
        r"q1\.md:16: WARNING: the card of answers/vision-core-ada shows '(.*)' as empty boxes", warnings(app)
    )
    assert found == missing, warnings(app)
    cards = list((Path(app.outdir) / "_images" / "cards").glob("*.png"))
    assert len(cards) == len(list(Path(app.outdir, "answers").glob("*.html"))) + 2  # and the two chapters'
