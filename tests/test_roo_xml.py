"""Town halls from the ROO full XML export: same records as the CSV export, bad input.

The fixture below is written by hand in the layout of the real ``exportOO.xml``
(schema 2.6.9; sources in the docstring of importers/roo_xml.py) for the made-up
municipalities of tests/mirror_fixture.py, with the same values as its CSV rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from importers.base import EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE, SourceUnreadable
from importers.pipeline import run_import
from importers.roo import RooTownHallProvider
from importers.roo_xml import RooXmlTownHallProvider, iter_municipalities
from loketwijzer.models import (
    Address,
    Attribute,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from tests.test_import_reference import load_geo, settings

NS = "https://organisaties.overheid.nl/static/schema/oo/export/2.6.9"


def gemeente(system_id: int, code: str, name: str, street: str, number: str, postcode: str,
             city: str, *, appointment: str | None = None, end: str | None = None) -> str:
    slug = name.lower().split(" ")[0]
    tooi = f"https://identifier.overheid.nl/tooi/id/gemeente/{code.lower()}"
    return f"""
  <p:organisatie p:systeemId="{system_id}" p:resourceIdentifierTOOI="{tooi}">
    <p:naam>Gemeente {name}</p:naam>
    <p:afkorting>{name}</p:afkorting>
    <p:types><p:type>Gemeente</p:type></p:types>
    <p:identificatiecodes>
      <p:resourceIdentifier p:naam="resourceIdentifierTOOI">{tooi}</p:resourceIdentifier>
      <p:resourceIdentifier p:naam="Organisatiecode">{code.lower()}</p:resourceIdentifier>
      <p:resourceIdentifier p:naam="systeemId">{system_id}</p:resourceIdentifier>
    </p:identificatiecodes>
    <p:adressen>
      <p:adres>
        <p:adresType>Bezoekadres</p:adresType>
        <p:openbareRuimte>{street}</p:openbareRuimte>
        <p:huisnummer>{number}</p:huisnummer>
        <p:postcode>{postcode}</p:postcode>
        <p:woonplaats>{city.upper()}</p:woonplaats>
        <p:provincie>https://identifier.overheid.nl/tooi/id/provincie/pv26</p:provincie>
      </p:adres>
      <p:adres>
        <p:adresType>Postadres</p:adresType>
        <p:postbus>1</p:postbus>
        <p:postcode>{postcode[:4]} AA</p:postcode>
        <p:woonplaats>{city}</p:woonplaats>
      </p:adres>
    </p:adressen>
    <p:contact>
      <p:telefoonnummers>
        <p:telefoonnummer><p:nummer>14 0999</p:nummer><p:label>algemeen</p:label></p:telefoonnummer>
      </p:telefoonnummers>
      <p:emailadressen>
        <p:emailadres><p:email>info@{slug}.example</p:email><p:label>algemeen</p:label></p:emailadres>
      </p:emailadressen>
      <p:internetadressen>
        <p:internetadres><p:url>https://www.{slug}.example</p:url><p:label>algemeen</p:label></p:internetadres>
      </p:internetadressen>
    </p:contact>
    {f"<p:afspraak><p:url>{appointment}</p:url></p:afspraak>" if appointment else ""}
    {f"<p:eindDatum>{end}</p:eindDatum>" if end else ""}
    <p:datumMutatie>2026-03-01</p:datumMutatie>
    <p:datumTerVerificatie>2026-03-01</p:datumTerVerificatie>
  </p:organisatie>"""


MINISTRY = """
  <p:organisatie p:systeemId="100"
      p:resourceIdentifierTOOI="https://identifier.overheid.nl/tooi/id/ministerie/mnre9999">
    <p:naam>Ministerie van Testzaken</p:naam>
    <p:types><p:type>Ministerie</p:type></p:types>
    <p:organisaties>
      <p:organisatie p:systeemId="101">
        <p:naam>Directie Proeven</p:naam>
        <p:types><p:type>Organisatieonderdeel</p:type></p:types>
      </p:organisatie>
    </p:organisaties>
  </p:organisatie>"""

# ordinals: 1 ministry, 2 Teststad, 3 dissolved (GM9005 is unknown to the gazetteer: it
# would be refused if it were read), 4 Proefdorp, 5 Bergen (NH), 6 Bergen (L)
ORGANISATIES = [
    MINISTRY,
    gemeente(1001, "GM9001", "Teststad", "Stadhuisplein", "1", "9011 AA", "Teststad",
             appointment="https://afspraak.teststad.example/"),
    gemeente(1005, "GM9005", "Opgeheven", "Oudeweg", "1", "9011 AB", "Teststad",
             end="2019-01-01"),
    gemeente(1002, "GM9002", "Proefdorp", "Dorpsstraat", "10", "9021 BB", "Proefdorp"),
    gemeente(1003, "GM9003", "Bergen (NH)", "Raadhuisweg", "2", "9031 CC", "Bergen"),
    gemeente(1004, "GM9004", "Bergen (L)", "Kerkweg", "5", "9041 DD", "Bergen"),
]

EXPORT = f"""<?xml version="1.0" encoding="UTF-8"?>
<p:overheidsorganisaties xmlns:p="{NS}">
<p:organisaties>{"".join(ORGANISATIES)}
</p:organisaties>
<p:gemeenschappelijkeRegelingen>
  <p:regeling p:systeemId="200">
    <p:titel>Regeling Test</p:titel>
    <p:types><p:type>Gemeenschappelijke regeling</p:type></p:types>
  </p:regeling>
