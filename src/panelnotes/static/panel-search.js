/* Search results quote the page each comes from. Sphinx quotes the page's [role="main"] element,
   which in this theme also holds the article header's buttons and menus ("System Settings Light
   Dark"), the contents and the links to the previous and next pages: quote the article alone,
   with Sphinx's own function (loaded on the search page, before this deferred script runs). */
(function () {
  "use strict";
  var quote = Search.htmlToText;
  Search.htmlToText = function (htmlString, anchor) {
    var page = new DOMParser().parseFromString(htmlString, "text/html");
    var article = page.querySelector("article.bd-article");
    if (!article) {
      return quote(htmlString, anchor);
    }
    page.querySelectorAll('[role="main"]').forEach(function (element) { element.removeAttribute("role"); });
    article.setAttribute("role", "main");
    return quote(page.documentElement.outerHTML, anchor);
  };
})();
