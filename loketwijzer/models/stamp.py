"""The data-version stamp: one row whose number moves whenever the offer changes.

Caches of the offer (the finder's index in every worker, on every machine) compare this
number instead of counting rows per request: reading one row by primary key costs the
same at 600 or 60,000 services, and because it lives in the database it works across
processes and across app instances that share one PostgreSQL.

Who moves it: every ORM flush or ORM-executed insert/update/delete that writes an offer,
geography or taxonomy record (the listeners below: imports, edits, reviews, freshness
confirmations, tests); an import that changed nothing executes no write and moves
nothing.
Both happen inside the writing transaction: the stamp commits or rolls back with the data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from itertools import chain
from typing import Any

from sqlalchemy import DDL, DateTime, Integer, String, event, insert, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from loketwijzer.models.base import Base, utc_now
from loketwijzer.models.imports import CHANGED_RUN_SQL

#: The rows: the offer (services and everything hanging from them, taxonomy) and the
#: geography (municipalities, PC4 areas, places). Caches of the offer key on both; the
#: importers' gazetteer only on the geography, so a sociale-kaart file does not make the
#: next file read all place names again.
STAMP_ID = 1
GEOGRAPHY_STAMP_ID = 2


class DataStamp(Base):
    __tablename__ = "data_stamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # A fresh random token per bump: a transaction that bumped, built a cache and then
    # rolled back can never leave a version number that a later commit reuses.
    token: Mapped[str | None] = mapped_column(String(36))
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


#: ``create_all`` (tests, fresh databases) gets the rows as the migration does.
event.listen(DataStamp.__table__, "after_create",
             DDL(f"INSERT INTO data_stamp (id, version) VALUES ({STAMP_ID}, 0), "
                 f"({GEOGRAPHY_STAMP_ID}, 0)"))

#: Which row a write to a table moves.
STAMPED_TABLES: dict[str, int] = {
    **dict.fromkeys(("organization", "service", "location", "service_at_location",
                     "address", "phone", "schedule", "service_area", "language",
                     "accessibility", "cost_option", "required_document", "taxonomy",
                     "taxonomy_term", "attribute"), STAMP_ID),
    **dict.fromkeys(("municipality", "province", "place", "pc4_area"), GEOGRAPHY_STAMP_ID),
}


def _token_sql(stamp_id: int) -> str:
    return f"(SELECT token FROM data_stamp WHERE id = {stamp_id})"


_VERSION_SQL = (
    f"SELECT {_token_sql(STAMP_ID)}, {_token_sql(GEOGRAPHY_STAMP_ID)}, "
    f"(SELECT max(id) FROM import_run WHERE {CHANGED_RUN_SQL}), "
    "(SELECT max(id) FROM record_version)"
)
_GEOGRAPHY_SQL = f"SELECT {_token_sql(GEOGRAPHY_STAMP_ID)}"


def data_version(session: Session) -> tuple:
    """The version the offer caches (finder index, audit frames) are keyed on: both stamp
    rows, plus the latest changing import run and record version. Runs that changed
    nothing, and refused runs, leave it as it was (no rebuilds).

    Primary-key lookups, the same cost at any data size (it runs on every search;
    counting rows here cost 3 ms at 60,000 services). Plain SQL on purpose: a third of
    the ORM's cost.
    """
    row = session.connection().exec_driver_sql(_VERSION_SQL).one()
    return tuple(str(v) for v in row)


def geography_version(session: Session) -> str:
    """The geography's stamp alone (what a gazetteer is read from)."""
    return str(session.connection().exec_driver_sql(_GEOGRAPHY_SQL).scalar())


def bump(session: Session, stamp_id: int = STAMP_ID) -> None:
    """Move a stamp inside the session's transaction (creating its row if a database
    lost it, e.g. emptied table by table)."""
    now, token = utc_now(), str(uuid.uuid4())
    moved = session.execute(update(DataStamp).where(DataStamp.id == stamp_id)
                            .values(version=DataStamp.version + 1, token=token,
                                    changed_at=now))
    if not moved.rowcount:
        session.execute(insert(DataStamp).values(id=stamp_id, version=1, token=token,
                                                 changed_at=now))


def _stamp_of(table: Any) -> int | None:
    return STAMPED_TABLES.get(getattr(table, "name", None))


@event.listens_for(Session, "before_flush")
def _stamp_on_flush(session: Session, _context: Any, _instances: Any) -> None:
    written = {_stamp_of(getattr(obj, "__table__", None))
               for obj in chain(session.new, session.deleted, session.dirty)}
    for stamp_id in sorted(written - {None}):
        bump(session, stamp_id)


@event.listens_for(Session, "do_orm_execute")
def _stamp_on_statement(state: ORMExecuteState) -> None:
    """``session.execute(insert/update/delete(...))`` bypasses the flush: the importers'
    bulk statements, and edits such as ``update(Service)``."""
    if state.is_insert or state.is_update or state.is_delete:
        stamp_id = _stamp_of(getattr(state.statement, "table", None))
        if stamp_id is not None:
            bump(state.session, stamp_id)
