"""Pages and API of the Mysterie-check on the extended fixture mirror: every page answers
with a language, works without JavaScript (plain links and GET forms), loads nothing from
other hosts; the API has the contract's shape and errors."""

from __future__ import annotations

import re

import pytest

from loketwijzer.actions import mysterie
from loketwijzer.config import Settings
from tests.mysterie_fixture import mysterie_state
from webapp.maps import external_asset_urls

PAGES = ("/mysterie", "/mysterie/GM9005", "/mysterie/GM9005/proef-route",
         "/mysterie/GM9005/proef-route/print", "/mysterie/GM9005/proef-route/vergelijk")


@pytest.fixture(scope="module")
def web(backend, tmp_path_factory):
    """An app on the Mysterie fixture (built once per session and backend; read only)."""
    from webapp import create_app

    url, mirror = mysterie_state(backend, tmp_path_factory)
    mysterie.clear_cache()
    app = create_app(Settings(database_url=url, sources_dir=mirror), TESTING=True)
    yield app
    mysterie.clear_cache()
    app.extensions["loketwijzer_db"].dispose()


@pytest.fixture
def client(web):
    return web.test_client()  # a fresh client: no language cookie from another test


def html_of(response) -> str:
    return response.data.decode("utf-8")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_in_dutch_and_english(client, url):
    for lang in ("nl", "en"):
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        html = html_of(response)
        assert f'<html lang="{lang}">' in html
        assert external_asset_urls(html) == []
        assert "<script" not in html or url.endswith("/proef-route")  # only the map


def test_start_page_lists_casussen_and_chooses_a_municipality(client):
    html = html_of(client.get("/mysterie"))
    text = text_of(html)
    assert text.count(" stappen:") >= 12
    assert '<option value="GM9005">Verweg</option>' in html
    assert "Gaat mis" in text and "Kan beter" in text
    for chosen in ("GM9005", "gm9005", "Verweg"):
        response = client.get(f"/mysterie?gemeente={chosen}")
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/mysterie/GM9005")
    response = client.get("/mysterie?gemeente=GM9005&pc4=9051")
    assert response.headers["Location"].endswith("/mysterie/GM9005?pc4=9051")
    wrong = client.get("/mysterie?gemeente=Nergensland")
    assert wrong.status_code == 400 and "kennen we niet" in text_of(html_of(wrong))
    elsewhere = client.get("/mysterie?gemeente=GM9005&pc4=9011")
    assert elsewhere.status_code == 400 and "ligt niet in Verweg" in html_of(elsewhere)


def test_municipality_page_grid_and_worst_moments_first(client):
    html = html_of(client.get("/mysterie/GM9005"))
    text = text_of(html)
    assert "Mysterie-check: Verweg" in text and "vanuit postcodegebied 9051 Verweg" in text
    grid = re.search(r'<table class="data my-grid">.*?</table>', html, re.S).group(0)
    assert grid.count('<th scope="row">') == len(mysterie.list_casussen()) + 1
    assert "Een proefroute" in grid and "eigen casus" in grid
    weak = re.search(r'<ol class="my-weak">(.*?)</ol>', html, re.S).group(1)
    verdicts = re.findall(r'my-verdict--(\w+)', weak)
    assert verdicts and verdicts == sorted(verdicts, key=["mis", "beter"].index)
    assert 'href="/mysterie/GM9005/proef-route#stap-2"' in weak
    assert '<select id="my-pc4" name="pc4">' in html  # the origin choice is a GET form


def test_casus_page_timeline_route_map_and_findings(client):
    html = html_of(client.get("/mysterie/GM9005/proef-route"))
    text = text_of(html)
    assert len(re.findall(r'<li id="stap-\d" class="my-step', html)) == 5
    assert "Alleen de gemeente zelf helpt, en die is hier de tegenpartij." in text
    assert "Loketten: 2" in text
    assert re.search(r'href="/dienst/[0-9a-f-]{36}">Huurteam Verweg</a>', html)
    assert "Na stap 1 gaat de inwoner van Huurteam Verweg naar Gemeente Verweg" in text
    assert 'class="folium-map lw-map"' in html and "/vendor/leaflet/leaflet.js" in html
    assert "Niemand kent de balie voor post." in text and "Team Zuid" in text
    assert "Folder bij de huisarts" in text and "20 november 2025" in text
    assert "Wie hielp?" in text
    assert 'href="/mysterie/GM9005/proef-route/print"' in html


