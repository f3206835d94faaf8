"""Demand signals: how many searches per origin municipality, problem area and ISO week.

Nothing else about a search is kept: no query text, no postcode, no IP address, no cookie,
no time finer than the week (see ``docs/privacy.md``).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loketwijzer.models.base import Base


class DemandSignal(Base):
    """One counter cell: searches from ``municipality_code`` about ``area_code`` in
    ``iso_week`` ('2026-W49')."""

    __tablename__ = "demand_signal"
    __table_args__ = (UniqueConstraint("municipality_code", "area_code", "iso_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"),
                                                   index=True)
    area_code: Mapped[str] = mapped_column(String(40))
    iso_week: Mapped[str] = mapped_column(String(8))
    count: Mapped[int] = mapped_column(Integer, default=0)
