"""The finder index's per-query work at national scale (issue 13): the linear nearest
location per service gives exactly what the old sort gave, ties and missing points
included; the spatial prefilter never drops a service the eligibility rule admits; the
nearest location of a few services equals that of all; the area matrix is float once."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from loketwijzer import finder_index as fi


def sorted_nearest(index, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
    """The previous implementation: a stable sort of all locations per query."""
    n = len(index.services)
    dist = np.full(n, np.inf)
    best = np.full(n, -1, dtype=np.int64)
    if len(index.loc_service) == 0:
        return dist, best
    d = fi.haversine_km(lat, lon, index.loc_lat, index.loc_lon)
    order = np.lexsort((d, index.loc_service))
    services_sorted = index.loc_service[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = services_sorted[1:] != services_sorted[:-1]
    rows = order[first]
    dist[index.loc_service[rows]] = d[rows]
    best[index.loc_service[rows]] = rows
    return dist, best


def fake_index(lat_deg, lon_deg, owners, n_services):
    owners = np.array(owners, dtype=np.int64)
    return SimpleNamespace(
        services=[None] * n_services, loc_entries=list(range(len(owners))),
        loc_lat=np.radians(np.array(lat_deg, dtype=float)),
        loc_lon=np.radians(np.array(lon_deg, dtype=float)), loc_service=owners,
        **fi._location_segments(owners, n_services))


def test_linear_nearest_equals_the_sort_with_ties_and_missing_points():
    # service 0: two locations at the same point (tie: the first row wins); service 1:
    # none; service 2: a missing point and a real one; service 3: only a missing point.
    index = fake_index([52.0, 52.0, 52.5, np.nan, 52.1, np.nan],
                       [5.0, 5.0, 5.5, np.nan, 5.1, np.nan], [0, 0, 2, 2, 2, 3], 5)
    assert index.loc_starts is not None
    for lat, lon in ((52.0, 5.0), (52.3, 5.3), (51.0, 4.0)):
        got = fi.nearest_locations(index, lat, lon)
        want = sorted_nearest(index, lat, lon)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
    assert fi.nearest_locations(index, 52.0, 5.0)[1][0] == 0


def test_unordered_rows_fall_back_to_the_sort():
    index = fake_index([52.0, 52.2, 52.1], [5.0, 5.2, 5.1], [1, 0, 1], 2)
    assert index.loc_starts is None
    got, want = fi.nearest_locations(index, 52.1, 5.1), sorted_nearest(index, 52.1, 5.1)
    np.testing.assert_array_equal(got[1], want[1])


def test_random_points_on_many_services():
    rng = np.random.default_rng(13)
    owners = np.sort(rng.integers(0, 400, size=1500))
    lat = np.round(rng.uniform(51, 53, size=1500), 2)  # rounded: many equal distances
    lon = np.round(rng.uniform(4, 6, size=1500), 2)
    index = fake_index(lat, lon, owners, 420)
    for _ in range(50):
        p = (rng.uniform(51, 53), rng.uniform(4, 6))
        got, want = fi.nearest_locations(index, *p), sorted_nearest(index, *p)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


def test_built_index_matches_the_sort_and_stores_floats(loaded_db):
    with loaded_db.session() as s:
        index = fi.build_index(s, fi.data_version(s))
    assert index.area_matrix.dtype == np.float64
    assert set(np.unique(index.area_matrix)) <= {0.0, 1.0}
    assert index.loc_starts is not None
    for lat, lon in ((52.0, 5.0), (53.2, 6.5), (51.5, 4.0)):
        got, want = fi.nearest_locations(index, lat, lon), sorted_nearest(index, lat, lon)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


def test_nearest_of_a_subset_equals_all():
    rng = np.random.default_rng(7)
    owners = np.sort(rng.integers(0, 300, size=900))
    index = fake_index(rng.uniform(51, 53, 900), rng.uniform(4, 6, 900), owners, 320)
    for _ in range(20):
        p = (rng.uniform(51, 53), rng.uniform(4, 6))
        subset = np.sort(rng.choice(320, size=40, replace=False))
        all_dist, all_best = fi.nearest_locations(index, *p)
        dist, best = fi.nearest_locations(index, *p, subset)
        np.testing.assert_array_equal(dist, all_dist[subset])
        np.testing.assert_array_equal(best, all_best[subset])


def test_prefilter_keeps_every_service_the_rule_admits(loaded_db):
    from loketwijzer.eligibility import REACH_KM, may_use

    with loaded_db.session() as s:
        index = fi.build_index(s, fi.data_version(s))
    n = len(index.services)
    rng = np.random.default_rng(3)
    codes = list(index.by_municipality)
    tried = admitted_nearby = 0
    for _ in range(60):
        lat, lon = rng.uniform(50.8, 53.4), rng.uniform(3.5, 7.1)
        code = codes[rng.integers(len(codes))] if codes else None
        cand, listed = fi.candidate_services(index, lat, lon, code)
        dist, _ = fi.nearest_locations(index, lat, lon)
        listed_all = np.zeros(n, dtype=bool)
        listed_all[index.by_municipality.get(code, [])] = True
        ok = may_use(listable=np.ones(n, dtype=bool), national=index.national,
                     listed=listed_all, closed=index.closed, dist_km=dist)
        assert set(np.flatnonzero(ok)) <= set(cand.tolist())
        np.testing.assert_array_equal(listed, listed_all[cand])
        tried += 1
        admitted_nearby += int((ok & (dist <= REACH_KM) & ~index.national).sum())
    assert tried == 60 and admitted_nearby > 0  # the points did reach local help
    assert len(cand) < n  # and the prefilter does filter


def test_preselect_picks_what_the_full_choice_picks():
    from loketwijzer.actions import finder

    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(1, 400))
        score = np.round(rng.uniform(0, 1, n), 2)  # rounded: ties
        dist = np.round(rng.uniform(0, 40, n), 1)
        remote = rng.uniform(0, 1, n) < 0.3
        pinned = rng.uniform(0, 1, n) < 0.02
        idx = np.flatnonzero(rng.uniform(0, 1, n) < 0.8)
        limit = int(rng.integers(1, 25))
        sort = "distance" if rng.uniform() < 0.3 else "score"
        for pins in (None, pinned):
            want = finder._choose(idx, score, dist, remote, limit, sort, pins,
                                  preselect=False)
            got = finder._choose(idx, score, dist, remote, limit, sort, pins)
            assert got == want


def test_serving_freezes_the_built_index_out_of_full_collections(loaded_db, monkeypatch):
    import gc

    monkeypatch.setattr(fi, "FREEZE_AFTER_BUILD", True)
    gc.unfreeze()
    try:
        with loaded_db.session() as s:
            index = fi.build_index(s, fi.data_version(s))
        assert gc.get_freeze_count() > len(index.services)
        tracked = {id(o) for o in gc.get_objects()}  # the collector's own lists
        assert id(index.services) not in tracked and id(index) not in tracked
    finally:
        gc.unfreeze()
    monkeypatch.setattr(fi, "FREEZE_AFTER_BUILD", False)
    with loaded_db.session() as s:
        fi.build_index(s, fi.data_version(s))
    assert gc.get_freeze_count() == 0  # tests and commands: nothing frozen


def test_area_prefilter_drops_only_services_that_cannot_be_chosen(loaded_db):
    """With the searched areas, the candidates are those of the box that handle them,
    plus every national service (the national-line fallback may need one)."""
    with loaded_db.session() as s:
        index = fi.build_index(s, fi.data_version(s))
    rng = np.random.default_rng(5)
    codes = list(index.by_municipality)
    shrunk = 0
    for _ in range(40):
        lat, lon = rng.uniform(50.8, 53.4), rng.uniform(3.5, 7.1)
        code = codes[rng.integers(len(codes))] if codes else None
        cols = sorted(rng.choice(len(index.area_codes), size=2, replace=False).tolist())
        handling = index.handling(cols)
        np.testing.assert_array_equal(handling, index.area_matrix[:, cols].any(axis=1))
        every, every_listed = fi.candidate_services(index, lat, lon, code)
        cand, listed = fi.candidate_services(index, lat, lon, code, handling)
        keep = handling[every] | index.national[every]
        np.testing.assert_array_equal(cand, every[keep])
        np.testing.assert_array_equal(listed, every_listed[keep])
        shrunk += len(cand) < len(every)
    assert shrunk > 0


def test_area_prefilter_changes_no_search(loaded_db, monkeypatch):
    """The same searches with the area prefilter switched off (all services of the box
    are scored) give the same JSON."""
    from loketwijzer.actions import finder
    from loketwijzer.actions.finder import find_services

    searches = [dict(q="huurachterstand en beslag", postcode="9011"),
                dict(areas="geweld", postcode="9021"),
                dict(areas="werk,uitkering", postcode="9013", independent=True),
                dict(q="ontslag op staande voet", postcode="9041", sort="distance"),
                dict(areas="vreemdelingen", postcode="9011", limit=5),
                dict(areas="wonen,schulden", postcode="9012", limit=100),
                dict(areas="belastingen")]
    with loaded_db.session() as s:
        filtered = [find_services(s, **kw) for kw in searches]
        fi.clear_cache()
        monkeypatch.setattr(finder, "candidate_services",
                            lambda index, lat, lon, code, handling=None:
                            fi.candidate_services(index, lat, lon, code))
        unfiltered = [find_services(s, **kw) for kw in searches]
    assert filtered == unfiltered
    assert any(r["results"] for r in filtered)


def test_strip_prefilter_finds_exactly_the_box(loaded_db):
    """The strips' slices, filtered, are exactly the locations in the box around the
    reach circle (the latitude band and longitude test it replaced), also for points on
    and near strip edges."""
    import math

    from loketwijzer.eligibility import REACH_KM

    with loaded_db.session() as s:
        index = fi.build_index(s, fi.data_version(s))
    rng = np.random.default_rng(21)
    lats = np.degrees(index.loc_lat)
    points = [(rng.uniform(50.8, 53.4), rng.uniform(3.5, 7.1)) for _ in range(40)]
    points += [(float(lats[i]), float(np.degrees(index.loc_lon[i])))
               for i in rng.integers(0, len(lats), 20)]
    points += [(math.degrees(k * fi.STRIP_RADIANS), 5.0) for k in (1018, 1030, 1050)]
    reach = REACH_KM * fi.BOX_MARGIN
    for lat, lon in points:
        p, lon0, dlat = math.radians(lat), math.radians(lon), reach / fi.EARTH_RADIUS_KM
        dlon = reach / (fi.EARTH_RADIUS_KM * math.cos(abs(p) + dlat))
        want = np.flatnonzero((index.loc_lat >= p - dlat) & (index.loc_lat < p + dlat)
                              & (np.abs(index.loc_lon - lon0) <= dlon))
        cand, _ = fi.candidate_services(index, lat, lon, None)
        in_box = set(index.loc_service[want].tolist())
        national = set(index.national_idx.tolist())
        assert set(cand.tolist()) == in_box | national, (lat, lon)


def test_services_are_ordered_by_place_with_national_ones_first():
    """``spatial_order``: up-front services and those without a place first, then by
    grid cell along the curve; equal keys keep the given (id) order."""
    def place(lat, lon):
        return fi.LocationEntry(id=f"{lat},{lon}", lat=lat, lon=lon, precision="address",
                                municipality_code=None, pc4=None, name=None, address=None,
                                postal_code=None, city=None, description=None)

    utrecht, utrecht_too, groningen = place(52.09, 5.12), place(52.09, 5.12), place(53.2, 6.56)
    near_utrecht = place(52.10, 5.13)
    order = fi.spatial_order([groningen, utrecht, None, near_utrecht, utrecht_too, utrecht],
                             [False, False, False, False, False, True])
    assert order[:2].tolist() == [2, 5]  # no place, then the up-front one (id order)
    rest = order[2:].tolist()
    assert rest.index(1) < rest.index(4)  # one address: id order kept
    assert rest[-1] == 0 or rest[0] == 0  # Groningen is not between the Utrecht ones
    assert abs(rest.index(1) - rest.index(3)) <= 2


def test_handling_masks_are_kept_for_recent_area_combinations(loaded_db, monkeypatch):
    with loaded_db.session() as s:
        index = fi.build_index(s, fi.data_version(s))
    monkeypatch.setattr(fi, "HANDLING_CACHE_SIZE", 2)
    first = index.handling([0, 3])
    assert index.handling([0, 3]) is first  # kept
    assert not first.flags.writeable  # shared by searches: nobody may change it
    np.testing.assert_array_equal(first, index.area_matrix[:, [0, 3]].any(axis=1))
    index.handling([1])
    index.handling([0, 3])  # used again: now the most recent
    index.handling([2])  # evicts [1], the least recently used
    assert set(index.handling_cache) == {(0, 3), (2,)}
    assert not index.handling([]).any()
