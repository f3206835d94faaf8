"""The finder as a resident uses it: a real headless Chromium against a live server.

Checks that the list and the map appear, that the page talks to no host but ours (map
tiles excepted, and aborted here), and that axe-core finds no serious or critical
accessibility problems on the search, results, service and print pages.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.browser

SEVERE = {"serious", "critical"}


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations of the page (axe.min.js ships with the
    axe-playwright-python package: nothing is downloaded)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                    for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in SEVERE
    ]


def test_search_list_map_and_no_third_party_requests(page, live_server, requests_log):
    page.goto(live_server.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert axe_violations(page) == []

    page.get_by_label("Wat is er aan de hand?").fill(live_server.query)
    page.get_by_label("Postcode of woonplaats").fill(live_server.postcode)
    page.get_by_role("button", name="Zoek hulp").click()
    page.wait_for_url(re.compile(r"/zoek\?"))

    results = page.locator("ol.results > li")
    assert results.count() >= 1
    first = results.first.inner_text()
    assert "laatst gecontroleerd" in first
    assert "Gevonden op" in page.locator(".matched-areas").inner_text()

    # The map: a Leaflet container with our markers or approximate circles drawn in it.
    container = page.locator(".lw-map.leaflet-container")
    container.wait_for()
    assert container.get_attribute("aria-label")
    drawn = page.locator(
        ".lw-map .leaflet-marker-icon, .lw-map path.leaflet-interactive, "
        ".lw-map .marker-cluster")
    drawn.first.wait_for()
    assert drawn.count() >= 2  # the search point and at least one place
    assert page.locator(".map-legend li").count() >= 2

    # The copy-link button is enhanced by our script; the URL is there without it too.
    assert page.get_by_role("button", name="Kopieer link").is_visible()
    share = page.locator("#deel-link").input_value()
    assert f"postcode={live_server.postcode}" in share

    assert axe_violations(page) == []
    assert requests_log.foreign == [], requests_log.foreign
    assert any("/vendor/leaflet/leaflet.js" in u for u in requests_log.local)
    assert any("/static/js/map_places.js" in u for u in requests_log.local)
    assert requests_log.tiles, "the map asked for no tiles at all"
    assert requests_log.csp_violations == []  # every inline map script carries the nonce

    # Follow the first result to its service page, then its print view.
    results.first.locator("h3 a").click()
    page.wait_for_url(re.compile(r"/dienst/"))
    assert page.locator("h1").inner_text()
    assert "laatst gecontroleerd" in page.locator(".provenance").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Uitdraai voor de inwoner").click()
    page.wait_for_url(re.compile(r"/dienst/.+/print"))
    assert page.get_by_role("button", name="Afdrukken").is_visible()
    assert "Afgedrukt op" in page.locator(".handover").inner_text()
    assert axe_violations(page) == []
    assert requests_log.foreign == [], requests_log.foreign
    assert requests_log.csp_violations == []


def test_bad_postcode_shows_message_and_keeps_the_form(page, live_server, requests_log):
    query = urlencode({"q": live_server.query, "postcode": "0000"})
    response = page.goto(f"{live_server.base_url}/zoek?{query}")
    assert response is not None and response.status == 400
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Postcode of woonplaats").input_value() == "0000"
    assert page.get_by_label("Wat is er aan de hand?").input_value() == live_server.query
    # The error summary takes focus so a screen reader announces it.
    assert page.evaluate("document.activeElement.id") == "fout"
    assert axe_violations(page) == []
    assert requests_log.foreign == []


def test_search_print_and_english(page, live_server, requests_log):
    query = urlencode({"q": live_server.query, "postcode": live_server.postcode})
    page.goto(f"{live_server.base_url}/zoek?{query}")
    page.locator("ol.results > li").first.wait_for()
    # The print button sits above and below the list: two buttons, distinct ids.
    top, bottom = page.locator("#uitdraai-boven"), page.locator("#uitdraai-onder")
    assert top.is_visible() and bottom.is_visible()
    assert page.get_by_role("button", name="Maak een uitdraai").count() == 2
    page.locator("ol.results > li input[name=id]").first.check()
    bottom.click()
    page.wait_for_url(re.compile(r"/zoek/print\?"))
    assert page.locator(".handover-item h2").count() >= 2  # the chosen one + notes
    # The QR code back to the search: inline SVG, drawn here, named for screen readers.
    qr = page.locator("svg.qr-code[role=img]")
    assert qr.count() == 1 and qr.get_attribute("aria-label")
    assert page.locator(".qr-url").inner_text().startswith(live_server.base_url + "/zoek?")
    assert axe_violations(page) == []

    page.goto(f"{live_server.base_url}/zoek?{query}&lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "last checked" in page.locator("ol.results").inner_text()
    assert axe_violations(page) == []
    assert requests_log.foreign == []


def test_three_service_handover_prints_on_one_a4_page(page, live_server, requests_log):
    """The hand-over with three services (first steps, QR code and notes included) is one
    A4 page in Chromium's own print-to-PDF; the top print button makes it."""
    query = urlencode({"q": live_server.query, "postcode": live_server.postcode})
    page.goto(f"{live_server.base_url}/zoek?{query}")
    page.locator("ol.results > li").first.wait_for()
    boxes = page.locator("ol.results > li input[name=id]")
    chosen = min(3, boxes.count())
    for i in range(chosen):
        boxes.nth(i).check()
    page.locator("#uitdraai-boven").click()
    page.wait_for_url(re.compile(r"/zoek/print\?"))
    services = page.locator(".handover-item").count() - 1  # less the notes section
    assert services == chosen
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == 1, f"{services} services took {pages} A4 pages"
    assert requests_log.foreign == []
