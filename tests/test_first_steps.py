"""First steps: the data file, the selection per area, the API field and the pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from loketwijzer.actions.match import match_situation
from loketwijzer.first_steps import (
    MAX_STEPS,
    MIN_STEPS,
    FirstStepsError,
    get_first_steps,
    load_first_steps,
    steps_for,
)
from matcher.taxonomy import AREA_CODES

OFFICIAL = ("rijksoverheid.nl", "juridischloket.nl", "belastingdienst.nl", "uwv.nl", "svb.nl",
            "ind.nl", "cjib.nl", "duo.nl", "huurcommissie.nl")


# -- the data file ---------------------------------------------------------------------

def test_data_file_is_valid_and_covers_every_area():
    data = get_first_steps()
    areas = {g.area for g in data.groups}
    assert areas == set(AREA_CODES)
    for group in data.groups:
        assert MIN_STEPS <= len(group.steps) <= MAX_STEPS
        assert group.source_url.startswith("https://")
        assert any(group.source_url.split("/")[2].endswith(d) for d in OFFICIAL), group.topic
        for step in group.steps:
            assert step.nl != step.en and step.nl and step.en
    assert data.disclaimer.nl and data.disclaimer.en


def _write(tmp_path: Path, groups: list[dict]) -> Path:
    path = tmp_path / "fs.yaml"
    path.write_text(yaml.safe_dump({"version": "t", "disclaimer": {"nl": "a", "en": "b"},
                                    "groups": groups}), encoding="utf-8")
    return path


GOOD = {"area": "werk", "topic": "werk", "title": {"nl": "W", "en": "W"},
        "steps": [{"nl": "a", "en": "b"}, {"nl": "c", "en": "d"}],
        "source_url": "https://www.juridischloket.nl"}


@pytest.mark.parametrize("change, message", [
    ({"area": "werken"}, "unknown area"),
    ({"source_url": "http://www.juridischloket.nl"}, "https"),
    ({"steps": [{"nl": "a", "en": "b"}]}, "steps needed"),
    ({"steps": [{"nl": "a", "en": "b"}] * 5}, "steps needed"),
    ({"steps": [{"nl": "a"}, {"nl": "c", "en": "d"}]}, "nl and en"),
    ({"title": {"nl": "W", "en": " "}}, "empty text"),
    ({"colour": "red"}, "unknown keys"),
    ({"topic": "Werk Ontslag"}, "snake_case"),
])
def test_bad_data_fails_loudly(tmp_path, change, message):
    with pytest.raises(FirstStepsError, match=message):
        load_first_steps(_write(tmp_path, [{**GOOD, **change}]))


def test_two_default_groups_for_one_area_fail(tmp_path):
    with pytest.raises(FirstStepsError, match="default"):
        load_first_steps(_write(tmp_path, [GOOD, {**GOOD, "topic": "werk2"}]))


# -- the key situations ----------------------------------------------------------------

KEY = [
    ("Ik ben het niet eens met de beslissing van de gemeente over mijn vergunning",
     "overheid", "bezwaar", r"6 weken"),
    ("de deurwaarder houdt bijna mijn hele loon in", "schulden", "beslag", None),
    ("ik moet 2400 euro huurtoeslag terugbetalen en dat kan ik niet", "toeslagen",
     "toeslag_terugbetalen", r"6 weken"),
    ("ik ben gisteren op staande voet ontslagen", "werk", "ontslag_op_staande_voet",
     r"2 maanden"),
    ("mijn man slaat me en ik durf niet naar huis", "geweld", "veiligheid", None),
    ("de verhuurder wil me uit huis zetten", "wonen", "huisuitzetting", None),
    ("my landlord says he will evict me next week", "wonen", "huisuitzetting", None),
    ("mijn vader is overleden en had veel schulden, wat moet ik met de erfenis",
     "nalatenschap", "erfenis", None),
]


@pytest.mark.parametrize("text, area, topic, deadline", KEY)
def test_key_situations_get_their_step_and_source(text, area, topic, deadline):
    result = match_situation(text)
    groups = {g["area"]: g for g in result["first_steps"]}
    assert area in groups, (result["areas"], result["first_steps"])
    group = groups[area]
    assert group["topic"] == topic
    assert group["source_url"].startswith("https://")
    if deadline:
        assert re.search(deadline, group["deadline"] or "")


def test_key_facts_are_in_the_steps():
    def text(area: str, query: str, lang: str = "nl") -> str:
        group = steps_for([area], query, lang)[0]
        return " ".join(group["steps"]) + " " + (group["deadline"] or "")

    assert "112" in text("geweld", "hij slaat me")
    assert "beslagvrije voet" in text("schulden", "beslag op mijn loon")
    assert "betalingsregeling" in text("toeslagen", "zorgtoeslag terugbetalen")
    assert "rechter" in text("wonen", "ontruiming")
    assert "court order" in text("wonen", "they want to evict me", "en")
    assert "beneficiair" in text("nalatenschap", "erfenis")
    assert "2 months" in text("werk", "fired on the spot", "en")


@pytest.mark.parametrize("text, lang, topic", [
    ("ik heb twee maanden huurachterstand", "nl", "huurachterstand"),
    ("ik kan de huur niet meer betalen sinds ik ziek ben", "nl", "huurachterstand"),
    ("I am three months behind on rent", "en", "huurachterstand"),
    # an eviction threat outranks the arrears: its court-order step matters most then
    ("huurachterstand en nu wil de verhuurder me uit huis zetten", "nl", "huisuitzetting"),
    ("de kraan lekt al weken en de verhuurder doet niets", "nl", "wonen"),
])
def test_housing_groups_follow_the_situation(text, lang, topic):
    group = steps_for(["wonen"], text, lang)[0]
    assert group["topic"] == topic


def test_rent_arrears_steps_say_payment_plan_and_court_order():
    nl = " ".join(steps_for(["wonen"], "huurachterstand")[0]["steps"])
    en = " ".join(steps_for(["wonen"], "behind on the rent", "en")[0]["steps"])
    assert "betalingsregeling" in nl and "rechter" in nl
    assert "payment plan" in en and "court order" in en


def test_one_group_per_area_in_area_order_and_english():
    groups = steps_for(["geweld", "schulden", "wonen", "werk"], "hij slaat me", "en")
    assert [g["area"] for g in groups] == ["geweld", "schulden", "wonen"]
    assert groups[0]["steps"][0].startswith("Are you")


def test_financial_abuse_gets_its_own_steps():
    groups = steps_for(["geweld"], "mijn oom heeft de pinpas van oma")
    assert groups[0]["topic"] == "financieel_misbruik"


def test_api_contract_fields(client):
    body = client.get("/api/v1/match?q=ik+ben+op+staande+voet+ontslagen&lang=en").get_json()
    assert {"query", "areas", "life_events", "first_steps"} <= set(body)
    step = body["first_steps"][0]
    assert {"area", "steps", "deadline", "source_url"} <= set(step)
    assert "2 months" in step["deadline"]
    nl = client.get("/api/v1/match?q=ik+ben+op+staande+voet+ontslagen").get_json()
    assert "2 maanden" in nl["first_steps"][0]["deadline"]


def test_api_no_steps_without_areas(client):
    body = client.get("/api/v1/match?q=hallo").get_json()
    assert body["areas"] == [] and body["first_steps"] == []


# -- the pages -------------------------------------------------------------------------

def test_search_page_shows_steps_above_results_once_with_note(client, loaded_db):
    html = client.get("/zoek?q=mijn+verhuurder+wil+mij+uit+huis+zetten&postcode=9011") \
        .get_data(as_text=True)
    assert 'class="first-steps"' in html
    assert html.index('class="first-steps"') < html.index('id="lijst-titel"')
    assert html.count(get_first_steps().disclaimer.nl) == 1
    assert "rechter" in html
    assert "<script>" not in html.split('class="first-steps"')[1].split("</section>")[0]


def test_search_page_in_english(client, loaded_db):
    html = client.get("/zoek?q=summary+dismissal+fired+on+the+spot&postcode=9011&lang=en") \
        .get_data(as_text=True)
    assert "What you can do now" in html
    assert "2 months" in html
    assert get_first_steps().disclaimer.en in html


def test_handover_print_shows_steps(client, loaded_db):
    html = client.get("/zoek/print?q=beslag+deurwaarder+loon&postcode=9011") \
        .get_data(as_text=True)
    assert "first-steps--print" in html
    assert "beslagvrije voet" in html
