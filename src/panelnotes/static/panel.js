/* Reading aids for the panel notes: citation tooltips that work on hover and keyboard focus
   (the browser's own title tooltip does neither reliably), answer permalinks that copy their
   address (so do excerpts' # links), and a copy button on code blocks (each citation format). No dependencies;
   nothing is fetched. */
(function () {
  "use strict";

  function setUpTooltips() {
    var tip = document.createElement("div");
    tip.className = "panel-tooltip";
    tip.id = "panel-tooltip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    document.body.appendChild(tip);

    function show(link) {
      tip.textContent = link.dataset.reference;
      tip.hidden = false;
      var box = link.getBoundingClientRect();
      var left = Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
      tip.style.left = Math.max(8, left) + "px";
      tip.style.top = box.bottom + window.scrollY + 6 + "px";
      link.setAttribute("aria-describedby", tip.id);
    }
    function hide(link) {
      tip.hidden = true;
      link.removeAttribute("aria-describedby");
    }
    document.querySelectorAll(".bibtex-citation a[title]").forEach(function (link) {
      link.dataset.reference = link.title;
      link.removeAttribute("title"); // one tooltip, not two
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("focus", function () { show(link); });
      link.addEventListener("mouseleave", function () { hide(link); });
      link.addEventListener("blur", function () { hide(link); });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { tip.hidden = true; }
    });
  }

  function copyOnClick(link, label) {
    link.addEventListener("click", function () {
      var url = link.href; // absolute: the page's address plus the anchor
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(function () {
          link.classList.add("copied");
          link.setAttribute("aria-label", label);
          setTimeout(function () { link.classList.remove("copied"); }, 1500);
        }, function () { /* copying refused: the address bar still shows the link */ });
      }
    });
  }

  function setUpPermalinks() {
    document.querySelectorAll(".panel-answer > .panel-answer-speaker > a.headerlink").forEach(function (link) {
      copyOnClick(link, "Link to this answer copied");
    });
    document.querySelectorAll("a.transcript-number").forEach(function (link) {
      copyOnClick(link, "Link to this paragraph copied");
    });
    document.querySelectorAll(".panel-excerpt .excerpt-source > a.headerlink").forEach(function (link) {
      copyOnClick(link, "Link to this excerpt copied");
    });
  }

  // #transcript-p124-126: highlight paragraphs 124 to 126 (without this script, the page scrolls to
  // the range's first paragraph, for the ranges the notes link to, and highlights that one).
  function highlightRange() {
    var match = /^#transcript-p(\d+)(?:-(\d+))?$/.exec(window.location.hash);
    document.querySelectorAll(".panel-highlight").forEach(function (p) { p.classList.remove("panel-highlight"); });
    if (!match) { return; }
    var first = +match[1], last = +(match[2] || match[1]);
    var start = null;
    document.querySelectorAll(".transcript-paragraph").forEach(function (p) {
      var number = +((/(?:^| )para-(\d+)/.exec(p.className) || [0, 0])[1]);
      if (number >= first && number <= last) {
        p.classList.add("panel-highlight");
        if (start === null) { start = p; }
      }
    });
    if (start && !document.getElementById(window.location.hash.slice(1))) { start.scrollIntoView(); }
  }

  function setUpCopyButtons() {
    if (!(navigator.clipboard && window.isSecureContext)) {
      return; // no button that cannot work
    }
    document.querySelectorAll("div.highlight > pre").forEach(function (pre) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "panel-copy";
      button.textContent = "Copy";
      // a citation format's label ("BibTeX") names what its button copies
      var label = pre.parentNode.parentNode.previousElementSibling;
      if (label && label.classList.contains("panel-cite-label")) {
        button.setAttribute("aria-label", "Copy " + label.textContent);
      }
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.textContent.replace(/\n$/, "")).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        }, function () { button.textContent = "Copy failed"; });
      });
      pre.parentNode.insertBefore(button, pre);
    });
  }

  function setUp() {
    setUpTooltips();
    setUpPermalinks();
    setUpCopyButtons();
    highlightRange();
    window.addEventListener("hashchange", highlightRange);
  }

  // The page may load this script after it has been parsed (see docs/_templates/layout.html).
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
