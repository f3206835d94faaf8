"""Find help for a resident: situation -> problem areas -> services they may use, ranked
in a way a frontline worker can explain, each result with its reasons (``why``).

Who may use what is decided by the one eligibility rule in ``loketwijzer.eligibility``
(status, age, national / named municipalities / open help within ``REACH_KM``).

Order: help a resident can reach (phone, e-mail, website or exact address) before help
without any contact; active help before help that may have stopped (``uncertain``);
general help before help "Alleen voor: ..." a target group; then by points:


- ``W_FIT``: how well the service's areas cover the matched areas, weighted by match score;
- ``W_INDEPENDENT``: independent help, worth much more when the resident's counterparty is
  probably the government (toeslagen, uitkering, belastingen, overheid, vreemdelingen);
- ``W_NEAR``: distance, ``exp(-km / DISTANCE_SCALE_KM)``; remote help (phone/online, no
  place nearby) counts as if it were ``REMOTE_AS_KM`` away, so it sits next to the nearby
  places instead of under all of them;
- ``W_FREE``, ``W_WALK_IN``, ``W_FRESH``: free, walk-in, data checked within a year.
Veilig Thuis goes first whenever domestic violence (``geweld``) is among the areas.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from geo.geocode import Origin, geocode
from loketwijzer.eligibility import REACH_KM, age_fits, check_age, may_use
from loketwijzer.errors import InvalidInput
from loketwijzer.finder_index import (
    FinderIndex,
    LocationEntry,
    ServiceEntry,
    candidate_services,
    get_index,
    nearest_locations,
)
from loketwijzer.models import STATUS_UNCERTAIN
from loketwijzer.target_groups import check_group

DISTANCE_SCALE_KM = 8.0
REMOTE_AS_KM = 10.0
REMOTE_SLOTS = 3
W_FIT, W_NEAR, W_INDEPENDENT, W_FREE, W_WALK_IN, W_FRESH = 45.0, 25.0, 20.0, 5.0, 5.0, 3.0
INDEPENDENT_WHEN_NOT_GOVERNMENT = 0.25  # share of W_INDEPENDENT outside government cases
GOVERNMENT_AREAS = frozenset({"uitkering", "toeslagen", "belastingen", "overheid",
                              "vreemdelingen"})
SAFETY_AREA = "geweld"
# From whom independent help is independent, by matched area (the likely counterparty).
COUNTERPARTIES: dict[str, tuple[str, str]] = {
    "toeslagen": ("Dienst Toeslagen", "the Benefits Agency (Toeslagen)"),
    "belastingen": ("de Belastingdienst", "the Tax Administration"),
    "uitkering": ("UWV en de afdeling uitkeringen", "UWV and the benefits office"),
    "werk": ("uw werkgever", "your employer"),
    "wonen": ("uw verhuurder", "your landlord"),
    "schulden": ("uw schuldeisers", "your creditors"),
    "vreemdelingen": ("de IND", "the IND"),
    "overheid": ("de overheidsinstantie", "the government body"),
}
MAX_MATCHED_AREAS = 4
MAX_LIMIT = 100
MAX_QUERY = 1000

# Short texts in both languages; pages render them as given (B1 Dutch by default).
TEXTS: dict[str, tuple[str, str]] = {
    "helps": ("Helpt bij: {areas}", "Helps with: {areas}"),
    "independent_of": ("Onafhankelijk van de gemeente en van {party}",
                       "Independent of the municipality and of {party}"),
    "independent": ("Onafhankelijk van de gemeente", "Independent of the municipality"),
    "municipal": ("Loket van uw gemeente: alleen voor inwoners",
                  "Your municipality's counter: for residents only"),
    "residents_only": ("Alleen voor inwoners van {names}", "Only for residents of {names}"),
    "not_independent": ("Hoort bij de gemeente", "Part of the municipality"),
    "government_body": ("Overheidsinstantie: geen onafhankelijke hulp",
                        "Government body: not independent help"),
    "target": ("Alleen voor: {group}", "Only for: {group}"),
    "uncertain": ("Mogelijk niet meer actief — bel of kijk eerst",
                  "May no longer be active — call or check first"),
    "reach_phone": ("Bel {phone}", "Call {phone}"),
    "reach_email": ("Mail naar {email}", "Email {email}"),
    "reach_website": ("Kijk op de website", "See the website"),
    "reach_address": ("Ga langs: {address}", "Visit: {address}"),
    "reach_none": ("Geen telefoon, e-mail of website bekend. Vraag het uw gemeente of bel "
                   "de landelijke lijn.",
                   "No phone, email or website known. Ask your municipality or call the "
                   "national line."),
    "referral": ("Zo vindt u {name} bij u in de buurt: {how}",
                 "How to find {name} near you: {how}"),
    "referral_site": ("kijk op {url}", "see {url}"),
    "national_line": ("Landelijke lijn: advies en doorverwijzing, ook als de hulp hieronder "
                      "niet bereikbaar is",
                      "National line: advice and referral, also when the help below cannot "
                      "be reached"),
    "msg_unreachable_local": ("De hulp bij u in de buurt heeft geen telefoon, e-mail of "
                              "website in onze gegevens. Bel daarom ook de landelijke lijn.",
                              "The help near you has no phone, email or website in our "
                              "data. So also call the national line."),
    "distance": ("{km} km van {origin}", "{km} km from {origin}"),
    "distance_close": ("Minder dan 1 km van {origin}", "Less than 1 km from {origin}"),
    "other_municipality": ("In gemeente {name}, ook voor u", "In {name}, open to you too"),
    "region": ("Voor inwoners van uw regio", "For residents of your region"),
    "remote": ("Bel of mail: landelijke hulp", "Call or email: national help"),
    "remote_regional": ("Bel of mail: geen plek bij u in de buurt bekend",
                        "Call or email: no place near you is known"),
    "free": ("Gratis", "Free"),
    "paid": ("Kost geld", "Costs money"),
    "walk_in": ("Zonder afspraak binnenlopen", "Walk in without an appointment"),
    "appointment": ("Op afspraak", "By appointment"),
    "stale": ("Gegevens ouder dan een jaar: bel eerst",
              "Information older than a year: call first"),
    "undated": ("Niet bekend hoe oud deze gegevens zijn: bel eerst",
                "Unknown how old this information is: call first"),
    "approximate": ("Locatie bij benadering", "Approximate location"),
    "veilig_thuis": ("Bij geweld of onveiligheid thuis: eerst Veilig Thuis",
                     "Violence or danger at home: Veilig Thuis first"),
    "msg_safety": ("Bent u of is iemand in direct gevaar? Bel 112.",
                   "Are you or someone else in immediate danger? Call 112."),
    "msg_safety_vt": ("Advies bij geweld thuis: Veilig Thuis, telefoon {phone}.",
                      "Advice on violence at home: Veilig Thuis, phone {phone}."),
    "msg_no_location": ("Vul uw postcode of woonplaats in. Dan ziet u ook hulp in de buurt.",
                        "Enter your postcode or town to also see help nearby."),
    "msg_none": ("We vinden geen hulp bij dit onderwerp voor {origin}. Kies een ander "
                 "onderwerp, of vraag het uw gemeente.",
                 "We found no help on this topic for {origin}. Choose another topic, or "
                 "ask your municipality."),
    "msg_only_remote": ("We vinden geen plek in de buurt. Deze hulp kunt u bellen of online "
                        "vinden.",
                        "We found no place nearby. You can call this help or find it "
                        "online."),
    "msg_independent_none": ("We vinden geen onafhankelijke hulp. Zet het filter uit om ook "
                             "de gemeente te zien.",
                             "We found no independent help. Turn off the filter to also see "
                             "the municipality."),
    "where_address": ("{address}", "{address}"),
    "where_approximate": ("{town} (locatie bij benadering)", "{town} (approximate location)"),
    "where_remote": ("Landelijk: bellen of online", "National: by phone or online"),
    "where_remote_regional": ("Bellen of online", "By phone or online"),
}


def t(key: str, lang: str = "nl", **values: Any) -> str:
    nl, en = TEXTS[key]
    return (en if lang == "en" else nl).format(**values)


@dataclass(frozen=True)
class MatchedArea:
    code: str
    label: str
    score: float
    matched: tuple[str, ...]
    via: str  # q | areas | life_event

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "score": round(self.score, 3),
                "matched": list(self.matched), "via": self.via}


def find_services(
    session: Session,
    *,
    q: str | None = None,
    postcode: str | None = None,
    place: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    text: str | None = None,
    areas: str | list[str] | None = None,
    life_event: str | None = None,
    independent: bool | None = None,
    limit: int = 20,
    lang: str = "nl",
    stale_after_days: int = 365,
    allow_online: bool = False,
    sort: str = "score",
    today: dt.date | None = None,
    age: int | str | None = None,
    group: str | None = None,
) -> dict[str, Any]:
    """The contract JSON of ``GET /api/v1/services`` plus fields the pages use.

    Areas come from ``q`` (the matcher), ``areas`` (codes) and/or ``life_event``; the
    place from ``lat``/``lon``, ``postcode``, ``place`` or the free field ``text``. Without
    any place, only help reachable from anywhere (national lines) is listed.
    """
    lang = "en" if lang == "en" else "nl"
    limit = _check_limit(limit)
    if sort not in {"score", "distance"}:
        raise InvalidInput("Sorteer op 'score' of 'distance'.", code="invalid_sort")
    try:
        age = check_age(age)
    except ValueError as exc:
        raise InvalidInput("Vul een leeftijd in als heel getal van 0 tot 120.",
                           code="invalid_age") from exc
    try:
        group = check_group(group)
    except ValueError as exc:
        raise InvalidInput("Kies een doelgroep uit de lijst.", code="invalid_group") from exc
    index = get_index(session)
    matched, life_events = _matched_areas(index, q, areas, life_event, lang)
    if not matched:
        raise InvalidInput("Vertel wat er aan de hand is of kies een onderwerp.",
                           code="no_areas")
    has_location = any(v is not None and str(v).strip() != ""
                       for v in (postcode, place, lat, lon, text))
    origin: Origin | None = None
    if has_location:
        origin = _origin(index, postcode=postcode, place=place, lat=lat, lon=lon,
                         text=text, allow_online=allow_online)
    today = today or dt.date.today()
    results, total, messages = _rank(index, matched, origin, independent=independent,
                                     limit=limit, lang=lang, today=today,
                                     stale_after_days=stale_after_days, sort=sort, age=age,
                                     group=group)
    referrals = _referrals(index, matched, origin, lang)
    return {
        "query": q,
        "origin": origin.to_dict() if origin else None,
        "areas": [a.to_dict() for a in matched],
        "life_events": life_events,
        "filters": {"independent": independent, "sort": sort, "limit": limit, "age": age,
                    "group": group},
        "total": total,
        "results": results,
        "referrals": referrals,
        "messages": messages,
    }


#: Popular searches repeat ("huurachterstand", "schulden", a town): the matcher and the
#: geocoder are pure, so their answers are kept (per matcher, and per index) for a while.
MATCH_CACHE_SIZE = 2048


@lru_cache(maxsize=MATCH_CACHE_SIZE)
def _match(matcher: Any, text: str) -> Any:
    """The matcher's (frozen) answer for this text; errors are not kept."""
    return matcher.match(text)


