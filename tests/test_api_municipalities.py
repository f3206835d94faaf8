"""/api/v1/municipalities and the municipality page on the fixture data."""

from __future__ import annotations

import pytest

from loketwijzer.config import Settings
from webapp import create_app


@pytest.fixture
def loaded_client(loaded_db, fixture_mirror):
    app = create_app(Settings(database_url=loaded_db.url, sources_dir=fixture_mirror))
    yield app.test_client()
    app.extensions["loketwijzer_db"].dispose()


def test_municipality_with_services_per_area(loaded_client):
    body = loaded_client.get("/api/v1/municipalities/GM9001").get_json()
    assert body["code"] == "GM9001" and body["name"] == "Teststad"
    assert body["population"] == 120_000 and body["province"]["code"] == "PV26"
    areas = {a["code"]: a for a in body["services_per_area"]}
    assert len(areas) == 20
    # wonen: the rechtswinkel and the youth law shop (independent, local), the town hall and
    # the wijkteam (local, not independent), the national legal line (independent, not
    # local) and the national rent tribunal (a government body: not independent)
    assert areas["wonen"] == {**areas["wonen"], "services": 6, "independent": 3, "local": 4}
    # discriminatie: the regional bureau whose notes name Teststad, the local law shop and
    # the national line, and the youth law shop; Bergen is outside the bureau's region
    assert areas["discriminatie"]["services"] == 4
    assert areas["letselschade"]["local"] == 2  # the law shop and the youth law shop
    bergen = loaded_client.get("/api/v1/municipalities/GM9003").get_json()
    assert {a["code"]: a for a in bergen["services_per_area"]}["discriminatie"]["services"] == 1
    assert "Kadaster" in body["attribution"]


def test_codes_are_normalised_and_errors_are_clear(loaded_client):
    assert loaded_client.get("/api/v1/municipalities/gm9002").get_json()["code"] == "GM9002"
    assert loaded_client.get("/api/v1/municipalities/9002").get_json()["code"] == "GM9002"
    unknown = loaded_client.get("/api/v1/municipalities/GM0001")
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "unknown_municipality"
    bad = loaded_client.get("/api/v1/municipalities/Amsterdam';--")
    assert bad.status_code == 400
    assert "GM0363" in bad.get_json()["error"]["message"]
    listing = loaded_client.get("/api/v1/municipalities").get_json()["municipalities"]
    assert [m["code"] for m in listing][:2] == ["GM9004", "GM9003"]  # sorted by name
