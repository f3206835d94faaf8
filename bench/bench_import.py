"""Benchmark: ``flask --app webapp import-all`` from an empty database, SQLite and PostgreSQL.

Targets (issue 2): under 20 s on SQLite, under 40 s on PostgreSQL; afterwards 342
municipalities, 4,064+ PC4 areas, 342 municipal counters, every town hall geocoded.

    .venv/bin/python bench/bench_import.py [--pg-url URL]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from loketwijzer.db import Database  # noqa: E402
from loketwijzer.models import (  # noqa: E402
    Location,
    Municipality,
    Pc4Area,
    Place,
    Service,
)


def run_import_all(url: str) -> float:
    env = {**os.environ, "DATABASE_URL": url}
    flask = REPO / ".venv" / "bin" / "flask"
    cmd = [str(flask) if flask.exists() else "flask", "--app", "webapp", "import-all",
           "--no-progress"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        print(proc.stdout, proc.stderr, sep="\n")
        raise SystemExit(f"import-all failed with exit code {proc.returncode}")
    print(proc.stdout.rstrip())
    return elapsed


def figures(url: str) -> dict[str, int]:
    db = Database(url)
    with db.session() as s:
        counters = select(Service.id).where(Service.provider_type == "gemeente")
        out = {
            "municipalities": s.scalar(select(func.count()).select_from(Municipality)),
            "pc4_areas": s.scalar(select(func.count()).select_from(Pc4Area)),
            "places": s.scalar(select(func.count()).select_from(Place)),
            "municipal_counters": s.scalar(select(func.count()).select_from(counters.subquery())),
            "town_halls_with_register_point": s.scalar(
                select(func.count()).select_from(Location).where(
                    Location.source == "roo-gemeenten", Location.point_precision == "address")
            ),
            "services_total": s.scalar(select(func.count()).select_from(Service)),
        }
    db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg-url", default=os.environ.get(
        "LOKETWIJZER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seconds = run_import_all(url)
        print(f"import-all SQLite (empty db): {seconds:.2f} s  (target < 20 s)")
        for key, value in figures(url).items():
            print(f"  {key:32s} {value}")
        seconds = run_import_all(url)
        print(f"import-all SQLite (re-run, nothing changed): {seconds:.2f} s")

    if args.skip_pg:
        return
    schema = f"lw_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # not reachable: say so, don't fail the SQLite figures
        print(f"PostgreSQL not reachable ({str(exc).splitlines()[0]}); skipped")
        return
    try:
        sep = "&" if "?" in args.pg_url else "?"
        url = f"{args.pg_url}{sep}options=-csearch_path%3D{schema}"
        seconds = run_import_all(url)
        print(f"import-all PostgreSQL (empty schema): {seconds:.2f} s  (target < 40 s)")
        for key, value in figures(url).items():
            print(f"  {key:32s} {value}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