def _origin(index: FinderIndex, *, allow_online: bool, **where: Any) -> Origin:
    """Where the resident is (``geo.geocode``), kept per index unless looked up online."""
    if allow_online:
        return geocode(index.gazetteer, allow_online=True, **where)
    key = ("origin", *(str(where[k]) if where[k] is not None else None
                       for k in ("postcode", "place", "lat", "lon", "text")))
    return _cached(index, key, lambda: geocode(index.gazetteer, **where))


def _check_limit(limit: Any) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_LIMIT or (isinstance(limit, float) and not limit.is_integer()):
        raise InvalidInput(f"Het aantal resultaten (limit) is een getal van 1 tot {MAX_LIMIT}.",
                           code="invalid_limit")
    return value


# -- areas ------------------------------------------------------------------------------------

def _matched_areas(index: FinderIndex, q: str | None, areas: str | list[str] | None,
                   life_event: str | None, lang: str
                   ) -> tuple[list[MatchedArea], list[dict[str, Any]]]:
    from loketwijzer.taxonomy import area_label

    found: dict[str, MatchedArea] = {}
    life_events: list[dict[str, Any]] = []
    if q is not None and str(q).strip():
        from matcher import MatchInputError, get_matcher

        text = str(q)
        if len(text) > MAX_QUERY:
            raise InvalidInput(f"Uw tekst is te lang. Gebruik minder dan {MAX_QUERY} tekens.",
                               code="query_too_long")
        try:
            result = _match(get_matcher(), text)
        except MatchInputError as exc:
            raise InvalidInput(getattr(exc, "message_nl", None) or str(exc),
                               code=getattr(exc, "code", None) or "invalid_query") from exc
        # The matcher already keeps only areas above its thresholds (best first).
        ranked = sorted(result.areas, key=lambda a: -a.score)
        top = max((a.score for a in ranked), default=0.0) or 1.0
        for area in ranked[:MAX_MATCHED_AREAS]:
            label = getattr(area, "label_en", area.label) if lang == "en" else area.label
            found[area.code] = MatchedArea(area.code, label, float(area.score) / top,
                                           tuple(area.matched or ()), "q")
        life_events = [{"code": e.code,
                        "label": getattr(e, "label_en", e.label) if lang == "en" else e.label,
                        "score": round(float(e.score), 3)}
                       for e in getattr(result, "life_events", [])]

    for code in _split_codes(areas):
        if code not in index.area_codes:
            raise InvalidInput(f"Onbekend onderwerp: '{code[:40]}'.", code="unknown_area",
                               suggestions=_close_codes(code, index.area_codes))
        if code not in found:
            found[code] = MatchedArea(code, area_label(code, lang), 1.0, (), "areas")

    if life_event is not None and str(life_event).strip():
        from matcher import get_matcher

        matcher = get_matcher()
        code = str(life_event).strip().lower()
        events = {e.code: e for e in matcher.life_events}
        if code not in events:
            raise InvalidInput(f"Onbekende gebeurtenis: '{code[:40]}'.",
                               code="unknown_life_event",
                               suggestions=_close_codes(code, list(events)))
        event = events[code]
        label = getattr(event, "label_en", event.label) if lang == "en" else event.label
        life_events.insert(0, {"code": code, "label": label, "score": 1.0, "chosen": True})
        for rank, area_code in enumerate(matcher.area_codes_for_life_event(code)):
            if area_code not in found:
                # The event's areas, most likely first, with a gently decaying weight.
                found[area_code] = MatchedArea(area_code, area_label(area_code, lang),
                                               max(0.4, 1.0 - 0.15 * rank), (), "life_event")
    return list(found.values()), life_events


