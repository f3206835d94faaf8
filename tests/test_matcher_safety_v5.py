"""Matcher round 34 (issue 12): idioms, help organisations as a workplace, a young child
who hits, a resident who bumps into furniture, bills that "kill", pocket money as a
sanction, a card left with consent; and the coercive control, exploitation, luring and
landlord intrusion that must now come first. Sentences here are written for the tests,
not taken from any batch."""

from __future__ import annotations

import pytest

from matcher import get_matcher
from tests.matcher_cases import codes


@pytest.mark.parametrize("text", [
    # an idiom's "me" is no topic anchor
    "we kregen een gastles over huiselijk geweld en ik vroeg me af of daar subsidie voor is",
    # a help organisation's name next to work words is a workplace
    "ik heb een sollicitatiegesprek bij veilig thuis, wat verdient een medewerker daar",
    "mijn collega bij het blijf van mijn lijf huis krijgt haar nachtdiensten niet uitbetaald",
    # a toddler or a child with autism who hits: a parenting question
    "onze peuter slaat andere kindjes op de creche, hoe pak ik dat aan",
    "mijn dochter met adhd schopt tegen de deur als ze boos is, waar vind ik een cursus",
    # the resident bumps into something
    "ik stootte mijn knie en sloeg met mijn hoofd tegen de badkamerkast",
    # a bill or a subscription as the one that "kills" or "strangles"
    "the water bill killed us last month, can i pay in instalments",
    "dat sportabonnement wurgt ons, hoe zeg ik het op",
    # pocket money as a parent's sanction; a card lent with consent
    "hij krijgt als straf een maand geen zakgeld omdat hij heeft gespijbeld",
    "mijn vrouw heeft haar bankpas bij mij achtergelaten voor de boodschappen, mag ik pinnen",
    # a teenager's house rule, a parent taking a phone at bedtime
    "ik mag van mijn moeder niet naar het festival tot ik 18 ben",
])
def test_look_alikes_do_not_raise_geweld(m, text):
    assert "geweld" not in codes(m, text)


@pytest.mark.parametrize("text", [
    # coercive control: forbidding language lessons, going out, holding back things
    "mijn vrouw verbiedt mij om naar taalles te gaan en leest al mijn post",
    "my husband won't let me learn dutch and keeps my mail from me",
    # exploitation held in place by a police or deportation threat
    "we werken zeven dagen in de kassen en de baas zegt dat hij ons laat oppakken als we klagen",
    "the owner of the car wash pays us nothing and says we will be deported if we leave",
    # an unknown adult luring a child
    "een onbekende man wacht mijn zoon op na school en wil dat hij mee naar zijn huis gaat",
    "a stranger keeps asking my daughter to get in his car at the bus stop",
    # a landlord's intimate intrusion
    "de verhuurder komt met zijn eigen sleutel binnen terwijl ik slaap",
    # a young child as the victim, an older son who hits the resident
    "de oppas slaat mijn peuter, ik zag blauwe plekken",
    "mijn zoon met autisme slaat mij en ik ben bang voor hem",
    # a helpline name next to violence at work stays violence
    "ik werk in de thuiszorg en mijn man slaat me, kan ik veilig thuis bellen",
])
def test_violence_first(m, text):
    res = m.match(text)
    assert res.safety and res.areas[0].code == "geweld", codes(m, text)


def test_names_and_idioms_are_phrases():
    """Round 34: names are matched as phrases; as loose words they removed "thuis"
    and "mijn" from every text."""
    fig = get_matcher()._figurative_rule
    assert "veilig thuis" in fig.names and "thuis" not in fig.names
    assert "vraag me af" in fig.idioms


def test_model_veto_flag():
    """The new rules' pattern-specific vetoes ("opa", "school") do not silence the
    model's violence signal for other violence."""
    rules = {r.code: r for r in get_matcher()._scored}
    assert not rules["kind_gelokt"].model_veto
    assert rules["lichamelijk_geweld_door_naaste"].model_veto
