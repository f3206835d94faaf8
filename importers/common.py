"""Building blocks shared by the offer providers: gazetteer context, area tags, locations."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from geo.gazetteer import AmbiguousName, Gazetteer, MunicipalityRef
from importers import fields as f
from importers.base import Record
from loketwijzer.models import (
    PRECISION_MUNICIPALITY,
    PRECISION_PC4,
    PRECISION_PLACE,
    PRECISION_POSTCODE,
    TAXONOMY_PROBLEM_AREAS,
    Attribute,
    stable_id,
)
from loketwijzer.models.stamp import geography_version

#: Per database: the gazetteer and the geography stamp it was read at. A run of 342
#: sociale-kaart files in one process reads the geography once, not 342 times.
_gazetteers: dict[str, tuple[str, Gazetteer]] = {}


def clear_gazetteer_cache() -> None:
    _gazetteers.clear()


def gazetteer_context(session: Session) -> dict[str, Any]:
    """The providers' gazetteer, reused while the geography is unchanged (providers only
    read it)."""
    bind = session.get_bind()
    key = bind.url.render_as_string(hide_password=True) if hasattr(bind, "url") else ""
    version = geography_version(session)
    cached = _gazetteers.get(key)
    if cached is None or cached[0] != version:
        cached = (version, Gazetteer.from_session(session))
        _gazetteers[key] = cached
    return {"gazetteer": cached[1]}


def resolve_municipality(
    rownum: int, field: str, value: str | None, gaz: Gazetteer
) -> MunicipalityRef | None:
    """A municipality by code or name, or a row error naming the field."""
    cleaned = f.text(value)
    if cleaned is None:
        return None
    try:
        found = gaz.municipality(cleaned)
    except AmbiguousName as exc:
        raise f.reject(
            rownum, field, f"gemeentenaam is niet eenduidig: {' of '.join(exc.options)}", cleaned
        ) from exc
    if found is None:
        raise f.reject(rownum, field, "onbekende gemeente (naam of CBS-code zoals GM0363)",
                       cleaned)
    return found


def approximate_point(
    gaz: Gazetteer,
    *,
    postal_code: str | None,
    city: str | None,
    municipality: MunicipalityRef | None,
) -> tuple[float | None, float | None, str | None, str | None]:
    """Best available point when only a postcode, town or municipality is known.

    Returns (lat, lon, precision, pc4). The precision tells the UI to say
    "locatie bij benadering" instead of showing a pin on a building.
    """
    if postal_code:
        pc4 = postal_code[:4]
        ref = gaz.pc4.get(pc4)
        if ref is not None:
            precision = PRECISION_POSTCODE if len(postal_code) > 4 else PRECISION_PC4
            return ref.lat, ref.lon, precision, pc4
    if city:
        place = gaz.place(city, municipality.code if municipality else None)
        if place is None and municipality is not None:
            place = gaz.place(city)
            if place is not None and place.municipality_code != municipality.code:
                place = None
        if place is not None:
            return place.lat, place.lon, PRECISION_PLACE, place.pc4
    if municipality is not None and municipality.lat is not None:
        return municipality.lat, municipality.lon, PRECISION_MUNICIPALITY, None
    return None, None, None, None


def area_attributes(service_id: str, areas: list[str] | tuple[str, ...], source: str
                    ) -> list[Record]:
    """HSDS attributes tagging a service with problem areas."""
    return [
        Record(
            Attribute,
            {
                "id": stable_id(service_id, "area", code),
                "link_id": service_id,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": stable_id(TAXONOMY_PROBLEM_AREAS, code),
                "value": code,
                "source": source,
            },
        )
        for code in areas
    ]
