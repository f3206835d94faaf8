"""Scored feature rules: actor x act x object x control, in any order and wording.

Phrase terms ("<naaste> + <geld_van_iemand> + <controle>") need every part; each new
wording of a situation then needs a new alternative. A scored rule instead looks for
*families* of words (who acts, what is done, to whom or what, with what fear or
injury) anywhere in the text, gives each family present a weight and fires when the
sum reaches a threshold and the required families are there. The families are word
classes in ``rules.yaml`` (``scored:``), so one new word reaches every rule using it.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_NGRAM = 4  # longest feature phrase, in words


@dataclass(frozen=True)
class Feature:
    """One family of words: single words, phrases (up to MAX_NGRAM words), word starts
    (``gooi*``) and compound heads (``*vergunning`` also finds "terrasvergunning")."""

    name: str
    weight: float
    words: frozenset[str]
    phrases: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...] = ()

    def present(self, tokens: frozenset[str], grams: frozenset[str]) -> bool:
        if not self.words.isdisjoint(tokens) or not self.phrases.isdisjoint(grams):
            return True
        if self.prefixes and any(t.startswith(self.prefixes) for t in tokens):
            return True
        return bool(self.suffixes) and any(t.endswith(self.suffixes) for t in tokens)

    def evidence(self, tokens: frozenset[str], grams: frozenset[str]) -> str | None:
        """The text's own phrase or word that makes this family present (what a resident
        is shown as "found"), or None."""
        for ours, theirs in ((self.phrases, grams), (self.words, tokens)):
            hit = ours & theirs
            if hit:
                return min(hit)
        return next((t for t in sorted(tokens)
                     if (self.prefixes and t.startswith(self.prefixes))
                     or (self.suffixes and t.endswith(self.suffixes))), None)


@dataclass(frozen=True)
class ScoredRule:
    """Evidence ``weight`` for ``area`` when the present features reach ``threshold``."""

    code: str
    area: str
    weight: float
    threshold: float
    features: tuple[Feature, ...]
    require: frozenset[str]
    #: Words that say the pattern is not meant literally (an institution, "eruit").
    unless: Feature | None = None
    #: An implied second area: it never overtakes the best directly named area.
    secondary: bool = False
    #: Round 34: whether the ``unless`` words also veto the model's violence signal.
    #: A rule whose vetoes only concern its own pattern ("opa" for a stranger luring a
    #: child) sets ``model_veto: false`` so they do not silence other violence.
    model_veto: bool = True

    def fires(self, tokens: frozenset[str], grams: frozenset[str]) -> tuple[str, ...]:
        """Names of the features that made the rule fire, or () when it does not."""
        if self.unless is not None and self.unless.present(tokens, grams):
            return ()
        found = tuple(f.name for f in self.features if f.present(tokens, grams))
        if not self.require <= set(found):
            return ()
        score = sum(f.weight for f in self.features if f.name in found)
        return found if score >= self.threshold else ()

    def evidence(self, found: tuple[str, ...], tokens: frozenset[str],
                 grams: frozenset[str]) -> tuple[str, ...]:
        """The text's words behind the features ``found`` (in rule order, no repeats)."""
        words = (f.evidence(tokens, grams) for f in self.features if f.name in found)
        return tuple(dict.fromkeys(w for w in words if w))


def text_grams(tokens: list[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The words of a text and its 2..4-word sequences, for feature lookup."""
    words = [t for t in tokens if t]
    grams = {" ".join(words[i:i + n]) for n in range(2, MAX_NGRAM + 1)
             for i in range(len(words) - n + 1)}
    return frozenset(words), frozenset(grams)
