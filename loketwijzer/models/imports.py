"""A log of import runs, so an administrator can see what was loaded when, and with what result."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loketwijzer.models.base import Base

#: Runs that changed data: only these move the data version that caches are keyed on, so
#: a run that changed nothing (or was refused) makes no worker rebuild anything.
STATUS_OK = "ok"
CHANGED_RUN_SQL = ("status = 'ok' AND (inserted > 0 OR updated > 0 OR deactivated > 0)")


def changed_runs(model: type | None = None):
    """SQLAlchemy condition: an ImportRun that changed data (see CHANGED_RUN_SQL)."""
    run = model or ImportRun
    return (run.status == STATUS_OK) & ((run.inserted > 0) | (run.updated > 0)
                                        | (run.deactivated > 0))


class ImportRun(Base):
    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(80), index=True)
    source: Mapped[str] = mapped_column(String(80))
    path: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20))  # ok | rejected | unreadable | failed
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deactivated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
