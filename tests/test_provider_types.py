"""Classification of help rows from provider type, name and source notes."""

from __future__ import annotations

from loketwijzer.provider_types import load_provider_types


def test_type_defaults_and_name_rules():
    types = load_provider_types()
    shop = types.classify("rechtswinkel", "Rechtswinkel Teststad", "Gratis inloop op dinsdag")
    assert {"wonen", "werk", "consument"} <= set(shop.areas)
    assert shop.independent and shop.free and shop.walk_in and not shop.by_appointment
    criminal = types.classify("rechtswinkel", "Strafrechtswinkel Teststad", None)
    assert criminal.areas == ("strafrecht",)
    team = types.classify("other", "Buurtteam Noord", "Op afspraak")
    assert team.independent is False and team.by_appointment and "zorg" in team.areas
    forms = types.classify("other", "Formulierenhulp in de bibliotheek", None)
    assert forms.independent and "administratie" in forms.areas


def test_notes_decide_cost_and_walk_in():
    types = load_provider_types()
    paid = types.classify("huurteam", "Huurteam X", "Werkt op basis van no cure no pay.")
    assert paid.free is False
    stopped = types.classify("juridisch_loket", "JL X",
                             "zou per 1 mei stoppen met het gratis inloopspreekuur")
    assert stopped.walk_in is False
    remote = types.classify("nationale_hulplijn", "Hulplijn", None, phone="0800-0000")
    assert remote.by_phone and not remote.online


def test_national_names():
    types = load_provider_types()
    assert types.is_national_name("VluchtelingenWerk Nederland (landelijk)")
    assert types.is_national_name("Geldfit / Nederlandse Schuldhulproute")
    assert not types.is_national_name("Art.1 Midden Nederland")
    assert not types.is_national_name("Humanitas Noord-Limburg")
