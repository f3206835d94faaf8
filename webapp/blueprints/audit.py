"""Pages for municipalities: the national gap overview, the scorecard per municipality,
exports (CSV/XLSX) and a printable report.

Tables are the content; the maps repeat the same figures. Sorting and choosing an area
or metric are plain links and GET forms, so everything works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from geo import audit_geo
from loketwijzer import audit_export, audit_findings, scan_export, signals
from loketwijzer.actions import audit, scan
from loketwijzer.taxonomy import problem_areas
from webapp import maps
from webapp.db import get_session, get_settings

bp = Blueprint("audit", __name__, url_prefix="/audit")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Sequential, colour-blind-safe (ColorBrewer YlGnBu): darker always means better access.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#bdbdbd"
BINS: dict[str, tuple[float, ...]] = {
    "pct": (0.2, 0.4, 0.6, 0.8),
    "km": (5, 10, 20, 40),
    "services": (5, 10, 20, 40),
    "independent": (2, 4, 8, 16),
    "jungle": (1.5, 2.0, 2.5, 3.0),
}


def _lang() -> str:
    return str(get_locale() or "nl")


def _stale_days() -> int:
    return get_settings().stale_after_days


# ----------------------------------------------------------------------------- formatting

def fmt_number(value: Any, digits: int = 0) -> str:
    """Numbers the Dutch way (1.234,5) or the English way (1,234.5)."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    if _lang() != "en":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


@bp.app_template_filter("audit_pct")
def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{fmt_number(value * 100)}%"


@bp.app_template_filter("audit_km")
def fmt_km(value: float | None) -> str:
    return _("geen") if value is None else f"{fmt_number(value, 1)} km"


@bp.app_template_filter("audit_num")
def fmt_num(value: float | None, digits: int = 0) -> str:
    return fmt_number(value, digits)


def format_value(value: Any, kind: str) -> str:
    if kind == "pct":
        return fmt_pct(value)
    if kind == "km":
        return fmt_km(value)
    if kind == "num":
        return fmt_number(value, 1)
    return fmt_number(value)


def label_of(item: dict[str, Any]) -> str:
    return (item.get("label_en") if _lang() == "en" else None) or item.get("label") or ""


# ----------------------------------------------------------------------------- colour scales

def colour_scale(metric: str, kind: str, higher_is_better: bool
                 ) -> tuple[tuple[float, ...], tuple[str, ...], list[str]]:
    """Bins, colours and legend labels of a metric (darker = better for every metric)."""
    bins = BINS.get(metric) or BINS.get(kind) or BINS["pct"]
    colours = PALETTE if higher_is_better else tuple(reversed(PALETTE))
    shown = [format_value(b, kind) for b in bins]
    labels = [_("minder dan %(v)s", v=shown[0])]
    labels += [_("%(a)s tot %(b)s", a=shown[i], b=shown[i + 1]) for i in range(len(bins) - 1)]
    labels.append(_("%(v)s of meer", v=shown[-1]))
    return bins, colours, labels


def colour_for(value: float | None, bins: tuple[float, ...], colours: tuple[str, ...]) -> str:
    if value is None:
        return NO_DATA
    for limit, colour in zip(bins, colours, strict=False):
        if value < limit:
            return colour
    return colours[-1]


# ----------------------------------------------------------------------------- maps

def national_map(table: dict[str, Any]) -> tuple[maps.MapParts | None, list[dict]]:
    """Choropleth of all municipalities for the chosen area and metric, plus its legend."""
    shapes = audit_geo.municipality_geojson(get_session())
    kind = table["metric_kind"]
    bins, colours, labels = colour_scale(table["metric"], kind, table["higher_is_better"])
    legend = [{"colour": c, "label": t} for c, t in zip(colours, labels, strict=True)]
    legend.append({"colour": NO_DATA, "label": _("geen gegevens")})
    areas = [
        maps.ChoroplethArea(
            geometry=shapes[row["code"]], value=row["value"], label=row["name"],
            popup=f"{row['name']}: {format_value(row['value'], kind)}")
        for row in table["rows"] if row["code"] in shapes
    ]
    if not areas:
        return None, legend
    m = maps.new_map(label=_("Kaart van Nederland: %(metric)s per gemeente",
                             metric=metric_label(table["metric"])),
                     center=(52.2, 5.3), zoom=7, height="34rem", settings=get_settings())
    maps.add_choropleth(m, areas, bins=bins, colours=colours, bin_labels=labels,
                        no_data_label=_("geen gegevens"), no_data_colour=NO_DATA,
                        tolerance=0.0005)
    return maps.render_parts(m, []), legend


