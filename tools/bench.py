#!/usr/bin/env python3
"""Benchmark the book's builds and pages: ``make bench``.

hyperfine times the builds; Lighthouse CI runs Lighthouse on each page and checks the budgets on its
median run. This script adds what neither does (the weight of a first visit to each page, raw and
gzip), prints a table against our targets and one per page, and writes bench-results.json. It fails
when a build or a tool fails, never because a target is missed.
"""

import argparse
import contextlib
import datetime
import gzip
import json
import os
import posixpath
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPHINX = f"{shlex.quote(str(ROOT / '.venv/bin/sphinx-build'))} -W --keep-going -n"  # the Makefile's strict options
LATEXMKOPTS = "-interaction=nonstopmode -halt-on-error -quiet"  # as in the Makefile
LHCI = ROOT / "tools/node_modules/.bin/lhci"  # pinned in tools/package.json
CHROME_PATH = "/usr/bin/chromium"  # Debian's: nothing may download a browser
# lhci adds --headless=new, Lighthouse's launcher its quiet defaults (no background networking, no sync).
CHROME_FLAGS = "--no-sandbox --disable-gpu"
SNAPSHOT_SKIP = [".venv", "_build", "node_modules", ".pytest_cache", "__pycache__", "*.egg-info", "build", "dist",
                 "bench-results.json"]  # build output, installs and caches  # fmt: skip
FETCHED_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut icon", "apple-touch-icon"}  # <link rel>
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".map"}  # fonts, images: already
GZIP_LEVEL = 6  # a typical host's setting (Python's default of 9 would flatter us slightly)
KB = 1024  # as Lighthouse counts them (KiB)
# Targets: build times are judged on the median run, page budgets on every page.
TARGET_CLEAN_S, TARGET_INCREMENTAL_RATIO, TARGET_BOOK_PDF_S, TARGET_ALL_PDF_S, TARGET_KB = 5.0, 1.5, 30.0, 60.0, 300
TARGET_BOTH_EDITIONS_S = 15.0
# What lhci assert checks: (budget in Lighthouse's units, our row, its unit, from Lighthouse's units to ours, target)
BUDGETS = {
    "categories:performance": ({"minScore": 0.95}, "Lighthouse performance", "score", 100, ">= 95"),
    "categories:accessibility": ({"minScore": 1}, "Lighthouse accessibility", "score", 100, "100"),
    "largest-contentful-paint": ({"maxNumericValue": 2000}, "Lighthouse LCP", "s", 1 / 1000, "<= 2 s"),
    "total-byte-weight": ({"maxNumericValue": TARGET_KB * KB}, "Lighthouse transferred", "KB", 1 / KB,
                          f"<= {TARGET_KB} KB"),
    "resource-summary:font:count": ({"maxNumericValue": 0}, "Lighthouse web fonts fetched", "count", 1, "0"),
}  # fmt: skip
SITE_ADDRESS = "https://notes.example.org/panel/"  # any address: with one, the build draws link-preview cards


def figure(name: str, unit: str, values: list[float], target: str = "", met: bool | None = None) -> dict:
    """One row of the table: median, min and max of the values."""
    stats = {"median": statistics.median(values), "min": min(values), "max": max(values)} if values else {}
    return {"figure": name, "unit": unit, **stats, "values": values, "target": target, "met": met}


def judge(row: dict, limit: float, target: str = "") -> dict:
    """A timing against its target, met when its median run is within the limit."""
    return {**row, "target": target or f"<= {limit:g} s", "met": row["median"] <= limit}


def hyperfine(name: str, command: str, runs: int, prepare: str = "", cleanup: str = "") -> dict:
    """Time a shell command with hyperfine; the row takes median, min and max from its JSON export."""
    cmd = ["hyperfine", "--runs", str(runs), "--export-json", "hyperfine.json", "--command-name", name, command]
    subprocess.run(cmd + (["--prepare", prepare] if prepare else []) + (["--cleanup", cleanup] if cleanup else []),
                   check=True)  # fmt: skip
    result = json.loads(Path("hyperfine.json").read_text())["results"][0]
    return {**figure(f"{name}, s", "s", result["times"]), **{k: result[k] for k in ("median", "min", "max")}}


def total(name: str, *steps: dict) -> dict:
    """Run-by-run sum of steps timed one after the other (run i of each)."""
    return figure(f"{name}, s", "s", [sum(t) for t in zip(*(step["values"] for step in steps), strict=True)])


