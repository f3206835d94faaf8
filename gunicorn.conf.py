"""gunicorn settings for ``make run`` and the container (``gunicorn -c gunicorn.conf.py``).

* workers: ``WEB_CONCURRENCY``, else 2 x CPU cores + 1 (at most :data:`MAX_WORKERS`);
* the app is loaded once in the master (``preload_app``) and warmed up there (taxonomy,
  matcher, Mysterie casussen); the master makes sure the finder index snapshot is on
  disk but keeps no index, and each forked worker loads its own copy, one at a time,
  before its first request, so no request waits for a build and no search pays for
  copy-on-write page faults; each worker opens its own database connections;
* graceful: on TERM or HUP, workers finish their requests within ``graceful_timeout``;
* ``Server: gunicorn`` stays in the response headers; the request log comes from the app
  (one line per request, see ``webapp/logging_setup.py``), so gunicorn's own is off.
"""

from __future__ import annotations

import gc
import multiprocessing
import os

MAX_WORKERS = 8

bind = os.environ.get("LOKETWIJZER_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY")
              or min(multiprocessing.cpu_count() * 2 + 1, MAX_WORKERS))
preload_app = True
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
wsgi_app = "webapp:create_app()"

# The preloaded app must not start its own warm-up thread before the fork.
os.environ["LOKETWIJZER_WARM_UP"] = "0"


def when_ready(server) -> None:
    """In the master, after the preload and before the first fork: warm the caches, and
    leave the finder index to the workers as a snapshot file (see post_fork)."""
    from webapp import warmup

    app = server.app.wsgi()
    warmup.serving()
    handed_over = warmup.hand_over(app)
    warmup._warm(app, index=not handed_over)
    app.extensions["loketwijzer_db"].engine.dispose()  # no shared sockets across the fork
    # What the master made (app, taxonomy, matcher) out of the collector's reach: a
    # worker's collections then neither walk it nor copy its memory pages.
    gc.collect()
    gc.freeze()
    server.log.info("caches warmed%s; starting %s workers",
                    "; workers load the finder index snapshot" if handed_over else "",
                    workers)


def post_fork(server, worker) -> None:
    """In each worker before its first request: its own database connections, then its
    own finder index (loaded from the snapshot, not inherited: see
    ``finder_index.hand_over_to_workers``)."""
    from webapp import warmup

    app = server.app.wsgi()
    app.extensions["loketwijzer_db"].engine.dispose(close=False)
    warmup.warm_worker(app)


def worker_exit(server, worker) -> None:
    """Write the worker's waiting search counters before it goes (see loketwijzer.counters)."""
    from loketwijzer import counters

    counters.flush_all()
