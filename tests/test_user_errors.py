"""A writer's mistake fails the build with one line on stderr that names the file and the line:
no traceback, no "please open an issue", a non-zero exit. Each fault is injected into a copy of
the test root (or of the book) and built with the real command line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from book import STRICT, copy_book, inject_fault

ROOT = Path(__file__).parent / "roots" / "test-panel"

# (file, text to replace, replacement, the one line stderr must hold)
FAULTS = {
    "unknown speaker": (
        "panel",
        "q1.md",
        "{answer} bob",
        "{answer} carol",
        r"{src}/q1\.md:\d+: WARNING: unknown speaker 'carol' \(known: host, ada, bob\) \[panel\.unknown_speaker\]",
    ),
    "bad paragraph range": (
        "panel",
        "q1.md",
        ":transcript: 3\n:attribution",
        ":transcript: 9-3\n:attribution",
        r"{src}/q1\.md:\d+: WARNING: :transcript: paragraph range '9-3' is empty or starts below 1 \[panel\.bad_range\]",
    ),
    "range past the end": (
        "panel",
        "q1.md",
        ":transcript: 3\n:attribution",
        ":transcript: 30\n:attribution",
        r"{src}/q1\.md:\d+: WARNING: :transcript: paragraph range 30-30 ends after the transcript's last paragraph \(5\) \[panel\.bad_range\]",
    ),
    "non-verbatim excerpt": (
        "panel",
        "q1.md",
        "必不可少的",
        "必不可缺的",
        r"{src}/q1\.md:\d+: WARNING: excerpt is not verbatim from transcript ¶2-2: .* \[panel\.not_verbatim\]",
    ),
    "missing citation key": (
        "panel",
        "q1.md",
        "{cite:t}`lovelace1843notes`",
        "{cite:t}`lovelace1843note`",
        r"{src}/q1\.md:\d+: WARNING: could not find bibtex key \"lovelace1843note\" \[bibtex\.key_not_found\]",
    ),
    "malformed bib": (
        "panel",
        "refs.bib",
        "title = {",
        "title = {{",
        r"{src}/refs\.bib:\d+: ERROR: entry 'lovelace1843notes': unbalanced braces: the entry never closes",
    ),
    "bad bib field": (
        "panel",
        "refs.bib",
        "url = {https://",
        "url = {htps://",
        r"{src}/refs\.bib:\d+: WARNING: entry 'lovelace1843notes', field 'url': malformed: .* \[panel\.bib\]",
    ),
    "unknown registry field": (
        "panel",
        "_data/speakers.yaml",
        "  presence: online",
        "  presense: online",
        r"{src}/_data/speakers\.yaml:20: ERROR: speaker 'bob' has an unknown field 'presense'",
    ),
    "answer and turn disagree": (
        "panel",
        "q1.md",
        ":attribution: inferred\n",
        ":attribution: named\n",
        r"{src}/q1\.md:\d+: WARNING: the answer by 'bob' is named, its turn at {src}/_data/turns/01-vision-core\.yaml:17 is inferred \[panel\.turns\]",
    ),
    "turn by an unknown speaker": (
        "panel",
        "_data/turns/02-unify.yaml",
        "  - speaker: ada",
        "  - speaker: adda",
        r"{src}/_data/turns/02-unify\.yaml:9: ERROR: unknown speaker 'adda' \(not in the registry, nor audience or unidentified\)",
    ),
    "turn start not in its paragraph": (
        "panel",
        "_data/turns/02-unify.yaml",
        '"我觉得一定会统一"',
        '"我觉得一定不会统一"',
        r"{src}/_data/turns/02-unify\.yaml:11: ERROR: ¶5 has no '我觉得一定不会统一' after the previous turn's start",
    ),
    "turn with a wrong range": (
        "panel",
        "_data/turns/02-unify.yaml",
        'paragraphs: "4"',
        'paragraphs: "4-5"',
        r"{src}/_data/turns/02-unify\.yaml:\d+: ERROR: the turn runs over ¶4, not ¶4-5",
    ),
    "registry not YAML": (
        "panel",
        "_data/speakers.yaml",
        "  role: panelist\n  presence: online",
        "  role: [panelist\n  presence: online",
        r"{src}/_data/speakers\.yaml:\d+: ERROR: not valid YAML: .*",
    ),
    # the same kinds of mistake in the real book
    "book: missing citation key": (
        "book",
        "questions/05-autoregressive-vs-diffusion.md",
        "{cite:p}`sutton2019bitter`",
        "{cite:p}`sutton2019bitterness`",
        r"{src}/questions/05-autoregressive-vs-diffusion\.md:\d+: WARNING: could not find bibtex key \"sutton2019bitterness\" \[bibtex\.key_not_found\]",
    ),
    "book: broken cross-reference": (
        "book",
        "index.md",
        "The [stance matrix](stance-matrix.md)",
        "The [stance matrix](stance-matrices.md)",
        r"{src}/index\.md:\d+: WARNING: 'myst' cross-reference target not found: 'stance-matrices\.md' \[myst\.xref_missing\]",
    ),
    "book: unknown speaker": (
        "book",
        "questions/05-autoregressive-vs-diffusion.md",
        "{speaker}`jiahui-yu` (online)",
        "{speaker}`jiahui-yue` (online)",
        r"{src}/questions/05-autoregressive-vs-diffusion\.md:\d+: WARNING: unknown speaker 'jiahui-yue' \(known: .*\) \[panel\.unknown_speaker\]",
    ),
    "book: malformed bib field": (
        "book",
        "../references.bib",
        "@misc{sutton2019bitter,",
        "@misc{sutton2019bitter,\n  doi = {not-a-doi},",
        r"{top}/references\.bib:\d+: WARNING: entry 'sutton2019bitter', field 'doi': malformed: 'not-a-doi' is not a DOI like 10\.1109/CVPR\.2016\.90 \[panel\.bib\]",
    ),
    "book: unbalanced bib entry": (
        "book",
        "../references.bib",
        "@misc{sutton2019bitter,",
        "@misc{sutton2019bitter,\n  note = {open {brace},",
        r"{top}/references\.bib:\d+: ERROR: entry 'sutton2019bitter': unbalanced braces: the entry never closes",
    ),
    "book: inline style": (
        "book",
        "questions/05-autoregressive-vs-diffusion.md",
        "## Context\n",
        '## Context\n\n<span style="color: red">New</span>\n',
        r"{src}/questions/05-autoregressive-vs-diffusion\.md: WARNING: a style= attribute, which the Content-Security-Policy blocks.*",
    ),
    "book: duplicate bib key": (
        "book",
        "../references.bib",
        "@misc{sutton2019bitter,",
        "@misc{sutton2019bitter,\n  author = {Rich Sutton},\n  title = {A Copy},\n  year = {2019},\n"
        "  url = {http://www.incompleteideas.net/IncIdeas/BitterLesson.html},\n}\n\n@misc{sutton2019bitter,",
        r"{top}/references\.bib:\d+: ERROR: entry 'sutton2019bitter': duplicate key \(first at line \d+\)",
    ),
}


@pytest.mark.parametrize("fault", FAULTS, ids=[name.replace(" ", "-") for name in FAULTS])
def test_a_fault_is_one_line_naming_file_and_line(fault, tmp_path):
    root, relpath, old, new, expected = FAULTS[fault]
    src = copy_book(tmp_path) if root == "book" else Path(shutil.copytree(ROOT, tmp_path / "src"))
    inject_fault((src / relpath).resolve(), old, new)
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", *STRICT, str(src), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode != 0
    where = {"src": re.escape(str(src)), "top": re.escape(str(tmp_path))}
    assert re.fullmatch(expected.format(**where) + "\n", build.stderr), build.stderr
