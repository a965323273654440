"""Search that finds Chinese in every edition: Sphinx's Chinese search language segments all of
a page's text with jieba (1.4 s a build here); this one segments only the runs of Chinese (0.14 s)
and gives everything else to the English stemmer. It stands in for both ``en`` and ``zh``, so the
English edition finds the transcript's Chinese too. jieba splits some of the panel's terms and
names (多模态 into 多/模态); the words in ``html_search_options["dict"]`` are kept whole, and since
the browser does not segment a query, those are the Chinese words a search can find whole.

The search page also loads ``panel-search.js``, so that a result quotes the page's article and not
the theme's menus around it."""

from __future__ import annotations

import logging
import re
from typing import Any

import jieba
from docutils import nodes
from jieba import cut_for_search
from sphinx.application import Sphinx
from sphinx.search.zh import SearchChinese

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


class SearchEnglishAndChinese(SearchChinese):
    """English words stemmed as English; runs of Chinese segmented by jieba."""

    lang = "en"
    language_name = "English"

    def split(self, input: str) -> list[str]:
        chinese = [word for run in HAN_RUN.findall(input) for word in cut_for_search(run)]
        latin = [term.strip() for term in self.latin1_letters.findall(input)]
        self.latin_terms.update(latin)
        return chinese + latin


class SearchChineseAndEnglish(SearchEnglishAndChinese):
    lang = "zh"
    # Sphinx names the browser's stemmer after this: it is the English one (EnglishStemmer)
    language_name = "English"


def html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if pagename == "search":  # Sphinx adds a script given here to this page only
        app.add_js_file("panel-search.js", loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    jieba.setLogLevel(logging.WARNING)  # it reports loading its dictionary on stderr at every build
    app.add_search_language(SearchEnglishAndChinese)
    app.add_search_language(SearchChineseAndEnglish)
    app.connect("html-page-context", html_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
