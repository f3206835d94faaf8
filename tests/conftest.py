"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from LOKETWIJZER_TEST_PG_URL (default: the local server, database
``test``). Each pytest run works in its own schemas, so parallel runs do not collide.
Outside CI an unreachable PostgreSQL skips its half of the tests; in CI it fails.

Speed: schemas are built and the fixture mirror is imported **once per session** per
backend. Each test then starts from a copy of that state instead of rebuilding it:
SQLite copies a template file; PostgreSQL truncates a working schema and copies the
template schema's rows back in. Every test gets its own database URL (a fresh file, or
a unique ``application_name``), so nothing cached per URL leaks from one test to the next.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from loketwijzer.config import REPO_ROOT, Settings
from loketwijzer.db import Database

PG_URL = os.environ.get(
    "LOKETWIJZER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED_DATA = Path(os.environ.get("LOKETWIJZER_SOURCES") or REPO_ROOT.parent / "shared" / "data")
SHARED_EVAL = REPO_ROOT.parent / "shared" / "eval"
FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
RUN_ID = uuid.uuid4().hex[:10]
# Import commands in tests write no finder index snapshots into the repository's instance
# folder (tests that want them point LOKETWIJZER_INDEX_SNAPSHOT_DIR at a temporary one).
os.environ["LOKETWIJZER_INDEX_SNAPSHOT_DIR"] = "off"


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any driver error means: not reachable
        return str(exc).splitlines()[0]


def _pg_url(schema: str, app_name: str | None = None) -> str:
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    return f"{url}&application_name={app_name}" if app_name else url


def import_fixture_mirror(db: Database, mirror: Path) -> None:
    """Load the whole fixture mirror (geography, taxonomy, town halls, help rows)."""
    from importers.pipeline import run_import
    from importers.registry import REFERENCE_PROVIDERS

    settings = Settings(database_url=db.url, sources_dir=mirror)
    for provider_cls in REFERENCE_PROVIDERS:
        report = run_import(provider_cls(settings=settings), db, show_progress=False)
        assert report.exit_code == 0, (report.summary(), [str(e) for e in report.errors])


def _clear_process_caches() -> None:
    """Caches keyed by database URL are safe (URLs are unique per test); these are not."""
    from importers.common import clear_gazetteer_cache
    from loketwijzer.actions import audit
    from loketwijzer.finder_index import clear_cache

    clear_cache()
    audit.clear_cache()
    clear_gazetteer_cache()


class _SqliteStates:
    """Template files for the empty schema and the imported fixture mirror."""

    def __init__(self, root: Path, mirror: Path) -> None:
        self.root = root
        self.empty = root / "empty.db"
        self.loaded = root / "loaded.db"
        self.mirror = mirror
        self._loaded_ready = False
        self._counter = itertools.count()
        database = Database(f"sqlite:///{self.empty}")
        database.create_all()
        database.dispose()

    def _ensure_loaded(self) -> None:
        if not self._loaded_ready:
            shutil.copyfile(self.empty, self.loaded)
            database = Database(f"sqlite:///{self.loaded}")
            import_fixture_mirror(database, self.mirror)
            database.dispose()
            self._loaded_ready = True

    def fresh(self, loaded: bool) -> str:
        if loaded:
            self._ensure_loaded()
        target = self.root / f"t{next(self._counter)}.db"
        shutil.copyfile(self.loaded if loaded else self.empty, target)
        return f"sqlite:///{target}"


class _PostgresStates:
    """A template schema with the fixture mirror and a working schema reset per test."""

    def __init__(self, mirror: Path) -> None:
        from loketwijzer.models import Base

        self.metadata = Base.metadata
        self.work = f"lw_test_{RUN_ID}"
        self.template = f"lw_test_{RUN_ID}_tpl"
        self.mirror = mirror
        self._loaded_ready = False
        self._counter = itertools.count()
        self.admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        self.engine = create_engine(PG_URL)  # resets run in one transaction
        with self.admin.connect() as conn:
            for schema in (self.work, self.template):
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        for schema in (self.work, self.template):
            database = Database(_pg_url(schema))
            database.create_all()
            database.dispose()
        self.tables = [t.name for t in self.metadata.sorted_tables]

    def _ensure_loaded(self) -> None:
        if not self._loaded_ready:
            database = Database(_pg_url(self.template))
            import_fixture_mirror(database, self.mirror)
            database.dispose()
            self._loaded_ready = True

    def _rebuild_work_schema(self, conn) -> None:
        conn.execute(text(f'DROP SCHEMA "{self.work}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{self.work}"'))
        conn.execute(text(f'SET LOCAL search_path TO "{self.work}"'))
        self.metadata.create_all(conn)

    def fresh(self, loaded: bool) -> str:
        if loaded:
            self._ensure_loaded()
        prefix = f"lwt_{RUN_ID}_"
        with self.engine.begin() as conn:
            # Connections a previous test left open would hold locks: end them.
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name LIKE :p AND pid <> pg_backend_pid()"),
                {"p": prefix + "%"})
            conn.execute(text("SET lock_timeout = '10s'"))
            present = set(conn.execute(text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": self.work}).scalars())
            if present != set(self.tables):  # a test changed the schema itself
                self._rebuild_work_schema(conn)
            # DELETE, not TRUNCATE: on a few hundred rows it is many times faster.
            for table in reversed(self.tables):
                conn.execute(text(f'DELETE FROM "{self.work}"."{table}"'))
            self._sync_sequences(conn)
            if loaded:
                for table in self.tables:
                    conn.execute(text(
                        f'INSERT INTO "{self.work}"."{table}" '
                        f'SELECT * FROM "{self.template}"."{table}"'))
                self._sync_sequences(conn)
        return _pg_url(self.work, f"{prefix}{next(self._counter)}")

    def _sync_sequences(self, conn) -> None:
        for table in self.metadata.sorted_tables:
            for column in table.primary_key.columns:
                if column.autoincrement is True:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{self.work}\".\"{table.name}\"',"
                        f" '{column.name}'), COALESCE(max(\"{column.name}\"), 0) + 1, false) "
                        f'FROM "{self.work}"."{table.name}"'))

    def close(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name LIKE :p AND pid <> pg_backend_pid()"),
                {"p": f"lwt_{RUN_ID}_%"})
            for schema in (self.work, self.template):
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.admin.dispose()
        self.engine.dispose()


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A schema of its own for tests that manage their PostgreSQL data themselves."""
    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL not reachable in CI: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    schema = f"lw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield _pg_url(schema)
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def db_states(backend: str, tmp_path_factory: pytest.TempPathFactory,
              fixture_mirror: Path) -> Iterator[_SqliteStates | _PostgresStates]:
    if backend == "sqlite":
        yield _SqliteStates(tmp_path_factory.mktemp("db"), fixture_mirror)
        return
    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL not reachable in CI: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    states = _PostgresStates(fixture_mirror)
    yield states
    states.close()


@pytest.fixture
def backend_url(db_states, request: pytest.FixtureRequest) -> str:
    """A database URL of its own for this test: the empty schema, or the imported fixture
    mirror when the test also asks for ``loaded_db`` (``db`` and ``loaded_db`` are then
    one and the same database, as ``app`` and ``client`` are built on ``db``)."""
    return db_states.fresh(loaded="loaded_db" in request.fixturenames)


@pytest.fixture
def db(backend_url: str) -> Iterator[Database]:
    """This test's database on the current backend (empty unless ``loaded_db`` is used)."""
    _clear_process_caches()
    database = Database(backend_url)
    yield database
    database.dispose()
    _clear_process_caches()


