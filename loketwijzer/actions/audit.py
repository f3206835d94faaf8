"""Gap audit for municipalities: where residents cannot reach independent help, and how
many organisations ("the loket jungle") a life event sends them to.

The geometry runs vectorised in ``geo.audit_geo``; this module holds the service
functions that turn its arrays into the plain dicts of the API, the pages and the exports.
The wording of findings lives in ``loketwijzer.audit_findings`` and the tables and
CSV/XLSX files in ``loketwijzer.audit_export``; both only read these dicts.
How every figure is computed is explained in ``docs/audit.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from geo import audit_geo
from geo.audit_geo import CATEGORIES, AuditArrays, AuditFrames
from importers.independent_help import IndependentHelpProvider
from importers.roo import RooTownHallProvider
from importers.sociale_kaart import SOURCE_PREFIX as SOCIALE_KAART_PREFIX
from loketwijzer.actions.municipalities import get_municipality_row, normalise_code
from loketwijzer.errors import InvalidInput, NotFound

ATTRIBUTION = [
    "Gemeentegrenzen en kerncijfers: Kadaster / Centraal Bureau voor de Statistiek, 2024",
    "Postcodegebieden (PC4): © Centraal Bureau voor de Statistiek, © ESRI Nederland",
    "Plaatsnamen: GeoNames (CC BY 4.0)",
    "Gemeentehuizen: Register van Overheidsorganisaties",
    "Onafhankelijke hulp: samengestelde lijst, met bron per regel",
]

URBANISATION = {
    1: "zeer sterk stedelijk", 2: "sterk stedelijk", 3: "matig stedelijk",
    4: "weinig stedelijk", 5: "niet stedelijk",
}
URBANISATION_EN = {
    1: "very highly urban", 2: "highly urban", 3: "moderately urban",
    4: "hardly urban", 5: "not urban",
}


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    label_en: str
    kind: str  # pct | km | int | num
    higher_is_better: bool


METRICS: dict[str, Metric] = {m.code: m for m in (
    Metric("share_5", "Inwoners met onafhankelijke hulp binnen 5 km",
           "Residents with independent help within 5 km", "pct", True),
    Metric("share_10", "Inwoners met onafhankelijke hulp binnen 10 km",
           "Residents with independent help within 10 km", "pct", True),
    Metric("share_20", "Inwoners met onafhankelijke hulp binnen 20 km",
           "Residents with independent help within 20 km", "pct", True),
    Metric("mean_km", "Gemiddelde afstand tot onafhankelijke hulp (km)",
           "Average distance to independent help (km)", "km", False),
    Metric("services", "Hulpdiensten voor inwoners", "Services open to residents", "int", True),
    Metric("independent", "Onafhankelijke hulpdiensten", "Independent services", "int", True),
    Metric("jungle", "Loket-jungle: organisaties per levensgebeurtenis",
           "Counter jungle: organisations per life event", "num", False),
    Metric("stale_share", "Gegevens ouder dan een jaar", "Records older than a year", "pct",
           False),
)}
DEFAULT_METRIC = "share_10"

# A rough expectation of how much first-line social-legal help a municipality has: the
# national inventory by Significant Public for Divosa (2023) counted 1,113 organisations at
# 1,621 locations in 342 municipalities. Scaled by population share; a yardstick, not a norm.
INVENTORY_ORGANISATIONS = 1113
INVENTORY_LOCATIONS = 1621
INVENTORY_SOURCE = ("Significant Public voor Divosa (2023): 1.113 organisaties op 1.621 "
                    "locaties met eerstelijns sociaal-juridische hulp in 342 gemeenten")
SOURCE_TOWN_HALL = RooTownHallProvider.source
SOURCE_HELP_LIST = IndependentHelpProvider.source
SOURCE_SOCIALE_KAART = f"{SOCIALE_KAART_PREFIX}:"
SORT_KEYS = ("name", "province", "population", "urbanisation", *METRICS)

QUALITY_ISSUES = {
    "stale": "niet gecontroleerd in de afgelopen 12 maanden",
    "no_schedule": "geen openingstijden",
    "no_phone": "geen telefoonnummer",
    "no_address": "geen adres",
}


# ----------------------------------------------------------------------------- inputs

def _taxonomy() -> tuple[tuple[str, ...], dict[str, Any], tuple]:
    from loketwijzer.taxonomy import life_events, problem_areas

    areas = problem_areas()
    return tuple(a.code for a in areas), {a.code: a for a in areas}, life_events()


def check_area(area: str | None) -> str | None:
    """None/'' means all areas; an unknown code is refused with the valid choices."""
    if not area:
        return None
    codes, _labels, _events = _taxonomy()
    code = area.strip().lower()
    if code not in codes:
        raise InvalidInput(f"'{area[:30]}' is geen onderwerp. Kies uit: {', '.join(codes)}.",
                           code="invalid_area")
    return code


def check_metric(metric: str | None) -> str:
    metric = (metric or DEFAULT_METRIC).strip().lower()
    if metric not in METRICS:
        raise InvalidInput(f"'{metric[:30]}' is geen maat. Kies uit: {', '.join(METRICS)}.",
                           code="invalid_metric")
    return metric


def _frames(session: Session) -> AuditFrames:
    codes, _labels, _events = _taxonomy()
    return audit_geo.frames_for(session, codes)


def _event_specs() -> list[tuple[str, tuple[str, ...]]]:
    _codes, _labels, events = _taxonomy()
    return [(e.code, tuple(e.areas)) for e in events]


_NATIONAL: dict[tuple, AuditArrays] = {}
_NATIONAL_LOCK = threading.Lock()


def _national_arrays(session: Session, frames: AuditFrames, as_of: dt.date,
                     stale_after_days: int) -> AuditArrays:
    """All municipalities at once, kept per data version (the run itself takes < 1 s)."""
    key = (frames.version, as_of, stale_after_days)
    with _NATIONAL_LOCK:
        arrays = _NATIONAL.get(key)
    if arrays is None:
        arrays = audit_geo.compute(frames, None, events=_event_specs(), as_of=as_of,
                                   stale_after_days=stale_after_days)
        with _NATIONAL_LOCK:
            _NATIONAL.clear()
            _NATIONAL[key] = arrays
    return arrays


def clear_cache() -> None:
    """Forget loaded frames and national results (tests; after editing data by hand)."""
    audit_geo.clear_cache()
    with _NATIONAL_LOCK:
        _NATIONAL.clear()


# ----------------------------------------------------------------------------- assembling

def _num(value: float, digits: int = 3) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, digits)


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _assemble(frames: AuditFrames, arrays: AuditArrays, i: int, *, as_of: dt.date,
              stale_after_days: int, detail: bool) -> dict[str, Any]:
    """The audit dict of row ``i`` of ``arrays``; ``detail`` adds per-record lists."""
    _codes, labels, events = _taxonomy()
    m = frames.municipalities.iloc[int(arrays.muni[i])]
    origin_mask = arrays.origin_seg == i
    weights = frames.origins["population"].to_numpy(float)[arrays.origin_rows[origin_mask]]
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    site_org = frames.services["org"].to_numpy()[frames.sites["svc"].to_numpy()]
    n_orgs = len(frames.organisations)

    areas = []
    for a, code in enumerate(arrays.area_codes):
        share = {str(km): _num(arrays.share[km][i, a]) for km in arrays.bands_km}
        cat = arrays.category_share[i, a]
        row: dict[str, Any] = {
            "code": code,
            "label": labels[code].label if code in labels else code,
            "label_en": labels[code].label_en if code in labels else code,
            "services": int(arrays.services[i, a]),
            "independent": int(arrays.independent[i, a]),
            "free": int(arrays.free[i, a]),
            "walk_in": int(arrays.walk_in[i, a]),
            "own": int(arrays.own[i, a]),
            "national": int(arrays.national[i, a]),
            "nearby": int(arrays.nearby[i, a]),
            "remote_only": int(arrays.remote_only[i, a]),
            "stale": int(arrays.stale[i, a]),
            "share_within_km": share,
            "mean_km": _num(arrays.mean_km[i, a], 1),
            "max_km": _num(arrays.max_km[i, a], 1),
            "distances": int(arrays.origins[i]),
            "approximate_distances": int(arrays.approximate[i, a]),
            "best_help": {name: _num(cat[c]) for c, name in enumerate(CATEGORIES)},
            "municipal_only": bool(cat[0] == 0 and cat[1] > 0),
        }
        near = arrays.nearest_site[origin_mask, a]
        if detail and (near >= 0).any():
            counts = np.bincount(site_org[near[near >= 0]], weights=weights[near >= 0],
                                 minlength=n_orgs)
            top = int(counts.argmax())
            row["nearest_help"] = {"organization": frames.organisations[top],
                                   "share": _num(counts[top] / weights.sum())}
        else:
            row["nearest_help"] = None
        areas.append(row)

    by_code = {r["code"]: r for r in areas}
    life = []
    for e, event in enumerate(events):
        if e >= len(arrays.event_codes):
            break
        event_areas = [a for a in event.areas if a in by_code]
        life.append({
            "code": event.code,
            "label": event.label,
            "label_en": event.label_en,
            "areas": event_areas,
            "organisations": _num(arrays.jungle[i, e], 2),
            "organisations_max": int(arrays.jungle_max[i, e]),
            "municipal_only_areas": [a for a in event_areas if by_code[a]["municipal_only"]],
            "without_help_areas": [a for a in event_areas
                                   if (by_code[a]["best_help"]["none"] or 0) >= 0.5],
        })

    quality = {k: int(v[i]) for k, v in arrays.quality.items()}
    quality_block: dict[str, Any] = {
        "records": quality.pop("total"), **quality, "stale_after_days": stale_after_days,
    }
    if detail:
        quality_block["items"] = _quality_items(frames, arrays.local[i], arrays.stale_flags)
        quality_block["national"] = _national_quality(frames, arrays.stale_flags)

    urb = _int(m["urbanisation"])
    completeness = data_completeness(frames, arrays.local[i], arrays.stale_flags,
                                     m["code"], _int(m["population"]) or 0, areas)
    return {
        "code": m["code"],
        "name": m["name"],
        "province": m["province"],
        "population": _int(m["population"]),
        "urbanisation": urb,
        "urbanisation_label": URBANISATION.get(urb),
        "pc4_areas": int(arrays.origins[i]),
        "population_in_pc4": int(arrays.population[i]),
        "as_of": as_of.isoformat(),
        "bands_km": list(arrays.bands_km),
        "reach_km": arrays.reach_km,
        "totals": {"services": int(arrays.services_total[i]),
                   "independent": int(arrays.independent_total[i])},
        "areas": areas,
        "life_events": life,
        "data_quality": quality_block,
        "data_completeness": completeness,
        "attribution": ATTRIBUTION,
    }


def data_completeness(frames: AuditFrames, local: np.ndarray, stale: np.ndarray, code: str,
                      population: int, areas: list[dict[str, Any]]) -> dict[str, Any]:
    """How much of the municipality's help Loketwijzer knows, and how well (issue 8).

    The audit can only speak about records *bekend in Loketwijzer*; this block says how
    far that goes: which sources are loaded, how many records have an exact address and
    were checked within a year, and the record count against a rough expectation.
    """
    svc = frames.services
    idx = np.flatnonzero(local)
    sources = set(svc["source"].to_numpy()[idx]) if len(idx) else set()
    records = len(idx)
    exact = int(svc["has_address"].to_numpy(bool)[idx].sum()) if records else 0
    fresh = int((~stale[idx]).sum()) if records and len(stale) else 0
    national_population = float(pd.to_numeric(frames.municipalities["population"],
                                              errors="coerce").fillna(0).sum())
    share = population / national_population if national_population else 0.0
    expected_locations = INVENTORY_LOCATIONS * share
    distances = sum(a["distances"] for a in areas)
    approximate = sum(a["approximate_distances"] for a in areas)
    return {
        "sources": {
            "town_hall": SOURCE_TOWN_HALL in sources,
            "independent_help_list": SOURCE_HELP_LIST in sources,
            "own_sociale_kaart": any(str(s).startswith(SOURCE_SOCIALE_KAART) for s in sources),
        },
        "records": records,
        "share_exact_address": _num(exact / records) if records else None,
        "share_checked_within_year": _num(fresh / records) if records else None,
        "expected_locations": round(expected_locations, 1),
        "expected_organisations": round(INVENTORY_ORGANISATIONS * share, 1),
        "records_vs_expected": _num(records / expected_locations) if expected_locations
        else None,
        "expectation_source": INVENTORY_SOURCE,
        "distances_indicative": bool(approximate),
        "share_distances_approximate": _num(approximate / distances) if distances else None,
        "code": code,
    }


def _quality_items(frames: AuditFrames, local: np.ndarray, stale: np.ndarray
                   ) -> list[dict[str, Any]]:
    svc = frames.services
    idx = np.flatnonzero(local)
    flags = {
        "stale": stale[idx],
        "no_schedule": ~svc["has_schedule"].to_numpy(bool)[idx],
        "no_phone": ~svc["has_phone"].to_numpy(bool)[idx],
        "no_address": ~svc["has_address"].to_numpy(bool)[idx],
    }
    sub = svc.iloc[idx]
    items = []
    for k, (_, s) in enumerate(sub.iterrows()):
        codes = [name for name, f in flags.items() if f[k]]
        issues = [QUALITY_ISSUES[name] for name in codes]
        checked = s["last_checked"]
        items.append({
            "id": s["id"], "name": s["name"], "organization": s["organization"],
            "provider_type": s["provider_type"], "independent": bool(s["independent"]),
            "source": s["source"], "source_url": s["source_url"],
            "last_checked": checked.isoformat() if isinstance(checked, dt.date) else None,
            "issues": issues, "issue_codes": codes,
        })
    items.sort(key=lambda r: (-len(r["issues"]), r["name"]))
    return items


def _national_quality(frames: AuditFrames, stale: np.ndarray) -> dict[str, int]:
    svc = frames.services
    nat = svc["national"].to_numpy(bool)
    return {
        "records": int(nat.sum()),
        "stale": int((nat & stale).sum()),
        "no_schedule": int((nat & ~svc["has_schedule"].to_numpy(bool)).sum()),
        "no_phone": int((nat & ~svc["has_phone"].to_numpy(bool)).sum()),
        "no_address": int((nat & ~svc["has_address"].to_numpy(bool)).sum()),
    }


# ----------------------------------------------------------------------------- service functions

def audit_municipality(session: Session, code: str, *, as_of: dt.date | None = None,
                       stale_after_days: int = 365) -> dict[str, Any]:
    """The gap audit of one municipality (``GET /api/v1/audit/GMxxxx``)."""
    as_of = as_of or dt.date.today()
    frames, arrays = _compute_one(session, code, as_of, stale_after_days)
    return _assemble(frames, arrays, 0, as_of=as_of, stale_after_days=stale_after_days,
                     detail=True)


def _compute_one(session: Session, code: str, as_of: dt.date, stale_after_days: int):
    """The audit geometry of one municipality (frames cached; rebuilt if the data moved)."""
    municipality = get_municipality_row(session, code)
    frames = _frames(session)
    if municipality.code not in frames.muni_index:  # pragma: no cover - data changed midway
        audit_geo.clear_cache()
        frames = _frames(session)
    arrays = audit_geo.compute(frames, [municipality.code], events=_event_specs(),
                               as_of=as_of, stale_after_days=stale_after_days)
    return frames, arrays


def audit_with_services(session: Session, code: str, *, as_of: dt.date | None = None,
                        stale_after_days: int = 365
                        ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The audit of one municipality plus every service its residents can use by the
    audit's rule (listed, national, or open help nearby), each with the facts the
    rechtsbescherming-scan weighs (one run of the geometry for both)."""
    as_of = as_of or dt.date.today()
    frames, arrays = _compute_one(session, code, as_of, stale_after_days)
    result = _assemble(frames, arrays, 0, as_of=as_of, stale_after_days=stale_after_days,
                       detail=True)
    svc, sites = frames.services, frames.sites
    site_muni = sites["municipality_code"].to_numpy()
    site_svc = sites["svc"].to_numpy()
    site_loc = sites["location_id"].to_numpy()
    services = []
    for j in np.flatnonzero(arrays.available[0]):
        s = svc.iloc[int(j)]
        own_sites = sorted({str(site_loc[k]) for k in np.flatnonzero(
            (site_svc == j) & (site_muni == result["code"]))})
        services.append({
            "id": s["id"], "name": s["name"], "organization": s["organization"],
            "provider_type": s["provider_type"], "independent": bool(s["independent"]),
            "walk_in": bool(s["walk_in"]), "national": bool(s["national"]),
            "remote": bool(s["remote"]), "local": bool(arrays.local[0, j]),
            "stale": bool(arrays.stale_flags[j]),
            "has_schedule": bool(s["has_schedule"]),
            "areas": [a for k, a in enumerate(frames.area_codes) if frames.area_matrix[j, k]],
            "locations_in_municipality": own_sites,
        })
    services.sort(key=lambda r: (r["name"].casefold(), r["id"]))
    return result, services


