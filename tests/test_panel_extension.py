"""The panel extension on a tiny test root: answers, generated pages, errors, and the build model."""

from __future__ import annotations

import re
import shutil
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
    assert original["lang"] == "zh-Hans" and "CHI-GP[ChatGPT]" in original.get_text()
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
        ("q1", ":stance: Vision is indispensable.\n", "", r"q1\.md:\d+: WARNING: the answer by 'ada' needs a one-line :stance:"),
        ("q2", "{answer} ada", "{answer} ada\n:turn: 1", None),
        ("q1", "必不可少的", "必不可缺的", r"q1\.md:\d+: WARNING: excerpt is not verbatim from transcript ¶2-2"),
        ("q1", ":transcript: 3\n:attribution", ":transcript: 30\n:attribution", r"q1\.md:\d+: WARNING: :transcript: paragraph range 30-30 ends after"),
        ("q1", "{zh}`更加基础`", "{zh}`视觉是智能的核心部分吗对吧`", r"q1\.md:\d+: WARNING: Chinese text is not verbatim"),
        ("q2", ":number: 2", ":number: 1", r"q2\.md:\d+: WARNING: duplicate question number '1'"),
    ],
    ids=["unknown-speaker", "missing-stance", "explicit-turn-ok", "not-verbatim", "range-past-end", "zh-role", "duplicate-number"],
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
    path.write_text(text + "\n" + text[text.index("::::{answer}"):], encoding="utf-8")
    app.build()
    assert re.search(r"q2\.md:\d+: WARNING: duplicate answer anchor 'unify-ada'; first used at .*q2\.md:\d+", warnings(app))


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


def test_bib_edit_rewrites_exactly_the_citing_pages(make_app, own_root):
    """After a year changes in the .bib, an incremental build updates the citing chapter's text and
    tooltip, not only the bibliography page, and leaves pages that cite nothing alone."""
    app = make_app("html", srcdir=own_root)
    app.build()
    assert ">1843</a>" in (Path(app.outdir) / "q1.html").read_text(encoding="utf-8")
    untouched = (Path(app.outdir) / "q2.html").stat().st_mtime_ns
    bib = own_root / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("year = {1843}", "year = {1842}"), encoding="utf-8")
    again = make_app("html", srcdir=own_root, freshenv=False)
    again.build()
    q1 = (Path(app.outdir) / "q1.html").read_text(encoding="utf-8")
    assert ">1843</a>" not in q1 and "engine. 1843." not in q1 and ">1842</a>" in q1
    assert re.search(r'title="[^"]*1842', q1)  # the tooltip too
    assert "1842" in (Path(app.outdir) / "speakers" / "ada.html").read_text(encoding="utf-8")
    assert (Path(app.outdir) / "q2.html").stat().st_mtime_ns == untouched


def test_uncited_entry_is_reported_at_its_bib_line(make_app, own_root):
    bib = own_root / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + """
@misc{babbage1864passages,
  author = {Babbage, Charles},
  title = {Passages from the Life of a Philosopher},
  year = {1864},
  url = {https://example.org/passages},
}
""", encoding="utf-8")
    app = make_app("html", srcdir=own_root)
    app.build()
    assert re.search(r"refs\.bib:8: WARNING: entry 'babbage1864passages' is never cited in the notes", warnings(app))
