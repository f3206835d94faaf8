"""The fixture mirror of ``tests/mirror_fixture.py``, extended for the Mysterie-check, and
a small casus whose verdicts are worked out by hand below.

Added to the four municipalities near Utrecht: **Verweg** (GM9005), about 70 km east,
one PC4 area (9051, centre 52.525 N 6.025 E), its town hall in the ROO list, and one
independent help row, *Huurteam Verweg* (wonen, at the town's point, checked 2025-09-01).
Nothing else is within the finder's reach of Verweg; the national *Landelijke Testlijn*
(Het Juridisch Loket type: phone and website, no place) serves everyone.

The casus (``CASUS``), checked on ``TODAY`` (2026-01-01), with the rule that decides it::

                                   Teststad (from PC4 9011)        Verweg (from PC4 9051)
    1 wonen, cp verhuurder         goed  R6 Rechtswinkel Teststad   goed R6 Huurteam Verweg
    2 administratie, cp gemeente   beter R5 only independent help   mis  R2 only the town
                                     near is Schuldhulp Proefdorp    hall, and it is the
                                     (~7 km), checked 2019: stale    counterparty
    3 administratie, no cp         beter R5 (as above)              beter R3 no independent
                                                                      help, only the town hall
    4 geweld, spoed                mis   R1 no help at all          mis  R1 no help at all
    5 schulden, cp schuldeiser,    goed  R6 Rechtswinkel Teststad   beter R4 only the national
      spoed                                                           line, by phone/online

Why: Het Juridisch Loket type covers neither ``administratie`` nor ``geweld``; the
Wijkteam Teststad is a municipal team (not independent) and the town halls are
residents-only; Schuldhulp Proefdorp lies in the next town, open to neighbours within the
finder's reach.
"""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import json
import threading
import uuid
from pathlib import Path

from tests.mirror_fixture import (
    HELP_HEADER,
    HELP_ROWS,
    ROO_HEADER,
    TRUTH_ROWS,
    roo_address,
    roo_row,
    square,
    write_mirror,
)

TODAY = dt.date(2026, 1, 1)
FAR = ("GM9005", "Verweg", "PV26", (6.0, 52.5), 4_000, 5)
FAR_PC4 = ("9051", 4_000, (6.0, 52.5))
FAR_PLACE = ("1000009", "Verweg", "", 52.53, 6.03, "9051", 3_500)
FAR_HELP = ["t-101", "Huurteam Verweg", "huurteam", "Verweg", "", "", "Verweg", "0500-123456",
            "https://huurteam-verweg.example", "Spreekuur op afspraak.",
            "https://bron.example/101", "2025-09-01", "high"]
FAR_HELP += [""] * (len(HELP_HEADER) - len(FAR_HELP))  # the issue-8 columns: empty

CASUS = {
    "id": "proef-route",
    "titel": {"nl": "Een proefroute", "en": "A test route"},
    "persoon": {"nl": "Een inwoner met vijf vragen.", "en": "A resident with five questions."},
    "momenten": [
        {"titel": "Huur", "wat_er_gebeurt": "De verhuurder belt.", "nodig": "Huuradvies.",
         "onderwerpen": ["wonen"], "tegenpartij": "verhuurder", "goede_afloop": "Opgelost."},
        {"titel": "Post van de gemeente", "wat_er_gebeurt": "Een brief.",
         "nodig": "Hulp met de brief.", "onderwerpen": ["administratie"],
         "tegenpartij": "gemeente", "goede_afloop": "Brief beantwoord."},
        {"titel": "Formulieren", "wat_er_gebeurt": "Een formulier.", "nodig": "Hulp.",
         "onderwerpen": ["administratie"], "goede_afloop": "Ingevuld."},
        {"titel": "Onveilig", "wat_er_gebeurt": "Ruzie thuis.", "nodig": "Veiligheid.",
         "onderwerpen": ["geweld"], "urgentie": "spoed", "goede_afloop": "Veilig."},
        {"titel": "Schulden", "wat_er_gebeurt": "Aanmaningen.", "nodig": "Schuldhulp.",
         "onderwerpen": ["schulden"], "tegenpartij": "schuldeiser", "urgentie": "spoed",
         "goede_afloop": "Regeling."},
    ],
    "vragen": ["Wie hielp?", "Wat miste?", "Wat nu?"],
}

EXPECTED = {
    "GM9001": [("goed", "R6"), ("beter", "R5"), ("beter", "R5"), ("mis", "R1"),
               ("goed", "R6")],
    "GM9005": [("goed", "R6"), ("mis", "R2"), ("beter", "R3"), ("mis", "R1"),
               ("beter", "R4")],
}


def _append_csv(path: Path, rows: list[list], delimiter: str = ",") -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter,
                            quoting=csv.QUOTE_ALL if delimiter == ";" else csv.QUOTE_MINIMAL)
        writer.writerows(rows)


