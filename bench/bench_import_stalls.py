"""Benchmark: does an import make searches wait? (issue 9, "imports without stalls")

On the configured database (after ``make import``), measures how long the finder's
``get_index`` takes for a request:

1. after an import run that changed nothing (should be a cache hit: no rebuild);
2. after a data change, with the background rebuild used when serving (the request gets
   the previous index at once; the new one replaces it when complete);
3. after a data change, with the old blocking rebuild, for comparison.

The data change is one service set inactive and back; the database ends as it started.

    .venv/bin/python bench/bench_import_stalls.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import select, update  # noqa: E402

from importers.independent_help import IndependentHelpProvider  # noqa: E402
from importers.pipeline import run_import  # noqa: E402
from loketwijzer import finder_index  # noqa: E402
from loketwijzer.config import Settings  # noqa: E402
from loketwijzer.db import Database  # noqa: E402
from loketwijzer.models import Service  # noqa: E402


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - started) * 1000


def set_status(db: Database, service_id: str, status: str) -> None:
    with db.session() as session:
        session.execute(update(Service).where(Service.id == service_id).values(status=status))


def main() -> int:
    settings = Settings.from_env()
    db = Database(settings.database_url)
    with db.sessionmaker() as session:
        index, cold_ms = timed(lambda: finder_index.get_index(session))
        print(f"cold build of the finder index: {cold_ms:.0f} ms "
              f"({len(index.services)} services)")
        if not index.services:
            print("no data: run `make import` first")
            return 1
        report = run_import(IndependentHelpProvider(settings=settings), db, show_progress=False)
        print(f"re-import of independent help: {report.summary()}")
        again, hit_ms = timed(lambda: finder_index.get_index(session))
        print(f"1. request after an unchanged import: {hit_ms:.1f} ms "
              f"({'same index, no rebuild' if again is index else 'REBUILT'})")

        victim = session.scalar(select(Service.id).where(Service.status == "active")
                                .order_by(Service.id))
    try:
        set_status(db, victim, "inactive")
        finder_index.REBUILD_IN_BACKGROUND = True
        with db.sessionmaker() as session:
            served, bg_ms = timed(lambda: finder_index.get_index(session))
            started = time.perf_counter()
            while finder_index.get_index(session) is served:
                time.sleep(0.01)
            swap_ms = (time.perf_counter() - started) * 1000 + bg_ms
        print(f"2. request after a change, background rebuild: {bg_ms:.1f} ms "
              f"(new index in place after {swap_ms:.0f} ms)")
        finder_index.REBUILD_IN_BACKGROUND = False
        set_status(db, victim, "active")
        with db.sessionmaker() as session:
            _, block_ms = timed(lambda: finder_index.get_index(session))
        print(f"3. request after a change, blocking rebuild (before): {block_ms:.0f} ms")
    finally:
        set_status(db, victim, "active")
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
