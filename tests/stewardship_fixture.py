"""Helpers for the stewardship tests: accounts, tokens, logged-in clients."""

from __future__ import annotations

import re

from sqlalchemy import select

from loketwijzer.actions import accounts
from loketwijzer.auth import SYSTEM
from loketwijzer.models import Organization, Service, ServiceArea

PASSWORD = "correct horse battery staple"


def town_hall(session, code: str) -> Service:
    return session.scalars(
        select(Service).join(ServiceArea, ServiceArea.service_id == Service.id)
        .where(Service.provider_type == "gemeente", ServiceArea.municipality_code == code)
    ).one()


def make_user(db, email: str, role: str, *, municipality: str | None = None,
              organization: str | None = None, password: str | None = PASSWORD):
    with db.session() as session:
        new = accounts.create_user(session, SYSTEM, email, role, municipality=municipality,
                                   organization=organization)
        if password:
            accounts.set_password(session, new.set_password_token, password)
        token = accounts.issue_token(session, SYSTEM, email)
        return accounts.actor_for(new.user), token, new.set_password_token


def organization_of(db, code: str) -> str:
    with db.session() as session:
        return town_hall(session, code).organization_id


def org_name(db, org_id: str) -> str:
    with db.session() as session:
        return session.get(Organization, org_id).name


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token in the form"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):
    page = client.get("/beheer/login")
    return client.post("/beheer/login", data={"email": email, "password": password,
                                              "csrf_token": csrf_of(page.get_data(True))})
