""""Klopt er iets niet?" and "Beheert u deze dienst?" for every service page (issue 10).

Separate pages so the service page itself sets no cookie; these forms carry a CSRF
token like every form, and go through the same actions as the API.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from loketwijzer import editable
from loketwijzer.actions import suggestions
from loketwijzer.actions.editing import load_service
from loketwijzer.errors import ActionError
from webapp.db import get_session
from webapp.security import client_key

bp = Blueprint("feedback", __name__)



def _page(kind: str, service_id: str):
    service = load_service(get_session(), service_id)
    done = False
    error = None
    status = 200
    if request.method == "POST":
        submit = suggestions.submit_suggestion if kind == "suggest" else suggestions.submit_claim
        try:
            submit(get_session(), service_id, request.form.to_dict(), client=client_key())
            done = True
        except ActionError as exc:
            error, status = exc.message, exc.status
    return render_template("feedback.html", kind=kind, service=service, done=done,
                           error=error, fields=editable.FIELDS,
                           limits={"value": suggestions.MAX_VALUE,
                                   "comment": suggestions.MAX_COMMENT}), status


@bp.route("/dienst/<service_id>/melden", methods=["GET", "POST"])
def suggest(service_id: str):
    return _page("suggest", service_id)


@bp.route("/dienst/<service_id>/beheren", methods=["GET", "POST"])
def claim(service_id: str):
    return _page("claim", service_id)



