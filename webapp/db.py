"""Per-request database session."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from loketwijzer.config import Settings
from loketwijzer.db import Database


def get_db() -> Database:
    return current_app.extensions["loketwijzer_db"]


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = get_db().sessionmaker()
    return g.db_session


def get_settings() -> Settings:
    return current_app.config["LOKETWIJZER"]
