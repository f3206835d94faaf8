"""HSDS 3.0 import and export: packages and JSON in, rejected input, lossless round trips."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from importers.base import EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE, ImportReport
from importers.hsds import HsdsProvider
from importers.hsds_export import export_hsds
from importers.hsds_extras import PROPERTIES_TAXONOMY
from importers.hsds_schema import TABLES
from importers.pipeline import run_import
from importers.places import Pc4PlaceProvider, PlaceProvider
from importers.reference_geo import MunicipalityProvider, Pc4Provider, ProvinceProvider
from importers.taxonomy import TaxonomyProvider
from loketwijzer.config import Settings
from loketwijzer.db import Database
from loketwijzer.models import (
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
from tests import hsds_fixture as fx
from tests.conftest import PG_URL

REFERENCE = [ProvinceProvider, MunicipalityProvider, Pc4Provider, PlaceProvider,
             Pc4PlaceProvider, TaxonomyProvider]
OFFER = [Organization, Location, Service, Address, Phone, Schedule, ServiceArea,
         ServiceAtLocation, Language, Accessibility, CostOption, RequiredDocument, Attribute,
         Taxonomy, TaxonomyTerm]


# -- helpers and fixtures ----------------------------------------------------------------------
def load_reference(db: Database, mirror: Path) -> Database:
    """Geography and the seeded taxonomies: what an HSDS import refers to."""
    settings = Settings(database_url=db.url, sources_dir=mirror)
    for provider in REFERENCE:
        report = run_import(provider(settings=settings), db)
        assert report.exit_code == EXIT_OK, (report.summary(), report.message)
    return db


@pytest.fixture
def ref_db(db: Database, fixture_mirror: Path) -> Database:
    return load_reference(db, fixture_mirror)


@pytest.fixture
def fresh_db(backend: str, tmp_path: Path, fixture_mirror: Path) -> Iterator[Database]:
    """A second, separate database on the same backend, with reference data only."""
    if backend == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
        database.create_all()
        yield load_reference(database, fixture_mirror)
        database.dispose()
        return
    schema = f"lw_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    database = Database(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        database.create_all()
        yield load_reference(database, fixture_mirror)
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def hsds_import(db: Database, path: Path, **kwargs: Any) -> ImportReport:
    return run_import(HsdsProvider(path, settings=Settings(database_url=db.url), **kwargs), db)


def ok(report: ImportReport) -> ImportReport:
    assert report.exit_code == EXIT_OK, (report.summary(), report.message,
                                         [str(e) for e in report.errors])
    return report


def dump(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every offer table, every column we model (ids and provenance included)."""
    out = {}
    with db.session() as session:
        for model in OFFER:
            rows = []
            for obj in session.scalars(select(model)):
                row = {}
                for column in model.__table__.columns:
                    if column.key == "content_hash":
                        continue
                    value = getattr(obj, column.key)
                    row[column.key] = round(value, 7) if isinstance(value, float) else value
                rows.append(row)
            out[model.__tablename__] = sorted(rows, key=lambda r: r["id"])
    return out


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def offer_counts(db: Database) -> dict[str, int]:
    return {m.__tablename__: count(db, m) for m in OFFER}


def by_field(report: ImportReport) -> dict[str, Any]:
    return {e.field: e for e in report.errors}


