"""Plain-word messages of the Mysterie-check: verdict reasons, data warnings, labels.

The domain keeps a message as a :class:`Text` (a Dutch msgid plus its values), not as a
finished string, so that one result serves every language: the web layer translates it
through Flask-Babel (``webapp/translations/en/LC_MESSAGES/messages.po`` holds the English
of every msgid below; a test checks that), the CLI prints the Dutch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal

# Every msgid of this module, by a stable code (the API also returns the codes).
MESSAGES: dict[str, str] = {
    # verdict reasons
    "no_help": "Geen hulp bekend in Loketwijzer voor dit onderwerp.",
    "only_counterparty": "Alleen %(party)s zelf helpt, en die is hier de tegenpartij.",
    "no_independent": "Geen onafhankelijke hulp bekend in Loketwijzer; wel %(organization)s.",
    "not_near": "Geen onafhankelijke hulp binnen %(km)s km.",
    "nearest_far": "De dichtstbijzijnde onafhankelijke hulp is %(organization)s, op %(km)s km.",
    "only_phone": "Onafhankelijke hulp is er alleen telefonisch.",
    "only_online": "Onafhankelijke hulp is er alleen online.",
    "only_remote": "Onafhankelijke hulp is er alleen op afstand: bellen of online.",
    "urgent_unreachable": "Het is spoed, maar er is geen onafhankelijke hulp in de buurt en "
                          "geen die u kunt bellen.",
    "stale": "Gegevens ouder dan een jaar: de onafhankelijke hulp in de buurt is niet "
             "recent gecontroleerd.",
    "near": "Onafhankelijke hulp op %(km)s km: %(organization)s.",
    "near_close": "Onafhankelijke hulp op minder dan 1 km: %(organization)s.",
    # data warnings
    "warn_approximate": "Afstand naar een locatie bij benadering (plaats of postcodegebied, "
                        "geen adres).",
    "warn_undated": "Niet bekend hoe oud de gegevens van %(organization)s zijn.",
    "warn_stale": "De gegevens van %(organization)s zijn ouder dan een jaar.",
    "warn_unreachable": "Bij %(organization)s staat geen telefoon, website of adres.",
    "warn_known": "Dit is wat bekend is in Loketwijzer; er kan meer hulp zijn.",
    # counterparties (as they appear in a sentence)
    "party_gemeente": "de gemeente",
    "party_belastingdienst": "de Belastingdienst/Toeslagen",
    "party_uwv": "UWV",
    "party_svb": "de SVB",
    "party_cjib": "het CJIB",
    "party_verhuurder": "de verhuurder",
    "party_werkgever": "de werkgever",
    "party_schuldeiser": "de schuldeiser",
    "party_zorgverzekeraar": "de zorgverzekeraar",
}


@dataclass(frozen=True)
class Text:
    """A translatable message: the code of a msgid in :data:`MESSAGES` and its values.

    Values are plain (names, numbers) or nested :class:`Text` (translated as well).
    """

    code: str
    values: tuple[tuple[str, Any], ...] = ()

    @property
    def msgid(self) -> str:
        return MESSAGES[self.code]

    def render(self, gettext: Callable[[str], str] | None = None, lang: str = "nl") -> str:
        """The message in ``lang``: through ``gettext`` (Flask-Babel) when given."""
        values = {k: _value(v, gettext, lang) for k, v in self.values}
        template = gettext(self.msgid) if gettext else self.msgid
        return template % values if values else template


def t(code: str, **values: Any) -> Text:
    if code not in MESSAGES:
        raise KeyError(code)
    return Text(code, tuple(sorted(values.items())))


@dataclass(frozen=True)
class Km:
    """A distance, written the way the reader's language writes numbers."""

    value: float

    def format(self, lang: str) -> str:
        if self.value >= 10:
            return format_decimal(round(self.value), format="#,##0", locale=_locale(lang))
        return format_decimal(round(self.value, 1), format="#,##0.0", locale=_locale(lang))


def _locale(lang: str) -> str:
    return "en" if lang == "en" else "nl"


def _value(value: Any, gettext: Callable[[str], str] | None, lang: str) -> Any:
    if isinstance(value, Text):
        return value.render(gettext, lang)
    if isinstance(value, Km):
        return value.format(lang)
    return value


def party(code: str | None) -> Text | None:
    """The counterparty as it appears in a sentence ("de gemeente")."""
    if not code:
        return None
    return t(f"party_{code}")
