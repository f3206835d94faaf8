"""A municipality's own answers to the questionnaire criteria of the
rechtsbescherming-scan (``loketwijzer.scan``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loketwijzer.models.base import Base


class ScanAnswer(Base):
    """The latest answer of a municipality to one questionnaire criterion."""

    __tablename__ = "scan_answer"
    __table_args__ = (UniqueConstraint("municipality_code", "criterion_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"),
                                                   index=True)
    criterion_id: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(15))  # voldoet | deels | voldoet_niet | onbekend
    comment: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str] = mapped_column(String(200))
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime)