def test_english_pages_mark_dutch_only_text(client):
    html = html_of(client.get("/mysterie/GM9005/proef-route?lang=en"))
    text = text_of(html)
    assert "A test route" in text and "Only the municipality itself helps" in text
    assert '<span lang="nl">Huur</span>' in html  # the casus has no English for it
    assert '<p lang="nl">Niemand kent de balie voor post.</p>' in html


def test_print_sheet_has_questions_and_room_for_notes(client):
    html = html_of(client.get("/mysterie/GM9005/proef-route/print"))
    text = text_of(html)
    assert "Gespreksblad Mysterie-check" in text
    assert html.count('class="my-lines"') == 5 and html.count("my-lines--short") == 3
    assert "Wat gaan we doen?" in text and "Niemand kent de balie voor post." in text
    assert "/dienst/" not in html  # a sheet for paper: names, no links


def test_compare_sorts_with_links_and_exports(client):
    html = html_of(client.get("/mysterie/GM9005/proef-route/vergelijk?scope=alle&sort=mis"
                              "&order=desc"))
    assert html.count('<tr class="my-self">') == 1
    header = re.search(r'<th scope="col" aria-sort="descending"[^>]*>\s*<a href="([^"]+)"',
                       html)
    assert header and "sort=mis" in header.group(1) and "order=asc" in header.group(1)
    assert "scope=alle" in header.group(1)
    klasse = html_of(client.get("/mysterie/GM9005/proef-route/vergelijk"))
    # Class 5 (niet stedelijk): Bergen (L.) and Verweg, and the row of averages.
    assert klasse.count('<th scope="row">') == 3 and "Bergen (L.)" in klasse
    csv = client.get("/mysterie/GM9005/proef-route/vergelijk.csv?scope=alle")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    assert csv.data.decode("utf-8-sig").count("\r\n") == 6
    xlsx = client.get("/mysterie/GM9005/proef-route/vergelijk?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/mysterie/GM9005/proef-route/vergelijk.pdf").status_code == 404
    assert client.get("/mysterie/GM9005/proef-route/vergelijk?sort=kleur").status_code == 400


@pytest.mark.parametrize("url", [
    "/mysterie/GM9999", "/mysterie/abc", "/mysterie/GM9005/bestaat-niet",
    "/mysterie/GM9002/proef-route", "/mysterie/GM9999/zzp-ziek/print",
    "/mysterie/GM9005/bestaat-niet/vergelijk",
])
def test_unknown_municipality_or_casus_is_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert '<html lang="nl">' in html_of(response)


def test_api_lists_the_casussen(client):
    data = client.get("/api/v1/mysterie").get_json()
    assert len(data["casussen"]) >= 12
    first = data["casussen"][0]
    assert {"id", "title", "steps"} <= set(first)
    assert {"need", "areas", "counterparty", "urgency", "deadline"} <= set(first["steps"][0])
    english = client.get("/api/v1/mysterie?lang=en").get_json()["casussen"][0]
    assert english["title"] != first["title"]


def test_api_checks_a_municipality(client):
    data = client.get("/api/v1/mysterie/GM9005").get_json()
    assert data["municipality"]["code"] == "GM9005" and data["origin"]["pc4"] == "9051"
    assert "bekend is in Loketwijzer" in data["note"]
    ids = [c["id"] for c in data["casussen"]]
    assert "proef-route" in ids and len(ids) == len(mysterie.list_casussen()) + 1
    for casus in data["casussen"]:
        assert isinstance(casus["loketten"], int)
        for step in casus["steps"]:
            assert step["verdict"] in ("goed", "beter", "mis") and step["reasons"]
            for stop in step["route"]:
                assert {"service_id", "name", "independent", "distance_km"} <= set(stop)
    services = {s["service_id"] for c in data["casussen"] for st in c["steps"]
                for s in st["route"]}
    for service_id in services:
        assert client.get(f"/api/v1/services/{service_id}").status_code == 200


