"""Counters that searches bump (demand signals, service impressions): one statement.

An insert that adds to the existing count on conflict, on SQLite and PostgreSQL alike,
so a search costs one round trip however many cells it counts. Flushes; the caller
commits.

When serving (``webapp.warmup.serving`` sets :data:`BUFFER_SECONDS`), counts are added
up in the process and written together at most every ``BUFFER_SECONDS``, by the search
that finds them due, and at process exit: two writes per search were a third of an API
request's time. Counts are weekly and daily aggregates, so a few seconds' delay changes
nothing a reader sees; a worker that is killed outright loses its last seconds of counts
(as a failed upsert always could). Tests and commands write at once.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.orm import Session

from loketwijzer.db import database_key

#: 0: write at once. Serving: see ``webapp.warmup.serving``.
BUFFER_SECONDS = 0.0
SERVING_BUFFER_SECONDS = 5.0
#: Write early when this many distinct cells wait (memory stays small).
MAX_BUFFERED_CELLS = 5_000

_lock = threading.Lock()
# (database url, table) -> (bind, model, keys, {key values: count})
_pending: dict[tuple[str, str], tuple[Any, Any, tuple[str, ...], dict[tuple, int]]] = {}
_last_write = time.monotonic()
_exit_hook = False


def increment(session: Session, model: Any, keys: Sequence[str],
              rows: Sequence[dict[str, Any]]) -> None:
    """Add each row's ``count`` to the counter identified by its ``keys`` columns."""
    if not rows:
        return
    if BUFFER_SECONDS <= 0:
        _write(session, model, tuple(keys), rows)
        return
    due = _add(session, model, tuple(keys), rows)
    if due:
        flush(session)


def _add(session: Session, model: Any, keys: tuple[str, ...],
         rows: Sequence[dict[str, Any]]) -> bool:
    global _exit_hook
    bind = session.get_bind()
    slot = (database_key(bind), model.__tablename__)
    with _lock:
        if not _exit_hook:
            atexit.register(flush_all)
            _exit_hook = True
        entry = _pending.setdefault(slot, (bind, model, keys, defaultdict(int)))
        cells, key_of = entry[3], _key_getter(keys)
        for row in rows:
            cells[key_of(row)] += row["count"]
        cells = sum(len(e[3]) for e in _pending.values())
        return (time.monotonic() - _last_write >= BUFFER_SECONDS
                or cells >= MAX_BUFFERED_CELLS)


@lru_cache(maxsize=16)
def _key_getter(keys: tuple[str, ...]) -> Any:
    """A row's key values as a tuple (``itemgetter`` gives a bare value for one key)."""
    get = itemgetter(*keys)
    return get if len(keys) > 1 else lambda row: (get(row),)


def _take(url: str | None = None) -> list[tuple[Any, Any, tuple[str, ...], dict]]:
    """Remove and return the waiting counts (of one database, or all)."""
    global _last_write
    with _lock:
        slots = [s for s in _pending if url is None or s[0] == url]
        taken = [_pending.pop(s) for s in slots]
        _last_write = time.monotonic()
    return taken


def flush(session: Session) -> None:
    """Write this database's waiting counts in the session's transaction (the caller
    commits). On failure they are lost, as a failed upsert's always were."""
    bind = session.get_bind()
    for _bind, model, keys, cells in _take(database_key(bind)):
        _write(session, model, keys, _rows(keys, cells))


def flush_all() -> None:
    """Write every database's waiting counts in transactions of their own (at exit)."""
    for bind, model, keys, cells in _take():
        try:
            with Session(bind=bind) as session:
                _write(session, model, keys, _rows(keys, cells))
                session.commit()
        except Exception:  # at exit nothing can be done about it
            pass


def _rows(keys: tuple[str, ...], cells: dict[tuple, int]) -> list[dict[str, Any]]:
    """In a fixed order: two workers writing overlapping cells take their row locks in
    the same order (no deadlock on PostgreSQL)."""
    return [{**dict(zip(keys, values, strict=True)), "count": n}
            for values, n in sorted(cells.items(), key=lambda kv: repr(kv[0]))]


def _write(session: Session, model: Any, keys: tuple[str, ...],
           rows: Sequence[dict[str, Any]]) -> None:
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
