"""/api/v1/match: situation text → problem areas, life events and first steps."""

from __future__ import annotations

from flask import jsonify, request

from loketwijzer.actions.match import match_situation
from webapp.blueprints.api import bp


@bp.get("/match")
def match():
    return jsonify(match_situation(request.args.get("q"), lang=request.args.get("lang")))
