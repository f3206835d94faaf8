"""Load and validate the authored taxonomy (data/taxonomy/*.yaml).

Validation is strict on purpose: a typo in an area code or a malformed term should
fail loudly at load time (and in the tests), not silently weaken the matcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import yaml

from matcher.features import MAX_NGRAM, Feature, ScoredRule
from matcher.terms import ParsedTerm, TermSyntaxError, parse_term

#: The fixed top-level codes of shared/spec/problem_areas.json, in that order.
AREA_CODES: tuple[str, ...] = (
    "schulden", "toeslagen", "uitkering", "werk", "wonen", "familie", "nalatenschap",
    "consument", "zorg", "belastingen", "vreemdelingen", "discriminatie", "strafrecht",
    "overheid", "onderwijs", "geweld", "bewind", "administratie", "ondernemen", "letselschade",
)  # fmt: skip

DEFAULT_TAXONOMY_DIR = Path(__file__).resolve().parent.parent / "data" / "taxonomy"
# libyaml's C loader parses the taxonomy ~8x faster; both are "safe" loaders.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CLASS_IN_TEXT = re.compile(r"<([a-z][a-z0-9_]*)>")
_GROUPS = ("strong", "medium", "weak")


class TaxonomyError(ValueError):
    """The taxonomy files are missing, malformed or inconsistent."""


@dataclass(frozen=True)
class TermDef:
    """One authored term with its resolved weight."""

    text: str
    weight: float
    parsed: ParsedTerm = field(compare=False, repr=False)


@dataclass(frozen=True)
class SubtopicDef:
    code: str
    label: str
    label_en: str
    terms: tuple[TermDef, ...]


@dataclass(frozen=True)
class AreaDef:
    """A problem area: code, Dutch/English label, scope description, sub-topics."""

    code: str
    label: str
    label_en: str
    description: str
    subtopics: tuple[SubtopicDef, ...]

    @property
    def terms(self) -> tuple[TermDef, ...]:
        return tuple(t for s in self.subtopics for t in s.terms)


@dataclass(frozen=True)
class LifeEventDef:
    """A life event: trigger terms plus the areas it usually brings (most likely first)."""

    code: str
    label: str
    label_en: str
    description: str
    areas: tuple[str, ...]
    terms: tuple[TermDef, ...]


@dataclass(frozen=True)
class Lexicon:
    stopwords: frozenset[str]
    neutral: frozenset[str]
    stem_exceptions: frozenset[str]
    compound_parts: frozenset[str]
    masks: tuple[str, ...]
    #: Named word classes (``<partner>`` in a term stands for all of them).
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class EventRule:
    """How a recognised life event adds its areas: weights, in the order of need."""

    adds: dict[str, float]
    #: Areas that never go before the event's added areas ("after detention, housing
    #: and income come before criminal law").
    after: tuple[str, ...] = ()
    #: Evidence for the event itself needed before it adds anything.
    min: float = 0.0
    #: Areas that go first when present (after safety): what the resident needs now.
    first: tuple[str, ...] = ()


@dataclass(frozen=True)
class FigurativeRule:
    """Word sets for telling a figure of speech from real violence (rules.yaml)."""

    organisations: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    anchors: frozenset[str] = frozenset()
    physical: frozenset[str] = frozenset()
    pressure: frozenset[str] = frozenset()
    money: frozenset[str] = frozenset()
    #: Violence nouns that money can be the object of ("een klap voor ons budget").
    money_figures: frozenset[str] = frozenset()
    fillers: frozenset[str] = frozenset()
    window: int = 4
    # Round 31: readings that are about violence without anyone being harmed.
    #: Words that make violence a topic (a school talk, a film, the news) ...
    topics: frozenset[str] = frozenset()
    #: ... unless one of these says it happens to the resident's household.
    topic_anchors: frozenset[str] = frozenset()
    #: Words that open an accusation ("beschuldigt me van"): violence words in the next
    #: ``scope`` words are what the resident is accused of, not what happened to them.
    accusations: frozenset[str] = frozenset()
    #: Violence nouns an accusation can name besides the physical/pressure verbs.
    accused: frozenset[str] = frozenset()
    #: Words that close a scope (a new clause: "en slaat me dan").
    scope_stops: frozenset[str] = frozenset()
    scope: int = 9
    #: Separable particles that make a physical verb something else ("sloeg het aanbod
    #: af"); the ``unanchored`` ones only without a person ("de inflatie slaat toe").
    particles: frozenset[str] = frozenset()
    particles_unanchored: frozenset[str] = frozenset()
    #: Things a physical verb can hit without a person near ("sloeg op tafel").
    things: frozenset[str] = frozenset()
    #: A person as object near the verb keeps the literal reading of a particle/thing.
    person_objects: frozenset[str] = frozenset()
    # Round 33: names of help organisations ("Veilig Thuis", "Blijf van mijn lijf"):
    #: their words are no anchor ("thuis", "mijn") and no topic anchor.
    names: frozenset[str] = frozenset()
    # Round 34 (issue 12): phrases (folded words joined by one space).
    #: Idioms whose words say nothing about who is harmed ("vraag me af": no anchor).
    idioms: frozenset[str] = frozenset()
    #: Work words: a help organisation's name next to one is a workplace ("ik werk in
    #: een blijf-van-mijn-lijf huis"), not a call for help.
    workplace: frozenset[str] = frozenset()
    #: A young or disabled child as the one who hits ("mijn peuter slaat en bijt") is a
    #: parenting question, not violence against the resident ...
    young_actors: frozenset[str] = frozenset()
    #: ... unless one of these says someone is harmed, afraid, or the child is the victim.
    young_guard: frozenset[str] = frozenset()
    #: The words a hit may contain besides violence verbs to be read as the child's act.
    young_objects: frozenset[str] = frozenset()
    # Round 36 (issue 12): a document, card or money held for safekeeping, with consent
    #: or by an authority ("bewaart mijn paspoort in de kluis", "de ind houdt mijn
    #: paspoort tijdens de procedure", "heeft mijn pas omdat de mijne kapot is") ...
    held_safe: frozenset[str] = frozenset()
    #: ... unless a threat, fear, a ban or a violence verb says otherwise; only when
    #: one of the ``held_objects`` (a document, card, money) is what is held.
    held_guard: frozenset[str] = frozenset()
    held_objects: frozenset[str] = frozenset()
    # Round 40 (issue 12): a reading with no violence although violence words occur:
    #: fear with a cause that is no person ("bang voor onweer"), a professional's
    #: training question, money managed openly for a dependent relative ...
    benign: frozenset[str] = frozenset()
    #: ... unless one of these (or a physical violence verb) occurs outside it.
    benign_guard: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rules:
    """Documented inference rules (data/taxonomy/rules.yaml); empty when the file is absent."""

    version: str = ""
    events: dict[str, EventRule] = field(default_factory=dict)
    figurative: FigurativeRule = field(default_factory=FigurativeRule)
    #: Scored feature rules (actor x act x object x control), see matcher/features.py.
    scored: tuple[ScoredRule, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    version: str
    areas: tuple[AreaDef, ...]
    life_events: tuple[LifeEventDef, ...]
    lexicon: Lexicon
    rules: Rules = field(default_factory=Rules)


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise TaxonomyError(f"missing taxonomy file: {path}")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path.name}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict) or not str(data.get("version", "")).strip():
        raise TaxonomyError(f"{path.name}: expected a mapping with a 'version' key")
    return data


def _labels(node: Any, where: str) -> tuple[str, str]:
    if not isinstance(node, dict):
        raise TaxonomyError(f"{where}: label must be a mapping with nl and en")
    nl, en = node.get("nl"), node.get("en")
    if not (isinstance(nl, str) and nl.strip() and isinstance(en, str) and en.strip()):
        raise TaxonomyError(f"{where}: label needs non-empty nl and en")
    return nl.strip(), en.strip()


def _terms(node: dict[str, Any], weights: dict[str, float], where: str,
           classes: dict[str, tuple[str, ...]] | None = None) -> tuple[TermDef, ...]:
    out: list[TermDef] = []
    unknown = set(node) - {"code", "label", "description", "areas", *weights}
    if unknown:
        raise TaxonomyError(f"{where}: unknown keys {sorted(unknown)}")
    for group, default in weights.items():
        items = node.get(group) or []
        if not isinstance(items, list):
            raise TaxonomyError(f"{where}.{group}: must be a list")
        for item in items:
            if not isinstance(item, str):
                raise TaxonomyError(f"{where}.{group}: term {item!r} is not a string")
            try:
                parsed = parse_term(item, classes)
            except TermSyntaxError as exc:
                raise TaxonomyError(f"{where}.{group}: {exc}") from exc
            weight = default if parsed.weight is None else parsed.weight
            out.append(TermDef(text=item, weight=weight, parsed=parsed))
    return tuple(out)


def _check_duplicates(terms: tuple[TermDef, ...], where: str) -> None:
    seen: dict[Any, str] = {}
    for term in terms:
        if term.parsed.key in seen:
            first = seen[term.parsed.key]
            raise TaxonomyError(f"{where}: duplicate term {term.text!r} (also {first!r})")
        seen[term.parsed.key] = term.text


def _weights(data: dict[str, Any], name: str) -> dict[str, float]:
    raw = data.get("weights") or {"strong": 3.0, "medium": 2.0, "weak": 1.0}
    if not isinstance(raw, dict) or set(raw) - set(_GROUPS):
        raise TaxonomyError(f"{name}: weights must map {list(_GROUPS)} to numbers")
    return {k: float(v) for k, v in raw.items()}


def _load_areas(data: dict[str, Any],
                classes: dict[str, tuple[str, ...]] | None = None) -> tuple[AreaDef, ...]:
    weights = _weights(data, "problem_areas.yaml")
    areas: list[AreaDef] = []
    for node in data.get("areas") or []:
        code = node.get("code")
        if code not in AREA_CODES:
            raise TaxonomyError(f"unknown area code {code!r}")
        label, label_en = _labels(node.get("label"), code)
        subtopics: list[SubtopicDef] = []
        for sub in node.get("subtopics") or []:
            sub_code = sub.get("code", "")
            if not _CODE_RE.match(str(sub_code)):
                raise TaxonomyError(f"{code}: bad subtopic code {sub_code!r}")
            s_label, s_label_en = _labels(sub.get("label"), f"{code}.{sub_code}")
            terms = _terms(sub, weights, f"{code}.{sub_code}", classes)
            subtopics.append(SubtopicDef(sub_code, s_label, s_label_en, terms))
        area = AreaDef(code, label, label_en, str(node.get("description", "")).strip(),
                       tuple(subtopics))
        if not area.terms:
            raise TaxonomyError(f"{code}: no terms")
        _check_duplicates(area.terms, code)
        areas.append(area)
    codes = [a.code for a in areas]
    if sorted(codes) != sorted(AREA_CODES):
        missing = sorted(set(AREA_CODES) - set(codes))
        raise TaxonomyError(f"area codes must be exactly the fixed 20; missing {missing}")
    return tuple(sorted(areas, key=lambda a: AREA_CODES.index(a.code)))


def _load_life_events(data: dict[str, Any],
                      classes: dict[str, tuple[str, ...]] | None = None
                      ) -> tuple[LifeEventDef, ...]:
    weights = _weights(data, "life_events.yaml")
    events: list[LifeEventDef] = []
    for node in data.get("life_events") or []:
        code = str(node.get("code", ""))
        if not _CODE_RE.match(code):
            raise TaxonomyError(f"bad life event code {code!r}")
        label, label_en = _labels(node.get("label"), code)
        description = str(node.get("description", "")).strip()
        if not description:
            raise TaxonomyError(f"{code}: description (B1 Dutch) is required")
        areas = tuple(node.get("areas") or [])
        if not areas or any(a not in AREA_CODES for a in areas):
            raise TaxonomyError(f"{code}: areas must be known area codes, got {areas}")
        terms = _terms(node, weights, code, classes)
        if not terms:
            raise TaxonomyError(f"{code}: no trigger terms")
        _check_duplicates(terms, code)
        events.append(LifeEventDef(code, label, label_en, description, areas, terms))
    if len({e.code for e in events}) != len(events):
        raise TaxonomyError("duplicate life event codes")
    return tuple(events)


def _words(items: Any) -> frozenset[str]:
    if isinstance(items, dict):
        items = [w for group in items.values() for w in (group or [])]
    return frozenset(str(w).casefold() for w in (items or []))


def _load_classes(node: Any) -> dict[str, tuple[str, ...]]:
    if node is None:
        return {}
    if not isinstance(node, dict):
        raise TaxonomyError("lexicon.yaml: classes must map a name to a list of words")
    classes: dict[str, tuple[str, ...]] = {}
    for name, items in node.items():
        if not _CODE_RE.match(str(name)) or not isinstance(items, list) or not items:
            raise TaxonomyError(f"lexicon.yaml: class {name!r} needs a snake_case name and words")
        words = tuple(str(w).strip() for w in items)
        bad = [w for w in words if not w or any(c in w for c in "|+<>*=@") or " - " in w]
        if bad:
            raise TaxonomyError(f"lexicon.yaml: class {name!r} has unusable entries {bad}")
        classes[str(name)] = tuple(dict.fromkeys(words))
    return classes


def _load_lexicon(data: dict[str, Any]) -> Lexicon:
    masks = tuple(str(m) for m in data.get("masks") or [])
    return Lexicon(
        stopwords=_words(data.get("stopwords")),
        neutral=_words(data.get("neutral")),
        stem_exceptions=_words(data.get("stem_exceptions")),
        compound_parts=_words(data.get("compound_parts")),
        masks=masks,
        classes=_load_classes(data.get("classes")),
    )


def _phrase_set(items: Any, classes: dict[str, tuple[str, ...]], where: str
                ) -> frozenset[str]:
    """Folded phrases (words joined by one space); ``<class>`` brings in its entries.
    Round 34: names and idioms are phrases; as single words ("veilig", "thuis",
    "mijn") they removed those words from every text."""
    from matcher.normalize import words as fold_words

    out: set[str] = set()
    for item in items or []:
        text = str(item)
        if _CLASS_IN_TEXT.fullmatch(text):
            if text[1:-1] not in classes:
                raise TaxonomyError(f"rules.yaml {where}: unknown word class {text}")
            entries: tuple[str, ...] = classes[text[1:-1]]
        elif _CLASS_IN_TEXT.search(text):
            # Round 40: a class inside a phrase ("bang voor de <angstbron>"); parts are
            # folded once, not every expanded phrase (tens of thousands)
            options: list[list[str]] = []
            for k, part in enumerate(_CLASS_IN_TEXT.split(text)):
                if k % 2 and part not in classes:
                    raise TaxonomyError(f"rules.yaml {where}: unknown word class <{part}>")
                options.append([" ".join(fold_words(w)) for w in classes[part]] if k % 2
                               else [" ".join(fold_words(part))])
            out.update(" ".join(p for p in combo if p) for combo in product(*options))
            continue
        else:
            entries = (text,)
        out.update(" ".join(fold_words(e)) for e in entries if fold_words(e))
    return frozenset(out)


def _word_set(items: Any, classes: dict[str, tuple[str, ...]], where: str) -> frozenset[str]:
    """Folded single words; ``<class>`` entries bring in every word of that class."""
    from matcher.normalize import words as fold_words

    out: set[str] = set()
    for item in items or []:
        text = str(item)
        if text.startswith("<") and text.endswith(">"):
            if text[1:-1] not in classes:
                raise TaxonomyError(f"rules.yaml {where}: unknown word class {text}")
            entries: tuple[str, ...] = classes[text[1:-1]]
        else:
            entries = (text,)
        for entry in entries:
            out.update(fold_words(entry))
    return frozenset(out)


def _rule_head(node: dict[str, Any], prefix: str, seen: set[str]) -> tuple[str, str, str]:
    """A rule's code, area and place for messages, checked the same way for every kind:
    a well-formed unique code, a known area, and a documented ``why``."""
    code, area = str(node.get("code", "")), node.get("area")
    where = f"{prefix}{code}"
    if not _CODE_RE.match(code) or code in seen:
        raise TaxonomyError(f"{where}: bad or duplicate rule code")
    seen.add(code)
    if area not in AREA_CODES:
        raise TaxonomyError(f"{where}: unknown area {area!r}")
    if not str(node.get("why", "")).strip():
        raise TaxonomyError(f"{where}: every rule documents 'why'")
    return code, str(area), where


def _load_inferences(data: dict[str, Any], classes: dict[str, tuple[str, ...]]
                     ) -> dict[str, list[SubtopicDef]]:
    """Inference rules become extra sub-topics (``rule_<code>``) of their target area."""
    weights = _weights(data, "rules.yaml")
    out: dict[str, list[SubtopicDef]] = {}
    seen: set[str] = set()
    for node in data.get("inferences") or []:
        code, area, where = _rule_head(node, "rules.yaml:", seen)
        label, label_en = _labels(node.get("label"), where)
        body = {k: v for k, v in node.items() if k not in {"why", "area"}}
        terms = _terms(body, weights, where, classes)
        if not terms:
            raise TaxonomyError(f"{where}: no terms")
        out.setdefault(area, []).append(SubtopicDef(f"rule_{code}", label, label_en, terms))
    return out


def _load_rules(data: dict[str, Any] | None, classes: dict[str, tuple[str, ...]],
                event_codes: set[str]) -> Rules:
    if not data:
        return Rules()
    events: dict[str, EventRule] = {}
    for code, node in (data.get("life_events") or {}).items():
        if code not in event_codes:
            raise TaxonomyError(f"rules.yaml: unknown life event {code!r}")
        adds = {str(a): float(w) for a, w in (node.get("adds") or {}).items()}
        after = tuple(node.get("after") or ())
        first = tuple(node.get("first") or ())
        if any(a not in AREA_CODES for a in [*adds, *after, *first]) or not adds:
            raise TaxonomyError(f"rules.yaml: {code}: adds/after/first need known area codes")
        events[code] = EventRule(adds, after, float(node.get("min", 0.0)), first)
    fig = _merge_figurative(data.get("figurative") or {})
    figurative = FigurativeRule(
        **{key: _word_set(fig.get(key), classes, f"figurative.{key}")
           for key in ("organisations", "roles", "anchors", "physical", "pressure", "money",
                       "money_figures", "fillers", "topics", "topic_anchors", "accusations",
                       "accused", "scope_stops", "particles", "particles_unanchored",
                       "things", "person_objects", "young_objects")},
        **{key: _phrase_set(fig.get(key), classes, f"figurative.{key}")
           for key in ("names", "idioms", "workplace", "young_actors", "young_guard",
                       "held_safe", "held_guard", "held_objects", "benign",
                       "benign_guard")},
        window=int(fig.get("window", 4)),
        scope=int(fig.get("scope", 9)),
    )
    scored = _load_scored(data, classes)
    return Rules(str(data.get("version", "")), events, figurative, scored)


def _merge_figurative(fig: dict[str, Any]) -> dict[str, Any]:
    """Round 36: ``more:`` adds entries to the figurative lists above it and ``less:``
    removes entries, so a round's changes stay in one block at the end of the section.
    Round 40: later rounds use ``more_<round>:`` / ``less_<round>:``, one block per
    round; blocks apply in the order they first appear in the file."""
    known = set(FigurativeRule.__dataclass_fields__) - {"window", "scope"}
    out = dict(fig)
    suffixes: list[str] = []
    for key in fig:
        head, _, suffix = str(key).partition("_")
        if head in ("more", "less") and suffix not in suffixes:
            suffixes.append(suffix)
    pairs = [(fig.get(f"more_{x}" if x else "more") or {},
              fig.get(f"less_{x}" if x else "less") or {}) for x in suffixes]
    for more, less in pairs:
        for key in set(more) | set(less):
            if key not in known:
                raise TaxonomyError(f"rules.yaml figurative.more/less: unknown list {key!r}")
            drop = {str(w) for w in less.get(key) or []}
            out[key] = [w for w in (out.get(key) or []) if str(w) not in drop] + list(
                more.get(key) or [])
    return out


def _expand_entry(text: str, classes: dict[str, tuple[str, ...]], where: str
                  ) -> tuple[str, ...]:
    """``<class>`` alone or inside a phrase ("mijn <lichaamsdeel>") stands for each word."""
    match = _CLASS_IN_TEXT.search(text)
    if not match:
        return (text,)
    if match.group(1) not in classes:
        raise TaxonomyError(f"{where}: unknown word class <{match.group(1)}>")
    head, tail = text[:match.start()], text[match.end():]
    return tuple(out for word in classes[match.group(1)]
                 for out in _expand_entry(f"{head}{word}{tail}", classes, where))


def _feature(name: str, node: Any, classes: dict[str, tuple[str, ...]], where: str
             ) -> Feature:
    """A word family: ``{weight, words}`` (or a bare list for ``unless``)."""
    from matcher.normalize import words as fold_words

    if isinstance(node, list):
        node = {"weight": 0.0, "words": node}
    if not isinstance(node, dict) or not node.get("words"):
        raise TaxonomyError(f"{where}: feature {name!r} needs words")
    words: set[str] = set()
    phrases: set[str] = set()
    prefixes: list[str] = []
    suffixes: list[str] = []
    removed: set[str] = set()
    for item in node["words"]:
        text = str(item).strip()
        if text.startswith("-"):  # "-op mijn naam": not this entry of a class used here
            removed.add(" ".join(fold_words(text[1:])))
            continue
        for entry in _expand_entry(text, classes, where):
            if entry.endswith("*") or entry.startswith("*"):
                # "gooi*" starts a word; "*vergunning" ends one (the head of a compound)
                stem = "".join(fold_words(entry.strip("*")))
                if len(stem) < 4 or entry.count("*") > 1:
                    raise TaxonomyError(f"{where}: prefix/suffix {entry!r} needs 4+ letters")
                (prefixes if entry.endswith("*") else suffixes).append(stem)
                continue
            folded = fold_words(entry)
            if not folded or len(folded) > MAX_NGRAM:
                raise TaxonomyError(f"{where}: unusable entry {entry!r} (1-{MAX_NGRAM} words)")
            (words if len(folded) == 1 else phrases).add(" ".join(folded))
    return Feature(name, float(node.get("weight", 0.0)), frozenset(words - removed),
                   frozenset(phrases - removed), tuple(prefixes), tuple(suffixes))


def _load_scored(data: dict[str, Any], classes: dict[str, tuple[str, ...]]
                 ) -> tuple[ScoredRule, ...]:
    """``scored:`` rules; like inferences, every rule documents ``why``."""
    out: list[ScoredRule] = []
    seen: set[str] = set()
    for node in data.get("scored") or []:
        code, area, where = _rule_head(node, "rules.yaml:scored:", seen)
        feats = tuple(_feature(str(n), f, classes, where)
                      for n, f in (node.get("features") or {}).items())
        names = {f.name for f in feats}
        require = frozenset(str(r) for r in node.get("require") or ())
        if not feats or not require <= names:
            raise TaxonomyError(f"{where}: needs features and only known 'require' names")
        unless = node.get("unless")
        out.append(ScoredRule(
            code, str(area), float(node.get("weight", 0.0)), float(node.get("threshold", 0.0)),
            feats, require, _feature("unless", unless, classes, where) if unless else None,
            bool(node.get("secondary", False)), bool(node.get("model_veto", True))))
        if out[-1].weight <= 0 or out[-1].threshold <= 0:
            raise TaxonomyError(f"{where}: weight and threshold must be positive")
    return tuple(out)


def load_taxonomy(directory: Path | str = DEFAULT_TAXONOMY_DIR) -> Taxonomy:
    """Read problem_areas.yaml, life_events.yaml, lexicon.yaml and (optional) rules.yaml."""
    directory = Path(directory)
    areas_data = _read_yaml(directory / "problem_areas.yaml")
    events_data = _read_yaml(directory / "life_events.yaml")
    lexicon = _load_lexicon(_read_yaml(directory / "lexicon.yaml"))
    rules_path = directory / "rules.yaml"
    rules_data = _read_yaml(rules_path) if rules_path.is_file() else None
    areas = _load_areas(areas_data, lexicon.classes)
    if rules_data:
        extra = _load_inferences(rules_data, lexicon.classes)
        areas = tuple(AreaDef(a.code, a.label, a.label_en, a.description,
                              a.subtopics + tuple(extra.get(a.code, ())))
                      for a in areas)
        for area in areas:
            _check_duplicates(area.terms, area.code)
    life_events = _load_life_events(events_data, lexicon.classes)
    return Taxonomy(
        version=str(areas_data["version"]),
        areas=areas,
        life_events=life_events,
        lexicon=lexicon,
        rules=_load_rules(rules_data, lexicon.classes, {e.code for e in life_events}),
    )
