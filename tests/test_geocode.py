"""Geocoding what a resident types: postcodes, place names with typos and aliases,
ambiguous names, points, and the errors that say what to do instead."""

from __future__ import annotations

import pytest

from geo.gazetteer import Gazetteer, MunicipalityRef, Pc4Ref, PlaceRef
from geo.geocode import GeocodeError, Origin, geocode, name_index
from geo.names import fold
from loketwijzer.db import Database
from loketwijzer.errors import InvalidInput
from tests.conftest import real_mirror_url

# -- the real mirror, imported once per test session (see tests/conftest.py) --------------

@pytest.fixture(scope="module")
def real_gazetteer(tmp_path_factory, shared_data) -> Gazetteer:
    db = Database(real_mirror_url(tmp_path_factory, shared_data))
    with db.session() as session:
        gaz = Gazetteer.from_session(session, with_boundaries=True)
    db.dispose()
    return gaz


# -- the fixture mirror, on both databases --------------------------------------------------

@pytest.fixture
def gaz(loaded_db) -> Gazetteer:
    with loaded_db.session() as session:
        return Gazetteer.from_session(session, with_boundaries=True)


@pytest.mark.parametrize("typed, shown, precision", [
    ("9011 AB", "9011 AB", "postcode"),
    ("9011ab", "9011 AB", "postcode"),
    (" 9011 ", "9011", "pc4"),
    ("9011", "9011", "pc4"),
])
def test_postcode_variants_give_the_pc4_centre_and_municipality(gaz, typed, shown, precision):
    for origin in (geocode(gaz, postcode=typed), geocode(gaz, text=typed)):
        assert origin.postcode == shown
        assert origin.precision == precision
        assert origin.municipality_code == "GM9001"
        assert origin.municipality_name == "Teststad"
        assert origin.label == f"{shown}, Teststad"
        assert (origin.lat, origin.lon) == (gaz.pc4["9011"].lat, gaz.pc4["9011"].lon)


def test_unknown_pc4_suggests_the_nearest_existing_ones(gaz):
    with pytest.raises(GeocodeError) as err:
        geocode(gaz, postcode="9015")
    assert err.value.code == "unknown_postcode"
    assert "9015" in err.value.message
    assert err.value.suggestions == ["9011 Teststad", "9012 Teststad", "9013 Teststad"]
    # each suggestion can be searched as written
    assert geocode(gaz, text=err.value.suggestions[0]).postcode == "9011"
    assert isinstance(err.value, InvalidInput) and err.value.status == 400


@pytest.mark.parametrize("typed", ["0123", "12345", "9011 SS", "90"])
def test_malformed_postcode_says_what_a_postcode_looks_like(gaz, typed):
    with pytest.raises(GeocodeError) as err:
        geocode(gaz, text=typed)
    assert err.value.code == "invalid_postcode"
    assert "postcode" in err.value.message.lower()


def test_place_names_alternates_and_typos(gaz):
    assert geocode(gaz, place="Teststad").municipality_code == "GM9001"
    alias = geocode(gaz, text="Tststd")  # a GeoNames alternate name
    assert alias.municipality_code == "GM9001"
    assert alias.label == "Tststd (Teststad)"
    typo = geocode(gaz, text="Proefdrop")
    assert typo.municipality_code == "GM9002"
    assert typo.label == "Proefdorp"
    assert "Proefdorp" in typo.note
    hamlet = geocode(gaz, text="gehucht")
    assert hamlet.municipality_code == "GM9001"
    assert hamlet.label == "Gehucht (gemeente Teststad)"
    assert hamlet.precision == "place"


def test_ambiguous_name_of_similar_size_asks_to_choose(gaz):
    with pytest.raises(GeocodeError) as err:
        geocode(gaz, text="Bergen")
    assert err.value.code == "ambiguous_place"
    assert err.value.suggestions == ["Bergen (NH.)", "Bergen (L.)"]
    chosen = [geocode(gaz, text=s).municipality_code for s in err.value.suggestions]
    assert chosen == ["GM9003", "GM9004"]
    assert geocode(gaz, text="Bergen (L)").municipality_code == "GM9004"