</p:gemeenschappelijkeRegelingen>
</p:overheidsorganisaties>
"""

# What the town halls consist of; Location coordinates are compared separately.
MODELS = [Organization, Location, Address, Service, Phone, ServiceArea, ServiceAtLocation,
          Attribute]
POINT_COLUMNS = {"latitude", "longitude", "point_precision", "pc4", "content_hash"}


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "exportOO.xml"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def _taxonomy(db, mirror: Path) -> None:
    matcher = pytest.importorskip("matcher", reason="TaxonomyProvider needs matcher/")
    if not hasattr(matcher, "get_matcher"):
        pytest.skip("TaxonomyProvider needs matcher.get_matcher (matcher/ not written yet)")
    from importers.taxonomy import TaxonomyProvider

    assert run_import(TaxonomyProvider(settings=settings(db, mirror)), db).exit_code == EXIT_OK


def _ready(db, mirror: Path) -> None:
    load_geo(db, mirror)
    _taxonomy(db, mirror)


def _xml(db, mirror: Path, path: Path):
    return run_import(RooXmlTownHallProvider(path, settings=settings(db, mirror)), db)


def _csv(db, mirror: Path):
    return run_import(RooTownHallProvider(settings=settings(db, mirror)), db)


def _rows(db) -> dict[str, list[dict]]:
    """Every town-hall row, without the location point, in a stable order."""
    out = {}
    with db.session() as s:
        for model in MODELS:
            columns = [c.key for c in model.__table__.columns]
            if model is Location:
                columns = [c for c in columns if c not in POINT_COLUMNS]
            rows = s.execute(select(*(getattr(model, c) for c in columns))).all()
            out[model.__name__] = sorted((dict(zip(columns, r, strict=True)) for r in rows),
                                         key=lambda d: d["id"])
    return out


def _points(db) -> dict[str, tuple]:
    with db.session() as s:
        return {loc.municipality_code: (loc.latitude, loc.longitude, loc.point_precision)
                for loc in s.scalars(select(Location))}


def test_stream_reads_only_current_top_level_municipalities(export):
    rows = list(iter_municipalities(export, today=dt.date(2026, 5, 1)))
    assert [n for n, _ in rows] == [2, 4, 5, 6]
    teststad = rows[0][1]
    assert teststad["Officiële naam"] == "Gemeente Teststad"
    assert teststad["TOOi URI"] == "https://identifier.overheid.nl/tooi/id/gemeente/gm9001"
    assert teststad["Organisatiecode"] == "gm9001"
    assert teststad["Telefoonnummers"] == "14 0999"
    assert teststad["Internetpagina's"] == "https://www.teststad.example"
    assert teststad["Online afspraak url"] == "https://afspraak.teststad.example/"
    assert teststad["Laatste mutatie"] == "01-03-2026"
    # a municipality that ends in the future still exists today
    assert [n for n, _ in iter_municipalities(export, today=dt.date(2018, 1, 1))] == [
        2, 3, 4, 5, 6]


def test_xml_gives_the_same_town_halls_as_the_csv(db, fixture_mirror, export):
    _ready(db, fixture_mirror)
    report = _xml(db, fixture_mirror, export)
    assert report.exit_code == EXIT_OK, [str(e) for e in report.errors] or report.message
    assert (report.inserted, report.updated, report.unchanged) == (12, 0, 0)
    from_xml = _rows(db)
    points = _points(db)
    # The XML export has no coordinates: placed at the postcode area, marked approximate.
    assert points["GM9001"][2] == "postcode"
    with db.session() as s:
        service = s.scalars(select(Service).where(Service.source_id == "GM9001")).one()
        assert service.appointment_url == "https://afspraak.teststad.example/"
        assert str(service.last_checked) == "2026-03-01"
        assert s.get(Location, service.service_at_locations[0].location_id
                     ).addresses[0].address_1 == "Stadhuisplein 1"

    # The CSV of the same register updates the same records: only the three town halls
    # for which the CSV has a register point move; everything else is identical.
    report = _csv(db, fixture_mirror)
    assert report.exit_code == EXIT_OK, [str(e) for e in report.errors] or report.message
    assert (report.inserted, report.updated, report.unchanged) == (0, 3, 9)
    assert _rows(db) == from_xml
    points = _points(db)
    assert points["GM9001"] == (52.021, 5.021, "address")
    assert points["GM9004"][2] != "address"

    # The XML again keeps those register points (same address): nothing changes.
    again = _xml(db, fixture_mirror, export)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 12)
    assert _points(db) == points
    assert _rows(db) == from_xml


def test_xml_after_csv_changes_nothing(db, fixture_mirror, export):
    _ready(db, fixture_mirror)
    assert _csv(db, fixture_mirror).exit_code == EXIT_OK
    before = (_rows(db), _points(db))
    report = _xml(db, fixture_mirror, export)
    assert report.exit_code == EXIT_OK, [str(e) for e in report.errors] or report.message
    assert (report.inserted, report.updated, report.unchanged, report.deactivated) == (
        0, 0, 12, 0)
    assert (_rows(db), _points(db)) == before
    assert _csv(db, fixture_mirror).unchanged == 12


def test_moved_town_hall_loses_the_old_point(db, fixture_mirror, tmp_path):
    _ready(db, fixture_mirror)
    assert _csv(db, fixture_mirror).exit_code == EXIT_OK
    moved = tmp_path / "exportOO.xml"
    moved.write_text(EXPORT.replace("Stadhuisplein", "Nieuwe Markt"), encoding="utf-8")
    report = _xml(db, fixture_mirror, moved)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 11)
    assert _points(db)["GM9001"][2] == "postcode"


@pytest.mark.parametrize("content, message", [
    (EXPORT[: len(EXPORT) // 2], "geen geldige XML"),  # cut off half-way
    ("Officiële naam;Afkorting\nGemeente Teststad;Teststad\n", "geen geldige XML"),
    ("", "geen geldige XML"),
    ('<?xml version="1.0"?><organisaties><organisatie/></organisaties>', "geen ROO-export"),
    (EXPORT.replace(NS, "https://example.org/other"), "geen ROO-export"),
    (EXPORT.replace("<p:type>Gemeente</p:type>", "<p:type>Waterschap</p:type>"),
     "geen gemeenten gevonden"),
])
def test_unreadable_export_exit_2(db, fixture_mirror, tmp_path, content, message):
    _ready(db, fixture_mirror)
    path = tmp_path / "exportOO.xml"
    path.write_text(content, encoding="utf-8")
    report = _xml(db, fixture_mirror, path)
    assert report.exit_code == EXIT_UNREADABLE, report.summary()
    assert message in report.message
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Organization)) == 0


def test_binary_file_is_unreadable(tmp_path):
    path = tmp_path / "exportOO.xml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(SourceUnreadable):
        list(iter_municipalities(path))


def test_unknown_cbs_code_rejects_the_file_naming_the_field(db, fixture_mirror, tmp_path):
    _ready(db, fixture_mirror)
    assert _csv(db, fixture_mirror).exit_code == EXIT_OK
    before = (_rows(db), _points(db))
    bad = tmp_path / "exportOO.xml"
    bad.write_text(EXPORT.replace("gm9002", "gm9999"), encoding="utf-8")
    report = _xml(db, fixture_mirror, bad)
    assert report.exit_code == EXIT_REJECTED
    [error] = report.errors
    assert (error.row, error.field, error.value) == (4, "@resourceIdentifierTOOI", "GM9999")
    assert "onbekende gemeentecode" in error.reason
    assert (_rows(db), _points(db)) == before  # nothing written, not even the good rows


def test_address_text_the_packed_form_would_misread_is_named(tmp_path):
    path = tmp_path / "exportOO.xml"
    path.write_text(EXPORT.replace("Dorpsstraat", "Dorpsstraat, huisnummer: 3"),
                    encoding="utf-8")
    rows = dict(iter_municipalities(path))
    error = rows[4]["__error__"]
    assert (error.row, error.field) == (4, "adressen/adres")
    assert "__error__" not in rows[2]
