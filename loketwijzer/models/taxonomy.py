"""Taxonomies (problem areas, life events, provider types) and the HSDS attribute link."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loketwijzer.models.base import Base, ChildProvenanceMixin, ProvenanceMixin

TAXONOMY_PROBLEM_AREAS = "loketwijzer-problem-areas"
TAXONOMY_LIFE_EVENTS = "loketwijzer-life-events"
TAXONOMY_PROVIDER_TYPES = "loketwijzer-provider-types"


class Taxonomy(ProvenanceMixin, Base):
    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(40))

    terms: Mapped[list[TaxonomyTerm]] = relationship(back_populates="taxonomy")


class TaxonomyTerm(ProvenanceMixin, Base):
    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("taxonomy_id", "code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    taxonomy_id: Mapped[str] = mapped_column(ForeignKey("taxonomy.id"), index=True)
    code: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("taxonomy_term.id"))
    language: Mapped[str | None] = mapped_column(String(10))
    term_uri: Mapped[str | None] = mapped_column(Text)

    taxonomy: Mapped[Taxonomy] = relationship(back_populates="terms")


class Attribute(ChildProvenanceMixin, Base):
    """HSDS 3 attribute: tags a service (or other entity) with a taxonomy term."""

    __tablename__ = "attribute"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # HSDS links attributes to any entity; we tag services only, so the link is a real FK.
    link_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    link_type: Mapped[str] = mapped_column(String(40), default="service")
    link_entity: Mapped[str | None] = mapped_column(String(40))
    taxonomy_term_id: Mapped[str] = mapped_column(ForeignKey("taxonomy_term.id"), index=True)
    value: Mapped[str | None] = mapped_column(Text)

    taxonomy_term: Mapped[TaxonomyTerm] = relationship()
