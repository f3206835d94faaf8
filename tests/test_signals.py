"""Demand signals: counting per origin municipality × area × ISO week, DNT/GPC not
counted, cells under 10 hidden, and no search text stored anywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select, text

from loketwijzer import signals
from loketwijzer.models import DemandSignal

TODAY = dt.date(2026, 12, 4)  # ISO week 2026-W49


def test_iso_week_and_last_weeks():
    assert signals.iso_week(TODAY) == "2026-W49"
    assert signals.iso_week(dt.date(2027, 1, 1)) == "2026-W53"
    weeks = signals.last_weeks(TODAY)
    assert len(weeks) == signals.TREND_WEEKS == 12
    assert weeks[-1] == "2026-W49" and weeks[0] == "2026-W38"


def test_opted_out_headers():
    assert signals.opted_out({"DNT": "1"})
    assert signals.opted_out({"Sec-GPC": "1"})
    assert not signals.opted_out({"DNT": "0"})
    assert not signals.opted_out({})


def test_record_counts_and_hides_small_cells(loaded_db):
    with loaded_db.session() as session:
        for _ in range(12):
            assert signals.record(session, "GM9001", ["wonen", "schulden"], TODAY) == 2
        for _ in range(4):
            signals.record(session, "GM9001", ["discriminatie"], TODAY)
        signals.record(session, "GM9001", ["wonen"], TODAY - dt.timedelta(weeks=1))
        assert signals.record(session, "GM9001", ["wonen"], TODAY, opted_out=True) == 0
        assert signals.record(session, None, ["wonen"], TODAY) == 0
        assert signals.record(session, "GM9001", ["<script>"], TODAY) == 0
        session.commit()
    with loaded_db.session() as session:
        cells = {(r.area_code, r.iso_week): r.count
                 for r in session.scalars(select(DemandSignal))}
        assert cells[("wonen", "2026-W49")] == 12
        assert cells[("discriminatie", "2026-W49")] == 4
        assert cells[("wonen", "2026-W48")] == 1
        result = signals.demand_signals(session, "GM9001", today=TODAY)
    shown = {(s.area, s.week): s.count for s in result.signals}
    assert shown == {("wonen", "2026-W49"): 12, ("schulden", "2026-W49"): 12}
    assert result.hidden
    assert all(s.count >= signals.MIN_CELL for s in result.signals)
    wonen = next(r for r in result.trend if r.area == "wonen")
    assert wonen.counts[-1] == 12 and wonen.counts[-2] is None  # 1 is hidden
    assert wonen.total == 12  # a hidden cell never adds to a total
    assert "discriminatie" not in result.demand()


def test_demand_next_to_supply():
    result = signals.Signals(
        code="GM9001", signals=(), weeks=("2026-W49",),
        trend=(signals.TrendRow("wonen", "Wonen", (30,), 30),
               signals.TrendRow("schulden", "Schulden", (12,), 12)))
    audit = {"areas": [
        {"code": "wonen", "label": "Wonen en huur", "independent": 1,
         "share_within_km": {"10": 0.2}},
        {"code": "schulden", "label": "Schulden", "independent": 5,
         "share_within_km": {"10": 0.9}}]}
    rows = signals.demand_vs_supply(result, audit)
    assert [r.area for r in rows] == ["wonen", "schulden"]
    assert rows[0].attention and not rows[1].attention
    assert rows[0].label == "Wonen en huur"


@pytest.fixture
def api(client, loaded_db):
    return client


def _search(client, n: int, headers=None, **params):
    for _ in range(n):
        response = client.get("/api/v1/services", query_string=params, headers=headers or {})
        assert response.status_code == 200, response.get_json()


QUERY = "ik heb een huurachterstand en de verhuurder dreigt met ontruiming xyzzy"


def test_api_searches_are_counted_except_dnt_and_gpc(api, loaded_db):
    _search(api, 14, postcode="9011", q=QUERY)
    _search(api, 20, headers={"Sec-GPC": "1"}, postcode="9011", q=QUERY)
    _search(api, 5, headers={"DNT": "1"}, postcode="9011", q=QUERY)
    _search(api, 4, postcode="9011", areas="discriminatie")
    _search(api, 12, headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
            postcode="9011", q=QUERY)
    for _ in range(12):
        api.head("/api/v1/services", query_string={"postcode": "9011", "q": QUERY})
    body = api.get("/api/v1/signals/GM9001").get_json()
    counts = {s["area"]: s["count"] for s in body["signals"]}
    # not 34 or 39: GPC and DNT searches are not counted, nor robots and HEAD requests
    assert counts["wonen"] == 14
    assert "discriminatie" not in counts  # 4 < 10: hidden
    assert all(set(s) == {"week", "area", "count"} for s in body["signals"])
    assert body["signals"][0]["week"] == signals.iso_week(dt.date.today())
    with loaded_db.session() as session:
        hidden = session.scalar(select(DemandSignal.count).where(
            DemandSignal.area_code == "discriminatie"))
    assert hidden == 4


def test_page_search_is_counted(api):
    for _ in range(10):
        assert api.get("/zoek", query_string={"q": QUERY, "postcode": "9021"}).status_code \
            == 200
    api.get("/zoek", query_string={"q": QUERY, "postcode": "9021"}, headers={"DNT": "1"})
    body = api.get("/api/v1/signals/GM9002").get_json()
    assert {s["area"]: s["count"] for s in body["signals"]}["wonen"] == 10


def test_unknown_municipality_is_404(api):
    assert api.get("/api/v1/signals/GM9999").status_code == 404


def _cells_holding(engine, needles) -> dict:
    found = {}
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for column in inspect(engine).get_columns(table):
                sql = text(f'SELECT count(*) FROM "{table}" '
                           f'WHERE CAST("{column["name"]}" AS TEXT) LIKE :p')
                for needle in needles:
                    n = conn.execute(sql, {"p": f"%{needle}%"}).scalar()
                    if n:
                        found[(table, column["name"], needle)] = n
    return found


def test_no_table_holds_search_text(api, loaded_db):
    """After searches, no column of any table holds more of the query words or the
    postcode as typed than before."""
    secret = "zwartepietjeskoek"
    needles = (secret, "9011 ZX", "9011ZX")
    before = _cells_holding(loaded_db.engine, needles)
    assert not any(k[2] == secret for k in before)
    _search(api, 3, postcode="9011", q=f"huurachterstand {secret}")
    _search(api, 2, text="9011 ZX", q=f"schulden {secret}")
    api.get("/zoek", query_string={"q": f"huurachterstand {secret}", "postcode": "9011ZX"})
    assert _cells_holding(loaded_db.engine, needles) == before
    with loaded_db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM demand_signal")).scalar() > 0
