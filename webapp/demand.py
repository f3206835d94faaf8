"""The one hook that counts a search as a demand signal (``loketwijzer.signals``).

Called once after a successful search (page and API). It reads only the two privacy
headers; the finder result gives the origin municipality and the matched areas. A
counting problem never breaks a search.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from loketwijzer import signals
from webapp.db import get_session


def count_search(found: dict[str, Any]) -> None:
    """Count this search, unless the request says ``DNT: 1`` or ``Sec-GPC: 1``."""
    session = get_session()
    try:
        if signals.record_search(session, found,
                                 opted_out=signals.opted_out(request.headers)):
            session.commit()
    except Exception:  # never let a counter cost a resident their answer
        session.rollback()
        current_app.logger.exception("demand signal not counted")
