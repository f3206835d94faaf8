"""The finder: who may use what, the ranking and its explanations, on the fixture mirror
(SQLite and PostgreSQL) and on the real mirror."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from importers.independent_help import IndependentHelpProvider
from importers.pipeline import run_import
from loketwijzer.actions.finder import find_services, nearby_alternatives
from loketwijzer.actions.services import get_service
from loketwijzer.config import Settings
from loketwijzer.db import Database
from loketwijzer.errors import InvalidInput, NotFound
from loketwijzer.models import Schedule, stable_id
from tests.conftest import real_mirror_url
from tests.mirror_fixture import HELP_HEADER

TODAY = dt.date(2025, 6, 1)  # the fixture's dates are 2019, 2024-06, 2025-03 and 2026-03

COUNTER = {code: f"Gemeente {name}: loket" for code, name in [
    ("GM9001", "Teststad"), ("GM9002", "Proefdorp"), ("GM9003", "Bergen (NH.)"),
    ("GM9004", "Bergen (L.)")]}
PC4_OF = {"GM9001": "9011", "GM9002": "9021", "GM9003": "9031", "GM9004": "9041"}

EXTRA_ROWS = [
    ["x-vt", "Veilig Thuis (landelijk nummer)", "veilig_thuis", "", "", "", "", "0800-2000", "",
     "Gratis, dag en nacht; bij direct gevaar 112.", "https://bron.example/vt", "2025-01-01",
     "high"],
    ["x-ht1", "Huurteam Teststad-Noord", "huurteam", "Teststad", "", "9013", "", "", "",
     "Spreekuur op afspraak.", "https://bron.example/ht1", "2025-05-01", "high"],
    ["x-ht2", "Huurteam Proefdorp", "huurteam", "Proefdorp", "", "9021", "", "", "",
     "Inloop op woensdag.", "https://bron.example/ht2", "2025-05-01", "high"],
]


class ExtraHelp(IndependentHelpProvider):
    """The same CSV format under another source, so the fixture rows stay active."""

    name = "test-extra-help"
    source = "test-extra-help"


def import_extra(db: Database, tmp_path: Path, rows: list[list[str]] = EXTRA_ROWS) -> None:
    path = tmp_path / "extra_help.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HELP_HEADER)
        writer.writerows(rows)
    report = run_import(ExtraHelp(path, settings=Settings(database_url=db.url)), db)
    assert report.exit_code == 0, [str(e) for e in report.errors]


def find(db: Database, **kwargs) -> dict:
    kwargs.setdefault("today", TODAY)
    with db.session() as session:
        return find_services(session, **kwargs)


def names(result: dict) -> list[str]:
    return [r["name"] for r in result["results"]]


def by_name(result: dict, name: str) -> dict:
    return next(r for r in result["results"] if r["name"] == name)


# -- who may use what -------------------------------------------------------------------------

def test_independent_help_goes_before_the_counter_in_a_toeslagen_case(loaded_db):
    result = find(loaded_db, areas="toeslagen,uitkering", postcode="9011")
    order = names(result)
    assert order.index("Rechtswinkel Teststad") < order.index("Gemeente Teststad: loket")
    law_shop = by_name(result, "Rechtswinkel Teststad")
    counter = by_name(result, "Gemeente Teststad: loket")
    assert "Onafhankelijk van de gemeente en van Dienst Toeslagen" in law_shop["why"]
    assert "Helpt bij: Toeslagen, Uitkering en inkomen" in law_shop["why"]
    assert "Loket van uw gemeente: alleen voor inwoners" in counter["why"]
    assert counter["independent"] is False and law_shop["independent"] is True
    # The counter is nearer, but independence outweighs it when the counterparty is the state.
    assert counter["distance_km"] <= law_shop["distance_km"] + 0.5


def test_matcher_text_drives_the_areas(loaded_db):
    from matcher import get_matcher

    text = "Ik moet mijn zorgtoeslag terugbetalen"
    result = find(loaded_db, q=text, postcode="9011")
    assert [a["code"] for a in result["areas"]] == [a.code for a in get_matcher().match(text).areas]
    assert result["areas"][0]["code"] == "toeslagen"
    assert result["areas"][0]["matched"]
    assert result["query"] == "Ik moet mijn zorgtoeslag terugbetalen"
    assert names(result)[0] == "Rechtswinkel Teststad"


@pytest.mark.parametrize("own", ["GM9001", "GM9002", "GM9003", "GM9004"])
def test_a_municipal_counter_only_serves_its_own_residents(loaded_db, own):
    result = find(loaded_db, areas="schulden,uitkering,wonen,zorg", postcode=PC4_OF[own],
                  limit=100)
    counters = {r["name"] for r in result["results"] if r["provider_type"] == "gemeente"}
    assert counters == {COUNTER[own]}


def test_municipal_team_is_not_offered_to_neighbours_but_a_law_shop_is(loaded_db):
    result = find(loaded_db, areas="wonen", postcode="9021", limit=100)
    assert "Wijkteam Teststad" not in names(result)
    law_shop = by_name(result, "Rechtswinkel Teststad")
    assert "In gemeente Teststad, ook voor u" in law_shop["why"]
    assert 0 < law_shop["distance_km"] <= 25
    assert "Wijkteam Teststad" in names(find(loaded_db, areas="wonen", postcode="9012"))


def test_regional_help_only_for_the_listed_municipalities(loaded_db):
    for pc4, listed in [("9011", True), ("9021", True), ("9031", False), ("9041", False)]:
        result = find(loaded_db, areas="discriminatie", postcode=pc4)
        assert ("Meldpunt Discriminatie Regio Test" in names(result)) is listed, pc4


def test_national_helpline_is_listed_as_remote(loaded_db):
    result = find(loaded_db, areas="schulden", postcode="9021")
    line = by_name(result, "Landelijke Testlijn (landelijk)")
    assert line["remote"] is True
    assert line["distance_km"] is None
    assert line["address"] is None
    assert "Bel of mail: landelijke hulp" in line["why"]
    assert line["location_label"] == "Landelijk: bellen of online"
    assert line["phone"] == "0900-0000"
    physical = [r for r in result["results"] if not r["remote"]]
    assert physical, "remote help is listed next to places, not instead of them"


def test_independent_filter(loaded_db):
    result = find(loaded_db, areas="schulden,uitkering", postcode="9011", independent=True)
    assert result["results"]
    assert all(r["independent"] for r in result["results"])
    assert "Gemeente Teststad: loket" not in names(result)
    assert "Wijkteam Teststad" not in names(result)


def test_without_a_place_only_help_from_anywhere(loaded_db):
    result = find(loaded_db, areas="schulden")
    assert result["origin"] is None
    assert names(result) == ["Landelijke Testlijn (landelijk)"]
    assert any("postcode" in m["text"] for m in result["messages"])


# -- ranking details --------------------------------------------------------------------------

def test_distance_sort_and_distance_reasons(loaded_db, tmp_path):
    import_extra(loaded_db, tmp_path)
    result = find(loaded_db, areas="wonen", postcode="9013", sort="distance", limit=100)
    physical = [r for r in result["results"] if not r["remote"]]
    distances = [r["distance_km"] for r in physical]
    assert len(distances) >= 4
    assert distances == sorted(distances)
    assert physical[0]["name"] == "Huurteam Teststad-Noord"
    assert "Minder dan 1 km van 9013" in physical[0]["why"]
    far = by_name(result, "Huurteam Proefdorp")
    assert f"{far['distance_km']:.1f}".replace(".", ",") + " km van 9013" in far["why"]
    remote_after = [r["remote"] for r in result["results"]]
    assert remote_after == sorted(remote_after), "remote help after the places"


def test_score_ranking_is_explained_and_descending(loaded_db, tmp_path):
    import_extra(loaded_db, tmp_path)
    result = find(loaded_db, areas="wonen", postcode="9013", limit=100)
    # Reachable first, then active before uncertain, general before target groups; within
    # each tier by score (issue 8).
    tiers = [(not r["reachable"], r["status"] == "uncertain", bool(r["target_group"]))
             for r in result["results"]]
    assert tiers == sorted(tiers)
    for tier in set(tiers):
        scores = [r["score"] for r, t in zip(result["results"], tiers, strict=True) if t == tier]
        assert scores == sorted(scores, reverse=True)
    assert all(r["why"] and r["why"][0].startswith("Helpt bij") for r in result["results"])
    walk_in = by_name(result, "Huurteam Proefdorp")
    assert "Zonder afspraak binnenlopen" in walk_in["why"]
    by_appointment = by_name(result, "Huurteam Teststad-Noord")
    assert "Op afspraak" in by_appointment["why"]


def test_stale_and_undated_records_are_marked(loaded_db):
    result = find(loaded_db, areas="schulden,toeslagen", postcode="9021", limit=100)
    old = by_name(result, "Schuldhulp Proefdorp")  # source date 2019
    assert old["stale"] is True
    # One stale note per card: the card's provenance line says it, not the reasons too.
    assert not any("bel eerst" in w for w in old["why"])
    undated = by_name(result, "Landelijke Testlijn (landelijk)")
    assert undated["stale"] is True and undated["last_checked"] is None
    fresh = by_name(result, "Rechtswinkel Teststad")  # 2025-03-01
    assert fresh["stale"] is False and fresh["last_checked"] == "2025-03-01"
    later = find(loaded_db, areas="schulden", postcode="9021", today=dt.date(2026, 6, 1),
                 stale_after_days=365)
    assert by_name(later, "Rechtswinkel Teststad")["stale"] is True


def test_approximate_locations_never_pose_as_an_address(loaded_db):
    result = find(loaded_db, areas="schulden,uitkering", postcode="9021", limit=100)
    approx = by_name(result, "Schuldhulp Proefdorp")
    assert approx["approximate"] is True
    assert approx["address"] is None and approx["postal_code"] is None
    assert approx["location_label"] == "Proefdorp (locatie bij benadering)"
    assert "Locatie bij benadering" in approx["why"]
    counter = by_name(result, "Gemeente Proefdorp: loket")
    assert counter["approximate"] is False
    assert counter["address"] == "Dorpsstraat 10"
    assert counter["location_label"] == "Dorpsstraat 10, 9021 BB Proefdorp"
    assert "Locatie bij benadering" not in counter["why"]
    # a town hall without coordinates in the register: the address is real, the pin is not
    bergen = by_name(find(loaded_db, areas="uitkering", postcode="9041"),
                     "Gemeente Bergen (L.): loket")
    assert bergen["address"] == "Kerkweg 5" and bergen["approximate"] is True


def test_domestic_violence_puts_veilig_thuis_first_with_a_safety_message(loaded_db, tmp_path):
    before = find(loaded_db, areas="geweld", postcode="9011")
    assert "Veilig Thuis (landelijk nummer)" not in names(before)
    import_extra(loaded_db, tmp_path)  # the index notices the new import
    result = find(loaded_db, areas="geweld,wonen", postcode="9011")
    first = result["results"][0]
    assert first["name"] == "Veilig Thuis (landelijk nummer)"
    assert first["why"][0] == "Bij geweld of onveiligheid thuis: eerst Veilig Thuis"
    safety = [m["text"] for m in result["messages"] if m["kind"] == "safety"]
    assert any("112" in text for text in safety)
    assert any("0800-2000" in text for text in safety)  # the number comes from the data
    by_text = find(loaded_db, q="mijn man slaat me", postcode="9011")
    assert by_text["results"][0]["name"] == "Veilig Thuis (landelijk nummer)"


def test_at_most_a_few_remote_services_when_places_are_enough(loaded_db, tmp_path):
    rows = [[f"x-n{i}", f"Landelijke Hulplijn {i} (landelijk)", "nationale_hulplijn", "", "",
             "", "", f"0800-00{i}", "", "Gratis.", "https://bron.example/n", "2025-01-01",
             "high"] for i in range(6)]
    rows += [[f"x-s{i}", f"Schuldhulp Teststad {i}", "schuldhulp_vrijwilligers", "Teststad",
              "", "9012", "", "", "", "Inloop.", "https://bron.example/s", "2025-01-01", "high"]
             for i in range(12)]
    import_extra(loaded_db, tmp_path, rows)
    result = find(loaded_db, areas="schulden", postcode="9011", limit=12)
    assert len(result["results"]) == 12
    remote = [r for r in result["results"] if r["remote"]]
    assert 1 <= len(remote) <= 3
    assert result["total"] > 12


# -- areas, errors, languages -----------------------------------------------------------------

def test_life_event_brings_its_areas(loaded_db):
    from matcher import get_matcher

    result = find(loaded_db, life_event="scheiden", postcode="9011")
    codes = [a["code"] for a in result["areas"]]
    assert codes == get_matcher().area_codes_for_life_event("scheiden")
    assert result["life_events"][0]["code"] == "scheiden"


@pytest.mark.parametrize("kwargs, code", [
    ({"postcode": "9011"}, "no_areas"),
    ({"q": "   ", "postcode": "9011"}, "no_areas"),
    ({"q": "blablabla qwerty", "postcode": "9011"}, "no_areas"),
    ({"areas": "schuld", "postcode": "9011"}, "unknown_area"),
    ({"life_event": "verjaardag", "postcode": "9011"}, "unknown_life_event"),
    ({"areas": "schulden", "postcode": "9011", "limit": 0}, "invalid_limit"),
    ({"areas": "schulden", "postcode": "9011", "limit": 101}, "invalid_limit"),
    ({"areas": "schulden", "postcode": "9011", "sort": "name"}, "invalid_sort"),
    ({"areas": "schulden", "postcode": "1234"}, "unknown_postcode"),
    ({"areas": "schulden", "q": "x" * 5000, "postcode": "9011"}, "query_too_long"),
])
def test_clear_errors(loaded_db, kwargs, code):
    with pytest.raises(InvalidInput) as err:
        find(loaded_db, **kwargs)
    assert err.value.code == code
    assert err.value.message


def test_no_areas_message_is_the_agreed_one(loaded_db):
    with pytest.raises(InvalidInput) as err:
        find(loaded_db, postcode="9011")
    assert err.value.message == "Vertel wat er aan de hand is of kies een onderwerp."
    with pytest.raises(InvalidInput) as err:
        find(loaded_db, areas="schuld", postcode="9011")
    assert "schulden" in err.value.suggestions


def test_english(loaded_db):
    result = find(loaded_db, areas="toeslagen", postcode="9011", lang="en")
    law_shop = by_name(result, "Rechtswinkel Teststad")
    assert "Helps with: Benefits from the tax office (allowances)" in law_shop["why"] or \
        any(w.startswith("Helps with:") for w in law_shop["why"])
    assert "Free" in law_shop["why"]
    assert law_shop["provider_type_label"].startswith("Law shop")


def test_contract_keys(loaded_db):
    result = find(loaded_db, areas="schulden", postcode="9011")
    assert {"origin", "areas", "results"} <= set(result)
    assert set(result["origin"]) >= {"lat", "lon", "postcode", "municipality"}
    assert set(result["origin"]["municipality"]) == {"code", "name"}
    contract = {"id", "name", "organization", "provider_type", "independent", "free", "address",
                "postal_code", "city", "phone", "website", "distance_km", "channels", "areas",
                "score", "why", "source", "last_checked"}
    for row in result["results"]:
        assert contract <= set(row)
        assert 0 <= row["score"] <= 1


# -- one service ------------------------------------------------------------------------------

def _service_id(db: Database, name: str) -> str:
    result = find(db, areas="schulden,uitkering,wonen,discriminatie,toeslagen", postcode="9021",
                  limit=100)
    return by_name(result, name)["id"]


def test_service_detail_of_a_town_hall(loaded_db):
    sid = _service_id(loaded_db, "Gemeente Proefdorp: loket")
    with loaded_db.session() as session:
        svc = get_service(session, sid)
    assert svc["organization"]["name"] == "Gemeente Proefdorp"
    assert svc["provider_type_label"] == "Gemeente (gemeentehuis)"
    assert svc["independent"] is False and svc["residents_only"] is True
    assert svc["phone"] == "14 0999"
    loc = svc["locations"][0]
    assert (loc["address"], loc["postal_code"], loc["approximate"]) == \
        ("Dorpsstraat 10", "9021 BB", False)
    assert svc["who_may_use"] == "Inwoners van Proefdorp"
    assert "Voor inwoners van de gemeente Proefdorp." in svc["eligibility"]
    assert svc["provenance"]["source"] == "roo-gemeenten"
    assert svc["provenance"]["last_checked"] == "2026-03-01"
    assert {a["code"] for a in svc["areas"]} >= {"uitkering", "schulden"}


def test_service_detail_of_approximate_help_shows_what_the_source_says(loaded_db):
    sid = _service_id(loaded_db, "Schuldhulp Proefdorp")
    with loaded_db.session() as session:
        svc = get_service(session, sid)
    loc = svc["locations"][0]
    assert loc["address"] is None and loc["approximate"] is True
    assert loc["location_label"] == "Proefdorp (locatie bij benadering)"
    assert svc["opening_hours"] == []
    # Channel notes are for curators (/beheer) only (issue 8).
    assert "source_says" not in svc and "notes" not in svc
    assert "Op afspraak." not in str(svc)
    assert svc["stale"] is True and not svc["warnings"]  # the stale note is on provenance
    assert svc["provenance"]["source_url"] == "https://bron.example/3"
    assert svc["who_may_use"] == "Inwoners van Proefdorp, en mensen uit de buurt"


def test_structured_opening_times_become_dutch_text(loaded_db):
    sid = _service_id(loaded_db, "Rechtswinkel Teststad")
    with loaded_db.session() as session:
        session.add(Schedule(id=stable_id(sid, "schedule", 1), service_id=sid, freq="WEEKLY",
                             byday="MO,TU", opens_at="09:00", closes_at="12:30",
                             source="test"))
        session.add(Schedule(id=stable_id(sid, "schedule", 2), service_id=sid, freq="WEEKLY",
                             byday="TH", opens_at="19:00", closes_at="21:00", source="test"))
    with loaded_db.session() as session:
        location_id = get_service(session, sid)["locations"][0]["id"]
        # linked to the service and its location at once, with the times also as text
        session.add(Schedule(id=stable_id(sid, "schedule", 3), service_id=sid,
                             location_id=location_id, freq="WEEKLY", byday="WE",
                             opens_at="10:00", closes_at="11:00",
                             description="Woensdag 10 tot 11 uur", source="test"))
        session.add(Schedule(id=stable_id(sid, "schedule", 4), service_id=sid, freq="MONTHLY",
                             byday="SA", opens_at="10:00", closes_at="12:00",
                             description="alleen de eerste van de maand", source="test"))
    with loaded_db.session() as session:
        svc = get_service(session, sid)
        en = get_service(session, sid, lang="en")
    assert sorted(svc["opening_hours"]) == [
        "Donderdag: 19:00 tot 21:00 uur",
        "Maandag en dinsdag: 09:00 tot 12:30 uur",
        "Woensdag: 10:00 tot 11:00 uur",
        "Zaterdag: 10:00 tot 12:00 uur (een keer per maand) (alleen de eerste van de maand)",
    ]
    assert "source_says" not in svc
    assert "Monday and Tuesday: 09:00 to 12:30" in en["opening_hours"]


def test_service_detail_errors(loaded_db):
    with loaded_db.session() as session:
        with pytest.raises(NotFound):
            get_service(session, "00000000-0000-0000-0000-000000000000")
        for bad in ["'; DROP TABLE service;--", "x" * 37, "", "😀", "../etc/passwd"]:
            with pytest.raises(InvalidInput):
                get_service(session, bad)


def test_nearby_alternatives(loaded_db):
    sid = _service_id(loaded_db, "Schuldhulp Proefdorp")
    with loaded_db.session() as session:
        others = nearby_alternatives(session, sid, limit=3)
    assert others and sid not in {o["id"] for o in others}
    assert all(not o["remote"] for o in others)


# -- the real mirror --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_db(tmp_path_factory, shared_data) -> Database:
    db = Database(real_mirror_url(tmp_path_factory, shared_data))
    yield db
    db.dispose()


@pytest.mark.mirror
def test_real_rent_arrears_in_utrecht(real_db):
    result = find(real_db, q="huurachterstand", postcode="3511", today=dt.date.today(),
                  limit=30)
    assert result["origin"]["municipality"]["code"] == "GM0344"
    assert {a["code"] for a in result["areas"]} & {"wonen", "schulden"}
    physical = [r for r in result["results"] if not r["remote"]]
    assert physical and all(r["distance_km"] <= 25 for r in physical)
    assert physical[0]["distance_km"] < 5
    counters = [r for r in result["results"] if r["provider_type"] == "gemeente"]
    assert all(r["name"].startswith("Gemeente Utrecht") for r in counters)
    with real_db.session() as session:
        from sqlalchemy import func, select

        from loketwijzer.models import Service

        has_counters = session.scalar(select(func.count()).select_from(Service)
                                      .where(Service.provider_type == "gemeente"))
    if has_counters:
        assert [r["name"] for r in counters] == ["Gemeente Utrecht: loket"]


@pytest.mark.mirror
def test_real_place_names_reach_the_right_municipality(real_db):
    assert find(real_db, areas="schulden", text="Den Bosch")["origin"]["municipality"][
        "code"] == "GM0796"
    assert find(real_db, areas="schulden", place="Gravenhage")["origin"]["municipality"][
        "code"] == "GM0518"


@pytest.mark.mirror
def test_real_no_counter_of_another_municipality_anywhere(real_db):
    for pc4 in ["1011", "3511", "9711", "6211", "7511", "2511", "5038", "8011"]:
        result = find(real_db, areas="uitkering,schulden,wonen,zorg", postcode=pc4, limit=100)
        own = result["origin"]["municipality"]["name"]
        for row in result["results"]:
            if row["provider_type"] == "gemeente":
                assert row["name"] == f"Gemeente {own}: loket", (pc4, row["name"])
