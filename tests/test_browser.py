"""What a reader's browser shows: headless Chromium (Debian's) driven by Playwright, on the site
served from loopback exactly as published."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from book import REPO, sphinx_build

CHROMIUM = "/usr/bin/chromium"
# As root in a sandbox, without a GPU, and with Chromium's own calls home switched off
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def serve(directory: Path):
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def server(published_site):
    with serve(published_site) as url:
        yield url


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: .ci/run installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A page opened in a fresh context that records console errors and every off-site request."""

    def __init__(self, browser, origin: str, **context_options) -> None:
        self.context = browser.new_context(**context_options)
        self.errors: list[str] = []
        self.offsite: list[str] = []
        self.origin = origin
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.origin) or url.startswith(("data:", "blob:", "file:")):
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


def wait_until(page, expression: str, timeout: float = 10) -> None:
    """Wait until a script expression holds in the page. Not page.wait_for_function: it evaluates
    its predicate with eval(), which the pages' Content-Security-Policy forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(50)


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "_static" not in p.parts)


def test_pages_work_from_file_urls(browser, published_site):
    visit = Visit(browser, published_site.as_uri())
    for name in ("index.html", "questions/05-autoregressive-vs-diffusion.html", "stance-matrix.html"):
        visit.page.goto(
            (published_site / name).as_uri(), wait_until="networkidle"
        )  # the scripts load after the first paint
        assert visit.errors == [] and visit.offsite == [], (name, visit.errors, visit.offsite)
        assert visit.page.locator("article h1").first.is_visible()
    visit.close()


def test_search_finds_the_bitter_lesson(browser, server):
    visit = Visit(browser, server)
    visit.page.goto(server + "search.html?q=Bitter+Lesson")
    wait_until(visit.page, SEARCH_FINISHED, timeout=15)
    results = visit.page.locator("#search-results li a")
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    target = next(h for h in hrefs if "05-autoregressive-vs-diffusion" in h)
    visit.page.locator(f'#search-results li a[href="{target}"]').first.click()
    visit.page.wait_for_url(
        lambda url: urlparse(url).path == "/questions/05-autoregressive-vs-diffusion.html", timeout=10000
    )
    assert visit.page.get_by_text("The Bitter Lesson").first.is_visible()
    visit.close()


def test_deep_link_scrolls_the_answer_into_view_and_its_permalink_copies_the_address(browser, server):
    visit = Visit(browser, server, permissions=["clipboard-read", "clipboard-write"])
    chapter = server + "questions/08-data.html"
    visit.page.goto(chapter + "#data-chunhua-shen", wait_until="networkidle")  # panel.js copies the link
    answer = visit.page.locator("#data-chunhua-shen")
    wait_until(visit.page, "document.getElementById('data-chunhua-shen').getBoundingClientRect().top < 200")
    box = answer.bounding_box()
    assert 0 <= box["y"] < visit.page.viewport_size["height"] / 2
    answer.locator(".panel-answer-speaker a.headerlink").click()
    wait_until(visit.page, "document.querySelector('#data-chunhua-shen a.headerlink.copied') !== null")
    assert visit.page.evaluate("navigator.clipboard.readText()") == chapter + "#data-chunhua-shen"
    visit.close()


def test_hovering_a_citation_shows_the_reference(browser, server):
    visit = Visit(browser, server)
    # the scripts load after the first paint: a pointer resting on a link before panel.js has set up
    # gets no tooltip until it moves again
    visit.page.goto(server + "questions/05-autoregressive-vs-diffusion.html", wait_until="networkidle")
    tooltip = visit.page.locator("#panel-tooltip")
    citation = visit.page.locator(".bibtex-citation a", has_text="Sutton").first
    citation.hover()
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text() == (  # the bibliography's style sets titles in sentence case
        "Rich Sutton. The bitter lesson. Essay, incompleteideas.net, 2019. "
        "URL: http://www.incompleteideas.net/IncIdeas/BitterLesson.html."
    )
    assert citation.get_attribute("aria-describedby") == "panel-tooltip"
    visit.page.mouse.move(0, 0)
    tooltip.wait_for(state="hidden")
    visit.close()


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_serious_accessibility_violations(browser, server, published_site):
    axe = Axe()
    visit = Visit(browser, server)
    found = {}
    for name in pages(published_site):
        visit.page.goto(server + name, wait_until="networkidle")  # the scripts load after the first paint
        problems = _serious(axe.run(visit.page))
        if problems:
            found[name] = problems
        zh = visit.page.locator("p.excerpt-original")
        for i in range(min(zh.count(), 3)):
            assert zh.nth(i).get_attribute("lang") == "zh-Hans"
    visit.close()
    assert found == {}


@pytest.mark.parametrize("name", ["stance-matrix.html", "questions/02-generation-and-perception.html"])
def test_dark_mode_is_legible(browser, server, name, tmp_path):
    visit = Visit(browser, server, color_scheme="dark")
    visit.page.add_init_script("localStorage.setItem('theme', 'dark')")
    visit.page.goto(server + name, wait_until="networkidle")  # the scripts load after the first paint
    assert visit.page.evaluate("document.documentElement.dataset.theme") == "dark"
    results = Axe().run(visit.page, options={"runOnly": ["color-contrast"]})
    assert results.response["violations"] == [], _serious(results)
    visit.page.screenshot(path=str(tmp_path / "dark.png"), full_page=False)
    visit.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
CHAPTER = "questions/05-autoregressive-vs-diffusion.html"


@pytest.mark.parametrize(("toggle", "modal", "expected_link"), [
    ("primary-toggle", "pst-primary-sidebar-modal", "06-visual-tokenizers.html"),
    ("secondary-toggle", "pst-secondary-sidebar-modal", "#the-answers"),
])  # fmt: skip
def test_the_sidebars_open_on_a_phone(browser, server, toggle, modal, expected_link):
    visit = Visit(browser, server, **PHONE)
    visit.page.goto(server + CHAPTER, wait_until="networkidle")  # the scripts load after the first paint
    assert visit.page.locator(f"#{modal}").is_hidden()
    visit.page.locator(f"button.{toggle}:visible").click()
    link = visit.page.locator(f'#{modal}[open] a[href$="{expected_link}"]').first
    link.wait_for(state="visible")
    visit.page.keyboard.press("Escape")
    visit.page.locator(f"#{modal}").wait_for(state="hidden")
    assert visit.errors == []
    visit.close()


def test_the_navigation_sidebar_folds_away_on_a_desktop(browser, server):
    visit = Visit(browser, server, **DESKTOP)
    visit.page.goto(server + CHAPTER, wait_until="networkidle")  # the scripts load after the first paint
    sidebar = visit.page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    visit.page.locator("button.primary-toggle:visible").click()
    sidebar.wait_for(state="hidden")
    visit.page.locator("button.primary-toggle:visible").click()
    sidebar.wait_for(state="visible")
    visit.close()


def test_the_stance_matrix_fits_a_desktop_screen(browser, server):
    """Six columns need the width the page has no contents column for: no sideways scrolling."""
    visit = Visit(browser, server, **DESKTOP)
    visit.page.goto(server + "stance-matrix.html", wait_until="networkidle")
    table = visit.page.locator("table.panel-stance-matrix")
    overflow = table.evaluate("t => t.parentElement.scrollWidth - t.parentElement.clientWidth")
    assert overflow <= 0 and table.evaluate("t => t.getBoundingClientRect().right") <= DESKTOP["viewport"]["width"]
    visit.close()


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_colour_mode_menu_switches_to_dark_and_back(browser, server, device):
    visit = Visit(browser, server, **device)
    visit.page.goto(server + CHAPTER, wait_until="networkidle")  # the scripts load after the first paint
    background = "getComputedStyle(document.body).backgroundColor"
    light = visit.page.evaluate(background)
    for mode in ("dark", "light"):
        visit.page.locator("button.theme-switch-button:visible").click()
        visit.page.locator(f'button.theme-change-button[data-mode="{mode}"]:visible').click()
        wait_until(visit.page, f"document.documentElement.dataset.theme === '{mode}'")
        assert (visit.page.evaluate(background) == light) == (mode == "light")
    assert visit.errors == []
    visit.close()


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_search_button_opens_a_search_box_that_searches(browser, server, device):
    visit = Visit(browser, server, **device)
    visit.page.goto(server + CHAPTER, wait_until="networkidle")  # the scripts load after the first paint
    visit.page.locator("button.search-button__button:visible").first.click()
    box = visit.page.locator("#pst-search-dialog[open] input[name=q]")
    box.fill("Bitter Lesson")
    box.press("Enter")
    visit.page.wait_for_url("**/search.html?q=Bitter+Lesson*")
    visit.page.locator("#search-results li a").first.wait_for(timeout=15000)
    assert visit.errors == []
    visit.close()


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_visible_icon_is_drawn_without_a_web_font(browser, server, device):
    visit = Visit(browser, server, **device)
    fonts = []
    visit.page.on("request", lambda request: request.resource_type == "font" and fonts.append(request.url))
    visit.page.goto(server + CHAPTER, wait_until="networkidle")
    icons = visit.page.evaluate("""() => [...document.querySelectorAll('[class*="fa-"]')]
        .filter(el => el.checkVisibility())
        .map(el => { const box = el.getBoundingClientRect(), style = getComputedStyle(el);
                     return [el.className, box.width, box.height, style.maskImage || style.webkitMaskImage]; })""")
    assert len(icons) >= 3  # the sidebar toggle(s), the colour mode and search buttons at least
    for name, width, height, mask in icons:
        assert width >= 10 and height >= 10 and mask.startswith('url("data:image/svg+xml'), (name, width, height, mask)
    assert fonts == []
    visit.close()


# Every element's computed style, and its ::before and ::after, less custom properties (which
# only matter through the properties that use them): what the reader sees, as numbers.
COMPUTED_STYLES = """() => [...document.body.querySelectorAll('*')]
    .filter(el => !['SCRIPT', 'LINK', 'STYLE'].includes(el.tagName))
    .map(el => [el.tagName + '.' + el.getAttribute('class'), ...[null, '::before', '::after'].map(pseudo => {
        const style = getComputedStyle(el, pseudo);
        if (pseudo && style.content === 'none') return null;
        return Object.fromEntries([...style].filter(p => !p.startsWith('--')).map(p => [p, style.getPropertyValue(p)]));
    })])"""


@pytest.fixture(scope="module")
def untrimmed_site(tmp_path_factory):
    """The site of the `site` fixture with the theme's stylesheets as shipped, one file each."""
    build = sphinx_build(REPO / "docs", tmp_path_factory.mktemp("untrimmed"), "html", "-D", "panel_trim_stylesheets=0")
    assert build.returncode == 0 and build.output.strip() == "", build.output
    assert not list((build.outdir / "_static").glob("site-*.css"))
    return build.outdir