def test_province_name_is_not_a_place(gaz):
    with pytest.raises(GeocodeError) as err:
        geocode(gaz, text="Limburg")
    assert err.value.code == "province_not_place"
    assert err.value.suggestions == ["Bergen (L.)"]
    with pytest.raises(GeocodeError) as err:
        geocode(gaz, text="utrecht")  # the fixture has the province, not the city
    assert err.value.suggestions == ["Teststad", "Proefdorp"]


@pytest.mark.parametrize("typed", ["xyzzyq", "'; DROP TABLE service;--", "😀", "??", "a" * 500])
def test_nonsense_gives_a_clear_error(gaz, typed):
    with pytest.raises(GeocodeError) as err:
        geocode(gaz, text=typed)
    assert err.value.message
    assert err.value.status == 400


def test_points_inside_the_netherlands_only(gaz):
    inside = geocode(gaz, lat=52.03, lon=5.13)
    assert inside.municipality_code == "GM9002"
    assert inside.precision == "point"
    assert inside.postcode is None
    assert geocode(gaz, lat="52,03", lon="5.03").municipality_code == "GM9001"
    for lat, lon in [(52.52, 13.40), (51.22, 4.40), (0, 0), (52.5, 6.5)]:
        with pytest.raises(GeocodeError) as err:
            geocode(gaz, lat=lat, lon=lon)
        assert err.value.code == "outside_nl"
    for lat, lon in [("abc", 5.0), (52.0, None), ("nan", "5"), ("inf", "5"), (None, 5)]:
        with pytest.raises(GeocodeError) as err:
            geocode(gaz, lat=lat, lon=lon)
        assert err.value.code == "invalid_point"


def test_a_town_in_the_postcode_field_is_still_found(gaz):
    assert geocode(gaz, postcode="Proefdorp").municipality_code == "GM9002"
    with pytest.raises(GeocodeError) as err:
        geocode(gaz, postcode="9O11")  # letter O for a zero
    assert err.value.code == "invalid_postcode"


def test_nothing_given_asks_for_a_place(gaz):
    with pytest.raises(GeocodeError) as err:
        geocode(gaz, text="   ")
    assert err.value.code == "missing_location"


def test_order_of_inputs_point_then_postcode_then_place_then_text(gaz):
    assert geocode(gaz, lat=52.03, lon=5.13, postcode="9011").municipality_code == "GM9002"
    assert geocode(gaz, postcode="9021", place="Teststad").municipality_code == "GM9002"
    assert geocode(gaz, place="Teststad", text="9021").municipality_code == "GM9001"


def test_address_text_falls_back_to_the_town_offline(gaz):
    origin = geocode(gaz, text="Marktplein 3, Teststad")
    assert origin.municipality_code == "GM9001"
    assert origin.precision == "place"
    assert "postcode" in origin.note
    assert geocode(gaz, text="Marktplein 3, 9011 AB Teststad").postcode == "9011 AB"


def test_online_lookup_is_used_for_addresses_and_optional(gaz):
    calls: list[str] = []

    def fake_pdok(text: str) -> dict:
        calls.append(text)
        return {"centroide_ll": "POINT(5.02 52.01)", "gemeentecode": "9001",
                "postcode": "9011AB", "weergavenaam": "Marktplein 3, 9011AB Teststad"}

    origin = geocode(gaz, text="Marktplein 3 Teststad", allow_online=True,
                     online_lookup=fake_pdok)
    assert calls == ["Marktplein 3 Teststad"]
    assert origin.precision == "point"
    assert origin.postcode == "9011 AB"
    assert origin.municipality_code == "GM9001"
    assert origin.label == "Marktplein 3, 9011AB Teststad"
    # offline by default: the lookup is not called
    geocode(gaz, text="Marktplein 3, Teststad", online_lookup=fake_pdok)
    assert len(calls) == 1


def test_online_failure_falls_back_to_offline(gaz):
    def broken(text: str) -> dict:
        raise TimeoutError("no network")

    origin = geocode(gaz, text="Marktplein 3, Teststad", allow_online=True,
                     online_lookup=broken)
    assert origin.municipality_code == "GM9001"
    assert geocode(gaz, text="Marktplein 3, Teststad", allow_online=True,
                   online_lookup=lambda text: None).municipality_code == "GM9001"


