"""Export our offer as Open Referral HSDS 3.0: a tabular data package or service_full JSON.

The tabular package is the lossless form: every organisation, location, service and
taxonomy we hold, with our Dutch extras as attributes and provenance as metadata (see
``hsds_extras``), so that importing it again reproduces the same records, ids
included. The JSON form is a list of ``service_full`` objects, as an HSDS API serves
them; it cannot carry what hangs on no service (a location without services, an
unused taxonomy term), and the summary says how many of those were left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from importers.hsds_extras import (
    PROPERTIES,
    PROPERTIES_DESCRIPTION,
    PROPERTIES_TAXONOMY,
    PROPERTIES_TAXONOMY_ID,
    PROPERTY_LINK_TYPE,
    PROVENANCE_ACTION,
    PROVENANCE_FIELDS,
    PROVENANCE_UPDATED_BY,
    encode,
    properties_for,
    property_attribute_id,
    property_term_id,
    provenance_metadata_id,
)
from importers.hsds_schema import HSDS_VERSION, TABLES, table_schema
from loketwijzer.models import (
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
)

FORMATS = ("tabular", "json")
TOOI_GEMEENTE = "https://identifier.overheid.nl/tooi/id/gemeente/"
RESERVED_PREFIX = "loketwijzer-"
JSON_FILE = "services_full.json"

Rows = dict[str, list[dict[str, Any]]]


@dataclass
class ExportSummary:
    path: Path
    format: str
    counts: dict[str, int] = field(default_factory=dict)
    #: records a service_full list cannot carry (JSON only)
    left_out: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """What the command prints, in Dutch."""
        shown = ", ".join(f"{n} {name}" for name, n in self.counts.items() if n)
        out = [f"HSDS 3.0 ({self.format}) geschreven naar {self.path}: {shown or 'leeg'}"]
        if any(self.left_out.values()):
            missing = ", ".join(f"{n} {name}" for name, n in self.left_out.items() if n)
            out.append(f"Niet in de JSON, want zonder dienst: {missing}. "
                       "Gebruik --format tabular voor een volledige kopie.")
        return out


def export_hsds(session: Session, out: Path, fmt: str = "tabular", *,
                source: str | None = None) -> ExportSummary:
    """Write the offer (or one source's part of it) to ``out`` as HSDS 3.0."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    data = _Selection(session, source)
    rows = data.tables()
    if fmt == "tabular":
        return _write_tabular(rows, Path(out), _package_name(source))
    return _write_json(rows, data, Path(out))


def _package_name(source: str | None) -> str:
    if not source:
        return "loketwijzer"
    name = source.removeprefix("hsds:")
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in name.lower()) or "export"


