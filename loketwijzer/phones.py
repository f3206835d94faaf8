"""Dutch phone numbers for residents: one display format, a correct ``tel:`` link and a
cost hint (0800 free, 0900 paid, 14 0xx the municipal short number).

Only the form changes, never the digits: a number that does not look Dutch is shown as the
source wrote it.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Cards show the same few thousand numbers over and over: the pure functions below are
#: cached (a results page formats each number three times).
CACHED_NUMBERS = 8192

# Two-digit area codes (big cities); all other fixed lines have three-digit area codes.
_AREA2 = frozenset({"10", "13", "15", "20", "23", "24", "26", "30", "33", "35", "36", "38",
                    "40", "43", "45", "46", "50", "53", "55", "58", "70", "71", "72", "73",
                    "74", "75", "76", "77", "78", "79"})
_MUNICIPAL = re.compile(r"^140\d{2,3}$")  # 14 + area code without the leading 0

COST_HINTS: dict[str, tuple[str, str]] = {
    "free": ("gratis nummer", "free number"),
    "paid": ("betaald nummer: u betaalt per minuut", "paid number: charged per minute"),
    "municipal": ("nummer van de gemeente, gewoon tarief", "municipal number, normal rate"),
}


@lru_cache(maxsize=CACHED_NUMBERS)
def digits(number: str | None) -> str:
    """The dialable digits: '+31 (0)20 ...' loses the '(0)', a leading + stays."""
    text = re.sub(r"\(0\)", "", number or "")
    plus = text.strip().startswith("+")
    only = re.sub(r"\D", "", text)
    return f"+{only}" if plus and only else only


@lru_cache(maxsize=CACHED_NUMBERS)
def national(number: str | None) -> str:
    """Digits in national form (+31 20 ... → 020 ...)."""
    d = digits(number)
    if d.startswith("+31"):
        return "0" + d[3:]
    if d.startswith("0031"):
        return "0" + d[4:]
    return d


def tel_uri(number: str | None) -> str:
    """The target of a ``tel:`` link (``14020`` for the municipal short number)."""
    d = digits(number)
    return d


@lru_cache(maxsize=CACHED_NUMBERS)
def kind(number: str | None) -> str | None:
    n = national(number)
    if n.startswith("0800"):
        return "free"
    if n.startswith(("0900", "0906", "0909")):
        return "paid"
    if _MUNICIPAL.match(n):
        return "municipal"
    return None


@lru_cache(maxsize=CACHED_NUMBERS)
def display(number: str | None) -> str:
    """One format for every card: 020 123 4567, 0594 123 456, 06 1234 5678, 0800-1234,
    0900-8020, 14 020. Anything else is left as given."""
    raw = (number or "").strip()
    n = national(raw)
    if not n.isdigit():
        return raw
    if _MUNICIPAL.match(n):
        return f"14 {n[2:]}"
    if n.startswith(("0800", "0900", "0906", "0909")) and 8 <= len(n) <= 11:
        return f"{n[:4]}-{n[4:]}"
    if len(n) != 10 or not n.startswith("0"):
        return raw
    if n.startswith("06"):
        return f"06 {n[2:6]} {n[6:]}"
    if n[1:3] in _AREA2:
        return f"{n[:3]} {n[3:6]} {n[6:]}"
    return f"{n[:4]} {n[4:7]} {n[7:]}"


def cost_hint(number: str | None, lang: str = "nl") -> str | None:
    k = kind(number)
    if k is None:
        return None
    nl, en = COST_HINTS[k]
    return en if lang == "en" else nl
