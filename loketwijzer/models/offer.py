"""The support offer, modelled on Open Referral HSDS 3.0 plus Dutch specifics.

Table and column names follow HSDS where a concept exists there, so HSDS import and
export are a mapping. Dutch additions: ``provider_type``, ``independent``, ``free``,
the four channels, residence/income eligibility, and point precision for locations
whose place is only known approximately.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loketwijzer.models.base import Base, ChildProvenanceMixin, ProvenanceMixin
from loketwijzer.models.taxonomy import Attribute

CASCADE = "all, delete-orphan"

# How exact a location's point is. Only "address" points may be shown as an address pin.
PRECISION_ADDRESS = "address"
PRECISION_POSTCODE = "postcode"  # full postcode known, point at the PC4 area
PRECISION_PC4 = "pc4"
PRECISION_PLACE = "place"
PRECISION_MUNICIPALITY = "municipality"

SCOPE_NATIONAL = "national"
SCOPE_MUNICIPALITY = "municipality"
SCOPE_REGION = "region"

STATUS_ACTIVE = "active"
STATUS_INACTIVE = "inactive"  # no longer in its source (set by the importer)
# Issue 8: what the source says about the help itself.
STATUS_UNCERTAIN = "uncertain"  # onzeker: may have stopped; listed below active help
STATUS_REFERRAL = "referral"  # verwijzing: a national entrance, not a place; never ranked
STATUS_DEFUNCT = "defunct"  # beeindigd (HSDS "defunct"): never listed, page says so
HSDS_STATUSES = (STATUS_ACTIVE, STATUS_INACTIVE, STATUS_DEFUNCT, "temporarily closed")
# Statuses a resident may be sent to (ranked); the finder also loads referrals.
LISTED_STATUSES = (STATUS_ACTIVE, STATUS_UNCERTAIN)
INDEXED_STATUSES = (STATUS_ACTIVE, STATUS_UNCERTAIN, STATUS_REFERRAL)


class Organization(ProvenanceMixin, Base):
    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(Text)
    legal_status: Mapped[str | None] = mapped_column(String(100))
    # e.g. the CBS code of the municipality when the organisation *is* the municipality.
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    is_government: Mapped[bool] = mapped_column(Boolean, default=False)

    services: Mapped[list[Service]] = relationship(back_populates="organization")
    locations: Mapped[list[Location]] = relationship(back_populates="organization")
    phones: Mapped[list[Phone]] = relationship(back_populates="organization")


class Service(ProvenanceMixin, Base):
    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=STATUS_ACTIVE, index=True)
    provider_type: Mapped[str] = mapped_column(String(40), index=True)
    independent: Mapped[bool] = mapped_column(Boolean, default=True)
    free: Mapped[bool | None] = mapped_column(Boolean)
    fees_description: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    appointment_url: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    income_limit: Mapped[float | None] = mapped_column(Float)  # euros per month, net
    residents_only: Mapped[bool] = mapped_column(Boolean, default=False)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    by_appointment: Mapped[bool] = mapped_column(Boolean, default=False)
    by_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the source itself says, in its words (opening times, moves, closures).
    notes: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[str | None] = mapped_column(String(10))  # high | medium | low
    # Issue 8: truthful results. Who the help is for, whether it still runs, and text.
    target_group: Mapped[str | None] = mapped_column(Text)  # "Alleen voor: ..."
    status_note: Mapped[str | None] = mapped_column(Text)  # why onzeker/beeindigd, successor
    opening_hours: Mapped[str | None] = mapped_column(Text)  # the source's words, for residents
    public_note: Mapped[str | None] = mapped_column(Text)  # B1 text for residents
    curator_note: Mapped[str | None] = mapped_column(Text)  # never shown to residents

    organization: Mapped[Organization] = relationship(back_populates="services")

    @property
    def hsds_status(self) -> str:
        """The status in HSDS's own words (uncertain help and referrals are "active")."""
        return self.status if self.status in HSDS_STATUSES else STATUS_ACTIVE

    @property
    def status_detail(self) -> str | None:
        """Our finer status where HSDS has no word for it (carried as an attribute)."""
        return None if self.status in HSDS_STATUSES else self.status

    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", cascade=CASCADE
    )
    service_areas: Mapped[list[ServiceArea]] = relationship(
        back_populates="service", cascade=CASCADE
    )
    phones: Mapped[list[Phone]] = relationship(back_populates="service")
    schedules: Mapped[list[Schedule]] = relationship(back_populates="service")
    attributes: Mapped[list[Attribute]] = relationship(cascade=CASCADE)
    languages: Mapped[list[Language]] = relationship(back_populates="service")
    cost_options: Mapped[list[CostOption]] = relationship(
        back_populates="service", cascade=CASCADE
    )
    required_documents: Mapped[list[RequiredDocument]] = relationship(
        back_populates="service", cascade=CASCADE
    )