def write_mysterie_mirror(root: Path) -> Path:
    """The fixture mirror plus Verweg (see the module docstring)."""
    write_mirror(root)
    code, name, pv, (lon, lat), pop, urb = FAR
    path = root / "geo" / "gemeenten_2024.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"].append({
        "type": "Feature",
        "properties": {"gm_code": code, "gm_naam": name, "pv_code": pv, "pv_naam": "Utrecht",
                       "inwoners": pop, "huishoudens": pop // 2, "stedelijkheid": urb,
                       "opp_land_ha": 7000, "lat": lat + 0.05, "lon": lon + 0.05},
        "geometry": square(lon, lat, 0.1)})
    path.write_text(json.dumps(data), encoding="utf-8")
    pc4, pc4_pop, (plon, plat) = FAR_PC4
    _append_csv(root / "geo" / "pc4_centroids.csv",
                [[pc4, pc4_pop, name, code, name, 1.0, plat + 0.025, plon + 0.025, 12.5]])
    path = root / "geo" / "pc4_2020.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"].append({"type": "Feature", "properties": {"pc4": pc4},
                             "geometry": square(plon, plat, 0.05)})
    path.write_text(json.dumps(data), encoding="utf-8")
    gid, pname, alt, qlat, qlon, ppc4, ppop = FAR_PLACE
    _append_csv(root / "geo" / "plaatsen_geonames.csv",
                [[gid, pname, pname, alt, "PPL", ppop, qlat, qlon, code, name, ppc4,
                  "2020-01-01"]])
    _append_csv(root / "geo" / "pc4_plaatsnamen_geonames.csv",
                [[pc4, name, plat + 0.02, plon + 0.02, code, name, code[2:]]])
    _append_csv(root / "services" / "roo_gemeenten.csv",
                [roo_row(code, name, roo_address("Brink", "1", "9051 AA", name, 52.522,
                                                 6.022))], delimiter=";")
    assert len(ROO_HEADER) and len(HELP_HEADER) == len(FAR_HELP)
    # The verdicts below were worked out on the help rows before issue 8's extra rows.
    truth_ids = {row[0] for row in TRUTH_ROWS}
    _write_help_rows(root / "services" / "independent_help_nl.csv",
                     [row for row in HELP_ROWS if row[0] not in truth_ids])
    _append_csv(root / "services" / "independent_help_nl.csv", [FAR_HELP])
    return root


def _write_help_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HELP_HEADER)
        writer.writerows(rows)


def build_mysterie_db(url: str, mirror: Path):
    """The extended mirror imported on ``url`` (the schema is recreated), with the test
    casus as Teststad's and Verweg's own casus and one finding for Verweg."""
    from importers.pipeline import run_import
    from importers.registry import REFERENCE_PROVIDERS
    from loketwijzer.actions import mysterie
    from loketwijzer.config import Settings
    from loketwijzer.db import Database

    db = Database(url)
    db.drop_all()
    db.create_all()
    settings = Settings(database_url=url, sources_dir=mirror)
    for provider_cls in REFERENCE_PROVIDERS:
        report = run_import(provider_cls(settings=settings), db, show_progress=False)
        assert report.exit_code == 0, (report.summary(), [str(e) for e in report.errors])
    with db.session() as s:
        for code in ("GM9001", "GM9005"):
            mysterie.add_casus(s, mysterie.CLI_ACTOR, CASUS, municipality=code)
        mysterie.record_finding(s, mysterie.CLI_ACTOR, "GM9005", "proef-route",
                                verdict="mis", text="Niemand kent de balie voor post.",
                                owner="Team Zuid", date="2025-11-20", step=2,
                                action="Folder bij de huisarts")
    db.dispose()
    return url


_lock = threading.Lock()
_built: dict[str, tuple[str, Path]] = {}


def mysterie_state(backend: str, tmp_path_factory) -> tuple[str, Path]:
    """(database URL, mirror directory) of the Mysterie fixture on ``backend``, built once
    per test session and shared by the modules that only read it. PostgreSQL gets a
    schema of its own, dropped when the session ends."""
    with _lock:
        if backend not in _built:
            mirror = write_mysterie_mirror(tmp_path_factory.mktemp("mysterie-mirror"))
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('mysterie-db') / 'm.db'}"
            else:
                url = _pg_schema()
            _built[backend] = (build_mysterie_db(url, mirror), mirror)
    return _built[backend]


def _pg_schema() -> str:
    import pytest
    from sqlalchemy import create_engine, text

    from tests.conftest import IN_CI, PG_URL, _pg_available, _pg_url

    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL not reachable in CI: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    schema = f"lw_test_mysterie_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()

    def drop() -> None:
        engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()

    atexit.register(drop)
    return _pg_url(schema)