def _open_theme_menu(page):
    page.locator("button.theme-switch-button:visible").click()
    page.locator("ul.dropdown-menu.show").wait_for()


def _open_search(page):
    page.locator("button.search-button__button:visible").first.click()
    page.locator("#pst-search-dialog[open]").wait_for()


def _open_sidebar(page):
    page.locator("button.primary-toggle:visible").click()
    page.locator("#pst-primary-sidebar-modal[open]").wait_for()


def _hover_citation(page):
    page.locator(".bibtex-citation a").first.hover()
    page.locator("#panel-tooltip").wait_for()


@pytest.mark.parametrize(("name", "device", "mode", "action"), [
    (CHAPTER, DESKTOP, "light", None),
    (CHAPTER, DESKTOP, "dark", None),
    (CHAPTER, PHONE, "light", None),
    (CHAPTER, DESKTOP, "dark", _open_theme_menu),
    (CHAPTER, DESKTOP, "light", _open_search),
    (CHAPTER, PHONE, "dark", _open_sidebar),
    (CHAPTER, DESKTOP, "light", _hover_citation),
    ("stance-matrix.html", DESKTOP, "light", None),
    ("how-to-cite.html", PHONE, "dark", None),
    ("search.html?q=lesson", DESKTOP, "light", None),
    ("404.html", DESKTOP, "dark", None),
])  # fmt: skip
def test_trimmed_and_bundled_stylesheets_style_every_element_as_the_originals_do(
    browser, site, untrimmed_site, name, device, mode, action
):
    """The build-finished step of panelnotes.stylesheets drops rules and merges files; no element
    of a page may look different for it, in either colour mode, at rest or after an interaction."""
    styles = []
    for directory in (untrimmed_site, site):
        with serve(directory) as origin:
            visit = Visit(browser, origin, **device)
            visit.page.add_init_script(
                f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}')"
            )
            visit.page.goto(origin + name, wait_until="networkidle")
            if "search.html" in name:
                visit.page.locator("#search-results li").first.wait_for(timeout=15000)
            if action:
                action(visit.page)
            visit.page.wait_for_timeout(400)  # let transitions end
            styles.append(visit.page.evaluate(COMPUTED_STYLES))
            assert visit.errors == [], visit.errors
            visit.close()
    original, trimmed = styles
    assert [element[0] for element in original] == [element[0] for element in trimmed]
    differences = []
    for before, after in zip(original, trimmed, strict=True):
        for part, (old, new) in zip(("", "::before", "::after"), zip(before[1:], after[1:], strict=True), strict=True):
            old, new = old or {}, new or {}
            differences += [
                (before[0] + part, p, old.get(p), new.get(p))
                for p in old.keys() | new.keys()
                if old.get(p) != new.get(p)
            ]
    assert differences == [], differences[:10]


