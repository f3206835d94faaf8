"""The resident and frontline-worker pages, through Flask's test client (no browser, no JS).

Each DB test runs on SQLite and PostgreSQL with the fixture mirror imported: Teststad
(GM9001, postcodes 9011-9013), Proefdorp (GM9002, 9021) and their help rows.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from loketwijzer.config import REPO_ROOT, Settings
from loketwijzer.models import Service
from webapp import maps

SEARCH = "/zoek?q=huurachterstand&postcode=9011"
VIEWPORT = re.compile(r'<meta[^>]+name="viewport"[^>]*>', re.IGNORECASE)



def map_features(html: str) -> list[dict]:
    """The GeoJSON features of the places layer (webapp/maps.py PlacesLayer) in a page."""
    found = re.search(r"lwPlaces\(\w+,\s*", html)
    if not found:
        return []
    collection, _end = json.JSONDecoder().raw_decode(html, found.end())
    return collection["features"]

def html_of(response) -> str:
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """Visible text, roughly: scripts dropped, tags removed, spaces collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def result_items(html: str) -> dict[str, str]:
    """Visible text of each result in the list, by the result's name."""
    items = {}
    for li in re.findall(r'<li class="result.*?</li>\s*(?=<li class="result|</ol>)', html,
                         flags=re.S):
        name = text_of(re.search(r"<h3.*?</h3>", li, flags=re.S).group(0))
        items[name] = text_of(li)
    return items


def service_id(db, source_id: str) -> str:
    with db.session() as session:
        return session.scalars(select(Service.id).where(Service.source_id == source_id)).one()


def assert_page_basics(html: str, lang: str = "nl") -> None:
    """What every page owes a resident: language, title, zoom, no third-party assets."""
    assert re.search(rf'<html lang="{lang}">', html)
    title = re.search(r"<title>(.*?)</title>", html, flags=re.S)
    assert title and title.group(1).strip()
    viewports = VIEWPORT.findall(html)
    assert len(viewports) == 1, viewports
    assert "user-scalable" not in viewports[0] and "maximum-scale" not in viewports[0]
    assert maps.external_asset_urls(html) == []


# -- search page -----------------------------------------------------------------------


def test_search_page(client, loaded_db):
    response = client.get("/")
    assert response.status_code == 200
    html = html_of(response)
    assert_page_basics(html)
    assert 'role="search"' in html
    assert re.search(r'<label for="q">Wat is er aan de hand\?</label>', html)
    assert re.search(r'<label for="postcode">Postcode of woonplaats</label>', html)
    assert "<legend>" in html and 'name="life_event"' in html and 'name="areas"' in html
    assert 'value="wonen"' in html  # the problem areas to choose from
    assert response.headers.getlist("Set-Cookie") == []  # no cookie without a choice


# -- results ---------------------------------------------------------------------------


def test_results_list_first_then_map(client, loaded_db):
    response = client.get(SEARCH)
    assert response.status_code == 200
    html = html_of(response)
    assert_page_basics(html)
    items = result_items(html)
    assert "Rechtswinkel Teststad" in items
    assert any("Gemeente Teststad" in name for name in items)
    # The list works without JavaScript and comes before the map.
    assert html.index('<ol class="results">') < html.index('class="folium-map lw-map"')
    law_shop = items["Rechtswinkel Teststad"]
    assert "laatst gecontroleerd: 1 maart 2025" in law_shop
    assert "Waarom deze hulp:" in law_shop and "Onafhankelijk" in law_shop
    assert "Gevonden op: huurachterstand" in text_of(html)
    # The map: our Leaflet, PDOK tiles, an accessible name, a text alternative, a legend.
    assert '<script src="/vendor/leaflet/leaflet.js"></script>' in html
    assert '<link rel="stylesheet" href="/vendor/leaflet/leaflet.css"/>' in html
    assert Settings().tile_url in html
    assert re.search(r'class="folium-map lw-map"[^>]*role="region"[^>]*aria-label="[^"]+"', html)
    assert "De kaart toont dezelfde plekken als de lijst hierboven." in html
    assert 'href="#kaart-na"' in html  # skip link past the map
    assert 'class="map-legend"' in html
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()
    # Phone numbers are links; the share link is there without JavaScript.
    assert 'href="tel:140999"' in html
    share = re.search(r'<input id="deel-link" type="text" readonly value="([^"]+)"', html)
    assert share and "/zoek?q=huurachterstand&amp;postcode=9011" in share.group(0)
    assert re.search(r"<button[^>]*data-copy-button[^>]*hidden", html)


