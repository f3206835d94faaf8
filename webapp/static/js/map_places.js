/* Places of help on a Leaflet map, drawn from one GeoJSON FeatureCollection
 * (webapp/maps.py, PlacesLayer). The server renders one small inline call per map instead
 * of one Folium template per marker. Popup and badge HTML is built and escaped on the
 * server; it arrives as JSON strings.
 *
 * Feature properties:
 *   kind "pin":  badge (HTML), title, popup (HTML)
 *   kind "spot": radius, title (plain text), tooltip (the same, escaped), popup (HTML),
 *                label (HTML or null), labelSize and labelAnchor ([x, y] pixels)
 */
(function () {
  "use strict";

  function pin(feature, latlng) {
    var p = feature.properties;
    var marker = L.marker(latlng, {
      icon: L.divIcon({html: p.badge, iconSize: [32, 32], iconAnchor: [16, 16],
                       className: "lw-marker"}),
      title: p.title
    });
    marker.bindPopup(p.popup, {maxWidth: 300});
    return marker;
  }

  function spot(feature, latlng, colour, group) {
    var p = feature.properties;
    var circle = L.circleMarker(latlng, {
      radius: p.radius, color: colour, weight: 3, dashArray: "6 5",
      fill: true, fillColor: colour, fillOpacity: 0.12
    });
    circle.bindTooltip(p.tooltip);
    circle.bindPopup(p.popup, {maxWidth: 300, maxHeight: 260});
    circle.addTo(group);
    if (p.label) {
      L.marker(latlng, {
        icon: L.divIcon({html: p.label, iconSize: p.labelSize || [60, 20],
                         iconAnchor: p.labelAnchor || [30, 10],
                         className: "lw-marker lw-spot"}),
        title: p.title
      }).addTo(group);
    }
  }

  window.lwPlaces = function (map, collection, options) {
    options = options || {};
    var pins = map;
    if (options.cluster && L.markerClusterGroup) {
      pins = L.markerClusterGroup(options.cluster);
      map.addLayer(pins);
    }
    var rough = null;
    collection.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var latlng = L.latLng(c[1], c[0]);
      if (feature.properties.kind === "pin") {
        pins.addLayer(pin(feature, latlng));
      } else {
        rough = rough || L.featureGroup().addTo(map);
        spot(feature, latlng, options.approximateColour, rough);
      }
    });
  };
})();
