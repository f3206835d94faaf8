"""The data-version stamp: moved by offer writes and changing imports, not by reads or
by other tables, rolled back with its transaction, and never reused after a rollback."""

from __future__ import annotations

from sqlalchemy import select

from loketwijzer.finder_index import data_version
from loketwijzer.models import DataStamp, ImportRun, Service
from loketwijzer.models.base import utc_now
from loketwijzer.models.stamp import STAMP_ID


def _stamp(session) -> tuple[int, str | None]:
    row = session.execute(select(DataStamp.version, DataStamp.token)
                          .where(DataStamp.id == STAMP_ID)).one()
    return row.version, row.token


def test_offer_write_moves_stamp_and_version(loaded_db):
    with loaded_db.session() as session:
        before, version_before = _stamp(session), data_version(session)
        assert before[0] > 0  # the fixture import moved it
        service = session.scalars(select(Service).order_by(Service.id).limit(1)).one()
        service.name = service.name + " (gewijzigd)"
        session.flush()
        after = _stamp(session)
        assert after[0] == before[0] + 1
        assert after[1] and after[1] != before[1]
        assert data_version(session) != version_before


def test_reads_and_other_tables_leave_stamp(loaded_db):
    with loaded_db.session() as session:
        before, version_before = _stamp(session), data_version(session)
        session.scalars(select(Service)).all()
        session.add(ImportRun(provider="x", source="x", started_at=utc_now(),
                              status="rejected"))
        session.flush()
        assert _stamp(session) == before
        assert data_version(session) == version_before


def test_rolled_back_token_is_never_reused(loaded_db):
    with loaded_db.session() as session:
        start = _stamp(session)
    session = loaded_db.sessionmaker()
    try:
        service = session.scalars(select(Service).order_by(Service.id).limit(1)).one()
        service.name = service.name + " x"
        session.flush()
        rolled_back = _stamp(session)
        session.rollback()
        assert _stamp(session) == start
        service = session.scalars(select(Service).order_by(Service.id).limit(1)).one()
        service.name = service.name + " y"
        session.flush()
        again = _stamp(session)
        assert again[0] == rolled_back[0]  # the same number ...
        assert again[1] != rolled_back[1]  # ... but never the same token
    finally:
        session.rollback()
        session.close()


def test_offer_and_geography_move_their_own_rows(loaded_db):
    """An offer write leaves the geography's stamp (the importers' gazetteer stays valid);
    a geography write moves it, and both move the offer caches' data version."""
    from loketwijzer.models import Municipality
    from loketwijzer.models.stamp import geography_version

    with loaded_db.session() as session:
        geo, version = geography_version(session), data_version(session)
        service = session.scalars(select(Service).order_by(Service.id).limit(1)).one()
        service.name = service.name + " (gewijzigd)"
        session.flush()
        assert geography_version(session) == geo
        assert data_version(session) != version
        version = data_version(session)
        municipality = session.scalars(select(Municipality).limit(1)).one()
        municipality.population = (municipality.population or 0) + 1
        session.flush()
        assert geography_version(session) != geo
        assert data_version(session) != version