def test_remote_help_is_labelled(client, loaded_db):
    items = result_items(html_of(client.get(SEARCH)))
    national = items["Landelijke Testlijn (landelijk)"]
    assert "Landelijk of op afstand" in national
    assert "Landelijk: bellen of online" in national
    assert "km van uw zoekpunt" not in national


def test_approximate_location_is_never_an_address(client, loaded_db):
    """Wijkteam Teststad is known only by its municipality: no address, no pin."""
    html = html_of(client.get(SEARCH))
    team = result_items(html)["Wijkteam Teststad"]
    assert "Locatie bij benadering: Teststad" in team
    assert "ongeveer" in team  # its distance is rough too
    li = re.search(r'<li class="result[^"]*">(?:(?!<li class="result).)*Wijkteam Teststad'
                   r'(?:(?!<li class="result).)*', html, flags=re.S).group(0)
    assert 'class="address"' not in li
    # On the map it is a dashed circle (a "spot") whose popup says so, not a marker.
    # (Its popup may list other rough places in Teststad too: one spot per town.)
    spots = [f["properties"] for f in map_features(html)
             if "Wijkteam Teststad</strong>" in f["properties"]["popup"]]
    assert spots and all(p["kind"] == "spot" for p in spots)
    assert "Locatie bij benadering: Teststad" in spots[0]["popup"]


def test_address_with_rough_point_says_so(client, loaded_db):
    """The law shop has a street address, but its point is the postcode area's centre."""
    law_shop = result_items(html_of(client.get(SEARCH)))["Rechtswinkel Teststad"]
    assert "Marktplein 3, 9011 AB Teststad" in law_shop
    assert "Op de kaart: locatie bij benadering" in law_shop


def test_stale_record_is_marked(client, loaded_db):
    html = html_of(client.get("/zoek?q=ik+heb+schulden&postcode=9021"))
    items = result_items(html)
    stale = items["Schuldhulp Proefdorp"]  # source date 2019
    assert "Let op: gegevens ouder dan een jaar, bel eerst." in stale
    assert "Locatie bij benadering: Proefdorp" in stale
    fresh = next(text for name, text in items.items() if "Gemeente Proefdorp" in name)
    assert "Let op:" not in fresh


def test_no_place_asks_for_it_and_shows_national_help(client, loaded_db):
    response = client.get("/zoek?q=huurachterstand")
    assert response.status_code == 200
    html = html_of(response)
    assert "Vul uw postcode of woonplaats in" in text_of(html)
    assert "Landelijke Testlijn (landelijk)" in result_items(html)
    assert "<details class=\"change-search\" open>" in html


def test_no_topic_offers_topics(client, loaded_db):
    response = client.get("/zoek?postcode=9011")
    assert response.status_code == 200
    html = html_of(response)
    assert "Kies een onderwerp" in html
    assert 'href="/zoek?postcode=9011&amp;areas=wonen"' in html
    assert 'value="9011"' in html  # the place is kept


def test_chosen_topic_and_independent_filter(client, loaded_db):
    html = html_of(client.get("/zoek?areas=wonen&postcode=9011&independent=true"))
    items = result_items(html)
    assert "Rechtswinkel Teststad" in items
    assert not any("Gemeente Teststad" in name for name in items)
    assert re.search(r'id="independent"[^>]*checked', html)