def _split_codes(areas: str | list[str] | None) -> list[str]:
    if areas is None:
        return []
    items = areas.split(",") if isinstance(areas, str) else [str(a) for a in areas]
    out = []
    for item in items:
        code = item.strip().lower()
        if code and code not in out:
            out.append(code)
    return out


def _close_codes(code: str, codes: list[str]) -> list[str]:
    from rapidfuzz import fuzz, process

    hits = process.extract(code.lower(), codes, scorer=fuzz.ratio, limit=3, score_cutoff=50)
    return [h[0] for h in hits] or sorted(codes)


# -- ranking ----------------------------------------------------------------------------------

def _rank(index: FinderIndex, matched: list[MatchedArea], origin: Origin | None, *,
          independent: bool | None, limit: int, lang: str, today: dt.date,
          stale_after_days: int, sort: str, age: int | None = None,
          group: str | None = None
          ) -> tuple[list[dict[str, Any]], int, list[dict[str, str]]]:
    """Score the candidate services (see ``candidate_services``: every service the
    eligibility rule could admit, never all of them) and pick the list."""
    messages: list[dict[str, str]] = []
    weights: dict[int, float] = {}  # area column -> weight of the matched area
    for area in matched:
        col = index.area_column(area.code)
        if col is not None:
            weights[col] = max(area.score, 0.05)
    total_weight = sum(weights.values()) or 1.0
    handling = index.handling(list(weights))

    # Who may go where: only the candidates are scored; arrays below are per candidate.
    if origin is not None:
        cand, listed = candidate_services(index, origin.lat, origin.lon,
                                          origin.municipality_code, handling)
        dist, best_loc = nearest_locations(index, origin.lat, origin.lon, cand)
    else:
        cand = index.national_idx
        listed = np.zeros(len(cand), dtype=bool)
        dist = np.full(len(cand), np.inf)
        best_loc = np.full(len(cand), -1, dtype=np.int64)
        messages.append({"kind": "info", "text": t("msg_no_location", lang)})
    handles = handling[cand]
    fit = np.zeros(len(cand))
    for col, weight in weights.items():
        fit += weight * index.area_members[col][cand]
    fit /= total_weight
    eligible = may_use(listable=index.listable[cand], national=index.national[cand],
                       listed=listed, closed=index.closed[cand], dist_km=dist,
                       age_ok=age_fits(index.min_age[cand], index.max_age[cand], age)
                       if age is not None else True)
    candidates = eligible & handles
    indep = index.independent[cand]
    if independent:
        candidates &= indep
    # Remote: no place within reach, but a line or website (national help mostly).
    physical = np.isfinite(dist) & (dist <= REACH_KM) | (listed & np.isfinite(dist))
    remote = ~physical

    gov_share = sum(a.score for a in matched if a.code in GOVERNMENT_AREAS) / \
        (sum(a.score for a in matched) or 1.0)
    government_case = gov_share >= 0.5
    independence = W_INDEPENDENT * (1.0 if government_case else INDEPENDENT_WHEN_NOT_GOVERNMENT)
    near = np.where(remote, math.exp(-REMOTE_AS_KM / DISTANCE_SCALE_KM),
                    np.exp(-np.where(np.isfinite(dist), dist, 1e6) / DISTANCE_SCALE_KM))
    points = (W_FIT * fit + W_NEAR * near + independence * indep
              + _fixed_points(index, today, stale_after_days)[cand])
    score = points / (W_FIT + W_NEAR + W_INDEPENDENT + W_FREE + W_WALK_IN + W_FRESH)
    safety = any(a.code == SAFETY_AREA for a in matched)
    veilig_thuis = index.veilig_thuis[cand]
    if safety:
        score = np.where(veilig_thuis, score + 1.0, score)  # Veilig Thuis first

    # Reachable before unreachable, active before uncertain, general before target groups
    # (help for the group the resident picked counts as general help).
    tier = _tiers(index)[cand]
    if group:
        tier = tier - (index.target & index.group_members[group])[cand]
    reachable = index.reachable[cand]
    order_score = score - 10.0 * tier
    chosen = _choose(np.flatnonzero(candidates), order_score, dist, remote, limit, sort,
                     veilig_thuis if safety else None)
    shape = tuple((a.code, a.label) for a in matched)  # what results share per service
    chosen, fallback = _with_national_line(index, cand, chosen, remote, reachable, limit,
                                           origin is not None)
    results = [
        _result(index, index.services[int(cand[k])], matched, origin, float(score[k]),
                float(dist[k]) if np.isfinite(dist[k]) else None,
                index.loc_entries[best_loc[k]] if best_loc[k] >= 0 else None,
                bool(remote[k]), bool(listed[k]), government_case, lang, today,
                stale_after_days, safety, shape)
        for k in chosen
    ]
    for r in results:
        if r["id"] == fallback:
            r["why"].insert(0, t("national_line", lang))
            r["fallback"] = True
    if safety:
        messages.insert(0, {"kind": "safety", "text": t("msg_safety", lang)})
        phone = next((index.services[i].phone for i in index.national_idx
                      if index.veilig_thuis[i] and index.services[i].phone), None)
        if phone:
            messages.insert(1, {"kind": "safety", "text": t("msg_safety_vt", lang,
                                                            phone=phone)})
    if not results:
        if independent and (eligible & handles).any():
            messages.append({"kind": "empty", "text": t("msg_independent_none", lang)})
        else:
            where = origin.label if origin else ("Nederland" if lang == "nl" else
                                                 "the Netherlands")
            messages.append({"kind": "empty", "text": t("msg_none", lang, origin=where)})
    elif origin is not None and all(r["remote"] for r in results):
        messages.append({"kind": "info", "text": t("msg_only_remote", lang)})
    elif origin is not None and not any(r["reachable"] for r in results if not r["remote"]):
        messages.append({"kind": "info", "text": t("msg_unreachable_local", lang)})
    return results, int(candidates.sum()), messages


