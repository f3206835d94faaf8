"""The finder index's per-query work at national scale (issue 13): the linear nearest
location per service gives exactly what the old sort gave, ties and missing points
included, and the area matrix is stored as float once."""

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
        **fi._location_segments(owners))


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
