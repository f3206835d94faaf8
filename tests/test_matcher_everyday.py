"""Round 38 (issue 12): everyday breadth over all 20 areas and ambiguous words.

The round-38 block at the start of ``inferences:`` in rules.yaml, the ``# Round 38``
terms in problem_areas.yaml and the masks in lexicon.yaml read ordinary words in their
everyday sense: a library fine is no criminal fine, "mijn bedrijf" of an employee is the
employer, a mentor of a parent in a care home is a legal mentor, batter in a kitchen is
no seizure, and figures of speech ("knallende ruzie", "abusing his power", "the airline
is killing me") do not raise ``geweld``. The sentences are new, not copies of a batch.
"""

from __future__ import annotations

import pytest

from tests.matcher_cases import codes


@pytest.mark.parametrize("text, first", [
    # a library fine is a consumer matter, not strafrecht
    ("de bibliotheek rekent 12 euro boete omdat mijn zoon een boek kwijt is", "consument"),
    ("the library charged me a fine for returning the dvds late", "consument"),
    # "mijn bedrijf" said by an employee: the employer
    ("mijn bedrijf schrapt mijn functie na de reorganisatie, krijg ik een vergoeding",
     "werk"),
    ("de firma waar ik werk betaalt mijn salaris te laat", "werk"),
    # ... and said by an owner: one's own business
    ("mijn bedrijf heeft drie medewerkers en ik kan hun loon niet meer betalen",
     "ondernemen"),
    ("mijn compagnon wil uit de zaak stappen, wat gebeurt er met de schulden", "ondernemen"),
    # a mentor: school vs guardianship
    ("de mentor van mijn vader in de zorginstelling neemt geen contact met ons op",
     "bewind"),
    ("de mentor zegt dat mijn zoon vaak spijbelt", "onderwijs"),
    # managing a relative's money is guardianship, not abuse
    ("my father can no longer manage his money since the stroke", "bewind"),
    # a benefit refused: the benefit first
    ("mijn aanvraag voor een ww-uitkering is geweigerd", "uitkering"),
    # everyday English for being short of money
    ("always broke by the 20th, is there someone who can help me make a budget",
     "schulden"),
    # inheriting
    ("mijn tante erft het hele huis en wij niks, kan dat zomaar", "nalatenschap"),
])
def test_everyday_first_area(m, text, first):
    got = codes(m, text)
    assert got and got[0] == first, got


@pytest.mark.parametrize("text, wanted", [
    ("in de kroeg mocht ik met mijn rolstoel niet naar binnen", ["discriminatie"]),
    ("de verhuurder zegt dat hij niet aan polen verhuurt", ["discriminatie", "wonen"]),
    ("ik ben 61 en word steeds afgewezen omdat ik te oud ben", ["discriminatie", "werk"]),
    ("de vrouwelijke collega's worden minder betaald voor hetzelfde werk",
     ["discriminatie", "werk"]),
    ("ik ben bezorger en mijn account is zonder reden geblokkeerd", ["werk"]),
    ("door een fout van de thuiszorg is mijn vader gevallen en heeft hij zijn heup gebroken",
     ["letselschade"]),
    ("blessure opgelopen bij de sportschool door een kapot apparaat, kan ik schade claimen",
     ["letselschade"]),
    ("hoe vul ik dit formulier van de svb in", ["administratie"]),
])
def test_everyday_areas_in_top3(m, text, wanted):
    got = codes(m, text)
    assert set(wanted) <= set(got[:3]), got


@pytest.mark.parametrize("text", [
    # figures of speech and ambiguous words that are no violence
    "na de scheiding hebben we knallende ruzie over de verdeling van de spullen",
    "ik word doodgegooid met aanmaningen",
    "het overlijden van mijn broer was een enorme klap en nu moet ik de erfenis regelen",
    "ik heb een klap gehad door de dood van mijn moeder",
    "de manager is abusing his power and makes us work unpaid overtime",
    "de leidinggevende maakt misbruik van zijn macht",
    "the school kicked my daughter out after one incident",
    "the webshop is killing me, still no refund",
    "ik krijg maar een halve bijstand omdat ik bij mijn vader in huis woon",
    "my aunt can not manage her money anymore, who can help",
    "ik raak in paniek als ik de brieven van de deurwaarder zie",
    "het beslag voor de pannenkoeken is te dik",
])
def test_everyday_look_alike_no_violence(m, text):
    assert "geweld" not in codes(m, text)


@pytest.mark.parametrize("text", [
    "mijn man gaf me een klap toen ik om geld vroeg",
    "mijn vriend slaat me als ik te laat thuis ben",
    "my husband kicked me out of the house at night",
    "mijn schoonzoon neemt het geld van mijn moeder af en dreigt als ze het zegt",
])
def test_violence_stays_first(m, text):
    got = codes(m, text)
    assert got and got[0] == "geweld", got


@pytest.mark.parametrize("text, absent", [
    ("beslag gemaakt voor een taart maar de oven van de huurwoning is kapot", "schulden"),
    ("ik ben in paniek want de verhuurder wil dat ik vertrek", "zorg"),
    ("boete van de bieb voor een kwijtgeraakt boek", "strafrecht"),
    ("de mentor van mijn dochter zegt dat ze blijft zitten", "bewind"),
])
def test_ambiguous_word_keeps_everyday_sense(m, text, absent):
    got = codes(m, text)
    assert got, got
    assert absent not in got[:1], got
