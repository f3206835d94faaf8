"""What changed, who changed it, and what still needs a look (issue 10)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loketwijzer.models.base import Base

SOURCE_EDITOR = "editor"
SOURCE_IMPORT = "import"
SOURCE_SUGGESTION = "suggestion"
SOURCE_REVERT = "revert"

REVIEW_SUGGESTION = "suggestion"
REVIEW_CONFLICT = "conflict"
REVIEW_CLAIM = "claim"
REVIEW_OPEN = "open"
REVIEW_ACCEPTED = "accepted"
REVIEW_REJECTED = "rejected"


class RecordVersion(Base):
    """One change of one record: the fields with their values before and after (JSON)."""

    __tablename__ = "record_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(20))  # service
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_organization: Mapped[str | None] = mapped_column(String(300))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20))  # editor | import | suggestion | revert
    changes: Mapped[str] = mapped_column(Text)  # {"field": {"before": x, "after": y}}
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class FieldOverride(Base):
    """A field an editor set by hand: re-imports keep it. ``source_value`` is what the
    source said when the editor changed it, so a later change at the source is noticed."""

    __tablename__ = "field_override"
    __table_args__ = (UniqueConstraint("service_id", "field"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)  # JSON
    source_value: Mapped[str | None] = mapped_column(Text)  # JSON
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ReviewItem(Base):
    """Work for an editor: a suggestion from the public, an import conflict, a claim."""

    __tablename__ = "review_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    field: Mapped[str | None] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)  # suggested value / source value (JSON)
    other_value: Mapped[str | None] = mapped_column(Text)  # conflict: the editor's value
    comment: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(200))
    organization_name: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=REVIEW_OPEN, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id",
                                                              ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Confirmation(Base):
    """Somebody confirmed that a record is still right ("Klopt nog")."""

    __tablename__ = "confirmation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"))
    confirmed_on: Mapped[dt.date] = mapped_column(Date)


class ServiceImpression(Base):
    """How often a service was shown in search results on one day. Nothing about who."""

    __tablename__ = "service_impression"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class OutboxMessage(Base):
    """Mail that could not be sent because no SMTP server is configured."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class RateEvent(Base):
    """A public submission, per client key (a hash), for the rate limit."""

    __tablename__ = "rate_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
