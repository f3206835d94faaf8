"""Benchmark: ``GET /api/v1/services`` in-process (Flask test client) on the full data.

500 varied, seeded queries: postcodes from the real PC4 list (some with letters), place
names (some with typos), points, the single free field, situations in resident words,
area codes and life events, with and without the independence filter.
Targets (issue 4): median <= 15 ms, p95 <= 40 ms.

    .venv/bin/python bench/bench_services.py [--n 500] [--seed 4]

The database is an SQLite file filled by ``flask import-all`` (incremental, so a second
run is quick). Set LOKETWIJZER_BENCH_DB=/path/to/file.db to reuse an existing database
as it is, without importing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_DB = REPO / "instance" / "bench_services.db"
TARGET_MEDIAN_MS, TARGET_P95_MS = 15.0, 40.0

SITUATIONS = [
    "ik heb een huurachterstand", "de deurwaarder staat voor de deur",
    "ik moet mijn zorgtoeslag terugbetalen", "mijn uitkering is gestopt",
    "ik ben ontslagen", "mijn huisbaas doet niks aan de schimmel", "we gaan scheiden",
    "mijn vader is overleden en er zijn schulden", "ik snap de brief van de belastingdienst niet",
    "ik heb een boete van het CJIB", "mijn verblijfsvergunning wordt niet verlengd",
    "ik word gediscrimineerd op mijn werk", "mijn man slaat me",
    "ik krijg geen antwoord van de gemeente", "mijn studiefinanciering is gestopt",
    "ik heb geen DigiD en snap de formulieren niet", "ik kan de energierekening niet betalen",
    "mijn bijstand is gekort", "ik heb een ongeluk gehad en wil schadevergoeding",
    "mijn bewindvoerder reageert niet", "ik ben zzp'er en heb schulden",
    "ik word uit huis gezet", "de incasso blijft maar bellen", "kinderopvangtoeslag herstel",
    "I lost my job", "my landlord wants me out", "problemen met mijn telefoonabonnement",
    "ik heb hulp nodig bij de wmo aanvraag", "beslag op mijn loon", "ik word 18",
]
PLACES = [
    "Amsterdam", "Rotterdam", "Den Haag", "Gravenhage", "Utrecht", "Eindhoven", "Groningen",
    "Tilburg", "Almere", "Breda", "Nijmegen", "Den Bosch", "'s-Hertogenbosch", "Arnhem",
    "Haarlem", "Enschede", "Apeldoorn", "Zwolle", "Leiden", "Maastricht", "Dordrecht",
    "Zoetermeer", "Deventer", "Delft", "Alkmaar", "Heerlen", "Venlo", "Leeuwarden",
    "Hengelo", "Amersfoort", "Emmen", "Assen", "Middelburg", "Lelystad", "Zaandam",
    "Hilversum", "Roermond", "Oss", "Ede", "Gouda", "Sneek", "Hoorn", "Purmerend",
]
LIFE_EVENTS = ["geldzorgen", "baan_verliezen", "scheiden", "overlijden", "verhuizen",
               "dakloos_worden", "ziek_worden", "nieuw_in_nederland"]
AREAS = ["schulden", "toeslagen", "uitkering", "werk", "wonen", "familie", "consument",
         "zorg", "belastingen", "vreemdelingen", "discriminatie", "overheid", "geweld",
         "administratie"]


def prepare_db() -> str:
    """The SQLite URL of a database with the full data (imported or reused)."""
    given = os.environ.get("LOKETWIJZER_BENCH_DB")
    if given and Path(given).exists():
        print(f"reusing {given} (LOKETWIJZER_BENCH_DB)")
        return f"sqlite:///{Path(given).resolve()}"
    path = Path(given).resolve() if given else DEFAULT_DB
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    flask = REPO / ".venv" / "bin" / "flask"
    started = time.perf_counter()
    proc = subprocess.run(
        [str(flask) if flask.exists() else "flask", "--app", "webapp", "import-all",
         "--no-progress"],
        cwd=REPO, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(proc.stdout, proc.stderr, sep="\n")
        raise SystemExit(f"import-all failed with exit code {proc.returncode}")
    print(f"import-all into {path}: {time.perf_counter() - started:.1f} s "
          f"(exit {proc.returncode})")
    return url


def typo(rng: random.Random, word: str) -> str:
    """One deletion, swap or doubled letter somewhere after the first letter."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("delete", "swap", "double"))
    if kind == "delete":
        return word[:i] + word[i + 1:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i] + word[i:]


