"""The one hook that counts a search as a demand signal (``loketwijzer.signals``).

Called once after a successful search (page and API). It reads only the two privacy
headers; the finder result gives the origin municipality and the matched areas. A
counting problem never breaks a search.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, request

from loketwijzer import signals
from webapp.db import get_session

# Crawlers and link previews announce themselves; they are not residents looking for help.
_ROBOT = re.compile(r"bot\b|crawler|spider|slurp",
                    re.IGNORECASE)


def counts_as_a_resident() -> bool:
    """A real page or API view: not a HEAD request, not a self-declared robot."""
    if request.method != "GET":
        return False
    return not _ROBOT.search(request.headers.get("User-Agent", ""))


def count_search(found: dict[str, Any]) -> None:
    """Count this search, unless the request says ``DNT: 1`` or ``Sec-GPC: 1``, or it is
    a HEAD request or a self-declared robot."""
    if not counts_as_a_resident():
        return
    session = get_session()
    try:
        if signals.record_search(session, found,
                                 opted_out=signals.opted_out(request.headers)) \
                and session.in_transaction():  # buffered counts wrote nothing yet
            session.commit()
    except Exception:  # never let a counter cost a resident their answer
        session.rollback()
        current_app.logger.exception("demand signal not counted")
