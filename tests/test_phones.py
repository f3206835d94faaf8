"""Phone numbers for residents: display, tel: link, cost hint (issue 8)."""

from __future__ import annotations

import pytest

from loketwijzer.phones import cost_hint, display, tel_uri


@pytest.mark.parametrize(("raw", "shown", "tel", "hint"), [
    ("14 020", "14 020", "14020", "nummer van de gemeente, gewoon tarief"),
    ("140594", "14 0594", "140594", "nummer van de gemeente, gewoon tarief"),
    ("0900-8020", "0900-8020", "09008020", "betaald nummer: u betaalt per minuut"),
    ("0800 3355555", "0800-3355555", "08003355555", "gratis nummer"),
    ("020-1234567", "020 123 4567", "0201234567", None),
    ("0594 123456", "0594 123 456", "0594123456", None),
    ("06-12345678", "06 1234 5678", "0612345678", None),
    ("+31 (0)20 1234567", "020 123 4567", "+31201234567", None),
    ("113", "113", "113", None),
])
def test_phone_formats(raw, shown, tel, hint):
    assert display(raw) == shown
    assert tel_uri(raw) == tel
    assert cost_hint(raw) == hint
