"""Gap-audit service functions, API, pages, exports and CLI on the hand-computed case of
``tests/test_audit_case.py`` (both database backends)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from loketwijzer import audit_findings
from loketwijzer.actions import audit
from loketwijzer.errors import InvalidInput, NotFound
from tests.test_audit_case import AS_OF, build_case


@pytest.fixture(autouse=True)
def _fresh_cache():
    audit.clear_cache()
    yield
    audit.clear_cache()


@pytest.fixture
def case_db(db):
    build_case(db)
    return db


@pytest.fixture
def case_client(app, db):
    build_case(db)
    return app.test_client()


def _area(result: dict, code: str) -> dict:
    return next(a for a in result["areas"] if a["code"] == code)


# ----------------------------------------------------------------------------- service functions

def test_audit_municipality_matches_hand_computation(case_db):
    with case_db.session() as s:
        result = audit.audit_municipality(s, "gm9101", as_of=AS_OF)
    assert result["code"] == "GM9101" and result["name"] == "Meridiaanstad"
    assert len(result["areas"]) == 20  # every problem area, also those without help
    schulden = _area(result, "schulden")
    assert schulden["share_within_km"] == {"5": 0.1, "10": 0.4, "20": 1.0}
    assert schulden["mean_km"] == pytest.approx(10.0, abs=0.05)
    assert (schulden["services"], schulden["independent"], schulden["remote_only"],
            schulden["stale"], schulden["approximate_distances"]) == (4, 3, 1, 3, 2)
    assert schulden["nearest_help"]["organization"] == "Geldhulp Regio"
    assert schulden["nearest_help"]["share"] == pytest.approx(0.9)
    assert _area(result, "zorg")["municipal_only"] is True
    toeslagen = _area(result, "toeslagen")
    assert toeslagen["services"] == 0 and toeslagen["mean_km"] is None
    assert toeslagen["share_within_km"]["20"] == 0.0
    dq = result["data_quality"]
    assert {k: dq[k] for k in ("records", "stale", "no_schedule", "no_phone", "no_address")} \
        == {"records": 3, "stale": 2, "no_schedule": 1, "no_phone": 1, "no_address": 1}
    assert dq["national"]["records"] == 1
    by_name = {item["name"]: item["issues"] for item in dq["items"]}
    assert by_name["S1"] == []
    assert "geen telefoonnummer" in by_name["S4"]
    assert all("organisations" in e and "municipal_only_areas" in e
               for e in result["life_events"])


def test_unknown_and_malformed_codes(case_db):
    with case_db.session() as s:
        with pytest.raises(NotFound):
            audit.audit_municipality(s, "GM0001")
        with pytest.raises(InvalidInput):
            audit.audit_municipality(s, "Amsterdam!")


def test_biggest_gaps_in_plain_language(case_db):
    with case_db.session() as s:
        result = audit.audit_municipality(s, "GM9101", as_of=AS_OF)
    gaps = audit_findings.biggest_gaps(result)
    assert ("Voor Schulden en geldzorgen is voor 60% van de inwoners geen onafhankelijke hulp "
            "binnen 10 km bekend in Loketwijzer.") in gaps
    assert any(g.startswith("Voor Zorg en ondersteuning kunnen inwoners in de buurt alleen "
                            "bij de gemeente zelf terecht") for g in gaps)
    assert any("2 van de 3 gegevens" in g for g in gaps)
    assert any("For Debt and money worries" in g
               for g in audit_findings.biggest_gaps(result, lang="en"))


def test_national_table_sorts_and_checks_input(case_db):
    with case_db.session() as s:
        table = audit.audit_national(s, "schulden", "share_5", sort="share_5", order="desc",
                                     as_of=AS_OF)
        assert [r["code"] for r in table["rows"]] == ["GM9102", "GM9101"]
        first = table["rows"][0]
        assert first["share_5"] == pytest.approx(1.0) and first["value"] == first["share_5"]
        assert table["rows"][1]["share_5"] == pytest.approx(0.1)
        by_name = audit.audit_national(s, None, "mean_km", as_of=AS_OF)
        assert [r["name"] for r in by_name["rows"]] == ["Buurdorp", "Meridiaanstad"]
        for bad in ({"area": "nope"}, {"metric": "nope"}, {"sort": "nope"},
                    {"order": "sideways"}):
            with pytest.raises(InvalidInput):
                audit.audit_national(s, **bad)


def test_similar_municipalities_same_urbanisation(case_db):
    with case_db.session() as s:
        similar = audit.similar_municipalities(s, "GM9101", as_of=AS_OF)
    assert similar["urbanisation"] == 2 and similar["class_size"] == 2
    assert [r["code"] for r in similar["similar"]] == ["GM9102"]
    assert similar["municipality"]["code"] == "GM9101"
    assert similar["class_average"]["share_10"] is not None


def test_pc4_distances_for_the_map(case_db):
    with case_db.session() as s:
        rows = audit.pc4_distances(s, "GM9101", "schulden", as_of=AS_OF)
    assert [r["pc4"] for r in rows] == ["9101", "9102", "9103"]
    assert [r["distance_km"] for r in rows] == pytest.approx([2.5, 7.5, 12.5], abs=0.05)
    assert [r["nearest"]["approximate"] for r in rows] == [False, True, True]


# ----------------------------------------------------------------------------- API

def test_api_audit_contract(case_client):
    response = case_client.get("/api/v1/audit/GM9101")
    assert response.status_code == 200
    body = response.get_json()
    schulden = _area(body, "schulden")
    for key in ("services", "independent", "share_within_km", "stale"):
        assert key in schulden
    assert set(schulden["share_within_km"]) == {"5", "10", "20"}
    assert isinstance(body["gaps"], list) and body["gaps"]
    # Issue 8: how much of the help Loketwijzer knows, and how well.
    done = body["data_completeness"]
    assert set(done["sources"]) == {"town_hall", "independent_help_list", "own_sociale_kaart"}
    assert done["records"] == body["data_quality"]["records"]
    for key in ("share_exact_address", "share_checked_within_year"):
        assert done[key] is None or 0.0 <= done[key] <= 1.0
    assert done["expected_locations"] > 0 and "1.621" in done["expectation_source"]
    assert isinstance(done["distances_indicative"], bool)
    missing = case_client.get("/api/v1/audit/GM0001")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "unknown_municipality"
    bad = case_client.get("/api/v1/audit/xyz")
    assert bad.status_code == 400 and "message" in bad.get_json()["error"]
    table = case_client.get("/api/v1/audit?area=schulden&sort=population&order=desc")
    assert [r["code"] for r in table.get_json()["rows"]] == ["GM9101", "GM9102"]
    assert case_client.get("/api/v1/audit?metric=x").status_code == 400


# ----------------------------------------------------------------------------- exports

def test_scorecard_csv_opens_in_dutch_excel(case_client):
    response = case_client.get("/audit/GM9101.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert 'filename="loketwijzer-audit-GM9101-' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 20
    schulden = next(r for r in rows if r["Code"] == "schulden")
    assert schulden["Inwoners met onafhankelijke hulp binnen 5 km (%)"] == "10,0"
    assert schulden["Inwoners met onafhankelijke hulp binnen 10 km (%)"] == "40,0"
    assert schulden["Hulpdiensten voor inwoners"] == "4"
    assert float(schulden["Gemiddelde afstand (km)"].replace(",", ".")) == pytest.approx(10.0)
    same = case_client.get("/audit/GM9101?format=csv")
    assert same.data == response.data


def test_scorecard_xlsx_has_styled_sheets(case_client):
    from openpyxl import load_workbook

    response = case_client.get("/audit/GM9101.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["Scorekaart", "Levensgebeurtenissen", "Datakwaliteit",
                             "Rechtsbescherming-scan", "Zoekvragen naast aanbod",
                             "Zoekvragen per week", "Bronnen"]
    ws = wb["Scorekaart"]
    header = [c.value for c in ws[1]]
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    col = header.index("Inwoners met onafhankelijke hulp binnen 10 km") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "schulden")
    cell = ws.cell(row, col)
    assert cell.value == pytest.approx(0.4) and cell.number_format == "0.0%"
    sources = " ".join(str(c.value) for c in wb["Bronnen"]["A"])
    assert "Kadaster / Centraal Bureau voor de Statistiek, 2024" in sources
    assert "ESRI Nederland" in sources


def test_national_exports(case_client):
    response = case_client.get("/audit/export.csv?area=schulden&sort=name")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Code", "Gemeente"]
    assert [r[1] for r in rows[1:]] == ["Buurdorp", "Meridiaanstad"]
    from openpyxl import load_workbook

    xlsx = case_client.get("/audit?format=xlsx&area=schulden")
    wb = load_workbook(io.BytesIO(xlsx.data))
    assert wb["Gemeenten"].max_row == 3
    assert case_client.get("/audit/export.pdf").status_code == 400  # csv or xlsx only


# ----------------------------------------------------------------------------- pages

def _assert_no_third_party_assets(html: str) -> None:
    from webapp.maps import external_asset_urls

    assert external_asset_urls(html) == []
    hosts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', html)
    assert hosts == []


def test_overview_page(case_client):
    response = case_client.get("/audit?area=schulden&metric=share_10&sort=share_10&order=asc")
    assert response.status_code == 200
    html = response.data.decode()
    _assert_no_third_party_assets(html)
    assert '<html lang="nl">' in html
    assert 'aria-sort="ascending"' in html
    assert '<th scope="row"><a href="/audit/GM9101">Meridiaanstad</a></th>' in html
    assert "/vendor/leaflet/leaflet.js" in html and "/static/css/audit.css" in html
    assert html.index("Meridiaanstad</a>") < html.index("Buurdorp</a>")  # 40% before 100%
    assert "Kadaster / Centraal Bureau voor de Statistiek, 2024" in html
    assert "Legenda" in html and "40%" in html
    english = case_client.get("/audit?lang=en").data.decode()
    assert '<html lang="en">' in english


def test_scorecard_page(case_client):
    response = case_client.get("/audit/GM9101?area=schulden")
    assert response.status_code == 200
    html = response.data.decode()
    _assert_no_third_party_assets(html)
    for text in ("De grootste gaten", "Scorekaart per onderwerp", "Loket-jungle",
                 "Vergelijkbare gemeenten", "Kwaliteit van de gegevens",
                 "locatie bij benadering", "Buurdorp", "ESRI Nederland", "GeoNames",
                 "/audit/GM9101.xlsx", "alleen de gemeente zelf"):
        assert text in html, text
    assert html.count('scope="col"') > 20
    printable = case_client.get("/audit/GM9101/print")
    assert printable.status_code == 200
    assert "Rapport gap-audit: Meridiaanstad" in printable.data.decode()
    assert "leaflet" not in printable.data.decode()
    assert case_client.get("/audit/GM0001").status_code == 404
    assert case_client.get("/audit/GM9101?area=bestaatniet").status_code == 400


# ----------------------------------------------------------------------------- CLI

def test_cli_writes_csv_xlsx_json(app, db, tmp_path):
    from webapp.cli_audit import register

    build_case(db)
    if "audit" not in app.cli.commands:
        register(app)
    runner = app.test_cli_runner()
    out = tmp_path / "alles.csv"
    result = runner.invoke(args=["audit", "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 * 20
    one = tmp_path / "schulden.json"
    result = runner.invoke(args=["audit", "-m", "GM9101", "-a", "schulden", "-o", str(one)])
    assert result.exit_code == 0, result.output
    data = json.loads(one.read_text("utf-8"))
    assert [a["code"] for a in data["areas"]] == ["schulden"]
    assert data["areas"][0]["share_within_km"]["10"] == 0.4
    book = tmp_path / "alles.xlsx"
    assert runner.invoke(args=["audit", "-a", "wonen", "-o", str(book)]).exit_code == 0
    assert book.read_bytes()[:2] == b"PK"
    bad = runner.invoke(args=["audit", "-m", "GM0001", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code != 0 and "bestaat niet" in bad.output
    wrong = runner.invoke(args=["audit", "-o", str(tmp_path / "x.pdf")])
    assert wrong.exit_code != 0


def test_pages_on_an_empty_database(client):
    """Before any import: the overview says there is nothing, it does not crash."""
    response = client.get("/audit")
    assert response.status_code == 200
    assert client.get("/api/v1/audit").get_json()["rows"] == []
    assert client.get("/audit/GM0363").status_code == 404
