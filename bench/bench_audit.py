"""Benchmark: the gap audit on the full imported data (issue 5).

Targets: all 342 municipalities × 20 problem areas from a warm database in ≤ 5 s; one
municipality in ≤ 200 ms (median of several runs).

"Warm database" means the data is in the database and its pages are in the OS cache;
the figures below say separately what reading the frames costs and what the vectorised
computation costs, and what a request pays once the frames are cached in the process.

    .venv/bin/python bench/bench_audit.py [--db sqlite:////tmp/audit.db] [--runs 7]

Without ``--db`` it uses ``DATABASE_URL`` when set, else imports the mirror
(``LOKETWIJZER_SOURCES`` or ../shared/data) into a temporary SQLite file first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from geo import audit_geo  # noqa: E402
from loketwijzer.actions import audit  # noqa: E402
from loketwijzer.db import Database  # noqa: E402
from loketwijzer.models import Municipality  # noqa: E402
from loketwijzer.taxonomy import area_codes, life_events  # noqa: E402


def import_mirror(url: str) -> None:
    flask = REPO / ".venv" / "bin" / "flask"
    cmd = [str(flask) if flask.exists() else "flask", "--app", "webapp", "import-all",
           "--no-progress"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env={**os.environ, "DATABASE_URL": url},
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(proc.stdout, proc.stderr, sep="\n")
        raise SystemExit(f"import-all failed with exit code {proc.returncode}")
    print(f"import-all into a fresh SQLite file: {time.perf_counter() - started:.1f} s")


def timed(fn, runs: int) -> tuple[float, float]:
    """(median, best) wall time in seconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--municipality", default="GM0363")
    args = parser.parse_args()

    tmp = None
    url = args.db
    if not url:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(tmp.name) / 'bench_audit.db'}"
        import_mirror(url)
    db = Database(url)
    codes = tuple(area_codes())  # loads the taxonomy once, outside the timings
    events = [(e.code, tuple(e.areas)) for e in life_events()]
    with db.session() as s:
        n_muni = s.scalar(select(func.count()).select_from(Municipality))
        if not n_muni:
            raise SystemExit("the database holds no municipalities: import the data first")
        # Warm the database pages once (the target is "from a warm database").
        audit_geo.load_frames(s, codes)

        load, _ = timed(lambda: audit_geo.load_frames(s, codes), args.runs)
        frames = audit_geo.load_frames(s, codes)
        print(f"data: {n_muni} municipalities, {len(frames.origins)} PC4 origins, "
              f"{len(frames.services)} active services, {len(frames.sites)} places, "
              f"{len(codes)} problem areas, {len(events)} life events")
        print(f"read frames from the database            median {load * 1000:7.1f} ms")

        compute, best = timed(lambda: audit_geo.compute(frames, None, events=events),
                              args.runs)
        print(f"compute all municipalities x areas       median {compute * 1000:7.1f} ms "
              f"(best {best * 1000:.1f})")

        def national_cold() -> None:
            audit.clear_cache()
            list(audit.audit_all(s))

        cold, _ = timed(national_cold, max(3, args.runs // 2))
        print(f"national audit, nothing cached (read + compute + {n_muni} dicts) "
              f"median {cold:.2f} s   target <= 5 s  "
              f"{'OK' if cold <= 5 else 'TOO SLOW'}")

        def table() -> None:
            audit.clear_cache()
            audit.audit_national(s, "schulden", "share_10")

        t_table, _ = timed(table, max(3, args.runs // 2))
        print(f"national table /audit, nothing cached    median {t_table:.2f} s")

        code = args.municipality
        audit.clear_cache()
        audit.audit_municipality(s, code)  # fills the frame cache

        one, best = timed(lambda: audit.audit_municipality(s, code), args.runs)
        print(f"one municipality ({code}), frames cached median {one * 1000:7.1f} ms "
              f"(best {best * 1000:.1f})   target <= 200 ms  "
              f"{'OK' if one <= 0.2 else 'TOO SLOW'}")

        def one_cold() -> None:
            audit.clear_cache()
            audit.audit_municipality(s, code)

        cold_one, _ = timed(one_cold, max(3, args.runs // 2))
        print(f"one municipality ({code}), nothing cached median {cold_one * 1000:7.1f} ms")

        def one_compute() -> None:
            audit_geo.compute(frames, [code], events=events)

        c1, _ = timed(one_compute, args.runs)
        print(f"compute one municipality                 median {c1 * 1000:7.1f} ms")
    db.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
