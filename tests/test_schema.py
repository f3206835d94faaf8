"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from loketwijzer.models import Base


def test_migrations_match_models(db):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"service", "location", "service_area", "municipality", "pc4_area"} <= tables
    db.upgrade()  # idempotent: a second run is a no-op
