"""Scored feature rules (rules.yaml ``scored:``): actor x act x object x control read in
any order, the ``unless`` and ``require`` guards, implied areas that stay below the named
area, strict loading, and the round-14/15 holdouts as regression guards."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from matcher import get_matcher
from matcher.evaluate import evaluate, read_items
from matcher.features import Feature, ScoredRule, text_grams
from matcher.taxonomy import DEFAULT_TAXONOMY_DIR, TaxonomyError, load_taxonomy

REPO = Path(__file__).resolve().parents[1]
#: Each written after a round of issue-12 fixes, measured once, then tuned on in the next
#: round (docs/taxonomy.md has both figures): regression guards. holdout31 is the last,
#: untuned batch and is only checked for form.
TUNED_HOLDOUTS = [REPO / "tests" / "data" / f"matcher_v2_holdout{n}.jsonl" for n in range(16, 31)]
LAST_HOLDOUT = REPO / "tests" / "data" / "matcher_v2_holdout31.jsonl"


@pytest.fixture(scope="module")
def m():
    return get_matcher()


def codes(m, text: str) -> list[str]:
    return [a.code for a in m.match(text).areas]


def _feature(name: str, weight: float, *words: str) -> Feature:
    return Feature(name, weight, frozenset(w for w in words if " " not in w),
                   frozenset(w for w in words if " " in w), ())


def test_rule_needs_required_features_and_threshold():
    rule = ScoredRule("r", "geweld", 2.5, 3.5,
                      (_feature("actor", 1.0, "hij"), _feature("act", 1.5, "gooide"),
                       _feature("target", 1.0, "me", "op mijn")),
                      frozenset({"actor", "act"}), _feature("unless", 0.0, "eruit"))
    fires = lambda text: rule.fires(*text_grams(text.split()))  # noqa: E731
    assert fires("hij gooide een glas naar me") == ("actor", "act", "target")
    assert fires("hij gooide het op mijn bord") == ("actor", "act", "target")
    assert fires("gooide een glas naar me") == ()       # no actor: required
    assert fires("hij gooide een glas") == ()           # 2.5 < threshold
    assert fires("hij gooide me eruit") == ()           # unless


@pytest.mark.parametrize("text", [
    "my girlfriend threw hot water at me during an argument",
    "mijn vader heeft mijn moeder met een sigaret gebrand",
    "my brother threw a glass at my head and there was blood",
    "mijn zwager smeet een bord naar mijn hoofd",
    "she locked me out on the balcony for hours",
    "mijn tante heeft een kussen op mijn gezicht gedrukt",
    "mijn oom dreigde met een hamer als ik iets zou zeggen",
])
def test_indirect_physical_harm_puts_safety_first(m, text):
    assert codes(m, text)[0] == "geweld"


@pytest.mark.parametrize("text", [
    "mijn baas gooit me eruit als ik nog een keer te laat kom",
    "mijn man gooit al ons geld over de balk",
    "ik heb mijn hand verbrand aan de pan",
    "de leerplichtambtenaar dreigt met een proces-verbaal omdat mijn dochter vaak ziek is",
    "ik ben opgebrand door mijn werk en zit thuis",
    "mijn teamleider kleineert me waar de klanten bij zijn",
])
def test_look_alikes_of_physical_harm_stay_calm(m, text):
    assert "geweld" not in codes(m, text)


@pytest.mark.parametrize("text", [
    "my son made me sign papers for a loan and now he says I have to pay it",
    "mijn kleinzoon neemt elke maand geld van mijn rekening, ik durf niks te zeggen",
    "my carer asked for my PIN and now money goes missing every week",
])
def test_financial_abuse_in_new_wordings(m, text):
    assert codes(m, text)[0] == "geweld"


@pytest.mark.parametrize("text", [
    "mijn man en ik hebben veel ruzie over geld",
    "mijn man heeft stiekem leningen afgesloten op mijn naam",
    "ik heb een lening bij familie die ik niet terug kan betalen",
])
def test_money_between_relatives_alone_is_not_abuse(m, text):
    assert "geweld" not in codes(m, text)


def test_older_victim_brings_protective_administration(m):
    got = codes(m, "mijn dochter beheert de bankapp van mijn moeder en koopt er dingen "
                   "voor zichzelf van")
    assert got[:2] == ["geweld", "bewind"]


@pytest.mark.parametrize("text, named, implied", [
    ("voorlopige aanslag klopt niet, veel te hoog", "belastingen", "overheid"),
    ("my rent allowance was stopped and I do not know why", "toeslagen", "overheid"),
    ("de belastingdienst heeft ons een flinke oplawaai gegeven met die aanslag",
     "belastingen", "schulden"),
])
def test_implied_area_never_overtakes_the_named_one(m, text, named, implied):
    got = codes(m, text)
    assert got[0] == named and implied in got


@pytest.mark.parametrize("text, area", [
    ("ik heb een boete voor door rood rijden gekregen maar ik was het niet", "overheid"),
    ("the energy company is strangling us with these new rates", "schulden"),
    ("ik heb een burn-out, zit thuis en mijn werkgever wil van me af", "uitkering"),
    ("ze willen me niet aannemen omdat ik een hoofddoek draag", "werk"),
    ("de gemeente wil mijn woning niet aanpassen terwijl ik in een rolstoel zit", "overheid"),
])
def test_secondary_areas_from_scored_rules(m, text, area):
    assert area in codes(m, text)


@pytest.mark.parametrize("change, message", [
    (lambda r: r.pop("why"), "why"),
    (lambda r: r.update(area="geldzaken"), "unknown area"),
    (lambda r: r.update(require=["bestaat_niet"]), "require"),
    (lambda r: r["features"]["act"].update(words=["<geen_klasse>"]), "unknown word class"),
    (lambda r: r["features"]["act"].update(words=["ab*"]), "4\\+ letters"),
    (lambda r: r.update(threshold=0), "positive"),
])
def test_bad_scored_rules_fail_loudly(tmp_path, change, message):
    directory = tmp_path / "tax"
    shutil.copytree(DEFAULT_TAXONOMY_DIR, directory)
    data = yaml.safe_load((directory / "rules.yaml").read_text(encoding="utf-8"))
    change(next(r for r in data["scored"] if r["code"] == "lichamelijk_geweld_door_naaste"))
    (directory / "rules.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                          encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(directory)


def test_class_entry_can_be_dropped_from_a_family():
    rule = next(r for r in load_taxonomy().rules.scored
                if r.code == "financieel_misbruik_door_naaste")
    control = next(f for f in rule.features if f.name == "control")
    assert "op mijn naam" not in control.phrases and "beheert" in control.words


def test_explain_lists_scored_rules(m):
    terms = [e["term"] for e in m.explain("mijn broer gooide een glas naar mijn hoofd")]
    assert any(t.startswith("scored_lichamelijk_geweld_door_naaste") for t in terms)


@pytest.mark.parametrize("path", TUNED_HOLDOUTS, ids=lambda p: p.stem)
def test_tuned_holdouts_keep_safety(path):
    """Measured once when written (docs/taxonomy.md), then tuned on: regression guards."""
    items = read_items(path)
    assert len(items) >= 50 and len({i["id"] for i in items}) == len(items)
    report = evaluate(items, get_matcher())
    assert report.safety is not None and report.safety >= 0.9
    assert report.false_alarms <= 1
    assert report.hit1 >= 0.9


def test_last_holdout_is_well_formed():
    """Measurement only (no thresholds): written after the last round, never tuned on."""
    items = read_items(LAST_HOLDOUT)
    assert len(items) >= 50 and len({i["id"] for i in items}) == len(items)
    assert all(i["kind"] in {"plain", "multi", "violence", "lookalike", "abuse"} for i in items)


def test_phrase_templates_and_compound_heads_expand():
    rules = {r.code: r for r in load_taxonomy().rules.scored}
    body = next(f for f in rules["lichaam_van_slachtoffer"].features if f.name == "body")
    assert {"mijn hoofd", "my wrist"} <= body.phrases
    decision = next(f for f in rules["besluit_betwist"].features if f.name == "decision")
    assert decision.present(frozenset({"terrasvergunning"}), frozenset())
    assert not decision.present(frozenset({"vergunningen"}), frozenset())


@pytest.mark.parametrize("text", [
    "he stomped on my foot and laughed when I cried",
    "mijn broer heeft me aan mijn haren door de gang gesleept",
    "mijn stiefmoeder liet me de hele nacht buiten in de regen staan",
    "mijn partner gooit mijn medicijnen weg en zegt dat ik gek ben",
    "hij zette me midden op de snelweg uit de auto",
])
def test_harm_in_wordings_without_a_violence_verb(m, text):
    assert codes(m, text)[0] == "geweld"


@pytest.mark.parametrize("text", [
    "mijn zoon heeft zijn arm gebroken bij het voetbal",
    "mijn moeder heeft pijn in haar arm en moet naar de dokter",
    "mijn ex wil met de kinderen naar het buitenland verhuizen",
    "de gemeente zet ons het mes op de keel met die nieuwe heffing",
    "mijn vriendin heeft mijn auto gebruikt en nu heb ik een boete",
])
def test_body_and_family_words_alone_are_not_violence(m, text):
    assert "geweld" not in codes(m, text)


def test_matched_shows_the_residents_words_not_rule_names(m):
    """What /zoek shows as "Gevonden op" is the resident's own words; the rule's name is
    for --explain only."""
    result = m.match("ik moet van mijn man al mijn loon aan hem geven")
    violence = next(a for a in result.areas if a.code == "geweld")
    assert violence.matched
    assert not any("scored_" in term or "_" in term for term in violence.matched)
    assert any("loon" in term and "man" in term for term in violence.matched)
