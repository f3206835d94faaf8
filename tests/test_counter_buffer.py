"""Search counters when serving: added up in the process and written together when due,
at a cell limit, or at exit, with the same totals as writing at once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from loketwijzer import counters
from loketwijzer.actions.freshness import count_impressions
from loketwijzer.models import ServiceImpression

DAY = dt.date(2026, 12, 1)


def shown(db) -> dict[str, int]:
    with db.session() as s:
        return dict(s.execute(select(ServiceImpression.service_id,
                                     func.sum(ServiceImpression.count))
                              .group_by(ServiceImpression.service_id)).all())


@pytest.fixture
def buffered(monkeypatch):
    monkeypatch.setattr(counters, "BUFFER_SECONDS", 3600.0)
    monkeypatch.setattr(counters, "_last_write", counters.time.monotonic())
    yield
    counters._take()  # nothing leaks into other tests


def ids(db, n: int) -> list[str]:
    from loketwijzer.models import Service

    with db.session() as s:
        return list(s.scalars(select(Service.id).order_by(Service.id).limit(n)))


def test_counts_wait_until_due_then_add_up(loaded_db, buffered, monkeypatch):
    a, b = ids(loaded_db, 2)
    for _ in range(3):
        with loaded_db.session() as s:
            count_impressions(s, [a, b, a], day=DAY)
    assert shown(loaded_db) == {}  # nothing written yet
    monkeypatch.setattr(counters, "BUFFER_SECONDS", 0.000001)  # now due
    with loaded_db.session() as s:
        count_impressions(s, [b], day=DAY)
    assert shown(loaded_db) == {a: 6, b: 4}


def test_cell_limit_writes_early(loaded_db, buffered, monkeypatch):
    monkeypatch.setattr(counters, "MAX_BUFFERED_CELLS", 2)
    a, b, c = ids(loaded_db, 3)
    with loaded_db.session() as s:
        count_impressions(s, [a], day=DAY)
    assert shown(loaded_db) == {}
    with loaded_db.session() as s:
        count_impressions(s, [b, c], day=DAY)
    assert shown(loaded_db) == {a: 1, b: 1, c: 1}


def test_exit_writes_what_waits(loaded_db, buffered):
    a, b = ids(loaded_db, 2)
    with loaded_db.session() as s:
        count_impressions(s, [a, b, b], day=DAY)
    assert shown(loaded_db) == {}
    counters.flush_all()
    assert shown(loaded_db) == {a: 1, b: 2}
    counters.flush_all()  # nothing twice
    assert shown(loaded_db) == {a: 1, b: 2}


def test_at_once_when_not_serving(loaded_db):
    assert counters.BUFFER_SECONDS == 0
    (a,) = ids(loaded_db, 1)
    with loaded_db.session() as s:
        count_impressions(s, [a], day=DAY)
    assert shown(loaded_db) == {a: 1}


def test_serving_switches_buffering_on(monkeypatch):
    from loketwijzer import finder_index
    from loketwijzer.config import DEFAULT_INDEX_SNAPSHOT_DIR
    from webapp import warmup

    monkeypatch.setattr(counters, "BUFFER_SECONDS", 0.0)
    monkeypatch.setattr(finder_index, "REBUILD_IN_BACKGROUND", False)
    monkeypatch.setattr(finder_index, "FREEZE_AFTER_BUILD", False)
    monkeypatch.setattr(finder_index, "VERSION_CHECK_SECONDS", 0.0)
    monkeypatch.setattr(finder_index, "SNAPSHOT_DIR", None)
    monkeypatch.delenv("LOKETWIJZER_INDEX_SNAPSHOT_DIR", raising=False)
    warmup.serving()
    assert counters.BUFFER_SECONDS == counters.SERVING_BUFFER_SECONDS > 0
    assert finder_index.REBUILD_IN_BACKGROUND and finder_index.FREEZE_AFTER_BUILD
    assert finder_index.VERSION_CHECK_SECONDS == finder_index.SERVING_VERSION_CHECK_SECONDS
    assert finder_index.SNAPSHOT_DIR == DEFAULT_INDEX_SNAPSHOT_DIR
