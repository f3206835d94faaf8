"""The gap-audit geometry on a small case computed by hand (SQLite and PostgreSQL).

Everything lies on the meridian 5.0° E, so distances are differences in latitude:
0.045° ≈ 5.0 km (1° of latitude ≈ 111.25 km at 52° N; RD New is true to ~0.01 %).
Every distance below is at least 2.5 km away from a 5/10/20 km boundary.

Meridiaanstad (GM9101), three PC4 areas::

    P1 9101  lat 52.000   1,000 inhabitants
    P2 9102  lat 52.180   3,000 inhabitants
    P3 9103  lat 52.360   6,000 inhabitants      total 10,000

Buurdorp (GM9102), one PC4 area: P4 9104 lat 51.990, 500 inhabitants (S1 is 3.6 km away).

Services (areas in brackets):

    S1  Rechtswinkel Meridiaanstad   lat 52.0225 (P1 + 2.5 km), independent, scope GM9101,
        address, phone, schedule, checked 2025-06-01            [schulden]
    S2  Geldhulp Regio               lat 52.2475 (P2 + 7.5 km), independent, region
        GM9101+GM9102, approximate point (place), phone via its organisation,
        no schedule, no address, checked 2024-01-01 (stale)     [schulden, wonen]
    S3  Gemeente Buurdorp            lat 52.001 (next to P1!), municipal counter,
        residents only, scope GM9102                            [schulden]
    S4  Gemeente Meridiaanstad       lat 52.135, municipal counter, residents only, scope
        GM9101, address, schedule on its location, no phone, never checked
                                                                [schulden, wonen, zorg]
    S5  Landelijke Geldlijn          no location, national, independent, never checked
                                                                [schulden]
    S6  Huurteam Buurdorp            lat 52.3825 (P3 + 2.5 km), independent, scope GM9102,
        not residents only, checked 2025-09-01                  [wonen]

Schulden for Meridiaanstad (S3 is closed to its residents, S5 has no place):

    P1 → S1 2.5 km   P2 → S2 7.5 km   P3 → S2 12.5 km
    within  5 km: P1             = 1,000 / 10,000 = 0.10
    within 10 km: P1 + P2        = 4,000 / 10,000 = 0.40
    within 20 km: P1 + P2 + P3   = 1.00
    mean: (1000·2.5 + 3000·7.5 + 6000·12.5) / 10,000 = 100,000 / 10,000 = 10.0 km
    approximate: P2 and P3 rest on S2's place point → 2
    available: S1, S2, S4 (own/region), S5 (national) = 4; independent S1, S2, S5 = 3;
    remote only: S5 = 1; stale: S2, S4, S5 = 3.

Wonen (S2, S4, S6): independent nearest P1 → S2 27.5 km, P2 → S2 7.5 km, P3 → S6 2.5 km
    within 5: 0.60, within 10: 0.90, within 20: 0.90; S6 counts as "nearby" (another
    municipality's open help within 20 km of P3).

Zorg: only the municipality's own counter S4 → "alleen de gemeente zelf".

Loket jungle, best help per area (independent ≤ 20 km, else own municipality):

    event "geld_en_huis" [schulden, wonen]
        P1: S1 + S4 (wonen: S2 is 27.5 km away) → 2 organisations
        P2: S2 + S2                              → 1
        P3: S2 + S6                              → 2
        index = (1000·2 + 3000·1 + 6000·2) / 10,000 = 1.7
    event "geld_en_toeslag" [schulden, toeslagen]: nobody offers toeslagen → 1.0, and
        toeslagen is "no help found".

Data quality (records meant for Meridiaanstad: S1, S2, S4; national S5 apart), as of
2026-03-01 with 365 days: stale S2, S4 = 2; no schedule S2 = 1; no phone S4 = 1;
no address S2 = 1.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from geo import audit_geo
from loketwijzer.models import (
    TAXONOMY_PROBLEM_AREAS,
    Address,
    Attribute,
    Location,
    Municipality,
    Organization,
    Pc4Area,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    stable_id,
)

AS_OF = dt.date(2026, 3, 1)
AREAS = ("schulden", "toeslagen", "wonen", "zorg")
EVENTS = [("geld_en_huis", ("schulden", "wonen")),
          ("geld_en_toeslag", ("schulden", "toeslagen"))]
LON = 5.0
SRC = "audit-test"


def _prov(key: str, checked: dt.date | None = None) -> dict:
    return {"source": SRC, "source_id": key, "source_url": f"https://bron.example/{key}",
            "source_date": checked.isoformat() if checked else None, "last_checked": checked}


def add_service(session, key: str, *, areas: list[str], independent: bool = True,
                residents_only: bool = False, scope: str = "municipality",
                municipalities: tuple[str, ...] = (), lat: float | None = None,
                precision: str = "address", address: bool = False, checked=None,
                phone: str | None = None, org_phone: str | None = None,
                schedule: str | None = None, provider_type: str = "other",
                org_name: str | None = None) -> str:
    """Insert one service with its organisation, location, areas and tags."""
    org_id = stable_id(SRC, "org", key)
    svc_id = stable_id(SRC, "svc", key)
    session.add(Organization(id=org_id, name=org_name or key, is_government=not independent,
                             **_prov(key, checked)))
    session.flush()
    if org_phone:
        session.add(Phone(id=stable_id(org_id, "phone"), organization_id=org_id,
                          number=org_phone, source=SRC))
    session.add(Service(id=svc_id, organization_id=org_id, name=key, status="active",
                        provider_type=provider_type, independent=independent, free=True,
                        residents_only=residents_only, walk_in=independent,
                        **_prov(key, checked)))
    session.flush()
    if scope == "national":
        session.add(ServiceArea(id=stable_id(svc_id, "area"), service_id=svc_id,
                                scope="national", source=SRC))
    for i, code in enumerate(municipalities):
        session.add(ServiceArea(id=stable_id(svc_id, "area", i), service_id=svc_id,
                                scope=scope, municipality_code=code, source=SRC))
    for code in areas:
        session.add(Attribute(id=stable_id(svc_id, code), link_id=svc_id, link_type="service",
                              taxonomy_term_id=stable_id(TAXONOMY_PROBLEM_AREAS, code),
                              value=code, source=SRC))
    if phone:
        session.add(Phone(id=stable_id(svc_id, "phone"), service_id=svc_id, number=phone,
                          source=SRC))
    if lat is not None:
        loc_id = stable_id(SRC, "loc", key)
        session.add(Location(id=loc_id, organization_id=org_id, name=key, latitude=lat,
                             longitude=LON, point_precision=precision, **_prov(key, checked)))
        session.flush()
        session.add(ServiceAtLocation(id=stable_id(svc_id, "at"), service_id=svc_id,
                                      location_id=loc_id, source=SRC))
        if address:
            session.add(Address(id=stable_id(loc_id, "addr"), location_id=loc_id,
                                address_1="Meridiaan 1", city="Meridiaanstad", source=SRC))
        if schedule == "location":
            session.add(Schedule(id=stable_id(loc_id, "sched"), location_id=loc_id,
                                 byday="MO", opens_at="09:00", closes_at="12:00", source=SRC))
    if schedule == "service":
        session.add(Schedule(id=stable_id(svc_id, "sched"), service_id=svc_id, byday="TU",
                             opens_at="13:00", closes_at="16:00", source=SRC))
    session.flush()
    return svc_id


def _box(lat0: float, lat1: float) -> str:
    """A GeoJSON rectangle around the meridian (only the maps use boundaries)."""
    ring = [[LON - 0.05, lat0], [LON + 0.05, lat0], [LON + 0.05, lat1], [LON - 0.05, lat1],
            [LON - 0.05, lat0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def build_case(db) -> None:
    """Write the hand-computed case of this module's docstring into an empty schema."""
    with db.session() as s:
        tax_id = stable_id(TAXONOMY_PROBLEM_AREAS)
        s.add(Taxonomy(id=tax_id, name=TAXONOMY_PROBLEM_AREAS, **_prov("tax")))
        s.flush()
        for code in AREAS:
            s.add(TaxonomyTerm(id=stable_id(TAXONOMY_PROBLEM_AREAS, code), taxonomy_id=tax_id,
                               code=code, name=code, **_prov(f"term-{code}")))
        s.add_all([
            Municipality(code="GM9101", name="Meridiaanstad", population=10_000,
                         urbanisation=2, lat=52.18, lon=LON, boundary=_box(51.995, 52.45),
                         **_prov("GM9101")),
            Municipality(code="GM9102", name="Buurdorp", population=500, urbanisation=2,
                         lat=51.99, lon=LON, boundary=_box(51.95, 51.995), **_prov("GM9102")),
        ])
        s.flush()
        for pc4, gm, lat, pop in (("9101", "GM9101", 52.000, 1000),
                                  ("9102", "GM9101", 52.180, 3000),
                                  ("9103", "GM9101", 52.360, 6000),
                                  ("9104", "GM9102", 51.990, 500)):
            s.add(Pc4Area(code=pc4, municipality_code=gm, population=pop, lat=lat, lon=LON,
                          boundary=_box(lat - 0.02, lat + 0.02), **_prov(pc4)))
        s.flush()
        add_service(s, "S1", areas=["schulden"], municipalities=("GM9101",), lat=52.0225,
                    address=True, checked=dt.date(2025, 6, 1), phone="020-1234567",
                    schedule="service", provider_type="rechtswinkel",
                    org_name="Rechtswinkel Meridiaanstad")
        add_service(s, "S2", areas=["schulden", "wonen"], scope="region",
                    municipalities=("GM9101", "GM9102"), lat=52.2475, precision="place",
                    checked=dt.date(2024, 1, 1), org_phone="030-7654321",
                    provider_type="schuldhulp_vrijwilligers", org_name="Geldhulp Regio")
        add_service(s, "S3", areas=["schulden"], independent=False, residents_only=True,
                    municipalities=("GM9102",), lat=52.001, address=True,
                    checked=dt.date(2025, 12, 1), phone="14 0999", provider_type="gemeente",
                    org_name="Gemeente Buurdorp")
        add_service(s, "S4", areas=["schulden", "wonen", "zorg"], independent=False,
                    residents_only=True, municipalities=("GM9101",), lat=52.135,
                    address=True, schedule="location", provider_type="gemeente",
                    org_name="Gemeente Meridiaanstad")
        add_service(s, "S5", areas=["schulden"], scope="national", phone="0800-0000",
                    provider_type="nationale_hulplijn", org_name="Landelijke Geldlijn")
        add_service(s, "S6", areas=["wonen"], municipalities=("GM9102",), lat=52.3825,
                    address=True, checked=dt.date(2025, 9, 1), phone="0111-111111",
                    provider_type="huurteam", org_name="Huurteam Buurdorp")


