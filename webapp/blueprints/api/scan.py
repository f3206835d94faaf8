"""/api/v1/scan: the rechtsbescherming-scan of a municipality, and its answers."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from loketwijzer.actions import scan
from loketwijzer.errors import ActionError, InvalidInput
from webapp.blueprints.api import bp
from webapp.db import get_session, get_settings


class Unauthorised(ActionError):
    status = 401
    code = "unauthorised"


def _actor_from_request() -> Any | None:
    """The actor behind this request's API token, or None.

    TODO(lead, when merging issue 10): look up the bearer token with issue 10's token
    auth and return its account (attributes ``role`` and ``municipality_code``, plus a
    ``name`` or ``email`` for "answered by"). Until then nobody is authenticated, so the
    endpoint answers 401. The authorisation itself (admin, or the municipality's own
    editors) is checked in ``scan.save_scan_answers``.
    """
    return None


@bp.get("/scan/<code>")
def scan_detail(code: str):
    result = scan.scan_municipality(get_session(), code,
                                    stale_after_days=get_settings().stale_after_days)
    return jsonify(result.to_dict())


@bp.put("/scan/<code>/answers")
def scan_answers(code: str):
    """Body: ``{"answers": [{"criterion", "status", "comment"}]}`` (or the list itself)."""
    actor = _actor_from_request()
    if actor is None:
        raise Unauthorised("Log in met een API-token om de scan in te vullen.")
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
