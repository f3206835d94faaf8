"""Gap audit for municipalities: where residents cannot reach independent help, and how
many organisations ("the loket jungle") a life event sends them to.

The geometry runs vectorised in ``geo.audit_geo``; this module turns its arrays into the
plain dicts of the API, the pages and the exports, and writes plain-language findings.
How every figure is computed is explained in ``docs/audit.md``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from geo import audit_geo
from geo.audit_geo import CATEGORIES, AuditArrays, AuditFrames
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
        "attribution": ATTRIBUTION,
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
    municipality = get_municipality_row(session, code)
    as_of = as_of or dt.date.today()
    frames = _frames(session)
    if municipality.code not in frames.muni_index:  # pragma: no cover - data changed midway
        audit_geo.clear_cache()
        frames = _frames(session)
    arrays = audit_geo.compute(frames, [municipality.code], events=_event_specs(),
                               as_of=as_of, stale_after_days=stale_after_days)
    return _assemble(frames, arrays, 0, as_of=as_of, stale_after_days=stale_after_days,
                     detail=True)


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


# ----------------------------------------------------------------------------- findings

def _pct(value: float) -> str:
    return f"{round(value * 100):d}%"


def _dec(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text if lang == "en" else text.replace(".", ",")


# Sentences for one area, or for a group of areas (listed after a colon, so labels that
# contain commas and "en" stay readable).
_GAP_TEXT = {
    "nl": {
        "none_10": "Voor {area} is er geen onafhankelijke hulp binnen 10 km voor {pct} van "
                   "de inwoners.",
        "none_10_all": ("Voor {area} heeft geen enkele inwoner onafhankelijke hulp binnen "
                        "10 km.",
                        "Bij deze onderwerpen heeft geen enkele inwoner onafhankelijke hulp "
                        "binnen 10 km: {area}."),
        "municipal_only": ("Voor {area} kunnen inwoners in de buurt alleen bij de gemeente "
                           "zelf terecht, niet bij onafhankelijke hulp.",
                           "Bij deze onderwerpen kunnen inwoners in de buurt alleen bij de "
                           "gemeente zelf terecht, niet bij onafhankelijke hulp: {area}."),
        "remote": ("Voor {area} is er geen onafhankelijke hulp binnen 10 km. Inwoners kunnen "
                   "alleen bellen, online hulp vragen of ver reizen.",
                   "Bij deze onderwerpen is er geen onafhankelijke hulp binnen 10 km en "
                   "kunnen inwoners alleen bellen, online hulp vragen of ver reizen: {area}."),
        "nothing": ("Voor {area} vinden we voor de meeste inwoners helemaal geen hulp.",
                    "Bij deze onderwerpen vinden we voor de meeste inwoners helemaal geen "
                    "hulp: {area}."),
        "jungle": "Bij '{event}' moeten inwoners gemiddeld met {n} verschillende "
                  "organisaties contact hebben.",
        "stale": "{n} van de {m} gegevens over hulp in de gemeente {verb} langer dan een "
                 "jaar niet gecontroleerd.",
        "approx": "{pct} van de afstanden is gemeten naar een locatie bij benadering "
                  "(alleen plaats of postcode bekend, geen adres).",
        "fine": "We vinden geen grote gaten: voor elk onderwerp hebben de meeste inwoners "
                "onafhankelijke hulp binnen 10 km.",
        "more": "en {n} andere",
    },
    "en": {
        "none_10": "For {area}, {pct} of residents have no independent help within 10 km.",
        "none_10_all": ("For {area}, no resident has independent help within 10 km.",
                        "For these topics, no resident has independent help within 10 km: "
                        "{area}."),
        "municipal_only": ("For {area}, residents can only turn to the municipality itself "
                           "nearby, not to independent help.",
                           "For these topics, residents can only turn to the municipality "
                           "itself nearby, not to independent help: {area}."),
        "remote": ("For {area}, there is no independent help within 10 km. Residents can "
                   "only call, ask online or travel far.",
                   "For these topics, there is no independent help within 10 km and "
                   "residents can only call, ask online or travel far: {area}."),
        "nothing": ("For {area}, we find no help at all for most residents.",
                    "For these topics, we find no help at all for most residents: {area}."),
        "jungle": "For '{event}', residents deal with {n} different organisations on "
                  "average.",
        "stale": "{n} of the {m} records about help in the municipality {verb} not been "
                 "checked for over a year.",
        "approx": "{pct} of distances are measured to an approximate location (only the "
                  "town or postcode is known, no address).",
        "fine": "We find no large gaps: for every topic most residents have independent help "
                "within 10 km.",
        "more": "and {n} more",
    },
}


def _group_sentence(templates: tuple[str, str], names: list[str], more: str,
                    most: int = 5) -> str:
    """One area: the short sentence; several: the list after a colon ('A; B; en 3 andere')."""
    if len(names) == 1:
        return templates[0].format(area=names[0])
    shown = names if len(names) <= most else [*names[:most - 1],
                                               more.format(n=len(names) - most + 1)]
    return templates[1].format(area="; ".join(shown))


def biggest_gaps(audit: dict[str, Any], *, limit: int = 8, lang: str = "nl") -> list[str]:
    """The largest gaps of an audit as short plain-language sentences (B1), worst first.

    At most one sentence per problem area (the most telling one), then the loket jungle,
    stale records and approximate locations.
    """
    text = _GAP_TEXT["en" if lang == "en" else "nl"]
    label_key = "label_en" if lang == "en" else "label"
    scored: list[tuple[float, str]] = []
    approx = measured = 0
    groups: dict[str, list[str]] = {"municipal_only": [], "nothing": [], "remote": [],
                                    "none_10_all": []}
    for area in audit["areas"]:
        name = area.get(label_key) or area["label"]
        within_10 = area["share_within_km"].get("10")
        best = area["best_help"]
        if area["mean_km"] is not None:
            approx += area["approximate_distances"]
            measured += area["distances"]
        if area["municipal_only"]:
            groups["municipal_only"].append(name)
        elif (best["none"] or 0) >= 0.5:
            groups["nothing"].append(name)
        elif within_10 == 0 and (best["remote"] or 0) >= 0.5:
            groups["remote"].append(name)
        elif within_10 == 0:
            groups["none_10_all"].append(name)
        elif within_10 is not None and within_10 < 0.75:
            gap = 1 - within_10
            scored.append((1.0 + gap, text["none_10"].format(area=name, pct=_pct(gap))))
    for key, score in (("municipal_only", 2.5), ("nothing", 2.4), ("none_10_all", 2.2),
                       ("remote", 2.0)):
        if groups[key]:
            scored.append((score, _group_sentence(text[key], groups[key], text["more"])))
    events = [e for e in audit.get("life_events", []) if e["organisations"] is not None]
    if events:
        worst = max(events, key=lambda e: e["organisations"])
        if worst["organisations"] >= 3:
            scored.append((1.0 + worst["organisations"] / 10, text["jungle"].format(
                event=worst.get(label_key) or worst["label"],
                n=_dec(worst["organisations"], lang))))
    dq = audit.get("data_quality", {})
    if dq.get("records") and dq.get("stale", 0) / dq["records"] >= 0.25:
        scored.append((0.5 + dq["stale"] / dq["records"],
                       text["stale"].format(n=dq["stale"], m=dq["records"], verb=(
                           ("has" if dq["stale"] == 1 else "have") if lang == "en"
                           else ("is" if dq["stale"] == 1 else "zijn")))))
    if measured and approx / measured >= 0.25:
        scored.append((0.4 + approx / measured / 10,
                       text["approx"].format(pct=_pct(approx / measured))))
    if not scored:
        return [text["fine"]]
    scored.sort(key=lambda item: -item[0])
    return [sentence for _score, sentence in scored[:limit]]


# ----------------------------------------------------------------------------- tables and exports

@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | pct | km | num | date


SCORECARD_COLUMNS = (
    Column("code", "Code"), Column("label", "Onderwerp"),
    Column("services", "Hulpdiensten voor inwoners", "int"),
    Column("independent", "Onafhankelijk", "int"),
    Column("free", "Gratis", "int"), Column("walk_in", "Inloop", "int"),
    Column("own", "Voor deze gemeente", "int"), Column("nearby", "In de buurt (< 20 km)", "int"),
    Column("national", "Landelijk", "int"),
    Column("remote_only", "Alleen op afstand/telefonisch", "int"),
    Column("share_5", "Inwoners met onafhankelijke hulp binnen 5 km", "pct"),
    Column("share_10", "Inwoners met onafhankelijke hulp binnen 10 km", "pct"),
    Column("share_20", "Inwoners met onafhankelijke hulp binnen 20 km", "pct"),
    Column("mean_km", "Gemiddelde afstand (km)", "km"),
    Column("max_km", "Grootste afstand (km)", "km"),
    Column("approximate_distances", "Afstanden naar locatie bij benadering", "int"),
    Column("distances", "Postcodegebieden", "int"),
    Column("municipal_only", "Alleen de gemeente zelf"),
    Column("stale", "Gegevens ouder dan een jaar", "int"),
)
NATIONAL_COLUMNS = (
    Column("code", "Code"), Column("name", "Gemeente"), Column("province", "Provincie"),
    Column("population", "Inwoners", "int"), Column("urbanisation", "Stedelijkheid", "int"),
    Column("share_5", METRICS["share_5"].label, "pct"),
    Column("share_10", METRICS["share_10"].label, "pct"),
    Column("share_20", METRICS["share_20"].label, "pct"),
    Column("mean_km", METRICS["mean_km"].label, "km"),
    Column("services", METRICS["services"].label, "int"),
    Column("independent", METRICS["independent"].label, "int"),
    Column("jungle", METRICS["jungle"].label, "num"),
    Column("stale_share", METRICS["stale_share"].label, "pct"),
)
LONG_COLUMNS = (Column("municipality", "Gemeentecode"), Column("name", "Gemeente"),
                *SCORECARD_COLUMNS)
EVENT_COLUMNS = (
    Column("label", "Levensgebeurtenis"), Column("areas", "Onderwerpen"),
    Column("organisations", "Organisaties (gemiddeld)", "num"),
    Column("organisations_max", "Organisaties (hoogst)", "int"),
    Column("municipal_only_areas", "Alleen de gemeente zelf"),
    Column("without_help_areas", "Geen hulp gevonden"),
)
QUALITY_COLUMNS = (
    Column("name", "Dienst"), Column("organization", "Organisatie"),
    Column("provider_type", "Soort"), Column("source", "Bron"),
    Column("last_checked", "Laatst gecontroleerd", "date"), Column("issues", "Wat ontbreekt"),
    Column("source_url", "Bronadres"),
)


def scorecard_rows(audit: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per problem area (for tables and exports)."""
    rows = []
    for area in audit["areas"]:
        row = {k: v for k, v in area.items() if not isinstance(v, dict)}
        for km, value in area["share_within_km"].items():
            row[f"share_{km}"] = value
        row["municipal_only"] = "ja" if area["municipal_only"] else "nee"
        rows.append(row)
    return rows


