"""Counters that searches bump (demand signals, service impressions): one statement.

An insert that adds to the existing count on conflict, on SQLite and PostgreSQL alike,
so a search costs one round trip however many cells it counts. Flushes; the caller
commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.orm import Session


def increment(session: Session, model: Any, keys: Sequence[str],
              rows: Sequence[dict[str, Any]]) -> None:
    """Add each row's ``count`` to the counter identified by its ``keys`` columns."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect in {"sqlite", "postgresql"}:
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        # One statement for any number of rows (executemany): compiled once and cached,
        # where a multi-VALUES statement was compiled anew for every search.
        table = model.__table__
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={"count": table.c.count + stmt.excluded.count})
        session.connection().execute(stmt, list(rows))
    else:  # pragma: no cover - other databases: update, else insert
        for row in rows:
            done = session.execute(
                update(model).where(and_(*(getattr(model, k) == row[k] for k in keys)))
                .values(count=model.count + row["count"]),
                execution_options={"synchronize_session": False})
            if not done.rowcount:
                session.add(model(**row))
    session.flush()