def test_an_answers_paragraph_link_lands_on_its_highlighted_turn_and_the_turn_links_back(browser, server):
    visit = Visit(browser, server, **DESKTOP)
    chapter = "questions/05-autoregressive-vs-diffusion.html"
    visit.page.goto(server + chapter, wait_until="networkidle")
    answer = visit.page.locator("#autoregressive-vs-diffusion-jiahui-yu")
    link = answer.locator(".answer-paragraphs a").first
    assert link.inner_text() == "¶124–130"
    link.click()
    wait_until(visit.page, "document.querySelectorAll('.transcript-paragraph.panel-highlight').length > 0")
    assert urlparse(visit.page.url).path.endswith("/transcript.html")
    assert urlparse(visit.page.url).fragment == "transcript-p124-130"
    highlighted = visit.page.evaluate(
        "[...document.querySelectorAll('.panel-highlight')].map(p => p.className.match(/para-(\\d+)/)[1])"
    )
    assert sorted(set(map(int, highlighted))) == list(range(124, 131))
    turn = visit.page.locator("#turn-124")
    assert turn.get_attribute("data-speaker") == "jiahui-yu"
    box = turn.bounding_box()
    assert box["y"] < visit.page.viewport_size["height"] and box["y"] + box["height"] > 0  # in view
    turn.locator(".turn-links a", has_text="answer in Q5").click()
    visit.page.wait_for_url(server + chapter + "#autoregressive-vs-diffusion-jiahui-yu", timeout=10000)
    visit.close()


