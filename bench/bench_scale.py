"""Benchmark: national scale (issue 13) — the same figures at 1× and N× side by side,
on SQLite and (``--db sqlite,postgresql``) PostgreSQL in one run.

1× is the mirror (``flask import-all``, about 600 services plus town halls). N× adds
N × 600 synthetic services (``bench/gen_national.py``: one sociale-kaart CSV per
municipality, spread by population over real PC4 points), imported one file at a time in
one process, as ``flask import csv FOLDER`` does (``run_import`` per file, each file its
own transaction).

Databases are kept and reused: SQLite files ``scale_<N>x.db`` under ``--work``, PostgreSQL
databases ``lw_scale_<N>x`` on ``--pg-url`` (1×: ``import-all`` into a fresh database; N×: a
copy of 1× via ``CREATE DATABASE … TEMPLATE``, then the CSV files). Both are built under a
temporary name and renamed when complete, so a half-built database is never reused.

Per column (data size × database) a separate worker process holds the Flask app
(in-process test client, configured as gunicorn's workers are: ``warmup.serving``); the
parent sends the same queries to all workers interleaved
(round-robin, order shuffled per query), so machine noise hits every column alike. Per
column it prints:

* ``/api/v1/services`` median / p95 and ``/zoek`` median (in-process, ms);
* the first request after start in-process (index from the snapshot when one matches the
  data, else built; matcher load), and which of the two it was;
* the worker's resident memory (VmRSS) after the queries;
* the national audit (``audit_national`` from a cold process: frames + compute), its wall
  time and the process's peak RSS (``ru_maxrss``);
* the import time of the synthetic files (on PostgreSQL also of ``import-all``), kept in
  ``--work``/bench_scale_imports.json so a reused database still shows the time it took;
* latency over HTTP (unless ``--no-http``): per column a gunicorn server with
  ``gunicorn.conf.py`` and 2 workers, started alone (launch to first search answered,
  master and worker memory), then all servers asked the same API and /zoek paths one by
  one, the servers' order shuffled per path (medians and p95);
* throughput over HTTP (unless ``--throughput-seconds 0``): the app under gunicorn with
  ``gunicorn.conf.py`` and 2 workers, loaded by ``--clients`` processes with keep-alive
  ``http.client`` connections cycling over the API URLs for ``--throughput-seconds``;
  the same for a bare Flask endpoint (``bench/bench_bare_app.py``, same gunicorn
  settings, measured before and after the app columns), and the ratio app ÷ bare (issue
  13 goal: ≥ 0.3 at 1×, ≥ 0.2 at 100×), plus the largest worker's RSS after the load.
  Both servers run with ``LOG_LEVEL=warning`` (no log line per request).

    .venv/bin/python bench/bench_scale.py --factors 1,10 [--n 200] [--work /tmp/scale]
        [--db sqlite,postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432]
        [--throughput-seconds 15] [--clients 4]
        [--baseline /tmp/base]   # also measure another checkout's code, interleaved

The child modes measure one thing in a fresh process, e.g. the audit alone:
``bench/bench_scale.py --audit sqlite:////work/scale/scale_100x.db`` (prints seconds and
peak MB as JSON). Figures depend on the machine and on other load: compare columns of one
run, not runs of different days.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import resource
import shutil
import socket
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
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"
DB_LABELS = {"sqlite": "SQLite", "postgresql": "PG"}
DB_NAMES = {"pg": "postgresql", "postgres": "postgresql"}
GUNICORN_WORKERS = 2
#: HTTP latency: requests per server before the measured ones, and the pause after a
#: server's first answer before its memory is read (its other workers load meanwhile).
HTTP_WARM_UP = 20
HTTP_SETTLE_S = 3.0
THROUGHPUT_WARM_UP_S = 3.0
BARE_PATH = "/ping"  # bench/bench_bare_app.py
IMPORTS_RECORD = "bench_scale_imports.json"  # in --work: import times of built databases


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- child modes

def worker(url: str) -> None:
    """Answer GET paths from stdin (one JSON line each) with their wall time, configured
    as a served worker is (``warmup.serving``: background rebuilds, the index frozen out
    of the garbage collector, buffered search counters)."""
    import logging

    from loketwijzer.config import Settings
    from webapp import create_app, warmup

    class Heard(logging.Handler):  # did the first request load a snapshot or build?
        loaded = False

        def emit(self, record: logging.LogRecord) -> None:
            Heard.loaded |= "loaded from snapshot" in record.getMessage()

    index_log = logging.getLogger("loketwijzer.finder_index")
    index_log.addHandler(Heard())
    index_log.setLevel(logging.INFO)
    warmup.serving()
    app = create_app(Settings(database_url=url, sources_dir=None))
    client = app.test_client()
    started = time.perf_counter()
    first = client.get("/api/v1/services?postcode=3511&q=huurachterstand")
    first_ms = (time.perf_counter() - started) * 1000
    print(json.dumps({"first_ms": first_ms, "status": first.status_code,
                      "first_from": "snapshot" if Heard.loaded else "built"}), flush=True)
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


def flask_import_all(url: str) -> dict:
    """``flask import-all`` (the mirror) into ``url``; its wall time."""
    flask = REPO / ".venv" / "bin" / "flask"
    started = time.perf_counter()
    proc = subprocess.run(
        [str(flask) if flask.exists() else "flask", "--app", "webapp", "import-all",
         "--no-progress"], cwd=REPO, capture_output=True, text=True,
        env={**os.environ, "DATABASE_URL": url})
    if proc.returncode not in (0, 1):
        print(proc.stdout, proc.stderr, sep="\n")
        raise SystemExit("import-all failed")
    return {"seconds": time.perf_counter() - started, "exit": proc.returncode}


def complete(result: dict) -> dict:
    """An import child's result, or stop: a database with failed files is not kept."""
    if result.get("failed_files"):
        for line in result.get("problems", [])[:5]:
            print(line, file=sys.stderr)
        raise SystemExit(f"{result['failed_files']} files failed to import")
    return result


