"""Folium maps that load nothing from third-party hosts and embed in our own pages.

Folium normally pulls Leaflet, jQuery, Bootstrap and Font Awesome from CDNs and writes a
whole HTML document with ``user-scalable=no``. Residents' browsers must not call other
hosts (privacy) and must be able to zoom (WCAG 1.4.4), so this module:

* uses :class:`LocalMap`, a ``folium.Map`` whose template drops the viewport meta and the
  full-page styles, gives the map container an accessible name and Dutch zoom buttons,
  and whose only assets are Leaflet from our ``/vendor`` route;
* points MarkerCluster at ``/vendor`` as well;
* splits the rendered figure into :class:`MapParts` (head, container, scripts) that a
  page template places in its own blocks, and refuses to hand out parts that would load
  a script or stylesheet from another host (:func:`external_asset_urls`).

Only map tiles (``Settings.tile_url``) come from elsewhere: PDOK by default.

The helpers are general on purpose: the finder draws help locations with
:func:`add_places`, the audit pages draw choropleths with :func:`add_choropleth`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from flask import has_request_context, url_for
from folium.plugins import MarkerCluster
from folium.template import Template
from markupsafe import Markup, escape

from loketwijzer.config import Settings
from webapp.i18n import gettext as _
from webapp.i18n import ngettext

# Boundaries and place names shown on every map (the tile attribution comes from Settings).
DATA_ATTRIBUTION = "Grenzen: CBS/Kadaster 2024 | Plaatsen: GeoNames"

# Above this many exact points, markers are clustered so a phone screen stays readable.
CLUSTER_FROM = 12

# Provider type → (short text on the marker, colour). The text means the type is never
# told by colour alone (WCAG 1.4.1); the legend spells each one out.
MARKER_STYLES: dict[str, tuple[str, str]] = {
    "juridisch_loket": ("JL", "#00546b"),
    "rechtswinkel": ("RW", "#6b2c91"),
    "sociaal_raadslieden": ("SR", "#1d6b2e"),
    "schuldhulp_vrijwilligers": ("GH", "#8a4b00"),
    "huurteam": ("HT", "#9c1c4f"),
    "anti_discriminatie": ("AD", "#3d3d99"),
    "vluchtelingenwerk": ("VW", "#005f73"),
    "ombudsman": ("OM", "#5c4a00"),
    "veilig_thuis": ("VT", "#b00020"),
    "slachtofferhulp": ("SH", "#7a2e00"),
    "nationale_hulplijn": ("LH", "#36454f"),
    "gemeente": ("G", "#333333"),
    "other": ("H", "#4a4a4a"),
}
APPROXIMATE_COLOUR = "#5c4000"
ORIGIN_COLOUR = "#b00020"
BOUNDARY_COLOUR = "#00546b"


def marker_style(provider_type: str | None) -> tuple[str, str]:
    return MARKER_STYLES.get(provider_type or "other", MARKER_STYLES["other"])


def vendor_url(package: str, filename: str) -> str:
    """URL of a vendored asset on our own server (see ``webapp/assets.py``)."""
    if has_request_context():
        return url_for("vendor.vendor_file", name=package, filename=filename)
    return f"/vendor/{package}/{filename}"


class LocalMap(folium.Map):
    """A ``folium.Map`` for embedding: local Leaflet, no zoom lock, an accessible name."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                #{{ this.get_name() }} {
                    position: relative;
                    width: {{ this.width[0] }}{{ this.width[1] }};
                    height: {{ this.height[0] }}{{ this.height[1] }};
                }
                .leaflet-container { font-size: {{ this.font_size }}; }
            </style>
            <script>
                L_NO_TOUCH = {{ this.global_switches.no_touch|tojson }};
                L_DISABLE_3D = {{ this.global_switches.disable_3d|tojson }};
            </script>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map lw-map" id={{ this.get_name()|tojson }}
                 role="region" aria-label="{{ this.label }}"></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{ this.options|tojavascript }}
                }
            );
            L.control.zoom({
                position: "topleft",
                zoomInTitle: {{ this.zoom_in_title|tojson }},
                zoomOutTitle: {{ this.zoom_out_title|tojson }}
            }).addTo({{ this.get_name() }});
            {%- if this.control_scale %}
            L.control.scale({imperial: false}).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        kwargs["zoom_control"] = False  # added by the template, with Dutch titles
        kwargs.setdefault("tiles", None)
        super().__init__(**kwargs)
        self.label = escape(label)
        self.zoom_in_title = _("Inzoomen")
        self.zoom_out_title = _("Uitzoomen")
        # Instance attributes: never mutate folium's shared class-level lists.
        self.default_js = [("leaflet", vendor_url("leaflet", "leaflet.js"))]
        self.default_css = [("leaflet_css", vendor_url("leaflet", "leaflet.css"))]


