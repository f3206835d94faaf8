"""Which providers exist: the reference sources of ``import-all`` (in dependency order)
and the file formats of ``import FORMAT PATH``."""

from __future__ import annotations

from importers.base import Provider
from importers.hsds import HsdsProvider
from importers.independent_help import IndependentHelpProvider
from importers.places import Pc4PlaceProvider, PlaceProvider
from importers.reference_geo import MunicipalityProvider, Pc4Provider, ProvinceProvider
from importers.roo import RooTownHallProvider
from importers.roo_xml import RooXmlTownHallProvider
from importers.sociale_kaart import SocialeKaartProvider
from importers.taxonomy import TaxonomyProvider

REFERENCE_PROVIDERS: list[type[Provider]] = [
    ProvinceProvider,
    MunicipalityProvider,
    Pc4Provider,
    PlaceProvider,
    Pc4PlaceProvider,
    TaxonomyProvider,
    RooTownHallProvider,
    IndependentHelpProvider,
]


def format_providers() -> dict[str, type[Provider]]:
    """File formats a municipality or partner can bring (``flask import FORMAT PATH``)."""
    formats: dict[str, type[Provider]] = {
        "csv": SocialeKaartProvider,  # the sociale-kaart template, .csv or .xlsx
        "xlsx": SocialeKaartProvider,
        "roo": RooTownHallProvider,  # the register's Gemeenten.csv export
        "roo-xml": RooXmlTownHallProvider,  # the register's full exportOO.xml
        "help-list": IndependentHelpProvider,
        "hsds": HsdsProvider,  # an HSDS 3.0 data package directory or JSON file
    }
    return formats