def test_bad_postcode_is_a_400_page_with_the_form_refilled(client, loaded_db):
    response = client.get("/zoek?q=huurachterstand&postcode=0000")
    assert response.status_code == 400
    html = html_of(response)
    assert_page_basics(html)
    assert 'role="alert"' in html and "geen Nederlandse postcode" in text_of(html)
    assert re.search(r'id="postcode"[^>]*value="0000"', html)
    assert ">huurachterstand</textarea>" in html
    assert 'aria-invalid="true"' in html


def test_unknown_postcode_suggests_nearby_ones(client, loaded_db):
    response = client.get("/zoek?q=huurachterstand&postcode=9014")
    assert response.status_code == 400
    html = html_of(response)
    assert "Bedoelt u misschien:" in html
    assert re.search(r'<a href="/zoek\?q=huurachterstand&amp;postcode=901\d[^"]*">901\d', html)


@pytest.mark.parametrize("query", [
    "/zoek?q=%00&postcode=%00",
    "/zoek?q=" + "schuld " * 400 + "&postcode=9011",
    "/zoek?q=huur&postcode=%3Cscript%3Ealert(1)%3C/script%3E",
    "/zoek?q=huur&postcode=9011&areas=onbekend",
    "/zoek?q=huur&postcode=9011&life_event=xx",
    "/zoek?q=huur&lat=abc&lon=5",
    "/zoek?q=huur&lat=1e999&lon=5",
    "/zoek?q=huur&lat=52.02&lon=",
    "/zoek?q=huur&postcode=9011&limit=-5&independent=misschien",
    "/zoek?q=huur&postcode=9011&postcode=9021&areas=wonen&areas=schulden",
    "/zoek?q=%F0%9F%98%80%F0%9F%8F%A0&postcode=Teststd",
    "/zoek?q=huur&place=Bergen",
    "/zoek/print?q=huur&postcode=9011&id=../../etc/passwd",
    "/zoek/print",
    "/dienst/%3Cscript%3E",
    "/dienst/00000000-0000-0000-0000-000000000000/print",
])
def test_odd_input_never_breaks_a_page(client, loaded_db, query):
    response = client.get(query)
    assert response.status_code < 500, query
    html = html_of(response)
    assert "<script>alert(1)</script>" not in html
    assert re.search(r'<html lang="nl">', html)


# -- service page and print views ------------------------------------------------------


def test_service_page(client, loaded_db):
    sid = service_id(loaded_db, "t-002")
    response = client.get(f"/dienst/{sid}")
    assert response.status_code == 200
    html = html_of(response)
    assert_page_basics(html)
    text = text_of(html)
    assert "<h1 id=\"dienst-naam\">Rechtswinkel Teststad</h1>" in html
    assert "Marktplein 3, 9011 AB Teststad" in text
    assert "Gratis inloop op dinsdag." not in text  # channel notes stay in /beheer
    assert "laatst gecontroleerd: 1 maart 2025" in text
    assert 'href="https://bron.example/2"' in html
    assert 'class="folium-map lw-map"' in html  # it has a point...
    assert [f["properties"]["kind"] for f in map_features(html)] == ["spot"]  # a rough one
    assert f'href="/dienst/{sid}/print"' in html


def test_service_without_a_place_has_no_map(client, loaded_db):
    html = html_of(client.get(f"/dienst/{service_id(loaded_db, 't-001')}"))
    assert "lw-map" not in html and "leaflet.js" not in html
    assert "0900-0000" in html


