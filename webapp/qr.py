"""QR codes for printed sheets, made here (segno, pure Python): no third-party service.

The code is returned as inline SVG, so it prints sharply and needs no script or extra
request. Callers pass an absolute URL built with ``url_for(..., _external=True)``: with
``LOKETWIJZER_PUBLIC_URL`` set that is the public URL, never the request's ``Host``
(see :mod:`webapp.security_headers`).
"""

from __future__ import annotations

import segno
from markupsafe import Markup, escape

# Medium error correction survives a smudged or folded print; the quiet zone is the
# minimum scanners need (4 modules per the standard; printed on white, 2 reads fine).
QR_ERROR = "m"
QR_BORDER = 2


def qr_svg(url: str, label: str) -> Markup:
    """An accessible inline ``<svg>`` QR code for ``url``; its size is left to CSS."""
    code = segno.make(url, error=QR_ERROR, micro=False)
    svg = code.svg_inline(border=QR_BORDER, omitsize=True, svgclass="qr-code",
                          lineclass=None, title=label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
