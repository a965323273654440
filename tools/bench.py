#!/usr/bin/env python3
"""Benchmark the book's builds and pages: ``make bench``.

A benchmark, not a test: it runs each build several times, prints one table of median, min and
max against the targets we set ourselves, a table per page (page weight and Lighthouse), and writes
the same figures to a JSON file. It never fails because a target is missed; it fails only when a
build or a tool fails.

Everything is built from a snapshot of the work tree (with its .git, which the "last updated"
dates come from, and src/ first on PYTHONPATH) in a temporary directory, so the real docs/ is never
touched (the one-chapter rebuild edits the copy) and edits others make while the benchmark runs
cannot change what is measured half-way. Stdlib only.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import posixpath
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPHINX_BUILD = ROOT / ".venv" / "bin" / "sphinx-build"
SPHINXOPTS = ["-W", "--keep-going", "-n"]  # the Makefile's strict options
LATEXMKOPTS = "-interaction=nonstopmode -halt-on-error -quiet"  # as in the Makefile
BENCH_DIR = ROOT / ".bench"  # where Lighthouse is installed from the npm registry
LIGHTHOUSE_SPEC = "lighthouse@13"
LIGHTHOUSE_CLI = BENCH_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME_PATH = "/usr/bin/chromium"  # Debian's Chromium: Lighthouse must not download a browser
# No background traffic: this machine's network is closed, and Chromium's own connections would
# otherwise fail (and add noise to the timings) at every start.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
    " --disable-component-update --disable-sync --no-first-run"
)
# Left out of the snapshot: build output, installs and caches.
SNAPSHOT_SKIP = [".venv", "_build", ".bench", "node_modules", ".pytest_cache", "__pycache__", "*.egg-info",
                 "build", "dist", "bench-results.json"]  # fmt: skip
KB = 1024  # KB as Lighthouse reports them (KiB)
# Only text is compressed by a web host; fonts (woff2) and images are already compressed.
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".map"}
GZIP_LEVEL = 6  # a typical host's setting (Python's default of 9 would flatter us slightly)

# Targets (issue "make bench"). Build times are judged on the median of the runs; page figures on
# the worst chapter page, since the target applies to every chapter page.
TARGET_CLEAN_S = 5.0
TARGET_INCREMENTAL_RATIO = 1.5
TARGET_BOOK_PDF_S = 30.0
TARGET_BOOK_AND_HANDOUTS_S = 60.0
TARGET_PERF = 95
TARGET_A11Y = 100
TARGET_LCP_S = 2.0
TARGET_TRANSFER_KB = 300


# --- running things --------------------------------------------------------------------------------


def run(cmd: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 900) -> tuple[float, str]:
    """Run a command, return (wall seconds, combined output); stop the benchmark if it fails."""
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: command failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-4000:]}")
    return elapsed, proc.stdout


def source_date_epoch() -> str:
    """The Makefile exports it; when run by hand, take it from git the same way."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or "0"


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    return (out.stdout.strip() or out.stderr.strip()).splitlines()[0] if (out.stdout or out.stderr) else "?"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


# --- Sphinx ----------------------------------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Sphinx's progress lines, e.g. "writing output... [ 42%] questions/05-autoregressive-vs-diffusion"
PROGRESS = re.compile(r"(reading sources|writing output)\.\.\. \[\s*\d+%\] (\S+)")


def progress(output: str) -> dict[str, list[str]]:
    """The documents Sphinx re-read and re-wrote, from its progress lines ('\\r'-separated off a tty)."""
    seen: dict[str, list[str]] = {"reading sources": [], "writing output": []}
    for line in re.split(r"[\r\n]+", ANSI.sub("", output)):
        if m := PROGRESS.search(line):
            if m.group(2) not in seen[m.group(1)]:
                seen[m.group(1)].append(m.group(2))
    return {"reread": seen["reading sources"], "written": seen["writing output"]}


