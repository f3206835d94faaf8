"""Editing through the API (issue 10): PATCH a service, its history, confirm it (Bearer
token), and public suggestions and claims (no account; rate-limited)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from loketwijzer.actions import editing, freshness, suggestions
from loketwijzer.actions.accounts import actor_for_token
from loketwijzer.actions.services import get_service
from loketwijzer.auth import Actor
from loketwijzer.errors import ActionError, InvalidInput
from webapp.blueprints.api import bp
from webapp.db import get_session, get_settings
from webapp.security import client_key


class Unauthorized(ActionError):
    status = 401
    code = "unauthorized"


def token_actor() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    actor = actor_for_token(get_session(), token.strip()) if scheme.lower() == "bearer" else None
    if actor is None:
        raise Unauthorized("Stuur een geldige persoonlijke sleutel mee: "
                           "Authorization: Bearer SLEUTEL.")
    return actor


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Stuur een JSON-object.", code="invalid_json")
    return body



@bp.patch("/services/<service_id>")
def patch_service(service_id: str):
    actor = token_actor()
    result = editing.edit_service(get_session(), actor, service_id, json_body())
    service = get_service(get_session(), service_id,
                          stale_after_days=get_settings().stale_after_days)
    return jsonify({"service": service, "version": result.version_id,
                    "changed": result.changed})


@bp.get("/services/<service_id>/history")
def service_history(service_id: str):
    actor = token_actor()
    return jsonify({"id": service_id,
                    "versions": editing.history(get_session(), actor, service_id)})


@bp.post("/services/<service_id>/confirm")
def confirm(service_id: str):
    actor = token_actor()
    return jsonify(freshness.confirm_service(get_session(), actor, service_id))


@bp.post("/services/<service_id>/suggestions")
def suggest(service_id: str):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        data = request.form.to_dict()
    suggestions.submit_suggestion(get_session(), service_id, data, client=client_key())
    return jsonify({"status": "received", "message": "Dank u. De beheerders bekijken uw "
                    "melding."}), 202


@bp.post("/services/<service_id>/claims")
def claim(service_id: str):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        data = request.form.to_dict()
    suggestions.submit_claim(get_session(), service_id, data, client=client_key())
    return jsonify({"status": "received", "message": "Dank u. We nemen contact met u op."}), 202
