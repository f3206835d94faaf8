"""Turn flat HSDS rows into our records: validation, ids, ownership, extras, provenance.

The order matters and follows the references: ids first (so every foreign key can be
checked inside the package), then provenance (metadata) and taxonomies, then
attributes (which carry our extras), then the dependent rows, then organisations,
locations and services with their dependent rows as children.

Decisions (see docs/hsds.md):

* An HSDS id that is a UUID becomes our id; any other id gets ``stable_id(source,
  table, id)``. ``source_id`` is the id as given.
* A phone, schedule or language belongs to its service when it names one (directly or
  through a service_at_location), else to its location, else (phones) to its
  organisation; one that belongs only to a contact or a phone is not stored (warning).
* A reference that points nowhere rejects the row, except the optional hierarchy
  links (``parent_organization_id``, a term's ``parent_id``): those are dropped with a
  warning.
* Fields HSDS requires but Dutch data often lacks and we do not need (an organisation's
  description, an address's province) give a warning, not a rejection.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from geo.gazetteer import Gazetteer
from geo.names import fold
from importers import fields as f
from importers.base import Record, RowError
from importers.common import approximate_point
from importers.hsds_extras import (
    BOOL,
    NUMBER,
    PROPERTIES_TAXONOMY,
    PROPERTIES_TAXONOMY_ID,
    PROPERTY_BY_CODE,
    PROPERTY_TERM_IDS,
    PROVENANCE_ACTION,
    PROVENANCE_FIELDS,
)
from importers.hsds_fields import (
    Check,
    byday,
    enum,
    extension,
    iso_date,
    pc4_area,
    plain,
    required,
)
from importers.hsds_read import Package, Row, canonical_id, municipality_code_in
from importers.hsds_schema import TABLES
from loketwijzer.models import (
    PRECISION_ADDRESS,
    SCOPE_MUNICIPALITY,
    SCOPE_NATIONAL,
    SCOPE_REGION,
    STATUS_REFERRAL,
    STATUS_UNCERTAIN,
    TAXONOMY_PROBLEM_AREAS,
    Accessibility,
    Address,
    Attribute,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    stable_id,
)

RESERVED_PREFIX = "loketwijzer-"
LABEL = {
    "organization": "een organisatie",
    "service": "een dienst",
    "location": "een locatie",
    "service_at_location": "een dienst-op-locatie",
    "taxonomy": "een taxonomie",
    "taxonomy_term": "een term",
    "phone": "een telefoonnummer",
    "service_area": "een werkgebied",
}
NATIONAL_NAMES = {"nederland", "heel nederland", "landelijk", "heel het land", "nationaal"}
SCOPES = (SCOPE_NATIONAL, SCOPE_MUNICIPALITY, SCOPE_REGION)
PRECISIONS = ("address", "postcode", "pc4", "place", "municipality")
CONFIDENCE = ("high", "medium", "low")
NL_COUNTRY = {"nl", "nld", "nederland", "netherlands", "the netherlands"}
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


STATUS_DETAILS = (STATUS_UNCERTAIN, STATUS_REFERRAL)


@dataclass
class DbContext:
    """What the database already knows and the package may refer to."""

    gazetteer: Gazetteer
    provider_types: Any
    #: taxonomy name → id, for every taxonomy in the database
    taxonomies: dict[str, str] = field(default_factory=dict)
    #: term id → (taxonomy name, code), for every term in the database
    terms: dict[str, tuple[str, str]] = field(default_factory=dict)

    def reserved_term(self, taxonomy: str, code: str) -> str | None:
        return self._by_key.get((taxonomy, code))

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], str]:
        return {key: tid for tid, key in self.terms.items()}

    @cached_property
    def area_terms(self) -> dict[str, str]:
        """Problem-area code → term id."""
        return {code: tid for tid, (tax, code) in self.terms.items()
                if tax == TAXONOMY_PROBLEM_AREAS}


@dataclass
class MapResult:
    items: list[tuple[int, list[Record]]] = field(default_factory=list)
    errors: list[tuple[int, RowError]] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


class HsdsMapper:
    """One run over one package. ``run()`` returns records per top-level item, or errors."""

    def __init__(self, package: Package, source: str, db: DbContext) -> None:
        self.p = package
        self.source = source
        self.db = db
        self.result = MapResult(errors=list(package.errors), warnings=list(package.warnings))
        #: table → HSDS id (canonical) → our id
        self.ids: dict[str, dict[str, str]] = {t: {} for t in TABLES}
        self.rows: dict[str, dict[str, Row]] = {t: {} for t in TABLES}
        #: (table, HSDS id) → provenance values from metadata
        self.prov: dict[tuple[str, str], dict[str, Any]] = {}
        #: (table, HSDS id) → property code → (raw value, attribute row)
        self.props: dict[tuple[str, str], dict[str, tuple[Any, Row]]] = {}
        #: (table, our id) → child records
        self.children: dict[tuple[str, str], list[Record]] = {}
        #: taxonomy HSDS id → (name, our id or None when it is ours and not written)
        self.taxonomy_info: dict[str, tuple[str, str | None]] = {}
        #: term HSDS id → (taxonomy name, code, our id or None, is a property term)
        self.term_info: dict[str, tuple[str, str, str | None, bool]] = {}
        self.phone_numbers: dict[str, list[str]] = {}
        self.cost_amounts: dict[str, list[float]] = {}
        self.first_address: dict[str, dict[str, Any]] = {}
        self.empty_required: dict[str, list[int | None]] = {}

    # -- helpers ---------------------------------------------------------------------------
    def table_rows(self, table: str) -> list[Row]:
        return self.p.rows.get(table, [])

    def done(self, check: Check) -> bool:
        if check.errors:
            self.result.errors.extend((check.row.seq, e) for e in check.errors)
            return False
        return True

    def warn(self, row: Row | None, column: str | None, reason: str, value: Any = None) -> None:
        where = (row.field(column) if column else row.where) if row else column
        self.result.warnings.append(RowError(row.line if row else None, where, reason,
                                             None if value is None else str(value)))

    def note_empty(self, row: Row, column: str) -> None:
        """A field HSDS requires but we can do without: one warning per field, at the end."""
        self.empty_required.setdefault(row.field(column), []).append(row.line)

    def ref(self, check: Check, column: str, table: str, *, needed: bool = False
            ) -> str | None:
        raw = check.row.get(column)
        key = canonical_id(raw)
        if key is None:
            if needed:
                check.fail(column, "verplicht veld is leeg")
            return None
        found = self.ids[table].get(key)
        if found is None:
            check.fail(column, f"verwijst naar {LABEL.get(table, table)} die niet in het "
                               "pakket staat", raw)
        return found

    def lengths(self, check: Check, model: type, values: dict[str, Any]) -> None:
        """Values longer than the column allows (PostgreSQL would refuse the whole file)."""
        for column in model.__table__.columns:
            length = getattr(column.type, "length", None)
            value = values.get(column.key)
            if length and isinstance(value, str) and len(value) > length:
                check.fail(column.key, f"te lang: hoogstens {length} tekens", value[:40] + "…")

    def provenance(self, table: str, row: Row) -> dict[str, Any]:
        key = canonical_id(row.get("id")) or ""
        carried = self.prov.get((table, key))
        if carried:
            return {
                "source": carried.get("source") or self.source,
                "source_id": carried.get("source_id") or f.text(row.get("id")),
                "source_url": carried.get("source_url"),
                "source_date": carried.get("source_date"),
                "last_checked": carried.get("last_checked"),
            }
        return {"source": self.source, "source_id": f.text(row.get("id")), "source_url": None,
                "source_date": None, "last_checked": None}

    def prop(self, check: Check, table: str, row: Row, code: str,
             parse: Callable[..., Any] | None = None) -> Any:
        """A carried extra, parsed; None when absent or empty. Problems name the attribute."""
        found = self.props.get((table, canonical_id(row.get("id")) or ""), {}).get(code)
        if found is None:
            return None
        _, attr_row = found
        kind = PROPERTY_BY_CODE[code].kind
        parse = parse or {BOOL: f.boolean, NUMBER: f.decimal}.get(kind, plain)
        sub = Check(attr_row)
        parsed = sub(parse, "value")
        check.errors.extend(sub.errors)
        return parsed

    def has_props(self, table: str, row: Row) -> bool:
        return bool(self.props.get((table, canonical_id(row.get("id")) or "")))

    def attach(self, table: str, owner: str, record: Record) -> None:
        self.children.setdefault((table, owner), []).append(record)

    def take_children(self, table: str, our_id: str, source: str) -> list[Record]:
        children = self.children.pop((table, our_id), [])
        for child in children:
            child.values["source"] = source
        return children

    def municipality(self, line: int | None, name: str, value: Any) -> str | None:
        """A CBS code that our gazetteer knows (the column is a foreign key)."""
        cleaned = f.text(value)
        if cleaned is None:
            return None
        code = cleaned.upper()
        if code not in self.db.gazetteer.municipalities:
            raise f.reject(line, name, "onbekende gemeente (CBS-code zoals GM0363)", cleaned)
        return code

    def provider_type(self, line: int | None, name: str, value: Any) -> str | None:
        cleaned = f.text(value)
        if cleaned is not None and self.db.provider_types.get(cleaned) is None:
            raise f.reject(line, name, "onbekend soort aanbieder (provider_type)", cleaned)
        return cleaned

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> MapResult:
        self.index_ids()
        self.read_provenance()
        self.map_taxonomies()
        self.map_terms()
        self.map_attributes()
        self.map_owned_children()
        self.map_location_children()
        self.map_service_children()
        self.map_organizations()
        self.map_locations()
        self.map_services()
        for where, lines in self.empty_required.items():
            extra = "; NL aangenomen" if where.endswith(".country") else ""
            many = f" in {len(lines)} rijen, de eerste is rij {lines[0]}" if len(lines) > 1 else ""
            self.result.warnings.append(RowError(
                lines[0], where, f"verplicht volgens HSDS, maar leeg{many}{extra}"))
        if self.p.skipped:
            listed = ", ".join(f"{name} ({n})" for name, n in sorted(self.p.skipped.items()))
            self.warn(None, None, f"niet ingelezen, want Loketwijzer slaat dit niet op: {listed}")
        return self.result

    def index_ids(self) -> None:
        """Every id once per table; a second row with the same id is an error naming both."""
        for table in TABLES:
            for row in self.table_rows(table):
                key = canonical_id(row.get("id"))
                if key is None:
                    self.result.errors.append((row.seq, RowError(
                        row.line, row.field("id"), "verplicht veld is leeg")))
                    continue
                first = self.rows[table].get(key)
                if first is not None:
                    self.result.errors.append((row.seq, RowError(
                        row.line, row.field("id"),
                        f"dubbel: hetzelfde id staat ook in {first.where} rij {first.line}",
                        row.get("id"))))
                    continue
                self.rows[table][key] = row
                self.ids[table][key] = key if _is_uuid(key) else stable_id(
                    self.source, table, key)

    def read_provenance(self) -> None:
        for row in self.table_rows("metadata"):
            if f.text(row.get("last_action_type")) != PROVENANCE_ACTION:
                self.p.skipped["metadata (wijzigingen)"] += 1
                continue
            check = Check(row)
            name = check(required(enum(PROVENANCE_FIELDS)), "field_name")
            table = check(required(enum(("organization", "service", "location", "taxonomy",
                                          "taxonomy_term"))), "resource_type")
            if table:
                self.ref(check, "resource_id", table, needed=True)
            value: Any = f.text(row.get("replacement_value"))
            if name == "last_checked":
                value = (check(f.date, "replacement_value") or (None, None))[0]
            elif name == "source_url":
                value = check(f.url, "replacement_value")
            elif name == "source" and value and len(value) > 80:
                check.fail("replacement_value", "te lang: hoogstens 80 tekens", value)
            if self.done(check) and name and table:
                key = canonical_id(row.get("resource_id")) or ""
                self.prov.setdefault((table, key), {})[name] = value

    # -- taxonomies ----------------------------------------------------------------------------
    def map_taxonomies(self) -> None:
        names: dict[str, Row] = {}
        for key, row in self.rows["taxonomy"].items():
            check = Check(row)
            name = check(required(plain), "name")
            if name in names:
                check.fail("name", f"dubbel: deze naam staat ook in {names[name].where} rij "
                                   f"{names[name].line}", name)
            if name:
                names[name] = row
            our_id = self.ids["taxonomy"][key]
            if name == PROPERTIES_TAXONOMY or our_id == PROPERTIES_TAXONOMY_ID:
                self.taxonomy_info[key] = (PROPERTIES_TAXONOMY, None)
                continue
            if name and name.startswith(RESERVED_PREFIX):
                # Ours: seeded by the taxonomy import, referenced here but never overwritten.
                self.taxonomy_info[key] = (name, None)
                self.done(check)
                continue
            if f.text(row.get("description")) is None:
                self.note_empty(row, "description")
            values = {
                "id": our_id, "name": name, "description": f.text(row.get("description")),
                "uri": check(f.url, "uri"), "version": check(plain, "version"),
                **self.provenance("taxonomy", row),
            }
            self.lengths(check, Taxonomy, values)
            self.taxonomy_info[key] = (name or "", our_id)
            if self.done(check):
                self.result.items.append((row.seq, [Record(Taxonomy, values, row=row.line)]))

    def _term_taxonomy(self, check: Check, row: Row) -> tuple[str, str | None] | None:
        """(taxonomy name, our taxonomy id or None if ours) for a term, or None (error)."""
        raw = row.get("taxonomy_id")
        key = canonical_id(raw)
        if key is not None:
            if key in self.taxonomy_info:
                return self.taxonomy_info[key]
            for name, tid in self.db.taxonomies.items():
                if tid == key:
                    return name, None if name.startswith(RESERVED_PREFIX) else tid
            check.fail("taxonomy_id", "verwijst naar een taxonomie die niet in het pakket "
                                      "staat", raw)
            return None
        name = f.text(row.get("taxonomy"))
        if name is None:
            check.fail("taxonomy_id", "een term hoort bij een taxonomie: vul taxonomy_id in")
            return None
        for info in self.taxonomy_info.values():
            if info[0] == name:
                return info
        if name in self.db.taxonomies:
            return name, None if name.startswith(RESERVED_PREFIX) else self.db.taxonomies[name]
        if name.startswith(RESERVED_PREFIX):
            check.fail("taxonomy", "onbekende Loketwijzer-taxonomie", name)
            return None
        # Named only: create the taxonomy, with a stable id, once per name.
        tax_id = stable_id(self.source, "taxonomy", name)
        self.taxonomy_info[f"name:{name}"] = (name, tax_id)
        self.result.items.append((row.seq, [Record(Taxonomy, {
            "id": tax_id, "name": name, "description": None, "uri": None, "version": None,
            "source": self.source, "source_id": f"name:{name}", "source_url": None,
            "source_date": None, "last_checked": None}, row=row.line)]))
        return name, tax_id

    def map_terms(self) -> None:
        records: list[tuple[int, Record]] = []
        codes: dict[tuple[str, str], Row] = {}
        for key, row in self.rows["taxonomy_term"].items():
            check = Check(row)
            name = check(required(plain), "name")
            our_id = self.ids["taxonomy_term"][key]
            info = self._term_taxonomy(check, row)
            code = f.text(row.get("code"))
            if info is None:
                self.done(check)
                continue
            tax_name, tax_id = info
            if tax_name == PROPERTIES_TAXONOMY:
                if code not in PROPERTY_BY_CODE:
                    check.fail("code", "onbekende Loketwijzer-eigenschap", code)
                self.term_info[key] = (tax_name, code or "", None, True)
                self.done(check)
                continue
            if tax_id is None:  # a term of one of our own taxonomies: must exist already
                found = self.db.reserved_term(tax_name, code or "")
                if found is None:
                    check.fail("code", f"onbekende code in {tax_name} (is de taxonomie al "
                                       "geladen met import-all?)", code)
                self.term_info[key] = (tax_name, code or "", found, False)
                self.done(check)
                continue
            code = code or f.text(row.get("id"))
            if (tax_id, code) in codes:
                first = codes[(tax_id, code)]
                check.fail("code", f"dubbel in deze taxonomie: ook in {first.where} rij "
                                   f"{first.line}", code)
            codes[(tax_id, code)] = row
            if f.text(row.get("description")) is None:
                self.note_empty(row, "description")
            parent = None
            parent_key = canonical_id(row.get("parent_id"))
            if parent_key is not None:
                parent = self.ids["taxonomy_term"].get(parent_key)
                if parent is None:
                    self.warn(row, "parent_id", "verwijst naar een term die niet in het pakket "
                                                "staat; zonder bovenliggende term ingelezen",
                              row.get("parent_id"))
            values = {
                "id": our_id, "taxonomy_id": tax_id, "code": code, "name": name,
                "name_en": None, "description": f.text(row.get("description")),
                "parent_id": parent, "language": check(plain, "language"),
                "term_uri": check(f.url, "term_uri"), **self.provenance("taxonomy_term", row),
            }
            self.lengths(check, TaxonomyTerm, values)
            self.term_info[key] = (tax_name, code or "", our_id, False)
            if self.done(check):
                records.append((row.seq, Record(TaxonomyTerm, values, row=row.line)))
        # Parents before children: the database checks the reference on every insert.
        depth = {r.values["id"]: r for _, r in records}

        def level(record: Record, seen: int = 0) -> int:
            parent = depth.get(record.values["parent_id"] or "")
            return 0 if parent is None or seen > 50 else 1 + level(parent, seen + 1)

        for seq, record in sorted(records, key=lambda item: level(item[1])):
            self.result.items.append((seq, [record]))

    # -- attributes: our extras, problem areas, other tags ---------------------------------------
    def _term(self, check: Check, row: Row) -> tuple[str, str, str | None, bool] | None:
        raw = row.get("taxonomy_term_id")
        key = canonical_id(raw)
        if key is None:
            check.fail("taxonomy_term_id", "verplicht veld is leeg")
            return None
        if key in self.term_info:
            return self.term_info[key]
        if key not in self.rows["taxonomy_term"]:
            if key in PROPERTY_TERM_IDS:
                return PROPERTIES_TAXONOMY, PROPERTY_TERM_IDS[key], None, True
            if key in self.db.terms:
                tax_name, code = self.db.terms[key]
                return tax_name, code, key, False
            check.fail("taxonomy_term_id", "verwijst naar een term die niet in het pakket "
                                           "staat", raw)
        return None  # the term row itself was rejected

    def map_attributes(self) -> None:
        areas = self.db.area_terms
        for key, row in self.rows["attribute"].items():
            check = Check(row)
            entity = check(required(plain), "link_entity")
            term = self._term(check, row)
            if entity is not None and entity not in TABLES:
                check.fail("link_entity", "onbekende tabel", entity)
                entity = None
            link = self.ref(check, "link_id", entity, needed=True) if entity else None
            if not self.done(check) or term is None or link is None or entity is None:
                continue
            tax_name, code, term_id, is_property = term
            link_key = canonical_id(row.get("link_id")) or ""
            if is_property:
                prop = PROPERTY_BY_CODE.get(code)
                if prop is None or entity not in prop.tables:
                    check.fail("link_entity", f"eigenschap '{code}' hoort niet bij {entity}",
                               entity)
                    self.done(check)
                    continue
                self.props.setdefault((entity, link_key), {})[code] = (row.get("value"), row)
                continue
            if entity != "service":
                self.warn(row, "link_entity", "niet opgeslagen: Loketwijzer bewaart attributen "
                                              "alleen bij diensten", entity)
                continue
            values = {
                "id": self.ids["attribute"][key], "link_id": link,
                "link_type": f.text(row.get("link_type")) or entity, "link_entity": entity,
                "taxonomy_term_id": term_id, "value": f.text(row.get("value")),
            }
            self.lengths(check, Attribute, values)
            if not self.done(check):
                continue
            self.attach("service", link, Record(Attribute, values, row=row.line))
            if tax_name != TAXONOMY_PROBLEM_AREAS and code in areas:
                # A term with one of our problem-area codes tags the service with that area.
                self.attach("service", link, Record(Attribute, {
                    "id": stable_id(link, "area", code), "link_id": link,
                    "link_type": "service", "link_entity": "service",
                    "taxonomy_term_id": areas[code], "value": code}, row=row.line))

    # -- phones, schedules, languages: owned by a service, a location or an organisation -------
    def _owner(self, check: Check) -> tuple[str | None, str | None, str | None]:
        """(service, location, organisation) our ids named by a row, via service_at_location."""
        service = self.ref(check, "service_id", "service")
        location = self.ref(check, "location_id", "location")
        organization = self.ref(check, "organization_id", "organization")
        sal_key = canonical_id(check.row.get("service_at_location_id"))
        if sal_key is not None:
            self.ref(check, "service_at_location_id", "service_at_location")
            sal = self.rows["service_at_location"].get(sal_key)
            if sal is not None:
                service = service or self.ids["service"].get(
                    canonical_id(sal.get("service_id")) or "")
                location = location or self.ids["location"].get(
                    canonical_id(sal.get("location_id")) or "")
        return service, location, organization

    def _place_child(self, check: Check, record: Record, service: str | None,
                     location: str | None, organization: str | None, what: str) -> None:
        if not self.done(check):
            return
        if service:
            self.attach("service", service, record)
        elif location:
            self.attach("location", location, record)
        elif organization:
            self.attach("organization", organization, record)
        else:
            self.warn(check.row, None, f"niet opgeslagen: {what} hoort bij geen dienst, "
                                       "locatie of organisatie")

    def map_owned_children(self) -> None:
        for key, row in self.rows["phone"].items():
            check = Check(row)
            service, location, organization = self._owner(check)
            values = {
                "id": self.ids["phone"][key], "organization_id": organization,
                "service_id": service, "location_id": location,
                "number": check(required(f.phone), "number"),
                "extension": check(extension, "extension"),
                "type": check(enum(TABLES["phone"].enums["type"], lower=True), "type"),
                "description": check(plain, "description"),
            }
            self.lengths(check, Phone, values)
            if service and values["number"]:
                self.phone_numbers.setdefault(service, []).append(values["number"])
            self._place_child(check, Record(Phone, values, row=row.line), service, location,
                              organization, "dit telefoonnummer")
        for key, row in self.rows["schedule"].items():
            check = Check(row)
            service, location, _ = self._owner(check)
            values = {
                "id": self.ids["schedule"][key], "service_id": service,
                "location_id": location, "valid_from": check(iso_date, "valid_from"),
                "valid_to": check(iso_date, "valid_to"),
                "freq": check(enum(TABLES["schedule"].enums["freq"]), "freq"),
                "interval": check(f.integer, "interval", lo=1, hi=1000),
                "byday": check(byday, "byday"), "opens_at": check(f.clock, "opens_at"),
                "closes_at": check(f.clock, "closes_at"),
                "description": check(plain, "description"),
                "attending_type": check(plain, "attending_type"), "notes": check(plain, "notes"),
            }
            self.lengths(check, Schedule, values)
            self._place_child(check, Record(Schedule, values, row=row.line), service, location,
                              None, "dit tijdschema")
        for key, row in self.rows["language"].items():
            check = Check(row)
            service, location, _ = self._owner(check)
            if canonical_id(row.get("phone_id")) is not None:
                self.ref(check, "phone_id", "phone")
            values = {
                "id": self.ids["language"][key], "service_id": service,
                "location_id": location, "name": check(plain, "name"),
                "code": check(plain, "code"), "note": check(plain, "note"),
            }
            self.lengths(check, Language, values)
            self._place_child(check, Record(Language, values, row=row.line), service, location,
                              None, "deze taal (alleen bij een telefoonnummer)")

    def map_location_children(self) -> None:
        for key, row in self.rows["address"].items():
            check = Check(row)
            location = self.ref(check, "location_id", "location", needed=True)
            country = f.text(row.get("country"))
            if country is None:
                self.note_empty(row, "country")
            elif country.lower() not in NL_COUNTRY:
                check.fail("country", "Loketwijzer neemt alleen adressen in Nederland op (NL)",
                           country)
            for column in ("city", "postal_code", "state_province"):
                if f.text(row.get(column)) is None:
                    self.note_empty(row, column)
            values = {
                "id": self.ids["address"][key], "location_id": location,
                "attention": check(plain, "attention"),
                "address_1": check(required(plain), "address_1"),
                "address_2": check(plain, "address_2"), "city": check(plain, "city"),
                "region": check(plain, "region"),
                "state_province": check(plain, "state_province"),
                "postal_code": check(f.postcode, "postal_code", full=False),
                "country": "NL",
                "address_type": check(required(enum(TABLES["address"].enums["address_type"])),
                                      "address_type"),
            }
            self.lengths(check, Address, values)
            if self.done(check) and location:
                self.attach("location", location, Record(Address, values, row=row.line))
                current = self.first_address.get(location)
                if current is None or (current["address_type"] != "physical"
                                       and values["address_type"] == "physical"):
                    self.first_address[location] = values
        for key, row in self.rows["accessibility"].items():
            check = Check(row)
            location = self.ref(check, "location_id", "location", needed=True)
            values = {
                "id": self.ids["accessibility"][key], "location_id": location,
                "description": check(plain, "description"), "details": check(plain, "details"),
                "url": check(f.url, "url"),
            }
            self.lengths(check, Accessibility, values)
            if self.done(check) and location:
                self.attach("location", location, Record(Accessibility, values, row=row.line))

    def map_service_children(self) -> None:
        for key, row in self.rows["service_at_location"].items():
            check = Check(row)
            values = {
                "id": self.ids["service_at_location"][key],
                "service_id": self.ref(check, "service_id", "service", needed=True),
                "location_id": self.ref(check, "location_id", "location", needed=True),
                "description": check(plain, "description"),
            }
            self.lengths(check, ServiceAtLocation, values)
            if self.done(check):
                self.attach("service", values["service_id"],
                            Record(ServiceAtLocation, values, row=row.line))
        for key, row in self.rows["service_area"].items():
            self._service_area(key, row)
        for key, row in self.rows["cost_option"].items():
            check = Check(row)
            service = self.ref(check, "service_id", "service", needed=True)
            currency = check(plain, "currency")
            if currency and not _CURRENCY.match(currency):
                check.fail("currency", "gebruik een valutacode van 3 letters, zoals EUR",
                           currency)
            values = {
                "id": self.ids["cost_option"][key], "service_id": service,
                "valid_from": check(iso_date, "valid_from"),
                "valid_to": check(iso_date, "valid_to"), "option": check(plain, "option"),
                "currency": currency, "amount": check(f.decimal, "amount"),
                "amount_description": check(plain, "amount_description"),
            }
            self.lengths(check, CostOption, values)
            if self.done(check) and service:
                if values["amount"]:
                    self.cost_amounts.setdefault(service, []).append(values["amount"])
                self.attach("service", service, Record(CostOption, values, row=row.line))
        for key, row in self.rows["required_document"].items():
            check = Check(row)
            values = {
                "id": self.ids["required_document"][key],
                "service_id": self.ref(check, "service_id", "service", needed=True),
                "document": check(required(plain), "document"), "uri": check(f.url, "uri"),
            }
            self.lengths(check, RequiredDocument, values)
            if self.done(check):
                self.attach("service", values["service_id"],
                            Record(RequiredDocument, values, row=row.line))

    def _service_area(self, key: str, row: Row) -> None:
        """Scope and municipality from our extra, a TOOi URI / GM code, or the name."""
        check = Check(row)
        service = self.ref(check, "service_id", "service", needed=True)
        name = check(plain, "name")
        code = check.value(self.municipality, "uri", municipality_code_in(
            f.text(row.get("uri")), name if name and len(name) <= 8 else None))
        scope = self.prop(check, "service_area", row, "scope", enum(SCOPES))
        if not self.has_props("service_area", row):
            if code:
                scope = SCOPE_MUNICIPALITY
            elif name and fold(name) in NATIONAL_NAMES:
                scope = SCOPE_NATIONAL
            else:
                scope = SCOPE_REGION
        if scope == SCOPE_MUNICIPALITY and code is None:
            check.fail("uri", "een gemeentelijk werkgebied heeft een gemeente nodig "
                              "(TOOi-URI of GM-code)")
        if name is None and code is not None:
            name = self.db.gazetteer.municipalities[code].name
        values = {
            "id": self.ids["service_area"][key], "service_id": service, "scope": scope,
            "municipality_code": code, "name": name, "description": check(plain, "description"),
        }
        self.lengths(check, ServiceArea, values)
        if self.done(check):
            self.attach("service", service, Record(ServiceArea, values, row=row.line))

    # -- the top-level records --------------------------------------------------------------------
    def map_organizations(self) -> None:
        for key, row in self.rows["organization"].items():
            check = Check(row)
            our_id = self.ids["organization"][key]
            parent = canonical_id(row.get("parent_organization_id"))
            if parent is not None and parent not in self.ids["organization"]:
                self.warn(row, "parent_organization_id", "verwijst naar een organisatie die "
                                                         "niet in het pakket staat; genegeerd",
                          row.get("parent_organization_id"))
            if f.text(row.get("description")) is None:
                self.note_empty(row, "description")
            is_gov = self.prop(check, "organization", row, "is_government")
            values = {
                "id": our_id, "name": check(required(plain), "name"),
                "alternate_name": check(plain, "alternate_name"),
                "description": check(plain, "description"), "email": check(f.email, "email"),
                "website": check(f.url, "website"),
                "legal_status": check(plain, "legal_status"),
                "municipality_code": self.prop(check, "organization", row,
                                               "municipality_code", self.municipality),
                "is_government": bool(is_gov),
                **self.provenance("organization", row),
            }
            self.lengths(check, Organization, values)
            children = self.take_children("organization", our_id, values["source"])
            if self.done(check):
                self.result.items.append((row.seq, [Record(Organization, values,
                                                           children=children, row=row.line)]))

    def map_locations(self) -> None:
        gaz = self.db.gazetteer
        for key, row in self.rows["location"].items():
            check = Check(row)
            our_id = self.ids["location"][key]
            lat = check(f.coordinate, "latitude", axis="lat")
            lon = check(f.coordinate, "longitude", axis="lon")
            if (f.text(row.get("latitude")) is None) != (f.text(row.get("longitude")) is None):
                check.fail("latitude", "vul latitude en longitude allebei in, of geen van "
                                       "beide")
            values = {
                "id": our_id,
                "organization_id": self.ref(check, "organization_id", "organization"),
                "location_type": check(required(enum(TABLES["location"].enums["location_type"])),
                                       "location_type"),
                "name": check(plain, "name"), "alternate_name": check(plain, "alternate_name"),
                "description": check(plain, "description"),
                "transportation": check(plain, "transportation"), "url": check(f.url, "url"),
                "latitude": lat, "longitude": lon,
                **self.provenance("location", row),
            }
            if self.has_props("location", row):
                precision = self.prop(check, "location", row, "point_precision",
                                      enum(PRECISIONS))
                pc4 = self.prop(check, "location", row, "pc4", pc4_area)
                code = self.prop(check, "location", row, "municipality_code",
                                 self.municipality)
            else:
                lat, lon, precision, code, pc4 = _derive_place(
                    gaz, lat, lon, self.first_address.get(our_id))
                values["latitude"], values["longitude"] = lat, lon
            values.update(point_precision=precision, municipality_code=code, pc4=pc4)
            self.lengths(check, Location, values)
            children = self.take_children("location", our_id, values["source"])
            if self.done(check):
                self.result.items.append((row.seq, [Record(Location, values,
                                                           children=children, row=row.line)]))

    def map_services(self) -> None:
        for key, row in self.rows["service"].items():
            check = Check(row)
            our_id = self.ids["service"][key]
            provenance = self.provenance("service", row)
            assured, _ = check(f.date, "assured_date") or (None, None)
            if provenance["last_checked"] is None:
                provenance["last_checked"] = assured
            values: dict[str, Any] = {
                "id": our_id,
                "organization_id": self.ref(check, "organization_id", "organization",
                                            needed=True),
                "name": check(required(plain), "name"),
                "alternate_name": check(plain, "alternate_name"),
                "description": check(plain, "description"), "url": check(f.url, "url"),
                "email": check(f.email, "email"),
                "status": check(required(enum(TABLES["service"].enums["status"])), "status"),
                "application_process": check(plain, "application_process"),
                "fees_description": check(plain, "fees_description"),
                "eligibility_description": check(plain, "eligibility_description"),
                "minimum_age": check(f.integer, "minimum_age", lo=0, hi=130),
                "maximum_age": check(f.integer, "maximum_age", lo=0, hi=130),
                **provenance,
            }
            if self.has_props("service", row):
                values.update(self._carried_service(check, row))
            else:
                values.update(self._derived_service(values, our_id))
            self.lengths(check, Service, values)
            children = _unique(self.take_children("service", our_id, values["source"]))
            if self.done(check):
                self.result.items.append((row.seq, [Record(Service, values, children=children,
                                                           row=row.line)]))

    def _carried_service(self, check: Check, row: Row) -> dict[str, Any]:
        def get(code: str, parse: Callable[..., Any] | None = None) -> Any:
            return self.prop(check, "service", row, code, parse)

        return {
            "provider_type": get("provider_type", self.provider_type) or "other",
            "independent": _flag(get("independent"), True), "free": get("free"),
            "appointment_url": get("appointment_url", f.url),
            "income_limit": get("income_limit"),
            "residents_only": _flag(get("residents_only")),
            "walk_in": _flag(get("walk_in")), "by_appointment": _flag(get("by_appointment")),
            "by_phone": _flag(get("by_phone")), "online": _flag(get("online")),
            "notes": get("notes"), "confidence": get("confidence", enum(CONFIDENCE)),
            **{code: get(code) for code in ("target_group", "status_note", "opening_hours",
                                            "public_note", "curator_note")},
            **({"status": detail} if (detail := get("status_detail", enum(STATUS_DETAILS)))
               else {}),
        }

    def _derived_service(self, values: dict[str, Any], our_id: str) -> dict[str, Any]:
        """A partner's service without our extras: classify like the other imports do."""
        text = " ".join(v for v in (values.get("description"), values.get("fees_description"),
                                    values.get("application_process")) if v)
        phones = self.phone_numbers.get(our_id, [])
        kind = self.db.provider_types.classify(
            "other", values.get("name") or "", text, phone=phones[0] if phones else None,
            website=values.get("url"))
        free = kind.free
        if any(amount > 0 for amount in self.cost_amounts.get(our_id, [])):
            free = False
        return {
            "provider_type": "other", "independent": kind.independent, "free": free,
            "appointment_url": None, "income_limit": None, "residents_only": False,
            "walk_in": kind.walk_in, "by_appointment": kind.by_appointment,
            "by_phone": kind.by_phone, "online": kind.online or bool(values.get("email")),
            "notes": None, "confidence": None,
        }


