"""Match a resident's situation to problem areas and life events (API, CLI and pages)."""

from __future__ import annotations

from typing import Any

from loketwijzer.errors import InvalidInput


def match_situation(text: str | None, lang: str | None = None) -> dict[str, Any]:
    """The contract JSON of /api/v1/match; bad input raises InvalidInput (HTTP 400).

    ``first_steps`` holds, per matched area (best first), a few steps a resident can
    take now, the legal deadline where there is one, and the source of the facts.
    """
    from loketwijzer.first_steps import steps_for
    from matcher import MatchInputError, get_matcher

    try:
        result = get_matcher().match(text or "").to_dict()
    except MatchInputError as exc:
        raise InvalidInput(exc.message_nl if hasattr(exc, "message_nl") else str(exc),
                           code=getattr(exc, "code", "invalid_query")) from exc
    result["first_steps"] = steps_for([a["code"] for a in result["areas"]], text or "",
                                      "en" if lang == "en" else "nl")
    return result


def first_steps_for(text: str | None, area_codes: list[str] | None,
                    lang: str = "nl") -> list[dict[str, Any]]:
    """First steps for a page: the areas already found, or else those of the matched text.

    Never raises: a page without steps is better than a page that fails.
    """
    from loketwijzer.first_steps import steps_for
    from matcher import MatchInputError, get_matcher

    codes = [c for c in (area_codes or []) if c]
    if not codes and text and text.strip():
        try:
            codes = [a.code for a in get_matcher().match(text).areas]
        except MatchInputError:
            codes = []
    return steps_for(codes, text or "", "en" if lang == "en" else "nl")