def html_timings(chapter: Path, runs: int) -> list[dict]:
    """A clean build into a fresh directory, a rebuild with nothing changed, and one after an
    invisible edit (a MyST comment) to one chapter, every run starting from the same built state."""
    build = f"{SPHINX} -b html tree/docs html"
    shutil.copy(chapter, "chapter.orig")
    restore, edit = f"cp chapter.orig {chapter} && {build}", f"echo '% bench edit' >> {chapter}"
    clean = hyperfine("HTML clean build (-E)", f"{build} -E", runs, prepare="rm -rf html")
    nochange = hyperfine("HTML rebuild, nothing changed", build, runs)
    edited = hyperfine(f"HTML rebuild, one chapter edited ({chapter.stem[:2]})", build, runs,
                       prepare=f"{restore} && {edit}", cleanup=restore)  # fmt: skip
    limit = TARGET_INCREMENTAL_RATIO * nochange["median"]
    ratio = f"<= {TARGET_INCREMENTAL_RATIO:g} x no-change ({limit:.2f} s)"
    # as `make html` runs them: the English and the Chinese edition at once, from an empty folder
    english = f"{SPHINX} -b html tree/docs both -d both.doctrees/en"
    chinese = f"NOTES_LANGUAGE=zh_CN {SPHINX} -b html tree/docs both/zh -d both.doctrees/zh"
    both = hyperfine("HTML, both editions at once, empty build folder", f"{english} & en=$!; {chinese} && wait $en",
                     runs, prepare="rm -rf both both.doctrees")  # fmt: skip
    # the cards, timed apart: they are drawn only when the site's address is known, and kept in a
    # cache beside the doctrees, which a clean build (-E) keeps
    published = f"NOTES_BASE_URL={SITE_ADDRESS} {SPHINX} -b html tree/docs published -d published.doctrees -E"
    drawn = hyperfine("HTML with the site's address, English, every card drawn", published, runs,
                      prepare="rm -rf published published.doctrees")  # fmt: skip
    cached = hyperfine("HTML with the site's address, English, cards from the cache", published, runs)
    return [judge(clean, TARGET_CLEAN_S), nochange, judge(edited, limit, ratio), judge(both, TARGET_BOTH_EDITIONS_S),
            drawn, cached]  # fmt: skip


def pdf_timings(runs: int) -> list[dict]:
    """Sphinx's LaTeX builder into a fresh directory, then the book, then the handouts two at a time
    (as `make pdf handouts` runs them), each in a fresh copy of the builder's output."""
    builder = hyperfine("PDF: Sphinx LaTeX builder", f"{SPHINX} -b latex tree/docs latex -E", runs, "rm -rf latex")
    fresh, make = "rm -rf run && cp -a latex run", f"make -C run LATEXMKOPTS={shlex.quote(LATEXMKOPTS)}"
    book = hyperfine("PDF: book, LaTeX run", f"{make} panel-notes.pdf", runs, prepare=fresh)
    handouts = " ".join(sorted(p.with_suffix(".pdf").name for p in Path("latex").glob("handout-*.tex")))
    handouts_s = hyperfine("PDF: handouts, LaTeX runs (-j2)", f"{make} -j2 {handouts}", runs, prepare=fresh)
    book_total = judge(total("PDF: book, total (builder + LaTeX)", builder, book), TARGET_BOOK_PDF_S)
    all_total = judge(total("PDF: book + handouts, total", builder, book, handouts_s), TARGET_ALL_PDF_S)
    return [builder, book, book_total, handouts_s, all_total]


