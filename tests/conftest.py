"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from LOKETWIJZER_TEST_PG_URL (default: the local server, database
``test``). Each pytest run works in its own schema, so parallel runs do not collide.
Outside CI an unreachable PostgreSQL skips its half of the tests; in CI it fails.
"""

from __future__ import annotations

import os
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


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any driver error means: not reachable
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL not reachable in CI: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    schema = f"lw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def backend_url(backend: str, tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def db(backend_url: str) -> Iterator[Database]:
    """An empty schema for one test, on the current backend."""
    database = Database(backend_url)
    database.drop_all()
    database.create_all()
    yield database
    database.dispose()


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


def import_fixture_mirror(db: Database, mirror: Path) -> None:
    """Load the whole fixture mirror (geography, taxonomy, town halls, help rows)."""
    from importers.pipeline import run_import
    from importers.registry import REFERENCE_PROVIDERS

    settings = Settings(database_url=db.url, sources_dir=mirror)
    for provider_cls in REFERENCE_PROVIDERS:
        report = run_import(provider_cls(settings=settings), db)
        assert report.exit_code == 0, (report.summary(), [str(e) for e in report.errors])


@pytest.fixture
def loaded_db(db, fixture_mirror) -> Database:
    """The current backend's schema with the fixture mirror imported."""
    import_fixture_mirror(db, fixture_mirror)
    return db