# -- what to export -------------------------------------------------------------------------
class _Selection:
    """The records in scope and every record they refer to (so the package is complete)."""

    def __init__(self, session: Session, source: str | None) -> None:
        self.today = dt.date.today()

        def load(model: type) -> list[Any]:
            return list(session.scalars(select(model).order_by(model.id)))

        def mine(record: Any) -> bool:
            return source is None or record.source == source

        self.services = [s for s in load(Service) if mine(s)]
        service_ids = {s.id for s in self.services}
        by_service: dict[type, list[Any]] = {}
        for model in (ServiceArea, ServiceAtLocation, CostOption, RequiredDocument):
            by_service[model] = [r for r in load(model) if r.service_id in service_ids]
        self.attributes = [a for a in load(Attribute) if a.link_id in service_ids]
        phones, schedules, languages = load(Phone), load(Schedule), load(Language)

        locations = load(Location)
        wanted_locations = {loc.id for loc in locations if mine(loc)}
        wanted_locations |= {r.location_id for r in by_service[ServiceAtLocation]}
        wanted_locations |= {r.location_id for r in (*phones, *schedules, *languages)
                             if r.service_id in service_ids and r.location_id}
        self.locations = [loc for loc in locations if loc.id in wanted_locations]
        organizations = load(Organization)
        wanted_orgs = {o.id for o in organizations if mine(o)}
        wanted_orgs |= {s.organization_id for s in self.services}
        wanted_orgs |= {loc.organization_id for loc in self.locations if loc.organization_id}

        def owned(row: Any) -> bool:
            if row.service_id:
                return row.service_id in service_ids
            if row.location_id:
                return row.location_id in wanted_locations
            return getattr(row, "organization_id", None) in wanted_orgs

        self.phones = [p for p in phones if owned(p)]
        wanted_orgs |= {p.organization_id for p in self.phones if p.organization_id}
        self.organizations = [o for o in organizations if o.id in wanted_orgs]
        self.schedules = [s for s in schedules if owned(s)]
        self.languages = [lang for lang in languages if owned(lang)]
        self.addresses = [a for a in load(Address) if a.location_id in wanted_locations]
        self.accessibility = [a for a in load(Accessibility)
                              if a.location_id in wanted_locations]
        self.by_service = by_service

        taxonomies = {t.id: t for t in load(Taxonomy)}
        terms = {t.id: t for t in load(TaxonomyTerm)}
        reserved = {tid for tid, t in taxonomies.items() if t.name.startswith(RESERVED_PREFIX)}
        wanted_terms = {a.taxonomy_term_id for a in self.attributes}
        wanted_terms |= {tid for tid, t in terms.items()
                         if t.taxonomy_id not in reserved and mine(taxonomies[t.taxonomy_id])}
        for tid in list(wanted_terms):  # parents too, so that parent_id points somewhere
            parent = terms[tid].parent_id
            while parent and parent not in wanted_terms:
                wanted_terms.add(parent)
                parent = terms[parent].parent_id
        self.terms = [terms[tid] for tid in sorted(wanted_terms)]
        wanted_tax = {t.taxonomy_id for t in self.terms}
        wanted_tax |= {tid for tid, t in taxonomies.items() if tid not in reserved and mine(t)}
        self.taxonomies = [taxonomies[tid] for tid in sorted(wanted_tax)]
        self.taxonomy_names = {tid: t.name for tid, t in taxonomies.items()}

    # -- HSDS rows ------------------------------------------------------------------------
    def tables(self) -> Rows:
        rows: Rows = defaultdict(list)
        for org in self.organizations:
            rows["organization"].append(_pick(org, "id name alternate_name description email "
                                                   "website legal_status"))
            self._extras(rows, "organization", org)
        for loc in self.locations:
            rows["location"].append(_pick(loc, "id location_type url organization_id name "
                                               "alternate_name description transportation "
                                               "latitude longitude"))
            self._extras(rows, "location", loc)
        for svc in self.services:
            row = _pick(svc, "id organization_id name alternate_name description url email "
                             "status application_process fees_description "
                             "eligibility_description minimum_age maximum_age")
            row["status"] = svc.hsds_status
            row["assured_date"] = svc.last_checked
            rows["service"].append(row)
            self._extras(rows, "service", svc, skip=("last_checked",))
        for area in self.by_service[ServiceArea]:
            rows["service_area"].append({
                **_pick(area, "id service_id name description"),
                "uri": f"{TOOI_GEMEENTE}{area.municipality_code.lower()}"
                if area.municipality_code else None,
            })
            self._properties(rows, "service_area", area)
        simple = (
            ("service_at_location", self.by_service[ServiceAtLocation]),
            ("cost_option", self.by_service[CostOption]),
            ("required_document", self.by_service[RequiredDocument]),
            ("address", self.addresses), ("accessibility", self.accessibility),
            ("phone", self.phones), ("language", self.languages),
        )
        for table, records in simple:
            columns = [c for c in TABLES[table].columns if hasattr(records[0], c)] if records \
                else []
            rows[table].extend(_pick(r, " ".join(columns)) for r in records)
        for sched in self.schedules:
            row = _pick(sched, "id service_id location_id valid_from valid_to freq interval "
                               "byday description opens_at closes_at attending_type notes")
            row["opens_at"], row["closes_at"] = _time(sched.opens_at), _time(sched.closes_at)
            rows["schedule"].append(row)
        for attr in self.attributes:
            rows["attribute"].append(_pick(attr, "id link_id taxonomy_term_id link_type "
                                                 "link_entity value"))
        for tax in self.taxonomies:
            rows["taxonomy"].append(_pick(tax, "id name description uri version"))
            self._provenance(rows, "taxonomy", tax)
        for term in self.terms:
            row = _pick(term, "id code name description parent_id language taxonomy_id "
                              "term_uri")
            row["taxonomy"] = self.taxonomy_names.get(term.taxonomy_id)
            rows["taxonomy_term"].append(row)
            self._provenance(rows, "taxonomy_term", term)
        rows["taxonomy"].append({"id": PROPERTIES_TAXONOMY_ID, "name": PROPERTIES_TAXONOMY,
                                 "description": PROPERTIES_DESCRIPTION, "version": "1"})
        for prop in PROPERTIES:
            rows["taxonomy_term"].append({
                "id": property_term_id(prop.code), "code": prop.code, "name": prop.code,
                "description": prop.description, "taxonomy": PROPERTIES_TAXONOMY,
                "language": "nl", "taxonomy_id": PROPERTIES_TAXONOMY_ID,
            })
        return rows

    def _extras(self, rows: Rows, table: str, record: Any, skip: Iterable[str] = ()) -> None:
        self._properties(rows, table, record)
        self._provenance(rows, table, record, skip)

    def _properties(self, rows: Rows, table: str, record: Any) -> None:
        for prop in properties_for(table):
            rows["attribute"].append({
                "id": property_attribute_id(record.id, prop.code), "link_id": record.id,
                "taxonomy_term_id": property_term_id(prop.code),
                "link_type": PROPERTY_LINK_TYPE, "link_entity": table,
                "value": encode(getattr(record, prop.code)),
            })

    def _provenance(self, rows: Rows, table: str, record: Any, skip: Iterable[str] = ()
                    ) -> None:
        for name in PROVENANCE_FIELDS:
            value = getattr(record, name)
            if name in skip or value is None or (name == "source_id" and value == record.id):
                continue
            rows["metadata"].append({
                "id": provenance_metadata_id(record.id, name), "resource_id": record.id,
                "resource_type": table,
                "last_action_date": record.last_checked or self.today,
                "last_action_type": PROVENANCE_ACTION, "field_name": name,
                # Required by HSDS; a provenance statement changes nothing, so both the
                # same ("confirmed as").
                "previous_value": encode(value), "replacement_value": encode(value),
                "updated_by": PROVENANCE_UPDATED_BY,
            })


