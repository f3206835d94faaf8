"""GET /api/v1/services and /api/v1/services/<id>: the contract shape, and a 400 with a
Dutch message (never a 500) for anything odd."""

from __future__ import annotations

import random
import string

import pytest

CONTRACT_RESULT = {"id", "name", "organization", "provider_type", "independent", "free",
                   "address", "postal_code", "city", "phone", "website", "distance_km",
                   "channels", "areas", "score", "why", "source", "last_checked"}


@pytest.fixture
def api(client, loaded_db):
    return client


def get_json(client, url: str, **params):
    response = client.get(url, query_string=params)
    assert response.is_json, (url, params, response.status_code)
    return response.status_code, response.get_json()


def test_contract_shape(api):
    status, body = get_json(api, "/api/v1/services", postcode="9011", q="zorgtoeslag "
                            "terugbetalen", areas="uitkering", independent="true", limit="5")
    assert status == 200
    assert set(body["origin"]) >= {"lat", "lon", "postcode", "municipality"}
    assert body["origin"]["postcode"] == "9011"
    assert body["origin"]["municipality"] == {"code": "GM9001", "name": "Teststad"}
    assert [a["code"] for a in body["areas"]][:1] == ["toeslagen"]
    assert "uitkering" in [a["code"] for a in body["areas"]]
    assert all({"code", "label", "score", "matched"} <= set(a) for a in body["areas"])
    assert 1 <= len(body["results"]) <= 5
    for row in body["results"]:
        assert set(row) >= CONTRACT_RESULT
        assert row["independent"] is True
        assert isinstance(row["why"], list) and row["why"]
        assert row["distance_km"] is None or row["distance_km"] >= 0


@pytest.mark.parametrize("params", [
    {"place": "Proefdorp", "areas": "schulden"},
    {"text": "proefdorp", "areas": "schulden"},
    {"text": "9021 BB", "areas": "schulden"},
    {"lat": "52.03", "lon": "5.13", "areas": "schulden"},
    {"postcode": "9021", "areas": "schulden", "independent": "false"},
    {"postcode": "9021", "areas": "schulden,", "sort": "distance"},
])
def test_ways_to_say_where(api, params):
    status, body = get_json(api, "/api/v1/services", **params)
    assert status == 200, body
    assert body["origin"]["municipality"]["code"] == "GM9002"
    assert "Gemeente Proefdorp: loket" in [r["name"] for r in body["results"]]
    assert "Gemeente Teststad: loket" not in [r["name"] for r in body["results"]]


def test_english_labels(api):
    status, body = get_json(api, "/api/v1/services", postcode="9011", areas="schulden",
                            lang="en")
    assert status == 200
    assert body["areas"][0]["label"] == "Debt and money worries"
    assert all(any(w.startswith("Helps with") for w in r["why"]) for r in body["results"])


@pytest.mark.parametrize("params, code", [
    ({"postcode": "9011"}, "no_areas"),
    ({"postcode": "9011", "areas": "schulden", "limit": "0"}, "invalid_limit"),
    ({"postcode": "9011", "areas": "schulden", "limit": "101"}, "invalid_limit"),
    ({"postcode": "9011", "areas": "schulden", "limit": "abc"}, "invalid_limit"),
    ({"postcode": "9011", "areas": "schulden", "limit": "-1"}, "invalid_limit"),
    ({"postcode": "9011", "areas": "schulden", "limit": "2.5"}, "invalid_limit"),
    ({"postcode": "9011", "areas": "schulden", "independent": "maybe"}, "invalid_independent"),
    ({"postcode": "0000", "areas": "schulden"}, "invalid_postcode"),
    ({"postcode": "9099", "areas": "schulden"}, "unknown_postcode"),
    ({"place": "Nergenshuizen-aan-Zee", "areas": "schulden"}, "unknown_place"),
    ({"text": "Bergen", "areas": "schulden"}, "ambiguous_place"),
    ({"lat": "abc", "lon": "5", "areas": "schulden"}, "invalid_point"),
    ({"lat": "52.1", "areas": "schulden"}, "invalid_point"),
    ({"lat": "48.85", "lon": "2.35", "areas": "schulden"}, "outside_nl"),
    ({"postcode": "9011", "areas": "onzin"}, "unknown_area"),
    ({"postcode": "9011", "life_event": "onzin"}, "unknown_life_event"),
    ({"postcode": "9011", "q": "x" * 10_000}, "parameter_too_long"),
    ({"postcode": "9011", "areas": "schulden", "sort": "random"}, "invalid_sort"),
])
def test_bad_input_is_a_400_with_a_dutch_message(api, params, code):
    status, body = get_json(api, "/api/v1/services", **params)
    assert status == 400, body
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_error_suggestions_are_returned(api):
    status, body = get_json(api, "/api/v1/services", text="Bergen", areas="schulden")
    assert status == 400
    assert body["error"]["suggestions"] == ["Bergen (NH.)", "Bergen (L.)"]
    status, body = get_json(api, "/api/v1/services", text=body["error"]["suggestions"][1],
                            areas="schulden")
    assert status == 200 and body["origin"]["municipality"]["code"] == "GM9004"