def audit_all(session: Session, *, as_of: dt.date | None = None, stale_after_days: int = 365
              ) -> Iterator[dict[str, Any]]:
    """Every municipality's audit (without per-record lists), from one national run."""
    as_of = as_of or dt.date.today()
    frames = _frames(session)
    arrays = _national_arrays(session, frames, as_of, stale_after_days)
    for i in range(len(arrays.muni)):
        yield _assemble(frames, arrays, i, as_of=as_of, stale_after_days=stale_after_days,
                        detail=False)


def _nanmean_rows(values: np.ndarray) -> np.ndarray:
    """Row means ignoring NaN; NaN where a row has no value at all."""
    counts = (~np.isnan(values)).sum(axis=1)
    sums = np.nansum(values, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _key_figures(arrays: AuditArrays, area: int | None) -> dict[str, np.ndarray]:
    """Per-municipality figures for the national table: one area, or all areas averaged."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if area is None:
            figures = {f"share_{km}": arrays.share[km].mean(axis=1) for km in arrays.bands_km}
            figures["mean_km"] = _nanmean_rows(arrays.mean_km)
            figures["services"] = arrays.services_total
            figures["independent"] = arrays.independent_total
            figures["gap_areas"] = (arrays.share[10] < 0.5).sum(axis=1)
        else:
            figures = {f"share_{km}": arrays.share[km][:, area] for km in arrays.bands_km}
            figures["mean_km"] = arrays.mean_km[:, area]
            figures["services"] = arrays.services[:, area]
            figures["independent"] = arrays.independent[:, area]
            figures["gap_areas"] = (arrays.share[10][:, area] < 0.5).astype(int)
        figures["jungle"] = _nanmean_rows(arrays.jungle)
        total = arrays.quality["total"]
        figures["stale_share"] = np.where(total > 0, arrays.quality["stale"] / np.maximum(
            total, 1), np.nan)
    return figures


def _table_rows(frames: AuditFrames, arrays: AuditArrays, area: int | None
                ) -> list[dict[str, Any]]:
    figures = _key_figures(arrays, area)
    munis = frames.municipalities.iloc[arrays.muni]
    rows = []
    for k, (_, m) in enumerate(munis.iterrows()):
        row = {
            "code": m["code"], "name": m["name"], "province": m["province"],
            "population": _int(m["population"]), "urbanisation": _int(m["urbanisation"]),
        }
        for key, values in figures.items():
            value = values[k]
            if key in {"services", "independent", "gap_areas"}:
                row[key] = int(value)
            else:
                row[key] = _num(value, 1 if key in {"mean_km"} else 3)
        rows.append(row)
    return rows


def _sort_rows(rows: list[dict[str, Any]], sort: str, descending: bool) -> list[dict]:
    present = [r for r in rows if r.get(sort) is not None]
    missing = [r for r in rows if r.get(sort) is None]
    if sort in {"name", "province"}:
        present.sort(key=lambda r: (str(r[sort]).casefold(), r["name"]), reverse=descending)
    else:
        present.sort(key=lambda r: (r[sort], r["name"]), reverse=descending)
    return present + missing  # unknown values always last


def audit_national(session: Session, area: str | None = None, metric: str = DEFAULT_METRIC,
                   *, sort: str | None = None, order: str | None = None,
                   as_of: dt.date | None = None, stale_after_days: int = 365
                   ) -> dict[str, Any]:
    """One row per municipality for one problem area (or all areas averaged).

    ``metric`` is the figure the map colours by; ``sort``/``order`` sort the table on the
    server so it works without JavaScript (default: by name).
    """
    area = check_area(area)
    metric = check_metric(metric)
    sort = (sort or "name").strip().lower()
    if sort not in SORT_KEYS:
        raise InvalidInput(f"Sorteren op '{sort[:30]}' kan niet. Kies uit: "
                           f"{', '.join(SORT_KEYS)}.", code="invalid_sort")
    order = (order or "asc").strip().lower()
    if order not in {"asc", "desc"}:
        raise InvalidInput("Kies 'asc' (oplopend) of 'desc' (aflopend).", code="invalid_order")
    as_of = as_of or dt.date.today()
    frames = _frames(session)
    arrays = _national_arrays(session, frames, as_of, stale_after_days)
    a = frames.area_codes.index(area) if area else None
    rows = _sort_rows(_table_rows(frames, arrays, a), sort, order == "desc")
    for row in rows:
        row["value"] = row.get(metric)
    _codes, labels, _events = _taxonomy()
    values = np.array([r["value"] for r in rows if r["value"] is not None], dtype=float)
    spec = METRICS[metric]
    return {
        "area": area,
        "area_label": labels[area].label if area else "Alle onderwerpen (gemiddeld)",
        "metric": metric,
        "metric_label": spec.label,
        "metric_kind": spec.kind,
        "higher_is_better": spec.higher_is_better,
        "sort": sort,
        "order": order,
        "as_of": as_of.isoformat(),
        "municipalities": len(rows),
        "summary": {
            "median": _num(np.median(values)) if values.size else None,
            "min": _num(values.min()) if values.size else None,
            "max": _num(values.max()) if values.size else None,
        },
        "rows": rows,
        "attribution": ATTRIBUTION,
    }


def similar_municipalities(session: Session, code: str, *, limit: int = 8,
                           as_of: dt.date | None = None, stale_after_days: int = 365
                           ) -> dict[str, Any]:
    """Municipalities of the same CBS urbanisation class (stedelijkheid), closest in size
    first, with their key figures and the class average, for a fair comparison."""
    municipality = get_municipality_row(session, code)
    as_of = as_of or dt.date.today()
    frames = _frames(session)
    arrays = _national_arrays(session, frames, as_of, stale_after_days)
    rows = _table_rows(frames, arrays, None)
    me = next(r for r in rows if r["code"] == municipality.code)
    urb = me["urbanisation"]
    same = [r for r in rows if r["urbanisation"] == urb and urb is not None]
    others = [r for r in same if r["code"] != me["code"]]
    size = max(me["population"] or 1, 1)
    others.sort(key=lambda r: (abs(math.log(max(r["population"] or 1, 1) / size)), r["name"]))
    average = {}
    for key in ("population", "share_5", "share_10", "share_20", "mean_km", "services",
                "independent", "gap_areas", "jungle", "stale_share"):
        values = [r[key] for r in same if r[key] is not None]
        average[key] = round(float(np.mean(values)), 3) if values else None
    return {
        "code": me["code"],
        "urbanisation": urb,
        "urbanisation_label": URBANISATION.get(urb),
        "class_size": len(same),
        "municipality": me,
        "class_average": average,
        "similar": others[:limit],
    }


# ----------------------------------------------------------------------------- map data

def pc4_distances(session: Session, code: str, area: str, *, as_of: dt.date | None = None
                  ) -> list[dict[str, Any]]:
    """Per PC4 area of a municipality: distance to the nearest independent help for
    ``area``, the organisation, and whether its point is approximate (for the map)."""
    municipality = get_municipality_row(session, code)
    area = check_area(area)
    if area is None:
        raise InvalidInput("Kies een onderwerp.", code="invalid_area")
    frames = _frames(session)
    arrays = audit_geo.compute(frames, [municipality.code], as_of=as_of or dt.date.today())
    a = frames.area_codes.index(area)
    origins = frames.origins.iloc[arrays.origin_rows].reset_index(drop=True)
    near = arrays.nearest_site[:, a]
    sites, svc = frames.sites, frames.services
    found = near >= 0
    site_svc = np.where(found, sites["svc"].to_numpy()[np.maximum(near, 0)], 0)
    table = pd.DataFrame({
        "pc4": origins["pc4"],
        "population": origins["population"].astype(int),
        "lat": origins["lat"].round(5), "lon": origins["lon"].round(5),
        "distance_km": np.where(found, np.round(arrays.distance_km[:, a], 1), np.nan),
        "service_id": svc["id"].to_numpy()[site_svc],
        "name": svc["name"].to_numpy()[site_svc],
        "organization": svc["organization"].to_numpy()[site_svc],
        "approximate": sites["approximate"].to_numpy(bool)[np.maximum(near, 0)]
        if len(sites) else False,
        "found": found,
    })
    records = table.to_dict("records")
    for r in records:  # reshape only; every figure above is computed column-wise
        found_here = r.pop("found")
        nearest = {k: r.pop(k) for k in ("service_id", "name", "organization", "approximate")}
        r["distance_km"] = None if not found_here else float(r["distance_km"])
        r["nearest"] = nearest if found_here else None
    return records


def municipality_exists(session: Session, code: str) -> str:
    """The normalised code of an existing municipality (or InvalidInput/NotFound)."""
    code = normalise_code(code)
    get_municipality_row(session, code)
    return code


__all__ = [
    "ATTRIBUTION", "METRICS", "NotFound", "audit_all", "audit_municipality",
    "audit_national", "clear_cache", "pc4_distances", "similar_municipalities",
]
