"""Demand signals: how many searches per origin municipality, problem area and ISO week.

Nothing else about a search is kept: no query text, no postcode, no IP address, no cookie,
no time finer than the week (see ``docs/privacy.md``).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loketwijzer.models.base import Base


class DemandSignal(Base):
    """One counter cell: searches from ``municipality_code`` about ``area_code`` in
    ``iso_week`` ('2026-W49').

    The three columns are the primary key (unique together); there is deliberately no
    running id or timestamp, which would tell in what order cells were first counted.
    """

    __tablename__ = "demand_signal"

    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"),
                                                   primary_key=True)
    area_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    iso_week: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
