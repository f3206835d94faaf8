"""Declarative base, provenance columns and stable identifiers shared by all models."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Fixed namespace so that the same source row always gets the same id, on every machine.
ID_NAMESPACE = uuid.UUID("6f1c7a52-3f0e-4a4e-9d55-0c6b9a0e2b11")


def stable_id(*parts: object) -> str:
    """A UUID derived from the record's origin: re-imports and exports keep their ids."""
    return str(uuid.uuid5(ID_NAMESPACE, "\x1f".join(str(p) for p in parts)))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProvenanceMixin:
    """Where a record came from and when somebody last confirmed it.

    ``source`` names the dataset (e.g. ``roo-gemeenten``), ``source_id`` the row in it;
    together they are the upsert key. ``last_checked`` is the date the facts were last
    confirmed at the source (not the import date): the UI shows it and the audit flags
    records older than a year. ``content_hash`` lets a re-import skip unchanged rows.
    """

    source: Mapped[str] = mapped_column(String(80), index=True)
    source_id: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(Text)
    source_date: Mapped[str | None] = mapped_column(String(10))
    last_checked: Mapped[dt.date | None] = mapped_column(Date)
    content_hash: Mapped[str | None] = mapped_column(String(64))


class ChildProvenanceMixin:
    """Dependent rows (address, phone, schedule...) carry their parent's source name."""

    source: Mapped[str] = mapped_column(String(80), index=True)


def utc_now() -> dt.datetime:
    """Now, as stored: timestamps in the database are naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
