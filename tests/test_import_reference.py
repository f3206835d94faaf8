"""Reference geography and town halls: import, re-import, bad input, atomicity."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from importers.base import EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE
from importers.pipeline import run_import
from importers.places import Pc4PlaceProvider, PlaceProvider
from importers.reference_geo import MunicipalityProvider, Pc4Provider, ProvinceProvider
from importers.roo import RooTownHallProvider, parse_addresses
from loketwijzer.config import Settings
from loketwijzer.models import ImportRun, Municipality, Pc4Area, Place

GEO_PROVIDERS = [ProvinceProvider, MunicipalityProvider, Pc4Provider, PlaceProvider,
                 Pc4PlaceProvider]


def settings(db, mirror: Path) -> Settings:
    return Settings(database_url=db.url, sources_dir=mirror)


def load_geo(db, mirror: Path) -> None:
    for provider in GEO_PROVIDERS:
        report = run_import(provider(settings=settings(db, mirror)), db)
        assert report.exit_code == EXIT_OK, report.summary()


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_geo_import_then_reimport_changes_nothing(db, fixture_mirror):
    load_geo(db, fixture_mirror)
    assert count(db, Municipality) == 4
    assert count(db, Pc4Area) == 6
    assert count(db, Place) == 5 + 6
    with db.session() as s:
        teststad = s.get(Municipality, "GM9001")
        assert teststad.name == "Teststad"
        assert teststad.population == 120_000
        assert teststad.boundary.startswith('{"type":"Polygon"')
        assert s.get(Pc4Area, "9012").municipality_code == "GM9001"

    again = run_import(MunicipalityProvider(settings=settings(db, fixture_mirror)), db)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_changed_row_is_updated_not_duplicated(db, fixture_mirror, tmp_path):
    load_geo(db, fixture_mirror)
    mirror = Path(shutil.copytree(fixture_mirror, tmp_path / "m"))
    path = mirror / "geo" / "pc4_centroids.csv"
    path.write_text(path.read_text().replace("9012,6000", "9012,6500"), encoding="utf-8")
    report = run_import(Pc4Provider(settings=settings(db, mirror)), db)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 5)
    with db.session() as s:
        assert s.get(Pc4Area, "9012").population == 6500
    assert count(db, Pc4Area) == 6


def test_unknown_municipality_code_rejects_whole_file(db, fixture_mirror, tmp_path):
    load_geo(db, fixture_mirror)
    bad = tmp_path / "pc4.csv"
    text = (fixture_mirror / "geo" / "pc4_centroids.csv").read_text()
    bad.write_text(text.replace("9021,8000,Proefdorp,GM9002", "9021,9000,Proefdorp,GM9999"),
                   encoding="utf-8")
    before = count(db, Pc4Area)
    report = run_import(Pc4Provider(bad, settings=settings(db, fixture_mirror)), db)
    assert report.exit_code == EXIT_REJECTED
    [error] = report.errors
    assert (error.row, error.field, error.value) == (5, "gm_code", "GM9999")
    assert "onbekende gemeente" in error.reason
    assert count(db, Pc4Area) == before
    with db.session() as s:
        assert s.get(Pc4Area, "9011").population == 10_000  # untouched, not even good rows


def test_bad_postcode_and_duplicate_are_named(db, fixture_mirror, tmp_path):
    load_geo(db, fixture_mirror)
    src = (fixture_mirror / "geo" / "pc4_plaatsnamen_geonames.csv").read_text().splitlines()
    rows = [*src, src[1], src[2].replace("9012", "012A")]
    bad = tmp_path / "pc4_places.csv"
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = run_import(Pc4PlaceProvider(bad, settings=settings(db, fixture_mirror)), db)
    assert report.exit_code == EXIT_REJECTED
    by_field = {e.field: e for e in report.errors}
    assert by_field["pc4"].row == 9 and "postcode" in by_field["pc4"].reason
    assert by_field["id"].row == 8 and "rij 2" in by_field["id"].reason


def test_missing_required_column(db, fixture_mirror, tmp_path):
    load_geo(db, fixture_mirror)
    src = (fixture_mirror / "geo" / "plaatsen_geonames.csv").read_text()
    bad = tmp_path / "places.csv"
    bad.write_text(src.replace("geonameid,", "id_geonames,", 1), encoding="utf-8")
    report = run_import(PlaceProvider(bad, settings=settings(db, fixture_mirror)), db)
    assert report.exit_code == EXIT_REJECTED
    assert [(e.row, e.field) for e in report.errors] == [(1, "geonameid")]


def test_non_utf8_bytes_name_the_row(db, fixture_mirror, tmp_path):
    load_geo(db, fixture_mirror)
    src = (fixture_mirror / "geo" / "plaatsen_geonames.csv").read_bytes()
    lines = src.splitlines(keepends=True)
    lines[3] = lines[3].replace(b"Gehucht", "Gehücht".encode("latin-1"))
    bad = tmp_path / "places.csv"
    bad.write_bytes(b"".join(lines))
    report = run_import(PlaceProvider(bad, settings=settings(db, fixture_mirror)), db)
    assert report.exit_code == EXIT_REJECTED
    [error] = report.errors
    assert error.row == 4 and "UTF-8" in error.reason


def test_unreadable_file_exit_code_2(db, fixture_mirror, tmp_path):
    binary = tmp_path / "places.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    report = run_import(PlaceProvider(binary, settings=settings(db, fixture_mirror)), db)
    assert report.exit_code == EXIT_UNREADABLE
    missing = run_import(PlaceProvider(tmp_path / "nope.csv",
                                       settings=settings(db, fixture_mirror)), db)
    assert missing.exit_code == EXIT_UNREADABLE and "bestaat niet" in missing.message


def test_interrupted_import_keeps_previous_data(db, fixture_mirror, tmp_path, monkeypatch):
    load_geo(db, fixture_mirror)
    mirror = Path(shutil.copytree(fixture_mirror, tmp_path / "m"))
    path = mirror / "geo" / "pc4_centroids.csv"
    path.write_text(path.read_text().replace(",10000,", ",11111,").replace(",6000,", ",6666,"),
                    encoding="utf-8")

    import importers.upsert as upsert_mod

    real_insert = upsert_mod._replace_children
    calls = {"n": 0}

    def crash_half_way(*args, **kwargs):
        calls["n"] += 1
        raise RuntimeError("power cut")

    # The update statement runs, then the crash: the transaction must roll back.
    monkeypatch.setattr(upsert_mod, "_replace_children", crash_half_way)
    report = run_import(Pc4Provider(settings=settings(db, mirror)), db)
    monkeypatch.setattr(upsert_mod, "_replace_children", real_insert)
    assert report.status == "failed" and "power cut" in report.message
    assert calls["n"] == 1
    with db.session() as s:
        assert s.get(Pc4Area, "9011").population == 10_000
        assert s.get(Pc4Area, "9012").population == 6_000
        runs = s.scalars(select(ImportRun.status).where(ImportRun.provider == "pc4")).all()
    assert "failed" in runs


def test_town_halls(db, fixture_mirror):
    load_geo(db, fixture_mirror)
    from importers.taxonomy import TaxonomyProvider

    assert run_import(TaxonomyProvider(settings=settings(db, fixture_mirror)), db).exit_code == 0
    report = run_import(RooTownHallProvider(settings=settings(db, fixture_mirror)), db)
    assert report.exit_code == EXIT_OK, [str(e) for e in report.errors] or report.message
    assert report.inserted == 12  # organisation, location, service per municipality
    from loketwijzer.models import Location, Service

    with db.session() as s:
        halls = {loc.municipality_code: loc for loc in s.scalars(select(Location))}
        assert halls["GM9001"].point_precision == "address"
        assert (halls["GM9001"].latitude, halls["GM9001"].longitude) == (52.021, 5.021)
        assert halls["GM9001"].addresses[0].address_1 == "Stadhuisplein 1"
        assert halls["GM9001"].addresses[0].city == "Teststad"
        assert halls["GM9004"].point_precision != "address"  # no register point
        assert halls["GM9004"].approximate
        service = s.scalars(select(Service).where(Service.source_id == "GM9001")).one()
        assert service.independent is False and service.residents_only is True
        assert service.appointment_url == "https://afspraak.teststad.example/"
        assert str(service.last_checked) == "2026-03-01"
        assert {a.value for a in service.attributes} >= {"uitkering", "schulden"}
    again = run_import(RooTownHallProvider(settings=settings(db, fixture_mirror)), db)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 12)


def test_parse_packed_roo_addresses():
    packed = ("adresType: Bezoekadres, openbareRuimte: Amstel, huisnummer: 1, postcode: 1011 PN, "
              "woonplaats: AMSTERDAM, centroideLatitude: 52.3676456, centroideLongitude: "
              "4.90016547;adresType: Postadres, postbus: 202, postcode: 1000 AE, "
              "woonplaats: AMSTERDAM")
    visit, post = parse_addresses(packed)
    assert (visit.kind, visit.line, visit.postcode, visit.lat) == (
        "Bezoekadres", "Amstel 1", "1011 PN", 52.3676456)
    assert (post.kind, post.postbus, post.street) == ("Postadres", "202", None)


@pytest.mark.mirror
def test_roo_mirror_parses_every_municipality(shared_data):
    from importers.readers import read_csv

    rows = list(read_csv(shared_data / "services" / "roo_gemeenten.csv", delimiter=";"))
    assert len(rows) == 342
    col = next(k for k in rows[0][1] if k.startswith("Adressen ("))
    visiting = [next((a for a in parse_addresses(r[col]) if a.kind == "Bezoekadres"), None)
                for _, r in rows]
    assert all(v is not None and v.street and v.postcode for v in visiting)


def test_online_fetch_when_mirror_lacks_the_file(db, fixture_mirror, tmp_path, monkeypatch):
    """With --online, a source with an official URL is downloaded (here: a local server)."""
    import functools
    import http.server
    import threading

    import importers.fetch as fetch
    from importers.taxonomy import TaxonomyProvider

    load_geo(db, fixture_mirror)
    run_import(TaxonomyProvider(settings=settings(db, fixture_mirror)), db)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(fixture_mirror / "services"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/roo_gemeenten.csv"
        monkeypatch.setattr(RooTownHallProvider, "download_url", url)
        monkeypatch.setattr(fetch, "DOWNLOAD_DIR", tmp_path / "downloads")
        empty_mirror = tmp_path / "empty"
        empty_mirror.mkdir()
        offline = Settings(database_url=db.url, sources_dir=empty_mirror)
        report = run_import(RooTownHallProvider(settings=offline), db)
        assert report.exit_code == EXIT_UNREADABLE and "niet gevonden" in report.message
        online = Settings(database_url=db.url, sources_dir=empty_mirror, allow_online=True)
        report = run_import(RooTownHallProvider(settings=online), db)
        assert report.exit_code == EXIT_OK and report.inserted == 12
        assert report.path.startswith(str(tmp_path / "downloads"))
    finally:
        server.shutdown()