# -- import ------------------------------------------------------------------------------------
def test_package_import(ref_db: Database, tmp_path: Path) -> None:
    report = ok(hsds_import(ref_db, fx.write_package(tmp_path / "pakket")))
    assert report.source == fx.SOURCE
    assert report.inserted == 2 + 2 + 2 + 1 + 2  # orgs, locations, services, taxonomy, terms
    with ref_db.session() as s:
        service = s.get(Service, fx.SERVICE_1)  # a UUID id is kept
        assert (service.source, service.source_id) == (fx.SOURCE, fx.SERVICE_1)
        assert str(service.last_checked) == "2025-11-01"
        assert service.minimum_age == 18 and service.status == "active"
        assert {a.value for a in service.attributes} == {"schulden", "toeslagen"}
        assert {a.taxonomy_term_id for a in service.attributes} == {
            stable_id(TAXONOMY_PROBLEM_AREAS, "schulden"),
            stable_id(TAXONOMY_PROBLEM_AREAS, "toeslagen")}
        assert {(a.scope, a.municipality_code, a.name) for a in service.service_areas} == {
            ("municipality", "GM9001", "Teststad"), ("municipality", "GM9002", "GM9002")}
        assert [p.number for p in service.phones] == ["030 123 4567"]
        [schedule] = service.schedules
        assert (schedule.byday, schedule.opens_at, schedule.closes_at) == ("TU", "09:30",
                                                                            "12:00")
        assert schedule.location_id == fx.LOC_1
        assert {lang.code for lang in service.languages} == {"nl", "ar"}
        assert service.cost_options[0].amount == 0 and service.cost_options[0].currency == "EUR"
        assert service.required_documents[0].document.startswith("De brief")
        # Partner data without our extras: classified like the other imports.
        assert service.provider_type == "other" and service.walk_in and service.by_phone

        second = s.scalars(select(Service).where(Service.source_id == "dienst-2")).one()
        assert second.id == stable_id(fx.SOURCE, "service", "dienst-2")  # not a UUID
        codes = {a.value or "": a.taxonomy_term_id for a in second.attributes}
        assert codes["administratie"] == stable_id(TAXONOMY_PROBLEM_AREAS, "administratie")
        assert len(second.attributes) == 3  # both own terms kept, plus the area tag

        kastanje = s.get(Location, fx.LOC_1)
        assert (kastanje.latitude, kastanje.point_precision) == (52.031, "address")
        assert (kastanje.municipality_code, kastanje.pc4) == ("GM9001", "9011")
        assert kastanje.addresses[0].postal_code == "9011 AB"
        assert kastanje.accessibility[0].description == "Rolstoeltoegankelijk"
        village = s.scalars(select(Location).where(Location.source_id == "loc-2")).one()
        assert village.point_precision == "postcode"  # no coordinates: the postcode area
        assert (village.municipality_code, village.pc4) == ("GM9002", "9021")
        assert village.addresses[0].postal_code == "9021 CD"
        phones = {p.id: p for p in s.scalars(select(Phone))}
        village_phone = phones[stable_id(fx.SOURCE, "phone", "tel-loc-2")]
        assert (village_phone.location_id, village_phone.service_id) == (village.id, None)
        org_phone = phones[stable_id(fx.SOURCE, "phone", "tel-org-2")]
        assert org_phone.organization_id == stable_id(fx.SOURCE, "organization", "org-2")

        terms = {t.code: t for t in s.scalars(select(TaxonomyTerm)
                                              .where(TaxonomyTerm.source == fx.SOURCE))}
        assert set(terms) == {"administratie", "formulieren"}  # ours are not overwritten
        assert terms["formulieren"].parent_id == fx.TERM_ADMIN


def test_json_service_full_import(ref_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "geldmaatjes.json"
    path.write_text(json.dumps(fx.service_full()), encoding="utf-8")
    report = ok(hsds_import(ref_db, path))
    assert report.source == "hsds:geldmaatjes"
    # The phone language belongs to a phone only: not stored, and said so.
    assert any("taal" in w.reason for w in report.warnings)
    with ref_db.session() as s:
        service = s.get(Service, "6c1e2d3f-0000-4a4a-8b8b-00000000a001")
        assert service.organization.name == "Stichting Geldmaatjes Gehucht"
        assert [p.extension for p in service.phones] == ["12"]
        assert {a.value for a in service.attributes} == {"schulden"}
        assert stable_id(TAXONOMY_PROBLEM_AREAS, "schulden") in {
            a.taxonomy_term_id for a in service.attributes}
        assert service.free is True and service.walk_in is True
        [sal] = service.service_at_locations
        assert sal.location.name == "Wijkpunt Gehucht"
        assert sal.location.municipality_code == "GM9001"
        [schedule] = s.scalars(select(Schedule)).all()
        assert (schedule.service_id, schedule.location_id) == (service.id, sal.location_id)

    # A list and a paged list of the same object are the same import.
    for shape in ([fx.service_full()], {"total_items": 1, "contents": [fx.service_full()]}):
        path.write_text(json.dumps(shape), encoding="utf-8")
        again = ok(hsds_import(ref_db, path))
        assert (again.inserted, again.updated) == (0, 0)


def test_reimport_changes_nothing(ref_db: Database, tmp_path: Path) -> None:
    package = fx.write_package(tmp_path / "pakket")
    first = ok(hsds_import(ref_db, package))
    again = ok(hsds_import(ref_db, package))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, first.inserted)