def _fixed_reasons(index: FinderIndex, svc: ServiceEntry, helps: list[MatchedArea],
                   lang: str, safety: bool) -> tuple[str, ...]:
    """The first reasons of a result: what it helps with, for whom, independent of whom."""
    why: list[str] = []
    if safety and svc.provider_type == "veilig_thuis":
        why.append(t("veilig_thuis", lang))
    if helps:
        why.append(t("helps", lang, areas=", ".join(a.label for a in helps)))
    # The target group and an uncertain status are labels of their own (target_label,
    # status_label), not reasons.
    if svc.provider_type == "gemeente":
        why.append(t("municipal", lang))
    elif svc.residents_only and svc.home_municipalities:
        names = [index.gazetteer.municipalities[c].name for c in svc.home_municipalities
                 if c in index.gazetteer.municipalities]
        why.append(t("residents_only", lang, names=", ".join(names)))
    if svc.independent and svc.provider_type != "gemeente":
        party = counterparty(helps, lang)  # only areas this service helps with
        why.append(t("independent_of", lang, party=party) if party
                   else t("independent", lang))
    elif svc.provider_type != "gemeente":
        why.append(t("government_body" if svc.national else "not_independent",
                     lang))
    return tuple(why)


def _fixed_points(index: FinderIndex, today: dt.date, stale_after_days: int) -> np.ndarray:
    """Per service the points that do not depend on the search (free, walk-in, fresh),
    kept per index and day."""
    stale_cut = (today - dt.timedelta(days=stale_after_days)).toordinal()

    def build() -> np.ndarray:
        fresh = index.last_checked >= stale_cut  # 0 (unknown) is never fresh
        return W_FREE * index.free + W_WALK_IN * index.walk_in + W_FRESH * fresh

    return _cached(index, ("fixed_points", stale_cut), build)


