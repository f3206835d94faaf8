"""Municipality facts and the size of its support offer per problem area."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from loketwijzer.errors import InvalidInput, NotFound
from loketwijzer.models import (
    LISTED_STATUSES,
    SCOPE_NATIONAL,
    Attribute,
    Municipality,
    Service,
    ServiceArea,
)
from loketwijzer.taxonomy import problem_areas

_CODE = re.compile(r"^GM\d{4}$")


def normalise_code(code: str) -> str:
    """``gm0363``/``0363``/``GM0363`` → ``GM0363``; anything else is refused clearly."""
    text = (code or "").strip().upper()
    if text.isdigit() and len(text) <= 4:
        text = f"GM{text.zfill(4)}"
    if not _CODE.match(text):
        raise InvalidInput(
            f"'{(code or '')[:20]}' is geen gemeentecode. Een gemeentecode is GM met 4 cijfers, "
            "bijvoorbeeld GM0363 voor Amsterdam.",
            code="invalid_municipality_code",
        )
    return text


def get_municipality_row(session: Session, code: str) -> Municipality:
    code = normalise_code(code)
    municipality = session.get(Municipality, code)
    if municipality is None:
        raise NotFound(f"Gemeente {code} bestaat niet (meer).", code="unknown_municipality")
    return municipality


def list_municipalities(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Municipality.code, Municipality.name, Municipality.province_name,
               Municipality.population).order_by(Municipality.name)
    )
    return [
        {"code": c, "name": n, "province": p, "population": pop} for c, n, p, pop in rows
    ]


def municipality_summary(session: Session, code: str) -> dict[str, Any]:
    """The municipality and, per problem area, how many services its residents can use."""
    m = get_municipality_row(session, code)
    local = (ServiceArea.municipality_code == m.code) | (ServiceArea.scope == SCOPE_NATIONAL)
    rows = session.execute(
        select(
            Attribute.value,
            func.count(func.distinct(Service.id)),
            func.count(func.distinct(Service.id)).filter(Service.independent.is_(True)),
            func.count(func.distinct(Service.id)).filter(ServiceArea.scope != SCOPE_NATIONAL),
        )
        .join(Service, Service.id == Attribute.link_id)
        .join(ServiceArea, ServiceArea.service_id == Service.id)
        .where(Service.status.in_(LISTED_STATUSES), or_(local))
        .group_by(Attribute.value)
    ).all()
    counts = {area: (total, indep, local_n) for area, total, indep, local_n in rows}
    areas = []
    for area in problem_areas():
        total, indep, local_n = counts.get(area.code, (0, 0, 0))
        areas.append({
            "code": area.code,
            "label": area.label,
            "services": total,
            "independent": indep,
            "local": local_n,
        })
    return {
        "code": m.code,
        "name": m.name,
        "province": {"code": m.province_code, "name": m.province_name},
        "population": m.population,
        "households": m.households,
        "urbanisation": m.urbanisation,
        "area_land_km2": m.area_land_km2,
        "point": {"lat": m.lat, "lon": m.lon},
        "services_per_area": areas,
        "source": {"name": m.source, "url": m.source_url, "date": m.source_date},
        "attribution": "Kadaster / Centraal Bureau voor de Statistiek, 2024",
    }
