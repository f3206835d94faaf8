"""Benchmark: the rechtsbescherming-scan and the demand-signal counter (issue 14).

Prints the median time of ``scan_municipality`` for Amsterdam (GM0363) and Schiermonnikoog
(GM0088) on warm frames, the scan of every municipality once, and how long one counted
search (the upsert-increment of a few cells) takes.

    .venv/bin/python bench/bench_scan.py --db sqlite:////tmp/real.db [--runs 7]

The database must hold the imported mirror (``flask --app webapp import-all``); the
signals part counts searches in week 2000-W01 and deletes those rows afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import delete, select  # noqa: E402

from loketwijzer import signals  # noqa: E402
from loketwijzer.actions import scan  # noqa: E402
from loketwijzer.db import Database  # noqa: E402
from loketwijzer.models import DemandSignal, Municipality  # noqa: E402


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not args.db:
        raise SystemExit("Give --db (a database with the imported mirror).")
    db = Database(args.db)
    with db.session() as session:
        scan.scan_municipality(session, "GM0363")  # load the audit frames once
        for code in ("GM0363", "GM0088"):
            ms = median_ms(lambda c=code: scan.scan_municipality(session, c), args.runs)
            print(f"scan_municipality {code}: median {ms:.0f} ms over {args.runs} runs")
        codes = list(session.scalars(select(Municipality.code)))
        started = time.perf_counter()
        for code in codes:
            scan.scan_municipality(session, code)
        print(f"scan of all {len(codes)} municipalities: "
              f"{time.perf_counter() - started:.1f} s")
    week = dt.date(2000, 1, 3)  # a week no real search falls in; removed below
    with db.session() as session:
        ms = median_ms(lambda: (signals.record(session, "GM0363", ["wonen", "schulden"], week),
                                session.commit()), max(args.runs, 50))
        print(f"one counted search (2 cells, upsert + commit): median {ms:.2f} ms")
        session.execute(delete(DemandSignal).where(DemandSignal.iso_week == "2000-W01"))
    db.dispose()


if __name__ == "__main__":
    main()
