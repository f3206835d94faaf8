"""Helpers shared by the matcher's regression tests (the ``m`` fixture is in conftest)."""

from __future__ import annotations


def codes(m, text: str) -> list[str]:
    """The area codes the matcher ranks for *text*, best first."""
    return [a.code for a in m.match(text).areas]
