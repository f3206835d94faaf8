"""Serve Leaflet and MarkerCluster from their PyPI packages: no CDN, no third-party hosts."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, send_from_directory


def _package_dir(module: str) -> Path:
    mod = __import__(module, fromlist=["BASE_DIR"])
    return Path(mod.BASE_DIR)


VENDOR = {
    "leaflet": "xstatic.pkg.leaflet",
    "leaflet-markercluster": "xstatic.pkg.leaflet_markercluster",
}

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


@bp.get("/<name>/<path:filename>")
def vendor_file(name: str, filename: str):
    module = VENDOR.get(name)
    if module is None:
        abort(404)
    response = send_from_directory(_package_dir(module), filename, max_age=7 * 24 * 3600)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