def event_rows(audit: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**e, "areas": ", ".join(e["areas"]),
             "municipal_only_areas": ", ".join(e["municipal_only_areas"]),
             "without_help_areas": ", ".join(e["without_help_areas"])}
            for e in audit["life_events"]]


def quality_rows(audit: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**item, "issues": "; ".join(item["issues"])}
            for item in audit["data_quality"].get("items", [])]


def long_rows(audits: Sequence[dict[str, Any]], area: str | None = None
              ) -> list[dict[str, Any]]:
    """Municipality × area rows of several audits (the national export)."""
    return [{"municipality": a["code"], "name": a["name"], **row}
            for a in audits for row in scorecard_rows(a)
            if area is None or row["code"] == area]


def _csv_cell(value: Any, kind: str) -> str:
    """Dutch spreadsheet conventions: decimal comma, percentages as numbers 0–100."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if kind == "pct":
        return f"{value * 100:.1f}".replace(".", ",")
    if kind in {"km", "num"} or isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def to_csv(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> bytes:
    """CSV for Dutch Excel: UTF-8 with BOM, ``;`` between fields, decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label + (" (%)" if c.kind == "pct" else "") for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(c.key), c.kind) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_FORMATS = {"pct": "0.0%", "km": "0.0", "num": "0.0", "int": "#,##0", "date": "yyyy-mm-dd"}


