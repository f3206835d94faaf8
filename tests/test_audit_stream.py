"""The streamed audit (issue 13) gives exactly the result of measuring every site.

``search_km`` huge makes every site a candidate of every municipality (the plain
all-sites computation, no second pass); the default measures only the sites near each
municipality and sends origins without independent help within reach to a second pass
over all sites, in chunks of ``chunk_cells`` distances (``1``: one origin at a time).
Every array must be identical, on the hand-built case and, when the mirror is present,
on the real data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from geo import audit_geo
from loketwijzer.db import Database
from loketwijzer.taxonomy import area_codes, life_events
from tests.conftest import real_mirror_url
from tests.test_audit_case import AREAS, AS_OF, EVENTS, build_case

DENSE = 10**15  # one chunk: the whole origins × sites matrix at once
EVERYWHERE_KM = 10_000.0  # every site is a candidate of every municipality


def assert_same(a: audit_geo.AuditArrays, b: audit_geo.AuditArrays) -> None:
    for f in dataclasses.fields(a):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if isinstance(va, dict):
            assert va.keys() == vb.keys(), f.name
            for k in va:
                np.testing.assert_array_equal(va[k], vb[k], err_msg=f"{f.name}[{k}]")
        elif isinstance(va, np.ndarray):
            np.testing.assert_array_equal(va, vb, err_msg=f.name)
        else:
            assert va == vb, f.name


def test_streamed_equals_dense_on_the_case(db):
    build_case(db)
    audit_geo.clear_cache()
    with db.session() as s:
        frames = audit_geo.frames_for(s, AREAS)
    for codes in (None, ["GM9101"], ["GM9102"]):
        dense = audit_geo.compute(frames, codes, events=EVENTS, as_of=AS_OF, chunk_cells=DENSE,
                                  search_km=EVERYWHERE_KM)
        for cells in (1, DENSE):
            streamed = audit_geo.compute(frames, codes, events=EVENTS, as_of=AS_OF,
                                         chunk_cells=cells)
            assert_same(dense, streamed)
        # A short reach sends most origins to the second pass: still the same result.
        near = audit_geo.compute(frames, codes, events=EVENTS, as_of=AS_OF, reach_km=1.0,
                                 chunk_cells=1)
        assert_same(near, audit_geo.compute(frames, codes, events=EVENTS, as_of=AS_OF,
                                            reach_km=1.0, search_km=EVERYWHERE_KM))
    audit_geo.clear_cache()


@pytest.mark.mirror
@pytest.mark.slow
def test_streamed_equals_dense_on_the_mirror(shared_data, tmp_path_factory):
    db = Database(real_mirror_url(tmp_path_factory, shared_data))
    try:
        with db.session() as s:
            frames = audit_geo.load_frames(s, tuple(area_codes()))
        events = [(e.code, tuple(e.areas)) for e in life_events()]
        as_of = dt.date(2026, 12, 1)
        for codes in (None, ["GM0363", "GM0599", "GM0014"]):
            dense = audit_geo.compute(frames, codes, events=events, as_of=as_of,
                                      chunk_cells=DENSE, search_km=EVERYWHERE_KM)
            for cells in (1, 200_000):
                assert_same(dense, audit_geo.compute(frames, codes, events=events,
                                                     as_of=as_of, chunk_cells=cells))
    finally:
        db.dispose()