def test_origin_serialises_to_the_contract_shape(gaz):
    data = geocode(gaz, text="9021").to_dict()
    assert {"lat", "lon", "postcode", "municipality"} <= set(data)
    assert data["municipality"] == {"code": "GM9002", "name": "Proefdorp"}


# -- the name rules on a small hand-made gazetteer (no database needed) ---------------------

def _gazetteer() -> Gazetteer:
    gaz = Gazetteer()
    for code, name, lat, lon, province, population in [
        ("GM0796", "'s-Hertogenbosch", 51.69, 5.30, "Noord-Brabant", 160_000),
        ("GM0518", "'s-Gravenhage", 52.07, 4.30, "Zuid-Holland", 560_000),
        ("GM0164", "Hengelo (O.)", 52.26, 6.79, "Overijssel", 87_000),
        ("GM1876", "Bronckhorst", 52.05, 6.30, "Gelderland", 36_000),
        ("GM0014", "Groningen", 53.22, 6.56, "Groningen", 240_000),
        ("GM1966", "Het Hogeland", 53.40, 6.60, "Groningen", 48_000),
        ("GM0392", "Haarlem", 52.38, 4.64, "Noord-Holland", 162_000),
        ("GM0163", "Hellendoorn", 52.39, 6.45, "Overijssel", 36_000),
    ]:
        gaz.add_municipality(MunicipalityRef(code, name, lat, lon, province, population))
    for key, code in [("den bosch", "GM0796"), ("gravenhage", "GM0518"),
                      ("den haag", "GM0518")]:
        gaz.municipality_names[key].add(code)
    gaz.spellings.update({"den bosch": "Den Bosch", "gravenhage": "Gravenhage",
                          "den haag": "Den Haag"})
    places = [
        ("'s-Hertogenbosch", ["Den Bosch", "Hertogenbosch"], 51.699, 5.304, "GM0796", 134_520),
        ("The Hague", ["Den Haag", "'s-Gravenhage"], 52.076, 4.298, "GM0518", 474_292),
        ("Hengelo", [], 52.265, 6.793, "GM0164", 102_773),
        ("Hengelo", ["Hengelo (Gld)"], 52.050, 6.309, "GM1876", 4_510),
        ("Groningen", ["Grins"], 53.219, 6.566, "GM0014", 181_194),
        ("Haarlem", [], 52.381, 4.637, "GM0392", 147_590),
        ("Haarle", [], 52.389, 6.416, "GM0163", 1_020),
    ]
    for name, alternates, lat, lon, code, population in places:
        ref = PlaceRef(name, lat, lon, code, None, population, "place")
        for spelling in [name, *alternates]:
            gaz.place_names[fold(spelling)].append(ref)
            gaz.spellings.setdefault(fold(spelling), spelling)
    gaz.pc4["5211"] = Pc4Ref("5211", 51.69, 5.30, "GM0796", "'s-Hertogenbosch", 9_000)
    return gaz


@pytest.mark.parametrize("typed, code, label", [
    ("Den Bosch", "GM0796", "Den Bosch ('s-Hertogenbosch)"),
    ("den bosch", "GM0796", "Den Bosch ('s-Hertogenbosch)"),
    ("s-hertogenbosch", "GM0796", "'s-Hertogenbosch"),
    ("'s-Hertogenbosch", "GM0796", "'s-Hertogenbosch"),
    ("’s-Hertogenbosch", "GM0796", "'s-Hertogenbosch"),
    ("Hertogenbosch", "GM0796", "Hertogenbosch ('s-Hertogenbosch)"),
    ("Gravenhage", "GM0518", "Gravenhage ('s-Gravenhage)"),
    ("Den Haag", "GM0518", "Den Haag ('s-Gravenhage)"),
    ("den-haag", "GM0518", "Den Haag ('s-Gravenhage)"),
    ("gemeente Den Haag", "GM0518", "Den Haag ('s-Gravenhage)"),
    ("Grins", "GM0014", "Grins (Groningen)"),
])
def test_dutch_name_variants(typed, code, label):
    origin = geocode(_gazetteer(), text=typed)
    assert (origin.municipality_code, origin.label) == (code, label)


