"""Benchmark: the finder API under load, served by gunicorn with 2 workers.

Starts gunicorn on 127.0.0.1:<free port> against the benchmark database (see
bench_services.py), warms both workers up, then runs ``wrk`` for 30 s with bounded
connections (-t2 -c16) over a rotating list of seeded, varied /api/v1/services URLs, and
stops gunicorn again. Target (issue 4): >= 150 requests/s with zero errors.

    .venv/bin/python bench/bench_gunicorn.py [--duration 30] [--connections 16]

Needs ``wrk`` (Debian: ``apt-get install wrk``); without it the benchmark says so and
skips. LOKETWIJZER_BENCH_DB reuses an existing database, as in bench_services.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from bench_services import prepare_db, sample_queries  # noqa: E402

TARGET_RPS = 150.0
LUA = """
local paths = %s
local counter = 0
local offset = 0
setup = function(thread)
  thread:set("offset", counter * 97)
  counter = counter + 1
end
init = function(args)
  offset = tonumber(offset) or 0
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i + offset) %% #paths) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not listen on port {port} within {timeout:.0f} s")


def good_paths(url: str, n: int, seed: int) -> tuple[list[str], int]:
    """URLs that answer 200 in-process (so every non-2xx under load is a real error)."""
    from loketwijzer.config import Settings
    from webapp import create_app

    client = create_app(Settings(database_url=url, sources_dir=None)).test_client()
    paths, dropped = [], 0
    for params in sample_queries(url, n, seed):
        path = f"/api/v1/services?{urlencode(params)}"
        if client.get(path).status_code == 200:
            paths.append(path)
        else:
            dropped += 1
    return paths, dropped


def parse_wrk(output: str) -> dict[str, float]:
    figures: dict[str, float] = {"rps": 0.0, "requests": 0.0, "non_2xx": 0.0,
                                 "socket_errors": 0.0}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        figures["rps"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in", output):
        figures["requests"] = float(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        figures["non_2xx"] = float(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                      output):
        figures["socket_errors"] = float(sum(int(g) for g in m.groups()))
    if m := re.search(r"Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)", output):
        figures["latency"] = m.group(0)  # type: ignore[assignment]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync",
                        help="gunicorn worker class (sync, or gthread for keep-alive)")
    parser.add_argument("--worker-threads", type=int, default=1)
    parser.add_argument("--urls", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed (Debian: apt-get install wrk); gunicorn benchmark skipped")
        return
    gunicorn = REPO / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        gunicorn = Path(shutil.which("gunicorn") or "gunicorn")

    url = prepare_db()
    paths, dropped = good_paths(url, args.urls, args.seed)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(LUA % ("{" + ",".join(json.dumps(p) for p in paths) + "}"),
                          encoding="utf-8")
        log = open(Path(tmp) / "gunicorn.log", "w+", encoding="utf-8")  # noqa: SIM115
        server = subprocess.Popen(
            [str(gunicorn), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
             "--worker-class", args.worker_class, "--threads", str(args.worker_threads),
             "--log-level", "warning",
             "webapp:create_app()"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(port)
            base = f"http://127.0.0.1:{port}"
            # Warm-up: both workers build their index and load the matcher.
            subprocess.run([wrk, "-t2", "-c4", "-d3s", "-s", str(script), base],
                           capture_output=True, text=True, check=False)
            run = subprocess.run(
                [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
                 "--timeout", "5s", "--latency", "-s", str(script), base],
                capture_output=True, text=True, check=False)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.seek(0)
            server_log = log.read()
            log.close()

    figures = parse_wrk(run.stdout)
    errors = int(figures["non_2xx"] + figures["socket_errors"])
    print(f"gunicorn {args.workers} {args.worker_class} workers, "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s over {len(paths)} URLs "
          f"({dropped} sample queries dropped: not 200 in-process)")
    print(f"  requests/s {figures['rps']:.1f}   (target >= {TARGET_RPS:.0f}: "
          f"{'met' if figures['rps'] >= TARGET_RPS else 'NOT met'})")
    print(f"  requests   {int(figures['requests'])}   errors {errors} "
          f"(non-2xx {int(figures['non_2xx'])}, socket {int(figures['socket_errors'])})")
    if "latency" in figures:
        print(f"  {figures['latency']}  (avg, stdev, max)")
    for line in run.stdout.splitlines():
        if re.match(r"\s+(50|90|99)%", line):
            print(f"  latency p{line.strip()}")
    if run.returncode != 0:
        print(run.stdout, run.stderr, sep="\n")
    if "Traceback" in server_log or "ERROR" in server_log:
        print("gunicorn log:\n" + server_log[-3000:])


if __name__ == "__main__":
    main()
