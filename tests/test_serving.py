"""Production serving: /healthz, one log line per request, gunicorn settings, LOG_LEVEL."""

from __future__ import annotations

import logging
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from loketwijzer.config import REPO_ROOT, Settings
from webapp import logging_setup


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_unavailable_when_the_database_is_gone():
    from webapp import create_app

    # Nothing listens on port 9: the connection is refused at once.
    app = create_app(Settings(database_url="postgresql+psycopg://x@127.0.0.1:9/x"),
                     TESTING=True)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_one_log_line_per_request_without_the_query(client, caplog):
    with caplog.at_level(logging.INFO, logger=logging_setup.REQUEST_LOGGER):
        client.get("/healthz?q=huiselijk+geweld")
    lines = [r.getMessage() for r in caplog.records if r.name == logging_setup.REQUEST_LOGGER]
    assert len(lines) == 1
    method, path, status, ms, unit = lines[0].split()
    assert (method, path, status, unit) == ("GET", "/healthz", "200", "ms")
    assert float(ms) >= 0
    assert "geweld" not in lines[0]


def test_log_level_from_the_environment():
    assert logging_setup.level_from_env({"LOG_LEVEL": "warning"}) == logging.WARNING
    assert logging_setup.level_from_env({}) == logging.INFO
    assert logging_setup.level_from_env({"LOG_LEVEL": "nonsense"}) == logging.INFO


def test_import_failure_is_logged_at_warning(db, tmp_path, caplog):
    from importers.pipeline import run_import
    from importers.reference_geo import MunicipalityProvider

    provider = MunicipalityProvider(settings=Settings(database_url=db.url, sources_dir=tmp_path))
    with caplog.at_level(logging.WARNING, logger="importers.pipeline"):
        report = run_import(provider, db)
    assert report.exit_code == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("municipalities unreadable" in r.getMessage() and "niet gevonden" in
               r.getMessage() for r in warnings)


def test_gunicorn_settings(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    # The config file switches the per-process warm-up off; keep that out of later tests.
    monkeypatch.setenv("LOKETWIJZER_WARM_UP", "")
    conf = runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))
    assert conf["preload_app"] is True
    assert 1 < conf["workers"] <= conf["MAX_WORKERS"]
    assert conf["graceful_timeout"] > 0
    assert conf["wsgi_app"] == "webapp:create_app()"
    assert os.environ["LOKETWIJZER_WARM_UP"] == "0"  # warmed once in the master instead
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))["workers"] == 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_with_its_server_header(tmp_path):
    """The real thing, briefly: gunicorn with the preloaded app answers /healthz."""
    port = _free_port()
    env = {**os.environ, "LOKETWIJZER_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path}/empty.db", "LOG_LEVEL": "warning"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                            timeout=5) as response:
                    assert response.status == 200
                    assert response.headers["Server"].startswith("gunicorn")
                    assert "frame-ancestors 'none'" in \
                        response.headers["Content-Security-Policy"]
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = proc.stdout.read().decode() if proc.stdout else ""
                    pytest.fail(f"gunicorn did not answer:\n{output[-2000:]}")
                time.sleep(0.5)
    finally:
        proc.terminate()
        assert proc.wait(timeout=40) == 0  # graceful stop on TERM
