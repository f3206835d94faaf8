"""Loketwijzer text matcher: free text -> problem areas and life events.

Framework-independent (no Flask, no database). Typical use::

    from matcher import get_matcher, MatchInputError
    result = get_matcher().match("de deurwaarder staat voor de deur")
    result.to_dict()
"""

from matcher.engine import (
    MAX_QUERY_CHARS,
    AreaMatch,
    LifeEventMatch,
    Matcher,
    MatchInputError,
    MatchResult,
    build_matcher,
    get_matcher,
)
from matcher.taxonomy import AREA_CODES, TaxonomyError, load_taxonomy

__all__ = [
    "AREA_CODES",
    "MAX_QUERY_CHARS",
    "AreaMatch",
    "LifeEventMatch",
    "MatchInputError",
    "MatchResult",
    "Matcher",
    "TaxonomyError",
    "build_matcher",
    "get_matcher",
    "load_taxonomy",
]