@pytest.fixture(autouse=True)
def _fresh_cache():
    audit_geo.clear_cache()
    yield
    audit_geo.clear_cache()


@pytest.fixture
def case_db(db):
    build_case(db)
    return db


def _compute(db, codes=("GM9101",)):
    with db.session() as s:
        frames = audit_geo.frames_for(s, AREAS)
    return frames, audit_geo.compute(frames, list(codes), events=EVENTS, as_of=AS_OF)


def test_population_weighted_shares_match_hand_computation(case_db):
    _frames, r = _compute(case_db)
    a = AREAS.index("schulden")
    assert r.share[5][0, a] == pytest.approx(0.10)
    assert r.share[10][0, a] == pytest.approx(0.40)
    assert r.share[20][0, a] == pytest.approx(1.00)
    assert r.mean_km[0, a] == pytest.approx(10.0, abs=0.05)
    assert r.max_km[0, a] == pytest.approx(12.5, abs=0.02)
    assert r.approximate[0, a] == 2
    assert r.origins[0] == 3 and r.population[0] == 10_000
    w = AREAS.index("wonen")
    assert (r.share[5][0, w], r.share[10][0, w], r.share[20][0, w]) == pytest.approx(
        (0.60, 0.90, 0.90))


def test_distances_are_metres_on_the_meridian(case_db):
    frames, r = _compute(case_db)
    a = AREAS.index("schulden")
    assert r.distance_km[:, a] == pytest.approx([2.5, 7.5, 12.5], abs=0.02)
    pc4 = frames.origins["pc4"].to_numpy()[r.origin_rows]
    assert list(pc4) == ["9101", "9102", "9103"]


