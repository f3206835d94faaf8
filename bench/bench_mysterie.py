"""Benchmark: the Mysterie-check on the full imported data (issue 11).

Targets: all casussen for one municipality ≤ 300 ms (nothing cached, the finder's index
built: "warm"); the national comparison of one casus over all 342 municipalities ≤ 10 s,
and cached afterwards.

"Nothing cached" clears the check's own result cache before every run; the finder's
in-memory index (built once per data version, for every search) stays, as it does in a
running server. The first-ever call, which also builds that index, is printed apart.

    .venv/bin/python bench/bench_mysterie.py [--db sqlite:////tmp/m.db] [--runs 7]

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

from loketwijzer.actions import mysterie  # noqa: E402
from loketwijzer.db import Database  # noqa: E402
from loketwijzer.models import Municipality  # noqa: E402

TARGET_ONE = 0.300
TARGET_NATIONAL = 10.0


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


def verdict(ok: bool) -> str:
    return "OK" if ok else "TOO SLOW"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--casus", default="huurachterstand-ontruiming")
    args = parser.parse_args()

    tmp = None
    url = args.db
    if not url:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(tmp.name) / 'bench_mysterie.db'}"
        import_mirror(url)
    db = Database(url)
    with db.session() as s:
        n_muni = s.scalar(select(func.count()).select_from(Municipality))
        if not n_muni:
            raise SystemExit("the database holds no municipalities: import the data first")
        casussen = mysterie.list_casussen()
        moments = sum(len(c.moments) for c in casussen)
        print(f"data: {n_muni} municipalities; {len(casussen)} casussen with {moments} "
              f"moments")

        started = time.perf_counter()
        mysterie.check_municipality(s, "GM0307")
        print(f"first call ever (builds the finder index)  {time.perf_counter() - started:.2f} s")

        for code in ("GM0363", "GM0088", "GM0307"):
            def cold(code: str = code) -> None:
                mysterie.clear_cache()
                mysterie.check_municipality(s, code)

            median, best = timed(cold, args.runs)
            name = s.get(Municipality, code).name
            print(f"all casussen, {name:16} nothing cached  median {median * 1000:6.1f} ms "
                  f"(best {best * 1000:.1f})   target <= 300 ms  "
                  f"{verdict(median <= TARGET_ONE)}")
            warm, _ = timed(lambda code=code: mysterie.check_municipality(s, code), args.runs)
            print(f"all casussen, {name:16} cached          median {warm * 1000:6.1f} ms")

        mysterie.clear_cache()
        started = time.perf_counter()
        national = mysterie.compare_casus(s, "GM0363", args.casus, scope="alle")
        first = time.perf_counter() - started
        print(f"national comparison of '{args.casus}' over {len(national.rows)} "
              f"municipalities, nothing cached  {first:.2f} s   target <= 10 s  "
              f"{verdict(first <= TARGET_NATIONAL)}")
        again, _ = timed(lambda: mysterie.compare_casus(s, "GM0363", args.casus,
                                                        scope="alle", sort="mis"), 3)
        print(f"national comparison again (cached)  median {again * 1000:.0f} ms")
        counts = {v: sum(r.result.counts[v] for r in national.rows)
                  for v in ("goed", "beter", "mis")}
        loketten = [r.result.loketten for r in national.rows]
        print(f"  verdicts over all steps: {counts}; loketten per municipality: "
              f"min {min(loketten)}, median {statistics.median(loketten)}, "
              f"max {max(loketten)}")

        mysterie.clear_cache()
        started = time.perf_counter()
        klasse = mysterie.compare_casus(s, "GM0088", args.casus)
        print(f"class comparison from Schiermonnikoog ({len(klasse.rows)} municipalities), "
              f"nothing cached  {time.perf_counter() - started:.2f} s")
    db.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