class Location(ProvenanceMixin, Base):
    __tablename__ = "location"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    location_type: Mapped[str] = mapped_column(String(20), default="physical")
    name: Mapped[str | None] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    point_precision: Mapped[str | None] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipality.code"), index=True
    )
    pc4: Mapped[str | None] = mapped_column(String(4))

    organization: Mapped[Organization | None] = relationship(back_populates="locations")
    addresses: Mapped[list[Address]] = relationship(back_populates="location", cascade=CASCADE)
    accessibility: Mapped[list[Accessibility]] = relationship(
        back_populates="location", cascade=CASCADE
    )
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="location"
    )

    @property
    def approximate(self) -> bool:
        """True when the point is not the building itself: the UI must say so."""
        return self.point_precision != PRECISION_ADDRESS


class ServiceAtLocation(ChildProvenanceMixin, Base):
    __tablename__ = "service_at_location"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship(back_populates="service_at_locations")


class Address(ChildProvenanceMixin, Base):
    __tablename__ = "address"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    attention: Mapped[str | None] = mapped_column(String(200))
    address_1: Mapped[str] = mapped_column(String(300))
    address_2: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    state_province: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), default="NL")
    address_type: Mapped[str] = mapped_column(String(20), default="physical")

    location: Mapped[Location] = relationship(back_populates="addresses")


class Phone(ChildProvenanceMixin, Base):
    __tablename__ = "phone"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(60))
    extension: Mapped[str | None] = mapped_column(String(20))
    type: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization | None] = relationship(back_populates="phones")
    service: Mapped[Service | None] = relationship(back_populates="phones")


class Schedule(ChildProvenanceMixin, Base):
    """Opening hours or spreekuur. ``description`` holds free text when times are not structured."""

    __tablename__ = "schedule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    freq: Mapped[str | None] = mapped_column(String(10))  # WEEKLY | MONTHLY
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(40))  # MO,TU
    opens_at: Mapped[str | None] = mapped_column(String(8))  # HH:MM
    closes_at: Mapped[str | None] = mapped_column(String(8))
    description: Mapped[str | None] = mapped_column(Text)
    attending_type: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="schedules")


class ServiceArea(ChildProvenanceMixin, Base):
    """Who may use a service: everyone (national), one municipality, or a named region."""

    __tablename__ = "service_area"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(20))  # national | municipality | region
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipality.code"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_areas")


class Language(ChildProvenanceMixin, Base):
    __tablename__ = "language"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="languages")


class Accessibility(ChildProvenanceMixin, Base):
    __tablename__ = "accessibility"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)

    location: Mapped[Location] = relationship(back_populates="accessibility")


class CostOption(ChildProvenanceMixin, Base):
    __tablename__ = "cost_option"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount: Mapped[float | None] = mapped_column(Float)
    amount_description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="cost_options")


class RequiredDocument(ChildProvenanceMixin, Base):
    """What to bring: shown on the hand-over print view."""

    __tablename__ = "required_document"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    document: Mapped[str] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="required_documents")
