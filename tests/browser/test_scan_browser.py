"""The rechtsbescherming-scan pages in a real headless Chromium: axe-core finds no
serious or critical problems (also with demand tables shown), the language is set, the
municipality choice works by a plain form, and no host but ours is called."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_finder_browser import axe_violations

pytestmark = pytest.mark.browser


def _code(live_server) -> str:
    return "GM0344" if live_server.real_mirror else "GM9001"  # the postcode's municipality


def _search_enough(page, live_server) -> None:
    """Ten searches from the suite's postcode, so the demand tables have a shown cell."""
    for _ in range(10):
        response = page.request.get(f"{live_server.base_url}/api/v1/services",
                                    params={"q": live_server.query,
                                            "postcode": live_server.postcode})
        assert response.ok


def test_index_chooses_a_municipality_without_javascript(page, live_server, requests_log):
    page.goto(f"{live_server.base_url}/scan")
    assert axe_violations(page) == []
    page.get_by_label("Gemeente", exact=True).select_option(_code(live_server))
    page.get_by_role("button", name="Toon de scan").click()
    page.wait_for_url(re.compile(rf"/scan/{_code(live_server)}$"))
    assert page.locator(".scan-criterion").count() >= 12
    assert requests_log.foreign == []


@pytest.mark.parametrize("path, lang", [
    ("/scan/{code}", "nl"), ("/scan/{code}?lang=en", "en"), ("/scan/{code}/print", "nl"),
    ("/audit/{code}", "nl"), ("/audit/{code}/print", "nl"),
])
def test_pages_are_accessible(page, live_server, requests_log, path, lang):
    _search_enough(page, live_server)
    page.goto(live_server.base_url + path.format(code=_code(live_server)))
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator(".scan-demand table").count() == 2  # next to supply, and trend
    if path.startswith("/scan"):
        assert page.locator(".scan-status").count() >= 12
    assert axe_violations(page) == []
    assert requests_log.foreign == []
