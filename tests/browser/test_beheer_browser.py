"""/beheer in a real headless Chromium: log in, edit a record, see it on the public page;
the report form. axe-core finds no serious or critical problems; no foreign requests."""

from __future__ import annotations

import pytest

from loketwijzer.db import Database
from tests.browser.test_finder_browser import axe_violations
from tests.stewardship_fixture import PASSWORD, make_user, town_hall

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def editor(live_db, live_server):
    settings, real = live_db
    code = "GM0363" if real else "GM9001"
    db = Database(settings.database_url)
    try:
        make_user(db, f"browser-{code.lower()}@x.nl", "municipality", municipality=code)
        with db.session() as session:
            service_id = town_hall(session, code).id
    finally:
        db.dispose()
    return f"browser-{code.lower()}@x.nl", service_id


def test_login_edit_and_the_public_page_shows_it(page, live_server, requests_log, editor):
    email, service_id = editor
    base = live_server.base_url
    page.goto(f"{base}/beheer/")
    assert "/beheer/login" in page.url
    assert axe_violations(page) == []
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1", has_text="Mijn hulpaanbod").count() == 1
    assert axe_violations(page) == []
    page.goto(f"{base}/beheer/dienst/{service_id}")
    assert axe_violations(page) == []
    page.fill("#f-phone", "bel maar")
    page.locator("form.edit-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#e-phone").inner_text() == "geen telefoonnummer"
    page.fill("#f-phone", "020 555 0101")
    page.locator("form.edit-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[role=status]").count() >= 1
    page.goto(f"{base}/dienst/{service_id}")
    assert "020 555 0101" in page.content()
    page.goto(f"{base}/beheer/dienst/{service_id}/geschiedenis")
    assert axe_violations(page) == []
    page.goto(f"{base}/beheer/beoordelen")
    assert axe_violations(page) == []
    assert requests_log.foreign == []


def test_report_form_is_accessible_and_sends(page, live_server, requests_log, editor):
    _, service_id = editor
    page.goto(f"{live_server.base_url}/dienst/{service_id}")
    page.locator("a", has_text="Klopt er iets niet?").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.select_option("#s-field", "phone")
    page.fill("#s-value", "020 123 4567")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "Dank u" in page.locator("[role=status]").inner_text()
    assert requests_log.foreign == []
