"""Field parsers for validation: each returns a clean value or raises RowRejected."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from geo.postcode import PostcodeError, parse_postcode
from importers.base import RowError, RowRejected

# Bounding box of the European Netherlands, with a margin for the Wadden and border towns.
NL_LAT = (50.7, 53.7)
NL_LON = (3.2, 7.3)

TRUE_WORDS = {"ja", "j", "yes", "y", "true", "waar", "1", "x", "wel"}
FALSE_WORDS = {"nee", "n", "no", "false", "onwaar", "0", "niet", "geen"}
_PHONE_CHARS = re.compile(r"^[0-9+()\s.\-/]{3,30}$")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)(?::00)?$")


def reject(row: int, field: str, reason: str, value: Any = None) -> RowRejected:
    return RowRejected(RowError(row, field, reason, None if value is None else str(value)))


def text(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def required_text(row: int, field: str, value: Any) -> str:
    cleaned = text(value)
    if cleaned is None:
        raise reject(row, field, "verplicht veld is leeg")
    return cleaned


def postcode(row: int, field: str, value: Any, *, full: bool = True) -> str | None:
    """A postcode normalised to ``1234 AB`` (or ``1234`` when ``full`` is False)."""
    cleaned = text(value)
    if cleaned is None:
        return None
    try:
        parsed = parse_postcode(cleaned, require_letters=full)
    except PostcodeError as exc:
        raise reject(row, field, str(exc), cleaned) from exc
    return parsed.full or parsed.pc4


def boolean(row: int, field: str, value: Any, default: bool | None = None) -> bool | None:
    cleaned = text(value)
    if cleaned is None:
        return default
    lowered = cleaned.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise reject(row, field, "gebruik ja of nee", cleaned)


def integer(row: int, field: str, value: Any, *, lo: int | None = None, hi: int | None = None
            ) -> int | None:
    cleaned = text(value)
    if cleaned is None:
        return None
    try:
        number = int(float(cleaned.replace(",", ".")))
    except ValueError as exc:
        raise reject(row, field, "geen heel getal", cleaned) from exc
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise reject(row, field, f"moet tussen {lo} en {hi} liggen", cleaned)
    return number


def decimal(row: int, field: str, value: Any) -> float | None:
    cleaned = text(value)
    if cleaned is None:
        return None
    try:
        return float(cleaned.replace("€", "").replace(" ", "").replace(",", "."))
    except ValueError as exc:
        raise reject(row, field, "geen getal", cleaned) from exc


def coordinate(row: int, field: str, value: Any, *, axis: str) -> float | None:
    """Latitude or longitude in WGS 84, inside the Netherlands."""
    number = decimal(row, field, value)
    if number is None:
        return None
    lo, hi = NL_LAT if axis == "lat" else NL_LON
    if not lo <= number <= hi:
        raise reject(row, field, f"ligt niet in Nederland (verwacht {lo} tot {hi})", value)
    return number


def date(row: int, field: str, value: Any) -> tuple[dt.date | None, str | None]:
    """Parse a date as precise as given: ``2024``, ``2024-05``, ``2024-05-17``, ``17-05-2024``.

    Returns the date (first day of a period, for comparisons) and the text as given.
    """
    cleaned = text(value)
    if cleaned is None:
        return None, None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m", "%Y"):
        try:
            parsed = dt.datetime.strptime(cleaned[:10], fmt).date()
        except ValueError:
            continue
        if parsed > dt.date.today() + dt.timedelta(days=1):
            raise reject(row, field, "datum ligt in de toekomst", cleaned)
        return parsed, cleaned[:10]
    raise reject(row, field, "geen datum (gebruik JJJJ-MM-DD)", cleaned)


def phone(row: int, field: str, value: Any) -> str | None:
    cleaned = text(value)
    if cleaned is None:
        return None
    if not _PHONE_CHARS.match(cleaned) or sum(c.isdigit() for c in cleaned) < 3:
        raise reject(row, field, "geen telefoonnummer", cleaned)
    return cleaned


def url(row: int, field: str, value: Any) -> str | None:
    cleaned = text(value)
    if cleaned is None:
        return None
    if not cleaned.lower().startswith(("http://", "https://")):
        cleaned = "https://" + cleaned
    if not _URL.match(cleaned):
        raise reject(row, field, "geen webadres", value)
    return cleaned


def optional(ctx: dict[str, Any], parse, row: int, field: str, value: Any) -> Any:
    """Parse an optional field; a bad value is dropped with a warning instead of
    refusing the row. For registers we do not control (e.g. a URL in an e-mail field)."""
    try:
        return parse(row, field, value)
    except RowRejected as exc:
        ctx.setdefault("warnings", []).extend(
            RowError(e.row, e.field, f"weggelaten: {e.reason}", e.value) for e in exc.errors
        )
        return None


def email(row: int, field: str, value: Any) -> str | None:
    cleaned = text(value)
    if cleaned is None:
        return None
    if not _EMAIL.match(cleaned):
        raise reject(row, field, "geen e-mailadres", cleaned)
    return cleaned


def clock(row: int, field: str, value: Any) -> str | None:
    """A time of day as ``HH:MM``."""
    cleaned = text(value)
    if cleaned is None:
        return None
    match = _TIME.match(cleaned.replace("u", "").strip())
    if not match:
        raise reject(row, field, "geen tijd (gebruik UU:MM, bijvoorbeeld 09:30)", cleaned)
    return f"{int(match.group(1)):02d}:{match.group(2)}"