def test_availability_rules(case_db):
    _frames, r = _compute(case_db)
    a = AREAS.index("schulden")
    # S1, S2, S4 for the municipality, S5 national; Buurdorp's counter S3 is not counted,
    # although it is the nearest point to P1.
    assert r.services[0, a] == 4
    assert r.independent[0, a] == 3
    assert r.own[0, a] == 3
    assert r.national[0, a] == 1
    assert r.remote_only[0, a] == 1
    assert r.nearby[0, a] == 0
    assert r.stale[0, a] == 3
    w = AREAS.index("wonen")
    # Another municipality's open help within 20 km counts as nearby.
    assert r.nearby[0, w] == 1 and r.services[0, w] == 3


def test_counter_of_other_municipality_is_closed_but_open_help_is_nearby(case_db):
    _frames, r = _compute(case_db, codes=("GM9102",))
    a = AREAS.index("schulden")
    # Buurdorp (P4 at 51.990): own counter S3, region S2, national S5, and S1 of
    # Meridiaanstad 3.6 km away counts as nearby; Meridiaanstad's counter S4 does not.
    assert r.services[0, a] == 4
    assert r.nearby[0, a] == 1
    assert r.own[0, a] == 2
    assert r.distance_km[0, a] == pytest.approx(0.0325 * 111.25, abs=0.02)