def sphinx(builder: str, src: Path, out: Path, env: dict[str, str], fresh: bool = False) -> tuple[float, str]:
    cmd = [str(SPHINX_BUILD), "-b", builder, str(src), str(out), *SPHINXOPTS]
    return run(cmd + (["-E"] if fresh else []), env)


# --- page weight -----------------------------------------------------------------------------------


class Resources(HTMLParser):
    """What a first visit fetches from the HTML itself: stylesheets, scripts, images, preloads, icons."""

    FETCHED_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut icon", "apple-touch-icon"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and a.get("rel", "").lower() in self.FETCHED_RELS and a.get("href"):
            self.urls.append(a["href"])
        elif tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"])


CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""")
FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}", re.S)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


def css_resources(css: str) -> list[str]:
    """@imports, and for each @font-face the first source, which is the one a modern browser takes
    (woff2 comes first). Other url()s (background images) load only when an element uses them."""
    urls = CSS_IMPORT.findall(css)
    for block in FONT_FACE.findall(css):
        srcs = [u for u in CSS_URL.findall(block) if not u.startswith("data:")]
        urls += srcs[:1]
    return urls


@dataclass
class PageWeight:
    page: str
    raw: int = 0
    gzip: int = 0
    files: list[dict] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def page_weight(site: Path, page: str) -> PageWeight:
    """Bytes a first visit to one page fetches from our own site: raw, and gzip-compressed as a host
    would send them. Off-site requests (none expected but MathJax) are listed, not counted."""
    weight = PageWeight(page)
    seen: set[str] = set()
    queue = [page]  # site-relative paths, resolved against the page that references them
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        file = site / path
        if not file.is_file():
            weight.missing.append(path)
            continue
        data = file.read_bytes()
        compressed = len(gzip.compress(data, GZIP_LEVEL)) if file.suffix in COMPRESSIBLE else len(data)
        weight.raw += len(data)
        weight.gzip += compressed
        weight.files.append({"path": path, "raw": len(data), "gzip": compressed})
        if file.suffix == ".html":
            parser = Resources()
            parser.feed(data.decode("utf-8", "replace"))
            refs = parser.urls
        elif file.suffix == ".css":
            refs = css_resources(data.decode("utf-8", "replace"))
        else:
            refs = []
        for ref in refs:
            parts = urllib.parse.urlsplit(ref)
            if parts.scheme in ("http", "https") or ref.startswith("//"):
                weight.offsite.append(ref)
            elif not parts.scheme and parts.path:  # skip data: URIs and fragment-only links
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), urllib.parse.unquote(parts.path)))
                queue.append(target)
    return weight


# --- Lighthouse ------------------------------------------------------------------------------------


def ensure_lighthouse() -> str:
    """Install Lighthouse from the npm registry into .bench/, once."""
    if not LIGHTHOUSE_CLI.is_file():
        if not shutil.which("npm"):
            sys.exit("bench: Lighthouse needs Node.js and npm (apt-get install nodejs npm)")
        print(f"bench: installing {LIGHTHOUSE_SPEC} into {BENCH_DIR.relative_to(ROOT)}/ ...", flush=True)
        # Puppeteer must not try to download a browser of its own: we use Debian's Chromium.
        env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
        run(["npm", "install", "--prefix", str(BENCH_DIR), LIGHTHOUSE_SPEC], env, timeout=600)
    package = json.loads((LIGHTHOUSE_CLI.parent.parent / "package.json").read_text())
    return package["version"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """python -m http.server on the loopback interface only, stopped when the block ends."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", str(directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> "Server":
        for _ in range(100):  # wait until it answers
            try:
                urllib.request.urlopen(self.url, timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        sys.exit("bench: the local HTTP server did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def lighthouse(url: str, workdir: Path) -> dict:
    """One Lighthouse run (mobile preset, simulated throttling); errors are recorded, not fatal."""
    report = workdir / "lighthouse.json"
    report.unlink(missing_ok=True)
    cmd = [
        "node", str(LIGHTHOUSE_CLI), url, "--output=json", f"--output-path={report}", "--quiet",
        f"--chrome-flags={CHROME_FLAGS}", "--form-factor=mobile",
    ]  # fmt: skip
    env = dict(os.environ, CHROME_PATH=CHROME_PATH)
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return {"error": "Lighthouse timed out after 300 s"}
    if proc.returncode != 0 or not report.is_file():
        return {"error": f"exit {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-2000:]}"}
    data = json.loads(report.read_text())
    if data.get("runtimeError"):
        return {"error": f"{data['runtimeError'].get('code')}: {data['runtimeError'].get('message')}"}

    def score(category: str) -> float | None:
        value = data["categories"][category]["score"]
        return None if value is None else round(value * 100)

    audits = data["audits"]
    return {
        "performance": score("performance"),
        "accessibility": score("accessibility"),
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "tti_ms": audits["interactive"]["numericValue"],
        "observed_fcp_ms": audits["metrics"]["details"]["items"][0].get("observedFirstContentfulPaint"),
        "transfer_bytes": audits["total-byte-weight"]["numericValue"],
        "warnings": data.get("runWarnings", []),
        "lighthouse_version": data.get("lighthouseVersion"),
        "user_agent": data.get("environment", {}).get("hostUserAgent"),
    }


def median_run(runs: list[dict]) -> dict:
    """The run Lighthouse itself would report for several (its lib/median-run.js): the one
    nearest to the median first contentful paint and the median time to interactive. Runs of
    headless Chromium sometimes paint a second late for reasons of its own (Lighthouse issue
    #17148), and Lighthouse's simulation then counts every request as blocking the paint; one run
    per page would report that as the page's speed."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    fcp = statistics.median(r["fcp_ms"] for r in good)
    tti = statistics.median(r["tti_ms"] for r in good)
    chosen = min(good, key=lambda r: (r["fcp_ms"] - fcp) ** 2 + (r["tti_ms"] - tti) ** 2)
    return {**chosen, "runs": runs}


# --- figures and tables ----------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    unit: str
    values: list[float]
    target: str = ""
    met: bool | None = None  # None: no target, or not measured

    def stats(self) -> tuple[float, float, float] | None:
        return (statistics.median(self.values), min(self.values), max(self.values)) if self.values else None

    def as_json(self) -> dict:
        s = self.stats()
        return {
            "name": self.name, "unit": self.unit, "values": self.values,
            "median": s and s[0], "min": s and s[1], "max": s and s[2],
            "target": self.target or None, "met": self.met,
        }  # fmt: skip


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.2f}"
    return f"{value:.0f}" if unit in ("score", "KB") else f"{value:.2f}"


def table(headers: list[str], rows: list[list[str]], left: int = 1) -> str:
    """Plain aligned text; the first `left` columns are left-aligned, numbers right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for n, row in enumerate([headers, *rows]):
        cells = [str(c).ljust(w) if i < left else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def yes_no(met: bool | None) -> str:
    return "-" if met is None else ("yes" if met else "NO")


# --- the benchmark ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (default 3)")
    parser.add_argument("--json", default="bench-results.json", help="where to write the results")
    parser.add_argument("--skip-pdf", action="store_true", help="skip the LaTeX/PDF builds")
    parser.add_argument("--skip-lighthouse", action="store_true", help="skip Lighthouse")
    parser.add_argument("--lighthouse-runs", type=int, default=3,
                        help="Lighthouse runs per page, of which the median run is reported (default 3)")
    args = parser.parse_args()
    if args.runs < 1 or args.lighthouse_runs < 1:
        parser.error("--runs and --lighthouse-runs must be at least 1")
    if not SPHINX_BUILD.exists():
        sys.exit("bench: no .venv; run `make deps` (or `make bench`) first")

    env = dict(os.environ, SOURCE_DATE_EPOCH=source_date_epoch())
    figures: list[Figure] = []
    errors: list[str] = []
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "HEAD"),
        # others may be editing: say whether the snapshot differs from the commit
        "uncommitted_changes": git("status", "--porcelain").splitlines(),
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(),
        "python": sys.version.split()[0],
        "sphinx": tool_version([str(SPHINX_BUILD), "--version"]),
        "sphinxopts": SPHINXOPTS,
        "source_date_epoch": env["SOURCE_DATE_EPOCH"],
    }
    print(f"bench: {args.runs} run(s) per build, load average at start {meta['loadavg_at_start'][0]:.2f}", flush=True)
    if meta["loadavg_at_start"][0] > 0.5:  # on 2 cores, anything else running inflates every timing
        print("bench: warning: the machine is not idle; the timings will be inflated", flush=True)

    with tempfile.TemporaryDirectory(prefix="panel-bench-") as tmp_name:
        tmp = Path(tmp_name)
        # The snapshot: the whole tree, since conf.py reaches outside docs/ (references.bib,
        # CITATION.cff, git history), less what is built or installed.
        snapshot = tmp / "tree"
        shutil.copytree(ROOT, snapshot, symlinks=True, ignore=shutil.ignore_patterns(*SNAPSHOT_SKIP))
        src = snapshot / "docs"
        # The extension is installed editable from the real src/: use the snapshot's instead.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot / "src"), env.get("PYTHONPATH")]))
        chapters = sorted(src.glob("questions/*.md"))

        # 1. Clean HTML builds, each into a fresh directory.
        clean = []
        for i in range(args.runs):
            out = tmp / f"html-{i}"
            seconds, _ = sphinx("html", src, out, env, fresh=True)
            clean.append(seconds)
            print(f"  clean HTML build {i + 1}/{args.runs}: {seconds:.2f} s", flush=True)
            if i:  # keep the first for the rebuilds and the pages
                shutil.rmtree(out)
        site = tmp / "html-0"
        figures.append(Figure("HTML clean build (-E)", "s", clean, f"<= {TARGET_CLEAN_S:g} s"))
        figures[-1].met = statistics.median(clean) <= TARGET_CLEAN_S

        # 2. Rebuild with nothing changed: Sphinx's start-up and checking cost.
        nochange, nochange_pages = [], {}
        for i in range(args.runs):
            seconds, output = sphinx("html", src, site, env)
            nochange.append(seconds)
            nochange_pages = progress(output)
            print(f"  no-change rebuild {i + 1}/{args.runs}: {seconds:.2f} s", flush=True)
        figures.append(Figure("HTML rebuild, nothing changed", "s", nochange))

        # 3. Rebuild after editing one chapter (in the copy): a MyST comment appended, so nothing
        #    visible changes; then restore it and rebuild untimed, so every run starts the same.
        chapter = chapters[0]
        original = chapter.read_text(encoding="utf-8")
        edited, edited_pages = [], {}
        for i in range(args.runs):
            chapter.write_text(original + f"\n% bench: harmless edit {i}\n", encoding="utf-8")
            seconds, output = sphinx("html", src, site, env)
            edited.append(seconds)
            edited_pages = progress(output)
            chapter.write_text(original, encoding="utf-8")
            sphinx("html", src, site, env)
            print(f"  one-chapter rebuild {i + 1}/{args.runs}: {seconds:.2f} s", flush=True)
        limit = TARGET_INCREMENTAL_RATIO * statistics.median(nochange)
        figures.append(
            Figure(
                f"HTML rebuild, one chapter edited ({chapter.stem[:2]})", "s", edited,
                f"<= {TARGET_INCREMENTAL_RATIO:g} x no-change ({limit:.2f} s)",
                statistics.median(edited) <= limit,
            )
        )  # fmt: skip
        rebuilds = {
            "edited_chapter": f"questions/{chapter.stem}",
            "no_change": nochange_pages,
            "one_chapter": edited_pages,
        }

        # 4. PDFs: Sphinx's LaTeX builder into a fresh directory, then the book, then the handouts
        #    two at a time, as `make pdf handouts` does them.
        if args.skip_pdf:
            figures.append(Figure("PDF", "s", [], "skipped"))
        else:
            latex_s, book_s, handouts_s = [], [], []
            for i in range(args.runs):
                latex = tmp / f"latex-{i}"
                seconds, _ = sphinx("latex", src, latex, env, fresh=True)
                latex_s.append(seconds)
                make = ["make", "-C", str(latex), f"LATEXMKOPTS={LATEXMKOPTS}"]
                book_s.append(run([*make, "panel-notes.pdf"], env)[0])
                handouts = sorted(p.with_suffix(".pdf").name for p in latex.glob("handout-*.tex"))
                handouts_s.append(run([*make, "-j2", *handouts], env)[0])
                print(
                    f"  PDF {i + 1}/{args.runs}: LaTeX builder {latex_s[-1]:.2f} s, book {book_s[-1]:.2f} s,"
                    f" {len(handouts)} handouts (-j2) {handouts_s[-1]:.2f} s",
                    flush=True,
                )
                shutil.rmtree(latex)
            book_total = [a + b for a, b in zip(latex_s, book_s)]
            all_total = [a + b + c for a, b, c in zip(latex_s, book_s, handouts_s)]
            figures += [
                Figure("PDF: Sphinx LaTeX builder", "s", latex_s),
                Figure("PDF: book, LaTeX run", "s", book_s),
                Figure("PDF: book, total (builder + LaTeX)", "s", book_total, f"<= {TARGET_BOOK_PDF_S:g} s",
                       statistics.median(book_total) <= TARGET_BOOK_PDF_S),
                Figure("PDF: handouts, LaTeX runs (-j2)", "s", handouts_s),
                Figure("PDF: book + handouts, total", "s", all_total, f"<= {TARGET_BOOK_AND_HANDOUTS_S:g} s",
                       statistics.median(all_total) <= TARGET_BOOK_AND_HANDOUTS_S),
            ]  # fmt: skip

        # 5. Pages: the index and every chapter.
        pages = ["index.html"] + [f"questions/{c.stem}.html" for c in chapters]
        weights = {p: page_weight(site, p) for p in pages}
        for w in weights.values():
            errors += [f"{w.page}: references a missing file {m}" for m in w.missing]
        chapter_pages = pages[1:]
        figures.append(
            Figure(
                "Page weight, first visit, raw (chapters)", "KB",
                [weights[p].raw / KB for p in chapter_pages],
            )
        )  # fmt: skip
        gz = [weights[p].gzip / KB for p in chapter_pages]
        figures.append(
            Figure(
                "Page weight, first visit, gzip (chapters)", "KB", gz,
                f"<= {TARGET_TRANSFER_KB} KB if the host compresses", max(gz) <= TARGET_TRANSFER_KB,
            )
        )  # fmt: skip

        # 6. Lighthouse, the median of several runs per page (a run takes ~15 s).
        scores: dict[str, dict] = {}
        if args.skip_lighthouse:
            figures.append(Figure("Lighthouse", "score", [], "skipped"))
        else:
            if not Path(CHROME_PATH).exists():
                sys.exit("bench: Lighthouse needs Debian's Chromium: apt-get install chromium")
            meta["lighthouse"] = ensure_lighthouse()
            meta["node"] = tool_version(["node", "--version"])
            meta["chromium"] = tool_version([CHROME_PATH, "--version"])
            meta["chrome_flags"] = CHROME_FLAGS
            with Server(site) as server:
                for n, page in enumerate(pages, 1):
                    scores[page] = median_run([lighthouse(server.url + page, tmp) for _ in range(args.lighthouse_runs)])
                    result = scores[page]
                    if "error" in result:
                        errors.append(f"Lighthouse on {page}: {result['error']}")
                    print(f"  Lighthouse {n}/{len(pages)} {page}: {result.get('error') or 'ok'}", flush=True)
            good = [scores[p] for p in chapter_pages if "error" not in scores[p]]
            complete = len(good) == len(chapter_pages)  # a target is met only if every page was measured

            def lh(name: str, unit: str, key: str, scale: float, target: str, ok) -> Figure:
                values = [r[key] / scale for r in good if r[key] is not None]
                met = (complete and len(values) == len(good) and all(ok(v) for v in values)) if good else None
                return Figure(name, unit, values, target, met)

            figures += [
                lh("Lighthouse performance (chapters)", "score", "performance", 1,
                   f">= {TARGET_PERF} every page", lambda v: v >= TARGET_PERF),
                lh("Lighthouse accessibility (chapters)", "score", "accessibility", 1,
                   f"{TARGET_A11Y} every page", lambda v: v >= TARGET_A11Y),
                lh("Lighthouse LCP (chapters)", "s", "lcp_s", 1,
                   f"<= {TARGET_LCP_S:g} s every page", lambda v: v <= TARGET_LCP_S),
                lh("Lighthouse transferred, first visit (chapters)", "KB", "transfer_bytes", KB,
                   f"<= {TARGET_TRANSFER_KB} KB every page", lambda v: v <= TARGET_TRANSFER_KB),
            ]  # fmt: skip

    # --- report -----------------------------------------------------------------------------------
    rows = []
    for f in figures:
        s = f.stats()
        label = f.name if f.unit == "score" else f"{f.name}, {f.unit}"
        rows.append([label, *(fmt(v, f.unit) for v in (s or (None,) * 3)), f.target or "-", yes_no(f.met)])
    print()
    print(table(["figure", "median", "min", "max", "target", "met?"], rows, left=1))

    page_rows = []
    for p in pages:
        r, w = scores.get(p, {}), weights[p]
        lh_ok = r and "error" not in r
        page_rows.append(
            [
                p.removesuffix(".html"),
                fmt(r.get("performance"), "score") if lh_ok else ("error" if r else "-"),
                fmt(r.get("accessibility"), "score") if lh_ok else "-",
                f"{r['lcp_s']:.2f}" if lh_ok else "-",
                f"{r['transfer_bytes'] / KB:.0f}" if lh_ok else "-",
                f"{w.raw / KB:.0f}",
                f"{w.gzip / KB:.0f}",
            ]
        )
    print()
    print(table(["page", "perf", "a11y", "LCP s", "KB transferred", "raw KB", "gzip KB"], page_rows))

    print()
    print(f"one-chapter rebuild ({rebuilds['edited_chapter']}) re-wrote: {', '.join(edited_pages['written']) or 'nothing'}")
    print(f"no-change rebuild re-wrote: {', '.join(nochange_pages['written']) or 'nothing'}")
    offsite = sorted({u for w in weights.values() for u in w.offsite})
    if offsite:
        print(f"off-site requests (not counted): {', '.join(offsite)}")
    meta["loadavg_at_end"] = os.getloadavg()
    print("Page weight counts every font a stylesheet declares (an upper bound); Lighthouse counts what is fetched.")
    print("KB = 1024 bytes. Lighthouse: mobile preset, simulated throttling, served uncompressed by python -m http.server;")
    print(f"per page, the median of {args.lighthouse_runs} runs (the run nearest the median FCP and TTI, as Lighthouse picks it).")
    for e in errors:
        print(f"error: {e}")

    results = {
        "meta": meta,
        "figures": [f.as_json() for f in figures],
        "rebuilds": rebuilds,
        "pages": [
            {
                "page": p,
                "weight": {"raw": weights[p].raw, "gzip": weights[p].gzip, "files": weights[p].files,
                           "offsite": weights[p].offsite, "missing": weights[p].missing},
                "lighthouse": scores.get(p),
            }
            for p in pages
        ],  # fmt: skip
        "errors": errors,
    }
    out = Path(args.json)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresults written to {out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
