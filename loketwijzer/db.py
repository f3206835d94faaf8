"""Engine and session handling, independent of Flask.

SQLite is the zero-setup default; PostgreSQL comes in through ``DATABASE_URL``.
Geometry is stored as GeoJSON text and computed on in Python (shapely/GeoPandas),
so both databases need nothing beyond plain SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from loketwijzer.config import REPO_ROOT


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def database_key(bind: Engine | Session) -> str:
    """Which database a session or engine works on: its URL without the password (the
    key of the per-database caches, counters and snapshots)."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return _engine_key(engine)


@lru_cache(maxsize=64)
def _engine_key(engine: Engine) -> str:
    """Rendering a URL takes microseconds, and searches ask twice each: kept per engine
    (an engine's URL never changes)."""
    return engine.url.render_as_string(hide_password=True)


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite files get their folder and foreign-key enforcement."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """An engine plus a session factory: the one handle the app and the CLI pass around."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def create_all(self) -> None:
        """Create the schema directly from the models (tests); production uses migrations."""
        from loketwijzer.models import Base

        Base.metadata.create_all(self.engine)

    def drop_all(self) -> None:
        from loketwijzer.models import Base

        Base.metadata.drop_all(self.engine)

    def upgrade(self) -> None:
        """Bring the schema to the latest Alembic revision."""
        from alembic import command

        command.upgrade(alembic_config(self.url), "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg
