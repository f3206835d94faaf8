"""Protective headers and host handling (webapp/security_headers.py).

Runs on SQLite and PostgreSQL with the fixture mirror imported (Teststad, postcode 9011).
"""

from __future__ import annotations

import re

import pytest

from loketwijzer.config import Settings
from webapp.security_headers import NO_STORE_PREFIXES, content_security_policy, origin_of

SEARCH = "/zoek?q=huurachterstand&postcode=9011"


def make_app(db, mirror, **settings):
    from webapp import create_app

    return create_app(Settings(database_url=db.url, sources_dir=mirror, **settings),
                      TESTING=True)


@pytest.fixture
def loaded_app(loaded_db, fixture_mirror):
    app = make_app(loaded_db, fixture_mirror)
    yield app
    app.extensions["loketwijzer_db"].dispose()


@pytest.fixture
def loaded_client(loaded_app):
    return loaded_app.test_client()


def csp_of(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def test_csp_nonce_covers_every_inline_script(loaded_client):
    response = loaded_client.get(SEARCH)
    assert response.status_code == 200
    csp = csp_of(response)
    nonce = re.search(r"'nonce-([^']+)'", csp["script-src"]).group(1)
    assert "'unsafe-inline'" not in csp["script-src"]
    assert csp["default-src"] == "default-src 'self'"
    assert "https://service.pdok.nl" in csp["img-src"]
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html, flags=re.I)
    inline = [tag for tag in scripts if "src=" not in tag]
    assert inline, "the results page draws a map with inline scripts"
    for tag in inline:
        assert f'nonce="{nonce}"' in tag, tag
    # Only our own host for scripts with a src.
    for tag in scripts:
        src = re.search(r'src="([^"]+)"', tag)
        if src:
            assert src.group(1).startswith("/"), tag


def test_nonce_differs_per_request(loaded_client):
    first = csp_of(loaded_client.get(SEARCH))["script-src"]
    second = csp_of(loaded_client.get(SEARCH))["script-src"]
    assert first != second


def test_frame_protection_everywhere(loaded_client):
    for path in ("/", SEARCH, "/api/v1/municipalities", "/bestaat-niet"):
        response = loaded_client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_no_store_on_searches_and_services(loaded_client):
    page = loaded_client.get(SEARCH)
    service = re.search(r'href="(/dienst/[^"?#]+)"', page.get_data(as_text=True)).group(1)
    for path in (SEARCH, "/zoek/print?q=huurachterstand&postcode=9011", service,
                 service + "/print", "/api/v1/services?postcode=9011&areas=schulden",
                 "/api/v1/match?q=schulden"):
        response = loaded_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    assert "no-store" not in loaded_client.get("/").headers.get("Cache-Control", "")
    assert all(p.startswith("/") for p in NO_STORE_PREFIXES)


def test_no_cookie_on_api_responses(loaded_client):
    page = loaded_client.get("/?lang=en")
    assert "lang=en" in page.headers.get("Set-Cookie", "")  # pages remember the language
    for path in ("/api/v1/services?postcode=9011&areas=schulden&lang=en",
                 "/api/v1/municipalities?lang=en", "/api/v1/bestaat-niet?lang=en"):
        response = loaded_client.get(path)
        assert "Set-Cookie" not in response.headers, path


def test_no_session_cookie_on_api_responses(loaded_client):
    """A signed-in editor's browser sends its session to the API too: no refresh there."""
    with loaded_client.session_transaction() as session:
        session.permanent = True  # refreshed on every request elsewhere
        session["probe"] = "x"
    api = loaded_client.get("/api/v1/municipalities")
    assert "Set-Cookie" not in api.headers
    page = loaded_client.get("/")
    assert "lw_session=" in page.headers.get("Set-Cookie", "")


def test_forged_host_is_refused_with_the_same_headers(loaded_client):
    response = loaded_client.get(SEARCH, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_health_probe_answers_for_any_host(loaded_client):
    response = loaded_client.get("/healthz", headers={"Host": "10.0.0.7:5000"})
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"


def test_share_link_uses_the_request_host_only_when_trusted(loaded_client):
    html = loaded_client.get(SEARCH).get_data(as_text=True)
    assert "http://localhost/zoek?" in html


def test_public_url_builds_links_and_redirects(loaded_db, fixture_mirror):
    app = make_app(loaded_db, fixture_mirror, public_url="https://loket.example.nl/")
    try:
        client = app.test_client()
        html = client.get(SEARCH).get_data(as_text=True)
        assert "https://loket.example.nl/zoek?" in html
        assert "http://localhost/zoek" not in html
        # The public host is trusted; any other host is refused.
        assert client.get(SEARCH, headers={"Host": "loket.example.nl"}).status_code == 200
        assert client.get(SEARCH, headers={"Host": "evil.example"}).status_code == 400
        # Flask's slash redirect is absolute: it must name the public host.
        redirect = client.get("/beheer")
        assert redirect.status_code in (301, 308)
        assert redirect.headers["Location"].startswith("https://loket.example.nl/beheer/")
    finally:
        app.extensions["loketwijzer_db"].dispose()


def test_trusted_hosts_from_settings(loaded_db, fixture_mirror):
    app = make_app(loaded_db, fixture_mirror, trusted_hosts=("hulp.example.nl",))
    try:
        client = app.test_client()
        ok = client.get(SEARCH, headers={"Host": "hulp.example.nl"})
        assert ok.status_code == 200
        assert "http://hulp.example.nl/zoek?" in ok.get_data(as_text=True)
        assert client.get("/", headers={"Host": "other.example.nl"}).status_code == 400
    finally:
        app.extensions["loketwijzer_db"].dispose()


def test_settings_read_public_url_and_hosts_from_env():
    settings = Settings.from_env({"LOKETWIJZER_PUBLIC_URL": "https://a.example/",
                                  "LOKETWIJZER_TRUSTED_HOSTS": "B.example, c.example"})
    assert settings.public_url == "https://a.example/"
    assert settings.trusted_hosts == ("b.example", "c.example")


def test_policy_helpers():
    assert origin_of("https://service.pdok.nl/brt/{z}/{x}/{y}.png") == "https://service.pdok.nl"
    policy = content_security_policy("abc", None)
    assert "'nonce-abc'" in policy and "img-src 'self' data:;" in policy