def pc4_map(code: str, name: str, area: str, rows: list[dict[str, Any]]
            ) -> tuple[maps.MapParts | None, list[dict]]:
    """PC4 areas of one municipality shaded by distance to independent help for ``area``."""
    session = get_session()
    shapes = audit_geo.pc4_shapes(session, code)
    bins, colours, labels = colour_scale("km", "km", False)
    legend = [{"colour": c, "label": t} for c, t in zip(colours, labels, strict=True)]
    legend.append({"colour": NO_DATA, "label": _("geen onafhankelijke hulp gevonden")})
    by_pc4 = {r["pc4"]: r for r in rows if r["pc4"]}
    areas = []
    for pc4, geometry in zip(shapes["pc4"], shapes.geometry, strict=True):
        row = by_pc4.get(pc4)
        if row is None:
            continue
        near = row["nearest"]
        popup = f"{pc4}: {fmt_km(row['distance_km'])}"
        if near:
            popup += f" – {near['organization']}"
            if near["approximate"]:
                popup += f" ({_('locatie bij benadering')})"
        areas.append(maps.ChoroplethArea(geometry=geometry.__geo_interface__,
                                         value=row["distance_km"], label=pc4, popup=popup))
    if not areas:
        return None, legend
    m = maps.new_map(label=_("Kaart van %(name)s: afstand tot onafhankelijke hulp per "
                             "postcodegebied", name=name), zoom=11, settings=get_settings())
    maps.add_choropleth(m, areas, bins=bins, colours=colours, bin_labels=labels,
                        no_data_label=_("geen onafhankelijke hulp gevonden"),
                        no_data_colour=NO_DATA, tolerance=0.0002)
    bounds = shapes.total_bounds
    maps.fit_to(m, [(bounds[1], bounds[0]), (bounds[3], bounds[2])], max_zoom=13)
    return maps.render_parts(m, []), legend


def metric_label(metric: str) -> str:
    spec = audit.METRICS[metric]
    return spec.label_en if _lang() == "en" else spec.label


# ----------------------------------------------------------------------------- exports

