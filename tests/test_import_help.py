"""The independent-help list: locations, approximation, service areas, re-imports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from importers.independent_help import IndependentHelpProvider
from importers.pipeline import run_import
from loketwijzer.config import Settings
from loketwijzer.models import STATUS_ACTIVE, STATUS_INACTIVE, Service
from tests.mirror_fixture import HELP_HEADER, HELP_ROWS


def write_help(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HELP_HEADER)
        writer.writerows(rows)
    return path


def service(session, source_id: str) -> Service:
    return session.scalars(select(Service).where(Service.source_id == source_id)).one()


def test_rows_become_services_with_honest_locations(loaded_db):
    with loaded_db.session() as s:
        national = service(s, "t-001")
        assert [a.scope for a in national.service_areas] == ["national"]
        assert national.service_at_locations == []  # phone/online only
        assert national.phones[0].description == "bellen kost geld (0900-nummer)"
        assert national.independent is True

        shop = service(s, "t-002")
        [at] = shop.service_at_locations
        assert at.location.addresses[0].address_1 == "Marktplein 3"
        # the address is real, the point is only the postcode area's: approximate
        assert at.location.point_precision == "postcode" and at.location.approximate
        assert shop.walk_in is True and shop.free is True
        assert {a.value for a in shop.attributes} >= {"wonen", "werk", "consument"}
        assert str(shop.last_checked) == "2025-03-01"
        assert shop.source_url == "https://bron.example/2"

        town_only = service(s, "t-003")
        [at] = town_only.service_at_locations
        assert at.location.point_precision == "place"
        assert at.location.addresses == []  # never shown as an address
        assert town_only.by_appointment is True and town_only.walk_in is False
        assert town_only.source_date == "2019"

        team = service(s, "t-004")
        assert team.independent is False  # a municipal wijkteam
        assert team.service_at_locations[0].location.point_precision == "municipality"

        regional = service(s, "t-005")
        assert sorted(a.municipality_code for a in regional.service_areas) == ["GM9001",
                                                                             "GM9002"]
        assert {a.scope for a in regional.service_areas} == {"region"}


def test_reimport_is_unchanged_and_removed_rows_become_inactive(loaded_db, fixture_mirror,
                                                                tmp_path):
    settings = Settings(database_url=loaded_db.url, sources_dir=fixture_mirror)
    again = run_import(IndependentHelpProvider(settings=settings), loaded_db)
    assert (again.inserted, again.updated, again.deactivated) == (0, 0, 0)
    assert again.unchanged > 0

    fewer = write_help(tmp_path / "help.csv", [r for r in HELP_ROWS if r[0] != "t-003"])
    report = run_import(IndependentHelpProvider(fewer, settings=settings), loaded_db)
    assert report.exit_code == 0 and report.deactivated == 1
    with loaded_db.session() as s:
        assert service(s, "t-003").status == STATUS_INACTIVE
        assert service(s, "t-002").status == STATUS_ACTIVE
        # the town halls of another source are untouched
        counters = s.scalars(select(Service).where(Service.provider_type == "gemeente")).all()
        assert counters and all(c.status == STATUS_ACTIVE for c in counters)

    back = run_import(IndependentHelpProvider(settings=settings), loaded_db)
    assert back.updated >= 1
    with loaded_db.session() as s:
        assert service(s, "t-003").status == STATUS_ACTIVE


@pytest.mark.parametrize(("change", "field", "reason"), [
    ({3: "Bergen"}, "municipality", "niet eenduidig"),
    ({3: "Nergenshuizen"}, "municipality", "onbekende gemeente"),
    ({2: "waarzegger"}, "provider_type", "onbekend soort aanbieder"),
    ({5: "12345"}, "postal_code", "postcode"),
    ({6: "Gehucht", 3: "Proefdorp"}, "city", "ligt niet in gemeente"),
    ({10: ""}, "source_url", "verplicht"),
    ({11: "2999-01-01"}, "source_date", "toekomst"),
])
def test_bad_rows_are_refused_with_field_and_reason(loaded_db, fixture_mirror, tmp_path,
                                                    change, field, reason):
    rows = [list(r) for r in HELP_ROWS]
    for col, value in change.items():
        rows[2][col] = value
    rows[2][0] = "t-new"
    path = write_help(tmp_path / "bad.csv", rows)
    settings = Settings(database_url=loaded_db.url, sources_dir=fixture_mirror)
    report = run_import(IndependentHelpProvider(path, settings=settings), loaded_db)
    assert report.exit_code == 1
    [error] = report.errors
    assert error.row == 4 and error.field == field and reason in error.reason
    with loaded_db.session() as s:  # nothing written, also not the good rows
        assert s.scalars(select(Service).where(Service.source_id == "t-new")).first() is None


def test_truth_columns_are_read(loaded_db):
    """Issue 8: who may use the help, whether it still runs, and its texts."""
    with loaded_db.session() as s:
        youth = service(s, "t-006")
        assert (youth.minimum_age, youth.maximum_age) == (0, 27)
        assert youth.target_group == "jongeren tot 27 jaar"
        assert youth.opening_hours == "woensdag 14.00-17.00 u"
        assert youth.public_note.startswith("Gratis advies")
        assert youth.curator_note.startswith("CURATORNOTITIE")
        assert [(a.scope, a.municipality_code) for a in youth.service_areas] == [
            ("municipality", "GM9001")]
        team = service(s, "t-007")
        assert team.residents_only is True
        assert service(s, "t-008").status == "defunct"
        assert service(s, "t-008").status_note.startswith("Gestopt")
        assert service(s, "t-009").status == "referral"
        assert [a.scope for a in service(s, "t-009").service_areas] == ["national"]
        assert service(s, "t-010").status == "uncertain"
        gov = service(s, "t-011")
        assert gov.independent is False  # explicit "nee" beats the provider type
        assert service(s, "t-002").status == STATUS_ACTIVE  # old rows: active by default


@pytest.mark.parametrize(("column", "value"), [
    ("status", "misschien"), ("serves", "GM9999"), ("min_age", "oud"),
    ("residents_only", "soms"),
])
def test_bad_truth_values_are_rejected(loaded_db, fixture_mirror, tmp_path, column, value):
    rows = [list(r) for r in HELP_ROWS]
    rows[-1][HELP_HEADER.index(column)] = value
    mirror = tmp_path / "mirror"
    (mirror / "services").mkdir(parents=True)
    write_help(mirror / "services" / "independent_help_nl.csv", rows)
    settings = Settings(database_url=loaded_db.url, sources_dir=mirror)
    report = run_import(IndependentHelpProvider(settings=settings), loaded_db)
    assert report.status == "rejected"
    assert report.rejected_rows == 1
