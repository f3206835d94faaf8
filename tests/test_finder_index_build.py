"""The finder index built from Core column selects (issue 13) equals, field for field,
the index the ORM-object builder made: on the fixture mirror (both backends) and on the
real mirror when it is present."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from loketwijzer import finder_index as fi
from loketwijzer.db import Database
from loketwijzer.models import (
    INDEXED_STATUSES,
    SCOPE_MUNICIPALITY,
    SCOPE_NATIONAL,
    SCOPE_REGION,
    STATUS_REFERRAL,
    STATUS_UNCERTAIN,
    Address,
    Attribute,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from loketwijzer.target_groups import GROUPS, belongs_to
from tests.conftest import real_mirror_url


def orm_build_index(session: Session, version: tuple) -> fi.FinderIndex:
    """The builder before issue 13: ORM objects (kept here only to compare against)."""
    from geo.geocode import warm_up

    gazetteer = fi.Gazetteer.from_session(session, with_boundaries=True)
    warm_up(gazetteer)
    rows = session.execute(
        select(Service, Organization.name, Organization.website, Organization.email)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.status.in_(INDEXED_STATUSES))
        .order_by(Service.id)
    ).all()
    ids = [svc.id for svc, *_ in rows]
    id_set = set(ids)

    areas: dict[str, list[str]] = defaultdict(list)
    for link_id, value in session.execute(select(Attribute.link_id, Attribute.value)):
        if link_id in id_set and value and value not in areas[link_id]:
            areas[link_id].append(value)

    scopes: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for sid, scope, code in session.execute(
            select(ServiceArea.service_id, ServiceArea.scope, ServiceArea.municipality_code)):
        if sid in id_set:
            scopes[sid].append((scope, code))

    phones: dict[str, str] = {}
    org_phones: dict[str, str] = {}
    loc_phones: dict[str, str] = {}
    for sid, oid, lid, number in session.execute(
            select(Phone.service_id, Phone.organization_id, Phone.location_id, Phone.number)
            .order_by(Phone.id)):
        if sid:
            phones.setdefault(sid, number)
        elif lid:
            loc_phones.setdefault(lid, number)
        elif oid:
            org_phones.setdefault(oid, number)

    addresses: dict[str, Address] = {}
    for address in session.scalars(select(Address).order_by(Address.id)):
        if address.address_type in (None, "physical") or address.location_id not in addresses:
            addresses.setdefault(address.location_id, address)

    locations: dict[str, list[fi.LocationEntry]] = defaultdict(list)
    for sid, loc in session.execute(
            select(ServiceAtLocation.service_id, Location)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .order_by(ServiceAtLocation.id)):
        if sid not in id_set or loc.latitude is None or loc.longitude is None:
            continue
        if loc.location_type not in (None, "physical"):
            continue
        address = addresses.get(loc.id)
        locations[sid].append(fi.LocationEntry(
            id=loc.id, lat=loc.latitude, lon=loc.longitude, precision=loc.point_precision,
            municipality_code=loc.municipality_code, pc4=loc.pc4, name=loc.name,
            address=address.address_1 if address else None,
            postal_code=address.postal_code if address else None,
            city=address.city if address else None,
            description=loc.description,
        ))
        if sid not in phones and loc.id in loc_phones:
            phones[sid] = loc_phones[loc.id]

    rows = [rows[i] for i in fi.spatial_order(
        [(locations.get(r[0].id) or [None])[0] for r in rows],
        [r[0].status == STATUS_REFERRAL or any(s == SCOPE_NATIONAL for s, _ in
                                              scopes.get(r[0].id, ())) for r in rows])]
    services: list[fi.ServiceEntry] = []
    for i, (svc, org_name, org_website, org_email) in enumerate(rows):
        svc_scopes = scopes.get(svc.id, [])
        home = tuple(sorted({c for s, c in svc_scopes if s == SCOPE_MUNICIPALITY and c}))
        locs = locations.get(svc.id, [])
        if not svc_scopes:
            home = tuple(sorted({loc.municipality_code for loc in locs
                                 if loc.municipality_code}))
        region = tuple(sorted({c for s, c in svc_scopes if s == SCOPE_REGION and c}))
        services.append(fi.ServiceEntry(
            idx=i, id=svc.id, name=svc.name, organization=org_name,
            provider_type=svc.provider_type, independent=bool(svc.independent),
            free=svc.free, residents_only=bool(svc.residents_only),
            walk_in=bool(svc.walk_in), by_appointment=bool(svc.by_appointment),
            by_phone=bool(svc.by_phone), online=bool(svc.online),
            phone=phones.get(svc.id) or org_phones.get(svc.organization_id),
            website=svc.url or org_website, confidence=svc.confidence,
            status=svc.status, email=svc.email or org_email, target_group=svc.target_group,
            min_age=svc.minimum_age, max_age=svc.maximum_age, public_note=svc.public_note,
            opening_hours=svc.opening_hours, status_note=svc.status_note,
            source=svc.source, source_url=svc.source_url, source_date=svc.source_date,
            last_checked=svc.last_checked, areas=tuple(areas.get(svc.id, ())),
            scopes=tuple(sorted({s for s, _ in svc_scopes})),
            home_municipalities=home, region_municipalities=region,
            region_unknown=any(s == SCOPE_REGION and not c for s, c in svc_scopes),
            locations=locs,
        ))
    return reference_arrays(version, gazetteer, services)


def reference_arrays(version: tuple, gazetteer: fi.Gazetteer,
                     services: list[fi.ServiceEntry]) -> fi.FinderIndex:
    """The arrays as built before they were vectorised (kept here only to compare)."""
    from loketwijzer.eligibility import is_listable, is_referral

    codes = fi.taxonomy_columns()
    for svc in services:
        for code in svc.areas:
            if code not in codes:
                codes.append(code)
    n = len(services)
    matrix = np.zeros((n, len(codes)), dtype=bool)
    col = {c: j for j, c in enumerate(codes)}
    for svc in services:
        for code in svc.areas:
            matrix[svc.idx, col[code]] = True

    def vec(fn) -> np.ndarray:
        return np.fromiter((fn(s) for s in services), dtype=bool, count=n)

    national = vec(lambda s: SCOPE_NATIONAL in s.scopes)
    statuses = np.array([s.status for s in services], dtype=object)
    by_municipality: dict[str, list[int]] = defaultdict(list)
    for svc in services:
        for code in {*svc.home_municipalities, *svc.region_municipalities}:
            by_municipality[code].append(svc.idx)

    loc_entries: list[fi.LocationEntry] = []
    loc_service: list[int] = []
    for svc in services:
        for loc in svc.locations:
            loc_entries.append(loc)
            loc_service.append(svc.idx)
    loc_lat = np.radians(np.array([loc.lat for loc in loc_entries], dtype=float))
    strip_key = fi.strip_keys(loc_lat, np.radians(np.array([loc.lon for loc in loc_entries],
                                                           dtype=float)))
    by_strip = np.argsort(strip_key, kind="stable")
    referral = is_referral(statuses) if n else np.zeros(0, dtype=bool)
    return fi.FinderIndex(
        version=version,
        gazetteer=gazetteer,
        services=services,
        area_codes=codes,
        area_matrix=matrix.astype(np.float64),
        area_members=np.ascontiguousarray(matrix.T > 0),
        independent=vec(lambda s: s.independent),
        free=np.array([1.0 if s.free else (0.4 if s.free is None else 0.0) for s in services],
                      dtype=float),
        walk_in=vec(lambda s: s.walk_in),
        remote_channel=vec(lambda s: s.by_phone or s.online),
        national=national,
        closed=vec(lambda s: s.closed),
        listable=is_listable(statuses) if n else np.zeros(0, dtype=bool),
        referral=referral,
        uncertain=vec(lambda s: s.status == STATUS_UNCERTAIN),
        reachable=vec(lambda s: s.reachable),
        target=vec(lambda s: bool(s.target_group)),
        group_members={g.code: vec(lambda s, c=g.code: belongs_to(s.target_group, c))
                       for g in GROUPS},
        general_line=vec(lambda s: s.provider_type in fi.GENERAL_LINE_TYPES and s.national
                         and not s.target_group),
        min_age=np.array([np.nan if s.min_age is None else s.min_age for s in services],
                         dtype=float),
        max_age=np.array([np.nan if s.max_age is None else s.max_age for s in services],
                         dtype=float),
        has_location=vec(lambda s: bool(s.locations)),
        last_checked=np.array([s.last_checked.toordinal() if s.last_checked else 0
                               for s in services], dtype=np.int64),
        veilig_thuis=vec(lambda s: s.provider_type == "veilig_thuis"),
        loc_lat=loc_lat,
        loc_lon=np.radians(np.array([loc.lon for loc in loc_entries], dtype=float)),
        loc_service=np.array(loc_service, dtype=np.int64),
        loc_entries=loc_entries,
        by_municipality={k: np.array(v, dtype=np.int64) for k, v in by_municipality.items()},
        by_id={s.id: s.idx for s in services},
        strip_key=strip_key[by_strip],
        lat_by_strip=loc_lat[by_strip],
        lon_by_strip=np.radians(np.array([loc.lon for loc in loc_entries], dtype=float))[
            by_strip],
        service_by_strip=np.array(loc_service, dtype=np.int64)[by_strip],
        loc_trig=np.array([(lat, np.radians(loc.lon), np.cos(lat))
                           for lat, loc in zip(loc_lat, loc_entries, strict=True)],
                          dtype=float).reshape(-1, 3),
        national_idx=np.flatnonzero(national),
        referral_idx=np.flatnonzero(referral),
        **fi._location_segments(np.array(loc_service, dtype=np.int64), n),
    )


SKIP = {"built_at", "gazetteer"}


def assert_same_index(new: fi.FinderIndex, old: fi.FinderIndex) -> None:
    """Every field equal: arrays by value, dtype and shape; services and locations as
    dataclasses (all their fields, locations included)."""
    for f in dataclasses.fields(fi.FinderIndex):
        if f.name in SKIP:
            continue
        a, b = getattr(new, f.name), getattr(old, f.name)
        if isinstance(b, np.ndarray) or isinstance(a, np.ndarray):
            assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), f.name
            assert a.dtype == b.dtype and a.shape == b.shape, f.name
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        elif isinstance(b, dict):
            assert a.keys() == b.keys(), f.name
            for key, value in b.items():
                if isinstance(value, np.ndarray):
                    assert a[key].dtype == value.dtype, (f.name, key)
                    np.testing.assert_array_equal(a[key], value, err_msg=f"{f.name}[{key}]")
                else:
                    assert a[key] == value, (f.name, key)
        elif f.name == "services":
            assert len(a) == len(b)
            for x, y in zip(a, b, strict=True):
                assert x == y, x.id
                assert [type(v) for v in dataclasses.astuple(x)] == \
                    [type(v) for v in dataclasses.astuple(y)], x.id
        else:
            assert a == b, f.name
    assert type(new.gazetteer) is type(old.gazetteer)


def build_both(database: Database) -> tuple[fi.FinderIndex, fi.FinderIndex]:
    with database.session() as session:
        version = fi.data_version(session)
        new = fi.build_index(session, version)
    with database.session() as session:  # a fresh session: no identity map shared
        old = orm_build_index(session, version)
    return new, old


def add_edge_cases(database: Database) -> None:
    """Rows the fixture mirror lacks: a service URL beside the organisation's website,
    the organisation's e-mail and phone as fallbacks, a phone only at a location, a
    location with two addresses (the first by id not physical), a virtual location and
    one without a point (both skipped), home municipalities from locations (no scope),
    a region scope without a code, an empty service, and an inactive service (left out)."""
    from loketwijzer.models import STATUS_INACTIVE, STATUS_UNCERTAIN

    src = "zz-edge"
    with database.session() as session:
        session.add(Organization(id="zz-org", name="Edge org", website="https://org.example",
                                 email="org@example.org", source=src, source_id="org"))
        session.flush()
        session.add_all([
            Service(id="zz-s1", organization_id="zz-org", name="Edge one",
                    provider_type="gemeente", url="https://svc.example", free=None,
                    minimum_age=18, source=src, source_id="s1"),
            Service(id="zz-s2", organization_id="zz-org", name="Edge two",
                    provider_type="vrijwilligers", email="s2@example.org", free=True,
                    status=STATUS_UNCERTAIN, target_group="Alleen voor: jongeren",
                    source=src, source_id="s2"),
            Service(id="zz-s3", organization_id="zz-org", name="Edge three",
                    provider_type="gemeente", status=STATUS_INACTIVE, source=src,
                    source_id="s3"),
            Service(id="zz-s4", organization_id="zz-org", name="Edge four",
                    provider_type="overig", source=src, source_id="s4"),
            Location(id="zz-l1", name="L1", latitude=52.1, longitude=5.1,
                     municipality_code="GM9002", pc4="9021", point_precision="address",
                     description="first", source=src, source_id="l1"),
            Location(id="zz-l2", name="L2", latitude=52.2, longitude=5.2,
                     location_type="virtual", source=src, source_id="l2"),
            Location(id="zz-l3", name="L3", latitude=None, longitude=None, source=src,
                     source_id="l3"),
            Location(id="zz-l4", name="L4", latitude=52.0, longitude=5.0,
                     municipality_code="GM9001", source=src, source_id="l4"),
        ])
        session.flush()
        session.add_all([
            Address(id="zz-a1", location_id="zz-l1", address_1="Postbus 1",
                    postal_code="9020 AA", city="Proefdorp", address_type="postal",
                    source=src),
            Address(id="zz-a2", location_id="zz-l1", address_1="Teststraat 1",
                    postal_code="9021 AB", city="Proefdorp", source=src),
            Phone(id="zz-p1", organization_id="zz-org", number="0000-111111", source=src),
            Phone(id="zz-p2", location_id="zz-l1", number="0000-222222", source=src),
            ServiceArea(id="zz-a-1", service_id="zz-s1", scope=SCOPE_REGION, source=src),
            ServiceArea(id="zz-a-2", service_id="zz-s1", scope=SCOPE_MUNICIPALITY,
                        municipality_code="GM9001", source=src),
            ServiceArea(id="zz-a-3", service_id="zz-s3", scope=SCOPE_MUNICIPALITY,
                        municipality_code="GM9001", source=src),
        ])
        for i, (sid, lid) in enumerate([("zz-s1", "zz-l1"), ("zz-s2", "zz-l4"),
                                        ("zz-s2", "zz-l1"), ("zz-s2", "zz-l2"),
                                        ("zz-s2", "zz-l3"), ("zz-s3", "zz-l1")]):
            session.add(ServiceAtLocation(id=f"zz-sal-{i}", service_id=sid, location_id=lid,
                                          source=src))


def test_core_build_equals_the_orm_build_on_the_fixture(loaded_db):
    add_edge_cases(loaded_db)
    new, old = build_both(loaded_db)
    edge = {s.id: s for s in new.services if s.id.startswith("zz-")}
    assert set(edge) == {"zz-s1", "zz-s2", "zz-s4"}
    assert edge["zz-s1"].website == "https://svc.example"
    assert edge["zz-s1"].phone == "0000-222222" and edge["zz-s1"].region_unknown
    assert edge["zz-s2"].website == "https://org.example"
    assert edge["zz-s2"].phone == "0000-222222"  # from its location
    assert edge["zz-s2"].home_municipalities == ("GM9001", "GM9002")
    assert [loc.id for loc in edge["zz-s2"].locations] == ["zz-l4", "zz-l1"]
    assert edge["zz-s1"].locations[0].address == "Postbus 1"  # the first address by id
    assert edge["zz-s4"].email == "org@example.org" and not edge["zz-s4"].locations
    assert edge["zz-s4"].phone == "0000-111111"  # the organisation's
    assert len(new.services) > 10 and len(new.loc_entries) > 5
    assert any(s.phone for s in new.services) and any(s.locations for s in new.services)
    assert any(loc.address for loc in new.loc_entries)
    assert_same_index(new, old)


@pytest.mark.mirror
def test_core_build_equals_the_orm_build_on_the_real_mirror(tmp_path_factory, shared_data):
    database = Database(real_mirror_url(tmp_path_factory, shared_data))
    try:
        new, old = build_both(database)
    finally:
        database.dispose()
    assert len(new.services) > 300
    assert_same_index(new, old)


def test_the_garbage_collector_is_paused_only_during_builds():
    import gc

    assert gc.isenabled()
    with fi._gc_paused():
        assert not gc.isenabled()
        with fi._gc_paused():  # an overlapping build (another thread) keeps it off
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), fi._gc_paused():
        raise RuntimeError("a failed build")
    assert gc.isenabled()
    gc.disable()
    try:
        with fi._gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()