def _tiers(index: FinderIndex) -> np.ndarray:
    """Per service its tier: unreachable (4), uncertain (2), only for a target group (1)."""
    return _cached(index, ("tiers",), lambda: 4.0 * ~index.reachable
                   + 2.0 * index.uncertain + 1.0 * index.target)


def _with_national_line(index: FinderIndex, cand: np.ndarray, chosen: list[int],
                        remote: np.ndarray, reachable: np.ndarray, limit: int,
                        has_origin: bool) -> tuple[list[int], str | None]:
    """When local help in the list cannot be reached (no phone, e-mail, website or
    address) and no reachable remote help is listed, put the general national line
    (Het Juridisch Loket: advice and referral) right before it. Positions are per
    candidate (national services are always candidates)."""
    if not has_origin or not chosen or reachable[chosen].all():
        return chosen, None
    if any(remote[k] and reachable[k] for k in chosen):
        return chosen, None
    lines = np.flatnonzero(index.national[cand] & index.listable[cand] & reachable
                           & index.general_line[cand])
    line = next((int(k) for k in lines if int(k) not in chosen), None)
    if line is None:
        return chosen, None
    first_bad = next(k for k, pos in enumerate(chosen) if not reachable[pos])
    out = [*chosen[:first_bad], line, *chosen[first_bad:]]
    return out[:max(limit, first_bad + 1)], index.services[int(cand[line])].id


