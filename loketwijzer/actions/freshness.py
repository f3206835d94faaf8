"""Freshness: "Klopt nog" confirmations, impression counts, and the editor's start page
ordered by urgency (stale first, then how often the record was shown in search)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loketwijzer import counters
from loketwijzer.actions.editing import load_service, record_version
from loketwijzer.actions.finder import is_stale
from loketwijzer.auth import Actor, require_edit, scope_filter
from loketwijzer.errors import Forbidden
from loketwijzer.models import Confirmation, ReviewItem, Service, ServiceImpression
from loketwijzer.models.history import REVIEW_OPEN, SOURCE_EDITOR

log = logging.getLogger(__name__)
IMPRESSION_DAYS = 90  # the window that weighs urgency
START_PAGE_LIMIT = 300


def confirm_service(session: Session, actor: Actor, service_id: str,
                    today: dt.date | None = None) -> dict[str, Any]:
    service = load_service(session, service_id)
    require_edit(session, actor, service)
    today = today or dt.date.today()
    before = service.last_checked
    service.last_checked = today
    session.add(Confirmation(service_id=service.id, actor_role=actor.role,
                             actor_user_id=actor.user_id, confirmed_on=today))
    record_version(session, actor, service.id, SOURCE_EDITOR, {"last_checked": {
        "before": before.isoformat() if before else None, "after": today.isoformat()}})
    session.commit()
    return {"id": service.id, "last_checked": today.isoformat()}


def count_impressions(session: Session, service_ids: Iterable[str],
                      day: dt.date | None = None) -> None:
    """Add one to today's count of each service shown. Never lets a search fail."""
    counts = Counter(sid for sid in service_ids if sid)
    if not counts:
        return
    day = day or dt.date.today()
    try:
        counters.increment(session, ServiceImpression, ("service_id", "day"), [
            {"service_id": sid, "day": day, "count": n} for sid, n in sorted(counts.items())])
        if session.in_transaction():  # buffered counts (when serving) wrote nothing yet
            session.commit()
    except Exception:  # a lost count (e.g. two first inserts at once) is fine; a failed
        session.rollback()  # search is not
        log.debug("impression count failed", exc_info=True)


def start_page(session: Session, actor: Actor, *, stale_after_days: int = 365,
               today: dt.date | None = None) -> list[dict[str, Any]]:
    """The actor's records, most urgent first."""
    if not actor.is_editor:
        raise Forbidden("Alleen voor beheerders van hulpaanbod.")
    today = today or dt.date.today()
    shown = (select(ServiceImpression.service_id, func.sum(ServiceImpression.count)
                    .label("shown"))
             .where(ServiceImpression.day >= today - dt.timedelta(days=IMPRESSION_DAYS))
             .group_by(ServiceImpression.service_id).subquery())
    open_items = (select(ReviewItem.service_id, func.count().label("open"))
                  .where(ReviewItem.status == REVIEW_OPEN)
                  .group_by(ReviewItem.service_id).subquery())
    query = (select(Service.id, Service.name, Service.last_checked, Service.status,
                    func.coalesce(shown.c.shown, 0), func.coalesce(open_items.c.open, 0))
             .outerjoin(shown, shown.c.service_id == Service.id)
             .outerjoin(open_items, open_items.c.service_id == Service.id))
    where = scope_filter(actor)
    if where is not None:
        query = query.where(where)
    rows = session.execute(query).all()

    def stale(row) -> bool:
        return is_stale(row[2], today, stale_after_days)

    rows.sort(key=lambda r: (not stale(r), -(r[4] or 0), r[2] or dt.date.min, r[1]))
    return [{"id": r[0], "name": r[1], "last_checked": r[2].isoformat() if r[2] else None,
             "status": r[3], "stale": stale(r), "shown": int(r[4] or 0),
             "open_items": int(r[5] or 0)} for r in rows[:START_PAGE_LIMIT]]