def test_unknown_service_is_a_404_page(client, loaded_db):
    response = client.get("/dienst/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert_page_basics(html_of(response))


def test_service_print_view(client, loaded_db):
    sid = service_id(loaded_db, "t-002")
    response = client.get(f"/dienst/{sid}/print")
    assert response.status_code == 200
    html = html_of(response)
    assert_page_basics(html)
    text = text_of(html)
    for expected in ("Rechtswinkel Teststad", "Marktplein 3, 9011 AB Teststad",
                     "Openingstijden", "Neem mee", "Afgedrukt op",
                     "laatst gecontroleerd: 1 maart 2025"):
        assert expected in text, expected
    assert "Gratis inloop op dinsdag." not in text  # channel notes stay in /beheer
    assert "leaflet" not in html.lower()  # no map on paper


def test_search_print_view(client, loaded_db):
    sid = service_id(loaded_db, "t-002")
    response = client.get(f"{SEARCH}&id={sid}")
    assert response.status_code == 200
    response = client.get(f"/zoek/print?q=huurachterstand&postcode=9011&id={sid}")
    assert response.status_code == 200
    text = text_of(html_of(response))
    assert "Rechtswinkel Teststad" in text
    assert "Waarom deze hulp Helpt bij: Wonen en huur" in text
    assert "Gezocht bij: 9011" in text and "Vraag: huurachterstand" in text
    # Without a choice: the best three.
    text = text_of(html_of(client.get("/zoek/print?q=huurachterstand&postcode=9011")))
    assert text.count("laatst gecontroleerd") == 3


# -- safety ----------------------------------------------------------------------------


def test_safety_banner_when_violence_is_mentioned(client, loaded_db):
    html = html_of(client.get("/zoek?q=mijn+partner+slaat+mij&postcode=9011"))
    banner = re.search(r'<aside class="safety".*?</aside>', html, flags=re.S)
    assert banner, "no safety banner"
    assert 'href="tel:112"' in banner.group(0)
    assert 'href="tel:08002000"' in banner.group(0)
    assert html.index('class="safety"') < html.index('id="lijst-titel"')
    assert 'class="safety"' not in html_of(client.get(SEARCH))


def test_safety_phone_comes_from_the_data():
    from webapp.blueprints.public import VEILIG_THUIS_FALLBACK, safety_phone

    results = [{"provider_type": "rechtswinkel", "phone": "030-1234567"},
               {"provider_type": "veilig_thuis", "phone": "0800-2001"}]
    assert safety_phone(results) == "0800-2001"
    assert safety_phone(results[:1]) == VEILIG_THUIS_FALLBACK


# -- language --------------------------------------------------------------------------


def test_english(client, loaded_db):
    response = client.get(SEARCH + "&lang=en")
    assert response.status_code == 200
    html = html_of(response)
    assert_page_basics(html, lang="en")
    text = text_of(html)
    assert "Find help" in text and "last checked" in text and "Why this help:" in text
    assert "Wat is er aan de hand?" not in text
    assert "Zoom in" in html  # map controls too
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("lang=en")
    # The language link keeps the search.
    link = re.search(r'<a href="([^"]+)" lang="nl" hreflang="nl">', html).group(1)
    assert "q=huurachterstand" in link and "postcode=9011" in link and "lang=nl" in link
    assert "What is going on?" in text_of(html_of(client.get("/?lang=en")))


def test_every_ui_string_has_an_english_translation():
    """Fails when a string was added to a template or view without updating messages.po
    (the commands are at the top of babel.cfg)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(REPO_ROOT / "webapp"), method_map,
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}):
        found.add(message[0] if isinstance(message, tuple) else message)
    po = Path(REPO_ROOT / "webapp/translations/en/LC_MESSAGES/messages.po")
    with po.open("rb") as fh:
        catalog = read_po(fh)
    translated = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog
                  if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = sorted(found - translated)
    assert not missing, f"no English for: {missing[:10]} (see babel.cfg)"


# -- maps (no database) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def map_app():
    from webapp import create_app

    return create_app(Settings(database_url="sqlite://"), TESTING=True)


def test_map_loads_nothing_from_other_hosts(map_app):
    with map_app.test_request_context("/"):
        m = maps.new_map(label="Kaart", center=(52.0, 5.0))
        legend = [maps.add_origin(m, 52.0, 5.0, "Zoekpunt")]
        places = [maps.MapPlace(52.0 + i / 1000, 5.0, f"Plek {i}", "rechtswinkel", "Rechtswinkel")
                  for i in range(maps.CLUSTER_FROM)]
        legend += maps.add_places(m, places)
        parts = maps.render_parts(m, legend)
    everything = parts.head + parts.body + parts.scripts
    assert maps.external_asset_urls(everything) == []
    assert "/vendor/leaflet-markercluster/leaflet.markercluster.js" in parts.scripts
    assert "/static/js/map_places.js" in parts.scripts
    assert '"cluster": {' in parts.scripts  # map_places.js clusters the pins
    assert len(map_features(str(parts.scripts))) == maps.CLUSTER_FROM
    assert "viewport" not in everything and "user-scalable" not in everything
    assert "$(" not in parts.scripts  # no jQuery needed
    assert [item.symbol for item in parts.legend] == ["★", "RW"]


def test_map_refuses_cdn_plugins(map_app):
    from folium.plugins import Fullscreen

    with map_app.test_request_context("/"):
        m = maps.new_map(label="Kaart")
        Fullscreen().add_to(m)
        with pytest.raises(RuntimeError, match="other hosts"):
            maps.render_parts(m)


def test_map_text_cannot_break_out_of_the_script(map_app):
    evil = "</script><script>alert(1)</script>`${alert(2)}`"
    with map_app.test_request_context("/"):
        m = maps.new_map(label=evil)
        maps.add_origin(m, 52.0, 5.0, evil)
        maps.add_places(m, [maps.MapPlace(52.0, 5.0, evil, approximate=True,
                                          location_label=evil),
                            maps.MapPlace(52.1, 5.1, evil, phone=evil, address=evil)])
        parts = maps.render_parts(m)
    assert "<script>alert(1)" not in parts.scripts and "<script>alert(1)" not in parts.body
    # Data only ever sits inside JSON string literals: outside them, no trace of it.
    code = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', str(parts.scripts))
    assert "alert" not in code
    assert "alert" not in re.sub(r'"[^"]*"', '""', str(parts.body))


def test_choropleth_colours_and_legend(map_app):
    square = {"type": "Polygon", "coordinates": [[[5, 52], [5.1, 52], [5.1, 52.1], [5, 52]]]}
    with map_app.test_request_context("/"):
        m = maps.new_map(label="Kaart")
        legend = maps.add_choropleth(
            m, [maps.ChoroplethArea(square, 0.2, "A <b>"), maps.ChoroplethArea(square, 0.9, "B"),
                maps.ChoroplethArea(square, None, "C")],
            bins=[0.5], colours=["#eeeeee", "#00546b"], bin_labels=["< 50%", ">= 50%"],
            no_data_label="geen gegevens")
        parts = maps.render_parts(m, legend)
    assert [i.label for i in parts.legend] == ["< 50%", ">= 50%", "geen gegevens"]
    for colour in ("#eeeeee", "#00546b", "#bdbdbd"):
        assert colour in parts.scripts
    assert "A <b>" not in parts.scripts
    with pytest.raises(ValueError):
        maps.add_choropleth(m, [], bins=[1, 2], colours=["#000"], bin_labels=["x"])


def test_municipality_page_links_each_topic_to_a_search(client, loaded_db):
    response = client.get("/gemeente/GM9001")
    assert response.status_code == 200
    html = html_of(response)
    assert_page_basics(html)
    assert 'href="/zoek?areas=wonen&amp;place=Teststad"' in html
    assert client.get("/zoek?areas=wonen&place=Teststad").status_code == 200


def test_nothing_found_says_so_once(client, loaded_db):
    response = client.get("/zoek?areas=geweld&postcode=9011")
    assert response.status_code == 200
    text = text_of(html_of(response))
    assert "0 plekken met hulp" in text
    assert text.count("We vinden geen hulp bij dit onderwerp") == 1
    assert "We vonden geen hulp die past" not in text
    assert "Bel dan 112" in text  # the topic itself is enough for the safety banner


def test_favicon(client):
    assert 'rel="icon"' in html_of(client.get("/"))
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/static/favicon.svg")
    assert client.get("/static/favicon.svg").status_code == 200
