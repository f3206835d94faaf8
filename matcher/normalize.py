"""Text normalisation shared by the taxonomy compiler and the query side.

Both sides must go through exactly the same steps, otherwise a term in the YAML
and the same word typed by a resident would not meet. The steps are: strip markup
and URLs, fold case and diacritics, expand English "n't", tokenise, and compute
lookup keys (raw form, Dutch Porter stem, English stem).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_TAG_RE = re.compile(r"<[^>]{0,200}>")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"\S+@\S+\.\w+")
_NOT_RE = re.compile(r"n['’]t\b", re.IGNORECASE)
# English negations typed without the apostrophe ("cant", "didnt", "hasnt").
_BARE_NOT_RE = re.compile(
    r"\b(ca|do|wo|did|does|has|have|had|is|was|are|were|could|would|should)nt\b",
    re.IGNORECASE)
_BARE_NOT = {"ca": "can", "wo": "will"}
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)

#: Shortest word that is worth stemming; shorter words are abbreviations or
#: function words where stemming only creates collisions.
MIN_STEM_LEN = 4

_NL = snowballstemmer.stemmer("dutch_porter")
_EN = snowballstemmer.stemmer("english")

_SPECIAL_NOT = {"won't": "will not", "can't": "can not", "cannot": "can not", "shan't": "shall not"}


def strip_markup(text: str) -> str:
    """Remove HTML tags/entities, URLs and e-mail addresses (they carry no topic)."""
    text = html.unescape(text)
    text = _TAG_RE.sub(" ", text)
    text = _URL_RE.sub(" ", text)
    return _EMAIL_RE.sub(" ", text)


def fold(text: str, *, keep_case: bool = False) -> str:
    """Strip diacritics (financiën -> financien) and, unless asked not to, casefold."""
    text = text.replace("ĳ", "ij").replace("Ĳ", "IJ").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped if keep_case else stripped.casefold()


def _expand_not(text: str) -> str:
    lowered = text.replace("’", "'")
    for short, full in _SPECIAL_NOT.items():
        lowered = re.sub(rf"\b{re.escape(short)}", full, lowered, flags=re.IGNORECASE)
    lowered = _NOT_RE.sub(" not", lowered)
    return _BARE_NOT_RE.sub(
        lambda m: f"{_BARE_NOT.get(m.group(1).lower(), m.group(1))} not", lowered)


def words(text: str) -> list[str]:
    """Folded words of clean text (taxonomy terms): like tokenize() without markup handling."""
    return [m.group(0) for m in _TOKEN_RE.finditer(fold(_expand_not(text)))]


def tokenize(text: str) -> list[tuple[str, str]]:
    """Split text into (folded, case_kept) word pairs.

    Hyphens, apostrophes and slashes split words ("kop-staartbotsing" -> "kop",
    "staartbotsing"); the engine re-joins neighbours, so split and run-together
    spellings meet. The case-kept form lets short upper-case abbreviations such as
    "OM" be told apart from the everyday word "om".
    """
    text = _expand_not(strip_markup(text))
    kept = fold(text, keep_case=True)
    return [(m.group(0).casefold(), m.group(0)) for m in _TOKEN_RE.finditer(kept)]


@lru_cache(maxsize=65536)
def stem_nl(word: str) -> str:
    """Dutch Porter stem; conservative enough that 'gemeente' stays recognisable."""
    return _NL.stemWord(word) if len(word) >= MIN_STEM_LEN else word


@lru_cache(maxsize=65536)
def stem_en(word: str) -> str:
    """English Snowball stem for the English half of the vocabulary."""
    return _EN.stemWord(word) if len(word) >= MIN_STEM_LEN else word


def word_keys(word: str, exceptions: frozenset[str] = frozenset()) -> tuple[str, str, str]:
    """Return (raw, nl_stem, en_stem); exception words keep their raw form as stem.

    Exceptions exist for words whose stem collides with a signal word, e.g.
    'geweldig' (great) would otherwise stem to 'geweld' (violence).
    """
    if word in exceptions or word.isdigit():
        return word, word, word
    return word, stem_nl(word), stem_en(word)
