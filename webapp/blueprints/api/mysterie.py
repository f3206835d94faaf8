"""/api/v1/mysterie: the casussen, and the Mysterie-check of a municipality (see CONTRACT.md).

Reasons and warnings are translated like the pages (Flask-Babel); ``?lang=en`` gives the
English of every text that has it. Errors: ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import force_locale, gettext

from loketwijzer.actions import mysterie
from webapp.blueprints.api import bp
from webapp.db import get_session, get_settings

MAX_PARAM = 20


def _lang() -> str:
    return "en" if request.args.get("lang") == "en" else "nl"


def _pc4() -> str | None:
    value = (request.args.get("pc4") or "").strip()
    return value[:MAX_PARAM] or None


def _render(lang: str):
    def render(text) -> str:
        return text.render(gettext, lang)

    return render


@bp.get("/mysterie")
def mysterie_list():
    """The shipped casussen with their steps (a municipality's own ones: its own URL)."""
    lang = _lang()
    return jsonify({"casussen": [mysterie.casus_to_dict(c, lang)
                                 for c in mysterie.list_casussen()]})


@bp.get("/mysterie/<code>")
def mysterie_municipality(code: str):
    lang = _lang()
    check = mysterie.check_municipality(get_session(), code, pc4=_pc4(),
                                        stale_after_days=get_settings().stale_after_days)
    with force_locale(lang):
        return jsonify(mysterie.check_to_dict(check, lang, _render(lang)))


@bp.get("/mysterie/<code>/<casus_id>")
def mysterie_casus(code: str, casus_id: str):
    lang = _lang()
    session = get_session()
    check = mysterie.check_municipality(session, code, pc4=_pc4(), casus_id=casus_id,
                                        stale_after_days=get_settings().stale_after_days)
    result = check.results[0]
    with force_locale(lang):
        body = mysterie.check_to_dict(check, lang, _render(lang))
    casus = body.pop("casussen")[0]
    body.update(casus)
    body["persona"] = result.casus.persona.get(lang)
    body["questions"] = [q.get(lang) for q in result.casus.questions]
    body["sources"] = list(result.casus.sources)
    body["findings"] = [f.to_dict() for f in mysterie.list_findings(session, check.code,
                                                                    result.casus.id)]
    return jsonify(body)
