"""The verdict rules of the Mysterie-check: few, in order, each with its reason in plain
words. ``docs/mysterie.md`` lists the same table; ``tests/test_mysterie_rules.py`` tests
every row.

The input is what the finder itself returned for one moment (who may use what, and in
which order, is the finder's rule; nothing here decides eligibility):

- ``route``: the finder's best services for the moment's problem areas;
- ``independent``: the finder's independent services for the same areas, nearest first,
  with ``independent_total`` the number of them.

| rule | when                                                         | verdict |
|------|--------------------------------------------------------------|---------|
| R1   | no help at all                                               | mis     |
| R2   | no independent help, and the route is only the counterparty  | mis     |
| R3   | no independent help (other help exists)                      | beter   |
| R4   | independent help, but none to visit within ``NEAR_KM``        | beter (*) |
| R5   | independent help within ``NEAR_KM``, all of it older data     | beter   |
| R6   | independent help within ``NEAR_KM``                           | goed    |

(*) R4 is ``mis`` when the moment is urgent (``spoed``) and no independent help can be
phoned either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from loketwijzer.mysterie.casus import COUNTERPARTIES, URGENCY_NOW
from loketwijzer.mysterie.texts import Km, Text, party, t

GOED, BETER, MIS = "goed", "beter", "mis"
VERDICTS = (GOED, BETER, MIS)
SEVERITY = {GOED: 0, BETER: 1, MIS: 2}  # worst last; sorts "the worst moments first"
NEAR_KM = 10.0  # independent help a resident can visit in person ("in de buurt")


@dataclass(frozen=True)
class Stop:
    """One service the finder returned, reduced to what the check and its pages need."""

    service_id: str
    name: str
    organization: str
    provider_type: str
    independent: bool  # the finder's flag: not the municipality or another government body
    counterparty: bool  # this service belongs to the moment's counterparty
    distance_km: float | None
    remote: bool  # no place within reach: phone or online only
    approximate: bool  # the distance is measured to a town or postcode point
    channels: tuple[str, ...]
    phone: str | None
    website: str | None
    address: str | None
    postal_code: str | None
    city: str | None
    lat: float | None
    lon: float | None
    last_checked: str | None
    stale: bool  # checked, but longer ago than the stale period
    location_label: str | None = None

    @property
    def independent_of_counterparty(self) -> bool:
        return self.independent and not self.counterparty

    @property
    def undated(self) -> bool:
        return self.last_checked is None

    @property
    def reachable(self) -> bool:
        """Something a resident can act on: a phone, a website or a street address."""
        return bool(self.phone or self.website or self.address)

    @property
    def in_person(self) -> bool:
        return not self.remote and self.distance_km is not None

    @property
    def label(self) -> str:
        return self.organization or self.name


@dataclass(frozen=True)
class Judgement:
    verdict: str
    rule: str
    reasons: tuple[Text, ...]


def belongs_to(counterparty: str | None, *, provider_type: str, residents_only: bool,
               name: str, organization: str) -> bool:
    """Is this service the counterparty itself? The municipality by its counters (town
    halls and residents-only municipal services); other bodies by their names."""
    if not counterparty:
        return False
    if counterparty == "gemeente":
        return provider_type == "gemeente" or residents_only
    pattern = COUNTERPARTIES[counterparty].names
    return bool(pattern and pattern.search(f"{organization} {name}"))


def judge(route: Sequence[Stop], independent: Sequence[Stop], *, independent_total: int,
          counterparty: str | None, urgency: str) -> Judgement:
    """The verdict of one moment, with its reasons (see the table in the module doc)."""
    helpers = [s for s in independent if s.independent_of_counterparty]
    if not route and not helpers:
        return Judgement(MIS, "R1", (t("no_help"),))
    if not helpers:
        if route and counterparty and all(s.counterparty for s in route):
            return Judgement(MIS, "R2", (t("only_counterparty", party=party(counterparty)),))
        other = next((s for s in route if not s.counterparty), route[0])
        return Judgement(BETER, "R3", (t("no_independent", organization=other.label),))

    near = [s for s in helpers if s.in_person and s.distance_km <= NEAR_KM]
    if not near:
        reasons = [t("not_near", km=Km(NEAR_KM))]
        visitable = [s for s in helpers if s.in_person]
        if visitable:
            nearest = min(visitable, key=lambda s: s.distance_km)
            reasons.append(t("nearest_far", organization=nearest.label,
                             km=Km(nearest.distance_km)))
        else:
            reasons.append(_remote_mode(helpers))
        if urgency == URGENCY_NOW and not visitable and not any(_callable(s) for s in helpers):
            reasons.append(t("urgent_unreachable"))
            return Judgement(MIS, "R4", tuple(reasons))
        return Judgement(BETER, "R4", tuple(reasons))

    if all(s.stale for s in near):
        return Judgement(BETER, "R5", (t("stale"),))
    nearest = min(near, key=lambda s: s.distance_km)
    if nearest.distance_km < 1.0:
        return Judgement(GOED, "R6", (t("near_close", organization=nearest.label),))
    return Judgement(GOED, "R6", (t("near", organization=nearest.label,
                                    km=Km(nearest.distance_km)),))


def _callable(stop: Stop) -> bool:
    return bool(stop.phone) or "by_phone" in stop.channels


def _online(stop: Stop) -> bool:
    return bool(stop.website) or "online" in stop.channels


def _remote_mode(helpers: Sequence[Stop]) -> Text:
    phone = any(_callable(s) for s in helpers)
    online = any(_online(s) for s in helpers)
    if phone and not online:
        return t("only_phone")
    if online and not phone:
        return t("only_online")
    return t("only_remote")


def warnings(route: Sequence[Stop]) -> tuple[Text, ...]:
    """What the reader should know about the data behind the route (not about the help)."""
    out: list[Text] = []
    if any(s.in_person and s.approximate for s in route):
        out.append(t("warn_approximate"))
    for stop in route:
        if stop.undated:
            out.append(t("warn_undated", organization=stop.label))
        elif stop.stale:
            out.append(t("warn_stale", organization=stop.label))
        if not stop.reachable:
            out.append(t("warn_unreachable", organization=stop.label))
    return tuple(dict.fromkeys(out))


def worst(verdicts: Sequence[str]) -> str | None:
    return max(verdicts, key=SEVERITY.__getitem__) if verdicts else None