def test_the_transcript_without_scripts_still_scrolls_to_and_marks_the_linked_paragraph(browser, server):
    visit = Visit(browser, server, java_script_enabled=False, **DESKTOP)
    visit.page.goto(server + "transcript.html#transcript-p124-130")
    marked = visit.page.evaluate(
        "[...document.querySelectorAll('.transcript-paragraph')]"
        ".filter(p => getComputedStyle(p).outlineStyle === 'solid').map(p => p.className)"
    )
    assert len(marked) == 1 and "para-124" in marked[0]
    visit.close()


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_transcript_reads_side_by_side_on_a_desktop_and_stacked_on_a_phone(browser, server, device):
    visit = Visit(browser, server, **device)
    visit.page.goto(server + "transcript.html#turn-124", wait_until="networkidle")
    zh = visit.page.locator("#turn-124 .turn-zh").bounding_box()
    en = visit.page.locator("#turn-124 .turn-en").bounding_box()
    if device is PHONE:
        assert en["y"] >= zh["y"] + zh["height"] - 1
    else:
        assert en["x"] >= zh["x"] + zh["width"] and abs(en["y"] - zh["y"]) < 2
    overflow = visit.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow == 0
    visit.close()


@pytest.mark.parametrize(
    ("edition", "query", "expected"),
    [
        ("", "多模态", "transcript.html"),
        ("", "谢赛宁", "speakers/saining-xie.html"),
        ("zh/", "多模态", "questions/03-which-modalities.html"),
        ("zh/", "沈春华", "speakers/chunhua-shen.html"),
        ("zh/", "扩散模型", "questions/05-autoregressive-vs-diffusion.html"),
        ("zh/", "autoregressive", "questions/05-autoregressive-vs-diffusion.html"),
    ],
)
def test_search_finds_the_panels_chinese_words_in_either_edition(browser, server, edition, query, expected):
    """A reader types into the search page's box, as on any search page."""
    visit = Visit(browser, server)
    visit.page.goto(server + edition + "search.html", wait_until="networkidle")
    # the page's own box (the header's search dialog holds another, hidden until opened)
    box = visit.page.locator(".bd-search-container input[name=q]")
    box.fill(query)
    box.press("Enter")
    # Sphinx lists the results one by one: read them once it says it has finished
    wait_until(visit.page, SEARCH_FINISHED, timeout=15)
    results = visit.page.locator("#search-results li a")
    hrefs = [results.nth(i).get_attribute("href").split("?")[0].split("#")[0] for i in range(results.count())]
    assert expected in hrefs, hrefs
    visit.close()


def test_the_language_switch_lands_on_the_same_chapter(browser, server):
    visit = Visit(browser, server, **PHONE)
    chapter = "questions/08-data.html"
    visit.page.goto(server + chapter, wait_until="networkidle")
    # wait for the new address: the page already shown counts as loaded until the click navigates
    visit.page.locator("nav.panel-language-switch a[hreflang=zh-Hans]").click()
    visit.page.wait_for_url(server + "zh/" + chapter, timeout=10000)
    assert visit.page.locator("html").get_attribute("lang") == "zh-Hans"
    visit.page.locator("nav.panel-language-switch a[hreflang=en]").click()
    visit.page.wait_for_url(server + chapter, timeout=10000)
    assert visit.page.locator("html").get_attribute("lang") == "en"


