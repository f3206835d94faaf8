"""A small, made-up HSDS 3.0 package in Dutch, written per test (tabular and JSON).

Two organisations in the fixture mirror's municipalities Teststad (GM9001) and
Proefdorp (GM9002). Ids are a mix on purpose: UUIDs (kept as our ids) and plain text
ids (``org-2``, ``loc-2``, ``dienst-2``: we derive stable UUIDs for those). Everything
is fictional; the coordinates lie in the mirror's grid near 52.0 N, 5.0 E.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

ORG_1 = "5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5e01"
LOC_1 = "5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5e11"
SERVICE_1 = "5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5e21"
TAX_AREAS = "5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5e31"
TAX_OWN = "5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5e32"
TERM_SCHULDEN = "5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5e41"
TERM_TOESLAGEN = "5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5e42"
TERM_ADMIN = "5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5e43"
TERM_FORMS = "5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5e44"
PACKAGE_NAME = "sociale-kaart-teststad"
SOURCE = f"hsds:{PACKAGE_NAME}"


def _u(n: int) -> str:
    return f"5b0d6f0e-7c1a-4f7e-9a51-1a2b3c4d5f{n:02d}"


TABLES: dict[str, dict[str, Any]] = {
    "organizations.csv": {
        "columns": ["id", "name", "alternate_name", "description", "email", "website",
                    "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri",
                    "parent_organization_id"],
        "rows": [
            {"id": ORG_1, "name": "Stichting Rechtshulp Teststad", "alternate_name": "SRT",
             "description": "Onafhankelijke sociaal raadslieden in Teststad.",
             "email": "info@rechtshulp-teststad.example",
             "website": "https://rechtshulp-teststad.example", "legal_status": "stichting"},
            {"id": "org-2", "name": "Vereniging Buurtwerk Proefdorp",
             "description": "Vrijwilligers helpen met formulieren.",
             "website": "https://buurtwerk-proefdorp.example"},
        ],
    },
    "locations.csv": {
        "columns": ["id", "location_type", "url", "organization_id", "name", "alternate_name",
                    "description", "transportation", "latitude", "longitude",
                    "external_identifier", "external_identifier_type"],
        "rows": [
            {"id": LOC_1, "location_type": "physical", "organization_id": ORG_1,
             "name": "Buurthuis De Kastanje", "description": "Ingang aan de achterkant.",
             "transportation": "Bus 12, halte Kastanjelaan", "latitude": "52.031",
             "longitude": "5.031"},
            {"id": "loc-2", "location_type": "physical", "organization_id": "org-2",
             "name": "Dorpshuis Proefdorp"},
        ],
    },
    "addresses.csv": {
        "columns": ["id", "location_id", "attention", "address_1", "address_2", "city",
                    "region", "state_province", "postal_code", "country", "address_type"],
        "rows": [
            {"id": _u(1), "location_id": LOC_1, "address_1": "Kastanjelaan 12",
             "city": "Teststad", "state_province": "Utrecht", "postal_code": "9011 AB",
             "country": "NL", "address_type": "physical"},
            {"id": "adres-2", "location_id": "loc-2", "address_1": "Dorpsstraat 5",
             "city": "Proefdorp", "state_province": "Utrecht", "postal_code": "9021CD",
             "country": "NL", "address_type": "physical"},
        ],
    },
    "accessibility.csv": {
        "columns": ["id", "location_id", "description", "details", "url"],
        "rows": [{"id": _u(2), "location_id": LOC_1, "description": "Rolstoeltoegankelijk",
                  "details": "Drempelvrije ingang en een invalidentoilet."}],
    },
    "services.csv": {
        "columns": ["id", "organization_id", "program_id", "name", "alternate_name",
                    "description", "url", "email", "status", "interpretation_services",
                    "application_process", "fees_description", "wait_time", "fees",
                    "accreditations", "eligibility_description", "minimum_age",
                    "maximum_age", "assured_date", "assurer_email", "licenses", "alert",
                    "last_modified"],
        "rows": [
            {"id": SERVICE_1, "organization_id": ORG_1,
             "name": "Spreekuur sociaal raadslieden",
             "description": "Hulp bij brieven, toeslagen en schulden.",
             "url": "https://rechtshulp-teststad.example/spreekuur",
             "email": "spreekuur@rechtshulp-teststad.example", "status": "active",
             "application_process": "Kom langs zonder afspraak of bel.",
             "fees_description": "Gratis.",
             "eligibility_description": "Voor inwoners van Teststad en Proefdorp.",
             "minimum_age": "18", "assured_date": "2025-11-01"},
            {"id": "dienst-2", "organization_id": "org-2",
             "name": "Hulp bij formulieren Proefdorp",
             "description": "Vrijwilligers helpen op afspraak met formulieren.",
             "status": "active", "assured_date": "2024-06-15"},
        ],
    },
    "service_at_location.csv": {
        "columns": ["id", "service_id", "location_id", "description"],
        "rows": [
            {"id": _u(3), "service_id": SERVICE_1, "location_id": LOC_1,
             "description": "Elke dinsdagochtend."},
            {"id": "sal-2", "service_id": "dienst-2", "location_id": "loc-2"},
        ],
    },
    "phones.csv": {
        "columns": ["id", "location_id", "service_id", "organization_id", "contact_id",
                    "service_at_location_id", "number", "extension", "type", "description"],
        "rows": [
            {"id": _u(4), "service_id": SERVICE_1, "number": "030 123 4567", "type": "voice",
             "description": "Bereikbaar op werkdagen."},
            {"id": "tel-loc-2", "location_id": "loc-2", "number": "0345 12 34 56",
             "type": "voice"},
            {"id": "tel-org-2", "organization_id": "org-2", "number": "06 1234 5678",
             "type": "cell"},
        ],
    },
    "schedules.csv": {
        "columns": ["id", "service_id", "location_id", "service_at_location_id", "valid_from",
                    "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq",
                    "interval", "byday", "byweekno", "bymonthday", "byyearday",
                    "description", "opens_at", "closes_at", "schedule_link",
                    "attending_type", "notes"],
        "rows": [
            {"id": _u(5), "service_id": SERVICE_1, "location_id": LOC_1,
             "valid_from": "2025-01-01", "valid_to": "2027-12-31", "freq": "WEEKLY",
             "interval": "1", "byday": "TU", "opens_at": "09:30:00", "closes_at": "12:00:00",
             "description": "Dinsdag 9.30 tot 12.00 uur", "attending_type": "in persoon"},
        ],
    },
    "service_areas.csv": {
        "columns": ["id", "service_id", "name", "description", "extent", "extent_type", "uri"],
        "rows": [
            {"id": _u(6), "service_id": SERVICE_1, "name": "Teststad",
             "uri": "https://identifier.overheid.nl/tooi/id/gemeente/gm9001"},
            {"id": _u(7), "service_id": SERVICE_1, "name": "GM9002",
             "description": "Ook voor inwoners van Proefdorp."},
            {"id": "gebied-2", "service_id": "dienst-2", "name": "Proefdorp",
             "uri": "https://identifier.overheid.nl/tooi/id/gemeente/gm9002"},
        ],
    },
    "languages.csv": {
        "columns": ["id", "service_id", "location_id", "phone_id", "name", "code", "note"],
        "rows": [
            {"id": _u(8), "service_id": SERVICE_1, "name": "Nederlands", "code": "nl"},
            {"id": _u(9), "service_id": SERVICE_1, "name": "Arabisch", "code": "ar",
             "note": "Op dinsdag is een tolk aanwezig."},
        ],
    },
    "cost_options.csv": {
        "columns": ["id", "service_id", "valid_from", "valid_to", "option", "currency",
                    "amount", "amount_description"],
        "rows": [{"id": _u(10), "service_id": SERVICE_1, "option": "Gesprek",
                  "currency": "EUR", "amount": "0", "amount_description": "gratis"}],
    },
    "required_documents.csv": {
        "columns": ["id", "service_id", "document", "uri"],
        "rows": [{"id": _u(11), "service_id": SERVICE_1,
                  "document": "De brief waar het over gaat en uw identiteitsbewijs."}],
    },
    "taxonomies.csv": {
        "columns": ["id", "name", "description", "uri", "version"],
        "rows": [
            {"id": TAX_AREAS, "name": "loketwijzer-problem-areas",
             "description": "De probleemgebieden van Loketwijzer."},
            {"id": TAX_OWN, "name": "Thema's Sociale Kaart Teststad",
             "description": "Eigen indeling van de sociale kaart.", "version": "2025"},
        ],
    },
    "taxonomy_terms.csv": {
        "columns": ["id", "code", "name", "description", "parent_id", "taxonomy", "language",
                    "taxonomy_id", "term_uri"],
        "rows": [
            {"id": TERM_SCHULDEN, "code": "schulden", "name": "Schulden",
             "description": "Schulden en geldzorgen", "taxonomy_id": TAX_AREAS},
            {"id": TERM_TOESLAGEN, "code": "toeslagen", "name": "Toeslagen",
             "description": "Toeslagen", "taxonomy_id": TAX_AREAS},
            {"id": TERM_ADMIN, "code": "administratie", "name": "Administratie",
             "description": "Post en papieren", "taxonomy_id": TAX_OWN, "language": "nl"},
            {"id": TERM_FORMS, "code": "formulieren", "name": "Formulieren invullen",
             "description": "Hulp bij formulieren", "parent_id": TERM_ADMIN,
             "taxonomy_id": TAX_OWN, "language": "nl"},
        ],
    },
    "attributes.csv": {
        "columns": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"],
        "rows": [
            {"id": _u(12), "link_id": SERVICE_1, "taxonomy_term_id": TERM_SCHULDEN,
             "link_type": "service", "link_entity": "service", "value": "schulden"},
            {"id": _u(13), "link_id": SERVICE_1, "taxonomy_term_id": TERM_TOESLAGEN,
             "link_type": "service", "link_entity": "service", "value": "toeslagen"},
            {"id": "attr-2a", "link_id": "dienst-2", "taxonomy_term_id": TERM_FORMS,
             "link_type": "thema", "link_entity": "service"},
            {"id": "attr-2b", "link_id": "dienst-2", "taxonomy_term_id": TERM_ADMIN,
             "link_type": "thema", "link_entity": "service"},
        ],
    },
}


RESOURCE_NAMES = {
    "organizations.csv": "organization", "locations.csv": "location",
    "addresses.csv": "address", "accessibility.csv": "accessibility",
    "services.csv": "service", "service_at_location.csv": "service_at_location",
    "phones.csv": "phone", "schedules.csv": "schedule", "service_areas.csv": "service_area",
    "languages.csv": "language", "cost_options.csv": "cost_option",
    "required_documents.csv": "required_document", "taxonomies.csv": "taxonomy",
    "taxonomy_terms.csv": "taxonomy_term", "attributes.csv": "attribute",
}


def tables() -> dict[str, dict[str, Any]]:
    """A deep copy that a test may change before writing."""
    return copy.deepcopy(TABLES)


def write_package(folder: Path, data: dict[str, dict[str, Any]] | None = None,
                  name: str = PACKAGE_NAME) -> Path:
    """Write the tables as CSV plus a minimal datapackage.json; return the folder."""
    data = data if data is not None else TABLES
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for file, table in data.items():
        with (folder / file).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=table["columns"])
            writer.writeheader()
            for row in table["rows"]:
                writer.writerow(row)
        resources.append({"name": RESOURCE_NAMES[file], "path": file})
    (folder / "datapackage.json").write_text(json.dumps({
        "name": name, "profile": "tabular-data-package", "resources": resources}),
        encoding="utf-8")
    return folder


def service_full() -> dict[str, Any]:
    """One service in the HSDS 3.0 API shape (``service_full``), nested."""
    return {
        "id": "6c1e2d3f-0000-4a4a-8b8b-00000000a001",
        "name": "Inloopspreekuur geldzaken Gehucht",
        "description": "Gratis hulp bij geldzaken, zonder afspraak.",
        "status": "active",
        "assured_date": "2025-09-30",
        "organization": {
            "id": "6c1e2d3f-0000-4a4a-8b8b-00000000b001",
            "name": "Stichting Geldmaatjes Gehucht",
            "description": "Vrijwilligers voor geldzaken.",
            "phones": [{"id": "6c1e2d3f-0000-4a4a-8b8b-00000000c002",
                        "number": "030 765 4321", "type": "voice"}],
        },
        "phones": [{"id": "6c1e2d3f-0000-4a4a-8b8b-00000000c001", "number": "030 765 4321",
                    "extension": 12, "type": "voice",
                    "languages": [{"id": "6c1e2d3f-0000-4a4a-8b8b-00000000d002",
                                   "name": "Engels", "code": "en"}]}],
        "service_areas": [{"id": "6c1e2d3f-0000-4a4a-8b8b-00000000e001", "name": "Teststad",
                           "uri": "https://identifier.overheid.nl/tooi/id/gemeente/gm9001"}],
        "service_at_locations": [{
            "id": "6c1e2d3f-0000-4a4a-8b8b-00000000f001",
            "location": {
                "id": "6c1e2d3f-0000-4a4a-8b8b-00000000f101", "location_type": "physical",
                "name": "Wijkpunt Gehucht", "latitude": 52.071, "longitude": 5.021,
                "addresses": [{"id": "6c1e2d3f-0000-4a4a-8b8b-00000000f201",
                               "address_1": "Brink 1", "city": "Gehucht",
                               "state_province": "Utrecht", "postal_code": "9013 XY",
                               "country": "NL", "address_type": "physical"}],
            },
            "schedules": [{"id": "6c1e2d3f-0000-4a4a-8b8b-00000000f301", "freq": "WEEKLY",
                           "byday": "MO,TH", "opens_at": "13:00", "closes_at": "16:00"}],
        }],
        "languages": [{"id": "6c1e2d3f-0000-4a4a-8b8b-00000000d001", "name": "Nederlands",
                       "code": "nl"}],
        "attributes": [{
            "id": "6c1e2d3f-0000-4a4a-8b8b-00000000a101", "link_type": "service",
            "value": "schulden",
            "taxonomy_term": {"id": "6c1e2d3f-0000-4a4a-8b8b-00000000a201", "code": "schulden",
                              "name": "Geldzaken", "description": "Geld en schulden",
                              "taxonomy_detail": {
                                  "id": "6c1e2d3f-0000-4a4a-8b8b-00000000a301",
                                  "name": "Thema's Geldmaatjes",
                                  "description": "Indeling van de Geldmaatjes."}},
        }],
    }
