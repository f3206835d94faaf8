"""Casussen: the shipped journeys meet the schema, and the validator names field and reason
for every mistake an editor can make."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from loketwijzer.config import REPO_ROOT
from loketwijzer.mysterie.casus import (
    COUNTERPARTIES,
    MAX_FILE_BYTES,
    CasusInvalid,
    CasusUnreadable,
    Localized,
    builtin_casussen,
    parse_casus,
    read_yaml,
)
from loketwijzer.mysterie.texts import MESSAGES, Km, t
from tests.mysterie_fixture import CASUS

AREAS = ("schulden", "toeslagen", "uitkering", "werk", "wonen", "familie", "nalatenschap",
         "consument", "zorg", "belastingen", "vreemdelingen", "discriminatie", "strafrecht",
         "overheid", "onderwijs", "geweld", "bewind", "administratie", "ondernemen",
         "letselschade")
# The twelve journeys the issue asks for, by the id that covers each.
REQUIRED_JOURNEYS = (
    "toeslagen-terugvordering", "bijstand-samenwonen", "scheiding-schulden-huur",
    "na-detentie", "achttien-zonder-zorgverzekering", "statushouder-eerste-jaar", "zzp-ziek",
    "oudere-digitale-post", "huurachterstand-ontruiming", "huiselijk-geweld-geld",
    "overlijden-partner", "ontslag-loon",
)


def _problems(data) -> dict[str, str]:
    casus, problems = parse_casus(data, area_codes=AREAS)
    assert casus is None
    return {p.field: p.reason for p in problems}


def test_the_shipped_casussen_cover_the_twelve_journeys():
    casussen = builtin_casussen()
    ids = [c.id for c in casussen]
    assert len(ids) == len(set(ids)) >= 12
    assert set(REQUIRED_JOURNEYS) <= set(ids)


@pytest.mark.parametrize("casus", builtin_casussen(), ids=lambda c: c.id)
def test_every_shipped_casus_is_complete_and_bilingual(casus):
    assert 3 <= len(casus.moments) <= 6
    assert 3 <= len(casus.questions) <= 5
    assert not casus.own
    texts = [casus.title, casus.persona, *casus.questions]
    for moment in casus.moments:
        texts += [moment.title, moment.situation, moment.need, moment.good_outcome]
        assert set(moment.areas) <= set(AREAS) and moment.areas
        assert moment.counterparty is None or moment.counterparty in COUNTERPARTIES
        if moment.deadline:
            assert moment.deadline.source.startswith("https://")
            texts.append(moment.deadline.text)
    for text in texts:
        assert text.nl and text.en, f"{casus.id}: missing English for {text.nl[:40]}"
        assert text.nl != text.en


def test_the_shipped_set_uses_every_counterparty_and_cites_its_deadlines():
    moments = [m for c in builtin_casussen() for m in c.moments]
    assert {m.counterparty for m in moments} >= set(COUNTERPARTIES)
    deadlines = [m.deadline for m in moments if m.deadline]
    assert len(deadlines) >= 8
    # Deadlines with a number of days say the same number in words.
    for d in deadlines:
        if d.days in (7, 14, 28, 42):
            weeks = {7: "1 week", 14: "2 weken", 28: "4 weken", 42: "6 weken"}[d.days]
            assert weeks in d.text.nl, d.text.nl


def test_a_minimal_casus_with_plain_strings_is_accepted():
    casus, problems = parse_casus(CASUS, area_codes=AREAS)
    assert problems == [] and casus is not None
    assert casus.title.get("en") == "A test route" and casus.title.get("nl") == "Een proefroute"
    first = casus.moments[0]
    assert first.number == 1 and first.urgency == "normaal" and first.title.en is None
    assert first.title.get("en") == "Huur" and first.title.lang_of("en") == "nl"
    assert casus.moments[3].urgency == "spoed"
    assert casus.fingerprint == parse_casus(copy.deepcopy(CASUS), area_codes=AREAS)[0].fingerprint


def test_a_deadline_makes_the_moment_urgent_unless_said_otherwise():
    data = copy.deepcopy(CASUS)
    data["momenten"][0]["termijn"] = {"tekst": "Binnen 6 weken.", "dagen": 42,
                                      "bron": "https://example.org/termijn"}
    casus, _ = parse_casus(data, area_codes=AREAS)
    assert casus.moments[0].urgency == "snel"
    assert casus.moments[0].deadline.days == 42


@pytest.mark.parametrize("change, field, reason", [
    (lambda d: d.pop("titel"), "titel", "verplicht veld ontbreekt"),
    (lambda d: d.update(id="Geen Slug!"), "id", "kleine letters"),
    (lambda d: d.update(extra=1), "extra", "onbekend veld"),
    (lambda d: d.update(gemeente="Amsterdam"), "gemeente", "gemeentecode"),
    (lambda d: d["momenten"].pop() and d["momenten"].pop() and d["momenten"].pop(),
     "momenten", "2 momenten"),
    (lambda d: d["momenten"].extend(copy.deepcopy(d["momenten"][:2])), "momenten",
     "7 momenten"),
    (lambda d: d["momenten"][1].update(onderwerpen=["schuld"]),
     "momenten[2].onderwerpen[1]", "onbekend onderwerp"),
    (lambda d: d["momenten"][1].update(onderwerpen=[]), "momenten[2].onderwerpen",
     "verplicht"),
    (lambda d: d["momenten"][0].update(tegenpartij="buurman"), "momenten[1].tegenpartij",
     "onbekende tegenpartij"),
    (lambda d: d["momenten"][0].update(urgentie="morgen"), "momenten[1].urgentie",
     "spoed, snel, normaal"),
    (lambda d: d["momenten"][0].update(termijn={"tekst": "Binnen 6 weken."}),
     "momenten[1].termijn.bron", "waar hij staat"),
    (lambda d: d["momenten"][0].update(termijn={"tekst": "x", "bron": "ftp://x", "dagen": 1}),
     "momenten[1].termijn.bron", "webadres"),
    (lambda d: d["momenten"][0].update(termijn={"tekst": "x", "bron": "https://x.nl",
                                               "dagen": "zes"}),
     "momenten[1].termijn.dagen", "heel getal"),
    (lambda d: d["momenten"][0].update(nodig={"en": "Only English"}), "momenten[1].nodig.nl",
     "Nederlandse tekst"),
    (lambda d: d["momenten"][0].update(titel="x" * 61), "momenten[1].titel", "te lang"),
    (lambda d: d["momenten"][2].update(waarom="omdat"), "momenten[3].waarom", "onbekend veld"),
    (lambda d: d.update(vragen=["Een?", "Twee?"]), "vragen", "2 vragen"),
    (lambda d: d.update(vragen="Waarom?"), "vragen", "lijst"),
    (lambda d: d.update(bronnen=["geen url"]), "bronnen[1]", "webadres"),
])
def test_validator_names_field_and_reason(change, field, reason):
    data = copy.deepcopy(CASUS)
    change(data)
    problems = _problems(data)
    assert field in problems, problems
    assert reason in problems[field]


def test_validator_reports_every_problem_at_once():
    data = copy.deepcopy(CASUS)
    data.pop("persoon")
    data["momenten"][0]["onderwerpen"] = ["onzin"]
    data["momenten"][4]["tegenpartij"] = "niemand"
    problems = _problems(data)
    assert {"persoon", "momenten[1].onderwerpen[1]", "momenten[5].tegenpartij"} <= set(problems)


def test_not_a_mapping_is_one_problem_with_a_reason():
    problems = _problems(["een", "lijst"])
    assert list(problems) == ["(bestand)"]


def test_casus_invalid_lists_problems_as_data():
    _casus, problems = parse_casus({"id": "x"}, area_codes=AREAS)
    error = CasusInvalid(problems)
    body = error.to_dict()["error"]
    assert error.status == 400 and body["code"] == "invalid_casus"
    assert {p["field"] for p in body["problems"]} >= {"id", "titel", "momenten"}


def test_unreadable_files(tmp_path: Path):
    with pytest.raises(CasusUnreadable, match="niet te openen"):
        read_yaml(tmp_path / "weg.yaml")
    big = tmp_path / "groot.yaml"
    big.write_text("a: " + "x" * MAX_FILE_BYTES, encoding="utf-8")
    with pytest.raises(CasusUnreadable, match="te groot"):
        read_yaml(big)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00 kapot")
    with pytest.raises(CasusUnreadable, match="UTF-8"):
        read_yaml(binary)
    broken = tmp_path / "kapot.yaml"
    broken.write_text("id: [open\n", encoding="utf-8")
    with pytest.raises(CasusUnreadable, match="regel 2"):
        read_yaml(broken)
    with pytest.raises(CasusUnreadable, match="geen bestand"):
        read_yaml(tmp_path)


def test_localized_text_falls_back_to_dutch():
    text = Localized("Hallo")
    assert text.get("en") == "Hallo" and text.lang_of("en") == "nl"
    both = Localized("Hallo", "Hello")
    assert both.get("en") == "Hello" and both.lang_of("en") == "en" and both.get() == "Hallo"


def test_messages_render_in_dutch_with_nested_values_and_distances():
    text = t("only_counterparty", party=t("party_gemeente"))
    assert text.render() == "Alleen de gemeente zelf helpt, en die is hier de tegenpartij."
    assert t("not_near", km=Km(10)).render() == "Geen onafhankelijke hulp binnen 10 km."
    near = t("near", organization="X", km=Km(2.345))
    assert near.render() == "Onafhankelijke hulp op 2,3 km: X."
    assert near.render(lambda s: s.replace("Onafhankelijke hulp op", "Help at"),
                       "en") == "Help at 2.3 km: X."
    with pytest.raises(KeyError):
        t("does_not_exist")


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    from babel.messages.pofile import read_po

    po = REPO_ROOT / "webapp/translations/en/LC_MESSAGES/messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    for msgid in MESSAGES.values():
        message = catalog.get(msgid)
        assert message is not None and message.string, f"no English for {msgid!r}"
        placeholders = sorted(re.findall(r"%\((\w+)\)", msgid))
        assert sorted(re.findall(r"%\((\w+)\)", message.string)) == placeholders, msgid