def _download(data: bytes, filename: str, fmt: str) -> Response:
    if fmt not in MIMETYPES:
        abort(404)
    return Response(data, mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def _national_table() -> dict[str, Any]:
    return audit.audit_national(
        get_session(), request.args.get("area") or None,
        request.args.get("metric") or audit.DEFAULT_METRIC,
        sort=request.args.get("sort"), order=request.args.get("order"),
        stale_after_days=_stale_days())


def _export_national(fmt: str) -> Response:
    table = _national_table()
    stamp = dt.date.today().isoformat()
    suffix = f"-{table['area']}" if table["area"] else ""
    return _download(audit_export.export_national(table, fmt),
                     f"loketwijzer-audit-gemeenten{suffix}-{stamp}.{fmt}", fmt)


def _export_scorecard(code: str, fmt: str) -> Response:
    """The scorecard; the XLSX adds the rechtsbescherming-scan and demand signals, and
    ``?deel=scan`` or ``?deel=zoekvragen`` gives those as CSV."""
    if fmt not in MIMETYPES:
        abort(404)
    session = get_session()
    part = request.args.get("deel")
    # One audit run serves the scorecard and the scan.
    audited = audit.audit_with_services(session, code, stale_after_days=_stale_days())
    result = audited[0]
    stamp = f"{result['code']}-{result['as_of']}.{fmt}"
    if fmt == "csv" and part:
        checked = scan.scan_municipality(session, code, stale_after_days=_stale_days(),
                                         audited=audited)
        return _download(scan_export.export_part_csv(checked, part),
                         f"loketwijzer-{part}-{stamp}", fmt)
    area = audit.check_area(request.args.get("area"))
    extra: dict[str, Any] = {}
    if fmt == "xlsx":
        checked = scan.scan_municipality(session, code, stale_after_days=_stale_days(),
                                         audited=audited)
        extra = {"extra_sheets": scan_export.xlsx_sheets(checked),
                 "extra_notes": scan_export.notes(checked)}
    return _download(audit_export.export_scorecard(result, fmt, area=area, **extra),
                     f"loketwijzer-audit-{stamp}", fmt)


# ----------------------------------------------------------------------------- pages

def _sort_link(key: str, table: dict[str, Any]) -> dict[str, Any]:
    """Header link that sorts by ``key`` (toggling when already sorted by it)."""
    active = table["sort"] == key
    order = "desc" if active and table["order"] == "asc" else "asc"
    args = {k: v for k, v in request.args.items() if k not in {"sort", "order"}}
    return {
        "href": url_for("audit.overview", **args, sort=key, order=order) + "#tabel",
        "aria_sort": ("ascending" if table["order"] == "asc" else "descending")
        if active else None,
    }


@bp.get("")
@bp.get("/")
def overview():
    fmt = request.args.get("format")
    if fmt:
        return _export_national(fmt)
    table = _national_table()
    parts, legend = national_map(table)
    columns = [
        ("name", _("Gemeente"), "text"), ("population", _("Inwoners"), "int"),
        ("urbanisation", _("Stedelijkheid"), "int"),
        ("share_5", _("Binnen 5 km"), "pct"), ("share_10", _("Binnen 10 km"), "pct"),
        ("share_20", _("Binnen 20 km"), "pct"), ("mean_km", _("Gemiddelde afstand"), "km"),
        ("independent", _("Onafhankelijke diensten"), "int"),
        ("jungle", _("Loket-jungle"), "num"), ("stale_share", _("Verouderd"), "pct"),
    ]
    sort_links = {key: _sort_link(key, table) for key, _label, _kind in columns}
    export_args = {k: v for k, v in request.args.items() if k != "format"}
    area_title = _("Alle onderwerpen (gemiddeld)")
    for x in problem_areas():
        if x.code == table["area"]:
            area_title = x.label_en if _lang() == "en" else x.label
    return render_template(
        "audit_index.html", table=table, columns=columns, sort_links=sort_links,
        map_parts=parts, legend=legend, areas=problem_areas(), metrics=audit.METRICS,
        metric_label=metric_label, format_value=format_value, label_of=label_of,
        export_args=export_args, area_title=area_title,
    )


@bp.get("/export.<fmt>")
def export(fmt: str):
    return _export_national(fmt)


@bp.get("/<code>.<any(csv, xlsx):fmt>")
def scorecard_export(code: str, fmt: str):
    return _export_scorecard(code, fmt)


def _scorecard_context(code: str, result: dict[str, Any] | None = None) -> dict[str, Any]:
    session = get_session()
    result = result or audit.audit_municipality(session, code,
                                                stale_after_days=_stale_days())
    chosen = audit.check_area(request.args.get("area"))
    if chosen is None:  # show the area with the largest gap first
        worst = min(result["areas"], key=lambda a: (a["share_within_km"]["10"] or 0,
                                                   -(a["services"] or 0)))
        chosen = worst["code"]
    similar = audit.similar_municipalities(session, result["code"],
                                           stale_after_days=_stale_days())
    trend = signals.demand_signals(session, result["code"], lang=_lang())
    return {
        "trend": trend,
        "demand": signals.demand_vs_supply(trend, result, _lang()),
        "a": result,
        "chosen": chosen,
        "chosen_area": next(x for x in result["areas"] if x["code"] == chosen),
        "gaps": audit_findings.biggest_gaps(result, lang=_lang()),
        "similar": similar,
        "labels": {x["code"]: label_of(x) for x in result["areas"]},
        "label_of": label_of,
        "format_value": format_value,
        "urbanisation": audit.URBANISATION_EN if _lang() == "en" else audit.URBANISATION,
        "issue_labels": {
            "stale": _("niet gecontroleerd in de afgelopen 12 maanden"),
            "no_schedule": _("geen openingstijden"),
            "no_phone": _("geen telefoonnummer"),
            "no_address": _("geen adres"),
        },
    }


@bp.get("/<code>")
def scorecard(code: str):
    fmt = request.args.get("format")
    if fmt:
        return _export_scorecard(code, fmt)
    ctx = _scorecard_context(code)
    rows = audit.pc4_distances(get_session(), ctx["a"]["code"], ctx["chosen"])
    parts, legend = pc4_map(ctx["a"]["code"], ctx["a"]["name"], ctx["chosen"], rows)
    return render_template("audit_municipality.html", pc4_rows=rows, map_parts=parts,
                           legend=legend, **ctx)


@bp.get("/<code>/print")
def scorecard_print(code: str):
    from webapp.blueprints.scan import scan_context

    audited = audit.audit_with_services(get_session(), code, stale_after_days=_stale_days())
    return render_template("audit_print.html", **_scorecard_context(code, audited[0]),
                           **scan_context(code, audited))
