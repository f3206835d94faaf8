"""/api/v1/audit: the gap audit of one municipality, the national table, comparisons."""

from __future__ import annotations

from flask import jsonify, request

from loketwijzer import audit_findings
from loketwijzer.actions import audit
from webapp.blueprints.api import bp
from webapp.db import get_session, get_settings


def _days() -> int:
    return get_settings().stale_after_days


@bp.get("/audit")
def audit_table():
    """One row per municipality: ``?area=CODE&metric=share_10&sort=name&order=asc``."""
    return jsonify(audit.audit_national(
        get_session(), request.args.get("area") or None,
        request.args.get("metric") or audit.DEFAULT_METRIC,
        sort=request.args.get("sort"), order=request.args.get("order"),
        stale_after_days=_days()))


@bp.get("/audit/<code>")
def audit_detail(code: str):
    """The contract's gap audit of one municipality, plus its plain-language gaps."""
    result = audit.audit_municipality(get_session(), code, stale_after_days=_days())
    result["gaps"] = audit_findings.biggest_gaps(result)
    return jsonify(result)


@bp.get("/audit/<code>/similar")
def audit_similar(code: str):
    return jsonify(audit.similar_municipalities(get_session(), code, stale_after_days=_days()))


@bp.get("/audit/<code>/pc4")
def audit_pc4(code: str):
    """Distance per PC4 area to independent help for ``?area=CODE``."""
    area = request.args.get("area") or ""
    return jsonify({"code": code.upper(), "area": area,
                    "pc4": audit.pc4_distances(get_session(), code, area)})
