"""Reference geography from the mirror: CBS provinces, municipalities and PC4 areas."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from importers import fields as f
from importers.base import Provider, Record, RowError, RowRejected
from importers.readers import count_lines, read_csv, read_geojson
from loketwijzer.models import Municipality, Pc4Area, Province

CBS_URL = "https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/geografische-data"
PDOK_WFS = "https://service.pdok.nl/cbs/wijkenbuurten/2024/wfs/v1_0"
CBS_DATE = "2024-01-01"
_GM = re.compile(r"^GM\d{4}$")
_PV = re.compile(r"^PV\d{2}$")
_PC4 = re.compile(r"^[1-9]\d{3}$")

# Where the publishers offer the data. The mirror holds simplified, renamed derivatives
# (see the mirror's SOURCES.md), so these are provenance, not fetched as is: without a
# mirror, set LOKETWIJZER_DOWNLOAD_URL to a copy of it.
CBS_WIJKEN_BUURTEN_2024 = "https://service.pdok.nl/cbs/wijkenbuurten/2024/wfs/v1_0"
CBS_POSTCODE4 = ("https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/geografische-data/"
                 "gegevens-per-postcode")


def _geometry(rownum: int, feature: dict[str, Any]) -> str:
    """The feature's geometry as GeoJSON text, after a validity check."""
    from shapely.geometry import shape

    geometry = feature.get("geometry")
    if not geometry:
        raise f.reject(rownum, "geometry", "geen geometrie")
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for broken input
        raise f.reject(rownum, "geometry", f"onleesbare geometrie: {exc}") from exc
    if geom.is_empty or geom.geom_type not in {"Polygon", "MultiPolygon"}:
        raise f.reject(rownum, "geometry", "vlak (Polygon/MultiPolygon) verwacht")
    return json.dumps(geometry, separators=(",", ":"))