XIE = "autoregressive-vs-diffusion-saining-xie"


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_two_clicks_copy_an_answers_citation(browser, server, device):
    """Cite, beside the answer's ¶ link, then a format's Copy: the clipboard holds that format.
    Closed, the control takes no room: its summary sits on the speaker's line."""
    visit = Visit(browser, server, permissions=["clipboard-read", "clipboard-write"], **device)
    visit.page.goto(f"{server}{CHAPTER}#{XIE}", wait_until="networkidle")  # panel.js adds the Copy buttons
    answer = visit.page.locator(f"#{XIE}")
    control = answer.locator("details.panel-cite")
    header = answer.locator(".panel-answer-speaker").bounding_box()
    summary = control.locator("summary").bounding_box()
    assert control.bounding_box()["height"] == 0
    assert header["y"] <= summary["y"] and summary["y"] + summary["height"] <= header["y"] + header["height"]
    assert summary["x"] + summary["width"] <= visit.page.viewport_size["width"]
    control.locator("summary").click()
    markdown = control.locator("div.panel-cite-markdown")
    markdown.locator("button.panel-copy").click()
    wait_until(visit.page, f"document.querySelector('#{XIE} div.panel-cite-markdown button').textContent === 'Copied'")
    copied = visit.page.evaluate("navigator.clipboard.readText()")
    assert copied == markdown.locator("pre").inner_text().rstrip("\n")
    assert "Saining Xie" in copied and f"{XIE}.html" in copied and "speaker identified by inference" in copied


# --- Phones -------------------------------------------------------------------------------------

CHAPTERS = sorted(p.stem for p in (REPO / "docs" / "questions").glob("*.md"))

# For each panelist's cell of the stance matrix, scrolled into view the way a reader scrolls
# (down through the table, then back up): is the question of its row on screen and not under
# anything, and the speaker (the column's head, or in the one-block-per-question layout of a
# phone, the name in the cell)? Returns the cells for which one is not.
MATRIX_CELLS_IDENTIFIED = """(speakerIn) => {
    const table = document.querySelector('table.panel-stance-matrix');
    const cells = [...table.tBodies[0].querySelectorAll('td + td')];
    const shown = element => {
        const box = element.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + Math.min(box.width / 2, 20), box.top + box.height / 2);
        return box.top >= 0 && box.bottom <= innerHeight && hit !== null && element.contains(hit);
    };
    const unidentified = [];
    for (const order of [cells, [...cells].reverse()]) {
        for (const cell of order) {
            cell.scrollIntoView({block: 'nearest', behavior: 'instant'});
            const question = cell.parentElement.cells[0].querySelector('p');
            const speaker = speakerIn === 'cell' ? cell.querySelector('.panel-matrix-speaker')
                                                 : table.tHead.rows[0].cells[cell.cellIndex];
            const stance = cell.querySelector('p:not(.panel-matrix-speaker)');
            const seen = [question, speaker, stance].map(shown);
            if (seen.includes(false)) unidentified.push([cell.parentElement.id, cell.className, seen]);
        }
    }
    return [cells.length, unidentified];
}"""


@pytest.mark.parametrize(("device", "speaker_in"), [(PHONE, "cell"), (DESKTOP, "head")], ids=["phone", "desktop"])
def test_every_cell_of_the_stance_matrix_shows_its_question_and_speaker(browser, server, device, speaker_in):
    """On a phone, one block per question, whose question stays below the article header while its
    cells pass; on a desktop, a table whose head row stays there. No sideways scrolling either way."""
    visit = Visit(browser, server, **device)
    visit.page.goto(server + "stance-matrix.html", wait_until="networkidle")
    count, unidentified = visit.page.evaluate(MATRIX_CELLS_IDENTIFIED, speaker_in)
    assert count == 12 * 5
    assert unidentified == []
    assert visit.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    visit.close()


def test_no_page_scrolls_sideways_on_a_phone(browser, server, published_site):
    visit = Visit(browser, server, **PHONE)
    for name in pages(published_site):
        visit.page.goto(server + name, wait_until="networkidle")
        overflow = visit.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow == 0, name
    visit.close()


