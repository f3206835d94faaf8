"""The matcher: map a free-text situation onto problem areas and life events.

How a score comes about (see docs/taxonomy.md for the authoring side):

1. Tokens become positions; each position knows which taxonomy words it stands for
   (exact, stem, prefix, compound part, spelling correction; see vocabulary.py).
   Neighbouring tokens are also tried joined ("huur verhoging" -> huurverhoging).
2. Every term whose words are present is matched (phrases in order with small gaps,
   combinations anywhere). A longer phrase hides a shorter one inside it, so
   "bijzondere bijstand" does not also count "bijstand" a second time. A term with
   exclusions ("a + b - c|d") is dropped when one of the excluded words is present.
3. An area's raw evidence is the sum of weight x match quality of its terms.
   Life events found the same way give their usual areas a small, decaying boost.
4. Areas are returned when they have evidence of their own: the best one, plus others
   that reach an absolute floor and a share of the best. Any real sign of violence
   puts ``geweld`` first, whatever else scored higher; so does the learned model when
   it is confident of violence the rules did not see (SAFETY_MODEL_MIN, vetoed by the
   same figurative checks).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.features import ScoredRule, text_grams
from matcher.model import MODEL_FILE, AreaModel
from matcher.normalize import tokenize
from matcher.taxonomy import (
    DEFAULT_TAXONOMY_DIR,
    AreaDef,
    LifeEventDef,
    Taxonomy,
    load_taxonomy,
)
from matcher.terms import ParsedTerm, Phrase
from matcher.vocabulary import Specs, Vocabulary

MAX_QUERY_CHARS = 1000
MAX_GAP = 2  # other words allowed between two words of a phrase

MIN_TOP = 1.0  # raw evidence needed before anything is returned
SECOND_ABS = 1.4  # raw evidence a second/third area needs on its own
SECOND_REL = 0.3  # ... and as a share of the best area
MAX_AREAS = 3
SAFETY_AREA = "geweld"
# Any violence signal that counts (weight 1 or more) puts geweld first: missing a
# resident in danger costs far more than a frontline worker skipping one extra line.
SAFETY_MIN = 1.0
EVENT_MIN = 2.0
MAX_EVENTS = 3
EVENT_BOOST = 1.2
EVENT_OVERRIDE = 2.0  # direct evidence this strong makes life-event boosts unnecessary
EVENT_DECAY = 0.75
EVENT_CAP = 0.95  # an area a life event adds stays below the best directly named area
SCORE_SCALE = 4.0
DIMINISH = 0.6  # weight of each further term for the same area
SCORED_PREFIX = "scored_"  # how a scored rule shows in ``matched`` and ``--explain``
# The learned complement (matcher/model.py). On because leave-one-batch-out over
# holdout16..31 and the unseen holdout32/33 both gain hit@1 with the same safety and false
# alarms (bench/matcher_cv.py prints the figures; set False for rules only).
MODEL_ENABLED = True
MODEL_WEIGHT = 1.0  # raw evidence per unit of model probability (calibrated, bench/matcher_cv.py)
MODEL_CUTOFF = 0.3  # below this probability the model adds nothing to an area (calibrated)
MODEL_WORDS = 2  # the text's own words shown as "found" for an area the model adds
# The model's own violence signal. Why: rule rounds fix the batch they study, but the next
# unseen batch stays at ~0.80 safety (new wording every time); the model, trained without
# the batch, recognises most of its violence. Alone it over-reads who is named ("hij",
# "mijn moeder heeft haar pinpas verloren"), so it must also see violence in the text
# with the people left out, and the rules' institution/role guard and their innocent
# readings (``unless`` of the geweld scored rules) veto it. Both thresholds were chosen
# by leave-one-batch-out over the training batches (bench/matcher_safety_cv.py): the
# most violence recognised while the extra false alarms stay within 1% of non-violence
# items (the rules already spend ~4% of the 1-in-20 budget on fresh text) and no
# negative in the matcher tests is raised.
SAFETY_MODEL_MIN = 0.55  # geweld probability of the whole text
SAFETY_MODEL_ACT_MIN = 0.30  # ... and of the text without its person words
SAFETY_PERSON_CLASSES = ("partner", "familie", "kinderen")  # lexicon.yaml classes
SAFETY_PRONOUNS = frozenset({"hij", "he", "she", "him", "zij", "ze", "haar", "her", "his",
                             "zijn", "hem", "hun", "they", "them", "their"})


def _scored_label(rule: ScoredRule, found: tuple[str, ...]) -> str:
    """A fired scored rule as ``matched`` and ``--explain`` show it."""
    return f"{SCORED_PREFIX}{rule.code} ({', '.join(found)})"

AREA, EVENT = "area", "event"

MESSAGES_NL = {
    "empty_query": "Typ eerst in een paar woorden wat er aan de hand is.",
    "query_too_long": f"Je tekst is te lang. Gebruik maximaal {MAX_QUERY_CHARS} tekens.",
    "invalid_query": "Dit is geen tekst. Typ in een paar woorden wat er aan de hand is.",
}


class MatchInputError(ValueError):
    """The query cannot be matched; ``message_nl`` can be shown to the resident."""

    def __init__(self, code: str, message_nl: str | None = None) -> None:
        self.code = code
        self.message_nl = message_nl or MESSAGES_NL.get(code, MESSAGES_NL["invalid_query"])
        super().__init__(self.message_nl)


@dataclass(frozen=True)
class AreaMatch:
    code: str
    label: str
    label_en: str
    score: float
    matched: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "score": self.score,
                "matched": list(self.matched)}


@dataclass(frozen=True)
class LifeEventMatch:
    code: str
    label: str
    label_en: str
    score: float
    matched: tuple[str, ...]
    areas: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "score": self.score,
                "matched": list(self.matched)}


@dataclass(frozen=True)
class MatchResult:
    query: str
    areas: list[AreaMatch]
    life_events: list[LifeEventMatch]
    #: True when violence/unsafety signals were found; the UI should show safety help.
    safety: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "areas": [a.to_dict() for a in self.areas],
                "life_events": [e.to_dict() for e in self.life_events]}


@dataclass
class _CompiledTerm:
    parsed: ParsedTerm
    signals: dict[tuple[str, str], float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    specs: Specs


@dataclass(frozen=True)
class _Hit:
    term: _CompiledTerm
    slots: frozenset[int]
    quality: float
    display: str


def _score(raw: float) -> float:
    return round(1.0 - math.exp(-raw / SCORE_SCALE), 3)


@dataclass(frozen=True)
class ModelBlend:
    """How the learned model's probabilities join the rules' evidence."""

    model: AreaModel
    weight: float = MODEL_WEIGHT
    cutoff: float = MODEL_CUTOFF
    #: geweld probability that raises the safety signal on its own (above 1: never) ...
    safety_min: float = SAFETY_MODEL_MIN
    #: ... when the text without its person words still reaches this one.
    safety_act_min: float = SAFETY_MODEL_ACT_MIN

    def bonus(self, text: str, probs: dict[str, float] | None = None) -> dict[str, float]:
        """Evidence per area: ``weight x p`` where p reaches the cut-off. Never for
        ``geweld``: the model's violence signal is a separate, calibrated decision
        (``Matcher._model_safety``), not evidence that the figurative checks could miss."""
        probs = self.model.predict(text) if probs is None else probs
        return {code: self.weight * p for code, p in probs.items()
                if p >= self.cutoff and code != SAFETY_AREA}


class Matcher:
    """Lexical matcher over the authored taxonomy. Build once, call ``match`` often."""

    def __init__(self, taxonomy: Taxonomy, blend: ModelBlend | None = None) -> None:
        self.taxonomy = taxonomy
        #: The learned complement; None means rules only.
        self.blend = blend
        self.version = taxonomy.version
        self.areas: list[AreaDef] = list(taxonomy.areas)
        self.life_events: list[LifeEventDef] = list(taxonomy.life_events)
        self._area_by_code = {a.code: a for a in self.areas}
        self._event_by_code = {e.code: e for e in self.life_events}
        self._terms = self._compile_terms()
        words, prefixes, cs = set(), set(), set()
        for term in self._terms:
            for phrase in [*(p for part in term.parsed.parts for p in part),
                           *term.parsed.excludes]:
                for spec in phrase:
                    kind, value = spec.split(":", 1)
                    {"w": words, "p": prefixes, "c": cs}[kind].add(value)
        self.vocabulary = Vocabulary(words, prefixes, cs, taxonomy.lexicon)
        self._first: dict[str, list[_CompiledTerm]] = {}
        for term in self._terms:
            for phrase in term.parsed.parts[0]:
                self._first.setdefault(phrase[0], []).append(term)
        self._masks = [self._compile_mask(m) for m in taxonomy.lexicon.masks]
        # By first word: a text is scanned once, not once per mask (100+ of them).
        self._masks_by_first: dict[str, list[list[tuple[str, bool]]]] = {}
        for mask in self._masks:
            if mask:
                self._masks_by_first.setdefault(mask[0][0], []).append(mask)
        self._event_rules = taxonomy.rules.events
        self._figurative_rule = taxonomy.rules.figurative
        self._scored = taxonomy.rules.scored
        self._safety_unless = tuple(r for r in self._scored
                                    if r.area == SAFETY_AREA and r.unless is not None
                                    and r.model_veto)
        # Round 40: the benign phrases by first word (a class inside a phrase makes many)
        self._benign_first = _by_first(self._figurative_rule.benign)
        self._benign_guard_first = _by_first(self._figurative_rule.benign_guard)
        classes = taxonomy.lexicon.classes
        self._persons = SAFETY_PRONOUNS.union(
            *(classes.get(name, ()) for name in SAFETY_PERSON_CLASSES))

    # -- construction ---------------------------------------------------------
    def _compile_terms(self) -> list[_CompiledTerm]:
        merged: dict[Any, _CompiledTerm] = {}
        sources = [(AREA, a.code, a.terms) for a in self.taxonomy.areas]
        sources += [(EVENT, e.code, e.terms) for e in self.taxonomy.life_events]
        for kind, code, terms in sources:
            for term in terms:
                if term.weight <= 0:
                    continue
                compiled = merged.setdefault(term.parsed.key, _CompiledTerm(term.parsed))
                key = (kind, code)
                compiled.signals[key] = max(compiled.signals.get(key, 0.0), term.weight)
        return list(merged.values())

    @staticmethod
    def _compile_mask(text: str) -> list[tuple[str, bool]]:
        out: list[tuple[str, bool]] = []
        bracketed = "[" in text
        for chunk in text.split():
            hidden = chunk.startswith("[") or chunk.endswith("]") or not bracketed
            out.extend((tok, hidden) for tok, _ in tokenize(chunk.strip("[]")))
        return out

    # -- public API -----------------------------------------------------------
    def area_codes_for_life_event(self, code: str) -> list[str]:
        """Areas a life event usually brings, most likely first ([] for an unknown code)."""
        event = self._event_by_code.get(code)
        return list(event.areas) if event else []

    def match(self, text: str, lang: str | None = None) -> MatchResult:
        """Match *text*; ``lang`` is accepted for the API but both languages are always read."""
        del lang  # Dutch and English vocabularies are matched together on purpose.
        if not isinstance(text, str):
            raise MatchInputError("invalid_query")
        if len(text) > MAX_QUERY_CHARS:
            raise MatchInputError("query_too_long")
        if not text.strip():
            raise MatchInputError("empty_query")
        units, tokens, plain = self._units(text)
        hits = self._figurative(self._hits(units), tokens)
        raw, shown = self._evidence(hits)
        fired = self._scored_hits(plain)
        if (self._violence_topic(self._present(tokens)) or self._young_actor(tokens)
                or self._held_safe(tokens) or self._benign(tokens)):
            fired = [f for f in fired if f[0].area != SAFETY_AREA]
        self._add_scored(fired, raw, shown)
        events = self._life_events(raw, shown)
        direct = any(raw.get((AREA, a.code), 0.0) >= EVENT_OVERRIDE for a in self.areas)
        after: set[str] = set()
        first: list[str] = []
        best_direct = max((raw.get((AREA, a.code), 0.0) for a in self.areas), default=0.0)
        for event in events:
            rule = self._event_rules.get(event.code)
            if rule is not None:
                if raw.get((EVENT, event.code), 0.0) < rule.min:
                    continue
                # rules.yaml: the event brings its areas in the order a resident needs
                # them, also next to direct evidence (a dismissal also means income),
                # but an added area never overtakes the best directly named one.
                for code, weight in rule.adds.items():
                    old = raw.get((AREA, code), 0.0)
                    if best_direct and old >= best_direct:
                        continue  # already the best: adding only inflates the top
                    new = old + weight
                    if best_direct >= EVENT_OVERRIDE and old < best_direct:
                        new = min(new, best_direct * EVENT_CAP)
                    raw[(AREA, code)] = max(old, new)
                    if not shown.get((AREA, code)):
                        shown[(AREA, code)] = list(shown.get((EVENT, event.code), []))
                after.update(rule.after)
                first.extend(c for c in rule.first if c not in first)
                continue
            if not direct:
                # Without a rule, an event only speaks when little else does ("ik word
                # 18"); next to clear direct evidence it would add noise.
                adds = ((c, EVENT_BOOST * EVENT_DECAY**i) for i, c in enumerate(event.areas))
            else:
                continue
            for code, weight in adds:
                raw[(AREA, code)] = raw.get((AREA, code), 0.0) + weight
                if not shown.get((AREA, code)):
                    shown[(AREA, code)] = list(shown.get((EVENT, event.code), []))
        areas, safety = self._select_areas(raw, shown, event_only=not direct)
        if self.blend is not None:
            probs = self.blend.model.predict(text)
            areas = self._add_model(text, areas, raw, shown, event_only=not direct,
                                    probs=probs)
            if not safety and self._model_safety(probs, tokens, plain):
                areas, safety = self._with_safety(text, areas), True
        if after or first:
            # Stable: safety stays first; the areas an event needs first come next,
            # the areas it says come later move behind the others.
            areas.sort(key=lambda a: (
                a.code != SAFETY_AREA,
                first.index(a.code) if a.code in first else len(first),
                a.code in after and a.code != SAFETY_AREA))
        return MatchResult(query=text, areas=areas, life_events=events, safety=safety)

    def explain(self, text: str) -> list[dict[str, Any]]:
        """Every term hit with its positions, quality and signals (for taxonomy authors)."""
        units, tokens, plain = self._units(text)
        hits = self._figurative(self._hits(units), tokens)
        out = [
            {"term": h.display, "quality": round(h.quality, 3), "positions": sorted(h.slots),
             "combo": h.term.parsed.is_combo,
             "signals": {f"{k}:{c}": w for (k, c), w in h.term.signals.items()}}
            for h in sorted(hits, key=lambda h: min(h.slots))
        ]
        out += [{"term": _scored_label(rule, found), "quality": 1.0,
                 "positions": [], "combo": True, "signals": {f"{AREA}:{rule.area}": rule.weight}}
                for rule, found, _words in self._scored_hits(plain)]
        return out

    # -- step 2b: scored feature rules ----------------------------------------
    def _scored_hits(self, plain: list[str]
                     ) -> list[tuple[ScoredRule, tuple[str, ...], tuple[str, ...]]]:
        """Scored rules (rules.yaml ``scored:``) that fire, with their features found and
        the text's words behind them."""
        if not self._scored:
            return []
        tokens, grams = text_grams(plain)
        out = []
        for rule in self._scored:
            found = rule.fires(tokens, grams)
            if found:
                out.append((rule, found, rule.evidence(found, tokens, grams)))
        return out

    @staticmethod
    def _add_scored(fired: list[tuple[ScoredRule, tuple[str, ...], tuple[str, ...]]],
                    raw: dict[tuple[str, str], float],
                    shown: dict[tuple[str, str], list[str]]) -> None:
        """Add a fired rule's evidence like one more term for its area (diminishing); the
        area's ``matched`` shows the resident's own words, as a combination term does
        (the rule's name is for ``--explain``)."""
        for rule, _found, words in fired:
            key = (AREA, rule.area)
            old = raw.get(key, 0.0)
            hi, lo = max(old, rule.weight), min(old, rule.weight)
            # A rule confirms what clear terms already say without piling up evidence,
            # so a second area keeps its share of the best one (the relative floor).
            new = hi if old >= EVENT_OVERRIDE else hi + lo * DIMINISH
            if rule.secondary:
                # An implied area follows the subject the resident names; it does not
                # replace it ("voorlopige aanslag klopt niet" is a tax question first).
                best = max((v for (kind, code), v in raw.items()
                            if kind == AREA and code not in (rule.area, SAFETY_AREA)),
                           default=0.0)
                if best >= MIN_TOP:
                    new = max(old, min(new, best * EVENT_CAP))
            raw[key] = new
            label = " + ".join(words)
            if label and label not in shown.get(key, ()):
                shown.setdefault(key, []).append(label)

    # -- step 3c: the learned complement ---------------------------------------
    def _add_model(self, text: str, areas: list[AreaMatch],
                   raw: dict[tuple[str, str], float], shown: dict[tuple[str, str], list[str]],
                   event_only: bool, probs: dict[str, float] | None = None
                   ) -> list[AreaMatch]:
        """Areas re-selected with the model's bounded bonus added to the rules' evidence.

        The bonus never touches ``geweld`` (so it cannot put violence first against the
        figurative checks), and when the rules chose ``geweld`` the rules' list stands
        unless ``geweld`` keeps its place: the model never removes a violence signal.
        """
        assert self.blend is not None
        bonus = self.blend.bonus(text, probs)
        if not bonus:
            return areas
        boosted = dict(raw)
        seen = dict(shown)
        for code, extra in bonus.items():
            key = (AREA, code)
            boosted[key] = boosted.get(key, 0.0) + extra
            if not seen.get(key):
                seen[key] = list(self.blend.model.top_words(text, code, MODEL_WORDS))
        out, _safety = self._select_areas(boosted, seen, event_only=event_only)
        before = [a.code for a in areas]
        after = [a.code for a in out]
        if SAFETY_AREA in before and (SAFETY_AREA not in after or (
                before[0] == SAFETY_AREA and after[0] != SAFETY_AREA)):
            return areas
        return out

    # -- step 3d: the model's violence signal ----------------------------------
    def _model_safety(self, probs: dict[str, float], tokens: list[str],
                      plain: list[str]) -> bool:
        """True when the model is confident of violence the rules did not see."""
        assert self.blend is not None
        if probs.get(SAFETY_AREA, 0.0) < self.blend.safety_min:
            return False
        act, vetoed = self.safety_context(tokens, plain)
        return not vetoed and (self.blend.model.predict(act).get(SAFETY_AREA, 0.0)
                               >= self.blend.safety_act_min)

    def safety_context(self, tokens: list[str], plain: list[str]) -> tuple[str, bool]:
        """The text without its person words, and whether the model's violence signal is
        vetoed like the rules' own violence words: an organisation or a role (landlord,
        boss, bailiff) in the text without a person close to the resident or an injury
        word (``figurative.anchors``), or an innocent reading a geweld scored rule knows
        ("pinpas verloren", an accident). The act must look like violence without the
        people: the model alone reads a family word as half a case.
        """
        fig = self._figurative_rule
        present = self._present(tokens)
        vetoed = (self._violence_topic(present) or self._held_safe(tokens)
                  or self._benign(tokens)) or (
            not present & fig.anchors and bool(present & fig.roles or any(
                _is_org(t, fig.organisations) for t in present)))
        if not vetoed:
            words, grams = text_grams(plain)
            vetoed = any(rule.unless.present(words, grams)  # type: ignore[union-attr]
                         for rule in self._safety_unless)
        return " ".join(w for w in plain if w and w not in self._persons), vetoed

    def _with_safety(self, text: str, areas: list[AreaMatch]) -> list[AreaMatch]:
        """``geweld`` first, then the rules' areas (at most MAX_AREAS in all)."""
        assert self.blend is not None
        area = self._area_by_code[SAFETY_AREA]
        top = max((a.score for a in areas), default=_score(MIN_TOP))
        words = self.blend.model.top_words(text, SAFETY_AREA, MODEL_WORDS)
        first = AreaMatch(area.code, area.label, area.label_en, top, words)
        return [first, *(a for a in areas if a.code != SAFETY_AREA)][:MAX_AREAS]

    # -- step 1: positions ----------------------------------------------------
    def _units(self, text: str) -> tuple[list[_Unit], list[str], list[str]]:
        """Units to match, the folded token at each position, and the text's folded
        words with masked idiom words blanked (for the scored rules)."""
        tokens = tokenize(text)
        folded = [t for t, _ in tokens]
        hidden = self._masked(folded) | self._accused_scope(folded)
        units: list[_Unit] = []
        at: list[str] = []
        ranges: list[tuple[int, int] | None] = []
        pos = 0
        for i, (token, kept) in enumerate(tokens):
            pieces = [{}] if i in hidden else self.vocabulary.analyse(token, kept)
            start = pos
            for specs in pieces:
                units.append(_Unit(pos, pos, specs))
                at.append(token)
                pos += 1
            ranges.append((start, pos - 1) if len(pieces) == 1 and i not in hidden else None)
        for size in (2, 3):
            for i in range(len(tokens) - size + 1):
                span = ranges[i : i + size]
                if any(r is None for r in span):
                    continue
                specs = self.vocabulary.joined(folded[i : i + size])
                if specs:
                    units.append(_Unit(span[0][0], span[-1][1], specs))  # type: ignore[index]
        plain = ["" if i in hidden else t for i, t in enumerate(folded)]
        return units, at, plain

    def _masked(self, folded: list[str]) -> set[int]:
        hidden: set[int] = set()
        size = len(folded)
        for i, token in enumerate(folded):
            for mask in self._masks_by_first.get(token, ()):
                n = len(mask)
                if i + n <= size and all(folded[i + k] == mask[k][0] for k in range(1, n)):
                    hidden.update(i + k for k in range(n) if mask[k][1])
        return hidden

    def _accused_scope(self, folded: list[str]) -> set[int]:
        """Positions of violence words the resident is accused of ("beschuldigt me van
        mishandeling", "accuses me of hitting"): from an accusation word up to
        ``figurative.scope`` words, closed by a new clause ("en slaat me dan")."""
        fig = self._figurative_rule
        if not fig.accusations or not fig.accusations & set(folded):
            return set()
        acts = fig.physical | fig.pressure | fig.accused
        hidden: set[int] = set()
        for i, token in enumerate(folded):
            if token not in fig.accusations:
                continue
            for j in range(i + 1, min(i + 1 + fig.scope, len(folded))):
                if folded[j] in fig.scope_stops:
                    break
                if folded[j] in acts:
                    hidden.add(j)
        return hidden

    def _present(self, tokens: list[str]) -> set[str]:
        """The text's words, without those of a help organisation's name ("veilig
        thuis", "blijf van mijn lijf") or of an idiom ("vraag me af"): naming a helpline
        or wondering says nothing about who acts or who is harmed (``figurative.names``,
        ``figurative.idioms``)."""
        fig = self._figurative_rule
        if not (fig.names or fig.idioms):
            return set(tokens)
        covered = _phrase_positions(tokens, fig.names | fig.idioms)
        return {t for i, t in enumerate(tokens) if i not in covered}

    def _young_actor(self, tokens: list[str]) -> bool:
        """Round 34: a toddler or a child with autism or tantrums is the one who hits
        ("mijn kind van 3 slaat en bijt op de opvang") and no word says anyone is hurt,
        afraid, or that the child is the victim (``figurative.young_guard``)."""
        fig = self._figurative_rule
        return bool(fig.young_actors and _phrase_positions(tokens, fig.young_actors)
                    and not _phrase_positions(tokens, fig.young_guard))

    def _held_safe(self, tokens: list[str]) -> bool:
        """Round 36: a document, card or money is held for safekeeping, with consent or
        by an authority (``figurative.held_safe``: "in de kluis", "omdat de mijne kapot
        is", "tijdens de procedure") and nothing says threat, fear, a ban or a blow
        (``figurative.held_guard`` and the physical violence verbs)."""
        fig = self._figurative_rule
        if not _phrase_positions(tokens, fig.held_objects):
            return False
        safe = _phrase_positions(tokens, fig.held_safe) if fig.held_safe else set()
        if not safe:
            return False
        if (fig.physical | fig.accused) & {t for i, t in enumerate(tokens) if i not in safe}:
            return False  # "kapot" in "omdat de mijne kapot is" is no blow
        return not _phrase_positions(tokens, fig.held_guard)

    def _benign(self, tokens: list[str]) -> bool:
        """Round 40: a reading with no violence (``figurative.benign``: fear of thunder,
        the dentist or an exam, a professional's training question, money managed
        openly for a dependent relative) and no guard word or physical violence verb
        outside it (``figurative.benign_guard``: a threat, a ban, fear of a person)."""
        safe = _indexed_positions(tokens, self._benign_first)
        if not safe:
            return False
        if self._figurative_rule.physical & {t for i, t in enumerate(tokens) if i not in safe}:
            return False
        return not _indexed_positions(tokens, self._benign_guard_first) - safe

    def _workplace_names(self, tokens: list[str]) -> set[int]:
        """Round 34: positions of a help organisation's name that is a workplace: a
        work word (``figurative.workplace``) within ``window`` words of it ("ik werk in
        een blijf-van-mijn-lijf huis", "vrijwilliger bij veilig thuis")."""
        fig = self._figurative_rule
        if not (fig.workplace and fig.names):
            return set()
        names = _phrase_positions(tokens, fig.names)
        if not names:
            return set()
        work = _phrase_positions(tokens, fig.workplace) | {
            i for i, t in enumerate(tokens)  # a compound starting with a work word
            if any(len(w) >= 5 and " " not in w and t.startswith(w) for w in fig.workplace)}
        if not any(abs(i - j) <= fig.window for i in names for j in work):
            return set()
        # the name's head noun ("huis" in "blijf-van-mijn-lijf huis") belongs to it
        return names | {i + 1 for i in names}

    def _violence_topic(self, present: set[str]) -> bool:
        """Violence as a topic (a school talk, a film, the news) with no word saying it
        happens to the resident or their household (``figurative.topic_anchors``)."""
        fig = self._figurative_rule
        return bool(present & fig.topics) and not present & fig.topic_anchors

    def _particle_or_thing(self, slots: set[int], tokens: list[str], anchored: bool) -> bool:
        """A physical verb that is something else: a separable particle after it ("sloeg
        het aanbod af", unanchored "de inflatie slaat hard toe") or, without a person
        close by, a thing as its object ("sloeg met zijn vuist op tafel", "pakket kapot
        geslagen"). A person as object ("sloeg me") keeps the literal reading."""
        fig = self._figurative_rule
        lo, hi = min(slots), max(slots)
        # Round 36: read the particle after the verb itself, not after the hit's last
        # word ("de zorgpremie slaat dit jaar hard toe bij ons": the hit is slaat + ons)
        verb = min((i for i in slots if tokens[i] in fig.physical), default=hi)
        for j in range(verb + 1, min(verb + 1 + fig.scope, len(tokens))):
            tok = tokens[j]
            if tok in fig.scope_stops or tok in fig.person_objects:
                break
            if tok in fig.particles or (not anchored and tok in fig.particles_unanchored):
                return True
        if anchored or not fig.things:
            return False
        near = range(max(lo - fig.window, 0), min(hi + 1 + fig.scope, len(tokens)))
        words = {tokens[j] for j in near}
        # Round 34: a thing also as the head of a compound ("keukenkast", "voordeur")
        thing = bool(words & fig.things) or any(
            len(t) >= 4 and len(w) > len(t) and w.endswith(t) for w in words for t in fig.things)
        return thing and not words & fig.person_objects

    # -- step 1b: figures of speech -------------------------------------------
    def _figurative(self, hits: list[_Hit], tokens: list[str]) -> list[_Hit]:
        """Drop the violence signal of hits that are figures of speech (rules.yaml).

        A hit made only of violence verbs ("slaat", "killing", "intimideert") is read
        figuratively when an organisation is the actor ("de Belastingdienst slaat toe"),
        when a landlord/boss/bailiff only pressures ("intimideert me"), or when money is
        the object ("een klap voor ons budget"). Any person close to the resident
        (partner, family) or any injury word keeps the literal, safe reading.
        """
        fig = self._figurative_rule
        if not (fig.physical or fig.pressure) or not any(
                (AREA, SAFETY_AREA) in hit.term.signals for hit in hits):
            return hits  # the common case: no violence word to read at all
        present = self._present(tokens)
        anchored = bool(present & fig.anchors)
        topic = self._violence_topic(present)
        young = self._young_actor(tokens)
        workplace = set() if anchored else self._workplace_names(tokens)
        if self._benign(tokens):
            # Round 40: "bang voor onweer", "een training volgen": no term is violence
            kept_benign: list[_Hit] = []
            for hit in hits:
                if (AREA, SAFETY_AREA) in hit.term.signals:
                    self._drop_safety(hit, kept_benign)
                else:
                    kept_benign.append(hit)
            hits = kept_benign
        if self._held_safe(tokens):
            # Round 36: "bewaart mijn paspoort in de kluis": a holding term is no threat
            violent = fig.physical | fig.pressure | fig.accused
            kept_held: list[_Hit] = []
            for hit in hits:
                if ((AREA, SAFETY_AREA) in hit.term.signals
                        and not {tokens[i] for i in hit.slots} & violent):
                    self._drop_safety(hit, kept_held)
                else:
                    kept_held.append(hit)
            hits = kept_held
        if young or workplace:
            verbs_or_child = fig.physical | fig.pressure | fig.young_objects | fig.fillers
            kept: list[_Hit] = []
            for hit in hits:
                core = {tokens[i] for i in hit.slots}
                if (AREA, SAFETY_AREA) in hit.term.signals and (
                        (young and core <= verbs_or_child)
                        or (workplace and set(hit.slots) <= workplace)):
                    self._drop_safety(hit, kept)  # the child's act; a place of work
                else:
                    kept.append(hit)
            hits = kept
        if anchored and not topic and not present & fig.particles:
            return hits
        org = any(_is_org(t, fig.organisations) for t in present)
        role = bool(present & fig.roles)
        money_any = role and any(_is_money(t, fig.money) for t in present)
        verbs = fig.physical | fig.pressure
        out: list[_Hit] = []
        for hit in hits:
            if (AREA, SAFETY_AREA) not in hit.term.signals:
                out.append(hit)
                continue
            core = {tokens[i] for i in hit.slots} - fig.fillers
            if topic:  # "een spreekbeurt over huiselijk geweld": nobody is harmed
                self._drop_safety(hit, out)
                continue
            if not core or not core <= verbs:
                out.append(hit)  # "huiselijk geweld", "mishandeld": never figurative
                continue
            if core <= fig.physical and self._particle_or_thing(hit.slots, tokens, anchored):
                self._drop_safety(hit, out)
                continue
            if anchored:
                out.append(hit)
                continue
            lo, hi = min(hit.slots) - fig.window, max(hit.slots) + fig.window
            # Money as the object only turns violence *nouns* into figures ("een klap
            # voor ons budget"); "hij slaat me als ik om geld vraag" stays violence.
            near_money = core <= fig.money_figures and any(
                _is_money(tokens[j], fig.money)
                for j in range(max(lo, 0), min(hi + 1, len(tokens))))
            # A landlord or boss who "is killing us with the heating costs" speaks of
            # money too, even when the money word is further away than the window.
            role_money = role and core <= fig.money_figures and money_any
            if org or near_money or role_money or (role and core <= fig.pressure):
                self._drop_safety(hit, out)
                continue
            out.append(hit)
        return out

    @staticmethod
    def _drop_safety(hit: _Hit, out: list[_Hit]) -> None:
        """Keep *hit* in *out* only for the areas other than ``geweld`` it feeds."""
        signals = {k: w for k, w in hit.term.signals.items() if k != (AREA, SAFETY_AREA)}
        if signals:
            out.append(_Hit(_CompiledTerm(hit.term.parsed, signals), hit.slots,
                            hit.quality, hit.display))

    # -- step 2: term hits ----------------------------------------------------
    def _hits(self, units: list[_Unit]) -> list[_Hit]:
        by_spec: dict[str, list[_Unit]] = {}
        for unit in units:
            for spec in unit.specs:
                by_spec.setdefault(spec, []).append(unit)
        seen: set[int] = set()
        hits: list[_Hit] = []
        for spec in by_spec:
            for term in self._first.get(spec, ()):
                if id(term) in seen:
                    continue
                seen.add(id(term))
                hit = self._match_term(term, by_spec)
                if hit:
                    hits.append(hit)
        return hits

    def _match_term(self, term: _CompiledTerm, by_spec: dict[str, list[_Unit]]) -> _Hit | None:
        quality, slots, shown = 1.0, frozenset[int](), []
        for part in term.parsed.parts:
            best: tuple[float, frozenset[int], Phrase] | None = None
            for phrase in part:
                found = _match_phrase(phrase, by_spec)
                if found and (best is None or _better(found, best)):
                    best = (found[0], found[1], phrase)
            if best is None:
                return None
            quality = min(quality, best[0])
            slots |= best[1]
            shown.append(term.parsed.displays[best[2]])
        if any(_match_phrase(phrase, by_spec) for phrase in term.parsed.excludes):
            return None  # a veto word says this is not what the term is about
        return _Hit(term, slots, quality, " + ".join(shown))

    # -- step 3: evidence -----------------------------------------------------
    @staticmethod
    def _evidence(hits: list[_Hit]) -> tuple[dict[tuple[str, str], float],
                                             dict[tuple[str, str], list[str]]]:
        plain = [h for h in hits if not h.term.parsed.is_combo]
        kept: list[_Hit] = []
        for h in hits:
            if h.term.parsed.is_combo:
                kept.append(h)
                continue
            # A longer phrase hides a shorter one inside it ("bijzondere bijstand"
            # hides "bijstand"), but a life event the longer one does not name stays:
            # "mijn baan verloren" (werk) keeps the job-loss event of "baan verloren".
            hidden = {k for o in plain if h.slots < o.slots for k in o.term.signals}
            if not hidden:
                kept.append(h)
                continue
            rest = {k: w for k, w in h.term.signals.items()
                    if k[0] == EVENT and k not in hidden}
            if rest:
                kept.append(_Hit(_CompiledTerm(h.term.parsed, rest), h.slots, h.quality,
                                 h.display))
        best: dict[tuple[tuple[str, str], Any], tuple[float, str]] = {}
        for hit in kept:
            combo = hit.term.parsed.is_combo
            group: Any = id(hit) if combo else hit.slots
            for key, weight in hit.term.signals.items():
                if combo and any(key in o.term.signals and hit.slots <= o.slots for o in plain):
                    continue  # a phrase already says the same thing with the same words
                value = weight * hit.quality
                if value > best.get((key, group), (0.0, ""))[0]:
                    best[(key, group)] = (value, hit.display)
        contributions: dict[tuple[str, str], list[tuple[float, str]]] = {}
        for (key, _group), (value, display) in best.items():
            contributions.setdefault(key, []).append((value, display))
        raw: dict[tuple[str, str], float] = {}
        shown: dict[tuple[str, str], list[str]] = {}
        for key, items in contributions.items():
            items.sort(key=lambda x: -x[0])
            # Diminishing returns: the fifth synonym for the same area adds little, so
            # a second area with its own clear evidence is not drowned out.
            raw[key] = sum(v * DIMINISH**i for i, (v, _) in enumerate(items))
            shown[key] = list(dict.fromkeys(d for _, d in items))
        return raw, shown

    def _life_events(self, raw: dict[tuple[str, str], float],
                     shown: dict[tuple[str, str], list[str]]) -> list[LifeEventMatch]:
        found = []
        for event in self.life_events:
            value = raw.get((EVENT, event.code), 0.0)
            if value >= EVENT_MIN:
                found.append((value, event))
        found.sort(key=lambda x: -x[0])
        return [
            LifeEventMatch(e.code, e.label, e.label_en, _score(v),
                           tuple(shown.get((EVENT, e.code), [])), e.areas)
            for v, e in found[:MAX_EVENTS]
        ]

    # -- step 4: selection ----------------------------------------------------
    def _select_areas(self, raw: dict[tuple[str, str], float],
                      shown: dict[tuple[str, str], list[str]],
                      event_only: bool = False) -> tuple[list[AreaMatch], bool]:
        """Best area plus others with their own evidence; ``geweld`` first when present.

        When only a life event was recognised ("ik word 18"), its usual areas are the
        best guess we have, so they are returned together on the event's boost alone.
        """
        ranked = sorted(
            ((raw.get((AREA, a.code), 0.0), i, a) for i, a in enumerate(self.areas)),
            key=lambda x: (-x[0], x[1]),
        )
        ranked = [r for r in ranked if r[0] > 0]
        safety = raw.get((AREA, SAFETY_AREA), 0.0) >= SAFETY_MIN
        if safety:
            ranked.sort(key=lambda x: (x[2].code != SAFETY_AREA, -x[0], x[1]))
        if not ranked or (ranked[0][0] < MIN_TOP and not safety):
            return [], safety
        top = max(r[0] for r in ranked)
        # When safety puts geweld first, the other areas describe the rest of the
        # situation: pile-ups of violence words must not push them off the list, so
        # their relative floor is measured against the best non-violence area.
        others = [r[0] for r in ranked if r[2].code != SAFETY_AREA]
        rel_base = max(others, default=0.0) if safety else top
        chosen = [ranked[0]]
        for value, i, area in ranked[1:]:
            if len(chosen) >= MAX_AREAS:
                break
            if event_only or (value >= SECOND_ABS and value >= SECOND_REL * rel_base):
                chosen.append((value, i, area))
        top_score = _score(top)
        out = []
        for value, _, area in chosen:
            score = top_score if (safety and area.code == SAFETY_AREA) else _score(value)
            out.append(AreaMatch(area.code, area.label, area.label_en, score,
                                 tuple(shown.get((AREA, area.code), []))))
        return out, safety


