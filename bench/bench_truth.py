"""Benchmark (issue 8): is what the finder lists something a resident can act on?

24 realistic searches (postcode + a situation in resident words, with the resident's age)
over varied municipalities, through ``GET /api/v1/services`` (Flask test client) on the
real mirror data. Prints:

- the share of top-5 results that are reachable (phone, website or an exact address);
- the number of ineligible results in the top 10, judged straight from the source CSV
  (``independent_help_nl.csv``), not from Loketwijzer's own rule: an ended (``beeindigd``)
  or referral (``verwijzing``) row ranked, residents-only help listed for someone from
  another municipality, or help outside the resident's age;
- for the first six searches (the ones of issue 8): listed places without phone or website.

    .venv/bin/python bench/bench_truth.py [--db instance/bench_truth.db]

The database is an SQLite file filled by ``flask import-all`` (incremental); set
LOKETWIJZER_BENCH_DB to reuse an existing database as it is.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_DB = REPO / "instance" / "bench_truth.db"
TOP = 5
DEPTH = 10
ADULT = 35

# (postcode, situation, age): the first six are the searches of issue 8.
SEARCHES = [
    ("3531", "ik moet mijn toeslagen terugbetalen", ADULT),
    ("5051", "ik krijg mijn post en administratie niet op orde", ADULT),
    ("5504", "ik heb schulden en kan de rekeningen niet betalen", ADULT),
    ("1091", "ik heb een juridisch probleem en wil advies", ADULT),
    ("2514", "ik ben ontslagen door mijn werkgever", ADULT),
    ("3021", "ik heb boetes van het CJIB die ik niet kan betalen", ADULT),
    ("1811", "mijn uitkering is gestopt", ADULT),
    ("1851", "ik heb schulden", ADULT),
    ("7511", "ik snap de brief van de belastingdienst niet", ADULT),
    ("7551", "ik snap de brief van de belastingdienst niet", ADULT),
    ("6211", "ik heb een huurachterstand", ADULT),
    ("6231", "ik heb een huurachterstand", ADULT),
    ("9711", "mijn huisbaas doet niks aan de schimmel", ADULT),
    ("8911", "mijn huisbaas wil de huur verhogen", ADULT),
    ("1315", "ik heb hulp nodig bij formulieren van de gemeente", ADULT),
    ("8232", "ik heb hulp nodig bij formulieren van de gemeente", ADULT),
    ("2611", "ik word gediscrimineerd op mijn werk", ADULT),
    ("6511", "we gaan scheiden en ruzien over de kinderen", ADULT),
    ("4811", "de deurwaarder staat voor de deur", ADULT),
    ("2311", "mijn verblijfsvergunning wordt niet verlengd", ADULT),
    ("7411", "er ligt beslag op mijn loon", ADULT),
    ("5611", "ik heb schulden", 17),
    ("2711", "ik heb een huurachterstand", ADULT),
    ("2513", "mijn school wil me schorsen", 16),
]


def prepare_db(given: str | None) -> str:
    env = os.environ.get("LOKETWIJZER_BENCH_DB")
    if env and Path(env).exists():
        print(f"reusing {env} (LOKETWIJZER_BENCH_DB)")
        return f"sqlite:///{Path(env).resolve()}"
    path = Path(given).resolve() if given else DEFAULT_DB
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    flask = REPO / ".venv" / "bin" / "flask"
    started = time.perf_counter()
    env_vars = {**os.environ, "DATABASE_URL": url}
    env_vars.setdefault("LOKETWIJZER_SOURCES", str((REPO / ".." / "shared" / "data").resolve()))
    proc = subprocess.run(
        [str(flask) if flask.exists() else "flask", "--app", "webapp", "import-all",
         "--no-progress"], cwd=REPO, env=env_vars, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(proc.stdout, proc.stderr, sep="\n")
        raise SystemExit(f"import-all failed with exit code {proc.returncode}")
    print(f"import-all into {path}: {time.perf_counter() - started:.1f} s "
          f"(exit {proc.returncode})")
    return url


def source_rows(sources: Path) -> dict[str, dict[str, str]]:
    """The help list's rows by the service id the importer gives them."""
    from loketwijzer.models import stable_id

    path = sources / "services" / "independent_help_nl.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {stable_id("independent-help-nl", "service", r["id"]): r
                for r in csv.DictReader(fh)}


def ineligible(row: dict[str, str] | None, municipality: str | None, age: int) -> str | None:
    """Why the source says this resident may not use this help (None: no objection)."""
    if row is None:
        return None
    status = (row.get("status") or "").strip()
    if status in {"beeindigd", "verwijzing"}:
        return f"status {status}"
    serves = {c.strip() for c in (row.get("serves") or "").split(";") if c.strip()}
    if (row.get("residents_only") or "").strip() == "ja" and serves and "NL" not in serves \
            and municipality not in serves:
        return "residents only elsewhere"
    lo, hi = (row.get("min_age") or "").strip(), (row.get("max_age") or "").strip()
    if (lo and age < int(lo)) or (hi and age > int(hi)):
        return f"age {lo or 0}-{hi or '∞'}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    sources = Path(os.environ.get("LOKETWIJZER_SOURCES")
                   or (REPO / ".." / "shared" / "data")).resolve()
    url = prepare_db(args.db)
    rows = source_rows(sources)

    from loketwijzer.config import Settings
    from webapp import create_app

    app = create_app(Settings(database_url=url, sources_dir=None))
    client = app.test_client()
    top_total = top_reachable = bad_total = 0
    six_listed = six_unreachable = 0
    for n, (postcode, q, age) in enumerate(SEARCHES):
        params = {"postcode": postcode, "q": q, "age": str(age), "limit": "20"}
        resp = client.get(f"/api/v1/services?{urlencode(params)}")
        if resp.status_code != 200:
            print(f"{postcode} {q!r}: HTTP {resp.status_code} {resp.get_json()}")
            continue
        data = resp.get_json()
        muni = ((data.get("origin") or {}).get("municipality") or {}).get("code")
        results = data["results"]
        top = results[:TOP]
        reach = [bool(r.get("phone") or r.get("website") or r.get("address")) for r in top]
        top_total += len(top)
        top_reachable += sum(reach)
        bad = [(r["name"], why) for r in results[:DEPTH]
               if (why := ineligible(rows.get(r["id"]), muni, age))]
        bad_total += len(bad)
        if n < 6:
            six_listed += len(results)
            six_unreachable += sum(1 for r in results if not (r.get("phone") or r.get("website")))
        print(f"{postcode} {muni or '?':6} age {age:2} {q[:44]:44} top{TOP} reachable "
              f"{sum(reach)}/{len(top)}  ineligible in top{DEPTH}: {len(bad)}")
        for name, why in bad:
            print(f"      ineligible: {name} ({why})")
        if args.verbose:
            for r in results[:TOP]:
                ok = r.get("phone") or r.get("website") or r.get("address")
                print(f"      - {r['name']} | {r.get('distance_km')} | "
                      f"{'reach' if ok else 'NO CONTACT'}")
    share = top_reachable / top_total if top_total else 0.0
    print()
    print(f"searches: {len(SEARCHES)}")
    print(f"top-{TOP} results reachable (phone, website or address): "
          f"{top_reachable}/{top_total} = {share:.0%}")
    print(f"ineligible results in the top {DEPTH} (per the source CSV): {bad_total}")
    print(f"first six searches: {six_unreachable} of {six_listed} listed results without "
          f"phone or website")


if __name__ == "__main__":
    main()