def test_a_chapter_title_leaves_room_for_the_chapter_on_a_phone(browser, server):
    """A title is the whole question: it takes at most 40% of the first screen, and the question
    box starts on it."""
    visit = Visit(browser, server, **PHONE)
    height = PHONE["viewport"]["height"]
    for chapter in CHAPTERS:
        visit.page.goto(server + f"questions/{chapter}.html", wait_until="networkidle")
        title = visit.page.locator("article h1").first.bounding_box()
        assert title["y"] + title["height"] <= 0.4 * height, chapter
        assert visit.page.locator("div.panel-question").bounding_box()["y"] < height, chapter
    visit.close()


def test_the_contents_take_a_phone_reader_to_an_answer(browser, server):
    """Xie's answer is twelve screens down question 5: the contents panel links to it."""
    visit = Visit(browser, server, **PHONE)
    visit.page.goto(server + CHAPTER, wait_until="networkidle")  # the scripts load after the first paint
    visit.page.locator("button.secondary-toggle:visible").click()
    visit.page.locator('#pst-secondary-sidebar-modal[open] a[href="#autoregressive-vs-diffusion-saining-xie"]').click()
    visit.page.wait_for_url("**#autoregressive-vs-diffusion-saining-xie")
    visit.page.keyboard.press("Escape")
    answer = visit.page.locator("#autoregressive-vs-diffusion-saining-xie")
    wait_until(
        visit.page,
        "document.getElementById('autoregressive-vs-diffusion-saining-xie').getBoundingClientRect().top < 200",
    )
    assert 0 <= answer.bounding_box()["y"] < PHONE["viewport"]["height"] / 2
    assert answer.locator(".panel-answer-speaker").inner_text().startswith("Saining Xie")
    assert visit.errors == []
    visit.close()


def test_the_cite_control_works_without_scripts_and_scripts_shift_nothing(browser, server):
    offsets = []
    for scripts in (False, True):
        visit = Visit(browser, server, java_script_enabled=scripts, **DESKTOP)
        visit.page.goto(f"{server}{CHAPTER}#{XIE}", wait_until="networkidle")
        answer = visit.page.locator(f"#{XIE}")
        stance = answer.locator(".panel-stance").bounding_box()
        offsets.append(stance["y"] - answer.locator(".panel-answer-speaker").bounding_box()["y"])
        answer.locator("details.panel-cite summary").click()
        ris = answer.locator("div.panel-cite-ris pre")
        assert ris.is_visible() and ris.inner_text().startswith("TY  - CHAP")
        visit.close()
    assert offsets[0] == offsets[1]


def test_an_excerpts_link_copies_its_address(browser, server):
    visit = Visit(browser, server, permissions=["clipboard-read", "clipboard-write"])
    visit.page.goto(server + CHAPTER, wait_until="networkidle")
    excerpt = visit.page.locator(f"#{XIE}-p142-146")
    excerpt.locator(".excerpt-source a.headerlink").click()
    wait_until(visit.page, f"document.querySelector('#{XIE}-p142-146 a.headerlink.copied') !== null")
    assert visit.page.evaluate("navigator.clipboard.readText()") == f"{server}{CHAPTER}#{XIE}-p142-146"


# --- The first frame is the final one -----------------------------------------------------------

# Each element's computed style (and its ::before and ::after), keyed by its place in the page
# (tag and rank among its siblings of that tag, up from <body>): the same element on two loads of
# a page, and unaffected by the elements scripts add (a tooltip, a copy button). Left out: the
# theme's controls that need scripts (.pst-js-only) and what is inside them. The page keeps the
# styles under a name and returns a digest of each element's, as the styles of a chapter are
# tens of megabytes to transfer: only those of the elements whose digests differ are fetched.
STYLES_BY_PLACE = """(name) => {
    const place = element => {
        const steps = [];
        for (let e = element; e !== document.documentElement; e = e.parentElement) {
            let rank = 1;
            for (let s = e.previousElementSibling; s; s = s.previousElementSibling) rank += s.tagName === e.tagName;
            steps.unshift(`${e.tagName}${e.id ? '#' + e.id : ''}:${rank}`);
        }
        return steps.join('>');
    };
    const styles = Object.fromEntries([document.body, ...document.body.querySelectorAll('*')]
        .filter(e => !['SCRIPT', 'LINK', 'STYLE'].includes(e.tagName) && !e.closest('.pst-js-only'))
        .map(e => [place(e), [null, '::before', '::after'].map(pseudo => {
            const style = getComputedStyle(e, pseudo);
            if (pseudo && style.content === 'none') return null;
            const properties = [...style].filter(p => !p.startsWith('--'));
            return Object.fromEntries(properties.map(p => [p, style.getPropertyValue(p)]));
        })]));
    (window.panelStyles ??= {})[name] = styles;
    const digest = text => {  // FNV-1a, and the length
        let hash = 0x811c9dc5;
        for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
        return `${(hash >>> 0).toString(16)}:${text.length}`;
    };
    return Object.fromEntries(Object.entries(styles).map(([key, style]) => [key, digest(JSON.stringify(style))]));
}"""
STYLES_OF = "([name, places]) => places.map(place => window.panelStyles[name][place])"
# The theme's script unhides the container of its announcement banners, which holds nothing here
EMPTY_BANNER = "BODY:1>DIV:3"