def _is_org(token: str, organisations: frozenset[str]) -> bool:
    """An organisation, also as the head of a compound ("energiemaatschappij")."""
    return token in organisations or any(
        len(w) >= 6 and token.endswith(w) for w in organisations)


def _phrase_positions(tokens: list[str], phrases: frozenset[str]) -> set[int]:
    """Positions covered by any of *phrases* (folded words joined by one space)."""
    covered: set[int] = set()
    for phrase in phrases:
        words = phrase.split()
        n = len(words)
        if words[0] not in tokens:
            continue
        covered.update(j for i in range(len(tokens) - n + 1)
                       if tokens[i:i + n] == words for j in range(i, i + n))
    return covered


def _by_first(phrases: frozenset[str]) -> tuple[frozenset[tuple[str, ...]], tuple[int, ...]]:
    """Round 40: phrases as word tuples with their lengths (a class inside a phrase
    makes tens of thousands; a lookup per position and length stays cheap)."""
    tuples = frozenset(tuple(p.split()) for p in phrases)
    return tuples, tuple(sorted({len(t) for t in tuples}))


def _indexed_positions(tokens: list[str],
                       index: tuple[frozenset[tuple[str, ...]], tuple[int, ...]]) -> set[int]:
    """Positions covered by any phrase of *index* (see ``_by_first``)."""
    tuples, lengths = index
    covered: set[int] = set()
    size = len(tokens)
    for i in range(size):
        for n in lengths:
            if i + n <= size and tuple(tokens[i:i + n]) in tuples:
                covered.update(range(i, i + n))
    return covered


