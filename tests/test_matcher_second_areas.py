"""Round 32 (issue 12): second areas in multi-problem situations.

The inference rules at the end of ``inferences:`` in rules.yaml add what a resident needs
next to the first area; these tests check real matches, and that single-problem texts
that share a word with a rule stay single.
"""

from __future__ import annotations

import pytest

from tests.matcher_cases import codes


@pytest.mark.parametrize("text, first, second", [
    # pregnancy around a dismissal: discrimination next to work
    ("mijn baas heeft me ontslagen toen hij hoorde dat ik zwanger ben", "werk", "discriminatie"),
    ("na mijn zwangerschapsverlof kreeg ik geen uren meer", None, "discriminatie"),
    # origin questions at a job application
    ("bij de sollicitatie vroegen ze naar mijn geboorteland", None, "discriminatie"),
    # a fine never received: objection against the authority
    ("ik moet een verhoogde bekeuring betalen die ik nooit ontvangen heb", "strafrecht",
     "overheid"),
    # sent back and forth between authorities
    ("het uwv en de gemeente sturen me van het kastje naar de muur", None, "overheid"),
    # rent behind next to lost income
    ("mijn ww is nog niet binnen en de huur loopt achter", None, "wonen"),
    ("my landlord wrote about rent arrears again", "wonen", "schulden"),
    # surety is a debt, not a rent deposit
    ("mijn zus kan haar lening niet betalen en ik heb borg gestaan", "schulden", None),
    # a partner's hidden debts: family law next to the debt
    ("mijn vrouw heeft gokschulden gemaakt en ik wist van niks", "schulden", "familie"),
    # no papers after prison: paperwork before criminal law
    ("ik ben vrijgekomen en heb geen id-kaart meer", None, "administratie"),
])
def test_second_area(m, text, first, second):
    got = codes(m, text)
    if first:
        assert got and got[0] == first, got
    if second:
        assert second in got[:3], got
    if text.startswith("mijn zus"):
        assert "wonen" not in got, got


@pytest.mark.parametrize("text, only", [
    ("ik heb de borg van mijn vorige huurwoning nooit terug gekregen", "wonen"),
    ("mijn pakket is nooit ontvangen maar de webshop zegt dat het bezorgd is", "consument"),
    ("de verzekeraar stuurt me van het kastje naar de muur met mijn claim", "consument"),
    ("ik ben zwanger, waar kan ik zwangerschapsverlof aanvragen", None),
    ("beslag op mijn bankrekening zonder dat ik een brief kreeg", "schulden"),
])
def test_single_problem_stays_single(m, text, only):
    got = codes(m, text)
    if only:
        assert got and got[0] == only, got
    assert "overheid" not in got or only == "overheid", got
    assert "administratie" not in got, got
    assert "discriminatie" not in got, got
    if only == "consument":
        assert got == ["consument"], got
