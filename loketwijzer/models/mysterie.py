"""A municipality's own Mysterie-check casussen, and the findings of its team sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loketwijzer.models.base import Base


class MysterieCasus(Base):
    """A casus a municipality added itself (validated YAML, stored as JSON text)."""

    __tablename__ = "mysterie_casus"
    __table_args__ = (UniqueConstraint("municipality_code", "casus_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"),
                                                   index=True)
    casus_id: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class MysterieFinding(Base):
    """What a team found in its session about one casus (and maybe one step of it), and
    who will do what about it."""

    __tablename__ = "mysterie_finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"),
                                                   index=True)
    casus_id: Mapped[str] = mapped_column(String(60), index=True)
    step: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(5))  # goed | beter | mis
    text: Mapped[str] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text)  # the improvement action, if any
    owner: Mapped[str] = mapped_column(String(120))
    date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))