ODD = ["😀🏠💸", "'; DROP TABLE service;--", "\" OR 1=1 --", "\x00\x01\x02", "%00", "%",
       "../../etc/passwd", "<script>alert(1)</script>", "{\"a\": 1}", "١٢٣٤", "‮9011",
       " ", "," * 50, "9011" * 200, "x" * 10_000, "ß" * 300, "\u200b", "nan", "inf", "-0",
       "1e309", "NULL", "None", "true", "[]", "\\", "'", "3511 AB; SELECT 1"]
PARAMS = ["q", "postcode", "place", "lat", "lon", "text", "areas", "life_event", "independent",
          "limit", "lang", "sort"]


@pytest.mark.parametrize("param", PARAMS)
def test_fuzz_each_parameter_never_500(api, param):
    for value in ODD:
        for base in ({"postcode": "9011", "areas": "schulden"}, {"q": "schulden"}, {}):
            params = {**base, param: value}
            response = api.get("/api/v1/services", query_string=params)
            assert response.status_code in (200, 400), (param, value, response.status_code)
            body = response.get_json()
            assert body is not None
            if response.status_code == 400:
                assert body["error"]["message"]


def test_random_fuzz_never_500(api):
    rng = random.Random(20251123)
    alphabet = string.printable + "éëïöü’ßÿ€😀\u0000\u202e"
    for _ in range(150):
        params = {}
        for name in rng.sample(PARAMS, rng.randint(0, 5)):
            params[name] = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        response = api.get("/api/v1/services", query_string=params)
        assert response.status_code in (200, 400), (params, response.status_code)
        assert response.is_json


def test_repeated_parameters_and_no_parameters(api):
    response = api.get("/api/v1/services?postcode=9011&postcode=9021&areas=schulden")
    assert response.status_code == 200
    assert response.get_json()["origin"]["postcode"] == "9011"
    response = api.get("/api/v1/services")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "no_areas"


def test_service_detail(api):
    _, body = get_json(api, "/api/v1/services", postcode="9021", areas="schulden")
    row = next(r for r in body["results"] if r["name"] == "Schuldhulp Proefdorp")
    status, detail = get_json(api, f"/api/v1/services/{row['id']}")
    assert status == 200
    assert detail["id"] == row["id"]
    assert detail["name"] == "Schuldhulp Proefdorp"
    assert detail["locations"][0]["approximate"] is True
    assert detail["provenance"]["source_url"] == "https://bron.example/3"
    assert "source_says" not in detail and "Op afspraak." not in str(detail)
    status, detail_en = get_json(api, f"/api/v1/services/{row['id']}", lang="en")
    assert status == 200 and detail_en["cost"]["summary"] == "Free"


@pytest.mark.parametrize("service_id, status", [
    ("00000000-0000-0000-0000-000000000000", 404),
    ("abc", 404),
    ("'%3B DROP TABLE service", 400),
    ("x" * 300, 400),
    ("%F0%9F%98%80", 400),
    ("a/b/c", 400),
    ("%00", 400),
])
def test_service_detail_errors(api, service_id, status):
    response = api.get(f"/api/v1/services/{service_id}")
    assert response.status_code == status
    assert response.get_json()["error"]["message"]