def to_xlsx(sheets: Sequence[tuple[str, Sequence[Column], Sequence[dict[str, Any]]]],
            notes: Sequence[str] = ()) -> bytes:
    """A workbook with one styled table per sheet (bold header, frozen, filterable,
    number formats) and a sheet with sources and notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="00546B")
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append([c.label for c in columns])
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            values = []
            for c in columns:
                v = row.get(c.key)
                if isinstance(v, bool):
                    v = "ja" if v else "nee"
                if c.kind == "date" and isinstance(v, str):
                    with contextlib.suppress(ValueError):
                        v = dt.date.fromisoformat(v)
                values.append(v)
            ws.append(values)
        for j, c in enumerate(columns, start=1):
            letter = get_column_letter(j)
            fmt = _FORMATS.get(c.kind)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
            longest = max([len(c.label) // 2, *(len(str(r.get(c.key) or "")) for r in rows[:500])],
                          default=10)
            ws.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = ws.dimensions
    info = wb.create_sheet("Bronnen")
    info.append(["Bronnen en toelichting"])
    info["A1"].font = Font(bold=True)
    for line in (*notes, *ATTRIBUTION):
        info.append([line])
    info.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _notes(audit_or_table: dict[str, Any]) -> list[str]:
    return [
        f"Loketwijzer gap-audit, peildatum {audit_or_table.get('as_of')}.",
        "Afstanden in rechte lijn vanaf het midden van elk postcodegebied (PC4), gewogen "
        "naar inwoners. Zie docs/audit.md voor de rekenwijze.",
    ]


def export_scorecard(audit: dict[str, Any], fmt: str, area: str | None = None) -> bytes:
    """The scorecard of one municipality as CSV (areas) or XLSX (areas, life events, data
    quality, sources)."""
    rows = [r for r in scorecard_rows(audit) if area is None or r["code"] == area]
    if fmt == "csv":
        return to_csv(SCORECARD_COLUMNS, rows)
    if fmt == "xlsx":
        return to_xlsx([
            ("Scorekaart", SCORECARD_COLUMNS, rows),
            ("Levensgebeurtenissen", EVENT_COLUMNS, event_rows(audit)),
            ("Datakwaliteit", QUALITY_COLUMNS, quality_rows(audit)),
        ], notes=[f"Gemeente {audit['name']} ({audit['code']}).", *_notes(audit)])
    raise InvalidInput(f"Formaat '{fmt[:10]}' kan niet. Kies csv of xlsx.",
                       code="invalid_format")


def export_national(table: dict[str, Any], fmt: str) -> bytes:
    """The national table (one row per municipality) as CSV or XLSX."""
    if fmt == "csv":
        return to_csv(NATIONAL_COLUMNS, table["rows"])
    if fmt == "xlsx":
        return to_xlsx([("Gemeenten", NATIONAL_COLUMNS, table["rows"])],
                       notes=[f"Onderwerp: {table['area_label']}.", *_notes(table)])
    raise InvalidInput(f"Formaat '{fmt[:10]}' kan niet. Kies csv of xlsx.",
                       code="invalid_format")


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
    "audit_national", "biggest_gaps", "clear_cache", "export_national", "export_scorecard",
    "pc4_distances", "similar_municipalities",
]
