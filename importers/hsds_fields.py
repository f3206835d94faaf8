"""Row checks and field parsers for HSDS values, in the style of ``importers.fields``.

Every parser takes ``(line, field, value)`` and returns a clean value or raises
RowRejected; ``Check`` runs them over one row and keeps every problem, so that the
report lists all of a row's errors at once instead of only the first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from importers import fields as f
from importers.base import RowError, RowRejected
from importers.hsds_read import Row

_BYDAY = re.compile(r"^(?:[+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_PC4 = re.compile(r"^[1-9]\d{3}$")


class Check:
    """Collects every problem of one row, so the report lists them all at once."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.errors: list[RowError] = []

    def __call__(self, parse: Callable[..., Any], column: str, *args: Any, **kwargs: Any
                 ) -> Any:
        return self.value(parse, column, self.row.get(column), *args, **kwargs)

    def value(self, parse: Callable[..., Any], column: str, value: Any, *args: Any,
              **kwargs: Any) -> Any:
        try:
            return parse(self.row.line, self.row.field(column), value, *args, **kwargs)
        except RowRejected as exc:
            self.errors.extend(exc.errors)
            return None

    def fail(self, column: str | None, reason: str, value: Any = None) -> None:
        where = self.row.field(column) if column else self.row.where
        self.errors.append(RowError(self.row.line, where, reason,
                                    None if value is None else str(value)))


# -- field parsers in the f.* style: (line, field, value) → clean value or RowRejected ----------
def iso_date(line: int | None, name: str, value: Any) -> dt.date | None:
    """A calendar date (also in the future: a price list may be valid until next year)."""
    cleaned = f.text(value)
    if cleaned is None:
        return None
    try:
        return dt.date.fromisoformat(cleaned[:10])
    except ValueError as exc:
        raise f.reject(line, name, "geen datum (gebruik JJJJ-MM-DD)", cleaned) from exc


def enum(choices: tuple[str, ...], *, lower: bool = False) -> Callable[..., str | None]:
    def parse(line: int | None, name: str, value: Any) -> str | None:
        cleaned = f.text(value)
        if cleaned is None:
            return None
        if lower:
            cleaned = cleaned.lower()
        if cleaned not in choices:
            raise f.reject(line, name, f"kies uit: {', '.join(choices)}", cleaned)
        return cleaned

    return parse


def required(parse: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(line: int | None, name: str, value: Any, *args: Any, **kwargs: Any) -> Any:
        if f.text(value) is None:
            raise f.reject(line, name, "verplicht veld is leeg")
        return parse(line, name, value, *args, **kwargs)

    return wrapped


def plain(line: int | None, name: str, value: Any) -> str | None:
    return f.text(value)


def extension(line: int | None, name: str, value: Any) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f.text(value)


def byday(line: int | None, name: str, value: Any) -> str | None:
    cleaned = f.text(value)
    if cleaned is None:
        return None
    days = [d.strip().upper() for d in cleaned.split(",")]
    if not all(_BYDAY.match(d) for d in days):
        raise f.reject(line, name, "gebruik dagen als MO,TU,WE,TH,FR,SA,SU", cleaned)
    return ",".join(days)


def pc4_area(line: int | None, name: str, value: Any) -> str | None:
    cleaned = f.text(value)
    if cleaned is not None and not _PC4.match(cleaned):
        raise f.reject(line, name, "een postcodegebied heeft 4 cijfers, zoals 3511", cleaned)
    return cleaned
