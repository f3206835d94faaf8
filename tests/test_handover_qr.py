"""The hand-over sheet's QR code (webapp/qr.py, webapp/blueprints/referral.py): made
offline, inline SVG, and linking to the public URL, never to the request's Host.

Runs on SQLite and PostgreSQL with the fixture mirror imported (Teststad, postcode 9011).
"""

from __future__ import annotations

import html as html_lib
import re

from tests.test_security_headers import make_app
from webapp.qr import qr_svg

PUBLIC = "https://loket.example.nl"
PRINT = "/zoek/print?q=huurachterstand&postcode=9011"


def _path_of(svg: str) -> str:
    match = re.search(r'<svg[^>]*class="qr-code"[^>]*>.*?<path[^>]*\bd="([^"]+)"', svg, re.S)
    assert match, "no QR code"
    return match.group(1)


def _qr_url(page: str) -> str:
    match = re.search(r'<span class="qr-url">([^<]+)</span>', page)
    assert match, "no QR link text"
    return html_lib.unescape(match.group(1))


def test_qr_svg_is_accessible_inline_svg():
    svg = str(qr_svg("https://loket.example.nl/zoek?q=a&postcode=9011", 'Scan "dit" <nu>'))
    assert svg.startswith('<svg role="img" aria-label="Scan &#34;dit&#34; &lt;nu&gt;"')
    assert "<script" not in svg and "xlink" not in svg
    assert "viewBox=" in svg  # sized by CSS, not by fixed width/height


def test_print_sheets_link_back_through_the_public_url(loaded_db, fixture_mirror):
    app = make_app(loaded_db, fixture_mirror, public_url=PUBLIC + "/")
    try:
        client = app.test_client()
        for host in ("localhost", "loket.example.nl"):
            page = client.get(PRINT, headers={"Host": host}).get_data(as_text=True)
            url = _qr_url(page)
            assert url.startswith(PUBLIC + "/zoek?")
            assert "q=huurachterstand" in url and "postcode=9011" in url
            # The drawn code encodes exactly that URL.
            assert _path_of(page) == _path_of(str(qr_svg(url, "x")))
        service_id = re.search(r'href="/dienst/([^"/]+)"',
                               client.get("/zoek?q=huurachterstand&postcode=9011")
                               .get_data(as_text=True)).group(1)
        page = client.get(f"/dienst/{service_id}/print").get_data(as_text=True)
        assert _qr_url(page) == f"{PUBLIC}/dienst/{service_id}"
        # The sheet in English links to the English pages.
        english = _qr_url(client.get(PRINT + "&lang=en").get_data(as_text=True))
        assert "lang=en" in english
    finally:
        app.extensions["loketwijzer_db"].dispose()
