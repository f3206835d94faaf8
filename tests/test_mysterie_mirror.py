"""The Mysterie-check on the real source mirror (../shared/data), imported once per session.

Skips cleanly when the mirror is absent. Checks what an outside check looks at: Amsterdam,
Schiermonnikoog and Amersfoort answer with loketten and a verdict with reasons for every
step; a city and an island differ; every route service is a real service of the API.
(Speed is measured by ``bench/bench_mysterie.py``, not here.)
"""

from __future__ import annotations

import pytest

from loketwijzer.actions import mysterie
from loketwijzer.config import Settings
from tests.conftest import real_mirror_url

pytestmark = [pytest.mark.mirror, pytest.mark.slow]

CODES = ("GM0363", "GM0088", "GM0307")  # Amsterdam, Schiermonnikoog, Amersfoort


@pytest.fixture(scope="module")
def mirror_client(shared_data, tmp_path_factory):
    """The session's shared real-mirror database (imported once; only read here)."""
    from webapp import create_app

    settings = Settings(database_url=real_mirror_url(tmp_path_factory, shared_data),
                        sources_dir=shared_data)
    mysterie.clear_cache()
    app = create_app(settings, TESTING=True)
    yield app.test_client()
    mysterie.clear_cache()
    app.extensions["loketwijzer_db"].dispose()


@pytest.fixture(scope="module")
def checks(mirror_client):
    out = {}
    for code in CODES:
        response = mirror_client.get(f"/api/v1/mysterie/{code}")
        assert response.status_code == 200, code
        out[code] = response.get_json()
    return out


@pytest.mark.parametrize("code", CODES)
def test_every_step_has_a_verdict_with_reasons(checks, code):
    data = checks[code]
    assert len(data["casussen"]) >= 12
    for casus in data["casussen"]:
        assert isinstance(casus["loketten"], int) and casus["loketten"] >= 1
        assert 3 <= len(casus["steps"]) <= 6
        for step in casus["steps"]:
            assert step["verdict"] in ("goed", "beter", "mis")
            assert step["reasons"] and all(isinstance(r, str) and r for r in step["reasons"])
            assert 1 <= len(step["route"]) <= 3


def test_a_city_and_an_island_differ(checks):
    def verdicts(code):
        return [s["verdict"] for c in checks[code]["casussen"] for s in c["steps"]]

    amsterdam, island = verdicts("GM0363"), verdicts("GM0088")
    assert amsterdam != island
    # Amsterdam has independent help nearby for most moments; the island has none nearby.
    assert amsterdam.count("goed") > len(amsterdam) / 2
    assert island.count("goed") == 0


def test_every_route_service_is_a_real_service(mirror_client, checks):
    ids = {stop["service_id"] for data in checks.values() for casus in data["casussen"]
           for step in casus["steps"] for stop in step["route"]}
    assert len(ids) >= 10
    for service_id in sorted(ids):
        assert mirror_client.get(f"/api/v1/services/{service_id}").status_code == 200


def test_the_pages_answer_and_unknown_is_404(mirror_client):
    for url in ("/mysterie", "/mysterie/GM0088", "/mysterie/GM0088/zzp-ziek",
                "/mysterie/GM0088/zzp-ziek/print", "/mysterie/GM0088/zzp-ziek/vergelijk"):
        response = mirror_client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="nl">' in response.data.decode()
    assert mirror_client.get("/mysterie/GM0000").status_code == 404
    assert mirror_client.get("/api/v1/mysterie/GM0000").status_code == 404
