"""Benchmark: stewardship on the full imported data (issue 10).

Figures: PATCH /api/v1/services/ID (median over runs), the first search after an edit (the
finder index rebuilds), the editor's start page for an admin (all records), and a
re-import of unchanged town halls with every town hall edited (the import guard).

    .venv/bin/python bench/bench_stewardship.py [--runs 21]

Imports the mirror (``LOKETWIJZER_SOURCES`` or ../shared/data) into a temporary SQLite
file first; nothing is written elsewhere.
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

from sqlalchemy import select  # noqa: E402

from loketwijzer.config import Settings  # noqa: E402
from loketwijzer.db import Database  # noqa: E402
from loketwijzer.models import Service  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'bench.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([str(REPO / ".venv" / "bin" / "flask"), "--app", "webapp", "import-all",
                    "--no-progress"], check=True, env=env, cwd=REPO, capture_output=True)
    from loketwijzer.actions import accounts, editing, freshness
    from loketwijzer.auth import SYSTEM
    from webapp import create_app

    db = Database(url)
    with db.session() as session:
        accounts.create_user(session, SYSTEM, "admin@bench.nl", "admin")
        token = accounts.issue_token(session, SYSTEM, "admin@bench.nl")
        halls = list(session.scalars(select(Service.id).where(
            Service.provider_type == "gemeente", Service.status == "active")))
    app = create_app(Settings(database_url=url), SECRET_KEY="bench")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/services?postcode=3511&q=schulden")  # warm the finder index

    times = []
    for i in range(args.runs):
        started = time.perf_counter()
        response = client.patch(f"/api/v1/services/{halls[i]}", headers=auth,
                                json={"phone": f"030 000 {i:04d}"})
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_json()
    print(f"PATCH /api/v1/services/ID: median {ms(statistics.median(times))}, "
          f"max {ms(max(times))} ({args.runs} runs)")
    started = time.perf_counter()
    client.get("/api/v1/services?postcode=3511&q=schulden")
    print(f"first search after an edit (index rebuild): {ms(time.perf_counter() - started)}")

    with db.session() as session:
        admin = accounts.actor_for(accounts.find_user(session, "admin@bench.nl"))
        started = time.perf_counter()
        rows = freshness.start_page(session, admin)
        print(f"start page for an admin ({len(rows)} rows shown): "
              f"{ms(time.perf_counter() - started)}")
        started = time.perf_counter()
        for sid in halls:
            editing.edit_service(session, admin, sid, {"notes": "Bench"})
        print(f"edited all {len(halls)} town halls: {ms(time.perf_counter() - started)}")

    started = time.perf_counter()
    out = subprocess.run([str(REPO / ".venv" / "bin" / "flask"), "--app", "webapp",
                          "import-all", "--no-progress"], check=True, env=env, cwd=REPO,
                         capture_output=True, text=True).stdout
    print(f"import-all again, unchanged sources, {len(halls)} edited records: "
          f"{time.perf_counter() - started:.2f} s (process included)")
    print("  " + next(line for line in out.splitlines() if line.startswith("town-halls")))
    db.dispose()
    app.extensions["loketwijzer_db"].dispose()


if __name__ == "__main__":
    main()
