"""Pages of the rechtsbescherming-scan: one municipality, and a printable report.

Thin: everything comes from ``loketwijzer.actions.scan.scan_municipality`` (the API in
``webapp/blueprints/api/scan.py`` uses the same action).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from loketwijzer.actions import scan
from loketwijzer.actions.municipalities import list_municipalities
from webapp.db import get_session, get_settings

bp = Blueprint("scan", __name__, url_prefix="/scan")


def _lang() -> str:
    return str(get_locale() or "nl")


def tr(item: Any, name: str) -> Any:
    """``item.name`` in the page language (``name_en`` when English and present)."""
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    if _lang() == "en":
        value = get(f"{name}_en", None)
        if value:
            return value
    return get(name, None)


def status_labels() -> dict[str, str]:
    return {
        "voldoet": _("Voldoet"),
        "deels": _("Voldoet deels"),
        "voldoet_niet": _("Voldoet niet"),
        "onbekend": _("Onbekend"),
    }


def scan_context(code: str, audited: tuple | None = None) -> dict[str, Any]:
    """What the scan page and its print view show (also used by the audit pages)."""
    result = scan.scan_municipality(get_session(), code,
                                    stale_after_days=get_settings().stale_after_days,
                                    lang=_lang(), audited=audited)
    return {"s": result, "tr": tr, "status_labels": status_labels()}


@bp.get("")
@bp.get("/")
def index():
    """Choose a municipality (a plain GET form; ``?gemeente=GM0363`` goes straight there)."""
    chosen = (request.args.get("gemeente") or "").strip().upper()
    if chosen:
        return redirect(url_for("scan.municipality", code=chosen))
    return render_template("scan_index.html",
                           municipalities=list_municipalities(get_session()))


@bp.get("/<code>")
def municipality(code: str):
    return render_template("scan.html", **scan_context(code))


@bp.get("/<code>/print")
def print_view(code: str):
    return render_template("scan_print.html", **scan_context(code))