def test_changed_package_replaces_children_of_their_owner(ref_db: Database,
                                                          tmp_path: Path) -> None:
    ok(hsds_import(ref_db, fx.write_package(tmp_path / "v1")))
    data = fx.tables()
    data["phones.csv"]["rows"] = [r for r in data["phones.csv"]["rows"] if r["id"] != "tel-loc-2"]
    report = ok(hsds_import(ref_db, fx.write_package(tmp_path / "v2", data)))
    assert report.updated == 1  # only the location that lost its phone
    with ref_db.session() as s:
        ids = set(s.scalars(select(Phone.id)))
    assert stable_id(fx.SOURCE, "phone", "tel-loc-2") not in ids
    assert stable_id(fx.SOURCE, "phone", "tel-org-2") in ids and len(ids) == 2


# -- refused input -----------------------------------------------------------------------------
def test_broken_foreign_key_rejects_whole_package(ref_db: Database, tmp_path: Path) -> None:
    before = offer_counts(ref_db)
    data = fx.tables()
    data["phones.csv"]["rows"][0]["service_id"] = "5b0d6f0e-0000-0000-0000-000000000000"
    data["services.csv"]["rows"][1]["organization_id"] = "org-bestaat-niet"
    report = hsds_import(ref_db, fx.write_package(tmp_path / "pakket", data))
    assert report.exit_code == EXIT_REJECTED
    errors = by_field(report)
    phone = errors["phones.service_id"]
    assert phone.row == 2 and "dienst die niet in het pakket staat" in phone.reason
    service = errors["services.organization_id"]
    assert service.row == 3 and service.value == "org-bestaat-niet"
    assert "in zijn geheel" in report.summary()
    assert offer_counts(ref_db) == before  # nothing written, not even the good rows


def test_duplicate_id_names_both_rows(ref_db: Database, tmp_path: Path) -> None:
    data = fx.tables()
    rows = data["locations.csv"]["rows"]
    rows.append({**rows[1], "name": "Tweede dorpshuis"})
    report = hsds_import(ref_db, fx.write_package(tmp_path / "pakket", data))
    assert report.exit_code == EXIT_REJECTED
    [error] = report.errors
    assert (error.row, error.field, error.value) == (4, "locations.id", "loc-2")
    assert "locations rij 3" in error.reason
    assert count(ref_db, Location) == 0


def test_bad_coordinates_and_values(ref_db: Database, tmp_path: Path) -> None:
    data = fx.tables()
    data["locations.csv"]["rows"][0].update(latitude="48.8566", longitude="2.3522")  # Paris
    data["locations.csv"]["rows"][1].update(latitude="52.03")  # longitude missing
    data["services.csv"]["rows"][0]["status"] = "open"
    data["schedules.csv"]["rows"][0]["opens_at"] = "25:00"
    report = hsds_import(ref_db, fx.write_package(tmp_path / "pakket", data))
    assert report.exit_code == EXIT_REJECTED
    reasons = {(e.row, e.field, e.reason.split(" (")[0]) for e in report.errors}
    assert (2, "locations.latitude", "ligt niet in Nederland") in reasons
    assert (2, "locations.longitude", "ligt niet in Nederland") in reasons
    assert (3, "locations.latitude", "vul latitude en longitude allebei in, of geen van "
                                     "beide") in reasons
    assert (2, "services.status", "kies uit: active, inactive, defunct, temporarily "
                                  "closed") in reasons
    assert (2, "schedules.opens_at", "geen tijd") in reasons
    assert count(ref_db, Service) == 0


