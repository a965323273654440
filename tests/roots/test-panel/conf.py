extensions = ["myst_parser", "panelnotes"]
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build", "_data"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "panel-author-year"
bibtex_default_style = "panel-author-year"
panel_citation_file = "CITATION.cff"
