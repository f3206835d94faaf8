"""The rechtsbescherming-scan and demand signals on the real source mirror
(../shared/data); skips when it is absent. Mirrors the issue's outside check."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from loketwijzer.actions import scan
from loketwijzer.config import Settings
from tests.conftest import real_mirror_copy

pytestmark = [pytest.mark.mirror, pytest.mark.slow]


@pytest.fixture(scope="module")
def writable_client(shared_data, tmp_path_factory):
    """An app on a private copy of the real mirror (searches write demand signals)."""
    from webapp import create_app

    url = real_mirror_copy(tmp_path_factory, shared_data, "scan-signals")
    app = create_app(Settings(database_url=url, sources_dir=shared_data), TESTING=True)
    yield app.test_client(), app.extensions["loketwijzer_db"]
    app.extensions["loketwijzer_db"].dispose()


def test_amsterdam_and_schiermonnikoog_differ(mirror_db):
    with mirror_db.session() as s:
        amsterdam = scan.scan_municipality(s, "GM0363")
        island = scan.scan_municipality(s, "GM0088")
    for result in (amsterdam, island):
        assert len(result.bouwstenen) >= 4
        data = [c for c in result.criteria() if c.source == "data"]
        assert len(data) >= 8 and all(c.evidence and c.evidence.figures for c in data)
        assert any(c.source == "vragenlijst" for c in result.criteria())
    a = {c.id: c.status for c in amsterdam.criteria()}
    i = {c.id: c.status for c in island.criteria()}
    assert a != i
    # A city with law shops and walk-ins nearby; an island without independent help on it.
    assert a["onafhankelijk_per_onderwerp"] == "voldoet"
    assert i["onafhankelijk_per_onderwerp"] == "voldoet_niet"
    assert a["meerdere_locaties"] == "voldoet" and i["meerdere_locaties"] == "voldoet_niet"
    assert i["verste_inwoners"] == "voldoet_niet"
    places = next(c for c in amsterdam.criteria() if c.id == "meerdere_locaties")
    assert places.evidence.figures["places"] >= 3 and places.evidence.services


def test_scan_api_and_pages(writable_client):
    client, _db = writable_client
    body = client.get("/api/v1/scan/GM0363").get_json()
    assert len(body["bouwstenen"]) >= 4
    data = [c for b in body["bouwstenen"] for c in b["criteria"] if c["source"] == "data"]
    assert len(data) >= 8
    assert all(c["evidence"]["summary"] and c["evidence"]["rule"] for c in data)
    assert any(c["source"] == "vragenlijst" for b in body["bouwstenen"] for c in b["criteria"])
    assert client.get("/api/v1/scan/GM0088").get_json() != body
    for url in ("/scan/GM0363", "/scan/GM0363/print", "/scan/GM0088"):
        assert client.get(url).status_code == 200


RENT = "Ik heb een huurachterstand van drie maanden en de verhuurder dreigt met ontruiming"
DISCRIMINATION = "Ik word op mijn werk gediscrimineerd vanwege mijn afkomst"


def test_outside_check_on_signals(writable_client):
    client, db = writable_client
    for _ in range(14):
        response = client.get("/api/v1/services", query_string={"q": RENT, "postcode": "9166"})
        assert response.status_code == 200
        assert response.get_json()["origin"]["municipality"]["code"] == "GM0088"
    for _ in range(4):
        client.get("/api/v1/services", query_string={"q": DISCRIMINATION, "postcode": "9166"})
    for _ in range(20):
        client.get("/api/v1/services", query_string={"q": DISCRIMINATION, "postcode": "9166"},
                   headers={"Sec-GPC": "1"})
    body = client.get("/api/v1/signals/GM0088").get_json()
    counts = {s["area"]: s["count"] for s in body["signals"]}
    assert counts.get("wonen", 0) >= 10
    assert "discriminatie" not in counts  # 4 searches: hidden; 20 with GPC: not counted
    with db.engine.connect() as conn:
        stored = conn.execute(text(
            "SELECT sum(count) FROM demand_signal WHERE area_code = 'discriminatie'")).scalar()
        assert stored == 4
        for table in inspect(db.engine).get_table_names():
            for column in inspect(db.engine).get_columns(table):
                for needle in (RENT, DISCRIMINATION, "drie maanden en de verhuurder",
                               "vanwege mijn afkomst"):
                    hit = conn.execute(text(
                        f'SELECT count(*) FROM "{table}" '
                        f'WHERE CAST("{column["name"]}" AS TEXT) LIKE :p'),
                        {"p": f"%{needle}%"}).scalar()
                    assert not hit, (table, column["name"], needle)
    page = client.get("/scan/GM0088").get_data(as_text=True)
    assert "Waar zoeken inwoners hulp bij?" in page
