"""For frontline workers: a hand-over sheet to print and give to the resident.

One service (``/dienst/<id>/print``) or a few chosen from a search
(``/zoek/print?q=..&postcode=..&id=..``): name, address, opening times, phone, what to
bring, why this help, source and last-checked date, and the date printed. No map (it
does not print well and adds nothing the address does not say). A QR code leads back to
the search (or the service page): built from the public URL, never the request's Host.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for

from loketwijzer.errors import InvalidInput, NotFound
from webapp.blueprints.public import SearchForm, current_lang
from webapp.db import get_session
from webapp.i18n import gettext as _
from webapp.qr import qr_svg

bp = Blueprint("referral", __name__)

# Without a choice, the sheet holds the best few; never more than fits a couple of pages.
DEFAULT_PICK = 3
MAX_PICK = 10
# The page language every link assumes without a ``lang`` argument.
BASE_LANG = "nl"


def _lang_args() -> dict[str, str]:
    lang = current_lang()
    return {} if lang == BASE_LANG else {"lang": lang}


def back_link(endpoint: str, **args: Any) -> dict[str, Any]:
    """The absolute URL (``_external``: the public URL when configured) and its QR code."""
    url = url_for(endpoint, _external=True, **args, **_lang_args())
    return {"url": url, "svg": qr_svg(url, _("QR-code: scan om deze hulp online te zien"))}


@bp.get("/dienst/<service_id>/print")
def service_print(service_id: str):
    from loketwijzer.actions.services import get_service

    item = get_service(get_session(), service_id, lang=current_lang())
    return render_template("service_print.html", items=[item], form=None, origin=None,
                           back=back_link("public.service", service_id=service_id))


@bp.get("/zoek/print")
def search_print():
    """The chosen results of a search, each with the finder's reasons and full details."""
    from loketwijzer.actions.finder import find_services
    from loketwijzer.actions.services import get_service

    form = SearchForm.from_args(request.args)
    chosen = [i.strip() for i in request.args.getlist("id") if i.strip()][:MAX_PICK]
    found: dict[str, Any] = {"results": [], "origin": None}
    if form.has_location:
        found = find_services(get_session(), **{**form.finder_kwargs(), "limit": 50},
                              lang=current_lang())
    by_id = {r["id"]: r for r in found.get("results") or []}
    if not chosen:
        chosen = list(by_id)[:DEFAULT_PICK]
    if not chosen:
        raise InvalidInput("Kies eerst een of meer plekken voor de uitdraai.",
                           code="nothing_chosen")
    items = []
    for service_id in chosen:
        try:
            item = get_service(get_session(), service_id, lang=current_lang())
        except NotFound:
            continue
        hit = by_id.get(service_id) or {}
        # What only the search knows: why it fits this question, how far it is.
        items.append({**item, "why": hit.get("why") or item.get("why"),
                      "distance_km": hit.get("distance_km")})
    if not items:
        raise NotFound("Deze plekken bestaan niet (meer). Zoek opnieuw.",
                       code="unknown_service")
    from loketwijzer.actions.match import first_steps_for
    from loketwijzer.first_steps import disclaimer

    codes = [a.get("code") for a in found.get("areas") or []]
    return render_template("service_print.html", items=items, form=form,
                           origin=found.get("origin"),
                           first_steps=first_steps_for(form.q, codes, current_lang()),
                           first_steps_note=disclaimer(current_lang()),
                           back=back_link("public.search", **form.query_args()))
