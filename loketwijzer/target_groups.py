"""Target groups a resident may say they belong to ("Ik hoor bij ...").

Help "Alleen voor: ..." a group ranks below general help, unless the resident picked
that group: then it ranks with general help. Services name their group in free text
(``target_group``, from the source); a group here is recognised by its words. One table
for the finder, the pages and the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TargetGroup:
    code: str
    label_nl: str
    label_en: str
    words: tuple[str, ...]  # word starts that name the group in a service's target_group

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_nl


GROUPS: tuple[TargetGroup, ...] = (
    TargetGroup("nieuwkomer", "Statushouders, vluchtelingen en inburgeraars",
                "Refugees with a residence permit and newcomers",
                ("statushouder", "vluchteling", "inburger", "azc", "nieuwkomer")),
    TargetGroup("jongere", "Kinderen en jongeren", "Children and young people",
                ("kind", "jongere", "jeugd", "student")),
    TargetGroup("vrouw", "Vrouwen", "Women", ("vrouw",)),
    TargetGroup("gedupeerde", "Gedupeerde ouders van de toeslagenaffaire",
                "Parents affected by the childcare benefits scandal",
                ("gedupeerde", "kinderopvangtoeslag", "toeslagpartner", "toeslagenaffaire")),
    TargetGroup("slachtoffer", "Slachtoffers van geweld of een misdrijf",
                "Victims of violence or crime", ("slachtoffer", "geweld")),
    TargetGroup("laag_inkomen", "Mensen met een laag inkomen of geldzorgen",
                "People on a low income or with money worries",
                ("laag inkomen", "inkomensgrens", "mindervermogend", "geldzorg", "schulden")),
    TargetGroup("huurder", "Huurders", "Tenants", ("huurder",)),
)
BY_CODE = {g.code: g for g in GROUPS}


def check_group(value: Any) -> str | None:
    """A group code from a form or query string; None when empty, ValueError if unknown."""
    if value is None or str(value).strip() == "":
        return None
    code = str(value).strip().lower()
    if code not in BY_CODE:
        raise ValueError(code)
    return code


def belongs_to(target_group: str | None, code: str) -> bool:
    """Whether a service's "Alleen voor" text names this group."""
    if not target_group:
        return False
    text = target_group.lower()
    return any(re.search(r"(?<![a-z])" + re.escape(word), text)
               for word in BY_CODE[code].words)


def choices(lang: str) -> list[dict[str, str]]:
    """The groups for a select box, in the page language."""
    return [{"code": g.code, "label": g.label(lang)} for g in GROUPS]
