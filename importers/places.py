"""Place names from GeoNames, used to find a place typed by a resident ("Den Bosch")."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from importers import fields as f
from importers.base import Provider, Record
from importers.readers import count_lines, read_csv
from loketwijzer.models import Municipality, Place, stable_id

GEONAMES_URL = "https://www.geonames.org/"


class _PlaceBase(Provider):
    snapshot = False

    def prepare(self, session: Session) -> dict[str, Any]:
        return {"municipalities": set(session.execute(select(Municipality.code)).scalars())}

    def estimate_rows(self, path: Path) -> int | None:
        return count_lines(path)

    def _municipality(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> str:
        gm = f.required_text(rownum, "gm_code", row.get("gm_code"))
        if gm not in ctx["municipalities"]:
            raise f.reject(rownum, "gm_code", "onbekende gemeentecode", gm)
        return gm


class PlaceProvider(_PlaceBase):
    name = "places"
    title = "Plaatsnamen (GeoNames)"
    source = "geonames-plaatsen"
    mirror_path = "geo/plaatsen_geonames.csv"
    official_url = "https://download.geonames.org/export/dump/NL.zip"

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        return read_csv(path, required=("geonameid", "name", "lat", "lon", "gm_code"))

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        geonameid = f.required_text(rownum, "geonameid", row.get("geonameid"))
        checked, as_given = f.date(rownum, "modificationdate", row.get("modificationdate"))
        values = {
            "id": stable_id(self.source, geonameid),
            "name": f.required_text(rownum, "name", row.get("name")),
            "ascii_name": f.text(row.get("asciiname")),
            "alternate_names": f.text(row.get("alternatenames")),
            "kind": "place",
            "lat": f.coordinate(rownum, "lat", row.get("lat"), axis="lat"),
            "lon": f.coordinate(rownum, "lon", row.get("lon"), axis="lon"),
            "municipality_code": self._municipality(rownum, row, ctx),
            "pc4": f.text(row.get("pc4")),
            "population": f.integer(rownum, "geonames_population",
                                    row.get("geonames_population"), lo=0),
            "source": self.source,
            "source_id": geonameid,
            "source_url": f"https://www.geonames.org/{geonameid}",
            "source_date": as_given,
            "last_checked": checked,
        }
        return [Record(Place, values)]


class Pc4PlaceProvider(_PlaceBase):
    name = "pc4-places"
    title = "Plaatsnamen per postcode (GeoNames)"
    source = "geonames-postcodes"
    mirror_path = "geo/pc4_plaatsnamen_geonames.csv"
    official_url = "https://download.geonames.org/export/zip/NL.zip"

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        return read_csv(path, required=("pc4", "place", "lat", "lon", "gm_code"))

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        pc4 = f.postcode(rownum, "pc4", row.get("pc4"), full=False)
        name = f.required_text(rownum, "place", row.get("place"))
        # GeoNames lists some PC4/place pairs twice, once per pre-merger municipality.
        key = f"{pc4}:{name}:{f.text(row.get('gm_code_geonames_2017')) or ''}"
        values = {
            "id": stable_id(self.source, key),
            "name": name,
            "ascii_name": None,
            "alternate_names": None,
            "kind": "pc4_place",
            "lat": f.coordinate(rownum, "lat", row.get("lat"), axis="lat"),
            "lon": f.coordinate(rownum, "lon", row.get("lon"), axis="lon"),
            "municipality_code": self._municipality(rownum, row, ctx),
            "pc4": pc4,
            "population": None,
            "source": self.source,
            "source_id": key,
            "source_url": "https://download.geonames.org/export/zip/",
            "source_date": "2017-11-09",
            "last_checked": None,
        }
        return [Record(Place, values)]
