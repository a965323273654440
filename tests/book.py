"""Helpers for tests that build the real book with the real command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STRICT = ["-W", "--keep-going", "-n"]


@dataclass
class Build:
    returncode: int
    output: str  # stdout and stderr: where Sphinx's warnings go
    outdir: Path


# sphinxext-opengraph prints this on import when matplotlib (for its optional social cards) is absent
OPENGRAPH_NOTICE = "matplotlib is not installed, social cards will not be generated\n"


def sphinx_build(
    srcdir: Path, outdir: Path, builder: str = "html", *extra: str, doctrees: Path | None = None, **env_vars: str
) -> Build:
    """Build with the strict command line. By default no PDFs are linked and no site address is
    known, whatever the working tree holds; keyword arguments set environment variables."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1718000000"))
    for name in (
        "NOTES_BASE_URL",
        "NOTES_REPOSITORY_URL",
        "READTHEDOCS_CANONICAL_URL",
        "GITHUB_REPOSITORY",
        "NOTES_LANGUAGE",
    ):
        env.pop(name, None)
    # a fixed path (it is part of the configuration, so it must not vary with outdir)
    env["NOTES_DOWNLOADS_DIR"] = env["NOTES_DOWNLOADS_DIR_ZH"] = "/nonexistent/panel-notes-downloads"
    env.update(env_vars)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            builder,
            "-q",
            *STRICT,
            *extra,
            "-d",
            str(doctrees or outdir.parent / f"{outdir.name}.doctrees"),
            str(srcdir),
            str(outdir),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return Build(proc.returncode, (proc.stdout + proc.stderr).replace(OPENGRAPH_NOTICE, ""), outdir)


def copy_book(dest: Path) -> Path:
    """A copy of the book's sources to break on purpose, as a git repository of its own (the
    pages' "last updated" dates come from git); returns its docs/."""
    shutil.copytree(REPO / "docs", dest / "docs", ignore=shutil.ignore_patterns("_build"))
    for name in ("references.bib", "CITATION.cff"):
        shutil.copy(REPO / name, dest / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-C", str(dest)]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "copy"], check=True)
    return dest / "docs"


def inject_fault(path: Path, old: str, new: str) -> None:
    """Replace the first *old* in the file at *path* with *new* (a writer's mistake)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the fault's anchor text is gone from {path.name}: update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