def _features(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    yield from enumerate(read_geojson(path), start=1)


class ProvinceProvider(Provider):
    name = "provinces"
    title = "Provincies (CBS 2024)"
    source = "cbs-provincies-2024"
    mirror_path = "geo/provincies_2024.geojson"
    # Derived from the municipalities (dissolved by province): same publisher.
    official_url = CBS_WIJKEN_BUURTEN_2024
    snapshot = False

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        return _features(path)

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        props = row.get("properties") or {}
        code = f.required_text(rownum, "pv_code", props.get("pv_code"))
        if not _PV.match(code):
            raise f.reject(rownum, "pv_code", "provinciecode heeft de vorm PV27", code)
        values = {
            "code": code,
            "name": f.required_text(rownum, "pv_naam", props.get("pv_naam")),
            "population": f.integer(rownum, "inwoners", props.get("inwoners"), lo=0),
            "boundary": _geometry(rownum, row),
            "source": self.source,
            "source_id": code,
            "source_url": CBS_URL,
            "source_date": CBS_DATE,
            "last_checked": None,
        }
        return [Record(Province, values)]


class MunicipalityProvider(Provider):
    name = "municipalities"
    title = "Gemeenten met kerncijfers (CBS Wijk- en Buurtkaart 2024)"
    source = "cbs-gemeenten-2024"
    mirror_path = "geo/gemeenten_2024.geojson"
    official_url = CBS_WIJKEN_BUURTEN_2024
    snapshot = False

    def prepare(self, session: Session) -> dict[str, Any]:
        return {"provinces": set(session.execute(select(Province.code)).scalars())}

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        return _features(path)

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        props = row.get("properties") or {}
        code = f.required_text(rownum, "gm_code", props.get("gm_code"))
        if not _GM.match(code):
            raise f.reject(rownum, "gm_code", "gemeentecode heeft de vorm GM0363", code)
        province = f.text(props.get("pv_code"))
        if province and ctx["provinces"] and province not in ctx["provinces"]:
            raise f.reject(rownum, "pv_code", "onbekende provincie", province)
        land_ha = f.decimal(rownum, "opp_land_ha", props.get("opp_land_ha"))
        values = {
            "code": code,
            "name": f.required_text(rownum, "gm_naam", props.get("gm_naam")),
            "province_code": province if province in ctx["provinces"] else None,
            "province_name": f.text(props.get("pv_naam")),
            "population": f.integer(rownum, "inwoners", props.get("inwoners"), lo=0),
            "households": f.integer(rownum, "huishoudens", props.get("huishoudens"), lo=0),
            "urbanisation": f.integer(rownum, "stedelijkheid", props.get("stedelijkheid"), lo=1,
                                      hi=5),
            "area_land_km2": round(land_ha / 100, 3) if land_ha is not None else None,
            "lat": f.coordinate(rownum, "lat", props.get("lat"), axis="lat"),
            "lon": f.coordinate(rownum, "lon", props.get("lon"), axis="lon"),
            "boundary": _geometry(rownum, row),
            "source": self.source,
            "source_id": code,
            "source_url": CBS_URL,
            "source_date": CBS_DATE,
            "last_checked": None,
        }
        return [Record(Municipality, values)]


class Pc4Provider(Provider):
    """PC4 centroids and attributes, with the boundary joined from the sibling GeoJSON."""

    name = "pc4"
    title = "Postcodegebieden PC4 (CBS, inwoners 2021)"
    source = "cbs-pc4-2020"
    mirror_path = "geo/pc4_centroids.csv"
    official_url = CBS_POSTCODE4
    boundaries_file = "pc4_2020.geojson"
    companion_paths = ("geo/pc4_2020.geojson",)
    snapshot = False

    def prepare(self, session: Session) -> dict[str, Any]:
        return {"municipalities": set(session.execute(select(Municipality.code)).scalars())}

    def estimate_rows(self, path: Path) -> int | None:
        return count_lines(path)

    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        self._boundaries = self._load_boundaries(path.parent / self.boundaries_file)
        return read_csv(path, required=("pc4", "gm_code", "lat", "lon"))

    @staticmethod
    def _load_boundaries(path: Path) -> dict[str, str]:
        if not path.exists():
            return {}
        out = {}
        for feature in read_geojson(path):
            code = str((feature.get("properties") or {}).get("pc4", "")).zfill(4)
            if feature.get("geometry"):
                out[code] = json.dumps(feature["geometry"], separators=(",", ":"))
        return out

    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        code = f.required_text(rownum, "pc4", row.get("pc4")).zfill(4)
        if not _PC4.match(code):
            raise f.reject(rownum, "pc4", "PC4 heeft 4 cijfers en begint niet met 0", code)
        gm = f.required_text(rownum, "gm_code", row.get("gm_code"))
        if gm not in ctx["municipalities"]:
            raise f.reject(rownum, "gm_code", "onbekende gemeentecode", gm)
        lat = f.coordinate(rownum, "lat", row.get("lat"), axis="lat")
        lon = f.coordinate(rownum, "lon", row.get("lon"), axis="lon")
        if lat is None or lon is None:
            raise RowRejected(RowError(rownum, "lat", "punt ontbreekt"))
        values = {
            "code": code,
            "municipality_code": gm,
            "place_name": f.text(row.get("plaats")),
            "population": f.integer(rownum, "inwoners", row.get("inwoners"), lo=0),
            "area_km2": f.decimal(rownum, "oppervlakte_km2", row.get("oppervlakte_km2")),
            "lat": lat,
            "lon": lon,
            "municipality_share": f.decimal(rownum, "gm_overlap_share",
                                            row.get("gm_overlap_share")),
            "boundary": self._boundaries.get(code),
            "source": self.source,
            "source_id": code,
            "source_url": "https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/"
            "geografische-data/gegevens-per-postcode",
            "source_date": "2021-01-01",
            "last_checked": None,
        }
        return [Record(Pc4Area, values)]
