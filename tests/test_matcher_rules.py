"""Matcher v2: inference rules, life events in need-order, figures of speech, hidden
abuse, the slaap/slap stemming guard, and the quality floor on the v2 dev set."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from matcher import build_matcher, get_matcher
from matcher.evaluate import evaluate, read_items
from matcher.taxonomy import DEFAULT_TAXONOMY_DIR, TaxonomyError, load_taxonomy

REPO = Path(__file__).resolve().parents[1]
V2_DEV = REPO / "tests" / "data" / "matcher_v2_dev.jsonl"
V2_FRESH = sorted((REPO / "tests" / "data").glob("matcher_v2_fresh*.jsonl"))
#: The last batch, written after the last fix: measurement only, never tuned on.
V2_HOLDOUT = REPO / "tests" / "data" / "matcher_v2_holdout10.jsonl"


@pytest.fixture(scope="module")
def m():
    return get_matcher()


def codes(m, text: str) -> list[str]:
    return [a.code for a in m.match(text).areas]


# -- the rules file ----------------------------------------------------------------------

def test_rules_file_loads_and_every_rule_is_documented():
    raw = yaml.safe_load((DEFAULT_TAXONOMY_DIR / "rules.yaml").read_text(encoding="utf-8"))
    assert all(rule["why"].strip() for rule in raw["inferences"])
    tax = load_taxonomy()
    subtopics = {s.code for a in tax.areas for s in a.subtopics}
    assert {f"rule_{r['code']}" for r in raw["inferences"]} <= subtopics
    assert tax.rules.events["uit_detentie"].after == ("strafrecht",)
    assert "belastingdienst" in tax.rules.figurative.organisations


@pytest.mark.parametrize("change, message", [
    (lambda d: d["inferences"][0].update(area="geldzaken"), "unknown area"),
    (lambda d: d["inferences"][0].pop("why"), "why"),
    (lambda d: d["life_events"].update(bestaat_niet={"adds": {"wonen": 1}}), "unknown life event"),
    (lambda d: d["life_events"]["overlijden"].update(adds={"erfenis": 1}), "known area"),
])
def test_bad_rules_fail_loudly(tmp_path, change, message):
    directory = tmp_path / "tax"
    shutil.copytree(DEFAULT_TAXONOMY_DIR, directory)
    data = yaml.safe_load((directory / "rules.yaml").read_text(encoding="utf-8"))
    change(data)
    (directory / "rules.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                          encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(directory)


def test_taxonomy_without_rules_file_still_loads(tmp_path):
    directory = tmp_path / "tax"
    shutil.copytree(DEFAULT_TAXONOMY_DIR, directory)
    (directory / "rules.yaml").unlink()
    matcher = build_matcher(directory)
    assert matcher.match("ik heb schulden").areas[0].code == "schulden"


# -- implied second areas ----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("de netbeheerder dreigt de stroom af te sluiten", "schulden"),
    ("we have two months of rent still to pay", "schulden"),
    ("ik kreeg een gigantische naheffing van de gemeente", "schulden"),
    ("mijn ww is gestopt en ik weet niet waarom", "overheid"),
    ("the council refused my permit and gave no reason", "overheid"),
    ("de gemeente reageert al maanden niet op mijn aanvraag", "overheid"),
])
def test_implied_problems_come_back_as_an_area(m, text, expected):
    assert expected in codes(m, text)[:3]


def test_single_problem_stays_single_enough(m):
    assert codes(m, "mijn verhuurder verhoogt de huur met tien procent")[0] == "wonen"
    assert "overheid" not in codes(m, "mijn verhuurder reageert niet op mijn mail over de huur")


# -- life events in need-order -----------------------------------------------------------

def test_after_release_housing_and_income_come_before_criminal_law(m):
    found = codes(m, "ik ben vorige week vrijgekomen uit de gevangenis en heb geen woning")
    assert found[0] in {"wonen", "uitkering"}
    assert "strafrecht" in found and found.index("strafrecht") > found.index("wonen")


def test_a_prison_visit_is_not_a_release(m):
    assert codes(m, "mijn broer zit in de gevangenis en ik wil hem bezoeken")[0] == "strafrecht"


@pytest.mark.parametrize("text, first, also", [
    ("ik ben gisteren ontslagen", "werk", "uitkering"),
    ("they fired me after ten years", "werk", "uitkering"),
    ("mijn vrouw is overleden, hoe moet het nu", "nalatenschap", "uitkering"),
])
def test_dismissal_and_death_bring_income(m, text, first, also):
    found = codes(m, text)
    assert found[0] == first and also in found


# -- figures of speech and real violence -------------------------------------------------

@pytest.mark.parametrize("text", [
    "de belastingdienst slaat hard toe met die aanslag",
    "het waterschap sloeg keihard toe met de heffing",
    "de huur was echt een klap voor ons budget",
    "mijn huisbaas intimideert me sinds ik klaagde",
    "the housing company is killing us with service costs",
    "de deurwaarder bedreigde me met beslag op mijn auto",
    "de verhuurder dreigt ons eruit te zetten",
])
def test_figures_of_speech_do_not_raise_a_false_alarm(m, text):
    assert "geweld" not in codes(m, text)


@pytest.mark.parametrize("text", [
    "mijn man slaat me en de belastingdienst wil geld terug",
    "mijn huisbaas slaat me als ik de huur te laat betaal",
    "mijn vriend gaf me een klap en nu heb ik blauwe plekken",
    "my husband is killing me, he hits me every day",
    "hij slaat me thuis",
    "hij slaat me als ik om geld vraag",
    "ik word geslagen als ik geen geld meeneem",
    "de gemeente weet dat hij me slaat",
    "er is geweld in ons huis en de gemeente helpt niet",
    "mijn kind wordt op school met geweld bedreigd",
])
def test_real_violence_still_wins(m, text):
    assert codes(m, text)[0] == "geweld"


@pytest.mark.parametrize("text", [
    "ik slaap al weken bij een vriendin",
    "hij slaapt bij zijn moeder",
    "we slapen bij mijn zus in de woonkamer",
    "ik sliep in de auto",
])
def test_sleeping_never_becomes_slapping(m, text):
    assert "geweld" not in codes(m, text)


# -- financial abuse and coercive control ------------------------------------------------

@pytest.mark.parametrize("text", [
    "mijn neef houdt de pinpas van mijn opa en hij is bang voor hem",
    "ik moet van mijn man mijn hele salaris afgeven",
    "my daughter takes my pension and I'm afraid to say anything",
    "mijn partner controleert mijn telefoon en ik mag niet alleen weg",
    "mijn vriend geeft me alleen zakgeld en wil elke bon zien",
])
def test_financial_abuse_and_coercive_control_put_safety_first(m, text):
    assert codes(m, text)[0] == "geweld"


@pytest.mark.parametrize("text", [
    "mijn man en ik hebben schulden en zijn bang voor de deurwaarder",
    "mijn broer is onder bewind en krijgt 50 euro leefgeld per week",
    "mijn moeder heeft haar pinpas verloren",
])
def test_money_and_family_alone_is_not_abuse(m, text):
    assert "geweld" not in codes(m, text)


# -- senses of ambiguous words -----------------------------------------------------------

def test_mentor_reads_by_context(m):
    assert codes(m, "de mentor op school van mijn zoon belt nooit terug")[0] == "onderwijs"
    assert codes(m, "de kantonrechter heeft een mentor benoemd voor mijn tante")[0] == "bewind"


# -- quality floor and measurement sets --------------------------------------------------

def test_v2_dev_set_quality_floor():
    report = evaluate(read_items(V2_DEV), get_matcher())
    assert report.hit1 >= 0.95 and report.recall3 >= 0.93
    assert report.safety == 1.0
    assert report.false_alarms <= 1


@pytest.mark.parametrize("path", V2_FRESH, ids=lambda p: p.stem)
def test_fresh_sets_are_well_formed_and_keep_safety(path):
    """Each batch was measured once when it was written (before it was tuned on; see
    docs/taxonomy.md for those figures) and has since joined the dev pool, so it now
    guards against regressions: every violence item first, at most one false alarm."""
    items = read_items(path)
    assert len(items) >= 50
    assert len({i["id"] for i in items}) == len(items)
    report = evaluate(items, get_matcher())
    assert report.safety == 1.0
    assert report.false_alarms <= 1
    assert report.hit1 >= 0.93


def test_holdout_is_well_formed():
    """Measurement only (no thresholds): see docs/taxonomy.md for its figures."""
    items = read_items(V2_HOLDOUT)
    assert len(items) >= 50
    assert len({i["id"] for i in items}) == len(items)
