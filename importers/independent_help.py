"""The compiled list of independent social-legal help (``services/independent_help_nl.csv``).

Most rows name an organisation in a town, not a building. A row with street and house
number becomes a location with an address; a row with only a postcode or town is put at
that area's point and marked approximate; a row without municipality is national help
(or regional help whose area is read from the source notes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from geo.gazetteer import Gazetteer
from geo.names import fold
from importers import fields as f
from importers.base import Provider, Record
from importers.common import (
    approximate_point,
    area_attributes,
    gazetteer_context,
    resolve_municipality,
)
from importers.readers import count_lines, read_csv
from loketwijzer.eligibility import MAX_AGE, MIN_AGE
from loketwijzer.models import (
    SCOPE_MUNICIPALITY,
    SCOPE_NATIONAL,
    SCOPE_REGION,
    STATUS_ACTIVE,
    STATUS_DEFUNCT,
    STATUS_REFERRAL,
    STATUS_UNCERTAIN,
    Address,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    stable_id,
)
from loketwijzer.provider_types import load_provider_types

REQUIRED = ("id", "name", "provider_type", "source_url")
CONFIDENCE = {"high", "medium", "low"}
# The list's ``status`` words (see SOURCES.md) onto the service status.
STATUSES = {"actief": STATUS_ACTIVE, "onzeker": STATUS_UNCERTAIN,
            "verwijzing": STATUS_REFERRAL, "beeindigd": STATUS_DEFUNCT,
            "beëindigd": STATUS_DEFUNCT}
SERVES_NATIONAL = "NL"
_HOUSE_NUMBER = re.compile(r"\d")
_QUALIFIERS = ("noord", "oost", "zuid", "west", "midden")
_PROVINCE_WORDS = {
    "PV20": ("groningen",),
    "PV21": ("fryslan", "friesland", "friese"),
    "PV22": ("drenthe",),
    "PV23": ("overijssel",),
    "PV24": ("flevoland",),
    "PV25": ("gelderland",),
    "PV26": ("provincie utrecht",),
    "PV27": ("noord holland",),
    "PV28": ("zuid holland",),
    "PV29": ("zeeland", "zeeuwse"),
    "PV30": ("noord brabant", "brabantse"),
    "PV31": ("limburg", "limburgse"),
}


class IndependentHelpProvider(Provider):
    name = "independent-help"
    title = "Onafhankelijke hulp (samengestelde lijst met bron per rij)"
    source = "independent-help-nl"
    mirror_path = "services/independent_help_nl.csv"
    # Compiled by hand for Loketwijzer with a source page per row: no publisher to fetch
    # it from, only a mirror (LOKETWIJZER_SOURCES or LOKETWIJZER_DOWNLOAD_URL).
    official_url = None

    def prepare(self, session: Session) -> dict[str, Any]:
        ctx = gazetteer_context(session)
        ctx["types"] = load_provider_types()
        ctx["province_municipalities"] = _province_municipalities(session)
        return ctx

    def estimate_rows(self, path: Path) -> int | None:
        return count_lines(path)

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        return read_csv(path, required=REQUIRED)

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        gaz: Gazetteer = ctx["gazetteer"]
        types = ctx["types"]
        row_id = f.required_text(rownum, "id", row.get("id"))
        name = f.required_text(rownum, "name", row.get("name"))
        ptype = f.required_text(rownum, "provider_type", row.get("provider_type"))
        if types.get(ptype) is None:
            raise f.reject(rownum, "provider_type", "onbekend soort aanbieder", ptype)
        source_url = f.url(rownum, "source_url", f.required_text(rownum, "source_url",
                                                                    row.get("source_url")))
        checked, source_date = f.date(rownum, "source_date", row.get("source_date"))
        confidence = f.text(row.get("confidence"))
        if confidence and confidence.lower() not in CONFIDENCE:
            raise f.reject(rownum, "confidence", "gebruik high, medium of low", confidence)
        municipality = resolve_municipality(rownum, "municipality", row.get("municipality"), gaz)
        street = f.text(row.get("street_address"))
        postal = f.postcode(rownum, "postal_code", row.get("postal_code"), full=False)
        city = f.text(row.get("city"))
        phone = f.phone(rownum, "phone", row.get("phone"))
        website = f.url(rownum, "website", row.get("website"))
        notes = f.text(row.get("channel_notes"))
        truth = _truth_columns(rownum, row, gaz)
        if city and municipality is None and gaz.place(city) is None:
            raise f.reject(rownum, "city", "onbekende plaats", city)
        if (city and municipality is not None and gaz.place(city, municipality.code) is None
                and fold(city) != fold(municipality.name)):
            raise f.reject(rownum, "city", f"plaats ligt niet in gemeente {municipality.name}",
                           city)

        kind = types.classify(ptype, name, notes, phone=phone, website=website)
        provenance = {
            "source": self.source,
            "source_id": row_id,
            "source_url": source_url,
            "source_date": source_date,
            "last_checked": checked,
        }
        org_id = stable_id(self.source, "organization", row_id)
        service_id = stable_id(self.source, "service", row_id)
        organization = Record(
            Organization,
            {"id": org_id, "name": name, "website": website, "is_government": False,
             "municipality_code": None, **provenance},
        )
        service_children: list[Record] = area_attributes(service_id, kind.areas, self.source)
        if phone:
            service_children.append(Record(Phone, {
                "id": stable_id(service_id, "phone", 0), "service_id": service_id,
                "number": phone, "type": "voice",
                "description": "bellen kost geld (0900-nummer)" if phone.replace(" ", "")
                .startswith("0900") else None,
                "source": self.source,
            }))

        # Where: national, a municipality, or a region read from the notes.
        location_municipality = municipality
        if municipality is None and city:
            place = gaz.place(city)
            location_municipality = (
                gaz.municipalities.get(place.municipality_code) if place else None
            )
        if truth["serves"] == SERVES_NATIONAL:
            service_children.append(_area(service_id, 0, SCOPE_NATIONAL, None, "Nederland", None,
                                          self.source))
        elif truth["serves"]:  # the municipalities the source names
            for i, code in enumerate(truth["serves"]):
                service_children.append(_area(service_id, i, SCOPE_MUNICIPALITY, code,
                                              gaz.municipalities[code].name, None, self.source))
        elif municipality is not None:
            service_children.append(_area(service_id, 0, SCOPE_MUNICIPALITY, municipality.code,
                                          municipality.name, None, self.source))
        elif types.is_national_name(name):
            service_children.append(_area(service_id, 0, SCOPE_NATIONAL, None, "Nederland", None,
                                          self.source))
        else:
            codes = _region_from_text(f"{name}. {notes or ''}", gaz,
                                      ctx["province_municipalities"])
            if codes:
                for i, code in enumerate(sorted(codes)):
                    service_children.append(_area(
                        service_id, i, SCOPE_REGION, code, gaz.municipalities[code].name,
                        "werkgebied afgeleid uit de bronnotitie", self.source))
            else:
                service_children.append(_area(
                    service_id, 0, SCOPE_REGION, None, None,
                    "werkgebied staat niet in de bron", self.source))

        records = [organization]
        location_id = None
        if street or postal or city or municipality:
            location_id = stable_id(self.source, "location", row_id)
            lat, lon, precision, pc4 = approximate_point(
                gaz, postal_code=postal, city=city, municipality=location_municipality
            )
            location_children = []
            if street and _HOUSE_NUMBER.search(street):
                location_children.append(Record(Address, {
                    "id": stable_id(location_id, "address", 0), "location_id": location_id,
                    "address_1": street, "postal_code": postal, "city": city,
                    "country": "NL", "address_type": "physical", "source": self.source,
                }))
            description = None
            if street and not _HOUSE_NUMBER.search(street):
                description = f"De bron noemt alleen de straat: {street}."
            records.append(Record(Location, {
                "id": location_id, "organization_id": org_id, "location_type": "physical",
                "name": name, "description": description, "latitude": lat, "longitude": lon,
                "point_precision": precision,
                "municipality_code": location_municipality.code if location_municipality else None,
                "pc4": pc4, **provenance,
            }, children=location_children))
            service_children.append(Record(ServiceAtLocation, {
                "id": stable_id(service_id, "at", location_id), "service_id": service_id,
                "location_id": location_id, "description": None, "source": self.source,
            }))

        records.append(Record(Service, {
            "id": service_id, "organization_id": org_id, "name": name, "description": None,
            "url": website, "status": truth["status"], "provider_type": ptype,
            "independent": kind.independent if truth["independent"] is None
            else truth["independent"],
            "free": kind.free,
            "fees_description": None, "eligibility_description": None,
            "residents_only": truth["residents_only"], "walk_in": kind.walk_in,
            "minimum_age": truth["min_age"], "maximum_age": truth["max_age"],
            "target_group": truth["target_group"], "status_note": truth["status_note"],
            "opening_hours": truth["opening_hours"], "public_note": truth["public_note"],
            "curator_note": truth["curator_note"],
            "by_appointment": kind.by_appointment, "by_phone": kind.by_phone,
            "online": kind.online, "notes": notes,
            "confidence": confidence.lower() if confidence else None, **provenance,
        }, children=service_children))
        return records


def _truth_columns(rownum: int, row: dict[str, Any], gaz: Gazetteer) -> dict[str, Any]:
    """The issue-8 columns: who the help is for, whether it runs, and its texts.

    Older versions of the list lack these columns: every value then has its old default
    (independence from the provider type, nobody residents-only, active).
    """
    independent = f.boolean(rownum, "independent", row.get("independent"))
    raw_serves = f.text(row.get("serves"))
    serves: str | list[str] | None = None
    if raw_serves:
        parts = [p.strip().upper() for p in re.split(r"[;,]", raw_serves) if p.strip()]
        if parts == [SERVES_NATIONAL]:
            serves = SERVES_NATIONAL
        else:
            unknown = [p for p in parts if p not in gaz.municipalities]
            if unknown or SERVES_NATIONAL in parts:
                raise f.reject(rownum, "serves", "gebruik NL of CBS-codes (GM0363)", raw_serves)
            serves = sorted(set(parts))
    residents_only = f.boolean(rownum, "residents_only", row.get("residents_only"), False)
    min_age = f.integer(rownum, "min_age", row.get("min_age"), lo=MIN_AGE, hi=MAX_AGE)
    max_age = f.integer(rownum, "max_age", row.get("max_age"), lo=MIN_AGE, hi=MAX_AGE)
    if min_age is not None and max_age is not None and max_age < min_age:
        raise f.reject(rownum, "max_age", f"is lager dan min_age ({min_age})", max_age)
    raw_status = f.text(row.get("status"))
    status = STATUS_ACTIVE
    if raw_status:
        status = STATUSES.get(raw_status.lower())
        if status is None:
            raise f.reject(rownum, "status", "gebruik actief, onzeker, beeindigd of verwijzing",
                           raw_status)
    return {
        "independent": independent, "serves": serves, "residents_only": bool(residents_only),
        "min_age": min_age, "max_age": max_age, "status": status,
        "target_group": f.text(row.get("target_group")),
        "status_note": f.text(row.get("status_note")),
        "opening_hours": f.text(row.get("opening_hours")),
        "public_note": f.text(row.get("public_note")),
        "curator_note": f.text(row.get("curator_note")),
    }


def _area(service_id: str, i: int, scope: str, code: str | None, name: str | None,
          description: str | None, source: str) -> Record:
    return Record(ServiceArea, {
        "id": stable_id(service_id, "area-served", i), "service_id": service_id,
        "scope": scope, "municipality_code": code, "name": name,
        "description": description, "source": source,
    })


def _province_municipalities(session: Session) -> dict[str, set[str]]:
    from sqlalchemy import select

    from loketwijzer.models import Municipality

    out: dict[str, set[str]] = {}
    for code, province in session.execute(select(Municipality.code, Municipality.province_code)):
        out.setdefault(province, set()).add(code)
    return out


def _region_from_text(text: str, gaz: Gazetteer, provinces: dict[str, set[str]]) -> set[str]:
    """Municipalities named in a regional row's notes ("voor Blaricum, Huizen en Laren").

    A province word ("Friese gemeenten", "heel Drenthe") stands for all its municipalities.
    Place names are not used: a village name in a note is too often about something else.
    """
    folded = f" {fold(text)} "
    codes: set[str] = set()
    for key, found in gaz.municipality_names.items():
        if len(found) == 1 and len(key) > 3 and f" {key} " in folded:
            codes |= found
    for province, words in _PROVINCE_WORDS.items():
        for word in words:
            # "Noord- en Oost-Gelderland", "Gelderland-Midden" are parts, not the province.
            if f" {word}" in folded and not any(
                f"{q} {word}" in folded or f"{word} {q}" in folded for q in _QUALIFIERS
            ):
                codes |= provinces.get(province, set())
    return codes
