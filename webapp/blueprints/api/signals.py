"""/api/v1/signals: a municipality's demand signals (cells under 10 are left out)."""

from __future__ import annotations

from flask import jsonify

from loketwijzer import signals
from webapp.blueprints.api import bp
from webapp.db import get_session


@bp.get("/signals/<code>")
def demand_signals(code: str):
    """``{"code", "min_cell", "signals": [{"week", "area", "count"}]}``, newest first."""
    return jsonify(signals.demand_signals(get_session(), code).to_dict())