def test_api_one_casus_with_findings_and_english(client):
    data = client.get("/api/v1/mysterie/GM9005/proef-route?lang=en").get_json()
    assert data["id"] == "proef-route" and data["title"] == "A test route"
    assert data["loketten"] == 2 and len(data["steps"]) == 5
    assert data["steps"][1]["reasons"] == [
        "Only the municipality itself helps, and it is the other party here."]
    assert data["steps"][1]["reason_codes"] == ["only_counterparty"]
    assert data["findings"][0]["text"] == "Niemand kent de balie voor post."
    assert data["questions"] == ["Wie hielp?", "Wat miste?", "Wat nu?"]


@pytest.mark.parametrize("url, status, code", [
    ("/api/v1/mysterie/GM9999", 404, "unknown_municipality"),
    ("/api/v1/mysterie/xyz", 404, "unknown_municipality"),
    ("/api/v1/mysterie/GM9005/bestaat-niet", 404, "unknown_casus"),
    ("/api/v1/mysterie/GM9005?pc4=9011", 400, "pc4_elsewhere"),
    ("/api/v1/mysterie/GM9005?pc4=abcd", 400, "invalid_pc4"),
])
def test_api_errors(client, url, status, code):
    response = client.get(url)
    assert response.status_code == status
    body = response.get_json()["error"]
    assert body["code"] == code and body["message"]


def test_beheer_casus_and_findings_forms(sapp, loaded_db):
    """Municipal editors add their own casus and record findings in /beheer (CSRF, own
    municipality only), and they show on the casus page, escaped."""
    import io

    import yaml

    from loketwijzer.actions import mysterie as actions
    from tests.mysterie_fixture import CASUS
    from tests.stewardship_fixture import csrf_of, login, make_user

    make_user(loaded_db, "team@teststad.example", "municipality", municipality="GM9001")
    try:
        client = sapp.test_client()
        assert client.get("/beheer/mysterie").status_code == 302  # login first
        login(client, "team@teststad.example")
        page = client.get("/beheer/mysterie")
        assert page.status_code == 200
        token = csrf_of(page.get_data(as_text=True))
        casus = yaml.safe_dump(dict(CASUS, id="eigen-route")).encode()
        upload = {"csrf_token": token, "gemeente": "GM9001", "action": "casus",
                  "file": (io.BytesIO(casus), "casus.yaml")}
        assert client.post("/beheer/mysterie", data=upload,
                           content_type="multipart/form-data").status_code == 302
        broken = dict(upload, file=(io.BytesIO(b"id: x\n"), "kapot.yaml"))
        refused = client.post("/beheer/mysterie", data=broken,
                              content_type="multipart/form-data")
        assert refused.status_code == 422 and "niet opgeslagen" in refused.get_data(True)
        finding = {"csrf_token": token, "gemeente": "GM9001", "action": "finding",
                   "casus": "eigen-route", "verdict": "beter", "owner": "Team Wmo",
                   "text": "<script>x</script> De brief was onduidelijk."}
        assert client.post("/beheer/mysterie",
                           data={k: v for k, v in finding.items() if k != "csrf_token"}
                           ).status_code == 400
        assert client.post("/beheer/mysterie", data=finding).status_code == 302
        listed = client.get("/beheer/mysterie").get_data(as_text=True)
        assert "&lt;script&gt;x&lt;/script&gt;" in listed and "<script>x</script>" not in listed
        assert client.get("/beheer/mysterie?gemeente=GM9002").status_code == 403
        assert client.post("/beheer/mysterie", data=dict(finding, gemeente="GM9002")
                           ).status_code == 403
    finally:
        actions.clear_cache()
    with loaded_db.session() as s:
        assert [c.id for c in actions.own_casussen(s, "GM9001")] == ["eigen-route"]
        found = actions.list_findings(s, "GM9001")
        assert [(f.verdict, f.owner, f.created_by) for f in found] == [
            ("beter", "Team Wmo", "redactie gemeente GM9001")]
