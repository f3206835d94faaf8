"""Warm the process caches in the background as soon as a server starts.

The first search of a fresh process loads the matcher's taxonomy and builds the finder's
in-memory index (a few seconds on the national data); every request after that takes
milliseconds. Doing it at start-up, in a daemon thread, spares the first visitor (and the
first Mysterie-check) that wait. Only when serving: ``flask run``, gunicorn workers, or
``LOKETWIJZER_WARM_UP=1``; never in tests or one-off commands (``LOKETWIJZER_WARM_UP=0``
switches it off everywhere).
"""

from __future__ import annotations

import os
import threading

from flask import Flask


def should_warm_up(app: Flask) -> bool:
    if app.testing:
        return False
    asked = os.environ.get("LOKETWIJZER_WARM_UP", "").strip().lower()
    if asked in {"0", "false", "no", "nee"}:
        return False
    if asked in {"1", "true", "yes", "ja"}:
        return True
    if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        return True
    import click

    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.command and ctx.command.name == "run")


def _warm(app: Flask) -> None:
    from loketwijzer.finder_index import get_index
    from loketwijzer.mysterie.casus import builtin_casussen
    from loketwijzer.taxonomy import problem_areas

    with app.app_context():
        session = app.extensions["loketwijzer_db"].sessionmaker()
        try:
            problem_areas()
            builtin_casussen()
            get_index(session)
        except Exception as exc:  # e.g. an empty database: the first request will tell
            app.logger.info("warm-up skipped: %s", str(exc).splitlines()[0] if str(exc)
                            else type(exc).__name__)
        finally:
            session.close()


def serving() -> None:
    """This process serves production traffic (gunicorn.conf.py calls it before the
    workers fork): rebuild changed indexes in the background, never making requests wait,
    keep built indexes out of the garbage collector's full collections, ask for the data
    version once a second instead of on every search, write search counters every
    few seconds instead of twice per search, and load the finder index from a snapshot
    (``LOKETWIJZER_INDEX_SNAPSHOT_DIR``) instead of building it when one matches the data."""
    from loketwijzer import counters, finder_index
    from loketwijzer.config import index_snapshot_dir

    finder_index.REBUILD_IN_BACKGROUND = True
    finder_index.FREEZE_AFTER_BUILD = True
    finder_index.VERSION_CHECK_SECONDS = finder_index.SERVING_VERSION_CHECK_SECONDS
    counters.BUFFER_SECONDS = counters.SERVING_BUFFER_SECONDS
    finder_index.SNAPSHOT_DIR = index_snapshot_dir()


def start(app: Flask) -> threading.Thread | None:
    if not should_warm_up(app):
        return None
    thread = threading.Thread(target=_warm, args=(app,), name="warm-up", daemon=True)
    thread.start()
    return thread
