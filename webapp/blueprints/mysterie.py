"""Pages of the Mysterie-check: the casussen, a municipality at a glance, one journey as a
timeline with a map, a printable session sheet, and a comparison with similar
municipalities (sortable by plain links, CSV/XLSX).

Thin adapter: the check, the comparison and the findings live in
``loketwijzer.actions.mysterie``; the API calls the same functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from loketwijzer.actions import mysterie
from loketwijzer.actions.audit import URBANISATION, URBANISATION_EN
from loketwijzer.actions.municipalities import list_municipalities
from loketwijzer.errors import ActionError
from loketwijzer.mysterie import export
from loketwijzer.mysterie.casus import COUNTERPARTIES, Localized
from loketwijzer.mysterie.rules import NEAR_KM, Stop
from loketwijzer.mysterie.texts import Text, party
from webapp import maps
from webapp.blueprints.public import address_line
from webapp.db import get_session, get_settings

bp = Blueprint("mysterie", __name__, url_prefix="/mysterie")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _lang() -> str:
    return str(get_locale() or "nl")


def _days() -> int:
    return get_settings().stale_after_days


def _pc4() -> str | None:
    value = (request.args.get("pc4") or "").strip()
    return value[:10] or None


# ----------------------------------------------------------------------------- template helpers

@bp.app_template_global("my_text")
def my_text(text: Text) -> str:
    """A reason or warning of the check, in the page language (through Flask-Babel)."""
    return text.render(_, _lang())


@bp.app_template_global("my_loc")
def my_loc(text: Localized | None) -> str:
    return text.get(_lang()) if text else ""


@bp.app_template_global("my_lang")
def my_lang(text: Localized | None) -> str | None:
    """``nl`` when Dutch text stands on an English page (for its ``lang`` attribute)."""
    if text is None:
        return None
    lang = text.lang_of(_lang())
    return lang if lang != _lang() else None


def verdict_labels() -> dict[str, str]:
    return {"goed": _("Goed"), "beter": _("Kan beter"), "mis": _("Gaat mis")}


VERDICT_SYMBOLS = {"goed": "✓", "beter": "!", "mis": "✗"}


def urgency_labels() -> dict[str, str]:
    return {"spoed": _("Spoed: hulp is deze week nodig"),
            "snel": _("Er loopt een termijn"), "normaal": _("Geen termijn")}


def counterparty_label(code: str | None) -> str:
    cp = COUNTERPARTIES.get(code or "")
    if cp is None:
        return _("geen")
    return cp.label_en if _lang() == "en" else cp.label


def independence_label(stop: Stop, counterparty: str | None) -> str:
    if stop.counterparty:
        return _("Dit is de tegenpartij zelf")
    if stop.independent:
        if counterparty:
            return _("Onafhankelijk van %(party)s", party=my_text(party(counterparty)))
        return _("Onafhankelijke hulp")
    return _("Niet onafhankelijk: hoort bij de overheid")


def _context() -> dict[str, Any]:
    return {
        "verdict_labels": verdict_labels(), "verdict_symbols": VERDICT_SYMBOLS,
        "urgency_labels": urgency_labels(), "counterparty_label": counterparty_label,
        "independence_label": independence_label, "near_km": NEAR_KM,
        "urbanisation": URBANISATION_EN if _lang() == "en" else URBANISATION,
    }


# ----------------------------------------------------------------------------- pages

@bp.get("")
@bp.get("/")
def index():
    """The casussen, and a choice of municipality (a plain GET form)."""
    session = get_session()
    chosen = (request.args.get("gemeente") or "").strip()
    error = None
    if chosen:
        try:
            origin = mysterie.check_origin(session, chosen, _pc4())
        except ActionError as exc:
            error = exc.message
        else:
            args = {"pc4": origin.pc4} if origin.chosen else {}
            return redirect(url_for("mysterie.municipality", code=origin.municipality_code,
                                    **args), code=303)
    return render_template("mysterie_index.html", casussen=mysterie.list_casussen(),
                           municipalities=list_municipalities(session), chosen=chosen,
                           error=error, **_context()), 400 if error else 200


@bp.get("/<code>")
def municipality(code: str):
    session = get_session()
    check = mysterie.check_municipality(session, code, pc4=_pc4(), stale_after_days=_days())
    return render_template("mysterie_municipality.html", check=check,
                           pc4_choices=mysterie.pc4_choices(session, check.code),
                           **_context())


def _casus_context(code: str, casus_id: str) -> dict[str, Any]:
    session = get_session()
    check = mysterie.check_municipality(session, code, pc4=_pc4(), casus_id=casus_id,
                                        stale_after_days=_days())
    result = check.results[0]
    return {
        "check": check, "result": result, "casus": result.casus,
        "findings": mysterie.list_findings(session, check.code, result.casus.id),
        "pc4_args": {"pc4": check.origin.pc4} if check.origin.chosen else {},
        **_context(),
    }


@bp.get("/<code>/<casus_id>")
def casus(code: str, casus_id: str):
    ctx = _casus_context(code, casus_id)
    return render_template("mysterie_casus.html", map_parts=route_map(ctx["check"],
                                                                      ctx["result"]), **ctx)


@bp.get("/<code>/<casus_id>/print")
def casus_print(code: str, casus_id: str):
    return render_template("mysterie_print.html", **_casus_context(code, casus_id))


def _comparison(code: str, casus_id: str) -> mysterie.Comparison:
    return mysterie.compare_casus(get_session(), code, casus_id,
                                  scope=request.args.get("scope"),
                                  sort=request.args.get("sort"),
                                  order=request.args.get("order"),
                                  stale_after_days=_days())


@bp.get("/<code>/<casus_id>/vergelijk")
def compare(code: str, casus_id: str):
    fmt = request.args.get("format")
    if fmt:
        return compare_export(code, casus_id, fmt)
    comparison = _comparison(code, casus_id)
    steps = len(comparison.casus.moments)
    columns = [("name", _("Gemeente")), ("population", _("Inwoners")),
               ("loketten", _("Loketten")), ("hand_offs", _("Overdrachten")),
               ("goed", _("Goed")), ("beter", _("Kan beter")), ("mis", _("Gaat mis")),
               *((f"stap{i}", _("Stap %(n)d", n=i)) for i in range(1, steps + 1))]
    links = {key: _sort_link(key, comparison) for key, _label in columns}
    export_args = {k: v for k, v in request.args.items() if k != "format"}
    return render_template("mysterie_compare.html", comparison=comparison, columns=columns,
                           sort_links=links, export_args=export_args, **_context())


@bp.get("/<code>/<casus_id>/vergelijk.<fmt>")
def compare_export(code: str, casus_id: str, fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    comparison = _comparison(code, casus_id)
    data = export.export_comparison(comparison, fmt)
    name = f"loketwijzer-mysterie-{comparison.casus.id}-{comparison.municipality}-" \
           f"{comparison.scope}-{dt.date.today().isoformat()}.{fmt}"
    return Response(data, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _sort_link(key: str, comparison: mysterie.Comparison) -> dict[str, Any]:
    active = comparison.sort == key
    order = "desc" if active and comparison.order == "asc" else "asc"
    args = {k: v for k, v in request.args.items() if k not in {"sort", "order", "format"}}
    return {
        "href": url_for("mysterie.compare", code=comparison.municipality,
                        casus_id=comparison.casus.id, **args, sort=key, order=order)
        + "#tabel",
        "aria_sort": ("ascending" if comparison.order == "asc" else "descending")
        if active else None,
    }


# ----------------------------------------------------------------------------- map

def route_map(check: mysterie.MunicipalityCheck, result: mysterie.CasusResult
              ) -> maps.MapParts | None:
    """The places of the route, numbered by step, around the resident's starting point."""
    from loketwijzer.provider_types import load_provider_types

    types = load_provider_types()
    seen: dict[str, maps.MapPlace] = {}
    for step in result.steps:
        for stop in step.route:
            if stop.remote or stop.lat is None or stop.lon is None:
                continue
            if stop.service_id in seen:
                continue
            seen[stop.service_id] = maps.MapPlace(
                lat=stop.lat, lon=stop.lon,
                name=_("Stap %(n)d: %(name)s", n=step.moment.number, name=stop.label),
                provider_type=stop.provider_type,
                type_label=types.label(stop.provider_type, _lang()),
                approximate=stop.approximate,
                address=address_line({"address": stop.address,
                                      "postal_code": stop.postal_code, "city": stop.city}),
                location_label=stop.location_label, phone=stop.phone,
                href=url_for("public.service", service_id=stop.service_id))
    origin = check.origin
    m = maps.new_map(label=_("Kaart met de plekken van de route"), center=(origin.lat,
                                                                         origin.lon),
                     zoom=12, settings=get_settings())
    legend = [maps.add_origin(m, origin.lat, origin.lon,
                              _("Startpunt: %(label)s", label=origin.label))]
    places = list(seen.values())
    legend.extend(maps.add_places(m, places))
    maps.fit_to(m, [(origin.lat, origin.lon), *((p.lat, p.lon) for p in places)])
    return maps.render_parts(m, legend)
