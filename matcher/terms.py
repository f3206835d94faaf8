"""Parse the small term language used in the taxonomy YAML.

A term is one string. Keeping the syntax tiny (spaces, ``|``, `` + ``, `` - ``, ``*``,
``=``, ``@w``) lets social workers extend the taxonomy without touching Python.

    huurachterstand            one word
    uit elkaar                 ordered phrase (a few other words may sit in between)
    schuld|schulden            alternatives
    huur + achterstand         every part must occur somewhere in the query
    klap + krijgt - auto|botsing   ... unless one of the words after " - " occurs too
    mishandel*                 prefix match, at least 4 letters before the star
    =OM                        case-sensitive abbreviation
    belastingdienst @1.5       explicit weight
    slaat|sloeg + <slachtoffer>   a word class from lexicon.yaml, spelled out as alternatives
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from matcher.normalize import fold, words

_WEIGHT_RE = re.compile(r"\s@(\d+(?:\.\d+)?)\s*$")
_CLASS_RE = re.compile(r"<([a-z_]+)>")
_CS_RE = re.compile(r"^[A-Za-z0-9]+$")
MIN_PREFIX_LEN = 4

#: A word spec is "w:<word>" (vocabulary word), "p:<prefix>" or "c:<CaseSensitive>".
WordSpec = str
Phrase = tuple[WordSpec, ...]


class TermSyntaxError(ValueError):
    """Raised for a term string that cannot be compiled."""


@dataclass(frozen=True)
class ParsedTerm:
    """A compiled term: parts (all required), each a tuple of alternative phrases."""

    parts: tuple[tuple[Phrase, ...], ...]
    displays: dict[Phrase, str]
    weight: float | None
    #: Phrases that veto the term when any of them occurs anywhere in the query
    #: ("schreeuwt tegen me - baas|collega": shouting by a boss is not domestic).
    excludes: tuple[Phrase, ...] = ()

    @property
    def is_combo(self) -> bool:
        """Combinations add context; they never hide or get hidden by other terms."""
        return len(self.parts) > 1

    @property
    def key(self) -> tuple[tuple[tuple[Phrase, ...], ...], tuple[Phrase, ...]]:
        """Identity used to merge the same term listed under several areas."""
        return self.parts, self.excludes


def split_weight(text: str) -> tuple[str, float | None]:
    """Strip a trailing '@1.5' weight override."""
    match = _WEIGHT_RE.search(text)
    if not match:
        return text.strip(), None
    return text[: match.start()].strip(), float(match.group(1))


@lru_cache(maxsize=16384)
def _word_variants(chunk: str) -> tuple[tuple[WordSpec, ...], ...]:
    """One authored chunk -> alternative word sequences (split and joined spellings)."""
    if chunk.startswith("="):
        body = chunk[1:]
        if not _CS_RE.match(body):
            raise TermSyntaxError(f"case-sensitive word must be letters/digits: {chunk!r}")
        return ((f"c:{fold(body, keep_case=True)}",),)
    if chunk.endswith("*"):
        body = fold(chunk[:-1])
        if len(body) < MIN_PREFIX_LEN or not body.isalnum():
            raise TermSyntaxError(f"prefix needs {MIN_PREFIX_LEN}+ letters: {chunk!r}")
        return ((f"p:{body}",),)
    parts = words(chunk)
    if not parts:
        return ()
    variants = [tuple(f"w:{w}" for w in parts)]
    if len(parts) > 1:
        variants.append((f"w:{''.join(parts)}",))
    return tuple(variants)


@lru_cache(maxsize=16384)
def _phrase_variants(text: str) -> tuple[Phrase, ...]:
    phrases: list[Phrase] = [()]
    for chunk in text.split():
        options = _word_variants(chunk)
        if not options:
            continue
        phrases = [p + o for p in phrases for o in options]
    return tuple(p for p in phrases if p)


def expand_classes(text: str, classes: dict[str, tuple[str, ...]]) -> str:
    """Replace ``<name>`` by the words of that class joined with ``|``."""

    def sub(match: re.Match[str]) -> str:
        words = classes.get(match.group(1))
        if not words:
            raise TermSyntaxError(f"unknown word class <{match.group(1)}> in {text!r}")
        return "|".join(words)

    return _CLASS_RE.sub(sub, text)


def parse_term(text: str, classes: dict[str, tuple[str, ...]] | None = None) -> ParsedTerm:
    """Compile one authored term string; raises TermSyntaxError when it is unusable."""
    if not isinstance(text, str) or not text.strip():
        raise TermSyntaxError("empty term")
    if "<" in text:
        text = expand_classes(text, classes or {})
    body, weight = split_weight(text)
    if weight is not None and weight < 0:
        raise TermSyntaxError(f"negative weight in {text!r}")
    body, _, veto = body.partition(" - ")
    excludes: list[Phrase] = []
    for alt in veto.split("|") if veto.strip() else []:
        if " + " in alt or " - " in alt or "*" in alt:
            raise TermSyntaxError(f"exclusions are plain words or phrases: {text!r}")
        excludes.extend(p for p in _phrase_variants(alt.strip()) if p not in excludes)
    if veto.strip() and not excludes:
        raise TermSyntaxError(f"exclusion without words: {text!r}")
    parts: list[tuple[Phrase, ...]] = []
    displays: dict[Phrase, str] = {}
    for part_text in body.split(" + "):
        alternatives: list[Phrase] = []
        for alt in part_text.split("|"):
            alt = alt.strip()
            for phrase in _phrase_variants(alt):
                if phrase not in alternatives:
                    alternatives.append(phrase)
                    displays.setdefault(phrase, alt.replace("=", "").replace("*", ""))
        if not alternatives:
            raise TermSyntaxError(f"term part without words: {text!r}")
        parts.append(tuple(alternatives))
    return ParsedTerm(parts=tuple(parts), displays=displays, weight=weight,
                      excludes=tuple(excludes))
