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
        stmt = insert(model).values(list(rows))
        session.execute(stmt.on_conflict_do_update(
            index_elements=list(keys), set_={"count": model.count + stmt.excluded.count}))
    else:  # pragma: no cover - other databases: update, else insert
        for row in rows:
            done = session.execute(
                update(model).where(and_(*(getattr(model, k) == row[k] for k in keys)))
                .values(count=model.count + row["count"]),
                execution_options={"synchronize_session": False})
            if not done.rowcount:
                session.add(model(**row))
    session.flush()
