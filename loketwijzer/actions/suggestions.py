"""Suggestions from anyone ("Klopt er iets niet?") and claims ("Beheert u deze dienst?").

No account needed; spam-safe through a honeypot field, length limits and a rate limit
per client (the client key is a hash, never the address itself).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from importers import fields as f
from importers.base import RowRejected
from loketwijzer import editable
from loketwijzer.actions.editing import load_service, now
from loketwijzer.errors import ActionError, InvalidInput
from loketwijzer.models import RateEvent, ReviewItem
from loketwijzer.models.history import REVIEW_CLAIM, REVIEW_SUGGESTION

FIELD_OTHER = "other"
MAX_VALUE = 500
MAX_COMMENT = 2000
MAX_NAME = 300
RATE_LIMIT = 5  # submissions per client ...
RATE_WINDOW = dt.timedelta(minutes=10)  # ... in this window


class TooManyRequests(ActionError):
    status = 429
    code = "too_many_requests"


@dataclass
class Submitted:
    accepted: bool  # False when the honeypot caught it (the client is not told)
    review_id: int | None


def client_key(remote_addr: str | None, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}|{remote_addr or '-'}".encode()).hexdigest()[:40]


def check_rate(session: Session, bucket: str) -> None:
    since = now() - RATE_WINDOW
    session.execute(delete(RateEvent).where(RateEvent.at < since))
    count = session.scalar(select(func.count()).select_from(RateEvent).where(
        RateEvent.bucket == bucket, RateEvent.at >= since))
    if count >= RATE_LIMIT:
        session.commit()
        raise TooManyRequests("U heeft veel meldingen kort na elkaar gestuurd. Probeer het "
                              "over een kwartier nog eens.")
    session.add(RateEvent(bucket=bucket, at=now()))


def _text(value: Any, name: str, limit: int, *, required: bool = False) -> str | None:
    if value is not None and not isinstance(value, (str, int, float)):
        raise InvalidInput(f"'{name}' is geen tekst.", code=f"invalid_{name}")
    cleaned = f.text(value)
    if cleaned is None and required:
        raise InvalidInput(f"Vul '{name}' in.", code=f"missing_{name}")
    if cleaned is not None and len(cleaned) > limit:
        raise InvalidInput(f"'{name}' is te lang (hoogstens {limit} tekens).",
                           code=f"{name}_too_long")
    return cleaned


def _email(value: Any) -> str | None:
    cleaned = _text(value, "email", 200)
    try:
        return f.email(0, "email", cleaned)
    except RowRejected:
        raise InvalidInput("Dit is geen e-mailadres.", code="invalid_email") from None


def submit_suggestion(session: Session, service_id: str, data: dict[str, Any], *,
                      client: str) -> Submitted:
    """A suggestion for the review queue of the service's editors."""
    service = load_service(session, service_id)
    field_name = _text(data.get("field"), "field", 40) or FIELD_OTHER
    if field_name != FIELD_OTHER and field_name not in editable.BY_NAME:
        raise InvalidInput("Onbekend veld. Kies een veld van het formulier of 'other'.",
                           code="invalid_field")
    value = _text(data.get("value"), "value", MAX_VALUE)
    comment = _text(data.get("comment"), "comment", MAX_COMMENT)
    if value is None and comment is None:
        raise InvalidInput("Schrijf wat er niet klopt.", code="empty_suggestion")
    email = _email(data.get("email"))
    check_rate(session, f"suggest:{client}")
    if f.text(data.get("website")):  # honeypot: people do not see this field
        session.commit()
        return Submitted(False, None)
    item = ReviewItem(kind=REVIEW_SUGGESTION, service_id=service.id, field=field_name,
                      value=editable.dumps(value), comment=comment, contact_email=email,
                      created_at=now())
    session.add(item)
    session.commit()
    return Submitted(True, item.id)


def submit_claim(session: Session, service_id: str, data: dict[str, Any], *,
                 client: str) -> Submitted:
    """An organisation asks to manage its own listing."""
    service = load_service(session, service_id)
    name = _text(data.get("organization"), "organization", MAX_NAME, required=True)
    email = _email(data.get("email"))
    if email is None:
        raise InvalidInput("Vul een e-mailadres in: daar sturen we de inloglink naartoe.",
                           code="missing_email")
    comment = _text(data.get("comment"), "comment", MAX_COMMENT)
    check_rate(session, f"claim:{client}")
    if f.text(data.get("website")):
        session.commit()
        return Submitted(False, None)
    item = ReviewItem(kind=REVIEW_CLAIM, service_id=service.id, organization_name=name,
                      contact_email=email, comment=comment, created_at=now())
    session.add(item)
    session.commit()
    return Submitted(True, item.id)
