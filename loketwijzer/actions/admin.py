"""What is in the database and how fresh it is: for data stewards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from loketwijzer.models import (
    STATUS_ACTIVE,
    ImportRun,
    Location,
    Municipality,
    Pc4Area,
    Place,
    Service,
)


def data_status(session: Session, *, stale_after_days: int = 365, runs: int = 30
                ) -> dict[str, Any]:
    """Counts per table and source, stale records, and the latest import runs."""
    cutoff = dt.date.today() - dt.timedelta(days=stale_after_days)
    per_source = session.execute(
        select(
            Service.source,
            func.count(),
            func.count().filter(Service.status == STATUS_ACTIVE),
            func.count().filter(or_(Service.last_checked.is_(None),
                                    Service.last_checked < cutoff)),
        ).group_by(Service.source).order_by(Service.source)
    ).all()
    latest = session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(runs)).all()
    return {
        "counts": {
            "municipalities": session.scalar(select(func.count()).select_from(Municipality)),
            "pc4_areas": session.scalar(select(func.count()).select_from(Pc4Area)),
            "places": session.scalar(select(func.count()).select_from(Place)),
            "services": session.scalar(select(func.count()).select_from(Service)),
            "locations": session.scalar(select(func.count()).select_from(Location)),
            "approximate_locations": session.scalar(
                select(func.count()).select_from(Location)
                .where(Location.point_precision != "address")),
        },
        "sources": [
            {"source": src, "services": total, "active": active, "stale": stale}
            for src, total, active, stale in per_source
        ],
        "runs": [
            {
                "provider": r.provider, "source": r.source, "path": r.path,
                "started_at": r.started_at.isoformat(timespec="seconds"),
                "status": r.status, "inserted": r.inserted, "updated": r.updated,
                "unchanged": r.unchanged, "deactivated": r.deactivated, "rejected": r.rejected,
                "message": r.message,
            }
            for r in latest
        ],
        "stale_after_days": stale_after_days,
    }
