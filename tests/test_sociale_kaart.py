"""The sociale-kaart template importer: good files, bad rows, unreadable files, re-imports.

Files are written into tmp_path with the template writer, so the tests exercise the
same header the municipalities get. Every database test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from importers.base import EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE, ImportReport
from importers.pipeline import run_import
from importers.sociale_kaart import SocialeKaartProvider, parse_opening_hours, source_for
from importers.sociale_kaart_template import (
    EXAMPLE_ID,
    HELP_SHEET_NAME,
    SHEET_NAME,
    TEMPLATE_COLUMNS,
    columns_markdown,
    write_template,
)
from loketwijzer.config import REPO_ROOT, Settings
from loketwijzer.models import (
    STATUS_ACTIVE,
    STATUS_INACTIVE,
    ImportRun,
    Location,
    Organization,
    Service,
)
from loketwijzer.provider_types import load_provider_types
from loketwijzer.taxonomy import area_codes

TESTSTAD = source_for("GM9001")


def rows() -> list[dict[str, str]]:
    """Four services of Teststad (GM9001 in the fixture mirror): rows 2 to 5 of the file."""
    return [
        {"id": "sk-1", "gemeente": "GM9001", "organisatie": "Rechtswinkel Teststad",
         "dienst": "Juridisch spreekuur", "omschrijving": "Gratis advies door studenten.",
         "soort_aanbieder": "rechtswinkel", "onderwerpen": "wonen; werk",
         "straat": "Teststraat", "huisnummer": "5", "postcode": "9011 AB", "plaats": "Teststad",
         "lat": "52,0312", "lon": "5,0311", "toegankelijkheid": "Rolstoeltoegankelijk",
         "telefoon": "030-0000000; 0900-0000", "email": "info@rechtswinkel.example",
         "website": "https://rechtswinkel.example", "op_afspraak": "ja",
         "openingstijden": "ma 09:00-12:00; wo 13:30-16:00",
         "openingstijden_toelichting": "Niet in de schoolvakanties.",
         "doelgroep": "Inwoners met een laag inkomen.", "min_leeftijd": "18",
         "inkomensgrens": "1.500,00", "werkgebied": "Proefdorp",
         "meenemen": "Identiteitsbewijs; brieven over het probleem",
         "talen": "Nederlands; en", "bron_url": "https://rechtswinkel.example/spreekuur",
         "laatst_gecontroleerd": "15-01-2025"},
        {"id": "sk-2", "gemeente": "Teststad", "organisatie": "Rechtswinkel Teststad",
         "dienst": "Huurspreekuur", "soort_aanbieder": "huurteam", "straat": "Kerkpad",
         "huisnummer": "2a", "postcode": "9012ab", "inloop": "ja",
         "kosten": "Eigen bijdrage 10 euro", "bron_url": "rechtswinkel.example/huur",
         "laatst_gecontroleerd": "2025-02-01"},
        {"id": "sk-3", "gemeente": "gm9001", "organisatie": "Stichting Wijkteams Teststad",
         "dienst": "Wijkteam Gehucht", "soort_aanbieder": "other", "plaats": "Gehucht",
         "openingstijden": "di t/m do 9.00-12.00 uur, 13:00-15:30",
         "bron_url": "https://wijkteams.example", "laatst_gecontroleerd": "2024-11-30"},
        {"id": "sk-4", "gemeente": "GM9001", "organisatie": "Geldhulp Teststad",
         "dienst": "Geldlijn", "soort_aanbieder": "schuldhulp_vrijwilligers",
         "telefoon": "0800-0000", "bron_url": "https://geldhulp.example",
         "laatst_gecontroleerd": "2025-03-01"},
    ]


def write(tmp_path: Path, data: list[dict], fmt: str = "csv", name: str = "kaart") -> Path:
    return write_template(tmp_path / f"{name}.{fmt}", fmt, rows=data)  # type: ignore[arg-type]


def run(db, path: Path) -> ImportReport:
    return run_import(SocialeKaartProvider(path, settings=Settings(database_url=db.url)), db)


def count(db, model, *where) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def service(session, source_id: str, source: str = TESTSTAD) -> Service:
    return session.scalars(
        select(Service).where(Service.source == source, Service.source_id == source_id)
    ).one()


def errors(report: ImportReport) -> list[tuple]:
    return [(e.row, e.field) for e in report.errors]


# -- good files --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_good_file_imports_with_areas_schedule_phones_and_precision(loaded_db, tmp_path, fmt):
    path = write(tmp_path, rows(), fmt)
    if fmt == "csv":  # the way Dutch Excel saves "CSV UTF-8"
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbfid;gemeente;organisatie;")
    report = run(loaded_db, path)
    assert report.exit_code == EXIT_OK, [str(e) for e in report.errors] or report.message
    assert report.source == TESTSTAD
    assert (report.inserted, report.updated, report.unchanged) == (10, 0, 0)  # 3 org, 3 loc, 4

    with loaded_db.session() as s:
        rw = service(s, "sk-1")
        assert rw.status == STATUS_ACTIVE and rw.provider_type == "rechtswinkel"
        assert rw.independent is True and rw.free is True
        assert sorted(a.value for a in rw.attributes) == ["werk", "wonen"]
        hours = sorted((h.byday, h.opens_at, h.closes_at, h.freq) for h in rw.schedules
                       if h.byday)
        assert hours == [("MO", "09:00", "12:00", "WEEKLY"), ("WE", "13:30", "16:00", "WEEKLY")]
        assert [h.description for h in rw.schedules if not h.byday] == [
            "Niet in de schoolvakanties."]
        phones = {p.number: p.description for p in rw.phones}
        assert phones == {"030-0000000": None, "0900-0000": "bellen kost geld (0900-nummer)"}
        assert rw.by_phone and rw.online and rw.by_appointment and not rw.walk_in
        assert {a.municipality_code for a in rw.service_areas} == {"GM9001", "GM9002"}
        assert {(lang.code, lang.name) for lang in rw.languages} == {
            ("nl", "Nederlands"), ("en", "Engels")}
        assert [d.document for d in rw.required_documents] == [
            "Identiteitsbewijs", "brieven over het probleem"]
        assert rw.minimum_age == 18 and rw.maximum_age is None and rw.income_limit == 1500.0
        assert rw.eligibility_description == "Inwoners met een laag inkomen."
        assert rw.last_checked == dt.date(2025, 1, 15) and rw.source_date == "2025-01-15"
        assert rw.source_url == "https://rechtswinkel.example/spreekuur"
        [loc] = [sal.location for sal in rw.service_at_locations]
        assert loc.point_precision == "address" and not loc.approximate
        assert (loc.latitude, loc.longitude) == (52.0312, 5.0311)
        assert loc.addresses[0].address_1 == "Teststraat 5"
        assert loc.addresses[0].postal_code == "9011 AB"
        assert [a.description for a in loc.accessibility] == ["Rolstoeltoegankelijk"]

        huur = service(s, "sk-2")  # address without coordinates: shown, point approximate
        assert [a.value for a in huur.attributes] == ["wonen"]  # huurteam default
        [loc2] = [sal.location for sal in huur.service_at_locations]
        assert loc2.point_precision == "postcode" and loc2.approximate
        assert loc2.addresses[0].address_1 == "Kerkpad 2a"
        assert loc2.addresses[0].postal_code == "9012 AB"
        assert loc2.municipality_code == "GM9001" and loc2.pc4 == "9012"
        assert huur.walk_in and huur.fees_description == "Eigen bijdrage 10 euro"
        assert [c.option for c in huur.cost_options] == ["Eigen bijdrage 10 euro"]
        assert huur.organization_id == rw.organization_id  # one organisation per name

        team = service(s, "sk-3")  # type other: areas and independence from the name rules
        assert team.independent is False
        assert {a.value for a in team.attributes} >= {"zorg", "schulden"}
        assert sorted((h.byday, h.opens_at, h.closes_at) for h in team.schedules) == [
            ("TU,WE,TH", "09:00", "12:00"), ("TU,WE,TH", "13:00", "15:30")]
        [loc3] = [sal.location for sal in team.service_at_locations]
        assert loc3.point_precision == "place" and loc3.addresses == []

        line = service(s, "sk-4")  # phone only: no location
        assert line.service_at_locations == [] and line.by_phone
        assert [p.description for p in line.phones] == ["gratis nummer"]

        org = s.get(Organization, rw.organization_id)
        assert org.name == "Rechtswinkel Teststad" and org.source == TESTSTAD
        assert org.last_checked == dt.date(2025, 2, 1)  # the most recently checked row
        run_log = s.scalars(select(ImportRun).where(ImportRun.provider == "sociale-kaart")).one()
        assert run_log.source == TESTSTAD and run_log.status == "ok"
    assert count(loaded_db, Organization, Organization.source == TESTSTAD) == 3
    assert count(loaded_db, Location, Location.source == TESTSTAD) == 3


def test_xlsx_typed_cells_and_extra_sheets(loaded_db, tmp_path):
    """Excel stores dates, numbers and booleans as such; an extra sheet is ignored."""
    data = rows()[:2]
    data[0].update(laatst_gecontroleerd=dt.date(2025, 1, 15), min_leeftijd=18, lat=52.0312,
                   lon=5.0311, huisnummer=5, inloop=True, inkomensgrens=1500)
    path = write(tmp_path, data, "xlsx")
    workbook = openpyxl.load_workbook(path)
    notes = workbook.create_sheet("Notities", 0)  # before the data sheet
    notes.append(["id", "gemeente", "dit blad is van ons"])
    notes.append(["x", "GM9999", "niet importeren"])
    workbook.save(path)
    assert openpyxl.load_workbook(path).sheetnames == ["Notities", SHEET_NAME, HELP_SHEET_NAME]

    report = run(loaded_db, path)
    assert report.exit_code == EXIT_OK, [str(e) for e in report.errors]
    with loaded_db.session() as s:
        rw = service(s, "sk-1")
        assert rw.last_checked == dt.date(2025, 1, 15) and rw.minimum_age == 18
        assert rw.walk_in is True and rw.income_limit == 1500.0
        [loc] = [sal.location for sal in rw.service_at_locations]
        assert loc.addresses[0].address_1 == "Teststraat 5"
        assert loc.point_precision == "address"


def test_xlsx_without_the_named_sheet_uses_the_first(loaded_db, tmp_path):
    path = write(tmp_path, rows(), "xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook[SHEET_NAME].title = "Blad1"
    workbook.save(path)
    assert run(loaded_db, path).exit_code == EXIT_OK


def test_xlsx_phone_stored_as_number_is_refused(loaded_db, tmp_path):
    data = rows()[3:]
    data[0]["telefoon"] = 800000000  # Excel dropped the leading 0
    report = run(loaded_db, write(tmp_path, data, "xlsx"))
    assert report.exit_code == EXIT_REJECTED
    [error] = report.errors
    assert (error.row, error.field) == (2, "telefoon") and "0 vooraan" in error.reason


def test_headers_are_matched_loosely(loaded_db, tmp_path):
    path = write(tmp_path, rows())
    text = path.read_text(encoding="utf-8-sig")
    header, rest = text.split("\n", 1)
    header = header.replace("soort_aanbieder", "Soort aanbieder").replace("id;", "ID;", 1)
    path.write_text(header + "\n" + rest, encoding="utf-8-sig")
    assert run(loaded_db, path).exit_code == EXIT_OK


# -- rejected rows: exit 1, nothing written --------------------------------------------------


def test_missing_required_and_unknown_column(loaded_db, tmp_path):
    path = write(tmp_path, rows())
    text = path.read_text(encoding="utf-8-sig")
    text = text.replace(";bron_url;", ";bron;", 1).replace(";telefoon;", ";telefoonnummer;", 1)
    path.write_text(text, encoding="utf-8-sig")
    report = run(loaded_db, path)
    assert report.exit_code == EXIT_REJECTED
    assert sorted(errors(report)) == [(1, "bron"), (1, "bron_url"), (1, "telefoonnummer")]
    by_field = {e.field: e for e in report.errors}
    assert "verplichte kolom ontbreekt" in by_field["bron_url"].reason
    assert "bedoelt u 'telefoon'" in by_field["telefoonnummer"].reason
    assert count(loaded_db, Service, Service.source == TESTSTAD) == 0


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("postcode", "901 AB", "geen Nederlandse postcode"),
    ("postcode", "9011", "hele postcode"),
    ("gemeente", "Nergenshuizen", "onbekende gemeente"),
    ("gemeente", "Proefdorp", "sociale kaart van Teststad"),
    ("gemeente", "Bergen", "niet eenduidig"),
    ("soort_aanbieder", "advocaat", "onbekende soort aanbieder"),
    ("onderwerpen", "huur", "onbekend onderwerp"),
    ("openingstijden", "maandagochtend", "ma 09:00-12:00; wo 13:30-16:00"),
    ("openingstijden", "ma 12:00-09:00", "sluitingstijd"),
    ("laatst_gecontroleerd", "2999-01-01", "toekomst"),
    ("laatst_gecontroleerd", "2024", "geen datum"),
    ("lat", "40.1", "niet in Nederland"),
    ("onafhankelijk", "misschien", "ja of nee"),
    ("talen", "Klingons", "onbekende taal"),
    ("email", "info-at-example", "geen e-mailadres"),
    ("huisnummer", "", "huisnummer"),
    ("werkgebied", "Atlantis", "onbekende gemeente"),
    ("max_leeftijd", "12", "lager dan min_leeftijd"),
])
def test_bad_value_names_row_field_and_reason(loaded_db, tmp_path, column, value, reason):
    data = rows()
    data[0][column] = value
    before = count(loaded_db, Service)
    report = run(loaded_db, write(tmp_path, data))
    assert report.exit_code == EXIT_REJECTED, report.summary()
    [error] = report.errors
    assert error.row == 2 and error.field == column, str(error)
    assert reason in error.reason, str(error)
    assert report.rejected_rows == 1
    assert count(loaded_db, Service) == before  # the three good rows were not written


def test_all_problems_of_a_row_are_listed(loaded_db, tmp_path):
    data = rows()
    data[1].update(postcode="12", email="nope", dienst="", laatst_gecontroleerd="gisteren")
    report = run(loaded_db, write(tmp_path, data))
    assert sorted(errors(report)) == [(3, "dienst"), (3, "email"), (3, "laatst_gecontroleerd"),
                                      (3, "postcode")]
    assert any(str(e).startswith("rij 3, veld 'email'") for e in report.errors)


def test_duplicate_id_names_both_rows(loaded_db, tmp_path):
    data = rows()
    data[3]["id"] = "SK-1"  # same id as row 2, apart from case
    report = run(loaded_db, write(tmp_path, data))
    assert report.exit_code == EXIT_REJECTED
    [error] = report.errors
    assert (error.row, error.field) == (5, "id") and "ook op rij 2" in error.reason


def test_non_utf8_bytes_reject_that_row(loaded_db, tmp_path):
    path = write(tmp_path, rows())
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b"Huurspreekuur", "Huurspreekuur café".encode("latin-1"))
    path.write_bytes(b"".join(lines))
    report = run(loaded_db, path)
    assert report.exit_code == EXIT_REJECTED
    [error] = report.errors
    assert error.row == 3 and "UTF-8" in error.reason
    assert count(loaded_db, Service, Service.source == TESTSTAD) == 0


def test_example_row_and_header_only_files_are_refused(loaded_db, tmp_path):
    template = write_template(tmp_path / "sjabloon.xlsx", "xlsx")  # header + example row
    report = run(loaded_db, template)
    assert report.exit_code == EXIT_REJECTED
    [error] = report.errors
    assert (error.row, error.field, error.value) == (2, "id", EXAMPLE_ID)
    assert "voorbeeldrij" in error.reason

    empty = write(tmp_path, [], "csv")
    report = run(loaded_db, empty)
    assert report.exit_code == EXIT_REJECTED and "geen rijen" in report.errors[0].reason


def test_one_bad_row_writes_nothing_even_on_reimport(loaded_db, tmp_path):
    assert run(loaded_db, write(tmp_path, rows(), name="v1")).exit_code == EXIT_OK
    tables = (Organization, Location, Service)
    before = {m: count(loaded_db, m) for m in tables}
    data = rows()
    data[0]["dienst"] = "Nieuwe naam"  # a good change...
    data.append({**rows()[3], "id": "sk-5", "postcode": "ABCD"})  # ...and a bad new row
    report = run(loaded_db, write(tmp_path, data, name="v2"))
    assert report.exit_code == EXIT_REJECTED and errors(report) == [(6, "postcode")]
    assert {m: count(loaded_db, m) for m in tables} == before
    with loaded_db.session() as s:
        assert service(s, "sk-1").name == "Juridisch spreekuur"
        run_log = s.scalars(select(ImportRun).where(ImportRun.status == "rejected")).one()
        assert "rij 6, veld 'postcode'" in run_log.message


# -- unreadable files: exit 2 ------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "message"), [
    ("kaart.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "geen tekstbestand"),
    ("kaart.csv", b"Beste collega,\nhierbij de lijst.\n", "geen sociale kaart"),
    ("kaart.xlsx", b"dit is geen werkmap", "geen Excel-werkmap"),
    ("kaart.xls", b"\xd0\xcf\x11\xe0", "niet ondersteund"),
    ("kaart.pdf", b"%PDF-1.4", "niet ondersteund"),
])
def test_file_that_is_not_a_table_exits_2(loaded_db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    report = run(loaded_db, path)
    assert report.exit_code == EXIT_UNREADABLE, report.summary()
    assert message in report.message


def test_missing_file_exits_2(loaded_db, tmp_path):
    report = run(loaded_db, tmp_path / "weg.xlsx")
    assert report.exit_code == EXIT_UNREADABLE and "bestaat niet" in report.message


def test_empty_database_fails_with_a_clear_message(db, tmp_path):
    report = run(db, write(tmp_path, rows()))
    assert report.exit_code == EXIT_UNREADABLE and "import-all" in report.message


# -- re-imports ----------------------------------------------------------------------------


def test_reimport_same_file_changes_nothing(loaded_db, tmp_path):
    path = write(tmp_path, rows(), "xlsx")
    assert run(loaded_db, path).exit_code == EXIT_OK
    before = {m: count(loaded_db, m) for m in (Organization, Location, Service)}
    again = run(loaded_db, path)
    assert (again.inserted, again.updated, again.unchanged, again.deactivated) == (0, 0, 10, 0)
    assert {m: count(loaded_db, m) for m in (Organization, Location, Service)} == before
    # the same content as CSV is the same data: still nothing to do
    as_csv = run(loaded_db, write(tmp_path, rows(), "csv"))
    assert (as_csv.inserted, as_csv.updated, as_csv.unchanged) == (0, 0, 10)


def test_changed_row_updates_in_place(loaded_db, tmp_path):
    assert run(loaded_db, write(tmp_path, rows(), name="v1")).exit_code == EXIT_OK
    with loaded_db.session() as s:
        old_id = service(s, "sk-1").id
    data = rows()
    data[0].update(telefoon="030-1111111", openingstijden="vr 10:00-11:00")
    report = run(loaded_db, write(tmp_path, data, name="v2"))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 9)
    with loaded_db.session() as s:
        rw = service(s, "sk-1")
        assert rw.id == old_id
        assert [p.number for p in rw.phones] == ["030-1111111"]
        assert [(h.byday, h.opens_at) for h in rw.schedules if h.byday] == [("FR", "10:00")]
    assert count(loaded_db, Service, Service.source == TESTSTAD) == 4


def test_removed_row_becomes_inactive_other_municipalities_untouched(loaded_db, tmp_path):
    proefdorp = [{**rows()[3], "id": "pd-1", "gemeente": "Proefdorp",
                  "organisatie": "Geldhulp Proefdorp"}]
    assert run(loaded_db, write(tmp_path, proefdorp, name="proefdorp")).exit_code == EXIT_OK
    assert run(loaded_db, write(tmp_path, rows(), name="v1")).exit_code == EXIT_OK
    others = count(loaded_db, Service, Service.source != TESTSTAD,
                   Service.status == STATUS_ACTIVE)

    report = run(loaded_db, write(tmp_path, rows()[:3], name="v2"))  # sk-4 left out
    assert report.exit_code == EXIT_OK
    assert (report.deactivated, report.unchanged) == (1, 8)
    with loaded_db.session() as s:
        assert service(s, "sk-4").status == STATUS_INACTIVE
        assert service(s, "sk-1").status == STATUS_ACTIVE
        assert service(s, "pd-1", source_for("GM9002")).status == STATUS_ACTIVE
    assert count(loaded_db, Service, Service.source != TESTSTAD,
                 Service.status == STATUS_ACTIVE) == others

    back = run(loaded_db, write(tmp_path, rows(), name="v3"))  # sk-4 is back, unchanged
    assert (back.inserted, back.updated, back.deactivated) == (0, 1, 0)
    with loaded_db.session() as s:
        assert service(s, "sk-4").status == STATUS_ACTIVE


# -- pieces without a database ---------------------------------------------------------------


def test_opening_hours_parser():
    parsed = parse_opening_hours(2, "openingstijden",
                                 "Maandag t/m vrijdag 9:00 - 12:30; za. 10.00u-12.00u; "
                                 "di en do 13:00-16:00 en 18:00-20:00")
    assert [(h.days, h.opens, h.closes) for h in parsed] == [
        (("MO", "TU", "WE", "TH", "FR"), "09:00", "12:30"),
        (("SA",), "10:00", "12:00"),
        (("TU", "TH"), "13:00", "16:00"),
        (("TU", "TH"), "18:00", "20:00"),
    ]
    assert parse_opening_hours(2, "openingstijden", "") == []
    for bad in ("ma", "09:00-12:00", "vr-ma 09:00-12:00", "ma 25:00-26:00", "elke dag"):
        with pytest.raises(Exception, match="ma 09:00-12:00"):
            parse_opening_hours(2, "openingstijden", bad)


def test_template_files(tmp_path):
    csv_path = write_template(tmp_path / "sjabloon.csv", "csv")
    header, example = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert header.split(";") == [c.name for c in TEMPLATE_COLUMNS]
    assert example.startswith(f"{EXAMPLE_ID};")
    xlsx_path = write_template(tmp_path / "sjabloon.xlsx")
    workbook = openpyxl.load_workbook(xlsx_path)
    assert workbook.sheetnames == [SHEET_NAME, HELP_SHEET_NAME]
    sheet = workbook[SHEET_NAME]
    assert [c.value for c in sheet[1]] == [c.name for c in TEMPLATE_COLUMNS]
    assert sheet["A2"].value == EXAMPLE_ID
    lists = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert '"ja,nee"' in lists and any("rechtswinkel" in f for f in lists)
    help_text = " ".join(str(c.value) for row in workbook[HELP_SHEET_NAME] for c in row)
    assert all(c.name in help_text for c in TEMPLATE_COLUMNS)
    with pytest.raises(ValueError, match="not a template column"):
        write_template(tmp_path / "x.csv", rows=[{"telefoonnummer": "1"}])


def test_example_row_has_no_real_looking_contact_details():
    example = {c.name: c.example for c in TEMPLATE_COLUMNS}
    assert example["postcode"].startswith("0")  # no Dutch postcode starts with 0
    assert set(example["telefoon"]) <= set("0-")
    assert all(example[k].endswith(".example") or ".example/" in example[k]
               for k in ("website", "afspraak_url", "bron_url", "email"))


def test_docs_match_the_template():
    docs = (REPO_ROOT / "docs" / "sociale-kaart.md").read_text(encoding="utf-8")
    assert columns_markdown() in docs, "regenerate the column table in docs/sociale-kaart.md"
    for code in [*load_provider_types().types, *area_codes()]:
        assert f"`{code}`" in docs, code