def test_typo_is_corrected_with_a_note():
    origin = geocode(_gazetteer(), text="Hertogenbosh")
    assert origin.municipality_code == "GM0796"
    assert origin.note and "'s-Hertogenbosch" in origin.note


@pytest.mark.parametrize("typed", ["Haarlme", "Harlem", "Haarlemm", "haarlen"])
def test_typos_prefer_the_town_over_an_equally_close_hamlet(typed):
    origin = geocode(_gazetteer(), text=typed)
    assert origin.municipality_code == "GM0392"
    assert origin.label == "Haarlem"
    assert "Haarlem" in origin.note


def test_dominant_namesake_is_chosen_and_the_other_offered():
    gaz = _gazetteer()
    origin = geocode(gaz, text="Hengelo")
    assert origin.municipality_code == "GM0164"
    assert origin.suggestions == ("Hengelo, Bronckhorst",)
    assert "Hengelo" in origin.note
    other = geocode(gaz, text=origin.suggestions[0])
    assert other.municipality_code == "GM1876"
    assert other.label == "Hengelo (gemeente Bronckhorst)"
    assert geocode(gaz, text="Hengelo (Gld)").municipality_code == "GM1876"
    assert geocode(gaz, text="Hengelo, Gelderland").municipality_code == "GM1876"
    assert geocode(gaz, text="Hengelo gld").municipality_code == "GM1876"


def test_city_that_is_also_a_province():
    origin = geocode(_gazetteer(), text="Groningen")
    assert origin.municipality_code == "GM0014"
    assert (origin.lat, origin.lon) == (53.219, 6.566)  # the city, not the province
    assert "provincie" in origin.note


def test_index_is_built_once_per_gazetteer():
    gaz = _gazetteer()
    assert name_index(gaz) is name_index(gaz)
    assert name_index(gaz).get("den bosch")[0].municipality_code == "GM0796"
    assert name_index(gaz).get("hertogenbosch")[0].municipality_code == "GM0796"
    assert "hertogenbosch" in name_index(gaz).keys  # "'s-" dropped, for typo matching
    assert name_index(gaz).get("nowhere") is None


def test_origin_is_immutable():
    origin = geocode(_gazetteer(), text="Den Haag")
    assert isinstance(origin, Origin)
    with pytest.raises(AttributeError):
        origin.lat = 0.0  # type: ignore[misc]


# -- the real mirror ------------------------------------------------------------------------

@pytest.mark.mirror
@pytest.mark.parametrize("typed, code", [
    ("Den Bosch", "GM0796"),
    ("s-hertogenbosch", "GM0796"),
    ("'s-Hertogenbosch", "GM0796"),
    ("Gravenhage", "GM0518"),
    ("Den Haag", "GM0518"),
    ("Amsterdm", "GM0363"),
    ("Groningen", "GM0014"),
    ("Hengelo", "GM0164"),
    ("Hengelo, Bronckhorst", "GM1876"),
    ("Bergen (L.)", "GM0893"),
    ("Ljouwert", "GM0080"),
    ("3511 AB", "GM0344"),
    ("1011", "GM0363"),
])
def test_real_names(real_gazetteer, typed, code):
    assert geocode(real_gazetteer, text=typed).municipality_code == code


@pytest.mark.mirror
def test_real_ambiguity_and_points(real_gazetteer):
    with pytest.raises(GeocodeError) as err:
        geocode(real_gazetteer, text="Bergen")
    assert set(err.value.suggestions) >= {"Bergen (NH.)", "Bergen (L.)"}
    hengelo = geocode(real_gazetteer, text="Hengelo")
    assert "Hengelo, Bronckhorst" in hengelo.suggestions
    assert geocode(real_gazetteer, lat=52.0907, lon=5.1214).municipality_code == "GM0344"
    with pytest.raises(GeocodeError):
        geocode(real_gazetteer, lat=51.2194, lon=4.4025)  # Antwerp
    with pytest.raises(GeocodeError) as err:
        geocode(real_gazetteer, text="Drenthe")
    assert err.value.code == "province_not_place" and "Emmen" in err.value.suggestions