def _style_differences(first: tuple, last: tuple) -> list:
    """The differences between two measurements, each (page, name, digests), but the empty banner's."""
    (first_page, first_name, first_digests), (last_page, last_name, last_digests) = first, last
    assert first_digests.keys() <= last_digests.keys(), sorted(first_digests.keys() - last_digests.keys())[:5]
    changed = [p for p in first_digests if first_digests[p] != last_digests[p] and not p.startswith(EMPTY_BANNER)]
    olds = first_page.evaluate(STYLES_OF, [first_name, changed])
    news = last_page.evaluate(STYLES_OF, [last_name, changed])
    differences = []
    for place, old_parts, new_parts in zip(changed, olds, news, strict=True):
        for part, old, new in zip(("", "::before", "::after"), old_parts, new_parts, strict=True):
            old, new = old or {}, new or {}
            differences += [(place + part, p, old.get(p), new.get(p)) for p in old.keys() | new.keys()
                            if old.get(p) != new.get(p)]  # fmt: skip
    return differences


def _empty_banner_revealed(visit: Visit) -> bool:
    return visit.page.evaluate("""() => {
        const banner = document.querySelector('body > .pst-async-banner-revealer');
        return banner.getBoundingClientRect().height === 0 && !banner.classList.contains('d-none');
    }""")


@pytest.mark.parametrize(("name", "device", "mode"), [
    (CHAPTER, DESKTOP, "light"),
    (CHAPTER, DESKTOP, "dark"),
    (CHAPTER, PHONE, "light"),
    (CHAPTER, PHONE, "dark"),
    ("stance-matrix.html", PHONE, "dark"),
    ("stance-matrix.html", DESKTOP, "light"),
    ("index.html", DESKTOP, "dark"),
])  # fmt: skip
def test_without_scripts_a_page_looks_as_it_does_loaded(browser, server, name, device, mode):
    """Colours (from the reader's system), the theme, the excerpts: all from the stylesheet. The
    controls that need scripts are hidden without them (the theme's .pst-js-only): on the loaded
    page too, for the comparison."""
    measured = []
    for scripts in (False, True):
        visit = Visit(browser, server, java_script_enabled=scripts, color_scheme=mode, **device)
        visit.page.goto(server + name, wait_until="networkidle")
        if scripts:
            assert visit.page.evaluate("document.documentElement.dataset.theme") == mode
            assert _empty_banner_revealed(visit)
            visit.page.evaluate("document.querySelectorAll('.pst-js-only').forEach(e => e.style.display = 'none')")
        visit.page.wait_for_timeout(400)  # let transitions end
        measured.append((visit, (visit.page, "page", visit.page.evaluate(STYLES_BY_PLACE, "page"))))
    differences = _style_differences(measured[0][1], measured[1][1])
    for visit, _ in measured:
        assert visit.errors == [], visit.errors
        visit.close()
    assert differences == [], differences[:10]


# At the first frame with a body (nothing is painted before), the colour mode and the background
FIRST_FRAME = """requestAnimationFrame(function first() {
    if (!document.body) return requestAnimationFrame(first);
    window.panelFirstFrame = [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor];
});"""


