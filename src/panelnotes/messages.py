"""The extension's own message catalog: every label it writes into a page goes through ``_``.

Labels are not in the book's gettext catalogs (a writer does not translate "speaker inferred" in
every chapter); they are translated once here, in ``locales/<language>/LC_MESSAGES/panelnotes.po``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sphinx.locale import get_translation

CATALOG = "panelnotes"
LOCALE_DIR = Path(__file__).parent / "locales"

_ = get_translation(CATALOG)


def chinese_edition(config: Any) -> bool:
    """Whether this build is the Chinese edition (names in Chinese, excerpts without a back-translation)."""
    return str(config.language or "").startswith("zh")


def compile_catalogs(folder: Path = LOCALE_DIR) -> None:
    """Compile each ``.po`` under *folder* whose ``.mo`` is missing or older (Sphinx does this for
    a book's catalogs, not for an extension's); the ``.mo`` files are build output, not sources."""
    for po in folder.rglob("*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))
