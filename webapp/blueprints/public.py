"""Pages for residents: search, results with list and map, a service, a municipality.

Thin adapters: the finder, service and municipality logic lives in ``loketwijzer.actions``
and the same functions serve the JSON API. Nothing here stores personal data; the only
cookie is the language choice (``webapp/i18n.py``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, get_locale
from werkzeug.datastructures import MultiDict

from loketwijzer import target_groups
from loketwijzer.actions import municipalities
from loketwijzer.errors import InvalidInput
from loketwijzer.models import Municipality
from webapp import maps
from webapp.db import get_session, get_settings
from webapp.demand import count_search
from webapp.i18n import gettext as _

bp = Blueprint("public", __name__)

TRUE_WORDS = {"1", "true", "ja", "yes", "on", "waar"}
FALSE_WORDS = {"0", "false", "nee", "no", "off", "onwaar"}
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_TEXT = 1000
# The national Veilig Thuis line, used only when the data itself holds no Veilig Thuis
# phone among the results (the data's number wins: see ``safety_phone``).
VEILIG_THUIS_FALLBACK = "0800-2000"
EMERGENCY_NUMBER = "112"
FRAME_TOP = 5  # the results map opens on the search point and this many top places
SAFETY_AREA = "geweld"


def current_lang() -> str:
    return str(get_locale() or "nl")


@bp.app_template_global("target_group_choices")
def target_group_choices() -> list[dict[str, str]]:
    """The "Ik hoor bij" choices for the search form (a global: macros see it too)."""
    return target_groups.choices(current_lang())


def _flag(value: str | None) -> bool | None:
    text = (value or "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _float(name: str, value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput(_("%(name)s moet een getal zijn, bijvoorbeeld 52.09.", name=name),
                           code="invalid_coordinate")
    return number


def _clip(value: str | None) -> str | None:
    text = (value or "").replace("\x00", "").strip()
    return text[:MAX_TEXT] or None


@dataclass
class SearchForm:
    """What a resident asked, read from the query string (also used to refill the form).

    The single location box is called ``postcode`` (the contract's parameter); what was
    typed there may also be a place name, so it goes to the finder as free ``text``.
    """

    q: str | None = None
    location: str | None = None
    place: str | None = None
    lat: str | None = None
    lon: str | None = None
    areas: list[str] = field(default_factory=list)
    life_event: str | None = None
    independent: bool | None = None
    limit: int = DEFAULT_LIMIT
    age: str | None = None
    group: str | None = None

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> SearchForm:
        areas: list[str] = []
        for value in args.getlist("areas"):
            areas.extend(a.strip() for a in value.split(",") if a.strip())
        try:
            limit = int(args.get("limit") or DEFAULT_LIMIT)
        except ValueError:
            limit = DEFAULT_LIMIT
        return cls(
            q=_clip(args.get("q")),
            location=_clip(args.get("postcode")),
            place=_clip(args.get("place")),
            lat=_clip(args.get("lat")),
            lon=_clip(args.get("lon")),
            areas=list(dict.fromkeys(a[:40] for a in areas))[:20],
            life_event=_clip(args.get("life_event")),
            independent=_flag(args.get("independent")),
            limit=max(1, min(MAX_LIMIT, limit)),
            age=_clip(args.get("age")),
            group=_clip(args.get("group")),
        )

    @property
    def has_location(self) -> bool:
        return bool(self.location or self.place or (self.lat and self.lon))

    @property
    def has_topic(self) -> bool:
        return bool(self.q or self.areas or self.life_event)

    @property
    def location_text(self) -> str:
        """What to show in the location box when the form is refilled."""
        return self.location or self.place or ""

    def finder_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "q": self.q,
            "areas": self.areas or None,
            "life_event": self.life_event,
            "independent": self.independent,
            "limit": self.limit,
            "age": self.age,
            "group": self.group,
        }
        if self.location:
            # The one box takes a postcode or a place; the geocoder tells them apart.
            kwargs["text"] = self.location
        elif self.place:
            kwargs["place"] = self.place
        elif self.lat or self.lon:
            kwargs["lat"] = _float("lat", self.lat)
            kwargs["lon"] = _float("lon", self.lon)
        return kwargs

    def query_args(self, **overrides: Any) -> dict[str, Any]:
        """The query string of this search (for links: share, print, pick a topic)."""
        args: dict[str, Any] = {}
        if self.q:
            args["q"] = self.q
        if self.location:
            args["postcode"] = self.location
        elif self.place:
            args["place"] = self.place
        elif self.lat and self.lon:
            args["lat"], args["lon"] = self.lat, self.lon
        if self.areas:
            args["areas"] = ",".join(self.areas)
        if self.life_event:
            args["life_event"] = self.life_event
        if self.independent is not None:
            args["independent"] = "true" if self.independent else "false"
        if self.limit != DEFAULT_LIMIT:
            args["limit"] = self.limit
        if self.age:
            args["age"] = self.age
        if self.group:
            args["group"] = self.group
        args.update(overrides)
        return {k: v for k, v in args.items() if v not in (None, "")}


def topic_choices(lang: str) -> dict[str, list[dict[str, str]]]:
    """Life events and problem areas for the optional topic choice, in the page language."""
    from loketwijzer.taxonomy import life_events, problem_areas

    def label(item: Any) -> str:
        return item.label_en if lang == "en" and item.label_en else item.label

    return {
        "life_events": [{"code": e.code, "label": label(e)} for e in life_events()],
        "areas": [{"code": a.code, "label": label(a)} for a in problem_areas()],
    }


def safety_phone(results: list[dict[str, Any]]) -> str:
    """Veilig Thuis' number as the data gives it, else the national line."""
    for result in results:
        if result.get("provider_type") == "veilig_thuis" and result.get("phone"):
            return result["phone"]
    return VEILIG_THUIS_FALLBACK


def map_place(result: dict[str, Any], number: int | None = None) -> maps.MapPlace | None:
    """A finder/service dict as a map place; None for remote help or help without a point."""
    lat, lon = result.get("lat"), result.get("lon")
    if lat is None or lon is None or result.get("remote"):
        return None
    return maps.MapPlace(
        lat=lat,
        lon=lon,
        name=result.get("name") or "",
        provider_type=result.get("provider_type") or "other",
        type_label=result.get("provider_type_label") or "",
        approximate=bool(result.get("approximate", True)),
        address=address_line(result),
        location_label=lw_town(result.get("location_label") or result.get("city") or ""),
        phone=result.get("phone"),
        href=url_for("public.service", service_id=result["id"]) if result.get("id") else None,
        number=number,
        town=result.get("city") or town_of(result.get("location_label") or ""),
    )


def town_of(label: str) -> str | None:
    """'Utrecht (locatie bij benadering)', 'Laurierweg 101, 3521 AZ Utrecht' → 'Utrecht'."""
    town = re.sub(r"^\d{4}\s?[A-Za-z]{2}\s+", "", lw_town(label).rsplit(",", 1)[-1].strip())
    return town or None


def address_line(item: dict[str, Any]) -> str | None:
    """'Marktplein 3, 9011 AB Teststad' from the source's fields; None when there is no
    street address (we never make one up from a point)."""
    street = item.get("address")
    if not street:
        return None
    town = " ".join(p for p in (item.get("postal_code"), item.get("city")) if p)
    return f"{street}, {town}" if town else street


def boundary_of(code: str | None) -> tuple[str, str] | None:
    """(GeoJSON, name) of a municipality, for the outline on the map."""
    if not code:
        return None
    municipality = get_session().get(Municipality, code)
    if municipality is None or not municipality.boundary:
        return None
    return municipality.boundary, municipality.name


def group_by_place(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One card per place: results at the same exact address (Het Juridisch Loket and Huis
    van het Recht at one door) join the card of the first, best-ranked one. Help without an
    exact address keeps a card of its own (a town centre is not a shared door)."""
    groups: list[dict[str, Any]] = []
    by_place: dict[tuple[str, str], dict[str, Any]] = {}
    for result in results:
        key = None
        if result.get("address") and not result.get("remote"):
            key = (re.sub(r"\W+", " ", str(result["address"])).strip().casefold(),
                   re.sub(r"\s+", "", str(result.get("postal_code") or result.get("city")
                                           or "")).casefold())
        if key is not None and key in by_place:
            by_place[key]["others"].append(result)
            continue
        group = {"first": result, "others": []}
        groups.append(group)
        if key is not None:
            by_place[key] = group
    return groups


def results_map(found: dict[str, Any], groups: list[dict[str, Any]] | None = None
                ) -> maps.MapParts | None:
    """The results map: the search point, the places (numbered like the list), the
    municipality outline."""
    firsts = [g["first"] for g in groups] if groups is not None else found.get("results") or []
    places = [p for p in (map_place(r, n) for n, r in enumerate(firsts, 1)) if p]
    origin = found.get("origin") or {}
    if not places and origin.get("lat") is None:
        return None
    center = (origin.get("lat") or places[0].lat, origin.get("lon") or places[0].lon)
    m = maps.new_map(label=_("Kaart met de hulp uit de lijst"), center=center, zoom=12,
                     settings=get_settings())
    legend: list[maps.LegendItem] = []
    municipality = (origin.get("municipality") or {})
    boundary = boundary_of(municipality.get("code"))
    if boundary:
        legend.append(maps.add_boundary(m, *boundary))
    if origin.get("lat") is not None:
        legend.append(maps.add_origin(
            m, origin["lat"], origin["lon"],
            _("Uw zoekpunt: %(label)s", label=origin.get("label") or origin.get("postcode")
              or municipality.get("name") or "")))
    legend.extend(maps.add_places(m, places))
    maps.fit_to(m, frame_points(found, places))
    return maps.render_parts(m, legend)


def frame_points(found: dict[str, Any], places: list[maps.MapPlace]
                 ) -> list[tuple[float, float]]:
    """What the map opens on: the search point and the top ``FRAME_TOP`` places of the
    list (by their list number), so what the resident reads first is in view."""
    top = sorted(places, key=lambda p: p.number if p.number is not None else math.inf)
    points = [(p.lat, p.lon) for p in top[:FRAME_TOP]]
    origin = found.get("origin") or {}
    if origin.get("lat") is not None:
        points.insert(0, (origin["lat"], origin["lon"]))
    return points


def service_map(service: dict[str, Any]) -> maps.MapParts | None:
    """A small map on the service page, only when the service has a point."""
    places = []
    for loc in service.get("locations") or []:
        if loc.get("lat") is None or loc.get("lon") is None:
            continue
        places.append(maps.MapPlace(
            lat=loc["lat"], lon=loc["lon"], name=service.get("name") or "",
            provider_type=service.get("provider_type") or "other",
            type_label=service.get("provider_type_label") or "",
            approximate=bool(loc.get("approximate", True)),
            address=address_line(loc), location_label=lw_town(loc.get("location_label") or ""),
            phone=service.get("phone")))
    if not places:
        return None
    first = places[0]
    m = maps.new_map(label=_("Kaart: waar is %(name)s", name=first.name),
                     center=(first.lat, first.lon), zoom=13 if first.approximate else 16,
                     height="16rem", settings=get_settings())
    legend = maps.add_places(m, places)
    if len(places) > 1:
        maps.fit_to(m, [(p.lat, p.lon) for p in places])
    return maps.render_parts(m, legend)


def share_url(form: SearchForm) -> str:
    return url_for("public.search", _external=True, **form.query_args())


def suggestion_links(form: SearchForm, exc: InvalidInput) -> list[tuple[str, str]]:
    """(text, URL) per suggestion of an error: retry the same search with it."""
    from loketwijzer.taxonomy import area_label

    links = []
    for text in exc.suggestions[:8]:
        if exc.code in {"unknown_area"}:
            label = area_label(text, current_lang())
            args = form.query_args(areas=text)
        elif exc.code in {"unknown_life_event"}:
            label, args = text, form.query_args(life_event=text)
        else:  # the geocoder's places and postcodes
            label = text
            args = form.query_args(postcode=text, place=None, lat=None, lon=None)
        links.append((label, url_for("public.search", **args)))
    return links


def _render_search_page(form: SearchForm, *, status: int = 200, error: str | None = None,
                        suggestions: list[tuple[str, str]] | None = None, notice: str | None = None,
                        pick_topic: bool = False):
    return render_template(
        "index.html", form=form, choices=topic_choices(current_lang()), error=error,
        suggestions=suggestions or [], notice=notice, pick_topic=pick_topic,
        topic_url=lambda code: url_for("public.search",
                                       **form.query_args(areas=code, q=None, life_event=None)),
    ), status


@bp.get("/")
def index():
    return _render_search_page(SearchForm.from_args(request.args))


@bp.get("/zoek")
def search():
    """Results: the list first, then the map. Without a place, national help and a
    request for the postcode; without a topic, a choice of topics; bad input, HTTP 400."""
    from loketwijzer.actions.finder import find_services

    form = SearchForm.from_args(request.args)
    try:
        found = find_services(get_session(), **form.finder_kwargs(), lang=current_lang(),
                              stale_after_days=get_settings().stale_after_days)
    except InvalidInput as exc:
        if exc.code == "no_areas":
            notice = (_("We weten nog niet goed waar uw vraag over gaat. Kies een onderwerp, "
                        "dan zoeken we gerichter.") if form.q else
                      _("Vertel wat er aan de hand is, of kies een onderwerp."))
            return _render_search_page(form, notice=notice, pick_topic=True)
        return _render_search_page(form, status=400, error=exc.message,
                                   suggestions=suggestion_links(form, exc))
    count_search(found)
    results = found.get("results") or []
    groups = group_by_place(results)
    from loketwijzer.actions.freshness import count_impressions

    count_impressions(get_session(), [r.get("id") for r in results])
    area_codes = [a.get("code") for a in found.get("areas") or []]
    safety = SAFETY_AREA in area_codes
    messages = [m for m in found.get("messages") or []
                if not (safety and m.get("kind") == "safety")]
    from loketwijzer.actions.match import first_steps_for
    from loketwijzer.first_steps import disclaimer

    return render_template(
        "results.html",
        form=form,
        found=found,
        first_steps=first_steps_for(form.q, area_codes, current_lang()),
        first_steps_note=disclaimer(current_lang()),
        results=results,
        groups=groups,
        messages=messages,
        choices=topic_choices(current_lang()),
        map_parts=results_map(found, groups),
        share_url=share_url(form),
        safety=safety,
        safety_phone=safety_phone(results),
        emergency_number=EMERGENCY_NUMBER,
        topic_url=lambda code: url_for("public.search",
                                       **form.query_args(areas=code, q=None, life_event=None)),
        place_url=lambda text: url_for("public.search",
                                       **form.query_args(postcode=text, place=None, lat=None,
                                                         lon=None)),
    )


@bp.get("/dienst/<service_id>")
def service(service_id: str):
    from loketwijzer.actions.services import get_service

    item = get_service(get_session(), service_id, lang=current_lang(),
                       stale_after_days=get_settings().stale_after_days)
    return render_template("service.html", s=item, map_parts=service_map(item))


@bp.get("/gemeente/<code>")
def municipality(code: str):
    summary = municipalities.municipality_summary(get_session(), code)
    return render_template("municipality.html", m=summary)


# -- template helpers (used by all finder templates) -----------------------------------

def _as_date(value: Any) -> dt.date | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return text  # "2024-06" or "2019": show what the source says


@bp.app_template_filter("lw_date")
def lw_date(value: Any) -> str:
    """'1 maart 2025' (or the source's partial date as given); '' when unknown."""
    parsed = _as_date(value)
    if parsed is None:
        return ""
    if isinstance(parsed, str):
        return parsed
    return format_date(parsed, "d MMMM y")


@bp.app_template_filter("lw_town")
def lw_town(label: str) -> str:
    """'Teststad (locatie bij benadering)' → 'Teststad': the page says "approximate" itself."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", label or "") or (label or "")


@bp.app_template_global("lw_address_line")
def lw_address_line(item: dict[str, Any]) -> str | None:
    return address_line(item)


@bp.app_template_filter("lw_km")
def lw_km(value: Any, rough: bool = False) -> str:
    """'2,3 km'; ``rough`` (an approximate point) gives whole km, at least 1."""
    if value is None:
        return ""
    if rough:
        return _("%(km)s km", km=format_decimal(max(1, round(float(value))), format="#,##0"))
    return _("%(km)s km", km=format_decimal(round(float(value), 1), format="#,##0.0"))


@bp.app_template_filter("lw_tel")
def lw_tel(value: str | None) -> str:
    """The number for a ``tel:`` link: digits and a leading plus only (``tel:14020``)."""
    from loketwijzer.phones import tel_uri

    return tel_uri(value)


@bp.app_template_filter("lw_phone")
def lw_phone(value: str | None) -> str:
    """A phone number in one display format (020 123 4567, 0900-8020, 14 020)."""
    from loketwijzer.phones import display

    return display(value)


@bp.app_template_filter("lw_phone_hint")
def lw_phone_hint(value: str | None) -> str:
    """'gratis nummer', 'betaald nummer ...' or the municipal short number; else empty."""
    from loketwijzer.phones import cost_hint

    return cost_hint(value, current_lang()) or ""


@bp.app_template_global("lw_area_label")
def lw_area_label(area: Any) -> str:
    if isinstance(area, dict):
        return area.get("label") or area.get("code") or ""
    from loketwijzer.taxonomy import area_label

    return area_label(str(area), current_lang())


@bp.app_template_global("lw_channel_label")
def lw_channel_label(channel: str) -> str:
    labels = {
        "walk_in": _("Binnenlopen zonder afspraak"),
        "by_appointment": _("Op afspraak"),
        "by_phone": _("Bellen"),
        "online": _("Online of per e-mail"),
    }
    return labels.get(channel, channel)


@bp.app_template_global("lw_source_label")
def lw_source_label(source: str | None) -> str:
    from loketwijzer.actions.services import source_label

    return source_label(source) or ""


@bp.app_template_global("lang_url")
def lang_url(lang: str) -> str:
    """This page in another language, keeping the search (used by the language link)."""
    if request.endpoint and request.endpoint != "static":
        args = request.args.to_dict(flat=False)
        args["lang"] = [lang]
        try:
            return url_for(request.endpoint, **(request.view_args or {}), **args)
        except Exception:  # an error page for a URL we cannot rebuild
            pass
    return f"?lang={lang}"


@bp.app_template_global("today")
def today() -> dt.date:
    return dt.date.today()


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own; ours is an SVG in static/."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
