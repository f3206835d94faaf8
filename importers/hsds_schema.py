"""The HSDS 3.0 tables we read and write, with their columns in the official order.

Kept in code (not read from the specification's datapackage.json at run time) so that
import and export work without the source mirror. Column order, required fields,
types and enums follow the HSDS 3.0.1 tabular data package; only the tables whose
content we model are listed. Tables we do not model (contacts, funding, programs,
organization identifiers, meta table descriptions) are counted on import and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HSDS_VERSION = "3.0.1"


@dataclass(frozen=True)
class Table:
    """One HSDS table: its resource name, CSV file, columns and constraints."""

    name: str
    file: str
    columns: tuple[str, ...]
    required: frozenset[str]
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: column → referenced table (only references between tables we export)
    foreign_keys: dict[str, str] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return self.file.removesuffix(".csv")


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "organization", "organizations.csv",
            _cols("id name alternate_name description email website tax_status tax_id "
                  "year_incorporated legal_status logo uri parent_organization_id"),
            frozenset({"id", "name", "description"}),
        ),
        Table(
            "service", "services.csv",
            _cols("id organization_id program_id name alternate_name description url email "
                  "status interpretation_services application_process fees_description "
                  "wait_time fees accreditations eligibility_description minimum_age "
                  "maximum_age assured_date assurer_email licenses alert last_modified"),
            frozenset({"id", "organization_id", "name", "status"}),
            enums={"status": ("active", "inactive", "defunct", "temporarily closed")},
            foreign_keys={"organization_id": "organization"},
        ),
        Table(
            "location", "locations.csv",
            _cols("id location_type url organization_id name alternate_name description "
                  "transportation latitude longitude external_identifier "
                  "external_identifier_type"),
            frozenset({"id", "location_type"}),
            enums={"location_type": ("physical", "postal", "virtual")},
            foreign_keys={"organization_id": "organization"},
        ),
        Table(
            "service_at_location", "service_at_location.csv",
            _cols("id service_id location_id description"),
            frozenset({"id", "service_id", "location_id"}),
            foreign_keys={"service_id": "service", "location_id": "location"},
        ),
        Table(
            "address", "addresses.csv",
            _cols("id location_id attention address_1 address_2 city region state_province "
                  "postal_code country address_type"),
            frozenset({"id", "address_1", "city", "state_province", "postal_code", "country",
                       "address_type"}),
            enums={"address_type": ("physical", "postal", "virtual")},
            foreign_keys={"location_id": "location"},
        ),
        Table(
            "phone", "phones.csv",
            _cols("id location_id service_id organization_id contact_id "
                  "service_at_location_id number extension type description"),
            frozenset({"id", "number"}),
            # RFC 6350 telephone types, as the HSDS field description lists them.
            enums={"type": ("text", "voice", "fax", "cell", "video", "pager", "textphone")},
            foreign_keys={"location_id": "location", "service_id": "service",
                          "organization_id": "organization",
                          "service_at_location_id": "service_at_location"},
        ),
        Table(
            "schedule", "schedules.csv",
            _cols("id service_id location_id service_at_location_id valid_from valid_to "
                  "dtstart timezone until count wkst freq interval byday byweekno bymonthday "
                  "byyearday description opens_at closes_at schedule_link attending_type "
                  "notes"),
            frozenset({"id"}),
            enums={"freq": ("WEEKLY", "MONTHLY")},
            foreign_keys={"service_id": "service", "location_id": "location",
                          "service_at_location_id": "service_at_location"},
        ),
        Table(
            "service_area", "service_areas.csv",
            _cols("id service_id name description extent extent_type uri"),
            frozenset({"id"}),
            foreign_keys={"service_id": "service"},
        ),
        Table(
            "language", "languages.csv",
            _cols("id service_id location_id phone_id name code note"),
            frozenset({"id"}),
            foreign_keys={"service_id": "service", "location_id": "location",
                          "phone_id": "phone"},
        ),
        Table(
            "accessibility", "accessibility.csv",
            _cols("id location_id description details url"),
            frozenset({"id"}),
            foreign_keys={"location_id": "location"},
        ),
        Table(
            "cost_option", "cost_options.csv",
            _cols("id service_id valid_from valid_to option currency amount "
                  "amount_description"),
            frozenset({"id", "service_id"}),
            foreign_keys={"service_id": "service"},
        ),
        Table(
            "required_document", "required_documents.csv",
            _cols("id service_id document uri"),
            frozenset({"id"}),
            foreign_keys={"service_id": "service"},
        ),
        Table(
            "attribute", "attributes.csv",
            _cols("id link_id taxonomy_term_id link_type link_entity value"),
            frozenset({"id", "link_id", "taxonomy_term_id", "link_entity"}),
            foreign_keys={"taxonomy_term_id": "taxonomy_term"},
        ),
        Table(
            "taxonomy", "taxonomies.csv",
            _cols("id name description uri version"),
            frozenset({"id", "name", "description"}),
        ),
        Table(
            "taxonomy_term", "taxonomy_terms.csv",
            _cols("id code name description parent_id taxonomy language taxonomy_id "
                  "term_uri"),
            frozenset({"id", "name", "description"}),
            foreign_keys={"taxonomy_id": "taxonomy"},
        ),
        Table(
            "metadata", "metadata.csv",
            _cols("id resource_id resource_type last_action_date last_action_type field_name "
                  "previous_value replacement_value updated_by"),
            frozenset({"id", "resource_id", "resource_type", "last_action_date",
                       "last_action_type", "field_name", "previous_value",
                       "replacement_value", "updated_by"}),
        ),
    )
}

#: HSDS tables that exist but hold nothing we model: counted and skipped on import.
UNMODELLED_TABLES: dict[str, str] = {
    "contact": "contacts.csv",
    "funding": "funding.csv",
    "program": "programs.csv",
    "organization_identifier": "organization_identifiers.csv",
    "meta_table_description": "meta_table_descriptions.csv",
}

_NUMBER = {"year_incorporated", "minimum_age", "maximum_age", "latitude", "longitude",
           "extension", "timezone", "count", "interval", "amount"}
_DATE = {"assured_date", "valid_from", "valid_to", "dtstart", "until", "last_action_date"}
_URI = {"website", "url", "term_uri", "schedule_link"}
_EMAIL = {"email", "assurer_email"}


def field_descriptor(table: Table, column: str) -> dict[str, Any]:
    """The Frictionless field of one column, as in the official HSDS datapackage.json."""
    out: dict[str, Any] = {"name": column, "type": "string"}
    if column in _NUMBER:
        out["type"] = "number"
    elif column in _DATE:
        out["type"] = "date"
    elif column == "last_modified":
        out["type"] = "datetime"
    elif column in ("opens_at", "closes_at"):
        out["type"] = "time"
    elif column == "id" or (column.endswith("_id") and column != "tax_id"):
        out["format"] = "uuid"
    elif column in _EMAIL:
        out["format"] = "email"
    elif column in _URI or (column == "uri" and table.name not in ("service_area",)):
        out["format"] = "uri"
    constraints: dict[str, Any] = {"required": column in table.required,
                                   "unique": column == "id"}
    if column in table.enums:
        constraints["enum"] = list(table.enums[column])
    out["constraints"] = constraints
    return out


def table_schema(table: Table) -> dict[str, Any]:
    """The Frictionless table schema of one resource."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(table, c) for c in table.columns],
        "primaryKey": "id",
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": target, "fields": "id"}}
            for column, target in table.foreign_keys.items()
        ]
    return schema
