"""Matcher round 31 (issue 12): hidden violence without a violence word (grooming,
sextortion, threats about the police or leaving, pets as a lever, forced marriage) and
violence words that nobody suffers (a topic, an accusation, a separable verb, a thing
as the object). Sentences here are written for the tests, not taken from any batch."""

from __future__ import annotations

import pytest

from tests.matcher_cases import codes


@pytest.mark.parametrize("text", [
    # grooming: a child, presents or online contact, a secret
    "een man van de sportschool geeft mijn dochter van 12 cadeautjes,"
    " hij zegt dat het hun geheimpje is",
    "a stranger on discord sends my 11 year old son gifts and told him not to tell us",
    # sextortion: images, spreading, a condition
    "hij heeft naaktfoto's van mij en zegt dat hij ze naar mijn ouders stuurt als ik niet betaal",
    "she recorded me on webcam and will send the video to all my contacts unless i pay",
    # a threat tied to leaving or the police
    "mijn vriend zegt als je naar de politie gaat krijg je er spijt van",
    "if you leave me i'll find you, my boyfriend keeps saying",
    # a pet as a lever
    "mijn man heeft de kat geschopt om mij te straffen",
    # forced marriage
    "mijn ouders dwingen me te trouwen met een neef, ik heb geen keus",
])
def test_hidden_violence_puts_geweld_first(m, text):
    res = m.match(text)
    assert res.safety and res.areas[0].code == "geweld", codes(m, text)


@pytest.mark.parametrize("text", [
    # violence as a topic
    "mijn zoon houdt een spreekbeurt over huiselijk geweld voor zijn klas",
    "we saw a documentary about domestic violence and my daughter has questions for school",
    # the resident is accused
    "mijn buurvrouw beschuldigt me van mishandeling van haar kat, dat is gelogen",
    # separable verbs and things
    "hij sloeg de uitnodiging voor het gesprek af en nu stopt de uitkering",
    "de huurprijzen slaan dit jaar hard toe",
    "de teamleider sloeg met de map op het bureau tijdens het overleg",
    "mijn bestelling kwam kapot geslagen binnen en de winkel reageert niet",
    # pursuit by an institution, price figures, an arrangement that works
    "het incassobureau achtervolgt ons al een jaar",
    "the energy bill was a real punch in the gut for us",
    "mijn dochter beheert mijn geld sinds mijn beroerte en dat gaat goed",
])
def test_look_alikes_do_not_raise_geweld(m, text):
    assert "geweld" not in codes(m, text), text


@pytest.mark.parametrize("text", [
    # a person anchor or a new clause keeps the literal reading
    "mijn man beschuldigt me van vreemdgaan en slaat me dan",
    "ik zag een film over geweld en herkende mijn eigen huis, mijn vriend slaat me",
    "mijn vriend sloeg met zijn vuist op tafel en daarna sloeg hij mij",
    "toen sloeg hij toe, ik heb een blauw oog",
])
def test_literal_violence_survives_the_new_vetoes(m, text):
    res = m.match(text)
    assert res.safety and res.areas[0].code == "geweld", codes(m, text)
