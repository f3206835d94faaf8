"""``/healthz``: is this process able to answer, and can it reach its database?

For load balancers and the container's HEALTHCHECK: 200 with ``{"status": "ok"}`` when
the database answers, 503 otherwise. No data, no cookies, never cached.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from webapp.db import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        with get_db().engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # any driver error: not healthy
        body = {"status": "unavailable", "database": type(exc).__name__}
        response = jsonify(body)
        response.status_code = 503
    else:
        response = jsonify({"status": "ok", "database": "ok"})
    response.headers["Cache-Control"] = "no-store"
    return response
