"""Who may use a service: the one eligibility rule of Loketwijzer.

The finder, the audit, the Mysterie-check (through the finder), the service page and the
API all ask this module; nothing else decides who may use help. The rule, in words:

1. **Status.** Only help that runs (``active``) or may still run (``uncertain``) is for
   residents. Ended help (``defunct``) and referrals (``referral``: a national entrance
   that sends you to local help, not a place) are never ranked.
2. **Age.** With an age given, help outside its ``minimum_age``..``maximum_age`` is left out.
3. **Where.** National help is for everyone. Help that names municipalities (its
   ``serves``/service areas) is for their residents. Help based elsewhere is also for
   residents within ``REACH_KM`` of one of its places, unless it is *closed to others*:
   residents-only help, a town hall, a team the municipality runs for its own residents
   (not independent, local, not national), and regional help whose region is named
   (only that region) or not known (nobody can tell: not listed).
4. **Target group** is not a bar: help "Alleen voor: ..." is shown with that label and
   ranks below general help.

The functions take numpy arrays or plain scalars alike, so the vectorised finder and audit
and the one-record service page share the very same expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from loketwijzer.models import (
    LISTED_STATUSES,
    SCOPE_MUNICIPALITY,
    SCOPE_NATIONAL,
    SCOPE_REGION,
    STATUS_REFERRAL,
)

#: The one reach: help based in another municipality that is open to non-residents counts
#: as within reach up to this distance (finder listing, audit "nearby" and jungle index).
REACH_KM = 20.0
MIN_AGE, MAX_AGE = 0, 120
GOVERNMENT_PROVIDER = "gemeente"


def is_listable(status: Any) -> Any:
    """Help a resident may be sent to: active or possibly still active."""
    if isinstance(status, np.ndarray):
        return np.isin(status, LISTED_STATUSES)
    return status in LISTED_STATUSES


def is_referral(status: Any) -> Any:
    """A national entrance, not a place (works on one status or an array of them)."""
    return status == STATUS_REFERRAL


def closed_to_others(*, residents_only: bool, provider_type: str | None, independent: bool,
                     scopes: frozenset[str] | set[str] | tuple[str, ...],
                     has_home: bool) -> bool:
    """True when only the residents of the named municipalities may use this help."""
    scopes = set(scopes)
    national = SCOPE_NATIONAL in scopes
    region_only = SCOPE_REGION in scopes and SCOPE_MUNICIPALITY not in scopes and not national
    return bool(residents_only or provider_type == GOVERNMENT_PROVIDER or region_only
                or (not independent and has_home and not national))


def age_fits(min_age: Any, max_age: Any, age: int | None) -> Any:
    """True when ``age`` is inside the range (None/NaN bounds are open; no age: True)."""
    if age is None:
        if isinstance(min_age, np.ndarray):
            return np.ones(min_age.shape, dtype=bool)
        return True
    lo = np.asarray(min_age, dtype=float)
    hi = np.asarray(max_age, dtype=float)
    out = (np.isnan(lo) | (age >= lo)) & (np.isnan(hi) | (age <= hi))
    return out if out.ndim else bool(out)


def may_use(*, listable: Any, national: Any, listed: Any, closed: Any, dist_km: Any,
            age_ok: Any = True, reach_km: float = REACH_KM) -> Any:
    """The rule (arrays broadcast): status, age, then national / named / open within reach."""
    within = np.asarray(dist_km, dtype=float) <= reach_km
    out = (np.asarray(listable, dtype=bool) & np.asarray(age_ok, dtype=bool)
           & (np.asarray(national, dtype=bool) | np.asarray(listed, dtype=bool)
              | (~np.asarray(closed, dtype=bool) & within)))
    return out if out.ndim else bool(out)


def check_age(value: Any) -> int | None:
    """A resident's age from a form or query string; None when empty, ValueError if wrong."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(text)
    age = int(text)
    if not MIN_AGE <= age <= MAX_AGE:
        raise ValueError(text)
    return age


@dataclass(frozen=True)
class Verdict:
    """The rule applied to one service and one resident, with the reason in a code."""

    ok: bool
    reason: str  # national | listed | nearby | status | age | closed | too_far | unknown_area


def verdict(*, status: str, national: bool, serves: set[str] | frozenset[str],
            closed: bool, municipality_code: str | None, dist_km: float | None,
            min_age: int | None = None, max_age: int | None = None,
            age: int | None = None) -> Verdict:
    """The same rule for one record, saying why (service page, tests, explanations)."""
    listed = bool(municipality_code) and municipality_code in serves
    dist = float("inf") if dist_km is None else float(dist_km)
    ok = may_use(listable=is_listable(status), national=national, listed=listed,
                 closed=closed, dist_km=dist,
                 age_ok=age_fits(_nan(min_age), _nan(max_age), age))
    if not is_listable(status):
        return Verdict(False, "status")
    if not age_fits(_nan(min_age), _nan(max_age), age):
        return Verdict(False, "age")
    if ok:
        return Verdict(True, "national" if national else "listed" if listed else "nearby")
    return Verdict(False, "closed" if closed else "too_far")


def _nan(value: int | None) -> float:
    return float("nan") if value is None else float(value)
