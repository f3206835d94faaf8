"""The audit pages in a real headless Chromium against the browser suite's live server:
no host but ours is called (map tiles are recorded and aborted), axe-core finds no
serious or critical problems, and sorting works by plain links."""

from __future__ import annotations

import pytest

from tests.browser.test_finder_browser import axe_violations

pytestmark = pytest.mark.browser


def _code(live_server) -> str:
    return "GM0363" if live_server.real_mirror else "GM9001"


def test_overview_sorts_without_javascript(page, live_server, requests_log):
    page.goto(f"{live_server.base_url}/audit?area=schulden")
    assert page.locator("h1").inner_text()
    assert page.locator("table.audit-table tbody tr").count() >= 4
    assert axe_violations(page) == []
    page.locator("th a", has_text="Binnen 10 km").first.click()
    page.wait_for_load_state()
    header = page.locator("th[aria-sort]")
    assert header.count() == 1 and header.get_attribute("aria-sort") == "ascending"
    assert requests_log.foreign == []


def test_scorecard_and_print_are_accessible(page, live_server, requests_log):
    code = _code(live_server)
    page.goto(f"{live_server.base_url}/audit/{code}")
    assert page.locator("h2", has_text="De grootste gaten").count() == 1
    assert page.locator(".leaflet-container").count() == 1  # the map drew (local Leaflet)
    assert axe_violations(page) == []
    page.goto(f"{live_server.base_url}/audit/{code}/print")
    assert axe_violations(page) == []
    assert requests_log.foreign == []
    assert any("/vendor/leaflet/" in url for url in requests_log.local)
    assert requests_log.csp_violations == []


# A 1366 px laptop screen, less a classic (non-overlay) vertical scrollbar.
LAPTOP_WIDTH = 1366
SCROLLBAR = 17


def test_scorecard_tables_fit_a_1366_px_screen(page, live_server, requests_log):
    page.set_viewport_size({"width": LAPTOP_WIDTH - SCROLLBAR, "height": 768})
    for lang in ("", "?lang=en"):
        page.goto(f"{live_server.base_url}/audit/{_code(live_server)}{lang}")
        widths = page.evaluate("""() => [...document.querySelectorAll('table.audit-table')]
            .map(t => [t.caption ? t.caption.innerText : '', t.scrollWidth,
                       (t.closest('.table-scroll') || t.parentElement).clientWidth])""")
        assert widths, "no tables on the scorecard"
        overflowing = [(caption, table, box) for caption, table, box in widths if table > box]
        assert overflowing == [], overflowing
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP_WIDTH - SCROLLBAR
    assert requests_log.foreign == []