def _is_uuid(key: str) -> bool:
    """True for a canonical UUID (``canonical_id`` already turned any UUID into that form)."""
    try:
        return str(uuid.UUID(key)) == key
    except ValueError:
        return False


def _flag(value: bool | None, default: bool = False) -> bool:
    return default if value is None else value


def _unique(records: list[Record]) -> list[Record]:
    """Children by id, first one wins (a tag may come both as itself and via a code)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for record in records:
        key = (record.model.__name__, record.values["id"])
        if key not in seen:
            seen.add(key)
            out.append(record)
    return out


def _derive_place(gaz: Gazetteer, lat: float | None, lon: float | None,
                  address: dict[str, Any] | None
                  ) -> tuple[float | None, float | None, str | None, str | None, str | None]:
    """Point, precision, municipality and PC4 for a location without our extras."""
    postal = address.get("postal_code") if address else None
    city = address.get("city") if address else None
    pc4 = postal[:4] if postal else None
    code = None
    if pc4 and pc4 in gaz.pc4:
        code = gaz.pc4[pc4].municipality_code
    elif city:
        place = gaz.place(city)
        code = place.municipality_code if place else None
    if lat is not None and lon is not None:
        return lat, lon, PRECISION_ADDRESS, code, pc4
    if address is None:
        return None, None, None, code, pc4
    municipality = gaz.municipalities.get(code) if code else None
    lat, lon, precision, area_pc4 = approximate_point(gaz, postal_code=postal, city=city,
                                                      municipality=municipality)
    return lat, lon, precision, code, pc4 or area_pc4
