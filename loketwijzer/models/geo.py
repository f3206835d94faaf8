"""Reference geography: provinces, municipalities, PC4 areas and place names (CBS, GeoNames)."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loketwijzer.models.base import Base, ProvenanceMixin


class Province(ProvenanceMixin, Base):
    __tablename__ = "province"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)  # PV27
    name: Mapped[str] = mapped_column(String(80))
    population: Mapped[int | None] = mapped_column(Integer)
    boundary: Mapped[str | None] = mapped_column(Text)  # GeoJSON geometry, EPSG:4326


class Municipality(ProvenanceMixin, Base):
    __tablename__ = "municipality"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)  # GM0363
    name: Mapped[str] = mapped_column(String(120), index=True)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("province.code"))
    province_name: Mapped[str | None] = mapped_column(String(80))
    population: Mapped[int | None] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    urbanisation: Mapped[int | None] = mapped_column(Integer)  # CBS stedelijkheid 1..5
    area_land_km2: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)  # representative point inside
    lon: Mapped[float | None] = mapped_column(Float)
    boundary: Mapped[str | None] = mapped_column(Text)  # GeoJSON geometry, EPSG:4326

    pc4_areas: Mapped[list[Pc4Area]] = relationship(back_populates="municipality")


class Pc4Area(ProvenanceMixin, Base):
    __tablename__ = "pc4_area"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipality.code"), index=True
    )
    place_name: Mapped[str | None] = mapped_column(String(120))
    population: Mapped[int | None] = mapped_column(Integer)
    area_km2: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    municipality_share: Mapped[float | None] = mapped_column(Float)
    boundary: Mapped[str | None] = mapped_column(Text)

    municipality: Mapped[Municipality | None] = relationship(back_populates="pc4_areas")


class Place(ProvenanceMixin, Base):
    """A place name with a point: GeoNames places and GeoNames PC4 place names."""

    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    ascii_name: Mapped[str | None] = mapped_column(String(200))
    alternate_names: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # place | pc4_place
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipality.code"), index=True
    )
    pc4: Mapped[str | None] = mapped_column(String(4))
    population: Mapped[int | None] = mapped_column(Integer)
