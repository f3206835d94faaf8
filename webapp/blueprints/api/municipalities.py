"""/api/v1/municipalities"""

from __future__ import annotations

from flask import jsonify

from loketwijzer.actions import municipalities
from webapp.blueprints.api import bp
from webapp.db import get_session


@bp.get("/municipalities")
def municipality_list():
    return jsonify({"municipalities": municipalities.list_municipalities(get_session())})


@bp.get("/municipalities/<code>")
def municipality_detail(code: str):
    return jsonify(municipalities.municipality_summary(get_session(), code))
