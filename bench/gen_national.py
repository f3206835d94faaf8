"""Generate a synthetic national sociale kaart: one template CSV per municipality (issue 13).

SYNTHETIC DATA, NEVER REAL: every organisation is "Testorganisatie ...", every service
"Testdienst <n>", every street "Teststraat", every web address lives under example.org and
every phone number is the template's fictional 0000-form. Only the geography is real: the
municipalities, their PC4 areas and PC4 centroids come from the data mirror
(``../shared/data/geo/pc4_centroids.csv``), so the services lie where people live.

Shape of the set (as in the issue): services spread over all municipalities by population
(at least one each), 65% at an exact-looking address (street, number, postcode of a real
PC4, a point jittered ≤ 400 m around its centroid), 15% with only a place (approximate
point), 20% without a visiting address (phone/online); 20% also serve 1–3 other
municipalities of the same province, 12% are for residents only.

    .venv/bin/python bench/gen_national.py OUT_DIR --services 6000 [--seed 13]

Write OUT_DIR under a temp or instance directory, never inside the repository's tracked
tree.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from importers.sociale_kaart_template import TEMPLATE_COLUMNS  # noqa: E402

DEFAULT_CENTROIDS = REPO.parent / "shared" / "data" / "geo" / "pc4_centroids.csv"
PLACES_FILE = "plaatsen_geonames.csv"  # next to the centroids: the place names we know
BASELINE_SERVICES = 600  # about the offer of today's mirror (the 1×)
SHARE_ADDRESS, SHARE_PLACE = 0.65, 0.15  # the rest has no visiting address
SHARE_EXTRA_AREAS, SHARE_RESIDENTS_ONLY = 0.20, 0.12
JITTER_DEG = 0.0035  # ≈ 250–400 m around a PC4 centroid
PROVIDER_TYPES = (  # weights roughly like a real sociale kaart
    ("gemeente", 3), ("sociaal_raadslieden", 2), ("schuldhulp_vrijwilligers", 3),
    ("other", 6), ("huurteam", 1), ("rechtswinkel", 1), ("vluchtelingenwerk", 1),
    ("anti_discriminatie", 1), ("slachtofferhulp", 1),
)
# Letter pairs that occur in Dutch postcodes (SA, SD and SS never do).
POSTCODE_LETTERS = ("AB", "BC", "CD", "DE", "EF", "GH", "JK", "KL", "LM", "MN", "NP", "PR",
                    "RT", "TV", "VW", "WX", "XZ")
AREAS = ("schulden", "toeslagen", "uitkering", "werk", "wonen", "familie", "consument",
         "zorg", "belastingen", "vreemdelingen", "discriminatie", "overheid")


@dataclass(frozen=True)
class Pc4:
    code: str
    population: int
    place: str
    lat: float
    lon: float


@dataclass
class Muni:
    code: str
    province: str
    population: int
    areas: list[Pc4]
    places: list[str] = field(default_factory=list)  # known place names (gazetteer)


def read_municipalities(path: Path) -> list[Muni]:
    munis: dict[str, Muni] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row.get("gm_code") or ""
            if not code.startswith("GM") or not row.get("lat") or not row.get("lon"):
                continue
            pop = int(float(row.get("inwoners") or 0) or 0)
            m = munis.setdefault(code, Muni(code, row.get("pv_code") or "", 0, []))
            m.population += max(pop, 0)
            m.areas.append(Pc4(row["pc4"], max(pop, 0), row.get("plaats") or "",
                               float(row["lat"]), float(row["lon"])))
    places = path.parent / PLACES_FILE
    if places.exists():
        with places.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                m = munis.get(row.get("gm_code") or "")
                if m is not None and row.get("name") and row["name"] not in m.places:
                    m.places.append(row["name"])
    return sorted(munis.values(), key=lambda m: m.code)


def allocate(munis: list[Muni], total: int) -> dict[str, int]:
    """At least one service per municipality, the rest by population (largest remainder)."""
    total = max(total, len(munis))
    pop = sum(m.population for m in munis) or 1
    rest = total - len(munis)
    exact = {m.code: rest * m.population / pop for m in munis}
    counts = {c: 1 + int(v) for c, v in exact.items()}
    left = total - sum(counts.values())
    for c in sorted(exact, key=lambda c: exact[c] - int(exact[c]), reverse=True)[:left]:
        counts[c] += 1
    return counts


def _pick_area(rng: random.Random, muni: Muni) -> Pc4:
    weights = [max(a.population, 1) for a in muni.areas]
    return rng.choices(muni.areas, weights=weights, k=1)[0]


def rows_for(rng: random.Random, muni: Muni, count: int, neighbours: list[str],
             serial: list[int], today: dt.date) -> list[dict[str, str]]:
    types = [t for t, _ in PROVIDER_TYPES]
    weights = [w for _, w in PROVIDER_TYPES]
    rows = []
    for i in range(count):
        serial[0] += 1
        n = serial[0]
        ptype = rng.choices(types, weights=weights, k=1)[0]
        row = {c.name: "" for c in TEMPLATE_COLUMNS}
        row.update({
            "id": f"T-{i + 1:05d}",
            "gemeente": muni.code,
            "organisatie": f"Testorganisatie {muni.code} {1 + i % max(1, count // 3 + 1)}",
            "dienst": f"Testdienst {n}",
            "omschrijving": "Synthetische testdienst voor de schaalmeting. Geen echte hulp.",
            "soort_aanbieder": ptype,
            "bron_url": f"https://example.org/testdienst/{n}",
            "laatst_gecontroleerd": (today - dt.timedelta(days=rng.randint(0, 500))).isoformat(),
            "website": f"https://example.org/testdienst/{n}",
        })
        if ptype == "other":
            row["onderwerpen"] = "; ".join(rng.sample(AREAS, rng.randint(1, 3)))
        if rng.random() < 0.5:
            row["telefoon"] = f"0000-{n % 1000000:06d}"
        u = rng.random()
        area = _pick_area(rng, muni)
        if u < SHARE_ADDRESS:
            lat = area.lat + rng.uniform(-JITTER_DEG, JITTER_DEG)
            lon = area.lon + rng.uniform(-JITTER_DEG, JITTER_DEG) * 1.6
            row.update({
                "straat": "Teststraat", "huisnummer": str(rng.randint(1, 199)),
                "postcode": f"{area.code} {rng.choice(POSTCODE_LETTERS)}",
                "plaats": area.place, "lat": f"{lat:.6f}", "lon": f"{lon:.6f}",
                "inloop": rng.choice(("ja", "nee")),
            })
        elif u < SHARE_ADDRESS + SHARE_PLACE and muni.places:
            # Only a place the gazetteer knows: a row with an unknown place is refused.
            row["plaats"] = area.place if area.place in muni.places else rng.choice(muni.places)
        else:
            row["online"] = "ja"
        if neighbours and rng.random() < SHARE_EXTRA_AREAS:
            row["werkgebied"] = "; ".join(rng.sample(neighbours, min(len(neighbours),
                                                                      rng.randint(1, 3))))
        if rng.random() < SHARE_RESIDENTS_ONLY:
            row["alleen_inwoners"] = "ja"
        rows.append(row)
    return rows


def generate(out_dir: Path, total: int, *, seed: int = 13,
             centroids: Path = DEFAULT_CENTROIDS) -> list[Path]:
    """Write one CSV per municipality into ``out_dir``; returns the files written."""
    rng = random.Random(seed)
    munis = read_municipalities(centroids)
    counts = allocate(munis, total)
    by_province: dict[str, list[str]] = defaultdict(list)
    for m in munis:
        by_province[m.province].append(m.code)
    out_dir.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    serial = [0]
    files = []
    header = [c.name for c in TEMPLATE_COLUMNS]
    for m in munis:
        neighbours = [c for c in by_province[m.province] if c != m.code]
        path = out_dir / f"sociale_kaart_{m.code}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows_for(rng, m, counts[m.code], neighbours, serial, today))
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--services", type=int, default=10 * BASELINE_SERVICES)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--centroids", type=Path, default=DEFAULT_CENTROIDS)
    args = parser.parse_args()
    try:
        args.out_dir.resolve().relative_to(REPO)
        inside = not str(args.out_dir.resolve()).startswith(str(REPO / "instance"))
    except ValueError:
        inside = False
    if inside:
        raise SystemExit("Write synthetic data under a temp or instance directory, not the repo.")
    files = generate(args.out_dir, args.services, seed=args.seed, centroids=args.centroids)
    print(f"{len(files)} files, {args.services} synthetic services in {args.out_dir}")


if __name__ == "__main__":
    main()