def local_marker_cluster(**kwargs: Any) -> MarkerCluster:
    cluster = MarkerCluster(**kwargs)
    cluster.default_js = [
        ("markerclusterjs", vendor_url("leaflet-markercluster", "leaflet.markercluster.js")),
    ]
    cluster.default_css = [
        ("markerclustercss", vendor_url("leaflet-markercluster", "MarkerCluster.css")),
        ("markerclusterdefaultcss",
         vendor_url("leaflet-markercluster", "MarkerCluster.Default.css")),
    ]
    return cluster


def new_map(
    *,
    label: str,
    center: Sequence[float] = (52.16, 5.3),
    zoom: int = 12,
    height: str = "24rem",
    settings: Settings | None = None,
    attribution: str = DATA_ATTRIBUTION,
) -> LocalMap:
    """An empty map with the configured tiles (PDOK BRT by default) and full attribution.

    ``label`` is the map's accessible name, e.g. "Kaart met hulp bij u in de buurt".
    """
    settings = settings or Settings()
    m = LocalMap(
        label=label,
        location=list(center),
        zoom_start=zoom,
        height=height,
        control_scale=True,
        scroll_wheel_zoom=False,  # the page scrolls, the map zooms with its buttons
        max_bounds=False,
    )
    folium.TileLayer(
        tiles=settings.tile_url,
        attr=f"{settings.tile_attribution} | {attribution}",
        name="BRT-Achtergrondkaart",
        min_zoom=6,
        max_zoom=19,
        max_native_zoom=19,
    ).add_to(m)
    return m


class SafeTooltip(MacroElement):
    """A plain-text tooltip, escaped here and passed as JSON: no way for data to break out of
    the script (folium puts tooltip HTML in a JS template literal)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip({{ this.html|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "SafeTooltip"
        self.html = str(escape(text))


# -- what goes on a map ----------------------------------------------------------------


@dataclass(frozen=True)
class MapPlace:
    """One place of help on a map; ``approximate`` places never get a pin."""

    lat: float
    lon: float
    name: str
    provider_type: str = "other"
    type_label: str = ""
    approximate: bool = False
    address: str | None = None
    location_label: str | None = None
    phone: str | None = None
    href: str | None = None  # our own page about the service
    number: int | None = None  # its number in the list next to the map
    town: str | None = None  # where an approximate point stands for (grouped by it)


@dataclass(frozen=True)
class LegendItem:
    symbol: str  # the short text on the marker ("" for shapes)
    colour: str
    label: str
    shape: str = "round"  # round | square | dashed | origin | area


@dataclass
class MapParts:
    """A rendered map, split for a page template.

    ``head`` goes in ``<head>`` (stylesheets, styles), ``body`` where the map should
    appear, ``scripts`` at the end of ``<body>``. ``legend`` lists what the symbols mean.
    """

    head: Markup
    body: Markup
    scripts: Markup
    legend: list[LegendItem] = field(default_factory=list)


def route_url(lat: float, lon: float) -> str:
    """A directions link (clicked by the user; nothing is loaded from OpenStreetMap)."""
    return f"https://www.openstreetmap.org/directions?to={lat:.5f}%2C{lon:.5f}"


def _popup_html(place: MapPlace) -> str:
    approximate_text = _("Locatie bij benadering")
    source_address_text = _("Adres volgens de bron")
    more_text = _("Meer informatie")
    route_text = _("Route")
    number = f"{place.number}. " if place.number is not None else ""
    parts = [f"<strong>{escape(number)}{escape(place.name)}</strong>"]
    if place.type_label:
        parts.append(f"<br>{escape(place.type_label)}")
    if place.approximate:
        where = f": {escape(place.location_label)}" if place.location_label else ""
        parts.append(f"<br><em>{escape(approximate_text)}{where}</em>")
        if place.address:
            parts.append(f"<br>{escape(source_address_text)}: {escape(place.address)}")
    elif place.address:
        parts.append(f"<br>{escape(place.address)}")
    if place.phone:
        tel = re.sub(r"[^0-9+]", "", place.phone)
        parts.append(f'<br><a href="tel:{escape(tel)}">{escape(place.phone)}</a>')
    links = []
    if place.href:
        links.append(f'<a href="{escape(place.href)}">{escape(more_text)}</a>')
    if not place.approximate:
        links.append(f'<a href="{escape(route_url(place.lat, place.lon))}">'
                     f"{escape(route_text)}</a>")
    if links:
        parts.append("<br>" + " · ".join(links))
    return "".join(parts)


def _badge_html(symbol: str, colour: str, shape: str) -> str:
    return (f'<span class="lw-badge lw-badge--{shape}" style="background:{colour}" '
            f'aria-hidden="true">{escape(symbol)}</span>')


def add_origin(m: folium.Map, lat: float, lon: float, label: str) -> LegendItem:
    """The resident's search point: a distinct red star with a text label."""
    marker = folium.Marker(
        [lat, lon],
        icon=folium.DivIcon(html=_badge_html("★", ORIGIN_COLOUR, "origin"),
                            icon_size=(30, 30), icon_anchor=(15, 15), class_name="lw-marker"),
        title=label,
        z_index_offset=1000,
    ).add_to(m)
    SafeTooltip(label).add_to(marker)
    return LegendItem("★", ORIGIN_COLOUR, _("Uw zoekpunt"), "origin")


