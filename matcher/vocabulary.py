"""Word-level lookup: which taxonomy words does one query token stand for?

A token reaches the vocabulary through, in order of trust: exact form, Dutch or
English stem, a prefix term, a split compound ("bijstandsuitkering" -> "bijstand" +
"uitkering"), or a spelling correction ("schlden" -> "schulden"). Each route carries a
quality factor so that a guessed match weighs a little less than a certain one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from matcher.normalize import stem_en, word_keys
from matcher.taxonomy import Lexicon

Q_EXACT = 1.0
Q_STEM = 0.95
Q_PREFIX = 0.95
Q_COMPOUND = 0.9
Q_HEAD_ONLY = 0.75
Q_FUZZY = 0.8

MIN_STEM_KEY = 4  # shorter stems ("hel" from hele/heling) collide too easily
MAX_STRIP = 12  # letters a stemmer may remove from a word (checked in the tests)
HEAD_LEN = 3  # stemming never changes a word's first 3 letters (wraak -> wrak, taking -> take)
MIN_LEFT = 3
MIN_HEAD = 4
MIN_HEAD_ONLY = 5
MIN_SPLIT_LEN = 6
MIN_FUZZY_LEN = 6
_LINKERS = ("s", "en", "e", "n")
_CACHE_LIMIT = 50_000

Specs = dict[str, float]


class Vocabulary:
    """All single words used by taxonomy terms, indexed by raw form and stems."""

    def __init__(self, words: Iterable[str], prefixes: Iterable[str],
                 case_sensitive: Iterable[str], lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.blocked = lexicon.stopwords | lexicon.neutral
        self.exceptions = lexicon.stem_exceptions | self.blocked
        self.case_sensitive = frozenset(case_sensitive)
        self._raw: dict[str, set[str]] = defaultdict(set)
        # Stem indexes are filled lazily: stemming every vocabulary word up front was
        # most of the load time. Snowball stems only change a word's ending, so a stem
        # of 4+ letters starts with the same first letters as its word (HEAD_LEN; a
        # test checks this for the whole vocabulary); words are bucketed by those
        # letters and stemmed on first use.
        self._by_head: dict[str, list[str]] = defaultdict(list)
        for word in sorted(set(words)):  # sorted: the same order in every process (a
            self._raw[word].add(word)    # set's order follows the per-process str hash)
            if len(word) >= MIN_STEM_KEY:
                self._by_head[word[:HEAD_LEN]].append(word)
        self._stem_index: dict[tuple[int, str], tuple[str, ...]] = {}
        self._prefixes: dict[str, list[str]] = defaultdict(list)
        for prefix in sorted(set(prefixes)):
            self._prefixes[prefix[:4]].append(prefix)
        fuzzy: dict[str, list[str]] = defaultdict(list)
        for word in sorted(set(words) - self.blocked):
            if len(word) >= 4 and not word.isdigit():
                fuzzy[word[0]].append(word)
        self._fuzzy = dict(fuzzy)
        self._cache: dict[tuple[str, str], list[Specs]] = {}

    # -- direct lookups -------------------------------------------------------
    def lookup(self, token: str, *, allow_stems: bool = True) -> Specs:
        """Specs for a token by exact form, stems and prefix terms (no guessing)."""
        specs: Specs = {}
        for word in self._raw.get(token, ()):
            specs[f"w:{word}"] = Q_EXACT
        if not allow_stems or token in self.blocked:
            return specs
        _, nl, en = word_keys(token, self.exceptions)
        # English stems only for tokens that carry an English ending themselves, so
        # Dutch "hele" does not meet "heling" through the English "-ing" rule.
        for kind, key in ((1, nl), (2, en if en != token else "")):
            if len(key) < MIN_STEM_KEY:
                continue
            for word in self.stem_matches(kind, key):
                if kind == 1 and _crosses_language(token, word, key):
                    continue
                specs.setdefault(f"w:{word}", Q_STEM)
        for prefix in self._prefixes.get(token[:4], ()):
            if token.startswith(prefix):
                specs.setdefault(f"p:{prefix}", Q_PREFIX)
        return specs

    def stem_matches(self, kind: int, key: str) -> tuple[str, ...]:
        """Vocabulary words whose Dutch (kind 1) or English (kind 2) stem is *key*."""
        found = self._stem_index.get((kind, key))
        if found is None:
            # A stem is never longer than its word and strips at most ~9 letters
            # ("aansprakelijkheid" -> "aansprak"); MAX_STRIP leaves a margin.
            lo, hi = len(key), len(key) + MAX_STRIP
            found = tuple(w for w in self._by_head.get(key[:HEAD_LEN], ())
                          if lo <= len(w) <= hi and word_keys(w, self.exceptions)[kind] == key)
            self._stem_index[(kind, key)] = found
        return found

    def is_known(self, piece: str, *, allow_stems: bool = True) -> bool:
        """Can *piece* stand as one part of a compound? Function words cannot."""
        if piece in self.lexicon.compound_parts:
            return True
        if piece in self.lexicon.stopwords:
            return False
        if any(word not in self.blocked for word in self._raw.get(piece, ())):
            return True
        return allow_stems and any(spec[2:] not in self.blocked for spec in self.lookup(piece))

    # -- compound splitting ---------------------------------------------------
    def split_compound(self, word: str, depth: int = 0) -> list[str] | None:
        """Split a run-together compound into known parts, longest head first."""
        for i in range(MIN_LEFT, len(word) - MIN_HEAD + 1):
            head = word[i:]
            if not self.is_known(head):
                continue
            left = word[:i]
            candidates = [left] + [left[: -len(k)] for k in _LINKERS if left.endswith(k)]
            for cand in candidates:
                if len(cand) < MIN_LEFT:
                    continue
                # The first part of a compound is uninflected, so its exact form suffices.
                if self.is_known(cand, allow_stems=False):
                    return [cand, head]
                if depth < 2:
                    sub = self.split_compound(cand, depth + 1)
                    if sub:
                        return [*sub, head]
        return None

    def known_head(self, word: str) -> str | None:
        """Longest known tail of an unknown word: the head carries a Dutch compound's meaning."""
        for i in range(MIN_LEFT, len(word) - MIN_HEAD_ONLY + 1):
            head = word[i:]
            if head not in self.blocked and self.is_known(head):
                return head
        return None

    def known_left(self, word: str) -> str | None:
        """Longest known first part ("ontruimings|datum"): the modifier names the topic too."""
        for i in range(len(word) - MIN_LEFT, MIN_HEAD_ONLY - 1, -1):
            left = word[:i]
            for cand in [left] + [left[: -len(k)] for k in _LINKERS if left.endswith(k)]:
                if len(cand) >= MIN_HEAD_ONLY and cand not in self.blocked and self.is_known(cand):
                    return cand
        return None

    # -- spelling correction --------------------------------------------------
    def correct(self, token: str) -> str | None:
        """Closest vocabulary word that a plausible typo could have produced.

        Accepted: one missing/extra letter (two for words of 8+ letters), or two
        neighbouring letters swapped. A changed letter is only accepted in words of
        10+ letters, because shorter Dutch words have too many real minimal pairs
        (gezocht/gekocht, geschept/geschopt).
        """
        bucket = self._fuzzy.get(token[0])
        if not bucket:
            return None
        candidates = process.extract(token, bucket, scorer=OSA.distance, score_cutoff=2,
                                     limit=8)
        best: tuple[int, int, str] | None = None
        for word, osa, _ in candidates:
            indel = Indel.distance(token, word)
            pure = indel == abs(len(token) - len(word))  # only letters added or dropped
            swap = osa == 1 and indel == 2 and sorted(token) == sorted(word)
            max_pure = 1 if len(token) <= 7 else 2
            ok = (pure and indel <= max_pure) or swap or (len(token) >= 10 and osa <= 1)
            if ok and (best is None or (osa, indel) < best[:2]):
                best = (int(osa), int(indel), word)
        return best[2] if best else None

    # -- the public entry point -----------------------------------------------
    def analyse(self, token: str, kept: str) -> list[Specs]:
        """Return one Specs dict per position the token occupies (several for a compound)."""
        key = (token, kept)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        result = self._analyse(token, kept)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _analyse(self, token: str, kept: str) -> list[Specs]:
        specs = self.lookup(token)
        if specs and token not in self._raw and token not in self.blocked:
            # "dreigd" stems to dreigen, but was meant as "dreigt": offer both.
            for variant in _dt_variants(token):
                for word in self._raw.get(variant, ()):
                    specs.setdefault(f"w:{word}", Q_FUZZY)
        if kept in self.case_sensitive:
            specs[f"c:{kept}"] = Q_EXACT
        if specs or token in self.blocked or token.isdigit():
            return [specs]
        for variant in _dt_variants(token):
            fixed = self.lookup(variant)
            if fixed:
                return [_scaled(fixed, Q_FUZZY)]
        if len(token) >= MIN_SPLIT_LEN:
            parts = self.split_compound(token)
            if parts:
                return [_scaled(self.lookup(p), Q_COMPOUND) for p in parts]
        if len(token) >= MIN_FUZZY_LEN and token.isalpha():
            fixed = self.correct(token)
            if fixed:
                return [_scaled(self.lookup(fixed), Q_FUZZY)]
        if len(token) >= MIN_LEFT + MIN_HEAD_ONLY:
            head = self.known_head(token)
            if head:
                return [{}, _scaled(self.lookup(head), Q_HEAD_ONLY)]
            left = self.known_left(token)
            if left:
                return [_scaled(self.lookup(left), Q_HEAD_ONLY), {}]
        return [specs]

    def joined(self, tokens: list[str]) -> Specs:
        """Specs for neighbouring tokens written apart ("huur verhoging" -> huurverhoging)."""
        if all(t in self.lexicon.stopwords for t in tokens) or min(map(len, tokens)) < 2:
            return {}
        specs = self.lookup("".join(tokens))
        if not specs and len(tokens) == 2 and min(map(len, tokens)) >= 4:
            specs = self.lookup(tokens[0] + "s" + tokens[1])
        return _scaled(specs, Q_COMPOUND)


