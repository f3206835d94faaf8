"""Town halls from the Register van Overheidsorganisaties (ROO) "Gemeenten" CSV export.

One municipal counter per municipality: the visiting address with the register's own
coordinates, phone, website and online-appointment link. The counter is the
municipality itself, so it is never marked independent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from geo.gazetteer import Gazetteer
from geo.names import fold
from importers import fields as f
from importers.base import Provider, Record
from importers.common import approximate_point, area_attributes, gazetteer_context
from importers.readers import count_lines, read_csv
from loketwijzer.models import (
    PRECISION_ADDRESS,
    SCOPE_MUNICIPALITY,
    STATUS_ACTIVE,
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

ADDRESS_COLUMN_PREFIX = "Adressen ("
_KEY = re.compile(r"(?:^|, )([A-Za-z]+): ")
_GM_IN_URI = re.compile(r"/gemeente/(gm\d{4})\b", re.IGNORECASE)
_GM_CODE = re.compile(r"^gm\d{4}$", re.IGNORECASE)


@dataclass(frozen=True)
class RooAddress:
    kind: str
    street: str | None
    number: str | None
    addition: str | None
    postbus: str | None
    postcode: str | None
    city: str | None
    lat: float | None
    lon: float | None

    @property
    def line(self) -> str | None:
        if not self.street:
            return None
        number = " ".join(p for p in (self.number, self.addition) if p)
        return f"{self.street} {number}".strip()


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def parse_addresses(packed: str) -> list[RooAddress]:
    """Unpack the register's address field.

    Addresses are separated by ``;`` and each is a list of ``key: value`` pairs
    separated by ``, ``. A new address always starts with ``adresType:``, so we split
    there rather than on every ``;`` (a value may contain one).
    """
    out = []
    for chunk in re.split(r";(?=adresType: )", packed or ""):
        chunk = chunk.strip()
        if not chunk:
            continue
        keys = list(_KEY.finditer(chunk))
        values: dict[str, str] = {}
        for i, match in enumerate(keys):
            end = keys[i + 1].start() if i + 1 < len(keys) else len(chunk)
            values[match.group(1)] = chunk[match.end():end].strip()


        out.append(RooAddress(
            kind=values.get("adresType", ""),
            street=values.get("openbareRuimte"),
            number=values.get("huisnummer"),
            addition=" ".join(v for k, v in values.items()
                              if k in {"huisletter", "huisnummertoevoeging", "toevoeging"}) or None,
            postbus=values.get("postbus"),
            postcode=values.get("postcode"),
            city=values.get("woonplaats"),
            lat=_number(values.get("centroideLatitude")),
            lon=_number(values.get("centroideLongitude")),
        ))
    return out


def first_value(packed: str) -> str | None:
    """First item of a packed list such as ``"14 020, label: algemeen;..."``."""
    if not packed:
        return None
    first = packed.split(";")[0]
    return first.split(", label:")[0].strip() or None


def _visiting_address(addresses: list[RooAddress]) -> RooAddress | None:
    """The town hall's visiting address, with coordinates borrowed from another entry for
    the same street and number when the visiting address itself has none."""
    visiting = [a for a in addresses if a.kind == "Bezoekadres" and a.street]
    if not visiting:
        return None
    with_point = [a for a in visiting if a.lat is not None]
    if with_point:
        return with_point[0]
    chosen = visiting[0]
    for other in addresses:
        if (other.lat is not None and other.street == chosen.street
                and other.number == chosen.number):
            return RooAddress(**{**chosen.__dict__, "lat": other.lat, "lon": other.lon})
    return chosen


class RooTownHallProvider(Provider):
    name = "town-halls"
    title = "Gemeentehuizen (Register van Overheidsorganisaties)"
    source = "roo-gemeenten"
    mirror_path = "services/roo_gemeenten.csv"
    official_url = "https://organisaties.overheid.nl/export/Gemeenten.csv"
    download_url = official_url  # the export is the mirror's format: fetched as is

    def prepare(self, session: Session) -> dict[str, Any]:
        ctx = gazetteer_context(session)
        ctx["types"] = load_provider_types()
        return ctx

    def estimate_rows(self, path: Path) -> int | None:
        return count_lines(path)

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        return read_csv(path, required=("Officiële naam", "TOOi URI"), delimiter=";")

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        gaz: Gazetteer = ctx["gazetteer"]
        official = f.required_text(rownum, "Officiële naam", row.get("Officiële naam"))
        code_text = f.text(row.get("Organisatiecode")) or ""
        match = _GM_IN_URI.search(row.get("TOOi URI") or "")
        if match:
            code_text = match.group(1)
        if not _GM_CODE.match(code_text):
            raise f.reject(rownum, "TOOi URI", "geen gemeentecode (gm0000) gevonden",
                           row.get("TOOi URI"))
        code = code_text.upper()
        municipality = gaz.municipalities.get(code)
        if municipality is None:
            raise f.reject(rownum, "TOOi URI", "onbekende gemeentecode", code)
        address_col = next((k for k in row if k.startswith(ADDRESS_COLUMN_PREFIX)), None)
        visiting = _visiting_address(parse_addresses(row.get(address_col, "")))
        if visiting is None:
            raise f.reject(rownum, address_col or "Adressen", "geen bezoekadres")
        postcode = f.postcode(rownum, "Adressen: postcode", visiting.postcode)
        checked, _ = f.date(rownum, "Datum ter verificatie", row.get("Datum ter verificatie"))
        _, mutated = f.date(rownum, "Laatste mutatie", row.get("Laatste mutatie"))
        # Contact fields of a register we do not control: a bad value is dropped with a
        # warning (Delft lists its contact page as "e-mail"), the town hall still comes in.
        phone = f.optional(ctx, f.phone, rownum, "Telefoonnummers",
                           first_value(row.get("Telefoonnummers", "")))
        website = f.optional(ctx, f.url, rownum, "Internetpagina's",
                             first_value(row.get("Internetpagina's", "")))
        email = f.optional(ctx, f.email, rownum, "E-mail adressen",
                           first_value(row.get("E-mail adressen", "")))
        appointment = f.optional(ctx, f.url, rownum, "Online afspraak url",
                                 row.get("Online afspraak url"))
        city = _display_city(visiting.city, gaz, code)

        if visiting.lat is not None and visiting.lon is not None:
            lat = f.coordinate(rownum, "centroideLatitude", visiting.lat, axis="lat")
            lon = f.coordinate(rownum, "centroideLongitude", visiting.lon, axis="lon")
            precision, pc4 = PRECISION_ADDRESS, (postcode or "")[:4] or None
        else:  # the register has no point for this address: use the postcode area, say so
            lat, lon, precision, pc4 = approximate_point(
                gaz, postal_code=postcode, city=city, municipality=municipality
            )

        provenance = {
            "source": self.source,
            "source_id": code,
            "source_url": f.text(row.get("TOOi URI")),
            "source_date": mutated,
            "last_checked": checked,
        }
        org_id = stable_id(self.source, "organization", code)
        location_id = stable_id(self.source, "location", code)
        service_id = stable_id(self.source, "service", code)
        ptype = ctx["types"].get("gemeente")
        organization = Record(Organization, {
            "id": org_id, "name": official, "alternate_name": f.text(row.get("Afkorting")),
            "website": website, "email": email, "legal_status": "gemeente",
            "municipality_code": code, "is_government": True, **provenance,
        })
        location = Record(Location, {
            "id": location_id, "organization_id": org_id, "location_type": "physical",
            "name": f"Gemeentehuis {municipality.name}", "latitude": lat, "longitude": lon,
            "point_precision": precision, "municipality_code": code, "pc4": pc4, **provenance,
        }, children=[Record(Address, {
            "id": stable_id(location_id, "address", 0), "location_id": location_id,
            "address_1": visiting.line, "postal_code": postcode, "city": city,
            "country": "NL", "address_type": "physical", "source": self.source,
        })])
        children: list[Record] = area_attributes(service_id, ptype.areas, self.source)
        children.append(Record(ServiceArea, {
            "id": stable_id(service_id, "area-served", 0), "service_id": service_id,
            "scope": SCOPE_MUNICIPALITY, "municipality_code": code, "name": municipality.name,
            "description": None, "source": self.source,
        }))
        children.append(Record(ServiceAtLocation, {
            "id": stable_id(service_id, "at", location_id), "service_id": service_id,
            "location_id": location_id, "description": None, "source": self.source,
        }))
        if phone:
            children.append(Record(Phone, {
                "id": stable_id(service_id, "phone", 0), "service_id": service_id,
                "number": phone, "type": "voice", "description": None, "source": self.source,
            }))
        service = Record(Service, {
            "id": service_id, "organization_id": org_id,
            "name": f"Gemeente {municipality.name}: loket", "description": None,
            "url": website, "email": email, "status": STATUS_ACTIVE, "provider_type": "gemeente",
            "independent": False, "free": True, "appointment_url": appointment,
            "residents_only": True, "walk_in": False, "by_appointment": bool(appointment),
            "by_phone": bool(phone), "online": bool(website),
            "eligibility_description": f"Voor inwoners van de gemeente {municipality.name}.",
            "notes": None, "confidence": "high", **provenance,
        }, children=children)
        return [organization, location, service]


def _display_city(city: str | None, gaz: Gazetteer, code: str) -> str | None:
    """The register writes towns in capitals (GIETEN); show the gazetteer's spelling."""
    if not city:
        return None
    if not city.isupper():
        return city
    place = gaz.place(city, code)
    if place is not None and fold(place.name) == fold(city):
        return place.name
    return city.title()
