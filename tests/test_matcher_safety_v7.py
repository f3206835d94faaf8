"""Round 40 (issue 12): violence safety on unseen text, class-level rules.

The round-40 blocks in rules.yaml (``figurative.benign``/``benign_guard`` and
``more_40``/``less_40`` at the end of ``figurative:``, four rules at the end of
``scored:``) read classes rather than wordings: fear whose cause is no person, a
helping professional's training question, money managed openly for a dependent
relative, a young child's bedtime, a teenager's house rule and a debt collector at the
door raise no safety banner; threats of arrest, deportation or "nobody believes you",
a dependent relative's money taken, money controlled with anger when asked, and a
child's warning signs without a marks word put ``geweld`` first. A guard word (a
threat, fear of a person, a blow, an injury, a disclosure) outside the benign phrase
keeps violence.
"""

from __future__ import annotations

import pytest

from matcher.taxonomy import TaxonomyError, _merge_figurative
from tests.matcher_cases import codes


@pytest.mark.parametrize("text", [
    ("de eigenaar van de bakkerij zegt dat de vreemdelingenpolitie ons komt oppakken "
     "als we over ons loon klagen"),
    "mijn schoonfamilie zegt dat ik teruggestuurd word naar pakistan als ik niet gehoorzaam",
    "the owner of the hotel says immigration will deport us if we stop working nights",
    ("de baas van de loods zegt dat niemand ons gelooft omdat we illegaal zijn en "
     "laat ons daar slapen"),
    ("mijn oom met dementie heeft een nieuwe kennis die steeds met hem pint en nu is "
     "zijn spaargeld weg"),
    ("mijn nichtje met een verstandelijke beperking heeft een vriend die haar een "
     "lening laat afsluiten voor zijn scooter"),
    ("mijn vrouw regelt mijn uitkering en ik weet niet waar het geld blijft, als ik "
     "ernaar vraag wordt ze kwaad"),
    ("een jongetje uit mijn groep wil na school nooit naar huis en schrikt als iemand "
     "zijn schouder aanraakt"),
    ("mijn kleindochter van 7 zegt dat ze niet meer bij oom wil logeren omdat hij "
     "spelletjes doet die geheim moeten blijven"),
    ("mijn kinderen zijn bang voor het donker maar nog banger voor hun vader als hij "
     "gedronken heeft"),
    "ik ben bang voor de hond van de buren en mijn man schopt me als ik klaag",
    ("ik ben juf en een leerling vertelde dat haar moeder haar met de riem slaat, hoe "
     "werkt de meldcode"),
])
def test_coercion_and_warning_signs_put_violence_first(m, text):
    assert codes(m, text)[:1] == ["geweld"], codes(m, text)


@pytest.mark.parametrize("text", [
    "mijn zoon is doodsbang voor onweer en slaapt dan bij ons, is daar hulp voor",
    ("mijn dochter is als de dood voor de tandarts, vergoedt de verzekering een "
     "behandeling onder narcose"),
    "onze kinderen zijn bang voor de honden in het park bij onze flat",
    "mijn man is bang dat hij de hypotheek niet meer kan betalen nu de fabriek dichtgaat",
    "ik ben wijkagent en wil een training over het herkennen van uitbuiting volgen",
    "als jongerenwerker krijg ik vragen over loverboys, waar vind ik lesmateriaal",
    "mijn broer regelt de bankzaken van onze moeder met alzheimer en laat ons de afschriften zien",
    ("my father asked me to manage his pension and we go through the statements "
     "together every month"),
    "mijn kleuter slaat en krabt als hij naar bed moet, is dat normaal",
    "mijn tienerdochter heeft huisarrest en zegt dat we haar opsluiten",
    "de deurwaarder stond vanochtend weer op de stoep en ik schrik me elke keer dood",
    "mijn zoontje van 4 gooit met speelgoed als hij overprikkeld is, de juf maakt zich zorgen",
    "de ind heeft mijn aanvraag afgewezen en zegt dat ik terug moet naar mijn land",
    "de verhuurder zegt dat ik de achterstand moet betalen anders stapt hij naar de rechter",
])
def test_lookalike_classes_raise_no_safety_banner(m, text):
    assert "geweld" not in codes(m, text), codes(m, text)


def test_benign_reading_needs_the_guard_outside_it(m):
    # fear of thunder is benign; fear of a person next to it is not
    assert "geweld" not in codes(m, "mijn dochter is bang voor onweer en slaapt slecht")
    assert codes(m, "mijn dochter is bang voor onweer en voor haar stiefvader")[:1] == ["geweld"]
    # a training question is benign; a disclosure with a blow is not
    assert codes(m, "ik ben leerkracht en een leerling zegt dat haar vader haar slaat, "
                    "waar kan ik een training volgen")[:1] == ["geweld"]


def test_an_adults_pocket_money_stays_control(m):
    # the child's own pocket money is a parenting question, "zakgeld" from a partner is not
    assert "geweld" not in codes(m, "mijn zoon is boos omdat hij geen zakgeld meer krijgt")
    assert codes(m, "mijn man houdt mijn loon en ik krijg alleen zakgeld van hem")[:1] == [
        "geweld"]


def test_figurative_round_blocks_merge_in_order():
    fig = {"young_guard": ["juf", "bang"], "more": {"young_guard": ["door de"]},
           "less_40": {"young_guard": ["juf"]}, "more_40": {"young_guard": ["juf slaat"]}}
    assert _merge_figurative(fig)["young_guard"] == ["bang", "door de", "juf slaat"]
    with pytest.raises(TaxonomyError):
        _merge_figurative({"more_40": {"no_such_list": ["x"]}})


def test_a_partner_who_puts_one_out_stays_violence(m):
    """Being put out of the house is a housing reading (round 40), unless a partner does
    it: that is abuse (scored rule ``dwang_thuis``), found since the merge of rounds 38/40."""
    assert codes(m, "mijn vriend gooide me gisteren het huis uit")[:1] == ["geweld"]
    assert codes(m, "my wife threw me out of the flat last night")[:1] == ["geweld"]
    assert "geweld" not in codes(m, "de verhuurder heeft ons uit huis gezet")