def test_unknown_municipality_and_foreign_address(ref_db: Database, tmp_path: Path) -> None:
    data = fx.tables()
    data["service_areas.csv"]["rows"][2]["uri"] = (
        "https://identifier.overheid.nl/tooi/id/gemeente/gm0999")
    data["addresses.csv"]["rows"][1]["country"] = "BE"
    report = hsds_import(ref_db, fx.write_package(tmp_path / "pakket", data))
    assert report.exit_code == EXIT_REJECTED
    errors = by_field(report)
    assert "onbekende gemeente" in errors["service_areas.uri"].reason
    assert "alleen adressen in Nederland" in errors["addresses.country"].reason


def test_carried_extras_are_checked(ref_db: Database, tmp_path: Path) -> None:
    """Our own attributes are input too: a wrong value names the attribute row."""
    ok(hsds_import(ref_db, fx.write_package(tmp_path / "pakket")))
    with ref_db.session() as s:
        export_hsds(s, tmp_path / "export", "tabular")
    path = tmp_path / "export" / "attributes.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    bad = {stable_id(fx.SERVICE_1, "property", "independent"): "misschien",
           stable_id(fx.SERVICE_1, "property", "provider_type"): "waarzegger",
           stable_id(fx.LOC_1, "property", "municipality_code"): "GM0000"}
    for row in rows:
        row["value"] = bad.get(row["id"], row["value"])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=TABLES["attribute"].columns)
        writer.writeheader()
        writer.writerows(rows)
    report = hsds_import(ref_db, tmp_path / "export")
    assert report.exit_code == EXIT_REJECTED
    found = {(e.field, e.value): e.reason for e in report.errors}
    assert "ja of nee" in found[("attributes.value", "misschien")]
    assert "soort aanbieder" in found[("attributes.value", "waarzegger")]
    assert "onbekende gemeente" in found[("attributes.value", "GM0000")]
    assert all(e.row and e.row > 1 for e in report.errors)


def test_term_with_only_a_taxonomy_name(ref_db: Database, tmp_path: Path) -> None:
    data = fx.tables()
    for term in data["taxonomy_terms.csv"]["rows"][2:]:
        term.update(taxonomy_id="", taxonomy="Wijkthema's")
    report = ok(hsds_import(ref_db, fx.write_package(tmp_path / "pakket", data)))
    assert not report.errors
    with ref_db.session() as s:
        taxonomy = s.scalars(select(Taxonomy).where(Taxonomy.name == "Wijkthema's")).one()
        assert taxonomy.id == stable_id(fx.SOURCE, "taxonomy", "Wijkthema's")
        assert {t.code for t in taxonomy.terms} == {"administratie", "formulieren"}
    again = ok(hsds_import(ref_db, fx.write_package(tmp_path / "pakket", data)))
    assert (again.inserted, again.updated) == (0, 0)


@pytest.mark.parametrize("case", ["no-datapackage", "empty-dir", "missing", "bad-json",
                                  "empty-json", "bad-descriptor", "not-hsds-json"])
def test_unreadable_input_exit_code_2(ref_db: Database, tmp_path: Path, case: str) -> None:
    before = offer_counts(ref_db)
    target = tmp_path / "input"
    if case == "no-datapackage":
        fx.write_package(target)
        (target / "datapackage.json").unlink()
    elif case == "empty-dir":
        target.mkdir()
    elif case == "bad-json":
        target = tmp_path / "kapot.json"
        target.write_text('{"id": "x", "name": ', encoding="utf-8")
    elif case == "empty-json":
        target = tmp_path / "leeg.json"
        target.write_text("", encoding="utf-8")
    elif case == "bad-descriptor":
        fx.write_package(target)
        (target / "datapackage.json").write_text("{niet: json}", encoding="utf-8")
    elif case == "not-hsds-json":
        target = tmp_path / "getal.json"
        target.write_text("42", encoding="utf-8")
    report = hsds_import(ref_db, target)
    assert report.exit_code == EXIT_UNREADABLE, report.summary()
    assert report.message
    assert offer_counts(ref_db) == before


