"""How our Dutch extras and provenance travel inside standard HSDS 3.0.

HSDS has no columns for e.g. ``independent`` or ``walk_in``. The HSDS schemas do not
forbid extra properties, but extra CSV columns break table-schema validation and are
dropped by other tools. HSDS's own way to say more about a record is an **attribute**:
a link from a record to a taxonomy term, with a ``value``. So every Dutch extra is an
attribute whose term comes from our taxonomy ``loketwijzer-properties`` (term code =
our column name, value = the value as text, empty = unknown).

Provenance (where a record came from and when it was last confirmed) goes into the
HSDS **metadata** table, which exists "to maintain provenance information" and can be
attached to every object, also taxonomies and terms (attributes cannot). One metadata
row per field: ``last_action_type = "provenance"``, ``field_name`` = our column,
``replacement_value`` (and the required ``previous_value``) = the value. A service's
``last_checked`` is its standard ``assured_date`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from loketwijzer.models import stable_id

PROPERTIES_TAXONOMY = "loketwijzer-properties"
PROPERTIES_TAXONOMY_ID = stable_id(PROPERTIES_TAXONOMY)
PROPERTIES_DESCRIPTION = (
    "Eigenschappen van Loketwijzer die HSDS niet kent (onafhankelijk, gratis, kanalen, "
    "soort aanbieder, precisie van een locatie). Waarde als tekst; leeg = onbekend."
)
PROPERTY_LINK_TYPE = "property"

PROVENANCE_ACTION = "provenance"
PROVENANCE_UPDATED_BY = "loketwijzer"
PROVENANCE_FIELDS = ("source", "source_id", "source_url", "source_date", "last_checked")

BOOL, TEXT, NUMBER = "bool", "text", "number"


@dataclass(frozen=True)
class Prop:
    """One extra column, carried as an attribute on records of the given HSDS tables."""

    code: str
    kind: str
    tables: tuple[str, ...]
    description: str


PROPERTIES: tuple[Prop, ...] = (
    Prop("provider_type", TEXT, ("service",), "Soort aanbieder (code uit de lijst van "
         "Loketwijzer, bijvoorbeeld rechtswinkel)."),
    Prop("independent", BOOL, ("service",), "Onafhankelijk van de overheid waarmee iemand "
         "een probleem kan hebben."),
    Prop("free", BOOL, ("service",), "Gratis voor de inwoner."),
    Prop("walk_in", BOOL, ("service",), "Binnenlopen zonder afspraak kan."),
    Prop("by_appointment", BOOL, ("service",), "Hulp op afspraak."),
    Prop("by_phone", BOOL, ("service",), "Hulp via de telefoon."),
    Prop("online", BOOL, ("service",), "Hulp online: website, chat of e-mail."),
    Prop("residents_only", BOOL, ("service",), "Alleen voor inwoners van het werkgebied."),
    Prop("income_limit", NUMBER, ("service",), "Inkomensgrens in euro per maand, netto."),
    Prop("appointment_url", TEXT, ("service",), "Webadres om een afspraak te maken."),
    Prop("notes", TEXT, ("service",), "Wat de bron zelf zegt, in eigen woorden "
         "(openingstijden, verhuizing, sluiting)."),
    Prop("confidence", TEXT, ("service",), "Hoe zeker de gegevens zijn: high, medium of low."),
    Prop("target_group", TEXT, ("service",), "Alleen voor deze groep (doelgroep), zoals "
         "statushouders. Leeg: voor iedereen."),
    Prop("status_detail", TEXT, ("service",), "Preciezere status dan HSDS kent: uncertain "
         "(mogelijk gestopt) of referral (verwijzing, geen plek). Leeg: de HSDS-status."),
    Prop("status_note", TEXT, ("service",), "Waarom de status zo is, en de opvolger."),
    Prop("opening_hours", TEXT, ("service",), "Openingstijden in de woorden van de bron."),
    Prop("public_note", TEXT, ("service",), "Toelichting voor inwoners (B1)."),
    Prop("curator_note", TEXT, ("service",), "Notitie voor beheerders, nooit voor inwoners."),
    Prop("is_government", BOOL, ("organization",), "De organisatie is een overheid."),
    Prop("municipality_code", TEXT, ("organization", "location"),
         "CBS-code van de gemeente, zoals GM0363."),
    Prop("point_precision", TEXT, ("location",), "Hoe precies het punt is: address, "
         "postcode, pc4, place of municipality. Alleen address is het gebouw zelf."),
    Prop("pc4", TEXT, ("location",), "Postcodegebied (4 cijfers)."),
    Prop("scope", TEXT, ("service_area",), "Soort werkgebied: national, municipality of "
         "region."),
)
PROPERTY_BY_CODE: dict[str, Prop] = {p.code: p for p in PROPERTIES}


def properties_for(table: str) -> list[Prop]:
    return [p for p in PROPERTIES if table in p.tables]


def property_term_id(code: str) -> str:
    return stable_id(PROPERTIES_TAXONOMY, code)


PROPERTY_TERM_IDS: dict[str, str] = {property_term_id(p.code): p.code for p in PROPERTIES}


def property_attribute_id(entity_id: str, code: str) -> str:
    return stable_id(entity_id, "property", code)


def provenance_metadata_id(entity_id: str, field_name: str) -> str:
    return stable_id(entity_id, "provenance", field_name)


def encode(value: object) -> str:
    """A property value as attribute text: ``true``/``false``, numbers as written, empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
