"""Regression guards from the independent generalisation pass.

``matcher_fresh.jsonl`` (all 20 areas) and ``matcher_safety.jsonl`` (violence, abuse,
threats, stalking, coercion in many wordings, plus negatives that must not put
``geweld`` first) were written blind in batches; every batch was measured before it
was fixed. Safety is priority one: whenever ``geweld`` is expected it must come first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher import build_matcher, get_matcher
from matcher.evaluate import evaluate, read_items
from matcher.normalize import word_keys
from matcher.terms import TermSyntaxError, parse_term
from matcher.vocabulary import HEAD_LEN, MAX_STRIP, MIN_STEM_KEY

DATA = Path(__file__).resolve().parent / "data"
FRESH = DATA / "matcher_fresh.jsonl"
SAFETY = DATA / "matcher_safety.jsonl"


def _codes(text: str) -> list[str]:
    return [a.code for a in get_matcher().match(text).areas]


# --------------------------------------------------------------------------- the eval files
@pytest.mark.parametrize("path", [FRESH, SAFETY], ids=["fresh", "safety"])
def test_fresh_sets_thresholds(path):
    report = evaluate(read_items(path), get_matcher())
    assert report.n >= 100
    assert report.safety == 1.0, [m for m in report.misses if "geweld" in m["expected"]]
    assert report.hit1 >= 0.95
    assert report.recall3 >= 0.90


def test_safety_file_is_mostly_violence_in_many_wordings():
    items = read_items(SAFETY)
    violent = [i for i in items if "geweld" in i["areas"]]
    assert len(violent) >= 150
    assert len(items) - len(violent) >= 60  # negatives


def test_negatives_never_put_geweld_first():
    """"geweldig", "bedreigd met ontruiming", a shouting boss: not domestic violence."""
    wrong = []
    for item in read_items(SAFETY) + read_items(FRESH):
        if "geweld" in item["areas"]:
            continue
        got = _codes(item["text"])
        if got[:1] == ["geweld"]:
            wrong.append((item["id"], item["text"], got))
    assert not wrong


@pytest.mark.parametrize("text", [
    "de cv ketel slaat steeds af",
    "waar slaat dit op, ik krijg een boete van de gemeente",
    "ik ben van school geschopt",
    "het incassobureau blijft bellen, honderden keren",
    "mijn baas dreigt me te ontslaan",
    "mijn verhuurder dreigt mij eruit te zetten",
    "de leraar pakte mijn telefoon af in de klas",
    "mijn telefoon is afgepakt bij een beroving op straat",
    "ik heb een blauwe plek door een val met de fiets",
    "mijn collega kleineert me steeds op het werk",
    "the dog bit my daughter",
    "my son was hit by a car",
    "mijn zoon wil een mes kopen voor de keuken",
    "mijn moeder slaat de post over, ze leest niks meer",
])
def test_look_alikes_are_not_violence_first(text):
    assert _codes(text)[:1] != ["geweld"]


@pytest.mark.parametrize("text", [
    "hij knijpt mijn keel dicht als hij boos is",
    "mijn vriendin schopte me tegen mijn been",
    "ik mag van mijn man niet naar buiten",
    "mijn ex staat elke avond bij mijn huis te wachten",
    "oma's kleinzoon pakt elke maand haar pensioen af",
    "my boyfriend pushed me against the wall",
    "clt meldt HG",
])
def test_word_families_reach_new_wordings(text):
    assert _codes(text)[:1] == ["geweld"]


def test_other_areas_survive_a_pile_up_of_violence_words():
    got = _codes("mijn man slaat me, schopt me en bedreigt me en ik wil scheiden")
    assert got[0] == "geweld" and "familie" in got


# --------------------------------------------------------------------------- term language
def test_exclusions_parse_and_veto():
    term = parse_term("klap|klappen + krijgt - auto|botsing @2")
    assert term.is_combo and term.weight == 2
    assert term.excludes == (("w:auto",), ("w:botsing",))
    with pytest.raises(TermSyntaxError):
        parse_term("klap - auto*")


def test_exclusion_changes_identity_of_a_term():
    assert parse_term("klap").key != parse_term("klap - auto").key


def test_word_classes_expand_and_unknown_class_fails():
    term = parse_term("slaat + <wie>", {"wie": ("me", "haar")})
    assert term.parts[1] == (("w:me",), ("w:haar",))
    with pytest.raises(TermSyntaxError, match="unknown word class"):
        parse_term("slaat + <niemand>", {})


def test_shipped_classes_are_used():
    classes = get_matcher().taxonomy.lexicon.classes
    assert {"partner", "familie", "slachtoffer", "kinderen"} <= set(classes)
    assert "vriendje" in classes["partner"]


# --------------------------------------------------------------------------- lazy stem index
def test_stem_index_buckets_hold_for_the_whole_vocabulary():
    """The lazy stem index looks words up by their first letters and length; that is
    only exact if no stem of MIN_STEM_KEY+ letters changes those first letters or
    strips more than MAX_STRIP letters. Check it for every vocabulary word."""
    vocab = build_matcher().vocabulary
    for word in vocab._raw:
        for stem in word_keys(word, vocab.exceptions)[1:]:
            if len(stem) >= MIN_STEM_KEY:
                assert stem[:HEAD_LEN] == word[:HEAD_LEN], (word, stem)
                assert len(stem) <= len(word) <= len(stem) + MAX_STRIP, (word, stem)


def test_stem_lookup_still_finds_inflections():
    vocab = get_matcher().vocabulary
    assert "w:verkrachting" in vocab.lookup("verkrachtingen")
    assert vocab.stem_matches(1, "zzzz") == ()


@pytest.mark.parametrize(("text", "first"), [
    ("hij dreigd me", "geweld"),  # d/t mix-up next to a stem match (dreigen)
    ("mijn man slaad me", "geweld"),
    ("ik word gestalked", "geweld"),  # English past tense in a Dutch sentence
    ("mijn werkgever betaald mijn loon niet", "werk"),
])
def test_dt_spelling_variants(text, first):
    assert _codes(text)[:1] == [first]