@pytest.mark.parametrize(("device", "system", "saved"), [
    (DESKTOP, "light", "dark"),
    (PHONE, "dark", "light"),
    (DESKTOP, "dark", None),
    (PHONE, "light", None),
])  # fmt: skip
def test_the_first_frame_is_the_loaded_page(browser, server, device, system, saved):
    """The scripts that arrive after the first paint (the theme's, ours) change nothing on the
    screen: the page is measured while they are held back, then again once they have run. A
    reader's saved colour mode (which needs a script: it is in localStorage) is there from the
    first frame."""
    visit = Visit(browser, server, color_scheme=system, **device)
    held = []
    visit.context.route(
        "**/*.js*",
        lambda route: route.fallback() if "documentation_options.js" in route.request.url else held.append(route),
    )
    if saved:
        visit.page.add_init_script(f"localStorage.setItem('mode', '{saved}')")
    visit.page.add_init_script(FIRST_FRAME)
    visit.page.goto(server + CHAPTER, wait_until="commit")
    wait_until(visit.page, "document.querySelector('script[src*=\"pydata-sphinx-theme.js\"]') !== null")
    wait_until(visit.page, "window.panelFirstFrame !== undefined")
    before = (visit.page, "first frame", visit.page.evaluate(STYLES_BY_PLACE, "first frame"))
    first_theme, first_background = visit.page.evaluate("window.panelFirstFrame")
    assert held != []
    for route in held:
        route.fallback()
    visit.page.wait_for_load_state("networkidle")
    wait_until(visit.page, "typeof bootstrap !== 'undefined'")
    assert _empty_banner_revealed(visit)
    visit.page.wait_for_timeout(400)  # let transitions end
    after = (visit.page, "loaded", visit.page.evaluate(STYLES_BY_PLACE, "loaded"))
    mode = saved or system
    assert visit.page.evaluate("document.documentElement.dataset.theme") == mode
    assert first_theme == mode
    assert first_background == visit.page.evaluate("getComputedStyle(document.body).backgroundColor")
    differences = _style_differences(before, after)
    assert differences == [], differences[:10]
    assert visit.errors == []
    visit.close()


LAYOUT_SHIFTS = """() => new Promise(resolve => {
    const shifts = [];
    new PerformanceObserver(list => shifts.push(...list.getEntries().map(e => [e.value, e.hadRecentInput])))
        .observe({type: 'layout-shift', buffered: true});
    setTimeout(() => resolve(shifts), 500);
})"""


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_nothing_shifts_while_a_page_loads(browser, server, device):
    """Cumulative layout shift 0 on every chapter, the transcript, the matrix and the search page."""
    visit = Visit(browser, server, **device)
    for name in [f"questions/{c}.html" for c in CHAPTERS] + ["transcript.html", "stance-matrix.html", "search.html"]:
        visit.page.goto(server + name, wait_until="networkidle")
        assert visit.page.evaluate(LAYOUT_SHIFTS) == [], name
    visit.close()


# --- Security -----------------------------------------------------------------------------------

VIOLATIONS = """window.panelViolations = [];
document.addEventListener('securitypolicyviolation',
    e => window.panelViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));"""


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_every_page_loads_without_errors_policy_violations_or_offsite_requests(
    browser, server, published_site, scripts
):
    """Every page of both editions, a search with results, and with scripts the reader's
    interactions: the colour menu, the search box, a citation's tooltip. The browser reports each
    policy violation as a console error, and with scripts as a securitypolicyviolation event."""
    visit = Visit(browser, server, java_script_enabled=scripts)
    visit.context.add_init_script(VIOLATIONS)
    for name in [*pages(published_site), "search.html?q=lesson"]:
        # with scripts, wait for what they fetch after the first paint; without, the load is all
        visit.page.goto(server + name, wait_until="networkidle" if scripts else "load")
        if scripts and name == "search.html?q=lesson":
            wait_until(visit.page, SEARCH_FINISHED, timeout=15)
        if scripts and name == CHAPTER:
            for action in (_open_theme_menu, _hover_citation):
                action(visit.page)
            visit.page.keyboard.press("Escape")
            _open_search(visit.page)
        if scripts:
            assert visit.page.evaluate("window.panelViolations") == [], name
        assert visit.errors == [], (name, visit.errors)
        assert visit.offsite == [], (name, visit.offsite)
    visit.close()


# --- Search ---------------------------------------------------------------------------------------

SEARCH_FINISHED = "/Search finished/.test(document.querySelector('#search-results .search-summary')?.textContent)"


def test_search_results_quote_the_article_not_the_theme_menus(browser, server):
    """A result quotes the page around the first match; in a chapter, the title is the first: the
    quote starts there, not with the theme's menus ("System Settings Light Dark")."""
    visit = Visit(browser, server)
    visit.page.goto(server + "search.html?q=autoregressive")
    wait_until(visit.page, SEARCH_FINISHED, timeout=15)
    results = visit.page.locator("#search-results li")
    quotes = {
        results.nth(i).locator("a").first.get_attribute("href"): results.nth(i).locator("p.context").inner_text()
        for i in range(results.count())
    }
    assert len(quotes) >= 5
    assert [href for href, quote in quotes.items() if "System Settings" in quote] == []
    chapter = next(quote for href, quote in quotes.items() if href.endswith(CHAPTER))
    assert chapter.startswith("Autoregressive models or diffusion models: what are the strengths of each")
    visit.close()
