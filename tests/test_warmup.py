"""The start-up warm-up: only when serving, and it leaves the finder index built."""

from __future__ import annotations

from loketwijzer.config import Settings
from webapp import create_app, warmup


def test_only_when_serving(db, monkeypatch):
    monkeypatch.delenv("LOKETWIJZER_WARM_UP", raising=False)
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    app = create_app(Settings(database_url=db.url))
    assert not warmup.should_warm_up(app)  # a one-off command or a script
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/27.0.1")
    assert warmup.should_warm_up(app)
    monkeypatch.setenv("LOKETWIJZER_WARM_UP", "0")
    assert not warmup.should_warm_up(app)
    monkeypatch.setenv("LOKETWIJZER_WARM_UP", "1")
    app.testing = True
    assert not warmup.should_warm_up(app)
    app.extensions["loketwijzer_db"].dispose()


def test_warm_up_builds_the_finder_index(loaded_db, monkeypatch):
    from loketwijzer import finder_index

    monkeypatch.setenv("LOKETWIJZER_WARM_UP", "1")
    finder_index.clear_cache()
    app = create_app(Settings(database_url=loaded_db.url))
    thread = warmup.start(app)
    assert thread is not None
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert len(finder_index._cache) == 1  # built for this database, before any request
    app.extensions["loketwijzer_db"].dispose()


def test_warm_up_of_an_empty_database_is_quiet(db, monkeypatch):
    monkeypatch.setenv("LOKETWIJZER_WARM_UP", "1")
    app = create_app(Settings(database_url=db.url))
    thread = warmup.start(app)
    thread.join(timeout=60)
    assert not thread.is_alive()
    app.extensions["loketwijzer_db"].dispose()


def test_workers_load_one_at_a_time(tmp_path, monkeypatch):
    """While one forked worker loads its index (``warm_worker``), another waits: the
    lock file in the snapshot folder is held exclusively."""
    import fcntl

    from loketwijzer import finder_index

    monkeypatch.setattr(finder_index, "SNAPSHOT_DIR", tmp_path / "finder_index")
    lock_file = tmp_path / "finder_index" / warmup.LOAD_LOCK_NAME
    with warmup._one_worker_at_a_time(), open(lock_file, "a+b") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = False
        except BlockingIOError:
            held = True
    assert held
    with open(lock_file, "a+b") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released after the load


def test_no_lock_without_a_snapshot_folder(monkeypatch):
    from loketwijzer import finder_index

    monkeypatch.setattr(finder_index, "SNAPSHOT_DIR", None)
    with warmup._one_worker_at_a_time():
        pass  # no folder, no waiting
