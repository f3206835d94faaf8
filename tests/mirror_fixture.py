"""A tiny, made-up source mirror in the layout of ../shared/data, written per test session.

Four municipalities on a grid near Utrecht, six PC4 areas, a handful of places, town
halls and help rows. Names are fictional on purpose ("Teststad", "Proefdorp") except
the two Bergens, which exist to test ambiguity. Tests that need bad input copy a file
from here and break it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

# code, name, province, (lon0, lat0) of a 0.1° square, population, urbanisation
MUNICIPALITIES = [
    ("GM9001", "Teststad", "PV26", (5.0, 52.0), 120_000, 1),
    ("GM9002", "Proefdorp", "PV26", (5.1, 52.0), 20_000, 4),
    ("GM9003", "Bergen (NH.)", "PV27", (5.0, 52.1), 30_000, 4),
    ("GM9004", "Bergen (L.)", "PV31", (5.1, 52.1), 13_000, 5),
]
PROVINCES = [("PV26", "Utrecht"), ("PV27", "Noord-Holland"), ("PV31", "Limburg")]
# pc4, municipality, population, (lon, lat) of a 0.05° square's corner
PC4 = [
    ("9011", "GM9001", 10_000, (5.0, 52.0)),
    ("9012", "GM9001", 6_000, (5.05, 52.0)),
    ("9013", "GM9001", 4_000, (5.0, 52.05)),
    ("9021", "GM9002", 8_000, (5.1, 52.0)),
    ("9031", "GM9003", 5_000, (5.0, 52.1)),
    ("9041", "GM9004", 3_000, (5.1, 52.1)),
]
PLACES = [
    # geonameid, name, alternate names, lat, lon, gm, pc4, population
    ("1000001", "Teststad", "Tststd,Test-Stad", 52.03, 5.03, "GM9001", "9011", 100_000),
    ("1000002", "Proefdorp", "", 52.03, 5.13, "GM9002", "9021", 15_000),
    ("1000003", "Gehucht", "", 52.07, 5.02, "GM9001", "9013", 300),
    ("1000004", "Bergen", "", 52.13, 5.03, "GM9003", "9031", 12_000),
    ("1000005", "Bergen", "", 52.13, 5.13, "GM9004", "9041", 6_000),
]


def square(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
            [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _write_geojson(path: Path, features: list[dict]) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")


def _write_csv(path: Path, header: list[str], rows: list[list], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter,
                            quoting=csv.QUOTE_ALL if delimiter == ";" else csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)


def roo_address(street: str, number: str, postcode: str, city: str,
                lat: float | None, lon: float | None) -> str:
    visit = (f"adresType: Bezoekadres, openbareRuimte: {street}, huisnummer: {number}, "
             f"postcode: {postcode}, woonplaats: {city.upper()}")
    if lat is not None:
        visit += f", centroideLatitude: {lat}, centroideLongitude: {lon}"
    post = f"adresType: Postadres, postbus: 1, postcode: {postcode[:4]} AA, woonplaats: {city}"
    return f"{visit};{post}"


ROO_HEADER = [
    "Officiële naam", "Afkorting", "Type", "Datum ter verificatie", "Laatste mutatie",
    "Adressen (type, toelichting, straat, huisnummer, toevoeging, postbus, postcode, plaats, "
    "regio, provincieAfkorting, land, centroideLatitude, centroideLongitude, centroideRdx, "
    "centroideRdy)",
    "Online afspraak url", "Telefoonnummers ", "E-mail adressen", "Internetpagina's",
    "TOOi URI", "Organisatiecode",
]


def roo_row(code: str, name: str, address: str, *, appointment: str = "") -> list[str]:
    slug = name.lower().split(" ")[0]
    return [
        f"Gemeente {name}", name, "Gemeente", "01-03-2026", "01-03-2026", address,
        appointment, "14 0999, label: algemeen", f"info@{slug}.example, label: algemeen",
        f"https://www.{slug}.example, label: algemeen",
        f"https://identifier.overheid.nl/tooi/id/gemeente/{code.lower()}", code.lower(),
    ]


HELP_HEADER = ["id", "name", "provider_type", "municipality", "street_address", "postal_code",
               "city", "phone", "website", "channel_notes", "source_url", "source_date",
               "confidence", "independent", "serves", "residents_only", "target_group",
               "min_age", "max_age", "status", "status_note", "opening_hours", "public_note",
               "curator_note"]
_BASE_ROWS = [
    ["t-001", "Landelijke Testlijn (landelijk)", "juridisch_loket", "", "", "", "", "0900-0000",
     "https://testlijn.example", "Landelijke lijn, 10 ct/min.", "https://bron.example/1", "",
     "high"],
    ["t-002", "Rechtswinkel Teststad", "rechtswinkel", "Teststad", "Marktplein 3", "9011 AB",
     "Teststad", "", "", "Gratis inloop op dinsdag.", "https://bron.example/2", "2025-03-01",
     "high"],
    ["t-003", "Schuldhulp Proefdorp", "schuldhulp_vrijwilligers", "Proefdorp", "", "",
     "Proefdorp", "", "", "Op afspraak.", "https://bron.example/3", "2019", "medium"],
    ["t-004", "Wijkteam Teststad", "other", "Teststad", "", "", "", "", "",
     "Inloop in de wijk.", "https://bron.example/4", "", "medium"],
    ["t-005", "Meldpunt Discriminatie Regio Test", "anti_discriminatie", "", "", "", "", "",
     "", "Voor Teststad en Proefdorp.", "https://bron.example/5", "2024-06", "medium"],
]
# The issue-8 columns (independent .. curator_note) of the rows above: all empty (old list).
_EMPTY_TRUTH = [""] * 11
CURATOR_MARK = "CURATORNOTITIE-NIET-VOOR-INWONERS"
# Rows exercising the issue-8 columns (who may use it, status, texts).
TRUTH_ROWS = [
    ["t-006", "Jongerenrechtswinkel Teststad", "rechtswinkel", "Teststad", "Marktplein 5",
     "9011 AB", "Teststad", "", "https://jongeren.example", "Alleen jongeren.",
     "https://bron.example/6", "2025-03-01", "high",
     "", "GM9001", "", "jongeren tot 27 jaar", "0", "27", "actief", "",
     "woensdag 14.00-17.00 u", "Gratis advies voor jongeren tot 27 jaar.",
     f"{CURATOR_MARK}: leeftijd van de bronpagina"],
    ["t-007", "Buurtteam Proefdorp", "schuldhulp_vrijwilligers", "Proefdorp", "Dorpsstraat 12",
     "9021 BB", "Proefdorp", "020-1234567", "", "", "https://bron.example/7", "2025-03-01",
     "high", "", "GM9002", "ja", "", "", "", "actief", "", "", "Alleen voor inwoners.",
     f"{CURATOR_MARK}: zie aparte rij"],
    ["t-008", "Rechtswinkel Oud Teststad", "rechtswinkel", "Teststad", "Kerkplein 1", "9011 AB",
     "Teststad", "020-7654321", "", "", "https://bron.example/8", "2025-03-01", "high",
     "", "GM9001", "", "", "", "", "beeindigd",
     "Gestopt in 2025; het spreekuur is nu bij Rechtswinkel Teststad.", "", "", ""],
    ["t-009", "Schuldhulpmaatjes Nederland (landelijk)", "schuldhulp_vrijwilligers", "", "", "",
     "", "", "https://maatjes.example", "", "https://bron.example/9", "2025-03-01", "high",
     "", "NL", "", "", "", "", "verwijzing", "Landelijke ingang; de hulp zit lokaal.", "",
     "Zoek een maatje bij u in de buurt op maatjes.example.", ""],
    ["t-010", "Schuldhulp Twijfel Teststad", "schuldhulp_vrijwilligers", "Teststad",
     "Stationsweg 9", "9011 AB", "Teststad", "020-1112223", "", "", "https://bron.example/10",
     "2025-03-01", "medium", "", "GM9001", "", "", "", "", "onzeker",
     "Enige bron is uit 2015.", "", "", ""],
    ["t-011", "Huurcommissie Test (landelijk)", "other", "", "", "", "", "0800-0000000",
     "https://huurcommissie.example", "", "https://bron.example/11", "2025-03-01", "high",
     "nee", "NL", "", "", "", "", "actief", "", "", "", ""],
]
HELP_ROWS = [row + _EMPTY_TRUTH for row in _BASE_ROWS] + TRUTH_ROWS


def write_mirror(root: Path) -> Path:
    """Write the fixture mirror under ``root`` and return it."""
    (root / "geo").mkdir(parents=True, exist_ok=True)
    (root / "services").mkdir(parents=True, exist_ok=True)
    _write_geojson(root / "geo" / "provincies_2024.geojson", [
        {"type": "Feature", "properties": {"pv_code": code, "pv_naam": name, "inwoners": 1},
         "geometry": square(5.0, 52.0, 0.2)}
        for code, name in PROVINCES
    ])
    _write_geojson(root / "geo" / "gemeenten_2024.geojson", [
        {"type": "Feature",
         "properties": {"gm_code": code, "gm_naam": name, "pv_code": pv,
                        "pv_naam": dict(PROVINCES)[pv], "inwoners": pop, "huishoudens": pop // 2,
                        "stedelijkheid": urb, "opp_land_ha": 7000, "lat": lat + 0.05,
                        "lon": lon + 0.05},
         "geometry": square(lon, lat, 0.1)}
        for code, name, pv, (lon, lat), pop, urb in MUNICIPALITIES
    ])
    names = {m[0]: m[1] for m in MUNICIPALITIES}
    _write_csv(root / "geo" / "pc4_centroids.csv",
               ["pc4", "inwoners", "plaats", "gm_code", "gm_naam", "gm_overlap_share", "lat",
                "lon", "oppervlakte_km2"],
               [[pc, pop, names[gm], gm, names[gm], 1.0, lat + 0.025, lon + 0.025, 12.5]
                for pc, gm, pop, (lon, lat) in PC4])
    _write_geojson(root / "geo" / "pc4_2020.geojson", [
        {"type": "Feature", "properties": {"pc4": pc}, "geometry": square(lon, lat, 0.05)}
        for pc, _gm, _pop, (lon, lat) in PC4
    ])
    _write_csv(root / "geo" / "plaatsen_geonames.csv",
               ["geonameid", "name", "asciiname", "alternatenames", "featurecode",
                "geonames_population", "lat", "lon", "gm_code", "gm_naam", "pc4",
                "modificationdate"],
               [[gid, name, name, alt, "PPL", pop, lat, lon, gm, names[gm], pc, "2020-01-01"]
                for gid, name, alt, lat, lon, gm, pc, pop in PLACES])
    _write_csv(root / "geo" / "pc4_plaatsnamen_geonames.csv",
               ["pc4", "place", "lat", "lon", "gm_code", "gm_naam", "gm_code_geonames_2017"],
               [[pc, names[gm], lat + 0.02, lon + 0.02, gm, names[gm], gm[2:]]
                for pc, gm, _pop, (lon, lat) in PC4])
    _write_csv(root / "services" / "roo_gemeenten.csv", ROO_HEADER, [
        roo_row("GM9001", "Teststad",
                roo_address("Stadhuisplein", "1", "9011 AA", "Teststad", 52.021, 5.021),
                appointment="https://afspraak.teststad.example/"),
        roo_row("GM9002", "Proefdorp",
                roo_address("Dorpsstraat", "10", "9021 BB", "Proefdorp", 52.022, 5.122)),
        roo_row("GM9003", "Bergen (NH)",
                roo_address("Raadhuisweg", "2", "9031 CC", "Bergen", 52.123, 5.023)),
        # no coordinates in the register: placed at the PC4 area, marked approximate
        roo_row("GM9004", "Bergen (L)",
                roo_address("Kerkweg", "5", "9041 DD", "Bergen", None, None)),
    ], delimiter=";")
    _write_csv(root / "services" / "independent_help_nl.csv", HELP_HEADER, HELP_ROWS)
    return root
