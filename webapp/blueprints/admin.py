"""For data stewards: what is loaded, how fresh it is, and the sociale-kaart template.

Read-only on purpose: imports run from the command line (``flask import``), so the web
app needs no accounts and holds no upload of personal data.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, send_file

from loketwijzer.actions.admin import data_status
from webapp.db import get_session, get_settings

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.get("/")
def status():
    info = data_status(get_session(), stale_after_days=get_settings().stale_after_days)
    return render_template("admin_status.html", info=info)


@bp.get("/sociale-kaart-template.<fmt>")
def template(fmt: str):
    if fmt not in {"csv", "xlsx"}:
        abort(404)
    from importers.sociale_kaart_template import template_bytes

    # Built in memory: no temporary file or folder per request.
    mimetype = ("text/csv" if fmt == "csv" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return send_file(io.BytesIO(template_bytes(fmt)), mimetype=mimetype, as_attachment=True,
                     download_name=f"sociale-kaart-template.{fmt}")
