"""Match a resident's situation to problem areas and life events (API, CLI and pages)."""

from __future__ import annotations

from typing import Any

from loketwijzer.errors import InvalidInput


def match_situation(text: str | None) -> dict[str, Any]:
    """The contract JSON of /api/v1/match; bad input raises InvalidInput (HTTP 400)."""
    from matcher import MatchInputError, get_matcher

    try:
        return get_matcher().match(text or "").to_dict()
    except MatchInputError as exc:
        raise InvalidInput(exc.message_nl if hasattr(exc, "message_nl") else str(exc),
                           code=getattr(exc, "code", "invalid_query")) from exc