def sample_queries(url: str, n: int, seed: int) -> list[dict[str, str]]:
    """Seeded, varied query parameter sets for /api/v1/services."""
    from sqlalchemy import select

    from loketwijzer.db import Database
    from loketwijzer.models import Pc4Area

    db = Database(url)
    with db.session() as session:
        pc4 = [(c, lat, lon) for c, lat, lon in session.execute(
            select(Pc4Area.code, Pc4Area.lat, Pc4Area.lon).order_by(Pc4Area.code))]
    db.dispose()
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        params: dict[str, str] = {}
        where = rng.random()
        code, lat, lon = rng.choice(pc4)
        if where < 0.35:
            params["postcode"] = code if rng.random() < 0.5 else \
                f"{code} {rng.choice('ABCDEFGHJKLMNPRTVWXZ')}{rng.choice('ABCDEFGHJKLMNPRTVWXZ')}"
        elif where < 0.60:
            place = rng.choice(PLACES)
            params["place"] = typo(rng, place) if rng.random() < 0.3 else place
        elif where < 0.70:
            params["lat"], params["lon"] = f"{lat + rng.uniform(-0.01, 0.01):.5f}", \
                f"{lon + rng.uniform(-0.01, 0.01):.5f}"
        elif where < 0.95:
            params["text"] = rng.choice([code, rng.choice(PLACES).lower(),
                                         typo(rng, rng.choice(PLACES))])
        what = rng.random()
        if what < 0.6:
            params["q"] = rng.choice(SITUATIONS)
        elif what < 0.85:
            params["areas"] = ",".join(rng.sample(AREAS, rng.randint(1, 3)))
        else:
            params["life_event"] = rng.choice(LIFE_EVENTS)
        if rng.random() < 0.2:
            params["independent"] = "true"
        if rng.random() < 0.3:
            params["limit"] = str(rng.choice((5, 10, 50)))
        out.append(params)
    return out


def index_build_times(url: str) -> dict[str, float]:
    """Milliseconds to load the gazetteer, build the geocoder's name index and the finder
    index (each happens once per process and data version)."""
    from geo.gazetteer import Gazetteer
    from geo.geocode import build_index
    from loketwijzer.db import Database
    from loketwijzer.finder_index import build_index as build_finder_index
    from loketwijzer.finder_index import data_version

    db = Database(url)
    out = {}
    with db.session() as session:
        started = time.perf_counter()
        gaz = Gazetteer.from_session(session, with_boundaries=True)
        out["gazetteer load"] = (time.perf_counter() - started) * 1000
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            build_index(gaz)
            runs.append((time.perf_counter() - started) * 1000)
        out["geocoder name index (median of 5)"] = statistics.median(runs)
        started = time.perf_counter()
        build_finder_index(session, data_version(session))
        out["finder index incl. gazetteer"] = (time.perf_counter() - started) * 1000
    db.dispose()
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    url = prepare_db()
    queries = sample_queries(url, args.n, args.seed)

    from loketwijzer.config import Settings
    from webapp import create_app

    app = create_app(Settings(database_url=url, sources_dir=None))
    client = app.test_client()
    started = time.perf_counter()
    first = client.get("/api/v1/services?postcode=3511&q=huurachterstand")
    cold_ms = (time.perf_counter() - started) * 1000
    assert first.status_code == 200, first.get_json()
    for params in queries[:20]:  # warm the caches (matcher, fuzzy index) like a live server
        client.get(f"/api/v1/services?{urlencode(params)}")

    times: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    results = 0
    for params in queries:
        started = time.perf_counter()
        response = client.get(f"/api/v1/services?{urlencode(params)}")
        times.append((time.perf_counter() - started) * 1000)
        statuses[response.status_code] += 1
        body = response.get_json()
        if response.status_code == 200:
            results += len(body["results"])
        else:
            errors[body["error"]["code"]] += 1

    median, p95 = statistics.median(times), percentile(times, 95)
    for name, ms in index_build_times(url).items():
        print(f"build {name}: {ms:.0f} ms" + ("   (target < 300 ms)" if "name index" in name
                                             else ""))
    print(f"first request (builds the index, loads the matcher): {cold_ms:.0f} ms")
    print(f"/api/v1/services, {len(times)} queries (seed {args.seed}), in-process test client:")
    print(f"  median {median:.2f} ms   (target <= {TARGET_MEDIAN_MS:.0f} ms: "
          f"{'met' if median <= TARGET_MEDIAN_MS else 'NOT met'})")
    print(f"  p95    {p95:.2f} ms   (target <= {TARGET_P95_MS:.0f} ms: "
          f"{'met' if p95 <= TARGET_P95_MS else 'NOT met'})")
    print(f"  p99    {percentile(times, 99):.2f} ms   max {max(times):.2f} ms   "
          f"mean {statistics.fmean(times):.2f} ms")
    print(f"  status {dict(sorted(statuses.items()))}; 400 codes {dict(errors.most_common())}")
    print(f"  results per 200 answer: {results / max(statuses[200], 1):.1f}")
    if statuses.get(500):
        raise SystemExit("server errors during the benchmark")


if __name__ == "__main__":
    main()
