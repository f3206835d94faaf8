"""The problem areas and life events, as the rest of the app needs them (labels, order).

The authored taxonomy in ``data/taxonomy`` is owned by the matcher; this module gives
the app a small, stable view of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class AreaInfo:
    code: str
    label: str
    label_en: str
    description: str | None = None


@dataclass(frozen=True)
class LifeEventInfo:
    code: str
    label: str
    label_en: str
    description: str | None
    areas: tuple[str, ...]


@lru_cache(maxsize=1)
def problem_areas() -> tuple[AreaInfo, ...]:
    from matcher import get_matcher

    return tuple(
        AreaInfo(a.code, a.label, a.label_en, getattr(a, "description", None))
        for a in get_matcher().areas
    )


@lru_cache(maxsize=1)
def life_events() -> tuple[LifeEventInfo, ...]:
    from matcher import get_matcher

    return tuple(
        LifeEventInfo(e.code, e.label, e.label_en, getattr(e, "description", None),
                      tuple(e.areas))
        for e in get_matcher().life_events
    )


def area_codes() -> list[str]:
    return [a.code for a in problem_areas()]


@lru_cache(maxsize=1)
def _areas_by_code() -> dict[str, AreaInfo]:
    return {a.code: a for a in problem_areas()}


def area_label(code: str, lang: str = "nl") -> str:
    """The label of a problem area (a dict lookup: the finder asks this for every card)."""
    area = _areas_by_code().get(code)
    if area is None:
        return code
    return area.label_en if lang == "en" else area.label
