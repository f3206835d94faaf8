"""Benchmark: server-side time of the full HTML pages, in-process (Flask test client).

``/zoek`` is the results page with list and Folium map (target issue 4: median <= 120 ms);
also ``/``, ``/dienst/<id>`` and the municipality page. Uses the same database and seeded
queries as bench_services.py.

    .venv/bin/python bench/bench_pages.py [--n 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_services import percentile, prepare_db, sample_queries  # noqa: E402

TARGET_ZOEK_MEDIAN_MS = 120.0


def timed_get(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - started) * 1000, response.status_code


def report(name: str, times: list[float], target: float | None = None) -> None:
    line = (f"{name:34s} n={len(times):4d}  median {statistics.median(times):7.1f} ms  "
            f"p95 {percentile(times, 95):7.1f} ms")
    if target is not None:
        line += f"  (target median <= {target:.0f} ms)"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    url = prepare_db()
    from loketwijzer.config import Settings
    from webapp import create_app

    app = create_app(Settings(database_url=url, sources_dir=None))
    client = app.test_client()
    client.get("/zoek?q=huurachterstand&postcode=3511")  # warm caches like a live server

    statuses: dict[int, int] = {}
    zoek, ids = [], []
    for params in sample_queries(url, args.n, args.seed):
        location = params.pop("postcode", None) or params.pop("place", None) \
            or params.pop("text", None)
        if location:
            params["postcode"] = location
        params.pop("lat", None)
        params.pop("lon", None)
        ms, status = timed_get(client, f"/zoek?{urlencode(params)}")
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            zoek.append(ms)
    api = client.get("/api/v1/services?postcode=3511&q=schulden&limit=30").get_json()
    ids = [r["id"] for r in api["results"]]

    print(f"/zoek status codes: {dict(sorted(statuses.items()))} "
          "(400 = a typo'd place that needs a choice: a helpful page, not an error)")
    report("/zoek (list + map), status 200", zoek, TARGET_ZOEK_MEDIAN_MS)
    report("/dienst/<id>", [timed_get(client, f"/dienst/{i}")[0] for i in ids])
    report("/dienst/<id>/print", [timed_get(client, f"/dienst/{i}/print")[0] for i in ids])
    report("/", [timed_get(client, "/")[0] for _ in range(30)])
    report("/gemeente/GM0363", [timed_get(client, "/gemeente/GM0363")[0] for _ in range(20)])


if __name__ == "__main__":
    main()
