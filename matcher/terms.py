"""Parse the small term language used in the taxonomy YAML.

A term is one string. Keeping the syntax tiny (spaces, ``|``, `` + ``, ``*``, ``=``,
``@w``) lets social workers extend the taxonomy without touching Python.

    huurachterstand            one word
    uit elkaar                 ordered phrase (a few other words may sit in between)
    schuld|schulden            alternatives
    huur + achterstand         every part must occur somewhere in the query
    mishandel*                 prefix match, at least 4 letters before the star
    =OM                        case-sensitive abbreviation
    belastingdienst @1.5       explicit weight
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.normalize import fold, words

_WEIGHT_RE = re.compile(r"\s@(\d+(?:\.\d+)?)\s*$")
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

    @property
    def is_combo(self) -> bool:
        """Combinations add context; they never hide or get hidden by other terms."""
        return len(self.parts) > 1

    @property
    def key(self) -> tuple[tuple[Phrase, ...], ...]:
        """Identity used to merge the same term listed under several areas."""
        return self.parts


def split_weight(text: str) -> tuple[str, float | None]:
    """Strip a trailing '@1.5' weight override."""
    match = _WEIGHT_RE.search(text)
    if not match:
        return text.strip(), None
    return text[: match.start()].strip(), float(match.group(1))


def _word_variants(chunk: str) -> list[tuple[WordSpec, ...]]:
    """One authored chunk -> alternative word sequences (split and joined spellings)."""
    if chunk.startswith("="):
        body = chunk[1:]
        if not _CS_RE.match(body):
            raise TermSyntaxError(f"case-sensitive word must be letters/digits: {chunk!r}")
        return [(f"c:{fold(body, keep_case=True)}",)]
    if chunk.endswith("*"):
        body = fold(chunk[:-1])
        if len(body) < MIN_PREFIX_LEN or not body.isalnum():
            raise TermSyntaxError(f"prefix needs {MIN_PREFIX_LEN}+ letters: {chunk!r}")
        return [(f"p:{body}",)]
    parts = words(chunk)
    if not parts:
        return []
    variants = [tuple(f"w:{w}" for w in parts)]
    if len(parts) > 1:
        variants.append((f"w:{''.join(parts)}",))
    return variants


def _phrase_variants(text: str) -> list[Phrase]:
    phrases: list[Phrase] = [()]
    for chunk in text.split():
        options = _word_variants(chunk)
        if not options:
            continue
        phrases = [p + o for p in phrases for o in options]
    return [p for p in phrases if p]


def parse_term(text: str) -> ParsedTerm:
    """Compile one authored term string; raises TermSyntaxError when it is unusable."""
    if not isinstance(text, str) or not text.strip():
        raise TermSyntaxError("empty term")
    body, weight = split_weight(text)
    if weight is not None and weight < 0:
        raise TermSyntaxError(f"negative weight in {text!r}")
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
    return ParsedTerm(parts=tuple(parts), displays=displays, weight=weight)