def test_official_example_package_is_refused_with_reasons(ref_db: Database,
                                                          shared_data: Path) -> None:
    """The Open Referral examples are synthetic and UK-based: they cannot go in, and the
    report says exactly why. Nothing is written."""
    examples = shared_data / "services" / "hsds_3.0.1_examples"
    if not examples.is_dir():
        pytest.skip("HSDS examples not in the mirror")
    report = hsds_import(ref_db, examples / "csv")
    assert report.exit_code == EXIT_REJECTED
    assert report.source == "hsds:human_services_data"
    reasons = {(e.field, e.reason.split(" (")[0]) for e in report.errors}
    assert ("locations.latitude", "ligt niet in Nederland") in reasons
    assert ("locations.longitude", "ligt niet in Nederland") in reasons
    assert ("locations.organization_id",
            "verwijst naar een organisatie die niet in het pakket staat") in reasons
    assert ("taxonomy_terms.taxonomy_id",
            "verwijst naar een taxonomie die niet in het pakket staat") in reasons
    assert ("addresses.country", "Loketwijzer neemt alleen adressen in Nederland op") in reasons
    assert ("phones.number", "geen telefoonnummer") in reasons
    assert ("attributes.link_entity", "onbekende tabel") in reasons
    warned = {w.field for w in report.warnings}
    assert "organizations.parent_organization_id" in warned
    assert count(ref_db, Service) == 0 and count(ref_db, Organization) == 0

    json_report = hsds_import(ref_db, examples / "json" / "service_full.json")
    assert json_report.exit_code == EXIT_REJECTED
    assert count(ref_db, Service) == 0