class PlacesLayer(MacroElement):
    """All places of one map as one GeoJSON FeatureCollection, drawn by our own static
    script (``static/js/map_places.js``): one small inline call instead of a Folium
    template per marker, popup and tooltip (issue 13). The HTML inside is built and
    escaped here; it travels as JSON strings, so data cannot break out of the script."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            lwPlaces({{ this._parent.get_name() }}, {{ this.data|tojson }},
                     {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PlacesLayer"
        self.data = data
        self.options = options

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if self.options.get("cluster"):
            for name, url in local_marker_cluster().default_css:
                figure.header.add_child(CssLink(url), name=name)
            for name, url in local_marker_cluster().default_js:
                figure.header.add_child(JavascriptLink(url), name=name)
        figure.header.add_child(JavascriptLink(places_script_url()), name="lw_places")
        super().render(**kwargs)


def places_script_url() -> str:
    if has_request_context():
        return url_for("static", filename="js/map_places.js")
    return "/static/js/map_places.js"


def _point(lat: float, lon: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties}


def add_places(m: folium.Map, places: Iterable[MapPlace], *,
               cluster_from: int = CLUSTER_FROM) -> list[LegendItem]:
    """Markers for exact places (clustered when many) and dashed circles for approximate
    ones, as one :class:`PlacesLayer`. Returns the legend for the types drawn."""
    places = list(places)
    exact = [p for p in places if not p.approximate]
    rough = [p for p in places if p.approximate]
    features: list[dict[str, Any]] = []
    legend: dict[str, LegendItem] = {}
    for place in exact:
        symbol, colour = marker_style(place.provider_type)
        shape = "square" if place.provider_type == "gemeente" else "round"
        shown = str(place.number) if place.number is not None else symbol
        features.append(_point(place.lat, place.lon, {
            "kind": "pin", "badge": _badge_html(shown, colour, shape), "title": place.name,
            "popup": _popup_html(place)}))
        legend.setdefault(place.provider_type,
                          LegendItem(symbol, colour, place.type_label or place.provider_type,
                                     shape))
    if rough:
        for (lat, lon), together in approximate_spots(rough):
            town = together[0].town
            if len(together) == 1:
                tooltip = _("%(name)s (locatie bij benadering)", name=together[0].name)
                popup = _popup_html(together[0])
            elif town:
                tooltip = _("%(n)d plekken in %(town)s (locatie bij benadering)",
                            n=len(together), town=town)
                popup = "<hr>".join(_popup_html(p) for p in together)
            else:
                tooltip = _("%(n)d plekken (locatie bij benadering)", n=len(together))
                popup = "<hr>".join(_popup_html(p) for p in together)
            text = spot_label(len(together), [p.number for p in together])
            label = (f'<span class="lw-spot-label" aria-hidden="true">{escape(text)}</span>'
                     if text else None)
            features.append(_point(lat, lon, {
                "kind": "spot", "radius": spot_radius(len(together)),
                "title": str(tooltip), "tooltip": str(escape(tooltip)), "popup": popup,
                "label": label, "labelSize": [SPOT_LABEL_WIDTH, SPOT_LABEL_HEIGHT],
                "labelAnchor": list(spot_label_anchor(len(together)))}))
        legend["__approximate__"] = LegendItem(
            "", APPROXIMATE_COLOUR,
            _("Stippelcirkel: locatie bij benadering (plaats of postcodegebied, geen adres)"),
            "dashed")
    if features:
        options: dict[str, Any] = {"approximateColour": APPROXIMATE_COLOUR}
        if len(exact) >= cluster_from:
            options["cluster"] = {"showCoverageOnHover": False, "maxClusterRadius": 40}
        PlacesLayer({"type": "FeatureCollection", "features": features}, options).add_to(m)
    return list(legend.values())


# Approximate spots: list numbers shown on a spot's label before "…"; circle radius (px)
# for one place, and how much it grows per extra place, up to a cap.
SPOT_NUMBERS_SHOWN = 3
SPOT_RADIUS, SPOT_RADIUS_STEP, SPOT_RADIUS_MAX = 16, 2, 26


def approximate_spots(rough: Iterable[MapPlace]
                      ) -> list[tuple[tuple[float, float], list[MapPlace]]]:
    """Approximate places grouped into one spot per town (else per point), in list order.

    A point known only by its town stands on the town's centre or on some postcode area
    in it: neither says where the help is, so one town gets one circle with a count,
    not a stack of circles. The spot stands where the group's first (best) place does.
    """
    spots: dict[tuple[str, object], list[MapPlace]] = {}
    for place in rough:
        key: tuple[str, object] = (
            ("town", place.town.strip().casefold()) if place.town and place.town.strip()
            else ("point", (round(place.lat, 5), round(place.lon, 5))))
        spots.setdefault(key, []).append(place)
    return [((group[0].lat, group[0].lon), group) for group in spots.values()]


SPOT_LABEL_WIDTH, SPOT_LABEL_HEIGHT = 60, 20  # the label box; longer text overflows it,
# centred (CSS ``.lw-spot``)


def spot_radius(count: int) -> int:
    return min(SPOT_RADIUS + SPOT_RADIUS_STEP * (count - 1), SPOT_RADIUS_MAX)


def spot_label_anchor(count: int) -> tuple[int, int]:
    """One place: its number on the circle. A group: the count label just below the
    circle, so it is not hidden under the search point or an exact marker."""
    if count == 1:
        return SPOT_LABEL_WIDTH // 2, SPOT_LABEL_HEIGHT // 2
    return SPOT_LABEL_WIDTH // 2, -(spot_radius(count) + 2)


def spot_label(count: int, numbers: Sequence[int | None]) -> str:
    """'7' for one numbered place; '16 plekken: 2, 5, 9 …' for a group (the count, then
    the first list numbers); '' when there is nothing to say."""
    shown = sorted(n for n in numbers if n is not None)
    listed = ", ".join(str(n) for n in shown[:SPOT_NUMBERS_SHOWN])
    if len(shown) > SPOT_NUMBERS_SHOWN:
        listed += " …"
    if count == 1:
        return listed
    places = ngettext("%(num)d plek", "%(num)d plekken", count)
    return f"{places}: {listed}" if listed else places


def simplified_geometry(geometry: str | dict, tolerance: float = 0.0005) -> dict:
    """A lighter copy of a GeoJSON geometry (about 50 m), so pages stay small on phones."""
    from shapely.geometry import mapping, shape

    geom = shape(json.loads(geometry) if isinstance(geometry, str) else geometry)
    return mapping(geom.simplify(tolerance, preserve_topology=True))


def add_boundary(m: folium.Map, geometry: str | dict, name: str) -> LegendItem:
    """The outline of a municipality (or any area), without fill so markers stay visible."""
    folium.GeoJson(
        {"type": "Feature", "properties": {"name": name},
         "geometry": simplified_geometry(geometry)},
        name=name,
        style_function=lambda _f: {"color": BOUNDARY_COLOUR, "weight": 3, "fill": False,
                                   "dashArray": None},
        tooltip=None,
        control=False,
        interactive=False,
    ).add_to(m)
    return LegendItem("", BOUNDARY_COLOUR, _("Grens van de gemeente %(name)s", name=name),
                      "area")


@dataclass(frozen=True)
class ChoroplethArea:
    geometry: str | dict
    value: float | None
    label: str
    popup: str | None = None  # plain text; escaped here


def add_choropleth(
    m: folium.Map,
    areas: Iterable[ChoroplethArea],
    *,
    bins: Sequence[float],
    colours: Sequence[str],
    bin_labels: Sequence[str],
    no_data_label: str | None = None,
    no_data_colour: str = "#bdbdbd",
    tolerance: float = 0.001,
) -> list[LegendItem]:
    """Areas coloured by value: ``value < bins[0]`` gets ``colours[0]`` and so on, the last
    colour for the rest. Pair it with a table of the same figures (colour is never the
    only carrier of the information)."""
    if len(colours) != len(bins) + 1 or len(bin_labels) != len(colours):
        raise ValueError("need one colour and one label per bin, plus one for the top")

    def colour_for(value: float | None) -> str:
        if value is None:
            return no_data_colour
        for limit, colour in zip(bins, colours, strict=False):
            if value < limit:
                return colour
        return colours[-1]

    features = []
    for area in areas:
        features.append({
            "type": "Feature",
            # GeoJsonTooltip writes properties as HTML: escape them here.
            "properties": {"name": str(escape(area.label)), "fill": colour_for(area.value),
                           "popup": str(escape(area.popup or area.label))},
            "geometry": simplified_geometry(area.geometry, tolerance),
        })
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#ffffff",
                                  "weight": 1, "fillOpacity": 0.75},
        tooltip=folium.GeoJsonTooltip(fields=["popup"], labels=False),
        control=False,
    ).add_to(m)
    legend = [LegendItem("", c, label, "area") for c, label in zip(colours, bin_labels,
                                                                    strict=True)]
    if no_data_label:
        legend.append(LegendItem("", no_data_colour, no_data_label, "area"))
    return legend


def fit_to(m: folium.Map, points: Iterable[tuple[float, float]], max_zoom: int = 15) -> None:
    pts = [(lat, lon) for lat, lon in points if lat is not None and lon is not None]
    if not pts:
        return
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    if len(pts) == 1:
        m.location = [lats[0], lons[0]]
        return
    # Extra room at the bottom: the attribution line covers the lower edge.
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], max_zoom=max_zoom,
                 padding_top_left=(30, 30), padding_bottom_right=(30, 60))


# -- rendering -------------------------------------------------------------------------

_ASSET_URL = re.compile(
    r"""<(?:script[^>]*\bsrc|link[^>]*\bhref)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE
)