def _referrals(index: FinderIndex, matched: list[MatchedArea], origin: Origin | None,
               lang: str) -> list[dict[str, Any]]:
    """Referral rows (national entrances to local help) as "Zo vindt u ..." lines: never
    ranked, never on the map."""
    cols = [c for a in matched if (c := index.area_column(a.code)) is not None]
    rows = index.referral_idx
    if not cols or not len(rows):
        return []
    handles = index.area_matrix[np.ix_(rows, cols)].any(axis=1)
    own = index.by_municipality.get(origin.municipality_code or "") \
        if origin is not None else None
    listed = np.zeros(len(index.services), dtype=bool)  # np.isin: slower by far here
    if own is not None:
        listed[own] = True
    listed = listed[rows]
    out = []
    for i in rows[handles & (index.national[rows] | listed)]:
        svc = index.services[int(i)]
        how = svc.public_note or (t("referral_site", lang, url=svc.website) if svc.website
                                  else None)
        if not how:
            continue
        out.append({"id": svc.id, "name": svc.name, "website": svc.website,
                    "phone": svc.phone,
                    "text": t("referral", lang, name=svc.name, how=how)})
    return out


def _choose(idx: np.ndarray, score: np.ndarray, dist: np.ndarray, remote: np.ndarray,
            limit: int, sort: str, pinned: np.ndarray | None, *,
            preselect: bool = True) -> list[int]:
    """Best physical places plus up to REMOTE_SLOTS remote services, never more than limit."""
    if len(idx) == 0:
        return []
    if preselect:  # off only to prove in tests that it changes nothing
        idx = _preselect(idx, score, remote, limit, pinned)
    finite = np.where(np.isfinite(dist[idx]), dist[idx], 1e9)
    order = idx[np.lexsort((finite, -score[idx]))]  # score desc, then nearer first
    # Python lists from here: element access on numpy arrays costs ten times as much.
    order_list = order.tolist()
    is_remote = remote[order].tolist()
    phys = [i for i, far in zip(order_list, is_remote, strict=True) if not far]
    rem = [i for i, far in zip(order_list, is_remote, strict=True) if far]
    pins = [] if pinned is None else \
        [i for i, pin in zip(order_list, pinned[order].tolist(), strict=True) if pin]
    if limit <= REMOTE_SLOTS:  # a very short list: simply the best ones
        picked = {int(i) for i in order[:limit]}
    else:
        n_remote = min(len(rem), REMOTE_SLOTS, max(1, limit // 4))
        if len(phys) < limit - n_remote:
            n_remote = min(len(rem), limit - len(phys))
        picked = set(phys[:limit - n_remote]) | set(rem[:n_remote])
    for pin in pins[:1]:  # Veilig Thuis is always in, even when it is remote
        if pin not in picked:
            picked.add(pin)
            drop = [i for i in order_list if i in picked and i != pin]
            if len(picked) > limit and drop:
                picked.discard(drop[-1])
    chosen = [i for i in order_list if i in picked]
    if sort == "distance":
        pinned_first = [i for i in chosen if pinned is not None and pinned[i]][:1]
        rest = sorted((i for i in chosen if i not in pinned_first),
                      key=lambda i: (remote[i], dist[i] if np.isfinite(dist[i]) else 1e9,
                                     -score[i]))
        chosen = pinned_first + rest
    return chosen


def _preselect(idx: np.ndarray, score: np.ndarray, remote: np.ndarray, limit: int,
               pinned: np.ndarray | None) -> np.ndarray:
    """Only what ``_choose`` can pick: per group (physical, remote) the services scoring at
    least the group's ``limit``-th best score (ties kept), and the pinned ones. Exact, and
    the Python loops in ``_choose`` then see dozens of services instead of thousands."""
    if len(idx) <= 2 * limit:
        return idx
    keep = [idx[pinned[idx]]] if pinned is not None else []
    for group in (idx[~remote[idx]], idx[remote[idx]]):
        if len(group) > limit:
            scores = score[group]
            cut = np.partition(scores, len(group) - limit)[len(group) - limit]
            group = group[scores >= cut]
        keep.append(group)
    member = np.zeros(len(score), dtype=bool)
    for part in keep:
        member[part] = True
    return np.flatnonzero(member)


def _km(value: float, lang: str) -> str:
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return text.replace(".", ",") if lang == "nl" else text


def is_stale(last_checked: dt.date | None, today: dt.date, stale_after_days: int) -> bool:
    return last_checked is None or (today - last_checked).days > stale_after_days


def location_label(index_or_gaz: Any, loc: LocationEntry | None, remote: bool,
                   lang: str = "nl", *, national: bool = True) -> str | None:
    """What to show for "where": the address, or a town marked approximate."""
    gaz = getattr(index_or_gaz, "gazetteer", index_or_gaz)
    if loc is None:
        if not remote:
            return None
        return t("where_remote" if national else "where_remote_regional", lang)
    if loc.address:
        town = " ".join(p for p in (loc.postal_code, loc.city) if p)
        return t("where_address", lang, address=f"{loc.address}, {town}" if town else
                 loc.address)
    town = None
    if loc.pc4 and loc.pc4 in gaz.pc4 and loc.precision in {"pc4", "postcode", "place"}:
        town = gaz.pc4[loc.pc4].place_name
    if not town and loc.municipality_code in gaz.municipalities:
        town = gaz.municipalities[loc.municipality_code].name
    return t("where_approximate", lang, town=town or "?")


def _result(index: FinderIndex, svc: ServiceEntry, matched: list[MatchedArea],
            origin: Origin | None, score: float, dist: float | None, loc: LocationEntry | None,
            remote: bool, listed: bool, government_case: bool, lang: str, today: dt.date,
            stale_after_days: int, safety: bool, shape: tuple) -> dict[str, Any]:
    """One result. What does not depend on the search's place is kept per index (see
    ``_cached``): the first reasons and the area list per service and searched areas
    (``shape``: their codes and labels), the fields per service and place; only the
    distance, its reasons and the score are made here."""
    head, areas = _cached(index, ("matched", svc.idx, lang, safety, shape),
                          lambda: _matched_part(index, svc, matched, lang, safety))
    why = list(head)
    place = _place_part(index, svc, loc, remote, lang)
    if remote:
        why.append(place.remote_reason)
    elif dist is not None and origin is not None:
        if dist < 1.0:
            why.append(t("distance_close", lang, origin=origin.short_label))
        else:
            why.append(t("distance", lang, km=_km(dist, lang), origin=origin.short_label))
        if loc is not None and loc.municipality_code and \
                loc.municipality_code != origin.municipality_code and not listed:
            muni = index.gazetteer.municipalities.get(loc.municipality_code)
            if muni is not None:
                why.append(t("other_municipality", lang, name=muni.name))
        elif svc.region_municipalities and listed and not svc.home_municipalities:
            why.append(t("region", lang))
    why += place.tail
    out = place.fields.copy()  # the keys in their order, the search's ones still empty
    out["distance_km"] = round(dist, 1) if dist is not None and not remote else None
    out["channels"] = list(out["channels"])
    out["areas"] = list(areas)
    out["score"] = round(min(score, 1.0) if not (safety and svc.provider_type ==
                                                 "veilig_thuis") else 1.0, 3)
    out["why"] = why
    out["stale"] = is_stale(svc.last_checked, today, stale_after_days)
    return out


@dataclass(frozen=True)
class _PlacePart:
    """Per service, place, remote or not, and language: what a result shows of them."""

    fields: dict[str, Any]  # a result's fields, those of the search still None
    remote_reason: str
    tail: tuple[str, ...]  # the reasons after the distance: free, walk-in, approximate


def _place_part(index: FinderIndex, svc: ServiceEntry, loc: LocationEntry | None,
                remote: bool, lang: str) -> _PlacePart:
    def build() -> _PlacePart:
        tail: list[str] = []
        if svc.free:
            tail.append(t("free", lang))
        elif svc.free is False:
            tail.append(t("paid", lang))
        if svc.walk_in:
            tail.append(t("walk_in", lang))
        elif svc.by_appointment:
            tail.append(t("appointment", lang))
        if loc is not None and loc.approximate and not remote:
            tail.append(t("approximate", lang))
        fields = {
            **_service_fields(index, svc, lang),
            "address": loc.address if loc else None,
            "postal_code": loc.postal_code if loc else None,
            "city": loc.city if loc else None,
            "approximate": bool(loc.approximate) if loc else None,
            "point_precision": loc.precision if loc else None,
            "lat": round(loc.lat, 5) if loc else None,
            "lon": round(loc.lon, 5) if loc else None,
            "how_to_reach": how_to_reach(svc, loc, lang),
            "distance_km": None, "areas": None, "score": None, "why": None, "stale": None,
            "remote": remote,
            "location_label": location_label(index, loc, remote, lang,
                                             national=svc.national),
        }
        return _PlacePart(
            fields=fields,
            remote_reason=t("remote" if svc.national else "remote_regional", lang),
            tail=tuple(tail))

    return _cached(index, ("place_part", svc.idx, loc.id if loc else None, remote, lang),
                   build)


def _matched_part(index: FinderIndex, svc: ServiceEntry, matched: list[MatchedArea],
                  lang: str, safety: bool
                  ) -> tuple[tuple[str, ...], tuple[dict[str, Any], ...]]:
    """The reasons a result starts with (see ``_fixed_reasons``) and its area list: the
    service's areas, the searched ones first (in the search's order), then the rest. The
    area entries are made once per service and language and shared by every result that
    shows them: readers never change them."""
    from loketwijzer.taxonomy import area_label

    def entries_of() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        return {c: ({"code": c, "label": (label := area_label(c, lang)), "matched": True},
                    {"code": c, "label": label, "matched": False}) for c in svc.areas}

    helps = [a for a in matched if a.code in svc.areas]
    entries = _cached(index, ("areas", svc.idx, lang), entries_of)
    matched_codes = {a.code for a in matched}
    areas = tuple([entries[a.code][0] for a in helps]
                  + [pair[1] for c, pair in entries.items() if c not in matched_codes])
    return _fixed_reasons(index, svc, helps, lang, safety), areas


#: Per index: the fields of a result that do not depend on the search, per service and
#: language, and per place (a results page of 20 builds them once, not per search), and
#: the origins of searched places (see ``_origin``).
_STATIC_CACHE_LIMIT = 50_000


def _cached(index: FinderIndex, key: tuple, build: Any) -> Any:
    cache = index.result_cache
    found = cache.get(key)
    if found is None:
        if len(cache) >= _STATIC_CACHE_LIMIT:
            cache.clear()
        found = cache[key] = build()
    return found


def _service_fields(index: FinderIndex, svc: ServiceEntry, lang: str) -> dict[str, Any]:
    from loketwijzer.actions.services import source_label
    from loketwijzer.provider_types import load_provider_types

    def build() -> dict[str, Any]:
        return {
            "id": svc.id,
            "name": svc.name,
            "organization": svc.organization,
            "provider_type": svc.provider_type,
            "provider_type_label": load_provider_types().label(svc.provider_type, lang),
            "independent": svc.independent,
            "free": svc.free,
            "phone": svc.phone,
            "website": svc.website,
            "channels": tuple(svc.channels),
            "source": svc.source,
            "source_label": source_label(svc.source),
            "source_url": svc.source_url,
            "source_date": svc.source_date,
            "last_checked": svc.last_checked.isoformat() if svc.last_checked else None,
            "residents_only": svc.residents_only or svc.provider_type == "gemeente",
            "confidence": svc.confidence,
            # Issue 8: what a resident needs to act. Curator notes and channel notes never
            # leave /beheer: they are not in this dict.
            "email": svc.email,
            "status": svc.status,
            "status_label": t("uncertain", lang) if svc.status == STATUS_UNCERTAIN else None,
            "target_group": svc.target_group,
            "target_label": (t("target", lang, group=svc.target_group) if svc.target_group
                             else None),
            "min_age": svc.min_age,
            "max_age": svc.max_age,
            "reachable": svc.reachable,
            "public_note": svc.public_note,
            "opening_hours": svc.opening_hours,
            "text_lang": "nl",  # name, notes and hours are the source's Dutch
        }

    return _cached(index, ("service", svc.idx, lang), build)


def counterparty(matched: list[MatchedArea], lang: str = "nl") -> str | None:
    """From whom independent help is independent besides the municipality: the likely
    counterparty of the best matched area that has one."""
    for area in matched:
        if area.code in COUNTERPARTIES:
            nl, en = COUNTERPARTIES[area.code]
            return en if lang == "en" else nl
    return None


def how_to_reach(svc: ServiceEntry, loc: LocationEntry | None, lang: str = "nl") -> str:
    """One line saying how to reach this help, or plainly that we know no way."""
    if svc.phone:
        from loketwijzer.phones import cost_hint, display

        hint = cost_hint(svc.phone, lang)
        line = t("reach_phone", lang, phone=display(svc.phone))
        return f"{line} ({hint})" if hint else line
    if svc.email:
        return t("reach_email", lang, email=svc.email)
    if svc.website:
        return t("reach_website", lang)
    address = loc.address if loc is not None and loc.address else next(
        (x.address for x in svc.locations if x.address), None)
    if address:
        return t("reach_address", lang, address=address)
    return t("reach_none", lang)


def nearby_alternatives(session: Session, service_id: str, *, limit: int = 3,
                        lang: str = "nl", stale_after_days: int = 365) -> list[dict[str, Any]]:
    """Other help for the same areas near this service's place, for "Ook in de buurt"."""
    index = get_index(session)
    i = index.by_id.get(service_id)
    if i is None:
        return []
    svc = index.services[i]
    if not svc.locations or not svc.areas:
        return []
    loc = svc.locations[0]
    gaz = index.gazetteer
    muni = gaz.municipalities.get(loc.municipality_code or "")
    origin = Origin(lat=loc.lat, lon=loc.lon, postcode=None,
                    municipality_code=loc.municipality_code,
                    municipality_name=muni.name if muni else None,
                    label=muni.name if muni else "deze plek", precision="point")
    matched = [MatchedArea(code, code, 1.0, (), "areas") for code in svc.areas]
    from loketwijzer.taxonomy import area_label

    matched = [MatchedArea(a.code, area_label(a.code, lang), 1.0, (), "areas") for a in matched]
    results, _, _ = _rank(index, matched, origin, independent=None, limit=limit + 1,
                          lang=lang, today=dt.date.today(), stale_after_days=stale_after_days,
                          sort="score")
    return [r for r in results if r["id"] != service_id and not r["remote"]][:limit]
