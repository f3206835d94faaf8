"""The one table of fields an editor may change, with the importers' own field rules.

Each field names its parser from ``importers.fields`` (the same postcode, phone, URL and
e-mail checks and messages as the sociale-kaart import) and how to read and write it on a
service. Adding a column is one line in :data:`FIELDS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from importers import fields as f
from importers.base import RowRejected
from loketwijzer.eligibility import MAX_AGE, MIN_AGE
from loketwijzer.models import (
    PRECISION_ADDRESS,
    PRECISION_MUNICIPALITY,
    PRECISION_PC4,
    PRECISION_POSTCODE,
    STATUS_ACTIVE,
    STATUS_DEFUNCT,
    STATUS_INACTIVE,
    STATUS_REFERRAL,
    STATUS_UNCERTAIN,
    Address,
    Pc4Area,
    Phone,
    Service,
    stable_id,
)

MAX_TEXT = 5000
MAX_LINE = 300


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


def _limited(limit: int, parse: Callable[..., Any] = f.text) -> Callable[..., Any]:
    def check(row: int, name: str, value: Any) -> Any:
        cleaned = parse(row, name, value) if parse is not f.text else f.text(value)
        if isinstance(cleaned, str) and len(cleaned) > limit:
            raise f.reject(row, name, f"te lang (hoogstens {limit} tekens)")
        return cleaned
    return check


def _required_line(row: int, name: str, value: Any) -> str:
    return _limited(MAX_LINE)(row, name, f.required_text(row, name, value))


def _age(row: int, name: str, value: Any) -> int | None:
    return f.integer(row, name, value, lo=MIN_AGE, hi=MAX_AGE)


def _boolean(row: int, name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return bool(f.boolean(row, name, value, default=False))


def _choice(*options: str) -> Callable[..., Any]:
    def check(row: int, name: str, value: Any) -> str:
        cleaned = f.text(value)
        if cleaned not in options:
            raise f.reject(row, name, f"kies uit: {', '.join(options)}", value)
        return cleaned
    return check


def _postcode(row: int, name: str, value: Any) -> str | None:
    return f.postcode(row, name, value, full=True)


# --------------------------------------------------------------------- accessors

def _column(name: str):
    return (lambda s: getattr(s, name)), (lambda session, s, v: setattr(s, name, v))


def _get_phone(service: Service) -> str | None:
    return service.phones[0].number if service.phones else None


def _set_phone(session: Session, service: Service, value: str | None) -> None:
    if value is None:
        for phone in list(service.phones):
            session.delete(phone)
        return
    if service.phones:
        service.phones[0].number = value
    else:
        service.phones.append(Phone(id=stable_id(service.id, "phone", "editor"),
                                    service_id=service.id, number=value, type="voice",
                                    source=service.source))


def _first_address(service: Service, create: bool = False) -> Address | None:
    for sal in service.service_at_locations:
        if sal.location is None:
            continue
        if sal.location.addresses:
            return sal.location.addresses[0]
        if create:
            address = Address(id=stable_id(sal.location.id, "address", "editor"),
                              location_id=sal.location.id, address_1="",
                              source=sal.location.source, country="NL",
                              address_type="physical")
            sal.location.addresses.append(address)
            return address
    return None


def _address(attr: str):
    def get(service: Service) -> Any:
        address = _first_address(service)
        return getattr(address, attr) if address is not None else None

    def put(session: Session, service: Service, value: Any) -> None:
        address = _first_address(service, create=value is not None)
        if address is not None:
            before = getattr(address, attr)
            setattr(address, attr, value if value is not None or attr != "address_1" else "")
            if attr in ("address_1", "postal_code") and getattr(address, attr) != before:
                _reposition(session, address)
    return get, put


def _reposition(session: Session, address: Address) -> None:
    """After an address edit the old point may be another door: never keep it as exact.

    Without a geocoder we place the point at the new postcode area (PC4), marked as
    approximate, so the map and the cards say "locatie bij benadering".
    """
    location = address.location
    if location is None:
        return
    digits = "".join(ch for ch in (address.postal_code or "") if ch.isdigit())[:4]
    area = session.get(Pc4Area, digits) if len(digits) == 4 else None
    if area is not None:
        location.latitude, location.longitude = area.lat, area.lon
        location.pc4 = area.code
        location.municipality_code = area.municipality_code or location.municipality_code
        full = len((address.postal_code or "").replace(" ", "")) == 6
        location.point_precision = PRECISION_POSTCODE if full else PRECISION_PC4
    elif location.point_precision == PRECISION_ADDRESS:
        location.point_precision = PRECISION_MUNICIPALITY


@dataclass(frozen=True)
class EditableField:
    name: str
    label: str  # Dutch, shown in forms and errors
    parse: Callable[..., Any]
    kind: str = "text"  # text | textarea | bool | int | choice
    accessors: tuple = ()
    options: tuple[str, ...] = ()

    def get(self, service: Service) -> Any:
        return self.accessors[0](service)

    def set(self, session: Session, service: Service, value: Any) -> None:
        self.accessors[1](session, service, value)


def _f(name: str, label: str, parse, kind: str = "text", accessors=None, options=()):
    return EditableField(name, label, parse, kind, accessors or _column(name), tuple(options))


STATUSES = (STATUS_ACTIVE, STATUS_UNCERTAIN, STATUS_REFERRAL, STATUS_DEFUNCT, STATUS_INACTIVE)

FIELDS: tuple[EditableField, ...] = (
    _f("name", "Naam", _required_line),
    _f("description", "Beschrijving voor het publiek", _limited(MAX_TEXT), "textarea"),
    _f("phone", "Telefoonnummer", f.phone, accessors=(_get_phone, _set_phone)),
    _f("email", "E-mailadres", f.email),
    _f("url", "Website", f.url),
    _f("appointment_url", "Afspraak maken (webadres)", f.url),
    _f("address", "Bezoekadres (straat en nummer)", _limited(MAX_LINE),
       accessors=_address("address_1")),
    _f("postal_code", "Postcode", _postcode, accessors=_address("postal_code")),
    _f("city", "Plaats", _limited(120), accessors=_address("city")),
    _f("opening_hours", "Openingstijden", _limited(MAX_TEXT), "textarea"),
    _f("public_note", "Toelichting voor inwoners", _limited(MAX_TEXT), "textarea"),
    _f("walk_in", "Binnenlopen zonder afspraak", _boolean, "bool"),
    _f("by_appointment", "Op afspraak", _boolean, "bool"),
    _f("by_phone", "Bellen", _boolean, "bool"),
    _f("online", "Online of per e-mail", _boolean, "bool"),
    _f("free", "Gratis", _boolean, "bool"),
    _f("residents_only", "Alleen voor inwoners", _boolean, "bool"),
    _f("minimum_age", "Vanaf leeftijd", _age, "int"),
    _f("maximum_age", "Tot en met leeftijd", _age, "int"),
    _f("target_group", "Alleen voor (doelgroep)", _limited(MAX_LINE)),
    _f("eligibility_description", "Voorwaarden", _limited(MAX_TEXT), "textarea"),
    _f("status", "Status", _choice(*STATUSES), "choice", options=STATUSES),
    _f("status_note", "Toelichting bij de status (bijv. opvolger)", _limited(MAX_TEXT),
       "textarea"),
    _f("curator_note", "Notitie voor beheer (nooit voor inwoners)", _limited(MAX_TEXT),
       "textarea"),
)
BY_NAME: dict[str, EditableField] = {fd.name: fd for fd in FIELDS}


def parse_changes(changes: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean values for the given fields, or the errors per field (nothing partial)."""
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, raw in changes.items():
        field = BY_NAME.get(name)
        if field is None:
            errors.append(FieldError(str(name)[:60], "dit veld kan niet worden gewijzigd"))
            continue
        if raw is not None and not isinstance(raw, (str, int, float, bool)):
            errors.append(FieldError(name, "ongeldige waarde"))
            continue
        try:
            clean[name] = field.parse(0, name, raw)
        except RowRejected as exc:
            errors.extend(FieldError(name, e.reason) for e in exc.errors)
    if not errors and "minimum_age" in clean and "maximum_age" in clean:
        lo, hi = clean["minimum_age"], clean["maximum_age"]
        if lo is not None and hi is not None and lo > hi:
            errors.append(FieldError("maximum_age", "moet gelijk aan of hoger zijn dan de "
                                     "beginleeftijd"))
    return clean, errors


def snapshot(service: Service) -> dict[str, Any]:
    return {fd.name: fd.get(service) for fd in FIELDS}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