def html_resources(html: str) -> list[str]:
    """What a first visit fetches from the HTML itself: stylesheets, scripts, images, preloads, icons."""
    urls: list[str] = []

    class Page(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag in ("script", "img") or tag == "link" and a.get("rel", "").lower() in FETCHED_RELS:
                urls.append(a.get("href" if tag == "link" else "src", ""))

    Page().feed(html)
    return urls


def css_resources(css: str) -> list[str]:
    """@imports. Fonts and other url()s (background images) load only when an element uses them:
    Lighthouse's count of fetched web fonts says whether any page does."""
    return re.findall(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", css)


def page_weight(site: Path, page: str) -> dict:
    """Bytes a first visit to one page fetches from our own site: raw, and gzip-compressed as a host
    would send them ("sent", per file). Off-site requests are left out; missing files are listed."""
    weight: dict = {"raw": 0, "gzip": 0, "sent": {}, "missing": []}
    queue = [page]  # site-relative paths
    while queue:
        path = queue.pop(0)
        file = site / path
        if path in weight["sent"] or path in weight["missing"]:
            continue
        if not file.is_file():
            weight["missing"].append(path)
            continue
        data = file.read_bytes()
        weight["sent"][path] = len(gzip.compress(data, GZIP_LEVEL)) if file.suffix in COMPRESSIBLE else len(data)
        weight["raw"], weight["gzip"] = weight["raw"] + len(data), weight["gzip"] + weight["sent"][path]
        parse = {".html": html_resources, ".css": css_resources}.get(file.suffix)
        for ref in parse(data.decode("utf-8", "replace")) if parse else []:
            parts = urllib.parse.urlsplit(ref)
            if not parts.scheme and not parts.netloc and parts.path:  # ours: not data: URIs nor fragments
                target = posixpath.join(posixpath.dirname(path), urllib.parse.unquote(parts.path))
                queue.append(posixpath.normpath(target))
    return weight


def lighthouse(pages: list[str], runs: int) -> dict[str, dict]:
    """lhci collect on every page, served (gzip-compressed, as a host would) by lhci's own static server on
    localhost, then lhci assert on each page's median run: {page: {assertion: {"value": …, "passed": …}}}."""
    config = {"ci": {
        "collect": {"staticDistDir": "both", "url": [f"/{p}" for p in pages], "numberOfRuns": runs,
                    "chromePath": CHROME_PATH, "settings": {"chromeFlags": CHROME_FLAGS}},
        "assert": {"includePassedAssertions": True, "assertions": {
            name: ["error", {**b[0], "aggregationMethod": "median-run"}] for name, b in BUDGETS.items()}},
    }}  # fmt: skip
    Path("lighthouserc.json").write_text(json.dumps(config, indent=2))
    subprocess.run([LHCI, "collect", "--config=lighthouserc.json"], check=True)
    # lhci assert exits 1 when a budget is missed, which the table shows; when it fails, it writes nothing.
    checked = subprocess.run([LHCI, "assert", "--config=lighthouserc.json"], capture_output=True, text=True)
    if not Path(".lighthouseci/assertion-results.json").is_file():
        sys.exit(f"bench: lhci assert failed:\n{checked.stdout}{checked.stderr}")
    results: dict[str, dict] = {page: {} for page in pages}
    for r in json.loads(Path(".lighthouseci/assertion-results.json").read_text()):
        # lhci reports "resource-summary:font:count" as auditId resource-summary, auditProperty font.count
        name = ":".join(filter(None, [r["auditId"], r.get("auditProperty", "").replace(".", ":")]))
        results[urllib.parse.urlsplit(r["url"]).path[1:]][name] = {"value": r["actual"], "passed": r["passed"]}
    return results


def page_figures(pages: list[str], weights: dict[str, dict], scores: dict[str, dict]) -> list[dict]:
    """Page weight and Lighthouse: median, min and max across the pages."""
    gz, n = [weights[p]["gzip"] / KB for p in pages], f" ({len(pages)} pages)"
    rows = [figure(f"Page weight, first visit, raw{n}, KB", "KB", [weights[p]["raw"] / KB for p in pages]),
            figure(f"Page weight, first visit, gzip{n}, KB", "KB", gz, f"<= {TARGET_KB} KB if the host compresses",
                   max(gz) <= TARGET_KB)]  # fmt: skip
    for name, (_, row, unit, scale, target) in BUDGETS.items() if scores else []:
        results = [scores[p][name] for p in pages if name in scores[p]]
        met = len(results) == len(pages) and all(r["passed"] for r in results)
        label = f"{row}{n}" + ("" if unit == "score" else f", {unit}")
        rows.append(figure(label, unit, [r["value"] * scale for r in results], f"{target} every page", met))
    return rows


def fmt(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.2f}" if unit == "s" else f"{value:.0f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain aligned text: the first column left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    rows = [headers, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join([r[0].ljust(widths[0]), *map(str.rjust, r[1:], widths[1:])]).rstrip() for r in rows)


def report(figures: list[dict], pages: list[str], weights: dict, scores: dict, lighthouse_runs: int) -> None:
    rows = [[f["figure"], *(fmt(f.get(k), f["unit"]) for k in ("median", "min", "max")), f["target"] or "-",
             "-" if f["met"] is None else "yes" if f["met"] else "NO"] for f in figures]  # fmt: skip
    print("\n" + table(["figure", "median", "min", "max", "target", "met?"], rows) + "\n")
    page_rows = []
    for p in pages:
        lh = [fmt(scores[p][name]["value"] * b[3], b[2]) if name in scores.get(p, {}) else "-"
              for name, b in BUDGETS.items()]  # fmt: skip
        page_rows.append([p.removesuffix(".html"), *lh, *(fmt(weights[p][k] / KB, "KB") for k in ("raw", "gzip"))])
    headers = ["page", "perf", "a11y", "LCP s", "KB transferred", "fonts", "raw KB", "gzip KB"]
    print(table(headers, page_rows) + "\n")
    print("".join(f"error: {p} references a missing file {m}\n" for p in pages for m in weights[p]["missing"]), end="")
    print("Page weight: the files a page's HTML and stylesheets load, fonts aside (Lighthouse counts those fetched).")
    print("KB = 1024 bytes. Timings: hyperfine. Lighthouse (through lhci): mobile preset, simulated throttling,")
    print(f"pages served gzip-compressed by lhci's static server; per page, lhci's median run of {lighthouse_runs}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="hyperfine runs of each build (default 3)")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs per page (default 3)")
    parser.add_argument("--skip-pdf", action="store_true", help="skip the LaTeX/PDF builds")
    parser.add_argument("--skip-lighthouse", action="store_true", help="skip Lighthouse CI")
    parser.add_argument("--json", type=Path, default="bench-results.json", help="where to write the results")
    args = parser.parse_args()
    out, git = args.json.resolve(), ["git", "-C", str(ROOT)]
    meta = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": subprocess.check_output([*git, "rev-parse", "HEAD"], text=True).strip(),
        "uncommitted_changes": subprocess.check_output([*git, "status", "--porcelain"], text=True).splitlines(),
        "runs": args.runs, "lighthouse_runs": args.lighthouse_runs, "loadavg_at_start": os.getloadavg(),
    }  # fmt: skip
    if meta["loadavg_at_start"][0] > 0.5:  # on 2 cores, anything else running inflates every timing
        print(f"bench: warning: load average {meta['loadavg_at_start'][0]:.2f}; the timings will be inflated")

    with tempfile.TemporaryDirectory(prefix="panel-bench-") as tmp, contextlib.chdir(tmp):
        # Build from a snapshot, never in docs/: the whole tree, since conf.py reaches outside docs/ (references.bib,
        # CITATION.cff, git history); the extension is installed editable from the real src/, so the snapshot's
        # goes first. Edits made while the benchmark runs cannot change what is measured half-way.
        shutil.copytree(ROOT, "tree", symlinks=True, ignore=shutil.ignore_patterns(*SNAPSHOT_SKIP))
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [f"{tmp}/tree/src", os.environ.get("PYTHONPATH")]))
        chapters = sorted(Path("tree/docs/questions").glob("*.md"))
        # the same pages in both editions, as `make html` builds them (the English at the root, the Chinese in zh/)
        english = ["index.html", *(f"questions/{c.stem}.html" for c in chapters), "transcript.html",
                   "stance-matrix.html", "search.html"]  # fmt: skip
        pages = english + [f"zh/{p}" for p in english]
        try:
            figures = html_timings(chapters[0], args.runs) + ([] if args.skip_pdf else pdf_timings(args.runs))
            weights = {p: page_weight(Path("both"), p) for p in pages}
            scores = {} if args.skip_lighthouse else lighthouse(pages, args.lighthouse_runs)
        except subprocess.CalledProcessError as failed:
            sys.exit(f"bench: failed (exit {failed.returncode}): {shlex.join(map(str, failed.cmd))}")

    figures += page_figures(pages, weights, scores)
    report(figures, pages, weights, scores, args.lighthouse_runs)
    meta["loadavg_at_end"] = os.getloadavg()
    pages_json = [{"page": p, "weight": weights[p], "lighthouse": scores.get(p)} for p in pages]
    out.write_text(json.dumps({"meta": meta, "figures": figures, "pages": pages_json}, indent=2) + "\n")
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