def _dt_variants(token: str) -> list[str]:
    """Spellings an unknown word may have meant by the classic Dutch d/t mix-up
    ("slaad" -> slaat, "dreigd" -> dreigt, "gewurgt" -> gewurgd, "vindt"/"vind") and
    the English past tense in Dutch ("gestalked" -> gestalkt)."""
    if len(token) < 4 or not token.isalpha():
        return []
    if token.endswith("dt"):
        return [token[:-1], token[:-2] + "t"]
    if token.endswith("ed") and len(token) >= 6:
        return [token[:-2] + "t", token[:-2] + "d", token[:-1] + "t"]
    if token.endswith("d"):
        return [token[:-1] + "t", token + "t"]
    if token.endswith("t"):
        return [token[:-1] + "d", token[:-1] + "dt"]
    return []


def _crosses_language(token: str, word: str, key: str) -> bool:
    """Stemming guard: a Dutch stem that changed the word itself (the long vowel of
    "slaap"/"slaapt" is undoubled to "slap") must not meet an English word that the
    English stemmer reduces to the same letters ("slap", "slaps"), and the other way
    round. Ordinary Dutch forms (betaalt/betalen) keep meeting each other."""
    if token == word:
        return False
    if not token.startswith(key) and stem_en(word) == key:
        return True
    return not word.startswith(key) and stem_en(token) == key


def _scaled(specs: Specs, factor: float) -> Specs:
    return {k: v * factor for k, v in specs.items()}