# -- export and round trips --------------------------------------------------------------------
def read_exported(folder: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for table in TABLES.values():
        with (folder / table.file).open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert tuple(reader.fieldnames or ()) == table.columns, table.file
            out[table.name] = list(reader)
    return out


def check_package(folder: Path) -> None:
    """Hand validation against the HSDS 3.0 table schemas (jsonschema is not installed)."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    assert {r["name"] for r in descriptor["resources"]} == set(TABLES)
    tables = read_exported(folder)
    ids = {name: {r["id"] for r in rows} for name, rows in tables.items()}
    # Required by HSDS but unknown in much Dutch data; we leave them empty, never invent.
    lenient = {("organization", "description"), ("address", "state_province"),
               ("address", "city"), ("address", "postal_code"), ("taxonomy", "description"),
               ("taxonomy_term", "description")}
    for resource in descriptor["resources"]:
        table = TABLES[resource["name"]]
        names = [f["name"] for f in resource["schema"]["fields"]]
        assert names == list(table.columns)
        for row in tables[table.name]:
            uuid.UUID(row["id"])
            for fdesc in resource["schema"]["fields"]:
                value = row[fdesc["name"]]
                constraints = fdesc["constraints"]
                if constraints["required"] and (table.name, fdesc["name"]) not in lenient:
                    assert value, (table.name, fdesc["name"], row["id"])
                if value and "enum" in constraints:
                    assert value in constraints["enum"], (table.name, fdesc["name"], value)
                if value and fdesc["type"] == "number":
                    float(value)
                if value and fdesc.get("format") == "uuid":
                    uuid.UUID(value)
            for fk in resource["schema"].get("foreignKeys", []):
                value = row[fk["fields"]]
                if value:
                    assert value in ids[fk["reference"]["resource"]], (table.name, fk, value)
    for attr in tables["attribute"]:
        assert attr["link_id"] in ids[attr["link_entity"]]
    for meta in tables["metadata"]:
        assert meta["resource_id"] in ids[meta["resource_type"]]


def test_export_tabular_is_valid_hsds(ref_db: Database, tmp_path: Path) -> None:
    ok(hsds_import(ref_db, fx.write_package(tmp_path / "pakket")))
    with ref_db.session() as s:
        summary = export_hsds(s, tmp_path / "export", "tabular")
    assert summary.counts["services"] == 2
    check_package(tmp_path / "export")
    tables = read_exported(tmp_path / "export")
    service = next(r for r in tables["service"] if r["id"] == fx.SERVICE_1)
    assert service["assured_date"] == "2025-11-01"
    areas = {r["uri"] for r in tables["service_area"]}
    assert "https://identifier.overheid.nl/tooi/id/gemeente/gm9001" in areas
    props = {(r["link_id"], r["value"]) for r in tables["attribute"]
             if r["link_type"] == "property"}
    assert (fx.SERVICE_1, "other") in props and (fx.LOC_1, "address") in props
    assert PROPERTIES_TAXONOMY in {r["name"] for r in tables["taxonomy"]}
    schedule = tables["schedule"][0]
    assert (schedule["opens_at"], schedule["byday"]) == ("09:30:00", "TU")


def test_round_trip_tabular_into_fresh_database(ref_db: Database, fresh_db: Database,
                                                tmp_path: Path) -> None:
    ok(hsds_import(ref_db, fx.write_package(tmp_path / "pakket")))
    path = tmp_path / "json" / "geldmaatjes.json"
    path.parent.mkdir()
    path.write_text(json.dumps(fx.service_full()), encoding="utf-8")
    ok(hsds_import(ref_db, path))
    with ref_db.session() as s:
        export_hsds(s, tmp_path / "export", "tabular")
    report = ok(hsds_import(fresh_db, tmp_path / "export"))
    assert report.source == "hsds:loketwijzer"
    assert dump(fresh_db) == dump(ref_db)

    # Exported and imported again into the database it came from: nothing changes.
    again = ok(hsds_import(ref_db, tmp_path / "export"))
    assert (again.inserted, again.updated, again.deactivated) == (0, 0, 0)
    assert again.unchanged == report.inserted


def test_round_trip_json_into_fresh_database(ref_db: Database, fresh_db: Database,
                                             tmp_path: Path) -> None:
    ok(hsds_import(ref_db, fx.write_package(tmp_path / "pakket")))
    with ref_db.session() as s:
        summary = export_hsds(s, tmp_path / "export.json", "json")
    assert summary.counts == {"services": 2} and not any(summary.left_out.values())
    doc = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    assert {d["name"] for d in doc} == {"Spreekuur sociaal raadslieden",
                                        "Hulp bij formulieren Proefdorp"}
    ok(hsds_import(fresh_db, tmp_path / "export.json"))
    assert dump(fresh_db) == dump(ref_db)


def test_export_one_source(ref_db: Database, tmp_path: Path) -> None:
    ok(hsds_import(ref_db, fx.write_package(tmp_path / "pakket")))
    path = tmp_path / "geldmaatjes.json"
    path.write_text(json.dumps(fx.service_full()), encoding="utf-8")
    ok(hsds_import(ref_db, path))
    with ref_db.session() as s:
        summary = export_hsds(s, tmp_path / "alleen", "tabular", source="hsds:geldmaatjes")
    assert summary.counts["services"] == 1 and summary.counts["organizations"] == 1
    descriptor = json.loads((tmp_path / "alleen" / "datapackage.json").read_text())
    assert descriptor["name"] == "geldmaatjes"
    check_package(tmp_path / "alleen")


def test_round_trip_of_the_whole_reference_offer(loaded_db: Database, fresh_db: Database,
                                                 tmp_path: Path) -> None:
    """Town halls and the independent-help list (not HSDS-born) survive an HSDS trip too:
    their source, source_id, precision and Dutch extras travel in metadata and attributes."""
    ok(hsds_import(loaded_db, fx.write_package(tmp_path / "pakket")))
    with loaded_db.session() as s:
        export_hsds(s, tmp_path / "export", "tabular")
    check_package(tmp_path / "export")
    same = ok(hsds_import(loaded_db, tmp_path / "export"))
    assert (same.inserted, same.updated) == (0, 0)
    ok(hsds_import(fresh_db, tmp_path / "export"))
    assert dump(fresh_db) == dump(loaded_db)


def test_cli_export_command(app, ref_db: Database, tmp_path: Path) -> None:
    from webapp.cli_hsds import register

    if "export-hsds" not in app.cli.commands:
        register(app)
    ok(hsds_import(ref_db, fx.write_package(tmp_path / "pakket")))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export-hsds", str(tmp_path / "uit"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "HSDS 3.0 (json)" in result.output and "2 services" in result.output
    assert (tmp_path / "uit" / "services_full.json").is_file()
    result = runner.invoke(args=["export-hsds", str(tmp_path / "tab")])
    assert result.exit_code == 0 and (tmp_path / "tab" / "datapackage.json").is_file()
