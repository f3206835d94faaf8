"""The verdict rules, row by row, on hand-made finder answers (no database): the table in
``loketwijzer/mysterie/rules.py`` and ``docs/mysterie.md``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from loketwijzer.mysterie import rules
from loketwijzer.mysterie.rules import Stop, belongs_to, judge, warnings


def stop(name: str, *, independent: bool = True, counterparty: bool = False,
         km: float | None = 2.0, remote: bool = False, channels=("walk_in",),
         phone: str | None = "010-1234567", website: str | None = None,
         address: str | None = "Straat 1", checked: str | None = "2025-10-01",
         stale: bool = False, approximate: bool = False) -> Stop:
    return Stop(service_id=f"id-{name}", name=name, organization=name,
                provider_type="other" if independent else "gemeente",
                independent=independent, counterparty=counterparty,
                distance_km=None if remote else km, remote=remote, approximate=approximate,
                channels=tuple(channels), phone=phone, website=website, address=address,
                postal_code=None, city=None, lat=None, lon=None, last_checked=checked,
                stale=stale)


TOWN_HALL = stop("Gemeente Zee", independent=False, counterparty=True, km=0.5)
TOWN_HALL_NOT_CP = replace(TOWN_HALL, counterparty=False)
LAW_SHOP = stop("Rechtswinkel", km=3.2)
FAR_SHOP = stop("Rechtswinkel Stad", km=18.4)
PHONE_LINE = stop("Landelijke lijn", remote=True, channels=("by_phone",), address=None)
WEB_ONLY = stop("Online hulp", remote=True, channels=("online",), phone=None,
                website="https://x.example", address=None)
BOTH = stop("Juridisch Loket", remote=True, channels=("by_phone", "online"), address=None,
            website="https://jl.example")


def codes(judgement) -> list[str]:
    return [r.code for r in judgement.reasons]


def test_r1_no_help_at_all_is_mis():
    j = judge([], [], independent_total=0, counterparty=None, urgency="normaal")
    assert (j.verdict, j.rule, codes(j)) == ("mis", "R1", ["no_help"])


def test_r2_only_the_counterparty_helps_is_mis():
    j = judge([TOWN_HALL], [], independent_total=0, counterparty="gemeente",
              urgency="normaal")
    assert (j.verdict, j.rule) == ("mis", "R2")
    assert j.reasons[0].render() == ("Alleen de gemeente zelf helpt, en die is hier de "
                                     "tegenpartij.")


def test_r3_help_that_is_not_independent_is_beter():
    j = judge([TOWN_HALL_NOT_CP], [], independent_total=0, counterparty=None,
              urgency="normaal")
    assert (j.verdict, j.rule, codes(j)) == ("beter", "R3", ["no_independent"])
    assert "Gemeente Zee" in j.reasons[0].render()


def test_independent_help_that_is_the_counterparty_does_not_count():
    """A government body flagged independent (UWV's own helpdesk, say) is no help against
    UWV: the verdict falls back to R2."""
    uwv_desk = stop("UWV helpdesk", counterparty=True, km=1.0)
    j = judge([uwv_desk], [uwv_desk], independent_total=1, counterparty="uwv",
              urgency="normaal")
    assert (j.verdict, j.rule) == ("mis", "R2")


@pytest.mark.parametrize("helpers, reason", [
    ([PHONE_LINE], "only_phone"),
    ([WEB_ONLY], "only_online"),
    ([BOTH], "only_remote"),
    ([PHONE_LINE, WEB_ONLY], "only_remote"),
])
def test_r4_only_remote_help_says_how_it_is_reached(helpers, reason):
    j = judge([TOWN_HALL, *helpers], helpers, independent_total=len(helpers),
              counterparty="gemeente", urgency="normaal")
    assert (j.verdict, j.rule, codes(j)) == ("beter", "R4", ["not_near", reason])


def test_r4_far_help_names_the_nearest():
    j = judge([TOWN_HALL, FAR_SHOP], [FAR_SHOP, PHONE_LINE], independent_total=2,
              counterparty="gemeente", urgency="spoed")
    assert (j.verdict, j.rule, codes(j)) == ("beter", "R4", ["not_near", "nearest_far"])
    assert j.reasons[1].render() == ("De dichtstbijzijnde onafhankelijke hulp is "
                                     "Rechtswinkel Stad, op 18 km.")


def test_r4_urgent_and_nobody_to_call_is_mis():
    j = judge([TOWN_HALL, WEB_ONLY], [WEB_ONLY], independent_total=1,
              counterparty="gemeente", urgency="spoed")
    assert (j.verdict, j.rule, codes(j)) == ("mis", "R4",
                                              ["not_near", "only_online", "urgent_unreachable"])
    # The same moment without haste is only "beter"; with a phone line it is too.
    assert judge([WEB_ONLY], [WEB_ONLY], independent_total=1, counterparty=None,
                 urgency="snel").verdict == "beter"
    assert judge([PHONE_LINE], [PHONE_LINE], independent_total=1, counterparty=None,
                 urgency="spoed").verdict == "beter"


def test_r5_nearby_help_with_only_old_data_is_beter():
    old = replace(LAW_SHOP, stale=True, last_checked="2019-01-01")
    j = judge([old], [old], independent_total=1, counterparty=None, urgency="normaal")
    assert (j.verdict, j.rule, codes(j)) == ("beter", "R5", ["stale"])
    # Undated data is a warning, not a verdict (most sources give no date at all).
    undated = replace(LAW_SHOP, last_checked=None)
    assert judge([undated], [undated], independent_total=1, counterparty=None,
                 urgency="normaal").rule == "R6"
    # One fresh place nearby is enough.
    assert judge([old, LAW_SHOP], [old, LAW_SHOP], independent_total=2, counterparty=None,
                 urgency="normaal").rule == "R6"


def test_r6_independent_help_nearby_is_goed_and_says_where():
    j = judge([TOWN_HALL, LAW_SHOP], [LAW_SHOP, PHONE_LINE], independent_total=2,
              counterparty="gemeente", urgency="spoed")
    assert (j.verdict, j.rule) == ("goed", "R6")
    assert j.reasons[0].render() == "Onafhankelijke hulp op 3,2 km: Rechtswinkel."
    close = replace(LAW_SHOP, distance_km=0.4)
    assert judge([close], [close], independent_total=1, counterparty=None,
                 urgency="normaal").reasons[0].code == "near_close"


def test_the_near_limit_is_inclusive():
    at_limit = replace(LAW_SHOP, distance_km=rules.NEAR_KM)
    just_over = replace(LAW_SHOP, distance_km=rules.NEAR_KM + 0.1)
    assert judge([at_limit], [at_limit], independent_total=1, counterparty=None,
                 urgency="normaal").verdict == "goed"
    assert judge([just_over], [just_over], independent_total=1, counterparty=None,
                 urgency="normaal").rule == "R4"


def test_belongs_to_recognises_each_counterparty():
    assert belongs_to("gemeente", provider_type="gemeente", residents_only=True,
                      name="Gemeente Zee: loket", organization="Gemeente Zee")
    assert belongs_to("gemeente", provider_type="other", residents_only=True,
                      name="Sociaal team", organization="Gemeente Zee")
    assert not belongs_to("gemeente", provider_type="rechtswinkel", residents_only=False,
                          name="Rechtswinkel", organization="Rechtswinkel")
    assert belongs_to("belastingdienst", provider_type="other", residents_only=False,
                      name="Uitvoeringsorganisatie Herstel Toeslagen (UHT)", organization="")
    assert belongs_to("uwv", provider_type="other", residents_only=False, name="UWV Werkplein",
                      organization="UWV")
    assert belongs_to("cjib", provider_type="other", residents_only=False, name="Loket",
                      organization="Centraal Justitieel Incassobureau")
    assert not belongs_to("uwv", provider_type="other", residents_only=False,
                          name="Juwvelier", organization="Juwvelier")
    assert not belongs_to("verhuurder", provider_type="huurteam", residents_only=False,
                          name="Huurteam", organization="Huurteam")
    assert not belongs_to(None, provider_type="gemeente", residents_only=True, name="x",
                          organization="x")


def test_warnings_are_about_the_data_and_not_repeated():
    rough = replace(LAW_SHOP, approximate=True, last_checked=None)
    old = replace(FAR_SHOP, stale=True, last_checked="2020-01-01", phone=None, address=None)
    found = warnings([rough, old, replace(rough, service_id="other")])
    assert [w.code for w in found] == ["warn_approximate", "warn_undated", "warn_stale",
                                       "warn_unreachable"]
    assert warnings([PHONE_LINE]) == ()  # remote help has no distance to be rough about


def test_worst_and_severity():
    assert rules.worst(["goed", "mis", "beter"]) == "mis"
    assert rules.worst(["goed", "beter"]) == "beter"
    assert rules.worst([]) is None
