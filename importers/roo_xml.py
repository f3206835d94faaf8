"""Town halls from the ROO full XML export (``exportOO.xml``), as an alternative to the CSV.

Every element and attribute read here was checked against public material; no name
is guessed. Sources:

[A] anneschuth/polder, docs/roo_field_map.md: every leaf path seen in a real
    exportOO.xml, with counts. Gives ``naam``, ``afkorting``, ``eindDatum``,
    ``datumMutatie``, ``datumTerVerificatie``, ``@systeemId``, ``@resourceIdentifierTOOI``,
    ``identificatiecodes/resourceIdentifier``, ``afspraak/url``,
    ``adressen/adres/{adresType,openbareRuimte,huisnummer,toevoeging,postbus,postcode,
    woonplaats}``, ``contact/telefoonnummers/telefoonnummer/{nummer,label}``,
    ``contact/emailadressen/emailadres/{email,label}`` and
    ``contact/internetadressen/internetadres/{url,label}``. The address paths it lists
    include **no coordinates**: the XML carries no point (the CSV export's
    ``centroideLatitude``/``centroideLongitude`` do not exist in it).
[B] anneschuth/polder, module ``polder.fetchers.roo`` and its tests: namespace
    ``https://organisaties.overheid.nl/static/schema/oo/export/2.6.9``, TOOI and
    systeemId as ``p:``-attributes on ``p:organisatie``, ``p:types/p:type``,
    ``<resourceIdentifier p:naam="Organisatiecode">gm0794</resourceIdentifier>`` and the
    TOOI URI ``https://identifier.overheid.nl/tooi/id/gemeente/gm0794``, address types
    ``Bezoekadres`` and ``Postadres``, ISO dates (``2025-10-02``).
[C] RijksICTGilde/wies, wies/core/services/organizations.py: same namespace,
    ``root.findall("p:organisaties/p:organisatie")``, ``p:naam``, ``p:types/p:type``
    (value ``Gemeente``), ``{ns}resourceIdentifierTOOI`` / ``{ns}systeemId`` attributes,
    nested ``p:organisaties/p:organisatie`` inside an organisation.
[D] A Laravel command "ImportBestuursorganen" in the public code index (its repository
    is not named there): streams exportOO.xml with XMLReader and reads
    ``p:adressen/p:adres/p:adresType|p:openbareRuimte|p:huisnummer|p:postcode|p:woonplaats``,
    ``p:contact/p:telefoonnummers/p:telefoonnummer/p:nummer``,
    ``p:contact/p:internetadressen/p:internetadres/p:url`` and
    ``p:contact/p:emailadressen/p:emailadres/p:email``.
[E] A Go test fixture in the public code index (repository not named there): a whole
    document ``<p:overheidsorganisaties xmlns:p=".../2.6.9"><p:organisaties>
    <p:organisatie>``, with ``p:eindDatum`` on dissolved municipalities (skipped when in
    the past, kept when in the future).
[F] openstate/allmanak, import-cron/oo-export.xsd and an older export script: the
    namespace carries the schema version and "changes every now and then" (2.0 …
    2.4.10 on almanak.overheid.nl, 2.6.x on organisaties.overheid.nl); the 2.4 layout
    (``p:gemeenten/p:gemeente``, ``contact/bezoekAdres/adres/straat``) is different and is
    not read here.

So: any ``…/static/schema/oo/export/2.x`` namespace is accepted, taken from the root
element; a file with the old 2.4 layout has no ``p:organisaties/p:organisatie`` of type
Gemeente and is refused as unreadable rather than deactivating every town hall.

Each municipality becomes the same flat row the CSV provider validates, so both inputs
build identical records under the same ``source``. The register's XML has no
coordinates: a town hall whose address is unchanged keeps the register point a
previous CSV import stored; otherwise it is placed at its postcode area and marked
approximate, as the CSV provider does for an address without a point.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from importers.base import Record, RowError, RowRejected, SourceUnreadable
from importers.roo import RooTownHallProvider, parse_addresses
from loketwijzer.models import PRECISION_ADDRESS, Address, Location

ROOT = "overheidsorganisaties"
_NAMESPACE = re.compile(
    r"^https?://(?:organisaties|almanak)\.overheid\.nl/static/schema/oo/export/2(?:\.\d+)*$"
)
MUNICIPALITY_TYPE = "Gemeente"
#: the key of the packed address field; it must start with "Adressen (" for the CSV rules
ADDRESS_FIELD = "Adressen (adressen/adres)"

# Row keys the CSV validation uses -> where the value sits in the XML, for error messages.
XML_FIELDS = {
    "Officiële naam": "naam",
    "TOOi URI": "@resourceIdentifierTOOI",
    ADDRESS_FIELD: "adressen/adres",
    "Adressen: postcode": "adressen/adres/postcode",
    "Datum ter verificatie": "datumTerVerificatie",
    "Laatste mutatie": "datumMutatie",
    "Telefoonnummers": "contact/telefoonnummers/telefoonnummer/nummer",
    "Internetpagina's": "contact/internetadressen/internetadres/url",
    "E-mail adressen": "contact/emailadressen/emailadres/email",
    "Online afspraak url": "afspraak/url",
}

# address element -> key of the CSV export's packed address field
_ADDRESS_KEYS = (
    ("adresType", "adresType"),
    ("openbareRuimte", "openbareRuimte"),
    ("huisnummer", "huisnummer"),
    ("toevoeging", "toevoeging"),
    ("postbus", "postbus"),
    ("postcode", "postcode"),
    ("woonplaats", "woonplaats"),
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


class _Org:
    """Namespaced look-ups on one ``p:organisatie`` element."""

    def __init__(self, element: ET.Element, ns: str) -> None:
        self.element = element
        self.ns = ns

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def text(self, path: str, within: ET.Element | None = None) -> str | None:
        node = (self.element if within is None else within).find(self._path(path))
        if node is None or node.text is None:
            return None
        return node.text.strip() or None

    def all(self, path: str) -> list[ET.Element]:
        return self.element.findall(self._path(path))

    def attribute(self, element: ET.Element, name: str) -> str | None:
        """A ``p:``-qualified attribute, or the same name without namespace."""
        value = element.get(f"{{{self.ns}}}{name}")
        if value is None:
            value = element.get(name)
        return value.strip() if value and value.strip() else None

    def types(self) -> list[str]:
        return [(t.text or "").strip() for t in self.all("types/type")]

    def identifier(self, name: str) -> str | None:
        """``identificatiecodes/resourceIdentifier`` with ``p:naam`` = ``name``."""
        for node in self.all("identificatiecodes/resourceIdentifier"):
            if (self.attribute(node, "naam") or "").lower() == name.lower():
                return (node.text or "").strip() or None
        return None

    def first(self, path: str, field: str) -> str | None:
        """The first non-empty ``field`` of the repeated element at ``path``."""
        for node in self.all(path):
            value = self.text(field, within=node)
            if value:
                return value
        return None


def _csv_date(value: str | None) -> str | None:
    """ISO ``2026-03-01`` as the CSV export writes it (``01-03-2026``), so that both
    inputs keep the same date text; anything else is passed on for validation."""
    if value is None:
        return None
    match = _ISO_DATE.match(value)
    if not match:
        return value
    year, month, day = match.groups()
    return f"{day}-{month}-{year}"


def _ended(end: str | None, today: dt.date) -> bool:
    """True when ``eindDatum`` lies on or before today (the organisation no longer exists)."""
    if not end or not _ISO_DATE.match(end):
        return False
    try:
        return dt.date.fromisoformat(end[:10]) <= today
    except ValueError:
        return False


def pack_addresses(org: _Org) -> str:
    """The addresses in the CSV export's packed form: ``key: value`` pairs joined by
    ``, ``, addresses joined by ``;``, each starting with ``adresType``."""
    packed = []
    for adres in org.all("adressen/adres"):
        values = [(key, org.text(tag, within=adres)) for tag, key in _ADDRESS_KEYS]
        if not values[0][1]:
            continue  # no adresType: not an address the CSV rules can place
        packed.append(", ".join(f"{key}: {value}" for key, value in values if value))
    return ";".join(packed)


def _unpacks_faithfully(org: _Org, packed: str) -> bool:
    """Check that no address value contains text the packed format would misread."""
    expected = []
    for adres in org.all("adressen/adres"):
        kind = org.text("adresType", within=adres)
        if kind:
            expected.append((kind, org.text("openbareRuimte", within=adres),
                             org.text("huisnummer", within=adres),
                             org.text("postcode", within=adres),
                             org.text("woonplaats", within=adres)))
    got = [(a.kind, a.street, a.number, a.postcode, a.city) for a in parse_addresses(packed)]
    return got == expected


def organisation_row(org: _Org, packed: str) -> dict[str, Any]:
    """One municipality as the flat row :class:`RooTownHallProvider` validates."""
    tooi = org.attribute(org.element, "resourceIdentifierTOOI") or org.identifier(
        "resourceIdentifierTOOI"
    )
    return {
        "Officiële naam": org.text("naam") or "",
        "Afkorting": org.text("afkorting") or "",
        "Type": MUNICIPALITY_TYPE,
        "Datum ter verificatie": _csv_date(org.text("datumTerVerificatie")) or "",
        "Laatste mutatie": _csv_date(org.text("datumMutatie")) or "",
        ADDRESS_FIELD: packed,
        "Online afspraak url": org.text("afspraak/url") or "",
        # The CSV provider keeps the first entry of each list; so do we.
        "Telefoonnummers": org.first("contact/telefoonnummers/telefoonnummer", "nummer") or "",
        "E-mail adressen": org.first("contact/emailadressen/emailadres", "email") or "",
        "Internetpagina's": org.first("contact/internetadressen/internetadres", "url") or "",
        "TOOi URI": tooi or "",
        "Organisatiecode": org.identifier("Organisatiecode") or "",
    }


def _municipality_row(ordinal: int, org: _Org) -> dict[str, Any]:
    packed = pack_addresses(org)
    if not _unpacks_faithfully(org, packed):
        return {"__error__": RowError(
            ordinal, "adressen/adres", "adres bevat tekst die niet als los adresveld te lezen is",
            org.text("naam"),
        )}
    return organisation_row(org, packed)


def iter_municipalities(
    path: Path, *, today: dt.date | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Stream the export: yield (ordinal of the organisation in the file, row) for every
    top-level organisation of type Gemeente that has not ended.

    The ordinal counts every ``p:organisaties/p:organisatie`` directly under the root,
    whatever its type, so "rij 57" is the 57th organisation in the file. Nested
    organisations (departments inside an organisation) are not counted or read.
    """
    today = today or dt.date.today()
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise SourceUnreadable(f"bestand niet te openen: {exc}") from exc
    found = 0
    with handle:
        depth = 0  # of the element just started, or of the one just ended (before it ended)
        ns = ""
        in_list = False  # inside the p:organisaties directly under the root
        ordinal = 0
        try:
            for event, element in ET.iterparse(handle, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 1:
                        ns = _namespace(element.tag)
                        if _local(element.tag) != ROOT or not _NAMESPACE.match(ns):
                            raise SourceUnreadable(
                                f"{path.name} is geen ROO-export: root-element "
                                f"{element.tag!r}, verwacht p:{ROOT} in de namespace "
                                "https://organisaties.overheid.nl/static/schema/oo/export/2.x"
                            )
                        root = element
                    elif depth == 2:
                        in_list = element.tag == f"{{{ns}}}organisaties"
                        block = element
                    continue
                if depth == 3 and in_list and element.tag == f"{{{ns}}}organisatie":
                    ordinal += 1
                    org = _Org(element, ns)
                    if MUNICIPALITY_TYPE in org.types() and not _ended(
                        org.text("eindDatum"), today
                    ):
                        found += 1
                        yield ordinal, _municipality_row(ordinal, org)
                if depth == 3:
                    block.remove(element)  # read and done: keep memory flat on the full export
                elif depth == 2:
                    in_list = False
                    root.remove(element)
                depth -= 1
        except ET.ParseError as exc:
            raise SourceUnreadable(f"{path.name} is geen geldige XML: {exc}") from exc
    if found == 0:
        raise SourceUnreadable(
            f"{path.name}: geen gemeenten gevonden (p:organisaties/p:organisatie met "
            f"p:types/p:type '{MUNICIPALITY_TYPE}'); is dit de volledige ROO-export in het "
            "formaat 2.6?"
        )


class RooXmlTownHallProvider(RooTownHallProvider):
    """The same town halls, read from the register's full XML export."""

    name = "town-halls-xml"
    title = "Gemeentehuizen (Register van Overheidsorganisaties, XML-export)"
    source = "roo-gemeenten"  # same records as the CSV provider: either updates them
    mirror_path = "services/exportOO.xml"
    official_url = "https://organisaties.overheid.nl/archive/exportOO.xml"
    download_url = official_url

    def estimate_rows(self, path: Path) -> int | None:
        return None

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        return iter_municipalities(path)

    def prepare(self, session: Session) -> dict[str, Any]:
        ctx = super().prepare(session)
        ctx["register_points"] = _register_points(session, self.source)
        return ctx

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        try:
            records = super().validate(rownum, row, ctx)
        except RowRejected as exc:
            raise RowRejected([
                dataclasses.replace(e, field=XML_FIELDS.get(e.field or "", e.field))
                for e in exc.errors
            ]) from exc
        for record in records:
            if record.model is Location:
                _keep_register_point(record, ctx["register_points"])
        return records


def _register_points(session: Session, source: str) -> dict[str, tuple]:
    """Town-hall points an earlier (CSV) import took from the register, by location id,
    with the address they belong to."""
    rows = session.execute(
        select(Location.id, Location.latitude, Location.longitude, Location.pc4,
               Address.address_1, Address.postal_code)
        .join(Address, Address.location_id == Location.id)
        .where(Location.source == source, Location.point_precision == PRECISION_ADDRESS)
    )
    return {r[0]: (r[4], r[5], r[1], r[2], r[3]) for r in rows}


def _keep_register_point(location: Record, points: dict[str, tuple]) -> None:
    """The XML has no coordinates: keep the stored register point when the address is
    the same one, instead of moving the pin to the postcode area."""
    values = location.values
    if values.get("point_precision") == PRECISION_ADDRESS:
        return
    stored = points.get(values["id"])
    address = next((c.values for c in location.children if c.model is Address), None)
    if stored is None or address is None:
        return
    line, postcode, lat, lon, pc4 = stored
    if (line, postcode) != (address.get("address_1"), address.get("postal_code")):
        return
    values.update(latitude=lat, longitude=lon, point_precision=PRECISION_ADDRESS, pc4=pc4)
