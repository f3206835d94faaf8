"""The review queue: suggestions, import conflicts and claims, for the editors responsible
for the service (admins see everything, so nothing is left without an owner)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loketwijzer import editable
from loketwijzer.actions import accounts
from loketwijzer.actions.editing import apply_changes, load_service, now
from loketwijzer.auth import SYSTEM, Actor, require_edit, scope_filter
from loketwijzer.errors import Forbidden, InvalidInput, NotFound
from loketwijzer.models import FieldOverride, ReviewItem, Service, User
from loketwijzer.models.accounts import ROLE_ORGANIZATION
from loketwijzer.models.history import (
    REVIEW_ACCEPTED,
    REVIEW_CLAIM,
    REVIEW_CONFLICT,
    REVIEW_OPEN,
    REVIEW_REJECTED,
    REVIEW_SUGGESTION,
    SOURCE_IMPORT,
    SOURCE_SUGGESTION,
)

MAX_REASON = 1000


@dataclass
class Decision:
    item_id: int
    status: str
    version_id: int | None = None
    set_password_token: str | None = None
    user_email: str | None = None


def open_items(session: Session, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
    if not actor.is_editor:
        raise Forbidden("Alleen voor beheerders van hulpaanbod.")
    query = (select(ReviewItem, Service.name).join(Service, Service.id == ReviewItem.service_id)
             .where(ReviewItem.status == REVIEW_OPEN).order_by(ReviewItem.id))
    where = scope_filter(actor)
    if where is not None:
        query = query.where(where)
    return [{
        "id": item.id, "kind": item.kind, "service_id": item.service_id, "service": name,
        "field": item.field,
        "field_label": editable.BY_NAME[item.field].label
        if item.field in editable.BY_NAME else item.field,
        "value": editable.loads(item.value), "other_value": editable.loads(item.other_value),
        "comment": item.comment, "organization_name": item.organization_name,
        "contact_email": item.contact_email,  # the responsible editors may ask back
        "created_at": item.created_at.isoformat(timespec="minutes"),
    } for item, name in session.execute(query.limit(limit))]


def decide(session: Session, actor: Actor, item_id: int, *, accept: bool,
           reason: str | None = None) -> Decision:
    """Accept or reject an open item; a rejection needs a reason."""
    item = session.get(ReviewItem, item_id)
    if item is None or item.status != REVIEW_OPEN:
        raise NotFound("Dit punt staat niet (meer) open.", code="unknown_review_item")
    service = load_service(session, item.service_id)
    require_edit(session, actor, service)
    reason = (reason or "").strip()[:MAX_REASON] or None
    decision = Decision(item.id, REVIEW_ACCEPTED if accept else REVIEW_REJECTED)
    if not accept and not reason:
        raise InvalidInput("Schrijf waarom u dit afwijst.", code="reason_required")
    if accept:
        if item.kind == REVIEW_SUGGESTION:
            if item.field not in editable.BY_NAME:
                raise InvalidInput("Deze melding noemt geen veld: pas het record zelf aan en "
                                   "wijs de melding af met een reden.", code="no_field")
            clean, errors = editable.parse_changes({item.field: editable.loads(item.value)})
            if errors:
                raise InvalidInput(f"De voorgestelde waarde klopt niet: {errors[0].message}.",
                                   code="invalid_suggestion")
            decision.version_id = apply_changes(session, actor, service, clean,
                                                SOURCE_SUGGESTION).version_id
        elif item.kind == REVIEW_CONFLICT:
            # Accepting a conflict takes the source's value and drops the editor's hold.
            clean = {item.field: editable.loads(item.value)}
            decision.version_id = apply_changes(session, actor, service, clean,
                                                SOURCE_IMPORT).version_id
            override = session.scalar(select(FieldOverride).where(
                FieldOverride.service_id == service.id, FieldOverride.field == item.field))
            if override is not None:
                session.delete(override)
        elif item.kind == REVIEW_CLAIM:
            _approve_claim(session, actor, item, service, decision)
    item.status = decision.status
    item.reason = reason
    item.decided_by = actor.user_id
    item.decided_at = now()
    session.commit()
    return decision


def _approve_claim(session: Session, actor: Actor, item: ReviewItem, service: Service,
                   decision: Decision) -> None:
    """Link the claimant to the service's organisation: a new account, or an existing
    organisation account gets a fresh set-password link."""
    email = (item.contact_email or "").lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        created = accounts.create_user(session, SYSTEM, email, ROLE_ORGANIZATION,
                                       organization=service.organization_id)
        user, token = created.user, created.set_password_token
    else:
        if user.role == ROLE_ORGANIZATION:
            user.organization_id = service.organization_id
        token = accounts.new_password_token(session, user)
    accounts.log_event(session, user.id, "claim_approved",
                       f"service={service.id} by={actor.email or actor.role}")
    decision.set_password_token = token
    decision.user_email = user.email
