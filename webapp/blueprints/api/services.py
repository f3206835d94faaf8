"""/api/v1/services: the finder and one service, as JSON (see CONTRACT.md).

Parameters are parsed strictly here so that any odd input becomes a 400 with a Dutch
message, never a 500.
"""

from __future__ import annotations

from flask import jsonify, request

from loketwijzer.actions.finder import MAX_LIMIT, find_services
from loketwijzer.actions.freshness import count_impressions
from loketwijzer.actions.services import get_service
from loketwijzer.errors import InvalidInput
from webapp.blueprints.api import bp
from webapp.db import get_session, get_settings
from webapp.demand import count_search

_TRUE = {"1", "true", "ja", "yes", "on"}
_FALSE = {"0", "false", "nee", "no", "off"}
MAX_PARAM = 1000


def _param(name: str) -> str | None:
    values = request.args.getlist(name)
    value = values[0] if values else None
    if value is None:
        return None
    if len(value) > MAX_PARAM:
        raise InvalidInput(f"De waarde van '{name}' is te lang.", code="parameter_too_long")
    value = value.replace("\x00", "").strip()
    return value or None


def _bool(name: str) -> bool | None:
    value = _param(name)
    if value is None:
        return None
    folded = value.lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise InvalidInput(f"Gebruik {name}=true of {name}=false.", code=f"invalid_{name}")


def _limit() -> int:
    value = _param("limit")
    if value is None:
        return 20
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise InvalidInput(f"Het aantal resultaten (limit) is een getal van 1 tot {MAX_LIMIT}.",
                           code="invalid_limit")
    return int(value)


def _lang() -> str:
    """Dutch unless ``lang=en`` is asked for (the API does not guess from headers)."""
    return "en" if _param("lang") == "en" else "nl"


@bp.get("/services")
def services():
    settings = get_settings()
    independent = _bool("independent")
    result = find_services(
        get_session(),
        q=_param("q"),
        postcode=_param("postcode"),
        place=_param("place"),
        lat=_param("lat"),
        lon=_param("lon"),
        text=_param("text"),
        areas=_param("areas"),
        life_event=_param("life_event"),
        independent=True if independent else None,
        age=_param("age"),
        group=_param("group"),
        limit=_limit(),
        lang=_lang(),
        sort=_param("sort") or "score",
        stale_after_days=settings.stale_after_days,
        allow_online=settings.allow_online,
    )
    count_search(result)
    count_impressions(get_session(), [r["id"] for r in result.get("results") or []])
    return jsonify(result)


@bp.get("/services/<path:service_id>")
def service_detail(service_id: str):
    settings = get_settings()
    return jsonify(get_service(get_session(), service_id, _lang(),
                               stale_after_days=settings.stale_after_days))
