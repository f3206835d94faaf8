"""Stewardship (issue 10): accounts, scoped editing, history, suggestions, freshness."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from loketwijzer.actions import editing, freshness, review, suggestions
from loketwijzer.auth import ANONYMOUS, SYSTEM
from loketwijzer.config import Settings
from loketwijzer.errors import ActionError, Forbidden
from loketwijzer.models import (
    AuthEvent,
    FieldOverride,
    RecordVersion,
    ReviewItem,
    Service,
    ServiceImpression,
)
from tests.stewardship_fixture import (
    PASSWORD,
    csrf_of,
    login,
    make_user,
    organization_of,
    town_hall,
)
from webapp import create_app


@pytest.fixture
def ids(loaded_db):
    with loaded_db.session() as session:
        return {"own": town_hall(session, "GM9001").id, "other": town_hall(session, "GM9002").id}


def _actions(session, actor, service_id):
    """Every scoped action once, on one record."""
    item = ReviewItem(kind="suggestion", service_id=service_id, field="phone",
                      value='"030 123 4567"', created_at=editing.now())
    session.add(item)
    session.commit()
    version = RecordVersion(entity="service", entity_id=service_id, actor_role="system",
                            source="editor", changes='{"opening_hours": {"before": null, '
                            '"after": "x"}}', created_at=editing.now())
    session.add(version)
    session.commit()
    return {
        "edit": lambda: editing.edit_service(session, actor, service_id,
                                             {"opening_hours": "Open op maandag"}),
        "history": lambda: editing.history(session, actor, service_id),
        "confirm": lambda: freshness.confirm_service(session, actor, service_id),
        "revert": lambda: editing.revert_version(session, actor, version.id),
        "review": lambda: review.decide(session, actor, item.id, accept=True),
    }


def test_authorisation_matrix_every_role_action_and_record(loaded_db, ids):
    org_own = organization_of(loaded_db, "GM9001")
    actors = {
        "admin": make_user(loaded_db, "a@x.nl", "admin")[0],
        "municipality": make_user(loaded_db, "m@x.nl", "municipality",
                                  municipality="GM9001")[0],
        "organization": make_user(loaded_db, "o@x.nl", "organization",
                                  organization=org_own)[0],
        "anonymous": ANONYMOUS,
    }
    allowed = {("admin", "own"), ("admin", "other"), ("municipality", "own"),
               ("organization", "own")}
    outcome: dict[tuple[str, str, str], bool] = {}
    for role, actor in actors.items():
        for which in ("own", "other"):
            session = loaded_db.sessionmaker()
            for action, call in _actions(session, actor, ids[which]).items():
                try:
                    call()
                    outcome[(role, which, action)] = True
                except Forbidden:
                    session.rollback()
                    outcome[(role, which, action)] = False
            session.close()
    expected = {(role, which, action): (role, which) in allowed for role in actors
                for which in ("own", "other")
                for action in ("edit", "history", "confirm", "revert", "review")}
    assert outcome == expected


def test_patch_api_codes_history_and_confirm(sapp, loaded_db, ids):
    _, token, _ = make_user(loaded_db, "m@x.nl", "municipality", municipality="GM9001")
    client = sapp.test_client()
    own, other = ids["own"], ids["other"]
    body = {"phone": "030 765 4321"}
    assert client.patch(f"/api/v1/services/{own}", json=body).status_code == 401
    bad = {"Authorization": "Bearer lw_wrong"}
    assert client.patch(f"/api/v1/services/{own}", json=body, headers=bad).status_code == 401
    auth = {"Authorization": f"Bearer {token}"}
    ok = client.patch(f"/api/v1/services/{own}", json=body, headers=auth)
    assert ok.status_code == 200, ok.get_json()
    assert client.get(f"/api/v1/services/{own}").get_json()["phone"] == "030 765 4321"
    assert client.patch(f"/api/v1/services/{other}", json=body,
                        headers=auth).status_code == 403
    wrong = client.patch(f"/api/v1/services/{own}", headers=auth,
                         json={"phone": "bel ons", "postal_code": "12", "opening_hours": "x"})
    assert wrong.status_code == 422
    assert set(wrong.get_json()["error"]["fields"]) == {"phone", "postal_code"}
    unchanged = client.get(f"/api/v1/services/{own}").get_json()
    assert unchanged["opening_hours_text"] is None  # nothing changed
    assert client.patch(f"/api/v1/services/{own}", data="nope", headers=auth
                        ).status_code == 400
    assert client.get(f"/api/v1/services/{own}/history").status_code == 401
    hist = client.get(f"/api/v1/services/{own}/history", headers=auth).get_json()
    change = hist["versions"][0]
    assert change["changes"]["phone"]["after"] == "030 765 4321"
    assert change["actor"] == {"role": "municipality", "organization": "GM9001"}  # no person
    assert client.post(f"/api/v1/services/{own}/confirm").status_code == 401
    confirmed = client.post(f"/api/v1/services/{own}/confirm", headers=auth)
    assert confirmed.get_json()["last_checked"] == dt.date.today().isoformat()
    # a revoked (disabled) account's token stops working
    from webapp.cli_accounts import register  # noqa: F401  (CLI tested below)

    runner = sapp.test_cli_runner()
    assert runner.invoke(args=["users", "disable", "m@x.nl"]).exit_code == 0
    assert client.patch(f"/api/v1/services/{own}", json=body, headers=auth).status_code == 401


def test_admin_sees_the_person_in_history(loaded_db, ids):
    admin = make_user(loaded_db, "a@x.nl", "admin")[0]
    with loaded_db.session() as session:
        editing.edit_service(session, admin, ids["own"], {"email": "balie@teststad.example"})
        assert editing.history(session, admin, ids["own"])[0]["actor"]["user"] == "a@x.nl"


def test_suggestions_202_honeypot_limits_then_429(sapp, loaded_db, ids):
    client = sapp.test_client()
    url = f"/api/v1/services/{ids['own']}/suggestions"
    first = client.post(url, json={"field": "phone", "value": "030 111 2222",
                                   "comment": "Nummer is veranderd", "email": "w@x.nl"})
    assert first.status_code == 202
    assert client.post(url, json={"comment": "x" * 5000}).status_code == 400
    assert client.post(url, json={"field": "geheim", "value": "x"}).status_code == 400
    trap = client.post(url, json={"comment": "koop nu", "website": "http://spam.example"})
    assert trap.status_code == 202
    codes = [client.post(url, json={"comment": f"melding {i}"}).status_code for i in range(6)]
    assert 202 in codes and codes[-1] == 429
    with loaded_db.session() as session:
        items = session.scalars(select(ReviewItem)).all()
        assert all("koop" not in (i.comment or "") for i in items)  # the honeypot caught it
        assert items[0].field == "phone"


def test_review_accept_reject_and_claim(loaded_db, ids):
    actor = make_user(loaded_db, "m@x.nl", "municipality", municipality="GM9001")[0]
    session = loaded_db.sessionmaker()
    client = suggestions.client_key("1.2.3.4")
    suggestions.submit_suggestion(session, ids["own"], {"field": "phone",
                                                        "value": "030 111 2222"}, client=client)
    suggestions.submit_suggestion(session, ids["own"], {"comment": "Verhuisd?"}, client=client)
    suggestions.submit_suggestion(session, ids["other"], {"comment": "x"}, client=client)
    suggestions.submit_claim(session, ids["own"], {"organization": "Stichting Test",
                                                   "email": "claim@x.nl"}, client=client)
    items = review.open_items(session, actor)
    assert len(items) == 3  # not the other municipality's
    phone, other, claim = items
    decision = review.decide(session, actor, phone["id"], accept=True)
    assert decision.version_id
    assert editing.load_service(session, ids["own"]).phones[0].number == "030 111 2222"
    with pytest.raises(ActionError):
        review.decide(session, actor, other["id"], accept=False)  # a reason is needed
    review.decide(session, actor, other["id"], accept=False, reason="Klopt wel")
    approved = review.decide(session, actor, claim["id"], accept=True)
    assert approved.user_email == "claim@x.nl" and approved.set_password_token
    from loketwijzer.models import User

    user = session.scalar(select(User).where(User.email == "claim@x.nl"))
    assert user.role == "organization"
    assert user.organization_id == editing.load_service(session, ids["own"]).organization_id
    session.close()


def test_login_csrf_lockout_and_set_password(sapp, loaded_db):
    client = sapp.test_client()
    start = client.get("/beheer/")
    assert start.status_code == 302 and "/beheer/login" in start.headers["Location"]
    page = client.get("/beheer/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert client.post("/beheer/login", data={"email": "x", "password": "y"}
                       ).status_code == 400
    assert client.post("/beheer/login", data={"email": "x", "password": "y",
                                              "csrf_token": "forged"}).status_code == 400
    cookie = sapp.test_client()
    cookie.get("/beheer/login")
    header = cookie.get_cookie("lw_session")
    assert header is not None and header.http_only and header.same_site == "Lax"

    _, _, link_token = make_user(loaded_db, "m@x.nl", "municipality", municipality="GM9001",
                                 password=None)
    form = client.get(f"/beheer/wachtwoord/{link_token}")
    assert form.status_code == 200
    short = client.post(f"/beheer/wachtwoord/{link_token}", data={
        "password": "kort", "password2": "kort", "csrf_token": csrf_of(form.get_data(True))})
    assert "minstens" in short.get_data(as_text=True)
    done = client.post(f"/beheer/wachtwoord/{link_token}", data={
        "password": PASSWORD, "password2": PASSWORD, "csrf_token": csrf_of(form.get_data(True))})
    assert done.status_code == 302
    assert client.get(f"/beheer/wachtwoord/{link_token}").status_code == 400  # one time only

    for _ in range(5):
        assert login(client, "m@x.nl", "wrong password!").status_code == 401
    assert login(client, "m@x.nl").status_code == 401  # locked, even with the right one
    with loaded_db.session() as session:
        events = [e.event for e in session.scalars(select(AuthEvent))]
    assert "locked" in events and "login_refused" in events and "password_set" in events


def test_editor_form_escapes_edited_text_everywhere(sapp, loaded_db, ids):
    make_user(loaded_db, "m@x.nl", "municipality", municipality="GM9001")
    client = sapp.test_client()
    assert login(client, "m@x.nl").status_code == 302
    start = client.get("/beheer/").get_data(as_text=True)
    assert ids["own"] in start and ids["other"] not in start
    assert client.get(f"/beheer/dienst/{ids['other']}").status_code == 403
    form = client.get(f"/beheer/dienst/{ids['own']}")
    token = csrf_of(form.get_data(True))
    evil = '<script>alert("x")</script>'
    bad = client.post(f"/beheer/dienst/{ids['own']}", data={
        "csrf_token": token, "name": "Gemeente Teststad: loket", "phone": "geen nummer"})
    assert bad.status_code == 422 and "geen telefoonnummer" in bad.get_data(as_text=True)
    saved = client.post(f"/beheer/dienst/{ids['own']}", data={
        "csrf_token": token, "name": f"Loket {evil}", "description": evil})
    assert saved.status_code == 302
    found = client.get("/api/v1/services?postcode=9011&q=uitkering&limit=50").get_json()
    assert any(r["id"] == ids["own"] for r in found["results"])
    assert client.post(f"/beheer/dienst/{ids['own']}", data={"description": "x"}
                       ).status_code == 400  # no CSRF token
    for url in (f"/dienst/{ids['own']}", f"/beheer/dienst/{ids['own']}",
                f"/beheer/dienst/{ids['own']}/geschiedenis", f"/dienst/{ids['own']}/print",
                f"/dienst/{ids['own']}/melden", "/beheer/", "/zoek?postcode=9011&q=uitkering",
                f"/zoek/print?postcode=9011&q=uitkering&id={ids['own']}"):
        html = client.get(url).get_data(as_text=True)
        assert evil not in html and "&lt;script&gt;" in html, url
    assert evil == client.get(f"/api/v1/services/{ids['own']}").get_json()["description"]
    history = client.get(f"/beheer/dienst/{ids['own']}/geschiedenis").get_data(as_text=True)
    with loaded_db.session() as session:
        version = session.scalars(select(RecordVersion).where(
            RecordVersion.entity_id == ids["own"])).all()[-1]
    reverted = client.post(f"/beheer/versie/{version.id}/terugzetten",
                           data={"csrf_token": csrf_of(history)})
    assert reverted.status_code == 302
    assert client.get(f"/api/v1/services/{ids['own']}").get_json()["description"] is None
    assert client.get("/beheer/gebruikers").status_code == 403  # admins only


def test_reimport_keeps_edit_and_sends_a_source_change_to_review(loaded_db, fixture_mirror,
                                                                  tmp_path, ids):
    import shutil

    from importers.pipeline import run_import
    from importers.roo import RooTownHallProvider

    admin = make_user(loaded_db, "a@x.nl", "admin")[0]
    with loaded_db.session() as session:
        editing.edit_service(session, admin, ids["own"], {"email": "balie@teststad.example",
                                                          "phone": "030 999 0000"})
    mirror = tmp_path / "mirror"
    shutil.copytree(fixture_mirror, mirror)

    def reimport():
        settings = Settings(database_url=loaded_db.url, sources_dir=mirror)
        report = run_import(RooTownHallProvider(settings=settings), loaded_db,
                            show_progress=False)
        assert report.exit_code == 0, report.summary()
        return report

    reimport()  # unchanged source
    with loaded_db.session() as session:
        service = editing.load_service(session, ids["own"])
        assert service.email == "balie@teststad.example"
        assert service.phones[0].number == "030 999 0000"
        assert not session.scalars(select(ReviewItem)).all()

    roo = mirror / "services" / "roo_gemeenten.csv"
    roo.write_text(roo.read_text(encoding="utf-8")
                   .replace("info@teststad.example", "post@teststad.example")
                   .replace("https://www.teststad.example", "https://teststad.example/nieuw"),
                   encoding="utf-8")
    report = reimport()
    assert report.updated >= 1 and report.conflicts == 1
    with loaded_db.session() as session:
        service = editing.load_service(session, ids["own"])
        assert service.email == "balie@teststad.example"  # the editor's value stays
        assert service.phones[0].number == "030 999 0000"
        assert service.url == "https://teststad.example/nieuw"  # not edited: the source wins
        conflict = session.scalars(select(ReviewItem)).one()
        assert (conflict.kind, conflict.field) == ("conflict", "email")
        assert "post@teststad.example" in conflict.value
        assert "balie@teststad.example" in conflict.other_value
        imported = session.scalars(select(RecordVersion).where(
            RecordVersion.source == "import")).one()
        assert "url" in imported.changes and "email" not in imported.changes
        decision = review.decide(session, admin, conflict.id, accept=True)
        assert decision.version_id
        assert editing.load_service(session, ids["own"]).email == "post@teststad.example"
        assert session.scalar(select(FieldOverride).where(FieldOverride.field == "email")) \
            is None
    assert SYSTEM.is_admin


def test_impressions_weigh_the_start_page(sapp, loaded_db, ids):
    client = sapp.test_client()
    for _ in range(3):
        assert client.get("/api/v1/services?postcode=9021&q=schulden").status_code == 200
    with loaded_db.session() as session:
        shown = {r.service_id: r.count for r in session.scalars(select(ServiceImpression))}
        assert shown and all(n >= 3 for n in shown.values())
        admin = make_user(loaded_db, "a@x.nl", "admin")[0]
        rows = freshness.start_page(session, admin)
        stale = [r for r in rows if r["stale"]]
        assert rows[: len(stale)] == stale  # stale first
        counts = [r["shown"] for r in stale]
        assert counts == sorted(counts, reverse=True)
        assert session.scalar(select(Service.id).where(Service.id == ids["own"]))


def test_cli_users_and_reminders_to_outbox_and_smtp(sapp, loaded_db, monkeypatch):
    runner = sapp.test_cli_runner()
    added = runner.invoke(args=["users", "add", "m@x.nl", "--role", "municipality",
                                "--municipality", "GM9001"])
    assert added.exit_code == 0, added.output
    assert "/beheer/wachtwoord/" in added.output.splitlines()[-1]
    bad = runner.invoke(args=["users", "add", "n@x.nl", "--role", "municipality"])
    assert bad.exit_code == 1
    token = runner.invoke(args=["users", "token", "m@x.nl"])
    assert token.exit_code == 0 and token.output.strip().splitlines()[-1].startswith("lw_")
    listed = runner.invoke(args=["users", "list"])
    assert "m@x.nl" in listed.output and "GM9001" in listed.output

    monkeypatch.delenv("LOKETWIJZER_SMTP_HOST", raising=False)
    sent = runner.invoke(args=["reminders", "send"])
    assert sent.exit_code == 0 and "in outbox: 1" in sent.output, sent.output
    from loketwijzer.models import OutboxMessage

    with loaded_db.session() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.recipient == "m@x.nl" and "/beheer/dienst/" in message.body

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("LOKETWIJZER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("LOKETWIJZER_SMTP_PORT", str(port))
        sent = runner.invoke(args=["reminders", "send"])
    finally:
        controller.stop()
    assert sent.exit_code == 0 and "verstuurd: 1" in sent.output, sent.output
    assert received[0].rcpt_tos == ["m@x.nl"]
    assert b"/beheer/dienst/" in received[0].content


def test_sociale_kaart_upload_in_the_browser_is_scoped_and_atomic(sapp, loaded_db, tmp_path):
    import io

    from tests.test_sociale_kaart import rows, write

    make_user(loaded_db, "m@x.nl", "municipality", municipality="GM9002")
    make_user(loaded_db, "t@x.nl", "municipality", municipality="GM9001")
    org = organization_of(loaded_db, "GM9001")
    make_user(loaded_db, "o@x.nl", "organization", organization=org)
    good = write(tmp_path, rows(), "xlsx").read_bytes()
    broken = rows()
    broken[1]["postcode"] = "12"
    bad = write(tmp_path, broken, "xlsx", name="fout").read_bytes()

    def upload(client, data: bytes, name: str = "kaart.xlsx"):
        page = client.get("/beheer/sociale-kaart")
        token = csrf_of(page.get_data(True)) if page.status_code == 200 else "x"
        return client.post("/beheer/sociale-kaart", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(data), name)})

    other = sapp.test_client()
    login(other, "m@x.nl")
    assert upload(other, good).status_code == 403  # Teststad's file, Proefdorp's editor
    org_client = sapp.test_client()
    login(org_client, "o@x.nl")
    assert org_client.get("/beheer/sociale-kaart").status_code == 403

    own = sapp.test_client()
    login(own, "t@x.nl")
    refused = upload(own, bad)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "rij 3" in html and "postcode" in html
    with loaded_db.session() as session:
        assert not session.scalars(select(Service).where(
            Service.source == "sociale-kaart:GM9001")).all()  # nothing written
    done = upload(own, good)
    assert done.status_code == 200, done.get_data(as_text=True)[:2000]
    with loaded_db.session() as session:
        assert len(session.scalars(select(Service).where(
            Service.source == "sociale-kaart:GM9001")).all()) == 4
    runs = own.get("/beheer/imports").get_data(as_text=True)
    assert "Gelukt" in runs and str(tmp_path) not in runs and "/tmp" not in runs
    assert upload(own, b"not a spreadsheet", "kaart.pdf").status_code == 400


def test_service_page_links_to_the_report_forms_without_a_cookie(sapp, loaded_db, ids):
    client = sapp.test_client()
    page = client.get(f"/dienst/{ids['own']}")
    html = page.get_data(as_text=True)
    assert f"/dienst/{ids['own']}/melden" in html and f"/dienst/{ids['own']}/beheren" in html
    assert "Set-Cookie" not in page.headers
    form = client.get(f"/dienst/{ids['own']}/melden")
    sent = client.post(f"/dienst/{ids['own']}/melden", data={
        "csrf_token": csrf_of(form.get_data(True)), "field": "email", "value": "a@b.nl"})
    assert sent.status_code == 200 and "Dank u" in sent.get_data(as_text=True)
    assert client.post(f"/dienst/{ids['own']}/beheren", data={
        "organization": "X", "email": "a@b.nl"}).status_code == 400  # no CSRF token


def test_admin_users_page_adds_resets_and_disables(sapp, loaded_db):
    make_user(loaded_db, "a@x.nl", "admin")
    client = sapp.test_client()
    login(client, "a@x.nl")
    page = client.get("/beheer/gebruikers")
    token = csrf_of(page.get_data(True))
    added = client.post("/beheer/gebruikers", data={
        "csrf_token": token, "email": "new@x.nl", "role": "municipality",
        "municipality": "GM9002"}).get_data(as_text=True)
    assert "/beheer/wachtwoord/" in added and "new@x.nl" in added
    refused = client.post("/beheer/gebruikers", data={
        "csrf_token": token, "email": "bad@x.nl", "role": "municipality",
        "municipality": "GM0000"}).get_data(as_text=True)
    assert "bestaande gemeentecode" in refused
    reset = client.post("/beheer/gebruikers", data={
        "csrf_token": token, "action": "reset", "email": "new@x.nl"}).get_data(as_text=True)
    assert "/beheer/wachtwoord/" in reset
    client.post("/beheer/gebruikers", data={"csrf_token": token, "action": "disable",
                                            "email": "new@x.nl"})
    assert "uitgeschakeld" in client.get("/beheer/gebruikers").get_data(as_text=True)
    client.post("/beheer/logout", data={"csrf_token": token})
    assert client.get("/beheer/").status_code == 302


def test_address_edit_never_keeps_the_old_point_as_exact(loaded_db, ids):
    """A new address may be another door: the point moves to the new postcode area and is
    marked approximate (we have no geocoder to find the building)."""
    from loketwijzer.models import Location, Pc4Area, ServiceAtLocation

    actor, _, _ = make_user(loaded_db, "m@x.nl", "municipality", municipality="GM9001")
    with loaded_db.session() as session:
        sal = session.scalars(select(ServiceAtLocation).where(
            ServiceAtLocation.service_id == ids["own"])).first()
        location = session.get(Location, sal.location_id)
        location.point_precision = "address"
        session.commit()
        area = session.scalars(select(Pc4Area).where(
            Pc4Area.municipality_code == "GM9001")).first()
        result = editing.edit_service(session, actor, ids["own"],
                                      {"address": "Nieuwe Gracht 1",
                                       "postal_code": f"{area.code} AA"})
        session.commit()
        assert "address" in result.changed
        location = session.get(Location, sal.location_id)
        assert location.point_precision == "postcode"
        assert (location.latitude, location.longitude) == (area.lat, area.lon)
        assert location.pc4 == area.code


@pytest.mark.parametrize("proxies", [0, 1])
def test_rate_limit_counts_visitors_behind_a_configured_proxy(loaded_db, fixture_mirror, ids,
                                                              proxies):
    """Behind LOKETWIJZER_PROXIES proxies each visitor has its own limit; without that
    setting a forged X-Forwarded-For does not escape the limit."""
    from loketwijzer.actions.suggestions import RATE_LIMIT

    app = create_app(Settings(database_url=loaded_db.url, sources_dir=fixture_mirror,
                              proxies=proxies),
                     TESTING=True, SESSION_COOKIE_SECURE=False, SECRET_KEY="test")
    try:
        client = app.test_client()
        url = f"/api/v1/services/{ids['own']}/suggestions"
        codes = [client.post(url, json={"comment": f"melding {i}"},
                             headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
                 for i in range(RATE_LIMIT + 2)]
    finally:
        app.extensions["loketwijzer_db"].dispose()
    assert codes[-1] == (202 if proxies else 429)


def test_links_in_messages_come_from_the_public_url(loaded_db, fixture_mirror):
    """One setting (LOKETWIJZER_PUBLIC_URL) for every absolute link, also in CLI output."""
    app = create_app(Settings(database_url=loaded_db.url, sources_dir=fixture_mirror,
                              public_url="https://loketwijzer.example.org/"),
                     TESTING=True, SECRET_KEY="test")
    try:
        result = app.test_cli_runner().invoke(args=["users", "add", "p@x.nl", "--role",
                                                    "municipality", "--municipality",
                                                    "GM9001"])
    finally:
        app.extensions["loketwijzer_db"].dispose()
    assert result.exit_code == 0, result.output
    assert "https://loketwijzer.example.org/beheer/wachtwoord/" in result.output


def test_unknown_account_dummy_hash_costs_what_a_real_hash_costs():
    """The fixed dummy hash must use the hasher's current parameters, or a login for an
    unknown account would take a different time than for a known one."""
    from loketwijzer.actions import accounts

    assert not accounts._hasher.check_needs_rehash(accounts._DUMMY_HASH)
    assert accounts._hasher.verify(accounts._DUMMY_HASH,
                                   "not a password: equal work for unknown accounts")
