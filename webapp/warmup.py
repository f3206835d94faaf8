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
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

#: In the snapshot folder: the lock that lets forked workers load the index one by one.
LOAD_LOCK_NAME = ".worker-load.lock"


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


def _warm(app: Flask, index: bool = True) -> None:
    from loketwijzer.finder_index import get_index
    from loketwijzer.mysterie.casus import builtin_casussen
    from loketwijzer.taxonomy import problem_areas

    with app.app_context():
        session = app.extensions["loketwijzer_db"].sessionmaker()
        try:
            problem_areas()
            builtin_casussen()
            if index:
                get_index(session)
        except Exception as exc:  # e.g. an empty database: the first request will tell
            app.logger.info("warm-up skipped: %s", str(exc).splitlines()[0] if str(exc)
                            else type(exc).__name__)
        finally:
            session.close()


def hand_over(app: Flask) -> bool:
    """Master, before the fork (gunicorn ``when_ready``): leave the finder index to the
    workers as a snapshot file (see ``finder_index.hand_over_to_workers``). False: the
    master should build the index itself and the workers inherit it."""
    from loketwijzer.finder_index import hand_over_to_workers

    with app.app_context():
        session = app.extensions["loketwijzer_db"].sessionmaker()
        try:
            return hand_over_to_workers(session)
        except Exception as exc:  # the workers then build or load on their first search
            app.logger.info("index hand-over skipped: %s", type(exc).__name__)
            return False
        finally:
            session.close()


def warm_worker(app: Flask) -> None:
    """A forked worker, before it takes requests: its own finder index (from the
    snapshot the master left), one worker at a time, so that the first one is ready as
    soon as it can be (five workers loading at once on two cores all took three times
    as long) and takes the first searches while the others load."""
    with _one_worker_at_a_time():
        _warm(app)


@contextmanager
def _one_worker_at_a_time() -> Iterator[None]:
    """An exclusive lock on a file in the snapshot folder, where there is one (and
    ``fcntl``); otherwise no waiting."""
    from loketwijzer import finder_index

    folder = finder_index.SNAPSHOT_DIR
    try:
        import fcntl

        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / LOAD_LOCK_NAME, "a+b")  # noqa: SIM115 - held until the exit
    except (ImportError, OSError, AttributeError):  # AttributeError: no folder (None)
        yield
        return
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        lock.close()  # releases the lock


def serving() -> None:
    """This process serves production traffic (gunicorn.conf.py calls it before the
    workers fork): rebuild changed indexes in the background, never making requests wait,
    keep built indexes out of the garbage collector's full collections, ask for the data
    version once a second instead of on every search, write search counters every
    few seconds instead of twice per search, and load the finder index and the built
    matcher from their snapshots (``LOKETWIJZER_INDEX_SNAPSHOT_DIR``) instead of building
    them when one matches the data and code."""
    from loketwijzer import counters, finder_index
    from loketwijzer.config import index_snapshot_dir
    from matcher import engine

    finder_index.REBUILD_IN_BACKGROUND = True
    finder_index.FREEZE_AFTER_BUILD = True
    finder_index.VERSION_CHECK_SECONDS = finder_index.SERVING_VERSION_CHECK_SECONDS
    counters.BUFFER_SECONDS = counters.SERVING_BUFFER_SECONDS
    finder_index.SNAPSHOT_DIR = index_snapshot_dir()
    engine.CACHE_DIR = finder_index.SNAPSHOT_DIR


def start(app: Flask) -> threading.Thread | None:
    if not should_warm_up(app):
        return None
    thread = threading.Thread(target=_warm, args=(app,), name="warm-up", daemon=True)
    thread.start()
    return thread
