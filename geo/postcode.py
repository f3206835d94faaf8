"""Dutch postcodes: ``1234 AB`` (full) and ``1234`` (PC4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The first digit is never 0; the letter pairs SA, SD and SS are not issued.
_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*(?:([A-Za-z]{2}))?\s*$")
_UNUSED_LETTERS = {"SA", "SD", "SS"}


class PostcodeError(ValueError):
    """Input that is not a Dutch postcode; the message is Dutch and says what is expected."""


@dataclass(frozen=True)
class Postcode:
    pc4: str
    letters: str | None = None

    @property
    def full(self) -> str | None:
        return f"{self.pc4} {self.letters}" if self.letters else None

    def __str__(self) -> str:
        return self.full or self.pc4


def parse_postcode(text: str, *, require_letters: bool = False) -> Postcode:
    """Parse ``3511 AB``, ``3511ab`` or ``3511``; raise PostcodeError with a clear message."""
    if text is None or not str(text).strip():
        raise PostcodeError("Vul een postcode in, bijvoorbeeld 3511 AB of 3511.")
    match = _POSTCODE.match(str(text))
    if not match:
        raise PostcodeError(
            f"'{str(text).strip()[:20]}' is geen Nederlandse postcode. "
            "Een postcode heeft 4 cijfers en vaak 2 letters, zoals 3511 AB."
        )
    pc4, letters = match.group(1), match.group(2)
    if letters:
        letters = letters.upper()
        if letters in _UNUSED_LETTERS:
            raise PostcodeError(f"De letters {letters} komen niet voor in Nederlandse postcodes.")
    elif require_letters:
        raise PostcodeError("Vul de hele postcode in: 4 cijfers en 2 letters, zoals 3511 AB.")
    return Postcode(pc4, letters)


def looks_like_postcode(text: str) -> bool:
    return bool(_POSTCODE.match(text or ""))
