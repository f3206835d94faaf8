"""Benchmark: building the finder index (issue 13, item 2) — Core column selects against
the ORM-object builder it replaced, on the same database.

Three builders: the ORM one (before), ``_build_index`` (Core column selects with the
garbage collector on) and ``build_index`` (the same with the collector paused, as
served). Each build runs in a fresh process (``--child``), alternating new/old, so neither profits
from the other's allocations or the identity map. Per build it prints the wall time of
``build_index`` (gazetteer and geocoder warm-up included, as on a first request), the
process's peak RSS (``ru_maxrss``) and its RSS once the build's session is closed (what a
worker keeps), both in MB, and the medians over ``--runs`` builds.

    .venv/bin/python bench/bench_index_build.py --db sqlite:////tmp/scale/scale_100x.db \
        [--runs 3] [--baseline /tmp/base]

The old builder lives in ``tests/test_finder_index_build.py`` (kept only to prove the
results identical). Without ``--db`` it reads ``DATABASE_URL``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
REPO = Path(os.environ.get("BENCH_INDEX_REPO") or HERE)  # --baseline: another checkout
sys.path.insert(0, str(REPO))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(url: str, which: str) -> None:
    from loketwijzer import finder_index as fi
    from loketwijzer.db import Database

    if which == "old":
        from tests.test_finder_index_build import orm_build_index as builder
    else:
        builder = {"new": fi.build_index, "base": fi.build_index,
                   "core": getattr(fi, "_build_index", None)}[which]
    database = Database(url)
    before = rss_mb()
    start = time.perf_counter()
    with database.session() as session:
        index = builder(session, fi.data_version(session))
    seconds = time.perf_counter() - start
    after = rss_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"which": which, "seconds": seconds, "peak_mb": peak,
                      "rss_after_mb": after, "rss_before_mb": before,
                      "services": len(index.services),
                      "locations": len(index.loc_entries)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=("new", "core", "old", "base"))
    parser.add_argument("--baseline", help="another checkout (e.g. `git worktree add "
                        "/tmp/base main`): its build_index is measured too, interleaved")
    args = parser.parse_args()
    if not args.db:
        parser.error("--db or DATABASE_URL is required")
    if args.child:
        child(args.db, args.child)
        return
    results: dict[str, list[dict]] = {"new": [], "core": [], "old": [], "base": []}
    for run in range(args.runs):
        order = ["new", "core", "old"] + (["base"] if args.baseline else [])
        for which in (order if run % 2 == 0 else order[::-1]):
            repo = Path(args.baseline).resolve() if which == "base" else HERE
            out = subprocess.run([sys.executable, __file__, "--db", args.db, "--child", which],
                                 check=True, capture_output=True, text=True, cwd=repo,
                                 env={**os.environ, "BENCH_INDEX_REPO": str(repo)})
            row = json.loads(out.stdout.strip().splitlines()[-1])
            results[which].append(row)
            print(f"{which}: {row['seconds']:.2f} s, peak {row['peak_mb']:.0f} MB, "
                  f"after {row['rss_after_mb']:.0f} MB (before {row['rss_before_mb']:.0f}),"
                  f" {row['services']} services, {row['locations']} locations", flush=True)
    print(f"\n{args.db}, median of {args.runs}:")
    print(f"{'builder':<24}{'build s':>9}{'peak MB':>9}{'after MB':>10}")
    for which, label in (("base", "baseline checkout"), ("old", "ORM objects (test copy)"),
                         ("core", "Core columns, GC on"), ("new", "Core columns, GC off")):
        rows = results[which]
        if not rows:
            continue
        print(f"{label:<24}{statistics.median(r['seconds'] for r in rows):>9.2f}"
              f"{statistics.median(r['peak_mb'] for r in rows):>9.0f}"
              f"{statistics.median(r['rss_after_mb'] for r in rows):>10.0f}")


if __name__ == "__main__":
    main()
