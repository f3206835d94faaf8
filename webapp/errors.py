"""One way to show errors: JSON under /api, a friendly Dutch page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException

from loketwijzer.errors import ActionError

MESSAGES = {
    400: lazy_gettext("Deze vraag begrijpen we niet."),
    404: lazy_gettext("Deze pagina bestaat niet."),
    405: lazy_gettext("Dat kan op deze pagina niet."),
    500: lazy_gettext("Er ging bij ons iets mis. Probeer het later nog eens."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(ActionError)
    def _action_error(exc: ActionError):
        if _wants_json():
            return jsonify(exc.to_dict()), exc.status
        return render_template("error.html", status=exc.status, message=exc.message,
                               suggestions=exc.suggestions), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = str(MESSAGES.get(status, exc.description or lazy_gettext("Er ging iets mis.")))
        if _wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            return jsonify({"error": {"code": code, "message": message}}), status
        return render_template("error.html", status=status, message=message,
                               suggestions=[]), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if _wants_json():
            body = {"error": {"code": "internal_error", "message": str(MESSAGES[500])}}
            return jsonify(body), 500
        return render_template("error.html", status=500, message=MESSAGES[500],
                               suggestions=[]), 500
