"""The extension's own message catalog: every label it writes into a page goes through ``_``.

Labels are not in the book's gettext catalogs (a writer does not translate "speaker inferred" in
every chapter); they are translated once here, in ``locales/<language>/LC_MESSAGES/panelnotes.po``.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.locale import get_translation

CATALOG = "panelnotes"
LOCALE_DIR = Path(__file__).parent / "locales"

_ = get_translation(CATALOG)
