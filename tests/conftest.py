"""Fixtures: the extension's test roots (sphinx.testing), and the real book built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from book import REPO, sphinx_build

pytest_plugins = ("sphinx.testing.fixtures",)

LATEXMKOPTS = "-interaction=nonstopmode -halt-on-error -quiet"
BASE_URL = "https://notes.example.org/panel/"
REPOSITORY_URL = "https://github.com/example/panel-notes"


# Markers by what a test needs beyond Python, so `make test-fast` can leave those out
NEEDS_TEX = {"latex", "published_site", "book_text", "handouts_with_address"}


def pytest_configure(config: pytest.Config) -> None:
    # Sphinx colours its messages when CI=true; the tests compare them as the plain lines a writer reads
    os.environ["NO_COLOR"] = "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name == "test_browser.py":
            item.add_marker("browser")
        if NEEDS_TEX & set(getattr(item, "fixturenames", ())):
            item.add_marker("tex")


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return Path(__file__).parent / "roots"


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site as `make html` builds it: no PDFs, no known address."""
    build = sphinx_build(REPO / "docs", tmp_path_factory.mktemp("site"))
    assert build.returncode == 0, build.output
    assert build.output.strip() == "", f"the build printed warnings:\n{build.output}"
    return build.outdir


@pytest.fixture(scope="session")
def bilingual_site(tmp_path_factory) -> Path:
    """Both editions as `make html` builds them: English at the root, Chinese under zh/."""
    root = tmp_path_factory.mktemp("bilingual")
    doctrees = tmp_path_factory.mktemp("bilingual-doctrees")
    for outdir, language in ((root, "en"), (root / "zh", "zh_CN")):
        build = sphinx_build(REPO / "docs", outdir, doctrees=doctrees / language, NOTES_LANGUAGE=language)
        assert build.returncode == 0, build.output
        assert build.output.strip() == "", f"the build printed warnings:\n{build.output}"
    return root


@pytest.fixture(scope="session")
def linked_site(tmp_path_factory) -> Path:
    """The site with its address known, as published, but without PDFs (so without TeX)."""
    build = sphinx_build(REPO / "docs", tmp_path_factory.mktemp("linked"), NOTES_BASE_URL=BASE_URL)
    assert build.returncode == 0 and build.output.strip() == "", build.output
    return build.outdir


def _pdfs(outdir: Path, language: str) -> Path:
    build = sphinx_build(REPO / "docs", outdir, "latex", NOTES_LANGUAGE=language)
    assert build.returncode == 0 and build.output.strip() == "", build.output
    make = subprocess.run(
        ["make", "-C", str(build.outdir), "-j2", f"LATEXMKOPTS={LATEXMKOPTS}", "all-pdf"],
        capture_output=True,
        text=True,
    )
    assert make.returncode == 0, make.stdout[-3000:] + make.stderr[-3000:]
    return build.outdir


@pytest.fixture(scope="session")
def latex(tmp_path_factory) -> Path:
    """The LaTeX output and every PDF made from it."""
    return _pdfs(tmp_path_factory.mktemp("latex"), "en")


@pytest.fixture(scope="session")
def latex_zh(tmp_path_factory) -> Path:
    """The Chinese edition's LaTeX output and its PDFs."""
    return _pdfs(tmp_path_factory.mktemp("latex-zh"), "zh_CN")


@pytest.fixture(scope="session")
def handouts_with_address(tmp_path_factory) -> Path:
    """The handouts as the hosting workflow builds them, knowing the site's address."""
    build = sphinx_build(REPO / "docs", tmp_path_factory.mktemp("latex-published"), "latex", NOTES_BASE_URL=BASE_URL)
    assert build.returncode == 0 and build.output.strip() == "", build.output
    handouts = [tex.with_suffix(".pdf").name for tex in sorted(build.outdir.glob("handout-*.tex"))]
    make = subprocess.run(
        ["make", "-C", str(build.outdir), "-j2", f"LATEXMKOPTS={LATEXMKOPTS}", *handouts],
        capture_output=True,
        text=True,
    )
    assert make.returncode == 0, make.stdout[-3000:] + make.stderr[-3000:]
    return build.outdir


@pytest.fixture(scope="session")
def published_site(tmp_path_factory, latex, latex_zh) -> Path:
    """The site as the hosting workflow builds it: with its address, repository and PDFs, in both
    editions (each linking its own PDFs)."""
    downloads = {}
    for name, pdfs in (("NOTES_DOWNLOADS_DIR", latex), ("NOTES_DOWNLOADS_DIR_ZH", latex_zh)):
        downloads[name] = tmp_path_factory.mktemp("downloads")
        (downloads[name] / "pdf").mkdir()
        for pdf in pdfs.glob("*.pdf"):
            shutil.copy(pdf, downloads[name] / "pdf")
    published = {"NOTES_BASE_URL": BASE_URL, "NOTES_REPOSITORY_URL": REPOSITORY_URL}
    published |= {name: str(folder) for name, folder in downloads.items()}
    build = sphinx_build(REPO / "docs", tmp_path_factory.mktemp("published"), **published)
    assert build.returncode == 0 and build.output.strip() == "", build.output
    # the Chinese edition under zh/, as `make html` builds it
    doctrees = tmp_path_factory.mktemp("published-zh-doctrees")
    zh = sphinx_build(REPO / "docs", build.outdir / "zh", doctrees=doctrees, NOTES_LANGUAGE="zh_CN", **published)
    assert zh.returncode == 0 and zh.output.strip() == "", zh.output
    return build.outdir
