"""The bibliography linter: each rule fires on a broken file and names the entry, field and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from book import REPO
from panelnotes.biblint import lint

GOOD = """\
@inproceedings{he2016resnet,
  author = {He, Kaiming and Zhang, Xiangyu},
  title = {Deep Residual Learning for Image Recognition},
  booktitle = {CVPR},
  year = {2016},
  doi = {10.1109/CVPR.2016.90},
  url = {https://doi.org/10.1109/CVPR.2016.90},
}

@misc{sutton2019bitter,
  author = {Sutton, Rich},
  title = {The Bitter Lesson},
  year = {2019},
  url = {http://www.incompleteideas.net/IncIdeas/BitterLesson.html},
}
"""


def run(tmp_path: Path, text: str, cited: set[str] | None = None) -> list[str]:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return [problem.format("refs.bib") for problem in lint(path, cited)]


def test_a_good_file_passes(tmp_path):
    assert run(tmp_path, GOOD, cited={"he2016resnet", "sutton2019bitter"}) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  booktitle = {CVPR},\n",
            "",
            r"refs\.bib:1: entry 'he2016resnet', field 'booktitle': required for @inproceedings",
        ),
        (
            "  url = {http://www.incompleteideas.net/IncIdeas/BitterLesson.html},\n",
            "",
            r"refs\.bib:10: entry 'sutton2019bitter', field 'url': required",
        ),
        (
            "10.1109/CVPR.2016.90},\n  url",
            "doi:10.1109/CVPR.2016.90},\n  url",
            r"refs\.bib:6: entry 'he2016resnet', field 'doi': malformed",
        ),
        (
            "  year = {2019},\n",
            "  year = {2019},\n  eprint = {arXiv:1234},\n",
            r"refs\.bib:14: entry 'sutton2019bitter', field 'eprint': malformed",
        ),
        ("url = {https://doi.org", "url = {doi.org", r"refs\.bib:7: entry 'he2016resnet', field 'url': malformed"),
        ("  year = {2016},\n", "  year = {16},\n", r"refs\.bib:5: entry 'he2016resnet', field 'year': malformed"),
        (
            "  doi = {10.1109/CVPR.2016.90},\n",
            "",
            r"refs\.bib:1: entry 'he2016resnet', field 'doi': needs a DOI or an arXiv eprint",
        ),
        (
            "@misc{sutton2019bitter",
            "@misc{he2016resnet",
            r"refs\.bib:10: entry 'he2016resnet': duplicate key \(first at line 1\)",
        ),
        (
            "{The Bitter Lesson}",
            "{Deep residual learning for image {R}ecognition}",
            r"refs\.bib:12: entry 'sutton2019bitter', field 'title': same title as entry 'he2016resnet'",
        ),
        (
            "BitterLesson.html},\n}",
            "BitterLesson.html},\n",
            r"refs\.bib:10: entry 'sutton2019bitter': unbalanced braces",
        ),
        (
            "author = {Sutton, Rich}",
            "author = {Sutton, Rich} and",
            r"refs\.bib:10: entry 'sutton2019bitter': cannot be parsed",
        ),
        (
            "@misc{sutton2019bitter",
            "@online{sutton2019bitter",
            r"refs\.bib:10: entry 'sutton2019bitter': entry type @online",
        ),
    ],
    ids=[
        "required-field",
        "url-required",
        "bad-doi",
        "bad-arxiv",
        "bad-url",
        "bad-year",
        "no-identifier",
        "duplicate-key",
        "duplicate-title",
        "unbalanced",
        "parse-error",
        "unknown-type",
    ],
)
def test_each_rule_fires(tmp_path, old, new, expected):
    assert old in GOOD
    problems = run(tmp_path, GOOD.replace(old, new, 1))
    assert any(re.search(expected, p) for p in problems), problems


def test_uncited_entries(tmp_path):
    problems = run(tmp_path, GOOD, cited={"he2016resnet"})
    assert problems == ["refs.bib:10: entry 'sutton2019bitter': never cited in the notes"]


def test_the_books_bibliography_is_clean_and_fully_cited():
    cited = set()
    for source in (REPO / "docs").rglob("*.md"):
        for group in re.findall(r"\{cite:[a-z]+\}`([^`]+)`", source.read_text(encoding="utf-8")):
            cited.update(key.strip() for key in group.split(","))
    for speaker_works in re.findall(r"works: \[([^\]]*)\]", (REPO / "docs/_data/speakers.yaml").read_text()):
        cited.update(key.strip() for key in speaker_works.split(","))
    assert [p.format("references.bib") for p in lint(REPO / "references.bib", cited)] == []
