"""Round 36 (issue 12): hidden violence in new wordings and look-alikes with violence words.

The round-36 blocks in rules.yaml (end of ``figurative:`` and of ``scored:``) read
exploitation held in place by the authorities or a debt, sextortion without an image
word, grooming through an age gap or a private app, honour-related threats, children
as a lever, handing over one's income, an older person screened off, injuries with an
excuse seen by a teacher or neighbour, sex asked instead of rent and sabotaged
independence; and they keep ``geweld`` away from documents held for safekeeping or by
an authority, a shelter as a workplace, a young child who throws or pushes, and money
figures ("slaat toe bij ons", "in een wurggreep", "killed me" of interest).
"""

from __future__ import annotations

import pytest

from matcher.taxonomy import TaxonomyError, _merge_figurative
from tests.matcher_cases import codes


@pytest.mark.parametrize("text", [
    # exploitation: papers or pay held + the authorities or a debt as the lever
    "de eigenaar van de kwekerij heeft onze paspoorten en zegt dat de politie ons komt halen",
    "i owe the man who brought me here for the trip and must work in his salon until it is paid",
    # sextortion without "naakt"
    ("een jongen heeft screenshots van ons videogesprek en zegt dat mijn ouders ze krijgen als ik "
     "niet betaal"),
    # grooming: an age gap or a private app
    "mijn dochter van 13 heeft een vriendje van 26 die haar na school ophaalt en cadeautjes geeft",
    ("someone on fortnite gives my 10 year old son gift cards and wants him to move to a private "
     "app"),
    # honour: sent abroad for good, a pupil married off
    "mijn vader zegt dat hij me voorgoed naar het dorp stuurt als ik mijn vriendje blijf zien",
    "een leerling van mij vertelt dat er in de zomervakantie een bruiloft voor haar geregeld is",
    # a threat to set the home on fire
    "als ik wegga zegt hij dat hij de flat in de fik steekt met mij erin",
    # children as a lever
    "mijn vrouw zegt dat ik de kinderen nooit meer zie als ik hulp zoek",
    # income handed over
    "ik moet van mijn vrouw al mijn salaris aan haar afgeven en krijg niks terug",
    # an older person screened off by a newcomer
    ("mijn oma van 88 heeft een nieuwe vriend die haar pinpas bewaart en ons nooit alleen met haar "
     "laat"),
    # injuries with an excuse, seen by a neighbour or teacher
    "als juf zie ik bij een leerling steeds blauwe plekken en hij zegt dat hij van de trap viel",
    # sex instead of rent
    "de man bij wie ik een kamer huur wil dat ik bij hem kom liggen in plaats van huur",
    # independence sabotaged
    "mijn man heeft mijn taalboeken weggegooid en zegt dat ik niet nodig heb om te werken",
])
def test_hidden_violence_is_first(m, text):
    assert codes(m, text)[:1] == ["geweld"], codes(m, text)


@pytest.mark.parametrize("text", [
    # a document held for safekeeping or by an authority
    "mijn moeder bewaart mijn paspoort in haar kluis omdat ik alles kwijtraak",
    "my dad keeps my passport in his safe while i am abroad for my studies",
    "de ind houdt mijn paspoort tijdens de procedure, mag ik wel naar mijn werk reizen",
    # a card shared because one's own is broken
    "mijn vrouw heeft mijn pinpas omdat die van haar kapot is, we delen de rekening",
    # a parent managing an inheritance until 18
    "mijn moeder beheert het geld dat oma mij heeft nagelaten tot ik 18 ben",
    # a shelter as a workplace
    "ik solliciteer als nachtwacht bij een vrouwenopvang, wat verdien je daar",
    "i volunteer at a women's shelter, do i need insurance",
    # a young child who throws or pushes
    "mijn zoon met autisme gooit met speelgoed als hij overprikkeld raakt",
    "mijn dochter van 6 duwt klasgenootjes op het schoolplein, wat kunnen we thuis doen",
    # money figures
    "de zorgpremie slaat volgend jaar weer hard toe bij ons",
    "de incasso heeft me in een wurggreep met alle extra kosten",
    "the interest on that loan killed me, i now owe double",
])
def test_lookalikes_raise_no_safety_banner(m, text):
    assert "geweld" not in codes(m, text), codes(m, text)


def test_held_document_with_a_threat_stays_violence(m):
    """Safekeeping words do not hide a threat, a ban or a blow."""
    for text in (("mijn man heeft mijn verblijfspas in zijn kluis en zegt dat ik terug "
                  "moet als ik lastig doe"),
                 "mijn schoonvader houdt mijn paspoort in de kluis zodat ik nergens heen kan"):
        assert codes(m, text)[:1] == ["geweld"], (text, codes(m, text))


def test_custody_and_lost_jobs_are_not_a_child_lever(m):
    for text in ("als ik mijn baan kwijtraak kan ik de kinderen niet meer onderhouden",
                 ("mijn ex zegt dat de rechter bepaalt of ik de kinderen nooit meer zie "
                  "als ik verhuis")):
        assert "geweld" not in codes(m, text), (text, codes(m, text))


def test_figurative_more_and_less_merge():
    fig = {"young_guard": ["door", "bang"], "more": {"young_guard": ["door de"]},
           "less": {"young_guard": ["door"]}}
    assert _merge_figurative(fig)["young_guard"] == ["bang", "door de"]
    with pytest.raises(TaxonomyError):
        _merge_figurative({"more": {"no_such_list": ["x"]}})


def test_grooming_secret_plus_messages_is_two_signs(m):
    """An adult messaging a child who must keep it from the parents: the secret and the
    contact are two signs (no gifts needed); a teenager's chats with friends kept from
    the parents are privacy, not grooming."""
    assert codes(m, "een buurman stuurt mijn zoon van 12 elke nacht berichten en zegt dat hij "
                    "het niet aan ons mag vertellen")[:1] == ["geweld"]
    assert "geweld" not in codes(m, "mijn dochter van 13 chat met haar vriendinnen en vertelt "
                                    "niet aan ons waarover")
