"""Look up municipalities, PC4 areas and places by code or name, in memory.

Built once from the database (a few MB); used by the importers to place rows and by
the geocoder to place a resident.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.names import fold, without_suffix
from loketwijzer.config import DATA_DIR
from loketwijzer.models import Municipality, Pc4Area, Place


@dataclass(frozen=True)
class MunicipalityRef:
    code: str
    name: str
    lat: float | None
    lon: float | None
    province: str | None = None
    population: int | None = None


@dataclass(frozen=True)
class Pc4Ref:
    code: str
    lat: float
    lon: float
    municipality_code: str | None
    place_name: str | None
    population: int | None


@dataclass(frozen=True)
class PlaceRef:
    name: str
    lat: float
    lon: float
    municipality_code: str | None
    pc4: str | None
    population: int
    kind: str


class AmbiguousName(LookupError):
    def __init__(self, name: str, options: list[str]) -> None:
        self.name = name
        self.options = options
        super().__init__(f"{name!r} is not unique: {', '.join(options)}")


def load_aliases(path: Path | None = None) -> dict[str, list[str]]:
    path = path or DATA_DIR / "municipality_aliases.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@dataclass
class Gazetteer:
    municipalities: dict[str, MunicipalityRef] = field(default_factory=dict)
    pc4: dict[str, Pc4Ref] = field(default_factory=dict)
    municipality_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    place_names: dict[str, list[PlaceRef]] = field(default_factory=lambda: defaultdict(list))
    # Folded name -> the spelling it came from ("den bosch" -> "Den Bosch"), for labels.
    spellings: dict[str, str] = field(default_factory=dict)
    # Municipality code -> boundary as GeoJSON text; only with ``with_boundaries=True``.
    boundaries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_session(cls, session: Session, *, with_places: bool = True,
                     with_boundaries: bool = False) -> Gazetteer:
        gaz = cls()
        columns = [Municipality.code, Municipality.name, Municipality.lat, Municipality.lon,
                   Municipality.province_name, Municipality.population]
        if with_boundaries:
            columns.append(Municipality.boundary)
        for row in session.execute(select(*columns)):
            gaz.add_municipality(MunicipalityRef(*row[:6]))
            if with_boundaries and row[6]:
                gaz.boundaries[row[0]] = row[6]
        for code, aliases in load_aliases().items():
            if code in gaz.municipalities:
                for alias in aliases:
                    gaz.municipality_names[fold(alias)].add(code)
                    gaz.spellings.setdefault(fold(alias), alias)
        for row in session.execute(
            select(
                Pc4Area.code, Pc4Area.lat, Pc4Area.lon, Pc4Area.municipality_code,
                Pc4Area.place_name, Pc4Area.population,
            )
        ):
            gaz.pc4[row[0]] = Pc4Ref(*row)
        if with_places:
            for row in session.execute(
                select(
                    Place.name, Place.lat, Place.lon, Place.municipality_code, Place.pc4,
                    Place.population, Place.kind, Place.alternate_names, Place.ascii_name,
                )
            ):
                ref = PlaceRef(row[0], row[1], row[2], row[3], row[4], row[5] or 0, row[6])
                names = {row[0], row[8] or ""}
                names.update(n for n in (row[7] or "").split(",") if n)
                for name in names:
                    key = fold(name)
                    if key:
                        gaz.place_names[key].append(ref)
                        gaz.spellings.setdefault(key, name)
        return gaz

    def add_municipality(self, ref: MunicipalityRef) -> None:
        self.municipalities[ref.code] = ref
        self.municipality_names[fold(ref.name)].add(ref.code)
        self.municipality_names[fold(without_suffix(ref.name))].add(ref.code)
        self.spellings.setdefault(fold(ref.name), ref.name)
        self.spellings.setdefault(fold(without_suffix(ref.name)), without_suffix(ref.name))

    # -- municipalities ---------------------------------------------------------------------
    def municipality(self, code_or_name: str) -> MunicipalityRef | None:
        """By CBS code (``GM0363``, ``gm0363``, ``0363``) or by exact (folded) name."""
        text = (code_or_name or "").strip()
        code = text.upper()
        if code.isdigit() and len(code) <= 4:
            code = f"GM{code.zfill(4)}"
        if code in self.municipalities:
            return self.municipalities[code]
        codes = self.municipality_names.get(fold(text), set())
        if len(codes) > 1:
            raise AmbiguousName(text, sorted(self.municipalities[c].name for c in codes))
        return self.municipalities[next(iter(codes))] if codes else None

    # -- places ----------------------------------------------------------------------------
    def place(self, name: str, municipality_code: str | None = None) -> PlaceRef | None:
        """The best point for a place name, preferring the given municipality and real places
        (GeoNames populated places) over postcode place names, then the larger population."""
        candidates = self.place_names.get(fold(name), [])
        if municipality_code:
            local = [c for c in candidates if c.municipality_code == municipality_code]
            candidates = local or []
        if not candidates:
            return None
        return max(candidates, key=lambda c: (c.kind == "place", c.population))