def _pick(record: Any, columns: str) -> dict[str, Any]:
    return {c: getattr(record, c) for c in columns.split()}


def _time(value: str | None) -> str | None:
    """``HH:MM`` as the ``HH:MM:SS`` that a Frictionless time field expects."""
    return f"{value}:00" if value and len(value) == 5 else value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


# -- writers ------------------------------------------------------------------------------------
def _write_tabular(rows: Rows, out: Path, name: str) -> ExportSummary:
    out.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(path=out, format="tabular")
    resources = []
    for table in TABLES.values():
        records = sorted(rows.get(table.name, []), key=lambda r: str(r["id"]))
        with (out / table.file).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(table.columns)
            for record in records:
                writer.writerow([_text(record.get(c)) for c in table.columns])
        summary.counts[table.stem] = len(records)
        resources.append({
            "name": table.name, "path": table.file, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": table_schema(table),
        })
    descriptor = {
        "name": name,
        "title": "Loketwijzer: sociaal-juridische hulp in Nederland (HSDS 3.0)",
        "description": "Organisaties, diensten en locaties uit Loketwijzer in het formaat "
                       "Open Referral HSDS. Eigenschappen die HSDS niet kent staan als "
                       f"attributen met termen uit '{PROPERTIES_TAXONOMY}'; de herkomst van "
                       "elk record staat in metadata (last_action_type 'provenance').",
        "profile": "tabular-data-package",
        "version": HSDS_VERSION,
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "resources": resources,
    }
    (out / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def _write_json(rows: Rows, data: _Selection, out: Path) -> ExportSummary:
    if out.is_dir() or out.suffix.lower() != ".json":
        out = out / JSON_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = _JsonBuilder(rows).services()
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    summary = ExportSummary(path=out, format="json", counts={"services": len(doc)})
    in_json_locations = {r["location_id"] for r in rows["service_at_location"]}
    in_json_orgs = {s.organization_id for s in data.services}
    used_terms = {r["taxonomy_term_id"] for r in rows["attribute"]}
    summary.left_out = {
        "locaties": sum(1 for loc in data.locations if loc.id not in in_json_locations),
        "organisaties": sum(1 for o in data.organizations if o.id not in in_json_orgs),
        "taxonomietermen": sum(1 for t in data.terms if t.id not in used_terms),
    }
    return summary


class _JsonBuilder:
    """Nests the flat rows into ``service_full`` objects."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows
        self.index: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
            lambda: defaultdict(list))
        for table, records in rows.items():
            for record in records:
                for key in _owner_keys(table, record):
                    self.index[table][key].append(record)
        self.by_id = {table: {r["id"]: r for r in records} for table, records in rows.items()}

    def children(self, table: str, owner: str) -> list[dict[str, Any]]:
        return self.index[table].get(owner, [])

    def services(self) -> list[dict[str, Any]]:
        return [self.service(s) for s in sorted(self.rows["service"], key=lambda r: r["id"])]

    def service(self, row: dict[str, Any]) -> dict[str, Any]:
        sid = row["id"]
        out = _json_obj(row, drop=("organization_id",))
        out["organization"] = self.organization(self.by_id["organization"][row["organization_id"]])
        out["phones"] = [_json_obj(p) for p in self.children("phone", f"service:{sid}")]
        out["schedules"] = [_json_obj(s) for s in self.children("schedule", f"service:{sid}")]
        out["service_areas"] = [
            {**_json_obj(a), "attributes": self.attributes(a["id"])}
            for a in self.children("service_area", sid)
        ]
        out["service_at_locations"] = [
            {**_json_obj(sal, drop=("location_id",)),
             "location": self.location(self.by_id["location"][sal["location_id"]])}
            for sal in self.children("service_at_location", sid)
        ]
        out["languages"] = [_json_obj(x) for x in self.children("language", f"service:{sid}")]
        out["cost_options"] = [_json_obj(c) for c in self.children("cost_option", sid)]
        out["required_documents"] = [_json_obj(d) for d in self.children("required_document",
                                                                          sid)]
        out["attributes"] = self.attributes(sid)
        out["metadata"] = self.metadata(sid)
        return out

    def organization(self, row: dict[str, Any]) -> dict[str, Any]:
        oid = row["id"]
        return {**_json_obj(row),
                "phones": [_json_obj(p) for p in self.children("phone", f"organization:{oid}")],
                "attributes": self.attributes(oid), "metadata": self.metadata(oid)}

    def location(self, row: dict[str, Any]) -> dict[str, Any]:
        lid = row["id"]
        out = _json_obj(row)
        out["addresses"] = [_json_obj(a) for a in self.children("address", lid)]
        out["phones"] = [_json_obj(p) for p in self.children("phone", f"location:{lid}")]
        out["schedules"] = [_json_obj(s) for s in self.children("schedule", f"location:{lid}")]
        out["languages"] = [_json_obj(x) for x in self.children("language", f"location:{lid}")]
        out["accessibility"] = [_json_obj(a) for a in self.children("accessibility", lid)]
        out["attributes"] = self.attributes(lid)
        out["metadata"] = self.metadata(lid)
        return out

    def attributes(self, owner: str) -> list[dict[str, Any]]:
        out = []
        for attr in self.children("attribute", owner):
            term = self.by_id["taxonomy_term"][attr["taxonomy_term_id"]]
            taxonomy = self.by_id["taxonomy"].get(term["taxonomy_id"])
            nested_term = {**_json_obj(term), "metadata": self.metadata(term["id"])}
            if taxonomy is not None:
                nested_term["taxonomy_detail"] = {**_json_obj(taxonomy),
                                                  "metadata": self.metadata(taxonomy["id"])}
            out.append({**_json_obj(attr, drop=("link_id", "taxonomy_term_id")),
                        "taxonomy_term": nested_term})
        return out

    def metadata(self, owner: str) -> list[dict[str, Any]]:
        return [_json_obj(m, drop=("resource_id",)) for m in self.children("metadata", owner)]


def _owner_keys(table: str, record: dict[str, Any]) -> list[str]:
    """Under which parent a row is nested in service_full JSON."""
    if table in ("phone", "schedule", "language"):
        if record.get("service_id"):
            return [f"service:{record['service_id']}"]
        if record.get("location_id"):
            return [f"location:{record['location_id']}"]
        return [f"organization:{record.get('organization_id')}"]
    column = {"attribute": "link_id", "metadata": "resource_id", "address": "location_id",
              "accessibility": "location_id"}.get(table, "service_id")
    return [str(record.get(column))]


def _json_obj(row: dict[str, Any], drop: Iterable[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or key in drop:
            continue
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif key == "extension" and isinstance(value, str) and value.isdigit():
            value = int(value)
        out[key] = value
    return out
