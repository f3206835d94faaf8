"""One service in full: everything the service page and the hand-over print view show.

Only what the source says is shown: an address only when an Address row exists (else the
town, marked approximate), opening times only when structured in the source (else the
source's own words under "Wat de bron zegt"), and always the source and its date.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from importers.independent_help import IndependentHelpProvider
from loketwijzer.eligibility import is_listable
from loketwijzer.errors import InvalidInput, NotFound
from loketwijzer.models import (
    SCOPE_MUNICIPALITY,
    SCOPE_NATIONAL,
    SCOPE_REGION,
    STATUS_ACTIVE,
    STATUS_DEFUNCT,
    STATUS_REFERRAL,
    STATUS_UNCERTAIN,
    Location,
    Municipality,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    stable_id,
)

_ID = re.compile(r"^[A-Za-z0-9-]{1,36}$")
DAYS = {
    "MO": ("maandag", "Monday"), "TU": ("dinsdag", "Tuesday"), "WE": ("woensdag", "Wednesday"),
    "TH": ("donderdag", "Thursday"), "FR": ("vrijdag", "Friday"), "SA": ("zaterdag", "Saturday"),
    "SU": ("zondag", "Sunday"),
}
TEXTS: dict[str, tuple[str, str]] = {
    "free": ("Gratis", "Free"),
    "paid": ("Kost geld", "Costs money"),
    "cost_unknown": ("Niet bekend of het geld kost: vraag het na",
                     "Not known whether it costs money: ask first"),
    "everyone": ("Iedereen in Nederland", "Everyone in the Netherlands"),
    "residents": ("Inwoners van {names}", "Residents of {names}"),
    "residents_and_near": ("Inwoners van {names}, en mensen uit de buurt",
                           "Residents of {names}, and people nearby"),
    "region_unknown": ("Het werkgebied staat niet in de bron", "The source does not say "
                       "which area it serves"),
    "residents_only": ("Alleen voor inwoners van {names}", "Only for residents of {names}"),
    "age_from": ("Vanaf {age} jaar", "From age {age}"),
    "age_to": ("Tot en met {age} jaar", "Up to age {age}"),
    "income": ("Netto inkomen tot € {amount} per maand", "Net income up to € {amount} a month"),
    "walk_in": ("Binnenlopen zonder afspraak", "Walk in without an appointment"),
    "by_appointment": ("Op afspraak", "By appointment"),
    "by_phone": ("Bellen", "By phone"),
    "online": ("Online of per e-mail", "Online or by email"),
    "hours": ("{days}: {opens} tot {closes} uur", "{days}: {opens} to {closes}"),
    "hours_days": ("{days}", "{days}"),
    "monthly": ("(een keer per maand)", "(once a month)"),
    "and": ("en", "and"),
    "approximate": ("{town} (locatie bij benadering)", "{town} (approximate location)"),
    "stale": ("Deze gegevens zijn ouder dan een jaar. Bel eerst.",
              "This information is more than a year old. Call first."),
    "undated": ("Niet bekend hoe oud deze gegevens zijn. Bel eerst.",
                "Unknown how old this information is. Call first."),
    "inactive": ("Deze hulp staat niet meer in de bron. Misschien bestaat ze niet meer.",
                 "This help is no longer in the source. It may no longer exist."),
    "defunct": ("Gestopt: deze hulp bestaat niet meer.", "Stopped: this help no longer exists."),
    "uncertain": ("Mogelijk niet meer actief — bel of kijk eerst.",
                  "May no longer be active — call or check first."),
    "referral": ("Dit is geen plek om langs te gaan, maar een landelijke ingang naar hulp bij u "
                 "in de buurt.", "This is not a place to visit, but a national entrance to "
                 "help near you."),
}


def t(key: str, lang: str = "nl", **values: Any) -> str:
    nl, en = TEXTS[key]
    return (en if lang == "en" else nl).format(**values)


@lru_cache(maxsize=1)
def _source_titles() -> dict[str, str]:
    """Human names of the sources, from the import providers (falls back to the code)."""
    titles: dict[str, str] = {}
    try:
        from importers.registry import REFERENCE_PROVIDERS, format_providers

        for provider in [*REFERENCE_PROVIDERS, *format_providers().values()]:
            source = getattr(provider, "source", None)
            if source:
                titles.setdefault(source, getattr(provider, "title", source))
    except Exception:  # the web layer must not fail over a label
        pass
    return titles


def source_label(source: str | None) -> str | None:
    if not source:
        return None
    return _source_titles().get(source, source)


def get_service(session: Session, service_id: str, lang: str = "nl", *,
                stale_after_days: int = 365, today: dt.date | None = None) -> dict[str, Any]:
    """The whole record of one service; unknown id -> NotFound, malformed id -> InvalidInput."""
    from loketwijzer.actions.finder import is_stale
    from loketwijzer.provider_types import load_provider_types
    from loketwijzer.taxonomy import area_label

    lang = "en" if lang == "en" else "nl"
    text = str(service_id or "").strip()
    if not _ID.match(text):
        raise InvalidInput("Dit is geen geldig nummer van een hulpaanbod.",
                           code="invalid_service_id")
    service = session.scalars(
        select(Service).where(Service.id == text).options(
            selectinload(Service.organization),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location)
            .selectinload(Location.addresses),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location)
            .selectinload(Location.accessibility),
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.attributes),
            selectinload(Service.languages),
            selectinload(Service.cost_options),
            selectinload(Service.required_documents),
            selectinload(Service.service_areas),
        )
    ).one_or_none()
    if service is None:
        raise NotFound("Dit hulpaanbod bestaat niet (meer).", code="unknown_service")

    today = today or dt.date.today()
    org = service.organization
    locations = [sal.location for sal in service.service_at_locations if sal.location]
    location_ids = [loc.id for loc in locations]
    municipality_codes = {loc.municipality_code for loc in locations if loc.municipality_code}
    municipality_codes |= {a.municipality_code for a in service.service_areas
                           if a.municipality_code}
    names = _municipality_names(session, municipality_codes)
    location_schedules: list[Schedule] = []
    location_phones: list[Phone] = []
    if location_ids:
        location_schedules = list(session.scalars(
            select(Schedule).where(Schedule.location_id.in_(location_ids))))
        location_phones = list(session.scalars(
            select(Phone).where(Phone.location_id.in_(location_ids))))
    org_phones = list(session.scalars(
        select(Phone).where(Phone.organization_id == org.id, Phone.service_id.is_(None),
                            Phone.location_id.is_(None)))) if org else []

    stale = is_stale(service.last_checked, today, stale_after_days)
    schedules = list({s.id: s for s in (*service.schedules, *location_schedules)}.values())
    hours = list(dict.fromkeys(h for h in (_schedule_text(s, lang) for s in schedules) if h))
    types = load_provider_types()
    residents_only = bool(service.residents_only) or service.provider_type == "gemeente"
    # One banner about the status; the stale note is on the provenance line only.
    warnings = []
    status_key = {STATUS_DEFUNCT: "defunct", STATUS_UNCERTAIN: "uncertain",
                  STATUS_REFERRAL: "referral"}.get(service.status)
    if status_key:
        warnings.append(t(status_key, lang))
    elif service.status != STATUS_ACTIVE:
        warnings.append(t("inactive", lang))
    return {
        "id": service.id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "status": service.status,
        "organization": {
            "id": org.id if org else None,
            "name": org.name if org else None,
            "website": org.website if org else None,
            "email": org.email if org else None,
            "is_government": bool(org.is_government) if org else None,
        },
        "provider_type": service.provider_type,
        "provider_type_label": types.label(service.provider_type, lang),
        "independent": bool(service.independent),
        "residents_only": residents_only,
        "free": service.free,
        "cost": _cost(service, lang),
        "channels": [c for c in ("walk_in", "by_appointment", "by_phone", "online")
                     if getattr(service, c)],
        "channel_labels": [t(c, lang) for c in ("walk_in", "by_appointment", "by_phone",
                                                "online") if getattr(service, c)],
        "phones": list({p.number: _phone(p) for p in reversed(
            (*service.phones, *location_phones, *org_phones))}.values())[::-1],
        "phone": next((p.number for p in (*service.phones, *location_phones, *org_phones)),
                      None),
        "website": service.url or (org.website if org else None),
        "email": service.email or (org.email if org else None),
        "appointment_url": service.appointment_url,
        "application_process": service.application_process,
        "locations": [_location(loc, names, lang) for loc in locations],
        "opening_hours": hours,
        # Issue 8: resident texts only; channel and curator notes stay in /beheer.
        "opening_hours_text": service.opening_hours,
        "public_note": service.public_note,
        **_status_note(session, service.status_note if status_key else None),
        "ended": service.status == STATUS_DEFUNCT,
        "target_group": service.target_group,
        "text_lang": "nl",
        "eligibility": _eligibility(service, residents_only, names, lang),
        "required_documents": [{"document": d.document, "uri": d.uri}
                               for d in service.required_documents],
        "languages": [{"name": x.name, "code": x.code, "note": x.note}
                      for x in service.languages],
        "accessibility": [{"description": a.description, "details": a.details, "url": a.url}
                          for loc in locations for a in loc.accessibility],
        "areas": [{"code": code, "label": area_label(code, lang)} for code in
                  dict.fromkeys(a.value for a in service.attributes if a.value)],
        "service_areas": [{"scope": a.scope, "municipality_code": a.municipality_code,
                           "name": a.name, "description": a.description}
                          for a in service.service_areas],
        "who_may_use": _who(service, residents_only, names, lang),
        "provenance": {
            "source": service.source,
            "source_label": source_label(service.source),
            "source_id": service.source_id,
            "source_url": service.source_url,
            "source_date": service.source_date,
            "last_checked": service.last_checked.isoformat() if service.last_checked else None,
            "stale": stale,
            "confidence": service.confidence,
        },
        "stale": stale,
        "warnings": warnings,
    }


# "(eigen rij nl-help-024)": the help list's way to name the row that carries on.
_ROW_REFERENCE = re.compile(r"\s*\((?:eigen |zie )?rij ([A-Za-z0-9-]{1,40})\)")


def _status_note(session: Session, note: str | None) -> dict[str, Any]:
    """The status note for residents: a row reference becomes a link to that service
    (``successor``), never a row id in the text."""
    match = _ROW_REFERENCE.search(note or "")
    if not match:
        return {"status_note": note, "successor": None}
    successor = session.get(Service, stable_id(IndependentHelpProvider.source, "service",
                                               match.group(1)))
    listed = successor is not None and is_listable(successor.status)
    return {"status_note": _ROW_REFERENCE.sub("", note or "").strip(),
            "successor": {"id": successor.id, "name": successor.name} if listed else None}


def _municipality_names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.execute(
        select(Municipality.code, Municipality.name).where(Municipality.code.in_(codes))).all())


def _phone(phone: Phone) -> dict[str, Any]:
    return {"number": phone.number, "extension": phone.extension, "type": phone.type,
            "description": phone.description}


def _cost(service: Service, lang: str) -> dict[str, Any]:
    options = [{"option": c.option, "amount": c.amount, "currency": c.currency,
                "description": c.amount_description} for c in service.cost_options]
    if service.free:
        summary = t("free", lang)
    elif service.free is False:
        summary = t("paid", lang)
        if service.fees_description:
            summary = f"{summary}: {service.fees_description}"
    else:
        summary = t("cost_unknown", lang)
    return {"free": service.free, "summary": summary, "fees_description":
            service.fees_description, "options": options}


def _location(loc: Location, names: dict[str, str], lang: str) -> dict[str, Any]:
    address = next((a for a in loc.addresses if a.address_type in (None, "physical")),
                   loc.addresses[0] if loc.addresses else None)
    approximate = loc.approximate
    label = None
    if address is not None:
        town = " ".join(p for p in (address.postal_code, address.city) if p)
        label = f"{address.address_1}, {town}" if town else address.address_1
    elif loc.municipality_code or loc.name:
        label = t("approximate", lang, town=names.get(loc.municipality_code or "") or loc.name)
    return {
        "id": loc.id,
        "name": loc.name,
        "description": loc.description,
        "transportation": loc.transportation,
        "address": address.address_1 if address else None,
        "address_2": address.address_2 if address else None,
        "postal_code": address.postal_code if address else None,
        "city": address.city if address else None,
        "location_label": label,
        "approximate": approximate,
        "point_precision": loc.point_precision,
        "lat": loc.latitude,
        "lon": loc.longitude,
        "municipality": {"code": loc.municipality_code,
                         "name": names.get(loc.municipality_code or "")},
    }


def _schedule_text(schedule: Schedule, lang: str) -> str | None:
    """A structured schedule as one Dutch (or English) line; free text passes through."""
    days = [DAYS[d.strip().upper()][1 if lang == "en" else 0]
            for d in (schedule.byday or "").split(",") if d.strip().upper() in DAYS]
    if not days and not schedule.opens_at:
        return schedule.description or None
    if len(days) > 1:
        days_text = f"{', '.join(days[:-1])} {t('and', lang)} {days[-1]}"
    else:
        days_text = days[0] if days else ""
    if schedule.opens_at and schedule.closes_at:
        line = t("hours", lang, days=days_text or "", opens=schedule.opens_at[:5],
                 closes=schedule.closes_at[:5]).lstrip(": ")
    else:
        line = t("hours_days", lang, days=days_text)
    if (schedule.freq or "").upper() == "MONTHLY":
        line = f"{line} {t('monthly', lang)}"
    described = (schedule.description or "").casefold()
    if schedule.description and not any(day.casefold() in described for day in days):
        line = f"{line} ({schedule.description})"  # extra words, not the same times again
    return line[:1].upper() + line[1:] if line else None


def _names(codes: list[str], names: dict[str, str], lang: str) -> str:
    shown = [names.get(c, c) for c in codes]
    if len(shown) > 1:
        return f"{', '.join(shown[:-1])} {t('and', lang)} {shown[-1]}"
    return shown[0] if shown else ""


def _who(service: Service, residents_only: bool, names: dict[str, str], lang: str) -> str:
    scopes = {a.scope for a in service.service_areas}
    if SCOPE_NATIONAL in scopes:
        return t("everyone", lang)
    codes = sorted({a.municipality_code for a in service.service_areas
                    if a.scope in (SCOPE_MUNICIPALITY, SCOPE_REGION) and a.municipality_code})
    if codes:
        from loketwijzer.eligibility import closed_to_others

        closed = closed_to_others(
            residents_only=residents_only, provider_type=service.provider_type,
            independent=bool(service.independent), scopes=scopes,
            has_home=any(a.scope == SCOPE_MUNICIPALITY and a.municipality_code
                         for a in service.service_areas))
        if closed:
            return t("residents", lang, names=_names(codes, names, lang))
        return t("residents_and_near", lang, names=_names(codes, names, lang))
    return t("region_unknown", lang)


def _eligibility(service: Service, residents_only: bool, names: dict[str, str], lang: str
                 ) -> list[str]:
    out: list[str] = []
    if service.eligibility_description:
        out.append(service.eligibility_description)
    elif residents_only:
        codes = sorted({a.municipality_code for a in service.service_areas
                        if a.municipality_code})
        if codes:
            out.append(t("residents_only", lang, names=_names(codes, names, lang)))
    if service.minimum_age is not None:
        out.append(t("age_from", lang, age=service.minimum_age))
    if service.maximum_age is not None:
        out.append(t("age_to", lang, age=service.maximum_age))
    if service.income_limit is not None:
        amount = f"{service.income_limit:,.0f}".replace(",", ".")
        out.append(t("income", lang, amount=amount))
    return out


def nearby_alternatives(session: Session, service_id: str, *, limit: int = 3,
                        lang: str = "nl", stale_after_days: int = 365) -> list[dict[str, Any]]:
    """Other help for the same areas near this service (see ``finder.nearby_alternatives``)."""
    from loketwijzer.actions import finder

    return finder.nearby_alternatives(session, service_id, limit=limit, lang=lang,
                                      stale_after_days=stale_after_days)