def upgrade_schema(url: str) -> None:
    """A reused database gets the current migrations (``flask init-db``), as ``make run``
    would give it."""
    flask = REPO / ".venv" / "bin" / "flask"
    proc = subprocess.run([str(flask) if flask.exists() else "flask", "--app", "webapp",
                           "init-db"], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url})
    if proc.returncode:
        print(proc.stdout, proc.stderr, sep="\n")
        raise SystemExit(f"init-db failed for {url}")


def csv_folder(work: Path, f: int, seed: int, fresh: bool) -> Path:
    """The synthetic CSV files of size ``f`` (generated when absent or ``fresh``)."""
    from gen_national import generate
    folder = work / f"csv_{f}x"
    if fresh or not any(folder.glob("*.csv")):
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, f * BASELINE_SERVICES, seed=seed)
    return folder


def prepare_sqlite(work: Path, factors: list[int], seed: int
                   ) -> tuple[dict[int, str], dict[int, dict]]:
    base = work / "scale_1x.db"
    if not base.exists():
        flask_import_all(f"sqlite:///{base}")
    upgrade_schema(f"sqlite:///{base}")  # before it is copied for the larger sizes
    urls, imports = {}, {}
    for f in factors:
        if f == 1:
            urls[f] = f"sqlite:///{base}"
            continue
        db = work / f"scale_{f}x.db"
        if not db.exists():
            folder = csv_folder(work, f, seed, fresh=True)
            tmp = db.with_suffix(".tmp")
            shutil.copy(base, tmp)
            imports[f] = complete(run_child("--import", f"sqlite:///{tmp}", str(folder)))
            tmp.rename(db)
        urls[f] = f"sqlite:///{db}"
    for url in urls.values():
        upgrade_schema(url)
    return urls, imports


