"""Demand signals: what residents of a municipality search help for, per ISO week.

Every search (page or API) whose place lies in a municipality adds one to the counter of
that municipality × each matched problem area × the current ISO week. That is all that
is kept: no query text, no postcode, no IP address, no cookie, no time finer than the
week. Searches sent with ``DNT: 1`` or ``Sec-GPC: 1`` are not counted (the web layer
passes that as ``opted_out``). Cells under :data:`MIN_CELL` are never shown or exported.
See ``docs/privacy.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loketwijzer import counters
from loketwijzer.models import DemandSignal

MIN_CELL = 10  # a count below this is never shown or exported
KEY_COLUMNS = ("municipality_code", "area_code", "iso_week")
TREND_WEEKS = 12
MAX_AREAS_PER_SEARCH = 8  # the finder matches at most a handful; a guard, not a rule
_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_CODE = re.compile(r"^GM\d{4}$")
_AREA = re.compile(r"^[a-z_]{1,40}$")


def iso_week(day: dt.date) -> str:
    """'2026-W49': the ISO year and week of ``day``."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_weeks(today: dt.date, n: int = TREND_WEEKS) -> list[str]:
    """The ISO weeks of the last ``n`` weeks, oldest first, ending with this week."""
    return [iso_week(today - dt.timedelta(weeks=k)) for k in range(n - 1, -1, -1)]


def opted_out(headers: Mapping[str, str]) -> bool:
    """True when the request asks not to be tracked (``DNT: 1`` or ``Sec-GPC: 1``)."""
    return any((headers.get(name) or "").strip() == "1" for name in ("DNT", "Sec-GPC"))


# ----------------------------------------------------------------------------- counting

def record(session: Session, municipality_code: str | None, areas: Iterable[str],
           today: dt.date | None = None, *, opted_out: bool = False) -> int:
    """Add one search to the counters (one cell per matched area); returns the number of
    cells counted. Nothing is counted without a municipality, or when ``opted_out``.

    An upsert that increments, on SQLite and PostgreSQL alike; flushes, the caller commits.
    """
    if opted_out or not municipality_code or not _CODE.match(municipality_code):
        return 0
    codes = list(dict.fromkeys(a for a in areas if a and _AREA.match(a)))
    codes = codes[:MAX_AREAS_PER_SEARCH]
    if not codes:
        return 0
    week = iso_week(today or dt.date.today())
    rows = [{"municipality_code": municipality_code, "area_code": a, "iso_week": week,
             "count": 1} for a in codes]
    counters.increment(session, DemandSignal, KEY_COLUMNS, rows)
    return len(codes)


def record_search(session: Session, found: Mapping[str, Any], *, opted_out: bool,
                  today: dt.date | None = None) -> int:
    """Count a finder result (``find_services``): its origin municipality (from the
    postcode's PC4 area, as the finder resolved it) and its matched areas."""
    origin = found.get("origin") or {}
    municipality = origin.get("municipality") or {}
    code = municipality.get("code") if isinstance(municipality, Mapping) else None
    areas = [a.get("code") for a in found.get("areas") or [] if isinstance(a, Mapping)]
    return record(session, code, areas, today, opted_out=opted_out)


# ----------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class Signal:
    week: str
    area: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"week": self.week, "area": self.area, "count": self.count}


@dataclass(frozen=True)
class TrendRow:
    area: str
    label: str
    counts: tuple[int | None, ...]  # per week of ``Signals.weeks``; None: under MIN_CELL
    total: int  # sum of the shown cells only (never reveals a hidden cell)


@dataclass(frozen=True)
class Signals:
    code: str
    signals: tuple[Signal, ...]  # shown cells only (count >= MIN_CELL), newest week first
    weeks: tuple[str, ...]  # the trend weeks, oldest first
    trend: tuple[TrendRow, ...]  # areas with any shown cell in the trend weeks
    min_cell: int = MIN_CELL
    hidden: bool = field(default=False)  # some cells exist but are not shown

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "min_cell": self.min_cell,
                "signals": [s.to_dict() for s in self.signals]}

    def demand(self) -> dict[str, int]:
        """Area → searches in the trend weeks (shown cells only)."""
        return {row.area: row.total for row in self.trend}


def demand_signals(session: Session, code: str, *, today: dt.date | None = None,
                   weeks: int = TREND_WEEKS, lang: str = "nl") -> Signals:
    """The shown counters of a municipality (cells under ``MIN_CELL`` left out) and the
    trend over the last ``weeks`` weeks."""
    from loketwijzer.actions.municipalities import get_municipality_row
    from loketwijzer.taxonomy import area_label

    code = get_municipality_row(session, code).code
    rows = session.execute(
        select(DemandSignal.iso_week, DemandSignal.area_code, DemandSignal.count)
        .where(DemandSignal.municipality_code == code)).all()
    shown = sorted((Signal(w, a, int(c)) for w, a, c in rows
                    if int(c) >= MIN_CELL and _WEEK.match(w)),
                   key=lambda s: (s.week, s.count, s.area), reverse=True)
    trend_weeks = last_weeks(today or dt.date.today(), weeks)
    cells = {(s.area, s.week): s.count for s in shown}
    trend = []
    for area in sorted({s.area for s in shown if s.week in trend_weeks}):
        counts = tuple(cells.get((area, w)) for w in trend_weeks)
        trend.append(TrendRow(area, area_label(area, lang), counts,
                              sum(c for c in counts if c is not None)))
    trend.sort(key=lambda r: (-r.total, r.label))
    return Signals(code=code, signals=tuple(shown), weeks=tuple(trend_weeks),
                   trend=tuple(trend), hidden=len(shown) < len(rows))


@dataclass(frozen=True)
class DemandSupply:
    """One area: searches in the trend weeks next to independent help within reach."""

    area: str
    label: str
    searches: int
    share_10: float | None  # residents with independent help within 10 km (audit)
    independent: int  # independent services open to residents (audit)
    attention: bool  # much searched, little independent help nearby


ATTENTION_SHARE_10 = 0.5  # under this share within 10 km, demand needs attention


def demand_vs_supply(signals: Signals, audit: Mapping[str, Any], lang: str = "nl"
                     ) -> list[DemandSupply]:
    """'Meest gezocht, minst onafhankelijke hulp dichtbij': areas by searches (most first),
    with the audit's supply figures; ``attention`` where few residents have independent
    help within 10 km."""
    by_area = {a["code"]: a for a in audit.get("areas", [])}
    out = []
    for area, searches in signals.demand().items():
        if searches <= 0:
            continue
        supply = by_area.get(area) or {}
        share = (supply.get("share_within_km") or {}).get("10")
        label = (supply.get("label_en") if lang == "en" else supply.get("label")) or area
        out.append(DemandSupply(area, label, searches, share,
                                int(supply.get("independent") or 0),
                                share is not None and share < ATTENTION_SHARE_10))
    out.sort(key=lambda d: (-d.searches, d.share_10 if d.share_10 is not None else 1.0))
    return out


__all__ = [
    "MIN_CELL", "TREND_WEEKS", "DemandSupply", "Signal", "Signals", "demand_signals",
    "demand_vs_supply", "iso_week", "last_weeks", "opted_out", "record", "record_search",
]
