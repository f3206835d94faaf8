"""JSON API under /api/v1. One module per resource; each adds its routes to ``bp``.

Every route is a thin wrapper around a service function in ``loketwijzer.actions``;
errors come back as ``{"error": {"code", "message"}}`` with a 4xx status
(see ``webapp/errors.py``).
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
