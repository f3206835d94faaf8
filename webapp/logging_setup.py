"""Logging, configured once per process: level from ``LOG_LEVEL``, one line per request.

* ``configure()`` installs one stderr handler on the root logger (idempotent: the app
  factory may run many times, e.g. in tests), at ``LOG_LEVEL`` (default INFO).
* Every request is logged as one line: method, path, status, duration in ms. The query
  string is left out on purpose: searches can say what someone is going through.
* Import failures are logged at WARNING with the reason by the import pipeline.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from flask import Flask, g, request

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DEFAULT_LEVEL = "INFO"
REQUEST_LOGGER = "loketwijzer.request"
QUIET_LOGGERS = ("alembic",)

_configured = False


def level_from_env(env: dict[str, str] | None = None) -> int:
    name = (env if env is not None else os.environ).get("LOG_LEVEL", DEFAULT_LEVEL)
    level = logging.getLevelName(name.strip().upper())
    return level if isinstance(level, int) else logging.INFO


def configure(env: dict[str, str] | None = None) -> None:
    """Install the handler and level once per process."""
    global _configured
    if _configured:
        return
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.set_name("loketwijzer")
    root.addHandler(handler)
    level = level_from_env(env)
    root.setLevel(level)
    if level > logging.DEBUG:  # schema upgrades run on every command: only say problems
        logging.getLogger(QUIET_LOGGERS[0]).setLevel(logging.WARNING)
    _configured = True


def init_app(app: Flask) -> None:
    configure()
    log = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        started = g.get("request_started")
        ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code, ms)
        return response
