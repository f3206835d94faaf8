"""The gap audit on the real source mirror (../shared/data), imported once into SQLite.

Skips cleanly when the mirror is absent. Checks that the pages render and that the
figures make sense for places we know: Amsterdam has independent debt help close by for
most residents; every municipality appears in the national table.
"""

from __future__ import annotations

import pytest

from loketwijzer import audit_findings
from loketwijzer.actions import audit
from loketwijzer.config import Settings

pytestmark = [pytest.mark.mirror, pytest.mark.slow]


@pytest.fixture(scope="module")
def mirror_client(mirror_db, shared_data):
    from webapp import create_app

    app = create_app(Settings(database_url=mirror_db.url, sources_dir=shared_data),
                     TESTING=True)
    yield app.test_client()
    app.extensions["loketwijzer_db"].dispose()


def test_amsterdam_scorecard_makes_sense(mirror_db):
    with mirror_db.session() as s:
        result = audit.audit_municipality(s, "GM0363")
    assert result["name"] == "Amsterdam" and result["pc4_areas"] >= 70
    schulden = next(a for a in result["areas"] if a["code"] == "schulden")
    # Debt help in Amsterdam itself: most residents have it within 5 km, all within 20.
    assert schulden["share_within_km"]["5"] >= 0.5
    assert schulden["share_within_km"]["20"] >= 0.95
    assert schulden["independent"] >= 5
    assert schulden["mean_km"] < 10
    # Amsterdam's town hall is for Amsterdam; no other municipality's counter counts.
    assert result["totals"]["services"] >= schulden["services"]
    assert result["data_quality"]["records"] > 0
    assert audit_findings.biggest_gaps(result)


def test_national_table_covers_every_municipality(mirror_db):
    with mirror_db.session() as s:
        table = audit.audit_national(s, "schulden", "share_10", sort="share_10")
    assert table["municipalities"] == 342
    values = [r["share_10"] for r in table["rows"] if r["share_10"] is not None]
    assert len(values) == 342 and min(values) >= 0 and max(values) <= 1
    assert values == sorted(values)  # ascending: the largest gaps first
    by_code = {r["code"]: r for r in table["rows"]}
    # A big city is better served than the median municipality.
    assert by_code["GM0363"]["share_10"] >= table["summary"]["median"]


def test_pages_render_on_the_mirror(mirror_client):
    from webapp.maps import external_asset_urls

    for url in ("/audit", "/audit?area=wonen&metric=mean_km&sort=mean_km&order=desc",
                "/audit/GM0363", "/audit/GM0363?area=geweld", "/audit/GM0363/print"):
        response = mirror_client.get(url)
        assert response.status_code == 200, url
        html = response.data.decode()
        assert external_asset_urls(html) == [], url
        assert "Amsterdam" in html
    scorecard = mirror_client.get("/audit/GM0363").data.decode()
    assert "Vergelijkbare gemeenten" in scorecard and "Rotterdam" in scorecard
    assert mirror_client.get("/api/v1/audit/GM0363").get_json()["code"] == "GM0363"
