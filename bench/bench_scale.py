"""Benchmark: national scale (issue 13) — the same figures at 1× and N× side by side.

1× is the mirror (``flask import-all``, about 600 services plus town halls). N× adds
N × 600 synthetic services (``bench/gen_national.py``: one sociale-kaart CSV per
municipality, spread by population over real PC4 points), imported one file at a time with
the ``import csv`` code path (``run_import`` in one process, so 342 CLI start-ups do not
dominate the import figure).

Per data size a separate worker process holds the Flask app (in-process test client);
the parent sends the same queries to all workers interleaved (round-robin, order shuffled
per query), so machine noise hits every size alike. Per size it prints:

* ``/api/v1/services`` median / p95 and ``/zoek`` median (in-process, ms);
* the first request after start (index build, matcher load);
* the worker's resident memory (VmRSS) after the queries;
* the national audit (``audit_national`` from a cold process: frames + compute), its wall
  time and the process's peak RSS (``ru_maxrss``);
* the import time of the synthetic files.

    .venv/bin/python bench/bench_scale.py --factors 1,10 [--n 200] [--work /tmp/scale]
        [--baseline /tmp/base]   # also measure another checkout's code, interleaved

SQLite only (the databases are files under ``--work``). Figures depend on the machine and
on other load: compare columns of one run, not runs of different days.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
# The code under test: this checkout, or (child processes of --baseline) another one.
CODE = Path(os.environ.get("BENCH_CODE") or REPO).resolve()
sys.path.insert(0, str(REPO))
if CODE != REPO:
    sys.path.insert(0, str(CODE))
sys.path.insert(0, str(REPO / "bench"))

from bench_services import percentile, sample_queries  # noqa: E402

if CODE != REPO:  # bench_services puts this checkout first again: the code under test wins
    sys.path.insert(0, str(CODE))

BASELINE_SERVICES = 600  # as gen_national.BASELINE_SERVICES (imported lazily: it loads the
# project's packages, which in a --baseline child must come from the other checkout)
PY = sys.executable


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- child modes

def worker(url: str) -> None:
    """Answer GET paths from stdin (one JSON line each) with their wall time."""
    from loketwijzer.config import Settings
    from webapp import create_app

    app = create_app(Settings(database_url=url, sources_dir=None))
    client = app.test_client()
    started = time.perf_counter()
    first = client.get("/api/v1/services?postcode=3511&q=huurachterstand")
    first_ms = (time.perf_counter() - started) * 1000
    print(json.dumps({"first_ms": first_ms, "status": first.status_code}), flush=True)
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("rss"):
            print(json.dumps({"rss_mb": rss_mb(), "peak_mb": peak_mb()}), flush=True)
            continue
        started = time.perf_counter()
        response = client.get(msg["path"])
        ms = (time.perf_counter() - started) * 1000
        print(json.dumps({"ms": ms, "status": response.status_code}), flush=True)


def audit_child(url: str) -> None:
    from loketwijzer.actions import audit
    from loketwijzer.db import Database
    from loketwijzer.taxonomy import area_codes, life_events

    db = Database(url)
    area_codes()
    life_events()
    base = rss_mb()
    with db.session() as session:
        started = time.perf_counter()
        result = audit.audit_national(session)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb(), "base_mb": base,
                      "keys": len(result)}))


def import_child(url: str, folder: str) -> None:
    from importers.pipeline import run_import
    from importers.registry import format_providers
    from loketwijzer.config import Settings
    from loketwijzer.db import Database

    provider_cls = format_providers()["csv"]
    settings = Settings(database_url=url, sources_dir=None)
    db = Database(url)
    files = sorted(Path(folder).glob("*.csv"))
    started = time.perf_counter()
    rejected = failed = 0
    problems = []
    for path in files:
        report = run_import(provider_cls(path, settings=settings), db, show_progress=False)
        if report.exit_code != 0:
            failed += 1
            problems.append(f"{path.name}: {report.summary()[:300]}")
        rejected += report.rejected_rows
    for line in problems:
        print(line, file=sys.stderr)
    print(json.dumps({"seconds": time.perf_counter() - started, "files": len(files),
                      "failed_files": failed, "rejected": rejected, "problems": problems}))


# ----------------------------------------------------------------------------- parent

def child_env(code: Path) -> dict[str, str]:
    return {**os.environ, "BENCH_CODE": str(code)}


def run_child(*args: str, code: Path = REPO) -> dict:
    proc = subprocess.run([PY, __file__, *args], cwd=code, capture_output=True, text=True,
                          env=child_env(code))
    if proc.returncode:
        print(proc.stdout[-2000:], proc.stderr[-4000:], sep="\n")
        raise SystemExit(f"child {args[0]} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def prepare(work: Path, factors: list[int], seed: int) -> tuple[dict[int, str], dict[int, dict]]:
    from gen_national import generate
    base = work / "scale_1x.db"
    if not base.exists():
        flask = REPO / ".venv" / "bin" / "flask"
        proc = subprocess.run(
            [str(flask) if flask.exists() else "flask", "--app", "webapp", "import-all",
             "--no-progress"], cwd=REPO, capture_output=True, text=True,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{base}"})
        if proc.returncode not in (0, 1):
            print(proc.stdout, proc.stderr, sep="\n")
            raise SystemExit("import-all failed")
    urls, imports = {}, {}
    for f in factors:
        if f == 1:
            urls[f] = f"sqlite:///{base}"
            continue
        db = work / f"scale_{f}x.db"
        folder = work / f"csv_{f}x"
        if not db.exists():
            shutil.rmtree(folder, ignore_errors=True)
            generate(folder, f * BASELINE_SERVICES, seed=seed)
            tmp = db.with_suffix(".tmp")
            shutil.copy(base, tmp)
            imports[f] = run_child("--import", f"sqlite:///{tmp}", str(folder))
            tmp.rename(db)
        urls[f] = f"sqlite:///{db}"
    return urls, imports


class Worker:
    def __init__(self, url: str, code: Path = REPO) -> None:
        self.proc = subprocess.Popen([PY, __file__, "--worker", url], cwd=code, text=True,
                                     env=child_env(code),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.hello = self._read()

    def _read(self) -> dict:
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("worker died")
            if line.startswith("{"):
                return json.loads(line)

    def ask(self, msg: dict) -> dict:
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def zoek_params(params: dict[str, str]) -> dict[str, str]:
    params = dict(params)
    location = params.pop("postcode", None) or params.pop("place", None) \
        or params.pop("text", None)
    params.pop("lat", None)
    params.pop("lon", None)
    if location:
        params["postcode"] = location
    return params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", default="1,10")
    parser.add_argument("--n", type=int, default=200, help="API queries (and n/2 /zoek)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for databases and CSV files (kept; reused if present)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout (e.g. `git worktree add /tmp/base main`): "
                             "its code is measured in extra columns, interleaved")
    parser.add_argument("--worker")
    parser.add_argument("--audit")
    parser.add_argument("--import", dest="import_", nargs=2)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)
    if args.audit:
        return audit_child(args.audit)
    if args.import_:
        return import_child(*args.import_)

    factors = [int(f) for f in args.factors.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {work}")
    urls, imports = prepare(work, factors, args.seed)

    rng = random.Random(args.seed)
    queries = sample_queries(urls[factors[0]], args.n, args.seed)
    # Columns: each size with this code, and with the baseline code when given.
    codes = [("", REPO)] + ([(" base", args.baseline.resolve())] if args.baseline else [])
    cols = [(f"{f}×{tag}", f, code) for tag, code in codes for f in factors]
    keys = [c[0] for c in cols]
    workers = {k: Worker(urls[f], code) for k, f, code in cols}
    first_req = {k: w.hello["first_ms"] for k, w in workers.items()}
    warm = [f"/api/v1/services?{urlencode(q)}" for q in queries[:10]] + \
        [f"/zoek?{urlencode(zoek_params(q))}" for q in queries[:3]]
    for path in warm:
        for w in workers.values():
            w.ask({"path": path})
    api: dict[str, list[float]] = {k: [] for k in keys}
    zoek: dict[str, list[float]] = {k: [] for k in keys}
    bad: dict[str, int] = {k: 0 for k in keys}
    for i, q in enumerate(queries):
        paths = [("api", f"/api/v1/services?{urlencode(q)}")]
        if i % 2 == 0:
            paths.append(("zoek", f"/zoek?{urlencode(zoek_params(q))}"))
        for kind, path in paths:
            order = list(keys)
            rng.shuffle(order)
            for k in order:
                r = workers[k].ask({"path": path})
                if r["status"] >= 500:
                    bad[k] += 1
                if r["status"] == 200:
                    (api if kind == "api" else zoek)[k].append(r["ms"])
    mem = {k: w.ask({"rss": True}) for k, w in workers.items()}
    for w in workers.values():
        w.close()
    audits = {}
    for k, f, code in sorted(cols, key=lambda c: c[1]):  # sizes side by side in time
        audits[k] = run_child("--audit", urls[f], code=code)

    def row(name: str, fn) -> None:
        print(f"| {name} | " + " | ".join(fn(k) for k in keys) + " |")

    print()
    print("| | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    row("`/api/v1/services` median / p95, in-process",
        lambda k: f"{statistics.median(api[k]):.1f} / {percentile(api[k], 95):.1f} ms")
    row("`/zoek` median / p95", lambda k: f"{statistics.median(zoek[k]):.1f} / "
                                         f"{percentile(zoek[k], 95):.1f} ms")
    row("first request after start (index build)", lambda k: f"{first_req[k] / 1000:.2f} s")
    row("worker RSS after the queries / peak",
        lambda k: f"{mem[k]['rss_mb']:.0f} / {mem[k]['peak_mb']:.0f} MB")
    row("national audit (cold process), peak RSS",
        lambda k: f"{audits[k]['seconds']:.1f} s, {audits[k]['peak_mb']:.0f} MB")
    sizes = {k: f for k, f, _code in cols}
    row("import of the synthetic files", lambda k: (
        f"{imports[sizes[k]]['seconds']:.0f} s ({sizes[k] * BASELINE_SERVICES} services, "
        f"{imports[sizes[k]]['files']} files, {imports[sizes[k]]['failed_files']} failed)"
        if sizes[k] in imports else ("–" if sizes[k] == 1 else "reused")))
    for f, result in imports.items():
        for line in result.get("problems", []):
            print(f"import problem at {f}×: {line}")
    print(f"\nqueries: {len(queries)} API, {len(zoek[keys[0]])} /zoek (status 200 counted); "
          f"5xx: {bad}")
    if any(bad.values()):
        raise SystemExit("server errors during the benchmark")


if __name__ == "__main__":
    main()
