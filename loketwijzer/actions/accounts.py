"""Accounts: create, set password through a one-time link, log in with lock-out, tokens.

Every login and change is written to ``auth_event``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loketwijzer.auth import Actor, require_admin
from loketwijzer.errors import ActionError, InvalidInput, NotFound
from loketwijzer.models import Municipality, Organization
from loketwijzer.models.accounts import (
    ROLE_MUNICIPALITY,
    ROLE_ORGANIZATION,
    ROLES,
    ApiToken,
    AuthEvent,
    PasswordToken,
    User,
)
from loketwijzer.models.base import utc_now as now

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
SET_PASSWORD_HOURS = 72
MIN_PASSWORD = 12
MAX_PASSWORD = 200
TOKEN_PREFIX = "lw_"

_hasher = PasswordHasher()
#: Verified for unknown accounts so a login takes as long as for a known one. A fixed
#: string with the hasher's parameters (a test checks that they still match) instead of
#: hashing at import, which cost every process start 0.16 s.
_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$tuxmMhARWPfNHChZq/MW+w"
               "$Fy1uq6t1GwsEpuuJed/slkvJVohMEa1Mj11MRZXHaQM")


class LoginFailed(ActionError):
    status = 401
    code = "login_failed"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def log_event(session: Session, user_id: int | None, event: str, detail: str | None = None
              ) -> None:
    session.add(AuthEvent(user_id=user_id, event=event, detail=(detail or None) and
                          detail[:500], at=now()))


def actor_for(user: User) -> Actor:
    return Actor(role=user.role, user_id=user.id, email=user.email,
                 municipality=user.municipality_code, organization_id=user.organization_id)


def _normal_email(email: str) -> str:
    cleaned = (email or "").strip().lower()
    if "@" not in cleaned or len(cleaned) > 200 or " " in cleaned:
        raise InvalidInput("Dit is geen e-mailadres.", code="invalid_email")
    return cleaned


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == _normal_email(email)))
    if user is None:
        raise NotFound("Er is geen account met dit e-mailadres.", code="unknown_user")
    return user


@dataclass
class NewAccount:
    user: User
    set_password_token: str


def create_user(session: Session, actor: Actor, email: str, role: str, *,
                municipality: str | None = None, organization: str | None = None
                ) -> NewAccount:
    require_admin(actor)
    email = _normal_email(email)
    if role not in ROLES:
        raise InvalidInput(f"Kies een rol: {', '.join(ROLES)}.", code="invalid_role")
    if role == ROLE_MUNICIPALITY:
        code = (municipality or "").strip().upper()
        if not session.get(Municipality, code):
            raise InvalidInput("Een gemeente-account heeft een bestaande gemeentecode nodig "
                               "(zoals GM0363).", code="invalid_municipality")
        municipality = code
    else:
        municipality = None
    if role == ROLE_ORGANIZATION:
        if not organization or not session.get(Organization, organization):
            raise InvalidInput("Een organisatie-account heeft een bestaande organisatie-id "
                               "nodig.", code="invalid_organization")
    else:
        organization = None
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise InvalidInput("Er bestaat al een account met dit e-mailadres.",
                           code="user_exists")
    user = User(email=email, role=role, municipality_code=municipality,
                organization_id=organization, failed_logins=0, disabled=False,
                created_at=now())
    session.add(user)
    session.flush()
    token = new_password_token(session, user)
    log_event(session, user.id, "user_created", f"role={role} by={actor.email or actor.role}")
    session.commit()
    return NewAccount(user, token)


def new_password_token(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(PasswordToken(user_id=user.id, token_hash=digest(token),
                              expires_at=now() + dt.timedelta(hours=SET_PASSWORD_HOURS)))
    return token


def reset_link(session: Session, actor: Actor, email: str) -> str:
    """A new one-time set-password token for an account (admins; the CLI too)."""
    require_admin(actor)
    user = find_user(session, email)
    token = new_password_token(session, user)
    log_event(session, user.id, "reset_link", f"by={actor.email or actor.role}")
    session.commit()
    return token


def check_password_token(session: Session, token: str) -> PasswordToken:
    row = session.scalar(select(PasswordToken).where(
        PasswordToken.token_hash == digest(token or "")))
    if row is None or row.used_at is not None or row.expires_at < now():
        raise InvalidInput("Deze link werkt niet (meer). Vraag een nieuwe aan.",
                           code="invalid_link")
    return row


def set_password(session: Session, token: str, password: str) -> User:
    row = check_password_token(session, token)
    if not MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD:
        raise InvalidInput(f"Kies een wachtwoord van minstens {MIN_PASSWORD} tekens.",
                           code="weak_password")
    user = session.get(User, row.user_id)
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    row.used_at = now()
    log_event(session, user.id, "password_set")
    session.commit()
    return user


def login(session: Session, email: str, password: str) -> User:
    """The user, or LoginFailed (same message whatever was wrong)."""
    failed = LoginFailed("E-mailadres of wachtwoord klopt niet, of het account is "
                         "tijdelijk geblokkeerd.")
    try:
        email = _normal_email(email)
    except InvalidInput:
        raise failed from None
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        _verify(_DUMMY_HASH, password)  # the same time as for a known account
        log_event(session, None, "login_unknown", email[:200])
        session.commit()
        raise failed
    if user.disabled or (user.locked_until and user.locked_until > now()):
        log_event(session, user.id, "login_refused", "disabled" if user.disabled else "locked")
        session.commit()
        raise failed
    if not _verify(user.password_hash or _DUMMY_HASH, password) or not user.password_hash:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now() + dt.timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            log_event(session, user.id, "locked")
        log_event(session, user.id, "login_failed")
        session.commit()
        raise failed
    user.failed_logins = 0
    user.locked_until = None
    log_event(session, user.id, "login")
    session.commit()
    return user


def _verify(password_hash: str, password: str | None) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def active_user(session: Session, user_id: int | None) -> User | None:
    user = session.get(User, user_id) if user_id else None
    return None if user is None or user.disabled else user


def issue_token(session: Session, actor: Actor, email: str) -> str:
    require_admin(actor)
    user = find_user(session, email)
    if user.disabled:
        raise InvalidInput("Dit account is uitgeschakeld.", code="user_disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=digest(token), created_at=now()))
    log_event(session, user.id, "token_issued")
    session.commit()
    return token


def revoke_tokens(session: Session, actor: Actor, email: str) -> int:
    require_admin(actor)
    user = find_user(session, email)
    count = _revoke_all(session, user)
    log_event(session, user.id, "tokens_revoked", str(count))
    session.commit()
    return count


def _revoke_all(session: Session, user: User) -> int:
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                  ApiToken.revoked_at.is_(None))).all()
    for row in rows:
        row.revoked_at = now()
    return len(rows)


def actor_for_token(session: Session, token: str | None) -> Actor | None:
    if not token:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token),
                                                ApiToken.revoked_at.is_(None)))
    if row is None:
        return None
    user = active_user(session, row.user_id)
    return actor_for(user) if user else None


def disable_user(session: Session, actor: Actor, email: str) -> User:
    require_admin(actor)
    user = find_user(session, email)
    user.disabled = True
    _revoke_all(session, user)
    log_event(session, user.id, "disabled", f"by={actor.email or actor.role}")
    session.commit()
    return user


def list_users(session: Session, actor: Actor) -> list[dict]:
    require_admin(actor)
    return [{"id": u.id, "email": u.email, "role": u.role,
             "municipality": u.municipality_code, "organization": u.organization_id,
             "disabled": bool(u.disabled), "has_password": bool(u.password_hash),
             "locked": bool(u.locked_until and u.locked_until > now())}
            for u in session.scalars(select(User).order_by(User.email))]
