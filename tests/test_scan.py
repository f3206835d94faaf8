"""Rechtsbescherming-scan: the criteria file, the measured criteria and their evidence,
the questionnaire answers and who may give them, the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest

from loketwijzer.actions import scan
from loketwijzer.auth import ANONYMOUS, Actor
from loketwijzer.errors import Forbidden, InvalidInput, NotFound
from loketwijzer.scan import STATUSES, load_spec
from loketwijzer.scan.measures import MEASURES
from loketwijzer.scan.spec import SpecError, parse_spec
from tests.stewardship_fixture import make_user

ADMIN = Actor("admin", user_id=1, email="beheer@loketwijzer.example")
TESTSTAD = Actor("municipality", user_id=2, email="redacteur@teststad.example",
                 municipality="GM9001")
PROEFDORP = Actor("municipality", user_id=3, municipality="GM9002")
ORGANISATION = Actor("organization", user_id=4, municipality="GM9001", organization_id="x")


# ----------------------------------------------------------------------------- the criteria

def test_spec_has_the_required_shape():
    spec = load_spec()
    assert len(spec.bouwstenen) >= 4
    assert {b.code for b in spec.bouwstenen} >= {"aanbod", "informatie", "bejegening",
                                                  "samenwerking"}
    data = [c for c in spec.criteria.values() if c.source == "data"]
    asked = [c for c in spec.criteria.values() if c.source == "vragenlijst"]
    assert len(data) >= 8
    assert {c.measure for c in data} <= set(MEASURES)
    assert {"vertrouwelijke_ruimte", "huisbezoek", "warme_overdracht", "signaleringsoverleg",
            "clientervaring"} <= {c.id for c in asked}
    assert all(c.question and c.question_en for c in asked)
    assert all(c.todo and c.todo_en and c.label_en for c in spec.criteria.values())
    assert spec.source["title"] == "Aan de slag met rechtsbescherming"
    assert "Divosa" in spec.source["publisher"] and spec.source["year"] == 2023
    from loketwijzer.taxonomy import area_codes

    assert set(spec.core_areas) <= set(area_codes())


def _spec(**criterion):
    base = {"id": "x", "source": "data", "measure": "walk_in", "label": "L",
            "label_en": "L", "todo": "T", "todo_en": "T"}
    return {"source": {"title": "t", "publisher": "p", "year": 2023},
            "bouwstenen": [{"code": "b", "label": "B", "label_en": "B", "intro": "I",
                            "intro_en": "I", "criteria": [{**base, **criterion}]}]}


def test_spec_errors_are_caught():
    parse_spec(_spec())
    with pytest.raises(SpecError):
        parse_spec(_spec(measure="nope"))
    with pytest.raises(SpecError):
        parse_spec(_spec(source="gevoel"))
    with pytest.raises(SpecError):
        parse_spec(_spec(source="vragenlijst", measure=None))  # no question
    doubled = _spec()
    doubled["bouwstenen"][0]["criteria"] *= 2
    with pytest.raises(SpecError):
        parse_spec(doubled)


# ----------------------------------------------------------------------------- the scan

def test_scan_on_the_fixture(loaded_db):
    with loaded_db.session() as s:
        result = scan.scan_municipality(s, "GM9001", as_of=dt.date(2026, 12, 4))
    assert result.code == "GM9001" and result.name == "Teststad"
    criteria = result.criteria()
    assert len(result.bouwstenen) >= 4
    for c in criteria:
        assert c.status in STATUSES
        assert (c.todo is None) == (c.status == "voldoet")
        if c.source == "data":
            ev = c.evidence
            assert ev is not None and ev.summary and ev.rule and ev.summary_en and ev.rule_en
            assert isinstance(ev.figures, dict) and ev.figures
        else:
            assert c.evidence is None and c.answer is None and c.status == "onbekend"
    body = result.to_dict()
    assert sum(body["counts"].values()) == len(criteria)
    assert body["source"]["publisher"].startswith("Divosa")


def test_scan_unknown_municipality(loaded_db):
    with loaded_db.session() as s, pytest.raises(NotFound):
        scan.scan_municipality(s, "GM9999")


# ----------------------------------------------------------------------------- answers

def test_who_may_answer(loaded_db):
    answers = [{"criterion": "huisbezoek", "status": "voldoet", "comment": "Ja, via het "
                "wijkteam."}]
    with loaded_db.session() as s:
        for actor in (None, ANONYMOUS, PROEFDORP, ORGANISATION,
                      Actor("municipality", user_id=5, municipality=None)):
            with pytest.raises(Forbidden):
                scan.save_scan_answers(s, actor, "GM9001", answers)
        saved = scan.save_scan_answers(s, TESTSTAD, "gm9001", answers,
                                       now=dt.datetime(2026, 12, 4, 14, 0))
        # The public scan names the team, never the editor's e-mail address.
        assert saved["huisbezoek"].answered_by == "redactie gemeente GM9001"
        assert saved["huisbezoek"].answered_at == "2026-12-04T14:00:00"
        scan.save_scan_answers(s, ADMIN, "GM9002", {"warme_overdracht": "deels"})
    with loaded_db.session() as s:
        result = scan.scan_municipality(s, "GM9001")
        other = scan.scan_municipality(s, "GM9002")
    home = next(c for c in result.criteria() if c.id == "huisbezoek")
    assert home.status == "voldoet" and home.todo is None
    assert home.answer.comment == "Ja, via het wijkteam."
    hand_over = next(c for c in other.criteria() if c.id == "warme_overdracht")
    assert hand_over.status == "deels" and hand_over.answer.answered_by == "beheer Loketwijzer"
    assert hand_over.todo  # not met: what to do


def test_answers_update_in_place(loaded_db):
    with loaded_db.session() as s:
        scan.save_scan_answers(s, ADMIN, "GM9001", {"huisbezoek": "deels"})
        saved = scan.save_scan_answers(s, ADMIN, "GM9001", {"huisbezoek": {
            "status": "voldoet", "comment": "  nu wel  "}})
        assert saved["huisbezoek"].status == "voldoet"
        assert saved["huisbezoek"].comment == "nu wel"
        from sqlalchemy import func, select

        from loketwijzer.models import ScanAnswer

        assert s.scalar(select(func.count()).select_from(ScanAnswer)) == 1


@pytest.mark.parametrize("answers, code", [
    ([{"criterion": "onbekend_ding", "status": "voldoet"}], "invalid_criterion"),
    ([{"criterion": "inloop", "status": "voldoet"}], "invalid_criterion"),  # a data one
    ([{"criterion": "huisbezoek", "status": "prima"}], "invalid_status"),
    ([{"criterion": "huisbezoek", "status": "deels", "comment": "x" * 1001}],
     "comment_too_long"),
    ([{"criterion": "huisbezoek", "status": "deels", "comment": 5}], "invalid_comment"),
    ([], "invalid_answers"),
    ("voldoet", "invalid_answers"),
    ([{"criterion": "huisbezoek", "status": "deels"}] * 0 + ["x"], "invalid_answers"),
])
def test_answers_are_validated(loaded_db, answers, code):
    with loaded_db.session() as s, pytest.raises(InvalidInput) as exc:
        scan.save_scan_answers(s, ADMIN, "GM9001", answers)
    assert exc.value.code == code


def test_invalid_batch_stores_nothing(loaded_db):
    with loaded_db.session() as s, pytest.raises(InvalidInput):
        scan.save_scan_answers(s, ADMIN, "GM9001", [
            {"criterion": "huisbezoek", "status": "voldoet"},
            {"criterion": "huisbezoek", "status": "fout"}])
    with loaded_db.session() as s:
        assert scan.scan_municipality(s, "GM9001").to_dict()  # still fine
        from sqlalchemy import func, select

        from loketwijzer.models import ScanAnswer

        assert s.scalar(select(func.count()).select_from(ScanAnswer)) == 0


# ----------------------------------------------------------------------------- web

@pytest.fixture
def web(client, loaded_db):
    return client


def test_api_scan(web):
    response = web.get("/api/v1/scan/GM9001")
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["bouwstenen"]) >= 4
    data = [c for b in body["bouwstenen"] for c in b["criteria"] if c["source"] == "data"]
    assert len(data) >= 8 and all(c["evidence"]["rule"] for c in data)
    assert {"weeks", "next_to_supply", "trend", "min_cell"} <= set(body["demand"])
    assert web.get("/api/v1/scan/GM9999").status_code == 404


def test_api_answers_need_a_token(web):
    response = web.put("/api/v1/scan/GM9001/answers",
                       json={"answers": [{"criterion": "huisbezoek", "status": "voldoet"}]})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    bad = web.put("/api/v1/scan/GM9001/answers", headers={"Authorization": "Bearer nee"},
                  json={"answers": [{"criterion": "huisbezoek", "status": "voldoet"}]})
    assert bad.status_code == 401


def test_api_answers_with_a_token(web, loaded_db):
    _, token, _ = make_user(loaded_db, "redacteur@teststad.example", "municipality",
                            municipality="GM9001")
    auth = {"Authorization": f"Bearer {token}"}
    ok = web.put("/api/v1/scan/GM9001/answers", headers=auth,
                 json={"answers": [{"criterion": "huisbezoek", "status": "voldoet"}]})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["answers"]["huisbezoek"]["answered_by"] == "redactie gemeente GM9001"
    other = web.put("/api/v1/scan/GM9002/answers", headers=auth,
                    json={"answers": [{"criterion": "huisbezoek", "status": "voldoet"}]})
    assert other.status_code == 403
    bad = web.put("/api/v1/scan/GM9001/answers", data="nee", headers=auth,
                  content_type="application/json")
    assert bad.status_code == 400
    page = web.get("/scan/GM9001").get_data(as_text=True)
    assert "redactie gemeente GM9001" in page
    assert "redacteur@teststad.example" not in page


@pytest.mark.parametrize("url", ["/scan/GM9001", "/scan/GM9001/print", "/scan/GM9001?lang=en",
                                 "/scan", "/audit/GM9001", "/audit/GM9001/print"])
def test_pages(web, url):
    response = web.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if url.startswith("/scan"):
        assert "<script" not in html  # no inline script (a CSP is coming)
    if url.startswith("/scan/"):
        assert "Aan de slag met rechtsbescherming" in html
        assert ("Wat kunt u doen?" in html) or ("What can you do?" in html)
    elif url.startswith("/audit/"):
        assert "Waar zoeken inwoners hulp bij?" in html  # demand next to supply
        if url.endswith("/print"):  # the report holds the scan too
            assert "Aan de slag met rechtsbescherming" in html and "scan-status" in html


def test_scan_index_redirects(web):
    response = web.get("/scan?gemeente=gm9002")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/scan/GM9002")
    assert web.get("/scan/GM9999").status_code == 404


# ----------------------------------------------------------------------------- exports

def _count(loaded_db, area: str, n: int) -> None:
    from loketwijzer import signals

    with loaded_db.session() as s:
        for _ in range(n):
            signals.record(s, "GM9001", [area])


def test_exports_hold_scan_and_shown_signals_only(web, loaded_db):
    import io

    from openpyxl import load_workbook

    _count(loaded_db, "wonen", 12)
    _count(loaded_db, "discriminatie", 4)
    response = web.get("/audit/GM9001.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    assert {"Rechtsbescherming-scan", "Zoekvragen per week",
            "Zoekvragen naast aanbod"} <= set(wb.sheetnames)
    scan_sheet = [[c.value for c in row] for row in wb["Rechtsbescherming-scan"].iter_rows()]
    spec = load_spec()
    assert len(scan_sheet) == 1 + len(spec.criteria)
    weeks = [[c.value for c in row] for row in wb["Zoekvragen per week"].iter_rows()]
    assert [r[1] for r in weeks[1:]] == ["wonen"] and weeks[1][3] == 12
    notes = " ".join(str(c.value) for row in wb["Bronnen"].iter_rows() for c in row)
    assert "Aan de slag met rechtsbescherming" in notes

    text = web.get("/audit/GM9001.csv?deel=scan").get_data(as_text=True)
    assert "onafhankelijk_per_onderwerp" in text and "huisbezoek" in text
    text = web.get("/audit/GM9001.csv?deel=zoekvragen").get_data(as_text=True)
    assert "wonen" in text and "discriminatie" not in text
    assert web.get("/audit/GM9001.csv?deel=iets").status_code == 400
    plain = web.get("/audit/GM9001.csv").get_data(as_text=True)
    assert "Onderwerp" in plain  # the scorecard CSV is unchanged
    page = web.get("/scan/GM9001").get_data(as_text=True)
    assert "Veel gezocht" in page or "12" in page


def test_cli_export_with_scan(loaded_db, tmp_path):
    import json

    from webapp.cli_audit import write_audit

    out = tmp_path / "a.json"
    with loaded_db.session() as s:
        write_audit(s, out, municipality="GM9001", area=None, stale_after_days=365,
                    progress=False)
    body = json.loads(out.read_text())
    assert len(body["scan"]["bouwstenen"]) >= 4


def test_cli_show_and_answer(app, loaded_db):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["scan", "answer", "GM9001", "huisbezoek", "deels", "--door",
                               "Team Wmo", "--toelichting", "Alleen op dinsdag"])
    assert done.exit_code == 0, done.output
    shown = runner.invoke(args=["scan", "show", "GM9001"])
    assert shown.exit_code == 0 and "[deels] Hulp kan ook thuis" in shown.output
    assert "beantwoord door Team Wmo" in shown.output
    wrong = runner.invoke(args=["scan", "answer", "GM9001", "inloop", "deels", "--door", "x"])
    assert wrong.exit_code == 1 and "geen vraag van de scan" in wrong.output
    as_json = runner.invoke(args=["scan", "show", "GM9001", "--json"])
    assert '"bouwstenen"' in as_json.output


def test_beheer_questionnaire_form(sapp, loaded_db):
    """Municipal editors answer their own scan in /beheer (CSRF), never another's."""
    from tests.stewardship_fixture import csrf_of, login

    make_user(loaded_db, "team@teststad.example", "municipality", municipality="GM9001")
    client = sapp.test_client()
    assert client.get("/beheer/scan").status_code == 302  # login first
    login(client, "team@teststad.example")
    page = client.get("/beheer/scan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="status-huisbezoek"' in html
    form = {"csrf_token": csrf_of(html), "gemeente": "GM9001",
            "criterion": ["huisbezoek"], "status-huisbezoek": "voldoet",
            "comment-huisbezoek": "<b>Via het wijkteam</b>"}
    without_token = {k: v for k, v in form.items() if k != "csrf_token"}
    assert client.post("/beheer/scan", data=without_token).status_code == 400
    assert client.post("/beheer/scan", data=form).status_code == 302
    scan_page = client.get("/scan/GM9001").get_data(as_text=True)
    assert "&lt;b&gt;Via het wijkteam&lt;/b&gt;" in scan_page  # escaped
    assert "redactie gemeente GM9001" in scan_page
    assert client.get("/beheer/scan?gemeente=GM9002").status_code == 403
    other = dict(form, gemeente="GM9002")
    assert client.post("/beheer/scan", data=other).status_code == 403
