"""/api/v1/scan: the rechtsbescherming-scan of a municipality, and its answers."""

from __future__ import annotations

from flask import jsonify, request

from loketwijzer.actions import scan
from loketwijzer.errors import InvalidInput
from webapp.blueprints.api import bp
from webapp.blueprints.api.stewardship import token_actor
from webapp.db import get_session, get_settings


@bp.get("/scan/<code>")
def scan_detail(code: str):
    result = scan.scan_municipality(get_session(), code,
                                    stale_after_days=get_settings().stale_after_days)
    return jsonify(result.to_dict())


@bp.put("/scan/<code>/answers")
def scan_answers(code: str):
    """Body: ``{"answers": [{"criterion", "status", "comment"}]}`` (or the list itself)."""
    actor = token_actor()
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInput("Stuur de antwoorden als JSON.", code="invalid_json")
    answers = body.get("answers") if isinstance(body, dict) else body
    session = get_session()
    saved = scan.save_scan_answers(session, actor, code, answers)
    session.commit()
    return jsonify({"code": code.upper(), "answers": {
        cid: {"status": a.status, "comment": a.comment, "answered_by": a.answered_by,
              "answered_at": a.answered_at} for cid, a in saved.items()}})