def test_municipal_only_and_best_help_categories(case_db):
    _frames, r = _compute(case_db)
    z = AREAS.index("zorg")
    share = dict(zip(audit_geo.CATEGORIES, r.category_share[0, z], strict=True))
    assert share == pytest.approx({"independent": 0, "municipal": 1, "remote": 0, "none": 0})
    w = AREAS.index("wonen")
    share = dict(zip(audit_geo.CATEGORIES, r.category_share[0, w], strict=True))
    assert share == pytest.approx({"independent": 0.9, "municipal": 0.1, "remote": 0,
                                   "none": 0})
    t = AREAS.index("toeslagen")
    assert r.category_share[0, t, 3] == pytest.approx(1.0)


def test_loket_jungle_index(case_db):
    _frames, r = _compute(case_db)
    assert r.event_codes == ("geld_en_huis", "geld_en_toeslag")
    assert r.jungle[0, 0] == pytest.approx(1.7)
    assert r.jungle_max[0, 0] == 2
    assert r.jungle[0, 1] == pytest.approx(1.0)


def test_data_quality_counts(case_db):
    _frames, r = _compute(case_db)
    q = {k: int(v[0]) for k, v in r.quality.items()}
    assert q == {"total": 3, "stale": 2, "no_schedule": 1, "no_phone": 1, "no_address": 1}


def test_all_municipalities_at_once_equals_one_by_one(case_db):
    _frames, both = _compute(case_db, codes=("GM9101", "GM9102"))
    _frames, one = _compute(case_db, codes=("GM9102",))
    np = pytest.importorskip("numpy")
    for km in (5, 10, 20):
        assert np.allclose(both.share[km][1], one.share[km][0])
    assert (both.services[1] == one.services[0]).all()
    assert np.allclose(both.jungle[1], one.jungle[0])


def test_distinct_per_row_ignores_nobody():
    import numpy as np

    values = np.array([[3, 3, -1], [1, 2, 3], [-1, -1, -1], [5, -1, 5]])
    assert audit_geo.distinct_per_row(values).tolist() == [1, 3, 0, 1]


def test_cache_follows_data_version(case_db):
    with case_db.session() as s:
        first = audit_geo.frames_for(s, AREAS)
        again = audit_geo.frames_for(s, AREAS)
        assert first is again
    with case_db.session() as s:
        add_service(s, "S7", areas=["zorg"], municipalities=("GM9101",), lat=52.36)
    with case_db.session() as s:
        assert audit_geo.frames_for(s, AREAS) is not first


def test_no_offer_at_all_gives_zeros_not_errors(db):
    """Only geography imported (no services yet): every figure is zero or 'none'."""
    with db.session() as s:
        s.add(Municipality(code="GM9101", name="Meridiaanstad", population=10_000,
                           urbanisation=2, lat=52.18, lon=LON, **_prov("GM9101")))
        s.add(Municipality(code="GM9109", name="Zonderpostcode", population=100,
                           urbanisation=5, lat=52.5, lon=LON, **_prov("GM9109")))
        s.flush()
        s.add(Pc4Area(code="9101", municipality_code="GM9101", population=1000, lat=52.0,
                      lon=LON, **_prov("9101")))
    with db.session() as s:
        frames = audit_geo.frames_for(s, AREAS)
    r = audit_geo.compute(frames, None, events=EVENTS, as_of=AS_OF)
    assert r.services.sum() == 0 and r.share[20].sum() == 0
    assert (r.category_share[:, :, audit_geo.CAT_NONE] == 1).all()
    # A municipality without PC4 areas is represented by its own point.
    assert r.origins.tolist() == [1, 1] and r.population.tolist() == [1000, 100]
    assert r.jungle[:, 0].tolist() == [0.0, 0.0]
