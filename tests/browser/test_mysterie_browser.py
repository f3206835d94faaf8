"""The Mysterie-check pages in a real headless Chromium against the browser suite's live
server: the four pages and the comparison pass axe-core (no serious or critical problems),
say their language, work by plain forms and links, and call no host but ours."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_finder_browser import axe_violations

pytestmark = pytest.mark.browser

CASUS = "huurachterstand-ontruiming"


def _code(live_server) -> str:
    return "GM0363" if live_server.real_mirror else "GM9001"


def test_start_page_chooses_a_municipality_without_javascript(page, live_server,
                                                               requests_log):
    page.goto(f"{live_server.base_url}/mysterie")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator(".my-casus-list > li").count() >= 12
    assert axe_violations(page) == []
    page.get_by_label("Gemeente", exact=True).select_option(_code(live_server))
    page.get_by_role("button", name="Bekijk de routes").click()
    page.wait_for_url(re.compile(rf"/mysterie/{_code(live_server)}$"))
    assert page.locator("table.my-grid tbody tr").count() >= 12
    assert axe_violations(page) == []
    assert requests_log.foreign == []


@pytest.mark.parametrize("suffix, lang", [
    ("", "nl"), ("?lang=en", "en"), ("/print", "nl"), ("/print?lang=en", "en"),
])
def test_casus_pages_are_accessible(page, live_server, requests_log, suffix, lang):
    page.goto(f"{live_server.base_url}/mysterie/{_code(live_server)}/{CASUS}{suffix}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text()
    assert page.locator(".my-verdict").count() >= 4
    if "/print" not in suffix:
        assert page.locator("ol.my-timeline > li").count() == 4
        assert page.locator(".leaflet-container").count() == 1  # the map drew, locally
    assert axe_violations(page) == []
    assert requests_log.foreign == []


def test_comparison_sorts_by_links(page, live_server, requests_log):
    page.goto(f"{live_server.base_url}/mysterie/{_code(live_server)}/{CASUS}/vergelijk")
    rows = page.locator("table.my-compare tbody tr")
    assert rows.count() >= 1
    assert axe_violations(page) == []
    page.locator("th a", has_text="Loketten").first.click()
    page.wait_for_load_state()
    header = page.locator("th[aria-sort]")
    assert header.count() == 1 and header.get_attribute("aria-sort") == "ascending"
    assert axe_violations(page) == []
    assert requests_log.foreign == []
