"""Matcher round 33 (issue 12): look-alikes that share the violence vocabulary without
violence (help organisations named in passing, lessons, claims, broken devices,
accidents and sport injuries, money handled with consent), and the violence next to
them that must stay first. Sentences here are written for the tests, not taken from
any batch."""

from __future__ import annotations

import pytest

from tests.matcher_cases import codes


@pytest.mark.parametrize("text", [
    "mijn nichtje schrijft een werkstuk over mishandeling en mag iemand van veilig thuis bellen",
    "in de les burgerschap ging het over huiselijk geweld, mijn zoon had er vragen over",
    "mijn buurman beweert dat ik hem heb bedreigd, maar ik heb hem nooit gesproken",
    "de monteur heeft onze televisie kapotgeslagen bij het ophangen",
    "mijn dochter heeft een blauw oog van een bal bij hockey, betaalt de club de tandarts",
    "my son has bruises from falling off his bike, can we claim from the council for the pothole",
    "mijn broer beheert met mijn toestemming mijn spaargeld, moet dat ergens vastgelegd",
    "my daughter handles my bank account because i asked her to, is a power of attorney needed",
])
def test_look_alikes_do_not_raise_geweld(m, text):
    assert "geweld" not in codes(m, text)


@pytest.mark.parametrize("text", [
    # control over money is not consent, even with the word "toestemming"
    "mijn man heeft mijn bankpas en ik moet voor elke euro toestemming vragen",
    # an injury word with a fall as the excuse the resident is told to give
    "hij sloeg me een blauw oog en zei dat ik moest zeggen dat ik gevallen was",
    # a helpline named next to violence
    "mijn vriend slaat me, kan ik veilig thuis bellen",
    # a broken device with a person close to the resident as actor
    "mijn vriend heeft mijn telefoon kapotgeslagen en duwde me tegen de muur",
])
def test_violence_stays_first_next_to_the_new_vetoes(m, text):
    res = m.match(text)
    assert res.safety and res.areas[0].code == "geweld", codes(m, text)