def external_asset_urls(html: str) -> list[str]:
    """Script and stylesheet URLs in ``html`` that point at another host."""
    return [u for u in _ASSET_URL.findall(html)
            if re.match(r"^(?:[a-z]+:)?//", u, re.IGNORECASE)]


def render_parts(m: folium.Map, legend: Iterable[LegendItem] = ()) -> MapParts:
    """Render ``m`` into head/body/scripts for our own templates.

    Raises ``RuntimeError`` when anything would load a script or stylesheet from another
    host (e.g. a folium plugin with CDN defaults that was not pointed at ``/vendor``).
    """
    figure = m.get_root()
    figure.render()
    head, js_links = [], []
    for name, child in figure.header._children.items():
        if name == "meta_http":  # our page sets its own charset
            continue
        if isinstance(child, JavascriptLink):
            js_links.append(child.render())
        elif isinstance(child, Element):  # CssLink, styles, small inline scripts
            head.append(child.render())
    body = figure.html.render()
    script = figure.script.render()
    scripts = "\n".join(js_links) + f"\n<script>\n{script}\n</script>"
    external = external_asset_urls("\n".join(head) + body + scripts)
    if external:
        raise RuntimeError(f"map would load assets from other hosts: {external}")
    return MapParts(Markup("\n".join(head)), Markup(body), Markup(scripts), list(legend))