class PgServer:
    """Databases on one PostgreSQL server (``CREATE DATABASE`` needs autocommit)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")  # SQLAlchemy form, without a database name

    def sqlalchemy_url(self, name: str) -> str:
        return f"{self.url}/{name}"

    def _run(self, *statements: str) -> list:
        import psycopg
        plain = self.url.replace("postgresql+psycopg://", "postgresql://", 1)
        out = []
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
            for sql in statements:
                cursor = conn.execute(sql)
                out.append(cursor.fetchall() if cursor.description else None)
        return out

    def exists(self, name: str) -> bool:
        return bool(self._run(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")[0])

    def create(self, name: str, template: str | None = None) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                  f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def rename(self, old: str, new: str) -> None:
        self._run(f'ALTER DATABASE "{old}" RENAME TO "{new}"')


def prepare_pg(server: PgServer, work: Path, factors: list[int], seed: int
               ) -> tuple[dict[int, str], dict[int, dict]]:
    """``lw_scale_<N>x`` per factor, built under ``…_tmp`` and renamed when complete."""
    base = "lw_scale_1x"
    imports: dict[int, dict] = {}
    if not server.exists(base):
        server.create(f"{base}_tmp")
        imports[1] = flask_import_all(server.sqlalchemy_url(f"{base}_tmp"))
        server.rename(f"{base}_tmp", base)
    upgrade_schema(server.sqlalchemy_url(base))  # before it is the template of the others
    urls = {}
    for f in factors:
        name = f"lw_scale_{f}x"
        if f != 1 and not server.exists(name):
            folder = csv_folder(work, f, seed, fresh=False)
            server.create(f"{name}_tmp", template=base)
            imports[f] = complete(run_child("--import", server.sqlalchemy_url(f"{name}_tmp"),
                                            str(folder)))
            server.rename(f"{name}_tmp", name)
        urls[f] = server.sqlalchemy_url(name)
    for url in urls.values():
        upgrade_schema(url)
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


# ----------------------------------------------------------------------------- throughput

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (gunicorn's workers)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


class Gunicorn:
    """gunicorn with 2 workers: the app with the project's ``gunicorn.conf.py``, or the
    bare Flask app with ``bench/bench_bare_gunicorn.py`` (the same settings)."""

    def __init__(self, url: str | None, code: Path = REPO) -> None:
        gunicorn = REPO / ".venv" / "bin" / "gunicorn"
        self.port = free_port()
        env = {**os.environ, "WEB_CONCURRENCY": str(GUNICORN_WORKERS),
               "LOKETWIJZER_BIND": f"127.0.0.1:{self.port}", "LOG_LEVEL": "warning"}
        if url:
            cmd = [str(gunicorn), "-c", str(code / "gunicorn.conf.py")]
            env["DATABASE_URL"] = url
        else:
            cmd = [str(gunicorn), "-c", str(REPO / "bench" / "bench_bare_gunicorn.py")]
            code = REPO / "bench"
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=code, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def wait_ready(self, path: str, timeout: float = 300.0) -> None:
        """Until ``path`` answers (the preloaded app warms up before the workers fork)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", path)
                if conn.getresponse().status < 500:
                    return
            except (OSError, http.client.HTTPException):
                time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer on {self.port}:\n{self.tail()}")

    def worker_rss_mb(self) -> float:
        return max((process_rss_mb(pid) for pid in children(self.proc.pid)),
                   default=float("nan"))

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read()[-3000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def _client(port: int, paths: list[str], seconds: float, offset: int, start, out) -> None:
    """One load client: keep-alive requests over ``paths`` for ``seconds`` (the sync
    workers close after each answer; http.client then reconnects by itself)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start.wait()
    done = non_2xx = errors = 0
    began = time.perf_counter()
    i = offset
    while time.perf_counter() - began < seconds:
        try:
            conn.request("GET", paths[i % len(paths)])
            response = conn.getresponse()
            response.read()
            done += 1
            non_2xx += not 200 <= response.status < 300
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
        i += 1
    out.put({"requests": done, "non_2xx": non_2xx, "errors": errors,
             "seconds": time.perf_counter() - began})


def load(port: int, paths: list[str], seconds: float, clients: int) -> dict:
    """``clients`` processes at once; requests/s summed over the clients."""
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_client, args=(port, paths, seconds, k * 97, start, out))
             for k in range(clients)]
    for proc in procs:
        proc.start()
    time.sleep(0.2)
    start.set()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for proc in procs:
        proc.join()
    return {"rps": sum(r["requests"] / r["seconds"] for r in results),
            "requests": sum(r["requests"] for r in results),
            "non_2xx": sum(r["non_2xx"] for r in results),
            "errors": sum(r["errors"] for r in results)}


def throughput(url: str | None, paths: list[str], seconds: float, clients: int,
               code: Path = REPO) -> dict:
    """Serve (the app on ``url``, or the bare app when None), warm up, then load it."""
    server = Gunicorn(url, code)
    try:
        server.wait_ready(paths[0])
        load(server.port, paths, THROUGHPUT_WARM_UP_S, clients)
        result = load(server.port, paths, seconds, clients)
        result["worker_rss_mb"] = server.worker_rss_mb()
        if result["errors"] or "Traceback" in server.tail():
            print(f"gunicorn log ({url or 'bare'}):\n{server.tail()}")
    finally:
        server.stop()
    return result


def http_latency(cols: list[tuple[str, tuple[str, int], Path]], urls: dict, api_paths:
                 list[str], zoek_paths: list[str], seed: int) -> dict[str, dict]:
    """Per column a gunicorn server (``gunicorn.conf.py``, 2 workers), started one at a
    time (its launch-to-first-search time and memory measured alone), then all of them
    asked the same paths one by one over keep-alive connections, the order of the
    servers shuffled per path: what an outside check through HTTP sees."""
    servers: dict[str, Gunicorn] = {}
    out: dict[str, dict] = {}
    try:
        for k, at, code in cols:
            started = time.perf_counter()
            server = servers[k] = Gunicorn(urls[at], code)
            server.wait_ready(api_paths[0])
            out[k] = {"first_s": time.perf_counter() - started, "api": [], "zoek": [],
                      "bad": 0}
            time.sleep(HTTP_SETTLE_S)  # the other workers load their index meanwhile
            out[k]["master_mb"] = process_rss_mb(server.proc.pid)
        conns = {k: http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
                 for k, s in servers.items()}

        def get(k: str, path: str) -> tuple[float, int]:
            began = time.perf_counter()
            try:
                conns[k].request("GET", path)
                response = conns[k].getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conns[k].close()
                return float("nan"), 599
            return (time.perf_counter() - began) * 1000, response.status

        for path in api_paths[:HTTP_WARM_UP] + zoek_paths[:3]:
            for k in servers:
                get(k, path)
        rng = random.Random(seed)
        for kind, paths in (("api", api_paths), ("zoek", zoek_paths)):
            for path in paths:
                order = list(servers)
                rng.shuffle(order)
                for k in order:
                    ms, status = get(k, path)
                    out[k]["bad"] += status >= 500
                    if status == 200:
                        out[k][kind].append(ms)
        for k, server in servers.items():
            out[k]["worker_mb"] = server.worker_rss_mb()
    finally:
        for server in servers.values():
            server.stop()
    return out


# ----------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", default="1,10")
    parser.add_argument("--db", default="sqlite",
                        help="databases, comma-separated: sqlite, postgresql (or pg)")
    parser.add_argument("--pg", action="store_true", help="same as --db sqlite,postgresql")
    parser.add_argument("--pg-url", default=PG_URL,
                        help="PostgreSQL server (SQLAlchemy URL without a database name)")
    parser.add_argument("--n", type=int, default=200, help="API queries (and n/2 /zoek)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for databases and CSV files (kept; reused if present)")
    parser.add_argument("--throughput-seconds", type=float, default=15.0,
                        help="load time per gunicorn server (0: no throughput rows)")
    parser.add_argument("--clients", type=int, default=4, help="load client processes")
    parser.add_argument("--no-http", dest="http", action="store_false",
                        help="skip the latency over HTTP (a gunicorn server per column)")
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
    kinds = ["sqlite", "postgresql"] if args.pg else \
        [DB_NAMES.get(k.strip().lower(), k.strip().lower()) for k in args.db.split(",")]
    if unknown := set(kinds) - set(DB_LABELS):
        raise SystemExit(f"unknown database: {', '.join(sorted(unknown))}")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {work}")
    urls: dict[tuple[str, int], str] = {}
    imports: dict[tuple[str, int], dict] = {}
    for kind in kinds:
        if kind == "sqlite":
            got, done = prepare_sqlite(work, factors, args.seed)
        else:
            got, done = prepare_pg(PgServer(args.pg_url), work, factors, args.seed)
        urls.update({(kind, f): u for f, u in got.items()})
        imports.update({(kind, f): r for f, r in done.items()})
    # Import times are kept next to the databases: a reused database still shows its own.
    record = work / IMPORTS_RECORD
    earlier = json.loads(record.read_text()) if record.exists() else {}
    earlier.update({f"{kind}:{f}": r for (kind, f), r in imports.items()})
    record.write_text(json.dumps(earlier, indent=1))

    rng = random.Random(args.seed)
    queries = sample_queries(urls[(kinds[0], factors[0])], args.n, args.seed)
    # Columns: each size on each database with this code, and with the baseline code.
    codes = [("", REPO)] + ([(" base", args.baseline.resolve())] if args.baseline else [])
    cols = [(f"{f}× {DB_LABELS[kind]}{tag}", (kind, f), code)
            for tag, code in codes for kind in kinds for f in factors]
    keys = [c[0] for c in cols]
    workers = {k: Worker(urls[at], code) for k, at, code in cols}
    first_req = {k: (w.hello["first_ms"], w.hello.get("first_from", "?"))
                 for k, w in workers.items()}
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
    for k, at, code in sorted(cols, key=lambda c: c[1][1]):  # sizes side by side in time
        audits[k] = run_child("--audit", urls[at], code=code)

    over_http: dict[str, dict] = {}
    if args.http:
        over_http = http_latency(
            cols, urls, [f"/api/v1/services?{urlencode(q)}" for q in queries],
            [f"/zoek?{urlencode(zoek_params(q))}" for q in queries[::2]], args.seed)
        if any(h["bad"] for h in over_http.values()):
            bad.update({k: bad[k] + h["bad"] for k, h in over_http.items()})

    served: dict[str, dict] = {}
    bare: list[dict] = []
    if args.throughput_seconds > 0:
        api_paths = [f"/api/v1/services?{urlencode(q)}" for q in queries]
        t, c = args.throughput_seconds, args.clients
        bare.append(throughput(None, [BARE_PATH], t, c))  # before and after the app
        for k, at, code in cols:
            served[k] = throughput(urls[at], api_paths, t, c, code)
        bare.append(throughput(None, [BARE_PATH], t, c))
    bare_rps = statistics.mean(b["rps"] for b in bare) if bare else float("nan")

    def row(name: str, fn) -> None:
        print(f"| {name} | " + " | ".join(fn(k) for k in keys) + " |")

    print()
    print("| | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    row("`/api/v1/services` median / p95, in-process",
        lambda k: f"{statistics.median(api[k]):.1f} / {percentile(api[k], 95):.1f} ms")
    row("`/zoek` median / p95", lambda k: f"{statistics.median(zoek[k]):.1f} / "
                                         f"{percentile(zoek[k], 95):.1f} ms")
    row("first request after start, in-process (index from snapshot, or built when none"
        " matched)", lambda k: f"{first_req[k][0] / 1000:.2f} s ({first_req[k][1]})")
    row("worker RSS after the queries / peak",
        lambda k: f"{mem[k]['rss_mb']:.0f} / {mem[k]['peak_mb']:.0f} MB")
    row("national audit (cold process), peak RSS",
        lambda k: f"{audits[k]['seconds']:.1f} s, {audits[k]['peak_mb']:.0f} MB")
    at_key = {k: at for k, at, _code in cols}

    def imported(k: str) -> str:
        kind, f = at_key[k]
        result = imports.get((kind, f))
        when = ""
        if result is None:
            result = earlier.get(f"{kind}:{f}")
            when = ", reused: built earlier"
        if result is None:
            return "reused" if f != 1 or kind != "sqlite" else "–"
        if f == 1:
            return f"{result['seconds']:.0f} s (import-all{when})"
        return (f"{result['seconds']:.0f} s ({f * BASELINE_SERVICES} services, "
                f"{result['files']} files, {result['failed_files']} failed{when})")

    row("import of the synthetic files (1×: the mirror)", imported)
    if over_http:
        row(f"`/api/v1/services` median / p95 over HTTP (gunicorn {GUNICORN_WORKERS} "
            "workers, interleaved)",
            lambda k: f"{statistics.median(over_http[k]['api']):.1f} / "
                      f"{percentile(over_http[k]['api'], 95):.1f} ms")
        row("`/zoek` median over HTTP",
            lambda k: f"{statistics.median(over_http[k]['zoek']):.1f} ms")
        row("gunicorn launch → first search answered",
            lambda k: f"{over_http[k]['first_s']:.2f} s")
        row("gunicorn master / largest worker RSS",
            lambda k: f"{over_http[k]['master_mb']:.0f} / {over_http[k]['worker_mb']:.0f} MB")
    if served:
        row(f"throughput, gunicorn {GUNICORN_WORKERS} workers, {args.clients} clients",
            lambda k: f"{served[k]['rps']:.0f} req/s")
        row(f"÷ bare Flask endpoint ({bare_rps:.0f} req/s)",
            lambda k: f"{served[k]['rps'] / bare_rps:.2f}")
        row("gunicorn worker RSS after the load (largest)",
            lambda k: f"{served[k]['worker_rss_mb']:.0f} MB")
    for (kind, f), result in imports.items():
        for line in result.get("problems", []):
            print(f"import problem at {f}× {kind}: {line}")
    print(f"\nqueries: {len(queries)} API, {len(zoek[keys[0]])} /zoek (status 200 counted); "
          f"5xx: {bad}")
    if served:
        print(f"throughput: {args.throughput_seconds:.0f} s per server after "
              f"{THROUGHPUT_WARM_UP_S:.0f} s warm-up, {len(queries)} API URLs; bare runs "
              + ", ".join(f"{b['rps']:.0f}" for b in bare) + " req/s; non-2xx / errors: "
              + ", ".join(f"{k} {r['non_2xx']}/{r['errors']}" for k, r in served.items()))
    if any(bad.values()):
        raise SystemExit("server errors during the benchmark")


if __name__ == "__main__":
    main()