def _is_money(token: str, money: frozenset[str]) -> bool:
    """A money word, also as the head of a compound ("energierekening", "zorgpremie")."""
    return token in money or any(len(w) >= 5 and token.endswith(w) for w in money)


def _better(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Higher quality wins; on a tie the tighter match (fewer positions) wins."""
    return (a[0], -len(a[1])) > (b[0], -len(b[1]))


def _match_phrase(phrase: Phrase, by_spec: dict[str, list[_Unit]]
                  ) -> tuple[float, frozenset[int]] | None:
    """Best (quality, positions) for an ordered phrase with small gaps, or None."""
    firsts = by_spec.get(phrase[0])
    if not firsts:
        return None
    best: tuple[float, frozenset[int]] | None = None

    def extend(k: int, prev_end: int, quality: float, slots: frozenset[int]) -> None:
        nonlocal best
        if k == len(phrase):
            if best is None or (quality, -len(slots)) > (best[0], -len(best[1])):
                best = (quality, slots)
            return
        for unit in by_spec.get(phrase[k], ()):
            if prev_end < unit.start <= prev_end + 1 + MAX_GAP:
                extend(k + 1, unit.end, min(quality, unit.specs[phrase[k]]),
                       slots | frozenset(range(unit.start, unit.end + 1)))

    for unit in firsts:
        extend(1, unit.end, unit.specs[phrase[0]], frozenset(range(unit.start, unit.end + 1)))
    return best


_LOCK = threading.Lock()
_INSTANCE: Matcher | None = None
#: Where get_matcher keeps the built default matcher between processes (matcher.cache);
#: None: always build. A serving process sets it (webapp.warmup.serving).
CACHE_DIR: Path | None = None


def build_matcher(directory: Path | str = DEFAULT_TAXONOMY_DIR,
                  use_model: bool | None = None) -> Matcher:
    """A fresh matcher for a given taxonomy directory (tests, evaluation of drafts).

    ``use_model`` defaults to MODEL_ENABLED; the model file sits next to the taxonomy
    (``python -m matcher.train`` builds it) and its absence means rules only.
    """
    use_model = MODEL_ENABLED if use_model is None else use_model
    path = Path(directory) / MODEL_FILE
    blend = ModelBlend(AreaModel.load(path)) if use_model and path.is_file() else None
    return Matcher(load_taxonomy(directory), blend)


def get_matcher() -> Matcher:
    """The shared matcher for the default taxonomy, built on first use."""
    global _INSTANCE
    if _INSTANCE is None:
        with _LOCK:
            if _INSTANCE is None:
                from matcher import cache

                _INSTANCE = cache.load_or_build(build_matcher, Matcher, DEFAULT_TAXONOMY_DIR,
                                                MODEL_ENABLED, CACHE_DIR)
    return _INSTANCE