@pytest.fixture
def loaded_db(db: Database) -> Database:
    """This test's database with the fixture mirror imported (a private copy)."""
    return db


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "geo" / "gemeenten_2024.geojson").exists():
        pytest.skip("source mirror ../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    path = SHARED_EVAL / "situations_public.jsonl"
    if not path.exists():
        pytest.skip("public evaluation set ../shared/eval is not present")
    return path


def settings_for(url: str, sources: Path | None = None) -> Settings:
    return Settings(database_url=url, sources_dir=sources)


@pytest.fixture(scope="session")
def fixture_mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The made-up mirror of tests/mirror_fixture.py (read-only: copy before breaking)."""
    from tests.mirror_fixture import write_mirror

    return write_mirror(tmp_path_factory.mktemp("mirror"))


_real_lock = threading.Lock()
_real_template: dict[str, Path] = {}


def real_mirror_template(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """An SQLite file with everything ``import-all`` loads from ../shared/data, imported
    once per session. Read it through ``real_mirror_url``; copy it before changing it."""
    from importers.pipeline import run_import
    from importers.registry import REFERENCE_PROVIDERS

    with _real_lock:
        if "path" not in _real_template:
            path = tmp_path_factory.mktemp("real") / "real.db"
            url = f"sqlite:///{path}"
            database = Database(url)
            database.create_all()
            settings = Settings(database_url=url, sources_dir=shared_data)
            for provider_cls in REFERENCE_PROVIDERS:
                report = run_import(provider_cls(settings=settings), database,
                                    show_progress=False)
                assert report.exit_code in (0, 1), report.summary()
            database.dispose()
            _real_template["path"] = path
    return _real_template["path"]


def real_mirror_url(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> str:
    """The shared real-mirror database (tests must only read it)."""
    return f"sqlite:///{real_mirror_template(tmp_path_factory, shared_data)}"


@pytest.fixture(scope="module")
def mirror_db(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """The imported real mirror (read-only), with the audit's caches cleared around it."""
    from loketwijzer.actions import audit

    db = Database(real_mirror_url(tmp_path_factory, shared_data))
    audit.clear_cache()
    yield db
    audit.clear_cache()
    db.dispose()


def real_mirror_copy(tmp_path_factory: pytest.TempPathFactory, shared_data: Path,
                     name: str = "real-copy") -> str:
    """A private copy of the real-mirror database, for tests that change data."""
    target = tmp_path_factory.mktemp(name) / "real.db"
    shutil.copyfile(real_mirror_template(tmp_path_factory, shared_data), target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(db, fixture_mirror):
    """A Flask app on the current backend's empty schema, reading the fixture mirror."""
    from webapp import create_app

    flask_app = create_app(Settings(database_url=db.url, sources_dir=fixture_mirror),
                           TESTING=True)
    yield flask_app
    flask_app.extensions["loketwijzer_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sapp(loaded_db, fixture_mirror):
    """An app on the loaded fixture for editors (/beheer): sessions over plain http."""
    from webapp import create_app

    app = create_app(Settings(database_url=loaded_db.url, sources_dir=fixture_mirror),
                     TESTING=True, SESSION_COOKIE_SECURE=False, SECRET_KEY="test")
    yield app
    app.extensions["loketwijzer_db"].dispose()


@pytest.fixture(scope="session")
def m():
    """The default matcher (built once; a module may define its own ``m``)."""
    from matcher import get_matcher

    return get_matcher()
